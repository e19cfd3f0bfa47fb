//! Organisation, staff, accounts, sessions, tokens and the audit record.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

const UP: &str = r#"
CREATE TABLE org_units (
    id {pk},
    parent_id BIGINT REFERENCES org_units(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX org_units_parent ON org_units(parent_id);

CREATE TABLE staff (
    id {pk},
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    name TEXT NOT NULL,
    gender TEXT,
    position TEXT,
    phone TEXT,
    active {bool} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX staff_unit ON staff(unit_id);

CREATE TABLE certificates (
    id {pk},
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    issuer TEXT,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL,
    revoked {bool} NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX certificates_staff ON certificates(staff_id);

CREATE TABLE staff_relations (
    id {pk},
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    subject_name TEXT NOT NULL,
    subject_code TEXT,
    kind TEXT NOT NULL,
    note TEXT,
    declared_on DATE NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX staff_relations_staff ON staff_relations(staff_id);
CREATE INDEX staff_relations_code ON staff_relations(subject_code);

CREATE TABLE users (
    id {pk},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff(id),
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    password_hash TEXT NOT NULL,
    active {bool} NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until {ts},
    password_changed_at {ts} NOT NULL,
    last_login_at {ts},
    locale TEXT NOT NULL DEFAULT 'zh-CN',
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);
CREATE INDEX users_staff ON users(staff_id);

CREATE TABLE role_assignments (
    id {pk},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    granted_by BIGINT REFERENCES users(id),
    created_at {ts} NOT NULL,
    UNIQUE (user_id, role)
);
CREATE INDEX role_assignments_unit ON role_assignments(unit_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at {ts} NOT NULL,
    last_seen_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    client_ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id {pk},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at {ts} NOT NULL,
    last_used_at {ts},
    revoked_at {ts}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_events (
    id {pk},
    occurred_at {ts} NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    actor_unit_id BIGINT,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_data TEXT,
    after_data TEXT,
    request_id TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events(entity_type, entity_id);
CREATE INDEX audit_events_time ON audit_events(occurred_at);
CREATE INDEX audit_events_actor ON audit_events(actor_user_id);

CREATE TABLE scheduler_slots (
    name TEXT NOT NULL,
    slot TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at {ts} NOT NULL,
    PRIMARY KEY (name, slot)
)
"#;

const DOWN: &str = r#"
DROP TABLE scheduler_slots;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE role_assignments;
DROP TABLE users;
DROP TABLE staff_relations;
DROP TABLE certificates;
DROP TABLE staff;
DROP TABLE org_units
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_ddl(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_ddl(manager, DOWN).await
    }
}
