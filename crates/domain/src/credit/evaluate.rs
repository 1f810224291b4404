//! The credit evaluation: a pure function of a subject's records, one standard and a day, with
//! an explanation in which every point and every level step names the record and the rule that
//! caused it; and the measures it triggers, judged at each gate.

use serde::{Deserialize, Serialize};

use crate::credit::record::CreditRecord;
use crate::credit::standard::{CreditStandard, Gate};
use crate::{Date, DomainError};

/// One line of the explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The record (absent for the base score and the level).
    pub record: Option<String>,
    /// The rule applied (fact code, or `base`, or `level`).
    pub rule: String,
    /// The rule's source.
    pub source: String,
    /// Points changed (negative: deducted).
    pub points: i64,
    /// What happened, in Chinese.
    pub text: String,
}

/// A measure in force, and what triggered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedMeasure {
    pub code: String,
    pub name: String,
    pub refuse: Vec<Gate>,
    pub bond_percent: Option<u32>,
    pub incentive: bool,
    pub source: String,
    /// The level that triggered it, or the record.
    pub because: String,
    /// The record behind it: the fact's record, or the record that set the level (if any).
    pub record: Option<String>,
}

/// A subject's credit under one standard on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditEvaluation {
    pub standard: String,
    pub standard_name: String,
    pub on: Date,
    pub score: i64,
    pub level: String,
    pub level_name: String,
    pub steps: Vec<Step>,
    /// Records that do not count on the day, and why.
    pub not_counted: Vec<(String, String)>,
    pub measures: Vec<AppliedMeasure>,
}

/// Evaluates `records` under `standard` on `on`.
///
/// The score starts at the standard's base; each counted record whose fact the standard rules
/// deducts its points (each record on its own: two records of one fact deduct twice); the score
/// never falls below 0. The level is the best whose threshold the score reaches, then lowered to
/// the worst cap among the counted records' rules. A measure applies when its level is the
/// subject's level, or when a counted record is of its fact.
pub fn evaluate(records: &[CreditRecord], standard: &CreditStandard, on: Date) -> CreditEvaluation {
    let mut steps = vec![Step {
        record: None,
        rule: "base".into(),
        source: standard.source.clone(),
        points: i64::from(standard.base),
        text: format!("基础分 {}", standard.base),
    }];
    let mut not_counted = Vec::new();
    let mut score = i64::from(standard.base);
    let mut cap: Option<(usize, String, String)> = None;
    let mut counted: Vec<&CreditRecord> = Vec::new();
    for record in records {
        if !record.counts_on(on) {
            not_counted.push((record.id.clone(), record.why_not_counted(on)));
            continue;
        }
        let Some(rule) = standard.rules.iter().find(|r| r.fact == record.fact) else {
            not_counted.push((record.id.clone(), "本标准不评价该事项".into()));
            continue;
        };
        counted.push(record);
        if rule.deduct > 0 {
            let before = score;
            score = (score - i64::from(rule.deduct)).max(0);
            steps.push(Step {
                record: Some(record.id.clone()),
                rule: rule.fact.clone(),
                source: rule.source.clone(),
                points: score - before,
                text: format!("{}：扣 {} 分", record.fact_name, rule.deduct),
            });
        }
        if let Some(level) = &rule.cap {
            let rank = standard.rank(level);
            if cap.as_ref().is_none_or(|(worst, _, _)| rank > *worst) {
                cap = Some((rank, level.clone(), record.id.clone()));
            }
            steps.push(Step {
                record: Some(record.id.clone()),
                rule: rule.fact.clone(),
                source: rule.source.clone(),
                points: 0,
                text: format!("{}：信用等级最高为 {level}", record.fact_name),
            });
        }
    }
    let by_score = standard.level_of(score);
    let mut level = by_score.clone();
    let mut level_record = None;
    steps.push(Step {
        record: None,
        rule: "level".into(),
        source: standard.source.clone(),
        points: 0,
        text: format!(
            "得分 {score}，达到 {}（{}，{} 分及以上）",
            by_score.code, by_score.name, by_score.min
        ),
    });
    if let Some((rank, code, record)) = cap
        && rank > standard.rank(&by_score.code)
        && let Some(capped) = standard.level(&code)
    {
        level = capped.clone();
        steps.push(Step {
            record: Some(record.clone()),
            rule: "level".into(),
            source: standard.source.clone(),
            points: 0,
            text: format!(
                "因信用记录 {record}，等级降为 {}（{}）",
                capped.code, capped.name
            ),
        });
        level_record = Some(record);
    }
    // The record behind a level below the score's own, else the first deduction's.
    let level_cause = level_record.or_else(|| {
        (level.min < standard.base)
            .then(|| counted.first().map(|r| r.id.clone()))
            .flatten()
    });
    let level_because = match level_cause
        .as_ref()
        .and_then(|id| counted.iter().find(|r| &r.id == id))
    {
        Some(record) => format!(
            "信用等级 {}（得分 {score}；信用记录 {}：{}）",
            level.code, record.id, record.fact_name
        ),
        None => format!("信用等级 {}（得分 {score}）", level.code),
    };
    let mut measures = Vec::new();
    for measure in &standard.measures {
        let triggered = match (&measure.when_level, &measure.when_fact) {
            (Some(code), _) if *code == level.code => {
                Some((level_because.clone(), level_cause.clone()))
            }
            (_, Some(fact)) => counted.iter().find(|r| &r.fact == fact).map(|r| {
                (
                    format!("信用记录 {}（{}）", r.id, r.fact_name),
                    Some(r.id.clone()),
                )
            }),
            _ => None,
        };
        if let Some((because, record)) = triggered {
            measures.push(AppliedMeasure {
                code: measure.code.clone(),
                name: measure.name.clone(),
                refuse: measure.refuse.clone(),
                bond_percent: measure.bond_percent,
                incentive: measure.incentive,
                source: measure.source.clone(),
                because,
                record,
            });
        }
    }
    CreditEvaluation {
        standard: standard.code.clone(),
        standard_name: standard.name.clone(),
        on,
        score,
        level: level.code.clone(),
        level_name: level.name.clone(),
        steps,
        not_counted,
        measures,
    }
}

impl CreditEvaluation {
    /// The first measure that refuses at `gate`, if any.
    pub fn refusing(&self, gate: Gate) -> Option<&AppliedMeasure> {
        self.measures.iter().find(|m| m.refuse.contains(&gate))
    }

    /// Refuses at `gate` naming the measure, its trigger and rule.
    pub fn check(&self, gate: Gate) -> Result<(), DomainError> {
        match self.refusing(gate) {
            None => Ok(()),
            Some(measure) => Err(DomainError::CreditRefused {
                gate: gate.label(),
                measure: measure.name.clone(),
                because: measure.because.clone(),
                basis: measure.source.clone(),
            }),
        }
    }

    /// The bid bond in percent of the lot's: the highest raise among the measures in force, else
    /// the lowest reduction (激励), else 100.
    pub fn bond_percent(&self) -> u32 {
        let percents: Vec<u32> = self
            .measures
            .iter()
            .filter_map(|m| m.bond_percent)
            .collect();
        percents
            .iter()
            .copied()
            .filter(|p| *p > 100)
            .max()
            .or_else(|| percents.iter().copied().min())
            .unwrap_or(100)
    }
}

/// The bond a subject owes: `bond_fen` scaled by `percent`, rounded up to the 分.
pub fn scaled_bond(bond_fen: i64, percent: u32) -> i64 {
    let scaled = i128::from(bond_fen) * i128::from(percent);
    ((scaled + 99) / 100) as i64
}
