//! `quill`'s command line: the commands (clap), and running one. Exit codes: 0 done,
//! 1 the command failed, 2 the command line, a setting or this build cannot run it.
//! The `db` commands are `quill-ops`'s, in a build with the `mysql` feature.

mod db;
mod migrate;
mod sessions;

use std::fmt::Display;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{Application, Settings, telemetry};

/// Quill, a posts platform: the server and its operator commands
#[derive(Debug, Parser)]
#[command(
    name = "quill",
    version,
    after_help = "Settings come from QUILL_* environment variables; see docs/CONFIGURATION.md."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the Quill server (the default)
    Serve,
    /// Bring the accounts database's schema up to this build
    ///
    /// Safe to run from every instance at every start, also concurrently.
    Migrate,
    /// Cassandra's schema
    #[command(subcommand)]
    Cql(CqlCommand),
    /// Users' sessions, for an operator
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// The MariaDB accounts cluster: roles, positions, failover
    #[cfg_attr(
        not(feature = "mysql"),
        command(
            after_help = "This quill was built without the `mysql` feature: these \
                               commands only say how to build one that has them."
        )
    )]
    #[command(subcommand)]
    Db(DbCommand),
}

#[derive(Debug, Subcommand)]
pub enum CqlCommand {
    /// Create the keyspace and apply the schema versions it has not recorded
    ///
    /// The keyspace is created as QUILL_CASSANDRA_REPLICATION says. Run it once per
    /// deployment, before `serve`, not from every instance.
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Log a user out everywhere (browser sessions and API tokens), or every user
    ///
    /// Takes effect at their next request, also while Quill runs.
    End {
        /// The user whose sessions end
        #[arg(long, value_name = "USERNAME", required_unless_present = "all")]
        user: Option<String>,
        /// End every user's sessions
        #[arg(long, conflicts_with = "user")]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// The role and GTID position of every server in QUILL_DB_NODES
    Status,
    /// Make the most advanced reachable server the primary, when no writable one is up
    ///
    /// Repoints the other replicas at it and moves HAProxy's write backend
    /// (QUILL_HAPROXY_ADMIN). With a writable primary up it changes nothing.
    Promote {
        /// First wait up to SECS for every server (and HAProxy) to answer: a first
        /// start, where they come up in any order
        #[arg(long, value_name = "SECS")]
        wait: Option<u64>,
    },
    /// Keep making a restarted primary writable again, when nothing else changed
    ///
    /// Every server starts read-only. Every 5 s this looks at the servers, and when
    /// every one answers, none is writable, and every replica still replicates from
    /// the same server, makes that server writable again. It never promotes a replica
    /// and never touches HAProxy. Runs until stopped.
    Watch,
}

/// Runs a parsed command line; `quill` alone serves.
pub fn run(cli: Cli) -> ExitCode {
    let command = cli.command.unwrap_or(Command::Serve);
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => return refuse(e),
    };
    // Checked at start whatever the command, like every setting; only `db` uses them.
    #[cfg(feature = "mysql")]
    let ops = match quill_ops::OpsSettings::from_env() {
        Ok(ops) => ops,
        Err(e) => return refuse(e),
    };
    if let Err(e) = telemetry::init(&settings.log.filter, settings.log.format) {
        return refuse(e);
    }
    let outcome = match command {
        Command::Serve => serve(settings),
        Command::Migrate => migrate::accounts(settings),
        Command::Cql(CqlCommand::Migrate) => migrate::cassandra(&settings),
        Command::Sessions(SessionsCommand::End { user, .. }) => {
            sessions::end(settings, user.as_deref())
        }
        #[cfg(feature = "mysql")]
        Command::Db(command) => db::run(command, &ops),
        #[cfg(not(feature = "mysql"))]
        Command::Db(_) => return refuse(db::WithoutMysql),
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

/// Stops before doing anything, as for a usage error.
fn refuse(why: impl Display) -> ExitCode {
    eprintln!("quill: {why}");
    ExitCode::from(2)
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("quill").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_command_serves() {
        assert!(matches!(parse(&[]), Ok(Cli { command: None })));
        assert!(matches!(
            parse(&["serve"]),
            Ok(Cli {
                command: Some(Command::Serve)
            })
        ));
    }

    #[test]
    fn the_operator_commands_parse() {
        assert!(matches!(
            parse(&["cql", "migrate"]),
            Ok(Cli {
                command: Some(Command::Cql(CqlCommand::Migrate))
            })
        ));
        assert!(matches!(
            parse(&["db", "promote"]),
            Ok(Cli {
                command: Some(Command::Db(DbCommand::Promote { wait: None }))
            })
        ));
        assert!(matches!(
            parse(&["db", "promote", "--wait", "120"]),
            Ok(Cli {
                command: Some(Command::Db(DbCommand::Promote { wait: Some(120) }))
            })
        ));
        assert!(matches!(
            parse(&["db", "watch"]),
            Ok(Cli {
                command: Some(Command::Db(DbCommand::Watch))
            })
        ));
        assert!(matches!(
            parse(&["sessions", "end", "--user", "ada"]),
            Ok(Cli {
                command: Some(Command::Sessions(SessionsCommand::End {
                    user: Some(_),
                    all: false
                }))
            })
        ));
        assert!(matches!(
            parse(&["sessions", "end", "--all"]),
            Ok(Cli {
                command: Some(Command::Sessions(SessionsCommand::End {
                    user: None,
                    all: true
                }))
            })
        ));
        for bad in [
            &["frobnicate"][..],
            &["sessions", "end"],
            &["sessions", "end", "--all", "--user", "ada"],
            &["db"],
            &["db", "status", "now"],
            &["db", "promote", "--wait", "soon"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_command_has_help() {
        for args in [
            &["--help"][..],
            &["serve", "--help"],
            &["migrate", "--help"],
            &["cql", "migrate", "--help"],
            &["sessions", "end", "--help"],
            &["db", "status", "--help"],
            &["db", "promote", "--help"],
            &["db", "watch", "--help"],
        ] {
            let help = parse(args).expect_err("help");
            assert_eq!(help.kind(), ErrorKind::DisplayHelp, "{args:?}");
            assert!(help.to_string().contains("Usage: quill"), "{args:?}");
        }
        let top = Cli::command().render_help().to_string();
        for command in ["serve", "migrate", "cql", "db", "QUILL_*"] {
            assert!(top.contains(command), "{top}");
        }
    }
}
