//! 监管对象: the registry with its search box, a subject's page with its
//! change history, and the add / edit form.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::get,
};
use domain::{
    Permission,
    subject::{LegalForm, SectorRole},
};
use serde::Deserialize;
use storage::repo::{
    PageReq,
    subjects::{self, RISK_LEVELS, STATUSES, Subject, SubjectFilter},
};

use super::{Errs, Form, Layout, redirect_ok, render, render_status};
use crate::{
    AppState,
    api::subjects::{ChangeDto, SubjectBody, history, parse_body},
    ctx::Authed,
    error::{AppError, AppResult},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subjects", get(list).post(create))
        .route("/subjects/new", get(new_form))
        .route("/subjects/{id}", get(detail).post(update))
        .route("/subjects/{id}/edit", get(edit_form))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SubjectQuery {
    q: Option<String>,
    page: Option<u64>,
    legal_form: Option<String>,
    role: Option<String>,
    risk_level: Option<String>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/subjects.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Subject>,
    total: u64,
    page: u64,
    pages: u64,
    base: String,
    q: String,
    q_form: String,
    q_role: String,
    q_risk: String,
    forms: Vec<(&'static str, &'static str)>,
    roles: Vec<&'static str>,
    risks: Vec<&'static str>,
    can_write: bool,
}

async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<SubjectQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::SubjectRead)?;
    let f = SubjectFilter {
        q: q.q.clone(),
        legal_form: q.legal_form.clone(),
        role: q.role.clone(),
        risk_level: q.risk_level.clone(),
        ..Default::default()
    };
    let p = subjects::list(&state.db, &scope, &f, PageReq::new(q.page, None)).await?;
    let mut base = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &q.q),
        ("legal_form", &q.legal_form),
        ("role", &q.role),
        ("risk_level", &q.risk_level),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            base.append_pair(k, v);
        }
    }
    Ok(render(&ListPage {
        l: Layout::new(&state, &a.ctx, "subjects", "nav.subjects").with_flash(q.ok.as_deref()),
        rows: p.items,
        total: p.total,
        page: p.page,
        pages: p.total.div_ceil(p.per_page).max(1),
        base: base.finish(),
        q: q.q.unwrap_or_default(),
        q_form: q.legal_form.unwrap_or_default(),
        q_role: q.role.unwrap_or_default(),
        q_risk: q.risk_level.unwrap_or_default(),
        forms: LegalForm::ALL
            .iter()
            .map(|f| (f.code(), f.name_zh()))
            .collect(),
        roles: SectorRole::ALL.iter().map(|r| r.code()).collect(),
        risks: RISK_LEVELS.to_vec(),
        can_write: a.actor.can(Permission::SubjectWrite),
    }))
}

impl ListPage {
    fn form_name(&self, code: &str) -> String {
        self.l.tr.label("legal_form", code)
    }
    fn role_name(&self, code: &str) -> String {
        self.l.tr.label("sector_role", code)
    }
    fn risk_name(&self, code: &str) -> String {
        self.l.tr.label("risk_level", code)
    }
    fn roles_of(&self, s: &Subject) -> Vec<String> {
        subjects::roles_of(s)
            .iter()
            .map(|r| self.l.tr.label("sector_role", r.code()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "pages/subject_detail.html")]
struct DetailPage {
    l: Layout,
    s: Subject,
    tags: Vec<String>,
    roles: Vec<String>,
    history: Vec<ChangeDto>,
    can_write: bool,
}

impl DetailPage {
    fn label(&self, prefix: &str, code: &str) -> String {
        self.l.tr.label(prefix, code)
    }
    /// "field: before → after" lines of one change.
    fn changes(&self, c: &ChangeDto) -> Vec<String> {
        let Some(after) = c.after.as_object() else {
            return vec![];
        };
        after
            .iter()
            .map(|(k, v)| {
                let b = c.before.get(k).map(show).unwrap_or_default();
                let label = self.l.tr.label("subject_field", k);
                if c.action == "subject.create" {
                    format!("{label}：{}", show(v))
                } else {
                    format!("{label}：{b} → {}", show(v))
                }
            })
            .filter(|l| !l.ends_with('：'))
            .collect()
    }
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    }
}

async fn detail(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<SubjectQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::SubjectRead)?;
    let s = subjects::get(&state.db, &scope, id).await?;
    let mut l = Layout::new(&state, &a.ctx, "subjects", "nav.subjects").with_flash(q.ok.as_deref());
    l.title = s.name.clone();
    Ok(render(&DetailPage {
        tags: subjects::tags_of(&s),
        roles: subjects::roles_of(&s)
            .iter()
            .map(|r| l.tr.label("sector_role", r.code()))
            .collect(),
        history: history(&state, id).await?,
        can_write: a.actor.can(Permission::SubjectWrite),
        l,
        s,
    }))
}

/// The form as posted: `roles` may repeat; `tags` is one text.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SubjectFormData {
    uscc: String,
    name: String,
    legal_form: String,
    legal_representative: String,
    district_code: String,
    address: String,
    industry_code: String,
    employee_count: String,
    phone: String,
    established_on: String,
    status: String,
    risk_level: String,
    tags: String,
    roles: Vec<String>,
}

fn form_from_pairs(pairs: Vec<(String, String)>) -> SubjectFormData {
    let mut f = SubjectFormData::default();
    for (k, v) in pairs {
        match k.as_str() {
            "uscc" => f.uscc = v,
            "name" => f.name = v,
            "legal_form" => f.legal_form = v,
            "legal_representative" => f.legal_representative = v,
            "district_code" => f.district_code = v,
            "address" => f.address = v,
            "industry_code" => f.industry_code = v,
            "employee_count" => f.employee_count = v,
            "phone" => f.phone = v,
            "established_on" => f.established_on = v,
            "status" => f.status = v,
            "risk_level" => f.risk_level = v,
            "tags" => f.tags = v,
            "roles" => f.roles.push(v),
            _ => {}
        }
    }
    f
}

fn body_of(f: &SubjectFormData) -> SubjectBody {
    SubjectBody {
        uscc: f.uscc.clone(),
        name: f.name.clone(),
        legal_form: f.legal_form.clone(),
        legal_representative: f.legal_representative.clone(),
        district_code: f.district_code.clone(),
        address: f.address.clone(),
        industry_code: f.industry_code.clone(),
        employee_count: f.employee_count.clone(),
        phone: f.phone.clone(),
        established_on: f.established_on.clone(),
        status: Some(f.status.clone()).filter(|s| !s.is_empty()),
        risk_level: Some(f.risk_level.clone()).filter(|s| !s.is_empty()),
        tags: f
            .tags
            .split(['，', ',', ' ', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        roles: f.roles.clone(),
    }
}

#[derive(Template)]
#[template(path = "pages/subject_form.html")]
struct FormPage {
    l: Layout,
    f: SubjectFormData,
    errs: Errs,
    action: String,
    forms: Vec<(&'static str, &'static str)>,
    roles: Vec<&'static str>,
    statuses: Vec<&'static str>,
    risks: Vec<&'static str>,
}

impl FormPage {
    fn label(&self, prefix: &str, code: &str) -> String {
        self.l.tr.label(prefix, code)
    }
    fn text_fields(&self) -> Vec<(&'static str, String, bool)> {
        let f = &self.f;
        vec![
            ("name", f.name.clone(), true),
            ("uscc", f.uscc.clone(), false),
            (
                "legal_representative",
                f.legal_representative.clone(),
                false,
            ),
            ("district_code", f.district_code.clone(), false),
            ("address", f.address.clone(), false),
            ("industry_code", f.industry_code.clone(), false),
            ("employee_count", f.employee_count.clone(), false),
            ("phone", f.phone.clone(), false),
            ("established_on", f.established_on.clone(), false),
            ("tags", f.tags.clone(), false),
        ]
    }
    fn has_role(&self, r: &str) -> bool {
        self.f.roles.iter().any(|x| x == r)
    }
}

fn form_page(
    state: &AppState,
    a: &Authed,
    f: SubjectFormData,
    errs: Errs,
    action: String,
    status: StatusCode,
) -> Response {
    let page = FormPage {
        l: Layout::new(state, &a.ctx, "subjects", "subjects.form"),
        f,
        errs,
        action,
        forms: LegalForm::ALL
            .iter()
            .map(|f| (f.code(), f.name_zh()))
            .collect(),
        roles: SectorRole::ALL.iter().map(|r| r.code()).collect(),
        statuses: STATUSES.to_vec(),
        risks: RISK_LEVELS.to_vec(),
    };
    render_status(status, &page)
}

async fn new_form(State(state): State<AppState>, a: Authed) -> AppResult<Response> {
    a.actor.scope(Permission::SubjectWrite)?;
    let f = SubjectFormData {
        status: "active".into(),
        risk_level: "normal".into(),
        district_code: "130110".into(),
        ..Default::default()
    };
    Ok(form_page(
        &state,
        &a,
        f,
        Errs::default(),
        "/subjects".into(),
        StatusCode::OK,
    ))
}

async fn edit_form(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::SubjectWrite)?;
    let s = subjects::get(&state.db, &scope, id).await?;
    let f = SubjectFormData {
        uscc: s.uscc.clone().unwrap_or_default(),
        name: s.name.clone(),
        legal_form: s.legal_form.clone(),
        legal_representative: s.legal_representative.clone().unwrap_or_default(),
        district_code: s.district_code.clone().unwrap_or_default(),
        address: s.address.clone().unwrap_or_default(),
        industry_code: s.industry_code.clone().unwrap_or_default(),
        employee_count: s.employee_count.map(|n| n.to_string()).unwrap_or_default(),
        phone: s.phone.clone().unwrap_or_default(),
        established_on: s.established_on.map(|d| d.to_string()).unwrap_or_default(),
        status: s.status.clone(),
        risk_level: s.risk_level.clone(),
        tags: subjects::tags_of(&s).join("，"),
        roles: subjects::roles_of(&s)
            .iter()
            .map(|r| r.code().to_string())
            .collect(),
    };
    Ok(form_page(
        &state,
        &a,
        f,
        Errs::default(),
        format!("/subjects/{id}"),
        StatusCode::OK,
    ))
}

async fn save(
    state: &AppState,
    a: &Authed,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::SubjectWrite)?;
    let f = form_from_pairs(pairs);
    let action = id
        .map(|i| format!("/subjects/{i}"))
        .unwrap_or_else(|| "/subjects".into());
    let again = |e: &domain::FieldErrors| {
        form_page(
            state,
            a,
            f.clone(),
            Errs::from(a.ctx.tr(), e),
            action.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let (i, x) = match parse_body(&body_of(&f)) {
        Ok(v) => v,
        Err(AppError::Invalid(e)) => return Ok(again(&e)),
        Err(e) => return Err(e),
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let r = match id {
        Some(id) => subjects::update(&mut tx, &scope, id, &i, &x).await,
        None => subjects::create(&mut tx, &i, &x).await,
    };
    match r {
        Ok(s) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/subjects/{}", s.id), "ok.saved"))
        }
        Err(storage::StorageError::Invalid(e)) => Ok(again(&e)),
        Err(storage::StorageError::Conflict("err.nothing_changed")) => Ok(redirect_ok(
            &format!("/subjects/{}", id.unwrap_or_default()),
            "ok.saved",
        )),
        Err(e) => Err(e.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    a: Authed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    a.actor.scope(Permission::SubjectWrite)?;
    save(&state, &a, None, pairs).await
}

async fn update(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    a.actor.scope(Permission::SubjectWrite)?;
    save(&state, &a, Some(id), pairs).await
}
