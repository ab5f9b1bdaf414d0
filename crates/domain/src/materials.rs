//! The one table of materials (SPEC §3, the guide's Step 4): which uploads an application
//! lists, numbered in the guide's order, and which of them must be there before submission,
//! given the case, the applicant's age, the annotation and a foreign name.

use crate::application::{ApplicationType, Business, Case, parents_required};
use serde::{Deserialize, Serialize};

/// The uploads an application can hold besides the photo and signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Material {
    /// 现持证件资料页.
    CurrentDocumentPage,
    /// 护照姓名拼写或曾用名加注信息 (the old passport's annotation page).
    AnnotationPage,
    /// 证件遗失原因及经过说明, handwritten, signed and photographed.
    LossStatement,
    /// The home-return permit, Taiwan permit or other travel document held.
    HeldTravelDocument,
    BirthCertificate,
    /// One parent's passport information page (applicants under 16).
    OneParentPassport,
    /// Both parents' passport information pages (a minor's first application).
    ParentsPassports,
    /// Both parents' foreign residence permits held at the child's birth.
    ParentsResidencePermits,
    /// The parents' written consent (办照同意书).
    ParentalConsent,
    /// The statement that goes with a foreign name on a travel document (FAQ 4).
    ForeignNameStatement,
    /// 其他材料: anything else, including supplements.
    Other,
}

impl Material {
    pub const ALL: [Material; 11] = [
        Material::CurrentDocumentPage,
        Material::AnnotationPage,
        Material::LossStatement,
        Material::HeldTravelDocument,
        Material::BirthCertificate,
        Material::OneParentPassport,
        Material::ParentsPassports,
        Material::ParentsResidencePermits,
        Material::ParentalConsent,
        Material::ForeignNameStatement,
        Material::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Material::CurrentDocumentPage => "current_document_page",
            Material::AnnotationPage => "annotation_page",
            Material::LossStatement => "loss_statement",
            Material::HeldTravelDocument => "held_travel_document",
            Material::BirthCertificate => "birth_certificate",
            Material::OneParentPassport => "one_parent_passport",
            Material::ParentsPassports => "parents_passports",
            Material::ParentsResidencePermits => "parents_residence_permits",
            Material::ParentalConsent => "parental_consent",
            Material::ForeignNameStatement => "foreign_name_statement",
            Material::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// Whether an item must be uploaded before submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Required,
    Optional,
}

/// What decides the materials of one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Circumstances {
    pub kind: ApplicationType,
    pub under_16: bool,
    pub annotated: bool,
    pub foreign_name: bool,
}

impl Circumstances {
    fn parents_involved(&self) -> bool {
        parents_required(Some(self.kind), self.under_16)
    }
}

/// One row of the materials table: the item, the cases it is listed for, and its need,
/// given the circumstances (`None`: not listed).
struct MaterialRow {
    material: Material,
    cases: &'static [Case],
    need: fn(&Circumstances) -> Option<Need>,
}

const fn required_if(condition: bool) -> Option<Need> {
    if condition { Some(Need::Required) } else { None }
}

/// The materials of SPEC §3's table and the guide's Step 4, in the order the guide numbers
/// them ("2、护照姓名拼写…", "3、证件遗失原因及经过说明").
const MATERIALS: &[MaterialRow] = &[
    MaterialRow {
        material: Material::CurrentDocumentPage,
        cases: &[Case::Renewal, Case::Replacement],
        // A lost document's page only if a copy survives.
        need: |c| Some(if c.kind.case == Case::Renewal { Need::Required } else { Need::Optional }),
    },
    MaterialRow {
        material: Material::AnnotationPage,
        cases: &[Case::Renewal, Case::Replacement],
        need: |c| Some(if c.annotated { Need::Required } else { Need::Optional }),
    },
    MaterialRow {
        material: Material::LossStatement,
        cases: &[Case::Replacement, Case::TravelDocument],
        need: |c| required_if(c.kind.business == Business::Replacement),
    },
    MaterialRow {
        material: Material::HeldTravelDocument,
        cases: &[Case::TravelDocument],
        need: |c| Some(if c.kind.business == Business::Replacement { Need::Optional } else { Need::Required }),
    },
    MaterialRow {
        material: Material::BirthCertificate,
        cases: &[Case::Renewal, Case::Replacement, Case::TravelDocument, Case::MinorFirst],
        need: |c| {
            let foreign_name = c.foreign_name && c.kind.may_use_foreign_name();
            required_if(c.parents_involved() || foreign_name)
        },
    },
    MaterialRow {
        material: Material::OneParentPassport,
        cases: &[Case::Renewal, Case::Replacement, Case::TravelDocument],
        need: |c| required_if(c.under_16),
    },
    MaterialRow { material: Material::ParentsPassports, cases: &[Case::MinorFirst], need: |_| Some(Need::Required) },
    MaterialRow {
        material: Material::ParentsResidencePermits,
        cases: &[Case::MinorFirst],
        need: |_| Some(Need::Required),
    },
    MaterialRow {
        material: Material::ParentalConsent,
        cases: &[Case::Renewal, Case::Replacement, Case::TravelDocument, Case::MinorFirst],
        need: |c| required_if(c.parents_involved()),
    },
    MaterialRow {
        material: Material::ForeignNameStatement,
        cases: &[Case::TravelDocument, Case::Renewal, Case::Replacement, Case::MinorFirst],
        need: |c| required_if(c.foreign_name && c.kind.may_use_foreign_name()),
    },
    MaterialRow {
        material: Material::Other,
        cases: &[Case::Renewal, Case::Replacement, Case::TravelDocument, Case::MinorFirst],
        need: |_| Some(Need::Optional),
    },
];

/// The materials listed for an application, numbered from 1 in the guide's order.
pub fn materials(circumstances: &Circumstances) -> Vec<(Material, Need)> {
    MATERIALS
        .iter()
        .filter(|row| row.cases.contains(&circumstances.kind.case))
        .filter_map(|row| (row.need)(circumstances).map(|need| (row.material, need)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(kind: ApplicationType, under_16: bool, annotated: bool, foreign_name: bool) -> Vec<(Material, Need)> {
        materials(&Circumstances { kind, under_16, annotated, foreign_name })
    }

    fn required(list: &[(Material, Need)]) -> Vec<Material> {
        list.iter().filter(|(_, need)| *need == Need::Required).map(|(m, _)| *m).collect()
    }

    #[test]
    fn materials_follow_the_guide_case_by_case() {
        use Material::*;
        let [renewal, _, replacement, _, issue, _, lost_travel_doc, minor, _] = ApplicationType::ALL;
        assert_eq!(required(&listed(renewal, false, false, false)), vec![CurrentDocumentPage]);
        assert_eq!(required(&listed(renewal, false, true, false)), vec![CurrentDocumentPage, AnnotationPage]);
        assert_eq!(
            required(&listed(renewal, true, false, false)),
            vec![CurrentDocumentPage, BirthCertificate, OneParentPassport, ParentalConsent]
        );
        let lost = listed(replacement, false, false, false);
        assert_eq!(required(&lost), vec![LossStatement]);
        assert_eq!(lost.iter().position(|(m, _)| *m == LossStatement), Some(2), "numbered 3 as in the guide");
        assert_eq!(required(&listed(issue, false, false, false)), vec![HeldTravelDocument]);
        assert_eq!(
            required(&listed(issue, false, false, true)),
            vec![HeldTravelDocument, BirthCertificate, ForeignNameStatement]
        );
        assert_eq!(required(&listed(lost_travel_doc, false, false, false)), vec![LossStatement]);
        assert_eq!(
            required(&listed(minor, true, false, false)),
            vec![BirthCertificate, ParentsPassports, ParentsResidencePermits, ParentalConsent]
        );
        for kind in ApplicationType::ALL {
            assert!(listed(kind, false, false, false).contains(&(Other, Need::Optional)));
        }
    }
}
