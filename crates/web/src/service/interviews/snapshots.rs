//! Snapshots (截图) the officer takes of the applicant's video during the call: each frame
//! passes the photo crate's safe intake (type, size, bounded decode, metadata stripped), is
//! stored encrypted as a file of the order (`interview_snapshot`) and audited. Only while a
//! call is under way; no audio or video is ever kept.

use crate::error::{AppError, FieldErrors};
use crate::service::heavy_work;
use crate::service::order_files::StoredFile;
use crate::service::orders::{self, Loaded, Outcome, Principal};
use crate::state::AppState;
use lingshi_domain::actions::Action;
use lingshi_domain::order::Actor;
use lingshi_storage::staff::Staff;

/// The file slot of snapshots.
pub const SLOT: &str = "interview_snapshot";

/// Whether the officer is in the order's call now.
fn ensure_in_call(loaded: &Loaded, staff: &Staff) -> Result<(), AppError> {
    loaded.ensure(Action::CompleteInterview, Actor::Staff(staff.role))?;
    match super::booking::live(loaded) {
        Some(booking) if booking.call_started_at.is_some() => Ok(()),
        _ => Err(AppError::Conflict("call_not_started")),
    }
}

/// Takes one snapshot (a JPEG or PNG frame) onto order `id`.
pub async fn take(state: &AppState, staff: &Staff, id: &str, frame: Vec<u8>) -> Result<Loaded, AppError> {
    ensure_in_call(&orders::load_as(state, Principal::Staff(staff), id).await?, staff)?;
    let limits = state.settings.photo_limits;
    let clean = heavy_work::run(move || lingshi_photo::take_image(&frame, limits))
        .await?
        .map_err(|e| FieldErrors::single("snapshot", e.code()))?;
    let stored = StoredFile::store(state, SLOT, clean.kind, &clean.bytes, None).await?;
    orders::change_as(state, Principal::Staff(staff), id, None, stored.attach(false), |loaded| {
        ensure_in_call(loaded, staff)?;
        Ok(Some(Outcome::event("interview_snapshot", None)))
    })
    .await
}
