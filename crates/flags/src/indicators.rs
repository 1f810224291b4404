//! What each indicator takes from one contracting process (cardinal's `fold` functions, test for
//! test), and the per-chunk tallies they add to. The whole-file steps (quartiles, fences) are in
//! `finalize.rs`.

use std::collections::{HashMap, HashSet};

use crate::release::{Award, Bid, Release, Wanted};
use crate::settings::Settings;

/// The settings, compiled for the fold.
#[derive(Debug)]
pub(crate) struct Plan {
    exclusions: HashSet<String>,
    price_include: HashSet<String>,
    price_exclude: HashSet<String>,
    pub(crate) currency: Option<String>,
    /// R024 or R058: the second-lowest bid ratio of each process.
    second_lowest: bool,
    r003: Option<R003Plan>,
    r018: Option<HashSet<String>>,
    r025: bool,
    r028: bool,
    r030: bool,
    r035: Option<usize>,
    r036: bool,
    r038: bool,
    /// R048: the number of leading characters of a classification code.
    r048: Option<usize>,
    /// `--map`: keep the mappings from processes to organisations.
    pub(crate) map: bool,
    /// `--map` and one of R025, R038, R048: the tenderers of each process.
    map_tenderers: bool,
}

#[derive(Debug)]
struct R003Plan {
    threshold: i64,
    procurement_methods: HashSet<String>,
    procurement_method_details: HashMap<String, i64>,
}

/// cardinal's `parse_pipe_separated_value`: `split_terminator('|')`, so `a||b` has an empty
/// member and a final `|` adds none.
pub(crate) fn pipe_separated(value: Option<&str>) -> HashSet<String> {
    value
        .unwrap_or_default()
        .split_terminator('|')
        .map(str::to_owned)
        .collect()
}

impl Plan {
    pub(crate) fn new(settings: &Settings, map: bool) -> Plan {
        Plan {
            exclusions: pipe_separated(settings.exclusions_procurement_method_details.as_deref()),
            price_include: pipe_separated(settings.price_comparison_procurement_methods.as_deref()),
            price_exclude: pipe_separated(
                settings.no_price_comparison_procurement_methods.as_deref(),
            ),
            currency: settings.currency.clone(),
            second_lowest: settings.r024.is_some() || settings.r058.is_some(),
            r003: settings.r003.as_ref().map(|r003| R003Plan {
                threshold: r003.threshold.unwrap_or(15),
                procurement_methods: pipe_separated(r003.procurement_methods.as_deref()),
                procurement_method_details: r003
                    .procurement_method_details
                    .clone()
                    .unwrap_or_default(),
            }),
            r018: settings.r018.as_ref().map(|r018| {
                pipe_separated(Some(
                    r018.procurement_methods
                        .as_deref()
                        .unwrap_or("open|selective"),
                ))
            }),
            r025: settings.r025.is_some(),
            r028: settings.r028.is_some(),
            r030: settings.r030.is_some(),
            r035: settings
                .r035
                .map(|r035| r035.threshold.map_or(1, |threshold| threshold.max(1))),
            r036: settings.r036.is_some(),
            r038: settings.r038.is_some(),
            r048: settings.r048.map(|r048| r048.digits.unwrap_or(2)),
            map,
            map_tenderers: map
                && (settings.r025.is_some() || settings.r038.is_some() || settings.r048.is_some()),
        }
    }

    pub(crate) fn wanted(&self) -> Wanted {
        Wanted {
            classifications: self.r048.is_some(),
        }
    }
}

// Bits of `Record::flags`: the process's results that are always 1.0, and R035's presence.
pub(crate) const OCID_R003: u16 = 1;
pub(crate) const OCID_R018: u16 = 1 << 1;
pub(crate) const OCID_R028: u16 = 1 << 2;
pub(crate) const OCID_R030: u16 = 1 << 3;
pub(crate) const OCID_R035: u16 = 1 << 4;
pub(crate) const OCID_R036: u16 = 1 << 5;
/// Set when the file is finalized: R024 and R058 (their value is the ratio).
pub(crate) const OCID_R024: u16 = 1 << 6;
pub(crate) const OCID_R058: u16 = 1 << 7;

// Bits of `TendererTally::flags`: R028 and R030 (1.0), R035 (0.0).
pub(crate) const TENDERER_R028: u8 = 1;
pub(crate) const TENDERER_R030: u8 = 1 << 1;
pub(crate) const TENDERER_R035: u8 = 1 << 2;

/// No tenderer (`Record::winner` when the process has no second-lowest bid ratio).
pub(crate) const NONE: u32 = u32::MAX;

/// What one process (one line) left to report, if anything: its results and its second-lowest
/// bid ratio.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub(crate) ocid_start: u64,
    pub(crate) ocid_len: u32,
    pub(crate) flags: u16,
    /// R035: the number of other tenderers whose bids were disqualified.
    pub(crate) r035: u32,
    /// The second-lowest bid ratio, if `winner != NONE`.
    pub(crate) ratio: f64,
    pub(crate) winner: u32,
    pub(crate) second: u32,
}

/// `--map` only: the organisations of one process.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordMap {
    pub(crate) tenderers: Vec<u32>,
    pub(crate) r028: Vec<u32>,
    pub(crate) r030: Vec<u32>,
    pub(crate) r035: Vec<u32>,
    pub(crate) buyer_r038: Option<u32>,
    pub(crate) procuring_entity_r038: Option<u32>,
}

impl RecordMap {
    fn is_empty(&self) -> bool {
        self.tenderers.is_empty()
            && self.r028.is_empty()
            && self.r030.is_empty()
            && self.r035.is_empty()
            && self.buyer_r038.is_none()
            && self.procuring_entity_r038.is_none()
    }
}

/// cardinal's `Fraction`; sums add numerators and denominators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Fraction {
    pub(crate) numerator: u64,
    pub(crate) denominator: u64,
}

impl Fraction {
    pub(crate) fn add(&mut self, numerator: u64, denominator: u64) {
        self.numerator += numerator;
        self.denominator += denominator;
    }

    pub(crate) fn ratio(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
}

/// A tenderer's (or supplier's) tallies.
#[derive(Debug, Clone, Default)]
pub(crate) struct TendererTally {
    /// R025: winning over valid bids, once per process.
    pub(crate) r025: Fraction,
    /// R038: disqualified over submitted bids.
    pub(crate) r038: Fraction,
    /// R048: processes in which it was awarded classified items, and the code prefixes.
    pub(crate) r048_processes: u64,
    pub(crate) r048_codes: HashSet<u32>,
    pub(crate) flags: u8,
}

/// Names numbered in the order they are first met.
#[derive(Debug, Default)]
pub(crate) struct Names {
    index: HashMap<String, u32>,
    pub(crate) names: Vec<String>,
}

impl Names {
    pub(crate) fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(NONE - 1);
        self.index.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }

    /// As `id`, taking the name.
    pub(crate) fn id_owned(&mut self, name: String) -> u32 {
        if let Some(&id) = self.index.get(name.as_str()) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(NONE - 1);
        self.names.push(name.clone());
        self.index.insert(name, id);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// Everything one chunk of lines adds up to; chunks are merged in file order.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) ocids: String,
    pub(crate) records: Vec<Record>,
    /// `--map`: by index in `records`.
    pub(crate) maps: Vec<(usize, RecordMap)>,
    pub(crate) tenderers: Names,
    pub(crate) tenderer_tallies: Vec<TendererTally>,
    pub(crate) buyers: Names,
    pub(crate) buyer_r038: Vec<Fraction>,
    pub(crate) procuring_entities: Names,
    pub(crate) procuring_entity_r038: Vec<Fraction>,
    pub(crate) codes: Names,
    /// The currency price comparisons keep: the setting, the file's (once known), or else the
    /// first one this chunk met.
    pub(crate) currency: Option<String>,
    /// Bids left out of a price comparison for their currency.
    pub(crate) currency_mismatches: u64,
}

impl Tally {
    pub(crate) fn new(currency: Option<String>) -> Tally {
        Tally {
            currency,
            ..Tally::default()
        }
    }

    fn tenderer(&mut self, name: &str) -> u32 {
        let id = self.tenderers.id(name);
        if id as usize == self.tenderer_tallies.len() {
            self.tenderer_tallies.push(TendererTally::default());
        }
        id
    }

    /// cardinal's `item.currency.get_or_insert_with(...)` and comparison.
    fn same_currency(&mut self, currency: &str) -> bool {
        let kept = self.currency.get_or_insert_with(|| currency.to_owned());
        if kept == currency {
            true
        } else {
            self.currency_mismatches += 1;
            false
        }
    }
}

impl<'a> Release<'a> {
    fn procurement_method_details(&self) -> Option<&str> {
        self.tender.as_ref()?.procurement_method_details.as_deref()
    }

    /// cardinal's `matches_procurement_method_details`.
    fn matches_details(&self, include: &HashSet<String>, exclude: &HashSet<String>) -> bool {
        match self.procurement_method_details() {
            Some(details) if include.is_empty() => !exclude.contains(details),
            Some(details) => include.contains(details),
            None => include.is_empty(),
        }
    }

    /// cardinal's `get_complete_awards_and_bids_if_all_awards_final`: the active awards and the
    /// bids, unless an award's status is a string other than active, cancelled or unsuccessful.
    fn complete_awards_and_bids(&self) -> Option<(Vec<&Award<'a>>, &[Bid<'a>])> {
        let awards = self.awards.as_ref()?;
        let bids = self.bids.as_ref()?;
        let mut complete = Vec::new();
        for award in awards {
            match award.status.as_deref() {
                Some("active") => complete.push(award),
                Some("cancelled" | "unsuccessful") | None => {}
                Some(_) => return None,
            }
        }
        Some((complete, bids))
    }

    /// Pending, valid and disqualified bids: a string status other than invited or withdrawn.
    fn submitted_bids(&self) -> impl Iterator<Item = &Bid<'a>> {
        self.bids
            .iter()
            .flatten()
            .filter(|bid| matches!(bid.status.as_deref(), Some(status) if status != "invited" && status != "withdrawn"))
    }
}

/// The one supplier of the only active award, when all awards are final: cardinal's guard for
/// R024, R025 and R058.
fn sole_supplier<'r>(complete: &'r Option<(Vec<&Award<'_>>, &[Bid<'_>])>) -> Option<&'r str> {
    let (awards, _) = complete.as_ref()?;
    let [award] = awards.as_slice() else {
        return None;
    };
    let [supplier] = award.suppliers.as_deref()? else {
        return None;
    };
    supplier.as_deref()
}

/// A bid's only tenderer (`tenderers` has exactly one element and its `id` is a string).
fn only_tenderer<'r>(bid: &'r Bid<'_>) -> Option<&'r str> {
    let [tenderer] = bid.tenderers.as_deref()? else {
        return None;
    };
    tenderer.as_deref()
}

fn matches_method(methods: &HashSet<String>, release: &Release<'_>) -> bool {
    if methods.is_empty() {
        return true;
    }
    release
        .tender
        .as_ref()
        .and_then(|tender| tender.procurement_method.as_deref())
        .is_some_and(|method| methods.contains(method))
}

/// Adds one line's process to the tally (nothing if it has no string `ocid`, is cancelled or is
/// excluded).
pub(crate) fn fold(plan: &Plan, release: &Release<'_>, tally: &mut Tally) {
    let Some(ocid) = release.ocid.as_deref() else {
        return;
    };
    if release
        .tender
        .as_ref()
        .is_some_and(|tender| tender.status.as_deref() == Some("cancelled"))
    {
        return;
    }
    if !release.matches_details(&HashSet::new(), &plan.exclusions) {
        return;
    }

    let mut record = Record {
        ocid_start: 0,
        ocid_len: 0,
        flags: 0,
        r035: 0,
        ratio: 0.0,
        winner: NONE,
        second: NONE,
    };
    let mut map = RecordMap::default();
    let complete = release.complete_awards_and_bids();

    if plan.map_tenderers {
        for bid in release.submitted_bids() {
            for id in bid.tenderers.iter().flatten().flatten() {
                let id = tally.tenderer(id);
                if !map.tenderers.contains(&id) {
                    map.tenderers.push(id);
                }
            }
        }
    }
    if plan.second_lowest {
        second_lowest_bid_ratio(plan, release, &complete, tally, &mut record);
    }
    if let Some(r003) = &plan.r003 {
        r003_short_period(r003, release, &mut record);
    }
    if let Some(methods) = &plan.r018
        && release
            .tender
            .as_ref()
            .is_some_and(|tender| tender.one_tenderer)
        && matches_method(methods, release)
    {
        record.flags |= OCID_R018;
    }
    if plan.r025 {
        r025_winning_ratio(&complete, tally);
    }
    if plan.r028 {
        r028_identical_prices(plan, release, tally, &mut record, &mut map);
    }
    if plan.r030 {
        r030_late_winning_bid(release, tally, &mut record, &mut map);
    }
    if let Some(threshold) = plan.r035 {
        r035_all_except_winner_disqualified(threshold, &complete, tally, &mut record, &mut map);
    }
    if plan.r036 {
        r036_lowest_bid_disqualified(plan, release, tally, &mut record);
    }
    if plan.r038 {
        r038_disqualified_bids(plan, release, tally, &mut map);
    }
    if let Some(digits) = plan.r048 {
        r048_classifications(digits, release, tally);
    }

    let has_map = plan.map && !map.is_empty();
    if record.flags != 0 || record.winner != NONE || has_map {
        record.ocid_start = tally.ocids.len() as u64;
        record.ocid_len = u32::try_from(ocid.len()).unwrap_or(u32::MAX);
        tally.ocids.push_str(ocid);
        if has_map {
            tally.maps.push((tally.records.len(), map));
        }
        tally.records.push(record);
    }
}

/// cardinal's `SecondLowestBidRatio`: (second-lowest valid bid − winning bid) / winning bid, in
/// the kept currency, when there is one active award to one supplier and the lowest bid won.
fn second_lowest_bid_ratio(
    plan: &Plan,
    release: &Release<'_>,
    complete: &Option<(Vec<&Award<'_>>, &[Bid<'_>])>,
    tally: &mut Tally,
    record: &mut Record,
) {
    if !release.matches_details(&plan.price_include, &plan.price_exclude) {
        return;
    }
    let mut winner: Option<(&str, f64)> = None;
    let mut second: Option<(&str, f64)> = None;
    if let Some(supplier) = sole_supplier(complete)
        && let Some((_, bids)) = complete
    {
        for bid in *bids {
            if bid.status.as_deref() == Some("valid")
                && let Some(value) = &bid.value
                && let Some(amount) = value.amount
                && let Some(currency) = value.currency.as_deref()
                && let Some(tenderer) = only_tenderer(bid)
                && tally.same_currency(currency)
            {
                let slot = if tenderer == supplier {
                    &mut winner
                } else {
                    &mut second
                };
                if slot.is_none_or(|(_, lowest)| amount < lowest) {
                    *slot = Some((tenderer, amount));
                }
            }
        }
    }
    if let (Some((winner, winning)), Some((second, second_lowest))) = (winner, second)
        && second_lowest >= winning
    {
        record.ratio = (second_lowest - winning) / winning;
        record.winner = tally.tenderer(winner);
        record.second = tally.tenderer(second);
    }
}

fn r003_short_period(r003: &R003Plan, release: &Release<'_>, record: &mut Record) {
    if let Some(tender) = &release.tender
        && matches_method(&r003.procurement_methods, release)
        && let Some(period) = &tender.tender_period
        && let Some(start) = period
            .start_date
            .as_deref()
            .and_then(crate::dates::parse_rfc3339)
        && let Some(end) = period
            .end_date
            .as_deref()
            .and_then(crate::dates::parse_rfc3339)
    {
        let days = crate::dates::whole_days_between(start, end);
        let threshold = tender
            .procurement_method_details
            .as_deref()
            .and_then(|details| r003.procurement_method_details.get(details))
            .copied()
            .unwrap_or(r003.threshold);
        if days < threshold {
            record.flags |= OCID_R003;
        }
    }
}

fn r025_winning_ratio(complete: &Option<(Vec<&Award<'_>>, &[Bid<'_>])>, tally: &mut Tally) {
    let (Some(supplier), Some((_, bids))) = (sole_supplier(complete), complete) else {
        return;
    };
    // Each tenderer once per process, whatever its number of bids.
    let mut valid_tenderers: Vec<&str> = Vec::new();
    for bid in *bids {
        if bid.status.as_deref() == Some("valid")
            && let Some(tenderer) = only_tenderer(bid)
            && !valid_tenderers.contains(&tenderer)
        {
            valid_tenderers.push(tenderer);
        }
    }
    for tenderer in valid_tenderers {
        let won = u64::from(tenderer == supplier);
        let id = tally.tenderer(tenderer);
        tally.tenderer_tallies[id as usize].r025.add(won, 1);
    }
}

fn r028_identical_prices(
    plan: &Plan,
    release: &Release<'_>,
    tally: &mut Tally,
    record: &mut Record,
    map: &mut RecordMap,
) {
    if !release.matches_details(&plan.price_include, &plan.price_exclude) {
        return;
    }
    // (amount, currency) → the set of tenderers of the last bid at that price. Amounts compare
    // with `==`, so 0 and −0 are one price (as with `OrderedFloat`).
    let mut prices: Vec<((f64, &str), Vec<&str>)> = Vec::new();
    let mut flagged: Vec<&str> = Vec::new();
    for bid in release.submitted_bids() {
        let (Some(tenderers), Some(value)) = (&bid.tenderers, &bid.value) else {
            continue;
        };
        let (Some(amount), Some(currency)) = (value.amount, value.currency.as_deref()) else {
            continue;
        };
        let mut ids: Vec<&str> = tenderers.iter().flatten().map(|id| &**id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            continue;
        }
        let price = (amount, currency);
        match prices.iter_mut().find(|(known, _)| *known == price) {
            Some((_, previous)) => {
                if ids != *previous {
                    record.flags |= OCID_R028;
                    flagged.extend(ids.iter().chain(previous.iter()));
                }
                *previous = ids;
            }
            None => prices.push((price, ids)),
        }
    }
    for name in flagged {
        let id = tally.tenderer(name);
        tally.tenderer_tallies[id as usize].flags |= TENDERER_R028;
        if plan.map && !map.r028.contains(&id) {
            map.r028.push(id);
        }
    }
}

fn r030_late_winning_bid(
    release: &Release<'_>,
    tally: &mut Tally,
    record: &mut Record,
    map: &mut RecordMap,
) {
    let (Some(tender), Some(awards), Some(bids)) =
        (&release.tender, &release.awards, &release.bids)
    else {
        return;
    };
    let Some(end_date) = tender
        .tender_period
        .as_ref()
        .and_then(|period| period.end_date.as_deref())
    else {
        return;
    };
    let mut suppliers: Vec<&str> = Vec::new();
    for award in awards {
        if award.status.as_deref() == Some("active")
            && let Some(ids) = &award.suppliers
        {
            suppliers.extend(ids.iter().flatten().map(|id| &**id));
        }
    }
    for bid in bids {
        if bid.status.as_deref() == Some("valid")
            && let Some(date) = bid.date.as_deref()
            && let Some(tenderers) = &bid.tenderers
            && date > end_date
        {
            for name in tenderers.iter().flatten() {
                if suppliers.contains(&&**name) {
                    record.flags |= OCID_R030;
                    let id = tally.tenderer(name);
                    tally.tenderer_tallies[id as usize].flags |= TENDERER_R030;
                    if !map.r030.contains(&id) {
                        map.r030.push(id);
                    }
                }
            }
        }
    }
}

fn r035_all_except_winner_disqualified(
    threshold: usize,
    complete: &Option<(Vec<&Award<'_>>, &[Bid<'_>])>,
    tally: &mut Tally,
    record: &mut Record,
    map: &mut RecordMap,
) {
    let Some((awards, bids)) = complete else {
        return;
    };
    let mut suppliers: HashSet<&str> = HashSet::new();
    for award in awards {
        for id in award.suppliers.iter().flatten().flatten() {
            suppliers.insert(id);
        }
    }
    let mut valid: HashSet<&str> = HashSet::new();
    let mut disqualified: HashSet<&str> = HashSet::new();
    for bid in *bids {
        let (Some(status), Some(tenderers)) = (bid.status.as_deref(), &bid.tenderers) else {
            continue;
        };
        let set = match status {
            "valid" => &mut valid,
            "disqualified" => &mut disqualified,
            _ => continue,
        };
        set.extend(tenderers.iter().flatten().map(|id| &**id));
    }
    if valid.len() == 1 && valid == suppliers {
        let others = disqualified.difference(&valid).count();
        if others >= threshold
            && let Some(winner) = valid.iter().next()
        {
            record.flags |= OCID_R035;
            record.r035 = u32::try_from(others).unwrap_or(u32::MAX);
            let id = tally.tenderer(winner);
            tally.tenderer_tallies[id as usize].flags |= TENDERER_R035;
            map.r035 = vec![id];
        }
    }
}

fn r036_lowest_bid_disqualified(
    plan: &Plan,
    release: &Release<'_>,
    tally: &mut Tally,
    record: &mut Record,
) {
    if !release.matches_details(&plan.price_include, &plan.price_exclude) {
        return;
    }
    let mut lowest: Option<f64> = None;
    let mut lowest_is_disqualified = false;
    let mut has_valid_bid_with_amount = false;
    let has_active_award = release
        .awards
        .iter()
        .flatten()
        .any(|award| award.status.as_deref() == Some("active"));
    if has_active_award {
        for bid in release.submitted_bids() {
            if let Some(status) = bid.status.as_deref()
                && let Some(value) = &bid.value
                && let Some(amount) = value.amount
                && let Some(currency) = value.currency.as_deref()
                && tally.same_currency(currency)
            {
                if lowest.is_none_or(|low| amount < low) {
                    lowest = Some(amount);
                    lowest_is_disqualified = status == "disqualified";
                }
                if status == "valid" {
                    has_valid_bid_with_amount = true;
                }
            }
        }
    }
    if has_valid_bid_with_amount && lowest_is_disqualified {
        record.flags |= OCID_R036;
    }
}

fn r038_disqualified_bids(
    plan: &Plan,
    release: &Release<'_>,
    tally: &mut Tally,
    map: &mut RecordMap,
) {
    let mut submitted = 0;
    let mut disqualified = 0;
    for bid in release.submitted_bids() {
        submitted += 1;
        let is_disqualified = u64::from(bid.status.as_deref() == Some("disqualified"));
        disqualified += is_disqualified;
        for name in bid.tenderers.iter().flatten().flatten() {
            let id = tally.tenderer(name);
            tally.tenderer_tallies[id as usize]
                .r038
                .add(is_disqualified, 1);
        }
    }
    if submitted == 0 {
        return;
    }
    if let Some(buyer) = release.buyer_id.as_deref() {
        let id = tally.buyers.id(buyer);
        if id as usize == tally.buyer_r038.len() {
            tally.buyer_r038.push(Fraction::default());
        }
        tally.buyer_r038[id as usize].add(disqualified, submitted);
        if plan.map && disqualified > 0 {
            map.buyer_r038 = Some(id);
        }
    }
    if let Some(entity) = release
        .tender
        .as_ref()
        .and_then(|tender| tender.procuring_entity_id.as_deref())
    {
        let id = tally.procuring_entities.id(entity);
        if id as usize == tally.procuring_entity_r038.len() {
            tally.procuring_entity_r038.push(Fraction::default());
        }
        tally.procuring_entity_r038[id as usize].add(disqualified, submitted);
        if plan.map && disqualified > 0 {
            map.procuring_entity_r038 = Some(id);
        }
    }
}

fn r048_classifications(digits: usize, release: &Release<'_>, tally: &mut Tally) {
    let mut counted: Vec<u32> = Vec::new();
    for award in release.awards.iter().flatten() {
        if award.status.as_deref() != Some("active") {
            continue;
        }
        let (Some(codes), Some([supplier])) =
            (&award.classification_ids, award.suppliers.as_deref())
        else {
            continue;
        };
        let Some(supplier) = supplier.as_deref() else {
            continue;
        };
        for code in codes {
            let id = tally.tenderer(supplier);
            // A supplier counts once per process.
            if !counted.contains(&id) {
                counted.push(id);
                tally.tenderer_tallies[id as usize].r048_processes += 1;
            }
            let prefix_end = code
                .char_indices()
                .nth(digits)
                .map_or(code.len(), |(end, _)| end);
            let code = tally.codes.id(&code[..prefix_end]);
            tally.tenderer_tallies[id as usize].r048_codes.insert(code);
        }
    }
}
