//! An order's files: the passport photo (with its advisory check), the signature of the
//! nationality-status declaration, the face capture, and the materials of the case.
//!
//! Every upload passes the photo crate's intake off the async threads (a passport's data
//! page is also read there, see [`zone_check`]), is stored encrypted in the file store under
//! the hash of its sealed bytes, and is attached to the order in the same transaction that
//! checks the order is the caller's draft at the right step.

use crate::error::{AppError, FieldErrors};
use crate::service::orders::{self, FileChange, Loaded, advance, ensure_draft, open_step};
use crate::service::photo::{read_stored_report, stored_report, stored_report_passes};
use crate::service::{heavy_work, zone_check};
use crate::state::AppState;
use lingshi_domain::application::{Service, Step};
use lingshi_domain::materials::Material;
use lingshi_domain::order::OrderState;
use lingshi_photo::{Kind, take_image, take_material};
use lingshi_storage::accounts::Account;
use lingshi_storage::orders::NewFile;

/// Encryption context of order files in the file store.
pub(crate) const BLOB_KIND: &str = "order_files";

/// Where an upload goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Photo,
    Signature,
    Material(Material),
}

impl Slot {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "photo" => Some(Slot::Photo),
            "signature" => Some(Slot::Signature),
            other => Material::from_code(other).map(Slot::Material),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Slot::Photo => "photo",
            Slot::Signature => "signature",
            Slot::Material(material) => material.code(),
        }
    }

    /// The step whose screen takes this upload.
    fn step(self) -> Step {
        match self {
            Slot::Photo => Step::Photo,
            Slot::Signature => Step::Declaration,
            Slot::Material(_) => Step::Materials,
        }
    }

    /// A photo or signature replaces the earlier one; materials accumulate (two parents'
    /// pages, several supplements).
    fn replaces(self) -> bool {
        !matches!(self, Slot::Material(_))
    }
}

/// Whether `slot` belongs on this order now: its step must be open, and a material must be
/// listed for the case. A supplement may add materials after submission.
fn ensure_slot_open(loaded: &Loaded, slot: Slot) -> Result<(), AppError> {
    if let Slot::Material(material) = slot {
        let listed = loaded.materials().iter().any(|(m, _)| *m == material);
        let requested = loaded.supplements.iter().any(|s| s.material == material.code() && s.answered_at.is_none());
        if !listed && !requested {
            return Err(AppError::NotFound);
        }
    }
    if slot == Slot::Signature && loaded.service != Service::PassportOrTravelDocument {
        return Err(AppError::NotFound);
    }
    let supplementing = loaded.order.state == OrderState::SupplementRequired && matches!(slot, Slot::Material(_));
    if !supplementing {
        ensure_draft(loaded)?;
        open_step(loaded, slot.step())?;
    }
    Ok(())
}

/// A checked upload, ready to store.
struct Taken {
    kind: Kind,
    bytes: Vec<u8>,
    report: Option<String>,
    /// What the zone reader made of a passport's data page.
    reading: Option<String>,
}

/// The field error an intake refusal becomes, on `slot`'s field.
fn refused(slot: Slot) -> impl Fn(lingshi_photo::IntakeError) -> AppError {
    move |e| AppError::from(FieldErrors::single(slot.code(), e.code()))
}

/// A clean photo with its check's report.
fn checked_photo(clean: lingshi_photo::CleanImage) -> Result<Taken, AppError> {
    let report = stored_report(&lingshi_photo::assess(&clean.pixels).map_err(AppError::internal)?).to_string();
    Ok(Taken { kind: clean.kind, bytes: clean.bytes, report: Some(report), reading: None })
}

/// Checks an upload to `slot`; a passport's data page is also read by `zone_reader`.
fn take(
    slot: Slot,
    bytes: &[u8],
    limits: lingshi_photo::IntakeLimits,
    zone_reader: Option<&lingshi_photo::Tesseract>,
) -> Result<Taken, AppError> {
    let refused = refused(slot);
    match slot {
        Slot::Photo => checked_photo(take_image(bytes, limits).map_err(refused)?),
        // The pad's PNG, or a photo of a signature written on paper (the pad's accessible
        // alternative): any clean image.
        Slot::Signature => {
            let clean = take_image(bytes, limits).map_err(refused)?;
            Ok(Taken { kind: clean.kind, bytes: clean.bytes, report: None, reading: None })
        }
        Slot::Material(_) => {
            let clean = take_material(bytes, limits).map_err(refused)?;
            let reading = zone_reader.map(|reader| zone_check::read(clean.pixels.as_ref(), reader));
            Ok(Taken { kind: clean.kind, bytes: clean.bytes, report: None, reading })
        }
    }
}

fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::Jpeg => "jpeg",
        Kind::Png => "png",
        Kind::Pdf => "pdf",
    }
}

/// A checked file put in the file store (encrypted, named by its hash), ready to attach.
pub struct StoredFile {
    slot: &'static str,
    key: String,
    kind: Kind,
    size: i64,
    report: Option<String>,
    reading: Option<String>,
}

impl StoredFile {
    pub async fn store(
        state: &AppState,
        slot: &'static str,
        kind: Kind,
        bytes: &[u8],
        report: Option<String>,
    ) -> Result<Self, AppError> {
        let key = state.blobs.put(&state.vault, BLOB_KIND, bytes).await?;
        Ok(Self { slot, key, kind, size: i64::try_from(bytes.len()).unwrap_or(i64::MAX), report, reading: None })
    }

    /// With what was read off the file.
    fn with_reading(self, reading: Option<String>) -> Self {
        Self { reading, ..self }
    }

    /// Attaches it to an order in [`orders::change_as`], replacing the slot's files or not.
    pub fn attach(&self, replace: bool) -> FileChange<'_> {
        let file = NewFile {
            slot: self.slot,
            blob_key: &self.key,
            content_kind: kind_code(self.kind),
            size_bytes: self.size,
            report: self.report.as_deref(),
            reading: self.reading.as_deref(),
        };
        FileChange::Attach { file, replace }
    }
}

/// Checks, stores and attaches an upload to `slot` of order `id`.
pub async fn upload(
    state: &AppState,
    account: &Account,
    id: &str,
    slot: Slot,
    bytes: Vec<u8>,
) -> Result<Loaded, AppError> {
    // Refuse early, before any decoding, what could never be attached.
    let loaded = orders::load(state, account, id).await?;
    ensure_slot_open(&loaded, slot)?;
    let limits = state.settings.photo_limits;
    let zone_reader = zone_reader(state, &loaded, slot);
    let taken = heavy_work::run(move || take(slot, &bytes, limits, zone_reader.as_ref())).await??;
    attach_taken(state, account, id, slot, taken, None).await
}

/// The zone reader for an upload to `slot` of `loaded`, if it is a passport's data page.
fn zone_reader(state: &AppState, loaded: &Loaded, slot: Slot) -> Option<lingshi_photo::Tesseract> {
    match slot {
        Slot::Material(material) => zone_check::reader_for(state.settings.zone_reader.as_ref(), loaded, material),
        Slot::Photo | Slot::Signature => None,
    }
}

/// Stores a checked file and attaches it to `slot` of order `id`, if the slot is still open
/// (and, for a file made from another, if that one is still on the order).
async fn attach_taken(
    state: &AppState,
    account: &Account,
    id: &str,
    slot: Slot,
    taken: Taken,
    made_from: Option<&str>,
) -> Result<Loaded, AppError> {
    let stored = StoredFile::store(state, slot.code(), taken.kind, &taken.bytes, taken.report)
        .await?
        .with_reading(taken.reading);
    orders::change(state, account, id, stored.attach(slot.replaces()), |loaded| {
        ensure_slot_open(loaded, slot)?;
        if made_from.is_some_and(|source| !loaded.files.iter().any(|f| f.id == source)) {
            return Err(AppError::NotFound);
        }
        Ok(None)
    })
    .await
}

/// Replaces photo `file_id` of order `id` with the crop its check suggested, checked again
/// (the check stays advisory: the applicant chooses to apply it). Cropping an earlier photo
/// than the current one, or one without a suggestion, is refused.
pub async fn crop_photo(state: &AppState, account: &Account, id: &str, file_id: &str) -> Result<Loaded, AppError> {
    let loaded = orders::load(state, account, id).await?;
    ensure_slot_open(&loaded, Slot::Photo)?;
    let file =
        loaded.files.iter().find(|f| f.id == file_id && f.slot == Slot::Photo.code()).ok_or(AppError::NotFound)?;
    let crop = read_stored_report(file.report.as_deref())
        .and_then(|report| serde_json::from_value::<lingshi_photo::CropBox>(report["suggested_crop"].clone()).ok())
        .ok_or(AppError::Conflict("photo_has_no_crop"))?;
    let (_, bytes) = read(state, &loaded, file_id).await?;
    let limits = state.settings.photo_limits;
    let taken = heavy_work::run(move || {
        checked_photo(lingshi_photo::take_cropped(&bytes, crop, limits).map_err(refused(Slot::Photo))?)
    })
    .await??;
    attach_taken(state, account, id, Slot::Photo, taken, Some(file_id)).await
}

/// The officer who took a walk-in at the counter adds its photo and materials (the
/// applicant has no account to do it with). Other orders' evidence is the applicant's.
pub async fn upload_for_walk_in(
    state: &AppState,
    staff: &lingshi_storage::staff::Staff,
    id: &str,
    slot: Slot,
    bytes: Vec<u8>,
) -> Result<Loaded, AppError> {
    let principal = orders::Principal::Staff(staff);
    let ensure_open = |loaded: &Loaded| -> Result<(), AppError> {
        loaded.ensure(lingshi_domain::actions::Action::AttachAtCounter, principal.actor())?;
        if slot == Slot::Signature {
            return Err(AppError::Conflict("transition_not_from_state"));
        }
        if let Slot::Material(material) = slot
            && !loaded.materials().iter().any(|(m, _)| *m == material)
        {
            return Err(AppError::NotFound);
        }
        Ok(())
    };
    let loaded = orders::load_as(state, principal, id).await?;
    ensure_open(&loaded)?;
    let limits = state.settings.photo_limits;
    let zone_reader = zone_reader(state, &loaded, slot);
    let taken = heavy_work::run(move || take(slot, &bytes, limits, zone_reader.as_ref())).await??;
    let passes = stored_report_passes(taken.report.as_deref());
    let stored = StoredFile::store(state, slot.code(), taken.kind, &taken.bytes, taken.report)
        .await?
        .with_reading(taken.reading);
    orders::change_as(state, principal, id, None, stored.attach(slot.replaces()), |loaded| {
        ensure_open(loaded)?;
        if slot == Slot::Photo {
            loaded.order.photo_passed = passes;
        }
        Ok(Some(orders::Outcome::event("file_added_at_counter", Some(slot.code().to_owned()))))
    })
    .await
}

/// Detaches file `file_id` from order `id` (while the order may still change).
pub async fn remove(state: &AppState, account: &Account, id: &str, file_id: &str) -> Result<Loaded, AppError> {
    orders::change(state, account, id, FileChange::Detach(file_id), |loaded| {
        let file = loaded.files.iter().find(|f| f.id == file_id).ok_or(AppError::NotFound)?;
        let slot = Slot::parse(&file.slot).ok_or(AppError::Conflict("file_not_removable"))?;
        ensure_slot_open(loaded, slot)?;
        // Answering a supplement, only what was added for it goes: the papers staff reviewed stay.
        let answering = loaded.order.state == OrderState::SupplementRequired;
        let open = loaded.supplements.iter().filter(|asked| asked.answered_at.is_none());
        if answering && !open.clone().any(|asked| loaded.supplement_files(asked).any(|f| f.id == file_id)) {
            return Err(AppError::Conflict("file_not_removable"));
        }
        Ok(None)
    })
    .await
}

/// A file of order `id` with its content type, for its submitter.
pub async fn download(
    state: &AppState,
    account: &Account,
    id: &str,
    file_id: &str,
) -> Result<(&'static str, Vec<u8>), AppError> {
    read(state, &orders::load(state, account, id).await?, file_id).await
}

/// A file of an order already loaded for someone allowed to see it, with its content type.
pub async fn read(state: &AppState, loaded: &Loaded, file_id: &str) -> Result<(&'static str, Vec<u8>), AppError> {
    let file = loaded.files.iter().find(|f| f.id == file_id).ok_or(AppError::NotFound)?;
    let bytes = state.blobs.get(&state.vault, BLOB_KIND, &file.blob_key).await?;
    let content_type = match file.content_kind.as_str() {
        "jpeg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/pdf",
    };
    Ok((content_type, bytes))
}

/// The order's face step from a live capture (a parent's for a minor): the capture passes
/// intake, the face verifier must accept it, then it is stored and the step is done. A
/// refused capture changes nothing; the applicant may retry or skip.
pub async fn verify_face(state: &AppState, account: &Account, id: &str, capture: Vec<u8>) -> Result<Loaded, AppError> {
    ensure_face_step_open(&orders::load(state, account, id).await?)?;
    let clean = crate::service::identity::checked_capture(state, capture).await?;
    let stored = StoredFile::store(state, "face", clean.kind, &clean.bytes, None).await?;
    finish_face_step(state, account, id, stored.attach(true), "verified").await
}

/// Skips the order's face step (FAQ 9): the order is flagged so staff may ask for a video
/// interview.
pub async fn skip_face(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    finish_face_step(state, account, id, FileChange::None, "skipped").await
}

fn ensure_face_step_open(loaded: &Loaded) -> Result<usize, AppError> {
    ensure_draft(loaded)?;
    open_step(loaded, Step::Face)
}

async fn finish_face_step(
    state: &AppState,
    account: &Account,
    id: &str,
    file: FileChange<'_>,
    outcome: &str,
) -> Result<Loaded, AppError> {
    orders::change(state, account, id, file, |loaded| {
        let position = ensure_face_step_open(loaded)?;
        loaded.order.face_state = Some(outcome.to_owned());
        advance(loaded, position);
        Ok(None)
    })
    .await
}
