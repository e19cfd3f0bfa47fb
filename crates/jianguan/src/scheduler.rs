//! The periodic reminder sweep. Every app server runs this loop; for each
//! time slot exactly one of them wins the slot claim in the database and
//! sweeps. Reminders themselves are unique per clock, threshold and deadline,
//! so even a repeated sweep creates nothing twice.

use std::time::Duration;

use storage::{Db, repo::clocks};

/// An identifier of this process, recorded with the slots it claims.
pub fn instance_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
        format!(
            "{host}:{}:{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        )
    })
    .clone()
}

/// The slot a moment falls in: the start of its `interval`, in UTC seconds.
pub fn slot_of(now: chrono::DateTime<chrono::Utc>, interval: Duration) -> String {
    let secs = interval.as_secs().max(1) as i64;
    let start = now.timestamp() - now.timestamp().rem_euclid(secs);
    format!("{start}/{secs}")
}

/// How far back the frequent sweep looks for thresholds crossed (covers a
/// week of downtime; the daily catch-up covers the rest).
pub const LOOKBACK_DAYS: u32 = 7;

/// One tick: once a day (Beijing date) one server wins the daily catch-up
/// sweep over every running clock; every slot, one server wins the
/// incremental sweep. Returns what this server swept.
pub async fn tick(
    db: &Db,
    interval: Duration,
    instance: &str,
) -> storage::Result<Option<clocks::SweepReport>> {
    let today = storage::today();
    if clocks::claim_slot(db, "reminder-catchup", &today.to_string(), instance).await? {
        return clocks::sweep(db, today, instance, None).await.map(Some);
    }
    let slot = slot_of(chrono::Utc::now(), interval);
    if !clocks::claim_slot(db, "reminder-sweep", &slot, instance).await? {
        return Ok(None);
    }
    clocks::sweep(db, today, instance, Some(LOOKBACK_DAYS))
        .await
        .map(Some)
}

pub fn spawn(db: Db, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let instance = instance_id();
        let mut timer = tokio::time::interval(interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            timer.tick().await;
            match tick(&db, interval, &instance).await {
                Ok(Some(r)) if r.due_soon + r.overdue > 0 => {
                    tracing::info!(due_soon = r.due_soon, overdue = r.overdue, "reminder sweep")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder sweep failed"),
            }
        }
    })
}
