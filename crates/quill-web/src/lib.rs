//! Quill's web application: typed settings, routes, templates and middleware.
//! `Application::build(settings)` gives a server to run; `cli` is the `quill` command
//! line, and `main.rs` a thin shell over it.

pub mod cli;
mod compress;
pub mod csrf;
pub mod errors;
pub mod flash;
pub mod layout;
pub mod metrics;
pub mod post_token;
mod read_floor;
pub mod request_id;
pub mod routes;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod telemetry;

pub use settings::Settings;
pub use startup::Application;
