//! Quill's web application: typed settings, routes, templates and middleware.
//! `Application::build(settings)` gives a server to run; `cli` is the `quill` command
//! line, and `main.rs` a thin shell over it.

pub mod app;
pub mod cli;
mod compress;
pub mod csrf;
mod device;
pub mod errors;
pub mod flash;
mod https;
mod methods;
pub mod metrics;
pub mod page;
pub mod parsers;
pub mod post_token;
mod read_floor;
pub mod request_id;
pub mod routes;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod telemetry;
mod user_agent;

pub use settings::Settings;
pub use startup::Application;
