use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn concurrent_writes_keep_one_intact_chain_and_tampering_is_named() {
    let app = spawn().await;
    let t = app.token("admin").await;
    // Twenty writers at once.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..20 {
        let url = app.url("/api/v1/units");
        let t = t.clone();
        set.spawn(async move {
            TestApp::client()
                .request(Method::POST, url)
                .bearer_auth(t)
                .json(&json!({"code": format!("C{i}"), "name": format!("并发机构{i}"), "kind": "other"}))
                .send()
                .await
                .map(|r| r.status())
        });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap(), StatusCode::CREATED);
    }
    let report = storage::repo::audit::verify(&app.db).await.unwrap();
    assert!(report.broken.is_none(), "{report:?}");
    assert!(report.checked > 60);

    // Change one row directly in the database.
    use sea_orm::{EntityTrait, QueryOrder};
    let victim = storage::entity::audit_event::Entity::find()
        .order_by_asc(storage::entity::audit_event::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap()[40]
        .id;
    app.exec(&format!(
        "UPDATE audit_events SET actor_name = 'mallory' WHERE id = {victim}"
    ))
    .await;
    let report = storage::repo::audit::verify(&app.db).await.unwrap();
    assert_eq!(
        report.broken,
        Some(domain::audit::ChainBreak::Content { id: victim })
    );

    // The command line says the same, with exit code 1.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(["audit", "verify", "--database-url", &app.cfg.database_url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("BROKEN at event {victim}")),
        "{text}"
    );
    app.stop().await;
}

#[tokio::test]
async fn deleting_an_event_breaks_the_link() {
    let app = spawn().await;
    app.exec("DELETE FROM audit_events WHERE id = 5").await;
    let report = storage::repo::audit::verify(&app.db).await.unwrap();
    assert_eq!(
        report.broken,
        Some(domain::audit::ChainBreak::Link { id: 6 })
    );
    app.stop().await;
}
