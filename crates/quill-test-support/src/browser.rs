//! A headless Chromium (Debian's) driven through chromedriver, and what a person does
//! in it, step by step ([`steps`]). The test command starts chromedriver and sets
//! `QUILL_TEST_WEBDRIVER`.

pub mod steps;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::test_env::{self, Need};

/// A headless Chromium session with a `width` x `height` screen, or `None` (saying
/// SKIPPED) when no driver is configured and none is required.
pub async fn chromium(width: u32, height: u32) -> Option<Client> {
    let webdriver = test_env::webdriver();
    let missing: Vec<String> = match webdriver {
        Some(_) => Vec::new(),
        None => vec!["QUILL_TEST_WEBDRIVER".to_owned()],
    };
    if !test_env::can_run(
        Need::Browser,
        &missing,
        "run chromedriver and set it, as scripts/test.sh does",
    ) {
        return None;
    }
    let webdriver = webdriver?;
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
