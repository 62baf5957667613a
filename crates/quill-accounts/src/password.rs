//! Password hashing with argon2id: parameters at or above OWASP's floor, at most a fixed
//! number of hashes at once, on the blocking pool, and the same cost for unknown users.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
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

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    slots: Arc<Semaphore>,
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
        Ok(Self {
            params,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
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
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(|_| HashingBusy)
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
            .with_slot(move || {
                let Ok(parsed) = PasswordHash::new(&phc) else {
                    tracing::error!("stored password hash does not parse");
                    return false;
                };
                Argon2::default()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .await?;
        Ok(known && matches)
    }
}

fn hash_blocking(params: &Params, password: &str) -> Result<String, argon2::password_hash::Error> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
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
