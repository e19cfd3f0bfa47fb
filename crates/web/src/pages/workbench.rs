//! The workbench: what the user has to do, at a glance.

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    response::Response,
    routing::get,
};
use domain::Permission;
use storage::repo::{PageReq, staff, units};

use super::{Layout, render};
use crate::{AppState, ctx::Authed, error::AppResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/workbench", get(workbench))
}

#[derive(Template)]
#[template(path = "pages/workbench.html")]
struct Workbench {
    l: Layout,
    unit_count: Option<u64>,
    staff_count: Option<u64>,
    uncertified: Option<u64>,
    due: Option<Vec<DueRow>>,
    /// Set in November and December when next year's holiday schedule is missing.
    missing_year: Option<i32>,
}

/// A due-soon or overdue clock on the workbench.
struct DueRow {
    id: i64,
    title: String,
    rule_name: String,
    legal_basis: String,
    deadline: String,
    days_left: i64,
    unit: &'static str,
    overdue: bool,
}

async fn workbench(State(state): State<AppState>, a: Authed) -> AppResult<Response> {
    let unit_count = match a.actor.scope(Permission::UnitRead) {
        Ok(s) => Some(
            units::list(
                &state.db,
                &s,
                &Default::default(),
                PageReq::new(Some(1), Some(1)),
            )
            .await?
            .total,
        ),
        Err(_) => None,
    };
    let (staff_count, uncertified) = match a.actor.scope(Permission::StaffRead) {
        Ok(s) => {
            let today = storage::now().date_naive();
            let all = staff::list(
                &state.db,
                &s,
                &Default::default(),
                PageReq::new(Some(1), Some(200)),
                today,
            )
            .await?;
            let unc = all.items.iter().filter(|r| !r.certified).count() as u64;
            (Some(all.total), Some(unc))
        }
        Err(_) => (None, None),
    };
    let due = match a.actor.scope(Permission::ClockRead) {
        Ok(scope) => Some(due_rows(&state, &scope).await?),
        Err(_) => None,
    };
    Ok(render(&Workbench {
        l: Layout::new(&state, &a.ctx, "workbench", "nav.workbench"),
        unit_count,
        staff_count,
        uncertified,
        due,
        missing_year: missing_next_year(&state, &a).await?,
    }))
}

/// Next year's schedule is published by the State Council around November;
/// until it is imported, deadlines reaching into that year are refused.
async fn missing_next_year(state: &AppState, a: &Authed) -> AppResult<Option<i32>> {
    use chrono::Datelike;
    if !(a.actor.can(Permission::ClockWrite) || a.actor.can(Permission::CalendarAdmin)) {
        return Ok(None);
    }
    let today = storage::today();
    if today.month() < 11 {
        return Ok(None);
    }
    let cal = storage::repo::calendar::load(&state.db).await?;
    let next = today.year() + 1;
    Ok((!cal.covers(next)).then_some(next))
}

/// The user's due-soon and overdue clocks, with days left in each clock's own unit.
async fn due_rows(state: &AppState, scope: &domain::Scope) -> AppResult<Vec<DueRow>> {
    let today = storage::today();
    let rows = storage::repo::clocks::due(&state.db, scope, today, 20).await?;
    let cal = storage::repo::calendar::load(&state.db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let Ok(d) = storage::repo::clocks::detail(c.clone(), &cal, today) else {
            continue;
        };
        out.push(DueRow {
            id: c.id,
            title: c.title.clone(),
            rule_name: d.rule.name_zh.clone(),
            legal_basis: d.rule.legal_basis.clone(),
            deadline: c
                .current_deadline
                .map(|x| x.to_string())
                .unwrap_or_default(),
            days_left: d.reading.days_left.unwrap_or(0),
            unit: match d.reading.unit {
                domain::clock::CountUnit::WorkingDays => "working_days",
                domain::clock::CountUnit::CalendarDays => "calendar_days",
            },
            overdue: c.current_deadline.is_some_and(|x| today > x),
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "pages/module.html")]
struct Module {
    l: Layout,
    key: String,
}

/// A module that a later release brings.
pub async fn module_placeholder(
    State(state): State<AppState>,
    a: Authed,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(30)
        .collect();
    let mut l = Layout::new(&state, &a.ctx, &key, "nav.soon");
    l.title = a.ctx.tr().label("nav", &key);
    Ok(render(&Module { l, key }))
}
