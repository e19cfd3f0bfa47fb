//! The document flow shared by the pages and the API: draft, preview, legal
//! review, sign and seal (issue with a number), PDF, service (送达) that
//! starts the clocks the type declares.
//!
//! Permissions: `document_read` to see, `document_draft` to draft, submit
//! and record service, `legal_supervision` to review (法制审核),
//! `document_sign` to sign and seal; every repository call gets the scope of
//! the permission it acts under.

use std::sync::Arc;

use chrono::NaiveDate;
use domain::{
    Actor, FieldErrors, Permission, Scope,
    doctypes::{DocType, ServiceMethod},
};
use storage::{
    files::FileError,
    repo::{calendar, clocks::Clock, documents, units},
};

use crate::{
    AppState,
    ctx::ReqCtx,
    error::{AppError, AppResult},
};

/// Largest proof of service (scan, photo, receipt) accepted.
pub const MAX_PROOF_BYTES: usize = 10 * 1024 * 1024;
/// Largest seal image accepted.
pub const MAX_SEAL_BYTES: usize = 2 * 1024 * 1024;

/// What a drafter submits.
#[derive(Debug, Clone)]
pub struct DraftInput {
    pub type_code: String,
    pub unit_id: Option<i64>,
    pub item_type: Option<String>,
    pub item_id: Option<String>,
    pub title: Option<String>,
    pub data: serde_json::Value,
    pub step: Option<String>,
    pub corrects_id: Option<i64>,
}

fn invalid(field: &str, key: &str) -> AppError {
    let mut e = FieldErrors::default();
    e.add(field, key);
    AppError::Invalid(e)
}

pub fn doc_type<'a>(state: &'a AppState, code: &str) -> AppResult<&'a DocType> {
    state
        .catalogue
        .get(code)
        .ok_or_else(|| invalid("type", "err.doc_type_unknown"))
}

/// Normalises form or API data to the kinds of the type's fields: integers
/// from strings, `lines` fields from a newline-separated string; then checks it.
pub fn normalise_data(t: &DocType, data: serde_json::Value) -> AppResult<serde_json::Value> {
    let mut data = data;
    if let Some(obj) = data.as_object_mut() {
        for f in &t.fields {
            let v = match f.key.split_once('.') {
                Some((outer, inner)) => obj
                    .get_mut(outer)
                    .and_then(|o| o.as_object_mut())
                    .and_then(|o| o.get_mut(inner)),
                None => obj.get_mut(&f.key),
            };
            let Some(v) = v else {
                continue;
            };
            match (f.kind, &*v) {
                (domain::doctypes::FieldKind::Lines, serde_json::Value::String(s)) => {
                    let lines: Vec<serde_json::Value> = s
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| serde_json::Value::String(l.to_string()))
                        .collect();
                    *v = serde_json::Value::Array(lines);
                }
                (domain::doctypes::FieldKind::Integer, serde_json::Value::String(s)) => {
                    if let Ok(n) = s.trim().parse::<u64>() {
                        *v = serde_json::Value::from(n);
                    }
                }
                (_, serde_json::Value::String(s)) if s.trim().len() != s.len() => {
                    *v = serde_json::Value::String(s.trim().to_string());
                }
                _ => {}
            }
        }
    }
    t.check_data(&data).map_err(AppError::Invalid)?;
    Ok(data)
}

/// Creates a draft in the drafter's unit (or the unit named, within scope).
pub async fn create_draft(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    input: DraftInput,
) -> AppResult<documents::Document> {
    let scope = actor.scope(Permission::DocumentDraft)?;
    let t = doc_type(state, &input.type_code)?.clone();
    let data = normalise_data(&t, input.data)?;
    if let Some(step) = &input.step
        && !t.steps.iter().any(|s| s == step)
    {
        return Err(invalid("step", "err.doc_step"));
    }
    let unit_id = input.unit_id.unwrap_or(actor.unit_id);
    if !scope.allows_unit(unit_id) {
        return Err(invalid("unit_id", "err.out_of_scope"));
    }
    let issuer = units::nearest_of_kind(&state.db.conn, unit_id, &t.issuer)
        .await?
        .ok_or_else(|| invalid("unit_id", "err.doc_no_issuer"))?;
    let item = match (input.item_type, input.item_id) {
        (Some(a), Some(b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
            Some((a.trim().to_string(), b.trim().to_string()))
        }
        _ => None,
    };
    let title = input
        .title
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| t.name_zh.clone());
    if title.chars().count() > 200 {
        return Err(invalid("title", "err.too_long"));
    }
    let n = documents::NewDocument {
        type_code: t.code.clone(),
        unit_id,
        item_type: item.as_ref().map(|i| i.0.clone()),
        item_id: item.map(|i| i.1),
        title,
        data,
        review_required: t.legal_review,
        created_by: Some(actor.user_id),
        corrects_id: input.corrects_id,
        issuer_unit_id: issuer.id,
        step: input.step,
    };
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    let d = documents::create_draft(&mut tx, &scope, &n).await?;
    tx.commit().await?;
    Ok(d)
}

/// Changes a draft's title and data (a changed draft needs a fresh review).
pub async fn update_draft(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    id: i64,
    title: Option<String>,
    data: serde_json::Value,
) -> AppResult<documents::Document> {
    let scope = actor.scope(Permission::DocumentDraft)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    let t = doc_type(state, &d.type_code)?.clone();
    let data = normalise_data(&t, data)?;
    let title = title
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or(d.title.clone());
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    let d = documents::update_draft(&mut tx, &scope, id, &title, &data).await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn submit(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    id: i64,
) -> AppResult<documents::Document> {
    let scope = actor.scope(Permission::DocumentDraft)?;
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    let d = documents::submit_for_review(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// 法制审核: approve, or return with an opinion (required when returning).
pub async fn review(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    id: i64,
    approve: bool,
    opinion: &str,
) -> AppResult<documents::Document> {
    let scope = actor.scope(Permission::LegalSupervision)?;
    let opinion = opinion.trim();
    if opinion.is_empty() && !approve {
        return Err(invalid("opinion", "err.required"));
    }
    if opinion.chars().count() > 2000 {
        return Err(invalid("opinion", "err.too_long"));
    }
    let opinion = if opinion.is_empty() {
        "同意"
    } else {
        opinion
    };
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    let d = documents::review(&mut tx, &scope, id, actor.user_id, approve, opinion).await?;
    tx.commit().await?;
    Ok(d)
}

/// The issuing organ's name as printed on the document.
async fn issuer_name(state: &AppState, d: &documents::Document) -> AppResult<(i64, String)> {
    let id = d.issuer_unit_id.unwrap_or(d.unit_id);
    let u = units::by_id(&state.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((id, u.name))
}

struct Owned {
    type_code: String,
    title: String,
    issuer: String,
    number: Option<String>,
    issued_on: Option<NaiveDate>,
    data: serde_json::Value,
    seal: Option<Vec<u8>>,
    draft: bool,
}

async fn render(state: &AppState, o: Owned) -> AppResult<Vec<u8>> {
    let renderer = Arc::clone(&state.renderer);
    let r = tokio::task::spawn_blocking(move || {
        renderer.render(&docgen::RenderRequest {
            type_code: &o.type_code,
            title: &o.title,
            issuer: &o.issuer,
            number: o.number.as_deref(),
            issued_on: o.issued_on,
            data: &o.data,
            seal_png: o.seal.as_deref(),
            draft: o.draft,
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("render task: {e}")))?;
    r.map_err(|e| {
        tracing::error!(error = %e, "document rendering failed");
        AppError::Conflict("err.doc_render_failed".into())
    })
}

fn parse_data(d: &documents::Document) -> serde_json::Value {
    serde_json::from_str(&d.data).unwrap_or_else(|_| serde_json::json!({}))
}

fn store_err(e: FileError) -> AppError {
    match e {
        FileError::NotFound(_) => AppError::NotFound,
        FileError::Corrupt { hash, actual } => {
            tracing::error!(%hash, %actual, "stored file is corrupt; refusing to serve it");
            AppError::Conflict("err.file_corrupt".into())
        }
        other => AppError::Internal(other.to_string()),
    }
}

/// The PDF of a document: the stored, issued one (re-hashed on read), or a
/// preview of a draft with the watermark and without number or seal.
pub async fn pdf(
    state: &AppState,
    scope: &Scope,
    id: i64,
) -> AppResult<(documents::Document, Vec<u8>)> {
    let d = documents::get(&state.db.conn, scope, id).await?;
    if let Some(hash) = d.pdf_hash.clone() {
        let bytes = state.files.get(&hash).await.map_err(store_err)?;
        return Ok((d, bytes));
    }
    let (_, issuer) = issuer_name(state, &d).await?;
    let o = Owned {
        type_code: d.type_code.clone(),
        title: d.title.clone(),
        issuer,
        number: None,
        issued_on: None,
        data: parse_data(&d),
        seal: None,
        draft: true,
    };
    let bytes = render(state, o).await?;
    Ok((d, bytes))
}

/// Sign and seal: takes the number inside the transaction, renders the PDF
/// with the number, the date and the issuing unit's seal, stores it by its
/// SHA-256 and marks the document issued (the hash goes to the audit trail).
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    id: i64,
) -> AppResult<documents::Document> {
    let scope = actor.scope(Permission::DocumentSign)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    let t = doc_type(state, &d.type_code)?.clone();
    let (issuer_id, issuer) = issuer_name(state, &d).await?;
    let seal = documents::seal_of(&state.db.conn, issuer_id)
        .await?
        .ok_or_else(|| AppError::Conflict("err.seal_missing".into()))?;
    let seal_bytes = state.files.get(&seal.hash).await.map_err(store_err)?;
    let today = storage::today();
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    let n = documents::take_number(&tx, &scope, id, &t.number_prefix, today).await?;
    let o = Owned {
        type_code: d.type_code.clone(),
        title: d.title.clone(),
        issuer,
        number: Some(n.number.clone()),
        issued_on: Some(today),
        data: parse_data(&n.doc),
        seal: Some(seal_bytes),
        draft: false,
    };
    let pdf = render(state, o).await?;
    let hash = state.files.put(pdf.clone()).await.map_err(store_err)?;
    let d = documents::mark_issued(&mut tx, n, actor.user_id, &hash, pdf.len()).await?;
    tx.commit().await?;
    Ok(d)
}

/// What is recorded about one service.
#[derive(Debug, Clone)]
pub struct ServiceInput {
    pub method: String,
    pub served_on: Option<NaiveDate>,
    pub recipient: String,
    pub consent_ref: Option<String>,
    pub note: Option<String>,
    /// Proof: bytes, content type, original name.
    pub proof: Option<(Vec<u8>, String, Option<String>)>,
}

/// Proof files accepted: scans and photos and PDFs, checked by their bytes.
pub fn sniff_proof(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Records a service; the first one starts the clocks the type declares on
/// the effective service date (公告送达: when the announcement period ends).
pub async fn serve(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    id: i64,
    input: ServiceInput,
) -> AppResult<(documents::Service, Vec<Clock>)> {
    let scope = actor.scope(Permission::DocumentDraft)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    let t = doc_type(state, &d.type_code)?.clone();
    if !t.served {
        return Err(AppError::Conflict("err.doc_not_served_type".into()));
    }
    let mut errs = FieldErrors::default();
    let method = ServiceMethod::from_code(&input.method);
    if method.is_none() {
        errs.add("method", "err.choose");
    }
    let served_on = input.served_on;
    if served_on.is_none() {
        errs.add("served_on", "err.date");
    }
    if served_on.is_some_and(|s| s > storage::today()) {
        errs.add("served_on", "err.date_future");
    }
    let recipient = domain::validate::required_text(&mut errs, "recipient", &input.recipient, 200);
    let consent = domain::validate::optional_text(
        &mut errs,
        "consent_ref",
        input.consent_ref.as_deref().unwrap_or(""),
        200,
    );
    let note = domain::validate::optional_text(
        &mut errs,
        "note",
        input.note.as_deref().unwrap_or(""),
        1000,
    );
    if method.is_some_and(ServiceMethod::needs_consent) && consent.is_none() {
        errs.add("consent_ref", "err.service_consent");
    }
    let proof = match input.proof {
        Some((bytes, _, _)) if bytes.is_empty() => None,
        Some((bytes, _, name)) => {
            if bytes.len() > MAX_PROOF_BYTES {
                return Err(AppError::PayloadTooLarge);
            }
            match sniff_proof(&bytes) {
                Some(mime) => Some((bytes, mime, name)),
                None => {
                    errs.add("proof", "err.proof_type");
                    None
                }
            }
        }
        None => None,
    };
    let (Some(method), Some(served_on)) = (method, served_on) else {
        return Err(AppError::Invalid(errs));
    };
    errs.into_result().map_err(AppError::Invalid)?;
    let cal = calendar::load(&state.db).await?;
    let public_rule = state
        .rules
        .get("service.public_notice")
        .ok_or_else(|| AppError::Internal("rule service.public_notice missing".into()))?;
    let effective_on = method
        .effective_on(served_on, public_rule, &cal)
        .map_err(AppError::Calendar)?;
    let clock_rules = t
        .clock_rules(&state.rules, &parse_data(&d))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let proof_hash = match &proof {
        Some((bytes, _, _)) => Some(state.files.put(bytes.clone()).await.map_err(store_err)?),
        None => None,
    };
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    if let (Some(h), Some((bytes, mime, name))) = (&proof_hash, &proof) {
        documents::record_file(&tx, h, bytes.len(), mime, name.as_deref()).await?;
    }
    let n = documents::NewService {
        method,
        served_on,
        effective_on,
        recipient,
        proof_hash,
        consent_ref: consent,
        note,
        created_by: Some(actor.user_id),
    };
    let r = documents::record_service(&mut tx, &scope, &cal, id, &n, &clock_rules).await?;
    tx.commit().await?;
    Ok(r)
}

/// Uploads a unit's seal image (PNG, checked by its bytes).
pub async fn set_seal(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    unit_id: i64,
    bytes: Vec<u8>,
) -> AppResult<()> {
    let scope = actor.scope(Permission::SealManage)?;
    if bytes.is_empty() {
        return Err(invalid("seal", "err.required"));
    }
    if bytes.len() > MAX_SEAL_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let mime = if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else {
        return Err(invalid("seal", "err.seal_type"));
    };
    units::get(&state.db, &scope, unit_id).await?;
    let size = bytes.len();
    let hash = state.files.put(bytes).await.map_err(store_err)?;
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    documents::set_seal(&mut tx, &scope, unit_id, &hash, size, mime).await?;
    tx.commit().await?;
    Ok(())
}

/// A stored file (proof of service, seal image), re-hashed on read.
pub async fn file_bytes(state: &AppState, hash: &str) -> AppResult<(Vec<u8>, String)> {
    let meta = documents::file_meta(&state.db.conn, hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = state.files.get(hash).await.map_err(store_err)?;
    Ok((bytes, meta.mime))
}

/// Attaches the proof of an existing service (API upload).
pub async fn attach_proof(
    state: &AppState,
    actor: &Actor,
    ctx: &ReqCtx,
    id: i64,
    service_id: i64,
    bytes: Vec<u8>,
    name: Option<String>,
) -> AppResult<documents::Service> {
    let scope = actor.scope(Permission::DocumentDraft)?;
    documents::service_of(&state.db.conn, &scope, id, service_id).await?;
    if bytes.is_empty() {
        return Err(invalid("proof", "err.required"));
    }
    if bytes.len() > MAX_PROOF_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let mime = sniff_proof(&bytes).ok_or_else(|| invalid("proof", "err.proof_type"))?;
    let size = bytes.len();
    let hash = state.files.put(bytes).await.map_err(store_err)?;
    let mut tx = state.db.begin_write(&ctx.audit()).await?;
    let s = documents::attach_proof(
        &mut tx,
        &scope,
        id,
        service_id,
        &documents::StoredFile {
            hash: &hash,
            size,
            mime,
            name: name.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}
