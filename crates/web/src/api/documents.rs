//! `/api/v1/document-types`, `/api/v1/documents` (文书): drafts, legal
//! review, issue (sign and seal), PDF, service (送达) and its proof.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use domain::Permission;
use serde::{Deserialize, Serialize};
use storage::repo::{
    PageReq,
    clocks::Clock,
    documents::{self, DocFilter, Document, Service},
};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{JsonBody, PageDto};
use crate::{
    AppState,
    ctx::Authed,
    docs::{self, DraftInput, ServiceInput},
    error::AppResult,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(types))
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(submit))
        .routes(routes!(review))
        .routes(routes!(issue))
        .routes(routes!(pdf))
        .routes(routes!(services, serve))
        .routes(routes!(put_proof))
}

#[derive(Serialize, ToSchema)]
pub struct FieldDto {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    /// text | textarea | date | integer | money | lines
    pub kind: String,
    pub required: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ClockStartDto {
    pub rule: String,
    /// The data field that sets the period, if any.
    pub period_field: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DocTypeDto {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Unit kind of the issuing organ.
    pub issuer: String,
    pub number_prefix: String,
    pub steps: Vec<String>,
    pub legal_review: bool,
    pub served: bool,
    pub legal_basis: String,
    pub starts: Vec<ClockStartDto>,
    pub fields: Vec<FieldDto>,
}

/// The document catalogue: every type with its issuer, number prefix, review requirement, fields and the clocks its service starts.
#[utoipa::path(get, path = "/api/v1/document-types", tag = "documents",
    responses((status = 200, body = Vec<DocTypeDto>), (status = 403, body = super::ErrorBody)))]
async fn types(State(state): State<AppState>, a: Authed) -> AppResult<Json<Vec<DocTypeDto>>> {
    a.actor.scope(Permission::DocumentRead)?;
    Ok(Json(
        state
            .catalogue
            .iter()
            .map(|t| DocTypeDto {
                code: t.code.clone(),
                name_zh: t.name_zh.clone(),
                name_en: t.name_en.clone(),
                issuer: t.issuer.clone(),
                number_prefix: t.number_prefix.clone(),
                steps: t.steps.clone(),
                legal_review: t.legal_review,
                served: t.served,
                legal_basis: t.legal_basis.clone(),
                starts: t
                    .starts
                    .iter()
                    .map(|s| ClockStartDto {
                        rule: s.rule.clone(),
                        period_field: s.period_field.clone(),
                    })
                    .collect(),
                fields: t
                    .fields
                    .iter()
                    .map(|f| FieldDto {
                        key: f.key.clone(),
                        label_zh: f.label_zh.clone(),
                        label_en: f.label_en.clone(),
                        kind: f.kind.code().into(),
                        required: f.required,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: i64,
    #[serde(rename = "type")]
    pub type_code: String,
    pub title: String,
    /// draft | in_review | approved | issued
    pub status: String,
    pub unit_id: i64,
    pub issuer_unit_id: Option<i64>,
    pub item_type: Option<String>,
    pub item_id: Option<String>,
    pub step: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub review_required: bool,
    pub reviewer_id: Option<i64>,
    pub review_opinion: Option<String>,
    pub signer_id: Option<i64>,
    /// 文号, once issued.
    pub number: Option<String>,
    /// SHA-256 of the issued PDF.
    pub pdf_sha256: Option<String>,
    pub issued_at: Option<chrono::DateTime<chrono::Utc>>,
    pub corrects_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Document> for DocumentDto {
    fn from(d: Document) -> Self {
        DocumentDto {
            data: serde_json::from_str(&d.data).unwrap_or_default(),
            id: d.id,
            type_code: d.type_code,
            title: d.title,
            status: d.status,
            unit_id: d.unit_id,
            issuer_unit_id: d.issuer_unit_id,
            item_type: d.item_type,
            item_id: d.item_id,
            step: d.step,
            review_required: d.review_required,
            reviewer_id: d.reviewer_id,
            review_opinion: d.review_opinion,
            signer_id: d.signer_id,
            number: d.number,
            pdf_sha256: d.pdf_hash,
            issued_at: d.issued_at,
            corrects_id: d.corrects_id,
            created_at: d.created_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DocParams {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub type_code: Option<String>,
    /// draft | in_review | approved | issued
    pub status: Option<String>,
    /// Title or number contains.
    pub q: Option<String>,
    pub item_type: Option<String>,
    pub item_id: Option<String>,
}

/// Documents in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocParams),
    responses((status = 200, body = PageDto<DocumentDto>), (status = 403, body = super::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(p): Query<DocParams>,
) -> AppResult<Json<PageDto<DocumentDto>>> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    let f = DocFilter {
        type_code: p.type_code,
        status: p.status,
        item: p.item_type.zip(p.item_id),
        q: p.q,
    };
    let page = documents::list(&state.db, &scope, &f, PageReq::new(p.page, p.per_page)).await?;
    Ok(Json(PageDto::from(page, DocumentDto::from)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewDocumentBody {
    /// A type code from `/api/v1/document-types`.
    #[serde(rename = "type")]
    pub type_code: String,
    /// Drafting unit (default: the caller's unit).
    pub unit_id: Option<i64>,
    /// The case, inspection or complaint it belongs to.
    pub item_type: Option<String>,
    pub item_id: Option<String>,
    /// Default: the type's name.
    pub title: Option<String>,
    /// The type's fields (see `fields` of the type).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub step: Option<String>,
    /// The issued document this one corrects.
    pub corrects_id: Option<i64>,
}

/// Create a draft (preview it at `/api/v1/documents/{id}/pdf`).
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", request_body = NewDocumentBody,
    responses((status = 201, body = DocumentDto), (status = 422, body = super::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<DocumentDto>)> {
    a.actor.scope(Permission::DocumentDraft)?;
    let b: NewDocumentBody = body.parse()?;
    let d = docs::create_draft(
        &state,
        &a.actor,
        &a.ctx,
        DraftInput {
            type_code: b.type_code,
            unit_id: b.unit_id,
            item_type: b.item_type,
            item_id: b.item_id,
            title: b.title,
            data: b.data,
            step: b.step,
            corrects_id: b.corrects_id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[derive(Serialize, ToSchema)]
pub struct DocumentDetailDto {
    pub document: DocumentDto,
    pub services: Vec<ServiceDto>,
    /// Clocks started by its service.
    pub clocks: Vec<super::clocks::ClockDto>,
}

/// One document with its services and the clocks its service started.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents",
    responses((status = 200, body = DocumentDetailDto), (status = 404, body = super::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<DocumentDetailDto>> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    let services = documents::services(&state.db, id).await?;
    let clocks = clocks_of(&state, &a, id).await?;
    let today = storage::today();
    Ok(Json(DocumentDetailDto {
        document: d.into(),
        services: services.into_iter().map(ServiceDto::from).collect(),
        clocks: clocks
            .into_iter()
            .map(|c| super::clocks::ClockDto::from(c, today))
            .collect(),
    }))
}

/// The clocks a document's service started, if the caller may see clocks.
pub async fn clocks_of(state: &AppState, a: &Authed, id: i64) -> AppResult<Vec<Clock>> {
    match a.actor.scope(Permission::ClockRead) {
        Ok(scope) => {
            Ok(
                storage::repo::clocks::for_item(&state.db, &scope, "document", &id.to_string())
                    .await?,
            )
        }
        Err(_) => Ok(vec![]),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateDocumentBody {
    pub title: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// Change a draft (issued documents are immutable: correct them with a new document).
#[utoipa::path(put, path = "/api/v1/documents/{id}", tag = "documents", request_body = UpdateDocumentBody,
    responses((status = 200, body = DocumentDto), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<Json<DocumentDto>> {
    a.actor.scope(Permission::DocumentDraft)?;
    let b: UpdateDocumentBody = body.parse()?;
    let d = docs::update_draft(&state, &a.actor, &a.ctx, id, b.title, b.data).await?;
    Ok(Json(d.into()))
}

/// Submit a draft for legal review (法制审核).
#[utoipa::path(post, path = "/api/v1/documents/{id}/submit", tag = "documents",
    responses((status = 200, body = DocumentDto), (status = 409, body = super::ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<DocumentDto>> {
    a.actor.scope(Permission::DocumentDraft)?;
    Ok(Json(
        docs::submit(&state, &a.actor, &a.ctx, id).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    pub approve: bool,
    /// Required when returning the draft.
    #[serde(default)]
    pub opinion: String,
}

/// The legal office's review: approve, or return with an opinion.
#[utoipa::path(post, path = "/api/v1/documents/{id}/review", tag = "documents", request_body = ReviewBody,
    responses((status = 200, body = DocumentDto), (status = 409, body = super::ErrorBody)))]
async fn review(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<Json<DocumentDto>> {
    a.actor.scope(Permission::LegalSupervision)?;
    let b: ReviewBody = body.parse()?;
    let d = docs::review(&state, &a.actor, &a.ctx, id, b.approve, &b.opinion).await?;
    Ok(Json(d.into()))
}

/// Sign and seal: issues the document with the next number of its issuing unit, type and year; stores the PDF and its SHA-256.
#[utoipa::path(post, path = "/api/v1/documents/{id}/issue", tag = "documents",
    responses((status = 200, body = DocumentDto), (status = 409, body = super::ErrorBody)))]
async fn issue(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<DocumentDto>> {
    a.actor.scope(Permission::DocumentSign)?;
    Ok(Json(
        docs::issue(&state, &a.actor, &a.ctx, id).await?.into(),
    ))
}

/// The PDF: the issued document as stored, or a preview of a draft (watermarked, no number or seal).
#[utoipa::path(get, path = "/api/v1/documents/{id}/pdf", tag = "documents",
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
async fn pdf(State(state): State<AppState>, a: Authed, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    let (d, bytes) = docs::pdf(&state, &scope, id).await?;
    Ok(pdf_response(&d, bytes))
}

/// A PDF response, shown inline, named after the number or the title.
pub fn pdf_response(d: &Document, bytes: Vec<u8>) -> Response {
    let name = d
        .number
        .clone()
        .unwrap_or_else(|| format!("{}-草稿", d.title));
    let disp = format!(
        "inline; filename=\"document-{}.pdf\"; filename*=UTF-8''{}.pdf",
        d.id,
        urlencoding::encode(&name)
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disp),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Serialize, ToSchema)]
pub struct ServiceDto {
    pub id: i64,
    pub document_id: i64,
    /// direct | left | post | electronic | entrusted | public
    pub method: String,
    pub served_on: NaiveDate,
    /// The effective service date (公告送达: when the announcement period ends).
    pub effective_on: NaiveDate,
    pub recipient: String,
    pub proof_sha256: Option<String>,
    pub consent_ref: Option<String>,
    pub note: Option<String>,
    pub clocks_started: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Service> for ServiceDto {
    fn from(s: Service) -> Self {
        ServiceDto {
            id: s.id,
            document_id: s.document_id,
            method: s.method,
            served_on: s.served_on,
            effective_on: s.effective_on,
            recipient: s.recipient,
            proof_sha256: s.proof_hash,
            consent_ref: s.consent_ref,
            note: s.note,
            clocks_started: s.clocks_started,
            created_at: s.created_at,
        }
    }
}

/// The services recorded for a document.
#[utoipa::path(get, path = "/api/v1/documents/{id}/services", tag = "documents",
    responses((status = 200, body = Vec<ServiceDto>), (status = 404, body = super::ErrorBody)))]
async fn services(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ServiceDto>>> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    documents::get(&state.db.conn, &scope, id).await?;
    let list = documents::services(&state.db, id).await?;
    Ok(Json(list.into_iter().map(ServiceDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ServiceBody {
    /// direct | left | post | electronic | entrusted | public
    pub method: String,
    /// The day served (公告送达: the day the announcement was published).
    pub served_on: NaiveDate,
    pub recipient: String,
    /// Required for electronic service: the recipient's consent on file.
    pub consent_ref: Option<String>,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ServedDto {
    pub service: ServiceDto,
    /// Clocks this service started (the first service starts the type's clocks).
    pub clocks: Vec<super::clocks::ClockDto>,
}

/// Record a service; the first one starts the clocks the type declares on the effective service date. Attach the proof with `PUT …/services/{sid}/proof`.
#[utoipa::path(post, path = "/api/v1/documents/{id}/services", tag = "documents", request_body = ServiceBody,
    responses((status = 201, body = ServedDto), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn serve(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<ServedDto>)> {
    a.actor.scope(Permission::DocumentDraft)?;
    let b: ServiceBody = body.parse()?;
    let (s, clocks) = docs::serve(
        &state,
        &a.actor,
        &a.ctx,
        id,
        ServiceInput {
            method: b.method,
            served_on: Some(b.served_on),
            recipient: b.recipient,
            consent_ref: b.consent_ref,
            note: b.note,
            proof: None,
        },
    )
    .await?;
    let today = storage::today();
    Ok((
        StatusCode::CREATED,
        Json(ServedDto {
            service: s.into(),
            clocks: clocks
                .into_iter()
                .map(|c| super::clocks::ClockDto::from(c, today))
                .collect(),
        }),
    ))
}

/// Attach the proof of a service (the signed 送达回证 scan, a photo, a postal receipt): the body is the file (PDF, PNG or JPEG, at most 10 MB).
#[utoipa::path(put, path = "/api/v1/documents/{id}/services/{sid}/proof", tag = "documents",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ServiceDto), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn put_proof(
    State(state): State<AppState>,
    a: Authed,
    Path((id, sid)): Path<(i64, i64)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<ServiceDto>> {
    a.actor.scope(Permission::DocumentDraft)?;
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            urlencoding::decode(s)
                .map(|c| c.into_owned())
                .unwrap_or_default()
        });
    let s = docs::attach_proof(&state, &a.actor, &a.ctx, id, sid, body.to_vec(), name).await?;
    Ok(Json(s.into()))
}
