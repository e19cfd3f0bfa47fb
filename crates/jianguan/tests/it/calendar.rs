//! The working-day calendar from outside: `jianguan calendar …` against the
//! test app's database, `/api/v1/calendar/…`, and the `/calendar` page.
//!
//! The 2027 schedule used here is TEST DATA, not the State Council's: one
//! made-up 元旦 range, enough to show that a year becomes covered on import.

use std::process::{Command, Output};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

/// TEST DATA (not an official schedule): a 2027 with only 元旦 2027-01-01..03.
const TEST_2027: &str = r#"# TEST DATA for the integration tests, not the official 2027 schedule.
[[year]]
year = 2027
source = { title = "测试数据：2027年节假日（非官方，仅供测试）", document = "TEST-2027", date = "2026-11-01", url = "https://example.invalid/test-calendar-2027" }
holidays = [
  { name = "元旦", from = "2027-01-01", to = "2027-01-03" },
]
workdays = []
"#;

fn cli(app: &TestApp, args: &[&str]) -> Output {
    let url = app.cfg.database_url();
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .arg("calendar")
        .args(args)
        .args(["--database-url", url.as_str()])
        .output()
        .expect("run jianguan")
}

/// Exit code 0 and one line on stdout; returns it.
fn answer(app: &TestApp, args: &[&str]) -> String {
    let out = cli(app, args);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    assert_eq!(stdout.lines().count(), 1, "{args:?}: {stdout:?}");
    stdout.trim_end().to_string()
}

/// Exit code 2, nothing on stdout, one line on stderr; returns it.
fn refusal(app: &TestApp, args: &[&str]) -> String {
    let out = cli(app, args);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout} {stderr}");
    assert!(stdout.is_empty(), "{args:?}: {stdout:?}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr:?}");
    stderr.trim_end().to_string()
}

/// (start, n, result) of `add-workdays`, 2025 and 2026.
const ADD_WORKDAYS: &[(&str, &str, &str)] = &[
    // 春节 2025 (1/28–2/4), 调休 Sunday 1/26 and Saturday 2/8.
    ("2025-01-24", "1", "2025-01-26"),
    ("2025-01-24", "3", "2025-02-05"),
    ("2025-01-24", "6", "2025-02-08"),
    // 国庆+中秋 2025 (10/1–10/8), 调休 Sunday 9/28 and Saturday 10/11.
    ("2025-09-26", "1", "2025-09-28"),
    ("2025-09-26", "4", "2025-10-09"),
    ("2025-09-30", "1", "2025-10-09"),
    ("2025-10-09", "2", "2025-10-11"),
    // Start day inside the holiday is not counted.
    ("2025-10-01", "1", "2025-10-09"),
    // 春节 2026 (2/15–2/23), 调休 Saturdays 2/14 and 2/28.
    ("2026-02-12", "1", "2026-02-13"),
    ("2026-02-12", "2", "2026-02-14"),
    ("2026-02-12", "3", "2026-02-24"),
    ("2026-02-12", "7", "2026-02-28"),
    // 劳动节 2026 (5/1–5/5), 调休 Saturday 5/9.
    ("2026-04-29", "2", "2026-05-06"),
    ("2026-05-06", "3", "2026-05-09"),
    // Across the year boundary (元旦 2026 1/1–1/3, 调休 Sunday 1/4).
    ("2025-12-31", "1", "2026-01-04"),
    ("2026-02-15", "0", "2026-02-15"),
];

/// (start, n, result) of `deadline` (calendar days, roll to the next working day).
const DEADLINE: &[(&str, &str, &str)] = &[
    // Ends 2025-10-01 inside 国庆 → 10-09.
    ("2025-09-16", "15", "2025-10-09"),
    // Ends on the 调休 Saturday 2025-10-11: a working day, no roll.
    ("2025-10-01", "10", "2025-10-11"),
    // Ends on an ordinary Sunday → Monday.
    ("2025-10-04", "8", "2025-10-13"),
    // Ends inside 春节 2026 → 02-24; on the 调休 Saturday 02-14 → stays.
    ("2026-02-01", "15", "2026-02-24"),
    ("2026-02-04", "10", "2026-02-14"),
    // Ends on 2026-05-01 (劳动节) → 05-06.
    ("2026-04-21", "10", "2026-05-06"),
];

/// (date, is a working day).
const IS_WORKDAY: &[(&str, &str)] = &[
    ("2025-01-26", "true"),
    ("2025-01-28", "false"),
    ("2025-02-08", "true"),
    ("2025-04-27", "true"),
    ("2025-05-05", "false"),
    ("2025-09-28", "true"),
    ("2025-10-08", "false"),
    ("2025-10-11", "true"),
    ("2025-10-12", "false"),
    ("2026-02-13", "true"),
    ("2026-02-14", "true"),
    ("2026-02-15", "false"),
    ("2026-02-23", "false"),
    ("2026-02-24", "true"),
    ("2026-02-28", "true"),
    ("2026-03-01", "false"),
    ("2026-05-01", "false"),
    ("2026-05-09", "true"),
];

#[tokio::test]
async fn cli_answers_refuses_2027_and_accepts_it_after_import() {
    let app = spawn().await;
    for (start, n, expected) in ADD_WORKDAYS {
        assert_eq!(
            answer(&app, &["add-workdays", start, n]),
            *expected,
            "{start} + {n} working days"
        );
    }
    for (start, n, expected) in DEADLINE {
        assert_eq!(
            answer(&app, &["deadline", start, n]),
            *expected,
            "{start} + {n} days"
        );
    }
    for (date, expected) in IS_WORKDAY {
        assert_eq!(answer(&app, &["is-workday", date]), *expected, "{date}");
    }
    // The narrow roll-over reading: an ordinary Sunday does not move.
    assert_eq!(
        answer(
            &app,
            &[
                "deadline",
                "2025-10-04",
                "8",
                "--roll-over",
                "next-non-holiday"
            ]
        ),
        "2025-10-12"
    );

    // 2027 has no data: refused, naming the year.
    for args in [
        &["is-workday", "2027-01-04"][..],
        &["add-workdays", "2026-12-30", "2"],
        &["deadline", "2026-12-20", "15"],
        &["show", "2027"],
    ] {
        let msg = refusal(&app, args);
        assert!(msg.contains("2027"), "{args:?}: {msg}");
    }
    assert!(refusal(&app, &["is-workday", "2027-01-04"]).contains("缺少2027年的法定节假日数据"));
    // Bad input: one line, exit 2.
    for args in [
        &["is-workday", "2026-02-30"][..],
        &["is-workday", "2026-2-3"],
        &["add-workdays", "2026-02-12", "-1"],
        &["add-workdays", "2026-02-12", "five"],
        &["deadline", "2026-02-12", "1.5"],
        &["add-workdays", "2026-02-12"],
        &["deadline", "2026-02-12", "3", "--roll-over", "sometimes"],
        &["show", "year"],
        &["import", "/nonexistent/calendar.toml"],
    ] {
        refusal(&app, args);
    }

    // Listing.
    let out = cli(&app, &["show"]);
    assert_eq!(out.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(listed.contains("2025\t国务院办公厅关于2025年部分节假日安排的通知"));
    let out = cli(&app, &["show", "2026"]);
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        shown.contains("holiday\t2026-02-15\t2026-02-23\t春节\t9"),
        "{shown}"
    );
    assert!(shown.contains("workday\t2026-02-28\t星期六"), "{shown}");

    // An invalid file is refused and writes nothing.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        TEST_2027.replace("workdays = []", "workdays = [\"2027-01-02\"]"),
    )
    .unwrap();
    let before = app.audit_count().await;
    let msg = refusal(&app, &["import", bad.to_str().unwrap()]);
    assert!(msg.contains("2027") && msg.contains("2027-01-02"), "{msg}");
    assert_eq!(app.audit_count().await, before);
    let syntax = dir.path().join("syntax.toml");
    std::fs::write(&syntax, "[[year]\nyear = ").unwrap();
    refusal(&app, &["import", syntax.to_str().unwrap()]);
    assert_eq!(app.audit_count().await, before);

    // Import 2027: covered from then on, audited.
    let file = dir.path().join("2027.toml");
    std::fs::write(&file, TEST_2027).unwrap();
    let report = answer(&app, &["import", file.to_str().unwrap()]);
    assert!(
        report.starts_with("imported=1 replaced=0 recomputed="),
        "{report}"
    );
    assert_eq!(answer(&app, &["is-workday", "2027-01-04"]), "true");
    assert_eq!(answer(&app, &["is-workday", "2027-01-01"]), "false");
    assert_eq!(
        answer(&app, &["add-workdays", "2026-12-30", "2"]),
        "2027-01-04"
    );
    assert_eq!(
        answer(&app, &["deadline", "2026-12-20", "15"]),
        "2027-01-04"
    );
    let events = storage::repo::audit::for_entity(&app.db, "calendar_year", "2027")
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "calendar.add_year");
    // The running server sees it too.
    let token = app.token("jianchayuan").await;
    let (s, v) = app
        .get_json(&token, "/api/v1/calendar/is-workday?date=2027-01-04")
        .await;
    assert_eq!((s, v["workday"].as_bool()), (StatusCode::OK, Some(true)));
    // Importing the same year again replaces it.
    let report = answer(&app, &["import", file.to_str().unwrap()]);
    assert!(
        report.starts_with("imported=1 replaced=1 recomputed="),
        "{report}"
    );
    app.stop().await;
}

#[tokio::test]
async fn api_computes_refuses_and_imports() {
    let app = spawn().await;
    let staff = app.token("jianchayuan").await;
    for (start, n, expected) in ADD_WORKDAYS {
        let (s, v) = app
            .get_json(
                &staff,
                &format!("/api/v1/calendar/add-workdays?date={start}&n={n}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["result"], *expected, "{start} + {n}");
        assert_eq!(v["date"], *start);
        assert_eq!(v["n"].as_u64(), n.parse().ok());
    }
    for (start, n, expected) in DEADLINE {
        let (s, v) = app
            .get_json(
                &staff,
                &format!("/api/v1/calendar/deadline?date={start}&n={n}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["result"], *expected, "{start} + {n} days");
    }
    let (_, v) = app
        .get_json(
            &staff,
            "/api/v1/calendar/deadline?date=2025-09-16&n=15&roll_over=next_non_holiday",
        )
        .await;
    assert_eq!(
        (v["nominal"].as_str(), v["result"].as_str()),
        (Some("2025-10-01"), Some("2025-10-09"))
    );
    for (date, expected) in IS_WORKDAY {
        let (s, v) = app
            .get_json(&staff, &format!("/api/v1/calendar/is-workday?date={date}"))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["workday"].to_string(), *expected, "{date}");
    }
    let kinds = [
        ("2026-02-16", "holiday", json!("春节")),
        ("2026-02-14", "adjusted_workday", Value::Null),
        ("2026-03-01", "weekend", Value::Null),
        ("2026-03-02", "workday", Value::Null),
    ];
    for (date, kind, name) in kinds {
        let (_, v) = app
            .get_json(&staff, &format!("/api/v1/calendar/is-workday?date={date}"))
            .await;
        assert_eq!(v["kind"], kind, "{date}");
        assert_eq!(v["holiday_name"], name, "{date}");
    }

    // A year without data: 422 naming the year, in the caller's language.
    for path in [
        "/api/v1/calendar/is-workday?date=2027-01-04",
        "/api/v1/calendar/add-workdays?date=2026-12-30&n=2",
        "/api/v1/calendar/deadline?date=2026-12-20&n=15",
    ] {
        let (s, v) = app.get_json(&staff, path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(v["error"]["code"], "calendar_missing_year");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("2027") && msg.contains("缺少"), "{msg}");
    }
    let r = TestApp::client()
        .get(app.url("/api/v1/calendar/is-workday?date=2027-01-04"))
        .bearer_auth(&staff)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("no holiday data for year 2027"), "{msg}");
    // Bad input: 400, never 500.
    for path in [
        "/api/v1/calendar/is-workday",
        "/api/v1/calendar/is-workday?date=2026-02-30",
        "/api/v1/calendar/is-workday?date=2026%2F02%2F03",
        "/api/v1/calendar/add-workdays?date=2026-02-12",
        "/api/v1/calendar/add-workdays?date=2026-02-12&n=-1",
        "/api/v1/calendar/add-workdays?date=2026-02-12&n=abc",
        "/api/v1/calendar/deadline?date=2026-02-12&n=3&roll_over=x",
        "/api/v1/calendar/deadline?date=x&n=3",
    ] {
        let (s, v) = app.get_json(&staff, path).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(v["error"]["code"], "bad_request", "{path}");
    }
    // Far beyond the data: refused, not a server error.
    let (s, _) = app
        .get_json(
            &staff,
            "/api/v1/calendar/deadline?date=2026-01-01&n=4294967295",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The covered years with their sources.
    let (s, v) = app.get_json(&staff, "/api/v1/calendar/years").await;
    assert_eq!(s, StatusCode::OK);
    let years: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, vec![2024, 2025, 2026]);
    let y2025 = &v["items"][1];
    assert_eq!(y2025["source"]["document"], "国办发明电〔2024〕12号");
    assert_eq!(y2025["holidays"][5]["name"], "国庆节、中秋节");
    assert_eq!(y2025["holidays"][5]["to"], "2025-10-08");
    assert!(
        y2025["workdays"]
            .as_array()
            .unwrap()
            .contains(&json!("2025-10-11"))
    );

    // Importing: only for CalendarAdmin.
    let (s, _) = app
        .send_json(
            &staff,
            Method::POST,
            "/api/v1/calendar/years",
            json!({"toml": TEST_2027}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin = app.token("admin").await;
    // Invalid data: 422 with the message naming year and date; nothing written.
    let before = app.audit_count().await;
    let invalid = [
        (
            TEST_2027.replace("workdays = []", "workdays = [\"2027-01-02\"]"),
            "2027-01-02",
        ),
        (
            TEST_2027.replace("to = \"2027-01-03\"", "to = \"2026-12-31\""),
            "2026-12-31",
        ),
        (
            TEST_2027.replace("year = 2027", "year = 2027\nyear2 = 1"),
            "TOML",
        ),
        ("[[year]\nyear = ".to_string(), "TOML"),
        (String::new(), "[[year]]"),
    ];
    for (text, needle) in &invalid {
        let (s, v) = app
            .send_json(
                &admin,
                Method::POST,
                "/api/v1/calendar/years",
                json!({ "toml": text }),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["code"], "calendar_data");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
    let (s, _) = app
        .send_json(&admin, Method::POST, "/api/v1/calendar/years", json!({}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(app.audit_count().await, before, "nothing written");
    let (_, v) = app.get_json(&staff, "/api/v1/calendar/years").await;
    assert_eq!(v["total"], 3);

    // A valid year: added, audited with the administrator as actor.
    let (s, v) = app
        .send_json(
            &admin,
            Method::POST,
            "/api/v1/calendar/years",
            json!({"toml": TEST_2027}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["years"], json!([2027]));
    assert_eq!(
        (v["imported"].as_u64(), v["added"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(v["replaced"], 0);
    let (s, v) = app
        .get_json(&staff, "/api/v1/calendar/add-workdays?date=2026-12-30&n=2")
        .await;
    assert_eq!(
        (s, v["result"].as_str()),
        (StatusCode::OK, Some("2027-01-04"))
    );
    let events = storage::repo::audit::for_entity(&app.db, "calendar_year", "2027")
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "calendar.add_year");
    assert_eq!(events[0].actor_name, "admin");
    app.stop().await;
}

/// A correction of a year moves the deadlines of running clocks at once.
#[tokio::test]
async fn import_recomputes_running_clocks() {
    use domain::{Scope, rules::RuleSet};
    use storage::repo::{calendar, clocks, units};

    let app = spawn().await;
    let cal = calendar::load(&app.db).await.unwrap();
    let rule = RuleSet::china_default()
        .unwrap()
        .get("complaint.accept")
        .unwrap()
        .clone();
    assert_eq!(rule.period, 5);
    let unit = units::all(&app.db, &Scope::All).await.unwrap()[0].id;
    let mut tx = app
        .db
        .begin_write(&storage::AuditCtx::system("test"))
        .await
        .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let clock = clocks::start(
        &mut tx,
        &Scope::All,
        &cal,
        &clocks::NewClock {
            item_type: "complaint".into(),
            item_id: "TEST-1".into(),
            title: "测试投诉".into(),
            rule,
            unit_id: unit,
            owner_user_id: None,
            started_on: start,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // 5 working days after Tuesday 2026-12-01.
    assert_eq!(
        clock.current_deadline,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
    );

    // TEST DATA: the real 2026 schedule plus a made-up two-day holiday.
    let mut y2026 = cal.year_data(2026).unwrap().clone();
    y2026.holidays.push(domain::calendar::Holiday {
        name: "测试假日（非官方）".into(),
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
    });
    let text = domain::calendar::to_toml(&[y2026]);
    // The demo has running clocks of its own: the report must count exactly
    // the clocks whose derived columns changed.
    use sea_orm::EntityTrait;
    let snapshot = || async {
        storage::entity::clock::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.id, (m.current_deadline, m.due_soon_from, m.state)))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before = snapshot().await;
    let admin = app.token("admin").await;
    let (s, v) = app
        .send_json(
            &admin,
            Method::POST,
            "/api/v1/calendar/years",
            json!({ "toml": text }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = snapshot().await;
    let changed = before
        .iter()
        .filter(|(id, b)| after.get(id) != Some(b))
        .count();
    assert!(changed >= 1, "the test clock moved");
    assert_eq!(
        (
            v["added"].as_u64(),
            v["replaced"].as_u64(),
            v["recomputed"].as_u64()
        ),
        (Some(0), Some(1), Some(changed as u64))
    );
    let moved = storage::entity::clock::Entity::find_by_id(clock.id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        moved.current_deadline,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
    );
    let events = storage::repo::audit::for_entity(&app.db, "calendar_year", "2026")
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.action == "calendar.replace_year"));
    app.stop().await;
}

#[tokio::test]
async fn calendar_page_for_staff_and_import_form_for_administrators() {
    let app = spawn().await;
    // A labour inspector (ClockRead): the page and the nav entry, no import form.
    let c = TestApp::browser();
    app.web_login(&c, "jianchayuan").await;
    let r = c.get(app.url("/calendar?year=2026")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    for needle in [
        "href=\"/calendar\"",
        "节假日日历",
        "国务院办公厅关于2026年部分节假日安排的通知",
        "https://politics.gmw.cn/2025-11/04/content_38391083.htm",
        "class=\"d hol\" title=\"2026-02-16 一 · 春节 · 法定节假日（放假）\"",
        "class=\"d adj\" title=\"2026-02-14 六 · 调休上班日\"",
        "class=\"d wkend\" title=\"2026-03-01 日 · 周末\"",
        "class=\"d work\" title=\"2026-03-02 一 · 工作日\"",
        "href=\"/calendar?year=2025\"",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert!(!html.contains("/calendar/import"));
    // 2025 shows its document number.
    let html = c
        .get(app.url("/calendar?year=2025"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("国办发明电〔2024〕12号"));
    // A year without data says so.
    let r = c.get(app.url("/calendar?year=2031")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("尚无2031年的法定节假日数据")
    );
    let r = c.get(app.url("/calendar?year=abc")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The page is for everyone logged in; the nav entry only with ClockRead or CalendarAdmin.
    let c2 = TestApp::browser();
    app.web_login(&c2, "zhuanjia").await;
    let r = c2.get(app.url("/calendar")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.text().await.unwrap().contains("href=\"/calendar\""));

    // The administrator imports through the form.
    let a = TestApp::browser();
    let csrf = app.web_login(&a, "admin").await;
    let html = a
        .get(app.url("/calendar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("action=\"/calendar/import\""));
    assert!(html.contains("<details"));
    let before = app.audit_count().await;
    let bad = TEST_2027.replace("workdays = []", "workdays = [\"2027-01-02\"]");
    let r = a
        .post(app.url("/calendar/import"))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str()), ("toml", bad.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("2027年：2027-01-02 同时被列为节假日和调休上班日。"),
        "{html}"
    );
    assert!(
        html.contains("workdays = [&#34;2027-01-02&#34;]") || html.contains("2027-01-02&quot;")
    );
    assert_eq!(app.audit_count().await, before);
    let r = a
        .post(app.url("/calendar/import"))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str()), ("toml", TEST_2027)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/calendar?year=2027&added=1&replaced=0"),
        "{to}"
    );
    let html = a
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("导入完成：新增 1 个年度，替换 0 个年度"),
        "{html}"
    );
    assert!(html.contains("测试数据：2027年节假日"));
    assert!(html.contains("class=\"d hol\" title=\"2027-01-01 五 · 元旦"));
    app.stop().await;
}
