//! The RSA keys of a payment protocol: the merchant's private key (signs requests) and the
//! provider's public keys (verify answers and notifications), read from PEM files. Signing
//! and verifying are ring's (RSASSA-PKCS1-v1_5 with SHA-256, the `SHA256withRSA` both
//! providers name); the `rsa` crate only reads key files and makes the simulators' keys.
//! Neither key ever appears in `Debug` output or logs.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use std::sync::Arc;

/// Why a key could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

impl From<&str> for KeyError {
    fn from(reason: &str) -> Self {
        Self(reason.to_owned())
    }
}

/// A private key that signs (the merchant's, or a simulator's).
#[derive(Clone)]
pub struct SigningKey(Arc<RsaKeyPair>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(redacted)")
    }
}

impl SigningKey {
    /// Reads a PKCS#8 (`BEGIN PRIVATE KEY`, as merchant platforms issue) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`) PEM key of at least 2048 bits.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|_| KeyError("not an RSA private key in PEM (PKCS#8 or PKCS#1)".into()))?;
        let der = key.to_pkcs8_der().map_err(|_| KeyError("the private key cannot be re-encoded".into()))?;
        let pair = RsaKeyPair::from_pkcs8(der.as_bytes())
            .map_err(|e| KeyError(format!("the private key is not usable for signing: {e}")))?;
        if pair.public().modulus_len() < 256 {
            return Err(KeyError("the private key is shorter than 2048 bits".into()));
        }
        Ok(Self(Arc::new(pair)))
    }

    /// A new 2048-bit key and its public half (for simulators and tests; takes a moment).
    pub fn generate() -> Result<(Self, VerifyingKey, String), KeyError> {
        let (pem, public_pem) = generate_pem()?;
        Ok((Self::from_pem(&pem)?, VerifyingKey::from_pem(&public_pem)?, public_pem))
    }

    /// The base64 SHA256withRSA signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<String, KeyError> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(&signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), message, &mut signature)
            .map_err(|_| KeyError("signing failed".into()))?;
        Ok(STANDARD.encode(signature))
    }
}

/// A new 2048-bit key pair as PEM files would hold them: PKCS#8 private, SPKI public.
pub fn generate_pem() -> Result<(String, String), KeyError> {
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|e| KeyError(format!("cannot make a key: {e}")))?;
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|_| KeyError("cannot encode the key".into()))?;
    let public_pem = rsa::RsaPublicKey::from(&key)
        .to_public_key_pem(LineEnding::LF)
        .map_err(|_| KeyError("cannot encode the public key".into()))?;
    Ok((pem.to_string(), public_pem))
}

/// A public key that verifies (the provider's, or the merchant's in a simulator).
#[derive(Clone)]
pub struct VerifyingKey(Arc<Vec<u8>>);

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifyingKey(..)")
    }
}

impl VerifyingKey {
    /// Reads a `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or `BEGIN RSA PUBLIC KEY` PEM key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = rsa::RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem))
            .map_err(|_| KeyError("not an RSA public key in PEM".into()))?;
        let der = key.to_pkcs1_der().map_err(|_| KeyError("the public key cannot be re-encoded".into()))?;
        Ok(Self(Arc::new(der.as_bytes().to_vec())))
    }

    /// Whether `signature_base64` is this key's SHA256withRSA signature of `message`.
    pub fn verify(&self, message: &[u8], signature_base64: &str) -> bool {
        let Ok(signature) = STANDARD.decode(signature_base64.trim()) else { return false };
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, self.0.as_slice())
            .verify(message, &signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_own_public_key_only() {
        let (key, public, pem) = SigningKey::generate().expect("key");
        let (_, other, _) = SigningKey::generate().expect("other key");
        let signature = key.sign(b"POST\n/v3/x\n1\nn\n{}\n").expect("sign");
        assert!(public.verify(b"POST\n/v3/x\n1\nn\n{}\n", &signature));
        assert!(!public.verify(b"POST\n/v3/x\n1\nn\n{ }\n", &signature), "another message");
        assert!(!other.verify(b"POST\n/v3/x\n1\nn\n{}\n", &signature), "another key");
        assert!(!public.verify(b"x", "not base64!"));
        assert!(VerifyingKey::from_pem(&pem).is_ok());
        assert!(format!("{key:?}").contains("redacted"));
        assert!(SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").is_err());
    }
}
