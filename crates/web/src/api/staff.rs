//! `/api/v1/staff`, certificates and declared relationships.

use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    Permission,
    org::{CertificateForm, RelationForm, StaffForm, certificate_status},
};
use serde::{Deserialize, Serialize};
use storage::{
    StorageError,
    repo::staff::{self, Certificate, Relation, Staff, StaffDetail, StaffFilter, StaffRow},
};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{JsonBody, PageDto, PageParams};
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    forms::today,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(add_certificate))
        .routes(routes!(revoke_certificate))
        .routes(routes!(add_relation))
        .routes(routes!(delete_relation))
}

#[derive(Serialize, ToSchema)]
pub struct StaffDto {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    /// male or female
    pub gender: Option<String>,
    pub position: Option<String>,
    pub phone: Option<String>,
    /// On duty.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Staff> for StaffDto {
    fn from(s: Staff) -> Self {
        StaffDto {
            id: s.id,
            unit_id: s.unit_id,
            name: s.name,
            gender: s.gender,
            position: s.position,
            phone: s.phone,
            active: s.active,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffRowDto {
    #[serde(flatten)]
    pub staff: StaffDto,
    pub unit_name: String,
    /// Whether the person holds a certificate valid today (Beijing date).
    pub certified: bool,
}

impl From<StaffRow> for StaffRowDto {
    fn from(r: StaffRow) -> Self {
        StaffRowDto {
            staff: r.staff.into(),
            unit_name: r.unit_name,
            certified: r.certified,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CertificateDto {
    pub id: i64,
    pub staff_id: i64,
    /// enforcement, supervision, labour_inspection
    pub kind: String,
    pub number: String,
    pub issuer: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub revoked: bool,
    /// Today (Beijing date): valid, expired, revoked or pending.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl CertificateDto {
    fn new(c: Certificate, day: NaiveDate) -> Self {
        let status = certificate_status(c.valid_from, c.valid_to, c.revoked, day);
        CertificateDto {
            id: c.id,
            staff_id: c.staff_id,
            kind: c.kind,
            number: c.number,
            issuer: c.issuer,
            valid_from: c.valid_from,
            valid_to: c.valid_to,
            revoked: c.revoked,
            status: status.into(),
            created_at: c.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RelationDto {
    pub id: i64,
    pub staff_id: i64,
    pub subject_name: String,
    /// Unified social credit code of the subject.
    pub subject_code: Option<String>,
    /// relative, former_employee, financial, other
    pub kind: String,
    pub note: Option<String>,
    pub declared_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

impl From<Relation> for RelationDto {
    fn from(r: Relation) -> Self {
        RelationDto {
            id: r.id,
            staff_id: r.staff_id,
            subject_name: r.subject_name,
            subject_code: r.subject_code,
            kind: r.kind,
            note: r.note,
            declared_on: r.declared_on,
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffDetailDto {
    #[serde(flatten)]
    pub staff: StaffDto,
    pub unit_name: String,
    /// The login account linked to this person, if any.
    pub username: Option<String>,
    pub certificates: Vec<CertificateDto>,
    /// Declared relationships with regulated subjects (回避).
    pub relations: Vec<RelationDto>,
}

impl From<StaffDetail> for StaffDetailDto {
    fn from(d: StaffDetail) -> Self {
        let day = today();
        StaffDetailDto {
            staff: d.staff.into(),
            unit_name: d.unit_name,
            username: d.username,
            certificates: d
                .certificates
                .into_iter()
                .map(|c| CertificateDto::new(c, day))
                .collect(),
            relations: d.relations.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct StaffBody {
    pub unit_id: i64,
    pub name: String,
    /// male or female
    pub gender: Option<String>,
    pub position: Option<String>,
    pub phone: Option<String>,
    /// On duty (default true).
    pub active: Option<bool>,
}

impl StaffBody {
    fn form(&self) -> StaffForm {
        StaffForm {
            unit_id: self.unit_id.to_string(),
            name: self.name.clone(),
            gender: self.gender.clone().unwrap_or_default(),
            position: self.position.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            active: Some(self.active.unwrap_or(true).to_string()),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CertificateBody {
    /// enforcement, supervision, labour_inspection
    pub kind: String,
    pub number: String,
    pub issuer: Option<String>,
    /// YYYY-MM-DD
    pub valid_from: String,
    /// YYYY-MM-DD, not before valid_from
    pub valid_to: String,
}

impl CertificateBody {
    fn form(&self) -> CertificateForm {
        CertificateForm {
            kind: self.kind.clone(),
            number: self.number.clone(),
            issuer: self.issuer.clone().unwrap_or_default(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RelationBody {
    pub subject_name: String,
    pub subject_code: Option<String>,
    /// relative, former_employee, financial, other
    pub kind: String,
    pub note: Option<String>,
    /// YYYY-MM-DD
    pub declared_on: String,
}

impl RelationBody {
    fn form(&self) -> RelationForm {
        RelationForm {
            subject_name: self.subject_name.clone(),
            subject_code: self.subject_code.clone().unwrap_or_default(),
            kind: self.kind.clone(),
            note: self.note.clone().unwrap_or_default(),
            declared_on: self.declared_on.clone(),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StaffParams {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// Matches name or position.
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    /// On duty (true) or not (false); both when absent.
    pub active: Option<bool>,
}

/// List staff in the caller's scope, with whether each holds a valid certificate today.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", params(StaffParams),
    responses((status = 200, body = PageDto<StaffRowDto>), (status = 403, body = super::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(p): Query<StaffParams>,
) -> AppResult<Json<PageDto<StaffRowDto>>> {
    let scope = a.actor.scope(Permission::StaffRead)?;
    let f = StaffFilter {
        q: p.q.clone(),
        unit_id: p.unit_id,
        active: p.active,
    };
    let page = PageParams {
        page: p.page,
        per_page: p.per_page,
        q: None,
    }
    .req();
    Ok(Json(PageDto::from(
        staff::list(&state.db, &scope, &f, page, today()).await?,
        StaffRowDto::from,
    )))
}

/// Create a staff member.
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", request_body = StaffBody,
    responses((status = 201, body = StaffDto), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<StaffDto>)> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let b: StaffBody = body.parse()?;
    let input = b.form().parse().map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let s = staff::create(&mut tx, &scope, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// One staff member with certificates and declared relationships.
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff",
    responses((status = 200, body = StaffDetailDto), (status = 404, body = super::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<StaffDetailDto>> {
    let scope = a.actor.scope(Permission::StaffRead)?;
    Ok(Json(staff::get(&state.db, &scope, id).await?.into()))
}

/// Replace a staff member's fields.
#[utoipa::path(put, path = "/api/v1/staff/{id}", tag = "staff", request_body = StaffBody,
    responses((status = 200, body = StaffDto), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<Json<StaffDto>> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let b: StaffBody = body.parse()?;
    let input = b.form().parse().map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let s = staff::update(&mut tx, &scope, id, &input).await?;
    tx.commit().await?;
    Ok(Json(s.into()))
}

/// Delete a staff member with their certificates and relationships; 409 when
/// the person has a login account.
#[utoipa::path(delete, path = "/api/v1/staff/{id}", tag = "staff",
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    staff::delete(&mut tx, &scope, id)
        .await
        .map_err(|e| match e {
            StorageError::Conflict("err.staff_has_account") => {
                AppError::Conflict("staff.delete_has_account".into())
            }
            e => e.into(),
        })?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add an enforcement certificate to a staff member (numbers are unique).
#[utoipa::path(post, path = "/api/v1/staff/{id}/certificates", tag = "staff", request_body = CertificateBody,
    responses((status = 201, body = CertificateDto), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn add_certificate(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<CertificateDto>)> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let b: CertificateBody = body.parse()?;
    let input = b.form().parse().map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let c = staff::add_certificate(&mut tx, &scope, id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(CertificateDto::new(c, today()))))
}

/// Revoke a certificate (it stays on record); 409 when already revoked.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/revoke", tag = "staff",
    responses((status = 200, body = CertificateDto), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn revoke_certificate(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<CertificateDto>> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let c = staff::revoke_certificate(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(Json(CertificateDto::new(c, today())))
}

/// Declare a staff member's relationship with a regulated subject (回避).
#[utoipa::path(post, path = "/api/v1/staff/{id}/relations", tag = "staff", request_body = RelationBody,
    responses((status = 201, body = RelationDto), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn add_relation(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<RelationDto>)> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let b: RelationBody = body.parse()?;
    let input = b.form().parse().map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let r = staff::add_relation(&mut tx, &scope, id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Delete a declared relationship.
#[utoipa::path(delete, path = "/api/v1/relations/{id}", tag = "staff",
    responses((status = 204), (status = 404, body = super::ErrorBody)))]
async fn delete_relation(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    staff::delete_relation(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
