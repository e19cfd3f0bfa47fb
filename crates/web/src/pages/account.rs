//! The logged-in user's own account: profile, password, personal API tokens
//! and interface language.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use domain::Scope;
use serde::Deserialize;
use storage::repo::{
    auth::{self, TokenInfo},
    units::{self, Unit},
    users::{self, UserDetail},
};

use super::{
    Errs, Form, Layout, ListQuery,
    auth::{referer_path, set_lang_cookie, set_session_cookie},
    redirect_ok, render_status,
};
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    forms::{OwnPasswordForm, TokenForm},
    i18n::Locale,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/locale", post(set_locale))
}

#[derive(Template)]
#[template(path = "pages/account.html")]
struct AccountPage {
    l: Layout,
    u: UserDetail,
    units: Vec<Unit>,
    tokens: Vec<TokenInfo>,
    /// A token just created: its secret, shown this once.
    new_token: Option<String>,
    perrs: Errs,
    terrs: Errs,
    token_name: String,
}

impl AccountPage {
    fn unit_name(&self, id: &i64) -> String {
        self.units
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }
}

#[derive(Default)]
struct Extra {
    flash: Option<String>,
    new_token: Option<String>,
    perrs: Errs,
    terrs: Errs,
    token_name: String,
}

/// The caller's own records are always theirs to see: no permission needed,
/// and the lookups are by the caller's own ids.
async fn account_page(
    state: &AppState,
    a: &Authed,
    status: StatusCode,
    x: Extra,
) -> AppResult<Response> {
    let own = Scope::All;
    let u = users::get(&state.db, &own, a.actor.user_id).await?;
    let mut units = Vec::new();
    for id in u.roles.iter().map(|r| r.unit_id) {
        if !units.iter().any(|x: &Unit| x.id == id) {
            units.push(units::get(&state.db, &own, id).await?);
        }
    }
    let tokens = auth::list_tokens(&state.db, a.actor.user_id).await?;
    let l = Layout::new(state, &a.ctx, "account", "nav.account").with_flash(x.flash.as_deref());
    Ok(render_status(
        status,
        &AccountPage {
            l,
            u,
            units,
            tokens,
            new_token: x.new_token,
            perrs: x.perrs,
            terrs: x.terrs,
            token_name: x.token_name,
        },
    ))
}

async fn page(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let x = Extra {
        flash: q.ok,
        ..Default::default()
    };
    account_page(&state, &a, StatusCode::OK, x).await
}

/// Changes the caller's password after checking the old one. Every session
/// of the account ends; this browser gets a fresh one.
async fn change_password(
    State(state): State<AppState>,
    a: Authed,
    Form(f): Form<OwnPasswordForm>,
) -> AppResult<Response> {
    let stored = auth::find_user_by_name(&state.db, &a.actor.username)
        .await?
        .filter(|u| u.id == a.actor.user_id)
        .ok_or(AppError::NotFound)?;
    let old_ok =
        !f.old_password.is_empty() && auth::verify_password(&stored.password_hash, &f.old_password);
    let password = match f.parse(&a.actor.username, old_ok) {
        Ok(p) => p,
        Err(e) => {
            let x = Extra {
                perrs: Errs::from(a.ctx.tr(), &e),
                ..Default::default()
            };
            return account_page(&state, &a, StatusCode::UNPROCESSABLE_ENTITY, x).await;
        }
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    users::set_password(&mut tx, &Scope::All, a.actor.user_id, &password).await?;
    let s = auth::create_session(
        &mut tx,
        a.actor.user_id,
        a.ctx.user_agent.as_deref(),
        &state.cfg.auth,
    )
    .await?;
    tx.commit().await?;
    let mut r = redirect_ok("/account", "ok.password_changed");
    set_session_cookie(&state, &mut r, &s.token);
    Ok(r)
}

/// Creates a personal API token and shows its secret once (no redirect: the
/// secret must not travel in a URL).
async fn create_token(
    State(state): State<AppState>,
    a: Authed,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    let name = match f.parse() {
        Ok(n) => n,
        Err(e) => {
            let x = Extra {
                terrs: Errs::from(a.ctx.tr(), &e),
                token_name: f.name,
                ..Default::default()
            };
            return account_page(&state, &a, StatusCode::UNPROCESSABLE_ENTITY, x).await;
        }
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    let (secret, _) = auth::create_token(&mut tx, a.actor.user_id, &name).await?;
    tx.commit().await?;
    let x = Extra {
        flash: Some("ok.token_created".into()),
        new_token: Some(secret),
        ..Default::default()
    };
    let mut r = account_page(&state, &a, StatusCode::OK, x).await?;
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

async fn revoke_token(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    auth::revoke_token(&mut tx, a.actor.user_id, id).await?;
    tx.commit().await?;
    Ok(redirect_ok("/account", "ok.token_revoked"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocaleForm {
    locale: String,
}

/// Switches the interface language: remembered on the account and in the
/// `jg_lang` cookie; back to the page the switch was made on.
async fn set_locale(
    State(state): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Form(f): Form<LocaleForm>,
) -> AppResult<Response> {
    let loc = match f.locale.as_str() {
        "zh-CN" => Locale::ZhCn,
        "en" => Locale::En,
        _ => return Err(AppError::BadRequest("error.bad_locale".into())),
    };
    let mut tx = state.db.begin_write(&a.ctx.audit()).await?;
    users::set_locale(&mut tx, a.actor.user_id, loc.code()).await?;
    tx.commit().await?;
    let back = referer_path(&headers).unwrap_or_else(|| "/workbench".into());
    let mut r = Redirect::to(&back).into_response();
    set_lang_cookie(&mut r, loc);
    Ok(r)
}
