//! `/api/v1/subjects`: the registry of regulated subjects with Chinese
//! full-text search, and each subject's change history.

use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::NaiveDate;
use domain::{
    Permission,
    subject::{SectorRole, SubjectForm},
};
use serde::{Deserialize, Serialize};
use storage::repo::{
    PageReq, audit,
    subjects::{self, Subject, SubjectExtra, SubjectFilter},
};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{JsonBody, PageDto};
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
}

#[derive(Serialize, ToSchema)]
pub struct SubjectDto {
    pub id: i64,
    /// The 统一社会信用代码, or the alternative key `NC…` of a subject without one.
    pub key: String,
    pub uscc: Option<String>,
    pub name: String,
    /// enterprise | individual_business | private_non_enterprise | public_institution | government_organ | social_organisation | cooperative | other
    pub legal_form: String,
    pub legal_representative: Option<String>,
    pub district_code: Option<String>,
    pub address: Option<String>,
    pub industry_code: Option<String>,
    pub employee_count: Option<i32>,
    pub phone: Option<String>,
    pub established_on: Option<NaiveDate>,
    /// active | deregistered | revoked | closed
    pub status: String,
    /// low | normal | high
    pub risk_level: String,
    pub tags: Vec<String>,
    /// district_soe | hr_agency | tech_school | delegated_body
    pub roles: Vec<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Subject> for SubjectDto {
    fn from(s: Subject) -> Self {
        SubjectDto {
            tags: subjects::tags_of(&s),
            roles: subjects::roles_of(&s)
                .into_iter()
                .map(|r| r.code().to_string())
                .collect(),
            id: s.id,
            key: s.subject_key,
            uscc: s.uscc,
            name: s.name,
            legal_form: s.legal_form,
            legal_representative: s.legal_representative,
            district_code: s.district_code,
            address: s.address,
            industry_code: s.industry_code,
            employee_count: s.employee_count,
            phone: s.phone,
            established_on: s.established_on,
            status: s.status,
            risk_level: s.risk_level,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SubjectParams {
    /// Full text: name, address, legal representative or code; two-character
    /// words and partial names match; one character is a prefix search.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub legal_form: Option<String>,
    pub role: Option<String>,
    pub district_code: Option<String>,
    pub risk_level: Option<String>,
    pub status: Option<String>,
}

/// The registry, best match first when `q` is given.
#[utoipa::path(get, path = "/api/v1/subjects", tag = "subjects", params(SubjectParams),
    responses((status = 200, body = PageDto<SubjectDto>), (status = 403, body = super::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(p): Query<SubjectParams>,
) -> AppResult<Json<PageDto<SubjectDto>>> {
    let scope = a.actor.scope(Permission::SubjectRead)?;
    let f = SubjectFilter {
        q: p.q,
        legal_form: p.legal_form,
        role: p.role,
        district_code: p.district_code,
        risk_level: p.risk_level,
        status: p.status,
    };
    let page = subjects::list(&state.db, &scope, &f, PageReq::new(p.page, p.per_page)).await?;
    Ok(Json(PageDto::from(page, SubjectDto::from)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SubjectBody {
    pub uscc: String,
    pub name: String,
    pub legal_form: String,
    pub legal_representative: String,
    pub district_code: String,
    pub address: String,
    pub industry_code: String,
    pub employee_count: String,
    pub phone: String,
    /// YYYY-MM-DD (also 2026/3/1, 2026年3月1日).
    pub established_on: String,
    pub status: Option<String>,
    pub risk_level: Option<String>,
    pub tags: Vec<String>,
    pub roles: Vec<String>,
}

/// Parses a body (or form) into the validated subject and its attributes.
pub fn parse_body(
    b: &SubjectBody,
) -> Result<(domain::subject::SubjectInput, SubjectExtra), AppError> {
    let form = SubjectForm {
        uscc: b.uscc.clone(),
        name: b.name.clone(),
        legal_form: b.legal_form.clone(),
        legal_representative: b.legal_representative.clone(),
        district_code: b.district_code.clone(),
        address: b.address.clone(),
        industry_code: b.industry_code.clone(),
        employee_count: b.employee_count.clone(),
        phone: b.phone.clone(),
        established_on: b.established_on.clone(),
    };
    let mut errs = match form.parse(storage::today()) {
        Ok(i) => {
            let mut roles = vec![];
            let mut e = domain::FieldErrors::default();
            for r in &b.roles {
                match SectorRole::from_code(r) {
                    Some(r) if !roles.contains(&r) => roles.push(r),
                    Some(_) => {}
                    None => e.add("roles", "err.choose"),
                }
            }
            if e.is_empty() {
                let extra = SubjectExtra {
                    status: b.status.clone().unwrap_or_else(|| "active".into()),
                    risk_level: b.risk_level.clone().unwrap_or_else(|| "normal".into()),
                    tags: b
                        .tags
                        .iter()
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect(),
                    roles,
                };
                return Ok((i, extra));
            }
            e
        }
        Err(e) => e,
    };
    if errs.is_empty() {
        errs.add("name", "err.invalid");
    }
    Err(AppError::Invalid(errs))
}

/// Add a subject (one without a code gets an alternative key).
#[utoipa::path(post, path = "/api/v1/subjects", tag = "subjects", request_body = SubjectBody,
    responses((status = 201, body = SubjectDto), (status = 422, body = super::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<SubjectDto>)> {
    a.actor.scope(Permission::SubjectWrite)?;
    let b: SubjectBody = body.parse()?;
    let (i, x) = parse_body(&b)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let s = subjects::create(&mut tx, &i, &x).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ChangeDto {
    /// subject.create | subject.update
    pub action: String,
    pub who: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The changed fields before (null on creation).
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    /// The changed fields after.
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectDetailDto {
    pub subject: SubjectDto,
    /// Every change: who, when, what.
    pub history: Vec<ChangeDto>,
}

/// One subject with its change history.
#[utoipa::path(get, path = "/api/v1/subjects/{id}", tag = "subjects",
    responses((status = 200, body = SubjectDetailDto), (status = 404, body = super::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<SubjectDetailDto>> {
    let scope = a.actor.scope(Permission::SubjectRead)?;
    let s = subjects::get(&state.db, &scope, id).await?;
    Ok(Json(SubjectDetailDto {
        subject: s.into(),
        history: history(&state, id).await?,
    }))
}

/// The audit events of a subject, oldest first.
pub async fn history(state: &AppState, id: i64) -> AppResult<Vec<ChangeDto>> {
    let parse = |s: Option<&str>| {
        s.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    Ok(audit::for_entity(&state.db, "subject", &id.to_string())
        .await?
        .into_iter()
        .map(|e| ChangeDto {
            before: parse(e.before_data.as_deref()),
            after: parse(e.after_data.as_deref()),
            action: e.action,
            who: e.actor_name,
            at: e.occurred_at,
        })
        .collect())
}

/// Change a subject; the history records the changed fields.
#[utoipa::path(put, path = "/api/v1/subjects/{id}", tag = "subjects", request_body = SubjectBody,
    responses((status = 200, body = SubjectDto), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<Json<SubjectDto>> {
    let scope = a.actor.scope(Permission::SubjectWrite)?;
    let b: SubjectBody = body.parse()?;
    let (i, x) = parse_body(&b)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let s = subjects::update(&mut tx, &scope, id, &i, &x).await?;
    tx.commit().await?;
    Ok(Json(s.into()))
}
