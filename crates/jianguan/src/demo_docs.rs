//! Demo documents, so a fresh demo shows the document flow at every stage: an
//! issued and served 执法监督通知书 with its running clocks, a 行政处罚决定书 in
//! legal review, and a draft 调查询问通知书. Made through the same repository
//! functions as the web flow, audited as `system:seed-demo`.

use anyhow::{Context, Result};
use chrono::Duration;
use domain::{Scope, doctypes::Catalogue, rules::RuleSet};
use storage::{
    AuditCtx, Db,
    files::FileStore,
    repo::{calendar, documents, units, users},
};

/// Seeds the demo documents once (skipped when any document exists).
pub async fn seed(
    db: &Db,
    files: &FileStore,
    renderer: &docgen::Renderer,
    catalogue: &Catalogue,
    rules: &RuleSet,
) -> Result<usize> {
    let existing = documents::list(
        db,
        &Scope::All,
        &documents::DocFilter::default(),
        storage::repo::PageReq::new(Some(1), Some(1)),
    )
    .await?;
    if existing.total > 0 || !storage::seed::claim_once(db, "demo:documents").await? {
        return Ok(0);
    }
    let (Some((fazhi, fazhi_unit)), Some((juzhang, _)), Some((inspector, inspector_unit))) = (
        users::id_by_username(db, "fazhi").await?,
        users::id_by_username(db, "juzhang").await?,
        users::id_by_username(db, "jianchayuan").await?,
    ) else {
        return Ok(0);
    };
    let cal = calendar::load(db).await?;
    let today = storage::today();
    let ctx = AuditCtx::system("seed-demo");
    // 1. An issued, served supervision notice.
    let (d, t, issuer) = draft(
        db,
        catalogue,
        &ctx,
        "supervision_notice",
        fazhi_unit,
        fazhi,
        ("inspection", "执法监督检查〔2026〕5号"),
    )
    .await?;
    let mut tx = db.begin_write(&ctx).await?;
    documents::submit_for_review(&mut tx, &Scope::All, d.id).await?;
    documents::review(&mut tx, &Scope::All, d.id, fazhi, true, "同意印发").await?;
    tx.commit().await?;
    let seal = documents::seal_of(&db.conn, issuer.id)
        .await?
        .context("demo seal")?;
    let seal = files.get(&seal.hash).await?;
    let issued_on = today - Duration::days(6);
    let mut tx = db.begin_write(&ctx).await?;
    let n = documents::take_number(&tx, &Scope::All, d.id, &t.number_prefix, issued_on).await?;
    let data = docgen::sample_data(&t.code).unwrap_or_default();
    let pdf = renderer
        .render(&docgen::RenderRequest {
            type_code: &t.code,
            title: &t.name_zh,
            issuer: &issuer.name,
            number: Some(&n.number),
            issued_on: Some(issued_on),
            data: &data,
            seal_png: Some(&seal),
            draft: false,
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = files.put(pdf.clone()).await?;
    documents::mark_issued(&mut tx, n, juzhang, &hash, pdf.len()).await?;
    tx.commit().await?;
    let served_on = today - Duration::days(5);
    let clocks = t
        .clock_rules(rules, &data)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = db.begin_write(&ctx).await?;
    documents::record_service(
        &mut tx,
        &Scope::All,
        &cal,
        d.id,
        &documents::NewService {
            method: domain::doctypes::ServiceMethod::Direct,
            served_on,
            effective_on: served_on,
            recipient: "石家庄鹿泉宏达建材有限公司（赵堃签收）".into(),
            proof_hash: None,
            consent_ref: None,
            note: None,
            created_by: Some(fazhi),
        },
        &clocks,
    )
    .await?;
    tx.commit().await?;

    // 2. A penalty decision waiting for the legal review.
    let (d, _, _) = draft(
        db,
        catalogue,
        &ctx,
        "penalty_decision",
        inspector_unit,
        inspector,
        ("case", "鹿人社监察立〔2026〕18号"),
    )
    .await?;
    let mut tx = db.begin_write(&ctx).await?;
    documents::submit_for_review(&mut tx, &Scope::All, d.id).await?;
    tx.commit().await?;

    // 3. A draft inquiry notice.
    draft(
        db,
        catalogue,
        &ctx,
        "inquiry_notice",
        inspector_unit,
        inspector,
        ("case", "鹿人社监察立〔2026〕21号"),
    )
    .await?;
    Ok(3)
}

/// A draft of `code` in `unit` with the type's sample data.
async fn draft(
    db: &Db,
    catalogue: &Catalogue,
    ctx: &AuditCtx,
    code: &str,
    unit: i64,
    by: i64,
    item: (&str, &str),
) -> Result<(documents::Document, domain::doctypes::DocType, units::Unit)> {
    let t = catalogue.get(code).cloned().context("type in catalogue")?;
    let issuer = units::nearest_of_kind(&db.conn, unit, &t.issuer)
        .await?
        .context("issuing organ")?;
    let mut tx = db.begin_write(ctx).await?;
    let d = documents::create_draft(
        &mut tx,
        &Scope::All,
        &documents::NewDocument {
            type_code: t.code.clone(),
            unit_id: unit,
            item_type: Some(item.0.to_string()),
            item_id: Some(item.1.to_string()),
            title: t.name_zh.clone(),
            data: docgen::sample_data(&t.code).unwrap_or_default(),
            review_required: t.legal_review,
            created_by: Some(by),
            corrects_id: None,
            issuer_unit_id: issuer.id,
            step: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((d, t, issuer))
}
