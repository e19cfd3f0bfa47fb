//! Login and logout by web form.

use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use storage::repo::auth::{self, LoginOutcome};

use super::{Form, Layout, render, render_status};
use crate::{
    AppState,
    ctx::{LANG_COOKIE, PRELOGIN_COOKIE, ReqCtx, SESSION_COOKIE},
    error::AppResult,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
}

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    error: String,
    pre: String,
    demo: Vec<(&'static str, String)>,
    demo_password: &'static str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQ {
    next: Option<String>,
}

/// Only local paths are accepted as a post-login target (no open redirect).
fn safe_next(n: Option<&str>) -> String {
    match n {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") => {
            p.to_string()
        }
        _ => "/workbench".into(),
    }
}

fn page(
    state: &AppState,
    ctx: &ReqCtx,
    next: String,
    username: String,
    error: String,
) -> (LoginPage, String) {
    let pre = ctx
        .cookie(PRELOGIN_COOKIE)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let b: [u8; 16] = rand::random();
            hex::encode(b)
        });
    let tr = ctx.tr();
    let demo = if state.cfg.demo {
        storage::seed::demo_accounts()
            .into_iter()
            .map(|(u, r)| (u, tr.label("role", r.code())))
            .collect()
    } else {
        vec![]
    };
    let mut l = Layout::new(state, ctx, "", "auth.title");
    l.actor = None;
    (
        LoginPage {
            l,
            next,
            username,
            error,
            pre: pre.clone(),
            demo,
            demo_password: storage::seed::DEMO_PASSWORD,
        },
        pre,
    )
}

fn with_pre_cookie(state: &AppState, mut r: Response, pre: &str) -> Response {
    let secure = if state.cfg.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{PRELOGIN_COOKIE}={pre}; Path=/login; HttpOnly; SameSite=Lax{secure}"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn login_page(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<NextQ>,
) -> Response {
    if ctx.actor.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let (p, pre) = page(
        &state,
        &ctx,
        safe_next(q.next.as_deref()),
        String::new(),
        String::new(),
    );
    with_pre_cookie(&state, render(&p), &pre)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    next: String,
}

async fn login_submit(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let outcome = auth::login(
        &state.db,
        &ctx.audit(),
        &f.username,
        &f.password,
        &state.cfg.auth,
    )
    .await?;
    let err = |key: &str| {
        let (p, pre) = page(
            &state,
            &ctx,
            safe_next(Some(&f.next)),
            f.username.clone(),
            tr.t(key).to_string(),
        );
        let status = if key == "auth.locked" {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNAUTHORIZED
        };
        with_pre_cookie(&state, render_status(status, &p), &pre)
    };
    match outcome {
        LoginOutcome::Ok { user_id } => {
            let mut audit = ctx.audit();
            audit.actor_user_id = Some(user_id);
            audit.actor_name = f.username.trim().to_ascii_lowercase();
            let mut tx = state.db.begin_write(&audit).await?;
            let s =
                auth::create_session(&mut tx, user_id, ctx.user_agent.as_deref(), &state.cfg.auth)
                    .await?;
            tx.commit().await?;
            let mut r = Redirect::to(&safe_next(Some(&f.next))).into_response();
            set_session_cookie(&state, &mut r, &s.token);
            if let Ok(v) =
                HeaderValue::from_str(&format!("{PRELOGIN_COOKIE}=; Path=/login; Max-Age=0"))
            {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        LoginOutcome::BadCredentials => Ok(err("auth.bad_credentials")),
        LoginOutcome::Locked { .. } => Ok(err("auth.locked")),
        LoginOutcome::Disabled => Ok(err("auth.disabled")),
    }
}

/// Sets the session cookie on a response.
pub(super) fn set_session_cookie(state: &AppState, r: &mut Response, token: &str) {
    let secure = if state.cfg.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The local path of the `Referer`, if it is a safe place to go back to.
pub(super) fn referer_path(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        })
        .map(|p| safe_next(Some(&p)))
}

/// Sets the language cookie on a response.
pub(super) fn set_lang_cookie(r: &mut Response, loc: crate::i18n::Locale) {
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        loc.code()
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

async fn logout(State(state): State<AppState>, ctx: ReqCtx) -> AppResult<Response> {
    if let Some(sid) = &ctx.session_id {
        let mut tx = state.db.begin_write(&ctx.audit()).await?;
        auth::end_session(&mut tx, sid).await?;
        tx.commit().await?;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// Sets the interface language for anonymous pages (a cookie only).
async fn set_lang(
    axum::extract::Path(code): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let loc = crate::i18n::Locale::parse(&code).unwrap_or_default();
    let back = referer_path(&headers).unwrap_or_else(|| "/login".into());
    let mut r = Redirect::to(&back).into_response();
    set_lang_cookie(&mut r, loc);
    r
}
