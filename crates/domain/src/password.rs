//! The password policy: length only, no composition rules (NIST SP 800-63B).

use crate::error::ValidationError;
use std::fmt;

pub const MIN_PASSWORD_CHARS: usize = 8;
/// Caps hashing cost for hostile input; long passphrases still fit.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password that meets the policy. Its `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let chars = input.chars().count();
        if chars == 0 {
            Err(ValidationError::Required)
        } else if chars < MIN_PASSWORD_CHARS {
            Err(ValidationError::PasswordTooShort)
        } else if chars > MAX_PASSWORD_CHARS {
            Err(ValidationError::PasswordTooLong)
        } else {
            Ok(Self(input.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_the_only_rule() {
        assert!(Password::parse("abcdefgh").is_ok());
        assert!(Password::parse("密码密码密码密码").is_ok());
        assert_eq!(Password::parse("abcdefg").err(), Some(ValidationError::PasswordTooShort));
        assert_eq!(Password::parse("").err(), Some(ValidationError::Required));
        assert_eq!(Password::parse(&"a".repeat(129)).err(), Some(ValidationError::PasswordTooLong));
    }

    #[test]
    fn debug_does_not_reveal_it() {
        let p = Password::parse("correct horse").expect("valid");
        assert!(!format!("{p:?}").contains("horse"));
    }
}
