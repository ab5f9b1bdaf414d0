//! Starting an application: the statement, the mission and where the applicant lives and is
//! now, the routing answers and the application type, checked; then a draft under a fresh
//! order number.

use super::change::conflict;
use super::{Loaded, answered_before, load};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use lingshi_domain::application::{ApplicationType, RouteAnswers, Service, Whereabouts, route};
use lingshi_domain::application_form::Form;
use lingshi_domain::mission::Mission;
use lingshi_domain::order::OrderState;
use lingshi_storage::StorageError;
use lingshi_storage::accounts::Account;
use lingshi_storage::orders::{self, NewOrder};
use std::sync::Arc;

/// Attempts at a fresh order number before giving up (collisions are one in a billion).
const NUMBER_ATTEMPTS: usize = 5;

/// What starting an application takes: the statement accepted, the mission, where the
/// applicant lives and is now, whom it is for, and (for passports and travel documents) the routing
/// answers and the application type chosen among those they offer.
#[derive(Debug, Clone)]
pub struct Start {
    pub service: Service,
    pub statement_accepted: bool,
    pub mission_id: String,
    pub residence_country: String,
    /// Where the applicant is now; empty when it is where they live.
    pub present_country: String,
    pub on_behalf: bool,
    pub route: Option<RouteAnswers>,
    pub application_type: Option<String>,
}

fn ensure_may_apply(account: &Account) -> Result<(), AppError> {
    if account.identity_state.may_apply() { Ok(()) } else { Err(AppError::Forbidden("identity_unverified")) }
}

/// An order number an applicant can read out: mission country, date, six characters
/// without look-alikes (no 0/O, 1/I).
fn order_number(mission: &Mission, now: DateTime<Utc>) -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut random = [0u8; 6];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random).map_err(AppError::internal)?;
    let tail: String = random.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect();
    Ok(format!("{}{}{tail}", mission.country_code.to_ascii_uppercase(), now.format("%y%m%d")))
}

/// Where the applicant lives and is now, checked against the mission: each a known country
/// (or "another"), the one the service goes by inside the mission's district.
pub struct Place {
    pub mission: Option<Arc<Mission>>,
    pub residence: String,
    pub present: String,
    pub problems: Vec<FieldError>,
}

/// Checks the start's mission and places. An absent `present_country` means the applicant
/// is where they live.
pub async fn checked_place(state: &AppState, start: &Start) -> Result<Place, AppError> {
    let mut problems = Vec::new();
    let mission = state.directory.find(&state.db, &start.mission_id).await?;
    let mut answer = |field: &'static str, text: &str| match text.trim() {
        "" => {
            problems.push(FieldError { field, code: "required" });
            None
        }
        text => {
            let parsed = lingshi_domain::country::parse_answer(text);
            if parsed.is_none() {
                problems.push(FieldError { field, code: "unknown_choice" });
            }
            parsed
        }
    };
    let residence = answer("residence_country", &start.residence_country);
    let present = match start.present_country.trim() {
        "" => residence,
        text => answer("present_country", text),
    };
    match (&mission, residence, present) {
        (None, _, _) => {
            let code = if start.mission_id.trim().is_empty() { "required" } else { "unknown_choice" };
            problems.push(FieldError { field: "mission_id", code });
        }
        (Some(mission), Some(residence), Some(present)) => {
            if let Err(refused) = (Whereabouts { residence, present }).check(start.service, mission) {
                problems.push(FieldError { field: refused.field, code: refused.error.code() });
            }
        }
        _ => {}
    }
    Ok(Place {
        mission,
        residence: residence.unwrap_or_default().to_owned(),
        present: present.unwrap_or_default().to_owned(),
        problems,
    })
}

/// Checks what starting an application takes (statement, mission and district, routing and
/// type) and returns the mission, the type and the initial form.
pub async fn checked_start(
    state: &AppState,
    start: &Start,
) -> Result<(Arc<Mission>, Option<ApplicationType>, Form), AppError> {
    let Place { mission, residence, present, mut problems } = checked_place(state, start).await?;
    if !start.statement_accepted {
        problems.insert(0, FieldError { field: "statement_accepted", code: "statement_required" });
    }
    let kind = match start.service {
        Service::EmergencyTravelDocument => None,
        Service::PassportOrTravelDocument => {
            let answers = start.route.ok_or(AppError::Invalid(FieldErrors::single("route", "route_unanswered")))?;
            let offered = route(answers).map_err(|refusal| FieldErrors::single("route", refusal.code()))?;
            let chosen = start.application_type.as_deref().and_then(ApplicationType::from_code);
            match chosen.filter(|kind| offered.contains(kind)) {
                Some(kind) => Some(kind),
                None => {
                    problems.push(FieldError { field: "application_type", code: "unknown_choice" });
                    None
                }
            }
        }
    };
    if !problems.is_empty() {
        return Err(FieldErrors(problems).into());
    }
    let mission = mission.ok_or(AppError::NotFound)?;
    let form = Form { residence_country: residence, present_country: present, route: start.route, ..Form::default() };
    Ok((mission, kind, form))
}

/// Starts a draft. With an idempotency key, a repeated request returns the first draft.
pub async fn start(
    state: &AppState,
    account: &Account,
    start: &Start,
    idempotency_key: Option<&str>,
) -> Result<Loaded, AppError> {
    ensure_may_apply(account)?;
    if let Some(earlier) = answered_before(state, account, idempotency_key).await? {
        return Ok(earlier);
    }
    let (mission, kind, form) = checked_start(state, start).await?;
    let origin = Origin {
        service: start.service,
        submitter_id: Some(&account.id),
        intake_staff_id: None,
        on_behalf: start.on_behalf,
    };
    let (mut tx, id, now) = insert_order(state, &mission, &origin, kind, &form).await?;
    orders::add_event(&mut tx, &state.vault, &id, OrderState::Draft, "created", None, now).await?;
    if let Some(key) = idempotency_key {
        orders::remember_idempotency_key(&mut tx, &account.id, key, &id, now).await.map_err(conflict)?;
    }
    tx.commit().await?;
    load(state, account, &id).await
}

/// Where a new order comes from.
pub struct Origin<'a> {
    pub service: Service,
    /// The account filing it, or `None` for a walk-in.
    pub submitter_id: Option<&'a str>,
    /// The officer registering a walk-in.
    pub intake_staff_id: Option<&'a str>,
    pub on_behalf: bool,
}

/// Inserts a draft of type `kind` under a fresh order number (retrying the rare collision in
/// a new transaction); returns the open transaction, for the caller to add to
/// and commit, with the order's id and the time used.
pub async fn insert_order(
    state: &AppState,
    mission: &Mission,
    origin: &Origin<'_>,
    kind: Option<ApplicationType>,
    form: &Form,
) -> Result<(lingshi_storage::Tx, String, DateTime<Utc>), AppError> {
    let form_json = serde_json::to_value(form).map_err(AppError::internal)?;
    let now = Utc::now();
    let type_code = kind.map(ApplicationType::code);
    for _ in 0..NUMBER_ATTEMPTS {
        let mut tx = state.db.begin().await?;
        let number = order_number(mission, now)?;
        let new = NewOrder {
            number: &number,
            mission_id: &mission.id,
            service: origin.service.code(),
            submitter_id: origin.submitter_id,
            intake_staff_id: origin.intake_staff_id,
            on_behalf: origin.on_behalf,
            application_type: type_code.as_deref(),
            form: &form_json,
        };
        match orders::create(&mut tx, &state.vault, &new, now).await {
            Ok(id) => return Ok((tx, id, now)),
            Err(StorageError::Conflict("orders.number")) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AppError::internal("no free order number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_number_reads_out_the_country_the_day_and_six_unambiguous_characters() {
        let mission = lingshi_storage::seed::missions().into_iter().next().expect("Belgium");
        let day = chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z").expect("time").with_timezone(&Utc);
        let numbers: Vec<String> = (0..50).map(|_| order_number(&mission, day).expect("number")).collect();
        for number in &numbers {
            assert!(number.starts_with("BE261130") && number.len() == 14, "{number}");
            assert!(number[8..].chars().all(|c| c.is_ascii_alphanumeric() && !"01OI".contains(c)), "{number}");
        }
        let distinct: std::collections::HashSet<_> = numbers.iter().collect();
        assert!(distinct.len() > 45, "random tails");
    }
}
