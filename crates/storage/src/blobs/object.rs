//! Blobs in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph…), through the
//! `object_store` crate, so that every node of a deployment reads the files any node wrote.
//! Keys are laid out as on disk (`prefix/ab/abcdef…`); an object appears whole or not at all,
//! and a large one is sent in parts.

use crate::error::StorageError;
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use std::sync::Arc;

/// Blobs larger than this are uploaded in parts of [`PART_SIZE`] (S3's smallest part is 5 MiB).
const MULTIPART_THRESHOLD: usize = 8 * 1024 * 1024;
const PART_SIZE: usize = 5 * 1024 * 1024;

/// Blobs under a prefix of one bucket.
#[derive(Debug, Clone)]
pub(super) struct ObjectBlobs {
    store: Arc<dyn ObjectStore>,
    /// The bucket, for messages.
    bucket: String,
    prefix: ObjectPath,
}

/// A failure of the object store, for logs and the start-up message (it names no person).
fn failed(what: &str, error: object_store::Error) -> StorageError {
    StorageError::BlobStore(format!("{what}: {error}"))
}

impl ObjectBlobs {
    /// Opens `s3://bucket[/prefix]` with `settings` (`AWS_*` names) and checks the bucket can
    /// be listed.
    pub(super) async fn open<K, V>(url: &str, settings: impl IntoIterator<Item = (K, V)>) -> Result<Self, StorageError>
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let location = url
            .strip_prefix("s3://")
            .filter(|rest| !rest.is_empty())
            .ok_or_else(|| StorageError::BlobStore(format!("{url:?} is not s3://bucket or s3://bucket/prefix")))?;
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        let mut builder = AmazonS3Builder::new().with_bucket_name(bucket);
        for (name, value) in settings {
            let name = name.as_ref();
            if !name.starts_with("AWS_") {
                continue;
            }
            if let Ok(key) = name.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
                builder = builder.with_config(key, value);
            }
        }
        let store = builder.build().map_err(|e| failed("the object store settings are not usable", e))?;
        let blobs = Self {
            store: Arc::new(store),
            bucket: bucket.to_owned(),
            prefix: ObjectPath::from(prefix.trim_matches('/')),
        };
        blobs
            .store
            .list_with_delimiter(Some(&blobs.prefix))
            .await
            .map_err(|e| failed(&format!("the bucket {:?} cannot be reached", blobs.bucket), e))?;
        Ok(blobs)
    }

    fn path_of(&self, key: &str) -> ObjectPath {
        self.prefix.child(&key[..2]).child(key)
    }

    pub(super) async fn write(&self, key: &str, sealed: Vec<u8>) -> Result<(), StorageError> {
        let path = self.path_of(key);
        if sealed.len() <= MULTIPART_THRESHOLD {
            self.store.put(&path, PutPayload::from(sealed)).await.map_err(|e| failed("storing a file", e))?;
            return Ok(());
        }
        let upload = self.store.put_multipart(&path).await.map_err(|e| failed("starting an upload", e))?;
        let mut parts = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        parts.write(&sealed);
        parts.finish().await.map_err(|e| failed("completing an upload", e))?;
        Ok(())
    }

    pub(super) async fn read(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let found = match self.store.get(&self.path_of(key)).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Err(StorageError::NotFound),
            Err(e) => return Err(failed("reading a file", e)),
        };
        Ok(found.bytes().await.map_err(|e| failed("reading a file", e))?.to_vec())
    }

    pub(super) async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&self.path_of(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failed("removing a file", e)),
        }
    }

    /// Passes every blob's bytes to `change` and writes back what it returns.
    pub(super) async fn rewrite_all(
        &self,
        change: &mut (dyn FnMut(&[u8]) -> Option<Vec<u8>> + Send),
    ) -> Result<(), StorageError> {
        let listed: Vec<_> =
            self.store.list(Some(&self.prefix)).try_collect().await.map_err(|e| failed("listing files", e))?;
        for meta in listed {
            let Some(key) = meta.location.filename().filter(|name| super::is_blob_key(name)) else {
                continue;
            };
            let key = key.to_owned();
            if let Some(again) = change(&self.read(&key).await?) {
                self.write(&key, again).await?;
            }
        }
        Ok(())
    }
}
