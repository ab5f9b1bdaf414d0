//! Lingshi's storage layer: one interface over SQLite (embedded default) and PostgreSQL.
//!
//! [`Db`] holds a pool of either backend; every query module is written once with portable
//! SQL (`$1` placeholders, which SQLite also reads) and dispatches with [`db_run!`] /
//! [`tx_run!`], which expand the same code for each backend so each arm is type-checked
//! against its own driver. Where the SQL must differ, a module matches on the backend.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod blobs;
pub mod claims;
pub mod codes;
pub mod crypto;
pub mod db;
pub mod deliveries;
pub mod dev_outbox;
pub mod erasure;
pub mod error;
pub mod forecast;
pub mod four_eyes;
pub mod group_commit;
pub mod inbox;
pub mod inline_readers;
pub mod interviews;
pub mod jobs;
pub mod legalizations;
pub mod migrate;
pub mod missions;
pub mod notices;
pub mod notify_settings;
pub mod online_payments;
pub mod order_work;
pub mod orders;
pub mod pensions;
pub mod rates;
pub mod readers;
pub mod reconciliation;
pub mod rekey;
pub mod replica;
pub mod retention;
pub mod seed;
pub mod sessions;
pub mod signals;
pub mod staff;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;

pub use crypto::{KeyChange, MasterKey, Vault};
pub use db::{Backend, Db, SqliteDb, Tx};
pub use error::StorageError;

/// Runs `$body` with `$conn` bound to a reader's connection on SQLite ([`readers`]) or to the
/// pool on PostgreSQL, once per backend. `$body` gives a `Result`; on SQLite it is the error
/// when no connection can be had (the readers were closed).
#[macro_export]
macro_rules! db_run {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(sqlite) => match sqlite.reader().await {
                Ok(mut reader) => match &mut *reader {
                    $conn => $body,
                },
                Err(error) => Err(error.into()),
            },
            $crate::Db::Postgres($conn) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection, once per backend.
#[macro_export]
macro_rules! tx_run {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(change) => match change.connection() {
                $conn => $body,
            },
            $crate::Tx::Postgres(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
        }
    };
}
