//! Reference data as versioned aggregates: the trading catalog, the rule sets and the working-day
//! calendar. Each change is a new version published by an operator with a reason, witnessed in
//! the ledger in full (public), so the history of every rule anyone was held to can be shown.
//! The content is kept as the operator's source text (TOML or CSV); the application parses and
//! validates it before a version is accepted.

use serde::{Deserialize, Serialize};

use crate::fields::text_field;
use crate::{Decider, DomainError};

/// Which reference data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// 交易目录.
    Catalog,
    /// 规则集.
    Rules,
    /// 工作日历.
    Calendar,
    /// 受信任的根证书 — the CA roots recognised by the platform.
    Trust,
    /// 行政监督部门及权责清单 — who supervises which category where, with their powers.
    Supervision,
    /// 信用评价标准 — the credit facts, lists, standards, levels and measures.
    Credit,
    /// 预警规则 — the warning engine's signals and their thresholds.
    Warnings,
}

impl ReferenceKind {
    pub const ALL: [ReferenceKind; 7] = [
        ReferenceKind::Catalog,
        ReferenceKind::Rules,
        ReferenceKind::Calendar,
        ReferenceKind::Trust,
        ReferenceKind::Supervision,
        ReferenceKind::Credit,
        ReferenceKind::Warnings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceKind::Catalog => "catalog",
            ReferenceKind::Rules => "rules",
            ReferenceKind::Calendar => "calendar",
            ReferenceKind::Trust => "trust",
            ReferenceKind::Supervision => "supervision",
            ReferenceKind::Credit => "credit",
            ReferenceKind::Warnings => "warnings",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReferenceKind::Catalog => "交易目录",
            ReferenceKind::Rules => "规则集",
            ReferenceKind::Calendar => "工作日历",
            ReferenceKind::Trust => "信任根证书",
            ReferenceKind::Supervision => "行政监督部门及权责清单",
            ReferenceKind::Credit => "信用评价标准",
            ReferenceKind::Warnings => "预警规则",
        }
    }

    pub fn stream(self) -> String {
        format!("reference/{}", self.as_str())
    }
}

/// The current version of one kind of reference data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub version: u32,
    pub text: String,
}

/// Publish a new version. The application has parsed and validated `text` already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publish {
    pub kind: ReferenceKind,
    pub text: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ReferenceEvent {
    Published {
        kind: ReferenceKind,
        version: u32,
        text: String,
        reason: String,
        at_ms: i64,
    },
}

impl ReferenceEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            ReferenceEvent::Published { kind, .. } => match kind {
                ReferenceKind::Catalog => "catalog.published",
                ReferenceKind::Rules => "rules.published",
                ReferenceKind::Calendar => "calendar.published",
                ReferenceKind::Trust => "trust.published",
                ReferenceKind::Supervision => "supervision.published",
                ReferenceKind::Credit => "credit_standards.published",
                ReferenceKind::Warnings => "warning_rules.published",
            },
        }
    }
}

impl Decider for Reference {
    type Command = Publish;
    type Event = ReferenceEvent;

    fn decide(&self, command: Publish, now_ms: i64) -> Result<Vec<ReferenceEvent>, DomainError> {
        text_field("变更理由", &command.reason, 500)?;
        if command.text.trim().is_empty() {
            return Err(DomainError::Required { field: "内容" });
        }
        if self.version > 0 && command.text == self.text {
            return Err(DomainError::NothingChanged);
        }
        Ok(vec![ReferenceEvent::Published {
            kind: command.kind,
            version: self.version + 1,
            text: command.text,
            reason: command.reason.trim().to_string(),
            at_ms: now_ms,
        }])
    }

    fn evolve(self, event: &ReferenceEvent) -> Self {
        match event {
            ReferenceEvent::Published { version, text, .. } => Reference {
                version: *version,
                text: text.clone(),
            },
        }
    }
}
