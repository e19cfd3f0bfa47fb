//! Reading and verifying the whole-process record.

use domain::audit::{AuditFields, ChainBreak, ChainVerifier, StoredEvent};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Page, PageReq};
use crate::{Db, Result, entity::audit_event, tx::format_ts};

pub use audit_event::Model as AuditEvent;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<i64>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

/// Lists events, newest first. Only the audit administrator reaches this
/// (the web layer demands `Permission::AuditRead`), and the record has no
/// unit scope: it is the whole system's.
pub async fn list(db: &Db, f: &AuditFilter, page: PageReq) -> Result<Page<AuditEvent>> {
    let mut q = audit_event::Entity::find();
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_event::Column::Action.starts_with(a));
    }
    if let Some(e) = f.entity_type.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_event::Column::EntityType.eq(e));
    }
    if let Some(e) = f.entity_id.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_event::Column::EntityId.eq(e));
    }
    if let Some(u) = f.actor_user_id {
        q = q.filter(audit_event::Column::ActorUserId.eq(u));
    }
    if let Some(t) = f.from {
        q = q.filter(audit_event::Column::OccurredAt.gte(t));
    }
    if let Some(t) = f.to {
        q = q.filter(audit_event::Column::OccurredAt.lt(t));
    }
    let pager = q
        .order_by_desc(audit_event::Column::Id)
        .paginate(&db.conn, page.per_page);
    let total = pager.num_items().await?;
    let items = pager.fetch_page(page.page - 1).await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// The events about one entity, oldest first (an item's timeline).
pub async fn for_entity(db: &Db, entity_type: &str, entity_id: &str) -> Result<Vec<AuditEvent>> {
    Ok(audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq(entity_type))
        .filter(audit_event::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_event::Column::Id)
        .all(&db.conn)
        .await?)
}

fn stored(m: &AuditEvent) -> StoredEvent {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .map(|t| serde_json::from_str(t).unwrap_or(serde_json::Value::String(t.to_string())))
    };
    StoredEvent {
        id: m.id,
        fields: AuditFields {
            occurred_at: format_ts(&m.occurred_at),
            actor_user_id: m.actor_user_id,
            actor_name: m.actor_name.clone(),
            actor_unit_id: m.actor_unit_id,
            actor_role: m.actor_role.clone(),
            action: m.action.clone(),
            entity_type: m.entity_type.clone(),
            entity_id: m.entity_id.clone(),
            before: parse(&m.before_data),
            after: parse(&m.after_data),
            request_id: m.request_id.clone(),
            client_ip: m.client_ip.clone(),
        },
        prev_hash: m.prev_hash.clone(),
        hash: m.hash.clone(),
    }
}

/// Result of a full chain verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: u64,
    pub broken: Option<ChainBreak>,
}

/// Recomputes the chain in id order, in batches, stopping at the first break.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    let mut v = ChainVerifier::default();
    let mut after_id = 0i64;
    loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::Id.gt(after_id))
            .order_by_asc(audit_event::Column::Id)
            .limit(2000)
            .all(&db.conn)
            .await?;
        if batch.is_empty() {
            return Ok(VerifyReport {
                checked: v.checked,
                broken: None,
            });
        }
        for m in &batch {
            if let Err(b) = v.push(&stored(m)) {
                return Ok(VerifyReport {
                    checked: v.checked,
                    broken: Some(b),
                });
            }
        }
        after_id = batch.last().map(|m| m.id).unwrap_or(after_id);
    }
}
