//! `quill`: the Quill server. `quill` or `quill serve` starts it; settings come from
//! `QUILL_*` variables (see the README).

use std::process::ExitCode;

use quill_web::{Application, Settings, telemetry};

const USAGE: &str = "usage: quill [serve]\n\nStarts the Quill server. Settings come from QUILL_* environment variables; see the README.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => {}
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
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
    match serve(settings) {
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
    app.run_until_stopped().await?;
    tracing::info!("Quill stopped");
    Ok(())
}
