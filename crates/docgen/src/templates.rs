//! The shipped templates and samples, compiled into the binary.

use crate::DocgenError;

pub(crate) struct Template {
    pub code: &'static str,
    pub title: &'static str,
    pub source: &'static str,
    pub sample: &'static str,
    /// Required top-level fields: (JSON key, Chinese label for error messages).
    pub required: &'static [(&'static str, &'static str)],
}

macro_rules! template {
    ($code:literal, $title:literal, [$(($k:literal, $l:literal)),* $(,)?]) => {
        Template {
            code: $code,
            title: $title,
            source: include_str!(concat!("../../../assets/documents/templates/", $code, ".typ")),
            sample: include_str!(concat!("../../../assets/documents/samples/", $code, ".json")),
            required: &[$(($k, $l)),*],
        }
    };
}

/// Shared library files, by virtual path.
pub(crate) const LIBRARY_FILES: &[(&str, &str)] = &[(
    "/lib/official.typ",
    include_str!("../../../assets/documents/templates/lib/official.typ"),
)];

pub(crate) const TEMPLATES: &[Template] = &[
    template!(
        "supervision_notice",
        "执法监督通知书",
        [("recipient", "主送单位")]
    ),
    template!(
        "supervision_decision",
        "执法监督决定书",
        [("recipient", "主送单位")]
    ),
    template!(
        "admin_supervision_notice",
        "行政执法监督通知书",
        [("recipient", "主送单位")]
    ),
    template!(
        "admin_supervision_decision",
        "行政执法监督决定书",
        [("recipient", "主送单位")]
    ),
    template!("review_decision", "复查决定书", [("applicant", "申请人")]),
    template!(
        "complaint_reply",
        "投诉举报处理结果告知书",
        [("complainant", "投诉举报人")]
    ),
    template!("inspection_record", "检查记录", [("unit", "被检查单位")]),
    template!(
        "inquiry_notice",
        "劳动保障监察调查询问通知书",
        [("recipient", "被通知单位")]
    ),
    template!(
        "rectification_order",
        "责令改正指令书",
        [("recipient", "用人单位")]
    ),
    template!(
        "non_acceptance_notice",
        "不予受理通知书",
        [("recipient", "投诉人")]
    ),
    template!("case_filing_form", "立案审批表", [("party", "当事人")]),
    template!(
        "penalty_prior_notice",
        "行政处罚事先告知书",
        [("party", "当事人")]
    ),
    template!(
        "hearing_notice",
        "行政处罚听证告知书",
        [("party", "当事人")]
    ),
    template!("penalty_decision", "行政处罚决定书", [("party", "当事人")]),
    template!("case_closing_form", "结案审批表", [("party", "当事人")]),
    template!("service_receipt", "送达回证", [("recipient", "受送达人")]),
];

/// Checks that `data` is an object holding every required field of the type.
pub(crate) fn check_data(code: &str, data: &serde_json::Value) -> Result<(), DocgenError> {
    let obj = data.as_object().ok_or_else(|| DocgenError::BadData {
        field: "(root)".to_owned(),
        message: "数据必须是 JSON 对象 (data must be a JSON object)".to_owned(),
    })?;
    let Some(t) = TEMPLATES.iter().find(|t| t.code == code) else {
        return Ok(());
    };
    for (key, label) in t.required {
        let missing = match obj.get(*key) {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::String(s)) => s.trim().is_empty(),
            Some(serde_json::Value::Object(o)) => o.is_empty(),
            Some(_) => false,
        };
        if missing {
            return Err(DocgenError::BadData {
                field: (*key).to_owned(),
                message: format!("缺少必填项“{label}” (required field `{key}` is missing)"),
            });
        }
    }
    Ok(())
}
