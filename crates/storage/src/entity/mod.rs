//! SeaORM entities, one module per table. Only the storage crate sees these;
//! repositories return plain structs to the layers above.

pub mod api_token;
pub mod audit_event;
pub mod certificate;
pub mod org_unit;
pub mod role_assignment;
pub mod session;
pub mod staff;
pub mod staff_relation;
pub mod user;
