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

/// Records a stored file's metadata (idempotent: the address is the content).
pub async fn record_file(
    tx: &WriteTx,
    hash: &str,
    size: usize,
    mime: &str,
    name: Option<&str>,
) -> Result<()> {
    if file::Entity::find_by_id(hash.to_string())
        .one(tx.conn())
        .await?
        .is_some()
    {
        return Ok(());
    }
    file::ActiveModel {
        hash: Set(hash.to_string()),
        size: Set(size as i64),
        mime: Set(mime.to_string()),
        original_name: Set(name.map(str::to_string)),
        created_at: Set(now()),
    }
    .insert(tx.conn())
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
}

fn scoped(scope: &Scope, unit_id: i64) -> Result<()> {
    if scope.allows_unit(unit_id) {
        Ok(())
    } else {
        Err(StorageError::NotFound)
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
    scoped(scope, d.unit_id)?;
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
    let seq = next_seq(tx, d.unit_id, &d.type_code, issued_on.year()).await?;
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

/// Methods of service (民事诉讼法 第八十五—九十五条) and how each sets the
/// effective date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ServiceMethod {
    /// 直接送达: the date the recipient signs.
    Direct,
    /// 留置送达: the date the document is left.
    Left,
    /// 邮寄送达: the date on the postal receipt.
    Post,
    /// 电子送达: the date it reaches the recipient's system; needs consent on file.
    Electronic,
    /// 委托送达: the date the recipient signs.
    Entrusted,
    /// 公告送达: deemed served 30 days after the announcement (第九十五条).
    Public,
}

impl ServiceMethod {
    pub const ALL: [ServiceMethod; 6] = [
        ServiceMethod::Direct,
        ServiceMethod::Left,
        ServiceMethod::Post,
        ServiceMethod::Electronic,
        ServiceMethod::Entrusted,
        ServiceMethod::Public,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ServiceMethod::Direct => "direct",
            ServiceMethod::Left => "left",
            ServiceMethod::Post => "post",
            ServiceMethod::Electronic => "electronic",
            ServiceMethod::Entrusted => "entrusted",
            ServiceMethod::Public => "public",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == s)
    }
}

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

pub async fn record_service(
    tx: &mut WriteTx,
    scope: &Scope,
    document_id: i64,
    s: &NewService,
) -> Result<Service> {
    let d = get(tx.conn(), scope, document_id).await?;
    if d.status != "issued" {
        return Err(StorageError::Conflict("err.service_needs_issued"));
    }
    if s.method == ServiceMethod::Electronic
        && s.consent_ref.as_deref().is_none_or(|c| c.trim().is_empty())
    {
        return Err(super::units::invalid("consent_ref", "err.service_consent"));
    }
    let m = service::ActiveModel {
        document_id: Set(document_id),
        method: Set(s.method.code().to_string()),
        served_on: Set(s.served_on),
        effective_on: Set(s.effective_on),
        recipient: Set(s.recipient.clone()),
        proof_hash: Set(s.proof_hash.clone()),
        consent_ref: Set(s.consent_ref.clone()),
        note: Set(s.note.clone()),
        created_by: Set(s.created_by),
        created_at: Set(now()),
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
    Ok(m)
}

pub async fn services(db: &crate::Db, document_id: i64) -> Result<Vec<Service>> {
    Ok(service::Entity::find()
        .filter(service::Column::DocumentId.eq(document_id))
        .order_by_asc(service::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Documents in scope, newest first (optionally of one item).
pub async fn list(
    db: &crate::Db,
    scope: &Scope,
    item: Option<(&str, &str)>,
    limit: u64,
) -> Result<Vec<Document>> {
    use sea_orm::QuerySelect;
    let mut q = document::Entity::find();
    if let Scope::Limited { unit_ids, .. } = scope {
        q = q.filter(document::Column::UnitId.is_in(unit_ids.iter().copied()));
    }
    if let Some((t, i)) = item {
        q = q
            .filter(document::Column::ItemType.eq(t))
            .filter(document::Column::ItemId.eq(i));
    }
    Ok(q.order_by_desc(document::Column::Id)
        .limit(limit)
        .all(&db.conn)
        .await?)
}
