//! `quill`: the Quill server and its operator commands (`quill --help`). Settings come
//! from `QUILL_*` variables (see docs/CONFIGURATION.md); the command line is
//! [`quill_web::cli`].

use std::process::ExitCode;

use clap::Parser;
use quill_web::cli::{self, Cli};

fn main() -> ExitCode {
    cli::run(Cli::parse())
}
