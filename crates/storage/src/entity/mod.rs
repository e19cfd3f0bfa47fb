//! SeaORM entities, one module per table. Only the storage crate sees these;
//! repositories return plain structs to the layers above.

pub mod api_token;
pub mod audit_event;
pub mod calendar_year;
pub mod certificate;
pub mod clock;
pub mod document;
pub mod file;
pub mod org_unit;
pub mod reminder;
pub mod role_assignment;
pub mod service;
pub mod session;
pub mod staff;
pub mod staff_relation;
pub mod subject;
pub mod unit_seal;
pub mod user;
