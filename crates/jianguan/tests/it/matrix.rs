//! Every route as every role: the expected allow/deny follows from the
//! role → permission table in `domain::authz`. Add each new route here.

use domain::{Permission, Role};
use reqwest::{Method, StatusCode};

use crate::harness::*;

/// What a route demands: nothing (public), a login, or a permission.
#[derive(Clone, Copy, Debug)]
enum Need {
    Public,
    Login,
    Perm(Permission),
}

use Need::*;
use Permission as P;

/// (method, path, need). `{unit}`, `{staff}`, `{user}`, `{cert}` are replaced by real ids.
const API: &[(&str, &str, Need)] = &[
    ("GET", "/api/v1/me", Login),
    ("GET", "/api/v1/units", Perm(P::UnitRead)),
    ("GET", "/api/v1/units/{unit}", Perm(P::UnitRead)),
    ("POST", "/api/v1/units", Perm(P::UnitWrite)),
    ("PUT", "/api/v1/units/{unit}", Perm(P::UnitWrite)),
    ("DELETE", "/api/v1/units/{unit}", Perm(P::UnitWrite)),
    ("GET", "/api/v1/staff", Perm(P::StaffRead)),
    ("GET", "/api/v1/staff/{staff}", Perm(P::StaffRead)),
    ("POST", "/api/v1/staff", Perm(P::StaffWrite)),
    ("PUT", "/api/v1/staff/{staff}", Perm(P::StaffWrite)),
    ("DELETE", "/api/v1/staff/{staff}", Perm(P::StaffWrite)),
    (
        "POST",
        "/api/v1/staff/{staff}/certificates",
        Perm(P::StaffWrite),
    ),
    (
        "POST",
        "/api/v1/certificates/{cert}/revoke",
        Perm(P::StaffWrite),
    ),
    (
        "POST",
        "/api/v1/staff/{staff}/relations",
        Perm(P::StaffWrite),
    ),
    ("DELETE", "/api/v1/relations/999999", Perm(P::StaffWrite)),
    ("GET", "/api/v1/users", Perm(P::UserRead)),
    ("GET", "/api/v1/users/{user}", Perm(P::UserRead)),
    ("POST", "/api/v1/users", Perm(P::UserWrite)),
    ("POST", "/api/v1/users/{user}/active", Perm(P::UserWrite)),
    ("POST", "/api/v1/users/{user}/roles", Perm(P::RoleAssign)),
    (
        "DELETE",
        "/api/v1/role-assignments/999999",
        Perm(P::RoleAssign),
    ),
    ("POST", "/api/v1/users/999999/unlock", Perm(P::RoleAssign)),
    ("POST", "/api/v1/users/{user}/password", Perm(P::RoleAssign)),
    ("GET", "/api/v1/tokens", Login),
    ("POST", "/api/v1/tokens", Login),
    ("DELETE", "/api/v1/tokens/999999", Login),
    ("GET", "/api/v1/audit-events", Perm(P::AuditRead)),
    ("GET", "/api/v1/audit-events/verify", Perm(P::AuditRead)),
    ("GET", "/api/v1/calendar/years", Login),
    ("POST", "/api/v1/calendar/years", Perm(P::CalendarAdmin)),
    ("GET", "/api/v1/calendar/add-workdays", Login),
    ("GET", "/api/v1/calendar/deadline", Login),
    ("GET", "/api/v1/calendar/is-workday", Login),
    ("GET", "/api/v1/clock-rules", Login),
    ("GET", "/api/v1/clocks", Perm(P::ClockRead)),
    ("POST", "/api/v1/clocks", Perm(P::ClockWrite)),
    ("GET", "/api/v1/reminders", Perm(P::ClockRead)),
    ("GET", "/api/v1/document-types", Perm(P::DocumentRead)),
    ("GET", "/api/v1/documents", Perm(P::DocumentRead)),
    ("POST", "/api/v1/documents", Perm(P::DocumentDraft)),
    ("GET", "/api/v1/documents/{doc}", Perm(P::DocumentRead)),
    ("PUT", "/api/v1/documents/{doc}", Perm(P::DocumentDraft)),
    (
        "POST",
        "/api/v1/documents/{doc}/submit",
        Perm(P::DocumentDraft),
    ),
    (
        "POST",
        "/api/v1/documents/{doc}/review",
        Perm(P::LegalSupervision),
    ),
    (
        "POST",
        "/api/v1/documents/{doc}/issue",
        Perm(P::DocumentSign),
    ),
    ("GET", "/api/v1/documents/{doc}/pdf", Perm(P::DocumentRead)),
    (
        "GET",
        "/api/v1/documents/{doc}/services",
        Perm(P::DocumentRead),
    ),
    (
        "POST",
        "/api/v1/documents/{doc}/services",
        Perm(P::DocumentDraft),
    ),
    (
        "PUT",
        "/api/v1/documents/{doc}/services/{svc}/proof",
        Perm(P::DocumentDraft),
    ),
    ("GET", "/api/v1/subjects", Perm(P::SubjectRead)),
    ("POST", "/api/v1/subjects", Perm(P::SubjectWrite)),
    ("GET", "/api/v1/subjects/{subject}", Perm(P::SubjectRead)),
    ("PUT", "/api/v1/subjects/{subject}", Perm(P::SubjectWrite)),
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
];

const WEB: &[(&str, &str, Need)] = &[
    ("GET", "/workbench", Login),
    ("GET", "/clocks", Perm(P::ClockRead)),
    ("GET", "/clocks/new", Perm(P::ClockWrite)),
    ("POST", "/clocks", Perm(P::ClockWrite)),
    ("GET", "/modules/cases", Login),
    ("GET", "/units", Perm(P::UnitRead)),
    ("GET", "/units/{unit}", Perm(P::UnitRead)),
    ("GET", "/units/new", Perm(P::UnitWrite)),
    ("GET", "/units/{unit}/edit", Perm(P::UnitWrite)),
    ("POST", "/units", Perm(P::UnitWrite)),
    ("POST", "/units/{unit}", Perm(P::UnitWrite)),
    ("POST", "/units/{unit}/delete", Perm(P::UnitWrite)),
    ("GET", "/staff", Perm(P::StaffRead)),
    ("GET", "/staff/{staff}", Perm(P::StaffRead)),
    ("GET", "/staff/new", Perm(P::StaffWrite)),
    ("GET", "/staff/{staff}/edit", Perm(P::StaffWrite)),
    ("POST", "/staff", Perm(P::StaffWrite)),
    ("POST", "/staff/{staff}", Perm(P::StaffWrite)),
    ("POST", "/staff/{staff}/delete", Perm(P::StaffWrite)),
    ("POST", "/staff/{staff}/certificates", Perm(P::StaffWrite)),
    ("POST", "/certificates/{cert}/revoke", Perm(P::StaffWrite)),
    ("POST", "/staff/{staff}/relations", Perm(P::StaffWrite)),
    ("POST", "/relations/999999/delete", Perm(P::StaffWrite)),
    ("GET", "/users", Perm(P::UserRead)),
    ("GET", "/users/{user}", Perm(P::UserRead)),
    ("GET", "/users/new", Perm(P::UserWrite)),
    ("POST", "/users", Perm(P::UserWrite)),
    ("POST", "/users/{user}/active", Perm(P::UserWrite)),
    ("POST", "/users/{user}/roles", Perm(P::RoleAssign)),
    (
        "POST",
        "/users/{user}/roles/999999/delete",
        Perm(P::RoleAssign),
    ),
    ("POST", "/users/999999/unlock", Perm(P::RoleAssign)),
    ("POST", "/users/{user}/password", Perm(P::RoleAssign)),
    ("GET", "/account", Login),
    ("POST", "/account/password", Login),
    ("POST", "/account/tokens", Login),
    ("POST", "/account/tokens/999999/revoke", Login),
    ("POST", "/account/locale", Login),
    ("GET", "/audit", Perm(P::AuditRead)),
    ("GET", "/audit/verify", Perm(P::AuditRead)),
    ("POST", "/audit/verify", Perm(P::AuditRead)),
    ("GET", "/calendar", Login),
    ("POST", "/calendar/import", Perm(P::CalendarAdmin)),
    ("GET", "/documents", Perm(P::DocumentRead)),
    ("GET", "/documents/new", Perm(P::DocumentDraft)),
    ("POST", "/documents", Perm(P::DocumentDraft)),
    ("GET", "/documents/{doc}", Perm(P::DocumentRead)),
    ("GET", "/documents/{draft}/edit", Perm(P::DocumentDraft)),
    ("POST", "/documents/{doc}/edit", Perm(P::DocumentDraft)),
    ("POST", "/documents/{doc}/submit", Perm(P::DocumentDraft)),
    ("POST", "/documents/{doc}/review", Perm(P::LegalSupervision)),
    ("POST", "/documents/{doc}/issue", Perm(P::DocumentSign)),
    ("POST", "/documents/{draft}/correct", Perm(P::DocumentDraft)),
    ("GET", "/documents/{doc}/pdf", Perm(P::DocumentRead)),
    ("POST", "/documents/{doc}/services", Perm(P::DocumentDraft)),
    (
        "GET",
        "/documents/{doc}/services/{svc}/proof",
        Perm(P::DocumentRead),
    ),
    ("GET", "/seals", Perm(P::DocumentRead)),
    ("POST", "/seals/{unit}", Perm(P::SealManage)),
    ("GET", "/seals/{unit}/image", Perm(P::DocumentRead)),
    ("GET", "/subjects", Perm(P::SubjectRead)),
    ("GET", "/subjects/new", Perm(P::SubjectWrite)),
    ("POST", "/subjects", Perm(P::SubjectWrite)),
    ("GET", "/subjects/{subject}", Perm(P::SubjectRead)),
    ("GET", "/subjects/{subject}/edit", Perm(P::SubjectWrite)),
    ("POST", "/subjects/{subject}", Perm(P::SubjectWrite)),
];

fn allowed(role: Role, need: Need) -> bool {
    match need {
        Public | Login => true,
        Perm(p) => role.grants(p),
    }
}

struct Ids {
    unit: i64,
    staff: i64,
    user: i64,
    cert: i64,
    /// An issued and served document, and one of its services.
    doc: i64,
    svc: i64,
    /// A draft.
    draft: i64,
    subject: i64,
}

fn fill(path: &str, ids: &Ids) -> String {
    path.replace("{unit}", &ids.unit.to_string())
        .replace("{staff}", &ids.staff.to_string())
        .replace("{user}", &ids.user.to_string())
        .replace("{cert}", &ids.cert.to_string())
        .replace("{doc}", &ids.doc.to_string())
        .replace("{svc}", &ids.svc.to_string())
        .replace("{draft}", &ids.draft.to_string())
        .replace("{subject}", &ids.subject.to_string())
}

/// An issued, served document and a draft, made by the legal office and
/// signed by the bureau head. Flow steps on an issued document are refused as
/// conflicts, so no route of the matrix changes it.
async fn documents(app: &TestApp) -> (i64, i64, i64) {
    let fazhi = app.token("fazhi").await;
    let juzhang = app.token("juzhang").await;
    let data = docgen::sample_data("complaint_reply").unwrap();
    let mut ids = vec![];
    for _ in 0..2 {
        let (s, d) = app
            .send_json(
                &fazhi,
                Method::POST,
                "/api/v1/documents",
                serde_json::json!({"type": "complaint_reply", "data": data}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        ids.push(d["id"].as_i64().unwrap());
    }
    let (s, d) = app
        .send_json(
            &juzhang,
            Method::POST,
            &format!("/api/v1/documents/{}/issue", ids[0]),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, r) = app
        .send_json(
            &fazhi,
            Method::POST,
            &format!("/api/v1/documents/{}/services", ids[0]),
            serde_json::json!({"method": "direct", "served_on": storage::today(), "recipient": "李春生"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    (ids[0], r["service"]["id"].as_i64().unwrap(), ids[1])
}

#[tokio::test]
async fn every_route_as_every_role() {
    let app = spawn().await;
    let admin = app.token("admin").await;
    // Targets inside everybody's reach where possible: the first squad, one of its inspectors.
    let (_, units) = app.get_json(&admin, "/api/v1/units?per_page=100").await;
    let unit = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "LQ-DD-1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, staff) = app
        .get_json(
            &admin,
            &format!("/api/v1/staff?unit_id={unit}&per_page=100"),
        )
        .await;
    // One with a login account, so that deleting them is refused (409), not done.
    let mut staff_id = staff["items"][0]["id"].as_i64().unwrap_or(1);
    let mut detail = serde_json::Value::Null;
    for s in staff["items"].as_array().unwrap() {
        let id = s["id"].as_i64().unwrap();
        let (_, d) = app.get_json(&admin, &format!("/api/v1/staff/{id}")).await;
        if d["username"].is_string() {
            staff_id = id;
            detail = d;
            break;
        }
    }
    assert!(
        detail["username"].is_string(),
        "a staff member with an account"
    );
    let cert = detail["certificates"][0]["id"].as_i64().unwrap_or(1);
    // Revoked up front: revoking again is a conflict, not a change.
    let (s, _) = app
        .send_json(
            &admin,
            Method::POST,
            &format!("/api/v1/certificates/{cert}/revoke"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (doc, svc, draft) = documents(&app).await;
    let (s, subject) = app
        .send_json(
            &app.token("yewu").await,
            Method::POST,
            "/api/v1/subjects",
            serde_json::json!({"name": "石家庄鹿泉宏达建材有限公司"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{subject}");
    let subject = subject["id"].as_i64().unwrap();
    let ids = Ids {
        unit,
        staff: staff_id,
        user: 1,
        cert,
        doc,
        svc,
        draft,
        subject,
    };

    let mut failures = vec![];
    for (username, role) in storage::seed::demo_accounts() {
        let token = app.token(username).await;
        for (method, path, need) in API {
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            // An empty object: allowed callers get a validation answer, never a change.
            let mut req = TestApp::client()
                .request(m.clone(), app.url(&fill(path, &ids)))
                .bearer_auth(&token);
            if m != Method::GET {
                req = req.json(&serde_json::json!({}));
            }
            let s = req.send().await.unwrap().status();
            check(&mut failures, username, role, method, path, *need, s);
        }
        let c = TestApp::browser();
        let csrf = app.web_login(&c, username).await;
        for (method, path, need) in WEB {
            let url = app.url(&fill(path, &ids));
            let s = if *method == "GET" {
                c.get(url).send().await.unwrap().status()
            } else {
                c.post(url)
                    .header("origin", &app.base)
                    .form(&[("_csrf", csrf.as_str())])
                    .send()
                    .await
                    .unwrap()
                    .status()
            };
            check(&mut failures, username, role, method, path, *need, s);
        }
    }
    // Anonymous: only public routes.
    for (method, path, need) in API {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let s = TestApp::client()
            .request(m, app.url(&fill(path, &ids)))
            .send()
            .await
            .unwrap()
            .status();
        let ok = match need {
            Public => s.is_success(),
            _ => s == StatusCode::UNAUTHORIZED || s == StatusCode::FORBIDDEN,
        };
        if !ok {
            failures.push(format!("anonymous {method} {path} -> {s}"));
        }
    }
    assert!(
        failures.is_empty(),
        "matrix failures:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}

fn check(
    failures: &mut Vec<String>,
    user: &str,
    role: Role,
    method: &str,
    path: &str,
    need: Need,
    s: StatusCode,
) {
    let want_allowed = allowed(role, need);
    let ok = if want_allowed {
        s != StatusCode::FORBIDDEN && s != StatusCode::UNAUTHORIZED && !s.is_server_error()
    } else {
        s == StatusCode::FORBIDDEN
    };
    if !ok {
        failures.push(format!(
            "{user} ({role:?}) {method} {path} -> {s}, expected {}",
            if want_allowed { "allowed" } else { "403" }
        ));
    }
}
