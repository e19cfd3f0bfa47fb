//! 文书: the list, drafting from the catalogue's field list, preview, legal
//! review, sign and seal, service with proof, corrections; and the units'
//! electronic seals (电子印章).

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::NaiveDate;
use domain::{
    Permission,
    doctypes::{DocType, FieldKind, ServiceMethod},
};
use serde::Deserialize;
use storage::repo::{
    PageReq,
    clocks::Clock,
    documents::{self, DocFilter, Document, Service},
    units,
};

use super::{Errs, Form, Layout, clocks::status_of, redirect_ok, render, render_status};
use crate::{
    AppState,
    api::documents::{clocks_of, pdf_response},
    ctx::Authed,
    docs::{self, DraftInput, ServiceInput},
    error::{AppError, AppResult},
};

pub fn router() -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(docs::MAX_PROOF_BYTES + 64 * 1024);
    Router::new()
        .route("/documents", get(list).post(create))
        .route("/documents/new", get(new_form))
        .route("/documents/{id}", get(detail))
        .route("/documents/{id}/edit", get(edit_form).post(edit))
        .route("/documents/{id}/submit", post(submit))
        .route("/documents/{id}/review", post(review))
        .route("/documents/{id}/issue", post(issue))
        .route("/documents/{id}/correct", post(correct))
        .route("/documents/{id}/pdf", get(pdf))
        .route("/documents/{id}/services", post(serve).layer(upload_limit))
        .route("/documents/{id}/services/{sid}/proof", get(proof))
        .route("/seals", get(seals))
        .route("/seals/{unit_id}", post(upload_seal).layer(upload_limit))
        .route("/seals/{unit_id}/image", get(seal_image))
}

/// Status codes in flow order, for the list filter and the stepper.
const STATUSES: [&str; 4] = ["draft", "in_review", "approved", "issued"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct DocQuery {
    page: Option<u64>,
    #[serde(rename = "type")]
    type_code: Option<String>,
    status: Option<String>,
    q: Option<String>,
    item_type: Option<String>,
    item_id: Option<String>,
    ok: Option<String>,
}

pub struct Row {
    pub d: Document,
    pub type_name: String,
}

#[derive(Template)]
#[template(path = "pages/documents.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    base: String,
    types: Vec<(String, String)>,
    statuses: Vec<&'static str>,
    q_type: String,
    q_status: String,
    q_text: String,
    can_draft: bool,
}

fn type_name(state: &AppState, code: &str) -> String {
    state
        .catalogue
        .get(code)
        .map(|t| t.name_zh.clone())
        .unwrap_or_else(|| code.to_string())
}

async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<DocQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    let f = DocFilter {
        type_code: q.type_code.clone(),
        status: q.status.clone(),
        item: q.item_type.clone().zip(q.item_id.clone()),
        q: q.q.clone(),
    };
    let p = documents::list(&state.db, &scope, &f, PageReq::new(q.page, None)).await?;
    let mut base = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("type", &q.type_code), ("status", &q.status), ("q", &q.q)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            base.append_pair(k, v);
        }
    }
    let rows = p
        .items
        .into_iter()
        .map(|d| Row {
            type_name: type_name(&state, &d.type_code),
            d,
        })
        .collect();
    Ok(render(&ListPage {
        l: Layout::new(&state, &a.ctx, "documents", "nav.documents").with_flash(q.ok.as_deref()),
        rows,
        total: p.total,
        page: p.page,
        pages: p.total.div_ceil(p.per_page).max(1),
        base: base.finish(),
        types: state
            .catalogue
            .iter()
            .map(|t| (t.code.clone(), t.name_zh.clone()))
            .collect(),
        statuses: STATUSES.to_vec(),
        q_type: q.type_code.unwrap_or_default(),
        q_status: q.status.unwrap_or_default(),
        q_text: q.q.unwrap_or_default(),
        can_draft: a.actor.can(Permission::DocumentDraft),
    }))
}

/// One input of the draft form.
pub struct FieldView {
    pub key: String,
    pub label: String,
    /// text | textarea | date | integer | money | lines
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "pages/document_form.html")]
struct FormPage {
    l: Layout,
    /// None: choose a type first.
    t: Option<DocType>,
    types: Vec<DocType>,
    action: String,
    title: String,
    item_type: String,
    item_id: String,
    corrects_id: String,
    fields: Vec<FieldView>,
    errs: Errs,
    editing: bool,
}

fn value_text(kind: FieldKind, v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) if kind == FieldKind::Lines => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Some(other) => other.to_string(),
    }
}

fn field_views(a: &Authed, t: &DocType, data: &serde_json::Value, errs: &Errs) -> Vec<FieldView> {
    let en = a.ctx.locale == crate::i18n::Locale::En;
    t.fields
        .iter()
        .map(|f| FieldView {
            key: f.key.clone(),
            label: if en && !f.label_en.is_empty() {
                f.label_en.clone()
            } else {
                f.label_zh.clone()
            },
            kind: f.kind.code(),
            required: f.required,
            value: value_text(f.kind, domain::doctypes::lookup(data, &f.key)),
            error: errs.get(&f.key).to_string(),
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    #[serde(rename = "type")]
    type_code: Option<String>,
    item_type: Option<String>,
    item_id: Option<String>,
    sample: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    a.actor.scope(Permission::DocumentDraft)?;
    let t = q
        .type_code
        .as_deref()
        .and_then(|c| state.catalogue.get(c))
        .cloned();
    // "Fill with the sample" helps a new user see what a complete document looks like.
    let data = match (&t, q.sample.as_deref()) {
        (Some(t), Some("1")) => docgen::sample_data(&t.code).unwrap_or_default(),
        _ => serde_json::json!({}),
    };
    let errs = Errs::default();
    let page = FormPage {
        fields: t
            .as_ref()
            .map(|t| field_views(&a, t, &data, &errs))
            .unwrap_or_default(),
        title: t.as_ref().map(|t| t.name_zh.clone()).unwrap_or_default(),
        l: Layout::new(&state, &a.ctx, "documents", "documents.new"),
        t,
        types: state.catalogue.iter().cloned().collect(),
        action: "/documents".into(),
        item_type: q.item_type.unwrap_or_default(),
        item_id: q.item_id.unwrap_or_default(),
        corrects_id: String::new(),
        errs,
        editing: false,
    };
    Ok(render(&page))
}

/// Splits a posted draft form into its control fields and the data object.
struct Posted {
    type_code: String,
    title: String,
    item_type: String,
    item_id: String,
    corrects_id: String,
    data: serde_json::Map<String, serde_json::Value>,
}

fn split_form(pairs: Vec<(String, String)>) -> Posted {
    let mut p = Posted {
        type_code: String::new(),
        title: String::new(),
        item_type: String::new(),
        item_id: String::new(),
        corrects_id: String::new(),
        data: serde_json::Map::new(),
    };
    for (k, v) in pairs {
        match k.as_str() {
            "type" => p.type_code = v,
            "title" => p.title = v,
            "item_type" => p.item_type = v,
            "item_id" => p.item_id = v,
            "corrects_id" => p.corrects_id = v,
            _ => {
                if let Some(key) = k.strip_prefix("f_") {
                    domain::doctypes::insert(&mut p.data, key, serde_json::Value::String(v));
                }
            }
        }
    }
    p
}

#[allow(clippy::too_many_arguments)]
fn form_again(
    state: &AppState,
    a: &Authed,
    t: &DocType,
    p: &Posted,
    errs: Errs,
    action: String,
    editing: bool,
    status: StatusCode,
) -> Response {
    let data = serde_json::Value::Object(p.data.clone());
    let page = FormPage {
        fields: field_views(a, t, &data, &errs),
        l: Layout::new(state, &a.ctx, "documents", "documents.new"),
        t: Some(t.clone()),
        types: vec![],
        action,
        title: p.title.clone(),
        item_type: p.item_type.clone(),
        item_id: p.item_id.clone(),
        corrects_id: p.corrects_id.clone(),
        errs,
        editing,
    };
    render_status(status, &page)
}

async fn create(
    State(state): State<AppState>,
    a: Authed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    a.actor.scope(Permission::DocumentDraft)?;
    let p = split_form(pairs);
    let t = docs::doc_type(&state, &p.type_code)?.clone();
    let input = DraftInput {
        type_code: t.code.clone(),
        unit_id: None,
        item_type: Some(p.item_type.clone()),
        item_id: Some(p.item_id.clone()),
        title: Some(p.title.clone()),
        data: serde_json::Value::Object(p.data.clone()),
        step: None,
        corrects_id: p.corrects_id.trim().parse().ok(),
    };
    match docs::create_draft(&state, &a.actor, &a.ctx, input).await {
        Ok(d) => Ok(redirect_ok(&format!("/documents/{}", d.id), "ok.created")),
        Err(AppError::Invalid(e)) => Ok(form_again(
            &state,
            &a,
            &t,
            &p,
            Errs::from(a.ctx.tr(), &e),
            "/documents".into(),
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentDraft)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    if d.status == "issued" {
        return Err(AppError::Conflict("err.document_issued_immutable".into()));
    }
    let t = docs::doc_type(&state, &d.type_code)?.clone();
    let data: serde_json::Value = serde_json::from_str(&d.data).unwrap_or_default();
    let errs = Errs::default();
    let page = FormPage {
        fields: field_views(&a, &t, &data, &errs),
        l: Layout::new(&state, &a.ctx, "documents", "documents.edit"),
        t: Some(t),
        types: vec![],
        action: format!("/documents/{id}/edit"),
        title: d.title,
        item_type: d.item_type.unwrap_or_default(),
        item_id: d.item_id.unwrap_or_default(),
        corrects_id: d.corrects_id.map(|c| c.to_string()).unwrap_or_default(),
        errs,
        editing: true,
    };
    Ok(render(&page))
}

async fn edit(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentDraft)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    let t = docs::doc_type(&state, &d.type_code)?.clone();
    let p = split_form(pairs);
    let data = serde_json::Value::Object(p.data.clone());
    match docs::update_draft(&state, &a.actor, &a.ctx, id, Some(p.title.clone()), data).await {
        Ok(_) => Ok(redirect_ok(&format!("/documents/{id}"), "ok.saved")),
        Err(AppError::Invalid(e)) => Ok(form_again(
            &state,
            &a,
            &t,
            &p,
            Errs::from(a.ctx.tr(), &e),
            format!("/documents/{id}/edit"),
            true,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

/// One step of the flow stepper.
pub struct Step {
    pub key: &'static str,
    /// done | current | todo | skipped
    pub state: &'static str,
}

fn stepper(d: &Document, served: bool, has_service: bool) -> Vec<Step> {
    let reached = |s: &str| match s {
        "draft" => 0,
        "in_review" => 1,
        "approved" => 2,
        _ => 3,
    };
    let at = reached(&d.status);
    let mut steps = vec![Step {
        key: "draft",
        state: if at == 0 { "current" } else { "done" },
    }];
    steps.push(Step {
        key: "review",
        state: if !d.review_required {
            "skipped"
        } else if at == 1 {
            "current"
        } else if at >= 2 {
            "done"
        } else {
            "todo"
        },
    });
    steps.push(Step {
        key: "issue",
        state: if at == 3 {
            "done"
        } else if at == 2 || (at == 0 && !d.review_required) {
            "current"
        } else {
            "todo"
        },
    });
    if served {
        steps.push(Step {
            key: "serve",
            state: if has_service {
                "done"
            } else if at == 3 {
                "current"
            } else {
                "todo"
            },
        });
    }
    steps
}

pub struct ServiceRow {
    pub s: Service,
    pub method_name: String,
}

pub struct ClockRow {
    pub c: Clock,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "pages/document_detail.html")]
struct DetailPage {
    l: Layout,
    d: Document,
    t: DocType,
    steps: Vec<Step>,
    fields: Vec<(String, String)>,
    unit_name: String,
    issuer_name: String,
    has_seal: bool,
    reviewer: String,
    signer: String,
    services: Vec<ServiceRow>,
    clocks: Vec<ClockRow>,
    corrects: Option<Document>,
    corrected_by: Vec<Document>,
    methods: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    can_submit: bool,
    can_review: bool,
    can_issue: bool,
    can_serve: bool,
    can_correct: bool,
    error: String,
    errs: Errs,
    today: String,
}

async fn user_name(state: &AppState, id: Option<i64>) -> String {
    match id {
        Some(id) => storage::repo::users::display_name(&state.db, id)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| format!("#{id}")),
        None => String::new(),
    }
}

async fn detail_page(
    state: &AppState,
    a: &Authed,
    id: i64,
    flash: Option<&str>,
    error: String,
    errs: Errs,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    let t = docs::doc_type(state, &d.type_code)?.clone();
    let data: serde_json::Value = serde_json::from_str(&d.data).unwrap_or_default();
    let fields = t
        .fields
        .iter()
        .map(|f| {
            (
                f.label_zh.clone(),
                value_text(f.kind, domain::doctypes::lookup(&data, &f.key)),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let services: Vec<ServiceRow> = documents::services(&state.db, id)
        .await?
        .into_iter()
        .map(|s| ServiceRow {
            method_name: ServiceMethod::from_code(&s.method)
                .map(|m| a.ctx.tr().label("service_method", m.code()))
                .unwrap_or_else(|| s.method.clone()),
            s,
        })
        .collect();
    let today = storage::today();
    let clocks = clocks_of(state, a, id)
        .await?
        .into_iter()
        .map(|c| ClockRow {
            status: status_of(&c, today),
            c,
        })
        .collect();
    let unit_name = units::by_id(&state.db.conn, d.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let issuer_id = d.issuer_unit_id.unwrap_or(d.unit_id);
    let issuer_name = units::by_id(&state.db.conn, issuer_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let has_seal = documents::seal_of(&state.db.conn, issuer_id)
        .await?
        .is_some();
    let corrects = match d.corrects_id {
        Some(c) => documents::get(&state.db.conn, &scope, c).await.ok(),
        None => None,
    };
    let corrected_by = documents::corrections_of(&state.db, &scope, id).await?;
    let issued = d.status == "issued";
    let can = |p| a.actor.scope(p).is_ok_and(|s| s.allows_unit(d.unit_id));
    let mut l = Layout::new(state, &a.ctx, "documents", "nav.documents").with_flash(flash);
    l.title = d.number.clone().unwrap_or_else(|| d.title.clone());
    let page = DetailPage {
        steps: stepper(&d, t.served, !services.is_empty()),
        fields,
        unit_name,
        issuer_name,
        has_seal,
        reviewer: user_name(state, d.reviewer_id).await,
        signer: user_name(state, d.signer_id).await,
        services,
        clocks,
        corrects,
        corrected_by,
        methods: ServiceMethod::ALL
            .iter()
            .map(|m| (m.code(), m.name_zh()))
            .collect(),
        can_edit: !issued && d.status != "in_review" && can(Permission::DocumentDraft),
        can_submit: d.status == "draft" && d.review_required && can(Permission::DocumentDraft),
        can_review: d.status == "in_review" && can(Permission::LegalSupervision),
        can_issue: documents::ready_to_issue(&d) && can(Permission::DocumentSign),
        can_serve: issued && t.served && can(Permission::DocumentDraft),
        can_correct: issued && can(Permission::DocumentDraft),
        error: error.clone(),
        errs,
        today: today.to_string(),
        l,
        d,
        t,
    };
    let code = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(code, &page))
}

async fn detail(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<DocQuery>,
) -> AppResult<Response> {
    detail_page(
        &state,
        &a,
        id,
        q.ok.as_deref(),
        String::new(),
        Errs::default(),
    )
    .await
}

/// Shows a refusal of a flow step on the document's page, in words.
async fn refused(state: &AppState, a: &Authed, id: i64, e: AppError) -> AppResult<Response> {
    let tr = a.ctx.tr();
    match e {
        AppError::Conflict(k) => {
            detail_page(state, a, id, None, tr.t(&k).to_string(), Errs::default()).await
        }
        AppError::Invalid(f) => {
            let errs = Errs::from(tr, &f);
            let msg = errs.joined();
            detail_page(state, a, id, None, msg, errs).await
        }
        AppError::Calendar(c) => detail_page(state, a, id, None, c.zh(), Errs::default()).await,
        other => Err(other),
    }
}

async fn submit(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    a.actor.scope(Permission::DocumentDraft)?;
    match docs::submit(&state, &a.actor, &a.ctx, id).await {
        Ok(_) => Ok(redirect_ok(&format!("/documents/{id}"), "ok.doc_submitted")),
        Err(e) => refused(&state, &a, id, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReviewForm {
    decision: String,
    opinion: String,
}

async fn review(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> AppResult<Response> {
    a.actor.scope(Permission::LegalSupervision)?;
    let approve = match f.decision.as_str() {
        "approve" => true,
        "return" => false,
        _ => return Err(AppError::BadRequest("error.bad_form".into())),
    };
    match docs::review(&state, &a.actor, &a.ctx, id, approve, &f.opinion).await {
        Ok(_) => Ok(redirect_ok(
            &format!("/documents/{id}"),
            if approve {
                "ok.doc_approved"
            } else {
                "ok.doc_returned"
            },
        )),
        Err(e) => refused(&state, &a, id, e).await,
    }
}

async fn issue(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    a.actor.scope(Permission::DocumentSign)?;
    match docs::issue(&state, &a.actor, &a.ctx, id).await {
        Ok(_) => Ok(redirect_ok(&format!("/documents/{id}"), "ok.doc_issued")),
        Err(e) => refused(&state, &a, id, e).await,
    }
}

/// A correction: a new draft of the same type with the same data, which
/// references the issued document it corrects.
async fn correct(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentDraft)?;
    let d = documents::get(&state.db.conn, &scope, id).await?;
    let input = DraftInput {
        type_code: d.type_code.clone(),
        unit_id: Some(d.unit_id),
        item_type: d.item_type.clone(),
        item_id: d.item_id.clone(),
        title: Some(d.title.clone()),
        data: serde_json::from_str(&d.data).unwrap_or_default(),
        step: d.step.clone(),
        corrects_id: Some(d.id),
    };
    match docs::create_draft(&state, &a.actor, &a.ctx, input).await {
        Ok(n) => Ok(redirect_ok(
            &format!("/documents/{}/edit", n.id),
            "ok.created",
        )),
        Err(e) => refused(&state, &a, id, e).await,
    }
}

async fn pdf(State(state): State<AppState>, a: Authed, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    let (d, bytes) = docs::pdf(&state, &scope, id).await?;
    Ok(pdf_response(&d, bytes))
}

/// The upload form of a request, read only after the permission check (a
/// caller without the permission gets 403, not a complaint about the body).
async fn multipart(req: Request, state: &AppState) -> AppResult<Multipart> {
    use axum::extract::FromRequest;
    Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::BadRequest("error.bad_form".into()))
}

/// Reads an upload form: its text fields and at most one file.
pub async fn read_multipart(
    mut mp: Multipart,
    file_field: &str,
    max: usize,
) -> AppResult<(
    Vec<(String, String)>,
    Option<(Vec<u8>, String, Option<String>)>,
)> {
    let bad = |_| AppError::BadRequest("error.bad_form".into());
    let mut fields = Vec::new();
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            let fname = field.file_name().map(str::to_string);
            let ctype = field.content_type().unwrap_or("").to_string();
            let mut bytes = Vec::new();
            let mut field = field;
            while let Some(chunk) = field.chunk().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest("error.bad_form".into())
                }
            })? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > max {
                    return Err(AppError::PayloadTooLarge);
                }
            }
            if !bytes.is_empty() {
                file = Some((bytes, ctype, fname.filter(|n| !n.is_empty())));
            }
        } else {
            let v = field.text().await.map_err(bad)?;
            fields.push((name, v));
        }
    }
    Ok((fields, file))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

async fn serve(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    a.actor.scope(Permission::DocumentDraft)?;
    let mp = multipart(req, &state).await?;
    let (fields, file) = read_multipart(mp, "proof", docs::MAX_PROOF_BYTES).await?;
    let input = ServiceInput {
        method: field(&fields, "method").to_string(),
        served_on: NaiveDate::parse_from_str(field(&fields, "served_on").trim(), "%Y-%m-%d").ok(),
        recipient: field(&fields, "recipient").to_string(),
        consent_ref: Some(field(&fields, "consent_ref").to_string()),
        note: Some(field(&fields, "note").to_string()),
        proof: file,
    };
    match docs::serve(&state, &a.actor, &a.ctx, id, input).await {
        Ok(_) => Ok(redirect_ok(&format!("/documents/{id}"), "ok.doc_served")),
        Err(e) => refused(&state, &a, id, e).await,
    }
}

async fn proof(
    State(state): State<AppState>,
    a: Authed,
    Path((id, sid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    let s = documents::service_of(&state.db.conn, &scope, id, sid).await?;
    let hash = s.proof_hash.ok_or(AppError::NotFound)?;
    let (bytes, mime) = docs::file_bytes(&state, &hash).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
        ],
        bytes,
    )
        .into_response())
}

pub struct SealRow {
    pub unit: units::Unit,
    pub has_seal: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "pages/seals.html")]
struct SealsPage {
    l: Layout,
    rows: Vec<SealRow>,
    can_manage: bool,
    error: String,
}

async fn seals_page(
    state: &AppState,
    a: &Authed,
    flash: Option<&str>,
    error: String,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    // Issuing organs: the unit kinds the catalogue issues in the name of.
    let kinds: std::collections::BTreeSet<&str> =
        state.catalogue.iter().map(|t| t.issuer.as_str()).collect();
    let l = Layout::new(state, &a.ctx, "documents", "seals.title").with_flash(flash);
    let seals = documents::seal_times(&state.db.conn).await?;
    let rows = units::all(&state.db, &scope)
        .await?
        .into_iter()
        .filter(|u| kinds.contains(u.kind.as_str()))
        .map(|u| {
            let updated = seals.get(&u.id);
            SealRow {
                has_seal: updated.is_some(),
                updated: updated.map(|t| l.fmt_time(t)).unwrap_or_default(),
                unit: u,
            }
        })
        .collect();
    let code = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        code,
        &SealsPage {
            l,
            rows,
            can_manage: a.actor.can(Permission::SealManage),
            error,
        },
    ))
}

async fn seals(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<DocQuery>,
) -> AppResult<Response> {
    seals_page(&state, &a, q.ok.as_deref(), String::new()).await
}

async fn upload_seal(
    State(state): State<AppState>,
    a: Authed,
    Path(unit_id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    a.actor.scope(Permission::SealManage)?;
    let mp = multipart(req, &state).await?;
    let (_, file) = read_multipart(mp, "seal", docs::MAX_SEAL_BYTES).await?;
    let bytes = file.map(|f| f.0).unwrap_or_default();
    match docs::set_seal(&state, &a.actor, &a.ctx, unit_id, bytes).await {
        Ok(()) => Ok(redirect_ok("/seals", "ok.seal_saved")),
        Err(AppError::Invalid(e)) => {
            let msg = Errs::from(a.ctx.tr(), &e).joined();
            seals_page(&state, &a, None, msg).await
        }
        Err(e) => Err(e),
    }
}

async fn seal_image(
    State(state): State<AppState>,
    a: Authed,
    Path(unit_id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::DocumentRead)?;
    units::get(&state.db, &scope, unit_id).await?;
    let seal = documents::seal_of(&state.db.conn, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (bytes, mime) = docs::file_bytes(&state, &seal.hash).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, max-age=60".to_string()),
        ],
        bytes,
    )
        .into_response())
}

impl DetailPage {
    fn step_label(&self, key: &str) -> String {
        self.l.tr.label("doc_step", key)
    }
    fn status_label(&self) -> String {
        self.l.tr.label("doc_status", &self.d.status)
    }
}

impl ListPage {
    fn status_label(&self, s: &str) -> String {
        self.l.tr.label("doc_status", s)
    }
}
