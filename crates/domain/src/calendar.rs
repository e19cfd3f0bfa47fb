//! The working-day calendar and legal period arithmetic (期间计算).
//!
//! Pure: the holiday data is passed in (as parsed [`YearData`] or as TOML text);
//! nothing here reads files, a database or the clock.
//!
//! # Legal rules encoded
//!
//! * **Start day not counted.** 民事诉讼法 第八十五条 and 民法典 第二百零一条:
//!   a period counted in days, months or years starts on the day *after* the
//!   triggering event. Every function here takes the event date as `start` and
//!   never counts it.
//! * **Working days (工作日).** 劳动保障监察条例 and 若干规定 count in 工作日;
//!   行政处罚法 第八十五条 turns only its "二日/三日/五日/七日" into working days
//!   (「不含法定节假日」); 行政许可法 第八十二条 does the same for every period of
//!   that law. A working day is a Monday–Friday that is not an official holiday,
//!   or a Saturday/Sunday that the State Council notice lists as 调休上班日.
//!   See [`WorkCalendar::add_workdays`].
//! * **Calendar days and roll-over.** 民事诉讼法 第八十五条: 「期间届满的最后一日是
//!   法定休假日的，以法定休假日后的第一日为期间届满的日期。」; 民法典 第二百零三条:
//!   「期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。」
//!   See [`WorkCalendar::calendar_deadline`] and [`RollOver`].
//! * **Months and years.** 民法典 第二百零二条: 「按照年、月计算期间的，到期月的对应日
//!   为期间的最后一日；没有对应日的，为当月的最后一日。」 See [`add_months`].
//!
//! # Whether a weekend is a 法定休假日 (configurable assumption)
//!
//! Neither statute says whether an ordinary Saturday/Sunday counts as a
//! 法定休假日 for the roll-over; courts generally treat weekends as 休假日
//! (law.md §6, open question, to be confirmed by the bureau's 法制机构). The
//! default, [`RollOver::NextWorkday`], follows the courts: a calendar-day
//! period whose last day is a weekend or holiday ends on the next working day
//! (a 调休上班日 counts as a working day). [`RollOver::NextNonHoliday`] is the
//! narrow reading: only official holiday ranges roll over.
//!
//! # Coverage
//!
//! The calendar *covers* exactly the years it has data for. Any computation
//! that needs to know the kind of a day in another year fails with
//! [`CalendarError::MissingYear`] naming that year; it never guesses.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The holiday data shipped with the binary (2024–2026, from the State Council
/// notices). See the comment at the top of the file for the format.
pub const DEFAULT_CALENDAR: &str = include_str!("../../../assets/calendar/cn-holidays.toml");

/// Smallest and largest year accepted in calendar data.
pub const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1900..=9999;

/// A computation could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The computation needs the kind of a day in a year without holiday data.
    #[error("no holiday data for year {0}; import the State Council schedule for {0} first")]
    MissingYear(i32),
    /// The result would lie outside the dates representable by the engine.
    #[error("date out of range")]
    OutOfRange,
}

/// The calendar data (TOML text or [`YearData`]) is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarDataError {
    #[error("calendar file is not valid TOML or has unexpected fields: {0}")]
    Syntax(String),
    #[error("calendar file lists no [[year]] table")]
    NoYears,
    #[error("year {0}: outside the accepted range 1900–9999")]
    YearOutOfRange(i32),
    #[error("year {0} appears more than once")]
    DuplicateYear(i32),
    #[error("year {year}: {field} {value:?} is not a date in YYYY-MM-DD form")]
    InvalidDate {
        year: i32,
        field: &'static str,
        value: String,
    },
    #[error("year {year}: source {field} must not be empty")]
    MissingSource { year: i32, field: &'static str },
    #[error("year {0}: no holidays listed")]
    NoHolidays(i32),
    #[error("year {year}: a holiday has an empty name (from {from})")]
    EmptyHolidayName { year: i32, from: NaiveDate },
    #[error("year {year}: holiday {name} starts {from}, after its end {to}")]
    FromAfterTo {
        year: i32,
        name: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    #[error("year {year}: date {date} lies outside the year")]
    OutsideYear { year: i32, date: NaiveDate },
    #[error("year {year}: {date} is listed both as a holiday and as a working day")]
    HolidayIsWorkday { year: i32, date: NaiveDate },
    #[error("year {year}: adjusted working day {date} is not a Saturday or Sunday")]
    WorkdayNotWeekend { year: i32, date: NaiveDate },
}

impl CalendarError {
    /// The message in Simplified Chinese.
    pub fn zh(&self) -> String {
        match self {
            CalendarError::MissingYear(y) => {
                format!(
                    "缺少{y}年的法定节假日数据，无法计算该期限。请系统管理员先导入{y}年国务院放假安排。"
                )
            }
            CalendarError::OutOfRange => "日期超出可计算范围。".into(),
        }
    }
}

impl CalendarDataError {
    /// The message in Simplified Chinese, naming the year and the date.
    pub fn zh(&self) -> String {
        match self {
            CalendarDataError::Syntax(e) => format!("日历文件不是有效的 TOML，或含有未知字段：{e}"),
            CalendarDataError::NoYears => "日历文件中没有任何 [[year]] 年度数据。".into(),
            CalendarDataError::YearOutOfRange(y) => format!("{y}年：年份超出 1900–9999 的范围。"),
            CalendarDataError::DuplicateYear(y) => format!("{y}年出现了不止一次。"),
            CalendarDataError::InvalidDate { year, field, value } => {
                format!("{year}年：{field} 的值 {value:?} 不是 YYYY-MM-DD 格式的日期。")
            }
            CalendarDataError::MissingSource { year, field } => {
                format!("{year}年：来源的 {field} 不能为空。")
            }
            CalendarDataError::NoHolidays(y) => format!("{y}年：没有列出任何节假日。"),
            CalendarDataError::EmptyHolidayName { year, from } => {
                format!("{year}年：自 {from} 起的节假日没有名称。")
            }
            CalendarDataError::FromAfterTo {
                year,
                name,
                from,
                to,
            } => {
                format!("{year}年：{name}的开始日期 {from} 晚于结束日期 {to}。")
            }
            CalendarDataError::OutsideYear { year, date } => {
                format!("{year}年：日期 {date} 不在该年内。")
            }
            CalendarDataError::HolidayIsWorkday { year, date } => {
                format!("{year}年：{date} 同时被列为节假日和调休上班日。")
            }
            CalendarDataError::WorkdayNotWeekend { year, date } => {
                format!("{year}年：调休上班日 {date} 不是星期六或星期日。")
            }
        }
    }
}

/// The notice a year's data was copied from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// e.g. 国务院办公厅关于2025年部分节假日安排的通知.
    pub title: String,
    /// e.g. 国办发明电〔2024〕12号, when known.
    pub document: Option<String>,
    /// Date of the notice.
    pub date: NaiveDate,
    /// Where the text was read.
    pub url: String,
}

/// One holiday range (放假), both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The official schedule of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearData {
    pub year: i32,
    pub source: Source,
    pub holidays: Vec<Holiday>,
    /// 调休上班日: weekend days that are working days.
    pub workdays: Vec<NaiveDate>,
}

impl YearData {
    /// Checks the rules listed in the calendar file's header.
    pub fn validate(&self) -> Result<(), CalendarDataError> {
        let year = self.year;
        if !YEAR_RANGE.contains(&year) {
            return Err(CalendarDataError::YearOutOfRange(year));
        }
        if self.source.title.trim().is_empty() {
            return Err(CalendarDataError::MissingSource {
                year,
                field: "title",
            });
        }
        if self.source.url.trim().is_empty() {
            return Err(CalendarDataError::MissingSource { year, field: "url" });
        }
        if self.holidays.is_empty() {
            return Err(CalendarDataError::NoHolidays(year));
        }
        let inside = |date: NaiveDate| {
            if date.year() == year {
                Ok(())
            } else {
                Err(CalendarDataError::OutsideYear { year, date })
            }
        };
        for h in &self.holidays {
            if h.name.trim().is_empty() {
                return Err(CalendarDataError::EmptyHolidayName { year, from: h.from });
            }
            if h.from > h.to {
                return Err(CalendarDataError::FromAfterTo {
                    year,
                    name: h.name.clone(),
                    from: h.from,
                    to: h.to,
                });
            }
            inside(h.from)?;
            inside(h.to)?;
        }
        for &date in &self.workdays {
            inside(date)?;
            if !is_weekend(date) {
                return Err(CalendarDataError::WorkdayNotWeekend { year, date });
            }
            if self.holidays.iter().any(|h| h.from <= date && date <= h.to) {
                return Err(CalendarDataError::HolidayIsWorkday { year, date });
            }
        }
        Ok(())
    }
}

/// How a day is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayType {
    /// Monday–Friday, not a holiday.
    Workday,
    /// Saturday/Sunday that is a working day (调休上班日).
    AdjustedWorkday,
    /// Ordinary Saturday/Sunday.
    Weekend,
    /// Inside an official holiday range (放假), including the weekend days in it.
    Holiday,
}

impl DayType {
    pub fn is_working(self) -> bool {
        matches!(self, DayType::Workday | DayType::AdjustedWorkday)
    }

    /// Stable code, as in the JSON form: `workday`, `adjusted_workday`,
    /// `weekend`, `holiday`.
    pub fn code(self) -> &'static str {
        match self {
            DayType::Workday => "workday",
            DayType::AdjustedWorkday => "adjusted_workday",
            DayType::Weekend => "weekend",
            DayType::Holiday => "holiday",
        }
    }
}

/// What happens when the last day of a calendar-day (or month) period is not
/// a day on which the act can be done. See the module docs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RollOver {
    /// Weekends and official holidays both count as 休假日: move to the next
    /// working day (a 调休上班日 is a working day). Default.
    #[default]
    NextWorkday,
    /// Only official holiday ranges roll over; an ordinary weekend does not.
    NextNonHoliday,
}

/// Per-year lookup table.
#[derive(Debug, Clone)]
struct YearTable {
    /// Day type by zero-based ordinal.
    days: Vec<DayType>,
    /// `cum[i]` = number of working days among ordinals `0..i`; `len = days + 1`.
    cum: Vec<u32>,
}

impl YearTable {
    fn build(data: &YearData) -> Result<Self, CalendarDataError> {
        let year = data.year;
        let first =
            NaiveDate::from_yo_opt(year, 1).ok_or(CalendarDataError::YearOutOfRange(year))?;
        let mut days: Vec<DayType> = first
            .iter_days()
            .take_while(|d| d.year() == year)
            .map(|d| {
                if is_weekend(d) {
                    DayType::Weekend
                } else {
                    DayType::Workday
                }
            })
            .collect();
        for h in &data.holidays {
            for d in h.from.iter_days().take_while(|d| *d <= h.to) {
                days[d.ordinal0() as usize] = DayType::Holiday;
            }
        }
        for d in &data.workdays {
            days[d.ordinal0() as usize] = DayType::AdjustedWorkday;
        }
        let mut cum = Vec::with_capacity(days.len() + 1);
        let mut n = 0u32;
        cum.push(0);
        for t in &days {
            n += u32::from(t.is_working());
            cum.push(n);
        }
        Ok(Self { days, cum })
    }

    fn len(&self) -> usize {
        self.days.len()
    }

    /// Working days among ordinals `lo..hi`.
    fn count(&self, lo: usize, hi: usize) -> u32 {
        self.cum[hi] - self.cum[lo]
    }
}

#[derive(Debug, Clone)]
struct CoveredYear {
    data: YearData,
    table: YearTable,
    names: BTreeMap<NaiveDate, usize>,
}

/// A working-day calendar for a set of covered years.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i32, CoveredYear>,
}

impl WorkCalendar {
    /// Builds a calendar from validated year data. Fails on invalid data or a
    /// year given twice.
    pub fn new(years: impl IntoIterator<Item = YearData>) -> Result<Self, CalendarDataError> {
        let mut map = BTreeMap::new();
        for data in years {
            data.validate()?;
            if map.contains_key(&data.year) {
                return Err(CalendarDataError::DuplicateYear(data.year));
            }
            let table = YearTable::build(&data)?;
            let mut names = BTreeMap::new();
            for (i, h) in data.holidays.iter().enumerate() {
                for d in h.from.iter_days().take_while(|d| *d <= h.to) {
                    names.entry(d).or_insert(i);
                }
            }
            map.insert(data.year, CoveredYear { data, table, names });
        }
        Ok(Self { years: map })
    }

    /// Parses and validates TOML calendar text (see [`parse_calendar`]).
    pub fn from_toml(text: &str) -> Result<Self, CalendarDataError> {
        Self::new(parse_calendar(text)?)
    }

    /// The calendar shipped with the binary ([`DEFAULT_CALENDAR`]).
    pub fn china_default() -> Result<Self, CalendarDataError> {
        Self::from_toml(DEFAULT_CALENDAR)
    }

    /// The years with data, ascending.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The data a covered year was built from (for display and export).
    pub fn year_data(&self, year: i32) -> Option<&YearData> {
        self.years.get(&year).map(|c| &c.data)
    }

    fn covered(&self, year: i32) -> Result<&CoveredYear, CalendarError> {
        self.years
            .get(&year)
            .ok_or(CalendarError::MissingYear(year))
    }

    fn table(&self, year: i32) -> Result<&YearTable, CalendarError> {
        self.covered(year).map(|c| &c.table)
    }

    /// How `date` is classified.
    pub fn day_type(&self, date: NaiveDate) -> Result<DayType, CalendarError> {
        Ok(self.table(date.year())?.days[date.ordinal0() as usize])
    }

    /// Whether `date` is a working day (工作日).
    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day_type(date)?.is_working())
    }

    /// Whether `date` lies inside an official holiday range.
    pub fn is_official_holiday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day_type(date)? == DayType::Holiday)
    }

    /// The name of the holiday `date` belongs to, e.g. `春节`.
    pub fn holiday_name(&self, date: NaiveDate) -> Result<Option<&str>, CalendarError> {
        let c = self.covered(date.year())?;
        Ok(c.names
            .get(&date)
            .and_then(|&i| c.data.holidays.get(i))
            .map(|h| h.name.as_str()))
    }

    /// The date that is `n` working days after `start`.
    ///
    /// The start day is not counted, whatever its kind; the result is the
    /// `n`-th working day after it and so always a working day when `n > 0`.
    /// `n == 0` returns `start` unchanged.
    pub fn add_workdays(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Ok(start);
        }
        let mut remaining = n;
        let mut year = start.year();
        let mut from = start.ordinal0() as usize + 1;
        if from == days_in_year(year)? {
            year += 1;
            from = 0;
        }
        loop {
            let t = self.table(year)?;
            let available = t.count(from, t.len());
            if remaining <= available {
                let target = t.cum[from] + remaining;
                let j = t.cum.partition_point(|&c| c < target);
                return date_of(year, j - 1);
            }
            remaining -= available;
            year += 1;
            from = 0;
        }
    }

    /// The date that is `n` working days before `end` (`end` not counted):
    /// the working day `d` with `add_workdays(d, n) == end` when `end` is a
    /// working day. `n == 0` returns `end` unchanged.
    pub fn sub_workdays(&self, end: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Ok(end);
        }
        let mut remaining = n;
        let mut year = end.year();
        let mut to = end.ordinal0() as usize;
        if to == 0 {
            year -= 1;
            to = days_in_year(year)?;
        }
        loop {
            let t = self.table(year)?;
            let available = t.count(0, to);
            if remaining <= available {
                let target = t.cum[to] - remaining;
                let i = t.cum.partition_point(|&c| c <= target);
                return date_of(year, i - 1);
            }
            remaining -= available;
            year -= 1;
            to = days_in_year(year)?;
        }
    }

    /// Working days after `a` up to and including `b`; negative (minus the
    /// working days after `b` up to and including `a`) when `b < a`.
    ///
    /// With `a` = today and `b` = a deadline this is the "working days left";
    /// `0` on the deadline day, negative once it has passed.
    pub fn workdays_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        match a.cmp(&b) {
            std::cmp::Ordering::Equal => Ok(0),
            std::cmp::Ordering::Less => self.count_after(a, b).map(i64::from),
            std::cmp::Ordering::Greater => self.count_after(b, a).map(|n| -i64::from(n)),
        }
    }

    /// Working days in `(a, b]`, `a < b`.
    fn count_after(&self, a: NaiveDate, b: NaiveDate) -> Result<u32, CalendarError> {
        let first = a.succ_opt().ok_or(CalendarError::OutOfRange)?;
        let mut total = 0;
        for year in first.year()..=b.year() {
            let t = self.table(year)?;
            let lo = if year == first.year() {
                first.ordinal0() as usize
            } else {
                0
            };
            let hi = if year == b.year() {
                b.ordinal0() as usize + 1
            } else {
                t.len()
            };
            total += t.count(lo, hi);
        }
        Ok(total)
    }

    /// `date` itself if the act can be done on it, otherwise the first later
    /// day that qualifies under `rule`.
    pub fn roll_forward(
        &self,
        date: NaiveDate,
        rule: RollOver,
    ) -> Result<NaiveDate, CalendarError> {
        self.roll(date, rule, NaiveDate::succ_opt)
    }

    /// `date` itself if the act can be done on it, otherwise the last earlier
    /// day that qualifies under `rule`. Used for periods counted backwards
    /// ("at least N days before"), where moving later would shorten the period.
    pub fn roll_back(&self, date: NaiveDate, rule: RollOver) -> Result<NaiveDate, CalendarError> {
        self.roll(date, rule, NaiveDate::pred_opt)
    }

    fn roll(
        &self,
        mut date: NaiveDate,
        rule: RollOver,
        step: fn(&NaiveDate) -> Option<NaiveDate>,
    ) -> Result<NaiveDate, CalendarError> {
        loop {
            let t = self.day_type(date)?;
            let ok = match rule {
                RollOver::NextWorkday => t.is_working(),
                RollOver::NextNonHoliday => t != DayType::Holiday,
            };
            if ok {
                return Ok(date);
            }
            date = step(&date).ok_or(CalendarError::OutOfRange)?;
        }
    }

    /// The last day of a period of `n_days` calendar days starting `start`
    /// (start day not counted): `start + n_days`, rolled forward under `rule`
    /// when that day is not a working day (民事诉讼法 第八十五条, 民法典 第二百零三条).
    ///
    /// Example: 15 days from 2025-09-16 end on 2025-10-01, inside 国庆
    /// (10-01..10-08), so the period ends on 2025-10-09.
    pub fn calendar_deadline(
        &self,
        start: NaiveDate,
        n_days: u32,
        rule: RollOver,
    ) -> Result<NaiveDate, CalendarError> {
        self.roll_forward(add_days(start, i64::from(n_days))?, rule)
    }

    /// The last day of a period of `months` months starting `start`:
    /// [`add_months`] then the same roll-over as [`Self::calendar_deadline`].
    /// A period in years is `12 × years` months.
    pub fn months_deadline(
        &self,
        start: NaiveDate,
        months: u32,
        rule: RollOver,
    ) -> Result<NaiveDate, CalendarError> {
        self.roll_forward(add_months(start, months)?, rule)
    }
}

/// `start` plus `n` months by 民法典 第二百零二条: the period ends on the day of
/// the final month with the same number as `start` (对应日); when that month
/// has no such day, on its last day.
///
/// 2024-01-31 + 1 month = 2024-02-29; 2024-02-29 + 12 months = 2025-02-28;
/// 2024-03-15 + 1 month = 2024-04-15. No roll-over is applied here.
pub fn add_months(start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
    start
        .checked_add_months(Months::new(n))
        .ok_or(CalendarError::OutOfRange)
}

/// `end` minus `n` months with the same month-end rule as [`add_months`].
pub fn sub_months(end: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
    end.checked_sub_months(Months::new(n))
        .ok_or(CalendarError::OutOfRange)
}

/// `date` plus `n` calendar days (`n` may be negative).
pub fn add_days(date: NaiveDate, n: i64) -> Result<NaiveDate, CalendarError> {
    let days = Days::new(n.unsigned_abs());
    if n >= 0 {
        date.checked_add_days(days)
    } else {
        date.checked_sub_days(days)
    }
    .ok_or(CalendarError::OutOfRange)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn days_in_year(year: i32) -> Result<usize, CalendarError> {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .map(|d| d.ordinal() as usize)
        .ok_or(CalendarError::OutOfRange)
}

fn date_of(year: i32, ordinal0: usize) -> Result<NaiveDate, CalendarError> {
    u32::try_from(ordinal0 + 1)
        .ok()
        .and_then(|o| NaiveDate::from_yo_opt(year, o))
        .ok_or(CalendarError::OutOfRange)
}

// ---------------------------------------------------------------------------
// TOML format
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    year: Vec<RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    source: RawSource,
    holidays: Vec<RawHoliday>,
    #[serde(default)]
    workdays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
    document: Option<String>,
    date: String,
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    from: String,
    to: String,
}

/// Parses a date in strict `YYYY-MM-DD` form (chrono alone would also
/// accept e.g. `2025-1-5`). `None` for anything else or an impossible date.
pub fn parse_ymd(value: &str) -> Option<NaiveDate> {
    let well_formed = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    well_formed
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
}

fn parse_date(year: i32, field: &'static str, value: &str) -> Result<NaiveDate, CalendarDataError> {
    parse_ymd(value).ok_or_else(|| CalendarDataError::InvalidDate {
        year,
        field,
        value: value.to_string(),
    })
}

/// Writes years in the documented file format: the inverse of
/// [`parse_calendar`], for showing a stored year as a starting point for a
/// correction.
pub fn to_toml(years: &[YearData]) -> String {
    use std::fmt::Write;
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = String::new();
    for (i, y) in years.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "[[year]]\nyear = {}", y.year);
        let document = y
            .source
            .document
            .as_deref()
            .map(|d| format!(", document = {}", q(d)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "source = {{ title = {}{document}, date = \"{}\", url = {} }}",
            q(&y.source.title),
            y.source.date,
            q(&y.source.url)
        );
        out.push_str("holidays = [\n");
        for h in &y.holidays {
            let _ = writeln!(
                out,
                "  {{ name = {}, from = \"{}\", to = \"{}\" }},",
                q(&h.name),
                h.from,
                h.to
            );
        }
        out.push_str("]\nworkdays = [\n");
        for w in &y.workdays {
            let _ = writeln!(out, "  \"{w}\", # {}", w.format("%a"));
        }
        out.push_str("]\n");
    }
    out
}

/// Parses calendar TOML text (format: see the header of
/// `assets/calendar/cn-holidays.toml`) into validated year data, in file order.
pub fn parse_calendar(text: &str) -> Result<Vec<YearData>, CalendarDataError> {
    let raw: RawFile =
        toml::from_str(text).map_err(|e| CalendarDataError::Syntax(e.to_string()))?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.year.len());
    for y in raw.year {
        let year = y.year;
        if !seen.insert(year) {
            return Err(CalendarDataError::DuplicateYear(year));
        }
        let document = y
            .source
            .document
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        let source = Source {
            title: y.source.title.trim().to_string(),
            document,
            date: parse_date(year, "source.date", &y.source.date)?,
            url: y.source.url.trim().to_string(),
        };
        let holidays = y
            .holidays
            .into_iter()
            .map(|h| {
                Ok(Holiday {
                    from: parse_date(year, "holidays.from", &h.from)?,
                    to: parse_date(year, "holidays.to", &h.to)?,
                    name: h.name.trim().to_string(),
                })
            })
            .collect::<Result<Vec<_>, CalendarDataError>>()?;
        let workdays = y
            .workdays
            .iter()
            .map(|d| parse_date(year, "workdays", d))
            .collect::<Result<Vec<_>, _>>()?;
        let data = YearData {
            year,
            source,
            holidays,
            workdays,
        };
        data.validate()?;
        out.push(data);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::china_default().expect("default calendar is valid")
    }

    #[test]
    fn default_calendar_covers_2024_to_2026() {
        let c = cal();
        assert_eq!(
            c.covered_years().collect::<Vec<_>>(),
            vec![2024, 2025, 2026]
        );
        let s = &c.year_data(2025).expect("2025").source;
        assert_eq!(s.document.as_deref(), Some("国办发明电〔2024〕12号"));
        assert_eq!(s.date, d("2024-11-12"));
    }

    #[test]
    fn is_workday_table() {
        let c = cal();
        let table = [
            // 2025 春节 1/28–2/4, 调休 Sunday 1/26 and Saturday 2/8.
            ("2025-01-24", true),  // Friday
            ("2025-01-25", false), // Saturday
            ("2025-01-26", true),  // Sunday, 调休上班
            ("2025-01-27", true),  // Monday
            ("2025-01-28", false), // 除夕
            ("2025-02-04", false),
            ("2025-02-05", true),
            ("2025-02-08", true), // Saturday, 调休上班
            ("2025-02-09", false),
            // 2025 劳动节 5/1–5/5, 调休 Sunday 4/27.
            ("2025-04-27", true),
            ("2025-04-30", true),
            ("2025-05-01", false),
            ("2025-05-05", false),
            ("2025-05-06", true),
            // 2025 国庆+中秋 10/1–10/8, 调休 9/28 (Sun) and 10/11 (Sat).
            ("2025-09-28", true),
            ("2025-10-01", false),
            ("2025-10-08", false),
            ("2025-10-09", true),
            ("2025-10-11", true),
            ("2025-10-12", false),
            // 2026 元旦 1/1–1/3, 调休 Sunday 1/4.
            ("2026-01-01", false),
            ("2026-01-03", false),
            ("2026-01-04", true),
            // 2026 春节 2/15–2/23, 调休 Saturdays 2/14 and 2/28.
            ("2026-02-13", true),
            ("2026-02-14", true),
            ("2026-02-15", false),
            ("2026-02-23", false),
            ("2026-02-24", true),
            ("2026-02-28", true),
            ("2026-03-01", false),
            // 2026 劳动节 5/1–5/5, 调休 Saturday 5/9.
            ("2026-04-30", true),
            ("2026-05-01", false),
            ("2026-05-05", false),
            ("2026-05-06", true),
            ("2026-05-09", true),
            // 2026 中秋 9/25–9/27 and 国庆 10/1–10/7, 调休 9/20 (Sun), 10/10 (Sat).
            ("2026-09-20", true),
            ("2026-09-25", false),
            ("2026-09-28", true),
            ("2026-10-01", false),
            ("2026-10-07", false),
            ("2026-10-08", true),
            ("2026-10-10", true),
            ("2026-10-11", false),
            // 2024 端午 6/10 joined to the ordinary weekend.
            ("2024-06-08", false),
            ("2024-06-10", false),
            ("2024-06-11", true),
        ];
        for (date, expected) in table {
            assert_eq!(c.is_workday(d(date)), Ok(expected), "{date}");
        }
        assert_eq!(c.day_type(d("2026-02-14")), Ok(DayType::AdjustedWorkday));
        assert_eq!(c.day_type(d("2026-03-01")), Ok(DayType::Weekend));
        assert_eq!(c.holiday_name(d("2026-02-17")), Ok(Some("春节")));
        assert_eq!(c.holiday_name(d("2026-02-24")), Ok(None));
    }

    #[test]
    fn add_workdays_table() {
        let c = cal();
        let table = [
            // Complaint received Friday before 春节 2025: 5 working days skip the holiday,
            // count 调休 Sunday 1/26 and Saturday 2/8.
            ("2025-01-24", 1, "2025-01-26"),
            ("2025-01-24", 2, "2025-01-27"),
            ("2025-01-24", 3, "2025-02-05"),
            ("2025-01-24", 5, "2025-02-07"),
            ("2025-01-24", 6, "2025-02-08"),
            // Start day not counted even when it is a holiday.
            ("2025-10-01", 1, "2025-10-09"),
            ("2025-09-26", 1, "2025-09-28"),
            ("2025-09-26", 3, "2025-09-30"),
            ("2025-09-26", 4, "2025-10-09"),
            // 2026 春节.
            ("2026-02-12", 1, "2026-02-13"),
            ("2026-02-12", 2, "2026-02-14"),
            ("2026-02-12", 3, "2026-02-24"),
            ("2026-02-12", 7, "2026-02-28"),
            // 2026 劳动节 and 国庆.
            ("2026-04-29", 2, "2026-05-06"),
            ("2026-09-29", 2, "2026-10-08"),
            ("2026-09-29", 4, "2026-10-10"),
            // Across the year boundary 2025→2026 (元旦 1/1–1/3, 调休 Sunday 1/4).
            ("2025-12-30", 2, "2026-01-04"),
            ("2025-12-31", 1, "2026-01-04"),
            // 0 returns the start.
            ("2026-02-15", 0, "2026-02-15"),
        ];
        for (start, n, expected) in table {
            assert_eq!(
                c.add_workdays(d(start), n),
                Ok(d(expected)),
                "{start} + {n}"
            );
            assert_eq!(
                c.workdays_between(d(start), d(expected)),
                Ok(i64::from(n)),
                "{start}..{expected}"
            );
        }
    }

    #[test]
    fn sixty_working_days_investigation() {
        // 立案 2025-09-01; 60 working days skip 国庆+中秋 (8 days) and count 9/28, 10/11.
        let c = cal();
        let end = c.add_workdays(d("2025-09-01"), 60).expect("covered");
        assert_eq!(end, d("2025-11-28"));
        assert_eq!(c.sub_workdays(end, 60), Ok(d("2025-09-01")));
    }

    #[test]
    fn calendar_deadline_table() {
        let c = cal();
        let nw = RollOver::NextWorkday;
        let table = [
            // Ends 2025-10-01 inside 国庆+中秋 → 10-09 (the brief's example).
            ("2025-09-16", 15, nw, "2025-10-09"),
            // Ends on a 调休 Saturday: a working day, no roll.
            ("2025-10-01", 10, nw, "2025-10-11"),
            // Ends on an ordinary Sunday → Monday.
            ("2025-10-04", 8, nw, "2025-10-13"),
            // Ends inside 春节 2026 → 2026-02-24.
            ("2026-02-01", 15, nw, "2026-02-24"),
            // 2026 劳动节 5/1–5/5.
            ("2026-04-21", 10, nw, "2026-05-06"),
            // NextNonHoliday: an ordinary Sunday does not roll …
            ("2025-10-04", 8, RollOver::NextNonHoliday, "2025-10-12"),
            // … a holiday still does.
            ("2025-09-16", 15, RollOver::NextNonHoliday, "2025-10-09"),
        ];
        for (start, n, rule, expected) in table {
            assert_eq!(
                c.calendar_deadline(d(start), n, rule),
                Ok(d(expected)),
                "{start} + {n} days ({rule:?})"
            );
        }
    }

    #[test]
    fn month_end_rule() {
        assert_eq!(add_months(d("2024-01-31"), 1), Ok(d("2024-02-29")));
        assert_eq!(add_months(d("2025-01-31"), 1), Ok(d("2025-02-28")));
        assert_eq!(add_months(d("2024-02-29"), 12), Ok(d("2025-02-28")));
        assert_eq!(add_months(d("2024-03-15"), 1), Ok(d("2024-04-15")));
        assert_eq!(add_months(d("2024-08-31"), 1), Ok(d("2024-09-30")));
        assert_eq!(add_months(d("2024-10-31"), 24), Ok(d("2026-10-31")));
        assert_eq!(sub_months(d("2026-03-31"), 1), Ok(d("2026-02-28")));
        let c = cal();
        // Two years from 2024-10-01 end on 2026-10-01 (国庆) → 2026-10-08.
        assert_eq!(
            c.months_deadline(d("2024-10-01"), 24, RollOver::NextWorkday),
            Ok(d("2026-10-08"))
        );
        // 2024-01-31 + 1 month = 2024-02-29, a Thursday: no roll.
        assert_eq!(
            c.months_deadline(d("2024-01-31"), 1, RollOver::NextWorkday),
            Ok(d("2024-02-29"))
        );
        // 2025-08-31 + 1 month = 2025-09-30 (Tuesday).
        assert_eq!(
            c.months_deadline(d("2025-08-31"), 1, RollOver::NextWorkday),
            Ok(d("2025-09-30"))
        );
    }

    #[test]
    fn workdays_between_signs() {
        let c = cal();
        assert_eq!(c.workdays_between(d("2026-02-13"), d("2026-02-13")), Ok(0));
        // Deadline Friday 2026-03-06: on Saturday no working day has passed yet
        // (0), on Monday one has (-1).
        assert_eq!(c.workdays_between(d("2026-03-07"), d("2026-03-06")), Ok(0));
        assert_eq!(c.workdays_between(d("2026-03-09"), d("2026-03-06")), Ok(-1));
        assert_eq!(c.workdays_between(d("2026-03-06"), d("2026-03-07")), Ok(0));
        assert_eq!(c.workdays_between(d("2026-02-24"), d("2026-02-13")), Ok(-2));
    }

    #[test]
    fn missing_year_is_refused() {
        let c = cal();
        assert_eq!(
            c.is_workday(d("2027-01-04")),
            Err(CalendarError::MissingYear(2027))
        );
        assert_eq!(
            c.is_workday(d("2023-12-29")),
            Err(CalendarError::MissingYear(2023))
        );
        // 2026-12-31 is a Thursday; 1 working day later needs 2027.
        assert_eq!(c.add_workdays(d("2026-12-30"), 1), Ok(d("2026-12-31")));
        assert_eq!(
            c.add_workdays(d("2026-12-30"), 2),
            Err(CalendarError::MissingYear(2027))
        );
        assert_eq!(
            c.calendar_deadline(d("2026-12-20"), 15, RollOver::NextWorkday),
            Err(CalendarError::MissingYear(2027))
        );
        assert_eq!(
            c.workdays_between(d("2026-12-01"), d("2027-01-10")),
            Err(CalendarError::MissingYear(2027))
        );
        assert_eq!(
            c.sub_workdays(d("2024-01-02"), 2),
            Err(CalendarError::MissingYear(2023))
        );
        // A start day in an uncovered year is fine when it is not needed.
        assert_eq!(c.add_workdays(d("2023-12-31"), 1), Ok(d("2024-01-02")));
        let msg = CalendarError::MissingYear(2027).to_string();
        assert!(msg.contains("2027"), "{msg}");
    }

    #[test]
    fn importing_a_year_makes_it_covered() {
        let extra = r#"
[[year]]
year = 2027
source = { title = "test", date = "2026-11-01", url = "https://example.invalid" }
holidays = [{ name = "元旦", from = "2027-01-01", to = "2027-01-01" }]
"#;
        let mut years = parse_calendar(DEFAULT_CALENDAR).expect("default");
        years.extend(parse_calendar(extra).expect("extra"));
        let c = WorkCalendar::new(years).expect("valid");
        assert_eq!(c.add_workdays(d("2026-12-30"), 2), Ok(d("2027-01-04")));
    }

    fn one_year(body: &str) -> Result<Vec<YearData>, CalendarDataError> {
        parse_calendar(&format!(
            "[[year]]\nyear = 2030\nsource = {{ title = \"t\", date = \"2029-11-01\", url = \"u\" }}\n{body}\n"
        ))
    }

    #[test]
    fn validation_errors_name_year_and_date() {
        let ok = r#"holidays = [{ name = "元旦", from = "2030-01-01", to = "2030-01-01" }]"#;
        assert!(one_year(ok).is_ok());
        assert_eq!(
            one_year(
                r#"holidays = [{ name = "国庆", from = "2030-10-01", to = "2030-10-07" }]
workdays = ["2030-10-05"]"#
            ),
            Err(CalendarDataError::HolidayIsWorkday {
                year: 2030,
                date: d("2030-10-05")
            })
        );
        assert_eq!(
            one_year(r#"holidays = [{ name = "国庆", from = "2030-10-07", to = "2030-10-01" }]"#),
            Err(CalendarDataError::FromAfterTo {
                year: 2030,
                name: "国庆".into(),
                from: d("2030-10-07"),
                to: d("2030-10-01")
            })
        );
        assert_eq!(
            one_year(r#"holidays = [{ name = "元旦", from = "2029-12-31", to = "2030-01-01" }]"#),
            Err(CalendarDataError::OutsideYear {
                year: 2030,
                date: d("2029-12-31")
            })
        );
        assert_eq!(
            one_year(&format!("{ok}\nworkdays = [\"2031-01-04\"]")),
            Err(CalendarDataError::OutsideYear {
                year: 2030,
                date: d("2031-01-04")
            })
        );
        assert_eq!(
            one_year(&format!("{ok}\nworkdays = [\"2030-01-07\"]")),
            Err(CalendarDataError::WorkdayNotWeekend {
                year: 2030,
                date: d("2030-01-07")
            })
        );
        assert_eq!(
            one_year(&format!("{ok}\nworkdays = [\"2030-1-5\"]")),
            Err(CalendarDataError::InvalidDate {
                year: 2030,
                field: "workdays",
                value: "2030-1-5".into()
            })
        );
        assert_eq!(
            one_year("holidays = []"),
            Err(CalendarDataError::NoHolidays(2030))
        );
        assert!(matches!(
            one_year(&format!("{ok}\nworkday = []")),
            Err(CalendarDataError::Syntax(_))
        ));
        let dup = format!("{DEFAULT_CALENDAR}\n{DEFAULT_CALENDAR}");
        assert_eq!(
            parse_calendar(&dup),
            Err(CalendarDataError::DuplicateYear(2024))
        );
        let years = parse_calendar(DEFAULT_CALENDAR).expect("default");
        let twice = years.iter().chain(years.iter().take(1)).cloned();
        assert!(matches!(
            WorkCalendar::new(twice),
            Err(CalendarDataError::DuplicateYear(2024))
        ));
        let msg = CalendarDataError::HolidayIsWorkday {
            year: 2030,
            date: d("2030-10-05"),
        }
        .to_string();
        assert!(msg.contains("2030") && msg.contains("2030-10-05"), "{msg}");
    }

    #[test]
    fn strict_dates_and_day_codes() {
        assert_eq!(parse_ymd("2026-02-14"), Some(d("2026-02-14")));
        for bad in [
            "2026-2-14",
            "2026-02-30",
            "20260214",
            " 2026-02-14",
            "2026-02-14x",
            "",
        ] {
            assert_eq!(parse_ymd(bad), None, "{bad:?}");
        }
        let c = cal();
        assert_eq!(
            c.day_type(d("2026-02-14")).map(DayType::code),
            Ok("adjusted_workday")
        );
        assert_eq!(
            c.day_type(d("2026-02-16")).map(DayType::code),
            Ok("holiday")
        );
        assert_eq!(
            c.day_type(d("2026-03-01")).map(DayType::code),
            Ok("weekend")
        );
        assert_eq!(
            c.day_type(d("2026-03-02")).map(DayType::code),
            Ok("workday")
        );
        assert!(CalendarDataError::NoYears.zh().contains("[[year]]"));
    }

    #[test]
    fn to_toml_round_trips() {
        let years = parse_calendar(DEFAULT_CALENDAR).expect("default");
        let text = to_toml(&years);
        assert_eq!(parse_calendar(&text), Ok(years));
        assert!(
            text.contains("document = \"国办发明电〔2024〕12号\""),
            "{text}"
        );
        let odd = YearData {
            year: 2030,
            source: Source {
                title: "含 \"引号\" 与 \\ 反斜杠".into(),
                document: None,
                date: d("2029-11-01"),
                url: "u".into(),
            },
            holidays: vec![Holiday {
                name: "元旦".into(),
                from: d("2030-01-01"),
                to: d("2030-01-01"),
            }],
            workdays: vec![],
        };
        assert_eq!(
            parse_calendar(&to_toml(std::slice::from_ref(&odd))),
            Ok(vec![odd])
        );
    }

    /// Reference implementation: walk day by day.
    fn naive_add(c: &WorkCalendar, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if c.is_workday(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..(3 * 366)).prop_map(|o| d("2024-01-01") + chrono::Duration::days(o))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn add_workdays_matches_day_by_day(start in any_date(), n in 0u32..400) {
            let c = cal();
            prop_assert_eq!(c.add_workdays(start, n), naive_add(&c, start, n));
        }

        #[test]
        fn add_is_additive(start in any_date(), a in 0u32..300, b in 0u32..300) {
            let c = cal();
            prop_assert_eq!(
                c.add_workdays(start, a + b),
                c.add_workdays(start, a).and_then(|m| c.add_workdays(m, b))
            );
        }

        #[test]
        fn working_day_deadline_is_working_day(start in any_date(), n in 1u32..300) {
            let c = cal();
            if let Ok(end) = c.add_workdays(start, n) {
                prop_assert_eq!(c.is_workday(end), Ok(true));
                prop_assert_eq!(c.workdays_between(start, end), Ok(i64::from(n)));
                prop_assert_eq!(c.workdays_between(end, start), Ok(-i64::from(n)));
            }
        }

        #[test]
        fn sub_inverts_add(end in any_date(), n in 0u32..300) {
            let c = cal();
            // Counting back from a day just past the data needs no data for that
            // day itself; the property speaks of days the calendar covers.
            prop_assume!(c.covers(end.year()));
            if let Ok(begin) = c.sub_workdays(end, n) {
                if n > 0 {
                    prop_assert_eq!(c.is_workday(begin), Ok(true));
                }
                // `end` itself is counted only when it is a working day.
                let end_working = c.is_workday(end) == Ok(true);
                if end_working {
                    prop_assert_eq!(c.add_workdays(begin, n), Ok(end));
                }
                let expected = if n == 0 { 0 } else { i64::from(n) - 1 + i64::from(end_working) };
                prop_assert_eq!(c.workdays_between(begin, end), Ok(expected));
            }
        }

        #[test]
        fn calendar_deadline_is_working_day(start in any_date(), n in 0u32..400) {
            let c = cal();
            if let Ok(end) = c.calendar_deadline(start, n, RollOver::NextWorkday) {
                prop_assert_eq!(c.is_workday(end), Ok(true));
                let nominal = start + chrono::Duration::days(i64::from(n));
                prop_assert!(end >= nominal);
                // Rolled only across non-working days.
                prop_assert_eq!(c.workdays_between(nominal, end).map(|k| k <= 1), Ok(true));
            }
            if let Ok(end) = c.calendar_deadline(start, n, RollOver::NextNonHoliday) {
                prop_assert_eq!(c.is_official_holiday(end), Ok(false));
            }
        }

        #[test]
        fn months_deadline_not_before_corresponding_day(start in any_date(), n in 0u32..36) {
            let c = cal();
            if let Ok(end) = c.months_deadline(start, n, RollOver::NextWorkday) {
                prop_assert_eq!(c.is_workday(end), Ok(true));
                prop_assert!(end >= add_months(start, n).expect("in range"));
            }
        }
    }
}
