use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A regulated subject. (PostgreSQL also has `search_tokens text[]`, kept by
/// `repo::subjects` and not mapped here; SQLite keeps them in `subjects_fts`.)
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "subjects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_key: String,
    pub uscc: Option<String>,
    pub name: String,
    pub legal_form: String,
    pub legal_representative: Option<String>,
    pub district_code: Option<String>,
    pub address: Option<String>,
    pub industry_code: Option<String>,
    pub employee_count: Option<i32>,
    pub phone: Option<String>,
    pub established_on: Option<Date>,
    pub status: String,
    pub risk_level: String,
    pub tags: String,
    pub roles: String,
    pub row_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
