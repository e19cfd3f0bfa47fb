//! The registry of regulated subjects: create and update (audited, with the
//! changed fields), lookup by key, and the list with Chinese full-text search
//! kept in the same transaction as the row (SQLite FTS5 / PostgreSQL `text[]`
//! + GIN, tokens from `domain::search`).
//!
//! The registry is shared by the whole bureau: every unit's procedures act on
//! the same subjects, so reads take the caller's scope for the permission but
//! do not narrow by unit.

use domain::{
    Scope,
    subject::{SectorRole, SubjectInput},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, Statement, Value,
};
use serde::Serialize;

use super::{Page, PageReq, units::invalid};
use crate::{Db, Result, StorageError, WriteTx, entity::subject, now};

pub use subject::Model as Subject;

/// Attributes beyond the registration data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectExtra {
    /// active | deregistered | revoked | closed
    pub status: String,
    /// low | normal | high
    pub risk_level: String,
    pub tags: Vec<String>,
    pub roles: Vec<SectorRole>,
}

impl Default for SubjectExtra {
    fn default() -> Self {
        SubjectExtra {
            status: "active".into(),
            risk_level: "normal".into(),
            tags: vec![],
            roles: vec![],
        }
    }
}

pub const STATUSES: [&str; 4] = ["active", "deregistered", "revoked", "closed"];
pub const RISK_LEVELS: [&str; 3] = ["low", "normal", "high"];

/// `,a,b,` so that one role or tag is found with `LIKE '%,a,%'`.
fn joined<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.into_iter().filter(|s| !s.is_empty()).collect();
    if v.is_empty() {
        String::new()
    } else {
        format!(",{},", v.join(","))
    }
}

/// The roles stored on a subject.
pub fn roles_of(s: &Subject) -> Vec<SectorRole> {
    s.roles
        .split(',')
        .filter_map(SectorRole::from_code)
        .collect()
}

/// The tags stored on a subject.
pub fn tags_of(s: &Subject) -> Vec<String> {
    s.tags
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn check_extra(x: &SubjectExtra) -> Result<()> {
    if !STATUSES.contains(&x.status.as_str()) {
        return Err(invalid("status", "err.choose"));
    }
    if !RISK_LEVELS.contains(&x.risk_level.as_str()) {
        return Err(invalid("risk_level", "err.choose"));
    }
    if x.tags.len() > 20
        || x.tags
            .iter()
            .any(|t| t.contains(',') || t.trim().is_empty() || t.chars().count() > 20)
    {
        return Err(invalid("tags", "err.invalid"));
    }
    Ok(())
}

/// The hash of a subject's data: an import row whose hash matches changes nothing.
pub fn row_hash(i: &SubjectInput) -> String {
    storage_hash(&serde_json::to_string(i).unwrap_or_default())
}

fn storage_hash(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The next alternative key for a subject without a code in a district.
async fn next_alternative_key(tx: &WriteTx, district: Option<&str>) -> Result<String> {
    let district = district.unwrap_or("000000");
    let backend = tx.conn().get_database_backend();
    let row = tx
        .conn()
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO key_counters (name, last_value) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET last_value = key_counters.last_value + 1 \
             RETURNING last_value",
            [format!("subject:{district}").into()],
        ))
        .await?
        .ok_or_else(|| StorageError::Other("counter returned no row".into()))?;
    let n = row.try_get_by_index::<i64>(0)?;
    domain::subject::alternative_key(district, n as u64)
        .ok_or_else(|| invalid("district_code", "err.district_code"))
}

/// Writes the search tokens of a subject (same transaction as the row).
pub async fn reindex<C: ConnectionTrait>(conn: &C, s: &Subject) -> Result<()> {
    let tokens = domain::search::index_tokens(
        [
            Some(s.name.as_str()),
            s.address.as_deref(),
            s.legal_representative.as_deref(),
            s.uscc.as_deref(),
        ]
        .into_iter()
        .flatten(),
    )
    .join(" ");
    let backend = conn.get_database_backend();
    match backend {
        DbBackend::Postgres => {
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE subjects SET search_tokens = string_to_array($1, ' ') WHERE id = $2",
                [tokens.into(), s.id.into()],
            ))
            .await?;
        }
        _ => {
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "DELETE FROM subjects_fts WHERE rowid = $1",
                [s.id.into()],
            ))
            .await?;
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO subjects_fts (rowid, tokens) VALUES ($1, $2)",
                [s.id.into(), tokens.into()],
            ))
            .await?;
        }
    }
    Ok(())
}

fn fields_json(s: &Subject) -> serde_json::Value {
    serde_json::json!({
        "subject_key": s.subject_key, "uscc": s.uscc, "name": s.name,
        "legal_form": s.legal_form, "legal_representative": s.legal_representative,
        "district_code": s.district_code, "address": s.address,
        "industry_code": s.industry_code, "employee_count": s.employee_count,
        "phone": s.phone, "established_on": s.established_on, "status": s.status,
        "risk_level": s.risk_level, "tags": tags_of(s), "roles": roles_of(s)
            .iter().map(|r| r.code()).collect::<Vec<_>>(),
    })
}

/// Only the fields that differ, as (before, after) objects.
fn diff(a: &serde_json::Value, b: &serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        for (k, v) in b {
            if a.get(k) != Some(v) {
                before.insert(k.clone(), a.get(k).cloned().unwrap_or_default());
                after.insert(k.clone(), v.clone());
            }
        }
    }
    (before.into(), after.into())
}

async fn uscc_taken(tx: &WriteTx, uscc: &str, except: Option<i64>) -> Result<bool> {
    let mut q = subject::Entity::find().filter(subject::Column::Uscc.eq(uscc));
    if let Some(id) = except {
        q = q.filter(subject::Column::Id.ne(id));
    }
    Ok(q.one(tx.conn()).await?.is_some())
}

/// Adds a subject; one without a code gets an alternative key.
pub async fn create(tx: &mut WriteTx, i: &SubjectInput, x: &SubjectExtra) -> Result<Subject> {
    check_extra(x)?;
    if let Some(u) = &i.uscc
        && uscc_taken(tx, u, None).await?
    {
        return Err(invalid("uscc", "err.duplicate"));
    }
    let key = match &i.uscc {
        Some(u) => u.clone(),
        None => next_alternative_key(tx, i.district_code.as_deref()).await?,
    };
    let t = now();
    let m = subject::ActiveModel {
        subject_key: Set(key),
        uscc: Set(i.uscc.clone()),
        name: Set(i.name.clone()),
        legal_form: Set(i.legal_form.code().into()),
        legal_representative: Set(i.legal_representative.clone()),
        district_code: Set(i.district_code.clone()),
        address: Set(i.address.clone()),
        industry_code: Set(i.industry_code.clone()),
        employee_count: Set(i.employee_count.map(|n| n as i32)),
        phone: Set(i.phone.clone()),
        established_on: Set(i.established_on),
        status: Set(x.status.clone()),
        risk_level: Set(x.risk_level.clone()),
        tags: Set(joined(x.tags.iter().map(String::as_str))),
        roles: Set(joined(x.roles.iter().map(|r| r.code()))),
        row_hash: Set(row_hash(i)),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    reindex(tx.conn(), &m).await?;
    tx.record(
        "subject.create",
        "subject",
        m.id,
        None,
        Some(fields_json(&m)),
    );
    Ok(m)
}

/// Changes a subject; the audit event (its history) holds only the changed fields.
pub async fn update(
    tx: &mut WriteTx,
    _scope: &Scope,
    id: i64,
    i: &SubjectInput,
    x: &SubjectExtra,
) -> Result<Subject> {
    check_extra(x)?;
    let before = subject::Entity::find_by_id(id)
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    if let Some(u) = &i.uscc
        && uscc_taken(tx, u, Some(id)).await?
    {
        return Err(invalid("uscc", "err.duplicate"));
    }
    let mut am: subject::ActiveModel = before.clone().into();
    // A subject that gets its code keeps the code as its key from now on.
    if let Some(u) = &i.uscc {
        am.subject_key = Set(u.clone());
    }
    am.uscc = Set(i.uscc.clone().or(before.uscc.clone()));
    am.name = Set(i.name.clone());
    am.legal_form = Set(i.legal_form.code().into());
    am.legal_representative = Set(i.legal_representative.clone());
    am.district_code = Set(i.district_code.clone());
    am.address = Set(i.address.clone());
    am.industry_code = Set(i.industry_code.clone());
    am.employee_count = Set(i.employee_count.map(|n| n as i32));
    am.phone = Set(i.phone.clone());
    am.established_on = Set(i.established_on);
    am.status = Set(x.status.clone());
    am.risk_level = Set(x.risk_level.clone());
    am.tags = Set(joined(x.tags.iter().map(String::as_str)));
    am.roles = Set(joined(x.roles.iter().map(|r| r.code())));
    am.row_hash = Set(row_hash(i));
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    let (b, a) = diff(&fields_json(&before), &fields_json(&after));
    if a.as_object().is_some_and(|m| m.is_empty()) {
        return Err(StorageError::Conflict("err.nothing_changed"));
    }
    reindex(tx.conn(), &after).await?;
    tx.record("subject.update", "subject", id, Some(b), Some(a));
    Ok(after)
}

pub async fn get(db: &Db, _scope: &Scope, id: i64) -> Result<Subject> {
    subject::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(StorageError::NotFound)
}

/// A subject by its code or alternative key.
pub async fn by_key<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Option<Subject>> {
    Ok(subject::Entity::find()
        .filter(subject::Column::SubjectKey.eq(key))
        .one(conn)
        .await?)
}

#[derive(Debug, Clone, Default)]
pub struct SubjectFilter {
    /// Full-text query over name, address, legal representative and code.
    pub q: Option<String>,
    pub legal_form: Option<String>,
    pub role: Option<String>,
    pub district_code: Option<String>,
    pub risk_level: Option<String>,
    pub status: Option<String>,
}

/// Subjects, best match first when searching, newest first otherwise.
pub async fn list(
    db: &Db,
    _scope: &Scope,
    f: &SubjectFilter,
    page: PageReq,
) -> Result<Page<Subject>> {
    let query =
        f.q.as_deref()
            .map(domain::search::query)
            .unwrap_or_default();
    if query.is_empty() {
        let mut q = subject::Entity::find();
        if let Some(v) = f.legal_form.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(subject::Column::LegalForm.eq(v));
        }
        if let Some(v) = f.role.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(subject::Column::Roles.like(format!("%,{v},%")));
        }
        if let Some(v) = f.district_code.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(subject::Column::DistrictCode.eq(v));
        }
        if let Some(v) = f.risk_level.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(subject::Column::RiskLevel.eq(v));
        }
        if let Some(v) = f.status.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(subject::Column::Status.eq(v));
        }
        let pager = q
            .order_by_desc(subject::Column::Id)
            .paginate(&db.conn, page.per_page);
        let total = pager.num_items().await?;
        let items = pager.fetch_page(page.page - 1).await?;
        return Ok(Page {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        });
    }
    search(db, &query, f, page).await
}

async fn search(
    db: &Db,
    query: &domain::search::Query,
    f: &SubjectFilter,
    page: PageReq,
) -> Result<Page<Subject>> {
    let backend = db.conn.get_database_backend();
    fn bind(v: Value, values: &mut Vec<Value>) -> String {
        values.push(v);
        format!("${}", values.len())
    }
    let mut values: Vec<Value> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let (from, order) = match backend {
        DbBackend::Postgres => {
            if !query.all.is_empty() {
                let p = bind(query.all.join(" ").into(), &mut values);
                conds.push(format!("s.search_tokens @> string_to_array({p}, ' ')"));
            }
            for pre in &query.prefixes {
                let p = bind(format!("%{pre}%").into(), &mut values);
                conds.push(format!(
                    "(s.name LIKE {p} OR s.address LIKE {p} OR s.legal_representative LIKE {p})"
                ));
            }
            // The ranking's parameter is bound after the count query.
            ("subjects s".to_string(), String::new())
        }
        _ => {
            let p = bind(query.fts5().into(), &mut values);
            (
                format!(
                    "(SELECT rowid AS rid, rank AS r FROM subjects_fts WHERE subjects_fts MATCH {p}) f \
                     JOIN subjects s ON s.id = f.rid"
                ),
                "f.r, s.id DESC".to_string(),
            )
        }
    };
    for (col, v) in [
        ("legal_form", &f.legal_form),
        ("district_code", &f.district_code),
        ("risk_level", &f.risk_level),
        ("status", &f.status),
    ] {
        if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
            let p = bind(v.to_string().into(), &mut values);
            conds.push(format!("s.{col} = {p}"));
        }
    }
    if let Some(v) = f.role.as_deref().filter(|s| !s.is_empty()) {
        let p = bind(format!("%,{v},%").into(), &mut values);
        conds.push(format!("s.roles LIKE {p}"));
    }
    let where_sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let count_sql = format!("SELECT count(*) FROM {from}{where_sql}");
    let total = db
        .conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            &count_sql,
            values.clone(),
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0) as u64;
    let order = if order.is_empty() {
        let text = f.q.clone().unwrap_or_default();
        let p = bind(text.trim().to_string().into(), &mut values);
        format!("(strpos(s.name, {p}) > 0) DESC, length(s.name), s.id DESC")
    } else {
        order
    };
    let lim = bind((page.per_page as i64).into(), &mut values);
    let off = bind(
        (((page.page - 1) * page.per_page) as i64).into(),
        &mut values,
    );
    let ids_sql =
        format!("SELECT s.id FROM {from}{where_sql} ORDER BY {order} LIMIT {lim} OFFSET {off}");
    let rows = db
        .conn
        .query_all_raw(Statement::from_sql_and_values(backend, &ids_sql, values))
        .await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0))
        .collect::<std::result::Result<_, _>>()?;
    let mut items = subject::Entity::find()
        .filter(subject::Column::Id.is_in(ids.clone()))
        .all(&db.conn)
        .await?;
    items.sort_by_key(|s| ids.iter().position(|i| *i == s.id));
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}
