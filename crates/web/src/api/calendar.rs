//! `/api/v1/calendar`: the working-day calendar (official holidays and
//! 调休上班日) and the period arithmetic of the command line, for scripts.

use axum::{
    Json,
    extract::{RawQuery, State},
};
use chrono::NaiveDate;
use domain::{
    Permission,
    calendar::{RollOver, YearData, parse_ymd},
};
use serde::{Deserialize, Serialize};
use storage::repo::calendar::{self, ImportReport};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{JsonBody, PageDto};
use crate::{AppState, ctx::Authed, error::AppError, error::AppResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(years, import))
        .routes(routes!(add_workdays))
        .routes(routes!(deadline))
        .routes(routes!(is_workday))
}

/// The State Council notice a year's data comes from.
#[derive(Serialize, ToSchema)]
pub struct SourceDto {
    pub title: String,
    /// Document number, e.g. 国办发明电〔2024〕12号, when known.
    pub document: Option<String>,
    pub date: NaiveDate,
    pub url: String,
}

/// One holiday range (放假), both ends inclusive.
#[derive(Serialize, ToSchema)]
pub struct HolidayDto {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The official schedule of one year.
#[derive(Serialize, ToSchema)]
pub struct YearDto {
    pub year: i32,
    pub source: SourceDto,
    pub holidays: Vec<HolidayDto>,
    /// 调休上班日: Saturdays and Sundays that are working days.
    pub workdays: Vec<NaiveDate>,
}

impl From<YearData> for YearDto {
    fn from(y: YearData) -> Self {
        YearDto {
            year: y.year,
            source: SourceDto {
                title: y.source.title,
                document: y.source.document,
                date: y.source.date,
                url: y.source.url,
            },
            holidays: y
                .holidays
                .into_iter()
                .map(|h| HolidayDto {
                    name: h.name,
                    from: h.from,
                    to: h.to,
                })
                .collect(),
            workdays: y.workdays,
        }
    }
}

/// A calendar file to import.
#[derive(Deserialize, ToSchema)]
pub struct ImportBody {
    /// TOML text in the format of `assets/calendar/cn-holidays.toml`: one
    /// `[[year]]` table per year with `year`, `source = { title, document?,
    /// date, url }`, `holidays = [{ name, from, to }]` and `workdays = [dates]`.
    pub toml: String,
}

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct ImportDto {
    /// The years in the file.
    pub years: Vec<i32>,
    /// Years written (added + replaced).
    pub imported: usize,
    /// Years that were not stored before.
    pub added: usize,
    /// Years whose data was replaced.
    pub replaced: usize,
    /// Running clocks whose deadline or state changed.
    pub recomputed: u64,
}

impl From<ImportReport> for ImportDto {
    fn from(r: ImportReport) -> Self {
        ImportDto {
            imported: r.added + r.replaced,
            years: r.years,
            added: r.added,
            replaced: r.replaced,
            recomputed: r.recomputed,
        }
    }
}

/// The covered years with their sources, holidays and adjusted working days.
#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "calendar",
    responses((status = 200, body = PageDto<YearDto>), (status = 401, body = super::ErrorBody)))]
async fn years(State(state): State<AppState>, _a: Authed) -> AppResult<Json<PageDto<YearDto>>> {
    let items: Vec<YearDto> = calendar::years(&state.db)
        .await?
        .into_iter()
        .map(YearDto::from)
        .collect();
    let total = items.len() as u64;
    Ok(Json(PageDto {
        items,
        total,
        page: 1,
        per_page: total.max(1),
    }))
}

/// Add or replace years (CalendarAdmin). The whole file is validated first
/// (422 naming the year and date when invalid, nothing written); the years
/// are written in one audited transaction, then every running clock's
/// deadline is recomputed.
#[utoipa::path(post, path = "/api/v1/calendar/years", tag = "calendar", request_body = ImportBody,
    responses((status = 200, body = ImportDto), (status = 403, body = super::ErrorBody),
        (status = 422, description = "invalid calendar data (code calendar_data)", body = super::ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    a: Authed,
    body: JsonBody,
) -> AppResult<Json<ImportDto>> {
    a.actor.scope(Permission::CalendarAdmin)?;
    let b: ImportBody = body.parse()?;
    let r = calendar::import_text(&state.db, &a.ctx.audit(), &b.toml).await?;
    Ok(Json(r.into()))
}

/// Query of the period computations.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// The start day (YYYY-MM-DD), itself not counted.
    pub date: String,
    /// Length of the period (0 or more).
    pub n: u32,
}

/// Query of the deadline computation.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineParams {
    /// The start day (YYYY-MM-DD), itself not counted.
    pub date: String,
    /// Length of the period in calendar days (0 or more).
    pub n: u32,
    /// `next_workday` (default: a last day on a weekend or holiday moves to
    /// the next working day) or `next_non_holiday` (only official holidays move).
    pub roll_over: Option<String>,
}

/// Query of the day lookup.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// YYYY-MM-DD
    pub date: String,
}

/// A computed period end.
#[derive(Serialize, ToSchema)]
pub struct PeriodDto {
    pub date: NaiveDate,
    pub n: u32,
    pub result: NaiveDate,
}

/// A computed calendar-day deadline.
#[derive(Serialize, ToSchema)]
pub struct DeadlineDto {
    pub date: NaiveDate,
    pub n: u32,
    /// `date + n` before any roll-over.
    pub nominal: NaiveDate,
    /// The last day of the period after roll-over.
    pub result: NaiveDate,
    pub roll_over: String,
}

/// How a day is classified.
#[derive(Serialize, ToSchema)]
pub struct DayDto {
    pub date: NaiveDate,
    pub workday: bool,
    /// `workday`, `adjusted_workday` (调休上班日), `weekend` or `holiday`.
    pub kind: String,
    /// e.g. 春节, for a day inside an official holiday range.
    pub holiday_name: Option<String>,
}

/// The query string as pairs: never rejected, so that a bad value is our
/// own translated 400 rather than the framework's plain text.
struct Q(Vec<(String, String)>);

impl Q {
    fn new(raw: Option<String>) -> Q {
        Q(form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect())
    }
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    fn date(&self) -> AppResult<NaiveDate> {
        self.get("date")
            .and_then(|v| parse_ymd(v.trim()))
            .ok_or_else(|| AppError::BadRequest("calendar.bad_date".into()))
    }
    fn n(&self) -> AppResult<u32> {
        self.get("n")
            .and_then(|v| v.trim().parse::<u32>().ok())
            .ok_or_else(|| AppError::BadRequest("calendar.bad_n".into()))
    }
    fn roll_over(&self) -> AppResult<RollOver> {
        match self.get("roll_over").map(str::trim) {
            None | Some("") | Some("next_workday") => Ok(RollOver::NextWorkday),
            Some("next_non_holiday") => Ok(RollOver::NextNonHoliday),
            Some(_) => Err(AppError::BadRequest("calendar.bad_roll_over".into())),
        }
    }
}

fn roll_code(r: RollOver) -> &'static str {
    match r {
        RollOver::NextWorkday => "next_workday",
        RollOver::NextNonHoliday => "next_non_holiday",
    }
}

/// The date `n` working days after `date` (`date` not counted). 422 with
/// code `calendar_missing_year` when a year without data is needed.
#[utoipa::path(get, path = "/api/v1/calendar/add-workdays", tag = "calendar", params(PeriodParams),
    responses((status = 200, body = PeriodDto), (status = 400, body = super::ErrorBody),
        (status = 422, description = "a year without holiday data (code calendar_missing_year)", body = super::ErrorBody)))]
async fn add_workdays(
    State(state): State<AppState>,
    _a: Authed,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<PeriodDto>> {
    let q = Q::new(raw);
    let (date, n) = (q.date()?, q.n()?);
    let cal = calendar::load(&state.db).await?;
    let result = cal.add_workdays(date, n).map_err(AppError::Calendar)?;
    Ok(Json(PeriodDto { date, n, result }))
}

/// The last day of an `n` calendar-day period starting `date` (`date` not
/// counted), moved forward when it is not a working day (民事诉讼法 第八十五条,
/// 民法典 第二百零三条).
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineParams),
    responses((status = 200, body = DeadlineDto), (status = 400, body = super::ErrorBody),
        (status = 422, description = "a year without holiday data (code calendar_missing_year)", body = super::ErrorBody)))]
async fn deadline(
    State(state): State<AppState>,
    _a: Authed,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<DeadlineDto>> {
    let q = Q::new(raw);
    let (date, n, rule) = (q.date()?, q.n()?, q.roll_over()?);
    let nominal = domain::calendar::add_days(date, i64::from(n)).map_err(AppError::Calendar)?;
    let cal = calendar::load(&state.db).await?;
    let result = cal
        .calendar_deadline(date, n, rule)
        .map_err(AppError::Calendar)?;
    Ok(Json(DeadlineDto {
        date,
        n,
        nominal,
        result,
        roll_over: roll_code(rule).into(),
    }))
}

/// Whether `date` is a working day, and what kind of day it is.
#[utoipa::path(get, path = "/api/v1/calendar/is-workday", tag = "calendar", params(DayParams),
    responses((status = 200, body = DayDto), (status = 400, body = super::ErrorBody),
        (status = 422, description = "a year without holiday data (code calendar_missing_year)", body = super::ErrorBody)))]
async fn is_workday(
    State(state): State<AppState>,
    _a: Authed,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<DayDto>> {
    let date = Q::new(raw).date()?;
    let cal = calendar::load(&state.db).await?;
    let kind = cal.day_type(date).map_err(AppError::Calendar)?;
    let holiday_name = cal
        .holiday_name(date)
        .map_err(AppError::Calendar)?
        .map(str::to_string);
    Ok(Json(DayDto {
        date,
        workday: kind.is_working(),
        kind: kind.code().into(),
        holiday_name,
    }))
}
