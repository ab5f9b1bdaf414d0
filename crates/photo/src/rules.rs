//! The rules of the passport-photo check (SPEC §9, and ICAO Doc 9303 / ISO/IEC 19794-5 for
//! the pose and the eyes), their codes and the ranges they accept.

use serde::Serialize;

/// One rule of the specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    OneFace,
    Proportions,
    Resolution,
    HeadHeight,
    HeadWidth,
    HeadCentred,
    TopMargin,
    ChinMargin,
    EyeLine,
    HeadTilt,
    FaceTurned,
    EyesVisible,
    BackgroundWhite,
    BackgroundUniform,
    Exposure,
    Sharpness,
    Colour,
}

impl Rule {
    pub const ALL: [Rule; 17] = [
        Rule::OneFace,
        Rule::Proportions,
        Rule::Resolution,
        Rule::HeadHeight,
        Rule::HeadWidth,
        Rule::HeadCentred,
        Rule::TopMargin,
        Rule::ChinMargin,
        Rule::EyeLine,
        Rule::HeadTilt,
        Rule::FaceTurned,
        Rule::EyesVisible,
        Rule::BackgroundWhite,
        Rule::BackgroundUniform,
        Rule::Exposure,
        Rule::Sharpness,
        Rule::Colour,
    ];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.code() == code)
    }

    /// The measures a rule with a two-sided range accepts (in its result's unit), so that a
    /// failure can say which way it is off (a head too small, or too large).
    pub fn range(self) -> Option<std::ops::RangeInclusive<f64>> {
        match self {
            Rule::HeadHeight => Some(331.0..=390.0),
            Rule::HeadWidth => Some(177.0..=260.0),
            Rule::HeadCentred => Some(-2.0..=2.0),
            Rule::TopMargin => Some(3.0..=5.0),
            // ISO/IEC 19794-5 (the face image ICAO Doc 9303 refers to): the eye line between
            // 50 % and 70 % of the picture's height, measured from the bottom edge.
            Rule::EyeLine => Some(50.0..=70.0),
            // ISO/IEC 19794-5: the head turned or tilted by no more than 5° either way; the
            // turn is allowed 10° because it is estimated from 2-D points (see `head`).
            Rule::HeadTilt => Some(-5.0..=5.0),
            Rule::FaceTurned => Some(-10.0..=10.0),
            Rule::Exposure => Some(60.0..=215.0),
            _ => None,
        }
    }

    /// For a ranged rule, which way a measure that fails it is off: towards the high end
    /// (`Some(true)`) or the low end (`Some(false)`), by the side of the range's middle it lies
    /// on — so that a measure rounded onto the range's edge (a head 2.04 mm off centre, shown
    /// as 2.0) still says which way. `None` for a rule without a range.
    pub fn off_towards_high(self, measured: f64) -> Option<bool> {
        let range = self.range()?;
        Some(measured > (range.start() + range.end()) / 2.0)
    }

    pub(crate) fn accepts(self, measured: f64) -> bool {
        self.range().is_some_and(|range| range.contains(&measured))
    }

    pub fn code(self) -> &'static str {
        match self {
            Rule::OneFace => "one_face",
            Rule::Proportions => "proportions",
            Rule::Resolution => "resolution",
            Rule::HeadHeight => "head_height",
            Rule::HeadWidth => "head_width",
            Rule::HeadCentred => "head_centred",
            Rule::TopMargin => "top_margin",
            Rule::ChinMargin => "chin_margin",
            Rule::EyeLine => "eye_line",
            Rule::HeadTilt => "head_tilt",
            Rule::FaceTurned => "face_turned",
            Rule::EyesVisible => "eyes_visible",
            Rule::BackgroundWhite => "background_white",
            Rule::BackgroundUniform => "background_uniform",
            Rule::Exposure => "exposure",
            Rule::Sharpness => "sharpness",
            Rule::Colour => "colour",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_own_code_and_is_found_by_it() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_code(rule.code()), Some(rule));
        }
        let mut codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
    }

    #[test]
    fn a_ranged_rule_says_which_way_a_measure_is_off() {
        assert_eq!(Rule::HeadTilt.off_towards_high(7.0), Some(true));
        assert_eq!(Rule::HeadTilt.off_towards_high(-7.0), Some(false));
        // Rounded onto the edge of the range, it still says which way (a report showed
        // "photo_fix_head_centred" for a head 2.0 mm off centre).
        assert_eq!(Rule::HeadCentred.off_towards_high(-2.0), Some(false));
        assert_eq!(Rule::HeadCentred.off_towards_high(2.0), Some(true));
        assert_eq!(Rule::Sharpness.off_towards_high(1.0), None);
    }
}
