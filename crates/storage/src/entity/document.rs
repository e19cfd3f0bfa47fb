use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub type_code: String,
    pub unit_id: i64,
    pub item_type: Option<String>,
    pub item_id: Option<String>,
    pub title: String,
    pub data: String,
    pub status: String,
    pub review_required: bool,
    pub reviewer_id: Option<i64>,
    pub review_opinion: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub signer_id: Option<i64>,
    pub year: Option<i32>,
    pub seq: Option<i64>,
    pub number: Option<String>,
    pub pdf_hash: Option<String>,
    pub issued_at: Option<DateTimeUtc>,
    pub corrects_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub issuer_unit_id: Option<i64>,
    pub step: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
