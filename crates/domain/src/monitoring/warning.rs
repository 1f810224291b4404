//! A 预警线索: raised by the engine with its finding, extended when more evidence comes (which
//! re-opens a warning a supervisor had closed), closed by a supervisor with a reason, or turned
//! into a case of supervision.

use serde::{Deserialize, Serialize};

use crate::fields::text_field;
use crate::monitoring::signals::Finding;
use crate::{Decider, DomainError};

/// Where the engine saw the evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 投标 (registration, download, envelope, bond).
    Bid,
    /// 开标.
    Opening,
    /// 评标.
    Evaluation,
    /// 定标.
    Award,
    /// Across procedures.
    Market,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Self::Bid => "投标阶段",
            Self::Opening => "开标阶段",
            Self::Evaluation => "评标阶段",
            Self::Award => "定标阶段",
            Self::Market => "跨项目分析",
        }
    }
}

/// Where a warning stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WarningStatus {
    /// 待处理.
    Open,
    /// 已排除, with the supervisor's reason.
    Closed {
        reason: String,
        by: String,
        at_ms: i64,
    },
    /// 已立案.
    Case {
        case: String,
        by: String,
        at_ms: i64,
    },
}

impl WarningStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed { .. } => "closed",
            Self::Case { .. } => "case",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Open => "待处理",
            Self::Closed { .. } => "已排除",
            Self::Case { .. } => "已立案",
        }
    }
}

/// Where the warning belongs: what jurisdiction and the committee follow from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningScope {
    /// The procedure, for a lot signal.
    pub procedure: Option<String>,
    pub title: String,
    /// Catalog category and region (jurisdiction).
    pub category: String,
    pub region: String,
}

/// A warning as its events describe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub id: String,
    pub finding: Finding,
    /// The signal's label and source as the rules in force stated them when it was raised.
    pub label: String,
    pub source: String,
    pub stage: Stage,
    pub scope: WarningScope,
    pub raised_at_ms: i64,
    pub updated_at_ms: i64,
    pub status: WarningStatus,
    /// How often more evidence came.
    #[serde(default)]
    pub extensions: u32,
}

impl Warning {
    pub fn stream(id: &str) -> String {
        format!("warning/{id}")
    }

    /// A warning's id from its finding's key: the same finding is the same warning on every node.
    pub fn id_of(key: &str) -> String {
        format!(
            "W{}",
            &crate::monitoring::signals::fnv(key)[..12].to_uppercase()
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WarningCommand {
    Raise {
        finding: Finding,
        label: String,
        source: String,
        stage: Stage,
        scope: WarningScope,
    },
    /// More evidence for the same finding.
    Extend { finding: Finding, stage: Stage },
    /// 排除, with the reason.
    Close { reason: String, by: String },
    /// 立案: the case it became.
    OpenCase { case: String, by: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WarningEvent {
    Raised {
        id: String,
        finding: Finding,
        label: String,
        source: String,
        stage: Stage,
        scope: WarningScope,
        at_ms: i64,
    },
    EvidenceAdded {
        finding: Finding,
        stage: Stage,
        at_ms: i64,
    },
    Closed {
        reason: String,
        by: String,
        at_ms: i64,
    },
    CaseOpened {
        case: String,
        by: String,
        at_ms: i64,
    },
}

impl WarningEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Raised { .. } => "warning.raised",
            Self::EvidenceAdded { .. } => "warning.evidence_added",
            Self::Closed { .. } => "warning.closed",
            Self::CaseOpened { .. } => "warning.case_opened",
        }
    }
}

impl Decider for Option<Warning> {
    type Command = WarningCommand;
    type Event = WarningEvent;

    fn decide(
        &self,
        command: WarningCommand,
        now_ms: i64,
    ) -> Result<Vec<WarningEvent>, DomainError> {
        match (self, command) {
            (
                None,
                WarningCommand::Raise {
                    finding,
                    label,
                    source,
                    stage,
                    scope,
                },
            ) => Ok(vec![WarningEvent::Raised {
                id: Warning::id_of(&finding.key()),
                finding,
                label,
                source,
                stage,
                scope,
                at_ms: now_ms,
            }]),
            (Some(_), WarningCommand::Raise { .. }) => Err(DomainError::WarningExists),
            (None, _) => Err(DomainError::WarningNotFound),
            (Some(warning), WarningCommand::Extend { finding, stage }) => {
                if finding.key() != warning.finding.key() {
                    return Err(DomainError::WarningNotFound);
                }
                if !finding.adds_to(&warning.finding) {
                    return Ok(Vec::new());
                }
                Ok(vec![WarningEvent::EvidenceAdded {
                    finding,
                    stage,
                    at_ms: now_ms,
                }])
            }
            (Some(warning), WarningCommand::Close { reason, by }) => {
                if warning.status != WarningStatus::Open {
                    return Err(DomainError::WarningHandled {
                        status: warning.status.label(),
                    });
                }
                text_field("排除理由", &reason, 2_000)?;
                Ok(vec![WarningEvent::Closed {
                    reason: reason.trim().to_string(),
                    by,
                    at_ms: now_ms,
                }])
            }
            (Some(warning), WarningCommand::OpenCase { case, by }) => {
                if warning.status != WarningStatus::Open {
                    return Err(DomainError::WarningHandled {
                        status: warning.status.label(),
                    });
                }
                Ok(vec![WarningEvent::CaseOpened {
                    case,
                    by,
                    at_ms: now_ms,
                }])
            }
        }
    }

    fn evolve(self, event: &WarningEvent) -> Self {
        match event {
            WarningEvent::Raised {
                id,
                finding,
                label,
                source,
                stage,
                scope,
                at_ms,
            } => Some(Warning {
                id: id.clone(),
                finding: finding.clone(),
                label: label.clone(),
                source: source.clone(),
                stage: *stage,
                scope: scope.clone(),
                raised_at_ms: *at_ms,
                updated_at_ms: *at_ms,
                status: WarningStatus::Open,
                extensions: 0,
            }),
            WarningEvent::EvidenceAdded {
                finding,
                stage,
                at_ms,
            } => self.map(|mut w| {
                // Evidence only grows: what was shown stays shown.
                let mut merged = w.finding.clone();
                for s in &finding.subjects {
                    if !merged.subjects.contains(s) {
                        merged.subjects.push(s.clone());
                    }
                }
                for e in &finding.evidence {
                    if !merged.evidence.contains(e) {
                        merged.evidence.push(e.clone());
                    }
                }
                merged.subjects.sort();
                merged.evidence.sort();
                merged.detail = finding.detail.clone();
                w.finding = merged;
                w.stage = *stage;
                w.updated_at_ms = *at_ms;
                w.extensions += 1;
                // New evidence re-opens a warning a supervisor had set aside; a case goes on.
                if matches!(w.status, WarningStatus::Closed { .. }) {
                    w.status = WarningStatus::Open;
                }
                w
            }),
            WarningEvent::Closed { reason, by, at_ms } => self.map(|mut w| {
                w.status = WarningStatus::Closed {
                    reason: reason.clone(),
                    by: by.clone(),
                    at_ms: *at_ms,
                };
                w.updated_at_ms = *at_ms;
                w
            }),
            WarningEvent::CaseOpened { case, by, at_ms } => self.map(|mut w| {
                w.status = WarningStatus::Case {
                    case: case.clone(),
                    by: by.clone(),
                    at_ms: *at_ms,
                };
                w.updated_at_ms = *at_ms;
                w
            }),
        }
    }
}
