//! DKIM signatures (RFC 6376) on outgoing mail, so that receiving servers can tell the
//! mission's mail from forgeries: RSA-SHA256 by lettre's signer over `From`, `To`, `Subject`,
//! `Date`, `Message-ID` and `Auto-Submitted`, relaxed canonicalization for header and body.
//! The public half is published as a TXT record at `<selector>._domainkey.<domain>`.

use lettre::Message;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use lettre::message::header::HeaderName;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;

/// Why a DKIM key was not taken. Carries nothing of the key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DkimError {
    #[error("the key file cannot be read")]
    Unreadable,
    #[error("the key is not an RSA private key in PEM (PKCS#1 or PKCS#8)")]
    NotAnRsaKey,
    #[error("the domain and the selector must be DNS labels")]
    BadName,
}

/// Signs mail for one domain with one key.
pub struct DkimSigner {
    config: DkimConfig,
}

const SIGNED_HEADERS: [&str; 6] = ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted"];

impl DkimSigner {
    /// A signer for `domain` with the key published under `selector`; `pem` is the RSA private
    /// key (`BEGIN RSA PRIVATE KEY` or `BEGIN PRIVATE KEY`).
    pub fn from_pem(domain: &str, selector: &str, pem: &str) -> Result<Self, DkimError> {
        let label = |name: &str| {
            !name.is_empty()
                && name
                    .split('.')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        };
        if !label(domain) || !label(selector) {
            return Err(DkimError::BadName);
        }
        let pkcs1 = if pem.contains("BEGIN RSA PRIVATE KEY") {
            pem.to_owned()
        } else {
            let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| DkimError::NotAnRsaKey)?;
            key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).map_err(|_| DkimError::NotAnRsaKey)?.to_string()
        };
        let key = DkimSigningKey::new(&pkcs1, DkimSigningAlgorithm::Rsa).map_err(|_| DkimError::NotAnRsaKey)?;
        let headers = SIGNED_HEADERS.map(HeaderName::new_from_ascii_str).to_vec();
        let canonicalization =
            DkimCanonicalization { header: DkimCanonicalizationType::Relaxed, body: DkimCanonicalizationType::Relaxed };
        Ok(Self { config: DkimConfig::new(selector.to_owned(), domain.to_owned(), key, headers, canonicalization) })
    }

    /// Reads the key from `path`.
    pub fn from_file(domain: &str, selector: &str, path: &std::path::Path) -> Result<Self, DkimError> {
        let pem = std::fs::read_to_string(path).map_err(|_| DkimError::Unreadable)?;
        Self::from_pem(domain, selector, &pem)
    }

    /// Adds the `DKIM-Signature` header.
    pub fn sign(&self, message: &mut Message) {
        message.sign(&self.config);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_key_or_a_name_is_refused() {
        assert_eq!(DkimSigner::from_pem("lingshi.test", "mail", "not a key").err(), Some(DkimError::NotAnRsaKey));
        assert_eq!(DkimSigner::from_pem("lingshi test", "mail", "").err(), Some(DkimError::BadName));
        assert_eq!(DkimSigner::from_pem("lingshi.test", "", "").err(), Some(DkimError::BadName));
    }
}
