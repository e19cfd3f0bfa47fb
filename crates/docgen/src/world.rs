//! A minimal, in-memory typst `World`: one per render, borrowing the shared
//! fonts, font book, library and parsed template sources from the [`Renderer`].

use chrono::Datelike;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World, WorldExt};

use crate::Renderer;

/// Interns a root-relative virtual path such as `/data.json`.
pub(crate) fn file_id(path: &str) -> FileId {
    // All paths are compile-time constants or `/<code>.typ`; they are valid.
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| {
        VirtualPath::new("/invalid-path").unwrap_or_else(|_| unreachable!("constant path"))
    });
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// Ids of the per-render virtual files.
pub(crate) struct FixedIds {
    data: FileId,
    meta: FileId,
    seal: FileId,
}

impl FixedIds {
    pub(crate) fn new() -> Self {
        Self {
            data: file_id("/data.json"),
            meta: file_id("/meta.json"),
            seal: file_id("/seal.png"),
        }
    }
}

pub(crate) struct RenderWorld<'a> {
    pub renderer: &'a Renderer,
    pub main: FileId,
    pub data: Bytes,
    pub meta: Bytes,
    pub seal: Option<Bytes>,
    pub today: Option<chrono::NaiveDate>,
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.renderer
            .sources
            .get(&id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let ids = &self.renderer.ids;
        if id == ids.data {
            Ok(self.data.clone())
        } else if id == ids.meta {
            Ok(self.meta.clone())
        } else if id == ids.seal {
            self.seal.clone().ok_or_else(|| not_found(id))
        } else if let Some(src) = self.renderer.sources.get(&id) {
            Ok(Bytes::from_string(src.text().to_owned()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Deterministic: documents are dated by their issue date, never the clock.
        let d = self.today?;
        Datetime::from_ymd(
            d.year(),
            u8::try_from(d.month()).ok()?,
            u8::try_from(d.day()).ok()?,
        )
    }
}

impl RenderWorld<'_> {
    /// Joins diagnostics as `file:line: message (hint: …)`, one per line.
    pub(crate) fn format_diagnostics(&self, diags: &[SourceDiagnostic]) -> String {
        let mut out = Vec::new();
        for d in diags {
            let mut loc = String::new();
            if let Some(id) = d.span.id()
                && let Ok(src) = self.source(id)
            {
                let line = self
                    .range(d.span)
                    .and_then(|r| src.lines().byte_to_line(r.start))
                    .map(|l| l + 1)
                    .unwrap_or(0);
                let text = self
                    .range(d.span)
                    .and_then(|r| src.text().get(r))
                    .map(|s| s.chars().take(60).collect::<String>())
                    .unwrap_or_default();
                loc = format!("{}:{line}: ", id.vpath().get_without_slash());
                if !text.is_empty() {
                    loc.push_str(&format!("[{text}] "));
                }
            }
            let mut msg = format!("{loc}{}", d.message);
            for h in &d.hints {
                msg.push_str(&format!(" (hint: {})", h.v));
            }
            out.push(msg);
        }
        out.join("\n")
    }
}

/// The PDF creation date: the issue date at 00:00 UTC (keeps output deterministic).
pub(crate) fn timestamp(d: chrono::NaiveDate) -> Option<typst_pdf::Timestamp> {
    let dt = Datetime::from_ymd_hms(
        d.year(),
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
        0,
        0,
        0,
    )?;
    Some(typst_pdf::Timestamp::new_utc(dt))
}
