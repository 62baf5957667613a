//! `quill sessions end`: an operator logs a user, or everyone, out everywhere.

use anyhow::Context;
use quill_accounts::{AccountsError, Db, PoolSize, sessions, users};
use quill_domain::Username;

use crate::Settings;

#[tokio::main(flavor = "current_thread")]
pub async fn end(settings: Settings, user: Option<&str>) -> anyhow::Result<()> {
    let db = open(&settings)?;
    let user = match user {
        None => None,
        Some(name) => {
            let username =
                Username::parse(name).map_err(|e| anyhow::anyhow!("--user {name:?}: {e}"))?;
            let found = db
                .read_primary(move |conn| {
                    users::find_by_name(conn, &username).map_err(AccountsError::from)
                })
                .await?;
            Some(found.with_context(|| format!("no user is called {name:?}"))?)
        }
    };
    let id = user.as_ref().map(|user| user.id);
    let ended = db
        .write(move |conn| sessions::end_all(conn, id).map_err(AccountsError::from))
        .await?;
    match user {
        Some(user) => println!("ended {ended} sessions of {}", user.username),
        None => println!("ended {ended} sessions"),
    }
    Ok(())
}

/// The accounts database: MariaDB when `QUILL_DATABASE_URL` names one, else the
/// embedded database in the data directory.
fn open(settings: &Settings) -> anyhow::Result<Db> {
    let pool = PoolSize {
        connections: 1,
        checkout_timeout: settings.accounts.timeout,
    };
    #[cfg(feature = "mysql")]
    if let Some(urls) = &settings.accounts.database {
        return Ok(Db::connect_mysql(
            urls,
            pool,
            settings.accounts.causal_wait,
        )?);
    }
    Db::open_sqlite(&settings.data_dir, pool).with_context(|| {
        format!(
            "opening the accounts database in {}",
            settings.data_dir.display()
        )
    })
}
