//! The working-day calendar as data: one row per year with the State Council
//! notice it comes from. The shipped schedule (2024–2026) is loaded on first
//! start; administrators import further years or corrections, audited.

use domain::calendar::{
    CalendarDataError, DEFAULT_CALENDAR, WorkCalendar, YearData, parse_calendar,
};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};

use super::units::json;
use crate::{AuditCtx, Db, Result, StorageError, WriteTx, entity::calendar_year, now};

/// All stored years, oldest first.
pub async fn years(db: &Db) -> Result<Vec<YearData>> {
    let rows = calendar_year::Entity::find()
        .order_by_asc(calendar_year::Column::Year)
        .all(&db.conn)
        .await?;
    rows.iter()
        .map(|r| {
            serde_json::from_str::<YearData>(&r.data).map_err(|e| {
                StorageError::Other(format!("calendar year {} is unreadable: {e}", r.year))
            })
        })
        .collect()
}

/// The calendar built from the stored years.
pub async fn load(db: &Db) -> Result<WorkCalendar> {
    WorkCalendar::new(years(db).await?)
        .map_err(|e| StorageError::Other(format!("stored calendar is invalid: {e}")))
}

/// Inserts or replaces the given years in one audited transaction; the
/// whole set is validated together with the years already stored.
/// Returns (inserted, replaced).
pub async fn import(tx: &mut WriteTx, new_years: Vec<YearData>) -> Result<(usize, usize)> {
    // Two imports at once (several app servers, or the CLI beside a server)
    // must not both decide that a year is new.
    tx.lock(CALENDAR_LOCK).await?;
    let existing = calendar_year::Entity::find().all(tx.conn()).await?;
    let mut merged: Vec<YearData> = existing
        .iter()
        .filter(|r| !new_years.iter().any(|y| y.year == r.year))
        .filter_map(|r| serde_json::from_str(&r.data).ok())
        .collect();
    merged.extend(new_years.iter().cloned());
    WorkCalendar::new(merged).map_err(data_error)?;
    let (mut inserted, mut replaced) = (0, 0);
    for y in new_years {
        let data = serde_json::to_string(&y).map_err(|e| StorageError::Other(e.to_string()))?;
        let before = existing.iter().find(|r| r.year == y.year);
        let am = calendar_year::ActiveModel {
            year: Set(y.year),
            data: Set(data),
            source_title: Set(y.source.title.clone()),
            updated_at: Set(now()),
        };
        match before {
            Some(b) => {
                am.update(tx.conn()).await?;
                let old: Option<serde_json::Value> = serde_json::from_str(&b.data).ok();
                tx.record(
                    "calendar.replace_year",
                    "calendar_year",
                    y.year,
                    old,
                    Some(json(&y)),
                );
                replaced += 1;
            }
            None => {
                am.insert(tx.conn()).await?;
                tx.record(
                    "calendar.add_year",
                    "calendar_year",
                    y.year,
                    None,
                    Some(json(&y)),
                );
                inserted += 1;
            }
        }
    }
    Ok((inserted, replaced))
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// The years in the file, in file order.
    pub years: Vec<i32>,
    /// Years that were not stored before.
    pub added: usize,
    /// Years whose stored data was replaced.
    pub replaced: usize,
    /// Unfinished clocks whose deadline or state changed with the new data.
    pub recomputed: u64,
}

/// Parses and validates calendar TOML text, upserts its years in one audited
/// transaction (by `ctx`), then recomputes every unfinished clock against the
/// new calendar. Invalid text changes nothing and is
/// [`StorageError::CalendarData`].
pub async fn import_text(db: &Db, ctx: &AuditCtx, text: &str) -> Result<ImportReport> {
    let new_years = parse(text)?;
    if new_years.is_empty() {
        return Err(data_error(CalendarDataError::NoYears));
    }
    let years = new_years.iter().map(|y| y.year).collect();
    let mut tx = db.begin_write(ctx).await?;
    let (added, replaced) = import(&mut tx, new_years).await?;
    tx.commit().await?;
    let cal = load(db).await?;
    let recomputed = super::clocks::recompute_all(db, &cal, "calendar import").await?;
    Ok(ImportReport {
        years,
        added,
        replaced,
        recomputed,
    })
}

/// Parses a calendar file in the documented TOML format.
pub fn parse(text: &str) -> Result<Vec<YearData>> {
    parse_calendar(text).map_err(data_error)
}

fn data_error(e: CalendarDataError) -> StorageError {
    StorageError::CalendarData(e)
}

/// Loads the shipped schedule when the table is empty (first start).
pub async fn ensure_default(db: &Db) -> Result<bool> {
    if calendar_year::Entity::find().count(&db.conn).await? > 0 {
        return Ok(false);
    }
    let mut tx = db
        .begin_write(&AuditCtx::system("calendar-default"))
        .await?;
    tx.lock(CALENDAR_LOCK).await?;
    if calendar_year::Entity::find().count(tx.conn()).await? > 0 {
        return Ok(false);
    }
    import(&mut tx, parse(DEFAULT_CALENDAR)?).await?;
    tx.commit().await?;
    Ok(true)
}

const CALENDAR_LOCK: i64 = 0x6a67_6361_6c00;
