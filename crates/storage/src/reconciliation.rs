//! What each day's reconciliation with a provider's bill found: the run (how many bill
//! lines were read) and every difference, replaced as a whole when the day is run again.

use crate::db::Db;
use crate::error::StorageError;
use chrono::{DateTime, NaiveDate, Utc};

/// One difference between our record and the provider's bill.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Difference {
    pub provider: String,
    pub bill_date: NaiveDate,
    /// `missing_ours` (in the bill only), `missing_theirs` (ours only) or `amount_differs`.
    pub kind: String,
    /// `out_trade_no` or `out_refund_no`.
    pub reference: String,
    pub ours_minor: Option<i64>,
    pub theirs_minor: Option<i64>,
    pub currency: String,
}

/// Records the run of (`provider`, `date`) and its differences, replacing an earlier run's.
pub async fn save(
    db: &Db,
    (provider, date): (&str, NaiveDate),
    lines: i64,
    differences: &[Difference],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut tx = db.begin().await?;
    crate::tx_run!(&mut tx, |conn| {
        sqlx::query("DELETE FROM reconciliation_differences WHERE provider = $1 AND bill_date = $2")
            .bind(provider)
            .bind(date)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO reconciliations (provider, bill_date, lines, ran_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (provider, bill_date) DO UPDATE SET lines = $3, ran_at = $4",
        )
        .bind(provider)
        .bind(date)
        .bind(lines)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        for difference in differences {
            sqlx::query(
                "INSERT INTO reconciliation_differences (provider, bill_date, kind, reference, ours_minor, theirs_minor,
                     currency) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(provider)
            .bind(date)
            .bind(&difference.kind)
            .bind(&difference.reference)
            .bind(difference.ours_minor)
            .bind(difference.theirs_minor)
            .bind(&difference.currency)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, sqlx::Error>(0u64)
    })?;
    tx.commit().await?;
    Ok(())
}

/// Whether (`provider`, `date`) was reconciled already.
pub async fn ran(db: &Db, provider: &str, date: NaiveDate) -> Result<bool, StorageError> {
    let row: Option<(i64,)> = crate::db_run!(db, |pool| {
        sqlx::query_as("SELECT lines FROM reconciliations WHERE provider = $1 AND bill_date = $2")
            .bind(provider)
            .bind(date)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.is_some())
}

/// The differences found, newest day first (`date` limits them to one day).
pub async fn differences(db: &Db, date: Option<NaiveDate>) -> Result<Vec<Difference>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT provider, bill_date, kind, reference, ours_minor, theirs_minor, currency
             FROM reconciliation_differences WHERE ($1 IS NULL OR bill_date = $1)
             ORDER BY bill_date DESC, provider, reference LIMIT 200",
        )
        .bind(date)
        .fetch_all(pool)
        .await
    })?)
}
