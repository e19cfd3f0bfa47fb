//! The `jianguan` application: configuration, start-up and the command line.
//! `main.rs` is a thin shell around [`cli::run`]; tests start the real app
//! with [`start`] on port 0.

pub mod bench;
pub mod cli;
pub mod config;
mod demo_docs;
pub mod scheduler;

use std::net::SocketAddr;

use anyhow::{Context, Result};
use storage::{Db, Engine, ProcessLock};
use tokio::net::TcpListener;

pub use config::{Config, Overrides};

/// An opened database, with the SQLite process lock held when embedded.
pub struct Opened {
    pub db: Db,
    pub _lock: Option<ProcessLock>,
}

/// Opens the configured database. For serving, SQLite takes the process
/// lock (`lock = true`), so a second server on the same file is refused.
pub async fn open_db(cfg: &Config, lock: bool) -> Result<Opened> {
    let url = cfg.database_url();
    let lock = match (Engine::from_url(&url), lock) {
        (Some(Engine::Sqlite), true) => match storage::sqlite_path(&url) {
            Some(p) => {
                let path = std::path::Path::new(p);
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                Some(storage::lock_sqlite_file(path)?)
            }
            None => None,
        },
        _ => None,
    };
    let db = Db::connect(&cfg.db_options())
        .await
        .with_context(|| format!("cannot open database {}", storage::redact_url(&url)))?;
    Ok(Opened { db, _lock: lock })
}

/// Startup checks of data that must be valid before serving.
pub fn validate_static_data() -> Result<()> {
    web::i18n::validate().map_err(|e| anyhow::anyhow!(e))?;
    Ok(())
}

/// One renderer per font folder for the whole process: parsing the fonts
/// takes a moment, and several app instances in one process (the tests)
/// share it.
pub fn shared_renderer(
    cfg: &Config,
    catalogue: &domain::doctypes::Catalogue,
) -> Result<std::sync::Arc<docgen::Renderer>> {
    use std::{
        collections::HashMap,
        path::PathBuf,
        sync::{Arc, Mutex, OnceLock},
    };
    type Cache = Mutex<HashMap<Option<PathBuf>, Arc<docgen::Renderer>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = cfg.documents.font_dir.clone();
    if let Some(r) = cache
        .lock()
        .map_err(|_| anyhow::anyhow!("renderer cache poisoned"))?
        .get(&key)
    {
        // The catalogue may differ between configurations: check it again.
        check_templates(r, catalogue)?;
        return Ok(Arc::clone(r));
    }
    let r = Arc::new(doc_renderer(cfg, catalogue)?);
    cache
        .lock()
        .map_err(|_| anyhow::anyhow!("renderer cache poisoned"))?
        .insert(key, Arc::clone(&r));
    Ok(r)
}

fn check_templates(r: &docgen::Renderer, catalogue: &domain::doctypes::Catalogue) -> Result<()> {
    let missing: Vec<&str> = catalogue
        .iter()
        .filter(|t| !r.has_template(&t.code))
        .map(|t| t.code.as_str())
        .collect();
    if !missing.is_empty() {
        anyhow::bail!("document catalogue: no template for {}", missing.join(", "));
    }
    Ok(())
}

/// The document renderer, checked against the catalogue: every type in the
/// catalogue must have a template.
pub fn doc_renderer(
    cfg: &Config,
    catalogue: &domain::doctypes::Catalogue,
) -> Result<docgen::Renderer> {
    let r = docgen::Renderer::new(&docgen::RenderOptions {
        font_dir: cfg.documents.font_dir.clone(),
    })
    .map_err(|e| anyhow::anyhow!("document renderer: {e}"))?;
    check_templates(&r, catalogue)?;
    Ok(r)
}

/// Decides demo mode and seeds when it applies. Returns whether demo mode is on.
pub async fn prepare_demo(cfg: &Config, db: &Db) -> Result<bool> {
    let embedded = db.engine == Engine::Sqlite;
    let wanted = match cfg.demo {
        Some(v) => v,
        // Never on by itself for PostgreSQL; on for a new embedded database.
        None => embedded && storage::repo::auth::user_count(db).await? == 0,
    };
    if wanted {
        if storage::seed::seed_demo(db).await? {
            storage::seed::seed_demo_clocks(db, &cfg.clock_rules()?, storage::today()).await?;
        }
        return Ok(true);
    }
    // An embedded database that was seeded as a demo stays a demo.
    Ok(cfg.demo.is_none() && embedded && storage::seed::is_demo(db).await?)
}

/// A running server (for tests and `serve`).
pub struct Running {
    pub addr: SocketAddr,
    pub db: Db,
    pub shutdown: tokio::sync::oneshot::Sender<()>,
    pub handle: tokio::task::JoinHandle<Result<()>>,
}

/// Migrates, seeds (when demo) and serves on `listener` until `shutdown` fires.
pub async fn start(cfg: Config, listener: TcpListener, lock: bool) -> Result<(Running, bool)> {
    validate_static_data()?;
    let opened = open_db(&cfg, lock).await?;
    opened.db.migrate().await.context("migration failed")?;
    storage::repo::calendar::ensure_default(&opened.db)
        .await
        .context("loading the holiday calendar")?;
    let rules = cfg.clock_rules()?;
    let catalogue = cfg.catalogue()?;
    let renderer = shared_renderer(&cfg, &catalogue)?;
    let files = storage::files::FileStore::open(&cfg.file_store_config()?)
        .context("opening the file store")?;
    let demo = prepare_demo(&cfg, &opened.db).await?;
    if demo {
        storage::seed::seed_demo_seals(&opened.db, &files).await?;
        if cfg.demo_documents
            && let Err(e) = demo_docs::seed(&opened.db, &files, &renderer, &catalogue, &rules).await
        {
            tracing::warn!(error = %e, "demo documents not seeded");
        }
    }
    let state = web::AppState::new(
        opened.db.clone(),
        cfg.web_config(demo),
        rules,
        web::DocServices {
            catalogue,
            renderer,
            files,
        },
    );
    let scheduler = cfg.scheduler.enabled.then(|| {
        scheduler::spawn(
            opened.db.clone(),
            std::time::Duration::from_secs(cfg.scheduler.interval_secs),
        )
    });
    let _ = web::metrics_handle();
    let app = web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let lock = opened._lock;
    let handle = tokio::spawn(async move {
        let _lock = lock;
        let r = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
            .context("server error");
        if let Some(s) = scheduler {
            s.abort();
        }
        r
    });
    Ok((
        Running {
            addr,
            db: opened.db,
            shutdown: tx,
            handle,
        },
        demo,
    ))
}
