//! Input validation shared by web forms, the API and the CLI.
//!
//! Errors carry a locale key, never a sentence, so the web layer can show them
//! in the user's language.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    /// Locale key of the message, e.g. `err.required`.
    pub key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, key: &str) {
        self.0.push(FieldError {
            field: field.to_string(),
            key: key.to_string(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.key.as_str())
    }
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Trims and checks a required text field with a maximum length in characters.
pub fn required_text(errs: &mut FieldErrors, field: &str, value: &str, max_chars: usize) -> String {
    let v = value.trim().to_string();
    if v.is_empty() {
        errs.add(field, "err.required");
    } else if v.chars().count() > max_chars {
        errs.add(field, "err.too_long");
    }
    v
}

/// Trims an optional text field; empty becomes `None`.
pub fn optional_text(
    errs: &mut FieldErrors,
    field: &str,
    value: &str,
    max_chars: usize,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max_chars {
        errs.add(field, "err.too_long");
    }
    Some(v.to_string())
}

/// Usernames: 3–32 characters of ASCII letters, digits, `.`, `_`, `-`.
pub fn username(errs: &mut FieldErrors, field: &str, value: &str) -> String {
    let v = value.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        errs.add(field, "err.username");
    }
    v
}

/// Password rules (等保 level 3 habit): at least 10 characters and three of
/// the four classes lower, upper, digit, symbol; not containing the username.
pub fn password(errs: &mut FieldErrors, field: &str, value: &str, username: &str) {
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if value.chars().count() < 10 || value.len() > 256 || classes < 3 {
        errs.add(field, "err.password_weak");
    } else if !username.is_empty() && value.to_lowercase().contains(&username.to_lowercase()) {
        errs.add(field, "err.password_contains_username");
    }
}

/// A mainland mobile or landline number: digits, optional leading `+86`, dashes.
pub fn phone(errs: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
    let shape_ok = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '));
    if !shape_ok || !(7..=15).contains(&digits.len()) {
        errs.add(field, "err.phone");
    }
    Some(v.to_string())
}

/// `YYYY-MM-DD`.
pub fn date(errs: &mut FieldErrors, field: &str, value: &str) -> Option<chrono::NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        errs.add(field, "err.required");
        return None;
    }
    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.add(field, "err.date");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        let check = |p: &str| {
            let mut e = FieldErrors::default();
            password(&mut e, "p", p, "zhangsan");
            e.get("p").map(str::to_string)
        };
        assert_eq!(check("short1A!"), Some("err.password_weak".into()));
        assert_eq!(
            check("alllowercaseletters"),
            Some("err.password_weak".into())
        );
        assert_eq!(
            check("Zhangsan-2026x"),
            Some("err.password_contains_username".into())
        );
        assert_eq!(check("Luquan-2026!"), None);
    }

    #[test]
    fn usernames_and_phones() {
        let mut e = FieldErrors::default();
        assert_eq!(username(&mut e, "u", " Legal.Li "), "legal.li");
        assert!(e.is_empty());
        username(&mut e, "u", "张三");
        assert_eq!(e.get("u"), Some("err.username"));
        let mut e = FieldErrors::default();
        phone(&mut e, "p", "0311-82012345");
        phone(&mut e, "q", "abc");
        assert_eq!(e.get("p"), None);
        assert_eq!(e.get("q"), Some("err.phone"));
    }
}
