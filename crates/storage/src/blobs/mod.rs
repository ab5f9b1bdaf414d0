//! The file store: blobs encrypted with the vault before they leave the process, named by the
//! SHA-256 of the sealed bytes first stored (a key rotation seals them again under the same
//! name). They live on the local filesystem (the default, `$LINGSHI_DATA_DIR/files`) or in an
//! S3-compatible object store shared by every node (`LINGSHI_BLOB_URL=s3://bucket/prefix`).

mod local;
mod object;

use crate::crypto::{KeyChange, Vault};
use crate::error::StorageError;
use std::path::Path;

/// Where the platform's files are kept.
#[derive(Debug, Clone)]
pub struct BlobStore {
    place: Place,
}

#[derive(Debug, Clone)]
enum Place {
    Local(local::LocalBlobs),
    Object(object::ObjectBlobs),
}

/// Whether `key` is a blob name (64 hexadecimal digits); anything else names no blob, which
/// keeps a path like `../../etc/passwd` from reaching either store.
fn is_blob_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The name of a sealed blob: the SHA-256 of its bytes, in hexadecimal.
fn content_key(sealed: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, sealed).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl BlobStore {
    /// Blobs in folders under `root` on this machine's disk (created if missing).
    pub fn open(root: &Path) -> Result<Self, StorageError> {
        Ok(Self { place: Place::Local(local::LocalBlobs::open(root)?) })
    }

    /// Blobs in the S3 bucket `url` names (`s3://bucket` or `s3://bucket/prefix`), reached
    /// with `settings`: the usual `AWS_*` variables (`AWS_ENDPOINT`, `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP`,
    /// `AWS_VIRTUAL_HOSTED_STYLE_REQUEST`; others are ignored). Fails with
    /// [`StorageError::BlobStore`] when the bucket is missing or cannot be reached.
    pub async fn open_url<K, V>(url: &str, settings: impl IntoIterator<Item = (K, V)>) -> Result<Self, StorageError>
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        Ok(Self { place: Place::Object(object::ObjectBlobs::open(url, settings).await?) })
    }

    /// The folder local blobs live in; `None` for an object store.
    pub fn local_root(&self) -> Option<&Path> {
        match &self.place {
            Place::Local(local) => Some(local.root()),
            Place::Object(_) => None,
        }
    }

    /// Encrypts and stores `bytes` as a blob of kind `kind` (the encryption context);
    /// returns its key. The blob is durable when this returns.
    pub async fn put(&self, vault: &Vault, kind: &str, bytes: &[u8]) -> Result<String, StorageError> {
        let sealed = vault.encrypt(kind, bytes)?;
        let key = content_key(&sealed);
        match &self.place {
            Place::Local(local) => local.write(&key, &sealed)?,
            Place::Object(object) => object.write(&key, sealed).await?,
        }
        Ok(key)
    }

    /// Reads and decrypts a blob stored with [`put`](Self::put) under the same `kind`.
    pub async fn get(&self, vault: &Vault, kind: &str, key: &str) -> Result<Vec<u8>, StorageError> {
        vault.decrypt(kind, &self.raw(key).await?)
    }

    /// The raw stored bytes (sealed), for tests that prove blobs are not stored in the clear.
    pub async fn raw(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        if !is_blob_key(key) {
            return Err(StorageError::NotFound);
        }
        match &self.place {
            Place::Local(local) => local.read(key),
            Place::Object(object) => object.read(key).await,
        }
    }

    /// Removes a blob for good (retention, erasure); one already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        if !is_blob_key(key) {
            return Err(StorageError::NotFound);
        }
        match &self.place {
            Place::Local(local) => local.delete(key),
            Place::Object(object) => object.delete(key).await,
        }
    }

    /// Seals every blob still under the old key again under the new one, trying each `kinds`
    /// (the encryption contexts blobs are stored under). Returns how many were sealed again
    /// and how many neither key opens under any kind (left as they are).
    pub async fn reseal_all(
        &self,
        keys: KeyChange<'_>,
        kinds: &[&str],
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(u64, u64), StorageError> {
        let mut counts = (0, 0);
        let mut reseal = |sealed: &[u8]| -> Option<Vec<u8>> {
            match kinds.iter().find_map(|kind| keys.reseal(kind, sealed).ok()) {
                Some(Some(again)) => {
                    counts.0 += 1;
                    progress(counts.0);
                    Some(again)
                }
                Some(None) => None,
                None => {
                    counts.1 += 1;
                    None
                }
            }
        };
        match &self.place {
            Place::Local(local) => local.rewrite_all(&mut reseal)?,
            Place::Object(object) => object.rewrite_all(&mut reseal).await?,
        }
        Ok(counts)
    }
}
