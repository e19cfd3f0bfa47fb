use reqwest::StatusCode;

use crate::harness::*;

/// PostgreSQL: two app servers start at once against one database (the
/// migration runs once under the advisory lock), and a session created on one
/// is accepted by the other. SQLite: a second server on the same file is refused.
#[tokio::test]
async fn two_servers_one_database() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let url = fresh_db_url(dir_a.path()).await;
    if is_pg() {
        let cfg_a = test_config(dir_a.path(), url.clone());
        let cfg_b = test_config(dir_b.path(), url);
        let (a, b) = tokio::join!(spawn_with(cfg_a, dir_a), spawn_with(cfg_b, dir_b));
        let c = TestApp::browser();
        a.web_login(&c, "fazhi").await;
        // The same cookie jar now talks to the other server.
        let page = c.get(b.url("/workbench")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("张伟"));
        a.stop().await;
        b.stop().await;
    } else {
        let a = spawn_with(test_config(dir_a.path(), url.clone()), dir_a).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = jianguan::start(test_config(dir_b.path(), url), listener, true)
            .await
            .err()
            .expect("second server must be refused");
        let msg = format!("{err:#}");
        assert!(msg.contains("已被另一个 jianguan 进程使用"), "{msg}");
        a.stop().await;
    }
}
