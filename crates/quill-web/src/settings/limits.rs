//! Rate limits on what makes something: sign-ups, API sessions and post tokens, each
//! per client address and for the whole deployment, in windows
//! (`quill_accounts::RateLimiter`, ASVS 2.4.1). The defaults and why: docs/CONFIGURATION.md.

use quill_accounts::{RateLimit, RateLimits};

use super::env::{Env, SettingsError};

/// One action's three variables, `QUILL_<ACTION>_ADDRESS_LIMIT`, `..._TOTAL_LIMIT` and
/// `..._WINDOW_SECS`, with their defaults.
struct Names {
    address: &'static str,
    total: &'static str,
    window: &'static str,
}

fn rate_limit(env: &Env, names: Names, default: RateLimit) -> Result<RateLimit, SettingsError> {
    Ok(RateLimit {
        per_address: env.positive(names.address, default.per_address)?,
        total: env.positive(names.total, default.total)?,
        window: env.secs(names.window, default.window.as_secs())?,
    })
}

/// A person makes an account or two, and a household or office a few an hour; a
/// script making accounts is what the limit is for. The total bounds what a botnet
/// spread over many addresses can make, and what sign-ups' password hashing costs.
pub const SIGN_UP: RateLimit = RateLimit {
    per_address: 10,
    total: 1_000,
    window: std::time::Duration::from_secs(3_600),
};

/// A script logs in once and keeps its token (it lasts the session's idle time); thirty
/// in ten minutes leaves room for restarts and several scripts behind one address.
pub const API_SESSION: RateLimit = RateLimit {
    per_address: 30,
    total: 3_000,
    window: std::time::Duration::from_secs(600),
};

/// One post token per post: a post a second, sustained for ten minutes, from one
/// address; a hundred a second from everyone.
pub const POST_TOKEN: RateLimit = RateLimit {
    per_address: 600,
    total: 60_000,
    window: std::time::Duration::from_secs(600),
};

pub(super) fn from_env(env: &Env) -> Result<RateLimits, SettingsError> {
    Ok(RateLimits {
        sign_up: rate_limit(
            env,
            Names {
                address: "QUILL_SIGNUP_ADDRESS_LIMIT",
                total: "QUILL_SIGNUP_TOTAL_LIMIT",
                window: "QUILL_SIGNUP_WINDOW_SECS",
            },
            SIGN_UP,
        )?,
        api_session: rate_limit(
            env,
            Names {
                address: "QUILL_API_SESSION_ADDRESS_LIMIT",
                total: "QUILL_API_SESSION_TOTAL_LIMIT",
                window: "QUILL_API_SESSION_WINDOW_SECS",
            },
            API_SESSION,
        )?,
        post_token: rate_limit(
            env,
            Names {
                address: "QUILL_POST_TOKEN_ADDRESS_LIMIT",
                total: "QUILL_POST_TOKEN_TOTAL_LIMIT",
                window: "QUILL_POST_TOKEN_WINDOW_SECS",
            },
            POST_TOKEN,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{Settings, env::vars};
    use super::*;

    #[test]
    fn defaults_suit_a_deployment_and_each_can_be_set() {
        let defaults = Settings::from_vars(vars(&[])).expect("defaults").limits;
        assert_eq!(defaults.sign_up, SIGN_UP);
        assert_eq!(defaults.api_session, API_SESSION);
        assert_eq!(defaults.post_token, POST_TOKEN);
        assert_eq!(SIGN_UP.per_address, 10);
        assert_eq!(SIGN_UP.window, Duration::from_secs(3_600));

        let set = Settings::from_vars(vars(&[
            ("QUILL_SIGNUP_ADDRESS_LIMIT", "3"),
            ("QUILL_API_SESSION_TOTAL_LIMIT", "7"),
            ("QUILL_POST_TOKEN_WINDOW_SECS", "60"),
        ]))
        .expect("set")
        .limits;
        assert_eq!(set.sign_up.per_address, 3);
        assert_eq!(set.api_session.total, 7);
        assert_eq!(set.post_token.window, Duration::from_secs(60));
    }

    #[test]
    fn a_limit_of_zero_is_refused_by_name() {
        let err = Settings::from_vars(vars(&[("QUILL_POST_TOKEN_ADDRESS_LIMIT", "0")]))
            .expect_err("zero")
            .to_string();
        assert!(
            err.contains("QUILL_POST_TOKEN_ADDRESS_LIMIT") && err.contains("greater than zero"),
            "{err}"
        );
    }
}
