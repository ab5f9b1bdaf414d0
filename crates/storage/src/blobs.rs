//! The file store: encrypted blobs on the local filesystem, named by the SHA-256 of the
//! bytes first stored (a key rotation seals them again under the same name). Writes go to a
//! temporary file that is synced and renamed into place, so a crash never leaves a
//! half-written blob under a real name.

use crate::crypto::{KeyChange, Vault};
use crate::error::StorageError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Blobs under one directory, encrypted with the vault before they touch the disk.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn open(root: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root)?;
        Ok(Self { root: root.to_owned() })
    }

    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.root.join(&key[..2]).join(key))
    }

    /// Encrypts and stores `bytes` as a blob of kind `kind` (the encryption context);
    /// returns its key.
    pub fn put(&self, vault: &Vault, kind: &str, bytes: &[u8]) -> Result<String, StorageError> {
        let sealed = vault.encrypt(kind, bytes)?;
        let key: String =
            ring::digest::digest(&ring::digest::SHA256, &sealed).as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let path = self.path_of(&key).ok_or(StorageError::NotFound)?;
        let dir = path.parent().ok_or(StorageError::NotFound)?;
        std::fs::create_dir_all(dir)?;
        write_in_place(&path, &sealed)?;
        Ok(key)
    }

    /// Seals every blob still under the old key again under the new one, trying each `kinds`
    /// (the encryption contexts blobs are stored under). Returns how many were sealed again
    /// and how many neither key opens under any kind (left as they are).
    pub fn reseal_all(
        &self,
        keys: KeyChange<'_>,
        kinds: &[&str],
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(u64, u64), StorageError> {
        let (mut resealed, mut unreadable) = (0, 0);
        for shard in std::fs::read_dir(&self.root)? {
            let shard = shard?.path();
            if !shard.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(&shard)? {
                let path = entry?.path();
                let named = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| self.path_of(n).is_some());
                if !named {
                    continue;
                }
                let sealed = std::fs::read(&path)?;
                let outcome = kinds.iter().find_map(|kind| keys.reseal(kind, &sealed).ok());
                match outcome {
                    Some(Some(again)) => {
                        write_in_place(&path, &again)?;
                        resealed += 1;
                        progress(resealed);
                    }
                    Some(None) => {}
                    None => unreadable += 1,
                }
            }
        }
        Ok((resealed, unreadable))
    }

    /// Reads and decrypts a blob stored with [`put`](Self::put) under the same `kind`.
    pub fn get(&self, vault: &Vault, kind: &str, key: &str) -> Result<Vec<u8>, StorageError> {
        let path = self.path_of(key).ok_or(StorageError::NotFound)?;
        let sealed = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound,
            _ => StorageError::Io(e),
        })?;
        vault.decrypt(kind, &sealed)
    }

    /// Removes a blob for good (retention, erasure); one already gone is not an error.
    pub fn delete(&self, key: &str) -> Result<(), StorageError> {
        match std::fs::remove_file(self.path_of(key).ok_or(StorageError::NotFound)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The raw stored bytes, for tests that prove blobs are not stored in the clear.
    pub fn raw(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        Ok(std::fs::read(self.path_of(key).ok_or(StorageError::NotFound)?)?)
    }
}

/// Writes `bytes` to `path` through a synced temporary file renamed over it.
fn write_in_place(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let dir = path.parent().ok_or(StorageError::NotFound)?;
    let name = path.file_name().and_then(|n| n.to_str()).ok_or(StorageError::NotFound)?;
    let temporary = dir.join(format!(".{name}.{}", uuid::Uuid::new_v4()));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}
