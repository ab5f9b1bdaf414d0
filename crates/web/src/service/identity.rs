//! Real-name verification: the identity claim, then the live face capture (or skipping it).

use crate::error::{AppError, FieldErrors};
use crate::service::heavy_work;
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::documents::DocumentAnswer;
use lingshi_domain::{IdentityDocument, IdentityState, PersonName};
use lingshi_integrations::face::FaceOutcome;
use lingshi_photo::{CleanImage, take_image};
use lingshi_storage::StorageError;
use lingshi_storage::accounts::{self, Account, FaceStep};

/// Encryption context of stored face captures.
pub(crate) const CAPTURE_KIND: &str = "face_capture";

/// A checked name and identity document.
pub struct IdentityClaim {
    pub name: PersonName,
    pub document: IdentityDocument,
}

impl IdentityClaim {
    pub fn parse(name: &str, document_kind: &str, document_number: &str) -> Result<Self, FieldErrors> {
        let today = Utc::now().date_naive();
        let name = PersonName::parse(name);
        let document = IdentityDocument::parse_answers(document_kind, document_number, today).map_err(|(answer, e)| {
            let field = match answer {
                DocumentAnswer::Kind => "document_kind",
                DocumentAnswer::Number => "document_number",
            };
            (field, e)
        });
        match (name, document) {
            (Ok(name), Ok(document)) => Ok(Self { name, document }),
            (n, d) => {
                let (field, error) = match &d {
                    Err((field, error)) => (*field, Some(error)),
                    Ok(_) => ("document_number", None),
                };
                Err(FieldErrors::collect([("name", n.as_ref().err()), (field, error)]))
            }
        }
    }
}

/// Records name and document and moves the account to the face step.
pub async fn submit_identity(state: &AppState, account: &Account, claim: &IdentityClaim) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    accounts::record_identity(&mut tx, &state.vault, &account.id, &claim.name, &claim.document, Utc::now())
        .await
        .map_err(|e| match e {
            StorageError::Conflict(_) => AppError::Conflict("identity_already_bound"),
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(())
}

fn ensure_face_step_open(account: &Account) -> Result<(), AppError> {
    if account.identity_state.may_take_face_step() { Ok(()) } else { Err(AppError::Conflict("identity_details_first")) }
}

/// A live capture checked as every face step checks it (real-name verification, an order's,
/// a pension certification's): the photo intake (type, size, bounded decode, upright,
/// metadata stripped), then the face verifier must accept it. Refusals name `capture`.
pub async fn checked_capture(state: &AppState, capture: Vec<u8>) -> Result<CleanImage, AppError> {
    let limits = state.settings.photo_limits;
    let clean = heavy_work::run(move || take_image(&capture, limits))
        .await?
        .map_err(|e| FieldErrors::single("capture", e.code()))?;
    let outcome = state.face.verify(&clean.bytes).await;
    if outcome != FaceOutcome::Accepted {
        return Err(FieldErrors::single("capture", outcome.code()).into());
    }
    Ok(clean)
}

/// Checks a live capture through the photo intake (type, size, bounded decode, upright,
/// metadata stripped), asks the face verifier, stores the clean image encrypted, and marks
/// the account verified.
pub async fn submit_face(state: &AppState, account: &Account, capture: &[u8]) -> Result<IdentityState, AppError> {
    ensure_face_step_open(account)?;
    let clean = checked_capture(state, capture.to_vec()).await?;
    let key = state.blobs.put(&state.vault, CAPTURE_KIND, &clean.bytes).await?;
    record(state, account, FaceStep::Verified { capture_key: key }).await
}

/// Skips the face step (FAQ 9); later orders are flagged for a possible interview.
pub async fn skip_face(state: &AppState, account: &Account) -> Result<IdentityState, AppError> {
    ensure_face_step_open(account)?;
    record(state, account, FaceStep::Skipped).await
}

async fn record(state: &AppState, account: &Account, step: FaceStep) -> Result<IdentityState, AppError> {
    let mut tx = state.db.begin().await?;
    let identity_state = accounts::record_face_step(&mut tx, &account.id, &step, Utc::now()).await?;
    tx.commit().await?;
    Ok(identity_state)
}
