//! Accounts and role assignments. 三员分立: the system administrator creates,
//! enables and disables accounts (`UserWrite`); the security administrator
//! grants and revokes roles, unlocks accounts and resets passwords
//! (`RoleAssign`).

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use domain::{Permission, Role, ScopeKind};
use serde::Deserialize;
use storage::{
    StorageError,
    repo::{
        PageReq, audit,
        staff::{self, Staff},
        units::{self, Unit},
        users::{self, UserDetail, UserRow},
    },
};

use super::{Errs, Form, Layout, ListQuery, redirect_ok, render, render_status};
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    forms::{PasswordForm, RoleForm, UserForm},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/new", get(new_form))
        .route("/users/{id}", get(detail))
        .route("/users/{id}/roles", post(grant))
        .route("/users/{id}/roles/{aid}/delete", post(revoke))
        .route("/users/{id}/unlock", post(unlock))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/active", post(set_active))
}

#[derive(Template)]
#[template(path = "pages/users.html")]
struct ListPage {
    l: Layout,
    rows: Vec<UserRow>,
    total: u64,
    page: u64,
    pages: u64,
    base: String,
    q: ListQuery,
    can_write: bool,
}

async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UserRead)?;
    let p = users::list(
        &state.db,
        &scope,
        q.q.as_deref(),
        PageReq::new(q.page, q.per_page),
    )
    .await?;
    let l = Layout::new(&state, &a.ctx, "users", "nav.users").with_flash(q.ok.as_deref());
    Ok(render(&ListPage {
        l,
        pages: p.pages(),
        total: p.total,
        page: p.page,
        rows: p.items,
        base: q.base(),
        q,
        can_write: a.actor.can(Permission::UserWrite),
    }))
}

#[derive(Template)]
#[template(path = "pages/user_form.html")]
struct FormPage {
    l: Layout,
    f: UserForm,
    errs: Errs,
    units: Vec<Unit>,
    staff: Vec<Staff>,
}

impl FormPage {
    fn unit_name(&self, id: &i64) -> String {
        self.units
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.short_name.clone().unwrap_or_else(|| u.name.clone()))
            .unwrap_or_default()
    }
}

async fn form_page(state: &AppState, a: &Authed, f: UserForm, errs: Errs) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UserWrite)?;
    let units = units::all(&state.db, &scope).await?;
    // Linking an account to a staff member needs sight of the staff.
    let staff = match a.actor.scope(Permission::StaffRead) {
        Ok(s) => staff::without_account(&state.db, &s).await?,
        Err(_) => vec![],
    };
    let status = if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        l: Layout::new(state, &a.ctx, "users", "users.new"),
        f: UserForm {
            password: String::new(),
            password2: String::new(),
            ..f
        },
        errs,
        units,
        staff,
    };
    Ok(render_status(status, &page))
}

async fn new_form(State(state): State<AppState>, a: Authed) -> AppResult<Response> {
    a.actor.scope(Permission::UserWrite)?;
    form_page(&state, &a, UserForm::default(), Errs::default()).await
}

async fn create(
    State(state): State<AppState>,
    a: Authed,
    Form(f): Form<UserForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UserWrite)?;
    let input = match f.parse() {
        Ok(i) => i,
        Err(e) => return form_page(&state, &a, f, Errs::from(a.ctx.tr(), &e)).await,
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match users::create(&mut tx, &scope, &input).await {
        Ok(u) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/users/{}", u.id), "ok.user_created"))
        }
        Err(StorageError::Invalid(e)) => {
            drop(tx);
            form_page(&state, &a, f, Errs::from(a.ctx.tr(), &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/user_detail.html")]
struct DetailPage {
    l: Layout,
    u: UserDetail,
    units: Vec<Unit>,
    history: Vec<audit::AuditEvent>,
    is_self: bool,
    can_write: bool,
    can_assign: bool,
    error: Option<String>,
    rf: RoleForm,
    rerrs: Errs,
    perrs: Errs,
    roles: Vec<&'static str>,
    scopes: Vec<&'static str>,
}

impl DetailPage {
    fn unit_name(&self, id: &i64) -> String {
        self.units
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }
    /// The unit preselected in the grant form.
    fn grant_unit(&self) -> String {
        if self.rf.unit_id.is_empty() {
            self.u.user.unit_id.to_string()
        } else {
            self.rf.unit_id.clone()
        }
    }
    fn default_scope(&self, role: &str) -> &'static str {
        Role::from_code(role)
            .map(|r| r.default_scope().code())
            .unwrap_or("")
    }
}

#[derive(Default)]
struct Extra {
    flash: Option<String>,
    error: Option<String>,
    rf: RoleForm,
    rerrs: Errs,
    perrs: Errs,
}

async fn detail_page(
    state: &AppState,
    a: &Authed,
    id: i64,
    status: StatusCode,
    x: Extra,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UserRead)?;
    let u = users::get(&state.db, &scope, id).await?;
    let units = units::all(&state.db, &scope).await?;
    let history = audit::for_entity(&state.db, "user", &id.to_string()).await?;
    let mut l = Layout::new(state, &a.ctx, "users", "nav.users").with_flash(x.flash.as_deref());
    l.title = u.user.display_name.clone();
    Ok(render_status(
        status,
        &DetailPage {
            l,
            is_self: u.user.id == a.actor.user_id,
            u,
            units,
            history,
            can_write: a.actor.can(Permission::UserWrite),
            can_assign: a.actor.can(Permission::RoleAssign),
            error: x.error,
            rf: x.rf,
            rerrs: x.rerrs,
            perrs: x.perrs,
            roles: Role::ALL.iter().map(|r| r.code()).collect(),
            scopes: ScopeKind::ALL.iter().map(|s| s.code()).collect(),
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

/// A refused action shown on the detail page (409).
async fn refused(state: &AppState, a: &Authed, id: i64, key: &str) -> AppResult<Response> {
    let x = Extra {
        error: Some(a.ctx.tr().t(key).to_string()),
        ..Default::default()
    };
    detail_page(state, a, id, StatusCode::CONFLICT, x).await
}

async fn grant(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let target = users::get(&state.db, &scope, id).await?;
    let tr = a.ctx.tr();
    let with_errs = |rf: RoleForm, rerrs: Errs| Extra {
        rf,
        rerrs,
        ..Default::default()
    };
    let (role, scope_kind, unit_id) = match f.parse(target.user.unit_id) {
        Ok(v) => v,
        Err(e) => {
            let x = with_errs(f, Errs::from(tr, &e));
            return detail_page(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, x).await;
        }
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match users::assign_role(&mut tx, &scope, id, role, scope_kind, unit_id).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/users/{id}"), "ok.role_granted"))
        }
        Err(StorageError::Invalid(e)) => {
            drop(tx);
            let x = with_errs(f, Errs::from(tr, &e));
            detail_page(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, x).await
        }
        Err(StorageError::Conflict(k)) => {
            drop(tx);
            let x = with_errs(f, Errs::one(tr, "role", k));
            detail_page(&state, &a, id, StatusCode::CONFLICT, x).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    a: Authed,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match users::revoke_role(&mut tx, &scope, aid).await {
        // The assignment must be one of this account's: otherwise roll back.
        Ok(ra) if ra.user_id != id => Err(AppError::NotFound),
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_ok(&format!("/users/{id}"), "ok.role_revoked"))
        }
        Err(StorageError::Conflict(k)) => {
            drop(tx);
            refused(&state, &a, id, k).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn unlock(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    users::unlock(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(redirect_ok(&format!("/users/{id}"), "ok.unlocked"))
}

async fn reset_password(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let target = users::get(&state.db, &scope, id).await?;
    let password = match f.parse(&target.user.username) {
        Ok(p) => p,
        Err(e) => {
            let x = Extra {
                perrs: Errs::from(a.ctx.tr(), &e),
                ..Default::default()
            };
            return detail_page(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, x).await;
        }
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    users::set_password(&mut tx, &scope, id, &password).await?;
    tx.commit().await?;
    Ok(redirect_ok(&format!("/users/{id}"), "ok.password_reset"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActiveForm {
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    let scope = a.actor.scope(Permission::UserWrite)?;
    let active = match f.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("error.bad_form".into())),
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    match users::set_active(&mut tx, &scope, id, active).await {
        Ok(_) => {
            tx.commit().await?;
            let key = if active { "ok.enabled" } else { "ok.disabled" };
            Ok(redirect_ok(&format!("/users/{id}"), key))
        }
        Err(StorageError::Conflict(k)) => {
            drop(tx);
            refused(&state, &a, id, k).await
        }
        Err(e) => Err(e.into()),
    }
}
