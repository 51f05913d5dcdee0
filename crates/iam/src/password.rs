//! Console passwords: argon2id hashing and generated passwords. Hashing and verification run on
//! threads of their own, one per core, that take queued requests in turn: more would not hash
//! faster, only hold 19 MiB each and take the cores from everything else, so a burst of sign-ins
//! queues (cheaply, as waiting tasks) instead of starving console pages or the async runtime. A
//! dummy hash is verified when the account or user does not exist, so a failed sign-in costs the
//! same whatever was wrong.
//!
//! A hashing thread that finishes one request starts the next queued one at once, with no hand-off
//! through the async runtime: on a machine whose cores are all busy, waking a task to release a
//! slot and then another thread to take it left the slot idle for scheduler time slices.
//!
//! Each thread keeps its argon2 memory (19 MiB, for the life of the process) and verifies in it,
//! instead of allocating a fresh buffer per call: a fresh buffer is mapped from the system and
//! faulted in page by page, which costs a tenth of a verification's time.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use std::sync::{mpsc, Arc, Mutex};

use crate::{Error, Result};

/// The argon2id cost. The default is OWASP's minimum (m=19 MiB, t=2, p=1), the figure PRODUCT.md
/// §5 sets as the floor.
#[derive(Clone, Copy, Debug)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl HashCost {
    /// The cheapest cost, for test suites only, which hash thousands of passwords: the shipped
    /// cost is `HashCost::default()` (tested in this module), and nothing lets a deployment
    /// configure this one.
    pub const FOR_TESTS: Self = Self {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
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

/// Work for a hashing thread, given the thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

#[derive(Clone)]
pub struct Passwords {
    argon: Argon2<'static>,
    dummy_hash: String,
    /// The queue of the hashing threads; they stop once every clone of it is dropped.
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").finish_non_exhaustive()
    }
}

impl Passwords {
    /// Builds the hasher and its dummy hash, with as many hashing threads as the machine has
    /// cores. This hashes once, so call it at start-up.
    pub fn new(cost: HashCost) -> Result<Self> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::with_concurrency(cost, cores)
    }

    /// As `new`, with `concurrency` hashing threads (at least one).
    pub fn with_concurrency(cost: HashCost, concurrency: usize) -> Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| Error::Internal(e.to_string().into()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy: String = rand::thread_rng()
            .sample_iter(rand::distributions::Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        let dummy_hash = hash_with(&argon, &dummy)?;
        Ok(Self {
            argon,
            dummy_hash,
            jobs: start_hashing_threads(concurrency.max(1))?,
        })
    }

    /// Runs one hash computation on the next free hashing thread, after those queued before it.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |memory| {
                // The caller may have gone (a closed connection): then nobody needs the answer.
                let _ = done.send(work(memory));
            }))
            .map_err(|_| Error::Internal("the password hashing threads have stopped".into()))?;
        result
            .await
            .map_err(|_| Error::Internal("a password hashing thread failed".into()))
    }

    pub async fn hash(&self, password: &SecretString) -> Result<String> {
        let argon = self.argon.clone();
        let password = SecretString::from(password.expose_secret().to_owned());
        self.run(move |_| hash_with(&argon, password.expose_secret()))
            .await?
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no stored
    /// hash (unknown account or user), so that both paths do the same work. Returns whether it matched.
    pub async fn verify(&self, password: &SecretString, stored: Option<&str>) -> bool {
        let password = SecretString::from(password.expose_secret().to_owned());
        let real = stored.is_some();
        let hash = stored.unwrap_or(&self.dummy_hash).to_owned();
        let matched = self
            .run(move |memory| verify_reusing(password.expose_secret().as_bytes(), &hash, memory))
            .await
            .unwrap_or(false);
        real && matched
    }
}

/// Starts `count` hashing threads that take jobs from one queue until every sender is dropped.
/// A job that panics fails only its own request (its answer channel closes).
fn start_hashing_threads(count: usize) -> Result<mpsc::Sender<Job>> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    for n in 0..count {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                let mut memory = Vec::new();
                loop {
                    let next = lock(&receiver).recv();
                    let Ok(job) = next else { return };
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
                }
            })
            .map_err(Error::internal)?;
    }
    Ok(sender)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether `password` matches the PHC string `stored`, computed with the parameters the string
/// names in `blocks` (resized only when those parameters need another size). The comparison of
/// the outputs takes constant time.
fn verify_reusing(password: &[u8], stored: &str, blocks: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed))
    else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    blocks.resize(params.block_count(), Block::default());
    let mut output = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    argon
        .hash_password_into_with_memory(password, salt, &mut output, blocks.as_mut_slice())
        .is_ok()
        && argon2::password_hash::Output::new(&output).is_ok_and(|computed| computed == expected)
}

/// This machine's raw rate of password verifications per second with `cost`, on `threads`
/// threads at once for `duration`: the ceiling that sign-in throughput is measured against
/// (`gatehouse hash-rate`, scripts/bench-signin.sh). Blocks the calling thread.
pub fn measure_verify_rate(cost: HashCost, threads: usize, duration: std::time::Duration) -> Result<f64> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| Error::Internal(e.to_string().into()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let password = "correct horse battery staple";
    let stored = hash_with(&argon, password)?;
    let started = std::time::Instant::now();
    // Each thread verifies as a sign-in does, in memory it keeps: the best this machine can do.
    let done: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0usize;
                    let mut blocks = Vec::new();
                    while started.elapsed() < duration {
                        if verify_reusing(password.as_bytes(), &stored, &mut blocks) {
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    Ok(done as f64 / started.elapsed().as_secs_f64())
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

    const FAST: HashCost = HashCost::FOR_TESTS;

    fn fast() -> Passwords {
        Passwords::new(FAST).unwrap()
    }

    fn one_thread() -> Passwords {
        Passwords::with_concurrency(FAST, 1).unwrap()
    }

    #[tokio::test]
    async fn hashes_wait_for_a_free_hashing_thread_and_then_run() {
        let p = one_thread();
        let hash = p
            .hash(&SecretString::from("correct horse battery"))
            .await
            .unwrap();
        // The only hashing thread is busy: a verification waits, however long, until it is free.
        let (release, held) = mpsc::channel::<()>();
        let busy = {
            let p = p.clone();
            tokio::spawn(async move { p.run(move |_| held.recv().is_ok()).await })
        };
        let waiting = {
            let p = p.clone();
            tokio::spawn(async move {
                p.verify(&SecretString::from("correct horse battery"), Some(&hash))
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(!waiting.is_finished());
        release.send(()).unwrap();
        assert!(busy.await.unwrap().unwrap());
        assert!(waiting.await.unwrap());
    }

    #[tokio::test]
    async fn a_job_that_panics_fails_alone_and_the_thread_goes_on() {
        let p = one_thread();
        let failed = p.run(|_| -> bool { panic!("a job that fails") }).await;
        assert!(matches!(failed, Err(Error::Internal(_))), "{failed:?}");
        let hash = p.hash(&SecretString::from("still hashing")).await.unwrap();
        assert!(p.verify(&SecretString::from("still hashing"), Some(&hash)).await);
    }

    #[test]
    fn verifying_in_reused_memory_agrees_with_argon2_whatever_the_stored_cost() {
        use argon2::password_hash::PasswordVerifier as _;
        let mut blocks = Vec::new();
        for (memory_kib, iterations) in [(1024, 1), (2048, 2), (1024, 3)] {
            let argon = Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(memory_kib, iterations, 1, None).unwrap(),
            );
            let stored = hash_with(&argon, "correct horse battery").unwrap();
            let parsed = PasswordHash::new(&stored).unwrap();
            for attempt in ["correct horse battery", "correct horse batterY", ""] {
                assert_eq!(
                    verify_reusing(attempt.as_bytes(), &stored, &mut blocks),
                    argon.verify_password(attempt.as_bytes(), &parsed).is_ok(),
                    "{attempt:?} against m={memory_kib} t={iterations}"
                );
            }
            assert_eq!(
                blocks.len(),
                memory_kib as usize,
                "the buffer follows the stored cost"
            );
        }
        let other = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(1024, 1, 1, None).unwrap(),
        );
        let stored = hash_with(&other, "pw").unwrap();
        assert!(
            verify_reusing(b"pw", &stored, &mut blocks),
            "algorithm and version come from the hash"
        );
        assert!(!verify_reusing(b"pw", "not a hash", &mut blocks));
        assert!(!verify_reusing(
            b"pw",
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ",
            &mut blocks
        ));
    }

    #[test]
    fn the_raw_rate_is_measured() {
        let rate =
            measure_verify_rate(HashCost::FOR_TESTS, 2, std::time::Duration::from_millis(200)).unwrap();
        assert!(rate > 0.0);
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
