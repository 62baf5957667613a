//! `quill migrate` (the accounts database) and `quill cql migrate` (Cassandra).

use std::time::Duration;

use anyhow::Context;
use quill_accounts::Db;
use quill_accounts::PoolSize;
use quill_posts::cassandra;

use crate::Settings;

/// Brings the accounts schema up to this build: MariaDB when `QUILL_DATABASE_URL` names
/// one, else the embedded database in the data directory.
#[tokio::main(flavor = "current_thread")]
pub async fn accounts(settings: Settings) -> anyhow::Result<()> {
    let pool = PoolSize {
        connections: 1,
        checkout_timeout: settings.accounts.timeout,
    };
    #[cfg(feature = "mysql")]
    if let Some(urls) = &settings.accounts.database {
        let db = Db::connect_mysql(urls, pool, settings.accounts.causal_wait)?;
        let applied = db
            .migrate()
            .await
            .context("migrating the database at QUILL_DATABASE_URL")?;
        if applied.is_empty() {
            println!("the accounts schema is up to date");
        } else {
            println!("applied {}", applied.join(", "));
        }
        return Ok(());
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    // Opening the embedded database applies its migrations.
    Db::open_sqlite(&settings.data_dir, pool)?;
    println!("the accounts schema is up to date");
    Ok(())
}

/// Once `nodes` nodes of the ring are up (waiting up to `wait`), creates the keyspace
/// and applies the schema versions it has not recorded.
#[tokio::main(flavor = "current_thread")]
pub async fn cassandra(settings: &Settings, nodes: usize, wait: Duration) -> anyhow::Result<()> {
    let config = settings
        .cassandra
        .as_ref()
        .context("QUILL_CASSANDRA_NODES is not set: it names the Cassandra nodes to migrate")?;
    let session = cassandra::connect_to_ring(config, nodes, wait).await?;
    let migrated = cassandra::migrate(&session, config).await?;
    if migrated.applied.is_empty() {
        println!("keyspace {} is up to date", migrated.keyspace);
    }
    for (version, name) in migrated.applied {
        println!("keyspace {}: applied {version} {name}", migrated.keyspace);
    }
    Ok(())
}
