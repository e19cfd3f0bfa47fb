//! Staff, accounts, the caller's own account and the audit log, through the
//! API and the pages.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::*;

/// The id of the user with this username (as the system administrator sees it).
async fn user_id(app: &TestApp, admin: &str, username: &str) -> i64 {
    let (_, page) = app
        .get_json(admin, &format!("/api/v1/users?q={username}&per_page=100"))
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn separation_of_duties_is_refused_in_plain_words() {
    let app = spawn().await;
    let admin = app.token("admin").await;
    let sec = app.token("secadmin").await;
    let admin_id = user_id(&app, &admin, "admin").await;
    let sec_id = user_id(&app, &admin, "secadmin").await;
    let fazhi_id = user_id(&app, &admin, "fazhi").await;
    let before = app.audit_count().await;

    let (s, e) = app
        .send_json(
            &sec,
            Method::POST,
            &format!("/api/v1/users/{admin_id}/roles"),
            json!({"role": "audit_admin"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["code"], "role.separation_admins");
    let (s, e) = app
        .send_json(
            &sec,
            Method::POST,
            &format!("/api/v1/users/{fazhi_id}/roles"),
            json!({"role": "security_admin"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        e["error"]["fields"][0]["code"],
        "role.separation_admin_business"
    );
    let (s, e) = app
        .send_json(
            &sec,
            Method::POST,
            &format!("/api/v1/users/{sec_id}/roles"),
            json!({"role": "bureau_head"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["message"], "不能为自己的账号授予或撤销角色。");
    // The system administrator creates accounts but does not grant roles.
    let (s, _) = app
        .send_json(
            &admin,
            Method::POST,
            &format!("/api/v1/users/{fazhi_id}/roles"),
            json!({"role": "bureau_head"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, before, "nothing may be written");

    // The page shows the refusal on the grant form.
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "secadmin").await;
    let r = c
        .post(app.url(&format!("/users/{admin_id}/roles")))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str()), ("role", "security_admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("三员分立：系统管理员、安全管理员、审计管理员三个角色不能由同一账号兼任。")
    );

    // A grant that is allowed, then revoked.
    let (s, ra) = app
        .send_json(
            &sec,
            Method::POST,
            &format!("/api/v1/users/{fazhi_id}/roles"),
            json!({"role": "bureau_head"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(ra["scope"], "all");
    let (s, _) = app
        .send_json(
            &sec,
            Method::DELETE,
            &format!("/api/v1/role-assignments/{}", ra["id"]),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn staff_certificates_and_relations() {
    let app = spawn().await;
    let admin = app.token("admin").await;
    let (_, units) = app.get_json(&admin, "/api/v1/units?per_page=100").await;
    let squad = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "LQ-DD-1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, p) = app
        .send_json(
            &admin,
            Method::POST,
            "/api/v1/staff",
            json!({"unit_id": squad, "name": "测试人员", "gender": "female"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = p["id"].as_i64().unwrap();
    let (s, e) = app
        .send_json(
            &admin,
            Method::POST,
            &format!("/api/v1/staff/{id}/certificates"),
            json!({"kind": "labour_inspection", "number": "T-1", "valid_from": "2026-01-01", "valid_to": "2025-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["code"], "err.date_order");
    let (s, c) = app
        .send_json(
            &admin,
            Method::POST,
            &format!("/api/v1/staff/{id}/certificates"),
            json!({"kind": "labour_inspection", "number": "T-1", "valid_from": "2020-01-01", "valid_to": "2099-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(c["status"], "valid");
    let (_, list) = app
        .get_json(&admin, &format!("/api/v1/staff?unit_id={squad}&q=测试"))
        .await;
    assert_eq!(list["items"][0]["certified"], true);
    let (s, c) = app
        .send_json(
            &admin,
            Method::POST,
            &format!("/api/v1/certificates/{}/revoke", c["id"]),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["status"], "revoked");
    let (s, r) = app
        .send_json(
            &admin,
            Method::POST,
            &format!("/api/v1/staff/{id}/relations"),
            json!({"subject_name": "某公司", "kind": "financial", "declared_on": "2026-11-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, d) = app.get_json(&admin, &format!("/api/v1/staff/{id}")).await;
    assert_eq!(d["relations"][0]["id"], r["id"]);
    assert_eq!(d["certificates"][0]["revoked"], true);

    // The inspector of the squad reads but does not write.
    let insp = app.token("jianchayuan").await;
    let (s, _) = app.get_json(&insp, &format!("/api/v1/staff/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .send_json(
            &insp,
            Method::DELETE,
            &format!("/api/v1/staff/{id}"),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A person with an account is not deleted: the page says why (409).
    let (_, people) = app
        .get_json(
            &admin,
            &format!("/api/v1/staff?unit_id={squad}&per_page=100"),
        )
        .await;
    let mut with_account = None;
    for p in people["items"].as_array().unwrap() {
        let (_, d) = app
            .get_json(&admin, &format!("/api/v1/staff/{}", p["id"]))
            .await;
        if d["username"].is_string() {
            with_account = p["id"].as_i64();
            break;
        }
    }
    let holder = with_account.unwrap();
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "admin").await;
    let r = c
        .post(app.url(&format!("/staff/{holder}/delete")))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("该人员已有登录账号，不能删除。")
    );
    // One without an account is.
    let r = c
        .post(app.url(&format!("/staff/{id}/delete")))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, _) = app.get_json(&admin, &format!("/api/v1/staff/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn own_password_tokens_and_language() {
    let app = spawn().await;
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "fazhi").await;
    let post = |path: &str, form: Vec<(&str, &str)>| {
        let mut f = vec![("_csrf", csrf.as_str())];
        f.extend(form);
        c.post(app.url(path))
            .header("origin", &app.base)
            .form(&f)
            .send()
    };
    let r = post(
        "/account/password",
        vec![
            ("old_password", "wrong"),
            ("password", "Newpass-2026!"),
            ("password2", "Newpass-2026!"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("原密码不正确。"));
    let r = post("/account/tokens", vec![("name", "报送接口")])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let secret = html
        .split("id=\"token-secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    let (s, me) = app.get_json(&secret, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["username"], "fazhi");
    let r = post("/account/locale", vec![("locale", "en")])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().unwrap().starts_with("jg_lang=en"))
    );
    let r = post(
        "/account/password",
        vec![
            ("old_password", PW),
            ("password", "Newpass-2026!"),
            ("password2", "Newpass-2026!"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // This browser stays logged in (a fresh session), in English now.
    let page = c.get(app.url("/account")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Change password"));
    // The old password no longer works.
    let r = TestApp::client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "fazhi", "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn the_audit_administrator_filters_and_verifies() {
    let app = spawn().await;
    let auditor = app.token("auditor").await;
    let (s, page) = app
        .get_json(&auditor, "/api/v1/audit-events?action=role.&per_page=200")
        .await;
    assert_eq!(s, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["action"] == "role.assign"));
    let (s, e) = app
        .get_json(&auditor, "/api/v1/audit-events?from=2026-02-30")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "from");
    let (s, v) = app.get_json(&auditor, "/api/v1/audit-events/verify").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["intact"], true);
    let count = app.audit_count().await;
    app.exec(&format!(
        "UPDATE audit_events SET actor_name = 'mallory' WHERE id = {}",
        count / 2
    ))
    .await;
    let c = TestApp::browser();
    app.web_login(&c, "auditor").await;
    let html = c
        .get(app.url("/audit/verify"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("审计链断裂，首个异常记录为 #{}", count / 2)));
    app.stop().await;
}
