//! Both locale files carry every key, and every key the templates use exists.

#[test]
fn locales_have_the_same_keys() {
    web::i18n::validate().unwrap();
}

#[test]
fn every_template_key_exists() {
    let zh = web::i18n::flatten(web::i18n::ZH_CN_SRC).unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/templates");
    let mut missing = vec![];
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for part in text.split("tr.t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !zh.contains_key(key) {
                    missing.push(format!("{}: {key}", p.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys missing from locales/zh-CN.toml:\n{}",
        missing.join("\n")
    );
}
