use reqwest::StatusCode;
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn web_login_workbench_logout() {
    let app = spawn().await;
    let c = TestApp::browser();
    // Anonymous pages redirect to the login page.
    let r = c.get(app.url("/workbench")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let csrf = app.web_login(&c, "fazhi").await;
    let wb = c
        .get(app.url("/workbench"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(wb.contains("id=\"workbench\"") && wb.contains("张伟") && wb.contains("政策法规股"));
    let r = c
        .post(app.url("/logout"))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(app.url("/workbench")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "session must be gone after logout"
    );
    app.stop().await;
}

#[tokio::test]
async fn wrong_password_then_lockout() {
    let app = spawn().await;
    let c = TestApp::client();
    let bad = json!({"username": "yewu", "password": "wrong-Password-1"});
    let r = c
        .post(app.url("/api/v1/auth/login"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    for _ in 0..4 {
        c.post(app.url("/api/v1/auth/login"))
            .json(&bad)
            .send()
            .await
            .unwrap();
    }
    // Locked now: even the right password is refused, with 429.
    let good = json!({"username": "yewu", "password": PW});
    let r = c
        .post(app.url("/api/v1/auth/login"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The web form says so in Chinese.
    let b = TestApp::browser();
    let page = b
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pre = hidden(&page, "_csrf");
    let r = b
        .post(app.url("/login"))
        .header("origin", &app.base)
        .form(&[
            ("username", "yewu"),
            ("password", PW),
            ("_csrf", pre.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("账号已临时锁定"));
    // The security administrator unlocks; then the login works.
    app.exec("UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE username = 'yewu'")
        .await;
    let r = c
        .post(app.url("/api/v1/auth/login"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn expired_session_is_refused() {
    let app = spawn().await;
    let c = TestApp::browser();
    app.web_login(&c, "admin").await;
    assert_eq!(
        c.get(app.url("/units")).send().await.unwrap().status(),
        StatusCode::OK
    );
    // Idle for three hours.
    let past = if is_pg() {
        "now() - interval '3 hours'".to_string()
    } else {
        "'2000-01-01T00:00:00Z'".to_string()
    };
    app.exec(&format!("UPDATE sessions SET last_seen_at = {past}"))
        .await;
    let r = c.get(app.url("/units")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(app.url("/api/v1/units")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "请先登录。");
    app.stop().await;
}

#[tokio::test]
async fn api_token_logout_revokes_it() {
    let app = spawn().await;
    let t = app.token("juzhang").await;
    let (s, me) = app.get_json(&t, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["roles"][0], "bureau_head");
    let r = TestApp::client()
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, _) = app.get_json(&t, "/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn cross_site_and_tokenless_posts_are_refused_and_write_nothing() {
    let app = spawn().await;
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "admin").await;
    let before = app.audit_count().await;
    let form = [("code", "EVIL"), ("name", "伪造机构"), ("kind", "other")];
    // A forged cross-site form post carries the session cookie but comes from elsewhere.
    let r = c
        .post(app.url("/units"))
        .header("origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("跨站"));
    let r = c
        .post(app.url("/units"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Same origin but without the token.
    let r = c
        .post(app.url("/units"))
        .header("origin", &app.base)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // With a wrong token.
    let r = c
        .post(app.url("/units"))
        .form(&[
            ("_csrf", "0000"),
            ("code", "EVIL"),
            ("name", "x"),
            ("kind", "other"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, before, "nothing may be written");
    // The real form post works.
    let r = c
        .post(app.url("/units"))
        .header("origin", &app.base)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", "GOOD"),
            ("name", "正常机构"),
            ("kind", "other"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}
