//! The command line: `jianguan [serve] | migrate | seed | check-config | admin create | audit verify | backup | calendar …`.

mod calendar;
mod doc;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::{Config, Overrides};

#[derive(Parser, Debug)]
#[command(
    name = "jianguan",
    version,
    about = "鹿泉区人社局事中事后监管平台 / Jianguan supervision and labour-inspection platform"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub common: Common,
    /// Address to serve on (HOST:PORT), for the default `serve`.
    #[arg(long, global = false)]
    pub listen: Option<String>,
    /// Seed and show demo data (default `serve`).
    #[arg(long)]
    pub demo: bool,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// Data directory (SQLite database, lock file).
    #[arg(long, global = true, env = "JIANGUAN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Configuration file (default: ./jianguan.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web UI and API (the default).
    Serve {
        /// HOST:PORT to listen on.
        #[arg(long)]
        listen: Option<String>,
        /// Seed demo data when the database is empty and list the demo accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed data.
    Seed {
        /// The demo bureau, its staff and one account per role.
        #[arg(long, required = true)]
        demo: bool,
    },
    /// Print the effective configuration with secrets redacted.
    CheckConfig,
    /// Administrator accounts.
    Admin {
        #[command(subcommand)]
        cmd: AdminCmd,
    },
    /// The whole-process record.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Benchmarks with deterministic data (see docs/BENCHMARKS.md).
    Bench {
        /// `sqlite-sync`: audited single-row write transactions with synchronous=FULL vs NORMAL;
        /// `clocks`: reminder sweep, full recompute and "due soon" queries over N running clocks;
        /// `docs`: render N two-page penalty decisions (1 thread and all cores).
        scenario: String,
        /// Number of operations.
        #[arg(long, default_value_t = 2000)]
        n: usize,
    },
    /// The working-day calendar: computations, import and listing of the
    /// official holiday schedule.
    Calendar {
        #[command(subcommand)]
        cmd: calendar::CalendarCmd,
    },
    /// Official documents: the catalogue and sample PDFs.
    Doc {
        #[command(subcommand)]
        cmd: doc::DocCmd,
    },
    /// Online backup of the embedded database.
    Backup {
        /// Target file (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCmd {
    /// Create a system administrator (the first account outside demo mode).
    Create {
        #[arg(long)]
        username: String,
        /// Read from this environment variable instead of prompting.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// Name of the root unit created on an empty database.
        #[arg(long, default_value = "石家庄市鹿泉区人力资源和社会保障局")]
        root_unit: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Recompute the hash chain; exit 1 and name the first broken event.
    Verify,
}

/// Parses arguments; on a usage error prints one line and exits with 2.
pub fn parse() -> Cli {
    match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                std::process::exit(0);
            }
            eprintln!("{} (see --help)", one_line_error(&e.to_string()));
            std::process::exit(2);
        }
    }
}

/// A clap error as one line: its message lines up to the usage, joined
/// (e.g. "error: the following required arguments were not provided: <N>").
fn one_line_error(msg: &str) -> String {
    let line = msg
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
        .collect::<Vec<_>>()
        .join(" ");
    if line.is_empty() {
        "invalid arguments".into()
    } else {
        line
    }
}

fn overrides(c: &Common, listen: Option<String>, demo: bool) -> Overrides {
    Overrides {
        config_file: c.config.clone(),
        data_dir: c.data_dir.clone(),
        database_url: c.database_url.clone(),
        listen,
        demo,
    }
}

fn init_logging(cfg: &Config) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&cfg.log.level));
    let builder = fmt().with_env_filter(filter).with_target(false);
    let _ = if cfg.log.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs the parsed command; returns the process exit code.
pub async fn run(cli: Cli) -> Result<i32> {
    let command = cli.command.unwrap_or(Command::Serve {
        listen: cli.listen,
        demo: cli.demo,
    });
    match command {
        Command::Serve { listen, demo } => {
            let cfg = Config::load(&overrides(&cli.common, listen, demo))?;
            init_logging(&cfg);
            serve(cfg).await
        }
        Command::Migrate => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            let opened = crate::open_db(&cfg, true).await?;
            let n = opened.db.migrate().await?;
            println!("applied {n} migration(s)");
            Ok(0)
        }
        Command::Seed { demo } => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            let opened = crate::open_db(&cfg, true).await?;
            opened.db.migrate().await?;
            if demo && storage::seed::seed_demo(&opened.db).await? {
                print_demo_accounts();
            } else {
                println!("the database already has an organisation; nothing seeded");
            }
            Ok(0)
        }
        Command::CheckConfig => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            print!("{}", cfg.redacted_toml());
            Ok(0)
        }
        Command::Admin {
            cmd:
                AdminCmd::Create {
                    username,
                    password_env,
                    root_unit,
                },
        } => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            let mut errs = domain::FieldErrors::default();
            let username = domain::validate::username(&mut errs, "username", &username);
            let password = match password_env {
                Some(var) => std::env::var(&var)
                    .with_context(|| format!("environment variable {var} is not set"))?,
                None => rpassword::prompt_password("新密码 / new password: ")?,
            };
            domain::validate::password(&mut errs, "password", &password, &username);
            if let Some(e) = errs.0.first() {
                bail!(
                    "{}: {}",
                    e.field,
                    web::i18n::t(web::i18n::Locale::ZhCn, &e.key)
                );
            }
            let opened = crate::open_db(&cfg, true).await?;
            opened.db.migrate().await?;
            let id = storage::seed::create_admin(&opened.db, &username, &password, &root_unit)
                .await
                .map_err(|e| match e {
                    storage::StorageError::Invalid(f) => anyhow::anyhow!(
                        "{}",
                        f.0.iter()
                            .map(|x| format!(
                                "{}: {}",
                                x.field,
                                web::i18n::t(web::i18n::Locale::ZhCn, &x.key)
                            ))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    other => other.into(),
                })?;
            println!("created system administrator {username} (id {id})");
            Ok(0)
        }
        Command::Audit {
            cmd: AuditCmd::Verify,
        } => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            let opened = crate::open_db(&cfg, false).await?;
            let r = storage::repo::audit::verify(&opened.db).await?;
            match r.broken {
                None => {
                    println!("verified {} events: chain intact", r.checked);
                    Ok(0)
                }
                Some(domain::audit::ChainBreak::Content { id }) => {
                    println!(
                        "BROKEN at event {id}: its content no longer matches its hash ({} events verified before it)",
                        r.checked
                    );
                    Ok(1)
                }
                Some(domain::audit::ChainBreak::Link { id }) => {
                    println!(
                        "BROKEN at event {id}: it does not follow the previous event (an event was removed or inserted; {} verified before it)",
                        r.checked
                    );
                    Ok(1)
                }
            }
        }
        Command::Bench { scenario, n } => match scenario.as_str() {
            "sqlite-sync" => bench_sqlite_sync(n).await,
            "clocks" => crate::bench::clocks(n, cli.common.database_url.clone()).await,
            "docs" => crate::bench::docs(n),
            other => {
                bail!("unknown benchmark scenario `{other}` (known: sqlite-sync, clocks, docs)")
            }
        },
        Command::Calendar { cmd } => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            calendar::run(&cfg, cmd).await
        }
        Command::Doc { cmd } => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            doc::run(&cfg, cmd)
        }
        Command::Backup { to } => {
            let cfg = Config::load(&overrides(&cli.common, None, false))?;
            let opened = crate::open_db(&cfg, false).await?;
            if opened.db.engine == storage::Engine::Postgres {
                println!(
                    "PostgreSQL: use pg_dump, e.g. `pg_dump --format=custom --file={} '{}'`",
                    to.display(),
                    storage::redact_url(&cfg.database_url())
                );
                return Ok(0);
            }
            opened.db.backup_sqlite(&to).await?;
            println!("backup written to {}", to.display());
            Ok(0)
        }
    }
}

fn print_demo_accounts() {
    println!("演示账号 / demo accounts (username / password):");
    for (u, _) in storage::seed::demo_accounts() {
        println!("{u} / {}", storage::seed::DEMO_PASSWORD);
    }
}

async fn serve(cfg: Config) -> Result<i32> {
    let addr = cfg.listen_addr()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let grace = std::time::Duration::from_secs(cfg.server.shutdown_grace_secs);
    let db_url = storage::redact_url(&cfg.database_url());
    let (running, demo) = crate::start(cfg, listener, true).await?;
    tracing::info!(addr = %running.addr, database = %db_url, demo, "jianguan serving");
    println!("jianguan serving on http://{}", running.addr);
    if demo {
        print_demo_accounts();
    }
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    let _ = running.shutdown.send(());
    match tokio::time::timeout(grace, running.handle).await {
        Ok(Ok(Ok(()))) => Ok(0),
        Ok(Ok(Err(e))) => Err(e),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => {
            tracing::warn!("requests still running after the grace period; exiting");
            Ok(0)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Commits `n` audited write transactions (one org unit each) on a fresh
/// SQLite file, once with `synchronous=FULL` and once with `NORMAL`, and the
/// same number of bare single-row INSERT transactions through the raw driver.
async fn bench_sqlite_sync(n: usize) -> Result<i32> {
    use storage::{AuditCtx, Db, DbOptions, Synchronous};
    println!("scenario=sqlite-sync n={n}");
    for sync in [Synchronous::Full, Synchronous::Normal] {
        let dir = tempdir_for_bench()?;
        let url = format!("sqlite://{}/bench.db", dir.display());
        let db = Db::connect(&DbOptions {
            url,
            max_connections: 4,
            synchronous: sync,
            busy_timeout: std::time::Duration::from_secs(5),
        })
        .await?;
        db.migrate().await?;
        let ctx = AuditCtx::system("bench");
        let started = std::time::Instant::now();
        for i in 0..n {
            let mut tx = db.begin_write(&ctx).await?;
            let input = domain::org::UnitInput {
                parent_id: None,
                code: format!("B{i}"),
                name: format!("基准机构{i}"),
                short_name: None,
                kind: domain::org::UnitKind::Other,
                sort_order: 0,
            };
            storage::repo::units::create(&mut tx, &input).await?;
            tx.commit().await?;
        }
        let app = started.elapsed();
        // The raw engine doing the bare minimum: one INSERT per transaction.
        db.exec("CREATE TABLE raw_bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .await?;
        let started = std::time::Instant::now();
        for i in 0..n {
            db.exec(&format!("INSERT INTO raw_bench (name) VALUES ('r{i}')"))
                .await?;
        }
        let raw = started.elapsed();
        println!(
            "synchronous={:?} audited_tx_per_s={:.0} mean_ms={:.3} raw_insert_tx_per_s={:.0} ratio_app_to_raw={:.2}",
            sync,
            n as f64 / app.as_secs_f64(),
            app.as_secs_f64() * 1000.0 / n as f64,
            n as f64 / raw.as_secs_f64(),
            app.as_secs_f64() / raw.as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(0)
}

fn tempdir_for_bench() -> Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("jianguan-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}
