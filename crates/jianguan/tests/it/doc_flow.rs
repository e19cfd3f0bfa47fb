//! The document flow through the API and the pages: draft → legal review →
//! sign and seal (number, PDF, SHA-256 in the audit trail) → service that
//! starts the declared clocks on the effective service date.

use chrono::{Datelike, Duration, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

fn sample(code: &str) -> Value {
    docgen::sample_data(code).unwrap_or_else(|| panic!("sample for {code}"))
}

async fn draft(app: &TestApp, token: &str, code: &str, data: Value) -> Value {
    let (s, d) = app
        .send_json(
            token,
            Method::POST,
            "/api/v1/documents",
            json!({"type": code, "data": data, "item_type": "inspection", "item_id": "JC-2026-7"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "draft {code}: {d}");
    d
}

async fn pdf_bytes(app: &TestApp, token: &str, id: i64) -> (StatusCode, Vec<u8>) {
    let r = TestApp::client()
        .get(app.url(&format!("/api/v1/documents/{id}/pdf")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.bytes().await.unwrap().to_vec())
}

fn sha256(b: &[u8]) -> String {
    storage::files::sha256_hex(b)
}

/// `jianguan calendar deadline` over the API: the last day of an N-day period.
async fn deadline(app: &TestApp, token: &str, from: NaiveDate, n: u32) -> String {
    let (s, v) = app
        .get_json(
            token,
            &format!("/api/v1/calendar/deadline?date={from}&n={n}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["result"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn supervision_notice_is_reviewed_issued_sealed_and_served() {
    let app = spawn().await;
    let fazhi = app.token("fazhi").await; // legal office: drafts and reviews
    let juzhang = app.token("juzhang").await; // bureau head: signs
    let mut data = sample("supervision_notice");
    data["deadline_days"] = json!(20);
    let d = draft(&app, &fazhi, "supervision_notice", data).await;
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["status"], "draft");
    assert_eq!(d["title"], "执法监督通知书");
    assert!(d["number"].is_null());

    // The draft previews as a PDF without a number.
    let (s, pdf) = pdf_bytes(&app, &fazhi, id).await;
    assert_eq!(s, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));

    // Issue before the legal review is refused.
    let (s, e) = app
        .send_json(
            &juzhang,
            Method::POST,
            &format!("/api/v1/documents/{id}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("法制审核"));

    // Submit, return with an opinion, change, submit again, approve.
    let path = |p: &str| format!("/api/v1/documents/{id}/{p}");
    let (s, _) = app
        .send_json(&fazhi, Method::POST, &path("submit"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = app
        .send_json(
            &fazhi,
            Method::POST,
            &path("review"),
            json!({"approve": false, "opinion": ""}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "returning needs an opinion: {e}"
    );
    let (s, r) = app
        .send_json(
            &fazhi,
            Method::POST,
            &path("review"),
            json!({"approve": false, "opinion": "整改期限请写明起算日"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["status"], "draft");
    assert_eq!(r["review_opinion"], "整改期限请写明起算日");
    let (s, _) = app
        .send_json(&fazhi, Method::POST, &path("submit"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    // A labour inspector cannot review (no legal_supervision).
    let inspector = app.token("jianchayuan").await;
    let (s, _) = app
        .send_json(
            &inspector,
            Method::POST,
            &path("review"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = app
        .send_json(
            &fazhi,
            Method::POST,
            &path("review"),
            json!({"approve": true, "opinion": "同意印发"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["status"], "approved");
    // The drafter cannot sign.
    let (s, _) = app
        .send_json(&fazhi, Method::POST, &path("issue"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let before = app.audit_count().await;
    let (s, r) = app
        .send_json(&juzhang, Method::POST, &path("issue"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let year = storage::today().year();
    assert_eq!(r["number"], format!("鹿人社监通〔{year}〕1号"));
    assert_eq!(r["status"], "issued");
    let hash = r["pdf_sha256"].as_str().unwrap().to_string();
    let (_, pdf) = pdf_bytes(&app, &fazhi, id).await;
    assert_eq!(sha256(&pdf), hash, "the stored PDF is the one hashed");
    assert!(app.audit_count().await > before);
    // The hash is in the audit trail.
    let (_, events) = app
        .get_json(
            &app.token("auditor").await,
            &format!("/api/v1/audit-events?entity_type=document&entity_id={id}"),
        )
        .await;
    assert!(
        events.to_string().contains(&hash),
        "document.issue records the PDF's SHA-256: {events}"
    );
    // Issued documents are immutable.
    let (s, _) = app
        .send_json(
            &fazhi,
            Method::PUT,
            &format!("/api/v1/documents/{id}"),
            json!({"data": sample("supervision_notice")}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Service: electronic without consent is refused; direct service starts
    // the 复查 application clock and the rectification deadline.
    let (s, e) = app
        .send_json(
            &fazhi,
            Method::POST,
            &path("services"),
            json!({"method": "electronic", "served_on": storage::today(), "recipient": "宏达建材"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "consent_ref");
    let served_on = storage::today() - Duration::days(2);
    let (s, r) = app
        .send_json(
            &fazhi,
            Method::POST,
            &path("services"),
            json!({"method": "direct", "served_on": served_on, "recipient": "石家庄鹿泉宏达建材有限公司（王喆签收）"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["service"]["effective_on"], served_on.to_string());
    let clocks = r["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 2, "{r}");
    assert_eq!(clocks[0]["rule_code"], "review.apply");
    assert_eq!(clocks[0]["started_on"], served_on.to_string());
    assert_eq!(
        clocks[0]["original_deadline"].as_str().unwrap(),
        deadline(&app, &fazhi, served_on, 10).await
    );
    assert_eq!(clocks[1]["rule_code"], "rectification.deadline");
    assert_eq!(
        clocks[1]["original_deadline"].as_str().unwrap(),
        deadline(&app, &fazhi, served_on, 20).await,
        "the period the notice sets (deadline_days = 20)"
    );
    // A second service is recorded without starting the clocks again.
    let (s, r) = app
        .send_json(
            &fazhi,
            Method::POST,
            &path("services"),
            json!({"method": "post", "served_on": storage::today(), "recipient": "宏达建材（邮寄）"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(r["clocks"].as_array().unwrap().len(), 0);
    let (_, detail) = app
        .get_json(&fazhi, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(detail["services"].as_array().unwrap().len(), 2);
    assert_eq!(detail["clocks"].as_array().unwrap().len(), 2);

    // Proof of service: a PNG is accepted, a text file is not.
    let sid = detail["services"][0]["id"].as_i64().unwrap();
    let png = storage::seed::DEMO_SEALS[0].1.to_vec();
    let put = |body: Vec<u8>| {
        TestApp::client()
            .put(app.url(&format!("/api/v1/documents/{id}/services/{sid}/proof")))
            .bearer_auth(&fazhi)
            .body(body)
            .send()
    };
    let r = put(b"not a scan".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = put(png.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["proof_sha256"], sha256(&png));

    // A correction is a new draft that references the original.
    let (s, c) = app
        .send_json(
            &fazhi,
            Method::POST,
            "/api/v1/documents",
            json!({"type": "supervision_notice", "data": sample("supervision_notice"), "corrects_id": id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(c["corrects_id"], id);
    app.stop().await;
}

#[tokio::test]
async fn public_notice_service_starts_clocks_thirty_days_later() {
    let app = spawn().await;
    let fazhi = app.token("fazhi").await;
    let juzhang = app.token("juzhang").await;
    // 投诉举报处理结果告知书 needs no legal review but is served; 行政处罚听证告知书 starts hearing.request.
    let d = draft(&app, &fazhi, "hearing_notice", sample("hearing_notice")).await;
    let id = d["id"].as_i64().unwrap();
    let (s, _) = app
        .send_json(
            &fazhi,
            Method::POST,
            &format!("/api/v1/documents/{id}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .send_json(
            &fazhi,
            Method::POST,
            &format!("/api/v1/documents/{id}/review"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, r) = app
        .send_json(
            &juzhang,
            Method::POST,
            &format!("/api/v1/documents/{id}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let published = storage::today() - Duration::days(40);
    let (s, r) = app
        .send_json(
            &fazhi,
            Method::POST,
            &format!("/api/v1/documents/{id}/services"),
            json!({"method": "public", "served_on": published, "recipient": "石家庄鹿泉宏达建材有限公司"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let effective = deadline(&app, &fazhi, published, 30).await;
    assert_eq!(r["service"]["effective_on"], effective);
    assert_eq!(r["clocks"][0]["rule_code"], "hearing.request");
    assert_eq!(r["clocks"][0]["started_on"], effective);
    // A future service date is refused with the field named.
    let (s, e) = app
        .send_json(
            &fazhi,
            Method::POST,
            &format!("/api/v1/documents/{id}/services"),
            json!({"method": "direct", "served_on": storage::today() + Duration::days(3), "recipient": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "served_on");
    app.stop().await;
}

#[tokio::test]
async fn concurrent_issues_get_consecutive_numbers() {
    let app = spawn().await;
    let fazhi = app.token("fazhi").await;
    let juzhang = app.token("juzhang").await;
    // 投诉举报处理结果告知书: no review needed, so drafts are issuable at once.
    let mut ids = vec![];
    for i in 0..8 {
        let mut data = sample("complaint_reply");
        data["complainant"] = json!(format!("投诉人{i}"));
        ids.push(
            draft(&app, &fazhi, "complaint_reply", data).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/documents/{id}/issue"))
        .collect();
    let calls = paths
        .iter()
        .map(|p| app.send_json(&juzhang, Method::POST, p, json!({})));
    let results = futures_join_all(calls).await;
    let year = storage::today().year();
    let mut numbers: Vec<String> = results
        .into_iter()
        .map(|(s, r)| {
            assert_eq!(s, StatusCode::OK, "{r}");
            r["number"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort_by_key(|n| {
        n.trim_start_matches(&format!("鹿人社投告〔{year}〕"))
            .trim_end_matches('号')
            .parse::<u32>()
            .unwrap()
    });
    let want: Vec<String> = (1..=8)
        .map(|i| format!("鹿人社投告〔{year}〕{i}号"))
        .collect();
    assert_eq!(numbers, want, "unique and gap-free");
    app.stop().await;
}

/// Runs futures concurrently on this task (no extra dependency).
async fn futures_join_all<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = fs.map(Box::pin).collect();
    let mut out = Vec::with_capacity(handles.len());
    let mut pending: Vec<Option<std::pin::Pin<Box<F>>>> = handles.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    for r in results {
        out.push(r.expect("finished"));
    }
    out
}

#[tokio::test]
async fn issuing_without_a_seal_is_refused_in_words() {
    let app = spawn().await;
    let fazhi = app.token("fazhi").await;
    let juzhang = app.token("juzhang").await;
    app.exec("DELETE FROM unit_seals").await;
    let d = draft(&app, &fazhi, "complaint_reply", sample("complaint_reply")).await;
    let id = d["id"].as_i64().unwrap();
    let (s, e) = app
        .send_json(
            &juzhang,
            Method::POST,
            &format!("/api/v1/documents/{id}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("电子印章"),
        "{e}"
    );
    // No number was consumed: after a seal is uploaded the first number is 1.
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "juzhang").await;
    let bureau = bureau_id(&app, &juzhang).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .part(
            "seal",
            reqwest::multipart::Part::bytes(storage::seed::DEMO_SEALS[0].1.to_vec())
                .file_name("seal.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r = c
        .post(app.url(&format!("/seals/{bureau}")))
        .header("origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, r) = app
        .send_json(
            &juzhang,
            Method::POST,
            &format!("/api/v1/documents/{id}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["number"].as_str().unwrap().ends_with("〕1号"));
    app.stop().await;
}

async fn bureau_id(app: &TestApp, token: &str) -> i64 {
    let (_, units) = app.get_json(token, "/api/v1/units?per_page=100").await;
    units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "LQ-RSJ")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn pages_draft_review_issue_and_serve_with_proof() {
    let app = spawn().await;
    let fazhi = TestApp::browser();
    let csrf = app.web_login(&fazhi, "fazhi").await;
    // The type chooser and the generated form.
    let html = fazhi
        .get(app.url("/documents/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("执法监督通知书") && html.contains("送达回证"));
    let html = fazhi
        .get(app.url("/documents/new?type=supervision_notice&sample=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("name=\"f_recipient\""),
        "form built from the field list"
    );
    // A missing required field is shown on the form, in Chinese.
    let r = fazhi
        .post(app.url("/documents"))
        .header("origin", &app.base)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("type", "supervision_notice"),
            ("f_recipient", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("此项为必填项"));
    let r = fazhi
        .post(app.url("/documents"))
        .header("origin", &app.base)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("type", "supervision_notice"),
            ("f_recipient", "石家庄鹿泉宏达建材有限公司"),
            ("f_problems", "未依法订立书面劳动合同；\n拖欠工资。"),
            ("f_deadline_days", "15"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc
        .trim_start_matches("/documents/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (_, d) = app
        .get_json(
            &app.token("fazhi").await,
            &format!("/api/v1/documents/{id}"),
        )
        .await;
    assert_eq!(
        d["document"]["data"]["problems"],
        json!(["未依法订立书面劳动合同；", "拖欠工资。"]),
        "one item per line"
    );
    assert_eq!(d["document"]["data"]["deadline_days"], 15);
    let post = |c: &reqwest::Client,
                path: String,
                csrf: String,
                extra: Vec<(&'static str, &'static str)>| {
        let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf)];
        form.extend(
            extra
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        c.post(app.url(&path))
            .header("origin", &app.base)
            .form(&form)
            .send()
    };
    let r = post(
        &fazhi,
        format!("/documents/{id}/submit"),
        csrf.clone(),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(
        &fazhi,
        format!("/documents/{id}/review"),
        csrf.clone(),
        vec![("decision", "approve"), ("opinion", "同意")],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let head = TestApp::browser();
    let hcsrf = app.web_login(&head, "juzhang").await;
    let r = post(&head, format!("/documents/{id}/issue"), hcsrf, vec![])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Service from the page, with a proof scan, through the multipart form.
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("method", "direct")
        .text("served_on", storage::today().to_string())
        .text("recipient", "宏达建材 王喆")
        .part(
            "proof",
            reqwest::multipart::Part::bytes(b"%PDF-1.7 scan".to_vec())
                .file_name("送达回证.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let r = fazhi
        .post(app.url(&format!("/documents/{id}/services")))
        .header("origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Without the token the upload is refused.
    let form = reqwest::multipart::Form::new().text("method", "direct");
    let r = fazhi
        .post(app.url(&format!("/documents/{id}/services")))
        .header("origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = fazhi
        .get(app.url(&format!("/documents/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let year = storage::today().year();
    assert!(html.contains(&format!("鹿人社监通〔{year}〕1号")));
    assert!(
        html.contains("申请复查") || html.contains("复查"),
        "the clock on the page"
    );
    assert!(html.contains("查看凭证"));
    app.stop().await;
}

#[tokio::test]
async fn the_demo_shows_documents_at_every_stage() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_db_url(dir.path()).await;
    let mut cfg = test_config(dir.path(), url);
    cfg.demo_documents = true;
    let app = spawn_with(cfg, dir).await;
    let fazhi = app.token("fazhi").await;
    let (_, list) = app.get_json(&fazhi, "/api/v1/documents").await;
    let statuses: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["draft", "in_review", "issued"], "{list}");
    let issued = &list["items"][2];
    let id = issued["id"].as_i64().unwrap();
    let (_, d) = app
        .get_json(&fazhi, &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(d["clocks"].as_array().unwrap().len(), 2, "{d}");
    let (s, pdf) = pdf_bytes(&app, &fazhi, id).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sha256(&pdf), issued["pdf_sha256"].as_str().unwrap());
    app.stop().await;
}
