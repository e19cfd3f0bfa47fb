use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

async fn unit_id(app: &TestApp, token: &str, code: &str) -> i64 {
    let (_, all) = app.get_json(token, "/api/v1/units?per_page=100").await;
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn start(app: &TestApp, token: &str, rule: &str, on: &str, unit: i64) -> (StatusCode, Value) {
    app.send_json(
        token,
        Method::POST,
        "/api/v1/clocks",
        json!({"rule": rule, "item_type": "case", "item_id": "鹿人社监案〔2026〕1号", "title": "测试案件", "unit_id": unit, "started_on": on}),
    )
    .await
}

/// 60 working days from 立案, suspended, resumed, then extended with the head's
/// approval: the original deadline, each change with who and why, the current one.
#[tokio::test]
async fn suspend_resume_extend_shows_the_whole_history() {
    let app = spawn().await;
    let inspector = app.token("jianchayuan").await;
    let head = app.token("daduizhang").await;
    let squad = unit_id(&app, &inspector, "LQ-DD-1").await;
    // 立案 on 2026-03-02: 60 working days (清明 4/4–4/6, 劳动节 5/1–5/5, 5/9 a working Saturday).
    let (s, c) = start(&app, &inspector, "investigation", "2026-03-02", squad).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    let original = c["original_deadline"].as_str().unwrap().to_string();
    assert_eq!(original, "2026-05-28");
    let path = format!("/api/v1/clocks/{id}/events");
    let (s, _) = app
        .send_json(
            &inspector,
            Method::POST,
            &path,
            json!({"event": "suspended", "on": "2026-03-10", "reason": "等待司法鉴定"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, c) = app
        .send_json(
            &inspector,
            Method::POST,
            &path,
            json!({"event": "resumed", "on": "2026-03-17"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Five working days suspended (3/11–3/17) move the deadline by five working days.
    assert_eq!(c["current_deadline"], "2026-06-04");
    // An inspector cannot extend: that needs the head (条例 第十七条).
    let ext = json!({"event": "extended", "on": "2026-04-01", "by": 30, "reason": "案情复杂"});
    let (s, _) = app
        .send_json(&inspector, Method::POST, &path, ext.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, c) = app.send_json(&head, Method::POST, &path, ext).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    // Beyond the 30-working-day maximum: refused in Chinese.
    let (s, e) = app
        .send_json(
            &head,
            Method::POST,
            &path,
            json!({"event": "extended", "on": "2026-04-02", "by": 1, "reason": "再延"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("超过法定上限 30"),
        "{e}"
    );

    let (s, d) = app
        .get_json(&inspector, &format!("/api/v1/clocks/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["clock"]["original_deadline"], original.as_str());
    let tl = d["timeline"].as_array().unwrap();
    assert_eq!(tl.len(), 4);
    assert_eq!(tl[1]["event"]["reason"], "等待司法鉴定");
    assert_eq!(tl[2]["deadline_before"], "2026-05-28");
    assert_eq!(tl[2]["deadline_after"], "2026-06-04");
    assert_eq!(tl[3]["event"]["approved_by"], "郭丽娟");
    assert_eq!(tl[3]["recorded_by"], "daduizhang");
    let current = d["clock"]["current_deadline"].as_str().unwrap();
    assert_eq!(tl[3]["deadline_after"], current);
    assert!(current > "2026-07-01", "30 more working days: {current}");
    assert!(
        d["rule"]["legal_basis"]
            .as_str()
            .unwrap()
            .contains("第十七条")
    );

    // The page shows the same.
    let c = TestApp::browser();
    app.web_login(&c, "jianchayuan").await;
    let html = c
        .get(app.url(&format!("/clocks/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in ["2026-05-28", current, "等待司法鉴定", "郭丽娟", "案情复杂"] {
        assert!(html.contains(needle), "page lacks {needle}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_deadline_in_a_year_without_data_is_refused_naming_the_year() {
    let app = spawn().await;
    let t = app.token("jianchayuan").await;
    let squad = unit_id(&app, &t, "LQ-DD-1").await;
    let before = app.audit_count().await;
    let (s, e) = start(&app, &t, "investigation", "2026-11-20", squad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "calendar_missing_year");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("2027年"),
        "{e}"
    );
    assert_eq!(app.audit_count().await, before);
    // Out of scope: the other squad's unit.
    let other = unit_id(&app, &app.token("admin").await, "LQ-DD-2").await;
    let (s, _) = start(&app, &t, "complaint.accept", "2026-06-01", other).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

/// Many sweeps at once — as several app servers would run them — create each
/// reminder exactly once; and only one claimant wins a slot.
#[tokio::test]
async fn reminders_fire_once_whatever_the_number_of_sweepers() {
    let app = spawn().await;
    let t = app.token("fazhi").await;
    let legal = unit_id(&app, &t, "LQ-FZ").await;
    // Three clocks: one overdue, one due soon, one on time, seen from 2026-06-15.
    for (rule, on) in [
        ("complaint.accept", "2026-06-01"),
        ("complaint.accept", "2026-06-10"),
        ("enforcement_complaint.answer", "2026-06-12"),
    ] {
        let (s, _) = start(&app, &t, rule, on, legal).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let db = app.db.clone();
        set.spawn(async move {
            storage::repo::clocks::sweep(
                &db,
                today,
                &format!("server-{i}"),
                if i % 2 == 0 { None } else { Some(7) },
            )
            .await
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    // And again, later the same day.
    storage::repo::clocks::sweep(&app.db, today, "server-x", Some(7))
        .await
        .unwrap();
    let reminders = storage::repo::clocks::reminders(&app.db, &domain::Scope::All, 100)
        .await
        .unwrap();
    // The demo data has its own clocks around the real today; count ours only.
    let (_, ours) = app
        .get_json(&t, "/api/v1/clocks?per_page=100&rule=complaint.accept")
        .await;
    let ids: Vec<i64> = ours["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let mine: Vec<_> = reminders
        .iter()
        .filter(|r| ids.contains(&r.clock_id) && r.deadline.to_string().starts_with("2026-06"))
        .collect();
    let overdue = mine.iter().filter(|r| r.threshold == "overdue").count();
    let due_soon = mine.iter().filter(|r| r.threshold == "due_soon").count();
    assert_eq!((overdue, due_soon), (1, 1), "{mine:?}");

    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let db = app.db.clone();
        set.spawn(async move {
            storage::repo::clocks::claim_slot(
                &db,
                "reminder-sweep",
                "1790000000/60",
                &format!("s{i}"),
            )
            .await
        });
    }
    let mut wins = 0;
    while let Some(r) = set.join_next().await {
        wins += r.unwrap().unwrap() as i32;
    }
    assert_eq!(wins, 1);
    app.stop().await;
}

#[tokio::test]
async fn workbench_lists_due_items_with_legal_basis() {
    let app = spawn().await;
    let c = TestApp::browser();
    app.web_login(&c, "fazhi").await;
    let html = c
        .get(app.url("/workbench"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"due-items\""));
    // The demo 复查 application clock started 12 days ago is overdue.
    assert!(
        html.contains("复查申请期"),
        "workbench lacks the overdue demo clock"
    );
    assert!(html.contains("10日内"), "legal basis shown");
    app.stop().await;
}

/// Eight schedulers ticking at once (as eight app servers would): one wins the
/// daily catch-up, one wins the slot, the rest do nothing; the demo's due and
/// overdue clocks get exactly one reminder each.
#[tokio::test]
async fn concurrent_scheduler_ticks_claim_each_slot_once() {
    let app = spawn().await;
    let interval = std::time::Duration::from_secs(3600);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let db = app.db.clone();
        set.spawn(
            async move { jianguan::scheduler::tick(&db, interval, &format!("server-{i}")).await },
        );
    }
    let mut swept = 0;
    while let Some(r) = set.join_next().await {
        swept += r.unwrap().unwrap().is_some() as i32;
    }
    // The catch-up and the hourly slot, unless the hour turned in between.
    assert!((1..=3).contains(&swept), "{swept} sweeps");
    let reminders = storage::repo::clocks::reminders(&app.db, &domain::Scope::All, 100)
        .await
        .unwrap();
    let mut keys: Vec<_> = reminders
        .iter()
        .map(|r| (r.clock_id, r.threshold.clone(), r.deadline))
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "a reminder was created twice");
    assert!(n >= 2, "the demo has due-soon and overdue clocks");
    app.stop().await;
}
