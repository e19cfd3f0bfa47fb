//! Staff: list, detail with certificates and declared relationships (回避),
//! create, edit, delete.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use domain::{
    Permission,
    org::{
        CertificateForm, CertificateKind, RelationForm, RelationKind, StaffForm, certificate_status,
    },
};
use storage::{
    StorageError,
    repo::{
        PageReq, audit,
        staff::{self, Certificate, StaffDetail, StaffFilter, StaffRow},
        units::{self, Unit},
    },
};

use super::{Errs, Form, Layout, ListQuery, redirect_ok, render, render_status};
use crate::{AppState, ctx::Authed, error::AppResult, forms::today};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(list).post(create))
        .route("/staff/new", get(new_form))
        .route("/staff/{id}", get(detail).post(update))
        .route("/staff/{id}/edit", get(edit_form))
        .route("/staff/{id}/delete", post(delete))
        .route("/staff/{id}/certificates", post(add_certificate))
        .route("/certificates/{id}/revoke", post(revoke_certificate))
        .route("/staff/{id}/relations", post(add_relation))
        .route("/relations/{id}/delete", post(delete_relation))
}

#[derive(Template)]
#[template(path = "pages/staff.html")]
struct ListPage {
    l: Layout,
    rows: Vec<StaffRow>,
    units: Vec<Unit>,
    total: u64,
    page: u64,
    pages: u64,
    base: String,
    q: ListQuery,
    unit_id: Option<i64>,
    can_write: bool,
}

impl ListPage {
    fn selected(&self, id: &i64) -> bool {
        self.unit_id == Some(*id)
    }
}

async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffRead)?;
    let f = StaffFilter {
        q: q.q.clone(),
        unit_id: q.unit_id(),
        active: None,
    };
    let p = staff::list(
        &state.db,
        &scope,
        &f,
        PageReq::new(q.page, q.per_page),
        today(),
    )
    .await?;
    let units = units::all(&state.db, &scope).await?;
    let l = Layout::new(&state, &a.ctx, "staff", "nav.staff").with_flash(q.ok.as_deref());
    Ok(render(&ListPage {
        l,
        pages: p.pages(),
        total: p.total,
        page: p.page,
        rows: p.items,
        units,
        base: q.base(),
        unit_id: q.unit_id(),
        q,
        can_write: a.actor.can(Permission::StaffWrite),
    }))
}

#[derive(Template)]
#[template(path = "pages/staff_form.html")]
struct FormPage {
    l: Layout,
    id: Option<i64>,
    f: StaffForm,
    errs: Errs,
    units: Vec<Unit>,
}

fn form_from(s: &staff::Staff) -> StaffForm {
    StaffForm {
        unit_id: s.unit_id.to_string(),
        name: s.name.clone(),
        gender: s.gender.clone().unwrap_or_default(),
        position: s.position.clone().unwrap_or_default(),
        phone: s.phone.clone().unwrap_or_default(),
        active: Some(s.active.to_string()),
    }
}

async fn form_page(
    state: &AppState,
    a: &Authed,
    id: Option<i64>,
    f: StaffForm,
    errs: Errs,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let units = units::all(&state.db, &scope).await?;
    let title = if id.is_some() {
        "staff.edit"
    } else {
        "staff.new"
    };
    let status = if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        l: Layout::new(state, &a.ctx, "staff", title),
        id,
        f,
        errs,
        units,
    };
    Ok(render_status(status, &page))
}

async fn new_form(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    a.actor.scope(Permission::StaffWrite)?;
    let f = StaffForm {
        unit_id: q.unit_id().map(|u| u.to_string()).unwrap_or_default(),
        active: Some("true".into()),
        ..Default::default()
    };
    form_page(&state, &a, None, f, Errs::default()).await
}

async fn create(
    State(state): State<AppState>,
    a: Authed,
    Form(f): Form<StaffForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let input = match f.parse() {
        Ok(i) => i,
        Err(e) => return form_page(&state, &a, None, f, Errs::from(a.ctx.tr(), &e)).await,
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match staff::create(&mut tx, &scope, &input).await {
        Ok(s) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/staff/{}", s.id), "ok.saved"))
        }
        Err(StorageError::Invalid(e)) => {
            form_page(&state, &a, None, f, Errs::from(a.ctx.tr(), &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A certificate with its state on a given day.
struct CertView {
    c: Certificate,
    /// valid, expired, revoked or pending (not yet valid).
    status: &'static str,
}

impl CertView {
    fn new(c: Certificate, day: chrono::NaiveDate) -> Self {
        let status = certificate_status(c.valid_from, c.valid_to, c.revoked, day);
        CertView { c, status }
    }
    fn badge(&self) -> &'static str {
        match self.status {
            "valid" => "ok",
            "expired" => "warn",
            "revoked" => "bad",
            _ => "muted",
        }
    }
}

#[derive(Template)]
#[template(path = "pages/staff_detail.html")]
struct DetailPage {
    l: Layout,
    s: StaffDetail,
    certs: Vec<CertView>,
    history: Vec<audit::AuditEvent>,
    can_write: bool,
    /// A refused action, shown above everything.
    error: Option<String>,
    cf: CertificateForm,
    cerrs: Errs,
    rf: RelationForm,
    rerrs: Errs,
    cert_kinds: Vec<&'static str>,
    relation_kinds: Vec<&'static str>,
}

/// What the detail page shows besides the record: a refused action or the
/// sub-forms with their errors.
#[derive(Default)]
struct Extra {
    flash: Option<String>,
    error: Option<String>,
    cf: CertificateForm,
    cerrs: Errs,
    rf: RelationForm,
    rerrs: Errs,
}

async fn detail_page(
    state: &AppState,
    a: &Authed,
    id: i64,
    status: StatusCode,
    x: Extra,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffRead)?;
    let s = staff::get(&state.db, &scope, id).await?;
    let history = audit::for_entity(&state.db, "staff", &id.to_string()).await?;
    let day = today();
    let certs = s
        .certificates
        .iter()
        .cloned()
        .map(|c| CertView::new(c, day))
        .collect();
    let mut l = Layout::new(state, &a.ctx, "staff", "nav.staff").with_flash(x.flash.as_deref());
    l.title = s.staff.name.clone();
    Ok(render_status(
        status,
        &DetailPage {
            l,
            s,
            certs,
            history,
            can_write: a.actor.can(Permission::StaffWrite),
            error: x.error,
            cf: x.cf,
            cerrs: x.cerrs,
            rf: x.rf,
            rerrs: x.rerrs,
            cert_kinds: CertificateKind::ALL.iter().map(|k| k.code()).collect(),
            relation_kinds: RelationKind::ALL.iter().map(|k| k.code()).collect(),
        },
    ))
}

async fn detail(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let x = Extra {
        flash: q.ok,
        ..Default::default()
    };
    detail_page(&state, &a, id, StatusCode::OK, x).await
}

async fn edit_form(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let s = staff::get(&state.db, &scope, id).await?;
    form_page(&state, &a, Some(id), form_from(&s.staff), Errs::default()).await
}

async fn update(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<StaffForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let input = match f.parse() {
        Ok(i) => i,
        Err(e) => return form_page(&state, &a, Some(id), f, Errs::from(a.ctx.tr(), &e)).await,
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match staff::update(&mut tx, &scope, id, &input).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/staff/{id}"), "ok.saved"))
        }
        Err(StorageError::Invalid(e)) => {
            form_page(&state, &a, Some(id), f, Errs::from(a.ctx.tr(), &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A conflict shown on the detail page (409) instead of a bare error page.
async fn refused(state: &AppState, a: &Authed, id: i64, key: &str) -> AppResult<Response> {
    let x = Extra {
        error: Some(a.ctx.tr().t(key).to_string()),
        ..Default::default()
    };
    detail_page(state, a, id, StatusCode::CONFLICT, x).await
}

async fn delete(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match staff::delete(&mut tx, &scope, id).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(redirect_ok("/staff", "ok.deleted"))
        }
        Err(StorageError::Conflict("err.staff_has_account")) => {
            drop(tx);
            refused(&state, &a, id, "staff.delete_has_account").await
        }
        Err(StorageError::Conflict(k)) => {
            drop(tx);
            refused(&state, &a, id, k).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_certificate(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<CertificateForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let tr = a.ctx.tr();
    let with_errs = |cf: CertificateForm, e: &domain::FieldErrors| Extra {
        cerrs: Errs::from(tr, e),
        cf,
        ..Default::default()
    };
    let input = match f.parse() {
        Ok(i) => i,
        Err(e) => {
            let x = with_errs(f, &e);
            return detail_page(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, x).await;
        }
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match staff::add_certificate(&mut tx, &scope, id, &input).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/staff/{id}"), "ok.certificate_added"))
        }
        Err(StorageError::Invalid(e)) => {
            drop(tx);
            let x = with_errs(f, &e);
            detail_page(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, x).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_certificate(
    State(state): State<AppState>,
    a: Authed,
    Path(cert_id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let c = staff::get_certificate(&state.db, &scope, cert_id).await?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match staff::revoke_certificate(&mut tx, &scope, cert_id).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_ok(
                &format!("/staff/{}", c.staff_id),
                "ok.certificate_revoked",
            ))
        }
        Err(StorageError::Conflict(k)) => {
            drop(tx);
            refused(&state, &a, c.staff_id, k).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_relation(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<RelationForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let input = match f.parse() {
        Ok(i) => i,
        Err(e) => {
            let x = Extra {
                rerrs: Errs::from(a.ctx.tr(), &e),
                rf: f,
                ..Default::default()
            };
            return detail_page(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, x).await;
        }
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    staff::add_relation(&mut tx, &scope, id, &input).await?;
    tx.commit().await?;
    Ok(redirect_ok(&format!("/staff/{id}"), "ok.relation_added"))
}

async fn delete_relation(
    State(state): State<AppState>,
    a: Authed,
    Path(rel_id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::StaffWrite)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let r = staff::delete_relation(&mut tx, &scope, rel_id).await?;
    tx.commit().await?;
    Ok(redirect_ok(
        &format!("/staff/{}", r.staff_id),
        "ok.relation_deleted",
    ))
}
