//! The document catalogue (文书目录) as data: `assets/documents/catalogue.toml`
//! (format documented at the top of that file), parsed and validated here, and
//! the pure rules of the issue flow and of service (送达).
//!
//! A document type says who issues it, its number prefix, which procedure
//! steps may issue it, whether the legal office must review it (法制审核), the
//! fields a drafter fills in, and which statutory clocks its service starts.
//! The effective service date follows the method ([`ServiceMethod`]):
//! 公告送达 is deemed served when the period of the `service.public_notice`
//! rule (民事诉讼法 第九十五条: 30 days) has passed; the other methods take
//! effect on the day recorded.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkCalendar};
use crate::clock::ClockRule;
use crate::org::UnitKind;
use crate::rules::RuleSet;
use crate::validate::FieldErrors;

/// The catalogue shipped with the binary.
pub const DEFAULT_CATALOGUE: &str = include_str!("../../../assets/documents/catalogue.toml");

/// Procedure steps a document type may name in `steps`.
pub const STEPS: &[(&str, &str)] = &[
    ("supervision.inspection", "执法监督检查"),
    ("supervision.finding", "执法监督处理"),
    ("supervision.review", "复查"),
    ("enforcement_complaint.answer", "执法投诉举报处理"),
    ("delegated.inspection", "承接机关监督检查"),
    ("delegated.finding", "承接机关监督处理"),
    ("delegated.revocation", "撤销行政许可"),
    ("sector.inspection", "行业监管检查"),
    ("complaint.answer", "投诉举报答复"),
    ("case.register", "登记立案"),
    ("case.investigate", "调查取证"),
    ("case.prior_notice", "事先告知"),
    ("case.decide", "作出决定"),
    ("case.close", "结案"),
    ("service", "送达"),
];

/// The data catalogue is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("document catalogue is not valid TOML or has unexpected fields: {0}")]
    Syntax(String),
    #[error("no document types defined")]
    Empty,
    #[error("document type code {0:?} is not lowercase letters, digits and _")]
    InvalidCode(String),
    #[error("document type {0} is defined more than once")]
    Duplicate(String),
    #[error("document type {code}: {field} must not be empty")]
    EmptyField { code: String, field: &'static str },
    #[error("document type {code}: unknown issuer unit kind {kind:?}")]
    UnknownIssuer { code: String, kind: String },
    #[error("document type {code}: unknown procedure step {step:?}")]
    UnknownStep { code: String, step: String },
    #[error("document type {code}: clock rule {rule} is not defined")]
    UnknownRule { code: String, rule: String },
    #[error("document type {code}: clocks start on service, but served = false")]
    ClocksWithoutService { code: String },
    #[error("document type {code}: field {field:?} is defined twice or is not a valid key")]
    BadField { code: String, field: String },
    #[error("document type {code}: period_field {field:?} is not an integer field of the type")]
    BadPeriodField { code: String, field: String },
    #[error("document type {code}: number prefix {prefix:?} must be 1–20 characters without 〔〕")]
    BadPrefix { code: String, prefix: String },
}

/// The kind of a data field; the draft form and the API validate by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Textarea,
    Date,
    Integer,
    /// An amount of money in yuan, up to two decimals.
    Money,
    /// A list of strings, one per line in the form.
    Lines,
}

impl FieldKind {
    pub fn code(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Textarea => "textarea",
            FieldKind::Date => "date",
            FieldKind::Integer => "integer",
            FieldKind::Money => "money",
            FieldKind::Lines => "lines",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub key: String,
    pub label_zh: String,
    #[serde(default)]
    pub label_en: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
}

/// A clock that the service of a document starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockStart {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocType {
    pub code: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// Unit kind code of the issuing organ.
    pub issuer: String,
    pub number_prefix: String,
    pub steps: Vec<String>,
    pub legal_review: bool,
    pub served: bool,
    pub legal_basis: String,
    #[serde(default)]
    pub starts: Vec<ClockStart>,
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
}

/// A field key: one or two parts (`party.name` is the `name` of the object
/// `party`).
fn valid_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    parts.len() <= 2 && parts.iter().all(|p| valid_code(p))
}

/// The value of a (possibly dotted) field key in a document's data.
pub fn lookup<'a>(data: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    key.split('.').try_fold(data, |v, part| v.get(part))
}

/// Sets a (possibly dotted) field key in a data object, creating the inner
/// object when needed.
pub fn insert(
    data: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    v: serde_json::Value,
) {
    match key.split_once('.') {
        Some((outer, inner)) => {
            let e = data
                .entry(outer.to_string())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if !e.is_object() {
                *e = serde_json::Value::Object(serde_json::Map::new());
            }
            if let Some(m) = e.as_object_mut() {
                m.insert(inner.to_string(), v);
            }
        }
        None => {
            data.insert(key.to_string(), v);
        }
    }
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl DocType {
    /// The issuing unit kind.
    pub fn issuer_kind(&self) -> Option<UnitKind> {
        UnitKind::from_code(&self.issuer)
    }

    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    fn validate(&self, rules: &RuleSet) -> Result<(), CatalogueError> {
        let code = || self.code.clone();
        if !valid_code(&self.code) {
            return Err(CatalogueError::InvalidCode(code()));
        }
        for (field, v) in [
            ("name_zh", &self.name_zh),
            ("legal_basis", &self.legal_basis),
        ] {
            if v.trim().is_empty() {
                return Err(CatalogueError::EmptyField {
                    code: code(),
                    field,
                });
            }
        }
        check_prefix(&self.code, &self.number_prefix)?;
        if self.issuer_kind().is_none() {
            return Err(CatalogueError::UnknownIssuer {
                code: code(),
                kind: self.issuer.clone(),
            });
        }
        if self.steps.is_empty() {
            return Err(CatalogueError::EmptyField {
                code: code(),
                field: "steps",
            });
        }
        for s in &self.steps {
            if !STEPS.iter().any(|(k, _)| k == s) {
                return Err(CatalogueError::UnknownStep {
                    code: code(),
                    step: s.clone(),
                });
            }
        }
        if !self.starts.is_empty() && !self.served {
            return Err(CatalogueError::ClocksWithoutService { code: code() });
        }
        let mut keys = BTreeSet::new();
        for f in &self.fields {
            if !valid_key(&f.key) || !keys.insert(f.key.as_str()) || f.label_zh.trim().is_empty() {
                return Err(CatalogueError::BadField {
                    code: code(),
                    field: f.key.clone(),
                });
            }
        }
        for s in &self.starts {
            if rules.get(&s.rule).is_none() {
                return Err(CatalogueError::UnknownRule {
                    code: code(),
                    rule: s.rule.clone(),
                });
            }
            if let Some(pf) = &s.period_field {
                let ok = self.fields.is_empty()
                    || self.field(pf).is_some_and(|f| f.kind == FieldKind::Integer);
                if !ok || !valid_key(pf) {
                    return Err(CatalogueError::BadPeriodField {
                        code: code(),
                        field: pf.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks a draft's data against the field list: an object; required
    /// fields present and non-empty; dates, integers and amounts well formed.
    /// Keys not in the list are kept (templates may read extra data).
    pub fn check_data(&self, data: &serde_json::Value) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        if !data.is_object() {
            errs.add("data", "err.doc_data_object");
            return Err(errs);
        }
        for f in &self.fields {
            let v = lookup(data, &f.key);
            let empty = match v {
                None | Some(serde_json::Value::Null) => true,
                Some(serde_json::Value::String(s)) => s.trim().is_empty(),
                Some(serde_json::Value::Array(a)) => a.is_empty(),
                Some(_) => false,
            };
            if empty {
                if f.required {
                    errs.add(&f.key, "err.required");
                }
                continue;
            }
            let Some(v) = v else { continue };
            let ok = match f.kind {
                FieldKind::Text | FieldKind::Textarea => v.is_string(),
                FieldKind::Date => v
                    .as_str()
                    .is_some_and(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
                FieldKind::Integer => {
                    v.as_u64().is_some_and(|n| n <= 100_000)
                        || v.as_str()
                            .is_some_and(|s| s.trim().parse::<u32>().is_ok_and(|n| n <= 100_000))
                }
                FieldKind::Money => match v {
                    serde_json::Value::Number(n) => n.as_f64().is_some_and(|x| x >= 0.0),
                    serde_json::Value::String(s) => parse_money(s).is_some(),
                    _ => false,
                },
                FieldKind::Lines => v
                    .as_array()
                    .is_some_and(|a| a.iter().all(serde_json::Value::is_string)),
            };
            if !ok {
                let key = match f.kind {
                    FieldKind::Date => "err.date",
                    FieldKind::Integer => "err.integer",
                    FieldKind::Money => "err.money",
                    _ => "err.invalid",
                };
                errs.add(&f.key, key);
            }
        }
        errs.into_result()
    }

    /// The clock rules its service starts, with the period a document's data
    /// sets (`period_field`) applied. A period field that is absent or not a
    /// positive integer leaves the rule's default period.
    pub fn clock_rules(
        &self,
        rules: &RuleSet,
        data: &serde_json::Value,
    ) -> Result<Vec<ClockRule>, CatalogueError> {
        let mut out = Vec::new();
        for s in &self.starts {
            let mut rule =
                rules
                    .get(&s.rule)
                    .cloned()
                    .ok_or_else(|| CatalogueError::UnknownRule {
                        code: self.code.clone(),
                        rule: s.rule.clone(),
                    })?;
            if let Some(pf) = &s.period_field
                && let Some(n) = lookup(data, pf).and_then(|v| {
                    v.as_u64()
                        .or_else(|| v.as_str().and_then(|s| s.trim().parse::<u64>().ok()))
                })
                && (1..=3650).contains(&n)
            {
                rule.period = n as u32;
                if let Some(max) = rule.max_extension
                    && max > rule.period
                {
                    rule.max_extension = Some(rule.period);
                }
            }
            out.push(rule);
        }
        Ok(out)
    }
}

fn check_prefix(code: &str, prefix: &str) -> Result<(), CatalogueError> {
    let n = prefix.chars().count();
    if n == 0 || n > 20 || prefix.contains(['〔', '〕']) || prefix.trim() != prefix {
        return Err(CatalogueError::BadPrefix {
            code: code.to_string(),
            prefix: prefix.to_string(),
        });
    }
    Ok(())
}

/// Parses an amount in yuan ("2000", "2000.5", "2,000.50") into fen.
pub fn parse_money(s: &str) -> Option<u64> {
    let s = s.trim().replace([',', '，'], "");
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let yuan: u64 = int.parse().ok()?;
    let fen: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    yuan.checked_mul(100)?.checked_add(fen)
}

/// A validated catalogue with unique codes, in definition order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    types: Vec<DocType>,
    by_code: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    #[serde(default, rename = "type")]
    types: Vec<DocType>,
}

impl Catalogue {
    pub fn new(types: Vec<DocType>, rules: &RuleSet) -> Result<Self, CatalogueError> {
        if types.is_empty() {
            return Err(CatalogueError::Empty);
        }
        let mut by_code = BTreeMap::new();
        for (i, t) in types.iter().enumerate() {
            t.validate(rules)?;
            if by_code.insert(t.code.clone(), i).is_some() {
                return Err(CatalogueError::Duplicate(t.code.clone()));
            }
        }
        Ok(Self { types, by_code })
    }

    pub fn from_toml(text: &str, rules: &RuleSet) -> Result<Self, CatalogueError> {
        let raw: RawCatalogue =
            toml::from_str(text).map_err(|e| CatalogueError::Syntax(e.to_string()))?;
        Self::new(raw.types, rules)
    }

    /// The catalogue shipped with the binary, checked against `rules`.
    pub fn china_default(rules: &RuleSet) -> Result<Self, CatalogueError> {
        Self::from_toml(DEFAULT_CATALOGUE, rules)
    }

    pub fn get(&self, code: &str) -> Option<&DocType> {
        self.by_code.get(code).and_then(|&i| self.types.get(i))
    }

    pub fn iter(&self) -> impl Iterator<Item = &DocType> {
        self.types.iter()
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Overrides the number prefix of one type (deployment configuration).
    pub fn set_prefix(&mut self, code: &str, prefix: &str) -> Result<(), CatalogueError> {
        check_prefix(code, prefix)?;
        let t = self
            .by_code
            .get(code)
            .and_then(|&i| self.types.get_mut(i))
            .ok_or_else(|| CatalogueError::InvalidCode(code.to_string()))?;
        t.number_prefix = prefix.to_string();
        Ok(())
    }
}

/// Methods of service (民事诉讼法 第八十五—九十五条, applied by 行政处罚法
/// 第六十一条) and how each sets the effective date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    /// 直接送达: the date the recipient signs.
    Direct,
    /// 留置送达: the date the document is left.
    Left,
    /// 邮寄送达: the date on the postal receipt.
    Post,
    /// 电子送达: the date it reaches the recipient's system; needs consent on file.
    Electronic,
    /// 委托送达: the date the recipient signs.
    Entrusted,
    /// 公告送达: deemed served when the announcement period has passed.
    Public,
}

impl ServiceMethod {
    pub const ALL: [ServiceMethod; 6] = [
        ServiceMethod::Direct,
        ServiceMethod::Left,
        ServiceMethod::Post,
        ServiceMethod::Electronic,
        ServiceMethod::Entrusted,
        ServiceMethod::Public,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ServiceMethod::Direct => "direct",
            ServiceMethod::Left => "left",
            ServiceMethod::Post => "post",
            ServiceMethod::Electronic => "electronic",
            ServiceMethod::Entrusted => "entrusted",
            ServiceMethod::Public => "public",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ServiceMethod::Direct => "直接送达",
            ServiceMethod::Left => "留置送达",
            ServiceMethod::Post => "邮寄送达",
            ServiceMethod::Electronic => "电子送达",
            ServiceMethod::Entrusted => "委托送达",
            ServiceMethod::Public => "公告送达",
        }
    }

    /// Whether this method needs the recipient's consent on file (电子送达,
    /// 民事诉讼法 第九十条).
    pub fn needs_consent(self) -> bool {
        self == ServiceMethod::Electronic
    }

    /// The effective service date for a service recorded on `served_on`
    /// (for 公告送达, the day the announcement was published). The
    /// announcement period is the `public_notice` rule (default
    /// `service.public_notice`: 30 days).
    pub fn effective_on(
        self,
        served_on: NaiveDate,
        public_notice: &ClockRule,
        cal: &WorkCalendar,
    ) -> Result<NaiveDate, CalendarError> {
        match self {
            ServiceMethod::Public => public_notice.deadline(served_on, cal),
            _ => Ok(served_on),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkCalendar;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn rules() -> RuleSet {
        RuleSet::china_default().expect("rules")
    }

    fn cat() -> Catalogue {
        Catalogue::china_default(&rules()).expect("default catalogue is valid")
    }

    #[test]
    fn default_catalogue_has_the_sixteen_types() {
        let c = cat();
        for name in [
            "执法监督通知书",
            "执法监督决定书",
            "行政执法监督通知书",
            "行政执法监督决定书",
            "复查决定书",
            "投诉举报处理结果告知书",
            "检查记录",
            "劳动保障监察调查询问通知书",
            "责令改正指令书",
            "不予受理通知书",
            "立案审批表",
            "行政处罚事先告知书",
            "行政处罚听证告知书",
            "行政处罚决定书",
            "结案审批表",
            "送达回证",
        ] {
            assert!(c.iter().any(|t| t.name_zh == name), "{name} missing");
        }
        let n = c.get("supervision_notice").expect("notice");
        assert!(n.legal_review && n.served);
        let starts: Vec<_> = n.starts.iter().map(|s| s.rule.as_str()).collect();
        assert_eq!(starts, ["review.apply", "rectification.deadline"]);
    }

    #[test]
    fn invalid_catalogues_are_refused_with_the_reason() {
        let r = rules();
        let base = cat().get("supervision_notice").expect("t").clone();
        let mut t = base.clone();
        t.starts[0].rule = "nope.rule".into();
        assert!(matches!(
            Catalogue::new(vec![t], &r),
            Err(CatalogueError::UnknownRule { .. })
        ));
        let mut t = base.clone();
        t.issuer = "moon".into();
        assert!(matches!(
            Catalogue::new(vec![t], &r),
            Err(CatalogueError::UnknownIssuer { .. })
        ));
        let mut t = base.clone();
        t.steps = vec!["case.fly".into()];
        assert!(matches!(
            Catalogue::new(vec![t], &r),
            Err(CatalogueError::UnknownStep { .. })
        ));
        let mut t = base.clone();
        t.served = false;
        assert!(matches!(
            Catalogue::new(vec![t], &r),
            Err(CatalogueError::ClocksWithoutService { .. })
        ));
        let mut t = base.clone();
        t.number_prefix = "鹿〔".into();
        assert!(matches!(
            Catalogue::new(vec![t], &r),
            Err(CatalogueError::BadPrefix { .. })
        ));
        assert!(matches!(
            Catalogue::new(vec![base.clone(), base], &r),
            Err(CatalogueError::Duplicate(_))
        ));
        assert!(matches!(
            Catalogue::from_toml("[[type]]\ncode = 1", &r),
            Err(CatalogueError::Syntax(_))
        ));
    }

    #[test]
    fn period_field_sets_the_rectification_period() {
        let c = cat();
        let r = rules();
        let n = c.get("supervision_notice").expect("t");
        let rs = n
            .clock_rules(&r, &serde_json::json!({"deadline_days": 20}))
            .expect("rules");
        assert_eq!(rs[0].code, "review.apply");
        assert_eq!(rs[0].period, 10);
        assert_eq!(rs[1].period, 20);
        // Absent or nonsense: the rule's default.
        let rs = n
            .clock_rules(&r, &serde_json::json!({"deadline_days": "abc"}))
            .expect("rules");
        assert_eq!(rs[1].period, 30);
        let rs = n
            .clock_rules(&r, &serde_json::json!({"deadline_days": "15"}))
            .expect("rules");
        assert_eq!(rs[1].period, 15);
    }

    #[test]
    fn public_notice_is_effective_after_thirty_days() {
        let cal = WorkCalendar::china_default().expect("calendar");
        let r = rules();
        let rule = r.get("service.public_notice").expect("rule");
        // 2026-03-02 + 30 = 2026-04-01 (Wednesday, a working day).
        assert_eq!(
            ServiceMethod::Public
                .effective_on(d("2026-03-02"), rule, &cal)
                .expect("ok"),
            d("2026-04-01")
        );
        // 2026-09-01 + 30 = 2026-10-01 (国庆) → next working day 2026-10-08.
        assert_eq!(
            ServiceMethod::Public
                .effective_on(d("2026-09-01"), rule, &cal)
                .expect("ok"),
            d("2026-10-08")
        );
        for m in ServiceMethod::ALL {
            if m != ServiceMethod::Public {
                assert_eq!(
                    m.effective_on(d("2026-10-01"), rule, &cal).expect("ok"),
                    d("2026-10-01")
                );
            }
            assert_eq!(ServiceMethod::from_code(m.code()), Some(m));
        }
        assert!(ServiceMethod::Electronic.needs_consent());
    }

    #[test]
    fn dotted_keys_reach_into_objects() {
        let mut m = serde_json::Map::new();
        insert(&mut m, "party.name", serde_json::json!("甲公司"));
        insert(&mut m, "party.address", serde_json::json!("鹿泉区"));
        insert(&mut m, "case_cause", serde_json::json!("欠薪"));
        let v = serde_json::Value::Object(m);
        assert_eq!(lookup(&v, "party.name"), Some(&serde_json::json!("甲公司")));
        assert_eq!(
            lookup(&v, "party.address"),
            Some(&serde_json::json!("鹿泉区"))
        );
        assert_eq!(lookup(&v, "case_cause"), Some(&serde_json::json!("欠薪")));
        assert_eq!(lookup(&v, "party.phone"), None);
        assert!(valid_key("party.name") && !valid_key("a.b.c") && !valid_key("Party"));
    }

    #[test]
    fn money_parses_to_fen() {
        assert_eq!(parse_money("2000"), Some(200_000));
        assert_eq!(parse_money("2,000.5"), Some(200_050));
        assert_eq!(parse_money("0.05"), Some(5));
        assert_eq!(parse_money("1.234"), None);
        assert_eq!(parse_money("-1"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(parse_money(""), None);
    }

    #[test]
    fn data_is_checked_against_fields() {
        let t = DocType {
            code: "t".into(),
            name_zh: "测试".into(),
            name_en: String::new(),
            issuer: "district_bureau".into(),
            number_prefix: "鹿".into(),
            steps: vec!["service".into()],
            legal_review: false,
            served: true,
            legal_basis: "x".into(),
            starts: vec![],
            fields: vec![
                FieldSpec {
                    key: "party".into(),
                    label_zh: "当事人".into(),
                    label_en: String::new(),
                    kind: FieldKind::Text,
                    required: true,
                },
                FieldSpec {
                    key: "amount".into(),
                    label_zh: "罚款".into(),
                    label_en: String::new(),
                    kind: FieldKind::Money,
                    required: false,
                },
                FieldSpec {
                    key: "on".into(),
                    label_zh: "日期".into(),
                    label_en: String::new(),
                    kind: FieldKind::Date,
                    required: false,
                },
            ],
        };
        assert!(
            t.check_data(&serde_json::json!({"party": "甲公司", "amount": "2000.50"}))
                .is_ok()
        );
        let e = t
            .check_data(&serde_json::json!({"party": " ", "amount": "x", "on": "2026-13-01"}))
            .expect_err("bad");
        assert_eq!(e.get("party"), Some("err.required"));
        assert_eq!(e.get("amount"), Some("err.money"));
        assert_eq!(e.get("on"), Some("err.date"));
        assert!(t.check_data(&serde_json::json!([1])).is_err());
    }
}
