//! Staff, their enforcement certificates and declared relationships (回避).

use chrono::NaiveDate;
use domain::{
    Scope,
    org::{CertificateInput, RelationInput, StaffInput, certificate_valid_on},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::{
    Page, PageReq, like_pattern, scope_condition,
    units::{invalid, json},
};
use crate::{
    Db, Result, StorageError, WriteTx,
    entity::{certificate, org_unit, staff, staff_relation, user},
    now,
};

pub use certificate::Model as Certificate;
pub use staff::Model as Staff;
pub use staff_relation::Model as Relation;

#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub active: Option<bool>,
}

/// A row of the staff list, with the unit name and certificate state.
#[derive(Debug, Clone, Serialize)]
pub struct StaffRow {
    #[serde(flatten)]
    pub staff: Staff,
    pub unit_name: String,
    /// Whether at least one certificate is valid today.
    pub certified: bool,
}

fn scope_cond(scope: &Scope) -> sea_orm::Condition {
    scope_condition(scope, staff::Column::UnitId, Some(staff::Column::Id))
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &StaffFilter,
    page: PageReq,
    today: NaiveDate,
) -> Result<Page<StaffRow>> {
    let mut q = staff::Entity::find().filter(scope_cond(scope));
    if let Some(text) = f.q.as_deref().filter(|s| !s.trim().is_empty()) {
        let pat = like_pattern(text.trim());
        q = q.filter(
            sea_orm::Condition::any()
                .add(staff::Column::Name.like(&pat))
                .add(staff::Column::Position.like(&pat)),
        );
    }
    if let Some(u) = f.unit_id {
        q = q.filter(staff::Column::UnitId.eq(u));
    }
    if let Some(a) = f.active {
        q = q.filter(staff::Column::Active.eq(a));
    }
    let pager = q
        .order_by_asc(staff::Column::UnitId)
        .order_by_asc(staff::Column::Id)
        .paginate(&db.conn, page.per_page);
    let total = pager.num_items().await?;
    let rows = pager.fetch_page(page.page - 1).await?;
    // Two batched lookups instead of one query per row.
    let unit_ids: Vec<i64> = rows.iter().map(|s| s.unit_id).collect();
    let staff_ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let units = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(unit_ids))
        .all(&db.conn)
        .await?;
    let certs = certificate::Entity::find()
        .filter(certificate::Column::StaffId.is_in(staff_ids))
        .all(&db.conn)
        .await?;
    let items = rows
        .into_iter()
        .map(|s| StaffRow {
            unit_name: units
                .iter()
                .find(|u| u.id == s.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            certified: certs.iter().any(|c| {
                c.staff_id == s.id
                    && certificate_valid_on(c.valid_from, c.valid_to, c.revoked, today)
            }),
            staff: s,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// A staff member with everything that hangs off them.
#[derive(Debug, Clone, Serialize)]
pub struct StaffDetail {
    #[serde(flatten)]
    pub staff: Staff,
    pub unit_name: String,
    pub certificates: Vec<Certificate>,
    pub relations: Vec<Relation>,
    pub username: Option<String>,
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<StaffDetail> {
    let s = staff::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(&db.conn)
        .await?
        .ok_or(StorageError::NotFound)?;
    let unit_name = org_unit::Entity::find_by_id(s.unit_id)
        .one(&db.conn)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::StaffId.eq(id))
        .order_by_desc(certificate::Column::ValidTo)
        .all(&db.conn)
        .await?;
    let relations = staff_relation::Entity::find()
        .filter(staff_relation::Column::StaffId.eq(id))
        .order_by_asc(staff_relation::Column::Id)
        .all(&db.conn)
        .await?;
    let username = user::Entity::find()
        .filter(user::Column::StaffId.eq(id))
        .one(&db.conn)
        .await?
        .map(|u| u.username);
    Ok(StaffDetail {
        staff: s,
        unit_name,
        certificates,
        relations,
        username,
    })
}

async fn check_unit(tx: &WriteTx, scope: &Scope, unit_id: i64) -> Result<()> {
    if org_unit::Entity::find_by_id(unit_id)
        .one(tx.conn())
        .await?
        .is_none()
    {
        return Err(invalid("unit_id", "err.not_found"));
    }
    if !scope.allows_unit(unit_id) {
        return Err(invalid("unit_id", "err.out_of_scope"));
    }
    Ok(())
}

pub async fn create(tx: &mut WriteTx, scope: &Scope, input: &StaffInput) -> Result<Staff> {
    check_unit(tx, scope, input.unit_id).await?;
    let t = now();
    let m = staff::ActiveModel {
        unit_id: Set(input.unit_id),
        name: Set(input.name.clone()),
        gender: Set(input.gender.clone()),
        position: Set(input.position.clone()),
        phone: Set(input.phone.clone()),
        active: Set(input.active),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record("staff.create", "staff", m.id, None, Some(json(&m)));
    Ok(m)
}

async fn find_in_scope(tx: &WriteTx, scope: &Scope, id: i64) -> Result<Staff> {
    staff::Entity::find_by_id(id)
        .filter(scope_cond(scope))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)
}

pub async fn update(tx: &mut WriteTx, scope: &Scope, id: i64, input: &StaffInput) -> Result<Staff> {
    let before = find_in_scope(tx, scope, id).await?;
    check_unit(tx, scope, input.unit_id).await?;
    let mut am: staff::ActiveModel = before.clone().into();
    am.unit_id = Set(input.unit_id);
    am.name = Set(input.name.clone());
    am.gender = Set(input.gender.clone());
    am.position = Set(input.position.clone());
    am.phone = Set(input.phone.clone());
    am.active = Set(input.active);
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    tx.record(
        "staff.update",
        "staff",
        id,
        Some(json(&before)),
        Some(json(&after)),
    );
    Ok(after)
}

/// Deletes a staff member who has no login account; certificates and
/// relationships go with them (and are in the audit snapshot).
pub async fn delete(tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
    let before = find_in_scope(tx, scope, id).await?;
    if user::Entity::find()
        .filter(user::Column::StaffId.eq(id))
        .count(tx.conn())
        .await?
        > 0
    {
        return Err(StorageError::Conflict("err.staff_has_account"));
    }
    let certs = certificate::Entity::find()
        .filter(certificate::Column::StaffId.eq(id))
        .all(tx.conn())
        .await?;
    let rels = staff_relation::Entity::find()
        .filter(staff_relation::Column::StaffId.eq(id))
        .all(tx.conn())
        .await?;
    staff::Entity::delete_by_id(id).exec(tx.conn()).await?;
    let snapshot = serde_json::json!({"staff": before, "certificates": certs, "relations": rels});
    tx.record("staff.delete", "staff", id, Some(snapshot), None);
    Ok(())
}

pub async fn add_certificate(
    tx: &mut WriteTx,
    scope: &Scope,
    staff_id: i64,
    c: &CertificateInput,
) -> Result<Certificate> {
    find_in_scope(tx, scope, staff_id).await?;
    if certificate::Entity::find()
        .filter(certificate::Column::Number.eq(&c.number))
        .one(tx.conn())
        .await?
        .is_some()
    {
        return Err(invalid("number", "err.duplicate"));
    }
    let m = certificate::ActiveModel {
        staff_id: Set(staff_id),
        kind: Set(c.kind.code().to_string()),
        number: Set(c.number.clone()),
        issuer: Set(c.issuer.clone()),
        valid_from: Set(c.valid_from),
        valid_to: Set(c.valid_to),
        revoked: Set(false),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record(
        "certificate.create",
        "certificate",
        m.id,
        None,
        Some(json(&m)),
    );
    Ok(m)
}

/// Revokes a certificate (it stays on record, no longer qualifies its holder).
pub async fn revoke_certificate(
    tx: &mut WriteTx,
    scope: &Scope,
    cert_id: i64,
) -> Result<Certificate> {
    let before = certificate::Entity::find_by_id(cert_id)
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    find_in_scope(tx, scope, before.staff_id).await?;
    if before.revoked {
        return Err(StorageError::Conflict("err.already_revoked"));
    }
    let mut am: certificate::ActiveModel = before.clone().into();
    am.revoked = Set(true);
    let after = am.update(tx.conn()).await?;
    tx.record(
        "certificate.revoke",
        "certificate",
        cert_id,
        Some(json(&before)),
        Some(json(&after)),
    );
    Ok(after)
}

pub async fn get_certificate(db: &Db, scope: &Scope, cert_id: i64) -> Result<Certificate> {
    let c = certificate::Entity::find_by_id(cert_id)
        .one(&db.conn)
        .await?
        .ok_or(StorageError::NotFound)?;
    staff::Entity::find_by_id(c.staff_id)
        .filter(scope_cond(scope))
        .one(&db.conn)
        .await?
        .ok_or(StorageError::NotFound)?;
    Ok(c)
}

pub async fn add_relation(
    tx: &mut WriteTx,
    scope: &Scope,
    staff_id: i64,
    r: &RelationInput,
) -> Result<Relation> {
    find_in_scope(tx, scope, staff_id).await?;
    let m = staff_relation::ActiveModel {
        staff_id: Set(staff_id),
        subject_name: Set(r.subject_name.clone()),
        subject_code: Set(r.subject_code.clone()),
        kind: Set(r.kind.code().to_string()),
        note: Set(r.note.clone()),
        declared_on: Set(r.declared_on),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record(
        "relation.create",
        "staff_relation",
        m.id,
        None,
        Some(json(&m)),
    );
    Ok(m)
}

/// Deletes a declared relationship; returns what was deleted.
pub async fn delete_relation(tx: &mut WriteTx, scope: &Scope, rel_id: i64) -> Result<Relation> {
    let before = staff_relation::Entity::find_by_id(rel_id)
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    find_in_scope(tx, scope, before.staff_id).await?;
    staff_relation::Entity::delete_by_id(rel_id)
        .exec(tx.conn())
        .await?;
    tx.record(
        "relation.delete",
        "staff_relation",
        rel_id,
        Some(json(&before)),
        None,
    );
    Ok(before)
}

/// Active staff in scope who have no login account yet, for the account form.
pub async fn without_account(db: &Db, scope: &Scope) -> Result<Vec<Staff>> {
    use sea_orm::sea_query::Query;
    // `NOT IN` over a column with NULLs matches nothing: leave the NULLs out.
    let linked = Query::select()
        .column(user::Column::StaffId)
        .from(user::Entity)
        .and_where(user::Column::StaffId.is_not_null())
        .to_owned();
    Ok(staff::Entity::find()
        .filter(scope_cond(scope))
        .filter(staff::Column::Active.eq(true))
        .filter(staff::Column::Id.not_in_subquery(linked))
        .order_by_asc(staff::Column::UnitId)
        .order_by_asc(staff::Column::Id)
        .all(&db.conn)
        .await?)
}
