//! Four-eyes issuance: a mission may require, per service, that the officer who accepted an
//! order is not the one who marks it ready or hands it over. The state machine asks [`check`]
//! on every transition; who acts is known to its caller, which says whether it is the officer
//! who accepted ([`OrderFacts::same_officer_as_acceptance`], from [`same_officer`]).

use crate::order::{OrderAction, OrderFacts, TransitionError};

/// What the officer who accepted an order may not do to it where the rule applies.
pub const SECOND_OFFICER_ACTIONS: [OrderAction; 2] = [OrderAction::MarkReady, OrderAction::HandOver];

/// Refuses `action` when it must be another officer's.
pub fn check(action: OrderAction, facts: OrderFacts) -> Result<(), TransitionError> {
    if facts.same_officer_as_acceptance && SECOND_OFFICER_ACTIONS.contains(&action) {
        Err(TransitionError::FourEyes)
    } else {
        Ok(())
    }
}

/// Whether the rule holds the officer `acting` back: the mission `required` it for the order's
/// service and `acting` is the officer who accepted the order.
pub fn same_officer(required: bool, accepted_by: Option<&str>, acting: Option<&str>) -> bool {
    required && accepted_by.is_some() && accepted_by == acting
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::{Actor, OrderState, ServiceKind, StaffRole, transition};
    use proptest::prelude::*;

    fn facts(same_officer_as_acceptance: bool) -> OrderFacts {
        OrderFacts { service: ServiceKind::PassportOrTravelDocument, fee_settled: true, same_officer_as_acceptance }
    }

    #[test]
    fn the_officer_who_accepted_may_neither_mark_ready_nor_hand_over() {
        let admin = Actor::Staff(StaffRole::MissionAdmin);
        let ready = transition(OrderState::AwaitingProduction, OrderAction::MarkReady, admin, facts(true));
        assert_eq!(ready, Err(TransitionError::FourEyes));
        let handed = transition(OrderState::ReadyForPickup, OrderAction::HandOver, admin, facts(true));
        assert_eq!(handed, Err(TransitionError::FourEyes));
        assert_eq!(TransitionError::FourEyes.code(), "four_eyes");
        let other = transition(OrderState::AwaitingProduction, OrderAction::MarkReady, admin, facts(false));
        assert_eq!(other, Ok(OrderState::ReadyForPickup), "another officer may");
    }

    #[test]
    fn the_rule_binds_only_the_accepting_officer_of_a_mission_that_requires_it() {
        assert!(same_officer(true, Some("officer-1"), Some("officer-1")));
        assert!(!same_officer(true, Some("officer-1"), Some("officer-2")));
        assert!(!same_officer(false, Some("officer-1"), Some("officer-1")), "not required");
        assert!(!same_officer(true, None, None), "nobody accepted it (yet)");
        assert!(!same_officer(true, Some("officer-1"), None), "not an officer");
    }

    proptest! {
        /// The rule takes away the two second-officer actions and changes nothing else.
        #[test]
        fn only_the_second_officer_actions_change(
            state in prop::sample::select(OrderState::ALL.to_vec()),
            action in prop::sample::select(OrderAction::ALL.to_vec()),
            role in prop::sample::select(StaffRole::ALL.to_vec()),
            fee_settled in any::<bool>(),
        ) {
            let actor = Actor::Staff(role);
            let base = OrderFacts { service: ServiceKind::PassportOrTravelDocument, fee_settled, same_officer_as_acceptance: false };
            let free = transition(state, action, actor, base);
            let bound = transition(state, action, actor, OrderFacts { same_officer_as_acceptance: true, ..base });
            if SECOND_OFFICER_ACTIONS.contains(&action) && free.is_ok() {
                prop_assert_eq!(bound, Err(TransitionError::FourEyes));
            } else if !SECOND_OFFICER_ACTIONS.contains(&action) {
                prop_assert_eq!(bound, free);
            }
        }
    }
}
