//! A subject's credit file (信用档案): its records, each naming the fact, its source and legal
//! basis, its date and how long it counts; withdrawals by their source; and 信用修复 — an
//! application with evidence, the trading center's review, the restoration recorded.

use serde::{Deserialize, Serialize};

use crate::credit::standard::{FactRule, SubjectKind};
use crate::fields::text_field;
use crate::{Date, Decider, DomainError};

/// Where a record comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecordSource {
    /// A fact the platform witnessed: the stream and the entry kind of the act.
    Platform { stream: String, act: String },
    /// A supervising department's decision in a case.
    Decision { case: String, department: String },
    /// A row of an imported external list.
    List {
        list: String,
        import: String,
        /// The list's cut-off time (截止时间) as downloaded.
        cutoff_ms: i64,
        row: u32,
    },
    /// A record another node made, relayed through the province registry: where it was made
    /// (the node's origin and the entry's place in that node's ledger) and its own source there.
    Province {
        origin: String,
        seq: u64,
        source: Box<RecordSource>,
    },
}

/// Where a record stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RecordStatus {
    Active,
    /// Withdrawn by its source (a later list no longer names it; a decision set aside).
    Withdrawn {
        reason: String,
        at_ms: i64,
    },
    /// 信用修复 approved: the record stays in the history but no longer counts.
    Repaired {
        reason: String,
        by: String,
        at_ms: i64,
    },
}

/// An application for 信用修复 and its review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairApplication {
    pub statement: String,
    /// SM3 digests of the evidence files (blobs).
    pub evidence: Vec<String>,
    pub by: String,
    pub at_ms: i64,
    /// `None` while under review; `Some(false)` when refused (with the reason).
    pub approved: Option<bool>,
    #[serde(default)]
    pub review: String,
}

/// A new record as its source states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecord {
    pub fact: String,
    pub source: RecordSource,
    /// The legal basis the source names.
    pub basis: String,
    /// The day of the fact (列入日期, the act's day).
    pub date: Date,
    /// The last day it counts, when the source names one; else the fact's months decide.
    pub until: Option<Date>,
    pub detail: String,
}

/// One credit record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRecord {
    /// `subject#n`, unique on the platform.
    pub id: String,
    pub fact: String,
    pub fact_name: String,
    pub source: RecordSource,
    pub basis: String,
    pub date: Date,
    /// The last day it counts; `None`: until withdrawn.
    pub valid_until: Option<Date>,
    /// 信用修复 may be applied for from this day; `None`: not repairable.
    pub repairable_from: Option<Date>,
    pub detail: String,
    pub recorded_at_ms: i64,
    pub status: RecordStatus,
    #[serde(default)]
    pub repair: Option<RepairApplication>,
}

impl CreditRecord {
    /// Whether it counts on `day`: active, dated on or before it, not past its last day.
    pub fn counts_on(&self, day: Date) -> bool {
        self.status == RecordStatus::Active
            && self.date <= day
            && self.valid_until.is_none_or(|until| day <= until)
    }

    /// Why it does not count on `day` (empty if it does).
    pub fn why_not_counted(&self, day: Date) -> String {
        match &self.status {
            RecordStatus::Withdrawn { reason, .. } => format!("已撤销：{reason}"),
            RecordStatus::Repaired { .. } => "已信用修复".into(),
            RecordStatus::Active if self.date > day => "尚未生效".into(),
            RecordStatus::Active => match self.valid_until {
                Some(until) if day > until => format!("已于 {until} 期满"),
                _ => String::new(),
            },
        }
    }
}

/// A subject's credit file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditFile {
    /// The entity id (USCC, or `P` and a keyed digest of the ID number) or the expert pseudonym.
    pub subject: String,
    pub kind: SubjectKind,
    pub name: String,
    pub records: Vec<CreditRecord>,
    pub opened_at_ms: i64,
}

impl CreditFile {
    pub fn record(&self, id: &str) -> Option<&CreditRecord> {
        self.records.iter().find(|r| r.id == id)
    }

    /// The active record from this list source (list kind and subject), if any.
    pub fn active_from_list(&self, list: &str) -> Option<&CreditRecord> {
        self.records.iter().find(|r| {
            r.status == RecordStatus::Active
                && matches!(&r.source, RecordSource::List { list: l, .. } if l == list)
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreditCommand {
    /// Adds a record; the file is opened by its first record.
    Add {
        subject: String,
        kind: SubjectKind,
        name: String,
        record: Box<NewRecord>,
        /// The fact's rule in the standards in force.
        rule: Box<FactRule>,
    },
    Withdraw {
        id: String,
        reason: String,
    },
    ApplyRepair {
        id: String,
        statement: String,
        evidence: Vec<String>,
        by: String,
    },
    ReviewRepair {
        id: String,
        approve: bool,
        reason: String,
        by: String,
    },
    /// Takes in a credit event another node witnessed (`origin`, at `seq` of its ledger),
    /// relayed through the province registry: a record (kept under `origin:` and its id there,
    /// with a `Province` source), its withdrawal, or an approved 信用修复. What does not apply —
    /// a record already here, one unknown here, a step its state does not allow — decides
    /// nothing, so a relay never fails and never repeats.
    Relay {
        origin: String,
        seq: u64,
        event: Box<CreditEvent>,
    },
}

/// The id a relayed record has here: a record made at `origin` is `origin:` and its id there;
/// one that was itself relayed keeps the id it was given where it entered the province registry.
pub fn relayed_record_id(origin: &str, id: &str) -> String {
    if id.contains(':') {
        id.to_string()
    } else {
        format!("{origin}:{id}")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CreditEvent {
    Recorded {
        subject: String,
        kind: SubjectKind,
        name: String,
        record: Box<CreditRecord>,
    },
    Withdrawn {
        id: String,
        reason: String,
        at_ms: i64,
    },
    RepairApplied {
        id: String,
        application: RepairApplication,
    },
    RepairReviewed {
        id: String,
        approve: bool,
        reason: String,
        by: String,
        at_ms: i64,
    },
}

impl CreditEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Recorded { .. } => "credit.recorded",
            Self::Withdrawn { .. } => "credit.withdrawn",
            Self::RepairApplied { .. } => "credit.repair_applied",
            Self::RepairReviewed { .. } => "credit.repair_reviewed",
        }
    }
}

fn record_step(step: &'static str, status: &str) -> DomainError {
    DomainError::CreditStep {
        step,
        status: status.to_string(),
    }
}

impl Decider for Option<CreditFile> {
    type Command = CreditCommand;
    type Event = CreditEvent;

    fn decide(&self, command: CreditCommand, now_ms: i64) -> Result<Vec<CreditEvent>, DomainError> {
        match command {
            CreditCommand::Add {
                subject,
                kind,
                name,
                record,
                rule,
            } => {
                if rule.code != record.fact || rule.subject != kind {
                    return Err(DomainError::CreditFactUnknown { fact: record.fact });
                }
                if let Some(file) = self
                    && (file.subject != subject || file.kind != kind)
                {
                    return Err(DomainError::CreditFactUnknown { fact: record.fact });
                }
                text_field("信用记录依据", &record.basis, 2000)?;
                crate::fields::optional_text("信用记录说明", &record.detail, 2000)?;
                let valid_until = match (record.until, rule.months) {
                    (Some(until), _) => Some(until),
                    (None, Some(months)) => Some(record.date.add_months(months)),
                    (None, None) => None,
                };
                if valid_until.is_some_and(|until| until < record.date) {
                    return Err(DomainError::CreditDates);
                }
                let n = self.as_ref().map_or(0, |f| f.records.len()) + 1;
                Ok(vec![CreditEvent::Recorded {
                    subject: subject.clone(),
                    kind,
                    name,
                    record: Box::new(CreditRecord {
                        id: format!("{subject}#{n}"),
                        fact: rule.code.clone(),
                        fact_name: rule.name.clone(),
                        source: record.source,
                        basis: record.basis.trim().to_string(),
                        date: record.date,
                        valid_until,
                        repairable_from: rule
                            .repair_after_months
                            .map(|months| record.date.add_months(months)),
                        detail: record.detail.trim().to_string(),
                        recorded_at_ms: now_ms,
                        status: RecordStatus::Active,
                        repair: None,
                    }),
                }])
            }
            CreditCommand::Withdraw { id, reason } => {
                let file = self.as_ref().ok_or(DomainError::CreditRecordNotFound)?;
                let record = file.record(&id).ok_or(DomainError::CreditRecordNotFound)?;
                if record.status != RecordStatus::Active {
                    return Err(record_step("撤销", status_label(&record.status)));
                }
                text_field("撤销原因", &reason, 500)?;
                Ok(vec![CreditEvent::Withdrawn {
                    id,
                    reason: reason.trim().to_string(),
                    at_ms: now_ms,
                }])
            }
            CreditCommand::ApplyRepair {
                id,
                statement,
                evidence,
                by,
            } => {
                let file = self.as_ref().ok_or(DomainError::CreditRecordNotFound)?;
                let record = file.record(&id).ok_or(DomainError::CreditRecordNotFound)?;
                if record.status != RecordStatus::Active {
                    return Err(record_step("申请信用修复", status_label(&record.status)));
                }
                if record.repair.as_ref().is_some_and(|r| r.approved.is_none()) {
                    return Err(record_step("再次申请信用修复", "修复申请审核中"));
                }
                let today = Date::of_instant(now_ms);
                match record.repairable_from {
                    None => return Err(DomainError::CreditNotRepairable { from: None }),
                    Some(from) if today < from => {
                        return Err(DomainError::CreditNotRepairable { from: Some(from) });
                    }
                    Some(_) => {}
                }
                text_field("信用修复申请说明", &statement, 5000)?;
                if evidence.is_empty() {
                    return Err(DomainError::Required {
                        field: "信用修复证明材料",
                    });
                }
                Ok(vec![CreditEvent::RepairApplied {
                    id,
                    application: RepairApplication {
                        statement: statement.trim().to_string(),
                        evidence,
                        by,
                        at_ms: now_ms,
                        approved: None,
                        review: String::new(),
                    },
                }])
            }
            CreditCommand::ReviewRepair {
                id,
                approve,
                reason,
                by,
            } => {
                let file = self.as_ref().ok_or(DomainError::CreditRecordNotFound)?;
                let record = file.record(&id).ok_or(DomainError::CreditRecordNotFound)?;
                let pending = record.status == RecordStatus::Active
                    && record.repair.as_ref().is_some_and(|r| r.approved.is_none());
                if !pending {
                    return Err(record_step("审核信用修复", "没有待审核的修复申请"));
                }
                text_field("审核意见", &reason, 2000)?;
                Ok(vec![CreditEvent::RepairReviewed {
                    id,
                    approve,
                    reason: reason.trim().to_string(),
                    by,
                    at_ms: now_ms,
                }])
            }
            CreditCommand::Relay { origin, seq, event } => {
                Ok(self.relay(&origin, seq, *event, now_ms))
            }
        }
    }

    fn evolve(self, event: &CreditEvent) -> Self {
        match event {
            CreditEvent::Recorded {
                subject,
                kind,
                name,
                record,
            } => {
                let mut file = self.unwrap_or_else(|| CreditFile {
                    subject: subject.clone(),
                    kind: *kind,
                    name: name.clone(),
                    records: Vec::new(),
                    opened_at_ms: record.recorded_at_ms,
                });
                if !name.is_empty() {
                    file.name = name.clone();
                }
                file.records.push((**record).clone());
                Some(file)
            }
            CreditEvent::Withdrawn { id, reason, at_ms } => self.map(|mut file| {
                if let Some(record) = file.records.iter_mut().find(|r| &r.id == id) {
                    record.status = RecordStatus::Withdrawn {
                        reason: reason.clone(),
                        at_ms: *at_ms,
                    };
                }
                file
            }),
            CreditEvent::RepairApplied { id, application } => self.map(|mut file| {
                if let Some(record) = file.records.iter_mut().find(|r| &r.id == id) {
                    record.repair = Some(application.clone());
                }
                file
            }),
            CreditEvent::RepairReviewed {
                id,
                approve,
                reason,
                by,
                at_ms,
            } => self.map(|mut file| {
                if let Some(record) = file.records.iter_mut().find(|r| &r.id == id) {
                    if let Some(repair) = record.repair.as_mut() {
                        repair.approved = Some(*approve);
                        repair.review = reason.clone();
                    }
                    if *approve {
                        record.status = RecordStatus::Repaired {
                            reason: reason.clone(),
                            by: by.clone(),
                            at_ms: *at_ms,
                        };
                    }
                }
                file
            }),
        }
    }
}

trait RelayCredit {
    fn relay(&self, origin: &str, seq: u64, event: CreditEvent, now_ms: i64) -> Vec<CreditEvent>;
}

impl RelayCredit for Option<CreditFile> {
    fn relay(&self, origin: &str, seq: u64, event: CreditEvent, now_ms: i64) -> Vec<CreditEvent> {
        let active = |id: &str| {
            self.as_ref()
                .and_then(|file| file.record(id))
                .is_some_and(|r| r.status == RecordStatus::Active)
        };
        match event {
            CreditEvent::Recorded {
                subject,
                kind,
                name,
                record,
            } => {
                let id = relayed_record_id(origin, &record.id);
                let known = self.as_ref().is_some_and(|file| {
                    file.record(&id).is_some() || file.subject != subject || file.kind != kind
                });
                // Only entities' files travel: an expert's pseudonym is its own node's.
                if known || kind != SubjectKind::Entity || record.status != RecordStatus::Active {
                    return Vec::new();
                }
                let source = match record.source {
                    relayed @ RecordSource::Province { .. } => relayed,
                    source => RecordSource::Province {
                        origin: origin.to_string(),
                        seq,
                        source: Box::new(source),
                    },
                };
                vec![CreditEvent::Recorded {
                    subject,
                    kind,
                    name,
                    record: Box::new(CreditRecord {
                        id,
                        source,
                        recorded_at_ms: now_ms,
                        repair: None,
                        ..*record
                    }),
                }]
            }
            CreditEvent::Withdrawn { id, reason, .. } => {
                let id = relayed_record_id(origin, &id);
                if !active(&id) {
                    return Vec::new();
                }
                vec![CreditEvent::Withdrawn {
                    id,
                    reason,
                    at_ms: now_ms,
                }]
            }
            CreditEvent::RepairReviewed {
                id,
                approve: true,
                reason,
                by,
                ..
            } => {
                let id = relayed_record_id(origin, &id);
                if !active(&id) {
                    return Vec::new();
                }
                vec![CreditEvent::RepairReviewed {
                    id,
                    approve: true,
                    reason,
                    by,
                    at_ms: now_ms,
                }]
            }
            // An application, or a refused one, stays with the node that reviews it.
            CreditEvent::RepairApplied { .. } | CreditEvent::RepairReviewed { .. } => Vec::new(),
        }
    }
}

/// The record status in Chinese.
pub fn status_label(status: &RecordStatus) -> &'static str {
    match status {
        RecordStatus::Active => "有效",
        RecordStatus::Withdrawn { .. } => "已撤销",
        RecordStatus::Repaired { .. } => "已修复",
    }
}
