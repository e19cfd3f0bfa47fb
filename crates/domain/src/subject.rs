//! Regulated subjects (监管对象): the 统一社会信用代码 with its GB 32100-2015
//! check character, the alternative key of a subject without one, legal
//! forms, sector roles, and the validation of one subject's fields (shared by
//! the form, the API and the importer).
//!
//! # 统一社会信用代码 (GB 32100-2015)
//!
//! 18 characters from the 31-character set `0-9 A-H J-N P-R T U W-Y` (no I,
//! O, Z, S, V): registration authority (1), organisation type (1), the
//! administrative division of the registering authority (6 digits), the
//! organisation code of GB 11714 (9), and a check character. The check
//! character is `31 - (Σ value(cᵢ) × wᵢ mod 31)` with the weights
//! `3^(i-1) mod 31` (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10,
//! 30, 28), where 31 becomes 0.
//!
//! # Subjects without a code
//!
//! Some 个体工商户 and older bodies have no code. They get an alternative key
//! `NC` + the 6-digit district code + a 10-character suffix (digits and the
//! same alphabet), e.g. `NC1301100000000042`: 18 characters, never a valid
//! code (a code never starts with `N`), so the two kinds cannot collide.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validate::FieldErrors;

/// The 31 characters of the code, in value order.
pub const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value(c: u8) -> Option<u32> {
    USCC_CHARS.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character for the first 17 characters, or `None` when one of
/// them is outside the alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in b.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(USCC_CHARS[check as usize]))
}

/// Why a code is not a valid 统一社会信用代码.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UsccError {
    /// Not 18 characters.
    Length,
    /// A character outside the alphabet (I, O, Z, S, V, lower case, …).
    Charset,
    /// Characters 3–8 are not a 6-digit administrative division code.
    Division,
    /// The check character does not match.
    Check,
}

impl UsccError {
    /// Locale key of the message.
    pub fn key(self) -> &'static str {
        match self {
            UsccError::Length => "err.uscc_length",
            UsccError::Charset => "err.uscc_charset",
            UsccError::Division => "err.uscc_division",
            UsccError::Check => "err.uscc_check",
        }
    }

    /// The message in Chinese (for the importer's rejected-rows report).
    pub fn zh(self) -> &'static str {
        match self {
            UsccError::Length => "统一社会信用代码应为18位",
            UsccError::Charset => "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）",
            UsccError::Division => "统一社会信用代码第3至8位应为行政区划代码（6位数字）",
            UsccError::Check => "统一社会信用代码校验位错误",
        }
    }
}

/// Normalises (trim, upper case, full-width to half-width) and validates a
/// 统一社会信用代码.
pub fn parse_uscc(input: &str) -> Result<String, UsccError> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect::<String>()
        .to_ascii_uppercase();
    if s.chars().count() != 18 {
        return Err(UsccError::Length);
    }
    if !s.bytes().all(|b| value(b).is_some()) {
        return Err(UsccError::Charset);
    }
    if !s.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
        return Err(UsccError::Division);
    }
    match uscc_check_char(&s[..17]) {
        Some(c) if s.ends_with(c) => Ok(s),
        _ => Err(UsccError::Check),
    }
}

/// Completes 17 characters with their check character (test data, the
/// benchmark generator).
pub fn with_check(first17: &str) -> Option<String> {
    uscc_check_char(first17).map(|c| format!("{first17}{c}"))
}

/// Whether a key is an alternative key (`NC…`) rather than a code.
pub fn is_alternative_key(key: &str) -> bool {
    key.len() == 18 && key.starts_with("NC") && key.as_bytes()[2..8].iter().all(u8::is_ascii_digit)
}

/// An alternative key for a subject without a code: district + a sequence.
pub fn alternative_key(district_code: &str, seq: u64) -> Option<String> {
    if district_code.len() != 6 || !district_code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("NC{district_code}{seq:010}"))
}

/// 组织形式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// 企业 (companies and other enterprises)
    Enterprise,
    /// 个体工商户
    IndividualBusiness,
    /// 民办非企业单位 (社会服务机构)
    PrivateNonEnterprise,
    /// 事业单位
    PublicInstitution,
    /// 机关
    GovernmentOrgan,
    /// 社会团体
    SocialOrganisation,
    /// 农民专业合作社
    Cooperative,
    /// 其他
    Other,
}

impl LegalForm {
    pub const ALL: [LegalForm; 8] = [
        LegalForm::Enterprise,
        LegalForm::IndividualBusiness,
        LegalForm::PrivateNonEnterprise,
        LegalForm::PublicInstitution,
        LegalForm::GovernmentOrgan,
        LegalForm::SocialOrganisation,
        LegalForm::Cooperative,
        LegalForm::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LegalForm::Enterprise => "enterprise",
            LegalForm::IndividualBusiness => "individual_business",
            LegalForm::PrivateNonEnterprise => "private_non_enterprise",
            LegalForm::PublicInstitution => "public_institution",
            LegalForm::GovernmentOrgan => "government_organ",
            LegalForm::SocialOrganisation => "social_organisation",
            LegalForm::Cooperative => "cooperative",
            LegalForm::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            LegalForm::Enterprise => "企业",
            LegalForm::IndividualBusiness => "个体工商户",
            LegalForm::PrivateNonEnterprise => "民办非企业单位",
            LegalForm::PublicInstitution => "事业单位",
            LegalForm::GovernmentOrgan => "机关",
            LegalForm::SocialOrganisation => "社会团体",
            LegalForm::Cooperative => "农民专业合作社",
            LegalForm::Other => "其他",
        }
    }

    /// From the code or the Chinese name (import files use either).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.code() == s || f.name_zh() == s)
            .or(match s {
                "有限责任公司" | "股份有限公司" | "公司" | "合伙企业" | "个人独资企业" => {
                    Some(LegalForm::Enterprise)
                }
                "社会服务机构" => Some(LegalForm::PrivateNonEnterprise),
                _ => None,
            })
    }

    /// The legal form a code's organisation-type characters imply, if any
    /// (registration authority 9 = 工商/市场监管: 1 企业, 2 个体工商户, 3 农民专业合作社).
    pub fn from_uscc(code: &str) -> Option<Self> {
        match code.get(..2)? {
            "91" => Some(LegalForm::Enterprise),
            "92" => Some(LegalForm::IndividualBusiness),
            "93" => Some(LegalForm::Cooperative),
            "11" => Some(LegalForm::GovernmentOrgan),
            "12" => Some(LegalForm::PublicInstitution),
            "51" => Some(LegalForm::SocialOrganisation),
            "52" => Some(LegalForm::PrivateNonEnterprise),
            _ => None,
        }
    }
}

/// Sector roles: attributes of a subject, not copies in other tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectorRole {
    /// 区属国有企业
    DistrictSoe,
    /// 人力资源服务机构
    HrAgency,
    /// 技工学校
    TechSchool,
    /// 承接机关
    DelegatedBody,
}

impl SectorRole {
    pub const ALL: [SectorRole; 4] = [
        SectorRole::DistrictSoe,
        SectorRole::HrAgency,
        SectorRole::TechSchool,
        SectorRole::DelegatedBody,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SectorRole::DistrictSoe => "district_soe",
            SectorRole::HrAgency => "hr_agency",
            SectorRole::TechSchool => "tech_school",
            SectorRole::DelegatedBody => "delegated_body",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// Whether a cell would be taken for a formula by a spreadsheet (CSV
/// injection): it starts with `=`, `@`, a tab or carriage return, or with `+`
/// / `-` unless the rest is a plain number or phone number (digits, spaces,
/// `-`, `.`, parentheses), so `+86 311…` and `-5` stay data and `-2+3` does not.
pub fn looks_like_formula(cell: &str) -> bool {
    let mut chars = cell.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => {
            let rest = chars.as_str();
            rest.is_empty()
                || !rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        }
        _ => false,
    }
}

/// GB/T 4754-2017 industry code: a section letter A–T, optionally followed by
/// 2, 3 or 4 digits (division, group, class), e.g. `C`, `C30`, `C301`, `C3011`.
pub fn valid_industry_code(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b'A'..=b'T'))
        && matches!(b.len(), 1 | 3..=5)
        && b[1..].iter().all(u8::is_ascii_digit)
}

/// One subject's fields as submitted (form, API or one import row).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SubjectForm {
    pub uscc: String,
    pub name: String,
    pub legal_form: String,
    pub legal_representative: String,
    pub district_code: String,
    pub address: String,
    pub industry_code: String,
    pub employee_count: String,
    pub phone: String,
    pub established_on: String,
}

/// A validated subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectInput {
    /// The 统一社会信用代码; `None` for a subject without one (it gets an
    /// alternative key when stored).
    pub uscc: Option<String>,
    pub name: String,
    pub legal_form: LegalForm,
    pub legal_representative: Option<String>,
    pub district_code: Option<String>,
    pub address: Option<String>,
    pub industry_code: Option<String>,
    pub employee_count: Option<u32>,
    pub phone: Option<String>,
    pub established_on: Option<NaiveDate>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Dates as they appear in files: 2026-03-01, 2026/3/1, 2026.3.1, 20260301, 2026年3月1日.
pub fn parse_loose_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let norm: String = t
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_string();
    let parts: Vec<&str> = norm.split('-').collect();
    if parts.len() != 3 {
        return None;
    }
    let (y, m, d) = (
        parts[0].parse().ok()?,
        parts[1].parse().ok()?,
        parts[2].parse().ok()?,
    );
    NaiveDate::from_ymd_opt(y, m, d)
}

impl SubjectForm {
    /// Validates every field; errors carry locale keys, per field.
    pub fn parse(&self, today: NaiveDate) -> Result<SubjectInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let fields = [
            ("uscc", &self.uscc),
            ("name", &self.name),
            ("legal_form", &self.legal_form),
            ("legal_representative", &self.legal_representative),
            ("district_code", &self.district_code),
            ("address", &self.address),
            ("industry_code", &self.industry_code),
            ("employee_count", &self.employee_count),
            ("phone", &self.phone),
            ("established_on", &self.established_on),
        ];
        for (f, v) in fields {
            if looks_like_formula(v.trim_start_matches(' ')) {
                e.add(f, "err.formula");
            }
        }
        let uscc = match opt(&self.uscc) {
            None => None,
            Some(s) => match parse_uscc(&s) {
                Ok(c) => Some(c),
                Err(err) => {
                    e.add("uscc", err.key());
                    None
                }
            },
        };
        let name = crate::validate::required_text(&mut e, "name", &self.name, 200);
        let legal_form = match opt(&self.legal_form) {
            None => uscc
                .as_deref()
                .and_then(LegalForm::from_uscc)
                .unwrap_or(LegalForm::Other),
            Some(s) => LegalForm::parse(&s).unwrap_or_else(|| {
                e.add("legal_form", "err.choose");
                LegalForm::Other
            }),
        };
        let legal_representative = crate::validate::optional_text(
            &mut e,
            "legal_representative",
            &self.legal_representative,
            50,
        );
        let district_code = opt(&self.district_code);
        if district_code
            .as_deref()
            .is_some_and(|d| d.len() != 6 || !d.bytes().all(|b| b.is_ascii_digit()))
        {
            e.add("district_code", "err.district_code");
        }
        let address = crate::validate::optional_text(&mut e, "address", &self.address, 300);
        let industry_code = opt(&self.industry_code).map(|s| s.to_ascii_uppercase());
        if industry_code
            .as_deref()
            .is_some_and(|c| !valid_industry_code(c))
        {
            e.add("industry_code", "err.industry_code");
        }
        let employee_count = match opt(&self.employee_count) {
            None => None,
            Some(s) => match s.replace([',', '，'], "").parse::<u32>() {
                Ok(n) if n <= 10_000_000 => Some(n),
                _ => {
                    e.add("employee_count", "err.number");
                    None
                }
            },
        };
        let phone = opt(&self.phone);
        if phone.as_deref().is_some_and(|p| {
            p.chars().count() > 30
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')' | '转'))
        }) {
            e.add("phone", "err.phone");
        }
        let established_on = match opt(&self.established_on) {
            None => None,
            Some(s) => match parse_loose_date(&s) {
                Some(d) if d <= today => Some(d),
                Some(_) => {
                    e.add("established_on", "err.date_future");
                    None
                }
                None => {
                    e.add("established_on", "err.date");
                    None
                }
            },
        };
        e.into_result()?;
        Ok(SubjectInput {
            uscc,
            name,
            legal_form,
            legal_representative,
            district_code,
            address,
            industry_code,
            employee_count,
            phone,
            established_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
    }

    #[test]
    fn known_codes_validate() {
        // The example of GB 32100 and published codes of two large companies.
        for code in [
            "91350100M000100Y43",
            "91110000802100433B",
            "91440300708461136T",
        ] {
            let first17 = &code[..17];
            let c = uscc_check_char(first17).expect("alphabet");
            assert_eq!(parse_uscc(code).map(|_| c), Ok(c), "{code}");
        }
    }

    #[test]
    fn bad_codes_say_why() {
        assert_eq!(parse_uscc("9113011"), Err(UsccError::Length));
        assert_eq!(parse_uscc("91130110MA0CX7K2IF"), Err(UsccError::Charset));
        assert_eq!(parse_uscc("9113A110MA0CX7K25F"), Err(UsccError::Division));
        let good = with_check("91130110MA0CX7K25").expect("alphabet");
        let last = good.chars().last().expect("char");
        let wrong = if last == '0' { '1' } else { '0' };
        assert_eq!(
            parse_uscc(&format!("91130110MA0CX7K25{wrong}")),
            Err(UsccError::Check)
        );
        // Lower case and full-width input is normalised.
        assert_eq!(parse_uscc(&good.to_lowercase()), Ok(good.clone()));
        let full: String = good
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).expect("fw"))
            .collect();
        assert_eq!(parse_uscc(&full), Ok(good));
    }

    proptest! {
        #[test]
        fn every_completed_code_validates_and_every_other_check_char_fails(
            idx in proptest::collection::vec(0usize..31, 17),
            div in 100000u32..999999,
        ) {
            let mut s: String = idx.iter().map(|&i| char::from(USCC_CHARS[i])).collect();
            s.replace_range(2..8, &div.to_string());
            let code = with_check(&s).expect("alphabet");
            prop_assert_eq!(parse_uscc(&code), Ok(code.clone()));
            for &c in USCC_CHARS.iter() {
                let c = char::from(c);
                if !code.ends_with(c) {
                    let other = format!("{s}{c}");
                    prop_assert_eq!(parse_uscc(&other), Err(UsccError::Check));
                }
            }
        }

        #[test]
        fn a_single_changed_character_is_detected(
            idx in proptest::collection::vec(0usize..31, 17),
            pos in 0usize..17,
            delta in 1usize..31,
        ) {
            let mut s: String = idx.iter().map(|&i| char::from(USCC_CHARS[i])).collect();
            s.replace_range(2..8, "130110");
            let code = with_check(&s).expect("alphabet");
            let mut b = code.clone().into_bytes();
            if (2..8).contains(&pos) {
                return Ok(());
            }
            let v = value(b[pos]).expect("in alphabet") as usize;
            b[pos] = USCC_CHARS[(v + delta) % 31];
            let changed = String::from_utf8(b).expect("ascii");
            prop_assert_eq!(parse_uscc(&changed), Err(UsccError::Check));
        }
    }

    #[test]
    fn alternative_keys_never_collide_with_codes() {
        let k = alternative_key("130110", 42).expect("key");
        assert_eq!(k, "NC1301100000000042");
        assert!(is_alternative_key(&k));
        assert!(parse_uscc(&k).is_err());
        assert_eq!(alternative_key("13011", 1), None);
    }

    #[test]
    fn formulas_are_recognised_but_phone_numbers_are_not() {
        for f in ["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "\t=x"] {
            assert!(looks_like_formula(f), "{f}");
        }
        for ok in ["+86 311 8201 5236", "-5", "鹿泉", "0311-82015236", ""] {
            assert!(!looks_like_formula(ok), "{ok}");
        }
    }

    #[test]
    fn a_subject_form_validates_each_field() {
        let code = with_check("91130110MA0CX7K25").expect("code");
        let f = SubjectForm {
            uscc: code.clone(),
            name: " 石家庄鹿泉宏达建材有限公司 ".into(),
            legal_form: "有限责任公司".into(),
            district_code: "130110".into(),
            industry_code: "c3021".into(),
            employee_count: "1,200".into(),
            phone: "0311-82268815".into(),
            established_on: "2015年3月9日".into(),
            ..Default::default()
        };
        let s = f.parse(today()).expect("valid");
        assert_eq!(s.uscc.as_deref(), Some(code.as_str()));
        assert_eq!(s.name, "石家庄鹿泉宏达建材有限公司");
        assert_eq!(s.legal_form, LegalForm::Enterprise);
        assert_eq!(s.industry_code.as_deref(), Some("C3021"));
        assert_eq!(s.employee_count, Some(1200));
        assert_eq!(s.established_on, NaiveDate::from_ymd_opt(2015, 3, 9));

        let bad = SubjectForm {
            uscc: "91130110MA0CX7K2IF".into(),
            name: "=HYPERLINK(\"x\")".into(),
            district_code: "13011".into(),
            industry_code: "Z99".into(),
            employee_count: "many".into(),
            phone: "call me".into(),
            established_on: "2030-01-01".into(),
            legal_form: "火星公司".into(),
            ..Default::default()
        };
        let e = bad.parse(today()).expect_err("invalid");
        assert_eq!(e.get("uscc"), Some("err.uscc_charset"));
        assert_eq!(e.get("name"), Some("err.formula"));
        assert_eq!(e.get("district_code"), Some("err.district_code"));
        assert_eq!(e.get("industry_code"), Some("err.industry_code"));
        assert_eq!(e.get("employee_count"), Some("err.number"));
        assert_eq!(e.get("phone"), Some("err.phone"));
        assert_eq!(e.get("established_on"), Some("err.date_future"));
        assert_eq!(e.get("legal_form"), Some("err.choose"));
    }

    #[test]
    fn legal_form_follows_the_code_when_not_given() {
        let code = with_check("92130110MA0CX7K25").expect("code");
        let s = SubjectForm {
            uscc: code,
            name: "鹿泉区老王五金店".into(),
            ..Default::default()
        }
        .parse(today())
        .expect("valid");
        assert_eq!(s.legal_form, LegalForm::IndividualBusiness);
        let s = SubjectForm {
            name: "无代码个体户".into(),
            ..Default::default()
        }
        .parse(today())
        .expect("valid without a code");
        assert_eq!(s.uscc, None);
    }

    #[test]
    fn loose_dates() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1);
        for s in [
            "2026-03-01",
            "2026/3/1",
            "2026.3.1",
            "20260301",
            "2026年3月1日",
        ] {
            assert_eq!(parse_loose_date(s), d, "{s}");
        }
        assert_eq!(parse_loose_date("2026-02-30"), None);
        assert_eq!(parse_loose_date("soon"), None);
    }
}
