//! Password hashing with argon2id: parameters at or above OWASP's floor, at most a fixed
//! number of hashes at once, on threads of their own, and the same cost for unknown users.
//!
//! Hashes run on `concurrency` dedicated threads, and each thread keeps its argon2
//! memory (19 MiB at the floor) from one hash to the next. Letting argon2 allocate it
//! per hash, on tokio's blocking pool, once held a gigabyte under a login flood: the
//! allocator kept freed 19 MiB blocks in every arena the hashes wandered through. Now
//! hashing holds exactly `concurrency` x the memory cost.

use std::cell::RefCell;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use quill_domain::Password;
use tokio::sync::Semaphore;

/// argon2id cost. `PasswordPolicy::OWASP_FLOOR` is the least Quill accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl PasswordPolicy {
    /// OWASP's Password Storage Cheat Sheet minimum for argon2id.
    pub const OWASP_FLOOR: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    /// Whether every cost is at or above the floor.
    pub fn meets_floor(&self) -> bool {
        self.memory_kib >= Self::OWASP_FLOOR.memory_kib
            && self.iterations >= Self::OWASP_FLOOR.iterations
            && self.parallelism >= Self::OWASP_FLOOR.parallelism
    }
}

/// Every hashing slot stayed taken for the whole wait: the server is flooded.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("password hashing is saturated; try again shortly")]
pub struct HashingBusy;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    slots: Arc<Semaphore>,
    /// Work for the hashing threads; they end when the last hasher is dropped.
    jobs: mpsc::Sender<Job>,
    wait: Duration,
    /// Verified against when a username is unknown, so that it costs a full hash too.
    dummy_hash: Arc<str>,
}

#[derive(Debug, thiserror::Error)]
pub enum HasherSetupError {
    #[error("argon2 cost below OWASP's floor (m={m} KiB, t={t}, p={p})", m = PasswordPolicy::OWASP_FLOOR.memory_kib, t = PasswordPolicy::OWASP_FLOOR.iterations, p = PasswordPolicy::OWASP_FLOOR.parallelism)]
    BelowFloor,
    #[error("argon2: {0}")]
    Argon2(String),
}

impl PasswordHasher {
    /// Builds a hasher that runs at most `concurrency` hashes at once and lets a request
    /// wait `wait` for a slot. Computes one hash (for unknown users) before returning.
    pub fn new(
        policy: PasswordPolicy,
        concurrency: usize,
        wait: Duration,
    ) -> Result<Self, HasherSetupError> {
        if !policy.meets_floor() {
            return Err(HasherSetupError::BelowFloor);
        }
        let params = Params::new(
            policy.memory_kib,
            policy.iterations,
            policy.parallelism,
            None,
        )
        .map_err(|e| HasherSetupError::Argon2(e.to_string()))?;
        let dummy_hash = hash_blocking(&params, "quill dummy password for unknown users")
            .map_err(|e| HasherSetupError::Argon2(e.to_string()))?;
        let concurrency = concurrency.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..concurrency {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("quill-argon2-{n}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| HasherSetupError::Argon2(e.to_string()))?;
        }
        Ok(Self {
            params,
            slots: Arc::new(Semaphore::new(concurrency)),
            jobs,
            wait,
            dummy_hash: dummy_hash.into(),
        })
    }

    async fn with_slot<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashingBusy> {
        let _slot = tokio::time::timeout(self.wait, self.slots.acquire())
            .await
            .map_err(|_| HashingBusy)?
            .map_err(|_| HashingBusy)?;
        let span = tracing::Span::current();
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(span.in_scope(work));
            }))
            .map_err(|_| HashingBusy)?;
        result.await.map_err(|_| HashingBusy)
    }

    /// Hashes a new password to a PHC string (`$argon2id$v=19$m=...`).
    pub async fn hash(&self, password: Password) -> Result<String, HashingBusy> {
        let params = self.params.clone();
        self.with_slot(move || hash_blocking(&params, password.expose()))
            .await?
            .map_err(|e| {
                tracing::error!(error = %e, "argon2 hashing failed");
                HashingBusy
            })
    }

    /// Whether `password` matches `stored`. With `None` (no such user) it verifies against
    /// a dummy hash and answers `false`, taking as long as a wrong password.
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<bool, HashingBusy> {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self
            .with_slot(move || verify_blocking(&phc, password.expose().as_bytes()))
            .await?;
        Ok(known && matches)
    }
}

thread_local! {
    /// This thread's argon2 memory, reused from one hash to the next.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn compute(argon: &Argon2, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    let blocks = argon.params().block_count();
    MEMORY.with_borrow_mut(|memory| {
        memory.resize(blocks, Block::default());
        argon.hash_password_into_with_memory(password, salt, out, &mut memory[..])
    })
}

/// A new password's PHC string (`$argon2id$v=19$m=...`), with a random salt.
fn hash_blocking(params: &Params, password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = Salt::generate();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(&argon, password.as_bytes(), &salt, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)?,
        salt: Some(salt),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches a stored PHC string, compared in constant time. A string
/// that does not parse matches nothing (and is logged).
fn verify_blocking(phc: &str, password: &[u8]) -> bool {
    let parsed = PasswordHash::new(phc);
    let Some((argon, salt, expected)) = parsed.ok().and_then(|parsed| {
        let algorithm = Algorithm::new(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        Some((
            Argon2::new(algorithm, version, params),
            parsed.salt?,
            parsed.hash?,
        ))
    }) else {
        tracing::error!("stored password hash does not parse");
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    compute(&argon, password, &salt, &mut out).is_ok()
        && Output::new(&out).is_ok_and(|out| out == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(PasswordPolicy::OWASP_FLOOR, 2, Duration::from_secs(30))
            .expect("floor parameters are valid")
    }

    fn password(raw: &str) -> Password {
        Password::parse_login(raw).expect("short enough")
    }

    #[tokio::test]
    async fn hashes_are_argon2id_at_the_owasp_floor() {
        let phc = hasher()
            .hash(password("correct horse battery"))
            .await
            .expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[tokio::test]
    async fn verify_accepts_only_the_right_password() {
        let hasher = hasher();
        let phc = hasher
            .hash(password("correct horse battery"))
            .await
            .expect("hash");
        assert!(
            hasher
                .verify(password("correct horse battery"), Some(phc.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify(password("wrong horse battery"), Some(phc))
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn unknown_users_never_match_even_the_dummy_password() {
        let matched = hasher()
            .verify(password("quill dummy password for unknown users"), None)
            .await
            .expect("verify");
        assert!(!matched);
    }

    #[test]
    fn stored_hashes_interoperate_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(19_456, 2, 1, None).expect("params");
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password(b"correct horse battery")
            .expect("hash")
            .to_string();
        assert!(verify_blocking(&theirs, b"correct horse battery"));
        assert!(!verify_blocking(&theirs, b"correct horse batterY"));

        let ours = hash_blocking(&params, "correct horse battery").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(!verify_blocking(
            "$argon2id$garbage",
            b"correct horse battery"
        ));
    }

    #[test]
    fn costs_below_the_floor_are_refused() {
        let weak = PasswordPolicy {
            memory_kib: 4096,
            ..PasswordPolicy::OWASP_FLOOR
        };
        assert!(matches!(
            PasswordHasher::new(weak, 1, Duration::from_secs(1)),
            Err(HasherSetupError::BelowFloor)
        ));
    }

    #[tokio::test]
    async fn a_saturated_hasher_answers_busy_instead_of_queueing_forever() {
        let hasher = PasswordHasher::new(PasswordPolicy::OWASP_FLOOR, 1, Duration::from_millis(1))
            .expect("hasher");
        let held = hasher.slots.clone().acquire_owned().await.expect("slot");
        assert!(
            hasher
                .hash(password("correct horse battery"))
                .await
                .is_err()
        );
        drop(held);
        assert!(hasher.hash(password("correct horse battery")).await.is_ok());
    }
}
