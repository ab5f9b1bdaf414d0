//! Pension-eligibility certification (SPEC §7, the guide's Step 4 六): the applicant fills the
//! form and passes the face step; the record is pushed through the outbox to the region's
//! social-security department, retried with backoff; the decision arrives by signed callback
//! or by polling. When the push fails for good or no decision comes in time, the applicant is
//! sent to the mission for the paper form 《在境外居住人员领取养老金资格审核表》. Staff see
//! the mission's certifications and can push one again. A reminder goes out before the next
//! yearly certification is due.

use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use lingshi_domain::pension::{PensionEvent, PensionForm, PensionStatus};
use lingshi_integrations::pension::{CertificationRecord, Decision, DepartmentClient, DepartmentError};
use lingshi_storage::StorageError;
use lingshi_storage::accounts::Account;
use lingshi_storage::audit::{AuditActor, AuditEntry};
use lingshi_storage::jobs;
use lingshi_storage::pensions::{self, Pension};
use lingshi_storage::staff::Staff;
use serde_json::json;

/// Job kinds.
pub const PUSH: &str = "pension_push";
pub const POLL: &str = "pension_poll";
pub const REMINDER: &str = "pension_reminder";
/// Polls before giving up (the deadline usually comes first).
const POLL_ATTEMPTS: i32 = 60;
/// How long before the yearly due date the reminder goes out.
const REMIND_BEFORE: Duration = Duration::days(30);

/// Starts a certification for the account's chosen mission.
pub async fn start(
    state: &AppState,
    account: &Account,
    mission_id: &str,
    form: &PensionForm,
) -> Result<Pension, AppError> {
    if !account.identity_state.may_apply() {
        return Err(AppError::Forbidden("identity_unverified"));
    }
    let mission = state
        .directory
        .find(&state.db, mission_id)
        .await?
        .ok_or(AppError::Invalid(FieldErrors::single("mission_id", "unknown_choice")))?;
    let regions: Vec<String> = state.settings.pension.departments.keys().cloned().collect();
    let form = form.validate(&regions, Utc::now().date_naive(), Some(&mission.country_code)).map_err(|errors| {
        FieldErrors(errors.into_iter().map(|(field, e)| FieldError { field, code: e.code() }).collect())
    })?;
    let now = Utc::now();
    let reference = format!("PC{}", &crate::auth::new_token()?[..12].to_uppercase());
    let mut tx = state.db.begin().await?;
    let id = pensions::create(&mut tx, &state.vault, (&reference, &account.id, &mission.id), &form, now).await?;
    tx.commit().await?;
    load(state, account, &id).await
}

/// The certification `id` if it is the account's (404 otherwise).
pub async fn load(state: &AppState, account: &Account, id: &str) -> Result<Pension, AppError> {
    pensions::find(&state.db, &state.vault, id).await?.filter(|p| p.account_id == account.id).ok_or(AppError::NotFound)
}

/// The face step, then submission: with a capture the face verifier must accept it; without,
/// the step is skipped (flagged). Either way the record is queued for its department.
pub async fn submit(
    state: &AppState,
    account: &Account,
    id: &str,
    capture: Option<Vec<u8>>,
) -> Result<Pension, AppError> {
    let pension = load(state, account, id).await?;
    if PensionEvent::Submit.from(pension.status).is_none() {
        return Err(AppError::Conflict("order_not_draft"));
    }
    let face = match capture {
        Some(bytes) => {
            crate::service::identity::checked_capture(state, bytes).await?;
            "verified"
        }
        None => "skipped",
    };
    let mover = Mover::Applicant(account);
    let submitted = change(state, id, PensionEvent::Submit, &mover, |p| {
        p.face_state = Some(face.to_owned());
        p.submitted_at = Some(Utc::now());
    })
    .await?;
    if submitted.is_none() {
        return Err(AppError::Conflict("order_not_draft"));
    }
    state.jobs_waiting.notify_one();
    load(state, account, id).await
}

fn client_for(state: &AppState, region: &str) -> Result<DepartmentClient, DepartmentError> {
    let settings = &state.settings.pension;
    let base = settings
        .departments
        .get(region)
        .ok_or_else(|| DepartmentError::Transient(format!("no department configured for region {region}")))?;
    DepartmentClient::new(base, settings.key.clone(), settings.timeout)
}

fn record_of(pension: &Pension) -> CertificationRecord {
    let form = &pension.form;
    CertificationRecord {
        reference: pension.reference.clone(),
        name: form.name.clone(),
        id_number: form.id_number.clone(),
        region: form.region.clone(),
        social_security_no: form.social_security_no.clone(),
        address_abroad: form.address_abroad.clone(),
        phone: form.phone.clone(),
        face: pension.face_state.clone().unwrap_or_else(|| "skipped".into()),
        submitted_at: pension.submitted_at.unwrap_or_else(Utc::now),
    }
}

fn job_id(payload: &serde_json::Value) -> Result<&str, String> {
    payload["id"].as_str().ok_or_else(|| "payload without id".to_owned())
}

/// How often [`change`] re-reads and re-applies after losing a race.
const UPDATE_ATTEMPTS: usize = 5;

/// Who moves a certification, as the audit log names them.
enum Mover<'a> {
    Applicant(&'a Account),
    Staff(&'a Staff),
    /// The department (its answer or silence), through a job or a callback.
    Department,
}

impl Mover<'_> {
    fn audit_actor(&self) -> AuditActor {
        match self {
            Mover::Applicant(account) => AuditActor { kind: "applicant", id: account.id.clone(), role: None },
            Mover::Staff(staff) => AuditActor::staff(staff),
            Mover::Department => AuditActor { kind: "system", id: "department".into(), role: None },
        }
    }
}

/// The one way a certification's status changes: `event` is applied to the certification as
/// it is now (re-read, so a job and a callback racing each other both see the other's
/// result; the loser re-applies), `also` sets what goes with it, and the save, the follow-up
/// jobs and the audit row commit together. `None` when the certification is gone or the
/// event does not apply to its status any more.
async fn change(
    state: &AppState,
    id: &str,
    event: PensionEvent,
    mover: &Mover<'_>,
    also: impl Fn(&mut Pension),
) -> Result<Option<Pension>, StorageError> {
    for _ in 0..UPDATE_ATTEMPTS {
        let Some(mut pension) = pensions::find(&state.db, &state.vault, id).await? else { return Ok(None) };
        let before = pension.status;
        let Some(after) = event.from(before) else { return Ok(None) };
        pension.status = after;
        also(&mut pension);
        let now = Utc::now();
        let mut tx = state.db.begin().await?;
        match pensions::save(&mut tx, &state.vault, &pension, now).await {
            Ok(()) => {}
            Err(StorageError::Conflict(_)) => continue,
            Err(other) => return Err(other),
        }
        follow_up(&mut tx, state, &pension, now).await?;
        let entry = AuditEntry {
            mission_id: Some(&pension.mission_id),
            actor: &mover.audit_actor(),
            action: event.code(),
            order_id: Some(&pension.id),
            before_state: Some(before.code()),
            after_state: Some(after.code()),
            reason: pension.reason.as_deref(),
        };
        lingshi_storage::audit::append(&mut tx, &state.vault, &entry, now).await?;
        tx.commit().await?;
        return Ok(Some(pension));
    }
    Err(StorageError::Conflict("pensions.version"))
}

/// The work a status brings: a push for a submitted certification, a poll for a pushed one,
/// next year's reminder for an approved one.
async fn follow_up(
    tx: &mut lingshi_storage::Tx,
    state: &AppState,
    pension: &Pension,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let payload = json!({"id": pension.id});
    match pension.status {
        PensionStatus::Submitted => {
            jobs::enqueue(tx, &state.vault, PUSH, &payload, state.settings.pension.push_attempts, now).await?;
        }
        PensionStatus::Pushed => {
            let run_at = now + state.settings.pension.poll_after;
            jobs::enqueue_at(tx, &state.vault, (POLL, &payload, POLL_ATTEMPTS), run_at, now).await?;
        }
        PensionStatus::Approved => remind_next_year(tx, state, pension, now).await?,
        _ => {}
    }
    Ok(())
}

async fn remind_next_year(
    tx: &mut lingshi_storage::Tx,
    state: &AppState,
    pension: &Pension,
    now: DateTime<Utc>,
) -> Result<(), lingshi_storage::StorageError> {
    let due = pension.decided_at.unwrap_or(now) + Duration::days(365);
    jobs::enqueue_at(tx, &state.vault, (REMINDER, &json!({"id": pension.id}), 8), due - REMIND_BEFORE, now).await?;
    Ok(())
}

/// Takes the department's decision, once ([`PensionEvent::from`] refuses a second one).
async fn decide(state: &AppState, id: &str, decision: &Decision) -> Result<Option<Pension>, StorageError> {
    let event = match decision.status.as_str() {
        "approved" => PensionEvent::Approve,
        "not_approved" => PensionEvent::NotApprove,
        _ => return Ok(None),
    };
    let reason = decision.reason.clone().filter(|r| !r.trim().is_empty()).map(|r| r.chars().take(500).collect());
    change(state, id, event, &Mover::Department, |p| {
        p.reason.clone_from(&reason);
        p.decided_at = Some(Utc::now());
    })
    .await
}

/// The push job: sends the record; a refusal fails the certification at once, anything else
/// is retried by the runner (and fails it when the runner gives up: [`push_gave_up`]).
pub async fn run_push(state: &AppState, payload: &serde_json::Value) -> Result<(), String> {
    let id = job_id(payload)?;
    let Some(pension) = pensions::find(&state.db, &state.vault, id).await.map_err(|e| e.diagnostic())? else {
        return Ok(());
    };
    if pension.status != PensionStatus::Submitted {
        return Ok(());
    }
    let client = client_for(state, &pension.region).map_err(|e| e.to_string())?;
    let storage = |e: StorageError| e.diagnostic();
    match client.push(&record_of(&pension)).await {
        Ok(receipt) => {
            let receipt: String = receipt.chars().take(100).collect();
            change(state, id, PensionEvent::Pushed, &Mover::Department, |p| p.receipt = Some(receipt.clone()))
                .await
                .map_err(storage)?;
            Ok(())
        }
        Err(DepartmentError::Refused(status)) => {
            let reason = format!("HTTP {status}");
            change(state, id, PensionEvent::PushRefused, &Mover::Department, |p| p.reason = Some(reason.clone()))
                .await
                .map_err(storage)?;
            Ok(())
        }
        Err(transient) => Err(transient.to_string()),
    }
}

/// When the runner gives up pushing: the certification has failed; the applicant is sent to
/// the paper form.
pub async fn push_gave_up(state: &AppState, payload: &serde_json::Value) -> Result<(), String> {
    let id = job_id(payload)?;
    change(state, id, PensionEvent::PushAbandoned, &Mover::Department, |_| {}).await.map_err(|e| e.diagnostic())?;
    Ok(())
}

/// The poll job: asks for the decision; "pending" is retried until the deadline, after which
/// the certification has failed.
pub async fn run_poll(state: &AppState, payload: &serde_json::Value) -> Result<(), String> {
    let id = job_id(payload)?;
    let Some(pension) = pensions::find(&state.db, &state.vault, id).await.map_err(|e| e.diagnostic())? else {
        return Ok(());
    };
    if pension.status != PensionStatus::Pushed {
        return Ok(());
    }
    let deadline = pension.submitted_at.unwrap_or_else(Utc::now) + state.settings.pension.deadline;
    if Utc::now() >= deadline {
        let late = change(state, id, PensionEvent::DeadlinePassed, &Mover::Department, |_| {});
        late.await.map_err(|e| e.diagnostic())?;
        return Ok(());
    }
    let client = client_for(state, &pension.region).map_err(|e| e.to_string())?;
    let decision = client.poll(&pension.reference).await.map_err(|e| e.to_string())?;
    if decision.status == "pending" {
        return Err("no decision yet".into());
    }
    decide(state, id, &decision).await.map_err(|e| e.diagnostic())?;
    Ok(())
}

/// The reminder job: the next yearly certification is due soon.
pub async fn run_reminder(state: &AppState, payload: &serde_json::Value) -> Result<(), String> {
    let id = job_id(payload)?;
    let storage = |e: lingshi_storage::StorageError| e.diagnostic();
    let Some(pension) = pensions::find(&state.db, &state.vault, id).await.map_err(storage)? else { return Ok(()) };
    let Some(account) = lingshi_storage::accounts::find(&state.db, &pension.account_id).await.map_err(storage)? else {
        return Ok(());
    };
    let Ok(address) = lingshi_domain::ContactAddress::parse(&account.login) else { return Ok(()) };
    let locale = crate::i18n::Locale::from_tag(&account.locale).unwrap_or_default();
    let due = (pension.decided_at.unwrap_or_else(Utc::now) + Duration::days(365)).date_naive().to_string();
    let subject = state.catalogs.text(locale, "pension_reminder_subject").to_owned();
    let body = state.catalogs.text(locale, "pension_reminder_body").replace("{due}", &due);
    let mut tx = state.db.begin().await.map_err(storage)?;
    let message = crate::service::codes::message_to(&address, subject, body);
    crate::service::inbox::notify(&mut tx, state, (&account, None), &message).await.map_err(storage)?;
    tx.commit().await.map_err(storage)?;
    Ok(())
}

/// Why a callback was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum CallbackRefusal {
    BadSignature,
    Malformed,
    Unknown,
}

/// A department's signed callback: takes the decision once; answering twice is harmless.
pub async fn callback(state: &AppState, signature: &str, body: &[u8]) -> Result<PensionStatus, CallbackRefusal> {
    if !state.settings.pension.key.verify(signature, body, Utc::now()) {
        return Err(CallbackRefusal::BadSignature);
    }
    #[derive(serde::Deserialize)]
    struct Callback {
        reference: String,
        status: String,
        reason: Option<String>,
    }
    let message: Callback = serde_json::from_slice(body).map_err(|_| CallbackRefusal::Malformed)?;
    if !matches!(message.status.as_str(), "approved" | "not_approved") {
        return Err(CallbackRefusal::Malformed);
    }
    let pension = pensions::find_by_reference(&state.db, &state.vault, &message.reference)
        .await
        .map_err(|_| CallbackRefusal::Unknown)?
        .ok_or(CallbackRefusal::Unknown)?;
    let decision = Decision { status: message.status, reason: message.reason };
    let decided = decide(state, &pension.id, &decision).await.map_err(|_| CallbackRefusal::Unknown)?;
    Ok(decided.map_or(pension.status, |p| p.status))
}

/// The mission's submitted certifications, for its staff.
pub async fn for_mission(state: &AppState, staff: &Staff) -> Result<Vec<Pension>, AppError> {
    let mission = crate::service::staff::own_mission(staff)?;
    Ok(pensions::for_mission(&state.db, &state.vault, mission).await?)
}

/// Staff push a failed certification again.
pub async fn repush(state: &AppState, staff: &Staff, id: &str) -> Result<Pension, AppError> {
    let mission = crate::service::staff::own_mission(staff)?;
    pensions::find(&state.db, &state.vault, id).await?.filter(|p| p.mission_id == mission).ok_or(AppError::NotFound)?;
    let pushed = change(state, id, PensionEvent::Repush, &Mover::Staff(staff), |p| p.reason = None).await?;
    let pension = pushed.ok_or(AppError::Conflict("transition_not_from_state"))?;
    state.jobs_waiting.notify_one();
    Ok(pension)
}
