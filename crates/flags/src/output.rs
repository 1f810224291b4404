//! The whole-file steps (cardinal's `finalize`: quartiles, fences, and the results they flag) and
//! the output, written as cardinal writes it.

use std::io::{self, Write};

use crate::indicators::{
    NONE, OCID_R003, OCID_R018, OCID_R024, OCID_R028, OCID_R030, OCID_R035, OCID_R036, OCID_R058,
    Record, TENDERER_R028, TENDERER_R030, TENDERER_R035,
};
use crate::settings::Settings;
use crate::stats::Data;
use crate::totals::{FOLDED, Totals};

/// One identifier's results: its indicators and their values.
pub type Results<'a> = (&'a str, Vec<(Indicator, f64)>);

/// What a result is about (cardinal's `Group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// A contracting process, by `/ocid`.
    Ocid,
    /// By `/buyer/id`.
    Buyer,
    /// By `/tender/procuringEntity/id`.
    ProcuringEntity,
    /// By `/bids/details[]/tenderers[]/id` (and `/awards[]/suppliers[]/id` for R048).
    Tenderer,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::Ocid,
        Group::Buyer,
        Group::ProcuringEntity,
        Group::Tenderer,
    ];

    /// The key in the output: `OCID`, `Buyer`, `ProcuringEntity`, `Tenderer`.
    pub fn name(self) -> &'static str {
        match self {
            Group::Ocid => "OCID",
            Group::Buyer => "Buyer",
            Group::ProcuringEntity => "ProcuringEntity",
            Group::Tenderer => "Tenderer",
        }
    }
}

/// One of cardinal's indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    R003,
    R018,
    R024,
    R025,
    R028,
    R030,
    R035,
    R036,
    R038,
    R048,
    R058,
}

impl Indicator {
    pub const ALL: [Indicator; 11] = [
        Indicator::R003,
        Indicator::R018,
        Indicator::R024,
        Indicator::R025,
        Indicator::R028,
        Indicator::R030,
        Indicator::R035,
        Indicator::R036,
        Indicator::R038,
        Indicator::R048,
        Indicator::R058,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Indicator::R003 => "R003",
            Indicator::R018 => "R018",
            Indicator::R024 => "R024",
            Indicator::R025 => "R025",
            Indicator::R028 => "R028",
            Indicator::R030 => "R030",
            Indicator::R035 => "R035",
            Indicator::R036 => "R036",
            Indicator::R038 => "R038",
            Indicator::R048 => "R048",
            Indicator::R058 => "R058",
        }
    }
}

/// The results of a run: every flagged process and organisation with its indicators' values, the
/// quartiles and fences used (`Meta`), and, if asked for, the maps from processes to
/// organisations.
#[derive(Debug)]
pub struct Output {
    totals: Totals,
    tenderers: Vec<(u32, Vec<(Indicator, f64)>)>,
    buyers: Vec<(u32, f64)>,
    procuring_entities: Vec<(u32, f64)>,
    meta: Vec<(Indicator, Vec<(String, f64)>)>,
    map: bool,
    warnings: Vec<String>,
}

/// Which optional parts of the output to write.
#[derive(Debug, Clone, Copy)]
pub struct JsonOptions {
    /// The `Meta` key (cardinal's default; `--no-meta` leaves it out).
    pub meta: bool,
}

impl Default for JsonOptions {
    fn default() -> JsonOptions {
        JsonOptions { meta: true }
    }
}

/// Lines of the input that were skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLines {
    /// Lines that are not valid JSON (blank lines aside, which are skipped silently).
    pub invalid_json: u64,
    /// Lines that are not UTF-8.
    pub invalid_utf8: u64,
    /// The numbers (from 1) of the first thousand of each kind.
    pub first_invalid_json: Vec<u64>,
    pub first_invalid_utf8: Vec<u64>,
}

fn push_meta(
    meta: &mut Vec<(Indicator, Vec<(String, f64)>)>,
    indicator: Indicator,
    key: &str,
    value: f64,
) {
    let position = match meta.iter().position(|(known, _)| *known == indicator) {
        Some(position) => position,
        None => {
            meta.push((indicator, Vec::new()));
            meta.len() - 1
        }
    };
    let entries = &mut meta[position].1;
    match entries.iter_mut().find(|(known, _)| known == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key.to_owned(), value)),
    }
}

/// `(Q1, Q3)` of the data, computed as cardinal does: lower quartile first, on the same data.
fn quartiles(values: Vec<f64>) -> (f64, f64) {
    let mut data = Data::new(values);
    let q1 = data.lower_quartile();
    let q3 = data.upper_quartile();
    (q1, q3)
}

impl Output {
    pub(crate) fn finalize(mut totals: Totals, settings: &Settings, map: bool) -> Output {
        totals.fold_repeated_processes();
        let mut meta = Vec::new();
        let mut warnings = Vec::new();
        if settings.no_price_comparison_procurement_methods.is_some()
            && settings.price_comparison_procurement_methods.is_some()
        {
            warnings.push(String::from(
                "no_price_comparison_procurement_methods has no effect if price_comparison_procurement_methods is set.",
            ));
        }
        // (tenderer, indicator, value), gathered then grouped.
        let mut tenderer_results: Vec<(u32, Indicator, f64)> = Vec::new();
        for (id, tally) in totals.tenderer_tallies.iter().enumerate() {
            let id = id as u32;
            for (bit, indicator, value) in [
                (TENDERER_R028, Indicator::R028, 1.0),
                (TENDERER_R030, Indicator::R030, 1.0),
                (TENDERER_R035, Indicator::R035, 0.0),
            ] {
                if tally.flags & bit != 0 {
                    tenderer_results.push((id, indicator, value));
                }
            }
        }

        let live = |record: &Record| record.flags & FOLDED == 0;
        let ratios = |records: &[Record]| -> Vec<f64> {
            records
                .iter()
                .filter(|record| live(record) && record.winner != NONE)
                .map(|record| record.ratio)
                .collect()
        };

        if let Some(r024) = settings.r024 {
            let (lower_fence, q1) = match r024.threshold {
                Some(threshold) => (threshold, 1.0),
                None => {
                    let (q1, q3) = quartiles(ratios(&totals.records));
                    push_meta(&mut meta, Indicator::R024, "q1", q1);
                    push_meta(&mut meta, Indicator::R024, "q3", q3);
                    ((q3 - q1).mul_add(-1.5, q1), q1)
                }
            };
            push_meta(&mut meta, Indicator::R024, "lower_fence", lower_fence);
            if q1 > 0.0 && lower_fence > 0.0 {
                for record in totals.records.iter_mut() {
                    if live(record) && record.winner != NONE && record.ratio <= lower_fence {
                        record.flags |= OCID_R024;
                        tenderer_results.push((record.winner, Indicator::R024, 0.0));
                        tenderer_results.push((record.second, Indicator::R024, 0.0));
                    }
                }
            }
        }

        if let Some(r025) = settings.r025 {
            let counted: Vec<(u32, crate::indicators::Fraction)> = totals
                .tenderer_tallies
                .iter()
                .enumerate()
                .filter(|(_, tally)| tally.r025.denominator > 0)
                .map(|(id, tally)| (id as u32, tally.r025))
                .collect();
            let upper_fence = Data::new(
                counted
                    .iter()
                    .map(|(_, fraction)| fraction.denominator as f64)
                    .collect(),
            )
            .percentile(r025.percentile.unwrap_or(75));
            let (lower_fence, q1) = match r025.threshold {
                Some(threshold) => (threshold, 1.0),
                None => {
                    let (q1, q3) = quartiles(
                        counted
                            .iter()
                            .map(|(_, fraction)| fraction.ratio())
                            .collect(),
                    );
                    push_meta(&mut meta, Indicator::R025, "q1", q1);
                    push_meta(&mut meta, Indicator::R025, "q3", q3);
                    ((q3 - q1).mul_add(-1.5, q1), q1)
                }
            };
            push_meta(&mut meta, Indicator::R025, "upper_fence", upper_fence);
            push_meta(&mut meta, Indicator::R025, "lower_fence", lower_fence);
            if q1 > 0.0 && lower_fence > 0.0 {
                for (id, fraction) in counted {
                    let ratio = fraction.ratio();
                    if fraction.denominator as f64 >= upper_fence && ratio <= lower_fence {
                        tenderer_results.push((id, Indicator::R025, ratio));
                    }
                }
            }
        }

        let mut buyers = Vec::new();
        let mut procuring_entities = Vec::new();
        if let Some(r038) = settings.r038 {
            let minimum_processes = r038.minimum_contracting_processes.unwrap_or(2) as u64;
            let minimum_bids = r038.minimum_submitted_bids.unwrap_or(2) as u64;
            let buyer_fractions: Vec<_> = totals.buyer_r038.iter().copied().enumerate().collect();
            let entity_fractions: Vec<_> = totals
                .procuring_entity_r038
                .iter()
                .copied()
                .enumerate()
                .collect();
            let tenderer_fractions: Vec<_> = totals
                .tenderer_tallies
                .iter()
                .map(|tally| tally.r038)
                .enumerate()
                .collect();
            for (group, fractions, minimum) in [
                (Group::Buyer, buyer_fractions, minimum_processes),
                (Group::ProcuringEntity, entity_fractions, minimum_processes),
                (Group::Tenderer, tenderer_fractions, minimum_bids),
            ] {
                let ratios: Vec<(u32, f64)> = fractions
                    .into_iter()
                    .filter(|(_, fraction)| {
                        fraction.denominator > 0 && fraction.denominator >= minimum
                    })
                    .map(|(id, fraction)| (id as u32, fraction.ratio()))
                    .collect();
                if ratios.is_empty() {
                    continue;
                }
                let prefix = group.name();
                let upper_fence = match r038.threshold {
                    Some(threshold) => threshold,
                    None => {
                        let (q1, q3) = quartiles(ratios.iter().map(|(_, ratio)| *ratio).collect());
                        push_meta(&mut meta, Indicator::R038, &format!("{prefix}_q1"), q1);
                        push_meta(&mut meta, Indicator::R038, &format!("{prefix}_q3"), q3);
                        (q3 - q1).mul_add(1.5, q3)
                    }
                };
                push_meta(
                    &mut meta,
                    Indicator::R038,
                    &format!("{prefix}_upper_fence"),
                    upper_fence,
                );
                if upper_fence > 0.0 {
                    for (id, ratio) in ratios {
                        if ratio >= upper_fence {
                            match group {
                                Group::Buyer => buyers.push((id, ratio)),
                                Group::ProcuringEntity => procuring_entities.push((id, ratio)),
                                _ => tenderer_results.push((id, Indicator::R038, ratio)),
                            }
                        }
                    }
                }
            }
        }

        if let Some(r048) = settings.r048 {
            let minimum = r048.minimum_contracting_processes.unwrap_or(20) as u64;
            let lengths: Vec<(u32, f64)> = totals
                .tenderer_tallies
                .iter()
                .enumerate()
                .filter(|(_, tally)| tally.r048_processes > 0 && tally.r048_processes >= minimum)
                .map(|(id, tally)| (id as u32, tally.r048_codes.len() as f64))
                .collect();
            let upper_fence = match r048.threshold {
                Some(threshold) => threshold as f64,
                None => {
                    let (q1, q3) = quartiles(lengths.iter().map(|(_, length)| *length).collect());
                    push_meta(&mut meta, Indicator::R048, "q1", q1);
                    push_meta(&mut meta, Indicator::R048, "q3", q3);
                    (q3 - q1).mul_add(1.5, q3)
                }
            };
            push_meta(&mut meta, Indicator::R048, "upper_fence", upper_fence);
            for (id, length) in lengths {
                if length >= upper_fence {
                    tenderer_results.push((id, Indicator::R048, length));
                }
            }
        }

        if let Some(r058) = settings.r058 {
            let upper_fence = match r058.threshold {
                Some(threshold) => threshold,
                None => {
                    let (q1, q3) = quartiles(ratios(&totals.records));
                    push_meta(&mut meta, Indicator::R058, "q1", q1);
                    push_meta(&mut meta, Indicator::R058, "q3", q3);
                    (q3 - q1).mul_add(1.5, q3)
                }
            };
            push_meta(&mut meta, Indicator::R058, "upper_fence", upper_fence);
            if upper_fence > 0.0 {
                for record in totals.records.iter_mut() {
                    if live(record) && record.winner != NONE && record.ratio >= upper_fence {
                        record.flags |= OCID_R058;
                        tenderer_results.push((record.winner, Indicator::R058, 0.0));
                    }
                }
            }
        }

        for (count, first, what) in [
            (
                totals.invalid_json_count,
                &totals.invalid_json,
                "not valid JSON",
            ),
            (totals.invalid_utf8_count, &totals.invalid_utf8, "not UTF-8"),
        ] {
            if count > 0 {
                let shown: Vec<String> = first.iter().take(10).map(u64::to_string).collect();
                let more = if count > 10 { ", …" } else { "" };
                warnings.push(format!(
                    "{count} line(s) {what}, skipped (line {}{more}).",
                    shown.join(", ")
                ));
            }
        }
        if totals.currency_mismatches > 0 {
            warnings.push(format!(
                "{} bids were left out of price comparisons because their currency is not the one kept.",
                totals.currency_mismatches
            ));
        }

        // Group the tenderers' results by name, then indicator; a later value for the same
        // indicator wins (values for one tenderer and indicator are always equal anyway).
        let names = &totals.tenderers.names;
        tenderer_results.sort_by(|left, right| {
            names[left.0 as usize]
                .cmp(&names[right.0 as usize])
                .then(left.1.cmp(&right.1))
        });
        let mut tenderers: Vec<(u32, Vec<(Indicator, f64)>)> = Vec::new();
        for (id, indicator, value) in tenderer_results {
            match tenderers.last_mut() {
                Some((last, values)) if *last == id => match values.last_mut() {
                    Some((known, known_value)) if *known == indicator => *known_value = value,
                    _ => values.push((indicator, value)),
                },
                _ => tenderers.push((id, vec![(indicator, value)])),
            }
        }
        buyers.sort_by(|left, right| {
            totals.buyers.names[left.0 as usize].cmp(&totals.buyers.names[right.0 as usize])
        });
        procuring_entities.sort_by(|left, right| {
            totals.procuring_entities.names[left.0 as usize]
                .cmp(&totals.procuring_entities.names[right.0 as usize])
        });
        meta.sort_by_key(|(indicator, _)| *indicator);

        Output {
            totals,
            tenderers,
            buyers,
            procuring_entities,
            meta,
            map,
            warnings,
        }
    }

    fn ocid_results(record: &Record) -> impl Iterator<Item = (Indicator, f64)> + '_ {
        [
            (OCID_R003, Indicator::R003, 1.0),
            (OCID_R018, Indicator::R018, 1.0),
            (OCID_R024, Indicator::R024, record.ratio),
            (OCID_R028, Indicator::R028, 1.0),
            (OCID_R030, Indicator::R030, 1.0),
            (OCID_R035, Indicator::R035, f64::from(record.r035)),
            (OCID_R036, Indicator::R036, 1.0),
            (OCID_R058, Indicator::R058, record.ratio),
        ]
        .into_iter()
        .filter(move |(bit, _, _)| record.flags & FOLDED == 0 && record.flags & bit != 0)
        .map(|(_, indicator, value)| (indicator, value))
    }

    fn flagged_records(&self) -> impl Iterator<Item = &Record> {
        self.totals
            .records
            .iter()
            .filter(|record| record.flags & FOLDED == 0 && record.flags & 0xFF != 0)
    }

    /// The results of one group: each identifier with its indicators' values, processes in file
    /// order and organisations by identifier.
    pub fn results(&self, group: Group) -> Vec<Results<'_>> {
        match group {
            Group::Ocid => self
                .flagged_records()
                .map(|record| {
                    (
                        self.totals.ocid(record),
                        Output::ocid_results(record).collect(),
                    )
                })
                .collect(),
            Group::Buyer => self
                .buyers
                .iter()
                .map(|&(id, ratio)| {
                    (
                        self.totals.buyers.names[id as usize].as_str(),
                        vec![(Indicator::R038, ratio)],
                    )
                })
                .collect(),
            Group::ProcuringEntity => self
                .procuring_entities
                .iter()
                .map(|&(id, ratio)| {
                    (
                        self.totals.procuring_entities.names[id as usize].as_str(),
                        vec![(Indicator::R038, ratio)],
                    )
                })
                .collect(),
            Group::Tenderer => self
                .tenderers
                .iter()
                .map(|(id, values)| {
                    (
                        self.totals.tenderers.names[*id as usize].as_str(),
                        values.clone(),
                    )
                })
                .collect(),
        }
    }

    /// The number of identifiers with a result, per group (groups without any left out), as
    /// cardinal's `--count` prints them.
    pub fn counts(&self) -> Vec<(Group, usize)> {
        [
            (Group::Ocid, self.flagged_records().count()),
            (Group::Buyer, self.buyers.len()),
            (Group::ProcuringEntity, self.procuring_entities.len()),
            (Group::Tenderer, self.tenderers.len()),
        ]
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .collect()
    }

    /// The quartiles and fences each indicator used (unrounded).
    pub fn meta(&self) -> &[(Indicator, Vec<(String, f64)>)] {
        &self.meta
    }

    /// Lines read (as cardinal counts them).
    pub fn lines(&self) -> u64 {
        self.totals.lines
    }

    pub fn skipped_lines(&self) -> SkippedLines {
        SkippedLines {
            invalid_json: self.totals.invalid_json_count,
            invalid_utf8: self.totals.invalid_utf8_count,
            first_invalid_json: self.totals.invalid_json.clone(),
            first_invalid_utf8: self.totals.invalid_utf8.clone(),
        }
    }

    /// Things worth telling the user (cardinal logs them as warnings): lines skipped, bids left out
    /// for their currency, settings that cancel each other.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Writes the output as cardinal's `indicators` command prints it: one line of compact JSON.
    /// Groups come in the order OCID, Buyer, ProcuringEntity, Tenderer, processes in file order,
    /// organisations by identifier; cardinal's own order follows its hash maps, so only the
    /// parsed values compare.
    pub fn write_json(&self, writer: impl Write, options: JsonOptions) -> io::Result<()> {
        let mut out = io::BufWriter::with_capacity(64 * 1024, writer);
        let out = &mut out;
        out.write_all(b"{")?;
        let mut first_key = true;
        for group in Group::ALL {
            let results = self.results_iter(group);
            let mut results = results.peekable();
            if results.peek().is_none() {
                continue;
            }
            key(out, &mut first_key, group.name())?;
            out.write_all(b"{")?;
            let mut first = true;
            for (identifier, values) in results {
                key(out, &mut first, identifier)?;
                out.write_all(b"{")?;
                let mut first_value = true;
                for (indicator, value) in values {
                    key(out, &mut first_value, indicator.code())?;
                    number(out, value)?;
                }
                out.write_all(b"}")?;
            }
            out.write_all(b"}")?;
        }
        if options.meta {
            key(out, &mut first_key, "Meta")?;
            out.write_all(b"{")?;
            let mut first = true;
            for (indicator, entries) in &self.meta {
                key(out, &mut first, indicator.code())?;
                out.write_all(b"{")?;
                let mut first_entry = true;
                for (name, value) in entries {
                    key(out, &mut first_entry, name)?;
                    // cardinal's `RoundMap`: four decimals.
                    number(out, (value * 10_000.0).round() / 10_000.0)?;
                }
                out.write_all(b"}")?;
            }
            out.write_all(b"}")?;
        }
        if self.map {
            key(out, &mut first_key, "Maps")?;
            self.write_maps(out)?;
        }
        out.write_all(b"}\n")?;
        out.flush()
    }

    /// `write_json` into a string.
    pub fn to_json(&self, options: JsonOptions) -> String {
        let mut bytes = Vec::new();
        // Writing to a `Vec` cannot fail.
        let _ = self.write_json(&mut bytes, options);
        String::from_utf8(bytes).unwrap_or_default()
    }

    fn results_iter(&self, group: Group) -> Box<dyn Iterator<Item = Results<'_>> + '_> {
        match group {
            Group::Ocid => Box::new(self.flagged_records().map(|record| {
                (
                    self.totals.ocid(record),
                    Output::ocid_results(record).collect(),
                )
            })),
            other => Box::new(self.results(other).into_iter()),
        }
    }

    fn write_maps(&self, out: &mut impl Write) -> io::Result<()> {
        let totals = &self.totals;
        let tenderer = |id: &u32| totals.tenderers.names[*id as usize].as_str();
        let live_maps = || {
            totals
                .maps
                .iter()
                .filter(|(index, _)| totals.records[*index].flags & FOLDED == 0)
                .map(|(index, map)| (totals.ocid(&totals.records[*index]), map))
        };
        out.write_all(b"{")?;
        let mut first = true;

        key(out, &mut first, "ocid_buyer_r038")?;
        object(
            out,
            live_maps().filter_map(|(ocid, map)| {
                map.buyer_r038
                    .map(|id| (ocid, totals.buyers.names[id as usize].as_str()))
            }),
        )?;
        key(out, &mut first, "ocid_procuringentity_r038")?;
        object(
            out,
            live_maps().filter_map(|(ocid, map)| {
                map.procuring_entity_r038
                    .map(|id| (ocid, totals.procuring_entities.names[id as usize].as_str()))
            }),
        )?;
        let sets = |select: fn(&crate::indicators::RecordMap) -> &Vec<u32>| {
            live_maps()
                .filter(move |(_, map)| !select(map).is_empty())
                .map(move |(ocid, map)| {
                    (ocid, select(map).iter().map(tenderer).collect::<Vec<_>>())
                })
                .collect::<Vec<_>>()
        };
        key(out, &mut first, "ocid_tenderer")?;
        object_of_arrays(out, sets(|map| &map.tenderers))?;
        key(out, &mut first, "ocid_tenderer_r024")?;
        object_of_arrays(
            out,
            totals
                .records
                .iter()
                .filter(|record| record.flags & FOLDED == 0 && record.flags & OCID_R024 != 0)
                .map(|record| {
                    (
                        totals.ocid(record),
                        vec![tenderer(&record.winner), tenderer(&record.second)],
                    )
                })
                .collect(),
        )?;
        key(out, &mut first, "ocid_tenderer_r028")?;
        object_of_arrays(out, sets(|map| &map.r028))?;
        key(out, &mut first, "ocid_tenderer_r030")?;
        object_of_arrays(out, sets(|map| &map.r030))?;
        key(out, &mut first, "ocid_tenderer_r035")?;
        object_of_arrays(out, sets(|map| &map.r035))?;
        key(out, &mut first, "ocid_tenderer_r058")?;
        object_of_arrays(
            out,
            totals
                .records
                .iter()
                .filter(|record| record.flags & FOLDED == 0 && record.flags & OCID_R058 != 0)
                .map(|record| (totals.ocid(record), vec![tenderer(&record.winner)]))
                .collect(),
        )?;
        out.write_all(b"}")
    }
}

fn key(out: &mut impl Write, first: &mut bool, name: &str) -> io::Result<()> {
    if !*first {
        out.write_all(b",")?;
    }
    *first = false;
    string(out, name)?;
    out.write_all(b":")
}

fn string(out: &mut impl Write, text: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, text).map_err(io::Error::other)
}

/// A finite number as `serde_json` prints it; NaN and infinities as `null` (as cardinal's
/// `serde_json::Value` holds them).
fn number(out: &mut impl Write, value: f64) -> io::Result<()> {
    if value.is_finite() {
        serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)
    } else {
        out.write_all(b"null")
    }
}

fn object<'a>(
    out: &mut impl Write,
    entries: impl Iterator<Item = (&'a str, &'a str)>,
) -> io::Result<()> {
    out.write_all(b"{")?;
    let mut first = true;
    for (name, value) in entries {
        key(out, &mut first, name)?;
        string(out, value)?;
    }
    out.write_all(b"}")
}

fn object_of_arrays(out: &mut impl Write, entries: Vec<(&str, Vec<&str>)>) -> io::Result<()> {
    out.write_all(b"{")?;
    let mut first = true;
    for (name, values) in entries {
        key(out, &mut first, name)?;
        out.write_all(b"[")?;
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                out.write_all(b",")?;
            }
            string(out, value)?;
        }
        out.write_all(b"]")?;
    }
    out.write_all(b"}")
}
