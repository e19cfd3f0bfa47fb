//! The clock rules as data (`assets/rules/clocks.toml`, format documented at
//! the top of that file), parsed and validated here.
//!
//! The defaults encode the periods of law.md §0 with their legal basis:
//!
//! | code | period | basis |
//! |---|---|---|
//! | `complaint.accept`, `complaint.reject` | 5 working days | 若干规定 第十八条 |
//! | `investigation` | 60 working days, +30 with approval | 劳动保障监察条例 第十七条 |
//! | `limitation` | 24 months | 劳动保障监察条例 第二十条 |
//! | `hearing.request` | 5 working days | 行政处罚法 第六十四条(一), 第八十五条 |
//! | `hearing.notice` | 7 working days before the hearing | 行政处罚法 第六十四条(二), 第八十五条 |
//! | `penalty.decision` | 90 days (uncertain for labour inspection) | 行政处罚法 第六十条 |
//! | `penalty.service` | 7 working days | 行政处罚法 第六十一条, 第八十五条 |
//! | `fine.payment` | 15 days | 行政处罚法 第六十七条第三款 |
//! | `publicity.penalty_licensing` / `publicity.other` | 7 / 20 working days | 国办发〔2018〕118号 |
//! | `review.apply` / `review.decide` / `enforcement_complaint.answer` | 10 / 15 / 30 days (day kind unstated, uncertain) | seed 《事中事后监督管理制度》 |
//! | `licence.renewal` | 30 working days before expiry | 行政许可法 第五十条, 第八十二条 |
//! | `service.public_notice` | 30 days | 民事诉讼法 第九十五条 |
//!
//! Periods whose day kind the source does not state are marked
//! `uncertain = true` and default to calendar days with roll-over; a
//! deployment overrides them with [`RuleSet::set_day_kind`] once the bureau's
//! 法制机构 has decided.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::clock::{ClockRule, DayKind, Direction};

/// The default rules shipped with the binary.
pub const DEFAULT_RULES: &str = include_str!("../../../assets/rules/clocks.toml");

/// The rule data is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("rule file is not valid TOML or has unexpected fields: {0}")]
    Syntax(String),
    #[error("no rules defined")]
    NoRules,
    #[error("rule code {0:?} is not of the form part.part (lowercase letters, digits, _)")]
    InvalidCode(String),
    #[error("rule code {0} is defined more than once")]
    DuplicateCode(String),
    #[error("rule {0} is not defined")]
    UnknownCode(String),
    #[error("rule {code}: {field} must not be empty")]
    EmptyField { code: String, field: &'static str },
    #[error("rule {0}: the period must be at least 1")]
    ZeroPeriod(String),
    #[error("rule {code}: max_extension {max} must be between 1 and the period {period}")]
    BadExtension { code: String, max: u32, period: u32 },
    #[error("rule {0}: a period counted back from its anchor cannot be extended")]
    ExtensionOnBackwardRule(String),
}

fn valid_code(code: &str) -> bool {
    code.split('.').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

impl ClockRule {
    /// Checks one rule: code format, non-empty texts, a period of at least 1,
    /// `1 <= max_extension <= period`, no extension on `Before` rules.
    pub fn validate(&self) -> Result<(), RuleError> {
        if !valid_code(&self.code) {
            return Err(RuleError::InvalidCode(self.code.clone()));
        }
        let empty = |field| RuleError::EmptyField {
            code: self.code.clone(),
            field,
        };
        if self.name_zh.trim().is_empty() {
            return Err(empty("name_zh"));
        }
        if self.legal_basis.trim().is_empty() {
            return Err(empty("legal_basis"));
        }
        if self.period == 0 {
            return Err(RuleError::ZeroPeriod(self.code.clone()));
        }
        if let Some(max) = self.max_extension {
            if self.direction == Direction::Before {
                return Err(RuleError::ExtensionOnBackwardRule(self.code.clone()));
            }
            if max == 0 || max > self.period {
                return Err(RuleError::BadExtension {
                    code: self.code.clone(),
                    max,
                    period: self.period,
                });
            }
        }
        Ok(())
    }
}

/// A validated set of rules with unique codes, in definition order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    rules: Vec<ClockRule>,
    by_code: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    rule: Vec<ClockRule>,
}

impl RuleSet {
    /// Validates every rule and the uniqueness of the codes.
    pub fn new(rules: Vec<ClockRule>) -> Result<Self, RuleError> {
        if rules.is_empty() {
            return Err(RuleError::NoRules);
        }
        let mut by_code = BTreeMap::new();
        for (i, r) in rules.iter().enumerate() {
            r.validate()?;
            if by_code.insert(r.code.clone(), i).is_some() {
                return Err(RuleError::DuplicateCode(r.code.clone()));
            }
        }
        Ok(Self { rules, by_code })
    }

    /// Parses rule TOML (format: header of `assets/rules/clocks.toml`).
    pub fn from_toml(text: &str) -> Result<Self, RuleError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| RuleError::Syntax(e.to_string()))?;
        Self::new(raw.rule)
    }

    /// The rules shipped with the binary ([`DEFAULT_RULES`]).
    pub fn china_default() -> Result<Self, RuleError> {
        Self::from_toml(DEFAULT_RULES)
    }

    pub fn get(&self, code: &str) -> Option<&ClockRule> {
        self.by_code.get(code).and_then(|&i| self.rules.get(i))
    }

    pub fn iter(&self) -> impl Iterator<Item = &ClockRule> {
        self.rules.iter()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Rules whose period or day kind still needs the bureau's confirmation.
    pub fn uncertain(&self) -> impl Iterator<Item = &ClockRule> {
        self.rules.iter().filter(|r| r.uncertain)
    }

    /// Overrides the day kind of one rule (deployment configuration, e.g.
    /// once the bureau decides that 复查 periods are working days).
    pub fn set_day_kind(&mut self, code: &str, day_kind: DayKind) -> Result<(), RuleError> {
        let rule = self
            .by_code
            .get(code)
            .and_then(|&i| self.rules.get_mut(i))
            .ok_or_else(|| RuleError::UnknownCode(code.to_string()))?;
        rule.day_kind = day_kind;
        rule.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{RollOver, WorkCalendar};
    use crate::clock::DEFAULT_DUE_SOON_WORKDAYS;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn defaults() -> RuleSet {
        RuleSet::china_default().expect("default rules are valid")
    }

    #[test]
    fn default_rules_encode_law_md() {
        let rules = defaults();
        let expect = [
            ("complaint.accept", 5, DayKind::Working, None),
            ("investigation", 60, DayKind::Working, Some(30)),
            ("limitation", 24, DayKind::Months, None),
            ("hearing.request", 5, DayKind::Working, None),
            ("hearing.notice", 7, DayKind::Working, None),
            ("penalty.service", 7, DayKind::Working, None),
            ("fine.payment", 15, DayKind::Calendar, None),
            ("publicity.penalty_licensing", 7, DayKind::Working, None),
            ("publicity.other", 20, DayKind::Working, None),
            ("review.apply", 10, DayKind::Calendar, None),
            ("review.decide", 15, DayKind::Calendar, None),
            ("enforcement_complaint.answer", 30, DayKind::Calendar, None),
            ("licence.renewal", 30, DayKind::Working, None),
            ("service.public_notice", 30, DayKind::Calendar, None),
        ];
        for (code, period, kind, max) in expect {
            let r = rules.get(code).unwrap_or_else(|| panic!("rule {code}"));
            assert_eq!(
                (r.period, r.day_kind, r.max_extension),
                (period, kind, max),
                "{code}"
            );
            assert!(!r.legal_basis.is_empty());
        }
        let get = |code| rules.get(code).expect("rule");
        assert!(get("investigation").legal_basis.contains("第十七条"));
        assert!(get("complaint.accept").legal_basis.contains("第十八条"));
        assert!(get("limitation").legal_basis.contains("第二十条"));
        assert!(get("fine.payment").legal_basis.contains("第六十七条"));
        assert!(
            get("publicity.other")
                .legal_basis
                .contains("国办发〔2018〕118号")
        );
        assert_eq!(get("hearing.notice").direction, Direction::Before);
        assert_eq!(get("licence.renewal").direction, Direction::Before);
        assert_eq!(get("fine.payment").roll_over, RollOver::NextWorkday);
        assert_eq!(
            get("complaint.accept").due_soon_workdays,
            DEFAULT_DUE_SOON_WORKDAYS
        );
        let uncertain: Vec<_> = rules.uncertain().map(|r| r.code.as_str()).collect();
        for code in [
            "review.apply",
            "review.decide",
            "enforcement_complaint.answer",
        ] {
            assert!(uncertain.contains(&code), "{code} must be marked uncertain");
        }
    }

    #[test]
    fn default_rules_compute_deadlines() {
        let cal = WorkCalendar::china_default().expect("calendar");
        let rules = defaults();
        let deadline = |code, start| {
            rules
                .get(code)
                .expect("rule")
                .deadline(d(start), &cal)
                .expect("covered")
        };
        // Complaint received on the Friday before 春节 2026.
        assert_eq!(deadline("complaint.accept", "2026-02-13"), d("2026-02-27"));
        // Fine decision received 2025-09-16: 15 days end 10-01 → 10-09.
        assert_eq!(deadline("fine.payment", "2025-09-16"), d("2025-10-09"));
        // 复查 within 10 days of 2026-09-21: 10-01 → 10-08.
        assert_eq!(deadline("review.apply", "2026-09-21"), d("2026-10-08"));
        // Limitation of an act on 2024-10-01 ends 2026-10-01 → 10-08.
        assert_eq!(deadline("limitation", "2024-10-01"), d("2026-10-08"));
    }

    fn rule_text(extra: &str) -> String {
        format!(
            "[[rule]]\ncode = \"a.b\"\nname_zh = \"x\"\nperiod = 5\nday_kind = \"working\"\nlegal_basis = \"y\"\n{extra}\n"
        )
    }

    #[test]
    fn validation() {
        assert!(RuleSet::from_toml(&rule_text("")).is_ok());
        let dup = format!("{}{}", rule_text(""), rule_text(""));
        assert_eq!(
            RuleSet::from_toml(&dup),
            Err(RuleError::DuplicateCode("a.b".into()))
        );
        assert_eq!(
            RuleSet::from_toml(&rule_text("").replace("period = 5", "period = 0")),
            Err(RuleError::ZeroPeriod("a.b".into()))
        );
        assert_eq!(
            RuleSet::from_toml(&rule_text("max_extension = 0")),
            Err(RuleError::BadExtension {
                code: "a.b".into(),
                max: 0,
                period: 5
            })
        );
        assert_eq!(
            RuleSet::from_toml(&rule_text("max_extension = 6")),
            Err(RuleError::BadExtension {
                code: "a.b".into(),
                max: 6,
                period: 5
            })
        );
        assert_eq!(
            RuleSet::from_toml(&rule_text("max_extension = 2\ndirection = \"before\"")),
            Err(RuleError::ExtensionOnBackwardRule("a.b".into()))
        );
        assert_eq!(
            RuleSet::from_toml(&rule_text("").replace("a.b", "A-b")),
            Err(RuleError::InvalidCode("A-b".into()))
        );
        assert_eq!(
            RuleSet::from_toml(&rule_text("").replace("a.b", "a..b")),
            Err(RuleError::InvalidCode("a..b".into()))
        );
        assert_eq!(
            RuleSet::from_toml(
                &rule_text("").replace("legal_basis = \"y\"", "legal_basis = \" \"")
            ),
            Err(RuleError::EmptyField {
                code: "a.b".into(),
                field: "legal_basis"
            })
        );
        assert!(matches!(
            RuleSet::from_toml(&rule_text("perod = 3")),
            Err(RuleError::Syntax(_))
        ));
        assert!(matches!(
            RuleSet::from_toml(&rule_text("").replace("\"working\"", "\"weekly\"")),
            Err(RuleError::Syntax(_))
        ));
        assert_eq!(RuleSet::from_toml(""), Err(RuleError::NoRules));
    }

    #[test]
    fn day_kind_override() {
        let mut rules = defaults();
        rules
            .set_day_kind("review.apply", DayKind::Working)
            .expect("known rule");
        assert_eq!(
            rules.get("review.apply").map(|r| r.day_kind),
            Some(DayKind::Working)
        );
        assert_eq!(
            rules.set_day_kind("nope", DayKind::Working),
            Err(RuleError::UnknownCode("nope".into()))
        );
    }
}
