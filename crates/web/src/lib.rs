//! The web layer: HTML pages (askama + vendored htmx) and the JSON API
//! (utoipa-generated OpenAPI 3.1), over the storage repositories.
//!
//! Handlers never build queries. Each one extracts [`ctx::Authed`], asks the
//! actor for the data scope of the permission it needs (`actor.scope(..)?`)
//! and hands that scope to the repository.

pub mod api;
pub mod ctx;
pub mod docs;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod pages;
mod statics;

use std::{net::IpAddr, sync::Arc, time::Duration};

use axum::{Router, middleware, routing::get};
use storage::{Db, repo::auth::AuthPolicy};
use tower_http::{catch_panic::CatchPanicLayer, compression::CompressionLayer};

/// Settings the web layer needs (a part of the binary's configuration).
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub auth: AuthPolicy,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Maximum request body for ordinary requests, in bytes.
    pub max_body_bytes: usize,
    /// Demo mode: the login page lists the demo accounts.
    pub demo: bool,
    /// Shown in the top bar and page titles.
    pub site_name: String,
    pub request_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            auth: AuthPolicy::default(),
            secure_cookies: false,
            trusted_proxies: vec![],
            max_body_bytes: 2 * 1024 * 1024,
            demo: false,
            site_name: "鹿泉区人社局事中事后监管平台".into(),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl WebConfig {
    /// The body limit for a path: uploads (proofs of service, seals) get
    /// room for their files; their own handlers check the file sizes.
    pub fn body_limit_for(&self, path: &str) -> usize {
        let upload = path.starts_with("/documents/") && path.ends_with("/services")
            || path.starts_with("/api/v1/documents/") && path.ends_with("/proof")
            || path.starts_with("/seals/");
        if upload {
            self.max_body_bytes.max(docs::MAX_PROOF_BYTES + 64 * 1024)
        } else {
            self.max_body_bytes
        }
    }
}

pub struct Inner {
    pub db: Db,
    pub cfg: WebConfig,
    /// The statutory clock rules (data with legal basis), validated at start.
    pub rules: domain::rules::RuleSet,
    /// The document catalogue (data with legal basis), validated at start.
    pub catalogue: domain::doctypes::Catalogue,
    /// Renders document templates to PDF (fonts parsed once).
    pub renderer: Arc<docgen::Renderer>,
    /// Content-addressed store of PDFs, seals and proofs.
    pub files: storage::files::FileStore,
}

/// The document services the web layer is given at start.
pub struct DocServices {
    pub catalogue: domain::doctypes::Catalogue,
    pub renderer: Arc<docgen::Renderer>,
    pub files: storage::files::FileStore,
}

/// Shared application state: cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, cfg: WebConfig, rules: domain::rules::RuleSet, docs: DocServices) -> Self {
        AppState(Arc::new(Inner {
            db,
            cfg,
            rules,
            catalogue: docs.catalogue,
            renderer: docs.renderer,
            files: docs.files,
        }))
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(pages::router())
        .merge(api_router)
        .merge(api::docs_router(openapi))
        .route("/healthz", get(api::ops::healthz))
        .route("/readyz", get(api::ops::readyz))
        .route("/metrics", get(api::ops::metrics))
        .merge(statics::router())
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ctx::context_layer,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.cfg.max_body_bytes,
        ))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

/// Installs the process-wide Prometheus recorder once and returns its handle.
pub fn metrics_handle() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static H: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    H.get_or_init(|| {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then our handle
        // simply stays empty, which is acceptable for tests.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}
