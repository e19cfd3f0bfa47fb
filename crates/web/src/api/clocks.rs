//! `/api/v1/clock-rules`, `/api/v1/clocks`, `/api/v1/reminders`

use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::NaiveDate;
use domain::{Permission, clock::ClockEvent};
use serde::{Deserialize, Serialize};
use storage::repo::{
    calendar,
    clocks::{self, Clock, ClockFilter, NewClock},
};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{JsonBody, PageDto};
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    pages::clocks::status_of,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rules))
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(add_event))
        .routes(routes!(reminders))
}

#[derive(Serialize, ToSchema)]
pub struct RuleDto {
    pub code: String,
    pub name_zh: String,
    pub period: u32,
    /// working | calendar | months
    pub day_kind: String,
    pub legal_basis: String,
    pub max_extension: Option<u32>,
    pub due_soon_workdays: u32,
    /// The day kind or period awaits the bureau's confirmation (configurable).
    pub uncertain: bool,
}

/// The statutory clock rules in force, with their legal basis.
#[utoipa::path(get, path = "/api/v1/clock-rules", tag = "clocks", responses((status = 200, body = Vec<RuleDto>)))]
async fn rules(State(state): State<AppState>, _a: Authed) -> Json<Vec<RuleDto>> {
    Json(
        state
            .rules
            .iter()
            .map(|r| RuleDto {
                code: r.code.clone(),
                name_zh: r.name_zh.clone(),
                period: r.period,
                day_kind: serde_json::to_value(r.day_kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                legal_basis: r.legal_basis.clone(),
                max_extension: r.max_extension,
                due_soon_workdays: r.due_soon_workdays,
                uncertain: r.uncertain,
            })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct ClockDto {
    pub id: i64,
    pub item_type: String,
    pub item_id: String,
    pub title: String,
    pub rule_code: String,
    pub unit_id: i64,
    /// running | suspended | completed
    pub state: String,
    /// on_time | due_soon | overdue | suspended | completed (today, Beijing time)
    pub status: String,
    pub started_on: NaiveDate,
    pub original_deadline: NaiveDate,
    pub current_deadline: Option<NaiveDate>,
    pub due_soon_from: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
}

impl ClockDto {
    pub fn from(c: Clock, today: NaiveDate) -> Self {
        ClockDto {
            status: status_of(&c, today).to_string(),
            id: c.id,
            item_type: c.item_type,
            item_id: c.item_id,
            title: c.title,
            rule_code: c.rule_code,
            unit_id: c.unit_id,
            state: c.state,
            started_on: c.started_on,
            original_deadline: c.original_deadline,
            current_deadline: c.current_deadline,
            due_soon_from: c.due_soon_from,
            completed_on: c.completed_on,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ClockParams {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// running | suspended | completed
    pub state: Option<String>,
    /// Only clocks due soon or overdue today.
    pub due: Option<bool>,
    pub rule: Option<String>,
}

/// Clocks in the caller's scope, nearest deadline first.
#[utoipa::path(get, path = "/api/v1/clocks", tag = "clocks", params(ClockParams),
    responses((status = 200, body = PageDto<ClockDto>), (status = 403, body = super::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(p): Query<ClockParams>,
) -> AppResult<Json<PageDto<ClockDto>>> {
    let scope = a.actor.scope(Permission::ClockRead)?;
    let today = storage::today();
    let f = ClockFilter {
        state: p.state.clone(),
        due_on: p.due.unwrap_or(false).then_some(today),
        rule_code: p.rule.clone(),
    };
    let page = clocks::list(
        &state.db,
        &scope,
        &f,
        storage::repo::PageReq::new(p.page, p.per_page),
    )
    .await?;
    Ok(Json(PageDto::from(page, |c| ClockDto::from(c, today))))
}

#[derive(Deserialize, ToSchema)]
pub struct NewClockBody {
    /// A rule code from `/api/v1/clock-rules`.
    pub rule: String,
    pub item_type: String,
    pub item_id: String,
    pub title: String,
    pub unit_id: i64,
    /// The starting event's date (收到, 立案, 送达, 决定 …), YYYY-MM-DD.
    pub started_on: NaiveDate,
}

/// Start a clock on an item.
#[utoipa::path(post, path = "/api/v1/clocks", tag = "clocks", request_body = NewClockBody,
    responses((status = 201, body = ClockDto), (status = 422, body = super::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<ClockDto>)> {
    let scope = a.actor.scope(Permission::ClockWrite)?;
    let b: NewClockBody = body.parse()?;
    let mut errs = domain::FieldErrors::default();
    let rule = state.rules.get(&b.rule).cloned();
    if rule.is_none() {
        errs.add("rule", "err.choose");
    }
    let item_type = domain::validate::required_text(&mut errs, "item_type", &b.item_type, 40);
    let item_id = domain::validate::required_text(&mut errs, "item_id", &b.item_id, 80);
    let title = domain::validate::required_text(&mut errs, "title", &b.title, 200);
    let Some(rule) = rule.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let n = NewClock {
        item_type,
        item_id,
        title,
        rule,
        unit_id: b.unit_id,
        owner_user_id: Some(a.actor.user_id),
        started_on: b.started_on,
    };
    let cal = calendar::load(&state.db).await?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let c = clocks::start(&mut tx, &scope, &cal, &n).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(ClockDto::from(c, storage::today())),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub index: usize,
    /// The event as recorded: {"event": "started|suspended|resumed|extended|completed", "on": …, …}
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
    pub deadline_before: Option<NaiveDate>,
    pub deadline_after: Option<NaiveDate>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ClockDetailDto {
    pub clock: ClockDto,
    pub rule: RuleDto,
    /// Days left today in the rule's own unit (working_days or calendar_days).
    pub days_left: Option<i64>,
    pub unit: String,
    pub extended_by: u32,
    pub timeline: Vec<TimelineEntry>,
}

/// One clock with its rule, legal basis and timeline (original deadline, each change with who and why, current deadline).
#[utoipa::path(get, path = "/api/v1/clocks/{id}", tag = "clocks",
    responses((status = 200, body = ClockDetailDto), (status = 404, body = super::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<ClockDetailDto>> {
    let scope = a.actor.scope(Permission::ClockRead)?;
    let cal = calendar::load(&state.db).await?;
    let today = storage::today();
    let d = clocks::get(&state.db, &scope, &cal, id, today).await?;
    let history = storage::repo::audit::for_entity(&state.db, "clock", &id.to_string()).await?;
    let timeline = d
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let change = d.state.changes.iter().find(|c| c.event_index == i);
            TimelineEntry {
                index: i,
                event: serde_json::to_value(e).unwrap_or_default(),
                deadline_before: if i == 0 { None } else { change.map(|c| c.old) },
                deadline_after: if i == 0 {
                    Some(d.state.original_deadline)
                } else {
                    change.map(|c| c.new)
                },
                recorded_by: history.get(i).map(|h| h.actor_name.clone()),
                recorded_at: history.get(i).map(|h| h.occurred_at),
            }
        })
        .collect();
    let r = &d.rule;
    let rule = RuleDto {
        code: r.code.clone(),
        name_zh: r.name_zh.clone(),
        period: r.period,
        day_kind: serde_json::to_value(r.day_kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        legal_basis: r.legal_basis.clone(),
        max_extension: r.max_extension,
        due_soon_workdays: r.due_soon_workdays,
        uncertain: r.uncertain,
    };
    let unit = serde_json::to_value(d.reading.unit)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Ok(Json(ClockDetailDto {
        days_left: d.reading.days_left,
        unit,
        extended_by: d.state.extended_by,
        timeline,
        rule,
        clock: ClockDto::from(d.clock, today),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventBody {
    Suspended {
        on: NaiveDate,
        reason: String,
    },
    Resumed {
        on: NaiveDate,
    },
    /// Needs `major_decision` (the approving head records it).
    Extended {
        on: NaiveDate,
        by: u32,
        reason: String,
    },
    Completed {
        on: NaiveDate,
    },
}

/// Record an event on a clock: suspend (中止), resume (恢复), extend (延期, bureau or brigade head), complete (办结).
#[utoipa::path(post, path = "/api/v1/clocks/{id}/events", tag = "clocks", request_body = EventBody,
    responses((status = 200, body = ClockDto), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn add_event(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<Json<ClockDto>> {
    let scope = a.actor.scope(Permission::ClockWrite)?;
    let b: EventBody = body.parse()?;
    let event = match b {
        EventBody::Suspended { reason, .. } if reason.trim().is_empty() => {
            let mut e = domain::FieldErrors::default();
            e.add("reason", "err.required");
            return Err(AppError::Invalid(e));
        }
        EventBody::Suspended { on, reason } => ClockEvent::Suspended { on, reason },
        EventBody::Resumed { on } => ClockEvent::Resumed { on },
        EventBody::Extended { on, by, reason } => {
            a.actor.scope(Permission::MajorDecision)?;
            ClockEvent::Extended {
                on,
                by,
                approved_by: a.actor.display_name.clone(),
                reason,
            }
        }
        EventBody::Completed { on } => ClockEvent::Completed { on },
    };
    let cal = calendar::load(&state.db).await?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let c = clocks::add_event(&mut tx, &scope, &cal, id, event).await?;
    tx.commit().await?;
    Ok(Json(ClockDto::from(c, storage::today())))
}

#[derive(Serialize, ToSchema)]
pub struct ReminderDto {
    pub id: i64,
    pub clock_id: i64,
    /// due_soon | overdue
    pub threshold: String,
    pub deadline: NaiveDate,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Reminders in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/reminders", tag = "clocks", responses((status = 200, body = Vec<ReminderDto>)))]
async fn reminders(State(state): State<AppState>, a: Authed) -> AppResult<Json<Vec<ReminderDto>>> {
    let scope = a.actor.scope(Permission::ClockRead)?;
    let list = clocks::reminders(&state.db, &scope, 200).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| ReminderDto {
                id: r.id,
                clock_id: r.clock_id,
                threshold: r.threshold,
                deadline: r.deadline,
                created_at: r.created_at,
            })
            .collect(),
    ))
}
