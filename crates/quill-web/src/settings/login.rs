//! Logging in: what a password hash costs, how many are computed at once, and the
//! throttle on failed logins.

use quill_accounts::{PasswordPolicy, ThrottleLimits};

use super::env::{Env, SettingsError, Shown};

#[derive(Debug, Clone)]
pub struct LoginSettings {
    /// `QUILL_ARGON2_MEMORY_KIB`, `QUILL_ARGON2_ITERATIONS`, `QUILL_ARGON2_PARALLELISM`.
    pub password_policy: PasswordPolicy,
    /// `QUILL_HASH_CONCURRENCY`: password hashes computed at once.
    pub hash_concurrency: usize,
    /// `QUILL_LOGIN_ACCOUNT_LIMIT`, `QUILL_LOGIN_ADDRESS_LIMIT`, `QUILL_LOGIN_WINDOW_SECS`.
    pub throttle: ThrottleLimits,
}

/// argon2id costs under OWASP's recommendation.
#[derive(Debug, thiserror::Error)]
#[error(
    "argon2id costs may not go below OWASP's floor (m={}, t={}, p={})",
    PasswordPolicy::OWASP_FLOOR.memory_kib,
    PasswordPolicy::OWASP_FLOOR.iterations,
    PasswordPolicy::OWASP_FLOOR.parallelism
)]
pub struct BelowOwaspFloor;

impl LoginSettings {
    pub(super) fn from_env(env: &Env, cores: usize) -> Result<Self, SettingsError> {
        let floor = PasswordPolicy::OWASP_FLOOR;
        let password_policy = PasswordPolicy {
            memory_kib: env.parse("QUILL_ARGON2_MEMORY_KIB", floor.memory_kib)?,
            iterations: env.parse("QUILL_ARGON2_ITERATIONS", floor.iterations)?,
            parallelism: env.parse("QUILL_ARGON2_PARALLELISM", floor.parallelism)?,
        };
        if !password_policy.meets_floor() {
            return Err(SettingsError::Invalid {
                name: "QUILL_ARGON2_MEMORY_KIB",
                value: Shown::Plain(format!("{password_policy:?}")),
                reason: Box::new(BelowOwaspFloor),
            });
        }
        Ok(Self {
            password_policy,
            hash_concurrency: env
                .positive("QUILL_HASH_CONCURRENCY", cores.saturating_sub(1).max(1))?,
            throttle: ThrottleLimits {
                per_account: env.positive("QUILL_LOGIN_ACCOUNT_LIMIT", 5)?,
                per_address: env.positive("QUILL_LOGIN_ADDRESS_LIMIT", 50)?,
                window: env.secs("QUILL_LOGIN_WINDOW_SECS", 15 * 60)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Settings, env::vars};

    #[test]
    fn argon2_costs_below_the_floor_are_refused() {
        let err = Settings::from_vars(vars(&[("QUILL_ARGON2_MEMORY_KIB", "1024")]))
            .expect_err("weak argon2")
            .to_string();
        assert!(err.contains("OWASP"), "{err}");
        let strong =
            Settings::from_vars(vars(&[("QUILL_ARGON2_ITERATIONS", "3")])).expect("stronger");
        assert_eq!(strong.login.password_policy.iterations, 3);
    }
}
