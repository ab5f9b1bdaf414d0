//! Real-name verification (实名认证): where an account stands, and what that allows.

use serde::Serialize;

/// An account's progress through real-name verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityState {
    /// No identity given yet: the account may browse but not apply.
    Unverified,
    /// Name and document recorded; the face step is next.
    AwaitingFace,
    /// Name, document and a live face capture with exactly one face.
    Verified,
    /// The applicant skipped the face step (FAQ 9). Orders are accepted but flagged so staff
    /// may require a video interview.
    FaceSkipped,
}

impl IdentityState {
    pub const ALL: [IdentityState; 4] =
        [IdentityState::Unverified, IdentityState::AwaitingFace, IdentityState::Verified, IdentityState::FaceSkipped];

    pub fn code(self) -> &'static str {
        match self {
            IdentityState::Unverified => "unverified",
            IdentityState::AwaitingFace => "awaiting_face",
            IdentityState::Verified => "verified",
            IdentityState::FaceSkipped => "face_skipped",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the account may file applications (for itself or others).
    pub fn may_apply(self) -> bool {
        matches!(self, IdentityState::Verified | IdentityState::FaceSkipped)
    }

    /// Whether orders from this account carry the "face verification skipped" flag.
    pub fn flags_orders(self) -> bool {
        self == IdentityState::FaceSkipped
    }

    /// Whether the face step may be taken (or retaken) now.
    pub fn may_take_face_step(self) -> bool {
        self != IdentityState::Unverified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_completed_verification_allows_applying() {
        let may: Vec<_> = IdentityState::ALL.into_iter().filter(|s| s.may_apply()).collect();
        assert_eq!(may, [IdentityState::Verified, IdentityState::FaceSkipped]);
        assert!(IdentityState::FaceSkipped.flags_orders());
        assert!(!IdentityState::Verified.flags_orders());
        assert!(!IdentityState::Unverified.may_take_face_step());
        for s in IdentityState::ALL {
            assert_eq!(IdentityState::from_code(s.code()), Some(s));
        }
    }
}
