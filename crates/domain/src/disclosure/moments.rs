//! When confidential ledger entries become public — rule data (`data/disclosure.toml`), each
//! rule with its legal source. Before its moment an entry shows only its header and commitment;
//! from then on its payload and salt are served to anyone, who recomputes the commitment.

use serde::{Deserialize, Serialize};

/// The moment from which a rule's entries are public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureMoment {
    /// The lot's opening record is made (开标).
    LotOpened,
    /// The sale has closed; only the winner's (竞得人's) entries.
    SaleClosedWinner,
}

/// One rule: the entries of these kinds, in streams with this prefix, are public after the moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRule {
    pub stream_prefix: String,
    pub kinds: Vec<String>,
    pub public_after: DisclosureMoment,
    /// The law or rule that makes the content public then.
    pub source: String,
}

/// The disclosure rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRules {
    #[serde(rename = "rule")]
    pub rules: Vec<DisclosureRule>,
}

impl DisclosureRules {
    /// The rule that covers an entry of `kind` in `stream`, if any.
    pub fn rule_for(&self, stream: &str, kind: &str) -> Option<&DisclosureRule> {
        self.rules.iter().find(|rule| {
            stream.starts_with(&rule.stream_prefix) && rule.kinds.iter().any(|k| k == kind)
        })
    }
}
