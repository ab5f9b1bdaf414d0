//! Pension-eligibility certification (养老金资格认证): the form a pensioner abroad (or their
//! child, filing for them) fills, and the states of a certification.

use crate::application_form::{phone_number, short_text};
use crate::error::ValidationError;
use crate::{PersonName, ResidentId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The form, as sent and as stored once checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PensionForm {
    pub name: String,
    pub id_number: String,
    /// The code of the region whose department pays the pension (e.g. `110000` for Beijing).
    pub region: String,
    pub social_security_no: String,
    pub address_abroad: String,
    pub phone: String,
}

impl PensionForm {
    /// The form normalised, or each field's error; `regions` are the codes with a department.
    pub fn validate(
        &self,
        regions: &[String],
        today: NaiveDate,
        home_region: Option<&str>,
    ) -> Result<PensionForm, Vec<(&'static str, ValidationError)>> {
        let mut errors = Vec::new();
        let mut keep = |field: &'static str, result: Result<String, ValidationError>| {
            result.map_err(|e| errors.push((field, e))).unwrap_or_default()
        };
        let name = keep("name", PersonName::parse(&self.name).map(|n| n.as_str().to_owned()));
        let id_number = keep("id_number", ResidentId::parse(&self.id_number, today).map(|id| id.as_str().to_owned()));
        let region = keep(
            "region",
            match self.region.trim() {
                "" => Err(ValidationError::Required),
                code if regions.iter().any(|r| r == code) => Ok(code.to_owned()),
                _ => Err(ValidationError::UnknownChoice),
            },
        );
        let social_security_no = keep("social_security_no", social_security_number(&self.social_security_no));
        let address_abroad = keep("address_abroad", short_text(&self.address_abroad, 200));
        let phone = keep("phone", phone_number(&self.phone, home_region));
        if errors.is_empty() {
            Ok(PensionForm { name, id_number, region, social_security_no, address_abroad, phone })
        } else {
            Err(errors)
        }
    }
}

/// A social-security number: 6–24 letters and digits (regions number differently).
fn social_security_number(input: &str) -> Result<String, ValidationError> {
    let folded = crate::normalize::fold_identifier(input).ok_or(ValidationError::TooLong)?;
    if folded.is_empty() {
        return Err(ValidationError::Required);
    }
    let valid = (6..=24).contains(&folded.len()) && folded.chars().all(|c| c.is_ascii_alphanumeric());
    if valid { Ok(folded) } else { Err(ValidationError::DocumentNumberFormat) }
}

/// Where a certification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PensionStatus {
    /// Being filled; the face step not done yet.
    Draft,
    /// Submitted; waiting to be pushed to the department.
    Submitted,
    /// Received by the department; waiting for its decision.
    Pushed,
    Approved,
    NotApproved,
    /// The push failed for good, or no decision came in time: the paper form is the way.
    Failed,
}

impl PensionStatus {
    pub fn code(self) -> &'static str {
        match self {
            PensionStatus::Draft => "draft",
            PensionStatus::Submitted => "submitted",
            PensionStatus::Pushed => "pushed",
            PensionStatus::Approved => "approved",
            PensionStatus::NotApproved => "not_approved",
            PensionStatus::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Draft, Self::Submitted, Self::Pushed, Self::Approved, Self::NotApproved, Self::Failed]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Whether the department's decision may still arrive (a late one is still taken).
    pub fn awaits_decision(self) -> bool {
        matches!(self, PensionStatus::Submitted | PensionStatus::Pushed | PensionStatus::Failed)
    }
}

/// What happens to a certification (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PensionEvent {
    /// The applicant finished the face step (or skipped it): the record goes out.
    Submit,
    /// The department acknowledged the record.
    Pushed,
    /// The department refused the record.
    PushRefused,
    /// The push kept failing until the runner gave up.
    PushAbandoned,
    /// No decision came before the deadline.
    DeadlinePassed,
    Approve,
    NotApprove,
    /// Staff send a failed certification again.
    Repush,
}

impl PensionEvent {
    /// Stable name, as the audit log records it.
    pub fn code(self) -> &'static str {
        match self {
            PensionEvent::Submit => "pension_submitted",
            PensionEvent::Pushed => "pension_pushed",
            PensionEvent::PushRefused => "pension_push_refused",
            PensionEvent::PushAbandoned => "pension_push_abandoned",
            PensionEvent::DeadlinePassed => "pension_deadline_passed",
            PensionEvent::Approve => "pension_approved",
            PensionEvent::NotApprove => "pension_not_approved",
            PensionEvent::Repush => "pension_repushed",
        }
    }

    /// The status this event leads to from `from`; `None` when the table has no such edge.
    /// A decision is taken once, even late (after the certification failed), and a later,
    /// different answer does not overturn it.
    pub fn from(self, from: PensionStatus) -> Option<PensionStatus> {
        use PensionEvent as E;
        use PensionStatus as S;
        match (from, self) {
            (S::Draft, E::Submit) => Some(S::Submitted),
            (S::Submitted, E::Pushed) => Some(S::Pushed),
            (S::Submitted, E::PushRefused | E::PushAbandoned) => Some(S::Failed),
            (S::Pushed, E::DeadlinePassed) => Some(S::Failed),
            (status, E::Approve) if status.awaits_decision() => Some(S::Approved),
            (status, E::NotApprove) if status.awaits_decision() => Some(S::NotApproved),
            (S::Failed, E::Repush) => Some(S::Submitted),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certification_moves_only_along_its_table() {
        use PensionEvent as E;
        use PensionStatus as S;
        let all = [S::Draft, S::Submitted, S::Pushed, S::Approved, S::NotApproved, S::Failed];
        let events = [
            E::Submit,
            E::Pushed,
            E::PushRefused,
            E::PushAbandoned,
            E::DeadlinePassed,
            E::Approve,
            E::NotApprove,
            E::Repush,
        ];
        let edges: Vec<(S, E, S)> = all
            .into_iter()
            .flat_map(|from| events.into_iter().filter_map(move |event| event.from(from).map(|to| (from, event, to))))
            .collect();
        assert_eq!(
            edges,
            [
                (S::Draft, E::Submit, S::Submitted),
                (S::Submitted, E::Pushed, S::Pushed),
                (S::Submitted, E::PushRefused, S::Failed),
                (S::Submitted, E::PushAbandoned, S::Failed),
                (S::Submitted, E::Approve, S::Approved),
                (S::Submitted, E::NotApprove, S::NotApproved),
                (S::Pushed, E::DeadlinePassed, S::Failed),
                (S::Pushed, E::Approve, S::Approved),
                (S::Pushed, E::NotApprove, S::NotApproved),
                (S::Failed, E::Approve, S::Approved),
                (S::Failed, E::NotApprove, S::NotApproved),
                (S::Failed, E::Repush, S::Submitted),
            ]
        );
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let regions = vec!["110000".to_owned()];
        let good = PensionForm {
            name: "张三".into(),
            id_number: "11010519491231002X".into(),
            region: "110000".into(),
            social_security_no: "ab 123456".into(),
            address_abroad: "Rue Neuve 1, 1000 Bruxelles".into(),
            phone: "+32 470 00 00 00".into(),
        };
        let checked = good.validate(&regions, today, Some("BE")).expect("valid");
        assert_eq!(checked.social_security_no, "AB123456");
        let bad = PensionForm { region: "440000".into(), id_number: "123".into(), ..good };
        let fields: Vec<&str> =
            bad.validate(&regions, today, Some("BE")).expect_err("invalid").iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["id_number", "region"]);
    }
}
