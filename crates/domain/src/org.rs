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
    /// 其他
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 8] = [
        UnitKind::CityBureau,
        UnitKind::DistrictBureau,
        UnitKind::LegalOffice,
        UnitKind::BusinessDepartment,
        UnitKind::DisciplineOffice,
        UnitKind::InspectionBrigade,
        UnitKind::DelegatedBody,
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
