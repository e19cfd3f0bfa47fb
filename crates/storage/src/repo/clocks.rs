//! Statutory clocks attached to items (cases, notices, complaints, tasks),
//! and the reminders that fire once per clock, threshold and deadline.
//!
//! The event history is the truth; the columns `current_deadline`,
//! `due_soon_from` and `state` are derived from it with the pure
//! `domain::clock` engine on every change, so sweeps and "due soon" lists are
//! plain indexed queries. Each clock keeps a snapshot of its rule, so a later
//! change of the rule data does not move running clocks.

use chrono::NaiveDate;
use domain::{
    Scope,
    calendar::WorkCalendar,
    clock::{ClockEvent, ClockReading, ClockRule, ClockState},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::Serialize;

use super::{Page, PageReq, units::json};
use crate::{Db, Result, StorageError, WriteTx, entity::clock, now};

pub use clock::Model as Clock;

fn scope_cond(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Limited {
            unit_ids,
            own_user_id,
            ..
        } => {
            let mut c = Condition::any();
            if !unit_ids.is_empty() {
                c = c.add(clock::Column::UnitId.is_in(unit_ids.iter().copied()));
            }
            if let Some(u) = own_user_id {
                c = c.add(clock::Column::OwnerUserId.eq(*u));
            }
            if c.is_empty() {
                Condition::all().add(clock::Column::Id.lt(0))
            } else {
                c
            }
        }
    }
}

/// Columns derived from the event history.
struct Derived {
    state: &'static str,
    original: NaiveDate,
    current: Option<NaiveDate>,
    due_soon_from: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
}

fn derive(
    rule: &ClockRule,
    events: &[ClockEvent],
    cal: &WorkCalendar,
) -> Result<(ClockState, Derived)> {
    let st = ClockState::from_events(rule, events, cal).map_err(StorageError::Clock)?;
    let (state, due_soon_from) = match (&st.completion, st.current_deadline) {
        (Some(_), _) => ("completed", None),
        (None, None) => ("suspended", None),
        (None, Some(d)) => {
            // The first day on which at most `due_soon_workdays` working days remain.
            let from = cal
                .sub_workdays(d, st.due_soon_workdays)
                .map_err(StorageError::Calendar)?;
            ("running", Some(from.min(d)))
        }
    };
    let d = Derived {
        state,
        original: st.original_deadline,
        current: st.current_deadline,
        due_soon_from,
        completed_on: st.completion.map(|c| c.on),
    };
    Ok((st, d))
}

/// A clock to start.
#[derive(Debug, Clone)]
pub struct NewClock {
    pub item_type: String,
    pub item_id: String,
    pub title: String,
    pub rule: ClockRule,
    pub unit_id: i64,
    pub owner_user_id: Option<i64>,
    pub started_on: NaiveDate,
}

pub async fn start(
    tx: &mut WriteTx,
    scope: &Scope,
    cal: &WorkCalendar,
    n: &NewClock,
) -> Result<Clock> {
    if !scope.allows_unit(n.unit_id) {
        return Err(super::units::invalid("unit_id", "err.out_of_scope"));
    }
    let events = vec![ClockEvent::Started { on: n.started_on }];
    let (_, d) = derive(&n.rule, &events, cal)?;
    let t = now();
    let m = clock::ActiveModel {
        item_type: Set(n.item_type.clone()),
        item_id: Set(n.item_id.clone()),
        title: Set(n.title.clone()),
        rule_code: Set(n.rule.code.clone()),
        rule_data: Set(to_json(&n.rule)?),
        events: Set(to_json(&events)?),
        unit_id: Set(n.unit_id),
        owner_user_id: Set(n.owner_user_id),
        state: Set(d.state.to_string()),
        started_on: Set(n.started_on),
        original_deadline: Set(d.original),
        current_deadline: Set(d.current),
        due_soon_from: Set(d.due_soon_from),
        completed_on: Set(d.completed_on),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record(
        "clock.start",
        "clock",
        m.id,
        None,
        Some(serde_json::json!({
            "rule": m.rule_code, "item": format!("{}:{}", m.item_type, m.item_id),
            "started_on": m.started_on, "deadline": m.current_deadline
        })),
    );
    Ok(m)
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StorageError::Other(e.to_string()))
}

fn parse_parts(m: &Clock) -> Result<(ClockRule, Vec<ClockEvent>)> {
    let rule = serde_json::from_str(&m.rule_data)
        .map_err(|e| StorageError::Other(format!("clock {}: {e}", m.id)))?;
    let events = serde_json::from_str(&m.events)
        .map_err(|e| StorageError::Other(format!("clock {}: {e}", m.id)))?;
    Ok((rule, events))
}

fn event_action(e: &ClockEvent) -> &'static str {
    match e {
        ClockEvent::Started { .. } => "clock.start",
        ClockEvent::Suspended { .. } => "clock.suspend",
        ClockEvent::Resumed { .. } => "clock.resume",
        ClockEvent::Extended { .. } => "clock.extend",
        ClockEvent::Completed { .. } => "clock.complete",
    }
}

/// Appends an event (suspend, resume, extend, complete) after checking it
/// against the rule; records the deadline before and after.
pub async fn add_event(
    tx: &mut WriteTx,
    scope: &Scope,
    cal: &WorkCalendar,
    id: i64,
    event: ClockEvent,
) -> Result<Clock> {
    let before = clock::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    let (rule, mut events) = parse_parts(&before)?;
    events.push(event.clone());
    let (_, d) = derive(&rule, &events, cal)?;
    let mut am: clock::ActiveModel = before.clone().into();
    am.events = Set(to_json(&events)?);
    am.state = Set(d.state.to_string());
    am.current_deadline = Set(d.current);
    am.due_soon_from = Set(d.due_soon_from);
    am.completed_on = Set(d.completed_on);
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    tx.record(
        event_action(&event),
        "clock",
        id,
        Some(serde_json::json!({"state": before.state, "deadline": before.current_deadline})),
        Some(serde_json::json!({"state": after.state, "deadline": after.current_deadline, "event": event})),
    );
    Ok(after)
}

/// A clock with its rule, history, computed state and today's reading.
#[derive(Debug, Clone, Serialize)]
pub struct ClockDetail {
    pub clock: Clock,
    pub rule: ClockRule,
    pub events: Vec<ClockEvent>,
    pub state: ClockState,
    pub reading: ClockReading,
}

pub async fn get(
    db: &Db,
    scope: &Scope,
    cal: &WorkCalendar,
    id: i64,
    today: NaiveDate,
) -> Result<ClockDetail> {
    let m = clock::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(&db.conn)
        .await?
        .ok_or(StorageError::NotFound)?;
    detail(m, cal, today)
}

pub fn detail(m: Clock, cal: &WorkCalendar, today: NaiveDate) -> Result<ClockDetail> {
    let (rule, events) = parse_parts(&m)?;
    let state = ClockState::from_events(&rule, &events, cal).map_err(StorageError::Clock)?;
    let reading = state.reading(today, cal).map_err(StorageError::Calendar)?;
    Ok(ClockDetail {
        clock: m,
        rule,
        events,
        state,
        reading,
    })
}

/// The clocks of one item, oldest first.
pub async fn for_item(
    db: &Db,
    scope: &Scope,
    item_type: &str,
    item_id: &str,
) -> Result<Vec<Clock>> {
    Ok(clock::Entity::find()
        .filter(scope_cond(scope))
        .filter(clock::Column::ItemType.eq(item_type))
        .filter(clock::Column::ItemId.eq(item_id))
        .order_by_asc(clock::Column::Id)
        .all(&db.conn)
        .await?)
}

#[derive(Debug, Clone, Default)]
pub struct ClockFilter {
    /// running | suspended | completed
    pub state: Option<String>,
    /// Only running clocks that are due soon or overdue on this day.
    pub due_on: Option<NaiveDate>,
    pub rule_code: Option<String>,
}

/// Clocks in scope, nearest deadline first.
pub async fn list(db: &Db, scope: &Scope, f: &ClockFilter, page: PageReq) -> Result<Page<Clock>> {
    let mut q = clock::Entity::find().filter(scope_cond(scope));
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(clock::Column::State.eq(s));
    }
    if let Some(r) = f.rule_code.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(clock::Column::RuleCode.eq(r));
    }
    if let Some(day) = f.due_on {
        q = q
            .filter(clock::Column::State.eq("running"))
            .filter(clock::Column::DueSoonFrom.lte(day));
    }
    let pager = q
        .order_by_asc(clock::Column::CurrentDeadline)
        .order_by_asc(clock::Column::Id)
        .paginate(&db.conn, page.per_page);
    let total = pager.num_items().await?;
    let items = pager.fetch_page(page.page - 1).await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// "My items due soon or overdue": running clocks in scope whose due-soon day
/// has come, nearest deadline first.
pub async fn due(db: &Db, scope: &Scope, today: NaiveDate, limit: u64) -> Result<Vec<Clock>> {
    Ok(clock::Entity::find()
        .filter(scope_cond(scope))
        .filter(clock::Column::State.eq("running"))
        .filter(clock::Column::DueSoonFrom.lte(today))
        .order_by_asc(clock::Column::CurrentDeadline)
        .limit(limit)
        .all(&db.conn)
        .await?)
}

/// Claims a periodic task's time slot. Exactly one caller wins a slot, on
/// either engine, whatever the number of app servers.
pub async fn claim_slot(db: &Db, name: &str, slot: &str, instance: &str) -> Result<bool> {
    let backend = db.backend();
    let r = db
        .conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO scheduler_slots (name, slot, claimed_by, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [name.into(), slot.into(), instance.into(), now().into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub due_soon: u64,
    pub overdue: u64,
}

/// Creates the reminders that are due on `today`: one per clock, threshold and
/// deadline, guaranteed by a unique key, so a repeated or concurrent sweep
/// creates nothing twice. With `lookback_days` only clocks that crossed a
/// threshold within that many days are considered (the frequent incremental
/// sweep, an index range); `None` sweeps every running clock (the daily
/// catch-up after downtime).
pub async fn sweep(
    db: &Db,
    today: NaiveDate,
    instance: &str,
    lookback_days: Option<u32>,
) -> Result<SweepReport> {
    let mut tx = db
        .begin_write(&crate::AuditCtx::system(&format!(
            "reminder-sweep@{instance}"
        )))
        .await?;
    let backend = db.backend();
    let t = now();
    let since = match lookback_days {
        Some(d) => today - chrono::Duration::days(i64::from(d)),
        // Far enough back for any statutory period; NaiveDate::MIN would overflow below.
        None => NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(today),
    };
    let due_soon = tx
        .conn()
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO reminders (clock_id, threshold, deadline, unit_id, created_at, created_by) \
             SELECT id, 'due_soon', current_deadline, unit_id, $1, $2 FROM clocks \
             WHERE state = 'running' AND due_soon_from <= $3 AND due_soon_from >= $4 AND current_deadline >= $3 \
             ON CONFLICT DO NOTHING",
            [t.into(), instance.into(), today.into(), since.into()],
        ))
        .await?
        .rows_affected();
    let overdue = tx
        .conn()
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO reminders (clock_id, threshold, deadline, unit_id, created_at, created_by) \
             SELECT id, 'overdue', current_deadline, unit_id, $1, $2 FROM clocks \
             WHERE state = 'running' AND current_deadline < $3 AND current_deadline >= $4 \
             ON CONFLICT DO NOTHING",
            [t.into(), instance.into(), today.into(), (since - chrono::Duration::days(1)).into()],
        ))
        .await?
        .rows_affected();
    let report = SweepReport { due_soon, overdue };
    if due_soon + overdue == 0 {
        // Nothing changed: nothing to record.
        return Ok(report);
    }
    tx.record(
        "reminder.sweep",
        "reminders",
        today,
        None,
        Some(json(&report)),
    );
    tx.commit().await?;
    Ok(report)
}

/// Recomputes the derived columns of every unfinished clock (after the
/// calendar changed), in batches. Returns how many rows changed. Reads only
/// the columns it needs and parses each distinct rule snapshot once.
pub async fn recompute_all(db: &Db, cal: &WorkCalendar, reason: &str) -> Result<u64> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let mut rules: std::collections::HashMap<String, ClockRule> = std::collections::HashMap::new();
    let mut changed = 0u64;
    let mut after_id = 0i64;
    let mut failures = 0u64;
    loop {
        let batch: Vec<Row> = clock::Entity::find()
            .select_only()
            .column(clock::Column::Id)
            .column(clock::Column::RuleData)
            .column(clock::Column::Events)
            .column(clock::Column::State)
            .column(clock::Column::CurrentDeadline)
            .column(clock::Column::DueSoonFrom)
            .filter(clock::Column::Id.gt(after_id))
            .filter(clock::Column::State.ne("completed"))
            .order_by_asc(clock::Column::Id)
            .limit(10_000)
            .into_tuple()
            .all(&db.conn)
            .await?;
        let Some(last) = batch.last() else { break };
        after_id = last.0;
        let mut updates = Vec::new();
        for (id, rule_data, events, state, current, due_from) in &batch {
            if !rules.contains_key(rule_data) {
                match serde_json::from_str::<ClockRule>(rule_data) {
                    Ok(r) => {
                        rules.insert(rule_data.clone(), r);
                    }
                    Err(_) => {
                        failures += 1;
                        continue;
                    }
                }
            }
            let Some(rule) = rules.get(rule_data) else {
                continue;
            };
            let Ok(events) = serde_json::from_str::<Vec<ClockEvent>>(events) else {
                failures += 1;
                continue;
            };
            match derive(rule, &events, cal) {
                Ok((_, d)) => {
                    if d.current != *current || d.due_soon_from != *due_from || d.state != state {
                        updates.push((*id, d));
                    }
                }
                Err(_) => failures += 1,
            }
        }
        if updates.is_empty() {
            continue;
        }
        let mut tx = db
            .begin_write(&crate::AuditCtx::system("clock-recompute"))
            .await?;
        for (id, d) in &updates {
            clock::Entity::update_many()
                .col_expr(
                    clock::Column::CurrentDeadline,
                    sea_orm::sea_query::Expr::value(d.current),
                )
                .col_expr(
                    clock::Column::DueSoonFrom,
                    sea_orm::sea_query::Expr::value(d.due_soon_from),
                )
                .col_expr(
                    clock::Column::State,
                    sea_orm::sea_query::Expr::value(d.state),
                )
                .filter(clock::Column::Id.eq(*id))
                .exec(tx.conn())
                .await?;
        }
        tx.record(
            "clock.recompute",
            "clocks",
            format!("{}..{}", updates[0].0, after_id),
            None,
            Some(serde_json::json!({"changed": updates.len(), "reason": reason})),
        );
        tx.commit().await?;
        changed += updates.len() as u64;
    }
    if failures > 0 {
        tracing::warn!(
            failures,
            "clocks that could not be recomputed (missing calendar year?)"
        );
    }
    Ok(changed)
}

/// Reminders in scope, newest first.
pub async fn reminders(
    db: &Db,
    scope: &Scope,
    limit: u64,
) -> Result<Vec<crate::entity::reminder::Model>> {
    use crate::entity::reminder;
    let mut q = reminder::Entity::find();
    if let Scope::Limited { unit_ids, .. } = scope {
        q = q.filter(reminder::Column::UnitId.is_in(unit_ids.iter().copied()));
    }
    Ok(q.order_by_desc(reminder::Column::Id)
        .limit(limit)
        .all(&db.conn)
        .await?)
}

pub async fn count(db: &Db) -> Result<u64> {
    Ok(clock::Entity::find().count(&db.conn).await?)
}

/// Raw access for benchmarks and bulk generation.
pub async fn exec_raw<C: ConnectionTrait>(conn: &C, sql: &str) -> Result<()> {
    conn.execute_unprepared(sql).await?;
    Ok(())
}
