use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "services")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub method: String,
    pub served_on: Date,
    pub effective_on: Date,
    pub recipient: String,
    pub proof_hash: Option<String>,
    pub consent_ref: Option<String>,
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    /// How many clocks this service started (the first service of a document starts them).
    pub clocks_started: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
