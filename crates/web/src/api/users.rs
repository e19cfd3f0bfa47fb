//! `/api/v1/users` and role assignments. Creating, enabling and disabling
//! accounts needs `user_write` (system administrator); granting and revoking
//! roles, unlocking and resetting passwords need `role_assign` (security
//! administrator).

use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use domain::Permission;
use serde::{Deserialize, Serialize};
use storage::repo::users::{self, RoleAssignment, User, UserDetail, UserRow};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{JsonBody, PageDto, PageParams};
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    forms::{PasswordForm, RoleForm, UserForm},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(grant_role))
        .routes(routes!(revoke_role))
        .routes(routes!(unlock))
        .routes(routes!(set_active))
        .routes(routes!(set_password))
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub staff_id: Option<i64>,
    pub active: bool,
    /// Locked out after repeated failed logins.
    pub locked: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub failed_logins: i32,
    pub last_login_at: Option<DateTime<Utc>>,
    pub password_changed_at: DateTime<Utc>,
    /// zh-CN or en
    pub locale: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        let now = Utc::now();
        UserDto {
            id: u.id,
            locked: u.locked_until.is_some_and(|l| l > now),
            username: u.username,
            display_name: u.display_name,
            unit_id: u.unit_id,
            staff_id: u.staff_id,
            active: u.active,
            locked_until: u.locked_until,
            failed_logins: u.failed_logins,
            last_login_at: u.last_login_at,
            password_changed_at: u.password_changed_at,
            locale: u.locale,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserRowDto {
    #[serde(flatten)]
    pub user: UserDto,
    pub unit_name: String,
    /// Role codes.
    pub roles: Vec<String>,
}

impl From<UserRow> for UserRowDto {
    fn from(r: UserRow) -> Self {
        UserRowDto {
            user: r.user.into(),
            unit_name: r.unit_name,
            roles: r.roles,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoleAssignmentDto {
    pub id: i64,
    pub user_id: i64,
    /// Role code, e.g. legal_officer.
    pub role: String,
    /// own, unit, unit_tree or all
    pub scope: String,
    /// The unit the scope is anchored at.
    pub unit_id: i64,
    pub granted_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<RoleAssignment> for RoleAssignmentDto {
    fn from(r: RoleAssignment) -> Self {
        RoleAssignmentDto {
            id: r.id,
            user_id: r.user_id,
            role: r.role,
            scope: r.scope,
            unit_id: r.unit_id,
            granted_by: r.granted_by,
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserDetailDto {
    #[serde(flatten)]
    pub user: UserDto,
    pub unit_name: String,
    pub staff_name: Option<String>,
    pub roles: Vec<RoleAssignmentDto>,
}

impl From<UserDetail> for UserDetailDto {
    fn from(d: UserDetail) -> Self {
        UserDetailDto {
            user: d.user.into(),
            unit_name: d.unit_name,
            staff_name: d.staff_name,
            roles: d.roles.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    /// 3–32 characters: ASCII letters, digits, `.`, `_`, `-` (stored lower-case).
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    /// The staff member this account belongs to, if any.
    pub staff_id: Option<i64>,
    /// Initial password: at least 10 characters of three classes, not containing the username.
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RoleBody {
    /// Role code, e.g. labour_inspector.
    pub role: String,
    /// own, unit, unit_tree or all; the role's default when absent.
    pub scope: Option<String>,
    /// Anchor unit; the account's own unit when absent.
    pub unit_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct ActiveBody {
    pub active: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    pub password: String,
}

/// List accounts in the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageParams),
    responses((status = 200, body = PageDto<UserRowDto>), (status = 403, body = super::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(p): Query<PageParams>,
) -> AppResult<Json<PageDto<UserRowDto>>> {
    let scope = a.actor.scope(Permission::UserRead)?;
    Ok(Json(PageDto::from(
        users::list(&state.db, &scope, p.q.as_deref(), p.req()).await?,
        UserRowDto::from,
    )))
}

/// Create an account (no roles yet: the security administrator grants them).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = UserDto), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<UserDto>)> {
    let scope = a.actor.scope(Permission::UserWrite)?;
    let b: NewUserBody = body.parse()?;
    let input = UserForm {
        username: b.username,
        display_name: b.display_name,
        unit_id: b.unit_id.to_string(),
        staff_id: b.staff_id.map(|s| s.to_string()).unwrap_or_default(),
        password2: b.password.clone(),
        password: b.password,
    }
    .parse()
    .map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let u = users::create(&mut tx, &scope, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

/// One account with its role assignments.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    responses((status = 200, body = UserDetailDto), (status = 404, body = super::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<UserDetailDto>> {
    let scope = a.actor.scope(Permission::UserRead)?;
    Ok(Json(users::get(&state.db, &scope, id).await?.into()))
}

/// Grant a role. 三员分立 refusals are 422 on field `role`
/// (`role.separation_admins`, `role.separation_admin_business`,
/// `role.already_assigned`); granting to oneself is 409 (`err.self_assign`).
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "users", request_body = RoleBody,
    responses((status = 201, body = RoleAssignmentDto), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn grant_role(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<(StatusCode, Json<RoleAssignmentDto>)> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let b: RoleBody = body.parse()?;
    let target = users::get(&state.db, &scope, id).await?;
    let (role, scope_kind, unit_id) = RoleForm {
        role: b.role,
        scope: b.scope.unwrap_or_default(),
        unit_id: b.unit_id.map(|u| u.to_string()).unwrap_or_default(),
    }
    .parse(target.user.unit_id)
    .map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let ra = users::assign_role(&mut tx, &scope, id, role, scope_kind, unit_id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(ra.into())))
}

/// Revoke a role assignment (not one's own: 409).
#[utoipa::path(delete, path = "/api/v1/role-assignments/{id}", tag = "users",
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn revoke_role(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    users::revoke_role(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Clear a lockout after failed logins.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users",
    responses((status = 200, body = UserDto), (status = 404, body = super::ErrorBody)))]
async fn unlock(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Json<UserDto>> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let u = users::unlock(&mut tx, &scope, id).await?;
    tx.commit().await?;
    Ok(Json(u.into()))
}

/// Enable or disable an account; disabling ends its sessions. Not one's own (409).
#[utoipa::path(post, path = "/api/v1/users/{id}/active", tag = "users", request_body = ActiveBody,
    responses((status = 200, body = UserDto), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn set_active(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<Json<UserDto>> {
    let scope = a.actor.scope(Permission::UserWrite)?;
    let b: ActiveBody = body.parse()?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let u = users::set_active(&mut tx, &scope, id, b.active).await?;
    tx.commit().await?;
    Ok(Json(u.into()))
}

/// Set a new password for an account (security administrator); ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", request_body = PasswordBody,
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn set_password(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    body: JsonBody,
) -> AppResult<StatusCode> {
    let scope = a.actor.scope(Permission::RoleAssign)?;
    let b: PasswordBody = body.parse()?;
    let target = users::get(&state.db, &scope, id).await?;
    let password = PasswordForm {
        password2: b.password.clone(),
        password: b.password,
    }
    .parse(&target.user.username)
    .map_err(AppError::Invalid)?;
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    users::set_password(&mut tx, &scope, id, &password).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
