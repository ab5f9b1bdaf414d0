//! The ECB's euro reference rates as imported: every day kept, the newest shown.

use crate::db::Db;
use crate::error::StorageError;
use chrono::{DateTime, NaiveDate, Utc};
use lingshi_domain::payment::Rate;

/// Keeps one day's rates (currency → millionths per euro); importing a day twice is harmless.
pub async fn save(
    db: &Db,
    date: NaiveDate,
    rates: &std::collections::BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut tx = db.begin().await?;
    for (currency, micros) in rates {
        crate::tx_run!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO exchange_rates (currency, rate_date, per_euro_micros, imported_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (currency, rate_date) DO UPDATE SET per_euro_micros = $3, imported_at = $4",
            )
            .bind(currency)
            .bind(date)
            .bind(micros)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(())
}

/// The newest rate of `currency` (the euro is always 1).
pub async fn latest(db: &Db, currency: &str) -> Result<Option<Rate>, StorageError> {
    let row: Option<(i64, NaiveDate)> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT per_euro_micros, rate_date FROM exchange_rates WHERE currency = $1 ORDER BY rate_date DESC LIMIT 1",
        )
        .bind(currency)
        .fetch_optional(pool)
        .await
    })?;
    Ok(row.map(|(per_euro_micros, date)| Rate { currency: currency.to_owned(), per_euro_micros, date }))
}
