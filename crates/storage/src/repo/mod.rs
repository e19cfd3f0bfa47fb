//! Repositories. Reads take the caller's [`Scope`]; writes take a [`crate::WriteTx`].

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clocks;
pub mod documents;
pub mod staff;
pub mod subjects;
pub mod units;
pub mod users;

use domain::Scope;
use sea_orm::{ColumnTrait, Condition, sea_query::Expr};
use serde::Serialize;

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// Paging request, clamped to sane bounds.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: u64,
    pub per_page: u64,
}

impl PageReq {
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        PageReq {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(20).clamp(1, 200),
        }
    }
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

/// The scope as a condition on a unit-id column (and optionally an owner column).
pub fn scope_condition<C: ColumnTrait>(
    scope: &Scope,
    unit_col: C,
    own_staff_col: Option<C>,
) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Limited {
            unit_ids,
            own_staff_id,
            ..
        } => {
            let mut c = Condition::any();
            if !unit_ids.is_empty() {
                c = c.add(unit_col.is_in(unit_ids.iter().copied()));
            }
            if let (Some(col), Some(sid)) = (own_staff_col, own_staff_id) {
                c = c.add(col.eq(*sid));
            }
            // `any()` with nothing in it would match everything: match nothing instead.
            use sea_orm::sea_query::ExprTrait;
            if c.is_empty() {
                Condition::all().add(Expr::val(1).eq(Expr::val(0)))
            } else {
                c
            }
        }
    }
}

/// Escapes `%` and `_` for a LIKE pattern and wraps it in `%…%`.
pub fn like_pattern(q: &str) -> String {
    let esc = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{esc}%")
}
