//! The whole file's tallies: chunks added up in file order, organisations renumbered into one
//! numbering, and processes that appear on several lines folded into one.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use crate::indicators::{Fraction, NONE, Names, Record, RecordMap, Tally, TendererTally};

/// Line numbers kept per kind of skipped line (the counts are complete).
pub(crate) const KEPT_LINE_NUMBERS: usize = 1000;

/// What became of a chunk's lines (numbers are counted from the chunk's first line, from 0).
#[derive(Debug, Default)]
pub(crate) struct Lines {
    pub(crate) count: u64,
    pub(crate) invalid_json: Vec<u64>,
    pub(crate) invalid_json_count: u64,
    pub(crate) invalid_utf8: Vec<u64>,
    pub(crate) invalid_utf8_count: u64,
}

/// `Record::flags`: a line whose process is folded into an earlier line with the same `ocid`.
pub(crate) const FOLDED: u16 = 1 << 15;

#[derive(Debug, Default)]
pub(crate) struct Totals {
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
    pub(crate) currency_mismatches: u64,
    pub(crate) lines: u64,
    /// Line numbers (from 1) of lines that are not JSON, the first `KEPT_LINE_NUMBERS`.
    pub(crate) invalid_json: Vec<u64>,
    pub(crate) invalid_json_count: u64,
    pub(crate) invalid_utf8: Vec<u64>,
    pub(crate) invalid_utf8_count: u64,
}

impl Totals {
    pub(crate) fn ocid(&self, record: &Record) -> &str {
        let start = record.ocid_start as usize;
        &self.ocids[start..start + record.ocid_len as usize]
    }

    /// Adds the next chunk (in file order).
    pub(crate) fn absorb(&mut self, tally: Tally, lines: Lines) {
        let first_line = self.lines + 1;
        for (kept, numbers) in [
            (&mut self.invalid_json, lines.invalid_json),
            (&mut self.invalid_utf8, lines.invalid_utf8),
        ] {
            let room = KEPT_LINE_NUMBERS.saturating_sub(kept.len());
            kept.extend(
                numbers
                    .into_iter()
                    .take(room)
                    .map(|number| first_line + number),
            );
        }
        self.invalid_json_count += lines.invalid_json_count;
        self.invalid_utf8_count += lines.invalid_utf8_count;
        self.lines += lines.count;
        self.currency_mismatches += tally.currency_mismatches;

        let codes: Vec<u32> = tally
            .codes
            .names
            .into_iter()
            .map(|code| self.codes.id_owned(code))
            .collect();
        let tenderers: Vec<u32> = tally
            .tenderers
            .names
            .into_iter()
            .map(|name| self.tenderers.id_owned(name))
            .collect();
        self.tenderer_tallies
            .resize_with(self.tenderers.len(), TendererTally::default);
        for (local, counted) in tally.tenderer_tallies.into_iter().enumerate() {
            let total = &mut self.tenderer_tallies[tenderers[local] as usize];
            total
                .r025
                .add(counted.r025.numerator, counted.r025.denominator);
            total
                .r038
                .add(counted.r038.numerator, counted.r038.denominator);
            total.r048_processes += counted.r048_processes;
            total.r048_codes.extend(
                counted
                    .r048_codes
                    .into_iter()
                    .map(|code| codes[code as usize]),
            );
            total.flags |= counted.flags;
        }
        let buyers = add_fractions(
            &mut self.buyers,
            &mut self.buyer_r038,
            tally.buyers,
            tally.buyer_r038,
        );
        let entities = add_fractions(
            &mut self.procuring_entities,
            &mut self.procuring_entity_r038,
            tally.procuring_entities,
            tally.procuring_entity_r038,
        );

        let offset = self.ocids.len() as u64;
        let first_record = self.records.len();
        self.ocids.push_str(&tally.ocids);
        let renumber = |id: u32| {
            if id == NONE {
                NONE
            } else {
                tenderers[id as usize]
            }
        };
        self.records
            .extend(tally.records.into_iter().map(|mut record| {
                record.ocid_start += offset;
                record.winner = renumber(record.winner);
                record.second = renumber(record.second);
                record
            }));
        for (index, mut map) in tally.maps {
            for ids in [
                &mut map.tenderers,
                &mut map.r028,
                &mut map.r030,
                &mut map.r035,
            ] {
                for id in ids.iter_mut() {
                    *id = tenderers[*id as usize];
                }
            }
            map.buyer_r038 = map.buyer_r038.map(|id| buyers[id as usize]);
            map.procuring_entity_r038 = map.procuring_entity_r038.map(|id| entities[id as usize]);
            self.maps.push((first_record + index, map));
        }
    }

    /// Folds lines that share an `ocid` into the first of them, as cardinal (on one thread) keeps
    /// one entry per `ocid`: results add up, a later value for the same indicator wins, and a later
    /// second-lowest bid ratio replaces an earlier one. Folded lines are marked `FOLDED`.
    pub(crate) fn fold_repeated_processes(&mut self) {
        let hasher = BuildHasherDefault::<DefaultHasher>::default();
        let mut keys: Vec<(u64, u32)> = self
            .records
            .iter()
            .enumerate()
            .map(|(index, record)| (hasher.hash_one(self.ocid(record)), index as u32))
            .collect();
        keys.sort_unstable();
        let mut repeated: Vec<Vec<usize>> = Vec::new();
        for group in keys.chunk_by(|left, right| left.0 == right.0) {
            if group.len() < 2 {
                continue;
            }
            // Equal hashes: split by equal `ocid` (the group is in file order).
            let mut remaining: Vec<usize> =
                group.iter().map(|&(_, index)| index as usize).collect();
            while let Some(&first) = remaining.first() {
                let ocid = self.ocid(&self.records[first]).to_owned();
                let (same, other): (Vec<usize>, Vec<usize>) = remaining
                    .iter()
                    .partition(|&&index| self.ocid(&self.records[index]) == ocid);
                if same.len() > 1 {
                    repeated.push(same);
                }
                remaining = other;
            }
        }
        if repeated.is_empty() {
            return;
        }
        let mut maps: HashMap<usize, RecordMap> =
            std::mem::take(&mut self.maps).into_iter().collect();
        for lines in repeated {
            let first = lines[0];
            for &later in &lines[1..] {
                let record = self.records[later];
                let kept = &mut self.records[first];
                kept.flags |= record.flags;
                if record.flags & crate::indicators::OCID_R035 != 0 {
                    kept.r035 = record.r035;
                }
                if record.winner != NONE {
                    kept.ratio = record.ratio;
                    kept.winner = record.winner;
                    kept.second = record.second;
                }
                self.records[later].flags = FOLDED;
                self.records[later].winner = NONE;
                if let Some(map) = maps.remove(&later) {
                    let kept = maps.entry(first).or_default();
                    for (into, from) in [
                        (&mut kept.tenderers, map.tenderers),
                        (&mut kept.r028, map.r028),
                        (&mut kept.r030, map.r030),
                        (&mut kept.r035, map.r035),
                    ] {
                        for id in from {
                            if !into.contains(&id) {
                                into.push(id);
                            }
                        }
                    }
                    kept.buyer_r038 = map.buyer_r038.or(kept.buyer_r038);
                    kept.procuring_entity_r038 =
                        map.procuring_entity_r038.or(kept.procuring_entity_r038);
                }
            }
        }
        let mut maps: Vec<(usize, RecordMap)> = maps.into_iter().collect();
        maps.sort_unstable_by_key(|(index, _)| *index);
        self.maps = maps;
    }
}

fn add_fractions(
    names: &mut Names,
    totals: &mut Vec<Fraction>,
    local: Names,
    fractions: Vec<Fraction>,
) -> Vec<u32> {
    let ids: Vec<u32> = local
        .names
        .into_iter()
        .map(|name| names.id_owned(name))
        .collect();
    totals.resize(names.len(), Fraction::default());
    for (index, fraction) in fractions.into_iter().enumerate() {
        totals[ids[index] as usize].add(fraction.numerator, fraction.denominator);
    }
    ids
}
