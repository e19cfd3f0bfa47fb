//! `/api/v1/audit-events`: the whole-process record, for the audit administrator.

use axum::{
    Json,
    extract::{Query, State},
};
use chrono::{DateTime, Utc};
use domain::{Permission, audit::ChainBreak};
use serde::{Deserialize, Serialize};
use storage::repo::{
    PageReq,
    audit::{self, AuditEvent},
};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::PageDto;
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    forms::AuditQuery,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(verify))
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventDto {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub actor_unit_id: Option<i64>,
    /// Role codes of the actor, comma-separated.
    pub actor_role: String,
    /// e.g. staff.update, role.assign, auth.login
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// Snapshot before the change.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// Snapshot after the change.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: String,
    pub client_ip: String,
    pub prev_hash: String,
    pub hash: String,
}

fn parse_json(s: Option<String>) -> Option<serde_json::Value> {
    s.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        AuditEventDto {
            id: e.id,
            occurred_at: e.occurred_at,
            actor_user_id: e.actor_user_id,
            actor_name: e.actor_name,
            actor_unit_id: e.actor_unit_id,
            actor_role: e.actor_role,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            before: parse_json(e.before_data),
            after: parse_json(e.after_data),
            request_id: e.request_id,
            client_ip: e.client_ip,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// Action prefix, e.g. `role.` or `staff.update`.
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Actor user id.
    pub actor: Option<String>,
    /// First day, YYYY-MM-DD, Beijing time.
    pub from: Option<String>,
    /// Last day (included), YYYY-MM-DD, Beijing time.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VerifyDto {
    /// Whether every event's link and content check out.
    pub intact: bool,
    /// Events verified before the first break (all of them when intact).
    pub checked: u64,
    /// The first broken event.
    pub broken_id: Option<i64>,
    /// `link` (an event was removed or inserted before it) or `content` (it was changed).
    pub break_kind: Option<String>,
}

/// Audit events, newest first.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditParams),
    responses((status = 200, body = PageDto<AuditEventDto>), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(p): Query<AuditParams>,
) -> AppResult<Json<PageDto<AuditEventDto>>> {
    a.actor.scope(Permission::AuditRead)?;
    let q = AuditQuery {
        action: p.action.unwrap_or_default(),
        entity_type: p.entity_type.unwrap_or_default(),
        entity_id: p.entity_id.unwrap_or_default(),
        actor: p.actor.unwrap_or_default(),
        from: p.from.unwrap_or_default(),
        to: p.to.unwrap_or_default(),
        page: p.page,
        per_page: p.per_page,
    };
    let f = q.parse().map_err(AppError::Invalid)?;
    Ok(Json(PageDto::from(
        audit::list(&state.db, &f, PageReq::new(q.page, q.per_page)).await?,
        AuditEventDto::from,
    )))
}

/// Recompute the hash chain over all events and report the first break.
#[utoipa::path(get, path = "/api/v1/audit-events/verify", tag = "audit",
    responses((status = 200, body = VerifyDto), (status = 403, body = super::ErrorBody)))]
async fn verify(State(state): State<AppState>, a: Authed) -> AppResult<Json<VerifyDto>> {
    a.actor.scope(Permission::AuditRead)?;
    let r = audit::verify(&state.db).await?;
    let (broken_id, break_kind) = match r.broken {
        None => (None, None),
        Some(ChainBreak::Link { id }) => (Some(id), Some("link".to_string())),
        Some(ChainBreak::Content { id }) => (Some(id), Some("content".to_string())),
    };
    Ok(Json(VerifyDto {
        intact: broken_id.is_none(),
        checked: r.checked,
        broken_id,
        break_kind,
    }))
}
