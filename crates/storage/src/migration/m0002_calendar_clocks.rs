//! The working-day calendar, statutory clocks and their reminders.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_calendar_clocks"
    }
}

const UP: &str = r#"
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    source_title TEXT NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE clocks (
    id {pk},
    item_type TEXT NOT NULL,
    item_id TEXT NOT NULL,
    title TEXT NOT NULL,
    rule_code TEXT NOT NULL,
    rule_data TEXT NOT NULL,
    events TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    owner_user_id BIGINT REFERENCES users(id),
    state TEXT NOT NULL,
    started_on DATE NOT NULL,
    original_deadline DATE NOT NULL,
    current_deadline DATE,
    due_soon_from DATE,
    completed_on DATE,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX clocks_due ON clocks(state, due_soon_from);
CREATE INDEX clocks_deadline ON clocks(state, current_deadline);
CREATE INDEX clocks_unit_due ON clocks(unit_id, state, due_soon_from, current_deadline);
CREATE INDEX clocks_item ON clocks(item_type, item_id);

CREATE TABLE reminders (
    id {pk},
    clock_id BIGINT NOT NULL REFERENCES clocks(id) ON DELETE CASCADE,
    threshold TEXT NOT NULL,
    deadline DATE NOT NULL,
    unit_id BIGINT NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (clock_id, threshold, deadline)
);
CREATE INDEX reminders_unit ON reminders(unit_id, created_at)
"#;

const DOWN: &str = r#"
DROP TABLE reminders;
DROP TABLE clocks;
DROP TABLE calendar_years
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
