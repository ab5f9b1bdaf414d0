//! What can be done to an order, by whom, now: the one place the staff console, the
//! applicant's order page and the API's `actions` are rendered from, and that every handler
//! asks before acting. State changes follow the state machine ([`crate::order::transition`]);
//! the other actions (money, the old document, counter files, fingerprints) have their rule
//! here.

use crate::order::{
    Actor, MoneyAction, OrderAction, OrderFacts, OrderState, StaffRole, TransitionError, check_money, transition,
};
use serde::{Deserialize, Serialize};

/// An action offered on an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accept,
    Reject,
    RequestSupplement,
    RequireInterview,
    /// 预约时间 → 立即预约: a video-interview slot booked or moved (staff may offer one).
    BookInterview,
    /// The booking cancelled (by the applicant before the cut-off, or by staff).
    CancelInterview,
    CompleteInterview,
    MarkReady,
    HandOver,
    /// The old passport or travel document was cancelled at hand-over (or on arrival by post).
    OldDocumentCancelled,
    RecordPayment,
    RecordRefund,
    /// The officer who took a walk-in adds its photo and materials.
    AttachAtCounter,
    Withdraw,
    ProvideSupplement,
    /// FAQ 8: an appointment to record fingerprints at the mission.
    RequestFingerprints,
    DeleteDraft,
    /// Pay online: the order waits for its online payment (微信支付 at submission), or its
    /// fee is due by the mission's payment notice (线下支付, FAQ 6).
    PayOnline,
}

/// What the rules need to know about an order besides its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionFacts {
    pub order: OrderFacts,
    /// Something was paid and not refunded.
    pub paid: bool,
    /// Registered at the counter for someone without an account.
    pub walk_in: bool,
    pub fingerprints_requested: bool,
}

impl Action {
    pub const ALL: [Action; 18] = [
        Action::Accept,
        Action::Reject,
        Action::RequestSupplement,
        Action::RequireInterview,
        Action::BookInterview,
        Action::CancelInterview,
        Action::CompleteInterview,
        Action::MarkReady,
        Action::HandOver,
        Action::OldDocumentCancelled,
        Action::RecordPayment,
        Action::RecordRefund,
        Action::AttachAtCounter,
        Action::Withdraw,
        Action::ProvideSupplement,
        Action::RequestFingerprints,
        Action::DeleteDraft,
        Action::PayOnline,
    ];

    /// Stable snake_case name, as the API and the console's forms spell it.
    pub fn code(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::RequestSupplement => "request_supplement",
            Action::RequireInterview => "require_interview",
            Action::BookInterview => "book_interview",
            Action::CancelInterview => "cancel_interview",
            Action::CompleteInterview => "complete_interview",
            Action::MarkReady => "mark_ready",
            Action::HandOver => "hand_over",
            Action::OldDocumentCancelled => "old_document_cancelled",
            Action::RecordPayment => "record_payment",
            Action::RecordRefund => "record_refund",
            Action::AttachAtCounter => "attach_at_counter",
            Action::Withdraw => "withdraw",
            Action::ProvideSupplement => "provide_supplement",
            Action::RequestFingerprints => "request_fingerprints",
            Action::DeleteDraft => "delete_draft",
            Action::PayOnline => "pay_online",
        }
    }

    /// The state machine's action, for those that move the order.
    fn state_change(self) -> Option<OrderAction> {
        Some(match self {
            Action::Accept => OrderAction::Accept,
            Action::Reject => OrderAction::Reject,
            Action::RequestSupplement => OrderAction::RequestSupplement,
            Action::RequireInterview => OrderAction::RequireInterview,
            Action::BookInterview => OrderAction::BookInterview,
            Action::CancelInterview => OrderAction::CancelInterview,
            Action::CompleteInterview => OrderAction::CompleteInterview,
            Action::MarkReady => OrderAction::MarkReady,
            Action::HandOver => OrderAction::HandOver,
            Action::Withdraw => OrderAction::Withdraw,
            Action::ProvideSupplement => OrderAction::ProvideSupplement,
            Action::DeleteDraft => OrderAction::DeleteDraft,
            _ => return None,
        })
    }

    /// Whether `actor` may take this action on an order in `state` now, or why not.
    pub fn check(self, state: OrderState, actor: Actor, facts: ActionFacts) -> Result<(), TransitionError> {
        if let Some(change) = self.state_change() {
            return transition(state, change, actor, facts.order).map(|_| ());
        }
        let role = match actor {
            Actor::Staff(role) => Some(role),
            Actor::Applicant | Actor::System => None,
        };
        match (self, role) {
            (Action::RequestFingerprints, _) if actor != Actor::Applicant => Err(TransitionError::RoleMayNot),
            (Action::RequestFingerprints, _) if state == OrderState::Draft || state.is_terminal() => {
                Err(TransitionError::FingerprintsNotNow)
            }
            (Action::RequestFingerprints, _) => Ok(()),
            (Action::PayOnline, _) if actor != Actor::Applicant => Err(TransitionError::RoleMayNot),
            (Action::PayOnline, _) => {
                let fee_due = matches!(state, OrderState::AwaitingProduction | OrderState::ReadyForPickup)
                    && !facts.order.fee_settled;
                if state == OrderState::PendingPayment || fee_due {
                    Ok(())
                } else {
                    Err(TransitionError::NotNow { state })
                }
            }
            (_, None) => Err(TransitionError::RoleMayNot),
            (Action::OldDocumentCancelled, Some(role)) => {
                if !matches!(role, StaffRole::Issuer | StaffRole::MissionAdmin) {
                    return Err(TransitionError::RoleMayNot);
                }
                let cancellable = matches!(
                    state,
                    OrderState::AwaitingProduction | OrderState::ReadyForPickup | OrderState::Completed
                );
                if cancellable { Ok(()) } else { Err(TransitionError::NotNow { state }) }
            }
            (Action::RecordPayment, Some(role)) => check_money(role, MoneyAction::Payment, facts.order.service, state),
            (Action::RecordRefund, Some(role)) => check_money(role, MoneyAction::Refund, facts.order.service, state),
            (Action::AttachAtCounter, Some(_)) if !facts.walk_in => Err(TransitionError::NotAWalkIn),
            (Action::AttachAtCounter, Some(_)) if state.is_terminal() => Err(TransitionError::NotNow { state }),
            (_, Some(_)) => Ok(()),
        }
    }

    /// Whether the action is offered: it may be taken now, or it is refused only for a reason
    /// the one who tries should read (handing over an unpaid document says it must be paid).
    /// What is already done (a refund with nothing paid, fingerprints already asked for) is
    /// not offered again.
    fn offered(self, state: OrderState, actor: Actor, facts: ActionFacts) -> bool {
        let done_already = match self {
            Action::RecordRefund => !facts.paid,
            Action::RequestFingerprints => facts.fingerprints_requested,
            _ => false,
        };
        !done_already && matches!(self.check(state, actor, facts), Ok(()) | Err(TransitionError::FeeUnpaid))
    }
}

/// Every action `actor` is offered on an order in `state`, in the console's order.
pub fn available_actions(state: OrderState, actor: Actor, facts: ActionFacts) -> Vec<Action> {
    Action::ALL.into_iter().filter(|action| action.offered(state, actor, facts)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::ServiceKind;
    use Action as A;
    use OrderState as S;

    fn facts(service: ServiceKind) -> ActionFacts {
        ActionFacts {
            order: OrderFacts { service, fee_settled: false, same_officer_as_acceptance: false },
            paid: false,
            walk_in: false,
            fingerprints_requested: false,
        }
    }

    const PASSPORT: ServiceKind = ServiceKind::PassportOrTravelDocument;

    #[test]
    fn each_role_is_offered_its_own_work_in_each_state() {
        let reviewer = Actor::Staff(StaffRole::Reviewer);
        let issuer = Actor::Staff(StaffRole::Issuer);
        let cashier = Actor::Staff(StaffRole::Cashier);
        let f = facts(PASSPORT);
        assert_eq!(
            available_actions(S::UnderReview, reviewer, f),
            [A::Accept, A::Reject, A::RequestSupplement, A::RequireInterview]
        );
        assert_eq!(
            available_actions(S::InterviewBooked, reviewer, f),
            [A::BookInterview, A::CancelInterview, A::CompleteInterview]
        );
        assert_eq!(available_actions(S::InterviewRequired, reviewer, f), [A::BookInterview], "offer a slot");
        assert_eq!(available_actions(S::AwaitingProduction, issuer, f), [A::MarkReady, A::OldDocumentCancelled]);
        assert_eq!(
            available_actions(S::ReadyForPickup, issuer, f),
            [A::HandOver, A::OldDocumentCancelled],
            "offered unpaid: the refusal says why"
        );
        assert_eq!(available_actions(S::ReadyForPickup, cashier, f), [A::RecordPayment]);
        let paid = ActionFacts { paid: true, ..f };
        assert_eq!(available_actions(S::ReadyForPickup, cashier, paid), [A::RecordPayment, A::RecordRefund]);
        let admin = available_actions(S::ReadyForPickup, Actor::Staff(StaffRole::MissionAdmin), paid);
        assert_eq!(admin, [A::HandOver, A::OldDocumentCancelled, A::RecordPayment, A::RecordRefund]);
        assert!(available_actions(S::Completed, reviewer, f).is_empty());
    }

    #[test]
    fn the_applicant_is_offered_withdrawal_supplements_fingerprints_and_draft_deletion() {
        let f = facts(PASSPORT);
        let me = Actor::Applicant;
        assert_eq!(available_actions(S::Draft, me, f), [A::DeleteDraft]);
        assert_eq!(
            available_actions(S::InterviewRequired, me, f),
            [A::BookInterview, A::Withdraw, A::RequestFingerprints]
        );
        assert_eq!(
            available_actions(S::InterviewBooked, me, f),
            [A::BookInterview, A::CancelInterview, A::Withdraw, A::RequestFingerprints]
        );
        assert_eq!(available_actions(S::UnderReview, me, f), [A::Withdraw, A::RequestFingerprints]);
        assert_eq!(
            available_actions(S::SupplementRequired, me, f),
            [A::Withdraw, A::ProvideSupplement, A::RequestFingerprints]
        );
        let asked = ActionFacts { fingerprints_requested: true, ..f };
        assert_eq!(available_actions(S::UnderReview, me, asked), [A::Withdraw]);
        assert_eq!(A::RequestFingerprints.check(S::UnderReview, me, asked), Ok(()), "asking again is harmless");
        let emergency = facts(ServiceKind::EmergencyTravelDocument);
        assert_eq!(available_actions(S::UnderReview, me, emergency), [A::RequestFingerprints], "never withdrawn");
        assert!(available_actions(S::Completed, me, f).is_empty());
    }

    #[test]
    fn the_applicant_pays_online_while_the_order_waits_for_it_or_the_fee_is_due_by_notice() {
        let unpaid = facts(PASSPORT);
        let me = Actor::Applicant;
        assert!(available_actions(S::PendingPayment, me, unpaid).contains(&A::PayOnline));
        assert!(available_actions(S::ReadyForPickup, me, unpaid).contains(&A::PayOnline), "the payment notice");
        let paid = ActionFacts { order: OrderFacts { fee_settled: true, ..unpaid.order }, ..unpaid };
        assert!(!available_actions(S::ReadyForPickup, me, paid).contains(&A::PayOnline));
        assert!(!available_actions(S::UnderReview, me, unpaid).contains(&A::PayOnline));
        assert_eq!(
            A::PayOnline.check(S::PendingPayment, Actor::Staff(StaffRole::Cashier), unpaid),
            Err(TransitionError::RoleMayNot)
        );
    }

    #[test]
    fn rules_outside_the_state_machine_say_why_they_refuse() {
        let f = facts(PASSPORT);
        let reviewer = Actor::Staff(StaffRole::Reviewer);
        let issuer = Actor::Staff(StaffRole::Issuer);
        assert_eq!(A::OldDocumentCancelled.check(S::ReadyForPickup, reviewer, f), Err(TransitionError::RoleMayNot));
        assert_eq!(
            A::OldDocumentCancelled.check(S::UnderReview, issuer, f),
            Err(TransitionError::NotNow { state: S::UnderReview })
        );
        assert_eq!(A::AttachAtCounter.check(S::UnderReview, reviewer, f), Err(TransitionError::NotAWalkIn));
        let walk_in = ActionFacts { walk_in: true, ..f };
        assert_eq!(A::AttachAtCounter.check(S::UnderReview, reviewer, walk_in), Ok(()));
        assert_eq!(
            A::AttachAtCounter.check(S::Completed, reviewer, walk_in),
            Err(TransitionError::NotNow { state: S::Completed })
        );
        assert_eq!(A::RecordPayment.check(S::UnderReview, Actor::Applicant, f), Err(TransitionError::RoleMayNot));
        assert_eq!(
            A::RequestFingerprints.check(S::Draft, Actor::Applicant, f),
            Err(TransitionError::FingerprintsNotNow)
        );
        assert_eq!(A::RequestFingerprints.check(S::UnderReview, reviewer, f), Err(TransitionError::RoleMayNot));
        let emergency = ActionFacts { paid: true, ..facts(ServiceKind::EmergencyTravelDocument) };
        let cashier = Actor::Staff(StaffRole::Cashier);
        assert_eq!(A::RecordRefund.check(S::Rejected, cashier, emergency), Err(TransitionError::EmergencyNotRefunded));
        assert!(!available_actions(S::Rejected, cashier, emergency).contains(&A::RecordRefund));
    }
}
