//! One file store for generated PDFs, seals, proofs of service and evidence,
//! addressed by the SHA-256 of the content. A folder under the data directory
//! by default; an S3-compatible object store when configured, so that several
//! app servers share the files. Every read re-hashes the bytes: a file that no
//! longer matches its address is reported, never served.

use std::{path::PathBuf, sync::Arc};

use bytes::Bytes;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path as ObjPath};
use sha2::{Digest, Sha256};

/// Where files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStoreConfig {
    /// A local folder (default: `<data_dir>/files`).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3 {
        endpoint: String,
        bucket: String,
        region: String,
        access_key: String,
        secret_key: String,
        allow_http: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file {0} not found")]
    NotFound(String),
    /// The stored bytes no longer hash to their address.
    #[error("file {hash} is corrupt: its content hashes to {actual}")]
    Corrupt { hash: String, actual: String },
    #[error("file store: {0}")]
    Store(String),
    #[error("invalid file address {0}")]
    BadHash(String),
}

#[derive(Clone, Debug)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    kind: &'static str,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn key(hash: &str) -> Result<ObjPath, FileError> {
    if hash.len() != 64
        || !hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(FileError::BadHash(hash.to_string()));
    }
    Ok(ObjPath::from(format!("sha256/{}/{}", &hash[..2], hash)))
}

impl FileStore {
    pub fn open(cfg: &FileStoreConfig) -> Result<FileStore, FileError> {
        match cfg {
            FileStoreConfig::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| FileError::Store(format!("{}: {e}", dir.display())))?;
                let s = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| FileError::Store(e.to_string()))?;
                Ok(FileStore {
                    store: Arc::new(s),
                    kind: "local",
                })
            }
            FileStoreConfig::S3 {
                endpoint,
                bucket,
                region,
                access_key,
                secret_key,
                allow_http,
            } => {
                let s = object_store::aws::AmazonS3Builder::new()
                    .with_endpoint(endpoint)
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key)
                    .with_secret_access_key(secret_key)
                    .with_allow_http(*allow_http)
                    .with_virtual_hosted_style_request(false)
                    .build()
                    .map_err(|e| FileError::Store(e.to_string()))?;
                Ok(FileStore {
                    store: Arc::new(s),
                    kind: "s3",
                })
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Stores bytes and returns their SHA-256 address. Storing the same bytes
    /// twice is harmless, and repairs a copy that was damaged: the object is
    /// always (atomically) rewritten with the bytes that match its address.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<String, FileError> {
        let hash = sha256_hex(&bytes);
        let k = key(&hash)?;
        self.store
            .put(&k, PutPayload::from(Bytes::from(bytes)))
            .await
            .map_err(|e| FileError::Store(e.to_string()))?;
        Ok(hash)
    }

    /// Reads a file and checks it still matches its address.
    pub async fn get(&self, hash: &str) -> Result<Vec<u8>, FileError> {
        let k = key(hash)?;
        let r = self.store.get(&k).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => FileError::NotFound(hash.to_string()),
            other => FileError::Store(other.to_string()),
        })?;
        let bytes = r
            .bytes()
            .await
            .map_err(|e| FileError::Store(e.to_string()))?;
        let actual = sha256_hex(&bytes);
        if actual != hash {
            tracing::error!(hash, actual, "stored file does not match its hash");
            return Err(FileError::Corrupt {
                hash: hash.to_string(),
                actual,
            });
        }
        Ok(bytes.to_vec())
    }

    /// Overwrites the stored bytes without changing the address (tests only:
    /// simulates tampering or disk corruption).
    pub async fn corrupt_for_test(&self, hash: &str, bytes: Vec<u8>) -> Result<(), FileError> {
        let k = key(hash)?;
        self.store
            .put(&k, PutPayload::from(Bytes::from(bytes)))
            .await
            .map_err(|e| FileError::Store(e.to_string()))?;
        Ok(())
    }
}
