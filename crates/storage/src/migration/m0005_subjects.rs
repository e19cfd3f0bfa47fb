//! The registry of regulated subjects (监管对象) with its search index:
//! an FTS5 table on SQLite, a `text[]` column with a GIN index on PostgreSQL
//! (see `domain::search`).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_subjects"
    }
}

const UP: &str = r#"
CREATE TABLE subjects (
    id {pk},
    subject_key TEXT NOT NULL UNIQUE,
    uscc TEXT UNIQUE,
    name TEXT NOT NULL,
    legal_form TEXT NOT NULL,
    legal_representative TEXT,
    district_code TEXT,
    address TEXT,
    industry_code TEXT,
    employee_count INTEGER,
    phone TEXT,
    established_on DATE,
    status TEXT NOT NULL,
    risk_level TEXT NOT NULL,
    tags TEXT NOT NULL,
    roles TEXT NOT NULL,
    row_hash TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX subjects_name ON subjects(name);
CREATE INDEX subjects_district ON subjects(district_code, id);
CREATE TABLE key_counters (
    name TEXT PRIMARY KEY,
    last_value BIGINT NOT NULL
)
"#;

const UP_SQLITE: &str = r#"
CREATE VIRTUAL TABLE subjects_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0')
"#;

const UP_PG: &str = r#"
ALTER TABLE subjects ADD COLUMN search_tokens TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX subjects_search ON subjects USING GIN (search_tokens)
"#;

const DOWN: &str = r#"
DROP TABLE key_counters;
DROP TABLE subjects
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_ddl(manager, UP).await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => super::run_ddl(manager, UP_PG).await,
            _ => super::run_ddl(manager, UP_SQLITE).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            super::run_ddl(manager, "DROP TABLE subjects_fts").await?;
        }
        super::run_ddl(manager, DOWN).await
    }
}
