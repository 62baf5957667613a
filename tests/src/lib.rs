//! Helpers for the end-to-end suites: a Quill server on a free port and a headless
//! Chromium driven through chromedriver.
//!
//! The test command (scripts/test.sh) starts chromedriver and sets
//! `QUILL_TEST_WEBDRIVER`; with `QUILL_TEST_REQUIRE_BROWSER=1` a missing driver fails the
//! suite instead of skipping it.

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use quill_web::{Application, Settings};

pub mod api;
pub mod cluster;
pub mod pages;

/// A running Quill, and the data directory it owns, if it owns one.
pub struct Server {
    pub base: String,
    _data_dir: Option<tempfile::TempDir>,
}

impl Server {
    pub fn at(base: String) -> Self {
        Self {
            base,
            _data_dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub async fn start_quill() -> Server {
    let data_dir = tempfile::tempdir().expect("data dir");
    let settings = Settings::from_vars([
        ("QUILL_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        (
            "QUILL_DATA_DIR".to_owned(),
            data_dir.path().display().to_string(),
        ),
        ("QUILL_WORKERS".to_owned(), "2".to_owned()),
    ])
    .expect("settings");
    let app = Application::build(settings).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Server {
        base,
        _data_dir: Some(data_dir),
    }
}

/// A headless Chromium session, or `None` (with a note) when no driver is configured
/// and none is required.
pub async fn browser(width: u32, height: u32) -> Option<Client> {
    let Ok(webdriver) = std::env::var("QUILL_TEST_WEBDRIVER") else {
        assert!(
            std::env::var_os("QUILL_TEST_REQUIRE_BROWSER").is_none(),
            "QUILL_TEST_REQUIRE_BROWSER is set but QUILL_TEST_WEBDRIVER is not"
        );
        eprintln!("SKIPPED: browser test (set QUILL_TEST_WEBDRIVER, as scripts/test.sh does)");
        return None;
    };
    let profile = tempfile::tempdir().expect("profile dir").keep();
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        // Device metrics rather than only a window size: headless windows do not shrink
        // below 500 px, and the layout must be checked at a phone's 320.
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": args,
            "mobileEmulation": {
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1 }
            }
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&webdriver)
        .await
        .expect("a chromedriver session");
    Some(client)
}
