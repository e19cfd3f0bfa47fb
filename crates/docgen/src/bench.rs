//! A small throughput benchmark: renders two-page penalty decisions with
//! varying (deterministic) data. Run in release:
//! `cargo run -p docgen --release --example bench -- 200`.

use std::time::{Duration, Instant};

use crate::{DocgenError, RenderOptions, RenderRequest, Renderer, sample_data};

/// Timing figures of one benchmark run.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Documents rendered.
    pub n: usize,
    /// Worker threads.
    pub threads: usize,
    /// Pages of the last document (sanity check: 2 for the penalty decision).
    pub pages_last: usize,
    pub docs_per_sec: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

/// Renders `n` penalty decisions single-threaded (after one warm-up render).
pub fn bench(n: usize) -> Result<BenchReport, DocgenError> {
    let r = Renderer::new(&RenderOptions::default())?;
    bench_with(&r, n, 1)
}

/// Renders `n` penalty decisions on `threads` threads sharing one renderer.
pub fn bench_with(r: &Renderer, n: usize, threads: usize) -> Result<BenchReport, DocgenError> {
    let threads = threads.max(1);
    render_one(r, 0)?; // warm-up: first-use costs (font tables, template parse)
    let start = Instant::now();
    let per_thread: Vec<Result<(Vec<Duration>, usize), DocgenError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut times = Vec::new();
                    let mut pages = 0;
                    for i in (t..n).step_by(threads) {
                        let t0 = Instant::now();
                        let pdf = render_one(r, i + 1)?;
                        times.push(t0.elapsed());
                        pages = count_pages(&pdf);
                    }
                    Ok((times, pages))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(DocgenError::Pdf("bench thread panicked".into())))
            })
            .collect()
    });
    let wall = start.elapsed();
    let mut times = Vec::new();
    let mut pages_last = 0;
    for res in per_thread {
        let (t, p) = res?;
        times.extend(t);
        pages_last = p;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        // Nearest-rank percentile.
        let rank = (p * times.len() as f64).ceil() as usize;
        ms(times[rank.clamp(1, times.len()) - 1])
    };
    Ok(BenchReport {
        n,
        threads,
        pages_last,
        docs_per_sec: if wall.is_zero() {
            0.0
        } else {
            n as f64 / wall.as_secs_f64()
        },
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        max_ms: times.last().map(|d| ms(*d)).unwrap_or(0.0),
    })
}

const NAMES: [&str; 6] = [
    "石家庄鹿泉宏达建材有限公司",
    "石家庄市鹿泉区鑫源物流有限公司",
    "河北鹿泉盛世建筑劳务有限公司",
    "石家庄鹿泉喆丰食品有限公司",
    "石家庄市鹿泉区堃元机械制造厂",
    "鹿泉区龙泉湖酒店管理有限公司",
];

fn render_one(r: &Renderer, i: usize) -> Result<Vec<u8>, DocgenError> {
    let mut data = sample_data("penalty_decision").unwrap_or_default();
    if let Some(party) = data.get_mut("party").and_then(|p| p.as_object_mut()) {
        party.insert("name".into(), NAMES[i % NAMES.len()].into());
        party.insert(
            "credit_code".into(),
            format!("91130110MA0C{:06}", i % 1_000_000).into(),
        );
    }
    if let Some(obj) = data.as_object_mut() {
        obj.insert("fine_amount".into(), (5_000 + (i % 40) * 1_000).into());
    }
    let number = format!("鹿人社监罚决〔2026〕{}号", i + 1);
    let day = u32::try_from(i % 28).unwrap_or(0) + 1;
    r.render(&RenderRequest {
        type_code: "penalty_decision",
        title: "行政处罚决定书",
        issuer: "石家庄市鹿泉区人力资源和社会保障局",
        number: Some(&number),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, day),
        data: &data,
        seal_png: None,
        draft: i.is_multiple_of(5),
    })
}

/// Counts `/Type/Page` objects (not `/Pages`) in a PDF; good enough for our own output.
pub fn count_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}
