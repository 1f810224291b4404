//! The ground truth kept aside: every lot and sale the generator made with its outcome, the
//! planted collusion with the signals it should trip, and the scoring of the warning engine's
//! warnings against it (precision and recall).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The generator's record of what it made (written to `history-truth.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub seed: u64,
    pub start_ms: i64,
    pub end_ms: i64,
    /// The market entities the generator registered.
    pub entities: Vec<EntityTruth>,
    pub lots: Vec<LotTruth>,
    pub sales: Vec<SaleTruth>,
    pub planted: Vec<Planted>,
    /// Acts the platform records around the lots: objections, complaints, credit records.
    pub objections: u32,
    pub complaints: u32,
    /// Anonymous reports (举报).
    #[serde(default)]
    pub reports: u32,
    pub declined_awards: u32,
    pub late_performances: u32,
    pub sale_defaults: u32,
}

/// A market entity the generator registered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityTruth {
    /// 统一社会信用代码 (the entity's id).
    pub id: String,
    pub name: String,
    pub region: String,
    /// `tenderee` or `bidder`.
    pub role: String,
    pub username: String,
    /// 中小企业 (declared in its bids).
    pub sme: bool,
}

/// One lot (标段) the generator published, with its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LotTruth {
    pub procedure: String,
    /// 交易标识码.
    pub lot: String,
    pub title: String,
    /// The catalog category (`construction`, `procurement`).
    pub category: String,
    pub region: String,
    /// `open_tender`, `invited_tender`, `competitive_consultation`.
    pub method: String,
    pub tenderee: String,
    pub budget_fen: i64,
    pub bond_fen: Option<i64>,
    pub announced_ms: i64,
    pub deadline_ms: i64,
    /// The bidders whose envelopes were received, in submission order.
    pub bidders: Vec<String>,
    pub outcome: LotOutcome,
    /// The winner who declined the award before the contract (its credit record follows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_by: Option<String>,
    pub contract: bool,
    pub completed: bool,
}

/// How a lot ended (or not yet).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LotOutcome {
    Awarded {
        winner: String,
        price_fen: i64,
        awarded_ms: i64,
        /// The winner declared itself a small or medium enterprise (中小企业) in its bid.
        winner_sme: bool,
    },
    /// 流标: too few bids at the opening.
    Failed { at_ms: i64 },
    /// Still running when the history ends.
    Open,
}

/// One online sale (网上竞价), with its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleTruth {
    pub id: String,
    /// The catalog category (`land`, `mining`, `state_property`, …).
    pub kind: String,
    pub region: String,
    pub transferor: String,
    pub announced_ms: i64,
    pub start_price_fen: i64,
    /// The highest accepted bid, if any.
    pub final_price_fen: Option<i64>,
    pub bidders: Vec<String>,
    pub outcome: SaleOutcome,
    /// The buyer defaulted (悔拍) after the close.
    pub defaulted: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SaleOutcome {
    Sold {
        buyer: String,
        price_fen: i64,
        closed_ms: i64,
    },
    /// 流拍.
    NoSale {
        closed_ms: i64,
    },
    Open,
}

/// A planted case of collusion: what was done, where, by whom, and which warning signals
/// (`domain::SIGNALS`) it should trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Planted {
    pub id: String,
    pub kind: PlantedKind,
    /// The signals that name it (its family: a bid made on another's machine is usually also
    /// submitted within the minute).
    pub signals: Vec<String>,
    pub lots: Vec<String>,
    pub entities: Vec<String>,
    /// The tenderee, for the cases of one tenderee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenderee: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantedKind {
    /// 3–4 entities who bid together on many lots and take turns winning.
    Ring,
    /// Several bidders' envelopes made on one machine.
    SameMachine,
    /// Envelopes uploaded from one address.
    SameUploadAddress,
    /// Bonds paid from one account.
    SameBondPayer,
    /// Envelopes built from one bidder's downloaded copy of the tender documents.
    SameDocumentCopy,
    /// Every bid of a lot in arithmetic progression.
    PriceArithmetic,
    /// Every bid of a lot rising by a fixed ratio.
    PriceRatio,
    /// One tenderee's awards steered to one supplier.
    AwardConcentration,
    /// One tenderee's lots failing again and again (tailored requirements).
    RepeatedFailures,
}

impl PlantedKind {
    pub const ALL: [PlantedKind; 9] = [
        Self::Ring,
        Self::SameMachine,
        Self::SameUploadAddress,
        Self::SameBondPayer,
        Self::SameDocumentCopy,
        Self::PriceArithmetic,
        Self::PriceRatio,
        Self::AwardConcentration,
        Self::RepeatedFailures,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ring => "ring",
            Self::SameMachine => "same_machine",
            Self::SameUploadAddress => "same_upload_address",
            Self::SameBondPayer => "same_bond_payer",
            Self::SameDocumentCopy => "same_document_copy",
            Self::PriceArithmetic => "price_arithmetic",
            Self::PriceRatio => "price_ratio",
            Self::AwardConcentration => "award_concentration",
            Self::RepeatedFailures => "repeated_failures",
        }
    }

    /// The signals that name a case of this kind (a price pattern in steps of about 1 % is
    /// both arithmetic and geometric, and may be close).
    pub fn signals(self) -> &'static [&'static str] {
        match self {
            Self::Ring => &["co_bidding_ring"],
            Self::SameMachine => &["same_machine"],
            Self::SameUploadAddress => &["same_upload_address"],
            Self::SameBondPayer => &["same_bond_payer"],
            Self::SameDocumentCopy => &["same_document_copy"],
            Self::PriceArithmetic | Self::PriceRatio => {
                &["price_arithmetic", "price_ratio", "prices_close"]
            }
            Self::AwardConcentration => &["award_concentration"],
            Self::RepeatedFailures => &["repeated_failures"],
        }
    }
}

/// A warning as the scoring reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningFact {
    pub id: String,
    pub signal: String,
    pub lot: Option<String>,
    pub subjects: Vec<String>,
}

/// Whether `warning` names `case`: a signal of the case's family, and for a lot signal one of
/// the case's lots and at least two of its entities; for a market signal, the case's tenderee
/// (one tenderee's cases), or at least two of its entities and no more outsiders than members.
pub fn names(case: &Planted, warning: &WarningFact) -> bool {
    if !case.signals.contains(&warning.signal) {
        return false;
    }
    let members: BTreeSet<&str> = case.entities.iter().map(String::as_str).collect();
    let inside = warning
        .subjects
        .iter()
        .filter(|s| members.contains(s.as_str()))
        .count();
    match &warning.lot {
        Some(lot) => case.lots.contains(lot) && inside >= 2,
        None => match &case.tenderee {
            Some(tenderee) => {
                warning.subjects.contains(tenderee)
                    && (case.kind == PlantedKind::RepeatedFailures || inside >= 1)
            }
            None => inside >= 2 && inside * 2 >= warning.subjects.len(),
        },
    }
}

/// The engine's precision and recall on the planted truth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub warnings: usize,
    /// Warnings that name a planted case.
    pub true_positives: usize,
    pub cases: usize,
    /// Planted cases named by at least one warning.
    pub found: usize,
    /// Per signal: (warnings naming a planted case, warnings).
    pub by_signal: BTreeMap<String, (usize, usize)>,
    /// Per planted kind: (found, planted).
    pub by_kind: BTreeMap<String, (usize, usize)>,
}

impl Score {
    /// Precision in basis points (10000 when there is no warning).
    pub fn precision_bp(&self) -> u32 {
        ratio_bp(self.true_positives, self.warnings)
    }

    /// Recall in basis points (10000 when nothing was planted).
    pub fn recall_bp(&self) -> u32 {
        ratio_bp(self.found, self.cases)
    }

    /// One line for the console and the benchmarks.
    pub fn line(&self) -> String {
        format!(
            "预警引擎：{} 条预警线索，其中 {} 条命中预置串通（精确率 {}）；预置 {} 起，发现 {} 起（召回率 {}）",
            self.warnings,
            self.true_positives,
            percent(self.precision_bp()),
            self.cases,
            self.found,
            percent(self.recall_bp())
        )
    }
}

fn ratio_bp(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        10_000
    } else {
        ((part as u128 * 10_000) / whole as u128) as u32
    }
}

fn percent(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// Scores `warnings` against the planted `cases`.
pub fn score(cases: &[Planted], warnings: &[WarningFact]) -> Score {
    let mut result = Score {
        warnings: warnings.len(),
        cases: cases.len(),
        ..Default::default()
    };
    for warning in warnings {
        let hit = cases.iter().any(|c| names(c, warning));
        let entry = result.by_signal.entry(warning.signal.clone()).or_default();
        entry.1 += 1;
        if hit {
            entry.0 += 1;
            result.true_positives += 1;
        }
    }
    for case in cases {
        let found = warnings.iter().any(|w| names(case, w));
        let entry = result
            .by_kind
            .entry(case.kind.as_str().to_string())
            .or_default();
        entry.1 += 1;
        if found {
            entry.0 += 1;
            result.found += 1;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(
        kind: PlantedKind,
        lots: &[&str],
        entities: &[&str],
        tenderee: Option<&str>,
    ) -> Planted {
        Planted {
            id: "P1".into(),
            kind,
            signals: kind.signals().iter().map(|s| s.to_string()).collect(),
            lots: lots.iter().map(|s| s.to_string()).collect(),
            entities: entities.iter().map(|s| s.to_string()).collect(),
            tenderee: tenderee.map(str::to_string),
        }
    }

    fn warning(signal: &str, lot: Option<&str>, subjects: &[&str]) -> WarningFact {
        WarningFact {
            id: "W".into(),
            signal: signal.into(),
            lot: lot.map(str::to_string),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_warning_names_a_case_by_family_lot_and_members() {
        let machine = case(PlantedKind::SameMachine, &["L1"], &["a", "b"], None);
        let ring = case(PlantedKind::Ring, &["L1", "L2"], &["a", "b", "c"], None);
        let failing = case(PlantedKind::RepeatedFailures, &["L3"], &[], Some("t"));
        let steered = case(PlantedKind::AwardConcentration, &["L4"], &["f"], Some("t2"));
        let table: [(&Planted, WarningFact, bool); 10] = [
            (
                &machine,
                warning("same_machine", Some("L1"), &["a", "b"]),
                true,
            ),
            (
                &machine,
                warning("near_simultaneous", Some("L1"), &["a", "b", "x"]),
                false,
            ),
            (
                &machine,
                warning("same_machine", Some("L2"), &["a", "b"]),
                false,
            ),
            (
                &machine,
                warning("same_machine", Some("L1"), &["a", "x"]),
                false,
            ),
            (
                &machine,
                warning("prices_close", Some("L1"), &["a", "b"]),
                false,
            ),
            (
                &ring,
                warning("co_bidding_ring", None, &["a", "b", "c"]),
                true,
            ),
            (
                &ring,
                warning("co_bidding_ring", None, &["a", "b", "x", "y", "z"]),
                false,
            ),
            (&failing, warning("repeated_failures", None, &["t"]), true),
            (
                &steered,
                warning("award_concentration", None, &["t2", "f"]),
                true,
            ),
            (
                &steered,
                warning("award_concentration", None, &["t2", "g"]),
                false,
            ),
        ];
        for (n, (case, warning, expected)) in table.into_iter().enumerate() {
            assert_eq!(names(case, &warning), expected, "row {n}: {warning:?}");
        }
    }

    #[test]
    fn precision_counts_warnings_and_recall_counts_cases() {
        let cases = [
            case(PlantedKind::SameMachine, &["L1"], &["a", "b"], None),
            case(
                PlantedKind::PriceArithmetic,
                &["L2"],
                &["c", "d", "e"],
                None,
            ),
        ];
        let warnings = [
            warning("same_machine", Some("L1"), &["a", "b"]),
            warning("price_ratio", Some("L2"), &["c", "d", "e"]),
            warning("prices_close", Some("L9"), &["x", "y", "z"]),
        ];
        let result = score(&cases, &warnings);
        assert_eq!((result.true_positives, result.warnings), (2, 3));
        assert_eq!((result.found, result.cases), (2, 2));
        assert_eq!(result.precision_bp(), 6666);
        assert_eq!(result.recall_bp(), 10_000);
        assert_eq!(result.by_signal["prices_close"], (0, 1));
        assert_eq!(result.by_kind["price_arithmetic"], (1, 1));
        assert!(result.line().contains("66.66%"), "{}", result.line());
        assert_eq!(score(&[], &[]).precision_bp(), 10_000);
    }
}
