//! Renders every shipped template with its sample and checks the PDF with
//! poppler (`pdftotext`, `pdffonts`, `pdfinfo`); those checks are skipped with
//! a note when poppler-utils is not installed.

#![allow(clippy::unwrap_used)] // test helpers, outside #[test] fns

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use docgen::{DocgenError, RenderOptions, RenderRequest, Renderer, sample_data, type_title};

const ISSUER: &str = "石家庄市鹿泉区人力资源和社会保障局";
const SEAL: &[u8] = include_bytes!("../../../assets/documents/samples/seal-sample.png");

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(&RenderOptions::default()).unwrap())
}

/// Key phrases per type (besides the title) that must appear in the text.
fn phrases(code: &str) -> &'static [&'static str] {
    match code {
        "supervision_notice" => &[
            "石家庄鹿泉宏达建材有限公司：",
            "内整改完毕，并将整改情况书面报告我局",
            "可以在收到本通知书之日起10日内向我局申请复查",
            "赵堃",
        ],
        "supervision_decision" => &["鹿人社监〔2026〕12号", "申请行政复议"],
        "admin_supervision_notice" => &["石家庄市鹿泉区劳动保障监察大队：", "送达回证"],
        "admin_supervision_decision" => &["撤销《行政处罚决定书》", "刘堃"],
        "review_decision" => &[
            "申请人：石家庄市鹿泉区鑫源物流有限公司",
            "经复查查明",
            "陈䶮",
        ],
        "complaint_reply" => &["李春生：", "处理结果", "劳动人事争议仲裁委员会"],
        "inspection_record" => &["检查情况", "13010920056", "被检查单位"],
        "inquiry_notice" => &["接受调查询问", "2026年9月12日上午9时", "授权委托书"],
        "rectification_order" => &["第十八条第一款第（三）项", "2026年9月20日前改正"],
        "non_acceptance_notice" => &["不予受理", "超过两年"],
        "case_filing_form" => &["案件来源", "91130110MA0CX7K25F", "负责人"],
        "penalty_prior_notice" => &["陈述、申辩", "壹万伍仟元整"],
        "hearing_notice" => &["听证", "伍万元整", "五日内"],
        "penalty_decision" => &[
            "统一社会信用代码：91130110MA0CX7K25F",
            "法定代表人：张䶮",
            "罚款人民币15,000.00元（大写：壹万伍仟元整）",
            "每日按罚款数额的百分之三加处罚款",
            "六十日内",
            "六个月内",
            "《劳动保障监察条例》",
        ],
        "case_closing_form" => &["处理结果", "执行情况", "1301092612080037"],
        "service_receipt" => &[
            "送达文书名称及文号",
            "受送达人签名或盖章",
            "送达方式",
            "见证人",
            "备注",
        ],
        _ => &[],
    }
}

fn request<'a>(code: &'a str, data: &'a serde_json::Value) -> RenderRequest<'a> {
    RenderRequest {
        type_code: code,
        title: type_title(code).unwrap_or("未知文书"),
        issuer: ISSUER,
        number: Some("鹿人社监〔2026〕12号"),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 28),
        data,
        seal_png: None,
        draft: false,
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

fn with_pdf_file<T>(pdf: &[u8], f: impl FnOnce(&std::path::Path) -> T) -> T {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("docgen-test-{}-{n}.pdf", std::process::id()));
    std::fs::File::create(&path)
        .unwrap()
        .write_all(pdf)
        .unwrap();
    let out = f(&path);
    let _ = std::fs::remove_file(&path);
    out
}

/// pdftotext output with all whitespace removed (it breaks lines anywhere).
fn pdf_text(pdf: &[u8]) -> Option<String> {
    if !have("pdftotext") {
        eprintln!("note: pdftotext not installed, text checks skipped");
        return None;
    }
    with_pdf_file(pdf, |p| {
        let out = Command::new("pdftotext")
            .arg("-enc")
            .arg("UTF-8")
            .arg(p)
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success());
        Some(
            String::from_utf8_lossy(&out.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
        )
    })
}

/// Rows of `pdffonts`: (name, emb).
fn pdf_fonts(pdf: &[u8]) -> Option<Vec<(String, String)>> {
    if !have("pdffonts") {
        eprintln!("note: pdffonts not installed, font checks skipped");
        return None;
    }
    with_pdf_file(pdf, |p| {
        let out = Command::new("pdffonts").arg(p).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        Some(
            text.lines()
                .skip(2)
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    // name type… encoding emb sub uni object-id generation
                    let cols: Vec<&str> = l.split_whitespace().collect();
                    (cols[0].to_owned(), cols[cols.len() - 5].to_owned())
                })
                .collect(),
        )
    })
}

fn pages(pdf: &[u8]) -> usize {
    docgen::bench::count_pages(pdf)
}

#[test]
fn every_type_renders_with_its_sample() {
    let r = renderer();
    let codes = r.type_codes();
    assert_eq!(codes.len(), 16);
    for code in codes {
        assert!(r.has_template(code));
        let data = sample_data(code).unwrap_or_else(|| panic!("no sample for {code}"));
        let pdf = r
            .render(&request(code, &data))
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(pdf.starts_with(b"%PDF"), "{code}");
        if let Some(text) = pdf_text(&pdf) {
            let title = type_title(code).unwrap();
            assert!(
                text.contains(title),
                "{code}: title {title} missing in\n{text}"
            );
            assert!(text.contains(ISSUER), "{code}: issuer missing");
            for p in phrases(code) {
                let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
                assert!(text.contains(&p), "{code}: phrase {p} missing in\n{text}");
            }
        }
        if let Some(fonts) = pdf_fonts(&pdf) {
            assert!(!fonts.is_empty(), "{code}: no fonts");
            for (name, emb) in &fonts {
                assert_eq!(emb, "yes", "{code}: font {name} not embedded");
                assert!(
                    name.contains("NotoSerifCJK") || name.contains("NotoSansCJK"),
                    "{code}: unexpected font {name}"
                );
            }
        }
    }
}

#[test]
fn penalty_decision_sample_has_two_pages() {
    let data = sample_data("penalty_decision").unwrap();
    let pdf = renderer()
        .render(&request("penalty_decision", &data))
        .unwrap();
    assert_eq!(pages(&pdf), 2);
}

#[test]
fn draft_watermark_number_and_seal() {
    let r = renderer();
    let data = sample_data("supervision_notice").unwrap();
    let mut req = request("supervision_notice", &data);
    let plain = r.render(&req).unwrap();
    req.draft = true;
    req.number = None;
    req.seal_png = Some(SEAL);
    let draft = r.render(&req).unwrap();
    assert_ne!(plain, draft);
    // The seal is embedded as an image XObject.
    assert!(
        draft
            .windows(b"/Subtype/Image".len())
            .any(|w| w == b"/Subtype/Image")
    );
    assert!(
        !plain
            .windows(b"/Subtype/Image".len())
            .any(|w| w == b"/Subtype/Image")
    );
    if let (Some(p), Some(d)) = (pdf_text(&plain), pdf_text(&draft)) {
        assert!(p.contains("鹿人社监〔2026〕12号"));
        assert!(p.contains("二〇二六年十一月二十八日"));
        // pdftotext splits the rotated watermark into single characters.
        assert!(!p.contains('草') && !p.contains('稿'));
        assert!(
            d.contains('草') && d.contains('稿') && d.contains('效'),
            "watermark missing in\n{d}"
        );
        assert!(!d.contains("鹿人社监〔2026〕12号"));
    }
}

#[test]
fn rendering_is_deterministic() {
    let r = renderer();
    let data = sample_data("penalty_decision").unwrap();
    let mut req = request("penalty_decision", &data);
    req.seal_png = Some(SEAL);
    let a = r.render(&req).unwrap();
    let b = r.render(&req).unwrap();
    assert_eq!(a, b);
    // A second renderer instance gives the same bytes too.
    let r2 = Renderer::new(&RenderOptions::default()).unwrap();
    assert_eq!(a, r2.render(&req).unwrap());
}

#[test]
fn unknown_type_is_an_error() {
    let data = serde_json::json!({});
    let err = renderer()
        .render(&request("no_such_type", &data))
        .unwrap_err();
    assert!(
        matches!(err, DocgenError::UnknownType(ref c) if c == "no_such_type"),
        "{err:?}"
    );
}

#[test]
fn missing_required_field_is_bad_data() {
    let data = serde_json::json!({ "facts": "x" });
    let err = renderer()
        .render(&request("penalty_decision", &data))
        .unwrap_err();
    match err {
        DocgenError::BadData { field, message } => {
            assert_eq!(field, "party");
            assert!(message.contains("当事人"));
        }
        other => panic!("{other:?}"),
    }
    let err = renderer()
        .render(&request("penalty_decision", &serde_json::json!([1, 2])))
        .unwrap_err();
    assert!(matches!(err, DocgenError::BadData { .. }));
}

#[test]
fn optional_fields_may_be_missing() {
    let r = renderer();
    for code in r.type_codes() {
        let data = match code {
            "review_decision" => serde_json::json!({ "applicant": { "name": "某公司" } }),
            "complaint_reply" => serde_json::json!({ "complainant": "张三" }),
            "inspection_record" => serde_json::json!({ "unit": "某公司" }),
            c if c.contains("form") || c.starts_with("penalty") || c == "hearing_notice" => {
                serde_json::json!({ "party": { "name": "某公司" } })
            }
            _ => serde_json::json!({ "recipient": "某公司" }),
        };
        let pdf = r
            .render(&request(code, &data))
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(pdf.starts_with(b"%PDF"));
    }
}

#[test]
fn data_of_the_wrong_shape_is_a_compile_error_not_a_panic() {
    // `problems` must be strings; a nested object cannot be turned into text.
    let data = serde_json::json!({ "recipient": "某公司", "problems": [{ "a": [1, 2] }] });
    let err = renderer()
        .render(&request("supervision_notice", &data))
        .unwrap_err();
    match err {
        DocgenError::Compile(msg) => {
            assert!(!msg.is_empty());
            assert!(msg.contains(".typ:"), "no file:line in {msg}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn renderer_is_send_sync_and_shared() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Renderer>();
    let r = Arc::new(Renderer::new(&RenderOptions::default()).unwrap());
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let r = Arc::clone(&r);
            std::thread::spawn(move || {
                let code = if i == 0 {
                    "service_receipt"
                } else {
                    "inquiry_notice"
                };
                let data = sample_data(code).unwrap();
                r.render(&request(code, &data)).unwrap().len()
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap() > 1000);
    }
}

#[test]
fn font_families_are_the_embedded_noto_faces() {
    let fams = renderer().font_families();
    assert!(fams.iter().any(|f| f == "Noto Serif CJK SC"), "{fams:?}");
    assert!(fams.iter().any(|f| f == "Noto Sans CJK SC"), "{fams:?}");
}

#[test]
fn font_dir_errors_are_reported() {
    let err = Renderer::new(&RenderOptions {
        font_dir: Some("/nonexistent/fonts".into()),
    })
    .err()
    .unwrap();
    assert!(matches!(err, DocgenError::Font(_)));
}

#[test]
fn bench_smoke() {
    let rep = docgen::bench::bench_with(renderer(), 3, 2).unwrap();
    assert_eq!(rep.n, 3);
    assert_eq!(rep.pages_last, 2);
    assert!(rep.docs_per_sec > 0.0);
}
