use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "clocks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_type: String,
    pub item_id: String,
    pub title: String,
    pub rule_code: String,
    pub rule_data: String,
    pub events: String,
    pub unit_id: i64,
    pub owner_user_id: Option<i64>,
    pub state: String,
    pub started_on: Date,
    pub original_deadline: Date,
    pub current_deadline: Option<Date>,
    pub due_soon_from: Option<Date>,
    pub completed_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
