//! The `flags` crate's tests, one binary: equality with cardinal on fixtures whose expected output
//! cardinal itself printed, each indicator's edge cases, the settings file, the JSON rules, and
//! results that do not depend on threads or chunking.

mod canonical;
mod equality;
mod indicators;
mod json;
mod ordering;
mod settings;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use crate::canonical::{Json, canonical};

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// How a run is asked for in the tests.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Run {
    pub(crate) map: bool,
    pub(crate) meta: bool,
    pub(crate) threads: Option<usize>,
    pub(crate) chunk_bytes: Option<usize>,
}

/// The one place the tests call the API under test: settings text and JSON lines in, the JSON
/// text out.
pub(crate) fn flags_json(settings: &str, input: &str, run: Run) -> String {
    let settings = flags::Settings::parse(settings).expect("valid settings");
    let options = flags::RunOptions {
        map: run.map,
        threads: run.threads.and_then(NonZeroUsize::new),
        chunk_bytes: run.chunk_bytes.and_then(NonZeroUsize::new),
    };
    let output =
        flags::Indicators::run_with(input.as_bytes(), &settings, &options).expect("input read");
    output.to_json(flags::JsonOptions { meta: run.meta })
}

/// Asserts two outputs are equal once parsed, showing both canonically if not.
pub(crate) fn assert_same(what: &str, expected: &str, actual: &str) {
    let (expected, actual): (Json, Json) = (canonical(expected), canonical(actual));
    assert!(
        expected == actual,
        "{what}: different results\n  expected (cardinal): {expected}\n  actual (ours):       {actual}"
    );
}
