//! The one way an order changes: locked, checked to be the caller's, changed, saved with
//! its timeline, its records, its audit row and the applicant's notice, in one transaction.

use super::{Loaded, Principal, form_of, load_as};
use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use lingshi_storage::StorageError;
use lingshi_storage::accounts::Account;
use lingshi_storage::audit::{self, AuditEntry};
use lingshi_storage::orders;

/// What a change did, for the timeline and the audit log, and what it records besides.
pub struct Outcome {
    pub event: &'static str,
    /// The mission's reply, or the applicant's reason: shown on the timeline.
    pub note: Option<String>,
    pub records: Vec<Record>,
}

impl Outcome {
    pub fn event(event: &'static str, note: Option<String>) -> Self {
        Self { event, note, records: Vec::new() }
    }

    /// Records written with no timeline entry of their own (where a payment sends the payer).
    pub fn quiet(records: Vec<Record>) -> Self {
        Self { event: "", note: None, records }
    }
}

/// Rows written alongside a change.
pub enum Record {
    /// A payment (`payment`) or refund (`refund`) taken by staff.
    Money { kind: &'static str, method: String, amount_minor: i64, currency: String, reference: Option<String> },
    /// Items asked of the applicant: material code, reason, due date.
    Supplements(Vec<(String, String, Option<chrono::NaiveDate>)>),
    /// The applicant answered the open supplement requests.
    SupplementsAnswered,
    /// The applicant's idempotency key for this request (a submission), remembered with it.
    IdempotencyKey(String),
    /// A new online payment attempt.
    NewOnlinePayment(Box<lingshi_storage::online_payments::OnlinePayment>),
    /// An online payment as the provider now reports it.
    OnlinePaymentChanged(Box<lingshi_storage::online_payments::OnlinePayment>),
    /// A refund asked of the provider.
    NewOnlineRefund(Box<lingshi_storage::online_payments::OnlineRefund>),
    /// A refund as the provider now reports it.
    OnlineRefundChanged(Box<lingshi_storage::online_payments::OnlineRefund>),
    /// Work for the job runner, committed with the change: kind, payload, when.
    Job(&'static str, serde_json::Value, DateTime<Utc>),
    /// A new interview booking, taking one of its slot's `parallel` places (refused when
    /// the slot is full).
    NewBooking(Box<lingshi_storage::interviews::Booking>, u16),
    /// A booking changed; with `release`, its place goes back to its slot.
    BookingChanged { booking: Box<lingshi_storage::interviews::Booking>, release: bool },
}

impl Record {
    /// Whether this record tells the applicant about the change itself (an interview's
    /// notice), so the general notice of a new state is not sent as well.
    fn is_own_notice(&self) -> bool {
        matches!(self, Record::Job(kind, _, _) if *kind == crate::service::interviews::notices::NOTICE)
    }

    /// Whether this record books, moves or closes an interview (always audited).
    fn touches_booking(&self) -> bool {
        matches!(self, Record::NewBooking(..) | Record::BookingChanged { .. })
    }

    async fn write(
        &self,
        tx: &mut lingshi_storage::Tx,
        state: &AppState,
        principal: Principal<'_>,
        order_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let staff_id = match principal {
            Principal::Staff(staff) => staff.id.as_str(),
            Principal::Applicant(_) | Principal::System(_) => "",
        };
        use lingshi_storage::online_payments as online;
        match self {
            Record::Money { kind, method, amount_minor, currency, reference } => {
                let new = lingshi_storage::order_work::NewPayment {
                    order_id,
                    kind,
                    method,
                    amount_minor: *amount_minor,
                    currency,
                    reference: reference.as_deref(),
                    staff_id,
                };
                lingshi_storage::order_work::record_payment(tx, &state.vault, &new, now).await?;
            }
            Record::Supplements(items) => {
                for (material, reason, due) in items {
                    let item = (material.as_str(), reason.as_str(), *due);
                    lingshi_storage::order_work::request_supplement(tx, &state.vault, order_id, item, staff_id, now)
                        .await?;
                }
            }
            Record::SupplementsAnswered => lingshi_storage::order_work::answer_supplements(tx, order_id, now).await?,
            Record::IdempotencyKey(key) => {
                let Principal::Applicant(account) = principal else {
                    return Err(AppError::internal("an idempotency key belongs to an applicant's request"));
                };
                orders::remember_idempotency_key(tx, &account.id, key, order_id, now).await.map_err(conflict)?;
            }
            Record::NewOnlinePayment(payment) => online::insert(tx, payment).await?,
            Record::OnlinePaymentChanged(payment) => online::update(tx, payment, now).await?,
            Record::NewOnlineRefund(refund) => online::insert_refund(tx, &state.vault, refund).await?,
            Record::OnlineRefundChanged(refund) => online::update_refund(tx, refund, now).await?,
            Record::NewBooking(booking, parallel) => {
                use lingshi_storage::interviews;
                if !interviews::take_place(tx, &booking.mission_id, booking.starts_at, *parallel).await? {
                    return Err(AppError::Conflict("interview_slot_full"));
                }
                interviews::insert_booking(tx, booking).await?;
            }
            Record::BookingChanged { booking, release } => {
                use lingshi_storage::interviews;
                interviews::update_booking(tx, &state.vault, booking, now).await?;
                if *release {
                    interviews::release_place(tx, &booking.mission_id, booking.starts_at).await?;
                }
            }
            Record::Job(kind, payload, at) => {
                let max = lingshi_storage::jobs::DEFAULT_MAX_ATTEMPTS;
                lingshi_storage::jobs::enqueue_at(tx, &state.vault, (kind, payload, max), *at, now).await?;
                state.jobs_waiting.notify_one();
            }
        }
        Ok(())
    }
}

/// A file attached or detached together with a change.
pub enum FileChange<'a> {
    None,
    /// A file already in the blob store, attached to the order (replacing the slot's
    /// earlier files when `replace`).
    Attach {
        file: orders::NewFile<'a>,
        replace: bool,
    },
    /// The order's file with this id, detached.
    Detach(&'a str),
}

/// Locks order `id`, checks it is `account`'s, applies `apply` to it, attaches or detaches
/// `file`, and saves it with its timeline entry, in one transaction. `apply` sees the order
/// as it is inside the lock. Returns the order as saved.
pub async fn change(
    state: &AppState,
    account: &Account,
    id: &str,
    file: FileChange<'_>,
    apply: impl FnOnce(&mut Loaded) -> Result<Option<Outcome>, AppError>,
) -> Result<Loaded, AppError> {
    change_as(state, Principal::Applicant(account), id, None, file, apply).await
}

/// [`change`] for any principal. With `expected_version`, the change is refused when the
/// order moved on since the caller looked at it (two officers, two tabs). A state change,
/// and anything staff do, appends an audit row in the same transaction; a state change by
/// staff marks the order unread and notifies the applicant through the outbox.
pub async fn change_as(
    state: &AppState,
    principal: Principal<'_>,
    id: &str,
    expected_version: Option<i32>,
    file: FileChange<'_>,
    apply: impl FnOnce(&mut Loaded) -> Result<Option<Outcome>, AppError>,
) -> Result<Loaded, AppError> {
    let before = load_as(state, principal, id).await?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let order =
        orders::lock(&mut tx, &state.vault, id).await?.filter(|o| principal.owns(o)).ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != order.version) {
        return Err(AppError::Conflict("concurrent_change"));
    }
    let previous_state = order.state;
    let mut loaded = Loaded { form: form_of(&order)?, order, ..before };
    let outcome = apply(&mut loaded)?;
    match file {
        FileChange::None => {}
        FileChange::Attach { file, replace } => {
            orders::put_file(&mut tx, &state.vault, id, &file, replace, now).await?;
        }
        FileChange::Detach(file_id) => orders::remove_file(&mut tx, id, file_id).await?,
    }
    let state_changed = loaded.order.state != previous_state;
    let by_staff = matches!(principal, Principal::Staff(_));
    if state_changed && by_staff {
        loaded.order.unread = true;
    }
    loaded.order.form = serde_json::to_value(&loaded.form).map_err(AppError::internal)?;
    loaded.order.version = orders::save(&mut tx, &state.vault, &loaded.order, now).await.map_err(conflict)?;
    if let Principal::Staff(staff) = principal {
        lingshi_storage::claims::touch(&mut tx, id, &staff.id, now).await?;
    }
    if let Some(outcome) = &outcome {
        let order = &loaded.order;
        for record in &outcome.records {
            record.write(&mut tx, state, principal, &order.id, now).await?;
        }
    }
    if let Some(outcome) = outcome.as_ref().filter(|o| !o.event.is_empty()) {
        let order = &loaded.order;
        orders::add_event(&mut tx, &state.vault, &order.id, order.state, outcome.event, outcome.note.as_deref(), now)
            .await?;
        // Staff and the platform itself are audited in everything they do; applicants when
        // they move the order or its interview.
        let booking_moved = outcome.records.iter().any(Record::touches_booking);
        if state_changed || booking_moved || !matches!(principal, Principal::Applicant(_)) {
            let actor = principal.audit_actor();
            let entry = AuditEntry {
                mission_id: Some(&order.mission_id),
                actor: &actor,
                action: outcome.event,
                order_id: Some(&order.id),
                before_state: Some(previous_state.code()),
                after_state: Some(order.state.code()),
                reason: outcome.note.as_deref(),
            };
            audit::append(&mut tx, &state.vault, &entry, now).await?;
        }
        let told_otherwise = outcome.records.iter().any(Record::is_own_notice);
        if state_changed && by_staff && !told_otherwise {
            notify_applicant(&mut tx, state, &loaded).await?;
        }
    }
    tx.commit().await?;
    loaded.reload_lists(state).await?;
    Ok(loaded)
}

/// Whether the change made the fee due by the mission's payment notice (FAQ 6: paying
/// offline, the document sent by post, now ready, and a provider to pay online with).
fn payment_notice_due(state: &AppState, loaded: &Loaded) -> bool {
    use lingshi_domain::{actions::Action, order::Actor, order::OrderState};
    loaded.order.state == OrderState::ReadyForPickup
        && loaded.order.payment_method.as_deref() == Some("offline")
        && loaded.form.delivery.as_ref().is_some_and(|d| d.pickup == "by_post")
        && !state.settings.payments.providers.is_empty()
        && loaded.ensure(Action::PayOnline, Actor::Applicant).is_ok()
}

/// Tells the submitter, by the channel they registered with, that their order changed: the
/// order number and its new state, nothing personal; or the payment notice (FAQ 6), with the
/// link to the payment page and, in the mail, a QR code for each provider the mission takes.
async fn notify_applicant(tx: &mut lingshi_storage::Tx, state: &AppState, loaded: &Loaded) -> Result<(), AppError> {
    let order = &loaded.order;
    let Some(submitter) = order.submitter_id.as_deref() else { return Ok(()) };
    let Some(account) = lingshi_storage::accounts::find(&state.db, submitter).await? else {
        return Ok(());
    };
    let Ok(address) = lingshi_domain::ContactAddress::parse(&account.login) else { return Ok(()) };
    let locale = crate::i18n::Locale::from_tag(&account.locale).unwrap_or_default();
    let catalogs = &state.catalogs;
    if payment_notice_due(state, loaded) {
        let base = state.settings.public_url.as_deref().unwrap_or(&state.settings.payments.notify_base);
        let link = format!("{base}/orders/{}/pay", order.id);
        let offered = crate::service::payments::offered(state, loaded);
        let codes: Vec<crate::jobs::QrLink> = offered
            .iter()
            .map(|provider| crate::jobs::QrLink {
                id: provider.code().replace('_', "-"),
                label: catalogs.text(locale, &format!("pay_scan_{}", provider.code())).to_owned(),
                url: format!("{link}?provider={}", provider.code()),
            })
            .collect();
        let names: Vec<String> = offered
            .iter()
            .map(|provider| catalogs.text(locale, &format!("pay_title_{}", provider.code())).to_owned())
            .collect();
        let providers = match names.as_slice() {
            [first, second] => {
                catalogs.text(locale, "notice_payment_either").replace("{first}", first).replace("{second}", second)
            }
            names => names.join(", "),
        };
        let body = catalogs
            .text(locale, "notice_payment_body")
            .replace("{number}", &order.number)
            .replace("{providers}", &providers)
            .replace("{link}", &link);
        let subject = catalogs.text(locale, "notice_payment_subject").replace("{number}", &order.number);
        let message =
            crate::jobs::Message { qr_codes: codes, ..crate::service::codes::message_to(&address, subject, body) };
        crate::service::inbox::notify(tx, state, (&account, Some(&order.id)), &message).await?;
    } else {
        let state_key = format!("state_{}", order.state.code());
        let state_name = catalogs.text(locale, &state_key);
        let mut body = catalogs
            .text(locale, "notice_order_body")
            .replace("{number}", &order.number)
            .replace("{state}", state_name);
        // What to do next, where the state asks something of the applicant, and the order.
        if let Some(next) = catalogs.all(locale).get(&format!("notice_next_{}", order.state.code())) {
            body = format!("{body}\n\n{next}");
        }
        let base = state.settings.public_url.as_deref().unwrap_or(&state.settings.payments.notify_base);
        let link = catalogs.text(locale, "notice_order_link").replace("{link}", &format!("{base}/orders/{}", order.id));
        body = format!("{body}\n\n{link}");
        let subject = catalogs.text(locale, "notice_order_subject").replace("{number}", &order.number);
        let message = crate::service::codes::message_to(&address, subject, body);
        crate::service::inbox::notify(tx, state, (&account, Some(&order.id)), &message).await?;
    }
    Ok(())
}

/// A concurrent change (the order or a unique key moved on) as the caller sees it.
pub(super) fn conflict(error: StorageError) -> AppError {
    match error {
        StorageError::Conflict(_) => AppError::Conflict("concurrent_change"),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_race_reads_as_a_concurrent_change_and_anything_else_passes_through() {
        assert!(matches!(conflict(StorageError::Conflict("orders.version")), AppError::Conflict("concurrent_change")));
        assert!(!matches!(conflict(StorageError::NotFound), AppError::Conflict(_)));
    }
}
