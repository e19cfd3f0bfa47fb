//! `jianguan doc …`: the document catalogue and sample rendering.
//!
//! `doc types` prints one line per type: the identifier `doc sample` takes,
//! a tab, the document's Chinese name. `doc sample TYPE --out FILE.pdf`
//! renders the type's template with its built-in sample data (a draft
//! watermark unless `--final`), with no database involved.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::Config;

#[derive(Subcommand, Debug)]
pub enum DocCmd {
    /// List the document catalogue: identifier, tab, Chinese name.
    Types,
    /// Render a document type with its built-in sample data to a PDF.
    Sample {
        /// A type identifier from `jianguan doc types`.
        #[arg(value_name = "TYPE")]
        type_code: String,
        /// The PDF to write.
        #[arg(long)]
        out: PathBuf,
        /// Render as issued (sample number, date and the demo seal) instead
        /// of a watermarked draft.
        #[arg(long = "final")]
        issued: bool,
    },
}

pub fn run(cfg: &Config, cmd: DocCmd) -> Result<i32> {
    let catalogue = cfg.catalogue()?;
    match cmd {
        DocCmd::Types => {
            for t in catalogue.iter() {
                println!("{}\t{}", t.code, t.name_zh);
            }
            Ok(0)
        }
        DocCmd::Sample {
            type_code,
            out,
            issued,
        } => {
            let Some(t) = catalogue.get(&type_code) else {
                eprintln!(
                    "未知的文书类型 `{type_code}`；可用类型见 `jianguan doc types` / unknown document type"
                );
                return Ok(2);
            };
            let renderer = crate::doc_renderer(cfg, &catalogue)?;
            let data = docgen::sample_data(&t.code).unwrap_or_else(|| serde_json::json!({}));
            let today = storage::today();
            let number = storage::repo::documents::format_number(
                &t.number_prefix,
                chrono::Datelike::year(&today),
                1,
            );
            let seal = storage::seed::DEMO_SEALS.first().map(|s| s.1);
            let pdf = renderer
                .render(&docgen::RenderRequest {
                    type_code: &t.code,
                    title: &t.name_zh,
                    issuer: "石家庄市鹿泉区人力资源和社会保障局",
                    number: issued.then_some(number.as_str()),
                    issued_on: issued.then_some(today),
                    data: &data,
                    seal_png: if issued { seal } else { None },
                    draft: !issued,
                })
                .map_err(|e| anyhow::anyhow!("{}: {e}", t.code))?;
            std::fs::write(&out, &pdf)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("{} ({} bytes)", out.display(), pdf.len());
            Ok(0)
        }
    }
}
