//! Write transactions that carry their own audit events.

use domain::audit::{AuditFields, GENESIS, canonical_json, chain_hash};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryOrder, QuerySelect,
    Set, Statement, TransactionOptions, TransactionTrait,
    sea_query::{Expr, Order},
};

use crate::{AUDIT_LOCK, Db, Engine, Result, StorageError, entity::audit_event, now};

/// Who acts and from where: written into every audit event.
#[derive(Debug, Clone, Default)]
pub struct AuditCtx {
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub actor_unit_id: Option<i64>,
    /// The actor's role codes, comma-separated.
    pub actor_role: String,
    pub request_id: String,
    pub client_ip: String,
}

impl AuditCtx {
    /// For changes made by the system itself (seeding, the CLI, sweeps).
    pub fn system(what: &str) -> Self {
        AuditCtx {
            actor_user_id: None,
            actor_name: format!("system:{what}"),
            actor_unit_id: None,
            actor_role: "system".into(),
            request_id: uuid::Uuid::new_v4().to_string(),
            client_ip: "local".into(),
        }
    }
}

struct Pending {
    action: String,
    entity_type: String,
    entity_id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

/// A write transaction. Repositories make their changes through
/// [`WriteTx::conn`] and describe them with [`WriteTx::record`]; [`WriteTx::commit`]
/// appends the events to the audit chain and commits both together.
pub struct WriteTx {
    tx: DatabaseTransaction,
    engine: Engine,
    ctx: AuditCtx,
    events: Vec<Pending>,
}

impl Db {
    /// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so
    /// concurrent writers queue on the busy timeout instead of failing when
    /// they upgrade a read lock.
    pub async fn begin_write(&self, ctx: &AuditCtx) -> Result<WriteTx> {
        let tx = match self.engine {
            Engine::Sqlite => {
                self.conn
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?
            }
            Engine::Postgres => self.conn.begin().await?,
        };
        Ok(WriteTx {
            tx,
            engine: self.engine,
            ctx: ctx.clone(),
            events: Vec::new(),
        })
    }
}

impl WriteTx {
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Serialises this transaction with others that take the same key, until
    /// commit or rollback (PostgreSQL advisory lock; SQLite write transactions
    /// are serial already).
    pub async fn lock(&self, key: i64) -> Result<()> {
        if self.engine == Engine::Postgres {
            self.tx
                .execute_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock($1)",
                    [key.into()],
                ))
                .await?;
        }
        Ok(())
    }

    pub fn ctx(&self) -> &AuditCtx {
        &self.ctx
    }

    /// Describes one state change. `before`/`after` are JSON snapshots.
    pub fn record(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) {
        self.events.push(Pending {
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id: entity_id.to_string(),
            before,
            after,
        });
    }

    /// Appends the recorded events to the hash chain and commits. A write
    /// transaction without any event is a programming error and is refused.
    pub async fn commit(self) -> Result<()> {
        if self.events.is_empty() {
            return Err(StorageError::Other(
                "write transaction without an audit event".into(),
            ));
        }
        if self.engine == Engine::Postgres {
            self.tx
                .execute_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock($1)",
                    [AUDIT_LOCK.into()],
                ))
                .await?;
        }
        let last = audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::Hash)
            .order_by(Expr::col(audit_event::Column::Id), Order::Desc)
            .limit(1)
            .into_tuple::<String>()
            .one(&self.tx)
            .await?;
        let mut prev = last.unwrap_or_else(|| GENESIS.to_string());
        let at = now();
        for e in self.events {
            let fields = AuditFields {
                occurred_at: format_ts(&at),
                actor_user_id: self.ctx.actor_user_id,
                actor_name: self.ctx.actor_name.clone(),
                actor_unit_id: self.ctx.actor_unit_id,
                actor_role: self.ctx.actor_role.clone(),
                action: e.action,
                entity_type: e.entity_type,
                entity_id: e.entity_id,
                before: e.before,
                after: e.after,
                request_id: self.ctx.request_id.clone(),
                client_ip: self.ctx.client_ip.clone(),
            };
            let hash = chain_hash(&prev, &fields);
            audit_event::ActiveModel {
                occurred_at: Set(at),
                actor_user_id: Set(fields.actor_user_id),
                actor_name: Set(fields.actor_name.clone()),
                actor_unit_id: Set(fields.actor_unit_id),
                actor_role: Set(fields.actor_role.clone()),
                action: Set(fields.action.clone()),
                entity_type: Set(fields.entity_type.clone()),
                entity_id: Set(fields.entity_id.clone()),
                before_data: Set(fields.before.as_ref().map(canonical_json)),
                after_data: Set(fields.after.as_ref().map(canonical_json)),
                request_id: Set(fields.request_id.clone()),
                client_ip: Set(fields.client_ip.clone()),
                prev_hash: Set(prev.clone()),
                hash: Set(hash.clone()),
                ..Default::default()
            }
            .insert(&self.tx)
            .await?;
            prev = hash;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// The timestamp form the audit chain hashes: RFC 3339, UTC, microseconds.
pub fn format_ts(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
