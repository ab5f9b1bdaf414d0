//! Storage errors. SQL text and driver messages never leave this crate in a form meant
//! for users; the web layer maps these variants to stable codes.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A uniqueness rule refused the write; the name says which (e.g. `accounts.login`).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("stored data could not be decrypted")]
    Crypto,
    #[error("migration {0} changed after it was applied")]
    MigrationChanged(i64),
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
}

impl StorageError {
    /// Turns a unique-constraint violation into [`StorageError::Conflict`] named `what`,
    /// leaving every other error as it is.
    pub fn on_unique(error: sqlx::Error, what: &'static str) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict(what),
            _ => StorageError::Database(error),
        }
    }
}
