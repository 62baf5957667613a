//! `quill`: the Quill server and its operator commands. Settings come from `QUILL_*`
//! variables (see docs/CONFIGURATION.md).

use std::process::ExitCode;

use anyhow::Context;
use quill_accounts::Db;
#[cfg(feature = "mysql")]
use quill_ops::OpsSettings;
use quill_posts::cassandra;
use quill_sql::PoolSize;
use quill_web::{Application, Settings, telemetry};

const USAGE: &str = "usage: quill [serve | migrate | db status | db promote | cql migrate]

  serve        start the Quill server (the default)
  migrate      bring the accounts database's schema up to this build; safe to run
               from every instance at every start, also concurrently
  db status    the role and GTID position of every server in QUILL_DB_NODES
  db promote   when no writable primary is up: make the most advanced reachable
               server the primary, repoint the other replicas at it, and move
               HAProxy's write backend (QUILL_HAPROXY_ADMIN)
  cql migrate  create the Cassandra keyspace (QUILL_CASSANDRA_REPLICATION) and
               apply the schema versions it has not recorded; run it once per
               deployment, before `serve`, not from every instance

Settings come from QUILL_* environment variables; see docs/CONFIGURATION.md.";

enum Command {
    Serve,
    Migrate,
    #[cfg(feature = "mysql")]
    DbStatus,
    #[cfg(feature = "mysql")]
    DbPromote,
    CqlMigrate,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => Command::Serve,
        ["migrate"] => Command::Migrate,
        #[cfg(feature = "mysql")]
        ["db", "status"] => Command::DbStatus,
        #[cfg(feature = "mysql")]
        ["db", "promote"] => Command::DbPromote,
        #[cfg(not(feature = "mysql"))]
        ["db", "status" | "promote"] => {
            eprintln!(
                "quill: `db` commands manage MariaDB replication, and this quill was built \
                 without it; build one with `cargo build --release --features mysql`, which \
                 needs MariaDB's client library (Debian: apt-get install libmariadb-dev pkg-config)"
            );
            return ExitCode::from(2);
        }
        ["cql", "migrate"] => Command::CqlMigrate,
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("quill: {e}");
            return ExitCode::from(2);
        }
    };
    // Operator settings are checked at start too, whatever the command, like the rest.
    #[cfg(feature = "mysql")]
    let ops = match OpsSettings::from_env() {
        Ok(ops) => ops,
        Err(e) => {
            eprintln!("quill: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = telemetry::init(&settings.log.filter, settings.log.format) {
        eprintln!("quill: {e}");
        return ExitCode::from(2);
    }
    let outcome = match command {
        Command::Serve => serve(settings),
        Command::Migrate => migrate(settings),
        #[cfg(feature = "mysql")]
        Command::DbStatus => db_status(&ops),
        #[cfg(feature = "mysql")]
        Command::DbPromote => db_promote(&ops),
        Command::CqlMigrate => cql_migrate(&settings),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = ?e, "quill stopped");
            eprintln!("quill: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[actix_web::main]
async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    // On a line of its own, outside the log format, for people and scripts.
    println!("{}", app.url());
    app.run_until_stopped().await?;
    tracing::info!("Quill stopped");
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn migrate(settings: Settings) -> anyhow::Result<()> {
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

#[tokio::main(flavor = "current_thread")]
async fn cql_migrate(settings: &Settings) -> anyhow::Result<()> {
    let config = settings
        .cassandra
        .as_ref()
        .context("QUILL_CASSANDRA_NODES is not set: it names the Cassandra nodes to migrate")?;
    let session = cassandra::connect(config).await?;
    let migrated = cassandra::migrate(&session, config).await?;
    if migrated.applied.is_empty() {
        println!("keyspace {} is up to date", migrated.keyspace);
    }
    for (version, name) in migrated.applied {
        println!("keyspace {}: applied {version} {name}", migrated.keyspace);
    }
    Ok(())
}

#[cfg(feature = "mysql")]
fn db_status(ops: &OpsSettings) -> anyhow::Result<()> {
    let statuses = quill_ops::status(ops.nodes()?);
    print!("{}", quill_ops::StatusTable(&statuses));
    Ok(())
}

#[cfg(feature = "mysql")]
fn db_promote(ops: &OpsSettings) -> anyhow::Result<()> {
    if ops.haproxy.is_none() {
        eprintln!(
            "quill: QUILL_HAPROXY_ADMIN is not set; HAProxy will find the new primary by its health checks"
        );
    }
    let outcome = quill_ops::promote(ops.nodes()?, ops.haproxy.as_ref(), quill_ops::CATCH_UP)?;
    print!("{outcome}");
    Ok(())
}
