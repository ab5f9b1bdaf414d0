//! Password hashing with argon2id, off the async runtime's threads and one per core at a time.

use crate::error::AppError;
use crate::service::heavy_work;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use std::sync::LazyLock;

/// A hash of a random password nobody knows, checked when a login does not exist so that
/// response time does not reveal which logins do.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let secret = uuid::Uuid::new_v4().to_string();
    Argon2::default().hash_password(secret.as_bytes()).ok().map(|h| h.to_string())
});

/// Hashes `password` with argon2id and a random salt (PHC string format).
pub async fn hash(password: String) -> Result<String, AppError> {
    heavy_work::run(move || {
        Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(AppError::internal)
    })
    .await?
}

/// Whether `password` matches `stored`; `None` (unknown login) never matches but costs the
/// same time.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    heavy_work::run(move || match stored {
        Some(hash) => Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok(),
        None => {
            if let Some(dummy) = DUMMY_HASH.as_deref() {
                let _ = Argon2::default().verify_password(password.as_bytes(), dummy);
            }
            false
        }
    })
    .await
}
