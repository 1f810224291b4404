//! The warning engine: follows the ledger, gathers facts, runs the signals, writes warnings.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use domain::{
    Bid, BidStatus, BidderFacts, Bond, EntityId, EnvelopeFacts, Finding, LotFacts, LotRecord,
    LotStatus, OpenedFacts, OpeningOutcome, Procedure, Stage, Subject, Warning, WarningCommand,
    WarningRules, WarningScope, lot_signals, market_signals,
};
use ledger::Visibility;
use store::{DocumentFilter, DocumentRow, EntryRow, WriteTx};

use crate::tendering::tender::{procedure_of_lot, procedure_stream};
use crate::witness::append::append;
use crate::witness::documents::{DocumentAggregate, decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Receipt};

/// How many ledger entries one pass reads at most.
const BATCH: u64 = 5_000;

/// Where the engine's place is kept between starts (`platform_meta`): a restarted node resumes
/// there instead of running every lot's signals again (which would add nothing: a known
/// finding is not raised twice).
const PLACE_META: &str = "warning_engine_place";

/// The engine's place in the ledger on this node.
#[derive(Debug, Default)]
pub(crate) struct Engine {
    position: Mutex<u64>,
    /// Whether the place kept in the store has been read since this node started.
    resumed: std::sync::atomic::AtomicBool,
    /// The finished lots of every procedure, kept up to date by ledger place (one reader at a
    /// time): the market signals' history without reading every procedure on each award.
    market: tokio::sync::Mutex<MarketBook>,
}

/// The market history as of a ledger place.
#[derive(Debug, Default)]
struct MarketBook {
    /// Procedures changed at places up to here are in the book (-1: none yet).
    place: i64,
    read_any: bool,
    /// Each procedure's finished lots with the scope of their entries.
    by_procedure: BTreeMap<String, Vec<(LotRecord, WarningScope)>>,
    /// Entity names already looked up.
    names: BTreeMap<String, String>,
}

/// Procedures read per step when the market book catches up.
const MARKET_STEP: u64 = 500;

impl DocumentAggregate for Option<Warning> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let warning = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "warning".into(),
            key1: warning.finding.lot.clone().unwrap_or_default(),
            key2: warning.finding.signal.clone(),
            status: warning.status.as_str().into(),
            sort_ms: warning.raised_at_ms,
            state: serde_json::to_string(warning).unwrap_or_default(),
            last_seq,
        })
    }

    fn event_kind(event: &domain::WarningEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::WarningEvent) -> Visibility {
        // A lead, not a finding: supervision and audit only (the committee reads its lot's
        // warnings through the application, never from the public ledger).
        Visibility::Supervision
    }
}

/// The actor of the engine's entries.
pub(crate) const ENGINE_ACTOR: &str = "warning-engine";

/// The lot a procedure entry's payload names, if any.
fn lot_of(entry: &EntryRow) -> Option<String> {
    let payload: serde_json::Value = serde_json::from_str(&entry.payload).ok()?;
    Some(payload.get("lot")?.as_str()?.to_string())
}

/// The newest entry of `kind` about `lot` among a procedure's entries.
fn lot_entry<'a>(entries: &'a [EntryRow], kind: &str, lot: &str) -> Option<&'a EntryRow> {
    entries
        .iter()
        .rev()
        .find(|e| e.kind == kind && lot_of(e).as_deref() == Some(lot))
}

/// The place of the last entry of `kind` among `entries`.
fn last_of(entries: &[EntryRow], kind: &str) -> Option<u64> {
    entries
        .iter()
        .rev()
        .find(|e| e.kind == kind)
        .map(|e| e.seq as u64)
}

fn stage_of(status: &LotStatus) -> Stage {
    match status {
        LotStatus::Bidding => Stage::Bid,
        LotStatus::Opening { .. } | LotStatus::Opened | LotStatus::Failed { .. } => Stage::Opening,
        LotStatus::Evaluating | LotStatus::Evaluated => Stage::Evaluation,
        LotStatus::Suspended { before, .. } => stage_of(before),
        _ => Stage::Award,
    }
}

impl App {
    /// One pass of the engine: the entries after its place, the lots they concern, their
    /// signals, and the market signals when a lot was awarded or failed. Returns how many
    /// warnings were raised or extended.
    pub async fn follow_warnings_once(&self) -> Result<usize, AppError> {
        if !self
            .monitoring
            .resumed
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let kept = self
                .store
                .meta(PLACE_META)
                .await?
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            if let Ok(mut position) = self.monitoring.position.lock() {
                *position = (*position).max(kept);
            }
        }
        let from = *self
            .monitoring
            .position
            .lock()
            .map_err(|_| AppError::Internal("engine position".into()))?;
        let tip = self.store.latest_head().await?.map_or(0, |h| h.size as u64);
        if tip <= from {
            return Ok(0);
        }
        let to = tip.min(from + BATCH);
        let entries = self.store.entries(from, to).await?;
        let (lots, market) = self.lots_concerned(&entries).await?;
        let rules = self.reference_data().await?.warnings;
        let mut written = 0;
        for lot in &lots {
            written += self.check_lot(lot, &rules).await?;
        }
        if market {
            written += self.check_market(&rules).await?;
        }
        if let Ok(mut position) = self.monitoring.position.lock() {
            *position = (*position).max(to);
        }
        self.store.set_meta(PLACE_META, &to.to_string()).await?;
        Ok(written)
    }

    /// The lots the entries concern, and whether a lot was awarded or failed.
    async fn lots_concerned(
        &self,
        entries: &[EntryRow],
    ) -> Result<(BTreeSet<String>, bool), AppError> {
        let mut lots = BTreeSet::new();
        let mut market = false;
        let mut procedures = BTreeSet::new();
        for entry in entries {
            if entry.stream.starts_with("bid/") || entry.stream.starts_with("bond/") {
                if let Some(row) = self.store.document(&entry.stream).await? {
                    lots.insert(row.key1);
                }
            } else if let Some(id) = entry.stream.strip_prefix("procedure/") {
                match lot_of(entry) {
                    Some(lot) => {
                        lots.insert(lot);
                    }
                    None => {
                        procedures.insert(id.to_string());
                    }
                }
                market |= matches!(
                    entry.kind.as_str(),
                    "procedure.awarded" | "procedure.lot_failed" | "procedure.award_voided"
                );
            }
        }
        for id in procedures {
            if let Some(row) = self.store.document(&procedure_stream(&id)).await? {
                let procedure: Procedure = decode_state(&row.state)?;
                lots.extend(procedure.lots.iter().map(|l| l.code.clone()));
            }
        }
        Ok((lots, market))
    }

    /// Runs the lot signals over one lot and writes what they find.
    async fn check_lot(&self, lot: &str, rules: &WarningRules) -> Result<usize, AppError> {
        let Ok(procedure_id) = procedure_of_lot(lot) else {
            return Ok(0);
        };
        let Some(row) = self.store.document(&procedure_stream(procedure_id)).await? else {
            return Ok(0);
        };
        let procedure: Procedure = decode_state(&row.state)?;
        let Some(found) = procedure.lot(lot) else {
            return Ok(0);
        };
        let facts = self.lot_facts(&procedure, lot).await?;
        let scope = WarningScope {
            procedure: Some(procedure.id.clone()),
            title: format!("{} {}", procedure.draft.title, found.name),
            category: procedure.draft.category.clone(),
            region: procedure.draft.region.to_string(),
        };
        let stage = stage_of(&found.status);
        let mut written = 0;
        for finding in lot_signals(&facts, rules) {
            written += self.write_finding(finding, rules, stage, &scope).await?;
        }
        Ok(written)
    }

    /// One lot's facts from its bids, bonds, bidders and procedure.
    pub(crate) async fn lot_facts(
        &self,
        procedure: &Procedure,
        lot: &str,
    ) -> Result<LotFacts, AppError> {
        let Some(found) = procedure.lot(lot) else {
            return Ok(LotFacts::default());
        };
        let procedure_entries = self
            .store
            .stream_entries(&procedure_stream(&procedure.id))
            .await?;
        let entry_of = |kind: &str| lot_entry(&procedure_entries, kind, lot).map(|e| e.seq as u64);
        let opened_seq = entry_of("procedure.lot_opened").unwrap_or(0);
        let bids = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bid",
                    key1: Some(lot),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let bonds = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bond",
                    key1: Some(lot),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut payers = BTreeMap::new();
        for row in &bonds.items {
            let bond: Bond = decode_state(&row.state)?;
            if let Some(payer) = bond.payer {
                let entries = self.store.stream_entries(&row.stream).await?;
                let seq = last_of(&entries, "bond.confirmed").unwrap_or(row.last_seq as u64);
                payers.insert(
                    bond.bidder.to_string(),
                    (format!("{}·{}", payer.tail, payer.tag), seq),
                );
            }
        }
        let mut bidders = Vec::new();
        for row in &bids.items {
            let bid: Bid = decode_state(&row.state)?;
            let Some(entity) = self.store.entity(bid.bidder.0.as_str()).await? else {
                continue;
            };
            // The exact entries: the submission in force and each download with its copy.
            let entries = self.store.stream_entries(&row.stream).await?;
            let submitted_seq = last_of(&entries, "bid.submitted").unwrap_or(row.last_seq as u64);
            let downloads: Vec<(String, u64)> = entries
                .iter()
                .filter(|e| e.kind == "bid.documents_downloaded")
                .filter_map(|e| {
                    let payload: serde_json::Value = serde_json::from_str(&e.payload).ok()?;
                    let copy = payload.get("copy")?.as_str()?.to_string();
                    Some((copy, e.seq as u64))
                })
                .collect();
            let envelope = match (&bid.status, &bid.envelope) {
                (BidStatus::Submitted, Some(envelope)) => {
                    let header: Option<crypto::EnvelopeHeader> =
                        serde_json::from_str(&envelope.header).ok();
                    let certificate_key = header
                        .as_ref()
                        .and_then(|h| crypto::Certificate::from_pem(&h.certificate).ok())
                        .and_then(|c| c.public_key().ok())
                        .map(|k| k.to_hex())
                        .unwrap_or_default();
                    Some(EnvelopeFacts {
                        machine: envelope.machine_fingerprint.clone(),
                        upload_tag: envelope.upload_tag.clone(),
                        certificate_key,
                        copy: header
                            .as_ref()
                            .map(|h| h.document_copy.clone())
                            .unwrap_or_default(),
                        submitted_at_ms: bid.submitted_at_ms.unwrap_or(0),
                        seq: submitted_seq,
                    })
                }
                _ => None,
            };
            let opened = found
                .opening
                .iter()
                .find(|line| line.bidder == bid.bidder && line.outcome == OpeningOutcome::Opened)
                .map(|line| OpenedFacts {
                    price_fen: line.price_fen,
                    form: line.form.clone(),
                    files: line
                        .files
                        .iter()
                        .map(|f| (f.name.clone(), f.sm3.clone(), f.size))
                        .collect(),
                    seq: opened_seq,
                });
            bidders.push(BidderFacts {
                bidder: bid.bidder.clone(),
                name: entity.name.clone(),
                legal_representative: entity.legal_representative.clone(),
                contact_name: entity.contact_name.clone(),
                contact_phone: entity.contact_phone.clone(),
                contact_email: entity.contact_email.clone(),
                controller: Some(entity.controller.clone()).filter(|c| !c.is_empty()),
                code: entity.code.clone(),
                entity_seq: entity.last_seq as u64,
                envelope,
                downloads,
                bond_payer: payers.get(bid.bidder.0.as_str()).cloned(),
                opened,
            });
        }
        let winner = found
            .award
            .winner
            .as_ref()
            .map(|w| (w.bidder.clone(), entry_of("procedure.awarded").unwrap_or(0)));
        Ok(LotFacts {
            lot: lot.to_string(),
            bidders,
            winner,
        })
    }

    /// Runs the market signals over every finished lot and writes what they find.
    async fn check_market(&self, rules: &WarningRules) -> Result<usize, AppError> {
        let (history, scopes) = self.market_history().await?;
        let mut written = 0;
        for finding in market_signals(&history, rules) {
            // The jurisdiction of a market warning: that of the newest lot it names.
            let scope = finding
                .evidence
                .iter()
                .filter_map(|e| scopes.get(&e.seq))
                .next_back()
                .cloned()
                .unwrap_or_default();
            written += self
                .write_finding(finding, rules, Stage::Market, &scope)
                .await?;
        }
        Ok(written)
    }

    /// Every awarded or failed lot, with the scope of its entry: the market book brought up to
    /// the latest signed head (only the procedures changed since its place are read again).
    pub(crate) async fn market_history(
        &self,
    ) -> Result<(Vec<LotRecord>, BTreeMap<u64, WarningScope>), AppError> {
        let mut book = self.monitoring.market.lock().await;
        let tip = self.store.latest_head().await?.map_or(0, |h| h.size);
        loop {
            let place = if book.read_any { book.place } else { -1 };
            let rows = self
                .store
                .documents_changed_between(
                    &["procedure", "procedure", "procedure"],
                    place,
                    tip,
                    MARKET_STEP,
                )
                .await?;
            let full = rows.len() as u64 == MARKET_STEP;
            for row in &rows {
                let procedure: Procedure = decode_state(&row.state)?;
                let records = self.finished_lots(&procedure, &mut book.names).await?;
                if records.is_empty() {
                    book.by_procedure.remove(&procedure.id);
                } else {
                    book.by_procedure.insert(procedure.id.clone(), records);
                }
            }
            book.read_any = true;
            book.place = match rows.last() {
                Some(last) if full => last.last_seq,
                _ => (tip - 1).max(place),
            };
            if !full {
                break;
            }
        }
        let mut history = Vec::new();
        let mut scopes = BTreeMap::new();
        for (record, scope) in book.by_procedure.values().flatten() {
            scopes.insert(record.seq, scope.clone());
            history.push(record.clone());
        }
        history.sort_by_key(|r| r.seq);
        Ok((history, scopes))
    }

    /// One procedure's awarded or failed lots, each with the scope of its entry.
    async fn finished_lots(
        &self,
        procedure: &Procedure,
        names: &mut BTreeMap<String, String>,
    ) -> Result<Vec<(LotRecord, WarningScope)>, AppError> {
        let finished: Vec<&domain::Lot> = procedure
            .lots
            .iter()
            .filter(|l| l.award.winner.is_some() || matches!(l.status, LotStatus::Failed { .. }))
            .collect();
        if finished.is_empty() {
            return Ok(Vec::new());
        }
        let entries = self
            .store
            .stream_entries(&procedure_stream(&procedure.id))
            .await?;
        let tenderee = procedure.draft.tenderee.to_string();
        let tenderee_name = match names.get(&tenderee) {
            Some(name) => name.clone(),
            None => {
                let name = self
                    .store
                    .entity(&tenderee)
                    .await?
                    .map(|e| e.name)
                    .unwrap_or_else(|| tenderee.clone());
                names.insert(tenderee.clone(), name.clone());
                name
            }
        };
        let scope = WarningScope {
            procedure: Some(procedure.id.clone()),
            title: procedure.draft.title.clone(),
            category: procedure.draft.category.clone(),
            region: procedure.draft.region.to_string(),
        };
        let mut records = Vec::new();
        for lot in finished {
            let failed = matches!(lot.status, LotStatus::Failed { .. });
            let kind = if failed {
                "procedure.lot_failed"
            } else {
                "procedure.awarded"
            };
            let Some(entry) = lot_entry(&entries, kind, &lot.code) else {
                continue;
            };
            let mut bidders: Vec<Subject> = lot
                .opening
                .iter()
                .map(|line| Subject {
                    entity: line.bidder.clone(),
                    name: line.bidder_name.clone(),
                })
                .collect();
            if bidders.is_empty() && lot.received_at_failure == Some(1) {
                // A lot failed with one envelope: the bidder is not named, the count counts.
                bidders.push(Subject {
                    entity: EntityId(String::new()),
                    name: String::new(),
                });
            }
            records.push((
                LotRecord {
                    lot: lot.code.clone(),
                    tenderee: Subject {
                        entity: procedure.draft.tenderee.clone(),
                        name: tenderee_name.clone(),
                    },
                    bidders,
                    winner: lot.award.winner.as_ref().map(|w| Subject {
                        entity: w.bidder.clone(),
                        name: w.name.clone(),
                    }),
                    failed,
                    at_ms: entry.at_ms,
                    seq: entry.seq as u64,
                },
                scope.clone(),
            ));
        }
        Ok(records)
    }

    /// Raises a new finding as a warning, or adds its new evidence to the known one, in one
    /// transaction (the load inside it decides which, so two nodes never raise one twice).
    async fn write_finding(
        &self,
        finding: Finding,
        rules: &WarningRules,
        stage: Stage,
        scope: &WarningScope,
    ) -> Result<usize, AppError> {
        let id = Warning::id_of(&finding.key());
        let stream = Warning::stream(&id);
        if let Some(row) = self.store.document(&stream).await? {
            let known: Warning = decode_state(&row.state)?;
            if !finding.adds_to(&known.finding) {
                return Ok(0);
            }
        }
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let command = if tx.document(&stream).await?.is_some() {
            WarningCommand::Extend { finding, stage }
        } else {
            let rule = rules.signals.get(&finding.signal);
            WarningCommand::Raise {
                label: rule.map(|r| r.label.clone()).unwrap_or_default(),
                source: rule.map(|r| r.source.clone()).unwrap_or_default(),
                finding,
                stage,
                scope: scope.clone(),
            }
        };
        let written = self
            .warning_command_in(&mut tx, &id, command, ENGINE_ACTOR, now)
            .await?;
        tx.commit().await?;
        Ok(usize::from(written.is_some()))
    }

    /// Runs a command on a warning inside the caller's transaction; its last receipt, or none
    /// when the command changed nothing (known evidence again).
    pub(crate) async fn warning_command_in(
        &self,
        tx: &mut WriteTx<'_>,
        id: &str,
        command: WarningCommand,
        actor: &str,
        now: i64,
    ) -> Result<Option<Receipt>, AppError> {
        let stream = Warning::stream(id);
        let (decided, entries) =
            decide::<Option<Warning>>(tx, &stream, command, actor, now).await?;
        let receipts = append(tx, &self.key, &self.settings.origin, now, entries).await?;
        let Some(last) = receipts.last().cloned() else {
            return Ok(None);
        };
        project(tx, &stream, &decided.after, last.seq).await?;
        Ok(Some(last))
    }
}
