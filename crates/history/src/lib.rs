//! A province-scale trading history (`ggzy demo --history-…`, `docs/history.md`): years of
//! tendering, procurement and online sales across Zhejiang's regions, driven through the
//! application's real use cases with a moving clock, with planted collusion whose ground truth
//! is kept aside — and the warning engine's precision and recall on it.
//!
//! `plan` decides everything from the seed (pure); `run` carries it out through `app::App`;
//! `truth` is the record kept aside and the scoring; `clock` the moving clock. Uses `app`,
//! `domain`, `crypto` and `store` (only to read the engine's warnings back).

mod clock;
mod plan;
mod run;
mod truth;

pub use clock::MovableClock;
pub use truth::{
    EntityTruth, History, LotOutcome, LotTruth, Planted, PlantedKind, SaleOutcome, SaleTruth,
    Score, WarningFact, names, score,
};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryOptions {
    /// How many months of history, ending a few days before now.
    pub months: u32,
    /// How many lots (one procedure each); one sale per six lots (at least seven, one of each
    /// kind) comes with them.
    pub lots: u32,
    /// The plan's seed: the same seed plans the same history.
    pub seed: u64,
    /// Planted co-bidding rings.
    pub rings: u32,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        Self {
            months: 12,
            lots: 12,
            seed: 2026,
            rings: 1,
        }
    }
}

impl HistoryOptions {
    /// The history's span for a platform whose time is `now_ms`: from 09:00 Beijing time
    /// `months` months (of 30.4 days) before, to three days before now.
    pub fn span(&self, now_ms: i64) -> (i64, i64) {
        let today = domain::Date::of_instant(now_ms);
        let days = (i64::from(self.months) * 3_044 / 100).max(1);
        let start = today.add_days(-days).start_ms() + 9 * plan::HOUR;
        let end = now_ms - 3 * plan::DAY;
        (start, end.max(start + plan::DAY))
    }
}

/// Why the generation stopped.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{step}: {source}")]
    Step {
        step: String,
        #[source]
        source: Box<app::AppError>,
    },
    #[error(transparent)]
    App(#[from] app::AppError),
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    #[error(transparent)]
    Certificate(#[from] crypto::CertError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Plan(String),
}

/// What `generate` gives back: the ground truth, the engine's score on it, and counts.
#[derive(Clone, Debug)]
pub struct Generated {
    pub history: History,
    pub score: Score,
    /// Bids or sale registrations a gate of the platform refused, by refusal code.
    pub refused: std::collections::BTreeMap<String, u32>,
    pub ledger_entries: u64,
}

/// Generates the history into `app`, whose clock is `clock`'s and is held at `start_ms`
/// (see `HistoryOptions::span`); leaves the clock held at `end_ms`. The platform must hold the
/// demo's accounts (`app::seed_demo`: the trading center, the supervisor) and an active key
/// ceremony whose holders are `holders` (`app::run_simulated_ceremony`). Afterwards the warning
/// engine has read the whole ledger and its warnings are scored against the planted cases.
pub async fn generate(
    app: &app::App,
    clock: &MovableClock,
    options: &HistoryOptions,
    holders: &[app::HolderFile],
    end_ms: i64,
) -> Result<Generated, HistoryError> {
    let start_ms = clock.now_ms();
    if end_ms <= start_ms {
        return Err(HistoryError::Plan(
            "the history must end after it starts".into(),
        ));
    }
    let plan = plan::plan(options.seed, options.lots, options.rings, start_ms, end_ms);
    let mut runner =
        run::Runner::new(app, clock, holders, plan, options.seed, start_ms, end_ms).await?;
    let started = std::time::Instant::now();
    runner.set_up().await?;
    let set_up = started.elapsed();
    runner.run().await?;
    let ran = started.elapsed();
    run::catch_up(app).await?;
    tracing::info!(
        set_up_s = set_up.as_secs_f64(),
        run_s = (ran - set_up).as_secs_f64(),
        engine_s = (started.elapsed() - ran).as_secs_f64(),
        "history written"
    );
    let planted = runner.planted();
    let warnings = run::warnings(app).await?;
    let score = score(&planted, &warnings);
    let mut history = std::mem::take(&mut runner.history);
    history.planted = planted;
    Ok(Generated {
        history,
        score,
        refused: runner.refused_bids.clone(),
        ledger_entries: app
            .store()
            .ledger_size()
            .await
            .map_err(|e| HistoryError::Plan(e.to_string()))?,
    })
}
