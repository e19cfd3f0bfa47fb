//! Configuration: defaults → `jianguan.toml` (in the working directory or
//! `--config`) → environment (`JIANGUAN__SECTION__KEY`) → command-line flags.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, Result, bail};
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the SQLite database, its lock file and (later) files live.
    pub data_dir: PathBuf,
    /// Seed demo data and print demo accounts. Unset: on for a new embedded
    /// database, never for PostgreSQL.
    pub demo: Option<bool>,
    /// In demo mode, also seed example documents (an issued and served notice
    /// with its clocks, one in legal review, one draft).
    pub demo_documents: bool,
    pub server: Server,
    pub database: Database,
    pub auth: Auth,
    pub log: Log,
    pub clocks: Clocks,
    pub scheduler: Scheduler,
    pub files: Files,
    pub documents: Documents,
}

/// Where generated PDFs, seals and proofs of service are kept: a folder
/// (default `<data_dir>/files`) or an S3-compatible bucket shared by several
/// app servers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Files {
    /// `local` or `s3`.
    pub store: String,
    /// Folder for `local` (empty: `<data_dir>/files`).
    pub path: String,
    pub s3_endpoint: String,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key: String,
    pub s3_secret_key: String,
    /// Allow plain http to the endpoint (a store inside the data centre).
    pub s3_allow_http: bool,
}

impl Default for Files {
    fn default() -> Self {
        Files {
            store: "local".into(),
            path: String::new(),
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key: String::new(),
            s3_secret_key: String::new(),
            s3_allow_http: false,
        }
    }
}

/// Official documents.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Documents {
    /// A folder of licensed fonts (方正小标宋, 仿宋_GB2312, 黑体, 楷体 …) that
    /// templates prefer by family name over the embedded Noto faces.
    pub font_dir: Option<PathBuf>,
    /// Type code → number prefix (发文字号), e.g. `supervision_notice = "鹿人社监通"`.
    pub prefixes: std::collections::BTreeMap<String, String>,
}

/// Statutory clocks. The seed document's 10/15/30-day periods do not say
/// whether they count working or calendar days; they default to calendar days
/// with roll-over and can be changed here once the bureau confirms.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Clocks {
    /// Rule code → `working`, `calendar` or `months`, e.g. `"review.apply" = "working"`.
    pub day_kinds: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scheduler {
    /// Run the periodic reminder sweep in this server (one server per slot wins).
    pub enabled: bool,
    /// Seconds between sweeps.
    pub interval_secs: u64,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler {
            enabled: true,
            interval_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    pub listen: String,
    pub site_name: String,
    /// Set when TLS terminates in front of the app: cookies get `Secure`.
    pub secure_cookies: bool,
    /// Addresses of load balancers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    pub max_body_bytes: usize,
    pub request_timeout_secs: u64,
    /// Seconds to let requests in flight finish on shutdown.
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Database {
    /// `sqlite://…` or `postgres://…`; empty = `sqlite://<data_dir>/jianguan.db`.
    pub url: String,
    pub max_connections: u32,
    /// `full` (default: no acknowledged write lost even on power failure) or `normal`.
    pub sqlite_synchronous: String,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    pub max_failures: i32,
    pub lockout_minutes: i64,
    pub idle_timeout_minutes: i64,
    pub absolute_timeout_hours: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// `pretty` or `json`.
    pub format: String,
    /// An `EnvFilter` directive, e.g. `info,jianguan=debug`.
    pub level: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            demo: None,
            demo_documents: true,
            server: Server::default(),
            database: Database::default(),
            auth: Auth::default(),
            log: Log::default(),
            clocks: Clocks::default(),
            scheduler: Scheduler::default(),
            files: Files::default(),
            documents: Documents::default(),
        }
    }
}

impl Default for Server {
    fn default() -> Self {
        Server {
            listen: "127.0.0.1:8080".into(),
            site_name: "鹿泉区人社局事中事后监管平台".into(),
            secure_cookies: false,
            trusted_proxies: vec![],
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 20,
        }
    }
}

impl Default for Database {
    fn default() -> Self {
        Database {
            url: String::new(),
            max_connections: 10,
            sqlite_synchronous: "full".into(),
            busy_timeout_ms: 5000,
        }
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            max_failures: 5,
            lockout_minutes: 15,
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
        }
    }
}

impl Default for Log {
    fn default() -> Self {
        Log {
            format: "pretty".into(),
            level: "info,sqlx=warn,sea_orm=warn".into(),
        }
    }
}

/// Flags that override the file and the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub demo: bool,
}

impl Config {
    pub fn load(o: &Overrides) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match &o.config_file {
            Some(p) => {
                if !p.exists() {
                    bail!("配置文件不存在 / config file not found: {}", p.display());
                }
                fig = fig.merge(Toml::file(p));
            }
            None => fig = fig.merge(Toml::file("jianguan.toml")),
        }
        fig = fig.merge(Env::prefixed("JIANGUAN__").split("__").lowercase(true));
        let mut c: Config = fig.extract().map_err(|e| {
            let first = e.clone().into_iter().next();
            match first {
                Some(err) => anyhow::anyhow!(
                    "配置错误 / configuration error at `{}`: {}",
                    err.path.join("."),
                    err.kind
                ),
                None => anyhow::anyhow!("配置错误 / configuration error: {e}"),
            }
        })?;
        if let Some(d) = &o.data_dir {
            c.data_dir = d.clone();
        }
        if let Some(u) = &o.database_url {
            c.database.url = u.clone();
        }
        if let Some(l) = &o.listen {
            c.server.listen = l.clone();
        }
        if o.demo {
            c.demo = Some(true);
        }
        c.validate()?;
        Ok(c)
    }

    /// Checks every value that the types alone do not; names the key.
    pub fn validate(&self) -> Result<()> {
        self.listen_addr()?;
        let url = self.database_url();
        if storage::Engine::from_url(&url).is_none() {
            bail!(
                "配置错误 `database.url`: 只支持 sqlite:// 或 postgres:// / only sqlite:// or postgres:// URLs are supported"
            );
        }
        self.database
            .sqlite_synchronous
            .parse::<storage::Synchronous>()
            .map_err(|e| anyhow::anyhow!("配置错误 `database.sqlite_synchronous`: {e}"))?;
        if self.database.max_connections == 0 {
            bail!("配置错误 `database.max_connections`: must be at least 1");
        }
        for p in &self.server.trusted_proxies {
            p.parse::<std::net::IpAddr>().with_context(|| {
                format!("配置错误 `server.trusted_proxies`: {p} is not an IP address")
            })?;
        }
        if !matches!(self.log.format.as_str(), "pretty" | "json") {
            bail!(
                "配置错误 `log.format`: expected pretty or json, got {}",
                self.log.format
            );
        }
        if self.auth.max_failures < 1
            || self.auth.lockout_minutes < 1
            || self.auth.idle_timeout_minutes < 1
            || self.auth.absolute_timeout_hours < 1
        {
            bail!("配置错误 `auth`: every limit must be at least 1");
        }
        self.clock_rules()?;
        if self.scheduler.interval_secs < 1 {
            bail!("配置错误 `scheduler.interval_secs`: at least 1");
        }
        self.catalogue()?;
        self.file_store_config()?;
        if let Some(dir) = &self.documents.font_dir
            && !dir.is_dir()
        {
            bail!(
                "配置错误 `documents.font_dir`: {} is not a folder",
                dir.display()
            );
        }
        if self.server.max_body_bytes < 1024 {
            bail!("配置错误 `server.max_body_bytes`: at least 1024");
        }
        Ok(())
    }

    /// The shipped clock rules with the configured day-kind overrides.
    pub fn clock_rules(&self) -> Result<domain::rules::RuleSet> {
        use domain::clock::DayKind;
        let mut rules = domain::rules::RuleSet::china_default()
            .map_err(|e| anyhow::anyhow!("clock rules: {e}"))?;
        for (code, kind) in &self.clocks.day_kinds {
            let k = match kind.as_str() {
                "working" => DayKind::Working,
                "calendar" => DayKind::Calendar,
                "months" => DayKind::Months,
                other => bail!(
                    "配置错误 `clocks.day_kinds.{code}`: expected working, calendar or months, got {other}"
                ),
            };
            rules
                .set_day_kind(code, k)
                .map_err(|e| anyhow::anyhow!("配置错误 `clocks.day_kinds.{code}`: {e}"))?;
        }
        Ok(rules)
    }

    /// The shipped document catalogue with the configured number prefixes,
    /// checked against the clock rules.
    pub fn catalogue(&self) -> Result<domain::doctypes::Catalogue> {
        let rules = self.clock_rules()?;
        let mut c = domain::doctypes::Catalogue::china_default(&rules)
            .map_err(|e| anyhow::anyhow!("document catalogue: {e}"))?;
        for (code, prefix) in &self.documents.prefixes {
            c.set_prefix(code, prefix)
                .map_err(|e| anyhow::anyhow!("配置错误 `documents.prefixes.{code}`: {e}"))?;
        }
        Ok(c)
    }

    /// The file store settings.
    pub fn file_store_config(&self) -> Result<storage::files::FileStoreConfig> {
        let f = &self.files;
        match f.store.as_str() {
            "local" => Ok(storage::files::FileStoreConfig::Local(
                if f.path.is_empty() {
                    self.data_dir.join("files")
                } else {
                    PathBuf::from(&f.path)
                },
            )),
            "s3" => {
                for (k, v) in [("s3_endpoint", &f.s3_endpoint), ("s3_bucket", &f.s3_bucket)] {
                    if v.is_empty() {
                        bail!("配置错误 `files.{k}`: required when files.store = \"s3\"");
                    }
                }
                Ok(storage::files::FileStoreConfig::S3 {
                    endpoint: f.s3_endpoint.clone(),
                    bucket: f.s3_bucket.clone(),
                    region: f.s3_region.clone(),
                    access_key: f.s3_access_key.clone(),
                    secret_key: f.s3_secret_key.clone(),
                    allow_http: f.s3_allow_http,
                })
            }
            other => bail!("配置错误 `files.store`: expected local or s3, got {other}"),
        }
    }

    pub fn listen_addr(&self) -> Result<SocketAddr> {
        self.server.listen.parse().with_context(|| {
            format!(
                "配置错误 `server.listen`: `{}` is not HOST:PORT",
                self.server.listen
            )
        })
    }

    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}/jianguan.db", self.data_dir.display())
        } else {
            self.database.url.clone()
        }
    }

    pub fn db_options(&self) -> storage::DbOptions {
        storage::DbOptions {
            url: self.database_url(),
            max_connections: self.database.max_connections,
            synchronous: self
                .database
                .sqlite_synchronous
                .parse()
                .unwrap_or(storage::Synchronous::Full),
            busy_timeout: std::time::Duration::from_millis(self.database.busy_timeout_ms),
        }
    }

    pub fn web_config(&self, demo: bool) -> web::WebConfig {
        web::WebConfig {
            auth: storage::repo::auth::AuthPolicy {
                max_failures: self.auth.max_failures,
                lockout: chrono::Duration::minutes(self.auth.lockout_minutes),
                idle_timeout: chrono::Duration::minutes(self.auth.idle_timeout_minutes),
                absolute_timeout: chrono::Duration::hours(self.auth.absolute_timeout_hours),
            },
            secure_cookies: self.server.secure_cookies,
            trusted_proxies: self
                .server
                .trusted_proxies
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
            max_body_bytes: self.server.max_body_bytes,
            demo,
            site_name: self.server.site_name.clone(),
            request_timeout: std::time::Duration::from_secs(self.server.request_timeout_secs),
        }
    }

    /// The effective configuration as TOML with secrets redacted.
    pub fn redacted_toml(&self) -> String {
        let mut c = self.clone();
        c.database.url = storage::redact_url(&self.database_url());
        if !c.files.s3_secret_key.is_empty() {
            c.files.s3_secret_key = "***".into();
        }
        toml::to_string_pretty(&c).unwrap_or_default()
    }
}
