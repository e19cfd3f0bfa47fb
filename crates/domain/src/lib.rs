//! Pure domain rules of Jianguan: no I/O, no database, no HTTP.
//!
//! Everything here is data and functions over data so it can be unit- and
//! property-tested in isolation. Storage and web depend on this crate, never
//! the other way round.

pub mod audit;
pub mod authz;
pub mod calendar;
pub mod clock;
pub mod doctypes;
pub mod org;
pub mod rules;
pub mod search;
pub mod subject;
pub mod validate;

pub use authz::{Actor, Assignment, Permission, Role, Scope, ScopeKind};
pub use validate::{FieldError, FieldErrors};
