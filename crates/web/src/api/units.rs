//! `/api/v1/units`

use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use domain::{Permission, org::UnitForm};
use serde::{Deserialize, Serialize};
use storage::repo::units::{self, Unit, UnitFilter};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{JsonBody, PageDto, PageParams};
use crate::{AppState, ctx::Authed, error::AppResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
}

#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    /// city_bureau, district_bureau, legal_office, business_department, discipline_office, inspection_brigade, delegated_body, supervised_body, other
    pub kind: String,
    pub sort_order: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Unit> for UnitDto {
    fn from(u: Unit) -> Self {
        UnitDto {
            id: u.id,
            parent_id: u.parent_id,
            code: u.code,
            name: u.name,
            short_name: u.short_name,
            kind: u.kind,
            sort_order: u.sort_order,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct UnitBody {
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub sort_order: i32,
}

impl UnitBody {
    fn form(&self) -> UnitForm {
        UnitForm {
            parent_id: self.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            code: self.code.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone().unwrap_or_default(),
            kind: self.kind.clone(),
            sort_order: self.sort_order.to_string(),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct UnitParams {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<i64>,
}

/// List org units in the caller's scope.
#[utoipa::path(get, path = "/api/v1/units", tag = "organisation", params(UnitParams),
    responses((status = 200, body = PageDto<UnitDto>), (status = 403, body = super::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(p): Query<UnitParams>,
) -> AppResult<Json<PageDto<UnitDto>>> {
    let scope = a.actor.scope(Permission::UnitRead)?;
    let f = UnitFilter {
        q: p.q.clone(),
        kind: p.kind.clone(),
        parent_id: p.parent_id,
    };
    let page = PageParams {
        page: p.page,
        per_page: p.per_page,
        q: None,
    }
    .req();
    Ok(Json(PageDto::from(
        units::list(&state.db, &scope, &f, page).await?,
        UnitDto::from,
    )))
}

/// Create an org unit.
#[utoipa::path(post, path = "/api/v1/units", tag = "organisation", request_body = UnitBody,
    responses((status = 201, body = UnitDto), (status = 422, body = super::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<UnitDto>)> {
    a.actor.scope(Permission::UnitWrite)?;
    let b: UnitBody = body.parse()?;
    let input = b.form().parse().map_err(crate::error::AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let u = units::create(&mut tx, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

/// One org unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "organisation",
    responses((status = 200, body = UnitDto), (status = 404, body = super::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<UnitDto>> {
    let scope = a.actor.scope(Permission::UnitRead)?;
    Ok(Json(units::get(&state.db, &scope, id).await?.into()))
}

/// Replace an org unit's fields.
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "organisation", request_body = UnitBody,
    responses((status = 200, body = UnitDto), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<Json<UnitDto>> {
    let scope = a.actor.scope(Permission::UnitWrite)?;
    let b: UnitBody = body.parse()?;
    let input = b.form().parse().map_err(crate::error::AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let u = units::update(&mut tx, &scope, id, &input).await?;
    tx.commit().await?;
    Ok(Json(u.into()))
}

/// Delete an org unit that has no sub-units, staff or accounts (409 otherwise).
#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "organisation",
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let scope = a.actor.scope(Permission::UnitWrite)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    units::delete(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
