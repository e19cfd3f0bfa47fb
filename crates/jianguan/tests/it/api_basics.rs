use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn health_ready_metrics_openapi() {
    let app = spawn().await;
    let c = TestApp::client();
    assert_eq!(
        c.get(app.url("/healthz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let m = c
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("http_requests_total"), "metrics: {m}");
    let doc: serde_json::Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/auth/login",
        "/api/v1/me",
    ] {
        assert!(doc["paths"].get(p).is_some(), "OpenAPI lacks {p}");
    }
    let docs = c.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn units_crud_through_the_api_with_audit() {
    let app = spawn().await;
    let admin = app.token("admin").await;
    let (s, list) = app.get_json(&admin, "/api/v1/units?per_page=100").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list["total"].as_u64().unwrap() >= 15);
    let bureau = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "LQ-RSJ")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let before = app.audit_count().await;
    let (s, u) = app
        .send_json(&admin, Method::POST, "/api/v1/units", json!({"parent_id": bureau, "code": "LQ-TEST", "name": "测试股", "kind": "business_department"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let id = u["id"].as_i64().unwrap();
    assert_eq!(app.audit_count().await, before + 1);

    let (s, u2) = app
        .send_json(&admin, Method::PUT, &format!("/api/v1/units/{id}"), json!({"parent_id": bureau, "code": "LQ-TEST", "name": "测试股（改）", "kind": "business_department"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(u2["name"], "测试股（改）");

    // Duplicate code: a field error in Chinese.
    let (s, e) = app
        .send_json(
            &admin,
            Method::POST,
            "/api/v1/units",
            json!({"code": "LQ-TEST", "name": "重复", "kind": "other"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "code");
    assert_eq!(e["error"]["fields"][0]["message"], "该值已被使用。");

    // A unit cannot become its own descendant.
    let (s, _) = app
        .send_json(
            &admin,
            Method::PUT,
            &format!("/api/v1/units/{bureau}"),
            json!({"parent_id": id, "code": "LQ-RSJ", "name": "x", "kind": "district_bureau"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    let r = TestApp::client()
        .delete(app.url(&format!("/api/v1/units/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, _) = app.get_json(&admin, &format!("/api/v1/units/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn data_scope_limits_what_a_unit_scoped_inspector_sees() {
    let app = spawn().await;
    // The inspector's role is scoped to 监察一中队 only.
    let t = app.token("jianchayuan").await;
    let (s, list) = app.get_json(&t, "/api/v1/units?per_page=100").await;
    assert_eq!(s, StatusCode::OK);
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["LQ-DD-1"]);
    // The brigade head sees the brigade and both squads (本单位及下级).
    let t = app.token("daduizhang").await;
    let (_, list) = app.get_json(&t, "/api/v1/units?per_page=100").await;
    let mut codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, vec!["LQ-DD", "LQ-DD-1", "LQ-DD-2"]);
    // A unit outside the scope is "not found", not leaked.
    let (_, all) = app
        .get_json(&app.token("admin").await, "/api/v1/units?per_page=100")
        .await;
    let legal = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "LQ-FZ")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, _) = app.get_json(&t, &format!("/api/v1/units/{legal}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.stop().await;
}
