//! The request context: request id, client address, locale, and the session
//! or API token behind the request. One middleware builds it (one database
//! lookup per authenticated request), enforces CSRF on state-changing browser
//! requests, counts metrics, and renders tagged errors.

use std::{net::SocketAddr, time::Instant};

use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use domain::Actor;
use storage::{AuditCtx, repo::auth};

use crate::{
    AppState,
    error::AppError,
    i18n::{Locale, Tr, t},
};

pub const SESSION_COOKIE: &str = "jg_session";
pub const LANG_COOKIE: &str = "jg_lang";
pub const PRELOGIN_COOKIE: &str = "jg_pre";

/// Everything a handler may need to know about the request.
#[derive(Debug, Clone)]
pub struct ReqCtx {
    pub request_id: String,
    pub client_ip: String,
    pub locale: Locale,
    pub actor: Option<Actor>,
    /// Set when the request came with a session cookie.
    pub session_id: Option<String>,
    pub csrf_token: Option<String>,
    pub is_api: bool,
    pub path: String,
    pub user_agent: Option<String>,
    pub cookies: Vec<(String, String)>,
}

impl ReqCtx {
    pub fn tr(&self) -> Tr {
        Tr(self.locale)
    }
    pub fn audit(&self) -> AuditCtx {
        AuditCtx {
            actor_user_id: self.actor.as_ref().map(|a| a.user_id),
            actor_name: self
                .actor
                .as_ref()
                .map(|a| a.username.clone())
                .unwrap_or_else(|| "anonymous".into()),
            actor_unit_id: self.actor.as_ref().map(|a| a.unit_id),
            actor_role: self
                .actor
                .as_ref()
                .map(|a| a.role_codes())
                .unwrap_or_default(),
            request_id: self.request_id.clone(),
            client_ip: self.client_ip.clone(),
        }
    }
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ReqCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<ReqCtx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("no request context".into()))
    }
}

/// An authenticated request. Extracting it answers 401 (API) or redirects to
/// the login page (browser) when nobody is logged in.
#[derive(Debug, Clone)]
pub struct Authed {
    pub ctx: ReqCtx,
    pub actor: Actor,
}

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Response> {
        let ctx = ReqCtx::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        match ctx.actor.clone() {
            Some(actor) => Ok(Authed { ctx, actor }),
            None if ctx.is_api => Err(AppError::Unauthorized.into_response()),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(
                    Redirect::to(&format!("/login?next={}", urlencoding::encode(next)))
                        .into_response(),
                )
            }
        }
    }
}

fn parse_cookies(h: &HeaderMap) -> Vec<(String, String)> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| {
            kv.trim()
                .split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

fn client_ip(state: &AppState, req: &Request) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(p) = peer {
        if state.cfg.trusted_proxies.contains(&p)
            && let Some(xff) = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
            && let Some(first) = xff.split(',').next()
        {
            return first.trim().to_string();
        }
        return p.to_string();
    }
    "unknown".into()
}

/// Whether a state-changing browser request is same-origin by the Fetch
/// Metadata and Origin headers (the first CSRF layer; the token is the second).
fn same_origin(h: &HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != host {
            return false;
        }
    }
    true
}

fn const_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub async fn context_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let ip = client_ip(&state, &req);
    let cookies = parse_cookies(req.headers());
    let is_api = path.starts_with("/api/");
    let headers = req.headers().clone();

    let mut ctx = ReqCtx {
        request_id: request_id.clone(),
        client_ip: ip,
        locale: Locale::ZhCn,
        actor: None,
        session_id: None,
        csrf_token: None,
        is_api,
        path: path.clone(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        cookies,
    };

    // Who is calling: a Bearer token, else a session cookie.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let lookup = async {
        if let Some(tok) = &bearer {
            return auth::token_lookup(&state.db, tok)
                .await
                .map(|a| (a, None, None));
        }
        if let Some(tok) = ctx.cookie(SESSION_COOKIE) {
            return auth::session_lookup(&state.db, tok, &state.cfg.auth)
                .await
                .map(|s| match s {
                    Some(s) => (Some(s.actor), Some(s.session_id), Some(s.csrf_token)),
                    None => (None, None, None),
                });
        }
        Ok((None, None, None))
    };
    match lookup.await {
        Ok((actor, sid, csrf)) => {
            ctx.actor = actor;
            ctx.session_id = sid;
            ctx.csrf_token = csrf;
        }
        Err(e) => {
            tracing::error!(request_id = %request_id, error = %e, "session lookup failed");
            return finish(
                &state,
                ctx,
                AppError::Internal("session".into()).into_response(),
                &method,
                started,
            );
        }
    }

    // Language: for API calls the client's Accept-Language first; for pages the
    // cookie, then the user's saved setting, then the browser's.
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language);
    let chosen = ctx.cookie(LANG_COOKIE).and_then(Locale::parse);
    let saved = ctx.actor.as_ref().and_then(|a| Locale::parse(&a.locale));
    ctx.locale = if is_api {
        accept.or(chosen).or(saved)
    } else {
        chosen.or(saved).or(accept)
    }
    .unwrap_or_default();

    // A declared body larger than the limit is refused before it is read.
    let limit = state.cfg.body_limit_for(&path);
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return finish(
            &state,
            ctx,
            AppError::PayloadTooLarge.into_response(),
            &method,
            started,
        );
    }

    let unsafe_method = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    if unsafe_method && bearer.is_none() {
        if !same_origin(&headers) {
            return finish(
                &state,
                ctx,
                AppError::Csrf.into_response(),
                &method,
                started,
            );
        }
        // Token check for cookie-authenticated requests (and the pre-login form).
        let expected = if ctx.session_id.is_some() {
            ctx.csrf_token.clone()
        } else if path == "/login" {
            ctx.cookie(PRELOGIN_COOKIE).map(str::to_string)
        } else {
            None
        };
        let exempt = path == "/api/v1/auth/login";
        if let (Some(expected), false) = (expected, exempt) {
            let header_tok = headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let supplied = match header_tok {
                Some(t) => Some(t),
                None => {
                    let ctype = headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let is_form = ctype.starts_with("application/x-www-form-urlencoded");
                    let boundary = multipart_boundary(&ctype);
                    if is_form || boundary.is_some() {
                        // A browser form: the token is its `_csrf` field (the
                        // `_csrf` part of an upload form).
                        let (parts, body) = req.into_parts();
                        let bytes = match axum::body::to_bytes(body, limit).await {
                            Ok(b) => b,
                            Err(_) => {
                                return finish(
                                    &state,
                                    ctx,
                                    AppError::PayloadTooLarge.into_response(),
                                    &method,
                                    started,
                                );
                            }
                        };
                        let tok = match &boundary {
                            Some(b) => multipart_field(&bytes, b, "_csrf"),
                            None => form_urlencoded::parse(&bytes)
                                .find(|(k, _)| k == "_csrf")
                                .map(|(_, v)| v.into_owned()),
                        };
                        req = Request::from_parts(parts, Body::from(bytes));
                        tok
                    } else {
                        None
                    }
                }
            };
            if !supplied.is_some_and(|s| const_eq(&s, &expected)) {
                return finish(
                    &state,
                    ctx,
                    AppError::Csrf.into_response(),
                    &method,
                    started,
                );
            }
        } else if ctx.session_id.is_none()
            && !is_api
            && !exempt
            && path != "/login"
            && !path.starts_with("/public/")
        {
            // A browser form post without a session is not something we accept.
            return finish(
                &state,
                ctx,
                AppError::Unauthorized.into_response(),
                &method,
                started,
            );
        }
    }

    req.extensions_mut().insert(ctx.clone());
    let resp = next.run(req).await;
    finish(&state, ctx, resp, &method, started)
}

/// Renders tagged errors, adds the request id header, records metrics.
fn finish(
    state: &AppState,
    ctx: ReqCtx,
    mut resp: Response,
    method: &Method,
    started: Instant,
) -> Response {
    if let Some(err) = resp.extensions_mut().remove::<AppError>() {
        resp = render_error(state, &ctx, &err);
    } else if resp.status() == StatusCode::PAYLOAD_TOO_LARGE
        && resp.headers().get(header::CONTENT_TYPE).is_none()
    {
        resp = render_error(state, &ctx, &AppError::PayloadTooLarge);
    } else if resp.status().is_client_error() && is_framework_rejection(&resp) {
        // axum's own rejections (a malformed query string or path parameter, a
        // wrong method) are plain English text: answer in the user's language.
        let status = resp.status();
        let key = if status == StatusCode::METHOD_NOT_ALLOWED {
            "error.method_not_allowed"
        } else {
            "error.bad_request"
        };
        resp = render_error(state, &ctx, &AppError::BadRequest(key.into()));
        *resp.status_mut() = status;
    }
    tracing::info!(
        request_id = %ctx.request_id,
        method = %method,
        path = %ctx.path,
        status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        user = ctx.actor.as_ref().map(|a| a.user_id),
        "request"
    );
    if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let status = resp.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    let route = if ctx.is_api { "api" } else { "web" };
    metrics::counter!("http_requests_total", "method" => method.to_string(), "status" => status, "kind" => route).increment(1);
    metrics::histogram!("http_request_duration_seconds", "kind" => route).record(elapsed);
    resp
}

/// A 4xx that no handler of ours rendered: plain text or no body at all.
fn is_framework_rejection(resp: &Response) -> bool {
    match resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(ct) => ct.starts_with("text/plain"),
        None => matches!(
            resp.status(),
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::BAD_REQUEST
        ),
    }
}

fn render_error(state: &AppState, ctx: &ReqCtx, err: &AppError) -> Response {
    if let AppError::Internal(detail) = err {
        tracing::error!(request_id = %ctx.request_id, detail = %detail, "internal error");
    }
    let msg = match (err, ctx.locale) {
        (AppError::Calendar(e), Locale::ZhCn) => e.zh(),
        (AppError::CalendarData(e), Locale::ZhCn) => e.zh(),
        (AppError::Clock(e), Locale::ZhCn) => e.zh(),
        (AppError::Clock(e), Locale::En) => e.to_string(),
        (AppError::Calendar(e), Locale::En) => e.to_string(),
        (AppError::CalendarData(e), Locale::En) => e.to_string(),
        _ => t(ctx.locale, &err.message_key()).to_string(),
    };
    let fields: Vec<serde_json::Value> = match err {
        AppError::Invalid(f) => f
            .0
            .iter()
            .map(|e| serde_json::json!({"field": e.field, "code": e.key, "message": t(ctx.locale, &e.key)}))
            .collect(),
        _ => vec![],
    };
    let wants_json = ctx.is_api || ctx.path == "/healthz" || ctx.path == "/readyz";
    if wants_json {
        let body = serde_json::json!({
            "error": {"code": err.code(), "message": msg, "fields": fields, "request_id": ctx.request_id}
        });
        return (err.status(), axum::Json(body)).into_response();
    }
    crate::pages::error_page(state, ctx, err.status(), &msg, &fields)
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(ctype: &str) -> Option<String> {
    let (mime, rest) = ctype.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// The value of a small text field of a multipart body (the CSRF token).
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delim = format!("--{boundary}");
    let text = body;
    let header = format!("name=\"{name}\"");
    let mut start = 0;
    while let Some(pos) = find(&text[start..], delim.as_bytes()) {
        let part_start = start + pos + delim.len();
        let next = find(&text[part_start..], delim.as_bytes()).map(|n| part_start + n)?;
        let part = &text[part_start..next];
        if let Some(h_end) = find(part, b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&part[..h_end]);
            if headers.contains(&header) && !headers.contains("filename=") {
                let value = &part[h_end + 4..];
                let value = value.strip_suffix(b"\r\n").unwrap_or(value);
                return String::from_utf8(value.to_vec()).ok();
            }
        }
        start = next;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod multipart_tests {
    use super::*;

    #[test]
    fn finds_the_csrf_part() {
        let b = "XyZ";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"proof\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n_csrf fake\r\n--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok123\r\n--{b}--\r\n"
        );
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=XyZ").as_deref(),
            Some("XyZ")
        );
        assert_eq!(
            multipart_field(body.as_bytes(), b, "_csrf").as_deref(),
            Some("tok123")
        );
        assert_eq!(multipart_field(body.as_bytes(), b, "nope"), None);
        assert_eq!(multipart_boundary("application/json"), None);
    }
}
