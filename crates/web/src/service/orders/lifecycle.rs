//! What an applicant does with a submitted order: withdraw it, send a supplement, delete a
//! draft, ask for a fingerprint appointment.

use super::{FileChange, Loaded, Outcome, Record, change};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::actions::Action;
use lingshi_domain::materials::Material;
use lingshi_domain::order::{Actor, OrderAction, transition};
use lingshi_storage::accounts::Account;

/// Withdraws a submitted order before acceptance (never an emergency travel document).
pub async fn withdraw(
    state: &AppState,
    account: &Account,
    id: &str,
    reason: Option<String>,
) -> Result<Loaded, AppError> {
    let reason = reason
        .map(|r| lingshi_domain::application_form::short_text(&r, 200))
        .transpose()
        .map_err(|e| FieldErrors::single("reason", e.code()))?;
    change(state, account, id, FileChange::None, |loaded| {
        let records = crate::service::interviews::booking::released_on_leaving(loaded);
        loaded.step(OrderAction::Withdraw, Actor::Applicant)?;
        Ok(Some(Outcome { event: "withdrawn", note: reason, records }))
    })
    .await
}

/// Sends what the mission asked for: the order returns to review (the files were uploaded to
/// the listed items beforehand, as on the materials screen).
pub async fn provide_supplement(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    change(state, account, id, FileChange::None, |loaded| {
        loaded.order.state =
            transition(loaded.order.state, OrderAction::ProvideSupplement, Actor::Applicant, loaded.facts())
                .map_err(|e| AppError::Conflict(e.code()))?;
        let unanswered = unanswered_supplements(loaded);
        if !unanswered.is_empty() {
            return Err(FieldErrors(unanswered).into());
        }
        Ok(Some(Outcome { event: "supplement_provided", note: None, records: vec![Record::SupplementsAnswered] }))
    })
    .await
}

/// The open requests nothing was added for since staff asked, each as its item's error.
fn unanswered_supplements(loaded: &Loaded) -> Vec<FieldError> {
    loaded
        .supplements
        .iter()
        .filter(|asked| asked.answered_at.is_none())
        .filter(|asked| loaded.supplement_files(asked).next().is_none())
        .filter_map(|asked| Material::from_code(&asked.material))
        .map(|material| FieldError { field: material.code(), code: "material_missing" })
        .collect()
}

/// Deletes a draft.
pub async fn delete_draft(state: &AppState, account: &Account, id: &str) -> Result<(), AppError> {
    change(state, account, id, FileChange::None, |loaded| {
        loaded.order.state = transition(loaded.order.state, OrderAction::DeleteDraft, Actor::Applicant, loaded.facts())
            .map_err(|e| AppError::Conflict(e.code()))?;
        Ok(Some(Outcome::event("deleted", None)))
    })
    .await
    .map(|_| ())
}

/// Asks for an appointment to record fingerprints at the mission (FAQ 8): possible once the
/// order is submitted and not yet finished; asking again changes nothing.
pub async fn request_fingerprints(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    change(state, account, id, FileChange::None, |loaded| {
        loaded.ensure(Action::RequestFingerprints, Actor::Applicant)?;
        if loaded.order.fingerprint_requested_at.is_some() {
            return Ok(None);
        }
        loaded.order.fingerprint_requested_at = Some(Utc::now());
        Ok(Some(Outcome::event("fingerprints_requested", None)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::orders::testing::{draft, file, renewal};
    use chrono::Duration;
    use lingshi_domain::application::Service;
    use lingshi_storage::order_work::Supplement;

    #[test]
    fn a_supplement_is_answered_only_by_files_added_since_it_was_asked() {
        let asked_at = Utc::now();
        let mut loaded = draft(Service::PassportOrTravelDocument, Some(renewal()));
        loaded.supplements = vec![Supplement {
            id: "s".into(),
            material: "other".into(),
            reason: "居留卡".into(),
            due_on: None,
            created_at: asked_at,
            answered_at: None,
        }];
        loaded.files = vec![file("other", asked_at - Duration::days(1))];
        let missing: Vec<_> = unanswered_supplements(&loaded).iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(missing, [("other", "material_missing")], "a file from before the request does not count");
        loaded.files.push(file("other", asked_at + Duration::minutes(5)));
        assert!(unanswered_supplements(&loaded).is_empty());
        loaded.supplements[0].answered_at = Some(asked_at + Duration::minutes(6));
        loaded.files.pop();
        assert!(unanswered_supplements(&loaded).is_empty(), "an answered request asks nothing more");
    }
}
