//! 预警规则 — the signals of the warning engine as data (`data/warnings.toml`, the seventh
//! reference kind): each signal with its Chinese label, the legal source or the practice it
//! follows, whether it runs, and its thresholds. Published and versioned like the rule sets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Every signal the engine knows, with the thresholds each one needs and the least value each
/// may take (a price pattern needs three prices, a ring two lots and two winners, …).
pub const SIGNALS: &[(&str, &[(&str, i64)])] = &[
    ("same_machine", &[]),
    ("same_upload_address", &[]),
    ("same_certificate_key", &[]),
    ("same_bond_payer", &[]),
    ("same_document_copy", &[]),
    ("same_contact", &[("match_names", 0)]),
    ("related_bidders", &[]),
    ("identical_files", &[("min_size_bytes", 0)]),
    ("identical_price_table", &[("min_fields", 1)]),
    ("near_simultaneous", &[("window_seconds", 0)]),
    ("price_arithmetic", &[("min_bids", 3), ("tolerance_bp", 0)]),
    ("price_ratio", &[("min_bids", 3), ("tolerance_bp", 0)]),
    ("prices_close", &[("min_bids", 2), ("spread_bp", 0)]),
    ("winner_far_below", &[("min_bids", 2), ("gap_bp", 0)]),
    ("co_bidding_ring", &[("min_lots", 2), ("min_winners", 2)]),
    (
        "award_concentration",
        &[("min_awards", 2), ("share_bp", 0), ("window_days", 1)],
    ),
    ("repeated_failures", &[("min_count", 2), ("window_days", 1)]),
];

/// One signal as the rule data states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalRule {
    /// What the signal means, in Chinese (shown with every warning it raises).
    pub label: String,
    /// The legal source or the practice it follows.
    pub source: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Thresholds by name (`SIGNALS` lists the ones each signal needs). Basis points (`_bp`)
    /// are ten-thousandths.
    #[serde(default)]
    pub params: BTreeMap<String, i64>,
}

fn enabled() -> bool {
    true
}

/// The warning rules in force.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRules {
    pub title: String,
    pub signals: BTreeMap<String, SignalRule>,
}

fn invalid(item: &str, reason: impl Into<String>) -> DomainError {
    DomainError::WarningRulesInvalid {
        item: item.to_string(),
        reason: reason.into(),
    }
}

impl WarningRules {
    /// Every known signal present with its label, source and exactly its thresholds; nothing
    /// unknown.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.title.trim().is_empty() {
            return Err(invalid("title", "标题不能为空"));
        }
        for (id, params) in SIGNALS {
            let Some(rule) = self.signals.get(*id) else {
                return Err(invalid(
                    id,
                    "缺少该预警信号（不启用的请写 enabled = false）",
                ));
            };
            if rule.label.trim().is_empty() || rule.source.trim().is_empty() {
                return Err(invalid(id, "预警信号应有说明和依据"));
            }
            for (param, least) in *params {
                match rule.params.get(*param) {
                    None => return Err(invalid(id, format!("缺少阈值 {param}"))),
                    Some(v) if *v < *least => {
                        return Err(invalid(id, format!("阈值 {param} 不能小于 {least}")));
                    }
                    Some(v) if param.ends_with("_bp") && *v > 10_000 => {
                        return Err(invalid(
                            id,
                            format!("阈值 {param} 以万分之一计，不能超过10000"),
                        ));
                    }
                    Some(_) => {}
                }
            }
            if let Some(extra) = rule
                .params
                .keys()
                .find(|k| !params.iter().any(|(p, _)| p == k))
            {
                return Err(invalid(id, format!("未知的阈值 {extra}")));
            }
        }
        if let Some(unknown) = self
            .signals
            .keys()
            .find(|k| !SIGNALS.iter().any(|(id, _)| id == k))
        {
            return Err(invalid(unknown, "未知的预警信号"));
        }
        Ok(())
    }

    /// The rule of an enabled signal.
    pub fn active(&self, signal: &str) -> Option<&SignalRule> {
        self.signals.get(signal).filter(|r| r.enabled)
    }

    /// A threshold of an enabled signal (validated to exist).
    pub fn param(&self, signal: &str, name: &str) -> i64 {
        self.signals
            .get(signal)
            .and_then(|r| r.params.get(name))
            .copied()
            .unwrap_or(0)
    }
}
