//! Benchmarks that generate their own data deterministically (fixed seeds).
//! Results and the commands that produce them are in docs/BENCHMARKS.md.

use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng, rngs::StdRng};
use storage::{
    Db, DbOptions, Synchronous,
    repo::{calendar, clocks},
};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// N running clocks over the demo organisation: the daily incremental sweep
/// (reminders for clocks crossing a threshold today), the full recompute
/// (every unfinished clock replayed through the domain engine), and the
/// workbench query "my items due soon" for unit-scoped users.
pub async fn clocks(n: usize, database_url: Option<String>) -> Result<i32> {
    let dir = std::env::temp_dir().join(format!(
        "jianguan-bench-clocks-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    let url = match database_url {
        Some(u) if u.starts_with("postgres") => storage::create_test_database(&u).await?,
        _ => format!("sqlite://{}/bench.db", dir.display()),
    };
    let db = Db::connect(&DbOptions {
        url: url.clone(),
        max_connections: 4,
        synchronous: Synchronous::Full,
        busy_timeout: Duration::from_secs(30),
    })
    .await?;
    db.migrate().await?;
    calendar::ensure_default(&db).await?;
    storage::seed::seed_demo(&db).await?;
    let cal = calendar::load(&db).await?;
    let rules = domain::rules::RuleSet::china_default().map_err(|e| anyhow::anyhow!("{e}"))?;
    let units: Vec<i64> = storage::repo::units::all(&db, &domain::Scope::All)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    println!("scenario=clocks n={n} engine={:?}", db.engine);

    // Deterministic generation: rules that stay inside the calendar's years.
    let pick = [
        "complaint.accept",
        "hearing.request",
        "penalty.service",
        "fine.payment",
        "publicity.penalty_licensing",
        "publicity.other",
        "review.apply",
        "review.decide",
        "enforcement_complaint.answer",
    ];
    let mut rng = StdRng::seed_from_u64(20261128);
    let started = Instant::now();
    let base = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let mut batch = Vec::with_capacity(1000);
    let mut tx = db
        .begin_write(&storage::AuditCtx::system("bench-generate"))
        .await?;
    let now = storage::now();
    for i in 0..n {
        let rule = rules
            .get(pick[rng.random_range(0..pick.len())])
            .ok_or_else(|| anyhow::anyhow!("rule"))?;
        let start = base + chrono::Duration::days(rng.random_range(0..300));
        let deadline = rule.deadline(start, &cal)?;
        let due_from = cal
            .sub_workdays(deadline, rule.due_soon_workdays)?
            .min(deadline);
        let unit = units[rng.random_range(0..units.len())];
        let rule_json = serde_json::to_string(rule)?.replace('\'', "''");
        batch.push(format!(
            "('case','B{i}','基准事项{i}','{}','{}','[{{\"event\":\"started\",\"on\":\"{start}\"}}]',{unit},'running','{start}','{deadline}','{deadline}','{due_from}','{now}','{now}')",
            rule.code, rule_json, now = now.format("%Y-%m-%d %H:%M:%S%.6f+00:00")
        ));
        if batch.len() == 1000 || i + 1 == n {
            let sql = format!(
                "INSERT INTO clocks (item_type,item_id,title,rule_code,rule_data,events,unit_id,state,started_on,original_deadline,current_deadline,due_soon_from,created_at,updated_at) VALUES {}",
                batch.join(",")
            );
            clocks::exec_raw(tx.conn(), &sql).await?;
            batch.clear();
        }
    }
    tx.record("bench.generate", "clocks", n, None, None);
    tx.commit().await?;
    println!("generate_s={:.2}", started.elapsed().as_secs_f64());
    if db.engine == storage::Engine::Postgres {
        db.exec("ANALYZE clocks").await?;
    } else {
        db.exec("ANALYZE").await?;
    }

    // The daily incremental sweep, day after day: each day only the clocks
    // crossing a threshold that day produce reminders.
    let mut sweeps = Vec::new();
    let mut created = 0u64;
    for d in 0..20 {
        let today =
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default() + chrono::Duration::days(d);
        let t = Instant::now();
        // Day 0 is the catch-up over every running clock; then the daily increments.
        let lookback = if d == 0 { None } else { Some(0) };
        let r = clocks::sweep(&db, today, "bench", lookback).await?;
        sweeps.push(t.elapsed());
        if d > 0 {
            created += r.due_soon + r.overdue;
        }
    }
    let first = sweeps.remove(0);
    sweeps.sort();
    println!(
        "sweep_first_day_ms={:.1} (backlog) sweep_daily_median_ms={:.1} sweep_daily_max_ms={:.1} reminders_per_day_avg={}",
        ms(first),
        ms(percentile(&sweeps, 0.5)),
        ms(percentile(&sweeps, 1.0)),
        created / 19
    );

    // "My items due soon": a unit-scoped user's top 20, 1,000 times.
    let today = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap_or_default();
    let mut lat = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let unit = units[rng.random_range(0..units.len())];
        let scope = domain::Scope::Limited {
            unit_ids: [unit].into_iter().collect(),
            own_user_id: None,
            own_staff_id: None,
        };
        let t = Instant::now();
        let rows = clocks::due(&db, &scope, today, 20).await?;
        lat.push(t.elapsed());
        std::hint::black_box(rows);
    }
    lat.sort();
    println!(
        "due_query_p50_ms={:.2} due_query_p99_ms={:.2}",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    );

    // Full recompute: every unfinished clock replayed (nothing changes, so
    // this measures reading and computing; changed rows would add writes).
    let t = Instant::now();
    let changed = clocks::recompute_all(&db, &cal, "bench").await?;
    println!(
        "full_recompute_s={:.2} changed={changed}",
        t.elapsed().as_secs_f64()
    );

    // The raw engine doing the sweep's read: count of clocks crossing today.
    let t = Instant::now();
    db.exec("SELECT COUNT(*) FROM clocks WHERE state = 'running' AND due_soon_from = '2026-07-20' AND current_deadline >= '2026-07-20'").await?;
    println!("raw_count_crossing_ms={:.1}", ms(t.elapsed()));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(0)
}

/// Document rendering: `n` two-page 行政处罚决定书 with varying data, one
/// process, single-threaded and on every core (docs/BENCHMARKS.md; target
/// ≥ 17 documents/s on 2 cores, single document p95 ≤ 150 ms warm).
pub fn docs(n: usize) -> Result<i32> {
    let r = docgen::Renderer::new(&docgen::RenderOptions::default())
        .map_err(|e| anyhow::anyhow!("renderer: {e}"))?;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    println!("scenario=docs n={n} cores={cores}");
    for threads in [1, cores] {
        let rep = docgen::bench::bench_with(&r, n, threads)
            .map_err(|e| anyhow::anyhow!("render: {e}"))?;
        println!(
            "threads={} docs_per_sec={:.1} p50_ms={:.1} p95_ms={:.1} max_ms={:.1} pages={}",
            rep.threads, rep.docs_per_sec, rep.p50_ms, rep.p95_ms, rep.max_ms, rep.pages_last
        );
        if cores == 1 {
            break;
        }
    }
    Ok(0)
}
