//! Token login for machine clients, logout, and who-am-I.

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use storage::repo::auth::{self, LoginOutcome};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::JsonBody;
use crate::{
    AppState,
    ctx::{Authed, ReqCtx},
    error::{AppError, AppResult},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token; send as `Authorization: Bearer …`. Revoke with `POST /api/v1/auth/logout`.
    pub token: String,
}

/// Log in with username and password; returns a personal API token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()),
    responses((status = 200, body = LoginResponse), (status = 401, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ctx: ReqCtx,
    body: JsonBody,
) -> AppResult<Json<LoginResponse>> {
    let req: LoginRequest = body.parse()?;
    match auth::login(
        &state.db,
        &ctx.audit(),
        &req.username,
        &req.password,
        &state.cfg.auth,
    )
    .await?
    {
        LoginOutcome::Ok { user_id } => {
            let mut audit = ctx.audit();
            audit.actor_user_id = Some(user_id);
            audit.actor_name = req.username.trim().to_ascii_lowercase();
            let mut tx = state.db.begin_write(&audit).await?;
            let (token, _) = auth::create_token(&mut tx, user_id, "api-login").await?;
            tx.commit().await?;
            Ok(Json(LoginResponse { token }))
        }
        LoginOutcome::BadCredentials | LoginOutcome::Disabled => Err(AppError::Unauthorized),
        LoginOutcome::Locked { .. } => Err(AppError::TooManyRequests),
    }
}

/// Revoke the token this request carries.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = super::ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    a: Authed,
    headers: axum::http::HeaderMap,
) -> AppResult<axum::http::StatusCode> {
    let tok = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::BadRequest("error.bearer_required".into()))?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    auth::revoke_token_by_secret(&mut tx, a.actor.user_id, tok).await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub roles: Vec<String>,
    /// Permission codes granted by the roles.
    pub permissions: Vec<String>,
}

/// The authenticated user, their roles and permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = MeResponse), (status = 401, body = super::ErrorBody)))]
async fn me(a: Authed) -> Json<MeResponse> {
    let mut perms: Vec<String> = domain::Permission::ALL
        .iter()
        .filter(|p| a.actor.can(**p))
        .map(|p| p.code().to_string())
        .collect();
    perms.sort();
    Json(MeResponse {
        user_id: a.actor.user_id,
        username: a.actor.username.clone(),
        display_name: a.actor.display_name.clone(),
        unit_id: a.actor.unit_id,
        unit_name: a.actor.unit_name.clone(),
        roles: a
            .actor
            .roles()
            .iter()
            .map(|r| r.code().to_string())
            .collect(),
        permissions: perms,
    })
}
