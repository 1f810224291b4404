//! Red flags on OCDS compiled releases: the Open Contracting Partnership's cardinal indicators
//! (R003, R018, R024, R025, R028, R030, R035, R036, R038, R048, R058), with cardinal's settings
//! file and the same definitions, giving the same results as `ocdscardinal indicators`.
//!
//! The input is JSON lines, one compiled release per line (ours from the records API's
//! `compiledRelease`, or any publisher's). Each line is read once and only the fields the
//! indicators need are kept (borrowed from the line), so memory holds the tallies, not the data.
//! `docs/flags.md` gives each indicator's definition, the settings, the output and what differs
//! from cardinal.
//!
//! ```
//! let settings = flags::Settings::parse("[R018]\n").unwrap();
//! let input = r#"{"ocid":"A","tender":{"procurementMethod":"open","numberOfTenderers":1}}"#;
//! let output = flags::Indicators::run(input.as_bytes(), &settings).unwrap();
//! assert_eq!(output.to_json(flags::JsonOptions { meta: false }), "{\"OCID\":{\"A\":{\"R018\":1.0}}}\n");
//! ```

mod dates;
mod indicators;
mod json;
mod output;
mod release;
mod run;
mod settings;
mod stats;
mod totals;

use std::io::Read;
use std::num::NonZeroUsize;

pub use crate::json::is_valid_json;
pub use crate::output::{Group, Indicator, JsonOptions, Output, Results, SkippedLines};
pub use crate::settings::{
    Empty, R003, R018, R025, R035, R038, R048, Settings, SettingsError, Threshold,
};

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be read (lines that are not JSON or not UTF-8 are skipped, not errors).
    #[error("failed to read the input")]
    Read(#[source] std::io::Error),
}

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Keep cardinal's `Maps` (`--map`): processes to the organisations they flag.
    pub map: bool,
    /// Worker threads; by default, one per available core.
    pub threads: Option<NonZeroUsize>,
    /// The least number of bytes of whole lines handed to a worker at once (256 KiB by default).
    /// Results do not depend on it; tests make it small to exercise the merge order.
    pub chunk_bytes: Option<NonZeroUsize>,
}

/// The indicators the settings enable, run over JSON lines.
#[derive(Debug)]
pub struct Indicators;

impl Indicators {
    /// Runs the indicators the settings enable over `reader` (JSON lines).
    pub fn run(reader: impl Read, settings: &Settings) -> Result<Output, Error> {
        Indicators::run_with(reader, settings, &RunOptions::default())
    }

    pub fn run_with(
        reader: impl Read,
        settings: &Settings,
        options: &RunOptions,
    ) -> Result<Output, Error> {
        let plan = indicators::Plan::new(settings, options.map);
        let threads = options
            .threads
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get);
        let chunk_bytes = options
            .chunk_bytes
            .map_or(run::CHUNK_BYTES, NonZeroUsize::get);
        let totals = run::run(reader, &plan, threads, chunk_bytes).map_err(Error::Read)?;
        Ok(Output::finalize(totals, settings, options.map))
    }
}
