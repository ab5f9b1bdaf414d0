//! The daily reconciliation: each provider's bill of a day, compared with the payments and
//! refunds we recorded as settled that day. Differences (in the bill only, ours only, or
//! another amount) are kept for the staff dashboard and `lingshi admin reconcile`.

use super::client;
use crate::error::AppError;
use crate::state::AppState;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use lingshi_integrations::payments::{BillKind, PaymentProvider, Provider, ProviderError};
use lingshi_storage::Db;
use lingshi_storage::reconciliation::Difference;
use std::collections::BTreeMap;

/// The providers' bills follow China's day (UTC+8).
pub const BILL_OFFSET_HOURS: i64 = 8;

/// What one run found.
#[derive(Debug)]
pub struct Reconciled {
    pub provider: Provider,
    pub date: NaiveDate,
    pub lines: usize,
    pub differences: Vec<Difference>,
}

/// Reconciles `provider`'s bill of `date` and records the result.
pub async fn run(state: &AppState, provider: Provider, date: NaiveDate) -> Result<Reconciled, AppError> {
    reconcile(&state.db, client(state, provider)?.as_ref(), date).await
}

/// Reconciles the bill of `date` that `client` fetches with what `db` recorded, and records
/// the result (what `lingshi admin reconcile` runs, with the configured merchants).
pub async fn reconcile(db: &Db, client: &dyn PaymentProvider, date: NaiveDate) -> Result<Reconciled, AppError> {
    let provider = client.provider();
    let bill = match client.bill(date).await {
        Ok(bill) => bill,
        Err(ProviderError::Unsupported(_)) => return Err(AppError::Conflict("bill_not_offered")),
        Err(error) => {
            tracing::warn!(payment.provider = provider.code(), error.cause = %error, "the bill could not be fetched");
            return Err(AppError::Conflict("bill_unavailable"));
        }
    };
    let start =
        Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default()) - Duration::hours(BILL_OFFSET_HOURS);
    let ours =
        lingshi_storage::online_payments::settled_between(db, provider.code(), (start, start + Duration::days(1)))
            .await?;
    let key = |kind: BillKind, reference: &str| (kind, reference.to_owned());
    let mut mine: BTreeMap<(BillKind, String), (i64, String)> = ours
        .into_iter()
        .map(|(kind, reference, amount, currency)| {
            let kind = if kind == "refund" { BillKind::Refund } else { BillKind::Payment };
            (key(kind, &reference), (amount, currency))
        })
        .collect();
    let mut differences = Vec::new();
    let difference = |kind: &str, reference: &str, ours: Option<i64>, theirs: Option<i64>, currency: &str| Difference {
        provider: provider.code().to_owned(),
        bill_date: date,
        kind: kind.to_owned(),
        reference: reference.to_owned(),
        ours_minor: ours,
        theirs_minor: theirs,
        currency: currency.to_owned(),
    };
    for line in &bill {
        match mine.remove(&key(line.kind, &line.reference)) {
            None => differences.push(difference(
                "missing_ours",
                &line.reference,
                None,
                Some(line.amount_minor),
                &line.currency,
            )),
            Some((amount, _)) if amount != line.amount_minor => differences.push(difference(
                "amount_differs",
                &line.reference,
                Some(amount),
                Some(line.amount_minor),
                &line.currency,
            )),
            Some(_) => {}
        }
    }
    for ((_, reference), (amount, currency)) in mine {
        differences.push(difference("missing_theirs", &reference, Some(amount), None, &currency));
    }
    let lines = i64::try_from(bill.len()).unwrap_or(i64::MAX);
    lingshi_storage::reconciliation::save(db, (provider.code(), date), lines, &differences, Utc::now()).await?;
    if !differences.is_empty() {
        tracing::warn!(payment.provider = provider.code(), bill.date = %date, differences = differences.len(), "the bill and our record differ");
    }
    Ok(Reconciled { provider, date, lines: bill.len(), differences })
}

/// Reconciles yesterday's bill (China's day) of every provider, once a day.
pub async fn run_forever(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        let yesterday = (Utc::now() + Duration::hours(BILL_OFFSET_HOURS)).date_naive() - Duration::days(1);
        for provider in state.settings.payments.providers.keys().copied().collect::<Vec<_>>() {
            match lingshi_storage::reconciliation::ran(&state.db, provider.code(), yesterday).await {
                Ok(false) => {
                    // A provider without a bill over its API (Antom's come by SFTP) is skipped.
                    if let Err(error) = run(&state, provider, yesterday).await
                        && error.code() != "bill_not_offered"
                    {
                        tracing::warn!(
                            payment.provider = provider.code(),
                            error.code = error.code(),
                            "reconciliation not run"
                        );
                    }
                }
                Ok(true) => {}
                Err(error) => tracing::error!(error.cause = %error, "reconciliation: storage error"),
            }
        }
    }
}
