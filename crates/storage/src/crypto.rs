//! Encryption of sensitive fields at rest and blind indexes for looking them up.
//!
//! One 32-byte master key is stretched with HKDF-SHA256 into two independent subkeys: one
//! for AES-256-GCM (field encryption) and one for HMAC-SHA256 (blind indexes). A ciphertext
//! is `version(1) ‖ nonce(12) ‖ ciphertext ‖ tag(16)`; its associated data is the field's
//! name (`accounts.id_number`…), so a ciphertext moved to another column fails to decrypt.

use crate::error::StorageError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{hkdf, hmac};
use std::fmt;
use std::path::Path;

const FORMAT_VERSION: u8 = 1;
const ENCRYPTION_INFO: &[u8] = b"lingshi field encryption v1";
const INDEX_INFO: &[u8] = b"lingshi blind index v1";

/// The master secret all field keys derive from. Never printed.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

/// Why a master key could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the key must be 32 bytes in standard base64 (44 characters)")]
    Malformed,
    #[error("the key file could not be read or written: {0}")]
    Io(#[from] std::io::Error),
    #[error("the system random generator failed")]
    Random,
}

impl MasterKey {
    /// Parses a key given as standard base64 of 32 bytes (e.g. from `LINGSHI_MASTER_KEY`).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = BASE64.decode(text.trim()).map_err(|_| KeyError::Malformed)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(Self(key))
    }

    pub fn generate() -> Result<Self, KeyError> {
        let mut key = [0u8; 32];
        SystemRandom::new().fill(&mut key).map_err(|_| KeyError::Random)?;
        Ok(Self(key))
    }

    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Reads the key stored at `path`, or generates one and stores it there with mode 0600:
    /// the embedded default, so a fresh machine needs no setup.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        match Self::read(path) {
            Err(KeyError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate()?;
                key.save_new(path)?;
                Ok(key)
            }
            other => other,
        }
    }

    /// Reads the key stored at `path`.
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        Self::from_base64(&std::fs::read_to_string(path)?)
    }

    /// Stores the key in a new file at `path`, readable by its owner only.
    pub fn save_new(&self, path: &Path) -> Result<(), KeyError> {
        Ok(write_private_file(path, self.to_base64().as_bytes())?)
    }

    /// Whether both are the same key.
    pub fn same_as(&self, other: &MasterKey) -> bool {
        self.0 == other.0
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Encrypts, decrypts and blind-indexes sensitive values with keys derived from one
/// [`MasterKey`].
pub struct Vault {
    aead: LessSafeKey,
    index_key: hmac::Key,
    random: SystemRandom,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault(..)")
    }
}

struct KeyLength(usize);

impl hkdf::KeyType for KeyLength {
    fn len(&self) -> usize {
        self.0
    }
}

fn derive(master: &MasterKey, info: &[u8]) -> [u8; 32] {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"lingshi").extract(&master.0);
    let mut out = [0u8; 32];
    // Expanding 32 bytes from SHA-256 HKDF cannot fail (the limit is 255 × 32).
    if let Ok(okm) = prk.expand(&[info], KeyLength(32)) {
        let _ = okm.fill(&mut out);
    }
    out
}

impl Vault {
    pub fn new(master: &MasterKey) -> Self {
        let encryption_key = derive(master, ENCRYPTION_INFO);
        let unbound = UnboundKey::new(&AES_256_GCM, &encryption_key);
        let aead = LessSafeKey::new(unbound.unwrap_or_else(|_| unreachable!("32 bytes is AES-256's key length")));
        Self {
            aead,
            index_key: hmac::Key::new(hmac::HMAC_SHA256, &derive(master, INDEX_INFO)),
            random: SystemRandom::new(),
        }
    }

    /// Encrypts `plaintext` for the field named `field`, with a fresh random nonce.
    pub fn encrypt(&self, field: &str, plaintext: &[u8]) -> Result<Vec<u8>, StorageError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random.fill(&mut nonce).map_err(|_| StorageError::Crypto)?;
        let mut sealed = plaintext.to_vec();
        self.aead
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(field.as_bytes()), &mut sealed)
            .map_err(|_| StorageError::Crypto)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`encrypt`](Self::encrypt) produced for the same `field`.
    pub fn decrypt(&self, field: &str, data: &[u8]) -> Result<Vec<u8>, StorageError> {
        let (&version, rest) = data.split_first().ok_or(StorageError::Crypto)?;
        if version != FORMAT_VERSION || rest.len() < NONCE_LEN {
            return Err(StorageError::Crypto);
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| StorageError::Crypto)?;
        let mut buffer = sealed.to_vec();
        let plain = self
            .aead
            .open_in_place(nonce, Aad::from(field.as_bytes()), &mut buffer)
            .map_err(|_| StorageError::Crypto)?;
        Ok(plain.to_vec())
    }

    pub fn encrypt_str(&self, field: &str, plaintext: &str) -> Result<Vec<u8>, StorageError> {
        self.encrypt(field, plaintext.as_bytes())
    }

    pub fn decrypt_string(&self, field: &str, data: &[u8]) -> Result<String, StorageError> {
        String::from_utf8(self.decrypt(field, data)?).map_err(|_| StorageError::Crypto)
    }

    /// A keyed hash of `value` for equality lookups on an encrypted field, separated by
    /// `field` so equal values in different fields do not match.
    pub fn blind_index(&self, field: &str, value: &str) -> Vec<u8> {
        hmac::sign(&self.index_key, &index_message(field, value)).as_ref().to_vec()
    }

    /// Whether `expected` is the blind index of `value`, compared in constant time.
    pub fn matches_blind_index(&self, field: &str, value: &str, expected: &[u8]) -> bool {
        hmac::verify(&self.index_key, &index_message(field, value), expected).is_ok()
    }
}

/// The encryption context of a field sealed per row (`prefix/row`): a value copied to
/// another row fails to open.
pub(crate) fn row_field(prefix: &str, row: &str) -> String {
    format!("{prefix}/{row}")
}

/// A master-key rotation in progress: values sealed under the old key are opened and sealed
/// again under the new one; values already under the new key are left alone, so a rotation
/// interrupted anywhere can simply be run again.
#[derive(Debug, Clone, Copy)]
pub struct KeyChange<'a> {
    pub old: &'a Vault,
    pub new: &'a Vault,
}

impl KeyChange<'_> {
    /// `None` when `data` is already sealed under the new key, else `data` sealed again under
    /// it; [`StorageError::Crypto`] when neither key opens it.
    pub fn reseal(&self, field: &str, data: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.stale_plaintext(field, data)?.map(|plain| self.new.encrypt(field, &plain)).transpose()
    }

    /// The plaintext of `data` if it is still sealed under the old key; `None` when it is
    /// under the new one; [`StorageError::Crypto`] when neither key opens it.
    pub fn stale_plaintext(&self, field: &str, data: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        if self.new.decrypt(field, data).is_ok() {
            return Ok(None);
        }
        self.old.decrypt(field, data).map(Some)
    }
}

fn index_message(field: &str, value: &str) -> Vec<u8> {
    let mut message = Vec::with_capacity(field.len() + 1 + value.len());
    message.extend_from_slice(field.as_bytes());
    message.push(0);
    message.extend_from_slice(value.as_bytes());
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::new(&MasterKey([7; 32]))
    }

    #[test]
    fn round_trip_and_randomised_nonces() {
        let v = vault();
        let a = v.encrypt_str("accounts.id_number", "E12345678").expect("encrypt");
        let b = v.encrypt_str("accounts.id_number", "E12345678").expect("encrypt");
        assert_ne!(a, b);
        assert!(!a.windows(9).any(|w| w == b"E12345678"));
        assert_eq!(v.decrypt_string("accounts.id_number", &a).expect("decrypt"), "E12345678");
    }

    #[test]
    fn a_ciphertext_moved_to_another_field_or_tampered_fails() {
        let v = vault();
        let mut sealed = v.encrypt_str("accounts.id_number", "E12345678").expect("encrypt");
        assert!(v.decrypt("accounts.real_name", &sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(v.decrypt("accounts.id_number", &sealed).is_err());
        assert!(v.decrypt("accounts.id_number", &[]).is_err());
    }

    #[test]
    fn blind_indexes_are_deterministic_per_field_and_key() {
        let v = vault();
        assert_eq!(v.blind_index("f", "x"), v.blind_index("f", "x"));
        assert_ne!(v.blind_index("f", "x"), v.blind_index("g", "x"));
        assert_ne!(v.blind_index("f", "x"), Vault::new(&MasterKey([8; 32])).blind_index("f", "x"));
        assert!(v.matches_blind_index("f", "x", &v.blind_index("f", "x")));
        assert!(!v.matches_blind_index("f", "y", &v.blind_index("f", "x")));
    }

    #[test]
    fn a_key_change_reseals_old_values_once_and_refuses_strangers() {
        let (old, new) = (vault(), Vault::new(&MasterKey([9; 32])));
        let change = KeyChange { old: &old, new: &new };
        let old = change.old.encrypt_str("f", "secret").expect("encrypt");
        let resealed = change.reseal("f", &old).expect("reseal").expect("was under the old key");
        assert_eq!(change.new.decrypt_string("f", &resealed).expect("new key opens it"), "secret");
        assert!(change.old.decrypt("f", &resealed).is_err(), "the old key no longer opens it");
        assert!(change.reseal("f", &resealed).expect("reseal").is_none(), "already under the new key");
        assert_eq!(change.stale_plaintext("f", &old).expect("open").as_deref(), Some(&b"secret"[..]));
        let stranger = Vault::new(&MasterKey([1; 32])).encrypt_str("f", "x").expect("encrypt");
        assert!(change.reseal("f", &stranger).is_err());
    }

    #[test]
    fn keys_round_trip_through_base64_and_files() {
        let dir = std::env::temp_dir().join(format!("lingshi-key-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("master.key");
        let created = MasterKey::load_or_create(&path).expect("create");
        let loaded = MasterKey::load_or_create(&path).expect("load");
        assert_eq!(created.0, loaded.0);
        assert!(matches!(MasterKey::from_base64("short"), Err(KeyError::Malformed)));
        let _ = std::fs::remove_dir_all(dir);
    }
}
