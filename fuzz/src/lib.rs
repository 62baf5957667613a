//! What the fuzz targets (`src/bin/*.rs`, one a target) share: the keys they sign and
//! check with, and the analytics tokenizer.
//!
//! The tokenizer is compiled from quill-analytics' own source file rather than through
//! the crate: depending on quill-analytics would build DataFusion, Arrow and Parquet
//! with libFuzzer's instrumentation for a module that needs none of them (it uses only
//! `unicode-general-category`). The file under test is the one the reports run.

use std::sync::OnceLock;

use quill_web::parsers::Secrets;

/// quill-analytics' `tokens` module, from its source file.
#[path = "../../crates/quill-analytics/src"]
pub mod analytics {
    #[allow(dead_code, clippy::all)]
    pub mod tokens;
}

/// A process's secret keys, made once in a directory of their own as Quill makes them
/// on first start.
pub fn secrets() -> &'static Secrets {
    static SECRETS: OnceLock<Secrets> = OnceLock::new();
    SECRETS.get_or_init(|| {
        // Fuzzing harness set-up: without keys no target can run, so failing loudly is right.
        #[allow(clippy::expect_used)]
        let dir = tempfile::tempdir().expect("a temporary directory");
        #[allow(clippy::expect_used)]
        let secrets = Secrets::load_or_create(dir.path()).expect("secret keys");
        secrets
    })
}

/// The input as text, as a server sees a body it decodes as UTF-8: lossily, so that
/// invalid UTF-8 reaches the parsers too.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
