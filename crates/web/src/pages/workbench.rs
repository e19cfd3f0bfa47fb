//! The workbench: what the user has to do, at a glance.

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    response::Response,
    routing::get,
};
use domain::Permission;
use storage::repo::{PageReq, staff, units};

use super::{Layout, render};
use crate::{AppState, ctx::Authed, error::AppResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/workbench", get(workbench))
}

#[derive(Template)]
#[template(path = "pages/workbench.html")]
struct Workbench {
    l: Layout,
    unit_count: Option<u64>,
    staff_count: Option<u64>,
    uncertified: Option<u64>,
}

async fn workbench(State(state): State<AppState>, a: Authed) -> AppResult<Response> {
    let unit_count = match a.actor.scope(Permission::UnitRead) {
        Ok(s) => Some(
            units::list(
                &state.db,
                &s,
                &Default::default(),
                PageReq::new(Some(1), Some(1)),
            )
            .await?
            .total,
        ),
        Err(_) => None,
    };
    let (staff_count, uncertified) = match a.actor.scope(Permission::StaffRead) {
        Ok(s) => {
            let today = storage::now().date_naive();
            let all = staff::list(
                &state.db,
                &s,
                &Default::default(),
                PageReq::new(Some(1), Some(200)),
                today,
            )
            .await?;
            let unc = all.items.iter().filter(|r| !r.certified).count() as u64;
            (Some(all.total), Some(unc))
        }
        Err(_) => (None, None),
    };
    Ok(render(&Workbench {
        l: Layout::new(&state, &a.ctx, "workbench", "nav.workbench"),
        unit_count,
        staff_count,
        uncertified,
    }))
}

#[derive(Template)]
#[template(path = "pages/module.html")]
struct Module {
    l: Layout,
    key: String,
}

/// A module that a later release brings.
pub async fn module_placeholder(
    State(state): State<AppState>,
    a: Authed,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(30)
        .collect();
    let mut l = Layout::new(&state, &a.ctx, &key, "nav.soon");
    l.title = a.ctx.tr().label("nav", &key);
    Ok(render(&Module { l, key }))
}
