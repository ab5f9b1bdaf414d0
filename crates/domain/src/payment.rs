//! Online payments (微信支付, and the payment notice's QR codes): the lifecycle of a payment
//! and of a refund as state machines, how a provider's report moves them, the estimate in
//! yuan shown before paying, and when a refund may be asked for. Money is integer minor
//! units; rates are integer millionths.
//!
//! A payment is `created`, then `paid`, `closed` (expired or abandoned unpaid) or `failed`;
//! a refund is `requested`, then `refunded` or `failed`. A final state is never left, and a
//! report that the payment is still pending changes nothing, so notifications and queries,
//! however duplicated or reordered, end in the same state.

use crate::order::{ServiceKind, TransitionError};
use serde::{Deserialize, Serialize};

/// Where an online payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Created,
    Paid,
    Closed,
    Failed,
}

/// What a provider reports of a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Pending,
    Paid,
    Closed,
    Failed,
}

impl PaymentState {
    pub const ALL: [PaymentState; 4] = [Self::Created, Self::Paid, Self::Closed, Self::Failed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Paid => "paid",
            Self::Closed => "closed",
            Self::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_final(self) -> bool {
        self != Self::Created
    }

    /// The state after the provider reports `seen`: a final state stays; pending is no news.
    pub fn observe(self, seen: Reported) -> Self {
        match (self, seen) {
            (Self::Created, Reported::Paid) => Self::Paid,
            (Self::Created, Reported::Closed) => Self::Closed,
            (Self::Created, Reported::Failed) => Self::Failed,
            (state, _) => state,
        }
    }
}

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    Requested,
    Refunded,
    Failed,
}

/// What a provider reports of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundReported {
    Pending,
    Refunded,
    Failed,
}

impl RefundState {
    pub const ALL: [RefundState; 3] = [Self::Requested, Self::Refunded, Self::Failed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Refunded => "refunded",
            Self::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The state after the provider reports `seen`; a final state stays.
    pub fn observe(self, seen: RefundReported) -> Self {
        match (self, seen) {
            (Self::Requested, RefundReported::Refunded) => Self::Refunded,
            (Self::Requested, RefundReported::Failed) => Self::Failed,
            (state, _) => state,
        }
    }
}

/// Why a refund is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundCause {
    /// A cashier or mission admin refunds (an application not accepted, a difference).
    Staff,
    /// The payment arrived for an order that no longer waits for it (abandoned, withdrawn):
    /// it bought nothing and goes back by itself.
    Unwanted,
}

/// Whether a refund of an online payment for `service` may be asked for: the emergency
/// travel document's fee is never refunded once paid (Step 4 四), except a payment that
/// arrived for an application that no longer waited for it.
pub fn refund_allowed(service: ServiceKind, cause: RefundCause) -> Result<(), TransitionError> {
    match (service, cause) {
        (ServiceKind::EmergencyTravelDocument, RefundCause::Staff) => Err(TransitionError::EmergencyNotRefunded),
        _ => Ok(()),
    }
}

/// Whether what the provider says was paid is what was asked; anything else is flagged for
/// staff instead of settling the order.
pub fn amount_matches(asked_minor: i64, asked_currency: &str, reported_minor: i64, reported_currency: &str) -> bool {
    asked_minor == reported_minor && asked_currency.eq_ignore_ascii_case(reported_currency)
}

/// A reference rate: units of `currency` for one euro, in millionths, as of `date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub currency: String,
    pub per_euro_micros: i64,
    pub date: chrono::NaiveDate,
}

/// `amount_minor` of a currency worth `from_per_euro` (millionths per euro) in a currency
/// worth `to_per_euro`, rounded half up; both currencies with two decimals. The euro itself
/// is 1 000 000.
pub fn convert(amount_minor: i64, from_per_euro: i64, to_per_euro: i64) -> Option<i64> {
    if from_per_euro <= 0 || to_per_euro <= 0 || amount_minor < 0 {
        return None;
    }
    let numerator = i128::from(amount_minor) * i128::from(to_per_euro);
    let denominator = i128::from(from_per_euro);
    i64::try_from((numerator * 2 + denominator) / (denominator * 2)).ok()
}

/// The euro's own rate.
pub const EURO: i64 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_final_state_is_never_left_and_pending_is_no_news() {
        assert_eq!(PaymentState::Created.observe(Reported::Pending), PaymentState::Created);
        assert_eq!(PaymentState::Created.observe(Reported::Paid), PaymentState::Paid);
        assert_eq!(PaymentState::Paid.observe(Reported::Closed), PaymentState::Paid);
        assert_eq!(PaymentState::Closed.observe(Reported::Paid), PaymentState::Closed);
        assert_eq!(RefundState::Requested.observe(RefundReported::Failed), RefundState::Failed);
        assert_eq!(RefundState::Refunded.observe(RefundReported::Pending), RefundState::Refunded);
        for state in PaymentState::ALL {
            assert_eq!(PaymentState::from_code(state.code()), Some(state));
        }
    }

    #[test]
    fn the_emergency_fee_goes_back_only_when_it_bought_nothing() {
        let emergency = ServiceKind::EmergencyTravelDocument;
        assert_eq!(refund_allowed(emergency, RefundCause::Staff), Err(TransitionError::EmergencyNotRefunded));
        assert!(refund_allowed(emergency, RefundCause::Unwanted).is_ok());
        assert!(refund_allowed(ServiceKind::PassportOrTravelDocument, RefundCause::Staff).is_ok());
    }

    #[test]
    fn sixteen_euros_in_yuan_at_the_reference_rate() {
        assert_eq!(convert(1600, EURO, 7_654_300), Some(12_247), "16 × 7.6543 = 122.4688");
        assert_eq!(convert(1000, 1_173_500, 7_654_300), Some(6_523), "10 CHF through the euro");
        assert_eq!(convert(1600, 0, 7_654_300), None);
        assert!(amount_matches(1600, "EUR", 1600, "eur") && !amount_matches(1600, "EUR", 1601, "EUR"));
    }

    /// A provider's history: some pending reports and its outcome (reported 1–5 times, as
    /// notifications and queries may), delivered in any order.
    fn deliveries() -> impl Strategy<Value = (Reported, Vec<Reported>)> {
        let outcome = prop_oneof![Just(Reported::Paid), Just(Reported::Closed), Just(Reported::Failed)];
        (outcome, 0..20usize, 1..6usize).prop_flat_map(|(outcome, pending, repeats)| {
            let mut history = vec![Reported::Pending; pending];
            history.extend(std::iter::repeat_n(outcome, repeats));
            (Just(outcome), Just(history).prop_shuffle())
        })
    }

    proptest! {
        #[test]
        fn any_order_of_reports_ends_in_the_providers_outcome((outcome, history) in deliveries()) {
            let end = history.iter().fold(PaymentState::Created, |state, seen| state.observe(*seen));
            prop_assert_eq!(end, PaymentState::Created.observe(outcome));
            prop_assert!(end.is_final());
        }
    }
}
