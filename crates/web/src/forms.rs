//! Forms of the administration pages that the domain crate does not define
//! (accounts, role grants, passwords, tokens, audit filters). Like the
//! domain forms they hold what was typed, as strings, and parse into checked
//! values or per-field errors with locale keys. The pages and the API share them.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{FieldErrors, Role, ScopeKind, validate};
use serde::Deserialize;
use storage::repo::{audit::AuditFilter, users::NewUser};

/// Beijing time (UTC+8, no daylight saving).
pub fn beijing() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
}

/// Today's date in Beijing.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

/// The UTC instant at which a Beijing calendar day begins.
pub fn day_start_utc(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0)?
        .and_local_timezone(beijing())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn id_field(e: &mut FieldErrors, field: &str, v: &str, required: bool) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        if required {
            e.add(field, "err.choose");
        }
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            e.add(field, "err.invalid");
            None
        }
    }
}

/// A new account as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub username: String,
    pub display_name: String,
    pub unit_id: String,
    pub staff_id: String,
    pub password: String,
    pub password2: String,
}

impl UserForm {
    pub fn parse(&self) -> Result<NewUser, FieldErrors> {
        let mut e = FieldErrors::default();
        let username = validate::username(&mut e, "username", &self.username);
        let display_name = validate::required_text(&mut e, "display_name", &self.display_name, 50);
        let unit_id = id_field(&mut e, "unit_id", &self.unit_id, true);
        let staff_id = id_field(&mut e, "staff_id", &self.staff_id, false);
        validate::password(&mut e, "password", &self.password, &username);
        if e.get("password").is_none() && self.password != self.password2 {
            e.add("password2", "err.password_mismatch");
        }
        match unit_id {
            Some(unit_id) if e.is_empty() => Ok(NewUser {
                username,
                display_name,
                unit_id,
                staff_id,
                password: self.password.clone(),
            }),
            _ => Err(e),
        }
    }
}

/// A role grant as typed. An empty scope means the role's default scope, an
/// empty unit the account's own unit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
    pub scope: String,
    pub unit_id: String,
}

impl RoleForm {
    pub fn parse(&self, default_unit: i64) -> Result<(Role, ScopeKind, i64), FieldErrors> {
        let mut e = FieldErrors::default();
        let role = Role::from_code(self.role.trim());
        if role.is_none() {
            e.add("role", "err.choose");
        }
        let scope = match self.scope.trim() {
            "" => role.map(Role::default_scope),
            s => {
                let k = ScopeKind::from_code(s);
                if k.is_none() {
                    e.add("scope", "err.choose");
                }
                k
            }
        };
        let unit_id = id_field(&mut e, "unit_id", &self.unit_id, false).unwrap_or(default_unit);
        match (role, scope) {
            (Some(r), Some(s)) if e.is_empty() => Ok((r, s, unit_id)),
            _ => Err(e),
        }
    }
}

/// A new password typed twice (set by the security administrator).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub password: String,
    pub password2: String,
}

impl PasswordForm {
    pub fn parse(&self, username: &str) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::default();
        validate::password(&mut e, "password", &self.password, username);
        if e.get("password").is_none() && self.password != self.password2 {
            e.add("password2", "err.password_mismatch");
        }
        e.into_result().map(|_| self.password.clone())
    }
}

/// A user changing their own password.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OwnPasswordForm {
    pub old_password: String,
    pub password: String,
    pub password2: String,
}

impl OwnPasswordForm {
    /// Checks the new password; `old_ok` says whether the old one matched the stored hash.
    pub fn parse(&self, username: &str, old_ok: bool) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::default();
        if self.old_password.is_empty() {
            e.add("old_password", "err.required");
        } else if !old_ok {
            e.add("old_password", "err.password_wrong");
        }
        validate::password(&mut e, "password", &self.password, username);
        if e.get("password").is_none() {
            if self.password != self.password2 {
                e.add("password2", "err.password_mismatch");
            } else if old_ok && self.password == self.old_password {
                e.add("password", "err.password_same");
            }
        }
        e.into_result().map(|_| self.password.clone())
    }
}

/// A personal API token's name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub name: String,
}

impl TokenForm {
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = validate::required_text(&mut e, "name", &self.name, 50);
        e.into_result().map(|_| name)
    }
}

/// The audit log's filters as typed (`?action=&entity_type=&…`). Dates are
/// Beijing calendar days, both ends included.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl AuditQuery {
    pub fn parse(&self) -> Result<AuditFilter, FieldErrors> {
        let mut e = FieldErrors::default();
        let text =
            |e: &mut FieldErrors, field: &str, v: &str| validate::optional_text(e, field, v, 100);
        let action = text(&mut e, "action", &self.action);
        let entity_type = text(&mut e, "entity_type", &self.entity_type);
        let entity_id = text(&mut e, "entity_id", &self.entity_id);
        let actor_user_id = id_field(&mut e, "actor", &self.actor, false);
        let day = |e: &mut FieldErrors, field: &str, v: &str| {
            if v.trim().is_empty() {
                None
            } else {
                validate::date(e, field, v)
            }
        };
        let from_day = day(&mut e, "from", &self.from);
        let to_day = day(&mut e, "to", &self.to);
        if let (Some(f), Some(t)) = (from_day, to_day)
            && t < f
        {
            e.add("to", "err.date_order");
        }
        let from = from_day.and_then(day_start_utc);
        let to = to_day.and_then(|d| d.succ_opt()).and_then(day_start_utc);
        e.into_result().map(|_| AuditFilter {
            action,
            entity_type,
            entity_id,
            actor_user_id,
            from,
            to,
        })
    }

    /// The query string without the page, for pagination links.
    pub fn base(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("action", &self.action),
            ("entity_type", &self.entity_type),
            ("entity_id", &self.entity_id),
            ("actor", &self.actor),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_days_start_at_16_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        assert_eq!(
            day_start_utc(d).expect("start").to_rfc3339(),
            "2026-03-01T16:00:00+00:00"
        );
    }

    #[test]
    fn audit_dates_include_the_last_day() {
        let q = AuditQuery {
            from: "2026-03-01".into(),
            to: "2026-03-01".into(),
            actor: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            q.parse().expect_err("bad actor").get("actor"),
            Some("err.invalid")
        );
        let q = AuditQuery {
            actor: "".into(),
            ..q
        };
        let f = q.parse().expect("valid");
        assert_eq!(
            f.to.expect("to") - f.from.expect("from"),
            chrono::Duration::days(1)
        );
        let bad = AuditQuery {
            from: "2026-03-02".into(),
            to: "2026-03-01".into(),
            ..Default::default()
        };
        assert_eq!(
            bad.parse().expect_err("order").get("to"),
            Some("err.date_order")
        );
    }

    #[test]
    fn role_form_defaults() {
        let f = RoleForm {
            role: "labour_inspector".into(),
            ..Default::default()
        };
        assert_eq!(
            f.parse(7).expect("valid"),
            (Role::LabourInspector, ScopeKind::Unit, 7)
        );
        let f = RoleForm {
            role: "nope".into(),
            scope: "everything".into(),
            unit_id: "x".into(),
        };
        let e = f.parse(7).expect_err("invalid");
        assert_eq!(e.get("role"), Some("err.choose"));
        assert_eq!(e.get("scope"), Some("err.choose"));
        assert_eq!(e.get("unit_id"), Some("err.invalid"));
    }

    #[test]
    fn passwords_must_match() {
        let f = UserForm {
            username: "li.ming".into(),
            display_name: "李明".into(),
            unit_id: "2".into(),
            password: "Luquan-2026!".into(),
            password2: "Luquan-2026?".into(),
            ..Default::default()
        };
        assert_eq!(
            f.parse().expect_err("mismatch").get("password2"),
            Some("err.password_mismatch")
        );
        let own = OwnPasswordForm {
            old_password: "Luquan-2026!".into(),
            password: "Luquan-2026!".into(),
            password2: "Luquan-2026!".into(),
        };
        assert_eq!(
            own.parse("li.ming", true)
                .expect_err("same")
                .get("password"),
            Some("err.password_same")
        );
        assert_eq!(
            own.parse("li.ming", false)
                .expect_err("wrong")
                .get("old_password"),
            Some("err.password_wrong")
        );
    }
}
