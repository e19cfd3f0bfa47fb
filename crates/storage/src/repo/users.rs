//! User accounts and role assignments.

use domain::{Role, Scope, ScopeKind, authz::check_separation};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::{
    Page, PageReq,
    auth::hash_password,
    like_pattern, scope_condition,
    units::{invalid, json},
};
use crate::{
    Db, Result, StorageError, WriteTx,
    entity::{org_unit, role_assignment, staff, user},
    now,
};

pub use role_assignment::Model as RoleAssignment;
pub use user::Model as User;

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    #[serde(flatten)]
    pub user: User,
    pub unit_name: String,
    pub roles: Vec<String>,
    pub locked: bool,
}

fn scope_cond(scope: &Scope) -> sea_orm::Condition {
    scope_condition(scope, user::Column::UnitId, None)
}

pub async fn list(db: &Db, scope: &Scope, q: Option<&str>, page: PageReq) -> Result<Page<UserRow>> {
    let mut sel = user::Entity::find().filter(scope_cond(scope));
    if let Some(text) = q.filter(|s| !s.trim().is_empty()) {
        let pat = like_pattern(text.trim());
        sel = sel.filter(
            sea_orm::Condition::any()
                .add(user::Column::Username.like(&pat))
                .add(user::Column::DisplayName.like(&pat)),
        );
    }
    let pager = sel
        .order_by_asc(user::Column::Id)
        .paginate(&db.conn, page.per_page);
    let total = pager.num_items().await?;
    let rows = pager.fetch_page(page.page - 1).await?;
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let unit_ids: Vec<i64> = rows.iter().map(|u| u.unit_id).collect();
    let roles = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.is_in(ids))
        .all(&db.conn)
        .await?;
    let units = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(unit_ids))
        .all(&db.conn)
        .await?;
    let t = now();
    let items = rows
        .into_iter()
        .map(|u| UserRow {
            unit_name: units
                .iter()
                .find(|x| x.id == u.unit_id)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            roles: roles
                .iter()
                .filter(|r| r.user_id == u.id)
                .map(|r| r.role.clone())
                .collect(),
            locked: u.locked_until.is_some_and(|l| l > t),
            user: u,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: User,
    pub unit_name: String,
    pub staff_name: Option<String>,
    pub roles: Vec<RoleAssignment>,
    pub locked: bool,
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<UserDetail> {
    let u = user::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(&db.conn)
        .await?
        .ok_or(StorageError::NotFound)?;
    let unit_name = org_unit::Entity::find_by_id(u.unit_id)
        .one(&db.conn)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    let staff_name = match u.staff_id {
        Some(s) => staff::Entity::find_by_id(s)
            .one(&db.conn)
            .await?
            .map(|x| x.name),
        None => None,
    };
    let roles = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(id))
        .order_by_asc(role_assignment::Column::Id)
        .all(&db.conn)
        .await?;
    let locked = u.locked_until.is_some_and(|l| l > now());
    Ok(UserDetail {
        user: u,
        unit_name,
        staff_name,
        roles,
        locked,
    })
}

/// A new account as requested.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub staff_id: Option<i64>,
    pub password: String,
}

pub async fn create(tx: &mut WriteTx, scope: &Scope, n: &NewUser) -> Result<User> {
    if user::Entity::find()
        .filter(user::Column::Username.eq(&n.username))
        .one(tx.conn())
        .await?
        .is_some()
    {
        return Err(invalid("username", "err.duplicate"));
    }
    if org_unit::Entity::find_by_id(n.unit_id)
        .one(tx.conn())
        .await?
        .is_none()
    {
        return Err(invalid("unit_id", "err.not_found"));
    }
    if !scope.allows_unit(n.unit_id) {
        return Err(invalid("unit_id", "err.out_of_scope"));
    }
    if let Some(sid) = n.staff_id {
        if staff::Entity::find_by_id(sid)
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(invalid("staff_id", "err.not_found"));
        }
        if user::Entity::find()
            .filter(user::Column::StaffId.eq(sid))
            .one(tx.conn())
            .await?
            .is_some()
        {
            return Err(invalid("staff_id", "err.staff_has_account"));
        }
    }
    let t = now();
    let m = user::ActiveModel {
        username: Set(n.username.clone()),
        display_name: Set(n.display_name.clone()),
        staff_id: Set(n.staff_id),
        unit_id: Set(n.unit_id),
        password_hash: Set(hash_password(&n.password)?),
        active: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        password_changed_at: Set(t),
        last_login_at: Set(None),
        locale: Set("zh-CN".into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record("user.create", "user", m.id, None, Some(json(&m)));
    Ok(m)
}

async fn find_in_scope(tx: &WriteTx, scope: &Scope, id: i64) -> Result<User> {
    user::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)
}

/// Enables or disables an account. Disabling also ends its sessions.
pub async fn set_active(tx: &mut WriteTx, scope: &Scope, id: i64, active: bool) -> Result<User> {
    let before = find_in_scope(tx, scope, id).await?;
    if Some(id) == tx.ctx().actor_user_id && !active {
        return Err(StorageError::Conflict("err.self_disable"));
    }
    let mut am: user::ActiveModel = before.clone().into();
    am.active = Set(active);
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    if !active {
        crate::entity::session::Entity::delete_many()
            .filter(crate::entity::session::Column::UserId.eq(id))
            .exec(tx.conn())
            .await?;
    }
    let action = if active {
        "user.enable"
    } else {
        "user.disable"
    };
    tx.record(action, "user", id, Some(json(&before)), Some(json(&after)));
    Ok(after)
}

/// Grants a role. 三员分立 is enforced here, and nobody grants roles to themselves.
pub async fn assign_role(
    tx: &mut WriteTx,
    scope: &Scope,
    user_id: i64,
    role: Role,
    scope_kind: ScopeKind,
    unit_id: i64,
) -> Result<RoleAssignment> {
    let u = find_in_scope(tx, scope, user_id).await?;
    if Some(u.id) == tx.ctx().actor_user_id {
        return Err(StorageError::Conflict("err.self_assign"));
    }
    if org_unit::Entity::find_by_id(unit_id)
        .one(tx.conn())
        .await?
        .is_none()
    {
        return Err(invalid("unit_id", "err.not_found"));
    }
    let existing: Vec<Role> = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .all(tx.conn())
        .await?
        .iter()
        .filter_map(|r| Role::from_code(&r.role))
        .collect();
    check_separation(&existing, role).map_err(|k| invalid("role", k))?;
    let m = role_assignment::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.code().to_string()),
        scope: Set(scope_kind.code().to_string()),
        unit_id: Set(unit_id),
        granted_by: Set(tx.ctx().actor_user_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record("role.assign", "role_assignment", m.id, None, Some(json(&m)));
    Ok(m)
}

/// Revokes a role assignment; returns what was revoked.
pub async fn revoke_role(
    tx: &mut WriteTx,
    scope: &Scope,
    assignment_id: i64,
) -> Result<RoleAssignment> {
    let before = role_assignment::Entity::find_by_id(assignment_id)
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    find_in_scope(tx, scope, before.user_id).await?;
    if Some(before.user_id) == tx.ctx().actor_user_id {
        return Err(StorageError::Conflict("err.self_assign"));
    }
    role_assignment::Entity::delete_by_id(assignment_id)
        .exec(tx.conn())
        .await?;
    tx.record(
        "role.revoke",
        "role_assignment",
        assignment_id,
        Some(json(&before)),
        None,
    );
    Ok(before)
}

/// Clears a lockout.
pub async fn unlock(tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<User> {
    let before = find_in_scope(tx, scope, id).await?;
    let mut am: user::ActiveModel = before.clone().into();
    am.failed_logins = Set(0);
    am.locked_until = Set(None);
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    tx.record(
        "user.unlock",
        "user",
        id,
        Some(json(&before)),
        Some(json(&after)),
    );
    Ok(after)
}

/// Sets a new password (by the security administrator, or by the user after
/// checking the old one in the web layer). Ends the user's other sessions.
pub async fn set_password(tx: &mut WriteTx, scope: &Scope, id: i64, password: &str) -> Result<()> {
    let before = find_in_scope(tx, scope, id).await?;
    let mut am: user::ActiveModel = before.into();
    am.password_hash = Set(hash_password(password)?);
    am.password_changed_at = Set(now());
    am.failed_logins = Set(0);
    am.locked_until = Set(None);
    am.updated_at = Set(now());
    am.update(tx.conn()).await?;
    crate::entity::session::Entity::delete_many()
        .filter(crate::entity::session::Column::UserId.eq(id))
        .exec(tx.conn())
        .await?;
    tx.record("user.password", "user", id, None, None);
    Ok(())
}

/// The user's preferred interface language.
pub async fn set_locale(tx: &mut WriteTx, user_id: i64, locale: &str) -> Result<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::Locale,
            sea_orm::sea_query::Expr::value(locale.to_string()),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(tx.conn())
        .await?;
    tx.record(
        "user.locale",
        "user",
        user_id,
        None,
        Some(serde_json::json!({ "locale": locale })),
    );
    Ok(())
}

pub fn parse_role(s: &str) -> Result<Role> {
    Role::from_code(s).ok_or_else(|| invalid("role", "err.choose"))
}

/// The display name of a user (shown as reviewer, signer, recorder).
pub async fn display_name(db: &Db, id: i64) -> Result<Option<String>> {
    Ok(user::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .map(|u| u.display_name))
}

/// A user's id and unit by username (demo seeding, the CLI).
pub async fn id_by_username(db: &Db, username: &str) -> Result<Option<(i64, i64)>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&db.conn)
        .await?
        .map(|u| (u.id, u.unit_id)))
}
