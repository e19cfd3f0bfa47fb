//! The registry of regulated subjects: validation of the 统一社会信用代码,
//! alternative keys, Chinese search on both engines, history, pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

fn code(first17: &str) -> String {
    domain::subject::with_check(first17).unwrap()
}

async fn add(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(token, Method::POST, "/api/v1/subjects", body)
        .await
}

async fn search(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let (s, v) = app
        .get_json(token, &format!("/api/v1/subjects?q={}", urlencode(q)))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["total"].as_u64().unwrap() as usize,
        v["items"].as_array().unwrap().len()
    );
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn subjects_are_validated_searched_and_their_changes_kept() {
    let app = spawn().await;
    let t = app.token("yewu").await; // business department: subject_write
    let hongda = code("91130110MA0CX7K25");
    let (s, a) = add(
        &app,
        &t,
        json!({"uscc": hongda, "name": "石家庄鹿泉宏达建材有限公司", "legal_representative": "张䶮",
               "address": "鹿泉区上庄镇工业园区兴业路16号", "district_code": "130110",
               "industry_code": "C3021", "employee_count": "86", "roles": []}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["key"], hongda);
    assert_eq!(a["legal_form"], "enterprise", "from the code's 91");
    let others = [
        (
            "91130110MA0D4R8L3",
            "石家庄市鹿泉区鑫源物流有限公司",
            "寺家庄镇物流园区8号",
        ),
        (
            "91130110MA0E11111",
            "河北鹿鸣人力资源服务有限公司",
            "获鹿镇向阳北大街89号",
        ),
        (
            "91130110MA0F22222",
            "石家庄智联科技有限公司",
            "高新区天山大街1号",
        ),
        ("52130110MA0G33333", "鹿泉区欠薪维权服务中心", "铜冶镇"),
    ];
    for (c, name, addr) in others {
        let (s, v) = add(
            &app,
            &t,
            json!({"uscc": code(c), "name": name, "address": addr}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    // Without a code: an alternative key.
    let (s, v) = add(
        &app,
        &t,
        json!({"name": "鹿泉区老王五金店", "district_code": "130110", "legal_form": "个体工商户"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["key"], "NC1301100000000001");
    assert!(v["uscc"].is_null());

    // Refusals say why, per field.
    let (s, e) = add(&app, &t, json!({"uscc": "91130110MA0CX7K2IF", "name": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "uscc");
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不允许的字符")
    );
    let (s, e) = add(&app, &t, json!({"uscc": hongda, "name": "重复"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("已被使用"));
    let mut wrong = hongda.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let (s, e) = add(&app, &t, json!({"uscc": wrong, "name": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e.to_string().contains("校验位"));
    let (s, e) = add(
        &app,
        &t,
        json!({"uscc": "", "name": "=HYPERLINK(\"http://x\")"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e.to_string().contains("公式"));

    // Search: two-character words, partial names, one character, several words.
    assert_eq!(search(&app, &t, "欠薪").await, ["鹿泉区欠薪维权服务中心"]);
    assert_eq!(search(&app, &t, "科技").await, ["石家庄智联科技有限公司"]);
    assert_eq!(
        search(&app, &t, "宏达建材").await,
        ["石家庄鹿泉宏达建材有限公司"]
    );
    let luquan = search(&app, &t, "鹿泉").await;
    assert_eq!(luquan.len(), 4, "{luquan:?}");
    assert!(!luquan.contains(&"石家庄智联科技有限公司".to_string()));
    assert_eq!(
        search(&app, &t, "鹿泉 物流").await,
        ["石家庄市鹿泉区鑫源物流有限公司"]
    );
    assert_eq!(
        search(&app, &t, "张䶮").await,
        ["石家庄鹿泉宏达建材有限公司"],
        "legal representative, rare character"
    );
    assert_eq!(
        search(&app, &t, "兴业路").await,
        ["石家庄鹿泉宏达建材有限公司"],
        "address"
    );
    assert_eq!(
        search(&app, &t, "鹿鸣").await,
        ["河北鹿鸣人力资源服务有限公司"]
    );
    assert_eq!(
        search(&app, &t, "鸣").await,
        ["河北鹿鸣人力资源服务有限公司"],
        "one character"
    );
    assert!(search(&app, &t, "不存在的名字").await.is_empty());
    assert!(search(&app, &t, "\" OR 1=1 --").await.is_empty());

    // A change is kept with who, when and what; the search follows it at once.
    let id = a["id"].as_i64().unwrap();
    let (s, u) = app
        .send_json(
            &t,
            Method::PUT,
            &format!("/api/v1/subjects/{id}"),
            json!({"uscc": hongda, "name": "石家庄鹿泉宏达新材料有限公司", "legal_representative": "张䶮",
                   "address": "鹿泉区上庄镇工业园区兴业路16号", "district_code": "130110",
                   "industry_code": "C3021", "employee_count": "90", "risk_level": "high",
                   "roles": ["district_soe"], "tags": ["欠薪重点"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["roles"], json!(["district_soe"]));
    assert_eq!(
        search(&app, &t, "新材料").await,
        ["石家庄鹿泉宏达新材料有限公司"]
    );
    assert!(
        search(&app, &t, "建材").await.is_empty(),
        "the old name is no longer indexed"
    );
    let (_, d) = app.get_json(&t, &format!("/api/v1/subjects/{id}")).await;
    let h = d["history"].as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["action"], "subject.update");
    assert_eq!(h[1]["who"], "yewu");
    assert_eq!(h[1]["before"]["name"], "石家庄鹿泉宏达建材有限公司");
    assert_eq!(h[1]["after"]["name"], "石家庄鹿泉宏达新材料有限公司");
    assert_eq!(h[1]["after"]["employee_count"], 90);
    assert!(
        h[1]["after"].get("address").is_none(),
        "only changed fields"
    );
    // Filters: by role.
    let (_, v) = app.get_json(&t, "/api/v1/subjects?role=district_soe").await;
    assert_eq!(v["total"], 1);
    // A reader without subject_write cannot change the registry.
    let fazhi = app.token("fazhi").await;
    let (s, _) = add(&app, &fazhi, json!({"name": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn the_registry_pages_add_search_and_show_history() {
    let app = spawn().await;
    let c = TestApp::browser();
    let csrf = app.web_login(&c, "yewu").await;
    let r = c
        .post(app.url("/subjects"))
        .header("origin", &app.base)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "石家庄市鹿泉区技工学校"),
            ("uscc", &code("12130110MA0H44444")),
            ("roles", "tech_school"),
            ("tags", "技工院校，年检"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let html = c
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("技工学校") && html.contains("事业单位") && html.contains("年检"));
    assert!(html.contains("新增监管对象"), "history on the page");
    let r = c
        .post(app.url("/subjects"))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str()), ("name", ""), ("uscc", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("此项为必填项") && html.contains("应为18位"));
    let html = c
        .get(app.url("/subjects?q=%E6%8A%80%E5%B7%A5"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("石家庄市鹿泉区技工学校"));
    app.stop().await;
}
