//! The organisation: kinds of units, certificates and declared relationships.

use serde::{Deserialize, Serialize};

/// What an org unit is. Labels live in the locale files under `unit_kind.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 市人力资源和社会保障局 (the superior bureau)
    CityBureau,
    /// 区人力资源和社会保障局
    DistrictBureau,
    /// 法制机构
    LegalOffice,
    /// 业务机构
    BusinessDepartment,
    /// 监察机构 (discipline)
    DisciplineOffice,
    /// 劳动保障监察大队
    InspectionBrigade,
    /// 承接机关 (body that delegated licensing powers were given to)
    DelegatedBody,
    /// 被监管单位: an outside organisation with its own accounts (a district
    /// state-owned enterprise, an HR service agency, a technical school).
    SupervisedBody,
    /// 其他
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 9] = [
        UnitKind::CityBureau,
        UnitKind::DistrictBureau,
        UnitKind::LegalOffice,
        UnitKind::BusinessDepartment,
        UnitKind::DisciplineOffice,
        UnitKind::InspectionBrigade,
        UnitKind::DelegatedBody,
        UnitKind::SupervisedBody,
        UnitKind::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::CityBureau => "city_bureau",
            UnitKind::DistrictBureau => "district_bureau",
            UnitKind::LegalOffice => "legal_office",
            UnitKind::BusinessDepartment => "business_department",
            UnitKind::DisciplineOffice => "discipline_office",
            UnitKind::InspectionBrigade => "inspection_brigade",
            UnitKind::DelegatedBody => "delegated_body",
            UnitKind::SupervisedBody => "supervised_body",
            UnitKind::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Kinds of enforcement certificates (执法证件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 行政执法证
    Enforcement,
    /// 行政执法监督检查证
    Supervision,
    /// 劳动保障监察证
    LabourInspection,
}

impl CertificateKind {
    pub const ALL: [CertificateKind; 3] = [
        CertificateKind::Enforcement,
        CertificateKind::Supervision,
        CertificateKind::LabourInspection,
    ];
    pub fn code(self) -> &'static str {
        match self {
            CertificateKind::Enforcement => "enforcement",
            CertificateKind::Supervision => "supervision",
            CertificateKind::LabourInspection => "labour_inspection",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Whether a certificate qualifies its holder on `day`.
pub fn certificate_valid_on(
    valid_from: chrono::NaiveDate,
    valid_to: chrono::NaiveDate,
    revoked: bool,
    day: chrono::NaiveDate,
) -> bool {
    !revoked && valid_from <= day && day <= valid_to
}

/// A certificate's state on `day`: `revoked`, `expired`, `pending` (not yet
/// valid) or `valid`. Labels live under `cert_status.<code>`.
pub fn certificate_status(
    valid_from: chrono::NaiveDate,
    valid_to: chrono::NaiveDate,
    revoked: bool,
    day: chrono::NaiveDate,
) -> &'static str {
    if revoked {
        "revoked"
    } else if valid_to < day {
        "expired"
    } else if valid_from > day {
        "pending"
    } else {
        "valid"
    }
}

/// Kinds of declared relationship with a regulated subject, for recusal (回避).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// 近亲属任职
    Relative,
    /// 曾任职
    FormerEmployee,
    /// 持股或经济利益
    Financial,
    /// 其他
    Other,
}

impl RelationKind {
    pub const ALL: [RelationKind; 4] = [
        RelationKind::Relative,
        RelationKind::FormerEmployee,
        RelationKind::Financial,
        RelationKind::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            RelationKind::Relative => "relative",
            RelationKind::FormerEmployee => "former_employee",
            RelationKind::Financial => "financial",
            RelationKind::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

use crate::validate::{self, FieldErrors};

/// A unit as typed by a person (all strings), before parsing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    pub parent_id: String,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub sort_order: String,
}

/// A parsed, valid unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitInput {
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub sort_order: i32,
}

fn optional_id(errs: &mut FieldErrors, field: &str, v: &str) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errs.add(field, "err.invalid");
            None
        }
    }
}

impl UnitForm {
    pub fn parse(&self) -> Result<UnitInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let parent_id = optional_id(&mut e, "parent_id", &self.parent_id);
        let code = validate::required_text(&mut e, "code", &self.code, 32);
        if !code.is_empty()
            && !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            e.add("code", "err.code_chars");
        }
        let name = validate::required_text(&mut e, "name", &self.name, 100);
        let short_name = validate::optional_text(&mut e, "short_name", &self.short_name, 30);
        let kind = UnitKind::from_code(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "err.choose");
        }
        let sort_order = match self.sort_order.trim() {
            "" => 0,
            s => s.parse::<i32>().unwrap_or_else(|_| {
                e.add("sort_order", "err.number");
                0
            }),
        };
        match kind {
            Some(kind) if e.is_empty() => Ok(UnitInput {
                parent_id,
                code,
                name,
                short_name,
                kind,
                sort_order,
            }),
            _ => Err(e),
        }
    }
}

/// A staff member as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StaffForm {
    pub unit_id: String,
    pub name: String,
    pub gender: String,
    pub position: String,
    pub phone: String,
    pub active: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffInput {
    pub unit_id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
}

impl StaffForm {
    pub fn parse(&self) -> Result<StaffInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let unit_id = optional_id(&mut e, "unit_id", &self.unit_id);
        if unit_id.is_none() && e.get("unit_id").is_none() {
            e.add("unit_id", "err.choose");
        }
        let name = validate::required_text(&mut e, "name", &self.name, 50);
        let gender = match self.gender.trim() {
            "" => None,
            g @ ("male" | "female") => Some(g.to_string()),
            _ => {
                e.add("gender", "err.choose");
                None
            }
        };
        let position = validate::optional_text(&mut e, "position", &self.position, 50);
        let phone = validate::phone(&mut e, "phone", &self.phone);
        let active = !matches!(self.active.as_deref(), Some("false" | "0" | "off"));
        match unit_id {
            Some(unit_id) if e.is_empty() => Ok(StaffInput {
                unit_id,
                name,
                gender,
                position,
                phone,
                active,
            }),
            _ => Err(e),
        }
    }
}

/// A certificate as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CertificateForm {
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub valid_from: String,
    pub valid_to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateInput {
    pub kind: CertificateKind,
    pub number: String,
    pub issuer: Option<String>,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: chrono::NaiveDate,
}

impl CertificateForm {
    pub fn parse(&self) -> Result<CertificateInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = CertificateKind::from_code(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "err.choose");
        }
        let number = validate::required_text(&mut e, "number", &self.number, 40);
        let issuer = validate::optional_text(&mut e, "issuer", &self.issuer, 100);
        let from = validate::date(&mut e, "valid_from", &self.valid_from);
        let to = validate::date(&mut e, "valid_to", &self.valid_to);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            e.add("valid_to", "err.date_order");
        }
        match (kind, from, to) {
            (Some(kind), Some(valid_from), Some(valid_to)) if e.is_empty() => {
                Ok(CertificateInput {
                    kind,
                    number,
                    issuer,
                    valid_from,
                    valid_to,
                })
            }
            _ => Err(e),
        }
    }
}

/// A declared relationship as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RelationForm {
    pub subject_name: String,
    pub subject_code: String,
    pub kind: String,
    pub note: String,
    pub declared_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationInput {
    pub subject_name: String,
    pub subject_code: Option<String>,
    pub kind: RelationKind,
    pub note: Option<String>,
    pub declared_on: chrono::NaiveDate,
}

impl RelationForm {
    pub fn parse(&self) -> Result<RelationInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let subject_name = validate::required_text(&mut e, "subject_name", &self.subject_name, 100);
        let subject_code = validate::optional_text(&mut e, "subject_code", &self.subject_code, 30);
        let kind = RelationKind::from_code(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "err.choose");
        }
        let note = validate::optional_text(&mut e, "note", &self.note, 200);
        let declared_on = validate::date(&mut e, "declared_on", &self.declared_on);
        match (kind, declared_on) {
            (Some(kind), Some(declared_on)) if e.is_empty() => Ok(RelationInput {
                subject_name,
                subject_code,
                kind,
                note,
                declared_on,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_form_errors_are_per_field() {
        let f = UnitForm {
            code: "bad code!".into(),
            kind: "nope".into(),
            ..Default::default()
        };
        let e = f.parse().unwrap_err();
        assert_eq!(e.get("code"), Some("err.code_chars"));
        assert_eq!(e.get("name"), Some("err.required"));
        assert_eq!(e.get("kind"), Some("err.choose"));
    }

    #[test]
    fn certificate_dates_must_be_ordered() {
        let f = CertificateForm {
            kind: "enforcement".into(),
            number: "冀130000001".into(),
            valid_from: "2026-01-01".into(),
            valid_to: "2025-01-01".into(),
            ..Default::default()
        };
        assert_eq!(
            f.parse().unwrap_err().get("valid_to"),
            Some("err.date_order")
        );
    }

    #[test]
    fn certificate_validity() {
        let d = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(certificate_valid_on(
            d("2025-01-01"),
            d("2027-12-31"),
            false,
            d("2026-11-28")
        ));
        assert!(!certificate_valid_on(
            d("2025-01-01"),
            d("2026-01-01"),
            false,
            d("2026-11-28")
        ));
        assert!(!certificate_valid_on(
            d("2025-01-01"),
            d("2027-12-31"),
            true,
            d("2026-11-28")
        ));
        assert_eq!(
            certificate_status(d("2025-01-01"), d("2026-01-01"), false, d("2026-11-28")),
            "expired"
        );
        assert_eq!(
            certificate_status(d("2027-01-01"), d("2028-01-01"), false, d("2026-11-28")),
            "pending"
        );
        assert_eq!(
            certificate_status(d("2025-01-01"), d("2027-01-01"), true, d("2026-11-28")),
            "revoked"
        );
        assert_eq!(
            certificate_status(d("2025-01-01"), d("2027-01-01"), false, d("2026-11-28")),
            "valid"
        );
    }
}
