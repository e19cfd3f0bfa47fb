//! Documents record the organ they are issued in the name of (numbers are
//! counted per issuing unit, type and year) and the procedure step that
//! issued them.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_document_issuer"
    }
}

const UP: &str = r#"
ALTER TABLE documents ADD COLUMN issuer_unit_id BIGINT REFERENCES org_units(id);
ALTER TABLE documents ADD COLUMN step TEXT;
ALTER TABLE services ADD COLUMN clocks_started INTEGER NOT NULL DEFAULT 0
"#;

const DOWN: &str = r#"
ALTER TABLE services DROP COLUMN clocks_started;
ALTER TABLE documents DROP COLUMN step;
ALTER TABLE documents DROP COLUMN issuer_unit_id
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
