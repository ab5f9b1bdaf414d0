//! Applications from the applicant's side (SPEC §3, §4, §8): start a draft, fill its steps in
//! the guide's order, submit it, follow it, withdraw it, ask for a fingerprint appointment.
//! One module per use case; this one holds the order as loaded and who may see it.
//!
//! Every change goes through [`change`]: the order is locked, checked to be the caller's,
//! changed, saved with its version bumped and its timeline extended, in one transaction.

mod change;
mod lifecycle;
mod start;
mod steps;
mod submit;
#[cfg(test)]
pub(crate) mod testing;

pub use change::{FileChange, Outcome, Record, change, change_as};
pub use lifecycle::{delete_draft, provide_supplement, request_fingerprints, withdraw};
pub use start::{Origin, Place, Start, checked_place, checked_start, insert_order, start};
pub use steps::{advance, applicant_indexes, ensure_draft, index_applicant, open_step, save_step};
pub use submit::{fee_of, submit};

use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::actions::{Action, ActionFacts, available_actions};
use lingshi_domain::application::{ApplicationType, Service, Step, parent_must_sign};
use lingshi_domain::application_form::{Annotations, Form};
use lingshi_domain::materials::{Circumstances, Material, Need, materials};
use lingshi_domain::mission::Mission;
use lingshi_domain::order::{Actor, OrderAction, OrderFacts, OrderState, StaffRole, transition};
use lingshi_storage::accounts::Account;
use lingshi_storage::audit::AuditActor;
use lingshi_storage::orders::{self, Order, OrderFile, OrderLists};
use lingshi_storage::staff::Staff;
use std::sync::Arc;

/// The field under which a document number is indexed for staff search.
pub const DOCUMENT_INDEX_FIELD: &str = "orders.document_number";
/// The field under which an applicant's name (Chinese, or pinyin without spaces) is indexed.
pub const NAME_INDEX_FIELD: &str = "orders.name";

/// A name as the search index keys it: without spaces, upper-case.
pub fn name_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace() && *c != '·').flat_map(char::to_uppercase).collect()
}

impl From<Vec<lingshi_domain::application_form::FieldError>> for FieldErrors {
    fn from(errors: Vec<lingshi_domain::application_form::FieldError>) -> Self {
        Self(errors.into_iter().map(|e| FieldError { field: e.field, code: e.error.code() }).collect())
    }
}

/// An order and what follows from it, as both the pages and the API show it.
pub struct Loaded {
    pub order: Order,
    pub form: Form,
    pub service: Service,
    pub kind: Option<ApplicationType>,
    pub mission: Arc<Mission>,
    pub files: Vec<OrderFile>,
    pub payments: Vec<lingshi_storage::order_work::Payment>,
    pub supplements: Vec<lingshi_storage::order_work::Supplement>,
    /// Online payment attempts and their refunds.
    pub online: Online,
    /// The video-interview bookings, oldest first; at most one is `booked`.
    pub interviews: Vec<lingshi_storage::interviews::Booking>,
    /// The timeline, oldest first.
    pub events: Vec<lingshi_storage::orders::OrderEvent>,
    /// The officer it was loaded for, when the mission requires four eyes for its service:
    /// if that officer accepted it, they may not make it ready or hand it over.
    pub four_eyes_officer: Option<String>,
}

/// An order's online payments and refunds, as the provider last reported them.
#[derive(Default)]
pub struct Online {
    pub payments: Vec<lingshi_storage::online_payments::OnlinePayment>,
    pub refunds: Vec<lingshi_storage::online_payments::OnlineRefund>,
}

impl Loaded {
    /// `order` with nothing listed under it yet.
    pub fn unlisted(
        order: Order,
        form: Form,
        service: Service,
        kind: Option<ApplicationType>,
        mission: Arc<Mission>,
    ) -> Self {
        Self {
            order,
            form,
            service,
            kind,
            mission,
            files: Vec::new(),
            payments: Vec::new(),
            supplements: Vec::new(),
            online: Online::default(),
            interviews: Vec::new(),
            events: Vec::new(),
            four_eyes_officer: None,
        }
    }

    /// Replaces what is listed under the order with `lists`, read after a change.
    fn set_lists(&mut self, lists: OrderLists) {
        self.files = lists.files;
        self.payments = lists.payments;
        self.supplements = lists.supplements;
        self.online = Online { payments: lists.online_payments, refunds: lists.online_refunds };
        self.interviews = lists.interviews;
        self.events = lists.events;
    }

    /// Reads again what is listed under the order (in one round trip on SQLite).
    pub async fn reload_lists(&mut self, state: &AppState) -> Result<(), AppError> {
        self.set_lists(orders::lists(&state.db, &state.vault, &self.order.id).await?);
        Ok(())
    }

    /// The steps of this order's service.
    pub fn steps(&self) -> &'static [Step] {
        self.service.steps()
    }

    /// The first step not yet completed, if any.
    pub fn next_step(&self) -> Option<Step> {
        self.steps().get(usize::try_from(self.order.progress).unwrap_or(0)).copied()
    }

    pub fn age(&self) -> Option<u32> {
        self.form.details.as_ref().map(|d| d.age(Utc::now().date_naive()))
    }

    /// The materials listed for this order (empty for emergency documents).
    pub fn materials(&self) -> Vec<(Material, Need)> {
        let Some(kind) = self.kind else { return Vec::new() };
        materials(&Circumstances {
            kind,
            under_16: lingshi_domain::application::under_16(self.age()),
            annotated: self.form.annotations.as_ref().is_some_and(Annotations::annotated),
            foreign_name: self.form.details.as_ref().is_some_and(|d| d.foreign_name),
        })
    }

    pub fn files_in(&self, slot: &str) -> impl Iterator<Item = &OrderFile> {
        self.files.iter().filter(move |f| f.slot == slot)
    }

    /// The files added to `asked`'s material since staff asked for it: what the applicant
    /// sends for that supplement, and may still remove before sending.
    pub fn supplement_files<'a>(
        &'a self,
        asked: &'a lingshi_storage::order_work::Supplement,
    ) -> impl Iterator<Item = &'a OrderFile> {
        self.files_in(&asked.material).filter(move |file| file.created_at >= asked.created_at)
    }

    /// Required materials with no file yet, in the guide's order.
    pub fn missing_materials(&self) -> Vec<Material> {
        self.materials()
            .into_iter()
            .filter(|(material, need)| *need == Need::Required && self.files_in(material.code()).next().is_none())
            .map(|(material, _)| material)
            .collect()
    }

    pub fn parent_must_sign(&self) -> bool {
        self.kind.is_some_and(|kind| parent_must_sign(kind, self.age().unwrap_or(u32::MAX)))
    }

    /// What the rules of [`lingshi_domain::actions`] need to know about this order.
    pub fn action_facts(&self) -> ActionFacts {
        ActionFacts {
            order: self.facts(),
            paid: lingshi_storage::order_work::net_paid(&self.payments) > 0,
            walk_in: self.order.intake_staff_id.is_some(),
            fingerprints_requested: self.order.fingerprint_requested_at.is_some(),
        }
    }

    /// Everything `actor` is offered on this order now.
    pub fn actions(&self, actor: Actor) -> Vec<Action> {
        available_actions(self.order.state, actor, self.action_facts())
    }

    /// Refuses `action` by `actor` unless the rules allow it now (409 with their reason).
    pub fn ensure(&self, action: Action, actor: Actor) -> Result<(), AppError> {
        action.check(self.order.state, actor, self.action_facts()).map_err(|e| AppError::Conflict(e.code()))
    }

    /// Moves the order through the state machine as `actor`.
    pub fn step(&mut self, action: OrderAction, actor: Actor) -> Result<OrderState, AppError> {
        self.order.state =
            transition(self.order.state, action, actor, self.facts()).map_err(|e| AppError::Conflict(e.code()))?;
        Ok(self.order.state)
    }

    pub fn facts(&self) -> OrderFacts {
        let due = self.order.fee_minor.unwrap_or(0);
        OrderFacts {
            service: self.service.kind(),
            fee_settled: lingshi_storage::order_work::net_paid(&self.payments) >= due,
            same_officer_as_acceptance: self.held_back_by_four_eyes(),
        }
    }

    /// Whether four-eyes issuance holds back the officer this order was loaded for.
    pub fn held_back_by_four_eyes(&self) -> bool {
        let officer = self.four_eyes_officer.as_deref();
        lingshi_domain::four_eyes::same_officer(officer.is_some(), self.order.accepted_by.as_deref(), officer)
    }
}

/// The order an earlier request with this idempotency key answered with, if any.
async fn answered_before(state: &AppState, account: &Account, key: Option<&str>) -> Result<Option<Loaded>, AppError> {
    let Some(key) = key else { return Ok(None) };
    let mut tx = state.db.begin().await?;
    let earlier = orders::idempotent_order(&mut tx, &account.id, key).await?;
    drop(tx);
    match earlier {
        Some(id) => load(state, account, &id).await.map(Some),
        None => Ok(None),
    }
}

fn form_of(order: &Order) -> Result<Form, AppError> {
    serde::Deserialize::deserialize(&order.form).map_err(AppError::internal)
}

/// `order` with its form read and its mission found, nothing listed under it yet.
async fn complete(state: &AppState, order: Order) -> Result<Loaded, AppError> {
    let form = form_of(&order)?;
    let service = Service::from_code(&order.service).ok_or_else(|| AppError::internal("unknown service"))?;
    let kind = order.application_type.as_deref().and_then(ApplicationType::from_code);
    let mission = state
        .directory
        .find(&state.db, &order.mission_id)
        .await?
        .ok_or_else(|| AppError::internal("order of an unknown mission"))?;
    Ok(Loaded::unlisted(order, form, service, kind, mission))
}

/// Who is changing or reading an order.
#[derive(Clone, Copy)]
pub enum Principal<'a> {
    /// The account that submitted the order.
    Applicant(&'a Account),
    /// An officer of the order's mission (or a system administrator).
    Staff(&'a Staff),
    /// The platform itself, on a payment provider's word (named for the audit log).
    System(&'static str),
}

impl Principal<'_> {
    /// The missions whose orders this principal may see: `None` for every mission.
    fn mission_scope(&self) -> Option<Option<&str>> {
        match self {
            Principal::Applicant(_) | Principal::System(_) => None,
            Principal::Staff(staff) if staff.role == StaffRole::SystemAdmin => Some(None),
            Principal::Staff(staff) => Some(Some(staff.mission_id.as_deref().unwrap_or("\u{0}"))),
        }
    }

    /// Whether this principal may touch `order` (checked again inside the lock).
    fn owns(&self, order: &Order) -> bool {
        match self {
            Principal::Applicant(account) => {
                order.submitter_id.as_deref() == Some(account.id.as_str()) && order.state != OrderState::Deleted
            }
            Principal::Staff(_) => {
                let visible = order.state.seen_by_staff();
                visible && self.mission_scope().flatten().is_none_or(|mission| mission == order.mission_id)
            }
            Principal::System(_) => true,
        }
    }

    pub fn actor(&self) -> Actor {
        match self {
            Principal::Applicant(_) => Actor::Applicant,
            Principal::Staff(staff) => Actor::Staff(staff.role),
            Principal::System(_) => Actor::System,
        }
    }

    fn audit_actor(&self) -> AuditActor {
        match self {
            Principal::Applicant(account) => AuditActor { kind: "applicant", id: account.id.clone(), role: None },
            Principal::Staff(staff) => AuditActor::staff(staff),
            Principal::System(name) => AuditActor { kind: "system", id: (*name).to_owned(), role: None },
        }
    }
}

/// The order `id` if `account` submitted it; 404 otherwise, whether it exists or not.
pub async fn load(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    load_as(state, Principal::Applicant(account), id).await
}

/// The order `id` if `principal` may see it; 404 otherwise, whether it exists or not.
pub async fn load_as(state: &AppState, principal: Principal<'_>, id: &str) -> Result<Loaded, AppError> {
    let scope = match principal {
        Principal::Applicant(account) => orders::Scope::Submitter(&account.id),
        Principal::System(_) => orders::Scope::Platform,
        Principal::Staff(_) => orders::Scope::Mission(principal.mission_scope().flatten()),
    };
    let found = orders::find_listed(&state.db, &state.vault, id, scope).await?;
    let (order, lists) = found.filter(|(order, _)| principal.owns(order)).ok_or(AppError::NotFound)?;
    let mut loaded = complete(state, order).await?;
    loaded.set_lists(lists);
    if let Principal::Staff(staff) = principal
        && lingshi_storage::four_eyes::required(&state.db, &loaded.order.mission_id, &loaded.order.service).await?
    {
        loaded.four_eyes_officer = Some(staff.id.clone());
    }
    Ok(loaded)
}

/// The order `id` as its submitter opens it: the news it held is then read (a write only when
/// there was news, so opening an order is otherwise a pure read). The answer still shows it
/// as it was, unread.
pub async fn open(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    let loaded = load(state, account, id).await?;
    if loaded.order.unread {
        orders::mark_read(&state.db, id, &account.id).await?;
    }
    Ok(loaded)
}

/// Every order `account` filed, for itself and for others, newest first.
pub async fn list(state: &AppState, account: &Account) -> Result<Vec<(Order, Form)>, AppError> {
    let all = orders::list_for_submitter(&state.db, &state.vault, &account.id).await?;
    all.into_iter().map(|order| form_of(&order).map(|form| (order, form))).collect()
}

#[cfg(test)]
mod tests {
    use super::testing::{draft, file, renewal};
    use super::*;

    #[test]
    fn a_draft_lists_its_cases_materials_and_offers_what_the_domain_allows() {
        let mut loaded = draft(Service::PassportOrTravelDocument, Some(renewal()));
        assert_eq!(loaded.missing_materials(), [Material::CurrentDocumentPage]);
        loaded.files.push(file("current_document_page", Utc::now()));
        assert!(loaded.missing_materials().is_empty());
        assert_eq!(loaded.actions(Actor::Applicant), [lingshi_domain::actions::Action::DeleteDraft]);
        assert!(loaded.actions(Actor::Staff(StaffRole::Reviewer)).is_empty(), "staff have nothing to do with a draft");
        loaded.order.state = OrderState::UnderReview;
        assert!(loaded.ensure(lingshi_domain::actions::Action::Accept, Actor::Staff(StaffRole::Reviewer)).is_ok());
        assert!(matches!(
            loaded.ensure(lingshi_domain::actions::Action::Accept, Actor::Applicant),
            Err(AppError::Conflict("transition_not_permitted"))
        ));
    }
}
