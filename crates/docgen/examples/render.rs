//! `cargo run -p docgen --example render -- <type_code> [out.pdf] [--draft] [--seal]`
//! Renders a type with its built-in sample data.
use docgen::{RenderOptions, RenderRequest, Renderer, sample_data, type_title};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = args
        .first()
        .map(String::as_str)
        .unwrap_or("supervision_notice");
    let out = args
        .get(1)
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or(format!("{code}.pdf"));
    let draft = args.iter().any(|a| a == "--draft");
    let seal = args.iter().any(|a| a == "--seal");
    let r = Renderer::new(&RenderOptions {
        font_dir: std::env::var_os("DOCGEN_FONT_DIR").map(Into::into),
    })?;
    let data = sample_data(code).ok_or("no sample for this type")?;
    let seal_png = include_bytes!("../../../assets/documents/samples/seal-sample.png");
    let pdf = r.render(&RenderRequest {
        type_code: code,
        title: type_title(code).unwrap_or(code),
        issuer: "石家庄市鹿泉区人力资源和社会保障局",
        number: Some("鹿人社监〔2026〕12号"),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 28),
        data: &data,
        seal_png: seal.then_some(&seal_png[..]),
        draft,
    })?;
    std::fs::write(&out, pdf)?;
    println!("wrote {out}");
    Ok(())
}
