//! Four-eyes issuance as a mission admin sets it, per service: the orders of those services
//! are made ready and handed over by another officer than the one who accepted them (the rule
//! itself: [`lingshi_domain::four_eyes`]; it is applied when an officer loads an order).

use crate::error::{AppError, FieldErrors};
use crate::service::staff::{audit_mission_act, own_mission};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::application::Service;
use lingshi_domain::order::StaffRole;
use lingshi_storage::staff::Staff;

/// The services a mission may hold to four eyes: those whose documents are made and handed over.
pub const SERVICES: [Service; 2] = [Service::PassportOrTravelDocument, Service::EmergencyTravelDocument];

/// The services the officer's mission holds to four eyes, by code.
pub async fn of_mission(state: &AppState, staff: &Staff) -> Result<Vec<String>, AppError> {
    Ok(lingshi_storage::four_eyes::services(&state.db, own_mission(staff)?).await?)
}

/// Makes `services` (codes) the admin's mission's four-eyes services; returns them. Audited.
pub async fn set(state: &AppState, admin: &Staff, services: &[String]) -> Result<Vec<String>, AppError> {
    if admin.role != StaffRole::MissionAdmin {
        return Err(AppError::Forbidden("not_your_role"));
    }
    let mission = own_mission(admin)?;
    let mut chosen = Vec::new();
    for code in services {
        let service = Service::from_code(code.trim())
            .filter(|s| SERVICES.contains(s))
            .ok_or(AppError::Invalid(FieldErrors::single("services", "unknown_choice")))?;
        chosen.push(service.code());
    }
    chosen.sort_unstable();
    chosen.dedup();
    let mut tx = state.db.begin().await?;
    lingshi_storage::four_eyes::set(&mut tx, mission, &chosen, &admin.id, Utc::now()).await?;
    let which = if chosen.is_empty() { "none".to_owned() } else { chosen.join(", ") };
    audit_mission_act(&mut tx, state, admin, "four_eyes_set", &which).await?;
    tx.commit().await?;
    Ok(chosen.into_iter().map(str::to_owned).collect())
}
