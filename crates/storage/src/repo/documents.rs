//! Documents: drafts, legal review, gap-free numbering at issue, the issued
//! PDF by hash, and service (送达) with the effective service date.
//!
//! A number is taken from `doc_counters` inside the issuing transaction, so a
//! failed issue rolls the counter back with everything else: numbers are
//! unique and gap-free per issuing unit, document type and year, on both
//! engines (the counter row is the serialisation point).

use chrono::{Datelike, NaiveDate};
use domain::Scope;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    Statement,
};
use serde::Serialize;

use super::units::json;
use crate::{
    Result, StorageError, WriteTx,
    entity::{document, file, service},
    now,
};

pub use document::Model as Document;
pub use service::Model as Service;

/// Takes the next number for (unit, type, year) in this transaction.
pub async fn next_seq(tx: &WriteTx, unit_id: i64, type_code: &str, year: i32) -> Result<i64> {
    let backend = tx.conn().get_database_backend();
    let row = tx
        .conn()
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO doc_counters (unit_id, type_code, year, last_seq) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (unit_id, type_code, year) DO UPDATE SET last_seq = doc_counters.last_seq + 1 \
             RETURNING last_seq",
            [unit_id.into(), type_code.into(), year.into()],
        ))
        .await?
        .ok_or_else(|| StorageError::Other("counter returned no row".into()))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// The familiar form of a document number: 鹿人社监〔2026〕12号.
pub fn format_number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}〔{year}〕{seq}号")
}

/// Records a stored file's metadata (idempotent: the address is the content;
/// two transactions recording the same file at once are both fine).
pub async fn record_file(
    tx: &WriteTx,
    hash: &str,
    size: usize,
    mime: &str,
    name: Option<&str>,
) -> Result<()> {
    let backend = tx.conn().get_database_backend();
    tx.conn()
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO files (hash, size, mime, original_name, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
            [
                hash.into(),
                (size as i64).into(),
                mime.into(),
                name.map(str::to_string).into(),
                now().into(),
            ],
        ))
        .await?;
    Ok(())
}

/// A new draft.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub type_code: String,
    pub unit_id: i64,
    pub item_type: Option<String>,
    pub item_id: Option<String>,
    pub title: String,
    pub data: serde_json::Value,
    pub review_required: bool,
    pub created_by: Option<i64>,
    pub corrects_id: Option<i64>,
    /// The organ it is issued in the name of (numbers are counted per issuer).
    pub issuer_unit_id: i64,
    /// The procedure step that drafts it, if any.
    pub step: Option<String>,
}

/// A document is in scope when its drafting unit is, or (for a 本人 scope)
/// when the actor drafted it.
fn scoped(scope: &Scope, d: &Document) -> Result<()> {
    let own = match scope {
        Scope::Limited {
            own_user_id: Some(u),
            ..
        } => d.created_by == Some(*u),
        _ => false,
    };
    if scope.allows_unit(d.unit_id) || own {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

/// The scope as a query condition on documents.
fn scope_cond(scope: &Scope) -> sea_orm::sea_query::Condition {
    use sea_orm::sea_query::Condition;
    match scope {
        Scope::All => Condition::all(),
        Scope::Limited {
            unit_ids,
            own_user_id,
            ..
        } => {
            let mut c =
                Condition::any().add(document::Column::UnitId.is_in(unit_ids.iter().copied()));
            if let Some(u) = own_user_id {
                c = c.add(document::Column::CreatedBy.eq(*u));
            }
            c
        }
    }
}

pub async fn create_draft(tx: &mut WriteTx, scope: &Scope, n: &NewDocument) -> Result<Document> {
    if !scope.allows_unit(n.unit_id) {
        return Err(super::units::invalid("unit_id", "err.out_of_scope"));
    }
    if let Some(c) = n.corrects_id {
        let orig = document::Entity::find_by_id(c)
            .one(tx.conn())
            .await?
            .ok_or(StorageError::NotFound)?;
        if orig.status != "issued" {
            return Err(StorageError::Conflict("err.correct_only_issued"));
        }
    }
    let t = now();
    let m = document::ActiveModel {
        type_code: Set(n.type_code.clone()),
        unit_id: Set(n.unit_id),
        item_type: Set(n.item_type.clone()),
        item_id: Set(n.item_id.clone()),
        title: Set(n.title.clone()),
        data: Set(n.data.to_string()),
        status: Set("draft".into()),
        review_required: Set(n.review_required),
        corrects_id: Set(n.corrects_id),
        created_by: Set(n.created_by),
        issuer_unit_id: Set(Some(n.issuer_unit_id)),
        step: Set(n.step.clone()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record(
        "document.draft",
        "document",
        m.id,
        None,
        Some(serde_json::json!({"type": m.type_code, "title": m.title})),
    );
    Ok(m)
}

pub async fn get<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<Document> {
    let d = document::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(StorageError::NotFound)?;
    scoped(scope, &d)?;
    Ok(d)
}

/// Drafts may be changed; issued documents are immutable (a correction is a new document).
pub async fn update_draft(
    tx: &mut WriteTx,
    scope: &Scope,
    id: i64,
    title: &str,
    data: &serde_json::Value,
) -> Result<Document> {
    let before = get(tx.conn(), scope, id).await?;
    if before.status == "issued" {
        return Err(StorageError::Conflict("err.document_issued_immutable"));
    }
    let mut am: document::ActiveModel = before.clone().into();
    am.title = Set(title.to_string());
    am.data = Set(data.to_string());
    // A changed draft needs a fresh review.
    am.status = Set("draft".into());
    am.reviewer_id = Set(None);
    am.review_opinion = Set(None);
    am.reviewed_at = Set(None);
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    tx.record(
        "document.edit",
        "document",
        id,
        Some(json(&before.title)),
        Some(json(&after.title)),
    );
    Ok(after)
}

pub async fn submit_for_review(tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<Document> {
    let d = get(tx.conn(), scope, id).await?;
    if d.status != "draft" {
        return Err(StorageError::Conflict("err.document_not_draft"));
    }
    set_status(tx, d, "in_review", "document.submit_review", None).await
}

/// The legal office's review (法制审核): approve, or return with an opinion.
pub async fn review(
    tx: &mut WriteTx,
    scope: &Scope,
    id: i64,
    reviewer_id: i64,
    approve: bool,
    opinion: &str,
) -> Result<Document> {
    let d = get(tx.conn(), scope, id).await?;
    if d.status != "in_review" {
        return Err(StorageError::Conflict("err.document_not_in_review"));
    }
    let mut am: document::ActiveModel = d.clone().into();
    am.reviewer_id = Set(Some(reviewer_id));
    am.review_opinion = Set(Some(opinion.to_string()));
    am.reviewed_at = Set(Some(now()));
    am.status = Set(if approve { "approved" } else { "draft" }.into());
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    let action = if approve {
        "document.review_approve"
    } else {
        "document.review_return"
    };
    tx.record(
        action,
        "document",
        id,
        None,
        Some(serde_json::json!({"opinion": opinion})),
    );
    Ok(after)
}

async fn set_status(
    tx: &mut WriteTx,
    d: Document,
    status: &str,
    action: &str,
    extra: Option<serde_json::Value>,
) -> Result<Document> {
    let mut am: document::ActiveModel = d.clone().into();
    am.status = Set(status.to_string());
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    tx.record(
        action,
        "document",
        d.id,
        Some(serde_json::json!({"status": d.status})),
        Some(extra.unwrap_or(serde_json::json!({"status": status}))),
    );
    Ok(after)
}

/// Whether a document may be issued now (review done where required).
pub fn ready_to_issue(d: &Document) -> bool {
    match d.status.as_str() {
        "approved" => true,
        "draft" => !d.review_required,
        _ => false,
    }
}

/// A number taken for a document inside an issuing transaction.
#[derive(Debug, Clone)]
pub struct Numbered {
    pub doc: Document,
    pub number: String,
    pub seq: i64,
    pub issued_on: NaiveDate,
}

/// Issue step 1: take the number (in this transaction).
pub async fn take_number(
    tx: &WriteTx,
    scope: &Scope,
    id: i64,
    prefix: &str,
    issued_on: NaiveDate,
) -> Result<Numbered> {
    let d = get(tx.conn(), scope, id).await?;
    if d.status == "issued" {
        return Err(StorageError::Conflict("err.document_already_issued"));
    }
    if !ready_to_issue(&d) {
        return Err(StorageError::Conflict("err.document_needs_review"));
    }
    let issuer = d.issuer_unit_id.unwrap_or(d.unit_id);
    let seq = next_seq(tx, issuer, &d.type_code, issued_on.year()).await?;
    let number = format_number(prefix, issued_on.year(), seq);
    Ok(Numbered {
        doc: d,
        number,
        seq,
        issued_on,
    })
}

/// Issue step 2: after rendering with the number and storing the PDF, mark
/// the document issued, with the signer and the PDF's SHA-256 in the audit trail.
pub async fn mark_issued(
    tx: &mut WriteTx,
    n: Numbered,
    signer_id: i64,
    pdf_hash: &str,
    pdf_size: usize,
) -> Result<Document> {
    let Numbered {
        doc: d,
        number,
        seq,
        issued_on,
    } = n;
    record_file(
        tx,
        pdf_hash,
        pdf_size,
        "application/pdf",
        Some(&format!("{number}.pdf")),
    )
    .await?;
    let mut am: document::ActiveModel = d.clone().into();
    am.status = Set("issued".into());
    am.number = Set(Some(number.to_string()));
    am.year = Set(Some(issued_on.year()));
    am.seq = Set(Some(seq));
    am.signer_id = Set(Some(signer_id));
    am.pdf_hash = Set(Some(pdf_hash.to_string()));
    am.issued_at = Set(Some(now()));
    am.updated_at = Set(now());
    let after = am.update(tx.conn()).await?;
    tx.record(
        "document.issue",
        "document",
        d.id,
        Some(serde_json::json!({"status": d.status})),
        Some(serde_json::json!({"number": number, "pdf_sha256": pdf_hash, "signer_id": signer_id, "issued_on": issued_on})),
    );
    Ok(after)
}

pub use domain::doctypes::ServiceMethod;

/// A service to record.
#[derive(Debug, Clone)]
pub struct NewService {
    pub method: ServiceMethod,
    pub served_on: NaiveDate,
    /// Effective service date, computed by the caller from the method's rule.
    pub effective_on: NaiveDate,
    pub recipient: String,
    pub proof_hash: Option<String>,
    pub consent_ref: Option<String>,
    pub note: Option<String>,
    pub created_by: Option<i64>,
}

/// Records a service. The first service of a document starts the clocks its
/// type declares (`clocks`, already resolved against the document's data), on
/// the effective service date, attached to the document; later services are
/// recorded without starting them again.
pub async fn record_service(
    tx: &mut WriteTx,
    scope: &Scope,
    cal: &domain::calendar::WorkCalendar,
    document_id: i64,
    s: &NewService,
    clocks: &[domain::clock::ClockRule],
) -> Result<(Service, Vec<super::clocks::Clock>)> {
    let d = get(tx.conn(), scope, document_id).await?;
    if d.status != "issued" {
        return Err(StorageError::Conflict("err.service_needs_issued"));
    }
    if s.method.needs_consent() && s.consent_ref.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(super::units::invalid("consent_ref", "err.service_consent"));
    }
    if s.recipient.trim().is_empty() {
        return Err(super::units::invalid("recipient", "err.required"));
    }
    let earlier = service::Entity::find()
        .filter(service::Column::DocumentId.eq(document_id))
        .filter(service::Column::ClocksStarted.gt(0))
        .one(tx.conn())
        .await?;
    let mut started = Vec::new();
    if earlier.is_none() {
        let number = d.number.clone().unwrap_or_default();
        for rule in clocks {
            let c = super::clocks::start(
                tx,
                scope,
                cal,
                &super::clocks::NewClock {
                    item_type: "document".into(),
                    item_id: document_id.to_string(),
                    title: format!("{number} {}", rule.name_zh),
                    rule: rule.clone(),
                    unit_id: d.unit_id,
                    owner_user_id: d.created_by,
                    started_on: s.effective_on,
                },
            )
            .await?;
            started.push(c);
        }
    }
    let m = service::ActiveModel {
        document_id: Set(document_id),
        method: Set(s.method.code().to_string()),
        served_on: Set(s.served_on),
        effective_on: Set(s.effective_on),
        recipient: Set(s.recipient.trim().to_string()),
        proof_hash: Set(s.proof_hash.clone()),
        consent_ref: Set(s.consent_ref.clone()),
        note: Set(s.note.clone()),
        created_by: Set(s.created_by),
        created_at: Set(now()),
        clocks_started: Set(started.len() as i32),
        ..Default::default()
    }
    .insert(tx.conn())
    .await?;
    tx.record(
        "document.serve",
        "document",
        document_id,
        None,
        Some(json(&m)),
    );
    Ok((m, started))
}

pub async fn services(db: &crate::Db, document_id: i64) -> Result<Vec<Service>> {
    Ok(service::Entity::find()
        .filter(service::Column::DocumentId.eq(document_id))
        .order_by_asc(service::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Filters of the document list.
#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    pub type_code: Option<String>,
    /// draft | in_review | approved | issued
    pub status: Option<String>,
    pub item: Option<(String, String)>,
    /// Matches the title or the number.
    pub q: Option<String>,
}

/// Documents in scope, newest first.
pub async fn list(
    db: &crate::Db,
    scope: &Scope,
    f: &DocFilter,
    page: super::PageReq,
) -> Result<super::Page<Document>> {
    use sea_orm::{PaginatorTrait, sea_query::Condition};
    let mut q = document::Entity::find().filter(scope_cond(scope));
    if let Some(t) = f.type_code.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(document::Column::TypeCode.eq(t));
    }
    if let Some(t) = f.status.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(document::Column::Status.eq(t));
    }
    if let Some((t, i)) = &f.item {
        q = q
            .filter(document::Column::ItemType.eq(t.as_str()))
            .filter(document::Column::ItemId.eq(i.as_str()));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = format!("%{}%", text.replace(['%', '_'], ""));
        q = q.filter(
            Condition::any()
                .add(document::Column::Title.like(pat.clone()))
                .add(document::Column::Number.like(pat)),
        );
    }
    let pager = q
        .order_by_desc(document::Column::Id)
        .paginate(&db.conn, page.per_page);
    let total = pager.num_items().await?;
    let items = pager.fetch_page(page.page - 1).await?;
    Ok(super::Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// Documents attached to one item, oldest first (for the item's page).
pub async fn for_item(
    db: &crate::Db,
    scope: &Scope,
    item_type: &str,
    item_id: &str,
) -> Result<Vec<Document>> {
    let q = document::Entity::find()
        .filter(document::Column::ItemType.eq(item_type))
        .filter(document::Column::ItemId.eq(item_id))
        .filter(scope_cond(scope));
    Ok(q.order_by_asc(document::Column::Id).all(&db.conn).await?)
}

/// A unit's electronic seal: the stored image's address and type.
#[derive(Debug, Clone, Serialize)]
pub struct Seal {
    pub unit_id: i64,
    pub hash: String,
    pub mime: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Sets (or replaces) a unit's seal image; the file must already be in the
/// file store. The old and new addresses go to the audit trail.
pub async fn set_seal(
    tx: &mut WriteTx,
    scope: &Scope,
    unit_id: i64,
    hash: &str,
    size: usize,
    mime: &str,
) -> Result<()> {
    use crate::entity::unit_seal;
    if !scope.allows_unit(unit_id) {
        return Err(super::units::invalid("unit_id", "err.out_of_scope"));
    }
    record_file(tx, hash, size, mime, Some("seal")).await?;
    let before = unit_seal::Entity::find_by_id(unit_id)
        .one(tx.conn())
        .await?;
    let am = unit_seal::ActiveModel {
        unit_id: Set(unit_id),
        file_hash: Set(hash.to_string()),
        updated_at: Set(now()),
    };
    if before.is_some() {
        am.update(tx.conn()).await?;
    } else {
        am.insert(tx.conn()).await?;
    }
    tx.record(
        "unit.seal",
        "org_unit",
        unit_id,
        before.map(|b| serde_json::json!({"seal_sha256": b.file_hash})),
        Some(serde_json::json!({"seal_sha256": hash, "mime": mime})),
    );
    Ok(())
}

/// The seal of a unit, if one was uploaded.
pub async fn seal_of<C: ConnectionTrait>(conn: &C, unit_id: i64) -> Result<Option<Seal>> {
    use crate::entity::unit_seal;
    let Some(s) = unit_seal::Entity::find_by_id(unit_id).one(conn).await? else {
        return Ok(None);
    };
    let mime = file::Entity::find_by_id(s.file_hash.clone())
        .one(conn)
        .await?
        .map(|f| f.mime)
        .unwrap_or_else(|| "image/png".into());
    Ok(Some(Seal {
        unit_id: s.unit_id,
        hash: s.file_hash,
        mime,
        updated_at: s.updated_at,
    }))
}

/// When each unit's seal was last set, in one query (the seals page).
pub async fn seal_times<C: ConnectionTrait>(
    conn: &C,
) -> Result<std::collections::HashMap<i64, chrono::DateTime<chrono::Utc>>> {
    use crate::entity::unit_seal;
    Ok(unit_seal::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.unit_id, s.updated_at))
        .collect())
}

/// Stored metadata of a file (type, size, original name).
pub async fn file_meta<C: ConnectionTrait>(conn: &C, hash: &str) -> Result<Option<file::Model>> {
    Ok(file::Entity::find_by_id(hash.to_string()).one(conn).await?)
}

/// A file already put into the file store.
#[derive(Debug, Clone, Copy)]
pub struct StoredFile<'a> {
    pub hash: &'a str,
    pub size: usize,
    pub mime: &'a str,
    pub name: Option<&'a str>,
}

/// Attaches (or replaces) the proof of a service; the file must already be
/// in the file store. Audited with the proof's SHA-256.
pub async fn attach_proof(
    tx: &mut WriteTx,
    scope: &Scope,
    document_id: i64,
    service_id: i64,
    f: &StoredFile<'_>,
) -> Result<Service> {
    let StoredFile {
        hash,
        size,
        mime,
        name,
    } = *f;
    get(tx.conn(), scope, document_id).await?;
    let s = service::Entity::find_by_id(service_id)
        .filter(service::Column::DocumentId.eq(document_id))
        .one(tx.conn())
        .await?
        .ok_or(StorageError::NotFound)?;
    record_file(tx, hash, size, mime, name).await?;
    let before = s.proof_hash.clone();
    let mut am: service::ActiveModel = s.into();
    am.proof_hash = Set(Some(hash.to_string()));
    let after = am.update(tx.conn()).await?;
    tx.record(
        "document.service_proof",
        "document",
        document_id,
        Some(serde_json::json!({"service_id": service_id, "proof_sha256": before})),
        Some(serde_json::json!({"service_id": service_id, "proof_sha256": hash})),
    );
    Ok(after)
}

/// One service of a document.
pub async fn service_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    document_id: i64,
    service_id: i64,
) -> Result<Service> {
    get(conn, scope, document_id).await?;
    service::Entity::find_by_id(service_id)
        .filter(service::Column::DocumentId.eq(document_id))
        .one(conn)
        .await?
        .ok_or(StorageError::NotFound)
}

/// Documents that correct this one (newest first).
pub async fn corrections_of(db: &crate::Db, scope: &Scope, id: i64) -> Result<Vec<Document>> {
    let q = document::Entity::find()
        .filter(document::Column::CorrectsId.eq(id))
        .filter(scope_cond(scope));
    Ok(q.order_by_desc(document::Column::Id).all(&db.conn).await?)
}
