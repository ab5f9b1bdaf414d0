//! Storage errors. SQL text and driver messages never leave this crate in a form meant
//! for users; the web layer maps these variants to stable codes.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A uniqueness rule refused the write; the name says which (e.g. `accounts.login`).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("stored data could not be decrypted")]
    Crypto,
    /// A stored value no code path writes (an unknown state code): the column it came from.
    #[error("stored value of {0} is not one the platform writes")]
    Corrupt(&'static str),
    #[error("migration {0} changed after it was applied")]
    MigrationChanged(i64),
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("file store error")]
    Io(#[from] std::io::Error),
    /// The object store refused or could not be reached: what was being done, and why.
    #[error("object store error: {0}")]
    BlobStore(String),
    #[error("stored JSON is malformed")]
    Json(#[from] serde_json::Error),
    /// The audit chain does not verify from this row on.
    #[error("the audit chain is broken at row {0}")]
    AuditChainBroken(i64),
    /// A read on the calling thread ([`crate::inline_readers`]) failed in SQLite.
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    /// A row read on the calling thread did not fit the struct it is read into.
    #[error("stored row has an unexpected shape")]
    RowShape(#[from] serde_rusqlite::Error),
    /// Too many changes are already waiting for the writer: shed rather than queue.
    #[error("too many writes are waiting")]
    Overloaded,
}

impl StorageError {
    /// What went wrong, for logs: database errors by their SQLSTATE code only, since driver
    /// messages can quote the values of a row (an address, a name).
    pub fn diagnostic(&self) -> String {
        match self {
            StorageError::Database(sqlx::Error::Database(db)) => {
                format!("database error, code {}", db.code().as_deref().unwrap_or("unknown"))
            }
            StorageError::Database(other) => format!("database error: {other}"),
            StorageError::Sqlite(sqlite) => {
                format!("database error, code {:?}", sqlite.sqlite_error_code())
            }
            // Only the column: serde's message may quote the stored value.
            StorageError::RowShape(serde_rusqlite::Error::Deserialization { column, .. }) => {
                format!("stored row has an unexpected shape at column {column:?}")
            }
            StorageError::Io(io) => format!("file store error: {}", io.kind()),
            other => other.to_string(),
        }
    }

    /// Turns a unique-constraint violation into [`StorageError::Conflict`] named `what`,
    /// leaving every other error as it is.
    pub fn on_unique(error: sqlx::Error, what: &'static str) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict(what),
            _ => StorageError::Database(error),
        }
    }
}
