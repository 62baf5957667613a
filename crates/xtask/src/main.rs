//! `cargo xtask`: the repository's tooling that has become a program, as in
//! rust-analyzer's `xtask/`. Shell is left for installing packages and short glue.

mod flood;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use quill_test_support::topology::{self, Topology};

#[derive(Parser)]
#[command(bin_name = "cargo xtask", about = "Quill's repository tooling")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The native test topology: three MariaDB servers with GTID replication and
    /// HAProxy on 127.0.0.1 ports, from the config files in docker/ (what the cluster
    /// test suites start for each test).
    #[command(subcommand)]
    Cluster(Cluster),
    /// A flood of form requests (sign-up, login, new post, logout; valid, broken and
    /// hostile) against a Quill it starts, then a check that no answer was a 5xx and
    /// that the stores are whole and hold what the answers said (docs/ROBUSTNESS.md).
    Flood(flood::Flood),
}

#[derive(Subcommand)]
enum Cluster {
    /// Starts a topology in DIR and prints the QUILL_* settings that reach it, for a
    /// shell to source (`set -a; . FILE`); DIR/env holds them too, DIR/pids its
    /// processes.
    Up {
        dir: PathBuf,
        /// Also two `quill` processes of this binary (built with `--features mysql`)
        /// on the cluster, sharing DIR/web-data, and nginx in front of them. Adds
        /// QUILL_NGINX_URL, QUILL_WEB1_URL and QUILL_WEB2_URL; DIR/web1.pid and
        /// DIR/web2.pid hold the instances' PIDs, DIR/webN.log their logs.
        #[arg(long, value_name = "QUILL")]
        web: Option<PathBuf>,
        /// The lag at which HAProxy takes a replica out of the read rotation.
        #[arg(long, value_name = "SECS", default_value_t = 5)]
        max_lag: u32,
        /// Replicas apply what they receive this late (MASTER_DELAY).
        #[arg(long, value_name = "SECS", default_value_t = 0)]
        replica_delay: u32,
    },
    /// Stops every process DIR/pids lists and deletes DIR.
    Down { dir: PathBuf },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Cluster(Cluster::Up {
            dir,
            web,
            max_lag,
            replica_delay,
        }) => {
            let mut options = Topology::options()
                .max_lag_secs(max_lag)
                .replica_delay_secs(replica_delay);
            if let Some(quill) = web {
                options = options.web(std::path::absolute(quill)?);
            }
            let topology = options.start(&dir)?;
            print!("{}", topology.env());
            topology.detach();
        }
        Command::Cluster(Cluster::Down { dir }) => topology::down(&dir)?,
        Command::Flood(args) => flood::run(args)?,
    }
    Ok(())
}
