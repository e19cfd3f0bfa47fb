//! Statutory clocks (期限管理): list, start, detail with timeline, and the
//! events that move a deadline (中止, 恢复, 延期, 办结).

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use chrono::NaiveDate;
use domain::{
    FieldErrors, Permission,
    clock::{ClockEvent, ClockRule},
};
use serde::Deserialize;
use storage::repo::{
    PageReq, audit, calendar,
    clocks::{self, Clock, ClockDetail, ClockFilter, NewClock},
    units,
};

use super::{Errs, Form, Layout, redirect_ok, render, render_status};
use crate::{AppState, ctx::Authed, error::AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clocks", get(list).post(create))
        .route("/clocks/new", get(new_form))
        .route("/clocks/{id}", get(detail))
        .route("/clocks/{id}/events", post(add_event))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClockQuery {
    page: Option<u64>,
    state: Option<String>,
    due: Option<String>,
    rule: Option<String>,
    ok: Option<String>,
}

/// A clock row with its status for today.
pub struct Row {
    pub c: Clock,
    pub status: &'static str,
    pub rule_name: String,
}

/// Status of a stored clock on `today` from its derived columns (the same
/// rule as `ClockState::reading`, without replaying the history).
pub fn status_of(c: &Clock, today: NaiveDate) -> &'static str {
    match (c.state.as_str(), c.current_deadline, c.due_soon_from) {
        ("completed", ..) => "completed",
        ("suspended", ..) => "suspended",
        (_, Some(d), _) if today > d => "overdue",
        (_, _, Some(f)) if today >= f => "due_soon",
        _ => "on_time",
    }
}

fn rule_name(state: &AppState, code: &str) -> String {
    state
        .rules
        .get(code)
        .map(|r| r.name_zh.clone())
        .unwrap_or_else(|| code.to_string())
}

#[derive(Template)]
#[template(path = "pages/clocks.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    base: String,
    q_state: String,
    q_due: bool,
    can_write: bool,
}

async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<ClockQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::ClockRead)?;
    let today = storage::today();
    let due = q.due.as_deref() == Some("1");
    let f = ClockFilter {
        state: q.state.clone(),
        due_on: due.then_some(today),
        rule_code: q.rule.clone(),
    };
    let p = clocks::list(&state.db, &scope, &f, PageReq::new(q.page, None)).await?;
    let mut base = form_urlencoded::Serializer::new(String::new());
    if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
        base.append_pair("state", s);
    }
    if due {
        base.append_pair("due", "1");
    }
    let rows = p
        .items
        .into_iter()
        .map(|c| Row {
            status: status_of(&c, today),
            rule_name: rule_name(&state, &c.rule_code),
            c,
        })
        .collect();
    Ok(render(&ListPage {
        l: Layout::new(&state, &a.ctx, "clocks", "nav.clocks").with_flash(q.ok.as_deref()),
        rows,
        total: p.total,
        page: p.page,
        pages: p.total.div_ceil(p.per_page).max(1),
        base: base.finish(),
        q_state: q.state.unwrap_or_default(),
        q_due: due,
        can_write: a.actor.can(Permission::ClockWrite),
    }))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewForm {
    rule: String,
    item_type: String,
    item_id: String,
    title: String,
    unit_id: String,
    started_on: String,
}

#[derive(Template)]
#[template(path = "pages/clock_form.html")]
struct FormPage {
    l: Layout,
    f: NewForm,
    errs: Errs,
    rules: Vec<ClockRule>,
    units: Vec<units::Unit>,
}

async fn form_page(
    state: &AppState,
    a: &Authed,
    f: NewForm,
    errs: Errs,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::ClockWrite)?;
    let unit_list = units::all(&state.db, &scope).await?;
    let page = FormPage {
        l: Layout::new(state, &a.ctx, "clocks", "clocks.new"),
        f,
        errs,
        rules: state.rules.iter().cloned().collect(),
        units: unit_list,
    };
    Ok(render_status(status, &page))
}

async fn new_form(State(state): State<AppState>, a: Authed) -> AppResult<Response> {
    a.actor.scope(Permission::ClockWrite)?;
    let f = NewForm {
        started_on: storage::today().to_string(),
        unit_id: a.actor.unit_id.to_string(),
        item_type: "task".into(),
        ..Default::default()
    };
    form_page(&state, &a, f, Errs::default(), StatusCode::OK).await
}

/// Parses the start form into a new clock, or field errors.
fn parse_new(state: &AppState, a: &Authed, f: &NewForm) -> Result<NewClock, FieldErrors> {
    let mut e = FieldErrors::default();
    let rule = state.rules.get(f.rule.trim()).cloned();
    if rule.is_none() {
        e.add("rule", "err.choose");
    }
    let item_type = domain::validate::required_text(&mut e, "item_type", &f.item_type, 40);
    let item_id = domain::validate::required_text(&mut e, "item_id", &f.item_id, 80);
    let title = domain::validate::required_text(&mut e, "title", &f.title, 200);
    let unit_id = f.unit_id.trim().parse::<i64>().ok();
    if unit_id.is_none() {
        e.add("unit_id", "err.choose");
    }
    let started_on = domain::validate::date(&mut e, "started_on", &f.started_on);
    match (rule, unit_id, started_on) {
        (Some(rule), Some(unit_id), Some(started_on)) if e.is_empty() => Ok(NewClock {
            item_type,
            item_id,
            title,
            rule,
            unit_id,
            owner_user_id: Some(a.actor.user_id),
            started_on,
        }),
        _ => Err(e),
    }
}

async fn create(
    State(state): State<AppState>,
    a: Authed,
    Form(f): Form<NewForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::ClockWrite)?;
    let n = match parse_new(&state, &a, &f) {
        Ok(n) => n,
        Err(e) => {
            return form_page(
                &state,
                &a,
                f,
                Errs::from(a.ctx.tr(), &e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let cal = calendar::load(&state.db).await?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match clocks::start(&mut tx, &scope, &cal, &n).await {
        Ok(c) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/clocks/{}", c.id), "ok.created"))
        }
        Err(storage::StorageError::Invalid(e)) => {
            form_page(
                &state,
                &a,
                f,
                Errs::from(a.ctx.tr(), &e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            // Calendar and rule refusals are shown on the form, in words.
            let msg = match &e {
                storage::StorageError::Clock(c) => Some(c.zh()),
                storage::StorageError::Calendar(c) => Some(c.zh()),
                _ => None,
            };
            match msg {
                Some(m) => {
                    let errs = Errs(vec![("started_on".into(), m)]);
                    form_page(&state, &a, f, errs, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                None => Err(e.into()),
            }
        }
    }
}

/// One line of a clock's timeline.
pub struct TimelineRow {
    pub on: String,
    pub what: String,
    pub detail: String,
    pub who: String,
    pub when: String,
    pub deadline: String,
}

#[derive(Template)]
#[template(path = "pages/clock_detail.html")]
struct DetailPage {
    l: Layout,
    d: ClockDetail,
    status: &'static str,
    unit_name: String,
    timeline: Vec<TimelineRow>,
    error: String,
    can_write: bool,
    can_extend: bool,
    today: String,
}

fn describe(tr: crate::i18n::Tr, e: &ClockEvent) -> (String, String) {
    match e {
        ClockEvent::Started { .. } => (tr.t("clocks.ev_started").into(), String::new()),
        ClockEvent::Suspended { reason, .. } => {
            (tr.t("clocks.ev_suspended").into(), reason.clone())
        }
        ClockEvent::Resumed { .. } => (tr.t("clocks.ev_resumed").into(), String::new()),
        ClockEvent::Extended {
            by,
            approved_by,
            reason,
            ..
        } => (
            tr.t("clocks.ev_extended").into(),
            format!(
                "+{by} · {} {approved_by} · {reason}",
                tr.t("clocks.approved_by")
            ),
        ),
        ClockEvent::Completed { .. } => (tr.t("clocks.ev_completed").into(), String::new()),
    }
}

async fn detail_page(
    state: &AppState,
    a: &Authed,
    id: i64,
    error: String,
    flash: Option<&str>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::ClockRead)?;
    let cal = calendar::load(&state.db).await?;
    let today = storage::today();
    let d = clocks::get(&state.db, &scope, &cal, id, today).await?;
    let unit_name = units::get(&state.db, &domain::Scope::All, d.clock.unit_id)
        .await
        .map(|u| u.name)
        .unwrap_or_default();
    // Who did what: the audit events of this clock, in order, one per event.
    let history = audit::for_entity(&state.db, "clock", &id.to_string()).await?;
    let tr = a.ctx.tr();
    let mut l = Layout::new(state, &a.ctx, "clocks", "nav.clocks").with_flash(flash);
    let timeline = d
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (what, detail) = describe(tr, e);
            let h = history.get(i);
            let deadline = if i == 0 {
                d.state.original_deadline.to_string()
            } else {
                d.state
                    .changes
                    .iter()
                    .find(|c| c.event_index == i)
                    .map(|c| format!("{} → {}", c.old, c.new))
                    .unwrap_or_default()
            };
            TimelineRow {
                on: e.date().to_string(),
                what,
                detail,
                who: h.map(|h| h.actor_name.clone()).unwrap_or_default(),
                when: h.map(|h| l.fmt_time(&h.occurred_at)).unwrap_or_default(),
                deadline,
            }
        })
        .collect();
    l.title = d.clock.title.clone();
    let status = status_of(&d.clock, today);
    let page = DetailPage {
        l,
        status,
        unit_name,
        timeline,
        error: error.clone(),
        can_write: a.actor.can(Permission::ClockWrite) && d.clock.state != "completed",
        can_extend: a.actor.can(Permission::MajorDecision)
            && d.rule.max_extension.is_some()
            && d.clock.state == "running",
        today: today.to_string(),
        d,
    };
    let code = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(code, &page))
}

async fn detail(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ClockQuery>,
) -> AppResult<Response> {
    detail_page(&state, &a, id, String::new(), q.ok.as_deref()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EventForm {
    kind: String,
    on: String,
    reason: String,
    by: String,
}

async fn add_event(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<EventForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::ClockWrite)?;
    let tr = a.ctx.tr();
    let Ok(on) = NaiveDate::parse_from_str(f.on.trim(), "%Y-%m-%d") else {
        return detail_page(&state, &a, id, tr.t("err.date").into(), None).await;
    };
    let reason = f.reason.trim().to_string();
    let event = match f.kind.as_str() {
        "suspend" if reason.is_empty() => {
            return detail_page(&state, &a, id, tr.t("clocks.reason_required").into(), None).await;
        }
        "suspend" => ClockEvent::Suspended { on, reason },
        "resume" => ClockEvent::Resumed { on },
        "complete" => ClockEvent::Completed { on },
        "extend" => {
            // 延期 needs the approval of the responsible head (条例 第十七条):
            // only a holder of MajorDecision records it, as the approver.
            a.actor.scope(Permission::MajorDecision)?;
            let Ok(by) = f.by.trim().parse::<u32>() else {
                return detail_page(&state, &a, id, tr.t("err.number").into(), None).await;
            };
            ClockEvent::Extended {
                on,
                by,
                approved_by: a.actor.display_name.clone(),
                reason,
            }
        }
        _ => return Err(crate::error::AppError::BadRequest("error.bad_form".into())),
    };
    let cal = calendar::load(&state.db).await?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match clocks::add_event(&mut tx, &scope, &cal, id, event).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/clocks/{id}"), "ok.saved"))
        }
        Err(storage::StorageError::Clock(e)) => {
            let msg = if a.ctx.locale == crate::i18n::Locale::En {
                e.to_string()
            } else {
                e.zh()
            };
            detail_page(&state, &a, id, msg, None).await
        }
        Err(e) => Err(e.into()),
    }
}

impl FormPage {
    fn kind_code(&self, r: &ClockRule) -> &'static str {
        day_kind_code(r.day_kind)
    }
}

fn day_kind_code(k: domain::clock::DayKind) -> &'static str {
    match k {
        domain::clock::DayKind::Working => "working",
        domain::clock::DayKind::Calendar => "calendar",
        domain::clock::DayKind::Months => "months",
    }
}

impl DetailPage {
    fn day_kind(&self) -> &'static str {
        day_kind_code(self.d.rule.day_kind)
    }
    fn unit_code(&self) -> &'static str {
        match self.d.reading.unit {
            domain::clock::CountUnit::WorkingDays => "working_days",
            domain::clock::CountUnit::CalendarDays => "calendar_days",
        }
    }
}
