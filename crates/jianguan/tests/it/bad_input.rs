use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn oversized_body_malformed_json_and_wrong_type() {
    let app = spawn().await;
    let t = app.token("admin").await;
    let c = TestApp::client();
    let before = app.audit_count().await;
    let big = vec![b'a'; 20 * 1024 * 1024];
    let r = c
        .post(app.url("/api/v1/units"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert_eq!(body["error"]["message"], "提交的内容过大，已被拒绝。");

    let r = c
        .post(app.url("/api/v1/units"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"code\": \"X\", \"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert_eq!(body["error"]["message"], "JSON 格式不正确，无法解析。");

    let r = c
        .post(app.url("/api/v1/units"))
        .bearer_auth(&t)
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // English on request.
    let r = c
        .post(app.url("/api/v1/units"))
        .bearer_auth(&t)
        .header("accept-language", "en-US,en;q=0.9")
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Malformed JSON.");
    assert_eq!(app.audit_count().await, before, "nothing may be written");
    app.stop().await;
}

#[tokio::test]
async fn deleting_a_unit_with_staff_is_a_clear_conflict() {
    let app = spawn().await;
    let t = app.token("admin").await;
    let (_, all) = app.get_json(&t, "/api/v1/units?per_page=100").await;
    let squad = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "LQ-DD-2")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let before = app.audit_count().await;
    let (s, e) = app
        .send_json(
            &t,
            Method::DELETE,
            &format!("/api/v1/units/{squad}"),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        e["error"]["message"],
        "该机构下仍有人员，不能删除。请先调整或删除这些人员。"
    );
    let (s, _) = app.get_json(&t, &format!("/api/v1/units/{squad}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.audit_count().await, before);
    // The same through the web page.
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "admin").await;
    let r = c
        .post(app.url(&format!("/units/{squad}/delete")))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("该机构下仍有人员"));
    app.stop().await;
}

#[tokio::test]
async fn html_form_errors_are_per_field_in_chinese() {
    let app = spawn().await;
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "admin").await;
    let r = c
        .post(app.url("/units"))
        .header("origin", &app.base)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", "bad code!"),
            ("name", ""),
            ("kind", "nonsense"),
            ("sort_order", "abc"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for msg in [
        "此项为必填项。",
        "代码只能包含字母、数字、连字符和下划线。",
        "请从列表中选择。",
        "请输入整数。",
    ] {
        assert!(html.contains(msg), "missing {msg}");
    }
    // Unknown ids and garbage paths are 404 pages, never 500.
    assert_eq!(
        c.get(app.url("/units/999999"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(app.url("/units/abc")).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get(app.url("/no/such/page"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}
