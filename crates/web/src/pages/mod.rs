//! Server-rendered pages. Each page struct carries a [`Layout`] with the
//! translator, the actor, the CSRF token and the navigation.

mod account;
mod audit;
mod auth;
mod calendar;
pub mod clocks;
mod documents;
mod staff;
mod subjects;
mod units;
mod users;
mod workbench;

use askama::Template;
use axum::{
    Router,
    extract::{FromRequest, Request},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use domain::{Actor, Permission};
use serde::de::DeserializeOwned;

use crate::{AppState, ctx::ReqCtx, error::AppError, i18n::Tr};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/workbench") }))
        .route("/modules/{key}", get(workbench::module_placeholder))
        .merge(auth::router())
        .merge(workbench::router())
        .merge(units::router())
        .merge(staff::router())
        .merge(users::router())
        .merge(account::router())
        .merge(audit::router())
        .merge(calendar::router())
        .merge(clocks::router())
        .merge(documents::router())
        .merge(subjects::router())
}

/// One entry of the left navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub key: &'static str,
    pub href: String,
    pub available: bool,
    pub active: bool,
}

/// The modules in the order the bureau's staff expect them. Those not built
/// yet link to a "not yet available" page.
const MODULES: &[(&str, Option<&str>, Option<Permission>)] = &[
    ("workbench", Some("/workbench"), None),
    ("clocks", Some("/clocks"), Some(Permission::ClockRead)),
    ("subjects", Some("/subjects"), Some(Permission::SubjectRead)),
    ("plans", None, None),
    ("complaints", None, None),
    ("cases", None, None),
    (
        "documents",
        Some("/documents"),
        Some(Permission::DocumentRead),
    ),
    ("licences", None, None),
    ("disclosure", None, None),
    ("statistics", None, None),
];

/// System administration entries: shown to whoever holds any of the
/// permissions. (key, page or `None` while the page is still to come, permissions)
const ADMIN: &[(&str, Option<&str>, &[Permission])] = &[
    ("units", Some("/units"), &[Permission::UnitRead]),
    ("staff", Some("/staff"), &[Permission::StaffRead]),
    ("users", Some("/users"), &[Permission::UserRead]),
    (
        "calendar",
        Some("/calendar"),
        &[Permission::ClockRead, Permission::CalendarAdmin],
    ),
    ("audit", Some("/audit"), &[Permission::AuditRead]),
];

pub struct Layout {
    pub tr: Tr,
    pub actor: Option<Actor>,
    pub csrf: String,
    pub title: String,
    pub nav: Vec<NavItem>,
    pub admin_nav: Vec<NavItem>,
    pub site_name: String,
    pub flash: Option<String>,
    pub request_id: String,
}

impl Layout {
    pub fn new(state: &AppState, ctx: &ReqCtx, active: &str, title_key: &str) -> Layout {
        let tr = ctx.tr();
        let actor = ctx.actor.clone();
        let nav = MODULES
            .iter()
            .filter(|(_, _, p)| p.is_none_or(|p| actor.as_ref().is_some_and(|a| a.can(p))))
            .map(|(key, href, _)| NavItem {
                key,
                href: href
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("/modules/{key}")),
                available: href.is_some(),
                active: *key == active,
            })
            .collect();
        let admin_nav = ADMIN
            .iter()
            .filter(|(_, _, ps)| actor.as_ref().is_some_and(|a| ps.iter().any(|p| a.can(*p))))
            .map(|(key, href, _)| NavItem {
                key,
                href: href
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("/modules/{key}")),
                available: href.is_some(),
                active: *key == active,
            })
            .collect();
        Layout {
            tr,
            csrf: ctx.csrf_token.clone().unwrap_or_default(),
            title: tr.t(title_key).to_string(),
            actor,
            nav,
            admin_nav,
            site_name: state.cfg.site_name.clone(),
            flash: None,
            request_id: ctx.request_id.clone(),
        }
    }

    /// Adds a translated flash message from a `?ok=key` query value.
    pub fn with_flash(mut self, key: Option<&str>) -> Self {
        if let Some(k) = key.filter(|k| k.starts_with("ok.")) {
            self.flash = Some(self.tr.t(k).to_string());
        }
        self
    }

    /// A UTC instant shown in Beijing time (UTC+8, no daylight saving).
    pub fn fmt_time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        let cst = chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap_or(chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()));
        t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string()
    }

    pub fn roles_label(&self) -> String {
        match &self.actor {
            Some(a) => a
                .roles()
                .iter()
                .map(|r| self.tr.label("role", r.code()))
                .collect::<Vec<_>>()
                .join("、"),
            None => String::new(),
        }
    }
}

/// Renders a template into a response (500 on a template error).
pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

/// Redirects after a successful POST, with a flash message key.
pub fn redirect_ok(to: &str, flash_key: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}ok={flash_key}")).into_response()
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage<'a> {
    l: Layout,
    status: u16,
    message: &'a str,
    fields: &'a [serde_json::Value],
}

pub fn error_page(
    state: &AppState,
    ctx: &ReqCtx,
    status: StatusCode,
    message: &str,
    fields: &[serde_json::Value],
) -> Response {
    let l = Layout::new(state, ctx, "", "error.title");
    render_status(
        status,
        &ErrorPage {
            l,
            status: status.as_u16(),
            message,
            fields,
        },
    )
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// `Form<T>` whose rejection is a translated 400/413/415 instead of plain text.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(r) => Err(match r.status() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
                _ => AppError::BadRequest("error.bad_form".into()),
            }),
        }
    }
}

/// Query string `?page=&q=…` shared by list pages.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub q: Option<String>,
    pub kind: Option<String>,
    pub unit_id: Option<String>,
    pub ok: Option<String>,
}

impl ListQuery {
    pub fn unit_id(&self) -> Option<i64> {
        self.unit_id.as_deref().and_then(|s| s.parse().ok())
    }
    /// The query string without the page, for pagination links.
    pub fn base(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("kind", &self.kind),
            ("unit_id", &self.unit_id),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

/// Field errors of a form, translated: `{{ errs.get("name") }}` in templates.
#[derive(Debug, Clone, Default)]
pub struct Errs(pub Vec<(String, String)>);

impl Errs {
    pub fn from(tr: Tr, e: &domain::FieldErrors) -> Errs {
        Errs(
            e.0.iter()
                .map(|f| (f.field.clone(), tr.t(&f.key).to_string()))
                .collect(),
        )
    }
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Every message, joined (for a one-line refusal at the top of a page).
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }
    /// One translated message on one field.
    pub fn one(tr: Tr, field: &str, key: &str) -> Errs {
        Errs(vec![(field.to_string(), tr.t(key).to_string())])
    }
}
