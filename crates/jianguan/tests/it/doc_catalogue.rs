//! The catalogue and its templates agree: every type has a template whose
//! sample satisfies the type's fields and renders; the `doc` command line.

use std::process::Command;

#[test]
fn every_type_has_a_template_and_a_valid_sample() {
    let cfg = jianguan::Config::default();
    let catalogue = cfg.catalogue().unwrap();
    assert!(catalogue.len() >= 16);
    let r = jianguan::doc_renderer(&cfg, &catalogue).expect("every type has a template");
    for t in catalogue.iter() {
        assert!(r.has_template(&t.code), "{}", t.code);
        assert!(!t.fields.is_empty(), "{} has no fields", t.code);
        let data = docgen::sample_data(&t.code).unwrap_or_else(|| panic!("sample {}", t.code));
        if let Err(e) = t.check_data(&data) {
            panic!("sample of {} does not satisfy its fields: {e:?}", t.code);
        }
        // Every field of the form reaches the template's data.
        for f in &t.fields {
            assert!(
                domain::doctypes::lookup(&data, &f.key).is_some(),
                "{}: field {} missing from the sample",
                t.code,
                f.key
            );
        }
    }
}

#[test]
fn doc_types_lists_one_type_per_line_and_doc_sample_renders() {
    let out = Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(["doc", "types"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 16);
    assert!(
        lines.contains(&"supervision_notice\t执法监督通知书"),
        "{text}"
    );
    assert!(lines.contains(&"service_receipt\t送达回证"), "{text}");
    for l in &lines {
        let (code, name) = l.split_once('\t').unwrap();
        assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        assert!(!name.is_empty());
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("n.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(["doc", "sample", "supervision_notice", "--out"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let out = Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(["doc", "sample", "no_such_type", "--out"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知的文书类型"));
}
