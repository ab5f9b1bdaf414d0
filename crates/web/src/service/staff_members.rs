//! Mission admins manage their mission's staff (system administrators, every mission's):
//! list, add with a role, disable and re-enable. Every change is audited in its transaction.

use crate::error::{AppError, FieldErrors};
use crate::service::staff::{self as staff_service, CreateStaffError, StaffSpec};
use crate::state::AppState;
use lingshi_domain::order::StaffRole;
use lingshi_storage::audit::AuditActor;
use lingshi_storage::staff::Staff;

/// The mission an administrator manages: their own; `None` for a system administrator.
fn managed_mission(admin: &Staff) -> Result<Option<&str>, AppError> {
    match admin.role {
        _ if !admin.role.administers() => Err(AppError::Forbidden("not_your_role")),
        StaffRole::SystemAdmin => Ok(None),
        _ => admin.mission_id.as_deref().map(Some).ok_or(AppError::Forbidden("not_your_role")),
    }
}

/// The staff an administrator manages.
pub async fn list(state: &AppState, admin: &Staff) -> Result<Vec<Staff>, AppError> {
    let mission = managed_mission(admin)?;
    let all = lingshi_storage::staff::list(&state.db).await?;
    Ok(all.into_iter().filter(|s| mission.is_none_or(|m| s.mission_id.as_deref() == Some(m))).collect())
}

/// A new member of staff, as asked.
pub struct NewMember {
    pub username: String,
    pub name: String,
    pub role: String,
    /// For a system administrator adding mission staff.
    pub mission_id: Option<String>,
    /// Generated when absent, and returned once.
    pub password: Option<String>,
}

/// Adds a member to the administrator's mission; returns them and the generated password.
pub async fn add(state: &AppState, admin: &Staff, new: NewMember) -> Result<(Staff, Option<String>), AppError> {
    let managed = managed_mission(admin)?;
    let role = StaffRole::from_code(new.role.trim())
        .ok_or(AppError::Invalid(FieldErrors::single("role", "unknown_choice")))?;
    if managed.is_some() && role == StaffRole::SystemAdmin {
        return Err(FieldErrors::single("role", "unknown_choice").into());
    }
    let mission = match managed {
        Some(mission) => Some(mission.to_owned()),
        None => new.mission_id.filter(|m| !m.is_empty()),
    };
    let generated = match new.password.as_deref().filter(|p| !p.is_empty()) {
        Some(_) => None,
        None => Some(crate::auth::new_token()?[..16].to_owned()),
    };
    let password = new.password.filter(|p| !p.is_empty()).or_else(|| generated.clone()).unwrap_or_default();
    let name = lingshi_domain::application_form::short_text(&new.name, 64)
        .map_err(|e| FieldErrors::single("name", e.code()))?;
    let spec = StaffSpec {
        username: new.username.trim(),
        display_name: &name,
        role,
        mission_id: mission.as_deref(),
        password: &password,
    };
    let by = AuditActor::staff(admin);
    let created = staff_service::create(&state.db, &spec, Some((&state.vault, &by))).await.map_err(|e| match e {
        CreateStaffError::UsernameTaken => AppError::Conflict("username_taken"),
        CreateStaffError::BadUsername => FieldErrors::single("username", "username_invalid").into(),
        CreateStaffError::WeakPassword => FieldErrors::single("password", "password_too_short").into(),
        CreateStaffError::UnknownMission | CreateStaffError::MissionMismatch => {
            FieldErrors::single("mission_id", "unknown_choice").into()
        }
        other => AppError::internal(other),
    })?;
    Ok((created, generated))
}

/// Disables or re-enables `username`, who must be one of the administrator's staff (404
/// otherwise, as if absent); an administrator cannot disable themselves.
pub async fn set_disabled(state: &AppState, admin: &Staff, username: &str, disabled: bool) -> Result<(), AppError> {
    let member = list(state, admin).await?.into_iter().find(|s| s.username == username).ok_or(AppError::NotFound)?;
    if member.id == admin.id {
        return Err(AppError::Conflict("cannot_disable_self"));
    }
    let by = AuditActor::staff(admin);
    staff_service::set_disabled(
        &state.db,
        username,
        disabled,
        (member.mission_id.as_deref(), Some((&state.vault, &by))),
    )
    .await?;
    Ok(())
}
