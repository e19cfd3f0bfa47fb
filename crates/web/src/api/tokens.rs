//! `/api/v1/tokens`: the caller's personal API tokens.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storage::repo::auth::{self, TokenInfo};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::JsonBody;
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    forms::TokenForm,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenInfo> for TokenDto {
    fn from(t: TokenInfo) -> Self {
        TokenDto {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    /// What the token is for (1–50 characters).
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenDto {
    /// The secret: send as `Authorization: Bearer …`. Shown only this once.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenDto,
}

/// The caller's tokens, newest first (secrets are never shown again).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenDto>), (status = 401, body = super::ErrorBody)))]
async fn list(State(state): State<AppState>, a: Authed) -> AppResult<Json<Vec<TokenDto>>> {
    Ok(Json(
        auth::list_tokens(&state.db, a.actor.user_id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Create a personal API token for the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewTokenBody,
    responses((status = 201, body = NewTokenDto), (status = 422, body = super::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<NewTokenDto>)> {
    let b: NewTokenBody = body.parse()?;
    let name = TokenForm { name: b.name }
        .parse()
        .map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let (token, info) = auth::create_token(&mut tx, a.actor.user_id, &name).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenDto {
            token,
            info: info.into(),
        }),
    ))
}

/// Revoke one of the caller's tokens (409 when already revoked).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    auth::revoke_token(&mut tx, a.actor.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
