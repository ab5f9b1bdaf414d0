//! The one error type every validator returns, with stable codes the UI translates.

/// Why an input was refused. Each variant has a stable snake_case [`code`](Self::code) that
/// the message catalogs (Chinese and English) key on; the variants carry no personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("the field is required")]
    Required,
    #[error("the value is too long")]
    TooLong,
    #[error("not a mainland China mobile number")]
    MobileFormat,
    #[error("foreign mobile numbers cannot be used to register yet")]
    ForeignMobile,
    #[error("not a valid e-mail address")]
    EmailFormat,
    #[error("neither an e-mail address nor a mainland mobile number")]
    AddressFormat,
    #[error("a resident ID number has 18 characters")]
    ResidentIdLength,
    #[error("a resident ID number is 17 digits and a check character")]
    ResidentIdCharset,
    #[error("the resident ID number's region does not exist")]
    ResidentIdRegion,
    #[error("the resident ID number's birth date is not a real past date")]
    ResidentIdBirthDate,
    #[error("the resident ID number's check character is wrong")]
    ResidentIdChecksum,
    #[error("not an ordinary passport number")]
    PassportFormat,
    #[error("official passports cannot be handled online")]
    OfficialPassport,
    #[error("not a travel document number")]
    TravelDocFormat,
    #[error("not a home-return permit number")]
    HomeReturnPermitFormat,
    #[error("not a Taiwan compatriot permit number")]
    TaiwanPermitFormat,
    #[error("pinyin may contain only the letters A to Z, without spaces or symbols")]
    PinyinCharset,
    #[error("passport pinyin does not use the letter V")]
    PinyinLetterV,
    #[error("not a sequence of standard Hanyu Pinyin syllables")]
    PinyinNotStandard,
    #[error("the name contains characters that are not allowed")]
    NameCharset,
    #[error("the password is too short")]
    PasswordTooShort,
    #[error("the password is too long")]
    PasswordTooLong,
    #[error("unknown choice")]
    UnknownChoice,
    #[error("the text contains characters that are not allowed")]
    TextInvalid,
    #[error("not a telephone number")]
    PhoneFormat,
    #[error("not a mobile number")]
    NotAMobile,
    #[error("not a date in the form YYYY-MM-DD")]
    DateFormat,
    #[error("the date must be a real past date")]
    DateNotPast,
    #[error("the resident ID number does not match the birth date or sex")]
    ResidentIdMismatch,
    #[error("a minor's first application is for children under 16")]
    NotUnder16,
    #[error("a foreign name is possible only on a travel document")]
    ForeignNameOnlyTravelDocument,
    #[error("not a document number")]
    DocumentNumberFormat,
    #[error("a parent signs for this applicant")]
    ParentMustSign,
    #[error("the mission does not offer this method")]
    MethodNotOffered,
    #[error("this payment method is not available yet")]
    PaymentUnavailable,
    #[error("the irreversibility of an emergency application must be confirmed")]
    IrreversibleUnconfirmed,
    #[error("not a certificate number")]
    CertificateFormat,
    #[error("not a check code")]
    CheckCodeFormat,
    #[error("where the applicant lives is outside the mission's consular district")]
    OutsideDistrict,
    #[error("where the applicant is now is outside the mission's consular district")]
    PresentOutsideDistrict,
}

impl ValidationError {
    /// Stable identifier of the error, used as the message catalog key and in JSON errors.
    pub fn code(self) -> &'static str {
        use ValidationError::*;
        match self {
            Required => "required",
            TooLong => "too_long",
            MobileFormat => "mobile_format",
            ForeignMobile => "foreign_mobile",
            EmailFormat => "email_format",
            AddressFormat => "address_format",
            ResidentIdLength => "resident_id_length",
            ResidentIdCharset => "resident_id_charset",
            ResidentIdRegion => "resident_id_region",
            ResidentIdBirthDate => "resident_id_birth_date",
            ResidentIdChecksum => "resident_id_checksum",
            PassportFormat => "passport_format",
            OfficialPassport => "official_passport",
            TravelDocFormat => "travel_doc_format",
            HomeReturnPermitFormat => "home_return_permit_format",
            TaiwanPermitFormat => "taiwan_permit_format",
            PinyinCharset => "pinyin_charset",
            PinyinLetterV => "pinyin_letter_v",
            PinyinNotStandard => "pinyin_not_standard",
            NameCharset => "name_charset",
            PasswordTooShort => "password_too_short",
            PasswordTooLong => "password_too_long",
            UnknownChoice => "unknown_choice",
            TextInvalid => "text_invalid",
            PhoneFormat => "phone_format",
            NotAMobile => "not_a_mobile",
            DateFormat => "date_format",
            DateNotPast => "date_not_past",
            ResidentIdMismatch => "resident_id_mismatch",
            NotUnder16 => "not_under_sixteen",
            ForeignNameOnlyTravelDocument => "foreign_name_only_travel_document",
            DocumentNumberFormat => "document_number_format",
            ParentMustSign => "parent_must_sign",
            MethodNotOffered => "method_not_offered",
            PaymentUnavailable => "payment_unavailable",
            IrreversibleUnconfirmed => "irreversible_unconfirmed",
            CertificateFormat => "certificate_format",
            CheckCodeFormat => "check_code_format",
            OutsideDistrict => "outside_district",
            PresentOutsideDistrict => "present_outside_district",
        }
    }

    /// Every variant, so catalogs can be checked for completeness.
    pub const ALL: [ValidationError; 40] = {
        use ValidationError::*;
        [
            Required,
            TooLong,
            MobileFormat,
            ForeignMobile,
            EmailFormat,
            AddressFormat,
            ResidentIdLength,
            ResidentIdCharset,
            ResidentIdRegion,
            ResidentIdBirthDate,
            ResidentIdChecksum,
            PassportFormat,
            OfficialPassport,
            TravelDocFormat,
            HomeReturnPermitFormat,
            TaiwanPermitFormat,
            PinyinCharset,
            PinyinLetterV,
            PinyinNotStandard,
            NameCharset,
            PasswordTooShort,
            PasswordTooLong,
            UnknownChoice,
            TextInvalid,
            PhoneFormat,
            NotAMobile,
            DateFormat,
            DateNotPast,
            ResidentIdMismatch,
            NotUnder16,
            ForeignNameOnlyTravelDocument,
            DocumentNumberFormat,
            ParentMustSign,
            MethodNotOffered,
            PaymentUnavailable,
            IrreversibleUnconfirmed,
            CertificateFormat,
            CheckCodeFormat,
            OutsideDistrict,
            PresentOutsideDistrict,
        ]
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_unique_and_snake_case() {
        let codes: HashSet<_> = ValidationError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), ValidationError::ALL.len());
        assert!(codes.iter().all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
    }
}
