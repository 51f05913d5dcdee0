//! Console passwords: argon2id hashing and generated passwords. Hashing and verification run on
//! tokio's blocking pool so they never stall the async runtime. A dummy hash is verified when the
//! account or user does not exist, so a failed sign-in costs the same whatever was wrong.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

use crate::{Error, Result};

/// The argon2id cost. The default is OWASP's minimum (m=19 MiB, t=2, p=1), the figure PRODUCT.md
/// §5 sets as the floor.
#[derive(Clone, Copy, Debug)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Clone)]
pub struct Passwords {
    argon: Argon2<'static>,
    dummy_hash: String,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").finish_non_exhaustive()
    }
}

impl Passwords {
    /// Builds the hasher and its dummy hash. This hashes once, so call it at start-up.
    pub fn new(cost: HashCost) -> Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| Error::Internal(e.to_string().into()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy: String = rand::thread_rng()
            .sample_iter(rand::distributions::Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        let dummy_hash = hash_with(&argon, &dummy)?;
        Ok(Self { argon, dummy_hash })
    }

    pub async fn hash(&self, password: &SecretString) -> Result<String> {
        let argon = self.argon.clone();
        let password = SecretString::from(password.expose_secret().to_owned());
        tokio::task::spawn_blocking(move || hash_with(&argon, password.expose_secret()))
            .await
            .map_err(Error::internal)?
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no stored
    /// hash (unknown account or user), so that both paths do the same work. Returns whether it matched.
    pub async fn verify(&self, password: &SecretString, stored: Option<&str>) -> bool {
        let argon = self.argon.clone();
        let password = SecretString::from(password.expose_secret().to_owned());
        let real = stored.is_some();
        let hash = stored.unwrap_or(&self.dummy_hash).to_owned();
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    argon
                        .verify_password(password.expose_secret().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        real && matched
    }
}

fn hash_with(argon: &Argon2<'_>, password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(e.to_string().into()))
}

/// A random password for a new user or root: 20 characters with every character class, drawn
/// from a CSPRNG. Such passwords are shown once and must be changed at first sign-in.
pub fn generate_password() -> SecretString {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"!@#$%^&*()-_=+[]{}";
    let mut rng = rand::rngs::OsRng;
    let all: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].concat();
    let mut chars: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS]
        .iter()
        .map(|class| class[rng.gen_range(0..class.len())])
        .collect();
    chars.extend((0..16).map(|_| all[rng.gen_range(0..all.len())]));
    for i in (1..chars.len()).rev() {
        chars.swap(i, rng.gen_range(0..=i));
    }
    SecretString::from(String::from_utf8_lossy(&chars).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> Passwords {
        Passwords::new(HashCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn hash_then_verify_accepts_only_the_same_password() {
        let p = fast();
        let hash = p
            .hash(&SecretString::from("correct horse battery"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            p.verify(&SecretString::from("correct horse battery"), Some(&hash))
                .await
        );
        assert!(
            !p.verify(&SecretString::from("correct horse batter"), Some(&hash))
                .await
        );
    }

    #[tokio::test]
    async fn verify_without_stored_hash_never_matches() {
        let p = fast();
        assert!(!p.verify(&SecretString::from(""), None).await);
        assert!(!p.verify(&SecretString::from("anything"), None).await);
    }

    #[test]
    fn default_cost_meets_owasp_minimum() {
        let c = HashCost::default();
        assert!(c.memory_kib >= 19_456 && c.iterations >= 2 && c.parallelism >= 1);
    }

    #[test]
    fn generated_passwords_meet_the_rules_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.expose_secret().chars().count(), 20);
        assert!(crate::PasswordPolicy {
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            ..Default::default()
        }
        .check(&a, &[])
        .is_ok());
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(a.expose_secret().chars().any(|c| c.is_ascii_digit()));
        assert!(a.expose_secret().chars().any(|c| c.is_ascii_uppercase()));
    }
}
