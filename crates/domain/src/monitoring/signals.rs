//! The signals as pure functions. `lot_signals` looks at one lot — what its bidders registered
//! with, what their envelopes and bonds carry, the opening record and the winner — and
//! `market_signals` at the history of many lots (co-bidding rings, one tenderee's awards
//! concentrated on one supplier, repeated failed or single-bid lots). Each returns findings with
//! the ledger entries that are their evidence; the application turns a new finding into a
//! warning and more evidence for a known one into an extension.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::EntityId;
use crate::monitoring::rules::WarningRules;

/// A ledger entry that is part of a finding's evidence, with what it shows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub seq: u64,
    pub note: String,
}

/// A market entity a finding names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    pub entity: EntityId,
    pub name: String,
}

/// What a signal found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The signal's id (`rules::SIGNALS`).
    pub signal: String,
    /// The lot, for a lot signal.
    pub lot: Option<String>,
    /// What the subjects share (a fingerprint, a file's SM3, a tenderee …): with the signal and
    /// the lot it names the finding, so that later evidence extends the same warning.
    pub anchor: String,
    pub subjects: Vec<Subject>,
    /// One sentence in Chinese.
    pub detail: String,
    pub evidence: Vec<Evidence>,
}

impl Finding {
    /// The finding's identity: signal, lot and anchor.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.signal,
            self.lot.as_deref().unwrap_or(""),
            self.anchor
        )
    }

    /// Whether `self` holds something `known` does not (a subject or an evidence entry).
    pub fn adds_to(&self, known: &Finding) -> bool {
        self.subjects.iter().any(|s| !known.subjects.contains(s))
            || self.evidence.iter().any(|e| !known.evidence.contains(e))
    }
}

/// The submitted envelope of a bidder, as the platform received it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvelopeFacts {
    /// The authoring machine's fingerprint (salted per lot by the bidding tool).
    pub machine: String,
    /// A keyed digest of the address the envelope was uploaded from (salted per lot).
    pub upload_tag: String,
    /// The signing certificate's public key, hex (the same key in two certificates is the same
    /// CA lock).
    pub certificate_key: String,
    /// The downloaded copy of the tender documents the bid was built from.
    pub copy: String,
    pub submitted_at_ms: i64,
    /// The submission's entry.
    pub seq: u64,
}

/// A bid as the opening record shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenedFacts {
    pub price_fen: Option<i64>,
    pub form: BTreeMap<String, String>,
    /// Name, SM3 and size of each file of the bid package.
    pub files: Vec<(String, String, u64)>,
    /// The opening's entry.
    pub seq: u64,
}

/// One bidder of a lot: its registration and what it submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BidderFacts {
    pub bidder: EntityId,
    pub name: String,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    /// The code of the entity that controls it (控股股东或实际控制人), if declared.
    pub controller: Option<String>,
    /// The entity's code (USCC or ID number).
    pub code: String,
    /// The entity's latest entry (its registration as it stands).
    pub entity_seq: u64,
    pub envelope: Option<EnvelopeFacts>,
    /// The copies of the tender documents this bidder downloaded, each with its entry.
    pub downloads: Vec<(String, u64)>,
    /// The account the bond was paid from, with the confirmation's entry.
    pub bond_payer: Option<(String, u64)>,
    pub opened: Option<OpenedFacts>,
}

/// One lot's facts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LotFacts {
    pub lot: String,
    pub bidders: Vec<BidderFacts>,
    /// The winner and the award's entry.
    pub winner: Option<(EntityId, u64)>,
}

fn subject(b: &BidderFacts) -> Subject {
    Subject {
        entity: b.bidder.clone(),
        name: b.name.clone(),
    }
}

fn short(value: &str) -> &str {
    &value[..value.len().min(12)]
}

/// Groups the bidders by a value each may have; every value shared by two or more different
/// bidders becomes a finding.
fn shared<F>(
    facts: &LotFacts,
    signal: &str,
    describe: impl Fn(&str, usize) -> String,
    value: F,
) -> Vec<Finding>
where
    F: Fn(&BidderFacts) -> Vec<(String, Evidence)>,
{
    let mut groups: BTreeMap<String, Vec<(&BidderFacts, Evidence)>> = BTreeMap::new();
    for bidder in &facts.bidders {
        let mut seen = BTreeSet::new();
        for (v, evidence) in value(bidder) {
            if v.trim().is_empty() || !seen.insert(v.clone()) {
                continue;
            }
            groups.entry(v).or_default().push((bidder, evidence));
        }
    }
    groups
        .into_iter()
        .filter_map(|(anchor, members)| {
            let bidders: BTreeSet<&EntityId> = members.iter().map(|(b, _)| &b.bidder).collect();
            if bidders.len() < 2 {
                return None;
            }
            let mut subjects: Vec<Subject> = members.iter().map(|(b, _)| subject(b)).collect();
            subjects.sort();
            subjects.dedup();
            let mut evidence: Vec<Evidence> = members.into_iter().map(|(_, e)| e).collect();
            evidence.sort();
            evidence.dedup();
            Some(Finding {
                signal: signal.to_string(),
                lot: Some(facts.lot.clone()),
                detail: describe(&anchor, subjects.len()),
                anchor,
                subjects,
                evidence,
            })
        })
        .collect()
}

fn envelope_value(
    b: &BidderFacts,
    pick: fn(&EnvelopeFacts) -> &str,
    note: &str,
) -> Vec<(String, Evidence)> {
    b.envelope
        .iter()
        .map(|e| {
            (
                pick(e).to_string(),
                Evidence {
                    seq: e.seq,
                    note: format!("{}的投标文件{note}", b.name),
                },
            )
        })
        .collect()
}

/// Every lot signal the rules enable, over one lot's facts.
pub fn lot_signals(facts: &LotFacts, rules: &WarningRules) -> Vec<Finding> {
    let mut found = Vec::new();
    // What the envelopes carry: the value each signal compares, what the evidence shows and
    // how the finding reads.
    type Pick = fn(&EnvelopeFacts) -> &str;
    let carried: [(&str, Pick, &str, &str); 3] = [
        (
            "same_machine",
            |e| &e.machine,
            "的机器特征码",
            "的投标文件由同一台计算机制作（机器特征码",
        ),
        (
            "same_upload_address",
            |e| &e.upload_tag,
            "的上传地址",
            "的投标文件从同一网络地址上传（地址标识",
        ),
        (
            "same_certificate_key",
            |e| &e.certificate_key,
            "的签名证书公钥",
            "的数字证书使用同一密钥（同一CA锁，公钥",
        ),
    ];
    for (signal, pick, note, reads) in carried {
        if rules.active(signal).is_some() {
            found.extend(shared(
                facts,
                signal,
                |v, n| format!("{n}家投标人{reads} {}…）", short(v)),
                |b| envelope_value(b, pick, note),
            ));
        }
    }
    if rules.active("same_bond_payer").is_some() {
        found.extend(shared(
            facts,
            "same_bond_payer",
            // The value is `tail·tag`: equal tags are the same account, the tail is shown.
            |v, n| {
                let tail = v.split('·').next().unwrap_or_default();
                format!("{n}家投标人的投标保证金从同一账户（尾号{tail}）转出")
            },
            |b| {
                b.bond_payer
                    .iter()
                    .map(|(account, seq)| {
                        (
                            account.clone(),
                            Evidence {
                                seq: *seq,
                                note: format!("{}的保证金到账确认", b.name),
                            },
                        )
                    })
                    .collect()
            },
        ));
    }
    if rules.active("same_document_copy").is_some() {
        found.extend(same_copy(facts));
    }
    if rules.active("same_contact").is_some() {
        let names = rules.param("same_contact", "match_names") > 0;
        found.extend(shared(
            facts,
            "same_contact",
            |v, n| format!("{n}家投标人登记的联系人或联系方式相同（{v}）"),
            |b| {
                let evidence = || Evidence {
                    seq: b.entity_seq,
                    note: format!("{}的主体登记信息", b.name),
                };
                let mut values = vec![
                    (format!("电话 {}", b.contact_phone.trim()), evidence()),
                    (
                        if b.contact_email.trim().is_empty() {
                            String::new()
                        } else {
                            format!("邮箱 {}", b.contact_email.trim().to_lowercase())
                        },
                        evidence(),
                    ),
                ];
                if names {
                    values.push((format!("联系人 {}", b.contact_name.trim()), evidence()));
                }
                values.retain(|(v, _)| !v.ends_with(' ') && !v.is_empty());
                values
            },
        ));
    }
    if rules.active("related_bidders").is_some() {
        found.extend(related(facts));
    }
    if rules.active("identical_files").is_some() {
        let min = rules.param("identical_files", "min_size_bytes") as u64;
        found.extend(shared(
            facts,
            "identical_files",
            |v, n| {
                format!(
                    "{n}家投标人的投标文件中有完全相同的文件（SM3 {}…）",
                    short(v)
                )
            },
            |b| {
                b.opened
                    .iter()
                    .flat_map(|o| {
                        o.files
                            .iter()
                            .filter(|(_, _, size)| *size >= min)
                            .map(|(name, sm3, _)| {
                                (
                                    sm3.clone(),
                                    Evidence {
                                        seq: o.seq,
                                        note: format!("{}的文件“{name}”", b.name),
                                    },
                                )
                            })
                    })
                    .collect()
            },
        ));
    }
    if rules.active("identical_price_table").is_some() {
        let min = rules.param("identical_price_table", "min_fields") as usize;
        found.extend(shared(
            facts,
            "identical_price_table",
            |_, n| format!("{n}家投标人的报价表（投标报价及各项内容）完全相同"),
            |b| {
                b.opened
                    .iter()
                    .filter(|o| o.form.len() + usize::from(o.price_fen.is_some()) >= min)
                    .map(|o| {
                        let table = format!("{:?}|{:?}", o.price_fen, o.form);
                        (
                            fnv(&table),
                            Evidence {
                                seq: o.seq,
                                note: format!("{}的开标记录", b.name),
                            },
                        )
                    })
                    .collect()
            },
        ));
    }
    if rules.active("near_simultaneous").is_some() {
        found.extend(near_simultaneous(
            facts,
            rules.param("near_simultaneous", "window_seconds") * 1_000,
        ));
    }
    found.extend(price_signals(facts, rules));
    found
}

/// A short, stable digest of a text (FNV-1a 64, hex): an anchor, not a security measure.
pub(crate) fn fnv(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A bid built from a copy of the tender documents: the same copy in two bidders' envelopes, or
/// one bidder's envelope carrying a copy another bidder downloaded.
fn same_copy(facts: &LotFacts) -> Vec<Finding> {
    let mut downloaded_by: BTreeMap<&str, (&BidderFacts, u64)> = BTreeMap::new();
    for b in &facts.bidders {
        for (copy, seq) in &b.downloads {
            downloaded_by.insert(copy.as_str(), (b, *seq));
        }
    }
    let mut by_copy: BTreeMap<&str, Vec<&BidderFacts>> = BTreeMap::new();
    for b in &facts.bidders {
        if let Some(e) = &b.envelope
            && !e.copy.is_empty()
        {
            by_copy.entry(e.copy.as_str()).or_default().push(b);
        }
    }
    let mut found = Vec::new();
    for (copy, users) in by_copy {
        let mut members: BTreeMap<&EntityId, &BidderFacts> =
            users.iter().map(|b| (&b.bidder, *b)).collect();
        let mut evidence: Vec<Evidence> = users
            .iter()
            .filter_map(|b| {
                b.envelope.as_ref().map(|e| Evidence {
                    seq: e.seq,
                    note: format!("{}的投标文件所用招标文件副本", b.name),
                })
            })
            .collect();
        if let Some((owner, seq)) = downloaded_by.get(copy) {
            members.insert(&owner.bidder, owner);
            evidence.push(Evidence {
                seq: *seq,
                note: format!("{}下载该副本", owner.name),
            });
        }
        if members.len() < 2 {
            continue;
        }
        let mut subjects: Vec<Subject> = members.values().map(|b| subject(b)).collect();
        subjects.sort();
        evidence.sort();
        evidence.dedup();
        found.push(Finding {
            signal: "same_document_copy".into(),
            lot: Some(facts.lot.clone()),
            anchor: copy.to_string(),
            detail: format!(
                "{}家投标人的投标文件基于同一份下载的招标文件副本（文件创建标识码 {}…）",
                subjects.len(),
                short(copy)
            ),
            subjects,
            evidence,
        });
    }
    found
}

/// Bidders with the same legal representative, or one controlling another, or under one
/// controller (招标投标法实施条例 第34条).
fn related(facts: &LotFacts) -> Vec<Finding> {
    let mut found = shared(
        facts,
        "related_bidders",
        |v, n| format!("{n}家投标人{v}"),
        |b| {
            let evidence = Evidence {
                seq: b.entity_seq,
                note: format!("{}的主体登记信息", b.name),
            };
            let mut values = Vec::new();
            if !b.legal_representative.trim().is_empty() {
                values.push((
                    format!("的法定代表人同为{}", b.legal_representative.trim()),
                    evidence.clone(),
                ));
            }
            if let Some(controller) = b.controller.as_deref().filter(|c| !c.trim().is_empty()) {
                values.push((format!("受同一主体（{controller}）控制"), evidence.clone()));
            }
            values
        },
    );
    for controlled in &facts.bidders {
        let Some(code) = controlled.controller.as_deref() else {
            continue;
        };
        for parent in facts.bidders.iter().filter(|p| p.code == code) {
            if parent.bidder == controlled.bidder {
                continue;
            }
            let mut subjects = vec![subject(parent), subject(controlled)];
            subjects.sort();
            found.push(Finding {
                signal: "related_bidders".into(),
                lot: Some(facts.lot.clone()),
                anchor: format!("控制 {} {}", parent.bidder, controlled.bidder),
                detail: format!("投标人{}由另一投标人{}控制", controlled.name, parent.name),
                subjects,
                evidence: vec![Evidence {
                    seq: controlled.entity_seq,
                    note: format!("{}的主体登记信息（控股股东或实际控制人）", controlled.name),
                }],
            });
        }
    }
    found
}

/// Submissions within `window_ms` of each other, chained: each cluster of two or more.
fn near_simultaneous(facts: &LotFacts, window_ms: i64) -> Vec<Finding> {
    let mut submitted: Vec<(&BidderFacts, &EnvelopeFacts)> = facts
        .bidders
        .iter()
        .filter_map(|b| b.envelope.as_ref().map(|e| (b, e)))
        .collect();
    submitted.sort_by_key(|(b, e)| (e.submitted_at_ms, b.bidder.clone()));
    let mut clusters: Vec<Vec<(&BidderFacts, &EnvelopeFacts)>> = Vec::new();
    for item in submitted {
        match clusters.last_mut() {
            Some(cluster)
                if item.1.submitted_at_ms - cluster[cluster.len() - 1].1.submitted_at_ms
                    <= window_ms =>
            {
                cluster.push(item)
            }
            _ => clusters.push(vec![item]),
        }
    }
    clusters
        .into_iter()
        .filter(|c| c.len() >= 2)
        .map(|cluster| {
            let spread =
                cluster[cluster.len() - 1].1.submitted_at_ms - cluster[0].1.submitted_at_ms;
            let mut subjects: Vec<Subject> = cluster.iter().map(|(b, _)| subject(b)).collect();
            subjects.sort();
            Finding {
                signal: "near_simultaneous".into(),
                lot: Some(facts.lot.clone()),
                anchor: cluster[0].0.bidder.to_string(),
                detail: format!(
                    "{}家投标人在{}秒内先后递交投标文件",
                    cluster.len(),
                    (spread + 999) / 1_000
                ),
                subjects,
                evidence: cluster
                    .iter()
                    .map(|(b, e)| Evidence {
                        seq: e.seq,
                        note: format!("{}递交投标文件", b.name),
                    })
                    .collect(),
            }
        })
        .collect()
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}元", fen / 100, (fen % 100).abs())
}

/// The price signals, over the opened bids with a price.
fn price_signals(facts: &LotFacts, rules: &WarningRules) -> Vec<Finding> {
    let mut priced: Vec<(&BidderFacts, i64, u64)> = facts
        .bidders
        .iter()
        .filter_map(|b| {
            let o = b.opened.as_ref()?;
            Some((b, o.price_fen.filter(|p| *p > 0)?, o.seq))
        })
        .collect();
    priced.sort_by_key(|(b, p, _)| (*p, b.bidder.clone()));
    let prices: Vec<i128> = priced.iter().map(|(_, p, _)| i128::from(*p)).collect();
    let n = prices.len();
    let finding = |signal: &str, detail: String| {
        let mut subjects: Vec<Subject> = priced.iter().map(|(b, _, _)| subject(b)).collect();
        subjects.sort();
        Finding {
            signal: signal.to_string(),
            lot: Some(facts.lot.clone()),
            anchor: String::new(),
            subjects,
            detail,
            evidence: priced
                .iter()
                .map(|(b, p, seq)| Evidence {
                    seq: *seq,
                    note: format!("{}的投标报价 {}", b.name, yuan(*p)),
                })
                .collect(),
        }
    };
    let mut found = Vec::new();
    let listed = || {
        priced
            .iter()
            .map(|(_, p, _)| yuan(*p))
            .collect::<Vec<_>>()
            .join("、")
    };
    if rules.active("price_arithmetic").is_some()
        && n >= rules.param("price_arithmetic", "min_bids") as usize
    {
        let diffs: Vec<i128> = prices.windows(2).map(|w| w[1] - w[0]).collect();
        let (lo, hi) = (
            *diffs.iter().min().unwrap_or(&0),
            *diffs.iter().max().unwrap_or(&0),
        );
        let sum: i128 = prices.iter().sum();
        let tolerance = i128::from(rules.param("price_arithmetic", "tolerance_bp"));
        // Every step the same to within the tolerance of the mean price.
        if lo > 0 && (hi - lo) * 10_000 * n as i128 <= tolerance * sum {
            found.push(finding(
                "price_arithmetic",
                format!("{n}家投标人的报价呈等差数列（{}）", listed()),
            ));
        }
    }
    if rules.active("price_ratio").is_some() && n >= rules.param("price_ratio", "min_bids") as usize
    {
        let tolerance = i128::from(rules.param("price_ratio", "tolerance_bp"));
        let rising = prices.windows(2).all(|w| w[1] > w[0]);
        // Every ratio p[i+1]/p[i] within the tolerance of every other.
        let steady = prices.windows(2).all(|a| {
            prices.windows(2).all(|b| {
                let gap = (a[1] * b[0] - b[1] * a[0]).abs();
                gap * 10_000 <= tolerance * a[0] * b[0]
            })
        });
        if rising && steady {
            found.push(finding(
                "price_ratio",
                format!("{n}家投标人的报价按固定比例递增（{}）", listed()),
            ));
        }
    }
    if rules.active("prices_close").is_some()
        && n >= rules.param("prices_close", "min_bids") as usize
    {
        let spread = i128::from(rules.param("prices_close", "spread_bp"));
        if (prices[n - 1] - prices[0]) * 10_000 <= spread * prices[0] {
            found.push(finding(
                "prices_close",
                format!(
                    "{n}家投标人的报价异常接近（最高与最低相差不超过万分之{spread}：{}）",
                    listed()
                ),
            ));
        }
    }
    if rules.active("winner_far_below").is_some()
        && n >= rules.param("winner_far_below", "min_bids") as usize
        && let Some((winner, award_seq)) = &facts.winner
        && let Some((w, price, _)) = priced.iter().find(|(b, _, _)| &b.bidder == winner)
    {
        let others: Vec<i128> = priced
            .iter()
            .filter(|(b, _, _)| &b.bidder != winner)
            .map(|(_, p, _)| i128::from(*p))
            .collect();
        let sum: i128 = others.iter().sum();
        let gap = i128::from(rules.param("winner_far_below", "gap_bp"));
        // price < mean(others) × (1 − gap)
        if !others.is_empty()
            && i128::from(*price) * 10_000 * (others.len() as i128) < sum * (10_000 - gap)
        {
            let mut f = finding(
                "winner_far_below",
                format!(
                    "中标人{}的报价{}远低于其他投标人的平均报价{}",
                    w.name,
                    yuan(*price),
                    yuan((sum / others.len() as i128) as i64)
                ),
            );
            f.evidence.push(Evidence {
                seq: *award_seq,
                note: format!("确定{}为中标人", w.name),
            });
            found.push(f);
        }
    }
    found
}

/// One finished lot in the history the market signals read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotRecord {
    pub lot: String,
    pub tenderee: Subject,
    pub bidders: Vec<Subject>,
    pub winner: Option<Subject>,
    /// 流标 or otherwise failed.
    pub failed: bool,
    /// When it was awarded or failed.
    pub at_ms: i64,
    /// The award's or the failure's entry.
    pub seq: u64,
}

const DAY_MS: i64 = 86_400_000;

/// The signals across lots, over `history` (finished lots).
pub fn market_signals(history: &[LotRecord], rules: &WarningRules) -> Vec<Finding> {
    let mut found = Vec::new();
    if rules.active("co_bidding_ring").is_some() {
        found.extend(rings(
            history,
            rules.param("co_bidding_ring", "min_lots") as usize,
            rules.param("co_bidding_ring", "min_winners") as usize,
        ));
    }
    if rules.active("award_concentration").is_some() {
        found.extend(concentration(history, rules));
    }
    if rules.active("repeated_failures").is_some() {
        found.extend(failures(history, rules));
    }
    found
}

/// Rings: bidders who bid together in at least `min_lots` lots form a group (the connected
/// parts of that co-bidding graph); a group is a ring when, over the lots where two or more of
/// its members bid, there are at least `min_lots` lots, every winner is a member and at least
/// `min_winners` members took turns winning.
fn rings(history: &[LotRecord], min_lots: usize, min_winners: usize) -> Vec<Finding> {
    let mut pairs: BTreeMap<(&EntityId, &EntityId), usize> = BTreeMap::new();
    let mut names: BTreeMap<&EntityId, &Subject> = BTreeMap::new();
    for lot in history.iter().filter(|l| !l.failed) {
        let bidders: BTreeSet<&EntityId> = lot.bidders.iter().map(|s| &s.entity).collect();
        for s in &lot.bidders {
            names.insert(&s.entity, s);
        }
        for a in &bidders {
            for b in bidders
                .range::<&EntityId, _>((std::ops::Bound::Excluded(*a), std::ops::Bound::Unbounded))
            {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
    }
    // Connected parts of the graph of pairs that bid together often enough (union–find).
    let mut parent: BTreeMap<&EntityId, &EntityId> = BTreeMap::new();
    fn root<'a>(
        parent: &BTreeMap<&'a EntityId, &'a EntityId>,
        mut x: &'a EntityId,
    ) -> &'a EntityId {
        while let Some(p) = parent.get(x).filter(|p| **p != x) {
            x = p;
        }
        x
    }
    for ((a, b), count) in &pairs {
        if *count < min_lots {
            continue;
        }
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let (ra, rb) = (root(&parent, a), root(&parent, b));
        if ra != rb {
            let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent.insert(high, low);
        }
    }
    let mut groups: BTreeMap<&EntityId, BTreeSet<&EntityId>> = BTreeMap::new();
    for member in parent.keys() {
        groups
            .entry(root(&parent, member))
            .or_default()
            .insert(member);
    }
    let mut found = Vec::new();
    for members in groups.values() {
        let lots: Vec<&LotRecord> = history
            .iter()
            .filter(|l| !l.failed)
            .filter(|l| {
                l.bidders
                    .iter()
                    .filter(|s| members.contains(&s.entity))
                    .count()
                    >= 2
            })
            .collect();
        if lots.len() < min_lots {
            continue;
        }
        let winners: BTreeSet<&EntityId> = lots
            .iter()
            .filter_map(|l| l.winner.as_ref().map(|w| &w.entity))
            .collect();
        if winners.len() < min_winners || !winners.iter().all(|w| members.contains(w)) {
            continue;
        }
        let subjects: Vec<Subject> = members.iter().map(|m| (*names[m]).clone()).collect();
        found.push(Finding {
            signal: "co_bidding_ring".into(),
            lot: None,
            anchor: members
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(","),
            detail: format!(
                "{}家投标人在{}个标段（包）中共同投标，由其中{}家轮流中标",
                subjects.len(),
                lots.len(),
                winners.len()
            ),
            subjects,
            evidence: lots
                .iter()
                .map(|l| Evidence {
                    seq: l.seq,
                    note: format!(
                        "标段（包）{}：{}中标",
                        l.lot,
                        l.winner.as_ref().map(|w| w.name.as_str()).unwrap_or("无人")
                    ),
                })
                .collect(),
        });
    }
    found
}

/// Lots of one tenderee inside the window that ends at its latest lot.
fn by_tenderee(history: &[LotRecord], window_days: i64) -> BTreeMap<&EntityId, Vec<&LotRecord>> {
    let mut by: BTreeMap<&EntityId, Vec<&LotRecord>> = BTreeMap::new();
    for lot in history {
        by.entry(&lot.tenderee.entity).or_default().push(lot);
    }
    for lots in by.values_mut() {
        let latest = lots.iter().map(|l| l.at_ms).max().unwrap_or(0);
        lots.retain(|l| l.at_ms > latest - window_days * DAY_MS);
        lots.sort_by_key(|l| (l.at_ms, l.seq));
    }
    by
}

/// One tenderee's awards concentrated on one supplier.
fn concentration(history: &[LotRecord], rules: &WarningRules) -> Vec<Finding> {
    let min_awards = rules.param("award_concentration", "min_awards") as usize;
    let share = i128::from(rules.param("award_concentration", "share_bp"));
    let window = rules.param("award_concentration", "window_days");
    let mut found = Vec::new();
    for (_, lots) in by_tenderee(history, window) {
        let awarded: Vec<&&LotRecord> = lots.iter().filter(|l| l.winner.is_some()).collect();
        if awarded.len() < min_awards {
            continue;
        }
        let mut wins: BTreeMap<&EntityId, Vec<&&LotRecord>> = BTreeMap::new();
        for lot in &awarded {
            if let Some(w) = &lot.winner {
                wins.entry(&w.entity).or_default().push(lot);
            }
        }
        for (supplier, won) in wins {
            if (won.len() as i128) * 10_000 < share * awarded.len() as i128 {
                continue;
            }
            let tenderee = &won[0].tenderee;
            let winner = won[0].winner.clone().unwrap_or_else(|| unreachable!());
            found.push(Finding {
                signal: "award_concentration".into(),
                lot: None,
                anchor: format!("{}>{}", tenderee.entity, supplier),
                detail: format!(
                    "招标人（采购人）{}的{}个中标（成交）结果中有{}个授予{}",
                    tenderee.name,
                    awarded.len(),
                    won.len(),
                    winner.name
                ),
                subjects: vec![tenderee.clone(), winner],
                evidence: won
                    .iter()
                    .map(|l| Evidence {
                        seq: l.seq,
                        note: format!("标段（包）{}的中标结果", l.lot),
                    })
                    .collect(),
            });
        }
    }
    found
}

/// One tenderee's failed or single-bid lots, repeatedly.
fn failures(history: &[LotRecord], rules: &WarningRules) -> Vec<Finding> {
    let min = rules.param("repeated_failures", "min_count") as usize;
    let window = rules.param("repeated_failures", "window_days");
    let mut found = Vec::new();
    for (_, lots) in by_tenderee(history, window) {
        let bad: Vec<&&LotRecord> = lots
            .iter()
            .filter(|l| l.failed || l.bidders.len() == 1)
            .collect();
        if bad.len() < min {
            continue;
        }
        let tenderee = bad[0].tenderee.clone();
        found.push(Finding {
            signal: "repeated_failures".into(),
            lot: None,
            anchor: tenderee.entity.to_string(),
            detail: format!(
                "招标人（采购人）{}在{}日内有{}个标段（包）流标或仅有一家投标",
                tenderee.name,
                window,
                bad.len()
            ),
            subjects: vec![tenderee],
            evidence: bad
                .iter()
                .map(|l| Evidence {
                    seq: l.seq,
                    note: format!(
                        "标段（包）{}{}",
                        l.lot,
                        if l.failed {
                            "流标"
                        } else {
                            "仅一家投标"
                        }
                    ),
                })
                .collect(),
        });
    }
    found
}
