//! Org units: the tree of the bureau, its offices, the brigade, the city
//! bureau above and the bodies that licensing powers were delegated to.

use domain::{Scope, org::UnitInput};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, Statement,
};
use serde::Serialize;

use super::{Page, PageReq, like_pattern, scope_condition};
use crate::{
    Db, Result, StorageError, WriteTx,
    entity::{org_unit, staff, user},
    now,
};

pub use org_unit::Model as Unit;

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<i64>,
}

fn scope_cond(scope: &Scope) -> sea_orm::Condition {
    scope_condition(scope, org_unit::Column::Id, None)
}

pub async fn list(db: &Db, scope: &Scope, f: &UnitFilter, page: PageReq) -> Result<Page<Unit>> {
    let mut q = org_unit::Entity::find().filter(scope_cond(scope));
    if let Some(text) = f.q.as_deref().filter(|s| !s.trim().is_empty()) {
        let pat = like_pattern(text.trim());
        q = q.filter(
            sea_orm::Condition::any()
                .add(org_unit::Column::Name.like(&pat))
                .add(org_unit::Column::Code.like(&pat))
                .add(org_unit::Column::ShortName.like(&pat)),
        );
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(org_unit::Column::Kind.eq(k));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(org_unit::Column::ParentId.eq(p));
    }
    let q = q
        .order_by_asc(org_unit::Column::SortOrder)
        .order_by_asc(org_unit::Column::Id);
    let pager = q.paginate(&db.conn, page.per_page);
    let total = pager.num_items().await?;
    let items = pager.fetch_page(page.page - 1).await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// Every unit in scope, for select boxes and the tree view.
pub async fn all(db: &Db, scope: &Scope) -> Result<Vec<Unit>> {
    Ok(org_unit::Entity::find()
        .filter(scope_cond(scope))
        .order_by_asc(org_unit::Column::SortOrder)
        .order_by_asc(org_unit::Column::Id)
        .all(&db.conn)
        .await?)
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Unit> {
    org_unit::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(&db.conn)
        .await?
        .ok_or(StorageError::NotFound)
}

/// The unit and every unit below it.
pub async fn descendants<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<i64>> {
    let sql = "WITH RECURSIVE t(id) AS (SELECT id FROM org_units WHERE id = $1 \
               UNION ALL SELECT u.id FROM org_units u JOIN t ON u.parent_id = t.id) SELECT id FROM t";
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            sql,
            [id.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).map_err(StorageError::from))
        .collect()
}

async fn check_parent(tx: &WriteTx, input: &UnitInput, self_id: Option<i64>) -> Result<()> {
    if let Some(pid) = input.parent_id {
        if org_unit::Entity::find_by_id(pid)
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(invalid("parent_id", "err.not_found"));
        }
        if let Some(me) = self_id
            && descendants(tx.conn(), me).await?.contains(&pid)
        {
            return Err(invalid("parent_id", "err.unit_cycle"));
        }
    }
    Ok(())
}

async fn check_code_free(tx: &WriteTx, code: &str, self_id: Option<i64>) -> Result<()> {
    let mut q = org_unit::Entity::find().filter(org_unit::Column::Code.eq(code));
    if let Some(me) = self_id {
        q = q.filter(org_unit::Column::Id.ne(me));
    }
    if q.one(tx.conn()).await?.is_some() {
        return Err(invalid("code", "err.duplicate"));
    }
    Ok(())
}

pub(crate) fn invalid(field: &str, key: &str) -> StorageError {
    let mut e = domain::FieldErrors::default();
    e.add(field, key);
    StorageError::Invalid(e)
}

pub async fn create(tx: &mut WriteTx, input: &UnitInput) -> Result<Unit> {
    check_parent(tx, input, None).await?;
    check_code_free(tx, &input.code, None).await?;
    let t = now();
    let m = org_unit::ActiveModel {
        parent_id: Set(input.parent_id),
        code: Set(input.code.clone()),
        name: Set(input.name.clone()),
        short_name: Set(input.short_name.clone()),
        kind: Set(input.kind.code().to_string()),
        sort_order: Set(input.sort_order),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record(
        "unit.create",
        "unit",
        m.id,
        None,
        Some(serde_json::to_value(&m).unwrap_or_default()),
    );
    Ok(m)
}

pub async fn update(tx: &mut WriteTx, scope: &Scope, id: i64, input: &UnitInput) -> Result<Unit> {
    let before = org_unit::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    check_parent(tx, input, Some(id)).await?;
    check_code_free(tx, &input.code, Some(id)).await?;
    let mut am: org_unit::ActiveModel = before.clone().into();
    am.parent_id = Set(input.parent_id);
    am.code = Set(input.code.clone());
    am.name = Set(input.name.clone());
    am.short_name = Set(input.short_name.clone());
    am.kind = Set(input.kind.code().to_string());
    am.sort_order = Set(input.sort_order);
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    tx.record(
        "unit.update",
        "unit",
        id,
        Some(json(&before)),
        Some(json(&after)),
    );
    Ok(after)
}

/// Deletes a unit that has no sub-units, staff or accounts; otherwise a
/// conflict naming what still belongs to it.
pub async fn delete(tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
    let before = org_unit::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    if org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(id))
        .count(tx.conn())
        .await?
        > 0
    {
        return Err(StorageError::Conflict("err.unit_has_children"));
    }
    if staff::Entity::find()
        .filter(staff::Column::UnitId.eq(id))
        .count(tx.conn())
        .await?
        > 0
    {
        return Err(StorageError::Conflict("err.unit_has_staff"));
    }
    if user::Entity::find()
        .filter(user::Column::UnitId.eq(id))
        .count(tx.conn())
        .await?
        > 0
    {
        return Err(StorageError::Conflict("err.unit_has_users"));
    }
    let n = org_unit::Entity::delete_many()
        .filter(org_unit::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    if n.rows_affected != 1 {
        return Err(StorageError::NotFound);
    }
    tx.record("unit.delete", "unit", id, Some(json(&before)), None);
    Ok(())
}

pub(crate) fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The nearest unit of `kind` at or above `unit_id` (the organ a unit's
/// documents are issued in the name of), if there is one.
pub async fn nearest_of_kind<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    kind: &str,
) -> Result<Option<Unit>> {
    let mut next = Some(unit_id);
    let mut seen = 0;
    while let Some(id) = next {
        let Some(u) = org_unit::Entity::find_by_id(id).one(conn).await? else {
            return Ok(None);
        };
        if u.kind == kind {
            return Ok(Some(u));
        }
        next = u.parent_id;
        seen += 1;
        if seen > 64 {
            break;
        }
    }
    Ok(None)
}

/// One unit by id, without a scope check (for names shown on documents).
pub async fn by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Unit>> {
    Ok(org_unit::Entity::find_by_id(id).one(conn).await?)
}
