//! Blobs on this machine's disk: `root/ab/abcdef…`, each written to a temporary file that is
//! synced and renamed into place, so a crash never leaves a half-written blob under a real
//! name.

use crate::error::StorageError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Blobs in two-character folders under one directory.
#[derive(Debug, Clone)]
pub(super) struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    pub(super) fn open(root: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root)?;
        Ok(Self { root: root.to_owned() })
    }

    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob `key` (already checked to be a blob name) lives.
    fn path_of(&self, key: &str) -> PathBuf {
        self.root.join(&key[..2]).join(key)
    }

    pub(super) fn write(&self, key: &str, sealed: &[u8]) -> Result<(), StorageError> {
        let path = self.path_of(key);
        std::fs::create_dir_all(path.parent().ok_or(StorageError::NotFound)?)?;
        write_in_place(&path, sealed)
    }

    pub(super) fn read(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        std::fs::read(self.path_of(key)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound,
            _ => StorageError::Io(e),
        })
    }

    pub(super) fn delete(&self, key: &str) -> Result<(), StorageError> {
        match std::fs::remove_file(self.path_of(key)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Passes every blob's bytes to `change` and writes back what it returns.
    pub(super) fn rewrite_all(
        &self,
        change: &mut (dyn FnMut(&[u8]) -> Option<Vec<u8>> + Send),
    ) -> Result<(), StorageError> {
        for shard in std::fs::read_dir(&self.root)? {
            let shard = shard?.path();
            if !shard.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(&shard)? {
                let path = entry?.path();
                if !path.file_name().and_then(|n| n.to_str()).is_some_and(super::is_blob_key) {
                    continue;
                }
                if let Some(again) = change(&std::fs::read(&path)?) {
                    write_in_place(&path, &again)?;
                }
            }
        }
        Ok(())
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
