//! The holiday calendar: a year at a glance (official holidays, 调休上班日,
//! weekends), the notice it comes from, and for calendar administrators an
//! import form for a new year or a correction.

use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::{Datelike, NaiveDate};
use domain::{
    Permission,
    calendar::{DayType, WorkCalendar, YEAR_RANGE, YearData, to_toml},
};
use storage::{StorageError, repo::calendar};

use super::{Form, Layout, render_status};
use crate::{
    AppState,
    ctx::Authed,
    error::{AppError, AppResult},
    i18n::{Locale, Tr},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(show))
        .route("/calendar/import", post(import))
}

/// One day cell of the grid.
pub struct DayCell {
    pub day: u32,
    /// `hol`, `adj`, `wkend` or `work`.
    pub class: &'static str,
    /// The small mark in the corner: 休 or 班.
    pub mark: &'static str,
    /// Tooltip: the date and what kind of day it is.
    pub title: String,
    pub today: bool,
}

pub struct MonthView {
    pub name: String,
    /// Empty cells before the 1st (weeks start on Monday).
    pub lead: Vec<()>,
    pub days: Vec<DayCell>,
    /// Holidays starting and adjusted working days in this month, as text.
    pub notes: Vec<(&'static str, String)>,
}

/// A holiday range as listed beside the grid.
pub struct HolidayRow {
    pub name: String,
    pub span: String,
    pub days: String,
}

#[derive(Template)]
#[template(path = "pages/calendar.html")]
struct CalendarPage {
    l: Layout,
    year: i32,
    covered: Vec<i32>,
    data: Option<YearData>,
    no_data: String,
    months: Vec<MonthView>,
    weekdays: Vec<String>,
    holidays: Vec<HolidayRow>,
    workdays: Vec<String>,
    stats: Option<Stats>,
    can_import: bool,
    /// Text of the import form (kept after a refused import).
    toml: String,
    import_error: Option<String>,
    /// The shown year (or the latest covered one) in the file format.
    example: String,
    example_year: i32,
}

pub struct Stats {
    pub workdays: u32,
    pub holiday_days: u32,
    pub adjusted: u32,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CalQuery {
    year: Option<String>,
    added: Option<String>,
    replaced: Option<String>,
    recomputed: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ImportForm {
    toml: String,
}

fn fill(s: &str, pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .fold(s.to_string(), |acc, (k, v)| acc.replace(k, v))
}

fn year_label(tr: Tr, year: i32) -> String {
    format!("{year}{}", tr.t("calendar.year_suffix"))
}

fn day_label(tr: Tr, d: NaiveDate) -> String {
    match tr.0 {
        Locale::ZhCn => format!("{}月{}日", d.month(), d.day()),
        Locale::En => d.format("%-d %b").to_string(),
    }
}

fn weekday_label(tr: Tr, d: NaiveDate) -> String {
    let names: Vec<&str> = tr.t("calendar.weekdays").split(',').collect();
    names
        .get(d.weekday().num_days_from_monday() as usize)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

fn months(tr: Tr, cal: &WorkCalendar, year: i32, today: NaiveDate) -> Vec<MonthView> {
    let names: Vec<&str> = tr.t("calendar.months").split(',').collect();
    (1..=12u32)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let days = first
                .iter_days()
                .take_while(|d| d.month() == m)
                .map(|d| {
                    let kind = cal.day_type(d).unwrap_or(DayType::Workday);
                    let name = cal.holiday_name(d).ok().flatten();
                    let (class, mark, what) = match kind {
                        DayType::Holiday => ("hol", tr.t("calendar.mark_holiday"), {
                            let h = tr.t("calendar.legend_holiday");
                            name.map(|n| format!("{n} · {h}")).unwrap_or(h.to_string())
                        }),
                        DayType::AdjustedWorkday => (
                            "adj",
                            tr.t("calendar.mark_adjusted"),
                            tr.t("calendar.legend_adjusted").to_string(),
                        ),
                        DayType::Weekend => ("wkend", "", tr.t("calendar.legend_weekend").into()),
                        DayType::Workday => ("work", "", tr.t("calendar.legend_workday").into()),
                    };
                    DayCell {
                        day: d.day(),
                        class,
                        mark,
                        title: format!("{d} {} · {what}", weekday_label(tr, d)),
                        today: d == today,
                    }
                })
                .collect();
            let mut notes: Vec<(&'static str, String)> = Vec::new();
            if let Some(data) = cal.year_data(year) {
                for h in data.holidays.iter().filter(|h| h.from.month() == m) {
                    let span = if h.from == h.to {
                        day_label(tr, h.from)
                    } else {
                        format!("{}–{}", day_label(tr, h.from), day_label(tr, h.to))
                    };
                    notes.push(("hol", format!("{} {span}", h.name)));
                }
                let adjusted: Vec<String> = data
                    .workdays
                    .iter()
                    .filter(|w| w.month() == m)
                    .map(|w| day_label(tr, *w))
                    .collect();
                if !adjusted.is_empty() {
                    notes.push((
                        "adj",
                        format!(
                            "{} {}",
                            tr.t("calendar.legend_adjusted"),
                            adjusted.join(tr.t("calendar.list_sep"))
                        ),
                    ));
                }
            }
            Some(MonthView {
                name: names.get(m as usize - 1).unwrap_or(&"").to_string(),
                lead: vec![(); first.weekday().num_days_from_monday() as usize],
                days,
                notes,
            })
        })
        .collect()
}

fn stats(cal: &WorkCalendar, year: i32) -> Option<Stats> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let mut s = Stats {
        workdays: 0,
        holiday_days: 0,
        adjusted: 0,
    };
    for d in first.iter_days().take_while(|d| d.year() == year) {
        match cal.day_type(d).ok()? {
            DayType::Workday => s.workdays += 1,
            DayType::AdjustedWorkday => {
                s.workdays += 1;
                s.adjusted += 1;
            }
            DayType::Holiday => s.holiday_days += 1,
            DayType::Weekend => {}
        }
    }
    Some(s)
}

async fn page(
    state: &AppState,
    a: &Authed,
    year: Option<i32>,
    status: StatusCode,
    toml: String,
    import_error: Option<String>,
    flash: Option<String>,
) -> AppResult<Response> {
    let tr = a.ctx.tr();
    let today = crate::forms::today();
    let year = year.unwrap_or(today.year());
    let cal = calendar::load(&state.db).await?;
    let covered: Vec<i32> = cal.covered_years().collect();
    let data = cal.year_data(year).cloned();
    let example_src = data
        .clone()
        .or_else(|| covered.last().and_then(|y| cal.year_data(*y)).cloned());
    let example_year = example_src.as_ref().map(|y| y.year).unwrap_or(year);
    let example = example_src
        .map(|y| to_toml(std::slice::from_ref(&y)))
        .unwrap_or_default();
    let (months, holidays, workdays, stats) = match &data {
        Some(d) => (
            months(tr, &cal, year, today),
            d.holidays
                .iter()
                .map(|h| HolidayRow {
                    name: h.name.clone(),
                    span: if h.from == h.to {
                        day_label(tr, h.from)
                    } else {
                        format!("{} – {}", day_label(tr, h.from), day_label(tr, h.to))
                    },
                    days: fill(
                        tr.t("calendar.day_count"),
                        &[("{n}", ((h.to - h.from).num_days() + 1).to_string())],
                    ),
                })
                .collect(),
            d.workdays
                .iter()
                .map(|w| match tr.0 {
                    Locale::ZhCn => format!("{}（{}）", day_label(tr, *w), weekday_label(tr, *w)),
                    Locale::En => format!("{} ({})", day_label(tr, *w), weekday_label(tr, *w)),
                })
                .collect(),
            stats(&cal, year),
        ),
        None => (vec![], vec![], vec![], None),
    };
    let mut l = Layout::new(state, &a.ctx, "calendar", "calendar.title");
    l.title = format!("{} · {}", tr.t("calendar.title"), year_label(tr, year));
    l.flash = flash;
    let p = CalendarPage {
        l,
        year,
        covered,
        no_data: fill(tr.t("calendar.no_data"), &[("{year}", year.to_string())]),
        data,
        months,
        weekdays: tr
            .t("calendar.weekdays")
            .split(',')
            .map(str::to_string)
            .collect(),
        holidays,
        workdays,
        stats,
        can_import: a.actor.can(Permission::CalendarAdmin),
        toml,
        import_error,
        example,
        example_year,
    };
    Ok(render_status(status, &p))
}

async fn show(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<CalQuery>,
) -> AppResult<Response> {
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| YEAR_RANGE.contains(y))
                .ok_or_else(|| AppError::BadRequest("calendar.bad_year".into()))?,
        ),
    };
    let num = |v: &Option<String>| v.as_deref().and_then(|v| v.parse::<u64>().ok());
    let flash = match (num(&q.added), num(&q.replaced), num(&q.recomputed)) {
        (Some(added), Some(replaced), Some(recomputed)) => Some(fill(
            a.ctx.tr().t("calendar.imported"),
            &[
                ("{added}", added.to_string()),
                ("{replaced}", replaced.to_string()),
                ("{recomputed}", recomputed.to_string()),
            ],
        )),
        _ => None,
    };
    page(&state, &a, year, StatusCode::OK, String::new(), None, flash).await
}

async fn import(
    State(state): State<AppState>,
    a: Authed,
    Form(f): Form<ImportForm>,
) -> AppResult<Response> {
    a.actor.scope(Permission::CalendarAdmin)?;
    match calendar::import_text(&state.db, &a.ctx.audit(), &f.toml).await {
        Ok(r) => {
            let year = r.years.first().copied().unwrap_or_default();
            Ok(Redirect::to(&format!(
                "/calendar?year={year}&added={}&replaced={}&recomputed={}",
                r.added, r.replaced, r.recomputed
            ))
            .into_response())
        }
        Err(StorageError::CalendarData(e)) => {
            let msg = match a.ctx.locale {
                Locale::ZhCn => e.zh(),
                Locale::En => e.to_string(),
            };
            page(
                &state,
                &a,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                f.toml,
                Some(msg),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
