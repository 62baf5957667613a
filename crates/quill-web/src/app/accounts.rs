//! Account use cases: sign up (rate-limited), log in (throttled), and the API's bearer
//! sessions (both).

use std::net::IpAddr;

use quill_accounts::{Action, Limited, LogInError, SignUpError, User, sessions};
use quill_domain::{Password, Username};

use super::{Client, CurrentUser, Failure, FieldErrors, rate_limit};
use crate::metrics::{Event, Metrics};
use crate::state::AppState;

/// What a sign-up form or request holds.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// The password typed again, where the form asks for it (the API does not).
    pub password_confirm: Option<&'a str>,
}

pub enum SignUp {
    Created(User),
    /// Nothing was created; each field says why.
    Refused(FieldErrors),
    /// Nothing was created or hashed: a rate limit refused it.
    Limited(Limited),
}

pub enum LogIn {
    /// The password was right; the browser's device id (when it has one) goes back in
    /// its device cookie.
    Welcome(User),
    WrongCredentials,
    /// Too many failures for this account or address; nothing was checked.
    Throttled {
        retry_after_secs: u64,
    },
}

/// The message for a wrong username or password, whichever it was.
pub fn wrong_credentials() -> String {
    LogInError::InvalidCredentials.to_string()
}

/// Parses a new account, or says what is wrong with each field.
pub fn parse(account: &NewAccount<'_>) -> Result<(Username, Password), FieldErrors> {
    let mut errors = FieldErrors::new();
    let username = Username::parse(account.username)
        .map_err(|e| errors.insert("username", e.to_string()))
        .ok();
    let password = Password::parse_new(account.password, account.username)
        .map_err(|e| errors.insert("password", e.to_string()))
        .ok();
    if let (Some(password), Some(confirm)) = (&password, account.password_confirm)
        && password.expose() != confirm
    {
        errors.insert("password_confirm", "The two passwords do not match.".into());
    }
    match (username, password) {
        (Some(username), Some(password)) if errors.is_empty() => Ok((username, password)),
        _ => Err(errors),
    }
}

/// Makes an account from `address`. Fields are checked first (which costs nothing
/// and makes nothing), then the sign-up is counted against the rate limits, and only
/// then is the password hashed: a refused sign-up costs no hash.
#[tracing::instrument(skip_all, fields(%address))]
pub async fn sign_up(
    state: &AppState,
    metrics: &Metrics,
    address: IpAddr,
    account: NewAccount<'_>,
) -> Result<SignUp, Failure> {
    let (username, password) = match parse(&account) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(SignUp::Refused(errors)),
    };
    if let Some(limited) = rate_limit(state, metrics, Action::SignUp, address).await? {
        return Ok(SignUp::Limited(limited));
    }
    match state.accounts.sign_up(username, password).await {
        Ok(user) => {
            metrics.record(Event::SignUp);
            Ok(SignUp::Created(user))
        }
        Err(e @ SignUpError::UsernameTaken) => Ok(SignUp::Refused(FieldErrors::from([(
            "username",
            e.to_string(),
        )]))),
        Err(SignUpError::Other(e)) => Err(e.into()),
    }
}

/// Where a login attempt comes from: the client's address, and the id of its device
/// cookie when it holds a valid one for the account it tries (see `crate::device`).
pub struct Attempt<'a> {
    pub address: IpAddr,
    pub device: Option<&'a str>,
}

/// Checks a login attempt against the throttle, then the password. The throttle counts
/// the attempt before the password is checked (`quill_accounts::throttle`).
#[tracing::instrument(skip_all, fields(address = %attempt.address))]
pub async fn log_in(
    state: &AppState,
    metrics: &Metrics,
    attempt: Attempt<'_>,
    username: &str,
    password: &str,
) -> Result<LogIn, Failure> {
    let account = Username::fold(username);
    let admitted = match state
        .throttle
        .admit(&account, attempt.address, attempt.device)
        .await?
    {
        Ok(admitted) => admitted,
        Err(throttled) => {
            metrics.record(Event::LogInThrottled);
            return Ok(LogIn::Throttled {
                retry_after_secs: throttled.retry_after_secs.max(1),
            });
        }
    };
    let parsed = Username::parse(username)
        .ok()
        .zip(Password::parse_login(password).ok());
    let outcome = match parsed {
        Some((username, password)) => state.accounts.log_in(&username, password).await,
        None => Err(LogInError::InvalidCredentials),
    };
    match outcome {
        Ok(user) => {
            if let Err(error) = state.throttle.succeeded(admitted).await {
                tracing::warn!(%error, "login throttle not cleared");
            }
            metrics.record(Event::LogIn);
            Ok(LogIn::Welcome(user))
        }
        Err(LogInError::InvalidCredentials) => {
            metrics.record(Event::LogInFailed);
            Ok(LogIn::WrongCredentials)
        }
        // The right password of an account whose deletion a failure left pending: the
        // attempt resumes it, and the answer is the same as for a name that is free.
        Err(LogInError::Deleting(user)) => {
            if let Err(error) = super::deletion::finish(state, &user).await {
                tracing::warn!(%error, "account deletion still pending");
            }
            metrics.record(Event::LogInFailed);
            Ok(LogIn::WrongCredentials)
        }
        Err(LogInError::Other(e)) => Err(e.into()),
    }
}

/// A bearer session of the API.
pub struct ApiSession {
    pub user: User,
    pub token: String,
    /// Seconds until the token expires unless used.
    pub expires_in: i64,
}

pub enum ApiLogIn {
    Opened(ApiSession),
    WrongCredentials,
    /// Too many failures for this account or address; nothing was checked.
    Throttled {
        retry_after_secs: u64,
    },
    /// Too many API sessions from this address or in all; nothing was checked.
    Limited(Limited),
}

/// Logs in for a bearer token from `client`: counted against the API-session rate
/// limits first, then as any login (the throttle, the password), then a session is
/// opened.
#[tracing::instrument(skip_all, fields(address = %attempt.address))]
pub async fn open_api_session(
    state: &AppState,
    metrics: &Metrics,
    attempt: Attempt<'_>,
    client: &Client,
    username: &str,
    password: &str,
) -> Result<ApiLogIn, Failure> {
    let address = attempt.address;
    if let Some(limited) = rate_limit(state, metrics, Action::ApiSession, address).await? {
        return Ok(ApiLogIn::Limited(limited));
    }
    let user = match log_in(state, metrics, attempt, username, password).await? {
        LogIn::Welcome(user) => user,
        LogIn::WrongCredentials => return Ok(ApiLogIn::WrongCredentials),
        LogIn::Throttled { retry_after_secs } => {
            return Ok(ApiLogIn::Throttled { retry_after_secs });
        }
    };
    let mut session = CurrentUser::state_of(&user, client);
    session.insert(sessions::KIND_KEY.to_owned(), "\"api\"".to_owned());
    let token = state
        .sessions
        .create(session, state.session_idle_secs)
        .await?;
    Ok(ApiLogIn::Opened(ApiSession {
        user,
        token,
        expires_in: state.session_idle_secs,
    }))
}

/// The user a bearer token belongs to, if it opens a live session. Records the
/// token's use (at most once a minute) for the sessions list.
#[tracing::instrument(skip_all)]
pub async fn api_user(state: &AppState, token: &str) -> Result<Option<CurrentUser>, Failure> {
    let session = state.sessions.load_token(token).await?;
    let user = session.as_ref().and_then(CurrentUser::of_state);
    if user.is_some() {
        state.sessions.seen_token(token);
    }
    Ok(user)
}

/// Ends the API session a token opens.
#[tracing::instrument(skip_all)]
pub async fn end_api_session(state: &AppState, token: &str) -> Result<(), Failure> {
    Ok(state.sessions.delete_token(token).await?)
}
