//! Storage: the only crate that talks to the database.
//!
//! One schema and one migration list serve embedded SQLite (the default) and
//! PostgreSQL (a province with several stateless app servers). Handlers never
//! build queries: they call repository functions in [`repo`], each of which
//! takes the caller's data [`domain::Scope`] for reads and a [`WriteTx`] for
//! writes. A `WriteTx` refuses to commit without an audit event, and appends
//! its events to the hash-chained whole-process record in the same
//! transaction.

pub mod entity;
pub mod files;
pub mod migration;
pub mod repo;
pub mod seed;
mod tx;

use std::{path::Path, str::FromStr, time::Duration};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};
use sea_orm_migration::MigratorTrait;

pub use tx::{AuditCtx, WriteTx};

/// Errors of the storage layer. The web layer maps each to one HTTP answer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("not found")]
    NotFound,
    /// A rule of the data was broken; the string is a locale key.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("invalid input")]
    Invalid(domain::FieldErrors),
    #[error("forbidden")]
    Forbidden,
    /// Calendar data that does not validate (names the year and date).
    #[error("calendar data: {0}")]
    CalendarData(domain::calendar::CalendarDataError),
    /// A clock event the rule does not allow.
    #[error("clock: {0}")]
    Clock(domain::clock::ClockError),
    /// A computation needs calendar data that is missing (names the year).
    #[error("calendar: {0}")]
    Calendar(domain::calendar::CalendarError),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

impl From<domain::authz::Forbidden> for StorageError {
    fn from(_: domain::authz::Forbidden) -> Self {
        StorageError::Forbidden
    }
}

/// Which engine a URL points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }
}

/// SQLite durability. `Full` fsyncs the WAL on every commit, so an
/// acknowledged write survives power loss; `Normal` survives a process crash
/// but may lose the last commits on power loss. See docs/BENCHMARKS.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Full,
    Normal,
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    pub synchronous: Synchronous,
    pub busy_timeout: Duration,
}

/// A connection pool to one of the two engines.
#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    pub engine: Engine,
}

/// Holds the exclusive lock on an SQLite database file for this process.
#[derive(Debug)]
pub struct ProcessLock {
    _file: std::fs::File,
}

/// The path of the SQLite file in a `sqlite://` URL.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Refuses a second serving process on the same SQLite file: SQLite mode is
/// one process; several app servers need PostgreSQL.
pub fn lock_sqlite_file(db_path: &Path) -> Result<ProcessLock> {
    use fs4::fs_std::FileExt;
    use std::io::Write;
    let lock_path = db_path.with_extension("db.lock");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StorageError::Other(format!("无法打开锁文件 {}: {e}", lock_path.display())))?;
    match FileExt::try_lock_exclusive(&file) {
        Ok(true) => {}
        _ => {
            let holder = std::fs::read_to_string(&lock_path).unwrap_or_default();
            return Err(StorageError::Other(format!(
                "数据库文件 {} 已被另一个 jianguan 进程使用（{}）。SQLite 模式只允许一个服务进程；需要多台应用服务器时请改用 PostgreSQL。 \
                 The SQLite database is already served by another jianguan process.",
                db_path.display(),
                holder.trim()
            )));
        }
    }
    file.set_len(0).ok();
    let _ = writeln!(file, "pid {}", std::process::id());
    Ok(ProcessLock { _file: file })
}

/// The advisory-lock key under which migrations run on PostgreSQL.
const MIGRATION_LOCK: i64 = 0x6a69_616e_6775_616e; // "jianguan"
/// The advisory-lock key that serialises appends to the audit chain.
pub(crate) const AUDIT_LOCK: i64 = 0x6a67_6175_6469_7400;

impl Db {
    pub async fn connect(opts: &DbOptions) -> Result<Db> {
        let engine = Engine::from_url(&opts.url).ok_or_else(|| {
            StorageError::Other(format!(
                "unsupported database URL scheme: {}",
                redact_url(&opts.url)
            ))
        })?;
        let mut co = ConnectOptions::new(opts.url.clone());
        co.max_connections(opts.max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        if engine == Engine::Sqlite {
            if let Some(path) = sqlite_path(&opts.url)
                && let Some(dir) = Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StorageError::Other(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let sync = opts.synchronous;
            let busy = opts.busy_timeout;
            co.map_sqlx_sqlite_opts(move |o| {
                use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(busy)
                    .synchronous(match sync {
                        Synchronous::Full => SqliteSynchronous::Full,
                        Synchronous::Normal => SqliteSynchronous::Normal,
                    })
                    .pragma("temp_store", "memory")
                    .pragma("cache_size", "-65536")
            });
        }
        let conn = Database::connect(co).await?;
        Ok(Db { conn, engine })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Applies pending migrations. On PostgreSQL several app servers may start
    /// at once: the first takes the advisory lock and migrates, the others
    /// wait and then find nothing pending.
    pub async fn migrate(&self) -> Result<usize> {
        match self.engine {
            Engine::Sqlite => {
                let pending = migration::Migrator::get_pending_migrations(&self.conn)
                    .await?
                    .len();
                migration::Migrator::up(&self.conn, None).await?;
                Ok(pending)
            }
            Engine::Postgres => {
                // A session-level advisory lock must be taken and released on the
                // same connection, so hold one connection for the whole run.
                let pool = self.conn.get_postgres_connection_pool();
                let mut c = pool
                    .acquire()
                    .await
                    .map_err(|e| StorageError::Other(e.to_string()))?;
                sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *c)
                    .await
                    .map_err(|e| StorageError::Other(e.to_string()))?;
                let result = async {
                    let pending = migration::Migrator::get_pending_migrations(&self.conn)
                        .await?
                        .len();
                    if pending > 0 {
                        migration::Migrator::up(&self.conn, None).await?;
                    }
                    Ok::<_, DbErr>(pending)
                }
                .await;
                let _ = sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *c)
                    .await;
                Ok(result?)
            }
        }
    }

    /// Runs one SQL statement as is (benchmarks, maintenance).
    pub async fn exec(&self, sql: &str) -> Result<()> {
        self.conn.execute_unprepared(sql).await?;
        Ok(())
    }

    /// `SELECT 1`, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        self.conn
            .execute_raw(Statement::from_string(self.backend(), "SELECT 1"))
            .await?;
        Ok(())
    }

    /// An online, consistent copy of the SQLite database (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, to: &Path) -> Result<()> {
        if self.engine != Engine::Sqlite {
            return Err(StorageError::Other("backup_sqlite needs SQLite".into()));
        }
        if to.exists() {
            return Err(StorageError::Other(format!(
                "{} already exists",
                to.display()
            )));
        }
        let target = to.to_string_lossy().replace('\'', "''");
        self.conn
            .execute_unprepared(&format!("VACUUM INTO '{target}'"))
            .await?;
        Ok(())
    }
}

/// Hides the password of a database URL for logs and `check-config`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
    {
        let user = cred.split(':').next().unwrap_or("");
        let masked = if cred.contains(':') {
            format!("{user}:***")
        } else {
            user.to_string()
        };
        return format!("{scheme}://{masked}@{host}");
    }
    url.to_string()
}

/// Creates a fresh, uniquely named PostgreSQL database for one test and
/// returns its URL. `admin_url` points at an existing database (e.g. `postgres`).
pub async fn create_test_database(admin_url: &str) -> Result<String> {
    let name = format!("jg_test_{}", uuid::Uuid::new_v4().simple());
    let conn = Database::connect(admin_url).await?;
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    conn.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    Ok(format!("{base}/{name}"))
}

/// Today's date in Beijing time (UTC+8), the date every statutory period counts in.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Current time, truncated to microseconds (what both engines store exactly).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}

impl FromStr for Synchronous {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(Synchronous::Full),
            "normal" => Ok(Synchronous::Normal),
            other => Err(format!("expected full or normal, got {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/jianguan.db?mode=rwc"),
            Some("data/jianguan.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
