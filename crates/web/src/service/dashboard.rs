//! The mission's dashboard, computed from the audit log (which records every submission and
//! every staff action, with its time): orders per state, received and completed per day,
//! the median days from submission to ready, and the most frequent reasons for rejecting
//! and for asking supplements; and the online payments staff must look into: payments of
//! another amount than asked (flagged, the order left unpaid) and the daily reconciliation's
//! differences with the providers' bills.

use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use lingshi_domain::order::StaffRole;
use std::collections::{BTreeMap, HashMap};

/// Days shown in the per-day series.
pub const WINDOW_DAYS: i64 = 30;
/// Reasons listed per kind.
const TOP_REASONS: usize = 5;

/// What the dashboard shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Dashboard {
    pub counts: BTreeMap<String, i64>,
    /// Per day of the window, oldest first: (date, received, completed).
    pub per_day: Vec<(NaiveDate, u32, u32)>,
    /// Median whole days from submission to "ready", over orders that got there.
    pub median_days_to_ready: Option<f64>,
    pub top_rejection_reasons: Vec<(String, u32)>,
    pub top_supplement_reasons: Vec<(String, u32)>,
    pub payment_checks: PaymentChecks,
}

/// Online payments to look into.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PaymentChecks {
    /// The mission's payments reported for another amount than asked.
    pub flagged: Vec<FlaggedPayment>,
    /// The reconciliation's differences (the newest bills first); shown to cashiers and
    /// administrators, who settle money, and empty for other roles.
    pub differences: Vec<BillDifference>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FlaggedPayment {
    pub order_id: String,
    pub provider: String,
    pub out_trade_no: String,
    pub amount: String,
    pub flag: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BillDifference {
    pub provider: String,
    pub bill_date: NaiveDate,
    /// `missing_ours`, `missing_theirs` or `amount_differs`.
    pub kind: String,
    pub reference: String,
    pub ours: Option<String>,
    pub theirs: Option<String>,
}

/// Whether `role` settles money (takes payments, refunds): it sees the reconciliation.
pub fn settles_money(role: StaffRole) -> bool {
    matches!(role, StaffRole::Cashier | StaffRole::MissionAdmin | StaffRole::SystemAdmin)
}

/// The payment checks of `mission_id`, with the reconciliation's differences if `with_bills`.
pub async fn payment_checks(state: &AppState, mission_id: &str, with_bills: bool) -> Result<PaymentChecks, AppError> {
    let money =
        |minor: i64, currency: &str| lingshi_domain::mission::Money { minor, currency: currency.to_owned() }.display();
    let flagged = lingshi_storage::online_payments::flagged(&state.db, Some(mission_id))
        .await?
        .into_iter()
        .map(|p| FlaggedPayment {
            amount: money(p.amount_minor, &p.currency),
            flag: p.flag.unwrap_or_default(),
            order_id: p.order_id,
            provider: p.provider,
            out_trade_no: p.out_trade_no,
        })
        .collect();
    let differences = if with_bills {
        lingshi_storage::reconciliation::differences(&state.db, None)
            .await?
            .into_iter()
            .map(|d| BillDifference {
                ours: d.ours_minor.map(|m| money(m, &d.currency)),
                theirs: d.theirs_minor.map(|m| money(m, &d.currency)),
                provider: d.provider,
                bill_date: d.bill_date,
                kind: d.kind,
                reference: d.reference,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PaymentChecks { flagged, differences })
}

fn top(counts: HashMap<String, u32>) -> Vec<(String, u32)> {
    let mut ranked: Vec<(String, u32)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(TOP_REASONS);
    ranked
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[middle - 1] + values[middle]) / 2.0 } else { values[middle] })
}

/// The dashboard of `mission_id` as of `now`, as `role` sees it; its counts and history read
/// where a little lag is tolerated (see [`crate::read_after`]), its payment checks from the
/// primary.
pub async fn of_mission(
    state: &AppState,
    (mission_id, role): (&str, StaffRole),
    now: DateTime<Utc>,
    after: crate::read_after::ReadAfter,
) -> Result<Dashboard, AppError> {
    let payment_checks = payment_checks(state, mission_id, settles_money(role)).await?;
    let db = state.lag_tolerant(after);
    let counts = lingshi_storage::orders::counts_by_state(db, Some(mission_id)).await?.into_iter().collect();
    let rows = lingshi_storage::audit::for_mission(db, mission_id).await?;
    let today = now.date_naive();
    let first_day = today - Duration::days(WINDOW_DAYS - 1);
    let mut per_day: BTreeMap<NaiveDate, (u32, u32)> =
        (0..WINDOW_DAYS).map(|i| (first_day + Duration::days(i), (0, 0))).collect();
    let mut submitted: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut days_to_ready = Vec::new();
    let (mut rejections, mut supplements) = (HashMap::new(), HashMap::new());
    for row in &rows {
        let order = row.order_id.as_deref().unwrap_or_default();
        match row.action.as_str() {
            "submitted" | "walk_in_registered" => {
                submitted.insert(order, row.at);
                if let Some(day) = per_day.get_mut(&row.at.date_naive()) {
                    day.0 += 1;
                }
            }
            "handed_over" => {
                if let Some(day) = per_day.get_mut(&row.at.date_naive()) {
                    day.1 += 1;
                }
            }
            "ready" => {
                if let Some(at) = submitted.get(order) {
                    days_to_ready.push((row.at - *at).num_seconds() as f64 / 86_400.0);
                }
            }
            "rejected" => {
                if let Some(reason) = row.reason_text(&state.vault)? {
                    *rejections.entry(reason).or_insert(0) += 1;
                }
            }
            "supplement_requested" => {
                for reason in row.reason_text(&state.vault)?.unwrap_or_default().split('；').filter(|r| !r.is_empty())
                {
                    *supplements.entry(reason.to_owned()).or_insert(0) += 1;
                }
            }
            _ => {}
        }
    }
    Ok(Dashboard {
        counts,
        per_day: per_day.into_iter().map(|(day, (received, completed))| (day, received, completed)).collect(),
        median_days_to_ready: median(days_to_ready).map(|d| (d * 10.0).round() / 10.0),
        top_rejection_reasons: top(rejections),
        top_supplement_reasons: top(supplements),
        payment_checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn reasons_are_ranked_by_frequency_then_name() {
        let counts = HashMap::from([("b".to_owned(), 2), ("a".to_owned(), 2), ("c".to_owned(), 5)]);
        assert_eq!(top(counts), vec![("c".to_owned(), 5), ("a".to_owned(), 2), ("b".to_owned(), 2)]);
    }
}
