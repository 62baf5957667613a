//! `quill`: the Quill server and its operator commands. Settings come from `QUILL_*`
//! variables (see docs/CONFIGURATION.md).

use std::process::ExitCode;

use anyhow::Context;
use quill_accounts::Db;
use quill_accounts::PoolSize;
#[cfg(feature = "mysql")]
use quill_accounts::replication::{self, HaproxyAdmin};
use quill_posts::cassandra;
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

/// How long `quill db promote` lets a replica apply what it received.
#[cfg(feature = "mysql")]
const CATCH_UP: std::time::Duration = std::time::Duration::from_secs(30);

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
    if let Err(e) = telemetry::init(&settings.log_filter, settings.log_format) {
        eprintln!("quill: {e}");
        return ExitCode::from(2);
    }
    let outcome = match command {
        Command::Serve => serve(settings),
        Command::Migrate => migrate(settings),
        #[cfg(feature = "mysql")]
        Command::DbStatus => db_status(&settings),
        #[cfg(feature = "mysql")]
        Command::DbPromote => db_promote(&settings),
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
        checkout_timeout: settings.db_timeout,
    };
    #[cfg(feature = "mysql")]
    if let Some(urls) = &settings.database {
        let db = Db::connect_mysql(urls, pool, settings.db_causal_wait)?;
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
fn nodes(settings: &Settings) -> anyhow::Result<&[replication::Node]> {
    anyhow::ensure!(
        !settings.db_nodes.is_empty(),
        "set QUILL_DB_NODES to name=mysql://admin:password@host:port/,... for every server"
    );
    Ok(&settings.db_nodes)
}

#[cfg(feature = "mysql")]
fn db_status(settings: &Settings) -> anyhow::Result<()> {
    println!("{:<12} {:<12} {:<24} replication", "server", "role", "gtid");
    for node in replication::status(nodes(settings)?) {
        let replication = match (&node.unreachable, &node.replica) {
            (Some(why), _) => why.clone(),
            (None, Some(r)) => format!(
                "from {} io={} sql={} behind={}",
                r.source,
                if r.io_running { "yes" } else { "no" },
                if r.sql_running { "yes" } else { "no" },
                r.seconds_behind
                    .map_or("-".to_owned(), |secs| format!("{secs}s"))
            ),
            (None, None) => String::new(),
        };
        println!(
            "{:<12} {:<12} {:<24} {replication}",
            node.name,
            node.role(),
            node.position.to_string()
        );
    }
    Ok(())
}

#[cfg(feature = "mysql")]
fn db_promote(settings: &Settings) -> anyhow::Result<()> {
    let haproxy = settings
        .haproxy_admin
        .clone()
        .map(|address| HaproxyAdmin { address });
    if haproxy.is_none() {
        eprintln!(
            "quill: QUILL_HAPROXY_ADMIN is not set; HAProxy will find the new primary by its health checks"
        );
    }
    let promotion = match replication::promote(nodes(settings)?, haproxy.as_ref(), CATCH_UP)? {
        replication::Outcome::AlreadyPrimary(name) => {
            println!("{name} is a writable primary already; nothing to do");
            return Ok(());
        }
        replication::Outcome::Promoted(promotion) => promotion,
    };
    println!(
        "{} is the primary at {}; replicating from it: {}",
        promotion.primary,
        promotion.position,
        if promotion.repointed.is_empty() {
            "none".to_owned()
        } else {
            promotion.repointed.join(", ")
        }
    );
    if !promotion.left_out.is_empty() {
        println!(
            "unreachable, out of HAProxy's rotation until rebuilt: {}",
            promotion.left_out.join(", ")
        );
    }
    Ok(())
}
