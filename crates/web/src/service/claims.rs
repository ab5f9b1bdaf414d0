//! Officers share the queue: one claims an order ("我来处理") and it shows as theirs, in their
//! list and to every colleague; they release it, or a mission admin reassigns it; a claim
//! nobody works on lapses after `Settings::claim_idle`. Claims coordinate, they do not lock:
//! any officer whose role allows an action may still take it. Every change is audited.

use crate::error::{AppError, FieldErrors};
use crate::service::staff_orders;
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::order::StaffRole;
use lingshi_storage::Tx;
use lingshi_storage::audit::{AuditActor, AuditEntry};
use lingshi_storage::claims::{self, Claimed};
use lingshi_storage::orders::Order;
use lingshi_storage::staff::Staff;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Who holds an order, as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    pub username: String,
    pub name: String,
    /// The officer looking holds it.
    pub yours: bool,
}

/// The id of the officer holding a live claim on `order` (as loaded), if any.
fn live_holder<'a>(state: &AppState, order: &'a Order) -> Option<&'a str> {
    let live = order.claimed_at.is_some_and(|at| at >= Utc::now() - state.settings.claim_idle);
    order.claimed_by.as_deref().filter(|_| live)
}

/// The officer holding a live claim on `order`, if any (from the order as loaded).
pub async fn holder(state: &AppState, viewer: &Staff, order: &Order) -> Result<Option<Holder>, AppError> {
    let Some(id) = live_holder(state, order) else { return Ok(None) };
    let officer = lingshi_storage::staff::find(&state.db, id).await?;
    Ok(officer.map(|o| Holder { yours: o.id == viewer.id, username: o.username, name: o.display_name }))
}

/// The usernames of the officers holding live claims on `orders`, by officer id (one read of
/// the staff list for a whole page of the queue).
pub async fn holder_names(state: &AppState, orders: &[Order]) -> Result<HashMap<String, String>, AppError> {
    let live: HashSet<&str> = orders.iter().filter_map(|order| live_holder(state, order)).collect();
    if live.is_empty() {
        return Ok(HashMap::new());
    }
    let staff = lingshi_storage::staff::list(&state.db).await?;
    Ok(staff.into_iter().filter(|s| live.contains(s.id.as_str())).map(|s| (s.id, s.username)).collect())
}

/// Claims order `id` for `staff`; 409 `claimed_by_other` while a colleague holds it.
pub async fn claim(state: &AppState, staff: &Staff, id: &str) -> Result<(), AppError> {
    let order = staff_orders::load(state, staff, id).await?.order;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    match claims::claim(&mut tx, id, &staff.id, now, state.settings.claim_idle).await? {
        Claimed::Yours => {}
        Claimed::HeldBy(_) => return Err(AppError::Conflict("claimed_by_other")),
    }
    audit(&mut tx, state, staff, &order, "claimed", None).await?;
    tx.commit().await?;
    Ok(())
}

/// Releases `staff`'s claim on order `id` (a mission admin releases anyone's).
pub async fn release(state: &AppState, staff: &Staff, id: &str) -> Result<(), AppError> {
    let order = staff_orders::load(state, staff, id).await?.order;
    let anyone = staff.role == StaffRole::MissionAdmin;
    let mut tx = state.db.begin().await?;
    if !claims::release(&mut tx, id, (!anyone).then_some(staff.id.as_str())).await? {
        return Err(AppError::Conflict("not_claimed_by_you"));
    }
    audit(&mut tx, state, staff, &order, "claim_released", None).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives order `id` to the active officer `username` of the admin's mission.
pub async fn reassign(state: &AppState, admin: &Staff, id: &str, username: &str) -> Result<Holder, AppError> {
    if admin.role != StaffRole::MissionAdmin {
        return Err(AppError::Forbidden("not_your_role"));
    }
    let order = staff_orders::load(state, admin, id).await?.order;
    let colleague = crate::service::staff_members::list(state, admin)
        .await?
        .into_iter()
        .find(|s| s.username == username.trim() && !s.disabled)
        .ok_or(AppError::Invalid(FieldErrors::single("username", "unknown_choice")))?;
    let mut tx = state.db.begin().await?;
    claims::assign(&mut tx, id, &colleague.id, Utc::now()).await?;
    audit(&mut tx, state, admin, &order, "claim_reassigned", Some(&colleague.username)).await?;
    tx.commit().await?;
    Ok(Holder { yours: colleague.id == admin.id, username: colleague.username, name: colleague.display_name })
}

/// The orders `staff` holds a live claim on, oldest submission first.
pub async fn mine(state: &AppState, staff: &Staff) -> Result<Vec<Order>, AppError> {
    let mission = crate::service::staff::own_mission(staff)?;
    let ids = claims::held_by(&state.db, mission, &staff.id, Utc::now(), state.settings.claim_idle).await?;
    let mut held = Vec::with_capacity(ids.len());
    for id in ids {
        held.push(staff_orders::load(state, staff, &id).await?.order);
    }
    Ok(held)
}

async fn audit(
    tx: &mut Tx,
    state: &AppState,
    staff: &Staff,
    order: &Order,
    action: &str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let actor = AuditActor::staff(staff);
    let entry = AuditEntry {
        mission_id: Some(&order.mission_id),
        actor: &actor,
        action,
        order_id: Some(&order.id),
        before_state: Some(order.state.code()),
        after_state: Some(order.state.code()),
        reason,
    };
    lingshi_storage::audit::append(tx, &state.vault, &entry, Utc::now()).await?;
    Ok(())
}
