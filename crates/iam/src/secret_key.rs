//! The server's secret key, which encrypts the secrets Gatehouse must be able to read back (TOTP
//! seeds) with AES-256-GCM. A sealed value is a fresh random 96-bit nonce followed by the
//! ciphertext and tag; the caller's associated data (e.g. the MFA device's serial number) binds it
//! to its row, so a ciphertext copied to another row does not open. Each sealed value is stored
//! with the key's ID, so the key can be rotated: the previous keys stay able to open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

const NONCE_LEN: usize = 12;

/// A 256-bit key. Its bytes never appear in `Debug` output.
#[derive(Clone)]
pub struct SecretKey {
    key: [u8; 32],
    id: String,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SecretKey {
    /// A new random key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self::from_bytes(key)
    }

    pub fn from_bytes(key: [u8; 32]) -> Self {
        // The ID is a short digest of the key: it tells keys apart without revealing them.
        let digest = Sha256::digest([b"gatehouse-secret-key-id:".as_slice(), &key].concat());
        let id = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Self { key, id }
    }

    /// Reads a key written as 64 hexadecimal digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self> {
        let text = text.trim();
        let invalid = || Error::Invalid {
            field: "secret key",
            reason: "must be 64 hexadecimal digits (32 bytes)".into(),
        };
        if text.len() != 64 || !text.is_ascii() {
            return Err(invalid());
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| invalid())?;
        }
        Ok(Self::from_bytes(key))
    }

    /// The key as 64 hexadecimal digits, for writing it to its file.
    pub fn to_hex(&self) -> String {
        self.key.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.key))
    }

    pub(crate) fn seal(&self, plaintext: &[u8], associated: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: associated,
                },
            )
            .map_err(|_| Error::Internal("encryption failed".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    pub(crate) fn open(&self, sealed: &[u8], associated: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return Err(Error::Internal("a sealed secret is too short".into()));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: associated,
                },
            )
            .map_err(|_| Error::Internal("a sealed secret does not open with its key".into()))
    }
}

/// The current key, which seals, and earlier ones that still open what they sealed.
#[derive(Clone, Debug)]
pub struct SecretKeys {
    current: SecretKey,
    previous: Vec<SecretKey>,
}

impl SecretKeys {
    pub fn new(current: SecretKey, previous: Vec<SecretKey>) -> Self {
        Self { current, previous }
    }

    pub fn current(&self) -> &SecretKey {
        &self.current
    }

    /// The key with this ID, current or previous.
    pub(crate) fn by_id(&self, id: &str) -> Result<&SecretKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| {
                Error::Internal(format!("a secret was sealed with key {id}, which is not configured").into())
            })
    }
}

impl Default for SecretKeys {
    /// A random key that lives as long as the process: for tests. A deployment configures its
    /// key (the server keeps one in its data directory).
    fn default() -> Self {
        Self::new(SecretKey::generate(), Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_associated_data() {
        let key = SecretKey::generate();
        let sealed = key.seal(b"seed", b"arn:aws:iam::123456789012:mfa/a").unwrap();
        assert_ne!(&sealed[NONCE_LEN..], b"seed".as_slice());
        assert_eq!(
            key.open(&sealed, b"arn:aws:iam::123456789012:mfa/a").unwrap(),
            b"seed"
        );
        assert!(key.open(&sealed, b"arn:aws:iam::123456789012:mfa/b").is_err());
        assert!(SecretKey::generate()
            .open(&sealed, b"arn:aws:iam::123456789012:mfa/a")
            .is_err());
        // Two seals of one value differ (fresh nonces).
        assert_ne!(
            sealed,
            key.seal(b"seed", b"arn:aws:iam::123456789012:mfa/a").unwrap()
        );
    }

    #[test]
    fn keys_round_trip_through_hex_and_previous_keys_still_open() {
        let old = SecretKey::generate();
        let again = SecretKey::from_hex(&old.to_hex()).unwrap();
        assert_eq!(old.id(), again.id());
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(SecretKey::from_hex(&"g".repeat(64)).is_err());
        let keys = SecretKeys::new(SecretKey::generate(), vec![old.clone()]);
        assert_eq!(keys.by_id(old.id()).unwrap().id(), old.id());
        assert!(keys.by_id("000000000000").is_err());
        assert!(!format!("{keys:?}").contains(&old.to_hex()));
    }
}
