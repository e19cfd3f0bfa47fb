//! `jianguan calendar …`: the working-day calendar for scripts and checks.
//!
//! Every command reads the calendar from the configured database (after
//! migrating it and loading the shipped schedule into a new one), so a year
//! imported with `calendar import` or in the web UI is used at once. Output
//! is one bare value per line; bad input, or a date in a year without
//! holiday data, is one line on stderr and exit code 2.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{Datelike, NaiveDate, Weekday};
use clap::{Subcommand, ValueEnum};
use domain::calendar::{RollOver, WorkCalendar, parse_ymd};
use storage::{AuditCtx, Db, StorageError, repo::calendar};

use crate::Config;

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// Print the date N working days after DATE (DATE itself not counted).
    AddWorkdays {
        /// YYYY-MM-DD
        date: String,
        /// Number of working days (0 or more).
        #[arg(allow_negative_numbers = true)]
        n: String,
    },
    /// Print the last day of an N calendar-day period starting DATE (DATE not
    /// counted), moved to the next working day when it is not one.
    Deadline {
        /// YYYY-MM-DD
        date: String,
        /// Number of calendar days (0 or more).
        #[arg(allow_negative_numbers = true)]
        n: String,
        /// Which last days move: `next-workday` (weekends and holidays, the
        /// default) or `next-non-holiday` (official holidays only).
        #[arg(long, value_enum, default_value_t = RollArg::NextWorkday)]
        roll_over: RollArg,
    },
    /// Print `true` when DATE is a working day, else `false`.
    IsWorkday {
        /// YYYY-MM-DD
        date: String,
    },
    /// Import a calendar file (TOML, the format of assets/calendar/cn-holidays.toml):
    /// validates it, adds or replaces its years in one audited transaction and
    /// recomputes the deadlines of running clocks.
    Import {
        /// The TOML file.
        file: PathBuf,
    },
    /// List the covered years with their sources, or one year's holidays and
    /// adjusted working days (调休上班日).
    Show {
        /// A year, e.g. 2026.
        #[arg(allow_negative_numbers = true)]
        year: Option<String>,
    },
}

/// The roll-over rule on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RollArg {
    NextWorkday,
    NextNonHoliday,
}

impl From<RollArg> for RollOver {
    fn from(r: RollArg) -> Self {
        match r {
            RollArg::NextWorkday => RollOver::NextWorkday,
            RollArg::NextNonHoliday => RollOver::NextNonHoliday,
        }
    }
}

/// Bad input: printed as one line, exit code 2.
struct Refused(String);

fn refused(msg: impl Into<String>) -> Refused {
    Refused(msg.into())
}

/// Several lines (e.g. a TOML parser's pointer at the error) as one.
fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn date_arg(s: &str) -> Result<NaiveDate, Refused> {
    parse_ymd(s.trim()).ok_or_else(|| {
        refused(format!(
            "日期 {s:?} 无效，应为 YYYY-MM-DD 格式的日期 / invalid date {s:?}, expected YYYY-MM-DD"
        ))
    })
}

fn count_arg(s: &str) -> Result<u32, Refused> {
    s.trim().parse::<u32>().map_err(|_| {
        refused(format!(
            "天数 N {s:?} 无效，应为不小于 0 的整数 / invalid N {s:?}, expected a whole number >= 0"
        ))
    })
}

fn year_arg(s: &str) -> Result<i32, Refused> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| domain::calendar::YEAR_RANGE.contains(y))
        .ok_or_else(|| refused(format!("年份 {s:?} 无效 / invalid year {s:?}")))
}

fn calendar_refusal(e: domain::calendar::CalendarError) -> Refused {
    refused(e.zh())
}

/// Opens the configured database without the serving lock (a server may be
/// running on it), migrates it and loads the shipped schedule when empty.
async fn open(cfg: &Config) -> Result<crate::Opened> {
    let opened = crate::open_db(cfg, false).await?;
    opened.db.migrate().await?;
    calendar::ensure_default(&opened.db).await?;
    Ok(opened)
}

/// Runs one calendar command; returns the exit code.
pub async fn run(cfg: &Config, cmd: CalendarCmd) -> Result<i32> {
    let opened = open(cfg).await?;
    match exec(&opened.db, cmd).await? {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            Ok(0)
        }
        Err(Refused(msg)) => {
            eprintln!("jianguan: {}", one_line(&msg));
            Ok(2)
        }
    }
}

/// The outer error is an operational failure (exit 1); the inner one is a
/// refusal of the input (exit 2).
async fn exec(db: &Db, cmd: CalendarCmd) -> Result<Result<Vec<String>, Refused>> {
    match cmd {
        CalendarCmd::AddWorkdays { date, n } => {
            let cal = calendar::load(db).await?;
            Ok(add_workdays(&cal, &date, &n))
        }
        CalendarCmd::Deadline { date, n, roll_over } => {
            let cal = calendar::load(db).await?;
            Ok(deadline(&cal, &date, &n, roll_over.into()))
        }
        CalendarCmd::IsWorkday { date } => {
            let cal = calendar::load(db).await?;
            Ok(is_workday(&cal, &date))
        }
        CalendarCmd::Import { file } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    return Ok(Err(refused(format!(
                        "无法读取文件 {} / cannot read the file: {e}",
                        file.display()
                    ))));
                }
            };
            let ctx = AuditCtx::system("calendar-import-cli");
            match calendar::import_text(db, &ctx, &text).await {
                Ok(r) => Ok(Ok(vec![format!(
                    "imported={} replaced={} recomputed={}",
                    r.added + r.replaced,
                    r.replaced,
                    r.recomputed
                )])),
                Err(StorageError::CalendarData(e)) => Ok(Err(refused(e.zh()))),
                Err(e) => Err(e.into()),
            }
        }
        CalendarCmd::Show { year } => {
            let cal = calendar::load(db).await?;
            Ok(match year {
                None => Ok(list_years(&cal)),
                Some(y) => year_arg(&y).and_then(|y| show_year(&cal, y)),
            })
        }
    }
}

fn add_workdays(cal: &WorkCalendar, date: &str, n: &str) -> Result<Vec<String>, Refused> {
    let (date, n) = (date_arg(date)?, count_arg(n)?);
    let end = cal.add_workdays(date, n).map_err(calendar_refusal)?;
    Ok(vec![end.to_string()])
}

fn deadline(
    cal: &WorkCalendar,
    date: &str,
    n: &str,
    rule: RollOver,
) -> Result<Vec<String>, Refused> {
    let (date, n) = (date_arg(date)?, count_arg(n)?);
    let end = cal
        .calendar_deadline(date, n, rule)
        .map_err(calendar_refusal)?;
    Ok(vec![end.to_string()])
}

fn is_workday(cal: &WorkCalendar, date: &str) -> Result<Vec<String>, Refused> {
    let date = date_arg(date)?;
    let w = cal.is_workday(date).map_err(calendar_refusal)?;
    Ok(vec![w.to_string()])
}

/// `YEAR<TAB>TITLE` per covered year.
fn list_years(cal: &WorkCalendar) -> Vec<String> {
    cal.covered_years()
        .filter_map(|y| cal.year_data(y))
        .map(|d| format!("{}\t{}", d.year, d.source.title))
        .collect()
}

/// `key<TAB>value…` lines: the source, then each holiday range and each
/// adjusted working day.
fn show_year(cal: &WorkCalendar, year: i32) -> Result<Vec<String>, Refused> {
    let d = cal
        .year_data(year)
        .ok_or_else(|| calendar_refusal(domain::calendar::CalendarError::MissingYear(year)))?;
    let mut out = vec![
        format!("year\t{}", d.year),
        format!("title\t{}", d.source.title),
    ];
    if let Some(doc) = &d.source.document {
        out.push(format!("document\t{doc}"));
    }
    out.push(format!("date\t{}", d.source.date));
    out.push(format!("url\t{}", d.source.url));
    for h in &d.holidays {
        let days = (h.to - h.from).num_days() + 1;
        out.push(format!("holiday\t{}\t{}\t{}\t{days}", h.from, h.to, h.name));
    }
    for w in &d.workdays {
        out.push(format!("workday\t{w}\t{}", weekday_zh(w.weekday())));
    }
    Ok(out)
}

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> WorkCalendar {
        WorkCalendar::china_default().expect("shipped calendar")
    }

    fn ok(r: Result<Vec<String>, Refused>) -> String {
        match r {
            Ok(v) => v.join("\n"),
            Err(Refused(m)) => panic!("refused: {m}"),
        }
    }

    fn err(r: Result<Vec<String>, Refused>) -> String {
        match r {
            Ok(v) => panic!("accepted: {v:?}"),
            Err(Refused(m)) => m,
        }
    }

    #[test]
    fn answers_and_refusals() {
        let c = cal();
        assert_eq!(ok(add_workdays(&c, "2026-02-12", "3")), "2026-02-24");
        assert_eq!(
            ok(deadline(&c, "2025-09-16", "15", RollOver::NextWorkday)),
            "2025-10-09"
        );
        assert_eq!(ok(is_workday(&c, "2026-02-14")), "true");
        assert!(err(is_workday(&c, "2026-2-14")).contains("YYYY-MM-DD"));
        assert!(err(add_workdays(&c, "2026-02-12", "-1")).contains("N"));
        assert!(err(add_workdays(&c, "2026-02-12", "x")).contains("N"));
        assert!(err(is_workday(&c, "2027-01-04")).contains("2027"));
        assert!(err(show_year(&c, 2027)).contains("2027"));
        let shown = ok(show_year(&c, 2025));
        assert!(
            shown.contains("document\t国办发明电〔2024〕12号"),
            "{shown}"
        );
        assert!(shown.contains("workday\t2025-10-11\t星期六"), "{shown}");
        assert_eq!(list_years(&c).len(), 3);
        assert_eq!(one_line("a\n\n  b  \n"), "a b");
    }
}
