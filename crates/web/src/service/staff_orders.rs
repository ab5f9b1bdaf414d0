//! The officers' side of orders (SPEC §5, §6, §8): the mission's queue, one order as a
//! whole, and every action on it. Each action goes through the domain (the state machine
//! for state changes, the money rules for payments) and through `orders::change_as`, so it
//! is checked against the officer's mission, the order's version, and audited, in one
//! transaction.

use crate::error::{AppError, FieldErrors};
use crate::service::orders::{self, FileChange, Loaded, Outcome, Principal, Record};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use lingshi_domain::actions::Action;
use lingshi_domain::application_form::short_text;
use lingshi_domain::materials::Material;
use lingshi_domain::order::{Actor, COUNTER_PAYMENT_METHODS, OrderAction, OrderState, StaffRole, transition};
use lingshi_storage::orders::{Order, QueueFilter};
use lingshi_storage::staff::Staff;

/// Largest page of a queue.
pub const MAX_PAGE: i64 = 100;

/// What an officer can do to an order.
#[derive(Debug, Clone)]
pub enum StaffAction {
    Accept,
    Reject {
        reason: String,
    },
    /// Items asked of the applicant: material code, why, by when.
    RequestSupplement {
        items: Vec<(String, String, Option<NaiveDate>)>,
    },
    RequireInterview {
        reason: String,
    },
    CompleteInterview,
    MarkReady,
    /// `counter`, or `post` with the tracking number.
    HandOver {
        method: String,
        tracking: Option<String>,
    },
    OldDocumentCancelled,
    RecordPayment {
        method: String,
        amount: String,
        reference: Option<String>,
    },
    RecordRefund {
        amount: String,
        reason: String,
    },
}

/// The mission an officer works for: `None` for a system administrator (every mission).
pub fn scope(staff: &Staff) -> Result<Option<String>, AppError> {
    match (staff.role, &staff.mission_id) {
        (StaffRole::SystemAdmin, _) => Ok(None),
        (_, Some(mission)) => Ok(Some(mission.clone())),
        (_, None) => Err(AppError::Forbidden("not_your_role")),
    }
}

/// The queue page and the counts per state of the officer's mission, read where a little lag
/// is tolerated (the replica, once it has replayed past the officer's last change: `after`).
pub async fn queue(
    state: &AppState,
    staff: &Staff,
    mut filter: QueueFilter,
    after: crate::read_after::ReadAfter,
) -> Result<(Vec<Order>, Vec<(String, i64)>), AppError> {
    filter.mission_id = scope(staff)?;
    filter.limit = filter.limit.clamp(1, MAX_PAGE);
    filter.offset = filter.offset.max(0);
    let db = state.lag_tolerant(after);
    let page = lingshi_storage::orders::queue(db, &state.vault, &filter).await?;
    let counts = lingshi_storage::orders::counts_by_state(db, filter.mission_id.as_deref()).await?;
    Ok((page, counts))
}

/// One order of the officer's mission (404 for any other, as if absent).
pub async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<Loaded, AppError> {
    scope(staff)?;
    orders::load_as(state, Principal::Staff(staff), id).await
}

/// An amount typed at the counter, `16` or `16.00`, in minor units.
fn minor_units(amount: &str) -> Result<i64, AppError> {
    let invalid = || AppError::from(FieldErrors::single("amount", "amount_invalid"));
    let (whole, fraction) = amount.trim().split_once('.').unwrap_or((amount.trim(), ""));
    if whole.is_empty() || whole.len() > 7 || fraction.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let cents = format!("{fraction:0<2}").parse::<i64>().map_err(|_| invalid())?;
    let value = whole.parse::<i64>().map_err(|_| invalid())? * 100 + cents;
    if value > 0 { Ok(value) } else { Err(invalid()) }
}

fn reason(field: &'static str, text: &str) -> Result<String, AppError> {
    short_text(text, 500).map_err(|e| FieldErrors::single(field, e.code()).into())
}

/// Moves the order through the state machine as this officer.
fn step(loaded: &mut Loaded, staff: &Staff, action: OrderAction) -> Result<OrderState, AppError> {
    loaded.step(action, Actor::Staff(staff.role))
}

/// Applies `action` to order `id`, which the officer saw at `version`.
pub async fn act(
    state: &AppState,
    staff: &Staff,
    id: &str,
    version: i32,
    action: StaffAction,
) -> Result<Loaded, AppError> {
    // Another mission's order is absent to this officer, whatever the request holds.
    load(state, staff, id).await?;
    let prepared = prepare(&action)?;
    orders::change_as(state, Principal::Staff(staff), id, Some(version), FileChange::None, |loaded| {
        apply(loaded, staff, action, prepared)
    })
    .await
}

/// What can be checked before the order is locked: amounts, reasons, items.
enum Prepared {
    Nothing,
    Reason(String),
    Amount(i64),
    AmountAndReason(i64, String),
    Items(Vec<(String, String, Option<NaiveDate>)>),
}

fn prepare(action: &StaffAction) -> Result<Prepared, AppError> {
    Ok(match action {
        StaffAction::Reject { reason: text } | StaffAction::RequireInterview { reason: text } => {
            Prepared::Reason(reason("reason", text)?)
        }
        StaffAction::RecordPayment { amount, .. } => Prepared::Amount(minor_units(amount)?),
        StaffAction::RecordRefund { amount, reason: text } => {
            Prepared::AmountAndReason(minor_units(amount)?, reason("reason", text)?)
        }
        StaffAction::RequestSupplement { items } => {
            let mut checked = Vec::new();
            for (material, text, due) in items {
                let material = Material::from_code(material)
                    .ok_or(AppError::Invalid(FieldErrors::single("material", "unknown_choice")))?;
                checked.push((material.code().to_owned(), reason("reason", text)?, *due));
            }
            if checked.is_empty() {
                return Err(FieldErrors::single("items", "supplement_items_required").into());
            }
            Prepared::Items(checked)
        }
        StaffAction::HandOver { method, tracking } => match (method.as_str(), tracking) {
            ("counter", _) => Prepared::Nothing,
            ("post", Some(number)) => Prepared::Reason(reason("tracking", number)?),
            ("post", None) => return Err(FieldErrors::single("tracking", "tracking_required").into()),
            _ => return Err(FieldErrors::single("method", "unknown_choice").into()),
        },
        _ => Prepared::Nothing,
    })
}

fn apply(
    loaded: &mut Loaded,
    staff: &Staff,
    action: StaffAction,
    prepared: Prepared,
) -> Result<Option<Outcome>, AppError> {
    let note = |prepared: &Prepared| match prepared {
        Prepared::Reason(text) | Prepared::AmountAndReason(_, text) => Some(text.clone()),
        _ => None,
    };
    let outcome = match action {
        StaffAction::Accept => {
            step(loaded, staff, OrderAction::Accept)?;
            loaded.order.accepted_by = Some(staff.id.clone());
            Outcome::event("accepted", None)
        }
        StaffAction::Reject { .. } => {
            step(loaded, staff, OrderAction::Reject)?;
            Outcome::event("rejected", note(&prepared))
        }
        StaffAction::RequestSupplement { .. } => {
            step(loaded, staff, OrderAction::RequestSupplement)?;
            let Prepared::Items(items) = prepared else { return Err(AppError::internal("items not prepared")) };
            let summary = items.iter().map(|(_, why, _)| why.as_str()).collect::<Vec<_>>().join("；");
            Outcome { event: "supplement_requested", note: Some(summary), records: vec![Record::Supplements(items)] }
        }
        StaffAction::RequireInterview { .. } => {
            step(loaded, staff, OrderAction::RequireInterview)?;
            Outcome::event("interview_required", note(&prepared))
        }
        StaffAction::CompleteInterview => crate::service::interviews::booking::conclude(
            loaded,
            Actor::Staff(staff.role),
            lingshi_domain::interview::BookingState::Done,
            None,
        )?,
        StaffAction::MarkReady => {
            step(loaded, staff, OrderAction::MarkReady)?;
            Outcome::event("ready", None)
        }
        StaffAction::HandOver { .. } => {
            step(loaded, staff, OrderAction::HandOver)?;
            Outcome::event("handed_over", note(&prepared))
        }
        StaffAction::OldDocumentCancelled => {
            loaded.ensure(Action::OldDocumentCancelled, Actor::Staff(staff.role))?;
            Outcome::event("old_document_cancelled", None)
        }
        StaffAction::RecordPayment { method, reference, .. } => {
            loaded.ensure(Action::RecordPayment, Actor::Staff(staff.role))?;
            if !COUNTER_PAYMENT_METHODS.contains(&method.as_str()) {
                return Err(FieldErrors::single("method", "unknown_choice").into());
            }
            let Prepared::Amount(amount_minor) = prepared else {
                return Err(AppError::internal("amount not prepared"));
            };
            let reference = reference.map(|r| reason("reference", &r)).transpose()?;
            let currency = loaded.order.fee_currency.clone().unwrap_or_else(|| loaded.mission.currency.clone());
            let record = Record::Money { kind: "payment", method, amount_minor, currency, reference };
            Outcome { event: "payment_recorded", note: None, records: vec![record] }
        }
        StaffAction::RecordRefund { .. } => {
            loaded.ensure(Action::RecordRefund, Actor::Staff(staff.role))?;
            let Prepared::AmountAndReason(amount_minor, why) = prepared else {
                return Err(AppError::internal("refund not prepared"));
            };
            if amount_minor > lingshi_storage::order_work::net_paid(&loaded.payments) {
                return Err(FieldErrors::single("amount", "amount_invalid").into());
            }
            // Paid online: back through the original channel (FAQ 6), once the provider confirms.
            if let Some(records) = crate::service::payments::staff_refund(loaded, amount_minor, &why, &staff.id)? {
                return Ok(Some(Outcome { event: "refund_requested", note: Some(why), records }));
            }
            let method =
                loaded.payments.iter().rev().find(|p| p.kind == "payment").map_or("cash", |p| p.method.as_str());
            let currency = loaded.order.fee_currency.clone().unwrap_or_else(|| loaded.mission.currency.clone());
            let record = Record::Money {
                kind: "refund",
                method: method.to_owned(),
                amount_minor,
                currency,
                reference: Some(why.clone()),
            };
            Outcome { event: "refund_recorded", note: Some(why), records: vec![record] }
        }
    };
    Ok(Some(outcome))
}

/// Days since submission, for the queue's age column.
pub fn age_in_days(order: &Order, now: DateTime<Utc>) -> i64 {
    order.submitted_at.map_or(0, |at| (now - at).num_days())
}

/// An urgent application taken at the counter for someone without an account.
pub struct WalkIn {
    pub service: lingshi_domain::application::Service,
    pub route: Option<lingshi_domain::application::RouteAnswers>,
    pub application_type: Option<String>,
    pub residence_country: String,
    pub details: lingshi_domain::details::Details,
    pub delivery: Option<lingshi_domain::application_form::Delivery>,
    pub pickup: Option<lingshi_domain::application_form::Pickup>,
}

/// Registers a walk-in: the same checks as an application (district, routing, every
/// personal detail), then straight into review, registered by this officer, audited. The
/// officer adds the photo and materials afterwards ([`crate::service::order_files`]).
pub async fn register_walk_in(state: &AppState, staff: &Staff, walk_in: WalkIn) -> Result<Loaded, AppError> {
    use lingshi_domain::application::Service;
    use lingshi_domain::details::DetailsContext;
    let mission_id = scope(staff)?.ok_or(AppError::Forbidden("not_your_role"))?;
    // Whoever stands at the counter is in the mission's country, wherever they live.
    let here = state.directory.find(&state.db, &mission_id).await?.map(|m| m.country_code.clone());
    let start = orders::Start {
        service: walk_in.service,
        statement_accepted: true,
        mission_id: mission_id.clone(),
        residence_country: walk_in.residence_country,
        present_country: here.unwrap_or_default(),
        on_behalf: false,
        route: walk_in.route,
        application_type: walk_in.application_type,
    };
    let (mission, kind, mut form) = orders::checked_start(state, &start).await?;
    let today = Utc::now().date_naive();
    let context = DetailsContext {
        kind,
        held: form.route.map(|r| r.held),
        today,
        home_region: Some(mission.country_code.clone()),
    };
    let details = walk_in.details.validate(&context).map_err(FieldErrors::from)?;
    match walk_in.service {
        Service::PassportOrTravelDocument => {
            let mut delivery = walk_in.delivery.unwrap_or_default();
            if delivery.submission.is_empty() {
                // The papers are at the counter: recorded as the mission's own way of taking them.
                delivery.submission =
                    mission.submission_methods.first().map(|m| m.code().to_owned()).unwrap_or_default();
            }
            form.delivery = Some(delivery.validate(&mission).map_err(FieldErrors::from)?);
        }
        Service::EmergencyTravelDocument => {
            let pickup = walk_in.pickup.unwrap_or_default();
            form.pickup = Some(pickup.validate(today).map_err(FieldErrors::from)?);
        }
    }
    form.details = Some(details.clone());
    let origin = orders::Origin {
        service: walk_in.service,
        submitter_id: None,
        intake_staff_id: Some(&staff.id),
        on_behalf: false,
    };
    let (mut tx, id, now) = orders::insert_order(state, &mission, &origin, kind, &form).await?;
    let mut order = lingshi_storage::orders::lock(&mut tx, &state.vault, &id).await?.ok_or(AppError::NotFound)?;
    let facts = lingshi_domain::order::OrderFacts {
        service: walk_in.service.kind(),
        fee_settled: false,
        same_officer_as_acceptance: false,
    };
    order.state = transition(
        OrderState::Draft,
        OrderAction::RegisterWalkIn,
        lingshi_domain::order::Actor::Staff(staff.role),
        facts,
    )
    .map_err(|e| AppError::Conflict(e.code()))?;
    orders::index_applicant(&mut order, &details, &state.vault, today);
    order.progress = i32::try_from(walk_in.service.steps().len()).unwrap_or(i32::MAX);
    order.submitted_at = Some(now);
    order.payment_method = Some("offline".into());
    let draft = Loaded::unlisted(order.clone(), form.clone(), walk_in.service, kind, mission.clone());
    let fee = orders::fee_of(&draft);
    order.fee_minor = fee.as_ref().map(|f| f.minor);
    order.fee_currency = fee.map(|f| f.currency);
    lingshi_storage::orders::save(&mut tx, &state.vault, &order, now).await?;
    lingshi_storage::orders::add_event(&mut tx, &state.vault, &id, order.state, "walk_in_registered", None, now)
        .await?;
    let actor = lingshi_storage::audit::AuditActor::staff(staff);
    let entry = lingshi_storage::audit::AuditEntry {
        mission_id: Some(&mission.id),
        actor: &actor,
        action: "walk_in_registered",
        order_id: Some(&id),
        before_state: Some(OrderState::Draft.code()),
        after_state: Some(order.state.code()),
        reason: None,
    };
    lingshi_storage::audit::append(&mut tx, &state.vault, &entry, now).await?;
    tx.commit().await?;
    load(state, staff, &id).await
}
