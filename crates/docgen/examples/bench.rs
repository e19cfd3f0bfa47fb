//! `cargo run -p docgen --release --example bench -- [n]`
use docgen::bench::bench_with;
use docgen::{RenderOptions, Renderer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let t0 = std::time::Instant::now();
    let r = Renderer::new(&RenderOptions::default())?;
    println!(
        "Renderer::new: {:.1} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    for threads in [1, 2] {
        let rep = bench_with(&r, n, threads)?;
        println!(
            "threads={} n={} pages={} docs/s={:.1} p50={:.1}ms p95={:.1}ms max={:.1}ms",
            rep.threads,
            rep.n,
            rep.pages_last,
            rep.docs_per_sec,
            rep.p50_ms,
            rep.p95_ms,
            rep.max_ms
        );
    }
    Ok(())
}
