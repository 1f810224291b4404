//! Versioned rule sets: the periods and thresholds of each trading category, each value with its
//! legal source, in force from `effective_from`, with a province layer that may override the
//! national one. "Rules are data": code asks the rule book, never hard-codes a number.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Date, DomainError, Period};

/// The unit of a threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// An amount of money in 分.
    Fen,
    /// A rate in basis points (1/10,000): 2 % is 200.
    BasisPoints,
    /// A plain count (bidders, candidates, experts).
    Count,
}

/// A period with its label and source. (serde cannot deny unknown fields next to `flatten`.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodRule {
    /// Chinese label, e.g. "招标文件发出之日至投标截止".
    pub label: String,
    #[serde(flatten)]
    pub period: Period,
    /// Where the law says so, e.g. "招标投标法 第24条".
    pub source: String,
}

/// A threshold with its label, unit and source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub label: String,
    pub value: i64,
    pub unit: Unit,
    pub source: String,
}

/// One version of the rules of one category, nationally or for one province.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub id: String,
    /// The rule category the trading catalog refers to, e.g. `construction`.
    pub category: String,
    /// `None`: national. `Some("330000")`: a province layer over the national set.
    #[serde(default)]
    pub province: Option<String>,
    pub title: String,
    pub effective_from: Date,
    #[serde(default)]
    pub periods: BTreeMap<String, PeriodRule>,
    #[serde(default)]
    pub thresholds: BTreeMap<String, Threshold>,
}

/// A value in force, and the rule set it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InForce<T> {
    pub value: T,
    pub rule_set: String,
}

/// The rules of one category for one province on one day: the national set in force, overridden
/// key by key by the province's set in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResolvedRules {
    pub category: String,
    pub date: Date,
    pub periods: BTreeMap<String, InForce<PeriodRule>>,
    pub thresholds: BTreeMap<String, InForce<Threshold>>,
}

impl ResolvedRules {
    pub fn period(&self, key: &str) -> Result<&PeriodRule, DomainError> {
        self.periods
            .get(key)
            .map(|p| &p.value)
            .ok_or_else(|| DomainError::RuleMissing {
                category: self.category.clone(),
                key: key.to_string(),
            })
    }

    pub fn threshold(&self, key: &str) -> Result<i64, DomainError> {
        self.thresholds
            .get(key)
            .map(|t| t.value.value)
            .ok_or_else(|| DomainError::RuleMissing {
                category: self.category.clone(),
                key: key.to_string(),
            })
    }
}

/// Every rule set, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleBook {
    sets: Vec<RuleSet>,
}

fn invalid(id: &str, reason: impl Into<String>) -> DomainError {
    DomainError::RuleSetInvalid {
        id: id.to_string(),
        reason: reason.into(),
    }
}

impl RuleBook {
    /// Validates: unique ids; no two sets of the same category and layer in force from the same
    /// day; every province layer has a national set in force when it starts; every value has a
    /// label and a source; province codes are GB/T 2260 province codes.
    pub fn new(sets: Vec<RuleSet>) -> Result<Self, DomainError> {
        let mut ids = std::collections::BTreeSet::new();
        for set in &sets {
            if set.id.trim().is_empty() {
                return Err(invalid("", "规则集缺少 id"));
            }
            if !ids.insert(set.id.clone()) {
                return Err(invalid(&set.id, "规则集 id 重复"));
            }
            if let Some(province) = &set.province {
                let valid = province.len() == 6
                    && province.ends_with("0000")
                    && province.bytes().all(|b| b.is_ascii_digit());
                if !valid {
                    return Err(invalid(
                        &set.id,
                        format!("省级代码应形如 330000，不是 {province}"),
                    ));
                }
            }
            for (key, rule) in &set.periods {
                if rule.label.trim().is_empty() || rule.source.trim().is_empty() {
                    return Err(invalid(&set.id, format!("期间 {key} 缺少名称或法律依据")));
                }
                if rule.period.days == 0 {
                    return Err(invalid(&set.id, format!("期间 {key} 的天数应大于0")));
                }
            }
            for (key, threshold) in &set.thresholds {
                if threshold.label.trim().is_empty() || threshold.source.trim().is_empty() {
                    return Err(invalid(&set.id, format!("限额 {key} 缺少名称或法律依据")));
                }
                if threshold.value < 0 {
                    return Err(invalid(&set.id, format!("限额 {key} 不能为负数")));
                }
            }
        }
        for (i, a) in sets.iter().enumerate() {
            for b in &sets[i + 1..] {
                if a.category == b.category
                    && a.province == b.province
                    && a.effective_from == b.effective_from
                {
                    return Err(invalid(
                        &b.id,
                        format!("与规则集 {} 的生效日期 {} 重叠", a.id, a.effective_from),
                    ));
                }
            }
        }
        let book = Self { sets };
        for set in book.sets.iter().filter(|s| s.province.is_some()) {
            if book
                .in_force(&set.category, None, set.effective_from)
                .is_none()
            {
                return Err(invalid(
                    &set.id,
                    format!(
                        "省级规则集生效时（{}）没有有效的全国规则集",
                        set.effective_from
                    ),
                ));
            }
        }
        Ok(book)
    }

    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }

    /// The set of one layer in force on `date`: the latest with `effective_from <= date`.
    pub fn in_force(&self, category: &str, province: Option<&str>, date: Date) -> Option<&RuleSet> {
        self.sets
            .iter()
            .filter(|s| s.category == category && s.province.as_deref() == province)
            .filter(|s| s.effective_from <= date)
            .max_by_key(|s| s.effective_from)
    }

    /// The rules of `category` for the province of `region` (a 6-digit region code) on `date`.
    pub fn resolve(
        &self,
        category: &str,
        region: &str,
        date: Date,
    ) -> Result<ResolvedRules, DomainError> {
        let national =
            self.in_force(category, None, date)
                .ok_or_else(|| DomainError::NoRulesInForce {
                    category: category.to_string(),
                    date: date.to_string(),
                })?;
        let province_code = format!("{}0000", region.get(..2).unwrap_or("00"));
        let layers =
            std::iter::once(national).chain(self.in_force(category, Some(&province_code), date));
        let mut resolved = ResolvedRules {
            category: category.to_string(),
            date,
            periods: BTreeMap::new(),
            thresholds: BTreeMap::new(),
        };
        for layer in layers {
            for (key, rule) in &layer.periods {
                resolved.periods.insert(
                    key.clone(),
                    InForce {
                        value: rule.clone(),
                        rule_set: layer.id.clone(),
                    },
                );
            }
            for (key, threshold) in &layer.thresholds {
                resolved.thresholds.insert(
                    key.clone(),
                    InForce {
                        value: threshold.clone(),
                        rule_set: layer.id.clone(),
                    },
                );
            }
        }
        Ok(resolved)
    }
}
