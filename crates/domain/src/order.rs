//! The order state machine of SPEC §8 as a pure function: given a state, an action, who
//! acts and the facts about the order, either the next state or the reason it is refused.

use serde::{Deserialize, Serialize};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Draft,
    PendingPayment,
    UnderReview,
    SupplementRequired,
    InterviewRequired,
    InterviewBooked,
    Rejected,
    AwaitingProduction,
    ReadyForPickup,
    Completed,
    Withdrawn,
    /// A draft the applicant discarded; kept only for the audit trail, never listed.
    Deleted,
}

impl OrderState {
    pub const ALL: [OrderState; 12] = [
        OrderState::Draft,
        OrderState::PendingPayment,
        OrderState::UnderReview,
        OrderState::SupplementRequired,
        OrderState::InterviewRequired,
        OrderState::InterviewBooked,
        OrderState::Rejected,
        OrderState::AwaitingProduction,
        OrderState::ReadyForPickup,
        OrderState::Completed,
        OrderState::Withdrawn,
        OrderState::Deleted,
    ];

    /// Stable snake_case name, as stored and as sent in the API.
    pub fn code(self) -> &'static str {
        match self {
            OrderState::Draft => "draft",
            OrderState::PendingPayment => "pending_payment",
            OrderState::UnderReview => "under_review",
            OrderState::SupplementRequired => "supplement_required",
            OrderState::InterviewRequired => "interview_required",
            OrderState::InterviewBooked => "interview_booked",
            OrderState::Rejected => "rejected",
            OrderState::AwaitingProduction => "awaiting_production",
            OrderState::ReadyForPickup => "ready_for_pickup",
            OrderState::Completed => "completed",
            OrderState::Withdrawn => "withdrawn",
            OrderState::Deleted => "deleted",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether staff see an order in this state: a draft is the applicant's alone, and a
    /// deleted draft is kept only for the audit trail.
    pub fn seen_by_staff(self) -> bool {
        !matches!(self, OrderState::Draft | OrderState::Deleted)
    }

    /// No action leads out of a terminal state.
    pub fn is_terminal(self) -> bool {
        matches!(self, OrderState::Rejected | OrderState::Completed | OrderState::Withdrawn | OrderState::Deleted)
    }
}

/// Something that happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    /// Submit choosing offline payment: straight to review.
    SubmitPayingOffline,
    /// Submit choosing WeChat Pay: wait for the payment.
    SubmitPayingOnline,
    /// The payment provider confirmed the payment.
    ConfirmPayment,
    /// The applicant leaves the payment screen and goes back to the draft.
    AbandonPayment,
    DeleteDraft,
    RequestSupplement,
    ProvideSupplement,
    RequireInterview,
    /// A slot booked (by the applicant, or offered by staff), or the booking moved.
    BookInterview,
    /// The booking released: cancelled, missed (no-show) or to repeat; a new slot is needed.
    CancelInterview,
    CompleteInterview,
    Reject,
    Accept,
    Withdraw,
    MarkReady,
    HandOver,
    /// Staff register at the counter an urgent application of someone without an account
    /// (the guide's "special urgent needs"); it enters review at once.
    RegisterWalkIn,
}

impl OrderAction {
    pub const ALL: [OrderAction; 17] = [
        OrderAction::SubmitPayingOffline,
        OrderAction::SubmitPayingOnline,
        OrderAction::ConfirmPayment,
        OrderAction::AbandonPayment,
        OrderAction::DeleteDraft,
        OrderAction::RequestSupplement,
        OrderAction::ProvideSupplement,
        OrderAction::RequireInterview,
        OrderAction::BookInterview,
        OrderAction::CancelInterview,
        OrderAction::CompleteInterview,
        OrderAction::Reject,
        OrderAction::Accept,
        OrderAction::Withdraw,
        OrderAction::MarkReady,
        OrderAction::HandOver,
        OrderAction::RegisterWalkIn,
    ];

    /// Who may take this action.
    fn permitted(self, actor: Actor) -> bool {
        use OrderAction::*;
        match self {
            SubmitPayingOffline | SubmitPayingOnline | AbandonPayment | DeleteDraft | ProvideSupplement | Withdraw => {
                actor == Actor::Applicant
            }
            ConfirmPayment => actor == Actor::System,
            BookInterview => {
                matches!(actor, Actor::Applicant | Actor::Staff(StaffRole::Reviewer | StaffRole::MissionAdmin))
            }
            // The platform marks a missed interview by itself half an hour after its slot.
            CancelInterview => matches!(
                actor,
                Actor::Applicant | Actor::System | Actor::Staff(StaffRole::Reviewer | StaffRole::MissionAdmin)
            ),
            RequestSupplement | RequireInterview | CompleteInterview | Reject | Accept | RegisterWalkIn => {
                matches!(actor, Actor::Staff(StaffRole::Reviewer | StaffRole::MissionAdmin))
            }
            MarkReady | HandOver => matches!(actor, Actor::Staff(StaffRole::Issuer | StaffRole::MissionAdmin)),
        }
    }

    /// The state this action leads to from `from`, if the table of SPEC §8 has that edge.
    fn edge(self, from: OrderState) -> Option<OrderState> {
        use OrderAction::*;
        use OrderState::*;
        match (from, self) {
            (Draft, SubmitPayingOffline) => Some(UnderReview),
            (Draft, SubmitPayingOnline) => Some(PendingPayment),
            (Draft, DeleteDraft) => Some(Deleted),
            (Draft, RegisterWalkIn) => Some(UnderReview),
            (PendingPayment, ConfirmPayment) => Some(UnderReview),
            (PendingPayment, AbandonPayment) => Some(Draft),
            (UnderReview, RequestSupplement) => Some(SupplementRequired),
            (SupplementRequired, ProvideSupplement) => Some(UnderReview),
            (UnderReview, RequireInterview) => Some(InterviewRequired),
            (InterviewRequired | InterviewBooked, BookInterview) => Some(InterviewBooked),
            (InterviewBooked, CancelInterview) => Some(InterviewRequired),
            (InterviewBooked, CompleteInterview) => Some(UnderReview),
            (UnderReview, Reject) => Some(Rejected),
            (UnderReview, Accept) => Some(AwaitingProduction),
            (UnderReview | SupplementRequired | InterviewRequired | InterviewBooked, Withdraw) => Some(Withdrawn),
            (AwaitingProduction, MarkReady) => Some(ReadyForPickup),
            (ReadyForPickup, HandOver) => Some(Completed),
            _ => None,
        }
    }
}

/// A staff member's role within a mission (system administrators act across missions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Reviewer,
    Issuer,
    Cashier,
    MissionAdmin,
    SystemAdmin,
}

impl StaffRole {
    pub const ALL: [StaffRole; 5] =
        [StaffRole::Reviewer, StaffRole::Issuer, StaffRole::Cashier, StaffRole::MissionAdmin, StaffRole::SystemAdmin];

    pub fn code(self) -> &'static str {
        match self {
            StaffRole::Reviewer => "reviewer",
            StaffRole::Issuer => "issuer",
            StaffRole::Cashier => "cashier",
            StaffRole::MissionAdmin => "mission_admin",
            StaffRole::SystemAdmin => "system_admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role administers a mission (or all of them): manages its staff and reads
    /// its whole audit log.
    pub fn administers(self) -> bool {
        matches!(self, StaffRole::MissionAdmin | StaffRole::SystemAdmin)
    }
}

/// Who takes an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The account that filed the order (for itself or for someone else).
    Applicant,
    Staff(StaffRole),
    /// The platform itself, e.g. on a payment provider's confirmation.
    System,
}

/// The service an order is for; some rules depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    PassportOrTravelDocument,
    EmergencyTravelDocument,
    PensionCertification,
}

/// Facts about the order that guard some transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts {
    pub service: ServiceKind,
    /// Whether the fee has been paid (online, or offline at the counter).
    pub fee_settled: bool,
    /// Four-eyes issuance holds the acting officer back ([`crate::four_eyes`]).
    pub same_officer_as_acceptance: bool,
}

/// Why a transition is refused; each has a stable code the UI translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{action:?} is not possible while the order is {state:?}")]
    NotFromState { state: OrderState, action: OrderAction },
    #[error("{actor:?} may not {action:?}")]
    NotPermitted { actor: Actor, action: OrderAction },
    #[error("an emergency travel document application cannot be withdrawn once submitted")]
    EmergencyIrrevocable,
    #[error("the fee must be paid before the document is handed over")]
    FeeUnpaid,
    #[error("an emergency travel document's fee is never refunded")]
    EmergencyNotRefunded,
    #[error("this role may not take this action")]
    RoleMayNot,
    #[error("this action is not possible while the order is {state:?}")]
    NotNow { state: OrderState },
    #[error("only an application registered at the counter takes files from staff")]
    NotAWalkIn,
    #[error("fingerprints can be asked for once the order is submitted and not yet finished")]
    FingerprintsNotNow,
    #[error("the officer who accepted the order may not also make it ready or hand it over")]
    FourEyes,
}

impl TransitionError {
    pub fn code(self) -> &'static str {
        match self {
            TransitionError::NotFromState { .. } => "transition_not_from_state",
            TransitionError::NotPermitted { .. } => "transition_not_permitted",
            TransitionError::EmergencyIrrevocable => "emergency_irrevocable",
            TransitionError::FeeUnpaid => "fee_unpaid",
            TransitionError::EmergencyNotRefunded => "emergency_not_refunded",
            TransitionError::RoleMayNot => "not_your_role",
            TransitionError::NotNow { .. } => "transition_not_from_state",
            TransitionError::NotAWalkIn => "not_a_walk_in",
            TransitionError::FingerprintsNotNow => "fingerprints_not_now",
            TransitionError::FourEyes => "four_eyes",
        }
    }
}

/// Applies `action` by `actor` to an order in `state`. Checks, in order: that the actor may
/// take the action at all, that the state has such an edge, then the order's own guards.
pub fn transition(
    state: OrderState,
    action: OrderAction,
    actor: Actor,
    facts: OrderFacts,
) -> Result<OrderState, TransitionError> {
    if !action.permitted(actor) {
        return Err(TransitionError::NotPermitted { actor, action });
    }
    if action == OrderAction::Withdraw && facts.service == ServiceKind::EmergencyTravelDocument {
        return Err(TransitionError::EmergencyIrrevocable);
    }
    let next = action.edge(state).ok_or(TransitionError::NotFromState { state, action })?;
    if action == OrderAction::HandOver && !facts.fee_settled {
        return Err(TransitionError::FeeUnpaid);
    }
    crate::four_eyes::check(action, facts)?;
    Ok(next)
}

/// How a cashier may record a payment taken at the counter (SPEC §6: card, WeChat, Alipay,
/// or cash).
pub const COUNTER_PAYMENT_METHODS: [&str; 4] = ["card", "wechat", "alipay", "cash"];

/// Money recorded on an order by staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyAction {
    Payment,
    Refund,
}

/// Whether `role` may record `action` on an order of `service` in `state`: cashiers and
/// mission admins take payments once the order is submitted and refund them (SPEC §6), never
/// for an emergency travel document.
pub fn check_money(
    role: StaffRole,
    action: MoneyAction,
    service: ServiceKind,
    state: OrderState,
) -> Result<(), TransitionError> {
    let actor = Actor::Staff(role);
    let action_name = match action {
        MoneyAction::Payment => OrderAction::ConfirmPayment,
        MoneyAction::Refund => OrderAction::Withdraw,
    };
    if !matches!(role, StaffRole::Cashier | StaffRole::MissionAdmin) {
        return Err(TransitionError::NotPermitted { actor, action: action_name });
    }
    if action == MoneyAction::Refund && service == ServiceKind::EmergencyTravelDocument {
        return Err(TransitionError::EmergencyNotRefunded);
    }
    if matches!(state, OrderState::Draft | OrderState::Deleted | OrderState::Withdrawn)
        && action == MoneyAction::Payment
    {
        return Err(TransitionError::NotFromState { state, action: action_name });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderAction as A;
    use OrderState as S;

    const PASSPORT_PAID: OrderFacts = OrderFacts {
        service: ServiceKind::PassportOrTravelDocument,
        fee_settled: true,
        same_officer_as_acceptance: false,
    };

    /// The table of SPEC §8, written out independently of the implementation.
    const ALLOWED: [(OrderState, OrderAction, OrderState); 20] = [
        (S::Draft, A::SubmitPayingOffline, S::UnderReview),
        (S::Draft, A::RegisterWalkIn, S::UnderReview),
        (S::Draft, A::SubmitPayingOnline, S::PendingPayment),
        (S::Draft, A::DeleteDraft, S::Deleted),
        (S::PendingPayment, A::ConfirmPayment, S::UnderReview),
        (S::PendingPayment, A::AbandonPayment, S::Draft),
        (S::UnderReview, A::RequestSupplement, S::SupplementRequired),
        (S::UnderReview, A::RequireInterview, S::InterviewRequired),
        (S::UnderReview, A::Reject, S::Rejected),
        (S::UnderReview, A::Accept, S::AwaitingProduction),
        (S::UnderReview, A::Withdraw, S::Withdrawn),
        (S::SupplementRequired, A::ProvideSupplement, S::UnderReview),
        (S::SupplementRequired, A::Withdraw, S::Withdrawn),
        (S::InterviewRequired, A::BookInterview, S::InterviewBooked),
        (S::InterviewRequired, A::Withdraw, S::Withdrawn),
        (S::InterviewBooked, A::BookInterview, S::InterviewBooked),
        (S::InterviewBooked, A::CancelInterview, S::InterviewRequired),
        (S::InterviewBooked, A::CompleteInterview, S::UnderReview),
        (S::AwaitingProduction, A::MarkReady, S::ReadyForPickup),
        (S::ReadyForPickup, A::HandOver, S::Completed),
    ];
    // Withdrawal from InterviewBooked is the 21st edge; listed here to keep the array's
    // type simple.
    const ALSO_ALLOWED: (OrderState, OrderAction, OrderState) = (S::InterviewBooked, A::Withdraw, S::Withdrawn);

    fn actors() -> Vec<Actor> {
        let mut all = vec![Actor::Applicant, Actor::System];
        all.extend(StaffRole::ALL.map(Actor::Staff));
        all
    }

    #[test]
    fn every_state_action_and_actor_combination_matches_the_table() {
        let table: Vec<_> = ALLOWED.iter().copied().chain([ALSO_ALLOWED]).collect();
        for state in S::ALL {
            for action in A::ALL {
                for actor in actors() {
                    let result = transition(state, action, actor, PASSPORT_PAID);
                    let edge = table.iter().find(|(from, a, _)| *from == state && *a == action);
                    match (edge, action.permitted(actor)) {
                        (_, false) => {
                            assert_eq!(result, Err(TransitionError::NotPermitted { actor, action }))
                        }
                        (Some((_, _, to)), true) => {
                            assert_eq!(result, Ok(*to), "{state:?} {action:?}")
                        }
                        (None, true) => {
                            assert_eq!(result, Err(TransitionError::NotFromState { state, action }))
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn each_action_has_its_intended_actors() {
        assert!(A::SubmitPayingOffline.permitted(Actor::Applicant));
        assert!(!A::SubmitPayingOffline.permitted(Actor::Staff(StaffRole::MissionAdmin)));
        assert!(A::ConfirmPayment.permitted(Actor::System));
        assert!(!A::ConfirmPayment.permitted(Actor::Applicant));
        assert!(A::Accept.permitted(Actor::Staff(StaffRole::Reviewer)));
        assert!(!A::Accept.permitted(Actor::Staff(StaffRole::Cashier)));
        assert!(!A::Accept.permitted(Actor::Staff(StaffRole::Issuer)));
        assert!(A::HandOver.permitted(Actor::Staff(StaffRole::Issuer)));
        assert!(!A::HandOver.permitted(Actor::Staff(StaffRole::Reviewer)));
        assert!(!A::Reject.permitted(Actor::Staff(StaffRole::SystemAdmin)));
        assert!(A::RegisterWalkIn.permitted(Actor::Staff(StaffRole::Reviewer)));
        assert!(!A::RegisterWalkIn.permitted(Actor::Applicant));
        assert!(A::BookInterview.permitted(Actor::Applicant), "the applicant books");
        assert!(A::BookInterview.permitted(Actor::Staff(StaffRole::Reviewer)), "staff offer a new slot");
        assert!(!A::BookInterview.permitted(Actor::Staff(StaffRole::Cashier)));
        assert!(A::CancelInterview.permitted(Actor::System), "a no-show is marked by itself");
        assert!(!A::CancelInterview.permitted(Actor::Staff(StaffRole::Issuer)));
    }

    #[test]
    fn terminal_states_have_no_way_out() {
        for state in S::ALL.into_iter().filter(|s| s.is_terminal()) {
            for action in A::ALL {
                for actor in actors() {
                    assert!(transition(state, action, actor, PASSPORT_PAID).is_err());
                }
            }
        }
    }

    #[test]
    fn emergency_documents_cannot_be_withdrawn_from_any_state() {
        let emergency = OrderFacts { service: ServiceKind::EmergencyTravelDocument, ..PASSPORT_PAID };
        for state in S::ALL {
            assert_eq!(
                transition(state, A::Withdraw, Actor::Applicant, emergency),
                Err(TransitionError::EmergencyIrrevocable)
            );
        }
        assert_eq!(transition(S::UnderReview, A::Withdraw, Actor::Applicant, PASSPORT_PAID), Ok(S::Withdrawn));
    }

    #[test]
    fn hand_over_requires_the_fee_to_be_settled() {
        let unpaid = OrderFacts { fee_settled: false, ..PASSPORT_PAID };
        let issuer = Actor::Staff(StaffRole::Issuer);
        assert_eq!(transition(S::ReadyForPickup, A::HandOver, issuer, unpaid), Err(TransitionError::FeeUnpaid));
        assert_eq!(transition(S::ReadyForPickup, A::HandOver, issuer, PASSPORT_PAID), Ok(S::Completed));
    }

    #[test]
    fn codes_round_trip_and_errors_have_codes() {
        for state in S::ALL {
            assert_eq!(S::from_code(state.code()), Some(state));
        }
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::from_code(role.code()), Some(role));
        }
        assert_eq!(TransitionError::FeeUnpaid.code(), "fee_unpaid");
    }
}

#[cfg(test)]
mod money_tests {
    use super::*;

    #[test]
    fn only_cashiers_and_admins_take_money_and_emergency_fees_are_never_refunded() {
        let passport = ServiceKind::PassportOrTravelDocument;
        let emergency = ServiceKind::EmergencyTravelDocument;
        let ready = OrderState::ReadyForPickup;
        assert!(check_money(StaffRole::Cashier, MoneyAction::Payment, passport, ready).is_ok());
        assert!(check_money(StaffRole::Reviewer, MoneyAction::Payment, passport, ready).is_err());
        assert!(check_money(StaffRole::MissionAdmin, MoneyAction::Refund, passport, OrderState::Rejected).is_ok());
        assert_eq!(
            check_money(StaffRole::Cashier, MoneyAction::Refund, emergency, OrderState::Rejected),
            Err(TransitionError::EmergencyNotRefunded)
        );
        assert!(check_money(StaffRole::Cashier, MoneyAction::Payment, passport, OrderState::Withdrawn).is_err());
    }
}
