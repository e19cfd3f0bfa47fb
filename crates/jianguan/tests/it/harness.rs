use std::time::Duration;

use jianguan::{Config, Running};
use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::Value;

pub const PW: &str = storage::seed::DEMO_PASSWORD;

pub struct TestApp {
    pub base: String,
    pub db: storage::Db,
    pub cfg: Config,
    running: Option<Running>,
    _dir: tempfile::TempDir,
}

/// The database URL for a new test: a fresh PostgreSQL database when
/// `JIANGUAN_TEST_DATABASE_URL` is set, else SQLite in `dir`.
pub async fn fresh_db_url(dir: &std::path::Path) -> String {
    match std::env::var("JIANGUAN_TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => storage::create_test_database(&admin)
            .await
            .expect("create PG test database"),
        _ => format!("sqlite://{}/jianguan.db", dir.display()),
    }
}

pub fn is_pg() -> bool {
    std::env::var("JIANGUAN_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty())
}

pub fn test_config(dir: &std::path::Path, url: String) -> Config {
    let mut cfg = Config::default();
    cfg.data_dir = dir.to_path_buf();
    cfg.database.url = url;
    cfg.demo = Some(true);
    cfg.server.listen = "127.0.0.1:0".into();
    cfg.database.max_connections = 5;
    // Sweeps would write audit events at random moments; tests call `scheduler::tick` themselves.
    cfg.scheduler.enabled = false;
    // Example documents would take the first numbers; the doc tests count from 1.
    cfg.demo_documents = false;
    // With a local S3-compatible server (CI's PostgreSQL run) the app keeps
    // its files there, as several app servers of a province would.
    if let Ok(endpoint) = std::env::var("JIANGUAN_TEST_S3_ENDPOINT")
        && !endpoint.is_empty()
    {
        cfg.files.store = "s3".into();
        cfg.files.s3_endpoint = endpoint;
        cfg.files.s3_bucket =
            std::env::var("JIANGUAN_TEST_S3_BUCKET").unwrap_or_else(|_| "jianguan-test".into());
        cfg.files.s3_access_key = "test".into();
        cfg.files.s3_secret_key = "test".into();
        cfg.files.s3_allow_http = true;
    }
    cfg
}

pub async fn spawn() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fresh_db_url(dir.path()).await;
    spawn_with(test_config(dir.path(), url), dir).await
}

pub async fn spawn_with(cfg: Config, dir: tempfile::TempDir) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let (running, _demo) = jianguan::start(cfg.clone(), listener, true)
        .await
        .expect("start app");
    TestApp {
        base: format!("http://{}", running.addr),
        db: running.db.clone(),
        cfg,
        running: Some(running),
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client without cookies or redirects.
    pub fn client() -> Client {
        Client::builder()
            .redirect(Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client")
    }

    /// A browser-like client with a cookie jar.
    pub fn browser() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client")
    }

    /// Logs in through the API; returns the Bearer token.
    pub async fn token(&self, user: &str) -> String {
        let r = Self::client()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": user, "password": PW}))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::OK, "login as {user}");
        r.json::<Value>().await.expect("json")["token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    /// Logs a browser in through the real login form; returns the session's CSRF token.
    pub async fn web_login(&self, c: &Client, user: &str) -> String {
        let page = c
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("text");
        let pre = hidden(&page, "_csrf");
        let r = c
            .post(self.url("/login"))
            .header("origin", &self.base)
            .form(&[
                ("username", user),
                ("password", PW),
                ("_csrf", pre.as_str()),
                ("next", "/workbench"),
            ])
            .send()
            .await
            .expect("login post");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "web login as {user}");
        let wb = c
            .get(self.url("/workbench"))
            .send()
            .await
            .expect("workbench")
            .text()
            .await
            .expect("text");
        hidden(&wb, "_csrf")
    }

    pub async fn get_json(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = Self::client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let r = Self::client()
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("send");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.shutdown.send(());
            let _ = tokio::time::timeout(Duration::from_secs(10), r.handle).await;
        }
        // A PostgreSQL test database is dropped again (SQLite's goes with the temp dir).
        if let (Ok(admin), Some((_, name))) = (
            std::env::var("JIANGUAN_TEST_DATABASE_URL"),
            self.cfg.database_url().rsplit_once('/'),
        ) && !admin.is_empty()
            && name.starts_with("jg_test_")
        {
            let _ = self.db.conn.close_by_ref().await;
            if let Ok(c) = sea_orm::Database::connect(admin.as_str()).await {
                use sea_orm::ConnectionTrait;
                let _ = c
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                let _ = c.close().await;
            }
        }
    }

    pub async fn audit_count(&self) -> i64 {
        use sea_orm::{EntityTrait, PaginatorTrait};
        storage::entity::audit_event::Entity::find()
            .count(&self.db.conn)
            .await
            .expect("count") as i64
    }

    pub async fn exec(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        self.db.conn.execute_unprepared(sql).await.expect("exec");
    }
}

/// The value of a hidden input in an HTML page.
pub fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    html.split(&needle)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}
