//! Passwords, login with lockout, server-side sessions and API tokens.
//!
//! Session and token secrets are 256-bit random values; only their SHA-256
//! is stored, so a copy of the database does not let anyone log in.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use domain::{Actor, Assignment, Role, ScopeKind};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::units::descendants;
use crate::{
    AuditCtx, Db, Result, StorageError, WriteTx,
    entity::{api_token, org_unit, role_assignment, session, user},
    now,
};

/// Argon2id with the OWASP-recommended minimum (19 MiB, 2 passes).
fn argon() -> Argon2<'static> {
    let params = argon2::Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String> {
    argon()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StorageError::Other(format!("password hashing failed: {e}")))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash that no password matches, verified against for unknown usernames so
/// that response time does not reveal whether an account exists.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password-0!").unwrap_or_default())
}

#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    pub max_failures: i32,
    pub lockout: Duration,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            max_failures: 5,
            lockout: Duration::minutes(15),
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(12),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LoginOutcome {
    Ok { user_id: i64 },
    BadCredentials,
    Locked { until: DateTime<Utc> },
    Disabled,
}

fn random_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Checks a username and password, counting failures and locking the account
/// after `max_failures`; every outcome on a known account is audited.
pub async fn login(
    db: &Db,
    ctx: &AuditCtx,
    username: &str,
    password: &str,
    p: &AuthPolicy,
) -> Result<LoginOutcome> {
    let name = username.trim().to_ascii_lowercase();
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(&name))
        .one(&db.conn)
        .await?;
    let Some(u) = found else {
        // Same work as a real check, then a uniform answer.
        let _ = verify_password(dummy_hash(), password);
        return Ok(LoginOutcome::BadCredentials);
    };
    let t = now();
    let mut ctx = ctx.clone();
    ctx.actor_user_id = Some(u.id);
    ctx.actor_name = u.username.clone();
    ctx.actor_unit_id = Some(u.unit_id);
    if let Some(until) = u.locked_until
        && until > t
    {
        let mut tx = db.begin_write(&ctx).await?;
        tx.record("auth.login_refused_locked", "user", u.id, None, None);
        tx.commit().await?;
        return Ok(LoginOutcome::Locked { until });
    }
    let ok = verify_password(&u.password_hash, password);
    let mut tx = db.begin_write(&ctx).await?;
    let mut am: user::ActiveModel = u.clone().into();
    let outcome = if !ok {
        let failures = u.failed_logins + 1;
        am.failed_logins = Set(failures);
        if failures >= p.max_failures {
            let until = t + p.lockout;
            am.locked_until = Set(Some(until));
            am.failed_logins = Set(0);
            tx.record(
                "auth.locked",
                "user",
                u.id,
                None,
                Some(serde_json::json!({ "locked_until": until })),
            );
            LoginOutcome::Locked { until }
        } else {
            tx.record(
                "auth.login_failed",
                "user",
                u.id,
                None,
                Some(serde_json::json!({ "failed_logins": failures })),
            );
            LoginOutcome::BadCredentials
        }
    } else if !u.active {
        tx.record("auth.login_refused_disabled", "user", u.id, None, None);
        LoginOutcome::Disabled
    } else {
        am.failed_logins = Set(0);
        am.locked_until = Set(None);
        am.last_login_at = Set(Some(t));
        tx.record("auth.login", "user", u.id, None, None);
        LoginOutcome::Ok { user_id: u.id }
    };
    am.update(tx.conn()).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A new session: the cookie value and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

pub async fn create_session(
    tx: &mut WriteTx,
    user_id: i64,
    user_agent: Option<&str>,
    p: &AuthPolicy,
) -> Result<NewSession> {
    let token = random_secret();
    let csrf = random_secret();
    let t = now();
    let id = sha256_hex(&token);
    session::ActiveModel {
        id: Set(id.clone()),
        user_id: Set(user_id),
        csrf_token: Set(csrf.clone()),
        created_at: Set(t),
        last_seen_at: Set(t),
        expires_at: Set(t + p.absolute_timeout),
        client_ip: Set(Some(tx.ctx().client_ip.clone())),
        user_agent: Set(user_agent.map(|s| s.chars().take(200).collect())),
    }
    .insert(tx.conn())
    .await?;
    // The audit record names the session by a prefix of its hash only.
    tx.record("session.create", "session", &id[..12], None, None);
    Ok(NewSession {
        token,
        csrf_token: csrf,
    })
}

/// A live session and its actor.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub session_id: String,
    pub csrf_token: String,
    pub actor: Actor,
}

/// Looks a session cookie up; expired sessions (idle or absolute) are removed
/// and yield `None`. `last_seen_at` is refreshed at most once a minute — that
/// bookkeeping write is not a business change and is not audited.
pub async fn session_lookup(db: &Db, token: &str, p: &AuthPolicy) -> Result<Option<SessionInfo>> {
    let id = sha256_hex(token);
    let Some(s) = session::Entity::find_by_id(id.clone())
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    let t = now();
    if s.expires_at <= t || s.last_seen_at + p.idle_timeout <= t {
        session::Entity::delete_by_id(id).exec(&db.conn).await?;
        return Ok(None);
    }
    if t - s.last_seen_at > Duration::seconds(60) {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(t),
            )
            .filter(session::Column::Id.eq(&id))
            .exec(&db.conn)
            .await?;
    }
    let Some(actor) = load_actor(&db.conn, s.user_id).await? else {
        return Ok(None);
    };
    Ok(Some(SessionInfo {
        session_id: id,
        csrf_token: s.csrf_token,
        actor,
    }))
}

pub async fn end_session(tx: &mut WriteTx, session_id: &str) -> Result<()> {
    session::Entity::delete_by_id(session_id.to_string())
        .exec(tx.conn())
        .await?;
    tx.record(
        "session.end",
        "session",
        &session_id[..12.min(session_id.len())],
        None,
        None,
    );
    Ok(())
}

/// Loads an active user with resolved role assignments.
pub async fn load_actor<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<Option<Actor>> {
    let Some(u) = user::Entity::find_by_id(user_id).one(conn).await? else {
        return Ok(None);
    };
    if !u.active {
        return Ok(None);
    }
    let unit_name = org_unit::Entity::find_by_id(u.unit_id)
        .one(conn)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    let rows = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .order_by_asc(role_assignment::Column::Id)
        .all(conn)
        .await?;
    let mut assignments = Vec::with_capacity(rows.len());
    for r in rows {
        let (Some(role), Some(scope_kind)) =
            (Role::from_code(&r.role), ScopeKind::from_code(&r.scope))
        else {
            continue;
        };
        let unit_ids = match scope_kind {
            ScopeKind::Unit => vec![r.unit_id],
            ScopeKind::UnitTree => descendants(conn, r.unit_id).await?,
            ScopeKind::Own | ScopeKind::All => vec![],
        };
        assignments.push(Assignment {
            role,
            scope_kind,
            anchor_unit_id: r.unit_id,
            unit_ids,
        });
    }
    Ok(Some(Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        unit_id: u.unit_id,
        unit_name,
        staff_id: u.staff_id,
        locale: u.locale,
        assignments,
    }))
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for TokenInfo {
    fn from(m: api_token::Model) -> Self {
        TokenInfo {
            id: m.id,
            name: m.name,
            prefix: m.prefix,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// Creates a personal API token; the plain value is returned once and never stored.
pub async fn create_token(
    tx: &mut WriteTx,
    user_id: i64,
    name: &str,
) -> Result<(String, TokenInfo)> {
    let secret = format!("jg_{}", random_secret());
    let m = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_string()),
        token_hash: Set(sha256_hex(&secret)),
        prefix: Set(secret[..10].to_string()),
        created_at: Set(now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record(
        "token.create",
        "api_token",
        m.id,
        None,
        Some(serde_json::json!({"name": m.name, "prefix": m.prefix})),
    );
    Ok((secret, m.into()))
}

pub async fn list_tokens(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Revokes one of the user's own tokens.
pub async fn revoke_token(tx: &mut WriteTx, user_id: i64, token_id: i64) -> Result<()> {
    let m = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::UserId.eq(user_id))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    if m.revoked_at.is_some() {
        return Err(StorageError::Conflict("err.already_revoked"));
    }
    let mut am: api_token::ActiveModel = m.into();
    am.revoked_at = Set(Some(now()));
    am.update(tx.conn()).await?;
    tx.record("token.revoke", "api_token", token_id, None, None);
    Ok(())
}

/// Revokes the user's token with this secret (API logout).
pub async fn revoke_token_by_secret(tx: &mut WriteTx, user_id: i64, secret: &str) -> Result<()> {
    let m = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(secret)))
        .filter(api_token::Column::UserId.eq(user_id))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    revoke_token(tx, user_id, m.id).await
}

/// Resolves a Bearer token to its actor.
pub async fn token_lookup(db: &Db, token: &str) -> Result<Option<Actor>> {
    let Some(m) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    let t = now();
    if m.last_used_at.is_none_or(|l| t - l > Duration::seconds(60)) {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(t),
            )
            .filter(api_token::Column::Id.eq(m.id))
            .exec(&db.conn)
            .await?;
    }
    load_actor(&db.conn, m.user_id).await
}

pub async fn find_user_by_name(db: &Db, username: &str) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username.trim().to_ascii_lowercase()))
        .one(&db.conn)
        .await?)
}

pub async fn user_count(db: &Db) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(user::Entity::find().count(&db.conn).await?)
}
