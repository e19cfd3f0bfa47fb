//! Official-document (公文) rendering: a typst template plus JSON data → PDF.
//!
//! Fonts are embedded (subset Noto CJK SC faces, see `assets/fonts/SOURCES.md`)
//! and parsed once per [`Renderer`]; a bureau may add licensed fonts through
//! [`RenderOptions::font_dir`]. Templates live in `assets/documents/templates/`
//! and are compiled into the binary; nothing is read from or downloaded over the
//! network at build or run time.

#![forbid(unsafe_code)]

pub mod bench;
mod numerals;
mod templates;
mod world;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use typst::foundations::Bytes;
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;

pub use numerals::{chinese_date, rmb_upper};
use world::RenderWorld;

/// Errors from building a [`Renderer`] or rendering a document.
#[derive(Debug, thiserror::Error)]
pub enum DocgenError {
    /// No template ships for this type code.
    #[error("unknown document type: {0}")]
    UnknownType(String),
    /// The data does not fit the template (not an object, or a required field missing).
    #[error("bad data for field `{field}`: {message}")]
    BadData { field: String, message: String },
    /// typst reported errors; the message lists them with file and line.
    #[error("template compile error: {0}")]
    Compile(String),
    /// PDF export failed.
    #[error("PDF export error: {0}")]
    Pdf(String),
    /// A font could not be read or parsed.
    #[error("font error: {0}")]
    Font(String),
    /// Data could not be serialised for the template.
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
}

/// Options for [`Renderer::new`].
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// A folder with extra (licensed) fonts: every `*.otf`, `*.ttf`, `*.ttc`,
    /// `*.otc` in it (not recursive) is loaded. Families such as
    /// "FZXiaoBiaoSong-B05S", "FangSong_GB2312", "SimHei", "KaiTi_GB2312" are
    /// then preferred over the embedded Noto faces.
    pub font_dir: Option<PathBuf>,
}

/// One document to render.
#[derive(Debug, Clone)]
pub struct RenderRequest<'a> {
    /// Template identifier, e.g. `"supervision_notice"`.
    pub type_code: &'a str,
    /// The document's Chinese name, e.g. `"执法监督通知书"`.
    pub title: &'a str,
    /// Issuing organ, e.g. `"石家庄市鹿泉区人力资源和社会保障局"`.
    pub issuer: &'a str,
    /// 文号, e.g. `"鹿人社监〔2026〕12号"`; `None` for a draft.
    pub number: Option<&'a str>,
    /// Date of issue, printed as 二〇二六年十一月二十八日; also the PDF creation date.
    pub issued_on: Option<chrono::NaiveDate>,
    /// The type's fields (a JSON object).
    pub data: &'a serde_json::Value,
    /// The unit's electronic seal (PNG), placed over the issuer/date block.
    pub seal_png: Option<&'a [u8]>,
    /// Adds a light grey diagonal "草稿 · 未生效" watermark to every page.
    pub draft: bool,
}

/// Renders documents. Build once (fonts are parsed here), share via `Arc`.
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: HashMap<FileId, Source>,
    mains: HashMap<&'static str, FileId>,
    ids: world::FixedIds,
    renders: AtomicUsize,
}

/// Every `RENDERS_PER_EVICT` renders, typst's memoisation cache is trimmed so a
/// long-running server does not grow without bound.
const RENDERS_PER_EVICT: usize = 32;

impl Renderer {
    /// Loads the embedded fonts plus those in `opts.font_dir`, and parses every template.
    pub fn new(opts: &RenderOptions) -> Result<Renderer, DocgenError> {
        let mut fonts = Vec::new();
        for (name, data) in EMBEDDED_FONTS {
            let before = fonts.len();
            fonts.extend(Font::iter(Bytes::new(*data)));
            if fonts.len() == before {
                return Err(DocgenError::Font(format!(
                    "embedded font {name} did not parse"
                )));
            }
        }
        if let Some(dir) = &opts.font_dir {
            load_font_dir(dir, &mut fonts)?;
        }
        let book = FontBook::from_fonts(&fonts);

        let mut sources = HashMap::new();
        let mut mains = HashMap::new();
        for (path, text) in templates::LIBRARY_FILES {
            let id = world::file_id(path);
            sources.insert(id, Source::new(id, (*text).to_owned()));
        }
        for t in templates::TEMPLATES {
            let id = world::file_id(&format!("/{}.typ", t.code));
            sources.insert(id, Source::new(id, t.source.to_owned()));
            mains.insert(t.code, id);
        }

        Ok(Renderer {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(book),
            fonts,
            sources,
            mains,
            ids: world::FixedIds::new(),
            renders: AtomicUsize::new(0),
        })
    }

    /// Whether a template ships for `type_code`.
    pub fn has_template(&self, type_code: &str) -> bool {
        self.mains.contains_key(type_code)
    }

    /// Every shipped type code, in a stable order.
    pub fn type_codes(&self) -> Vec<&'static str> {
        templates::TEMPLATES.iter().map(|t| t.code).collect()
    }

    /// Font families known to the renderer (embedded and from `font_dir`), sorted.
    pub fn font_families(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .book
            .families()
            .map(|(name, _)| name.to_owned())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Renders one document to PDF bytes. Output is deterministic for equal input.
    pub fn render(&self, req: &RenderRequest<'_>) -> Result<Vec<u8>, DocgenError> {
        let main = *self
            .mains
            .get(req.type_code)
            .ok_or_else(|| DocgenError::UnknownType(req.type_code.to_owned()))?;
        templates::check_data(req.type_code, req.data)?;

        let meta = serde_json::json!({
            "type_code": req.type_code,
            "title": req.title,
            "issuer": req.issuer,
            "number": req.number,
            "date": req.issued_on.map(|d| d.format("%Y-%m-%d").to_string()),
            "date_cn": req.issued_on.map(chinese_date),
            "draft": req.draft,
            "seal": req.seal_png.is_some(),
            "amounts": amounts(req.data),
        });
        let world = RenderWorld {
            renderer: self,
            main,
            data: Bytes::new(serde_json::to_vec(req.data)?),
            meta: Bytes::new(serde_json::to_vec(&meta)?),
            seal: req.seal_png.map(|s| Bytes::new(s.to_vec())),
            today: req.issued_on,
        };

        let result = typst::compile::<PagedDocument>(&world).output;
        self.maybe_evict();
        let doc = result.map_err(|diags| DocgenError::Compile(world.format_diagnostics(&diags)))?;

        let options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(format!(
                "jianguan-{}-{}",
                req.type_code,
                req.number.unwrap_or("draft")
            )),
            creator: typst::foundations::Smart::Custom(Some("Jianguan docgen".to_owned())),
            timestamp: req.issued_on.and_then(world::timestamp),
            ..Default::default()
        };
        typst_pdf::pdf(&doc, &options)
            .map_err(|diags| DocgenError::Pdf(world.format_diagnostics(&diags)))
    }

    fn maybe_evict(&self) {
        let n = self.renders.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(RENDERS_PER_EVICT) {
            typst::comemo::evict(4);
        }
    }
}

/// For every top-level numeric field whose key ends in `amount` (yuan), the
/// figures ("15,000.00") and the capitals ("壹万伍仟元整") for the template.
fn amounts(data: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    if let Some(obj) = data.as_object() {
        for (k, v) in obj {
            if !k.ends_with("amount") {
                continue;
            }
            let yuan = match v {
                serde_json::Value::Number(n) => n.as_f64(),
                serde_json::Value::String(s) => s.replace(',', "").trim().parse::<f64>().ok(),
                _ => None,
            };
            if let Some(y) = yuan.filter(|y| y.is_finite() && *y >= 0.0 && *y < 1e13) {
                // Rounded to whole fen; the range check above keeps this cast exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let fen = (y * 100.0).round() as u64;
                out.insert(
                    k.clone(),
                    serde_json::json!({ "figures": figures(fen), "upper": rmb_upper(fen) }),
                );
            }
        }
    }
    serde_json::Value::Object(out)
}

/// 1_500_000 fen → "15,000.00".
fn figures(fen: u64) -> String {
    let yuan = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", fen % 100)
}

/// Built-in sample data for a type (from `assets/documents/samples/<code>.json`).
pub fn sample_data(type_code: &str) -> Option<serde_json::Value> {
    templates::TEMPLATES
        .iter()
        .find(|t| t.code == type_code)
        .and_then(|t| serde_json::from_str(t.sample).ok())
}

/// The Chinese title of a shipped type, e.g. `"执法监督通知书"` for `"supervision_notice"`.
pub fn type_title(type_code: &str) -> Option<&'static str> {
    templates::TEMPLATES
        .iter()
        .find(|t| t.code == type_code)
        .map(|t| t.title)
}

const EMBEDDED_FONTS: &[(&str, &[u8])] = &[
    (
        "NotoSerifSC-Regular.otf",
        include_bytes!("../../../assets/fonts/NotoSerifSC-Regular.otf"),
    ),
    (
        "NotoSerifSC-Bold.otf",
        include_bytes!("../../../assets/fonts/NotoSerifSC-Bold.otf"),
    ),
    (
        "NotoSansSC-Regular.otf",
        include_bytes!("../../../assets/fonts/NotoSansSC-Regular.otf"),
    ),
    (
        "NotoSansSC-Bold.otf",
        include_bytes!("../../../assets/fonts/NotoSansSC-Bold.otf"),
    ),
];

fn load_font_dir(dir: &Path, fonts: &mut Vec<Font>) -> Result<(), DocgenError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| DocgenError::Font(format!("cannot read font_dir {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "otf" | "ttf" | "ttc" | "otc"
                )
            })
        })
        .collect();
    paths.sort();
    for p in paths {
        let data = std::fs::read(&p)
            .map_err(|e| DocgenError::Font(format!("cannot read {}: {e}", p.display())))?;
        let before = fonts.len();
        fonts.extend(Font::iter(Bytes::new(data)));
        if fonts.len() == before {
            return Err(DocgenError::Font(format!(
                "{} holds no usable font",
                p.display()
            )));
        }
    }
    Ok(())
}
