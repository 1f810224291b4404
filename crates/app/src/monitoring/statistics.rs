//! 交易数据统计汇总: the node's book of facts — each published lot, each sale and each warning
//! (`domain::LotFact`, `SaleFact`, `WarningFact`) and each lot's and sale's compiled OCDS
//! release — kept in memory and brought up to date from the documents that changed since the
//! last look (`documents_changed_between`, by ledger place), so a request over years of
//! trading reads only what changed and tallies in memory. The red flags (`flags`, cardinal's
//! indicators) run over the selection's compiled releases.
//!
//! The same book tells the signing-period watch which awarded lots are past their contract
//! date (`record_due_lapses`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use domain::{
    Auction, LotFact, Procedure, SaleFact, Statistics, StatsQuery, Warning, WarningFact,
    lot_facts_of, sale_fact_of, statistics, warning_fact_of,
};

use crate::disclosure::ocds::compiled_release;
use domain::Role;

use crate::{App, AppError, Caller};

/// Documents read per step when catching up.
const STEP: u64 = 2_000;

/// The facts as of a ledger place.
#[derive(Debug, Default)]
pub(crate) struct Book {
    inner: Mutex<Facts>,
    /// One catch-up at a time (the others wait and then find little to read).
    catching_up: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct Facts {
    /// Documents changed at places up to here are in the book (-1: none yet).
    place: i64,
    read_any: bool,
    lots: BTreeMap<String, LotFact>,
    /// A procedure's lot codes (to drop a lot that left it).
    procedures: BTreeMap<String, Vec<String>>,
    sales: BTreeMap<String, SaleFact>,
    warnings: BTreeMap<String, WarningFact>,
    /// Compiled releases (one JSON line each) by lot code or sale id.
    releases: BTreeMap<String, String>,
}

/// A selection's facts and statistics.
#[derive(Clone, Debug, Default)]
pub struct StatisticsView {
    pub statistics: Statistics,
    /// The selected lots, newest announcement first (when asked for the detail).
    pub lots: Vec<LotFact>,
    /// The selected sales, newest first (when asked for the detail).
    pub sales: Vec<SaleFact>,
    /// Whether warnings were counted (supervisors and auditors only).
    pub with_warnings: bool,
}

/// One red-flag indicator over a selection, for one group of cardinal's output (`OCID`: the
/// contracting processes; `Buyer`, `ProcuringEntity`, `Tenderer`: organisations): what it flags.
#[derive(Clone, Debug, Default)]
pub struct RedFlag {
    pub code: String,
    pub group: String,
    pub flagged: Vec<String>,
}

/// Who may see the warnings' counts and the lot-level detail: supervisors and auditors.
pub fn sees_supervision(caller: Option<&Caller>) -> bool {
    caller.is_some_and(|c| c.has_any(&[Role::Supervisor, Role::Auditor]))
}

impl App {
    /// Brings the book up to the latest signed head.
    pub async fn follow_statistics_once(&self) -> Result<(), AppError> {
        let _one = self.statistics.catching_up.lock().await;
        let tip = self.store.latest_head().await?.map_or(0, |h| h.size);
        loop {
            let place = {
                let facts = self.book()?;
                if facts.read_any { facts.place } else { -1 }
            };
            let rows = self
                .store
                .documents_changed_between(&["procedure", "auction", "warning"], place, tip, STEP)
                .await?;
            let full = rows.len() as u64 == STEP;
            let mut updates = Vec::with_capacity(rows.len());
            for row in &rows {
                updates.push(self.facts_of(&row.kind, &row.state).await?);
            }
            let mut facts = self.book()?;
            for update in updates {
                facts.apply(update);
            }
            facts.read_any = true;
            facts.place = match rows.last() {
                Some(last) if full => last.last_seq,
                _ => (tip - 1).max(place),
            };
            if !full {
                return Ok(());
            }
        }
    }

    fn book(&self) -> Result<std::sync::MutexGuard<'_, Facts>, AppError> {
        self.statistics
            .inner
            .lock()
            .map_err(|_| AppError::Internal("statistics book".into()))
    }

    /// One changed document's facts (and compiled releases).
    async fn facts_of(&self, kind: &str, state: &str) -> Result<Update, AppError> {
        let parse = |e: serde_json::Error| AppError::Internal(format!("{kind} document: {e}"));
        Ok(match kind {
            "procedure" => {
                let procedure: Procedure = serde_json::from_str(state).map_err(parse)?;
                let lots = lot_facts_of(&procedure);
                let mut releases = BTreeMap::new();
                if !lots.is_empty() {
                    let mut by_ocid: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
                    for release in self.ocds_procedure_releases(&procedure.id).await? {
                        let ocid = release["ocid"].as_str().unwrap_or_default().to_string();
                        by_ocid.entry(ocid).or_default().push(release);
                    }
                    for lot in &lots {
                        let ocid = format!("{}-{}", self.settings.ocds.ocid_prefix, lot.lot);
                        if let Some(compiled) = by_ocid.get(&ocid).and_then(|r| compiled_release(r))
                        {
                            releases.insert(lot.lot.clone(), compiled.to_string());
                        }
                    }
                }
                Update::Procedure {
                    id: procedure.id,
                    lots,
                    releases,
                }
            }
            "auction" => {
                let auction: Auction = serde_json::from_str(state).map_err(parse)?;
                let release = compiled_release(&self.ocds_sale_releases(&auction.id).await?)
                    .map(|r| r.to_string());
                Update::Sale(sale_fact_of(&auction), release)
            }
            _ => {
                let warning: Warning = serde_json::from_str(state).map_err(parse)?;
                Update::Warning(warning_fact_of(&warning))
            }
        })
    }

    /// The statistics of a selection, as of now. Warnings are counted for supervisors and
    /// auditors only; `detail` also lists the selected lots and sales (tallied in place
    /// otherwise: nothing is copied).
    pub async fn statistics(
        &self,
        caller: Option<&Caller>,
        query: &StatsQuery,
        detail: bool,
    ) -> Result<StatisticsView, AppError> {
        self.follow_statistics_once().await?;
        let with_warnings = sees_supervision(caller);
        let facts = self.book()?;
        let no_warnings: [WarningFact; 0] = [];
        let statistics = if with_warnings {
            statistics(
                facts.lots.values(),
                facts.sales.values(),
                facts.warnings.values(),
                query,
            )
        } else {
            statistics(
                facts.lots.values(),
                facts.sales.values(),
                &no_warnings,
                query,
            )
        };
        let (mut lots, mut sales) = (Vec::new(), Vec::new());
        if detail {
            lots = facts
                .lots
                .values()
                .filter(|f| query.selects(&f.category, &f.region, &f.method))
                .filter(|f| query.covers_day(f.announced_ms))
                .cloned()
                .collect();
            sales = facts
                .sales
                .values()
                .filter(|f| query.selects(&f.category, &f.region, &f.method))
                .filter(|f| query.covers_day(f.started_ms))
                .cloned()
                .collect();
        }
        drop(facts);
        lots.sort_by(|a: &LotFact, b| b.announced_ms.cmp(&a.announced_ms).then(a.lot.cmp(&b.lot)));
        sales.sort_by(|a: &SaleFact, b| b.started_ms.cmp(&a.started_ms).then(a.sale.cmp(&b.sale)));
        Ok(StatisticsView {
            statistics,
            lots,
            sales,
            with_warnings,
        })
    }

    /// Cardinal's red-flag indicators (the `flags` crate with `settings`) over the compiled
    /// releases of the selected lots and sales.
    pub async fn red_flags(
        &self,
        view: &StatisticsView,
        settings: &flags::Settings,
    ) -> Result<Vec<RedFlag>, AppError> {
        let mut input = String::new();
        {
            let facts = self.book()?;
            for key in view
                .lots
                .iter()
                .map(|l| &l.lot)
                .chain(view.sales.iter().map(|s| &s.sale))
            {
                if let Some(line) = facts.releases.get(key) {
                    input.push_str(line);
                    input.push('\n');
                }
            }
        }
        let output = flags::Indicators::run(input.as_bytes(), settings)
            .map_err(|e| AppError::Internal(format!("red flags: {e}")))?;
        let json: serde_json::Value =
            serde_json::from_str(&output.to_json(flags::JsonOptions { meta: false }))
                .map_err(|e| AppError::Internal(format!("red flags output: {e}")))?;
        let mut by_code: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (group, members) in json.as_object().into_iter().flatten() {
            for (id, results) in members.as_object().into_iter().flatten() {
                for (code, value) in results.as_object().into_iter().flatten() {
                    // An organisation's 0.0 marks the winner or the runner-up beside a
                    // flagged process, not a flag of its own.
                    if group != "OCID" && value.as_f64() == Some(0.0) {
                        continue;
                    }
                    by_code
                        .entry((code.clone(), group.clone()))
                        .or_default()
                        .push(id.clone());
                }
            }
        }
        Ok(by_code
            .into_iter()
            .map(|((code, group), flagged)| RedFlag {
                code,
                group,
                flagged,
            })
            .collect())
    }

    /// The signing-period watch: every awarded lot whose contract date has passed unsigned gets
    /// its lapse recorded by the platform (招标投标法 第46条), with the winner's credit record.
    /// Returns how many were recorded.
    pub async fn record_due_lapses(&self) -> Result<usize, AppError> {
        self.follow_statistics_once().await?;
        let now = self.now_ms();
        let due: Vec<String> = self
            .book()?
            .lots
            .values()
            .filter(|fact| fact.contract_due_ms.is_some_and(|due| due < now))
            .map(|fact| fact.lot.clone())
            .collect();
        let mut recorded = 0;
        for lot in due {
            let procedure = self
                .load_procedure(crate::tendering::tender::procedure_of_lot(&lot)?)
                .await?;
            match self
                .write_signing_lapse(&Caller::system(), &procedure, &lot)
                .await
            {
                Ok(_) => recorded += 1,
                // Recorded meanwhile by the organiser, or signed: nothing to do.
                Err(AppError::Domain(_)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(recorded)
    }
}

enum Update {
    Procedure {
        id: String,
        lots: Vec<LotFact>,
        releases: BTreeMap<String, String>,
    },
    Sale(SaleFact, Option<String>),
    Warning(WarningFact),
}

impl Facts {
    fn apply(&mut self, update: Update) {
        match update {
            Update::Procedure { id, lots, releases } => {
                for code in self.procedures.remove(&id).unwrap_or_default() {
                    self.lots.remove(&code);
                    self.releases.remove(&code);
                }
                self.procedures
                    .insert(id, lots.iter().map(|l| l.lot.clone()).collect());
                for fact in lots {
                    self.lots.insert(fact.lot.clone(), fact);
                }
                self.releases.extend(releases);
            }
            Update::Sale(fact, release) => {
                match release {
                    Some(line) => self.releases.insert(fact.sale.clone(), line),
                    None => self.releases.remove(&fact.sale),
                };
                self.sales.insert(fact.sale.clone(), fact);
            }
            Update::Warning(fact) => {
                self.warnings.insert(fact.id.clone(), fact);
            }
        }
    }
}
