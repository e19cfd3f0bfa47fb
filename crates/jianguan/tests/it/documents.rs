//! Document storage: gap-free numbering under concurrent issue, the issue
//! flow with legal review, immutability, and the content-addressed file store.

use storage::{
    files::{FileError, FileStore, FileStoreConfig},
    repo::documents::{self, NewDocument},
};

use crate::harness::*;

async fn draft(app: &TestApp, unit: i64, review: bool) -> i64 {
    let mut tx = app
        .db
        .begin_write(&storage::AuditCtx::system("test"))
        .await
        .unwrap();
    let d = documents::create_draft(
        &mut tx,
        &domain::Scope::All,
        &NewDocument {
            type_code: "supervision_notice".into(),
            unit_id: unit,
            item_type: Some("inspection".into()),
            item_id: Some("1".into()),
            title: "执法监督通知书".into(),
            data: serde_json::json!({"to": "鹿泉区铜冶镇人民政府"}),
            review_required: review,
            created_by: None,
            corrects_id: None,
            issuer_unit_id: unit,
            step: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    d.id
}

async fn issue(db: &storage::Db, id: i64) -> storage::Result<String> {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let mut tx = db.begin_write(&storage::AuditCtx::system("test")).await?;
    let n = documents::take_number(&tx, &domain::Scope::All, id, "鹿人社监", day).await?;
    let number = n.number.clone();
    // The PDF would be rendered here with the number in it.
    let pdf = format!("%PDF-fake {number}").into_bytes();
    let hash = storage::files::sha256_hex(&pdf);
    documents::mark_issued(&mut tx, n, 1, &hash, pdf.len()).await?;
    tx.commit().await?;
    Ok(number)
}

#[tokio::test]
async fn numbers_are_unique_and_gap_free_under_concurrent_issue() {
    let app = spawn().await;
    let unit = 3;
    let mut ids = vec![];
    for _ in 0..20 {
        ids.push(draft(&app, unit, false).await);
    }
    let mut set = tokio::task::JoinSet::new();
    for id in ids {
        let db = app.db.clone();
        set.spawn(async move { issue(&db, id).await });
    }
    let mut numbers = vec![];
    while let Some(r) = set.join_next().await {
        numbers.push(r.unwrap().unwrap());
    }
    let mut seqs: Vec<i64> = numbers
        .iter()
        .map(|n| {
            n.trim_start_matches("鹿人社监〔2026〕")
                .trim_end_matches('号')
                .parse()
                .unwrap()
        })
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>(), "{numbers:?}");
    // An issued document is immutable, and cannot be issued twice.
    let mut tx = app
        .db
        .begin_write(&storage::AuditCtx::system("test"))
        .await
        .unwrap();
    let r = documents::update_draft(
        &mut tx,
        &domain::Scope::All,
        1,
        "改",
        &serde_json::json!({}),
    )
    .await;
    assert!(matches!(
        r,
        Err(storage::StorageError::Conflict(
            "err.document_issued_immutable"
        ))
    ));
    drop(tx);
    assert!(matches!(
        issue(&app.db, 1).await,
        Err(storage::StorageError::Conflict(_))
    ));
    // A failed issue does not consume a number: the next one is 21.
    let next = draft(&app, unit, false).await;
    assert_eq!(issue(&app.db, next).await.unwrap(), "鹿人社监〔2026〕21号");
    app.stop().await;
}

#[tokio::test]
async fn legal_review_gates_issue() {
    let app = spawn().await;
    let id = draft(&app, 3, true).await;
    assert!(matches!(
        issue(&app.db, id).await,
        Err(storage::StorageError::Conflict("err.document_needs_review"))
    ));
    let mut tx = app
        .db
        .begin_write(&storage::AuditCtx::system("test"))
        .await
        .unwrap();
    documents::submit_for_review(&mut tx, &domain::Scope::All, id)
        .await
        .unwrap();
    documents::review(&mut tx, &domain::Scope::All, id, 5, true, "同意")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(issue(&app.db, id).await.unwrap(), "鹿人社监〔2026〕1号");
    let events = storage::repo::audit::for_entity(&app.db, "document", &id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "document.draft",
            "document.submit_review",
            "document.review_approve",
            "document.issue"
        ]
    );
    assert!(
        events[3]
            .after_data
            .as_deref()
            .unwrap()
            .contains("pdf_sha256")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_file_store_serves_only_intact_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut stores =
        vec![FileStore::open(&FileStoreConfig::Local(dir.path().join("files"))).unwrap()];
    // The S3 path runs when CI provides a local S3-compatible server.
    if let Ok(endpoint) = std::env::var("JIANGUAN_TEST_S3_ENDPOINT") {
        stores.push(
            FileStore::open(&FileStoreConfig::S3 {
                endpoint,
                bucket: std::env::var("JIANGUAN_TEST_S3_BUCKET")
                    .unwrap_or_else(|_| "jianguan-test".into()),
                region: "us-east-1".into(),
                access_key: "test".into(),
                secret_key: "test".into(),
                allow_http: true,
            })
            .unwrap(),
        );
    }
    for store in stores {
        let bytes = "送达回证（扫描件）".as_bytes().to_vec();
        let h = store.put(bytes.clone()).await.unwrap();
        assert_eq!(h, storage::files::sha256_hex(&bytes));
        assert_eq!(
            store.put(bytes.clone()).await.unwrap(),
            h,
            "storing twice is harmless"
        );
        assert_eq!(store.get(&h).await.unwrap(), bytes);
        store
            .corrupt_for_test(&h, b"tampered".to_vec())
            .await
            .unwrap();
        assert!(
            matches!(store.get(&h).await, Err(FileError::Corrupt { .. })),
            "{} store",
            store.kind()
        );
        assert!(matches!(
            store.get(&"0".repeat(64)).await,
            Err(FileError::NotFound(_))
        ));
        assert!(matches!(
            store.get("../etc/passwd").await,
            Err(FileError::BadHash(_))
        ));
    }
}
