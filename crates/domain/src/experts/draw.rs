//! 专家抽取 — the verifiable random draw of evaluation experts, with conflict avoidance.
//!
//! The algorithm is fixed and documented so that anyone can rerun it on the published inputs:
//! 1. Each requested category is served in the order of the request. Its candidates are the
//!    experts of the pool who hold the category, are eligible (see [`Exclusion`]) and were not
//!    already chosen for an earlier category, sorted by pseudonym (byte order).
//! 2. The random stream is ChaCha20 (RFC 7539 block function, 20 rounds, as `rand_chacha` 0.9's
//!    `ChaCha20Rng`) keyed with the 32-byte seed; numbers are its successive little-endian u64s.
//! 3. The candidates are shuffled by Fisher–Yates from the last position down: for i = len−1 … 1,
//!    j = uniform(0..=i), swap(i, j); uniform(0..=i) draws u64 values x and rejects those with
//!    x ≥ 2^64 − (2^64 mod (i+1)), then returns x mod (i+1).
//! 4. The first `count` are the panel for that category, the next `backups` its ordered backups.
//!
//! The seed itself is derived by the application from a secret committed in the ledger before the
//! draw and a signed tree head made after the commitment (platform.md principle 4).

use std::collections::BTreeSet;

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::{Date, DomainError};

/// An expert as the draw sees them: a pseudonym and the facts avoidance needs, no name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolExpert {
    pub pseudonym: String,
    pub categories: Vec<String>,
    /// The employer's entity id (统一社会信用代码). Left out of a published pool, like the
    /// other facts avoidance needs: avoidance is applied before publication.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub employer: String,
    /// GB/T 2260 region code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Entities the expert declared a relation to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// (tenderee entity id, evaluation date) of the expert's recent draws.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent: Vec<(String, Date)>,
    /// Leave periods (first day, last day).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leave: Vec<(Date, Date)>,
    /// Days the expert already sits on another panel (for any tenderee).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub booked: Vec<Date>,
    pub active: bool,
    /// In a published pool: SM3(salt ‖ name), hex — the name, committed before the draw and
    /// disclosed with its salt after the award.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_commitment: String,
}

/// What a draw must produce and avoid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRequest {
    pub lot: String,
    pub evaluation_date: Date,
    /// (category, experts needed), served in this order.
    pub needs: Vec<(String, u32)>,
    /// Backups per category.
    pub backups: u32,
    pub tenderee: String,
    pub agency: Option<String>,
    pub bidders: Vec<String>,
    /// An expert who sits on a panel of the same tenderee within this many days of the
    /// evaluation day, before or after, is avoided (0: no such rule).
    pub recent_days: u32,
    pub excluded_regions: Vec<String>,
}

/// Why an expert was not eligible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Suspended or retired.
    NotActive,
    /// Employed by the tenderee, the agency or a bidder.
    Employer,
    /// Declared a relation to the tenderee, the agency or a bidder.
    Related,
    /// Drawn for the same tenderee within the avoidance window.
    RecentSameTenderee,
    /// Already sits on another panel that day.
    Busy,
    /// From an excluded region.
    ExcludedRegion,
    /// On leave on the evaluation day.
    OnLeave,
}

/// The outcome: per category, the panel and the backups, by pseudonym.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawResult {
    pub panels: Vec<CategoryDraw>,
    /// Every excluded expert with the reason (confidential: kept for audit).
    pub excluded: Vec<(String, Exclusion)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryDraw {
    pub category: String,
    pub experts: Vec<String>,
    pub backups: Vec<String>,
}

impl DrawRequest {
    fn parties(&self) -> BTreeSet<&str> {
        let mut parties: BTreeSet<&str> = self.bidders.iter().map(String::as_str).collect();
        parties.insert(&self.tenderee);
        if let Some(agency) = &self.agency {
            parties.insert(agency);
        }
        parties
    }

    /// Why `expert` may not sit on this panel, if at all (the first reason that applies).
    pub fn exclusion(&self, expert: &PoolExpert) -> Option<Exclusion> {
        self.exclusion_among(&self.parties(), expert)
    }

    fn exclusion_among(&self, parties: &BTreeSet<&str>, expert: &PoolExpert) -> Option<Exclusion> {
        if !expert.active {
            return Some(Exclusion::NotActive);
        }
        if parties.contains(expert.employer.as_str()) {
            return Some(Exclusion::Employer);
        }
        if expert.related.iter().any(|r| parties.contains(r.as_str())) {
            return Some(Exclusion::Related);
        }
        // Within `recent_days` of the evaluation day, before or after it (a panel drawn earlier
        // may sit later).
        if self.recent_days > 0
            && expert.recent.iter().any(|(tenderee, date)| {
                tenderee == &self.tenderee
                    && self.evaluation_date.days_until(*date).abs() <= i64::from(self.recent_days)
            })
        {
            return Some(Exclusion::RecentSameTenderee);
        }
        if expert.booked.contains(&self.evaluation_date) {
            return Some(Exclusion::Busy);
        }
        if self.excluded_regions.contains(&expert.region) {
            return Some(Exclusion::ExcludedRegion);
        }
        if expert
            .leave
            .iter()
            .any(|(first, last)| *first <= self.evaluation_date && self.evaluation_date <= *last)
        {
            return Some(Exclusion::OnLeave);
        }
        None
    }
}

/// uniform(0..=bound) by rejection sampling, as documented in the module.
fn uniform(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    let range = bound + 1;
    if range == 0 {
        return rng.next_u64();
    }
    let zone = u64::MAX - (u64::MAX % range + 1) % range;
    loop {
        let x = rng.next_u64();
        if x <= zone {
            return x % range;
        }
    }
}

/// Runs the draw. Fails, naming the category and the shortfall, if the pool cannot serve it.
pub fn draw_experts(
    pool: &[PoolExpert],
    request: &DrawRequest,
    seed: [u8; 32],
) -> Result<DrawResult, DomainError> {
    let mut rng = ChaCha20Rng::from_seed(seed);
    let mut excluded = Vec::new();
    let mut eligible: Vec<&PoolExpert> = Vec::new();
    let parties = request.parties();
    for expert in pool {
        match request.exclusion_among(&parties, expert) {
            Some(reason) => excluded.push((expert.pseudonym.clone(), reason)),
            None => eligible.push(expert),
        }
    }
    excluded.sort();
    let mut chosen: BTreeSet<&str> = BTreeSet::new();
    let mut panels = Vec::new();
    for (category, count) in &request.needs {
        let mut candidates: Vec<&str> = eligible
            .iter()
            .filter(|e| e.categories.iter().any(|c| c == category))
            .map(|e| e.pseudonym.as_str())
            .filter(|p| !chosen.contains(p))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let wanted = (*count + request.backups) as usize;
        if candidates.len() < wanted {
            return Err(DomainError::DrawShort {
                category: category.clone(),
                needed: wanted as u32,
                available: candidates.len() as u32,
            });
        }
        for i in (1..candidates.len()).rev() {
            let j = uniform(&mut rng, i as u64) as usize;
            candidates.swap(i, j);
        }
        let experts: Vec<String> = candidates[..*count as usize]
            .iter()
            .map(|p| p.to_string())
            .collect();
        let backups: Vec<String> = candidates[*count as usize..wanted]
            .iter()
            .map(|p| p.to_string())
            .collect();
        for pseudonym in candidates[..wanted].iter() {
            chosen.insert(pseudonym);
        }
        panels.push(CategoryDraw {
            category: category.clone(),
            experts,
            backups,
        });
    }
    Ok(DrawResult { panels, excluded })
}
