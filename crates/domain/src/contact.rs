//! Contact addresses an account registers with: a mainland mobile number or an e-mail.

use crate::error::ValidationError;
use crate::normalize::{all_digits, fold_identifier};
use crate::phone::PhoneNumber;
use serde::Serialize;
use std::fmt;

/// A mainland-China mobile number (`1[3-9]` + 9 digits), stored without the +86 prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CnMobile(String);

impl CnMobile {
    /// Accepts `13800138000`, `+86 138 0013 8000`, `0086-13800138000`, full-width digits.
    /// Any other international prefix is refused as [`ValidationError::ForeignMobile`]: the
    /// guide says foreign numbers cannot register yet.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let folded = fold_identifier(input).ok_or(ValidationError::TooLong)?;
        let folded = folded.replace(['(', ')', '.'], "");
        if folded.is_empty() {
            return Err(ValidationError::Required);
        }
        let international = folded.strip_prefix('+').or_else(|| folded.strip_prefix("00"));
        let national = match international {
            Some(rest) => rest.strip_prefix("86").ok_or(ValidationError::ForeignMobile)?,
            None => folded.as_str(),
        };
        let bytes = national.as_bytes();
        let valid = bytes.len() == 11 && all_digits(national) && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]);
        if valid { Ok(Self(national.to_owned())) } else { Err(ValidationError::MobileFormat) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`: what logs and staff screens may show.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }

    /// `+8613800138000`: the number as a gateway dials it (E.164).
    pub fn international(&self) -> String {
        format!("+86{}", self.0)
    }
}

impl fmt::Display for CnMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, lower-cased, at most 254 characters, with a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

const MAX_EMAIL: usize = 254;
const MAX_LOCAL_PART: usize = 64;

impl Email {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let trimmed: String = input.trim().chars().map(crate::normalize::fold_full_width).collect();
        if trimmed.is_empty() {
            return Err(ValidationError::Required);
        }
        if trimmed.len() > MAX_EMAIL {
            return Err(ValidationError::TooLong);
        }
        let (local, domain) = trimmed.split_once('@').ok_or(ValidationError::EmailFormat)?;
        let local_ok = !local.is_empty()
            && local.len() <= MAX_LOCAL_PART
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.bytes().all(is_local_part_byte);
        if local_ok && is_domain(domain) {
            Ok(Self(trimmed.to_ascii_lowercase()))
        } else {
            Err(ValidationError::EmailFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `z***@example.com`: what logs and staff screens may show.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first = local.chars().next().unwrap_or('*');
        format!("{first}***@{domain}")
    }
}

fn is_local_part_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b)
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let tld = labels.last().copied().unwrap_or("");
    labels.len() >= 2 && labels.iter().all(label_ok) && tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an applicant signs up and logs in with: one field that takes either kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactAddress {
    Mobile(CnMobile),
    Email(Email),
    /// A mobile number (any country) an account added for notifications: never a login, so
    /// [`ContactAddress::parse`] never gives one.
    Notify(PhoneNumber),
}

impl ContactAddress {
    /// An `@` means e-mail; otherwise a phone number. A foreign number keeps its specific
    /// error so the applicant learns to use e-mail instead.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        if input.trim().is_empty() {
            return Err(ValidationError::Required);
        }
        if input.contains('@') || input.contains('＠') {
            return Email::parse(&input.replace('＠', "@")).map(Self::Email);
        }
        match CnMobile::parse(input) {
            Ok(mobile) => Ok(Self::Mobile(mobile)),
            Err(ValidationError::MobileFormat) if !looks_like_phone(input) => Err(ValidationError::AddressFormat),
            Err(other) => Err(other),
        }
    }

    /// The canonical text stored and looked up: the bare mobile or the lower-cased e-mail.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Mobile(m) => m.as_str(),
            Self::Email(e) => e.as_str(),
            Self::Notify(n) => n.e164(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Self::Mobile(m) => m.masked(),
            Self::Email(e) => e.masked(),
            Self::Notify(n) => n.masked(),
        }
    }

    /// Where a message goes: the e-mail, or the mobile number in international form.
    pub fn recipient(&self) -> String {
        match self {
            Self::Mobile(m) => m.international(),
            Self::Email(e) => e.as_str().to_owned(),
            Self::Notify(n) => n.e164().to_owned(),
        }
    }

    /// `"mobile"` or `"email"`, as stored.
    pub fn channel(&self) -> &'static str {
        match self {
            Self::Mobile(_) | Self::Notify(_) => "mobile",
            Self::Email(_) => "email",
        }
    }
}

/// How an account is told of its orders (codes always go to the login address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyVia {
    /// The address the account signs in with.
    Login,
    /// The mobile number the account added.
    Mobile,
    Both,
}

impl NotifyVia {
    pub const ALL: [NotifyVia; 3] = [NotifyVia::Login, NotifyVia::Mobile, NotifyVia::Both];

    pub fn code(self) -> &'static str {
        match self {
            NotifyVia::Login => "login",
            NotifyVia::Mobile => "mobile",
            NotifyVia::Both => "both",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        match input.trim() {
            "" => Err(ValidationError::Required),
            code => Self::ALL.into_iter().find(|via| via.code() == code).ok_or(ValidationError::UnknownChoice),
        }
    }

    pub fn to_login(self) -> bool {
        matches!(self, NotifyVia::Login | NotifyVia::Both)
    }

    pub fn to_mobile(self) -> bool {
        matches!(self, NotifyVia::Mobile | NotifyVia::Both)
    }
}

fn looks_like_phone(input: &str) -> bool {
    input.chars().map(crate::normalize::fold_full_width).all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mainland_numbers_in_every_common_spelling_are_accepted() {
        for input in ["13800138000", "+86 138 0013 8000", "0086-13800138000", "１３８００１３８０００"] {
            assert_eq!(CnMobile::parse(input).map(|m| m.0), Ok("13800138000".into()), "{input}");
        }
    }

    #[test]
    fn foreign_numbers_are_refused_with_their_own_error() {
        assert_eq!(CnMobile::parse("+32 470 12 34 56"), Err(ValidationError::ForeignMobile));
        assert_eq!(CnMobile::parse("0032470123456"), Err(ValidationError::ForeignMobile));
        assert_eq!(ContactAddress::parse("+32470123456"), Err(ValidationError::ForeignMobile));
    }

    #[test]
    fn wrong_mainland_shapes_are_refused() {
        for input in ["12800138000", "1380013800", "138001380001", "1380013800a"] {
            assert_eq!(CnMobile::parse(input), Err(ValidationError::MobileFormat), "{input}");
        }
    }

    #[test]
    fn mobile_is_masked_for_display() {
        assert_eq!(CnMobile::parse("13800138000").map(|m| m.masked()), Ok("138****8000".into()));
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(Email::parse(" Zhang.San@Example.BE ").map(|e| e.0), Ok("zhang.san@example.be".into()));
        for bad in ["a@b", "a@@b.com", "a b@c.com", "@c.com", "a@-c.com", "a@c.c0m", "a..b@c.com", "a@c..com"] {
            assert_eq!(Email::parse(bad), Err(ValidationError::EmailFormat), "{bad}");
        }
        assert_eq!(Email::parse(&format!("{}@example.com", "a".repeat(250))), Err(ValidationError::TooLong));
    }

    #[test]
    fn contact_address_picks_the_kind_from_the_input() {
        assert!(matches!(ContactAddress::parse("zs@example.com"), Ok(ContactAddress::Email(_))));
        assert!(matches!(ContactAddress::parse("13800138000"), Ok(ContactAddress::Mobile(_))));
        assert_eq!(ContactAddress::parse("zhangsan"), Err(ValidationError::AddressFormat));
        assert_eq!(ContactAddress::parse("   "), Err(ValidationError::Required));
    }

    proptest! {
        #[test]
        fn contact_parsing_never_panics(input in "\\PC{0,300}") {
            let _ = ContactAddress::parse(&input);
        }

        #[test]
        fn every_valid_mobile_round_trips(second in 3u8..=9, rest in "[0-9]{9}") {
            let number = format!("1{second}{rest}");
            prop_assert_eq!(CnMobile::parse(&format!("+86{number}")).map(|m| m.0), Ok(number));
        }
    }
}
