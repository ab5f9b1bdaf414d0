//! What an application is: the case routing of SPEC §3 (current document, lost or not, age),
//! the steps of each service in the guide's order, and the one table of required materials.

use crate::ValidationError;
use crate::application_form::FieldError;
use serde::{Deserialize, Serialize};

/// The document the applicant holds now (the first routing question).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldDocument {
    OrdinaryPassport,
    TravelDocument,
    /// Home-return permit, Taiwan compatriot permit or another travel document.
    HkMacauTaiwanOrOther,
    /// 因公护照: not handled online (FAQ 2).
    OfficialPassport,
    NoneOfThese,
}

/// The document applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    Passport,
    TravelDocument,
}

/// The four cases of SPEC §3; each has its own materials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    /// 3.1 换发: holds a passport or travel document, not lost.
    Renewal,
    /// 3.2 补发: the passport or travel document was lost, stolen or damaged.
    Replacement,
    /// 3.3: holds a home-return permit, Taiwan permit or other travel document.
    TravelDocument,
    /// 3.4: holds none of these and is under 16.
    MinorFirst,
}

/// 颁发 / 换发 / 补发.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Business {
    Issue,
    Renewal,
    Replacement,
}

/// One of the choices on the "application type" screen after routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationType {
    pub case: Case,
    pub product: Product,
    pub business: Business,
}

impl ApplicationType {
    /// Every type the routing can produce.
    pub const ALL: [ApplicationType; 9] = [
        Self::of(Case::Renewal, Product::Passport, Business::Renewal),
        Self::of(Case::Renewal, Product::TravelDocument, Business::Renewal),
        Self::of(Case::Replacement, Product::Passport, Business::Replacement),
        Self::of(Case::Replacement, Product::TravelDocument, Business::Replacement),
        Self::of(Case::TravelDocument, Product::TravelDocument, Business::Issue),
        Self::of(Case::TravelDocument, Product::TravelDocument, Business::Renewal),
        Self::of(Case::TravelDocument, Product::TravelDocument, Business::Replacement),
        Self::of(Case::MinorFirst, Product::Passport, Business::Issue),
        Self::of(Case::MinorFirst, Product::TravelDocument, Business::Issue),
    ];

    const fn of(case: Case, product: Product, business: Business) -> Self {
        Self { case, product, business }
    }

    /// Stable code, e.g. `renewal.passport.renewal`; the catalog key of its name.
    pub fn code(self) -> String {
        format!("{}.{}.{}", code_of(self.case), code_of(self.product), code_of(self.business))
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Pinyin is copied from the old document for renewals and replacements; first issues
    /// must use standard syllables (SPEC §3 rules).
    pub fn pinyin_mode(self) -> crate::PinyinMode {
        match self.business {
            Business::Issue => crate::PinyinMode::Strict,
            Business::Renewal | Business::Replacement => crate::PinyinMode::Legacy,
        }
    }

    /// A foreign name (with a birth certificate and a statement) is possible only on a travel
    /// document (FAQ 4).
    pub fn may_use_foreign_name(self) -> bool {
        self.product == Product::TravelDocument
    }

    /// Whether the applicant holds a document whose number is asked for (not on a minor's
    /// first application).
    pub fn asks_document_number(self) -> bool {
        self.case != Case::MinorFirst
    }

    /// Whether the applicant brings an old document that is cancelled at hand-over.
    pub fn has_old_document(self) -> bool {
        !matches!(self.case, Case::MinorFirst) && self.business != Business::Issue
    }
}

fn code_of(value: impl Coded) -> &'static str {
    value.code()
}

/// A stable snake_case code, the same as the serde name.
trait Coded {
    fn code(&self) -> &'static str;
}

impl Coded for Case {
    fn code(&self) -> &'static str {
        match self {
            Case::Renewal => "renewal",
            Case::Replacement => "replacement",
            Case::TravelDocument => "travel_document",
            Case::MinorFirst => "minor_first",
        }
    }
}

impl Coded for Product {
    fn code(&self) -> &'static str {
        match self {
            Product::Passport => "passport",
            Product::TravelDocument => "travel_document",
        }
    }
}

impl Coded for Business {
    fn code(&self) -> &'static str {
        match self {
            Business::Issue => "issue",
            Business::Renewal => "renewal",
            Business::Replacement => "replacement",
        }
    }
}

/// The routing answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteAnswers {
    pub held: HeldDocument,
    /// "Was the document lost, stolen or damaged?" (not asked for "none of these").
    pub lost: Option<bool>,
    /// "Age: under 16?" (asked only for "none of these").
    pub under_16: Option<bool>,
}

/// Why routing gives no online application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RouteRefusal {
    #[error("official passports are handled by the mission, not online")]
    OfficialPassport,
    #[error("an adult without any Chinese document must contact the mission")]
    AdultWithoutDocument,
    #[error("a routing question was not answered")]
    Unanswered,
}

impl RouteRefusal {
    pub fn code(self) -> &'static str {
        match self {
            RouteRefusal::OfficialPassport => "route_official_passport",
            RouteRefusal::AdultWithoutDocument => "route_adult_without_document",
            RouteRefusal::Unanswered => "route_unanswered",
        }
    }
}

/// The application types offered for these answers, the held document's own first.
pub fn route(answers: RouteAnswers) -> Result<Vec<ApplicationType>, RouteRefusal> {
    use Business as B;
    use Case as C;
    use Product as P;
    let pick = |case: Case, products: [Product; 2], business: Business| {
        products.into_iter().map(|product| ApplicationType::of(case, product, business)).collect()
    };
    match (answers.held, answers.lost, answers.under_16) {
        (HeldDocument::OfficialPassport, _, _) => Err(RouteRefusal::OfficialPassport),
        (HeldDocument::OrdinaryPassport, Some(false), _) => {
            Ok(pick(C::Renewal, [P::Passport, P::TravelDocument], B::Renewal))
        }
        (HeldDocument::TravelDocument, Some(false), _) => {
            Ok(pick(C::Renewal, [P::TravelDocument, P::Passport], B::Renewal))
        }
        (HeldDocument::OrdinaryPassport, Some(true), _) => {
            Ok(pick(C::Replacement, [P::Passport, P::TravelDocument], B::Replacement))
        }
        (HeldDocument::TravelDocument, Some(true), _) => {
            Ok(pick(C::Replacement, [P::TravelDocument, P::Passport], B::Replacement))
        }
        (HeldDocument::HkMacauTaiwanOrOther, Some(false), _) => Ok(vec![
            ApplicationType::of(C::TravelDocument, P::TravelDocument, B::Issue),
            ApplicationType::of(C::TravelDocument, P::TravelDocument, B::Renewal),
        ]),
        (HeldDocument::HkMacauTaiwanOrOther, Some(true), _) => {
            Ok(vec![ApplicationType::of(C::TravelDocument, P::TravelDocument, B::Replacement)])
        }
        (HeldDocument::NoneOfThese, _, Some(true)) => {
            Ok(pick(C::MinorFirst, [P::Passport, P::TravelDocument], B::Issue))
        }
        (HeldDocument::NoneOfThese, _, Some(false)) => Err(RouteRefusal::AdultWithoutDocument),
        _ => Err(RouteRefusal::Unanswered),
    }
}

/// The services an order can be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    PassportOrTravelDocument,
    EmergencyTravelDocument,
}

/// One screen of an application, in the guide's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Details,
    Annotations,
    Photo,
    Declaration,
    Materials,
    Delivery,
    Review,
    Face,
    Pickup,
    Payment,
}

impl Step {
    pub const ALL: [Step; 10] = [
        Step::Details,
        Step::Annotations,
        Step::Photo,
        Step::Declaration,
        Step::Materials,
        Step::Delivery,
        Step::Review,
        Step::Face,
        Step::Pickup,
        Step::Payment,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Details => "details",
            Step::Annotations => "annotations",
            Step::Photo => "photo",
            Step::Declaration => "declaration",
            Step::Materials => "materials",
            Step::Delivery => "delivery",
            Step::Review => "review",
            Step::Face => "face",
            Step::Pickup => "pickup",
            Step::Payment => "payment",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl Service {
    pub const ALL: [Service; 2] = [Service::PassportOrTravelDocument, Service::EmergencyTravelDocument];

    pub fn code(self) -> &'static str {
        match self {
            Service::PassportOrTravelDocument => "passport",
            Service::EmergencyTravelDocument => "emergency",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The steps after the start (statement, mission, routing), in the guide's order: Step 4
    /// 一 for passports and travel documents, 二 for the emergency travel document.
    pub fn steps(self) -> &'static [Step] {
        match self {
            Service::PassportOrTravelDocument => &[
                Step::Details,
                Step::Annotations,
                Step::Photo,
                Step::Declaration,
                Step::Materials,
                Step::Delivery,
                Step::Review,
                Step::Face,
                Step::Payment,
            ],
            Service::EmergencyTravelDocument => {
                &[Step::Details, Step::Photo, Step::Review, Step::Face, Step::Pickup, Step::Payment]
            }
        }
    }

    /// Which of the applicant's places puts them in a mission's district: where they live
    /// for passports and travel documents (FAQ 3), where they are now for the emergency
    /// document, which serves "短期来比利时期间丢失护照人员" (Step 4 二).
    pub fn district_basis(self) -> DistrictBasis {
        match self {
            Service::PassportOrTravelDocument => DistrictBasis::Residence,
            Service::EmergencyTravelDocument => DistrictBasis::Presence,
        }
    }

    /// The order-level service kind the state machine guards on.
    pub fn kind(self) -> crate::order::ServiceKind {
        match self {
            Service::PassportOrTravelDocument => crate::order::ServiceKind::PassportOrTravelDocument,
            Service::EmergencyTravelDocument => crate::order::ServiceKind::EmergencyTravelDocument,
        }
    }
}

/// The place that decides which mission takes an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistrictBasis {
    Residence,
    Presence,
}

/// Where the applicant lives and where they are now, each a country code or
/// [`country::OTHER`](crate::country::OTHER), as answered at the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whereabouts<'a> {
    pub residence: &'a str,
    pub present: &'a str,
}

impl Whereabouts<'_> {
    /// Whether `mission` takes `service` from this applicant; the error names the answer
    /// that puts them outside the district.
    pub fn check(&self, service: Service, mission: &crate::mission::Mission) -> Result<(), FieldError> {
        let (field, country, error) = match service.district_basis() {
            DistrictBasis::Residence => ("residence_country", self.residence, ValidationError::OutsideDistrict),
            DistrictBasis::Presence => ("present_country", self.present, ValidationError::PresentOutsideDistrict),
        };
        if mission.serves(country) { Ok(()) } else { Err(FieldError { field, error }) }
    }
}

/// Who signs the nationality-status declaration: the applicant, or a parent for a child
/// under 10 (and always for a minor's first application, as the guide shows).
pub fn parent_must_sign(kind: ApplicationType, age: u32) -> bool {
    kind.case == Case::MinorFirst || age < 10
}

/// Below this age the parents take part: their details, consent, a parent's passport page.
const PARENTS_TAKE_PART_BELOW: u32 = 16;

/// Whether an applicant of `age` (if known) is under 16.
pub fn under_16(age: Option<u32>) -> bool {
    age.is_some_and(|age| age < PARENTS_TAKE_PART_BELOW)
}

/// Whether the parents take part (their details, consent…): a minor's first application,
/// or an applicant under 16 ([`under_16`]).
pub fn parents_required(kind: Option<ApplicationType>, under_16: bool) -> bool {
    kind.is_some_and(|k| k.case == Case::MinorFirst) || under_16
}

/// Completed years between `birth` and `today`.
pub fn age_on(birth: chrono::NaiveDate, today: chrono::NaiveDate) -> u32 {
    today.years_since(birth).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(held: HeldDocument, lost: Option<bool>, under_16: Option<bool>) -> RouteAnswers {
        RouteAnswers { held, lost, under_16 }
    }

    #[test]
    fn passports_follow_residence_and_the_emergency_document_presence() {
        let mission = crate::mission::belgian_test_mission();
        let visitor = Whereabouts { residence: "CN", present: "BE" };
        assert_eq!(visitor.check(Service::EmergencyTravelDocument, &mission), Ok(()));
        let refused = visitor.check(Service::PassportOrTravelDocument, &mission).expect_err("not a resident");
        assert_eq!((refused.field, refused.error), ("residence_country", ValidationError::OutsideDistrict));
        let away = Whereabouts { residence: "BE", present: "FR" };
        assert_eq!(away.check(Service::PassportOrTravelDocument, &mission), Ok(()));
        let refused = away.check(Service::EmergencyTravelDocument, &mission).expect_err("not present");
        assert_eq!((refused.field, refused.error), ("present_country", ValidationError::PresentOutsideDistrict));
    }

    #[test]
    fn routing_produces_exactly_the_four_cases() {
        use HeldDocument::*;
        let case_of = |a| route(a).map(|types| types.iter().map(|t| t.case).collect::<Vec<_>>());
        assert_eq!(case_of(answers(OrdinaryPassport, Some(false), None)), Ok(vec![Case::Renewal; 2]));
        assert_eq!(case_of(answers(TravelDocument, Some(true), None)), Ok(vec![Case::Replacement; 2]));
        assert_eq!(case_of(answers(HkMacauTaiwanOrOther, Some(false), None)), Ok(vec![Case::TravelDocument; 2]));
        assert_eq!(case_of(answers(HkMacauTaiwanOrOther, Some(true), None)), Ok(vec![Case::TravelDocument]));
        assert_eq!(case_of(answers(NoneOfThese, None, Some(true))), Ok(vec![Case::MinorFirst; 2]));
        assert_eq!(route(answers(NoneOfThese, None, Some(false))), Err(RouteRefusal::AdultWithoutDocument));
        assert_eq!(route(answers(OfficialPassport, Some(false), None)), Err(RouteRefusal::OfficialPassport));
        assert_eq!(route(answers(OrdinaryPassport, None, None)), Err(RouteRefusal::Unanswered));
        let first = route(answers(TravelDocument, Some(false), None)).expect("routed")[0];
        assert_eq!(first.product, Product::TravelDocument, "the held document's own type comes first");
    }

    #[test]
    fn every_routed_type_has_a_code_that_reads_back() {
        for kind in ApplicationType::ALL {
            assert_eq!(ApplicationType::from_code(&kind.code()), Some(kind));
        }
        assert_eq!(ApplicationType::ALL[0].code(), "renewal.passport.renewal");
    }

    #[test]
    fn emergency_documents_skip_the_passport_only_steps() {
        let emergency = Service::EmergencyTravelDocument.steps();
        assert!(!emergency.contains(&Step::Declaration) && !emergency.contains(&Step::Materials));
        assert_eq!(emergency.last(), Some(&Step::Payment));
        let passport = Service::PassportOrTravelDocument.steps();
        let review = passport.iter().position(|s| *s == Step::Review);
        assert!(review < passport.iter().position(|s| *s == Step::Face), "review, then face, as in the guide");
    }

    #[test]
    fn a_parent_signs_for_young_children_and_every_first_minor() {
        let [renewal, .., minor, _] = ApplicationType::ALL;
        assert!(parent_must_sign(renewal, 9) && !parent_must_sign(renewal, 10));
        assert!(parent_must_sign(minor, 15));
    }
}
