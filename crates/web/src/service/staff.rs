//! Staff accounts: creating them (CLI, demo seed) and signing them in.

use crate::auth::SessionKind;
use crate::error::{AppError, FieldErrors};
use crate::service::passwords;
use crate::service::sign_in::sign_in;
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::order::StaffRole;
use lingshi_storage::sessions;
use lingshi_storage::staff::{self, NewStaff, Staff};
use lingshi_storage::{Db, StorageError, seed};

/// Username of the demonstration mission administrator of the Embassy in Belgium.
pub const DEMO_ADMIN: &str = "demo.admin";

/// What an administrator gives to create a staff member.
pub struct StaffSpec<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: StaffRole,
    pub mission_id: Option<&'a str>,
    pub password: &'a str,
}

/// Why a staff member could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateStaffError {
    #[error("the username is taken")]
    UsernameTaken,
    #[error("no mission with that id")]
    UnknownMission,
    #[error("mission staff need a mission; a system administrator has none")]
    MissionMismatch,
    #[error("the password must be 8 to 128 characters")]
    WeakPassword,
    #[error("usernames are 3–64 characters: letters, digits, dot, hyphen, underscore")]
    BadUsername,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("password hashing failed")]
    Hashing,
}

fn valid_username(username: &str) -> bool {
    (3..=64).contains(&username.len()) && username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Who changed the staff list, for the audit log (`None` for the operator's command line,
/// which runs outside the application).
pub type StaffChangeBy<'a> = Option<(&'a lingshi_storage::Vault, &'a lingshi_storage::audit::AuditActor)>;

async fn audit_staff_change(
    tx: &mut lingshi_storage::Tx,
    by: StaffChangeBy<'_>,
    mission: Option<&str>,
    action: &str,
    username: &str,
) -> Result<(), StorageError> {
    let Some((vault, actor)) = by else { return Ok(()) };
    let entry = lingshi_storage::audit::AuditEntry {
        mission_id: mission,
        actor,
        action,
        order_id: None,
        before_state: None,
        after_state: None,
        reason: Some(username),
    };
    lingshi_storage::audit::append(tx, vault, &entry, Utc::now()).await.map(|_| ())
}

/// Creates a staff member after checking the spec.
pub async fn create(db: &Db, spec: &StaffSpec<'_>, by: StaffChangeBy<'_>) -> Result<Staff, CreateStaffError> {
    if !valid_username(spec.username) {
        return Err(CreateStaffError::BadUsername);
    }
    if lingshi_domain::Password::parse(spec.password).is_err() {
        return Err(CreateStaffError::WeakPassword);
    }
    match (spec.role, spec.mission_id) {
        (StaffRole::SystemAdmin, None) => {}
        (StaffRole::SystemAdmin, Some(_)) | (_, None) => {
            return Err(CreateStaffError::MissionMismatch);
        }
        (_, Some(mission)) => {
            lingshi_storage::missions::find(db, mission).await?.ok_or(CreateStaffError::UnknownMission)?;
        }
    }
    let hash = passwords::hash(spec.password.to_owned()).await.map_err(|_| CreateStaffError::Hashing)?;
    let new = NewStaff {
        mission_id: spec.mission_id,
        username: spec.username,
        display_name: spec.display_name,
        role: spec.role,
        password_hash: &hash,
    };
    let mut tx = db.begin().await?;
    let created = staff::create(&mut tx, &new, Utc::now()).await.map_err(|e| match e {
        StorageError::Conflict(_) => CreateStaffError::UsernameTaken,
        other => other.into(),
    })?;
    audit_staff_change(&mut tx, by, spec.mission_id, "staff_created", spec.username).await?;
    tx.commit().await?;
    Ok(created)
}

/// Creates the demo mission administrator of the Embassy in Belgium if there is none,
/// returning the generated password to print once.
pub async fn ensure_demo_admin(db: &Db) -> Result<Option<String>, CreateStaffError> {
    if staff::credentials(db, DEMO_ADMIN).await?.is_some() {
        return Ok(None);
    }
    let password = crate::auth::new_token().map_err(|_| CreateStaffError::Hashing)?[..16].to_owned();
    let spec = StaffSpec {
        username: DEMO_ADMIN,
        display_name: "演示管理员 Demo admin",
        role: StaffRole::MissionAdmin,
        mission_id: Some(seed::BELGIUM),
        password: &password,
    };
    match create(db, &spec, None).await {
        Ok(_) => Ok(Some(password)),
        // Another node starting at the same moment created it first.
        Err(CreateStaffError::UsernameTaken) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The mission an officer belongs to; a system administrator, who has none, cannot act for a
/// mission (403).
pub fn own_mission(staff: &Staff) -> Result<&str, AppError> {
    staff.mission_id.as_deref().ok_or(AppError::Forbidden("not_your_role"))
}

/// Audits something an officer did to the mission itself (not to an order): what, and a
/// word on which (a notice's title, a pattern's id).
pub async fn audit_mission_act(
    tx: &mut lingshi_storage::Tx,
    state: &AppState,
    staff: &Staff,
    action: &str,
    reason: &str,
) -> Result<(), AppError> {
    let actor = lingshi_storage::audit::AuditActor::staff(staff);
    let entry = lingshi_storage::audit::AuditEntry {
        mission_id: staff.mission_id.as_deref(),
        actor: &actor,
        action,
        order_id: None,
        before_state: None,
        after_state: None,
        reason: Some(reason),
    };
    lingshi_storage::audit::append(tx, &state.vault, &entry, Utc::now()).await?;
    Ok(())
}

/// Disables (or re-enables) a staff member and ends their sessions.
pub async fn set_disabled(
    db: &Db,
    username: &str,
    disabled: bool,
    (mission, by): (Option<&str>, StaffChangeBy<'_>),
) -> Result<(), StorageError> {
    let mut tx = db.begin().await?;
    let id = staff::set_disabled(&mut tx, username, disabled).await?;
    if disabled {
        sessions::delete_all_for(&mut tx, SessionKind::Staff.principal(), &id).await?;
    }
    let action = if disabled { "staff_disabled" } else { "staff_enabled" };
    audit_staff_change(&mut tx, by, mission, action, username).await?;
    tx.commit().await
}

/// Signs a staff member in, throttled like applicants.
pub async fn login(
    state: &AppState,
    username: &str,
    password: String,
    client: &[u8],
    previous_token: Option<String>,
) -> Result<(Staff, String), AppError> {
    let username = username.trim();
    if username.is_empty() || username.len() > 64 {
        return Err(FieldErrors::single("username", "required").into());
    }
    let credentials = staff::credentials(&state.db, username).await?;
    let login_key = format!("staff:{username}");
    let (id, token) =
        sign_in(state, SessionKind::Staff, &login_key, credentials, password, client, previous_token).await?;
    let staff = staff::find(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok((staff, token))
}
