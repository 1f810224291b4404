//! 交易数据统计汇总: the facts of each lot, sale and warning the statistics count, taken from the
//! aggregates' states, and the pure tally of a selection — per domain, region (with its
//! sub-regions), method and month (docs/statistics.md gives each figure's definition).
//!
//! A lot, a sale and a warning count in the period of the day it was published (a lot: its
//! procedure's announcement; a sale: its start; a warning: when it was raised), Beijing time.
//! Every rate is an integer in basis points (1/100 of a per cent), rounded half away from zero,
//! so that anyone recomputing the totals from the open data gets the same figures.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    Auction, AuctionMethod, AuctionResult, Date, LotStatus, OpeningOutcome, Procedure,
    ProcedureStatus, Warning, WarningStatus, region_within,
};

/// How a lot ended, or that it has not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotOutcome {
    /// Before the award (bidding, opening, evaluation, publicity, suspended).
    InProgress,
    /// 已定标: awarded, contracted, performing or completed.
    Awarded,
    /// 流标.
    Failed,
    /// 终止.
    Terminated,
}

/// What the statistics know of one lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotFact {
    /// 统一交易标识码.
    pub lot: String,
    pub procedure: String,
    pub title: String,
    /// The trading catalog's category code.
    pub category: String,
    pub region: String,
    /// `Method::as_str`.
    pub method: String,
    pub budget_fen: i64,
    /// The procedure's announcement.
    pub announced_ms: i64,
    pub outcome: LotOutcome,
    /// Bids received: opened bids (every envelope in the opening record), or the envelopes
    /// counted when the lot failed for too few; `None` before the opening.
    pub bids: Option<u32>,
    /// 中标（成交）价: the winner's bid price.
    pub award_fen: Option<i64>,
    pub awarded_ms: Option<i64>,
    /// The winner declared itself a small, medium or micro enterprise (中小企业) in its bid.
    pub winner_sme: bool,
    /// The contract must be signed by then (awarded, not yet contracted).
    pub contract_due_ms: Option<i64>,
}

/// What the statistics know of one sale (online sales of land, mining rights, property, quotas).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleFact {
    pub sale: String,
    pub title: String,
    pub category: String,
    pub region: String,
    /// `english`, `listing`, `sealed` or `quota`.
    pub method: String,
    pub started_ms: i64,
    /// 起始价 of what was sold (per unit × units allocated for a quota sale).
    pub start_fen: i64,
    /// 成交价 (all units for a quota sale); `None`: not sold (yet).
    pub price_fen: Option<i64>,
    /// Closed without a sale (流拍).
    pub no_sale: bool,
    /// 竞买人 registered.
    pub bidders: u32,
}

/// What the statistics know of one warning (supervisors only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningFact {
    pub id: String,
    pub signal: String,
    pub category: String,
    pub region: String,
    pub raised_ms: i64,
    /// `open`, `closed` or `case`.
    pub status: String,
}

/// A yes/no field of a bid form: `true`, `是` or `1` is yes.
pub fn form_declares(form: &BTreeMap<String, String>, key: &str) -> bool {
    form.get(key)
        .is_some_and(|v| matches!(v.trim(), "true" | "是" | "1"))
}

fn outcome_of(status: &LotStatus) -> LotOutcome {
    match status {
        LotStatus::Awarded
        | LotStatus::Contracted
        | LotStatus::Performing
        | LotStatus::Completed => LotOutcome::Awarded,
        LotStatus::Failed { .. } => LotOutcome::Failed,
        LotStatus::Terminated { .. } => LotOutcome::Terminated,
        LotStatus::Suspended { before, .. } => match outcome_of(before) {
            LotOutcome::Awarded => LotOutcome::Awarded,
            _ => LotOutcome::InProgress,
        },
        _ => LotOutcome::InProgress,
    }
}

/// The facts of a published procedure's lots (none before its announcement).
pub fn lot_facts_of(procedure: &Procedure) -> Vec<LotFact> {
    let Some(announced_ms) = procedure.published_at_ms else {
        return Vec::new();
    };
    if procedure.status == ProcedureStatus::Draft {
        return Vec::new();
    }
    procedure
        .lots
        .iter()
        .map(|lot| {
            let mut outcome = outcome_of(&lot.status);
            if procedure.status == ProcedureStatus::Terminated && outcome == LotOutcome::InProgress
            {
                outcome = LotOutcome::Terminated;
            }
            let bids = if !lot.opening.is_empty() {
                Some(lot.opening.len() as u32)
            } else {
                lot.received_at_failure
            };
            let winner = lot
                .award
                .winner
                .as_ref()
                .filter(|_| outcome == LotOutcome::Awarded);
            let winning_line = winner.and_then(|w| {
                lot.opening
                    .iter()
                    .find(|line| line.bidder == w.bidder && line.outcome == OpeningOutcome::Opened)
            });
            LotFact {
                lot: lot.code.clone(),
                procedure: procedure.id.clone(),
                title: format!("{} {}", procedure.draft.title, lot.name),
                category: procedure.draft.category.clone(),
                region: procedure.draft.region.to_string(),
                method: procedure.draft.method.as_str().to_string(),
                budget_fen: lot.budget_fen,
                announced_ms,
                outcome,
                bids,
                award_fen: winning_line.and_then(|line| line.price_fen),
                awarded_ms: winner.and(lot.award.awarded_at_ms),
                winner_sme: winning_line.is_some_and(|line| {
                    form_declares(&line.form, "sme")
                        || form_declares(&line.form, "small_enterprise")
                }),
                contract_due_ms: match lot.status {
                    LotStatus::Awarded => lot.award.contract_due_ms,
                    _ => None,
                },
            }
        })
        .collect()
}

/// The method code of a sale.
pub fn sale_method(method: &AuctionMethod) -> &'static str {
    match method {
        AuctionMethod::English { .. } => "english",
        AuctionMethod::Listing { .. } => "listing",
        AuctionMethod::Sealed { .. } => "sealed",
        AuctionMethod::Quota { .. } => "quota",
    }
}

/// The facts of a sale.
pub fn sale_fact_of(auction: &Auction) -> SaleFact {
    let started_ms = match auction.terms.method {
        AuctionMethod::English { start_ms, .. }
        | AuctionMethod::Listing { start_ms, .. }
        | AuctionMethod::Quota { start_ms, .. }
        | AuctionMethod::Sealed { start_ms, .. } => start_ms,
    };
    let start = auction.terms.start_price_fen;
    let (start_fen, price_fen, no_sale) = match &auction.result {
        Some(AuctionResult::Sold { price_fen, .. }) => (start, Some(*price_fen), false),
        Some(AuctionResult::Allocated { allocations }) => {
            let units: i64 = allocations.iter().map(|a| a.units as i64).sum();
            let paid: i64 = allocations
                .iter()
                .map(|a| a.units as i64 * a.price_fen)
                .sum();
            (start * units, Some(paid), allocations.is_empty())
        }
        Some(AuctionResult::NoSale { .. }) => (start, None, true),
        None => (start, None, false),
    };
    SaleFact {
        sale: auction.id.clone(),
        title: auction.info.title.clone(),
        category: auction.info.category.clone(),
        region: auction.info.region.clone(),
        method: sale_method(&auction.terms.method).to_string(),
        started_ms,
        start_fen,
        price_fen,
        no_sale,
        bidders: auction.registered.len() as u32,
    }
}

/// The facts of a warning.
pub fn warning_fact_of(warning: &Warning) -> WarningFact {
    WarningFact {
        id: warning.id.clone(),
        signal: warning.finding.signal.clone(),
        category: warning.scope.category.clone(),
        region: warning.scope.region.clone(),
        raised_ms: warning.raised_at_ms,
        status: match warning.status {
            WarningStatus::Open => "open",
            WarningStatus::Closed { .. } => "closed",
            WarningStatus::Case { .. } => "case",
        }
        .to_string(),
    }
}

/// Which facts a statistics request covers. Empty strings select everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsQuery {
    pub category: String,
    /// A region and everything below it (GB/T 2260).
    pub region: String,
    pub method: String,
    /// First and last day, inclusive (Beijing time).
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl StatsQuery {
    /// Whether the day of `ms` (Beijing time) is within the period.
    pub fn covers_day(&self, ms: i64) -> bool {
        let day = Date::of_instant(ms);
        self.from.is_none_or(|from| day >= from) && self.to.is_none_or(|to| day <= to)
    }

    /// Whether a fact of this category, region and method is selected.
    pub fn selects(&self, category: &str, region: &str, method: &str) -> bool {
        (self.category.is_empty() || self.category == category)
            && (self.region.is_empty() || region_within(region, &self.region))
            && (self.method.is_empty() || self.method == method)
    }
}

/// The counts and sums of one group; the rates are methods.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Lots announced.
    pub lots: u64,
    pub awarded: u64,
    pub failed: u64,
    pub terminated: u64,
    /// Σ budget of the awarded lots.
    pub budget_fen: i64,
    /// Σ award price of the awarded lots.
    pub award_fen: i64,
    /// Lots whose bids are known (opened or failed with a count), and their bids.
    pub bid_lots: u64,
    pub bids: u64,
    pub single_bid: u64,
    /// Σ whole days from the announcement to the award, over the awarded lots.
    pub award_days: i64,
    pub sme_awards: u64,
    pub sme_award_fen: i64,
    pub sales: u64,
    pub sold: u64,
    pub no_sale: u64,
    /// Σ start price and Σ price of the sold sales.
    pub sale_start_fen: i64,
    pub sale_price_fen: i64,
    pub sale_bidders: u64,
    pub warnings: u64,
    pub warnings_open: u64,
    pub warnings_closed: u64,
    pub warnings_case: u64,
}

/// `num / den` in basis points, rounded half away from zero; `None` when `den` is 0.
pub fn ratio_bp(num: i64, den: i64) -> Option<i64> {
    if den == 0 {
        return None;
    }
    let (num, den) = (num as i128 * 10_000, den as i128);
    let negative = (num < 0) != (den < 0);
    let (num, den) = (num.abs(), den.abs());
    let rounded = ((2 * num + den) / (2 * den)) as i64;
    Some(if negative { -rounded } else { rounded })
}

impl Tally {
    /// 节资率: (Σ budget − Σ award price) / Σ budget of the awarded lots.
    pub fn saving_bp(&self) -> Option<i64> {
        ratio_bp(self.budget_fen - self.award_fen, self.budget_fen)
    }

    /// 溢价率: (Σ price − Σ start price) / Σ start price of the sold sales.
    pub fn premium_bp(&self) -> Option<i64> {
        ratio_bp(
            self.sale_price_fen - self.sale_start_fen,
            self.sale_start_fen,
        )
    }

    /// Bids per lot, in hundredths.
    pub fn bids_per_lot_centi(&self) -> Option<i64> {
        ratio_bp(self.bids as i64, self.bid_lots as i64).map(|bp| (bp + 50) / 100)
    }

    /// The share of lots with bids that had exactly one.
    pub fn single_bid_bp(&self) -> Option<i64> {
        ratio_bp(self.single_bid as i64, self.bid_lots as i64)
    }

    /// 流标率: failed / (awarded + failed).
    pub fn failure_bp(&self) -> Option<i64> {
        ratio_bp(self.failed as i64, (self.awarded + self.failed) as i64)
    }

    /// Mean days from the announcement to the award, in tenths.
    pub fn award_days_deci(&self) -> Option<i64> {
        ratio_bp(self.award_days, self.awarded as i64).map(|bp| (bp + 500) / 1000)
    }

    /// The share of the awarded lots won by 中小企业.
    pub fn sme_bp(&self) -> Option<i64> {
        ratio_bp(self.sme_awards as i64, self.awarded as i64)
    }

    /// The share of the award amount won by 中小企业.
    pub fn sme_amount_bp(&self) -> Option<i64> {
        ratio_bp(self.sme_award_fen, self.award_fen)
    }

    /// 成交金额: awards and sales together.
    pub fn turnover_fen(&self) -> i64 {
        self.award_fen + self.sale_price_fen
    }

    fn add_lot(&mut self, fact: &LotFact) {
        self.lots += 1;
        match fact.outcome {
            LotOutcome::Awarded => {
                self.awarded += 1;
                self.budget_fen += fact.budget_fen;
                self.award_fen += fact.award_fen.unwrap_or(0);
                if let Some(at) = fact.awarded_ms {
                    self.award_days += (at - fact.announced_ms).max(0) / 86_400_000;
                }
                if fact.winner_sme {
                    self.sme_awards += 1;
                    self.sme_award_fen += fact.award_fen.unwrap_or(0);
                }
            }
            LotOutcome::Failed => self.failed += 1,
            LotOutcome::Terminated => self.terminated += 1,
            LotOutcome::InProgress => {}
        }
        if let Some(bids) = fact.bids {
            self.bid_lots += 1;
            self.bids += u64::from(bids);
            if bids == 1 {
                self.single_bid += 1;
            }
        }
    }

    fn add_sale(&mut self, fact: &SaleFact) {
        self.sales += 1;
        self.sale_bidders += u64::from(fact.bidders);
        if let Some(price) = fact.price_fen {
            self.sold += 1;
            self.sale_start_fen += fact.start_fen;
            self.sale_price_fen += price;
        } else if fact.no_sale {
            self.no_sale += 1;
        }
    }

    fn add_warning(&mut self, fact: &WarningFact) {
        self.warnings += 1;
        match fact.status.as_str() {
            "closed" => self.warnings_closed += 1,
            "case" => self.warnings_case += 1,
            _ => self.warnings_open += 1,
        }
    }
}

/// The statistics of a selection: the total and its breakdowns (each sorted by key).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    pub total: Tally,
    pub by_category: Vec<(String, Tally)>,
    /// By the region one level below the query's (all or a province by city, a city by county).
    pub by_region: Vec<(String, Tally)>,
    pub by_method: Vec<(String, Tally)>,
    /// By month (`2026-03`) of the publication day; with a period, every month of it.
    pub by_month: Vec<(String, Tally)>,
}

/// The region one level below `within` that `region` lies in: a province's city (`330100`),
/// a city's county (the code itself); a county is its own group. With no region selected, the
/// cities (a platform serves one province).
pub fn region_group(region: &str, within: &str) -> String {
    if region.len() != 6 {
        return region.to_string();
    }
    if within.is_empty() || within.ends_with("0000") {
        return format!("{}00", &region[..4]);
    }
    region.to_string()
}

/// The breakdowns being tallied, keyed without allocating per fact.
#[derive(Default)]
struct Groups<'a> {
    category: BTreeMap<&'a str, Tally>,
    /// The region group's six bytes.
    region: BTreeMap<[u8; 6], Tally>,
    method: BTreeMap<&'a str, Tally>,
    /// Months since year 0 (`year × 12 + month − 1`).
    month: BTreeMap<i64, Tally>,
}

impl<'a> Groups<'a> {
    /// The tallies a fact of this category, region, method and day counts in.
    fn of(
        &mut self,
        category: &'a str,
        region: &str,
        method: Option<&'a str>,
        day: Date,
        within: &str,
    ) -> [&mut Tally; 4] {
        // `region_group` without allocating: a city's code, or the region itself.
        let mut key = [b' '; 6];
        for (slot, byte) in key.iter_mut().zip(region.bytes()) {
            *slot = byte;
        }
        if region.len() == 6 && (within.is_empty() || within.ends_with("0000")) {
            key[4..].copy_from_slice(b"00");
        }
        let (y, m, _) = day.ymd();
        // A warning has no method: its tally there is a scratch one, dropped.
        let method = match method {
            Some(method) => self.method.entry(method).or_default(),
            None => self.method.entry("\u{0}").or_default(),
        };
        [
            self.category.entry(category).or_default(),
            self.region.entry(key).or_default(),
            method,
            self.month.entry(y * 12 + i64::from(m) - 1).or_default(),
        ]
    }
}

/// The statistics of the facts `query` selects.
pub fn statistics<'a>(
    lots: impl IntoIterator<Item = &'a LotFact>,
    sales: impl IntoIterator<Item = &'a SaleFact>,
    warnings: impl IntoIterator<Item = &'a WarningFact>,
    query: &StatsQuery,
) -> Statistics {
    let mut total = Tally::default();
    let mut groups = Groups::default();
    let day_of = |ms: i64| {
        let day = Date::of_instant(ms);
        let within =
            query.from.is_none_or(|from| day >= from) && query.to.is_none_or(|to| day <= to);
        within.then_some(day)
    };
    for fact in lots {
        let Some(day) = day_of(fact.announced_ms) else {
            continue;
        };
        if !query.selects(&fact.category, &fact.region, &fact.method) {
            continue;
        }
        total.add_lot(fact);
        for tally in groups.of(
            &fact.category,
            &fact.region,
            Some(&fact.method),
            day,
            &query.region,
        ) {
            tally.add_lot(fact);
        }
    }
    for fact in sales {
        let Some(day) = day_of(fact.started_ms) else {
            continue;
        };
        if !query.selects(&fact.category, &fact.region, &fact.method) {
            continue;
        }
        total.add_sale(fact);
        for tally in groups.of(
            &fact.category,
            &fact.region,
            Some(&fact.method),
            day,
            &query.region,
        ) {
            tally.add_sale(fact);
        }
    }
    for fact in warnings {
        // A warning has no method: a selection by method leaves the warnings out.
        let Some(day) = day_of(fact.raised_ms) else {
            continue;
        };
        if !query.method.is_empty() || !query.selects(&fact.category, &fact.region, "") {
            continue;
        }
        total.add_warning(fact);
        for tally in groups.of(&fact.category, &fact.region, None, day, &query.region) {
            tally.add_warning(fact);
        }
    }
    groups.method.remove("\u{0}");
    // Every month of the period has its row (a month without trading is a zero, not a gap).
    if let (Some(from), Some(to)) = (query.from, query.to) {
        let (y, m, _) = from.ymd();
        let (end_y, end_m, _) = to.ymd();
        let (first, last) = (y * 12 + i64::from(m) - 1, end_y * 12 + i64::from(end_m) - 1);
        for month in (first..=last).take(1_200) {
            groups.month.entry(month).or_default();
        }
    }
    Statistics {
        total,
        by_category: groups
            .category
            .into_iter()
            .map(|(k, t)| (k.to_string(), t))
            .collect(),
        by_region: groups
            .region
            .into_iter()
            .map(|(k, t)| (String::from_utf8_lossy(&k).trim_end().to_string(), t))
            .collect(),
        by_method: groups
            .method
            .into_iter()
            .map(|(k, t)| (k.to_string(), t))
            .collect(),
        by_month: groups
            .month
            .into_iter()
            .map(|(k, t)| {
                (
                    format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1),
                    t,
                )
            })
            .collect(),
    }
}
