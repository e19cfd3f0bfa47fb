//! Official documents: content-addressed files, gap-free numbering, the issue
//! flow (draft → legal review → signed and sealed → issued), and service.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_documents"
    }
}

const UP: &str = r#"
CREATE TABLE files (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    original_name TEXT,
    created_at {ts} NOT NULL
);

CREATE TABLE doc_counters (
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    type_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (unit_id, type_code, year)
);

CREATE TABLE documents (
    id {pk},
    type_code TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    item_type TEXT,
    item_id TEXT,
    title TEXT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL,
    review_required {bool} NOT NULL,
    reviewer_id BIGINT REFERENCES users(id),
    review_opinion TEXT,
    reviewed_at {ts},
    signer_id BIGINT REFERENCES users(id),
    year INTEGER,
    seq BIGINT,
    number TEXT UNIQUE,
    pdf_hash TEXT REFERENCES files(hash),
    issued_at {ts},
    corrects_id BIGINT REFERENCES documents(id),
    created_by BIGINT REFERENCES users(id),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (unit_id, type_code, year, seq)
);
CREATE INDEX documents_item ON documents(item_type, item_id);
CREATE INDEX documents_unit ON documents(unit_id, status);

CREATE TABLE services (
    id {pk},
    document_id BIGINT NOT NULL REFERENCES documents(id),
    method TEXT NOT NULL,
    served_on DATE NOT NULL,
    effective_on DATE NOT NULL,
    recipient TEXT NOT NULL,
    proof_hash TEXT REFERENCES files(hash),
    consent_ref TEXT,
    note TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at {ts} NOT NULL
);
CREATE INDEX services_document ON services(document_id);

CREATE TABLE unit_seals (
    unit_id BIGINT PRIMARY KEY REFERENCES org_units(id),
    file_hash TEXT NOT NULL REFERENCES files(hash),
    updated_at {ts} NOT NULL
)
"#;

const DOWN: &str = r#"
DROP TABLE unit_seals;
DROP TABLE services;
DROP TABLE documents;
DROP TABLE doc_counters;
DROP TABLE files
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
