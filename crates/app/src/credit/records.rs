//! Credit files: records with provenance, the evaluation, the gates, 信用修复.

use std::collections::HashMap;
use std::sync::Mutex;

use domain::{
    CreditCommand, CreditEvaluation, CreditFile, CreditStandard, Decider, DomainError, Gate,
    NewRecord, Role, SubjectKind, evaluate_credit,
};
use ledger::Visibility;
use serde::Serialize;
use store::{DocumentFilter, DocumentRow, WriteTx};

use crate::witness::append::{NewEntry, append};
use crate::witness::documents::{DocumentAggregate, decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// The ledger stream of a subject's credit file.
pub fn credit_stream(subject: &str) -> String {
    format!("credit/{subject}")
}

impl DocumentAggregate for Option<CreditFile> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let file = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "credit".into(),
            key1: file.subject.clone(),
            key2: match file.kind {
                SubjectKind::Entity => "entity",
                SubjectKind::Expert => "expert",
            }
            .into(),
            // Whether any record is still active (it may count today or later).
            status: if file
                .records
                .iter()
                .any(|r| r.status == domain::RecordStatus::Active)
            {
                "active"
            } else {
                "clear"
            }
            .into(),
            sort_ms: file
                .records
                .iter()
                .map(|r| r.recorded_at_ms)
                .max()
                .unwrap_or(file.opened_at_ms),
            state: serde_json::to_string(file).unwrap_or_default(),
            last_seq,
        })
    }

    fn event_kind(event: &domain::CreditEvent) -> &'static str {
        event.kind()
    }

    fn visibility(event: &domain::CreditEvent) -> Visibility {
        match event {
            // The application's statement and evidence are the subject's and the reviewers'.
            domain::CreditEvent::RepairApplied { .. } => Visibility::Parties,
            // Credit information is published (六(二)); personal numbers are never in it.
            _ => Visibility::Public,
        }
    }
}

/// A subject's credit as pages and the API show it.
#[derive(Clone, Debug, Serialize)]
pub struct CreditView {
    pub subject: String,
    pub kind: SubjectKind,
    pub name: String,
    pub file: Option<CreditFile>,
    /// One evaluation per standard that concerns the subject, today.
    pub evaluations: Vec<CreditEvaluation>,
    /// The credit standards' version the evaluations used.
    pub standards_version: u32,
}

/// One line of the public credit list.
#[derive(Clone, Debug, Serialize)]
pub struct CreditListing {
    pub subject: String,
    pub kind: SubjectKind,
    pub name: String,
    pub active_records: usize,
    /// (standard name, level, level name) for each standard.
    pub levels: Vec<(String, String, String)>,
    pub incentives: Vec<String>,
    pub punishments: Vec<String>,
}

/// What one gate judged of a subject, kept as evidence of a re-check (candidates, award).
#[derive(Clone, Debug, Serialize)]
pub struct CreditCheck {
    pub subject: String,
    pub name: String,
    pub standard: String,
    pub standards_version: u32,
    pub score: i64,
    pub level: String,
    /// Records counted, with their sources' cut-off times where they come from lists.
    pub records: Vec<(String, String, Option<i64>)>,
    pub refused_by: Option<String>,
}

/// Evaluations judged in the last second, per subject and standard (the bid path reads them).
#[derive(Default)]
pub(crate) struct CreditCache(Mutex<HashMap<(String, String), (i64, CreditEvaluation)>>);

impl CreditCache {
    const FOR_MS: i64 = 1_000;

    fn get(&self, key: &(String, String), now_ms: i64) -> Option<CreditEvaluation> {
        let cache = self.0.lock().ok()?;
        let (at, evaluation) = cache.get(key)?;
        (now_ms >= *at && now_ms - at < Self::FOR_MS).then(|| evaluation.clone())
    }

    fn put(&self, key: (String, String), evaluation: CreditEvaluation, now_ms: i64) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= 100_000 {
                cache.retain(|_, (at, _)| now_ms - *at < Self::FOR_MS);
            }
            cache.insert(key, (now_ms, evaluation));
        }
    }

    pub(crate) fn forget(&self, subject: &str) {
        if let Ok(mut cache) = self.0.lock() {
            cache.retain(|(s, _), _| s != subject);
        }
    }
}

impl App {
    /// Adds a credit record inside the caller's transaction (the act that causes it). A fact the
    /// standards in force do not list is not recorded (the rule data decides which facts count).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn credit_record_in(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &str,
        subject: &str,
        kind: SubjectKind,
        name: &str,
        record: NewRecord,
        now: i64,
    ) -> Result<Option<Receipt>, AppError> {
        let data = self.reference_data().await?;
        let Some(rule) = data.credit.fact(&record.fact).cloned() else {
            tracing::warn!(fact = %record.fact, "a credit fact not in the standards in force is not recorded");
            return Ok(None);
        };
        let mut record = record;
        if record.basis.trim().is_empty() {
            record.basis = rule.source.clone();
        }
        let stream = credit_stream(subject);
        let (decided, entries) = decide::<Option<CreditFile>>(
            tx,
            &stream,
            CreditCommand::Add {
                subject: subject.to_string(),
                kind,
                name: name.to_string(),
                record: Box::new(record),
                rule: Box::new(rule),
            },
            actor,
            now,
        )
        .await?;
        let receipts = append(tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("credit record appended nothing".into()))?;
        project(tx, &stream, &decided.after, last.seq).await?;
        self.credit_cache.forget(subject);
        Ok(Some(last))
    }

    /// A command on an existing credit file inside the caller's transaction.
    pub(crate) async fn credit_command_in(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &str,
        subject: &str,
        command: CreditCommand,
        now: i64,
    ) -> Result<Receipt, AppError> {
        let stream = credit_stream(subject);
        let (decided, entries) =
            decide::<Option<CreditFile>>(tx, &stream, command, actor, now).await?;
        let receipts = append(tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("credit command appended nothing".into()))?;
        project(tx, &stream, &decided.after, last.seq).await?;
        self.credit_cache.forget(subject);
        Ok(last)
    }

    /// A subject's credit file, if it has one.
    pub async fn credit_file(&self, subject: &str) -> Result<Option<CreditFile>, AppError> {
        match self.store.document(&credit_stream(subject)).await? {
            Some(row) => Ok(Some(decode_state(&row.state)?)),
            None => Ok(None),
        }
    }

    /// The standard in force for a catalog category's entities.
    async fn standard_for(&self, category: &str) -> Result<CreditStandard, AppError> {
        let data = self.reference_data().await?;
        data.credit.for_category(category).cloned().ok_or_else(|| {
            DomainError::CreditStandardInvalid {
                item: category.to_string(),
                reason: "该交易类别没有适用的信用标准".into(),
            }
            .into()
        })
    }

    /// A subject's evaluation under one standard today (judged at most once a second).
    pub(crate) async fn credit_evaluation(
        &self,
        subject: &str,
        standard: &CreditStandard,
    ) -> Result<CreditEvaluation, AppError> {
        let now = self.now_ms();
        let key = (subject.to_string(), standard.code.clone());
        if let Some(evaluation) = self.credit_cache.get(&key, now) {
            return Ok(evaluation);
        }
        let records = self
            .credit_file(subject)
            .await?
            .map(|f| f.records)
            .unwrap_or_default();
        let evaluation = evaluate_credit(&records, standard, domain::Date::of_instant(now));
        self.credit_cache.put(key, evaluation.clone(), now);
        Ok(evaluation)
    }

    /// The credit gate: refused when a measure of the category's standard refuses `gate` for the
    /// entity (naming the measure, the record or level behind it, and the rule's source).
    pub(crate) async fn require_credit(
        &self,
        entity: &str,
        category: &str,
        gate: Gate,
    ) -> Result<(), AppError> {
        Ok(self
            .category_evaluation(entity, category)
            .await?
            .check(gate)?)
    }

    /// An entity's evaluation under a category's standard, judged at most once a second: a bid
    /// burst reads neither the reference data nor the credit file on every bid.
    async fn category_evaluation(
        &self,
        entity: &str,
        category: &str,
    ) -> Result<CreditEvaluation, AppError> {
        let now = self.now_ms();
        let key = (entity.to_string(), format!("category:{category}"));
        if let Some(evaluation) = self.credit_cache.get(&key, now) {
            return Ok(evaluation);
        }
        let standard = self.standard_for(category).await?;
        let evaluation = self.credit_evaluation(entity, &standard).await?;
        self.credit_cache.put(key, evaluation.clone(), now);
        Ok(evaluation)
    }

    /// The bid bond an entity owes for a lot of `category` asking `bond_fen`, after the credit
    /// measures (a raise for a poor level, a reduction or waiver as an incentive).
    pub(crate) async fn credit_bond_fen(
        &self,
        entity: &str,
        category: &str,
        bond_fen: i64,
    ) -> Result<i64, AppError> {
        let evaluation = self.category_evaluation(entity, category).await?;
        Ok(domain::scaled_bond(bond_fen, evaluation.bond_percent()))
    }

    /// Re-checks `subjects` at `gate` (before the candidate notice or the award) and keeps the
    /// evidence — each subject's level, the records counted with their lists' cut-off times, the
    /// standards' version — as a `credit.checked` entry of the lot in the caller's transaction.
    /// Refused, writing nothing, when a measure refuses any of them.
    pub(crate) async fn credit_recheck_in(
        &self,
        tx: &mut WriteTx<'_>,
        lot: &str,
        category: &str,
        gate: Gate,
        subjects: &[(String, String)],
        now: i64,
    ) -> Result<(), AppError> {
        let standard = self.standard_for(category).await?;
        let version = self
            .reference_current(domain::ReferenceKind::Credit)
            .await?
            .version;
        let today = domain::Date::of_instant(now);
        let mut checks = Vec::new();
        for (subject, name) in subjects {
            let records = match tx.document(&credit_stream(subject)).await? {
                Some(row) => decode_state::<CreditFile>(&row.state)?.records,
                None => Vec::new(),
            };
            let evaluation = evaluate_credit(&records, &standard, today);
            if let Some(measure) = evaluation.refusing(gate) {
                return Err(DomainError::CreditRefused {
                    gate: gate.label(),
                    measure: measure.name.clone(),
                    because: format!("{name}（{subject}）{}", measure.because),
                    basis: measure.source.clone(),
                }
                .into());
            }
            checks.push(CreditCheck {
                subject: subject.clone(),
                name: name.clone(),
                standard: standard.code.clone(),
                standards_version: version,
                score: evaluation.score,
                level: evaluation.level.clone(),
                records: records
                    .iter()
                    .filter(|r| r.counts_on(today))
                    .map(|r| {
                        let cutoff = match &r.source {
                            domain::RecordSource::List { cutoff_ms, .. } => Some(*cutoff_ms),
                            _ => None,
                        };
                        (r.id.clone(), r.fact_name.clone(), cutoff)
                    })
                    .collect(),
                refused_by: None,
            });
        }
        let entry = NewEntry {
            stream: format!("credit-check/{lot}"),
            kind: "credit.checked".into(),
            visibility: Visibility::Public,
            actor: "platform".into(),
            payload: serde_json::json!({
                "lot": lot,
                "gate": gate.as_str(),
                "checked_at_ms": now,
                "checks": checks,
            }),
        };
        append(tx, &self.key, &self.settings.origin, now, vec![entry]).await?;
        Ok(())
    }

    /// A subject's credit: its file and an evaluation under each standard that concerns it.
    /// A repair application's statement and evidence are shown to the subject and the trading
    /// center only.
    pub async fn credit_view(
        &self,
        caller: Option<&Caller>,
        subject: &str,
    ) -> Result<CreditView, AppError> {
        let data = self.reference_data().await?;
        let version = self
            .reference_current(domain::ReferenceKind::Credit)
            .await?
            .version;
        let mut file = self.credit_file(subject).await?;
        let reader = caller.is_some_and(|c| c.acts_for(subject) || c.has_any(&[Role::Operator]));
        if !reader && let Some(file) = file.as_mut() {
            for record in &mut file.records {
                if let Some(repair) = record.repair.as_mut() {
                    repair.statement.clear();
                    repair.evidence.clear();
                }
            }
        }
        let entity = self.store.entity(subject).await?;
        let kind = match (&file, &entity) {
            (Some(file), _) => file.kind,
            (None, Some(_)) => SubjectKind::Entity,
            (None, None) => return Err(AppError::NotFound("没有该主体的信用信息")),
        };
        let name = entity
            .as_ref()
            .map(|e| e.name.clone())
            .or_else(|| file.as_ref().map(|f| f.name.clone()))
            .unwrap_or_default();
        let today = domain::Date::of_instant(self.now_ms());
        let records = file.as_ref().map(|f| f.records.clone()).unwrap_or_default();
        let evaluations = data
            .credit
            .of_subject(kind)
            .map(|standard| evaluate_credit(&records, standard, today))
            .collect();
        Ok(CreditView {
            subject: subject.to_string(),
            kind,
            name,
            file,
            evaluations,
            standards_version: version,
        })
    }

    /// The public credit list: subjects with records (active ones first when `active_only`),
    /// newest record first, one page.
    pub async fn credit_listings(
        &self,
        active_only: bool,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<CreditListing>, u64), AppError> {
        let data = self.reference_data().await?;
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "credit",
                    status: active_only.then_some("active"),
                    ..Default::default()
                },
                limit,
                offset,
            )
            .await?;
        let today = domain::Date::of_instant(self.now_ms());
        let mut listings = Vec::new();
        for row in &page.items {
            let file: CreditFile = decode_state(&row.state)?;
            let mut levels = Vec::new();
            let mut incentives = Vec::new();
            let mut punishments = Vec::new();
            for standard in data.credit.of_subject(file.kind) {
                let evaluation = evaluate_credit(&file.records, standard, today);
                for measure in &evaluation.measures {
                    let line = format!("{}：{}", standard.name, measure.name);
                    if measure.incentive {
                        incentives.push(line);
                    } else {
                        punishments.push(line);
                    }
                }
                levels.push((
                    standard.name.clone(),
                    evaluation.level.clone(),
                    evaluation.level_name.clone(),
                ));
            }
            listings.push(CreditListing {
                subject: file.subject.clone(),
                kind: file.kind,
                name: file.name.clone(),
                active_records: file.records.iter().filter(|r| r.counts_on(today)).count(),
                levels,
                incentives,
                punishments,
            });
        }
        Ok((listings, page.total))
    }

    /// Every credit file, for the bulk download (public records; repair applications' contents
    /// are not in the files).
    pub async fn credit_files(&self) -> Result<Vec<CreditFile>, AppError> {
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "credit",
                    ..Default::default()
                },
                10_000_000,
                0,
            )
            .await?;
        page.items
            .iter()
            .map(|row| {
                let mut file: CreditFile = decode_state(&row.state)?;
                for record in &mut file.records {
                    if let Some(repair) = record.repair.as_mut() {
                        repair.statement.clear();
                        repair.evidence.clear();
                    }
                }
                Ok(file)
            })
            .collect()
    }

    /// 信用修复: the entity applies, with a statement and evidence files, once the fact's
    /// period before repair has passed.
    pub async fn apply_credit_repair(
        &self,
        caller: &Caller,
        record: &str,
        statement: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Receipt, AppError> {
        let subject = record.split('#').next().unwrap_or_default();
        if !caller.acts_for(subject) {
            return Err(AppError::NotAuthorized);
        }
        let evidence = Self::evidence_of(files)?;
        let now = self.now_ms();
        let command = CreditCommand::ApplyRepair {
            id: record.to_string(),
            statement: statement.to_string(),
            evidence: evidence.iter().map(|(d, _)| d.sm3.clone()).collect(),
            by: caller.username.clone(),
        };
        // Checked before anything is stored: a refusal writes nothing, not even a blob.
        self.credit_file(subject)
            .await?
            .decide(command.clone(), now)?;
        for (_, bytes) in &evidence {
            self.store.put_blob(bytes, now).await?;
        }
        let mut tx = self.store.begin().await?;
        let receipt = self
            .credit_command_in(&mut tx, &caller.username, subject, command, now)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// The trading center reviews a repair application: approved, the record stops counting.
    pub async fn review_credit_repair(
        &self,
        caller: &Caller,
        record: &str,
        approve: bool,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let subject = record.split('#').next().unwrap_or_default();
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let receipt = self
            .credit_command_in(
                &mut tx,
                &caller.username,
                subject,
                CreditCommand::ReviewRepair {
                    id: record.to_string(),
                    approve,
                    reason: reason.to_string(),
                    by: caller.username.clone(),
                },
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// Repair applications waiting for review (the trading center).
    pub async fn pending_credit_repairs(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(CreditFile, String)>, AppError> {
        caller.require(Role::Operator)?;
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "credit",
                    status: Some("active"),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut pending = Vec::new();
        for row in &page.items {
            let file: CreditFile = decode_state(&row.state)?;
            for record in &file.records {
                if record.status == domain::RecordStatus::Active
                    && record.repair.as_ref().is_some_and(|r| r.approved.is_none())
                {
                    pending.push((file.clone(), record.id.clone()));
                }
            }
        }
        Ok(pending)
    }

    /// Experts whose credit keeps them out of draws (the expert standard's measures).
    pub(crate) async fn experts_refused_by_credit(
        &self,
    ) -> Result<std::collections::BTreeSet<String>, AppError> {
        let data = self.reference_data().await?;
        let Some(standard) = data.credit.for_experts() else {
            return Ok(Default::default());
        };
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "credit",
                    key2: Some("expert"),
                    status: Some("active"),
                    ..Default::default()
                },
                10_000_000,
                0,
            )
            .await?;
        let today = domain::Date::of_instant(self.now_ms());
        let mut refused = std::collections::BTreeSet::new();
        for row in &page.items {
            let file: CreditFile = decode_state(&row.state)?;
            if evaluate_credit(&file.records, standard, today)
                .refusing(Gate::ExpertPool)
                .is_some()
            {
                refused.insert(file.subject);
            }
        }
        Ok(refused)
    }
}
