//! The whole-process record (全过程记录), for the audit administrator only:
//! filtered list with each event's before/after snapshots, and verification
//! of the hash chain.

use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
    routing::get,
};
use domain::{Permission, audit::ChainBreak};
use storage::repo::{
    PageReq,
    audit::{self, AuditEvent, VerifyReport},
};

use super::{Errs, Layout, render_status};
use crate::{AppState, ctx::Authed, error::AppResult, forms::AuditQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list))
        .route("/audit/verify", get(verify).post(verify))
}

/// Entity types written by the repositories (labels: `entity.<type>`).
pub const ENTITY_TYPES: &[&str] = &[
    "unit",
    "staff",
    "certificate",
    "staff_relation",
    "user",
    "role_assignment",
    "session",
    "api_token",
    "calendar_year",
];

/// Every action code the repositories record (labels: `action.<code>`).
pub const ACTIONS: &[&str] = &[
    "unit.create",
    "unit.update",
    "unit.delete",
    "staff.create",
    "staff.update",
    "staff.delete",
    "certificate.create",
    "certificate.revoke",
    "relation.create",
    "relation.delete",
    "user.create",
    "user.enable",
    "user.disable",
    "user.unlock",
    "user.password",
    "user.locale",
    "role.assign",
    "role.revoke",
    "auth.login",
    "auth.login_failed",
    "auth.locked",
    "auth.login_refused_locked",
    "auth.login_refused_disabled",
    "session.create",
    "session.end",
    "token.create",
    "token.revoke",
    "calendar.add_year",
    "calendar.replace_year",
];

/// An event with its snapshots pretty-printed.
struct EventView {
    e: AuditEvent,
    before: Option<String>,
    after: Option<String>,
}

fn pretty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|t| {
        serde_json::from_str::<serde_json::Value>(t)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| t.to_string())
    })
}

impl EventView {
    fn new(e: AuditEvent) -> Self {
        EventView {
            before: pretty(&e.before_data),
            after: pretty(&e.after_data),
            e,
        }
    }
    fn short_hash(&self) -> &str {
        self.e.hash.get(..16).unwrap_or(&self.e.hash)
    }
}

/// The outcome of a chain verification, for display.
struct VerifyView {
    intact: bool,
    checked: u64,
    broken_id: i64,
    /// link or content
    kind: &'static str,
}

impl From<VerifyReport> for VerifyView {
    fn from(r: VerifyReport) -> Self {
        let (broken_id, kind) = match r.broken {
            None => (0, ""),
            Some(ChainBreak::Link { id }) => (id, "link"),
            Some(ChainBreak::Content { id }) => (id, "content"),
        };
        VerifyView {
            intact: r.broken.is_none(),
            checked: r.checked,
            broken_id,
            kind,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/audit.html")]
struct ListPage {
    l: Layout,
    rows: Vec<EventView>,
    total: u64,
    page: u64,
    pages: u64,
    base: String,
    q: AuditQuery,
    errs: Errs,
    entity_types: &'static [&'static str],
    actions: &'static [&'static str],
    verify: Option<VerifyView>,
}

async fn list_page(
    state: &AppState,
    a: &Authed,
    q: AuditQuery,
    verify: Option<VerifyView>,
) -> AppResult<Response> {
    a.actor.scope(Permission::AuditRead)?;
    let l = Layout::new(state, &a.ctx, "audit", "nav.audit");
    let (rows, total, page, pages, errs) = match q.parse() {
        Ok(f) => {
            let p = audit::list(&state.db, &f, PageReq::new(q.page, q.per_page)).await?;
            let pages = p.pages();
            let rows = p.items.into_iter().map(EventView::new).collect();
            (rows, p.total, p.page, pages, Errs::default())
        }
        Err(e) => (vec![], 0, 1, 1, Errs::from(a.ctx.tr(), &e)),
    };
    let status = if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ListPage {
            l,
            rows,
            total,
            page,
            pages,
            base: q.base(),
            q,
            errs,
            entity_types: ENTITY_TYPES,
            actions: ACTIONS,
            verify,
        },
    ))
}

async fn list(
    State(state): State<AppState>,
    a: Authed,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    list_page(&state, &a, q, None).await
}

/// Recomputes the whole chain and shows the outcome above the newest events.
async fn verify(State(state): State<AppState>, a: Authed) -> AppResult<Response> {
    a.actor.scope(Permission::AuditRead)?;
    let report = audit::verify(&state.db).await?;
    list_page(&state, &a, AuditQuery::default(), Some(report.into())).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN_SRC, ZH_CN_SRC, flatten};

    /// Every action the repositories record is listed here and has a label.
    #[test]
    fn every_recorded_action_has_a_label() {
        let sources = [
            include_str!("../../../storage/src/repo/audit.rs"),
            include_str!("../../../storage/src/repo/auth.rs"),
            include_str!("../../../storage/src/repo/staff.rs"),
            include_str!("../../../storage/src/repo/units.rs"),
            include_str!("../../../storage/src/repo/users.rs"),
        ];
        for src in sources {
            for part in src.split(".record(").skip(1) {
                let lit = part.trim_start();
                if let Some(rest) = lit.strip_prefix('"') {
                    let code = rest.split('"').next().unwrap_or_default();
                    assert!(ACTIONS.contains(&code), "{code} missing from ACTIONS");
                }
            }
        }
        let zh = flatten(ZH_CN_SRC).expect("zh-CN parses");
        let en = flatten(EN_SRC).expect("en parses");
        for code in ACTIONS {
            let key = format!("action.{code}");
            assert!(zh.contains_key(&key) && en.contains_key(&key), "{key}");
        }
        // Refusals of role grants are field errors keyed like this.
        for key in [
            "role.already_assigned",
            "role.separation_admins",
            "role.separation_admin_business",
            "err.self_assign",
        ] {
            assert!(zh.contains_key(key) && en.contains_key(key), "{key}");
        }
        for t in ENTITY_TYPES {
            let key = format!("entity.{t}");
            assert!(zh.contains_key(&key) && en.contains_key(&key), "{key}");
        }
    }
}
