//! Org units: list, detail, create, edit, delete.

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
    org::{UnitForm, UnitKind},
};
use storage::repo::{
    PageReq, audit,
    units::{self, Unit, UnitFilter},
};

use super::{Errs, Form, Layout, ListQuery, redirect_ok, render, render_status};
use crate::{AppState, ctx::Authed, error::AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list).post(create))
        .route("/units/new", get(new_form))
        .route("/units/{id}", get(detail).post(update))
        .route("/units/{id}/edit", get(edit_form))
        .route("/units/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "pages/units.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Unit>,
    all: Vec<Unit>,
    total: u64,
    page: u64,
    pages: u64,
    base: String,
    q: ListQuery,
    kinds: Vec<&'static str>,
    can_write: bool,
}

impl ListPage {
    fn parent_name(&self, id: &Option<i64>) -> String {
        id.and_then(|i| self.all.iter().find(|u| u.id == i))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }
}

async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UnitRead)?;
    let f = UnitFilter {
        q: q.q.clone(),
        kind: q.kind.clone(),
        parent_id: None,
    };
    let p = units::list(&state.db, &scope, &f, PageReq::new(q.page, q.per_page)).await?;
    let all = units::all(&state.db, &scope).await?;
    let l = Layout::new(&state, &a.ctx, "units", "nav.units").with_flash(q.ok.as_deref());
    Ok(render(&ListPage {
        l,
        pages: p.pages(),
        total: p.total,
        page: p.page,
        rows: p.items,
        all,
        base: q.base(),
        q,
        kinds: UnitKind::ALL.iter().map(|k| k.code()).collect(),
        can_write: a.actor.can(Permission::UnitWrite),
    }))
}

#[derive(Template)]
#[template(path = "pages/unit_form.html")]
struct FormPage {
    l: Layout,
    id: Option<i64>,
    f: UnitForm,
    errs: Errs,
    parents: Vec<Unit>,
    kinds: Vec<&'static str>,
}

fn form_from(u: &Unit) -> UnitForm {
    UnitForm {
        parent_id: u.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        code: u.code.clone(),
        name: u.name.clone(),
        short_name: u.short_name.clone().unwrap_or_default(),
        kind: u.kind.clone(),
        sort_order: u.sort_order.to_string(),
    }
}

async fn form_page(
    state: &AppState,
    a: &Authed,
    id: Option<i64>,
    f: UnitForm,
    errs: Errs,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UnitRead)?;
    let parents = units::all(&state.db, &scope)
        .await?
        .into_iter()
        .filter(|u| Some(u.id) != id)
        .collect();
    let title = if id.is_some() {
        "units.edit"
    } else {
        "units.new"
    };
    let status = if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        l: Layout::new(state, &a.ctx, "units", title),
        id,
        f,
        errs,
        parents,
        kinds: UnitKind::ALL.iter().map(|k| k.code()).collect(),
    };
    Ok(render_status(status, &page))
}

async fn new_form(State(state): State<AppState>, a: Authed) -> AppResult<Response> {
    a.actor.scope(Permission::UnitWrite)?;
    form_page(&state, &a, None, UnitForm::default(), Errs::default()).await
}

async fn create(
    State(state): State<AppState>,
    a: Authed,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    a.actor.scope(Permission::UnitWrite)?;
    let input = match f.parse() {
        Ok(i) => i,
        Err(e) => return form_page(&state, &a, None, f, Errs::from(a.ctx.tr(), &e)).await,
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match units::create(&mut tx, &input).await {
        Ok(u) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/units/{}", u.id), "ok.saved"))
        }
        Err(storage::StorageError::Invalid(e)) => {
            form_page(&state, &a, None, f, Errs::from(a.ctx.tr(), &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/unit_detail.html")]
struct DetailPage {
    l: Layout,
    u: Unit,
    parent: Option<Unit>,
    children: Vec<Unit>,
    history: Vec<audit::AuditEvent>,
    can_write: bool,
}

async fn detail(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UnitRead)?;
    let u = units::get(&state.db, &scope, id).await?;
    let all = units::all(&state.db, &scope).await?;
    let parent = u
        .parent_id
        .and_then(|p| all.iter().find(|x| x.id == p).cloned());
    let children = all
        .into_iter()
        .filter(|x| x.parent_id == Some(id))
        .collect();
    let history = audit::for_entity(&state.db, "unit", &id.to_string()).await?;
    let mut l = Layout::new(&state, &a.ctx, "units", "nav.units").with_flash(q.ok.as_deref());
    l.title = u.name.clone();
    Ok(render(&DetailPage {
        l,
        u,
        parent,
        children,
        history,
        can_write: a.actor.can(Permission::UnitWrite),
    }))
}

async fn edit_form(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UnitWrite)?;
    let u = units::get(&state.db, &scope, id).await?;
    form_page(&state, &a, Some(id), form_from(&u), Errs::default()).await
}

async fn update(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UnitWrite)?;
    let input = match f.parse() {
        Ok(i) => i,
        Err(e) => return form_page(&state, &a, Some(id), f, Errs::from(a.ctx.tr(), &e)).await,
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match units::update(&mut tx, &scope, id, &input).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/units/{id}"), "ok.saved"))
        }
        Err(storage::StorageError::Invalid(e)) => {
            form_page(&state, &a, Some(id), f, Errs::from(a.ctx.tr(), &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UnitWrite)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    units::delete(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(redirect_ok("/units", "ok.deleted"))
}
