//! Submitting a completed draft: everything checked again, the fee fixed on the order, and
//! an idempotency key remembered in the same transaction. Paying offline, the order goes to
//! review; paying with WeChat Pay, it waits for the payment ([`crate::service::payments`]).

use super::steps::ensure_materials;
use super::{FileChange, Loaded, Outcome, Record, answered_before, change, ensure_draft};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::application::{Service, Step};
use lingshi_domain::application_form::Annotations;
use lingshi_domain::order::{Actor, OrderAction, transition};
use lingshi_storage::accounts::Account;

/// Submits a completed draft, paying as the payment step chose. Everything is checked again: a step edited
/// after later ones may have changed what is required. With an idempotency key, a repeated
/// request answers with the order the first one submitted.
pub async fn submit(
    state: &AppState,
    account: &Account,
    id: &str,
    idempotency_key: Option<&str>,
) -> Result<Loaded, AppError> {
    if let Some(earlier) = answered_before(state, account, idempotency_key).await? {
        return Ok(earlier);
    }
    let loaded = change(state, account, id, FileChange::None, |loaded| {
        ensure_draft(loaded)?;
        if let Some(step) = loaded.next_step() {
            return Err(FieldErrors::single("step", step_incomplete_code(step)).into());
        }
        if loaded.service == Service::PassportOrTravelDocument {
            ensure_materials(loaded)?;
            if loaded.files_in("photo").next().is_none() {
                return Err(FieldErrors::single("photo", "photo_missing").into());
            }
            if loaded.files_in("signature").next().is_none() {
                return Err(FieldErrors::single("signature", "signature_missing").into());
            }
        }
        let online = loaded.form.payment.as_ref().is_some_and(|p| p.method == "wechat");
        let (action, method) = if online {
            (OrderAction::SubmitPayingOnline, lingshi_integrations::payments::Provider::WechatPay.code())
        } else {
            (OrderAction::SubmitPayingOffline, "offline")
        };
        let next = transition(loaded.order.state, action, Actor::Applicant, loaded.facts())
            .map_err(|e| AppError::Conflict(e.code()))?;
        let fee = fee_of(loaded);
        loaded.order.state = next;
        loaded.order.payment_method = Some(method.into());
        loaded.order.fee_minor = fee.as_ref().map(|f| f.minor);
        loaded.order.fee_currency = fee.map(|f| f.currency);
        loaded.order.submitted_at = Some(Utc::now());
        // The key commits with the submission: no crash between them can let it through twice.
        let records = idempotency_key.map(|key| Record::IdempotencyKey(key.to_owned())).into_iter().collect();
        Ok(Some(Outcome { event: "submitted", note: None, records }))
    })
    .await?;
    Ok(loaded)
}

fn step_incomplete_code(step: Step) -> &'static str {
    match step {
        Step::Details => "step_incomplete_details",
        Step::Annotations => "step_incomplete_annotations",
        Step::Photo => "step_incomplete_photo",
        Step::Declaration => "step_incomplete_declaration",
        Step::Materials => "step_incomplete_materials",
        Step::Delivery => "step_incomplete_delivery",
        Step::Review => "step_incomplete_review",
        Step::Face => "step_incomplete_face",
        Step::Pickup => "step_incomplete_pickup",
        Step::Payment => "step_incomplete_payment",
    }
}

/// What the order costs, from its mission's fee table ([`lingshi_domain::fees::for_order`]).
pub fn fee_of(loaded: &Loaded) -> Option<lingshi_domain::mission::Money> {
    let annotated = loaded.form.annotations.as_ref().is_some_and(Annotations::annotated);
    lingshi_domain::fees::for_order(&loaded.mission.fees, loaded.service, loaded.kind.map(|k| k.product), annotated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::orders::testing::{draft, renewal};

    #[test]
    fn the_fee_is_the_missions_for_the_document_and_its_annotation() {
        let mut renewal = draft(Service::PassportOrTravelDocument, Some(renewal()));
        assert_eq!(fee_of(&renewal).map(|f| f.display()), Some("16.00 EUR".to_owned()));
        renewal.form.annotations = Some(Annotations { kind: "former_name".into(), text: "张山".into() });
        assert_eq!(fee_of(&renewal).map(|f| f.minor), Some(1600), "the seeded annotation costs nothing");
        let emergency = draft(Service::EmergencyTravelDocument, None);
        assert_eq!(fee_of(&emergency).map(|f| f.currency), Some("EUR".to_owned()));
    }

    #[test]
    fn each_unfinished_step_has_its_own_message() {
        let codes: std::collections::HashSet<_> = Step::ALL.iter().map(|s| step_incomplete_code(*s)).collect();
        assert_eq!(codes.len(), Step::ALL.len());
        let catalogs = crate::i18n::Catalogs::load();
        for code in codes {
            assert!(catalogs.all(crate::i18n::Locale::Zh).contains_key(&format!("err_{code}")), "{code}");
        }
    }
}
