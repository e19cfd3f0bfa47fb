//! Statutory clocks (法定期限): a [`ClockRule`] instantiated on an item and
//! driven by an event history.
//!
//! Pure data and functions: the caller passes the rule, the events and the
//! [`WorkCalendar`]; nothing here stores anything or reads the system clock
//! (`today` is always an argument).
//!
//! # Rules
//!
//! A rule states the period, the kind of day it is counted in and its legal
//! basis. The kind comes from the rule, never from a global switch:
//! 劳动保障监察条例 第十七条 and 若干规定 第十八条 say 工作日; 行政处罚法 第八十五条
//! turns only that law's "二日/三日/五日/七日" into working days, so its 十五日
//! (第六十七条) and 九十日 (第六十条) stay calendar days; 行政许可法 第八十二条 makes
//! every period of that law working days. See [`crate::rules`] for the
//! defaults.
//!
//! # Deadline
//!
//! The start event's day is not counted (民事诉讼法 第八十五条, 民法典 第二百零一条).
//!
//! * [`DayKind::Working`]: the deadline is the `period`-th working day after
//!   the start ([`WorkCalendar::add_workdays`]); it is always a working day.
//! * [`DayKind::Calendar`]: `start + period` days, rolled forward with the
//!   rule's [`RollOver`] when that day is not a working day
//!   (民事诉讼法 第八十五条, 民法典 第二百零三条).
//! * [`DayKind::Months`]: `start + period` months by the month-end rule of
//!   民法典 第二百零二条 ([`crate::calendar::add_months`]), then the same roll-over.
//!
//! Rules with [`Direction::Before`] count backwards from an anchor date (the
//! start event's date, e.g. a licence's expiry or a hearing day): the deadline
//! is the latest day on which the act still leaves `period` units before the
//! anchor. A non-working result moves *earlier*, never later, because moving
//! it later would shorten the statutory period. Such clocks cannot be
//! suspended or extended.
//!
//! # Suspension (中止) and resumption
//!
//! Suspended on day `s` and resumed on day `r`: day `s` still counts, the days
//! after `s` up to and including `r` do not, and counting continues the day
//! after `r` with the remaining period. Equivalently the deadline moves by the
//! length of the suspension measured in the rule's own unit:
//!
//! * working-day rules: by the number of working days in `(s, r]`
//!   ([`WorkCalendar::workdays_between`]), so the new deadline is again a
//!   working day;
//! * calendar-day and month rules: by `r - s` calendar days added to the
//!   *unrolled* end of the period, and the roll-over is applied afterwards
//!   (so a period ending inside 国庆 is not pushed twice).
//!
//! While suspended the clock has no current deadline; the remaining period is
//! frozen and reported. A clock whose deadline has already passed cannot be
//! suspended (its lateness is a fact), and it cannot be extended either.
//!
//! # Extension (延期)
//!
//! An approved extension adds to the period, e.g. 劳动保障监察条例 第十七条:
//! +30 working days with the approval of the 劳动保障行政部门负责人. The sum of
//! all extensions may not exceed the rule's `max_extension`; rules without one
//! cannot be extended. The approver and the reason are required and kept on
//! the timeline.
//!
//! # Status
//!
//! On a given `today` a running clock is [`ClockStatus::OnTime`],
//! [`ClockStatus::DueSoon`] (at most `due_soon_workdays` working days left,
//! including the deadline day itself) or [`ClockStatus::Overdue`] (today is
//! after the deadline). Days left are counted in the rule's own unit: working
//! days for working-day rules, calendar days for calendar-day and month rules.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{self, CalendarError, RollOver, WorkCalendar};

/// Default warning threshold: due soon when at most this many working days
/// are left.
pub const DEFAULT_DUE_SOON_WORKDAYS: u32 = 3;

/// The unit a rule's period is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 工作日.
    Working,
    /// 日 (calendar days) with roll-over of the last day.
    Calendar,
    /// 月 (a period in years is 12 × years months) with roll-over.
    Months,
}

impl DayKind {
    /// The unit days left and lateness are reported in.
    pub fn count_unit(self) -> CountUnit {
        match self {
            DayKind::Working => CountUnit::WorkingDays,
            DayKind::Calendar | DayKind::Months => CountUnit::CalendarDays,
        }
    }
}

/// Unit of "days left", "late by" and suspension lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountUnit {
    WorkingDays,
    CalendarDays,
}

/// Whether the period runs after its start event or ends before an anchor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The act is due within `period` after the start event. Default.
    #[default]
    After,
    /// The act is due at least `period` before the anchor date (e.g. apply
    /// for renewal 30 days before expiry; notify 7 days before a hearing).
    Before,
}

fn default_due_soon() -> u32 {
    DEFAULT_DUE_SOON_WORKDAYS
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A statutory period as data. Loaded from TOML by [`crate::rules`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRule {
    /// Stable identifier, e.g. `complaint.accept`.
    pub code: String,
    pub name_zh: String,
    /// Length of the period in `day_kind` units (months for `Months`).
    pub period: u32,
    pub day_kind: DayKind,
    /// Article(s) and text the period comes from.
    pub legal_basis: String,
    /// Largest total extension, in the same unit; `None`: not extendable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_extension: Option<u32>,
    /// Due soon when at most this many working days are left.
    #[serde(default = "default_due_soon")]
    pub due_soon_workdays: u32,
    #[serde(default, skip_serializing_if = "is_default")]
    pub direction: Direction,
    /// Roll-over of calendar-day and month periods (ignored for working days).
    #[serde(default, skip_serializing_if = "is_default")]
    pub roll_over: RollOver,
    /// The day kind or the period is not settled by a verified source and must
    /// be confirmed by the bureau.
    #[serde(default, skip_serializing_if = "is_default")]
    pub uncertain: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ClockRule {
    /// The deadline of a clock started on `start` with no suspension or
    /// extension.
    pub fn deadline(
        &self,
        start: NaiveDate,
        cal: &WorkCalendar,
    ) -> Result<NaiveDate, CalendarError> {
        self.deadline_with(start, 0, 0, cal)
    }

    /// The deadline after `extension` units of extension and `suspended`
    /// units of suspension (working days or calendar days per the unit).
    fn deadline_with(
        &self,
        start: NaiveDate,
        extension: u32,
        suspended: u32,
        cal: &WorkCalendar,
    ) -> Result<NaiveDate, CalendarError> {
        let total = self
            .period
            .checked_add(extension)
            .ok_or(CalendarError::OutOfRange)?;
        match self.direction {
            Direction::After => match self.day_kind {
                DayKind::Working => {
                    let n = total
                        .checked_add(suspended)
                        .ok_or(CalendarError::OutOfRange)?;
                    cal.add_workdays(start, n)
                }
                DayKind::Calendar => {
                    let end = calendar::add_days(start, i64::from(total) + i64::from(suspended))?;
                    cal.roll_forward(end, self.roll_over)
                }
                DayKind::Months => {
                    let end = calendar::add_months(start, total)?;
                    let end = calendar::add_days(end, i64::from(suspended))?;
                    cal.roll_forward(end, self.roll_over)
                }
            },
            Direction::Before => match self.day_kind {
                DayKind::Working => {
                    let anchor = cal.roll_back(start, RollOver::NextWorkday)?;
                    cal.sub_workdays(anchor, total)
                }
                DayKind::Calendar => {
                    let end = calendar::add_days(start, -i64::from(total))?;
                    cal.roll_back(end, self.roll_over)
                }
                DayKind::Months => {
                    cal.roll_back(calendar::sub_months(start, total)?, self.roll_over)
                }
            },
        }
    }

    /// Length of `(from, to]` in the rule's unit.
    fn length(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        cal: &WorkCalendar,
    ) -> Result<i64, CalendarError> {
        match self.day_kind.count_unit() {
            CountUnit::WorkingDays => cal.workdays_between(from, to),
            CountUnit::CalendarDays => Ok((to - from).num_days()),
        }
    }
}

/// One entry of a clock's history. The storage layer keeps these (with who
/// recorded them) and replays them through [`ClockState::from_events`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ClockEvent {
    /// 收到 / 立案 / 送达 / 决定 …; for `Before` rules the anchor date.
    Started { on: NaiveDate },
    /// 中止.
    Suspended { on: NaiveDate, reason: String },
    /// 恢复: the remaining period continues from this day.
    Resumed { on: NaiveDate },
    /// 延期 by `by` units, approved by `approved_by`.
    Extended {
        on: NaiveDate,
        by: u32,
        approved_by: String,
        reason: String,
    },
    /// The act was done; the clock stops.
    Completed { on: NaiveDate },
}

impl ClockEvent {
    pub fn date(&self) -> NaiveDate {
        match self {
            ClockEvent::Started { on }
            | ClockEvent::Suspended { on, .. }
            | ClockEvent::Resumed { on }
            | ClockEvent::Extended { on, .. }
            | ClockEvent::Completed { on } => *on,
        }
    }
}

/// An event history that the rule does not allow. `index` is the position of
/// the offending event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("the clock has no events")]
    NoEvents,
    #[error("event {index}: the first event must start the clock")]
    NotStarted { index: usize },
    #[error("event {index}: the clock is already started")]
    AlreadyStarted { index: usize },
    #[error("event {index}: dated {date}, before the previous event ({previous})")]
    OutOfOrder {
        index: usize,
        date: NaiveDate,
        previous: NaiveDate,
    },
    #[error("event {index}: the clock is already completed")]
    AlreadyCompleted { index: usize },
    #[error("event {index}: the clock is already suspended")]
    AlreadySuspended { index: usize },
    #[error("event {index}: the clock is not suspended")]
    NotSuspended { index: usize },
    #[error("event {index}: resume the clock before extending it")]
    ExtendWhileSuspended { index: usize },
    #[error("event {index}: a period counted back from its anchor cannot be suspended")]
    SuspendBackwardRule { index: usize },
    #[error("event {index}: dated {date}, after the deadline {deadline}")]
    AfterDeadline {
        index: usize,
        date: NaiveDate,
        deadline: NaiveDate,
    },
    #[error("event {index}: rule {rule} allows no extension")]
    ExtensionNotAllowed { index: usize, rule: String },
    #[error("event {index}: an extension must be at least 1")]
    ZeroExtension { index: usize },
    #[error(
        "event {index}: extension by {requested} would exceed the maximum of {max} ({used} already granted)"
    )]
    ExtensionTooLong {
        index: usize,
        requested: u32,
        used: u32,
        max: u32,
    },
    #[error("event {index}: an extension needs the approver and the reason")]
    ExtensionUnjustified { index: usize },
}

/// Why a deadline changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum ChangeCause {
    /// Resumed after a suspension of `length` units (rule's unit).
    Resumed {
        suspended_on: NaiveDate,
        reason: String,
        length: u32,
    },
    Extended {
        by: u32,
        approved_by: String,
        reason: String,
    },
}

/// One deadline change, for the item's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineChange {
    /// Position of the causing event in the history.
    pub event_index: usize,
    /// Date of the causing event.
    pub on: NaiveDate,
    pub cause: ChangeCause,
    pub old: NaiveDate,
    pub new: NaiveDate,
}

/// A suspension period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub from: NaiveDate,
    /// Resumption day; `None` while (or if never) resumed.
    pub to: Option<NaiveDate>,
    pub reason: String,
    /// The deadline in force when the clock was suspended.
    pub deadline_before: NaiveDate,
    /// Units left at suspension (frozen while suspended).
    pub remaining: i64,
}

/// How a completed clock ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub on: NaiveDate,
    pub on_time: bool,
    /// Units after the deadline; may be 0 with `on_time == false` for a
    /// working-day clock completed on a non-working day after its deadline.
    pub late_by: u32,
}

/// The state of a clock after replaying its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    pub rule_code: String,
    pub day_kind: DayKind,
    pub due_soon_workdays: u32,
    pub started_on: NaiveDate,
    /// Deadline from the rule alone.
    pub original_deadline: NaiveDate,
    /// Deadline after suspensions and extensions; `None` while suspended.
    pub current_deadline: Option<NaiveDate>,
    /// Total extension granted, in the rule's unit.
    pub extended_by: u32,
    /// Total length of closed suspensions, in the rule's count unit.
    pub suspended_for: u32,
    pub suspensions: Vec<Suspension>,
    pub completion: Option<Completion>,
    /// Every deadline change in order (resumptions and extensions).
    pub changes: Vec<DeadlineChange>,
}

/// Where a clock stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ClockStatus {
    /// Running, more than `due_soon_workdays` working days left.
    OnTime,
    /// Running, at most `due_soon_workdays` working days left (deadline day included).
    DueSoon,
    /// Running and today is after the deadline.
    Overdue,
    Suspended {
        since: NaiveDate,
    },
    Completed {
        on: NaiveDate,
        on_time: bool,
        late_by: u32,
    },
}

/// A clock read on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReading {
    pub status: ClockStatus,
    /// Current deadline (the one in force at suspension while suspended).
    pub deadline: Option<NaiveDate>,
    /// Units left (negative when overdue; frozen while suspended; `None` once completed).
    pub days_left: Option<i64>,
    pub unit: CountUnit,
}

fn to_u32(n: i64) -> Result<u32, CalendarError> {
    u32::try_from(n).map_err(|_| CalendarError::OutOfRange)
}

impl ClockState {
    /// Replays `events` under `rule`. The history must start with
    /// [`ClockEvent::Started`], the dates must not decrease (for `Before`
    /// rules the events after the start may precede the anchor date), and the
    /// events must respect the rules in the module docs.
    ///
    /// To check a new event before recording it, replay the history with the
    /// event appended.
    pub fn from_events(
        rule: &ClockRule,
        events: &[ClockEvent],
        cal: &WorkCalendar,
    ) -> Result<Self, ClockError> {
        let (first, rest) = events.split_first().ok_or(ClockError::NoEvents)?;
        let ClockEvent::Started { on: start } = *first else {
            return Err(ClockError::NotStarted { index: 0 });
        };
        let original = rule.deadline(start, cal)?;
        let mut st = ClockState {
            rule_code: rule.code.clone(),
            day_kind: rule.day_kind,
            due_soon_workdays: rule.due_soon_workdays,
            started_on: start,
            original_deadline: original,
            current_deadline: Some(original),
            extended_by: 0,
            suspended_for: 0,
            suspensions: Vec::new(),
            completion: None,
            changes: Vec::new(),
        };
        // For `Before` rules the start is an anchor in the future: later events
        // (e.g. the completion) usually precede it.
        let mut previous = match rule.direction {
            Direction::After => start,
            Direction::Before => NaiveDate::MIN,
        };
        for (i, ev) in rest.iter().enumerate() {
            let index = i + 1;
            let date = ev.date();
            if date < previous {
                return Err(ClockError::OutOfOrder {
                    index,
                    date,
                    previous,
                });
            }
            previous = date;
            if st.completion.is_some() {
                return Err(ClockError::AlreadyCompleted { index });
            }
            st.apply(rule, index, ev, cal)?;
        }
        Ok(st)
    }

    fn open_suspension(&self) -> Option<&Suspension> {
        self.suspensions.last().filter(|s| s.to.is_none())
    }

    fn apply(
        &mut self,
        rule: &ClockRule,
        index: usize,
        ev: &ClockEvent,
        cal: &WorkCalendar,
    ) -> Result<(), ClockError> {
        match ev {
            ClockEvent::Started { .. } => Err(ClockError::AlreadyStarted { index }),
            ClockEvent::Suspended { on, reason } => {
                if rule.direction == Direction::Before {
                    return Err(ClockError::SuspendBackwardRule { index });
                }
                let Some(deadline) = self.current_deadline else {
                    return Err(ClockError::AlreadySuspended { index });
                };
                if *on > deadline {
                    return Err(ClockError::AfterDeadline {
                        index,
                        date: *on,
                        deadline,
                    });
                }
                self.suspensions.push(Suspension {
                    from: *on,
                    to: None,
                    reason: reason.clone(),
                    deadline_before: deadline,
                    remaining: rule.length(*on, deadline, cal)?,
                });
                self.current_deadline = None;
                Ok(())
            }
            ClockEvent::Resumed { on } => {
                let Some(open) = self.open_suspension() else {
                    return Err(ClockError::NotSuspended { index });
                };
                let (from, old, reason) = (open.from, open.deadline_before, open.reason.clone());
                let length = to_u32(rule.length(from, *on, cal)?)?;
                self.suspended_for = self
                    .suspended_for
                    .checked_add(length)
                    .ok_or(CalendarError::OutOfRange)?;
                let new =
                    rule.deadline_with(self.started_on, self.extended_by, self.suspended_for, cal)?;
                if let Some(s) = self.suspensions.last_mut() {
                    s.to = Some(*on);
                }
                self.current_deadline = Some(new);
                self.changes.push(DeadlineChange {
                    event_index: index,
                    on: *on,
                    cause: ChangeCause::Resumed {
                        suspended_on: from,
                        reason,
                        length,
                    },
                    old,
                    new,
                });
                Ok(())
            }
            ClockEvent::Extended {
                on,
                by,
                approved_by,
                reason,
            } => {
                let Some(old) = self.current_deadline else {
                    return Err(ClockError::ExtendWhileSuspended { index });
                };
                let Some(max) = rule
                    .max_extension
                    .filter(|_| rule.direction == Direction::After)
                else {
                    return Err(ClockError::ExtensionNotAllowed {
                        index,
                        rule: rule.code.clone(),
                    });
                };
                if *by == 0 {
                    return Err(ClockError::ZeroExtension { index });
                }
                if approved_by.trim().is_empty() || reason.trim().is_empty() {
                    return Err(ClockError::ExtensionUnjustified { index });
                }
                let total = self.extended_by.saturating_add(*by);
                if total > max {
                    return Err(ClockError::ExtensionTooLong {
                        index,
                        requested: *by,
                        used: self.extended_by,
                        max,
                    });
                }
                if *on > old {
                    return Err(ClockError::AfterDeadline {
                        index,
                        date: *on,
                        deadline: old,
                    });
                }
                let new = rule.deadline_with(self.started_on, total, self.suspended_for, cal)?;
                self.extended_by = total;
                self.current_deadline = Some(new);
                self.changes.push(DeadlineChange {
                    event_index: index,
                    on: *on,
                    cause: ChangeCause::Extended {
                        by: *by,
                        approved_by: approved_by.clone(),
                        reason: reason.clone(),
                    },
                    old,
                    new,
                });
                Ok(())
            }
            ClockEvent::Completed { on } => {
                let completion = match self.current_deadline {
                    // Completed while suspended: the period was not running.
                    None => Completion {
                        on: *on,
                        on_time: true,
                        late_by: 0,
                    },
                    Some(deadline) => Completion {
                        on: *on,
                        on_time: *on <= deadline,
                        late_by: to_u32(rule.length(deadline, *on, cal)?.max(0))?,
                    },
                };
                self.completion = Some(completion);
                Ok(())
            }
        }
    }

    /// Status, deadline and days left on `today`.
    pub fn reading(
        &self,
        today: NaiveDate,
        cal: &WorkCalendar,
    ) -> Result<ClockReading, CalendarError> {
        let unit = self.day_kind.count_unit();
        if let Some(c) = self.completion {
            return Ok(ClockReading {
                status: ClockStatus::Completed {
                    on: c.on,
                    on_time: c.on_time,
                    late_by: c.late_by,
                },
                deadline: self.current_deadline,
                days_left: None,
                unit,
            });
        }
        let Some(deadline) = self.current_deadline else {
            let open = self.open_suspension();
            return Ok(ClockReading {
                status: ClockStatus::Suspended {
                    since: open.map_or(self.started_on, |s| s.from),
                },
                deadline: open.map(|s| s.deadline_before),
                days_left: open.map(|s| s.remaining),
                unit,
            });
        };
        let workdays_left = cal.workdays_between(today, deadline)?;
        let status = if today > deadline {
            ClockStatus::Overdue
        } else if workdays_left <= i64::from(self.due_soon_workdays) {
            ClockStatus::DueSoon
        } else {
            ClockStatus::OnTime
        };
        let days_left = match unit {
            CountUnit::WorkingDays => workdays_left,
            CountUnit::CalendarDays => (deadline - today).num_days(),
        };
        Ok(ClockReading {
            status,
            deadline: Some(deadline),
            days_left: Some(days_left),
            unit,
        })
    }
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

    fn rule(period: u32, day_kind: DayKind, max_extension: Option<u32>) -> ClockRule {
        ClockRule {
            code: "test".into(),
            name_zh: "测试".into(),
            period,
            day_kind,
            legal_basis: "test".into(),
            max_extension,
            due_soon_workdays: DEFAULT_DUE_SOON_WORKDAYS,
            direction: Direction::After,
            roll_over: RollOver::NextWorkday,
            uncertain: false,
            note: None,
        }
    }

    fn started(s: &str) -> ClockEvent {
        ClockEvent::Started { on: d(s) }
    }
    fn suspended(s: &str) -> ClockEvent {
        ClockEvent::Suspended {
            on: d(s),
            reason: "等待鉴定结论".into(),
        }
    }
    fn resumed(s: &str) -> ClockEvent {
        ClockEvent::Resumed { on: d(s) }
    }
    fn extended(s: &str, by: u32) -> ClockEvent {
        ClockEvent::Extended {
            on: d(s),
            by,
            approved_by: "张局长".into(),
            reason: "案情复杂".into(),
        }
    }
    fn completed(s: &str) -> ClockEvent {
        ClockEvent::Completed { on: d(s) }
    }

    #[test]
    fn investigation_suspended_resumed_extended() {
        // 条例 第十七条: 60 working days from 立案 2025-09-01, +30 with approval.
        let c = cal();
        let r = rule(60, DayKind::Working, Some(30));
        let events = [
            started("2025-09-01"),
            suspended("2025-09-05"),    // Friday
            resumed("2025-09-12"),      // Friday: 5 working days (9/8–9/12) paused
            extended("2025-11-20", 30), // approved before the deadline
        ];
        let st = ClockState::from_events(&r, &events, &c).expect("valid history");
        assert_eq!(st.original_deadline, d("2025-11-28"));
        assert_eq!(st.suspended_for, 5);
        let after_resume = c.add_workdays(d("2025-11-28"), 5).expect("covered");
        assert_eq!(after_resume, d("2025-12-05"));
        let expected = c.add_workdays(d("2025-09-01"), 95).expect("covered");
        assert_eq!(st.current_deadline, Some(expected));
        assert_eq!(st.changes.len(), 2);
        assert_eq!(st.changes[0].old, d("2025-11-28"));
        assert_eq!(st.changes[0].new, after_resume);
        assert_eq!(st.changes[1].old, after_resume);
        assert_eq!(st.changes[1].new, expected);
        assert!(matches!(
            &st.changes[1].cause,
            ChangeCause::Extended { by: 30, approved_by, .. } if approved_by == "张局长"
        ));
        // At suspension 56 of the 60 working days were left (9/2–9/5 had run).
        assert_eq!(st.suspensions[0].remaining, 56);

        // A further extension would exceed the 30-day maximum.
        let mut more = events.to_vec();
        more.push(extended("2025-11-21", 1));
        assert_eq!(
            ClockState::from_events(&r, &more, &c),
            Err(ClockError::ExtensionTooLong {
                index: 4,
                requested: 1,
                used: 30,
                max: 30
            })
        );
    }

    #[test]
    fn calendar_rule_suspension_rolls_from_unrolled_end() {
        // 15 days from 2025-09-16 end 10-01 → rolled to 10-09. A 2-day
        // suspension moves the unrolled end to 10-03, still inside 国庆: 10-09.
        let c = cal();
        let r = rule(15, DayKind::Calendar, None);
        let st = ClockState::from_events(
            &r,
            &[
                started("2025-09-16"),
                suspended("2025-09-20"),
                resumed("2025-09-22"),
            ],
            &c,
        )
        .expect("valid");
        assert_eq!(st.original_deadline, d("2025-10-09"));
        assert_eq!(st.suspended_for, 2);
        assert_eq!(st.current_deadline, Some(d("2025-10-09")));
        // 10 days of suspension: unrolled 10-11, a 调休 Saturday (working day).
        let st = ClockState::from_events(
            &r,
            &[
                started("2025-09-16"),
                suspended("2025-09-20"),
                resumed("2025-09-30"),
            ],
            &c,
        )
        .expect("valid");
        assert_eq!(st.current_deadline, Some(d("2025-10-11")));
    }

    #[test]
    fn statuses_over_time() {
        let c = cal();
        // 5 working days from Friday 2026-02-06: 2/9..2/13 → deadline 2026-02-13.
        let r = rule(5, DayKind::Working, None);
        let st = ClockState::from_events(&r, &[started("2026-02-06")], &c).expect("valid");
        assert_eq!(st.current_deadline, Some(d("2026-02-13")));
        let read = |s: &str| st.reading(d(s), &c).expect("covered");
        assert_eq!(read("2026-02-09").status, ClockStatus::OnTime);
        assert_eq!(read("2026-02-09").days_left, Some(4));
        assert_eq!(read("2026-02-10").status, ClockStatus::DueSoon);
        assert_eq!(read("2026-02-13").status, ClockStatus::DueSoon);
        assert_eq!(read("2026-02-13").days_left, Some(0));
        assert_eq!(read("2026-02-14").status, ClockStatus::Overdue);
        // 2/14 is a 调休 Saturday: one working day overdue.
        assert_eq!(read("2026-02-14").days_left, Some(-1));
        // Through 春节 the count stays at -1.
        assert_eq!(read("2026-02-20").days_left, Some(-1));
        assert_eq!(read("2026-02-24").days_left, Some(-2));

        let done =
            ClockState::from_events(&r, &[started("2026-02-06"), completed("2026-02-24")], &c)
                .expect("valid");
        assert_eq!(
            done.reading(d("2026-03-02"), &c).expect("covered").status,
            ClockStatus::Completed {
                on: d("2026-02-24"),
                on_time: false,
                late_by: 2
            }
        );
        let ok = ClockState::from_events(&r, &[started("2026-02-06"), completed("2026-02-13")], &c)
            .expect("valid");
        assert_eq!(
            ok.completion,
            Some(Completion {
                on: d("2026-02-13"),
                on_time: true,
                late_by: 0
            })
        );

        let susp =
            ClockState::from_events(&r, &[started("2026-02-06"), suspended("2026-02-10")], &c)
                .expect("valid");
        let reading = susp.reading(d("2026-03-30"), &c).expect("covered");
        assert_eq!(
            reading.status,
            ClockStatus::Suspended {
                since: d("2026-02-10")
            }
        );
        assert_eq!(reading.days_left, Some(3));
        assert_eq!(reading.deadline, Some(d("2026-02-13")));
        assert_eq!(susp.current_deadline, None);
    }

    #[test]
    fn calendar_days_left_in_calendar_days() {
        // 处罚法 第六十七条: 15 days to pay from 2026-04-21 → 05-06 after 劳动节.
        let c = cal();
        let r = rule(15, DayKind::Calendar, None);
        let st = ClockState::from_events(&r, &[started("2026-04-21")], &c).expect("valid");
        assert_eq!(st.current_deadline, Some(d("2026-05-06")));
        let reading = st.reading(d("2026-04-30"), &c).expect("covered");
        assert_eq!(reading.days_left, Some(6));
        assert_eq!(reading.unit, CountUnit::CalendarDays);
        // 4/30 → 5/6 is one working day: due soon.
        assert_eq!(reading.status, ClockStatus::DueSoon);
    }

    #[test]
    fn backward_rules() {
        let c = cal();
        // Notify at least 7 working days before a hearing on Tuesday 2026-10-13:
        // the 7 working days before it are 10/12, 10/10 (调休), 10/9, 10/8, 9/30,
        // 9/29 and 9/28, so the notice is due by Monday 9/28.
        let mut r = rule(7, DayKind::Working, None);
        r.direction = Direction::Before;
        let hearing = d("2026-10-13");
        let st =
            ClockState::from_events(&r, &[ClockEvent::Started { on: hearing }], &c).expect("valid");
        let deadline = st.current_deadline.expect("running");
        assert_eq!(c.add_workdays(deadline, 7), Ok(hearing));
        assert_eq!(deadline, d("2026-09-28"));
        assert_eq!(
            ClockState::from_events(
                &r,
                &[ClockEvent::Started { on: hearing }, suspended("2026-09-01")],
                &c
            ),
            Err(ClockError::SuspendBackwardRule { index: 1 })
        );
        let done = ClockState::from_events(
            &r,
            &[ClockEvent::Started { on: hearing }, completed("2026-09-25")],
            &c,
        )
        .expect("valid");
        assert_eq!(done.completion.map(|c| c.on_time), Some(true));
        let late = ClockState::from_events(
            &r,
            &[ClockEvent::Started { on: hearing }, completed("2026-09-30")],
            &c,
        )
        .expect("valid");
        assert_eq!(
            late.completion,
            Some(Completion {
                on: d("2026-09-30"),
                on_time: false,
                late_by: 2
            })
        );
        // 30 calendar days before an expiry on 2026-10-31 = 10-01 (国庆) → rolls back to 9-30.
        let mut r = rule(30, DayKind::Calendar, None);
        r.direction = Direction::Before;
        assert_eq!(r.deadline(d("2026-10-31"), &c), Ok(d("2026-09-30")));
    }

    #[test]
    fn invalid_histories() {
        let c = cal();
        let r = rule(5, DayKind::Working, None);
        assert_eq!(
            ClockState::from_events(&r, &[], &c),
            Err(ClockError::NoEvents)
        );
        assert_eq!(
            ClockState::from_events(&r, &[resumed("2026-03-02")], &c),
            Err(ClockError::NotStarted { index: 0 })
        );
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-03-02"), started("2026-03-03")], &c),
            Err(ClockError::AlreadyStarted { index: 1 })
        );
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-03-02"), suspended("2026-03-01")], &c),
            Err(ClockError::OutOfOrder {
                index: 1,
                date: d("2026-03-01"),
                previous: d("2026-03-02")
            })
        );
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-03-02"), resumed("2026-03-03")], &c),
            Err(ClockError::NotSuspended { index: 1 })
        );
        assert_eq!(
            ClockState::from_events(
                &r,
                &[
                    started("2026-03-02"),
                    suspended("2026-03-03"),
                    suspended("2026-03-04")
                ],
                &c
            ),
            Err(ClockError::AlreadySuspended { index: 2 })
        );
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-03-02"), suspended("2026-03-10")], &c),
            Err(ClockError::AfterDeadline {
                index: 1,
                date: d("2026-03-10"),
                deadline: d("2026-03-09")
            })
        );
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-03-02"), extended("2026-03-03", 1)], &c),
            Err(ClockError::ExtensionNotAllowed {
                index: 1,
                rule: "test".into()
            })
        );
        assert_eq!(
            ClockState::from_events(
                &r,
                &[
                    started("2026-03-02"),
                    completed("2026-03-03"),
                    completed("2026-03-04")
                ],
                &c
            ),
            Err(ClockError::AlreadyCompleted { index: 2 })
        );
        let r = rule(60, DayKind::Working, Some(30));
        assert_eq!(
            ClockState::from_events(
                &r,
                &[
                    started("2026-03-02"),
                    suspended("2026-03-03"),
                    extended("2026-03-04", 5)
                ],
                &c
            ),
            Err(ClockError::ExtendWhileSuspended { index: 2 })
        );
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-03-02"), extended("2026-03-04", 0)], &c),
            Err(ClockError::ZeroExtension { index: 1 })
        );
        let unjustified = ClockEvent::Extended {
            on: d("2026-03-04"),
            by: 5,
            approved_by: " ".into(),
            reason: "x".into(),
        };
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-03-02"), unjustified], &c),
            Err(ClockError::ExtensionUnjustified { index: 1 })
        );
        assert_eq!(
            ClockState::from_events(&r, &[started("2026-11-02")], &c),
            Err(ClockError::Calendar(CalendarError::MissingYear(2027)))
        );
    }

    #[test]
    fn events_round_trip_as_json() {
        let ev = extended("2026-03-04", 5);
        let json = serde_json::to_string(&ev).expect("serialise");
        assert!(json.contains(r#""event":"extended""#), "{json}");
        let back: ClockEvent = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, ev);
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..(3 * 365 - 200)).prop_map(|o| d("2024-01-01") + chrono::Duration::days(o))
    }

    fn rank(s: ClockStatus) -> u8 {
        match s {
            ClockStatus::OnTime => 0,
            ClockStatus::DueSoon => 1,
            ClockStatus::Overdue => 2,
            ClockStatus::Suspended { .. } | ClockStatus::Completed { .. } => 3,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn suspension_moves_working_deadline_by_k(
            start in any_date(),
            period in 1u32..90,
            at in 0u32..90,
            len in 0i64..60,
        ) {
            let c = cal();
            let r = rule(period, DayKind::Working, None);
            let original = r.deadline(start, &c).expect("covered");
            // Suspend on some day between the start and the deadline.
            let span = (original - start).num_days();
            let s = start + chrono::Duration::days(i64::from(at) % (span + 1));
            let back = s + chrono::Duration::days(len);
            let st = ClockState::from_events(
                &r,
                &[ClockEvent::Started { on: start }, ClockEvent::Suspended { on: s, reason: "x".into() }, ClockEvent::Resumed { on: back }],
                &c,
            );
            if let Ok(st) = st {
                let k = c.workdays_between(s, back).expect("covered");
                let new = st.current_deadline.expect("running");
                prop_assert_eq!(c.workdays_between(original, new), Ok(k));
                prop_assert_eq!(c.add_workdays(original, u32::try_from(k).expect("k >= 0")), Ok(new));
                prop_assert_eq!(c.is_workday(new), Ok(true));
                prop_assert_eq!(i64::from(st.suspended_for), k);
            }
        }

        #[test]
        fn calendar_clock_deadline_is_working_day(
            start in any_date(),
            period in 1u32..120,
            ext in 0u32..30,
            len in 0i64..40,
        ) {
            let c = cal();
            let r = rule(period, DayKind::Calendar, Some(30));
            let s = start + chrono::Duration::days(1);
            let mut events = vec![ClockEvent::Started { on: start }];
            events.push(ClockEvent::Suspended { on: s, reason: "x".into() });
            events.push(ClockEvent::Resumed { on: s + chrono::Duration::days(len) });
            if ext > 0 {
                events.push(extended(&(s + chrono::Duration::days(len)).to_string(), ext));
            }
            if let Ok(st) = ClockState::from_events(&r, &events, &c) {
                let deadline = st.current_deadline.expect("running");
                prop_assert_eq!(c.is_workday(deadline), Ok(true));
                prop_assert_eq!(c.is_workday(st.original_deadline), Ok(true));
                let unrolled = start + chrono::Duration::days(i64::from(period + ext) + len);
                prop_assert_eq!(c.roll_forward(unrolled, RollOver::NextWorkday), Ok(deadline));
            }
        }

        #[test]
        fn status_only_moves_forward(
            start in any_date(),
            period in 1u32..40,
            kind in prop_oneof![Just(DayKind::Working), Just(DayKind::Calendar)],
            due_soon in 0u32..6,
        ) {
            let c = cal();
            let mut r = rule(period, kind, None);
            r.due_soon_workdays = due_soon;
            let Ok(st) = ClockState::from_events(&r, &[ClockEvent::Started { on: start }], &c) else {
                return Ok(());
            };
            let deadline = st.current_deadline.expect("running");
            let mut last = 0;
            for day in start.iter_days().take(100) {
                let Ok(reading) = st.reading(day, &c) else { break };
                let now = rank(reading.status);
                prop_assert!(now >= last, "{:?} after rank {} on {}", reading.status, last, day);
                prop_assert_eq!(reading.status == ClockStatus::Overdue, day > deadline);
                if day == deadline {
                    prop_assert_eq!(reading.status, ClockStatus::DueSoon);
                    prop_assert_eq!(reading.days_left, Some(0));
                }
                last = now;
            }
            // Completing stops the clock: the status no longer depends on the day.
            let done_on = deadline + chrono::Duration::days(2);
            if let Ok(done) = ClockState::from_events(
                &r,
                &[ClockEvent::Started { on: start }, ClockEvent::Completed { on: done_on }],
                &c,
            ) {
                let a = done.reading(start, &c).map(|x| x.status);
                let b = done.reading(done_on, &c).map(|x| x.status);
                let late = matches!(a, Ok(ClockStatus::Completed { on_time: false, .. }));
                prop_assert_eq!(a, b);
                prop_assert!(late);
            }
        }
    }
}
