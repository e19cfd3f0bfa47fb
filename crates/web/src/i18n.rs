//! Interface strings in Simplified Chinese (default) and English.
//!
//! Locale files are flat TOML tables under `locales/`, compiled into the
//! binary. The request's locale is always passed explicitly; there is no
//! process-global language.

use std::{collections::HashMap, sync::LazyLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Locale> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if s.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }
    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(h: &str) -> Option<Locale> {
        h.split(',')
            .filter_map(|part| Locale::parse(part.split(';').next().unwrap_or("")))
            .next()
    }
}

pub const ZH_CN_SRC: &str = include_str!("../../../locales/zh-CN.toml");
pub const EN_SRC: &str = include_str!("../../../locales/en.toml");

/// Flattens `[section] key = "v"` into `section.key`.
pub fn flatten(src: &str) -> Result<HashMap<String, String>, String> {
    fn walk(
        prefix: &str,
        v: &toml::Value,
        out: &mut HashMap<String, String>,
    ) -> Result<(), String> {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out)?;
                }
                Ok(())
            }
            toml::Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
                Ok(())
            }
            _ => Err(format!("{prefix}: only strings are allowed")),
        }
    }
    let v: toml::Value = toml::from_str(src).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    walk("", &v, &mut out)?;
    Ok(out)
}

static ZH: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| flatten(ZH_CN_SRC).unwrap_or_default());
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| flatten(EN_SRC).unwrap_or_default());

/// Checks at start that both locale files parse and have the same keys.
pub fn validate() -> Result<(), String> {
    let zh = flatten(ZH_CN_SRC).map_err(|e| format!("locales/zh-CN.toml: {e}"))?;
    let en = flatten(EN_SRC).map_err(|e| format!("locales/en.toml: {e}"))?;
    let mut missing: Vec<String> = zh
        .keys()
        .filter(|k| !en.contains_key(*k))
        .map(|k| format!("en: {k}"))
        .collect();
    missing.extend(
        en.keys()
            .filter(|k| !zh.contains_key(*k))
            .map(|k| format!("zh-CN: {k}")),
    );
    missing.sort();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("locale keys missing: {}", missing.join(", ")))
    }
}

/// Looks a key up; falls back to Chinese, then to the key itself.
pub fn t(locale: Locale, key: &str) -> &str {
    let map: &'static HashMap<String, String> = match locale {
        Locale::ZhCn => &ZH,
        Locale::En => &EN,
    };
    match map.get(key).or_else(|| ZH.get(key)) {
        Some(s) => s.as_str(),
        None => key,
    }
}

/// The translator handed to templates: `{{ tr.t("nav.units") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Locale);

impl Tr {
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        t(self.0, key)
    }
    /// `prefix.code`, for enum labels such as `unit_kind.legal_office`.
    pub fn label(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}.{code}");
        let v = t(self.0, &key);
        if v == key {
            code.to_string()
        } else {
            v.to_string()
        }
    }
    pub fn locale(&self) -> &'static str {
        self.0.code()
    }
}
