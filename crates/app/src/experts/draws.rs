//! 专家抽取 — the verifiable expert draw (platform.md §2 principle 4). The avoidance rules are
//! applied to the confidential database first; then a commitment to a fresh secret is witnessed
//! with the public inputs (the eligible pool by pseudonym and category, the needs); then the
//! secret is revealed with the seed `SM3(secret ‖ root of the head signed with the commitment)`,
//! and the documented shuffle (`domain::draw_experts`) is run on the public inputs. Anyone can
//! rerun it from the two public entries (`check_draw`, `ggzy verify draw`).

use crypto::{Sm3Hash, sm3, sm3_concat};
use domain::{
    Date, DomainError, DrawRequest, DrawResult, Expert, Panel, PanelCommand, PoolExpert, Procedure,
    RatingRule, Role, draw_experts,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};
use store::DocumentFilter;

use crate::tendering::tender::procedure_of_lot;
use crate::witness::append::{NewEntry, append};
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller};

/// A draw as the trading center requests it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDraw {
    /// The lot's 统一交易标识码.
    pub lot: String,
    /// `YYYY-MM-DD`.
    pub evaluation_date: String,
    /// (classification code, number of experts).
    pub needs: Vec<(String, u32)>,
    /// Backups per category.
    #[serde(default)]
    pub backups: u32,
    /// Experts drawn for the same tenderee within this many days are avoided.
    #[serde(default)]
    pub recent_days: u32,
    /// Region codes whose experts are avoided.
    #[serde(default)]
    pub excluded_regions: Vec<String>,
    /// Minutes an invited expert has to confirm (default 60).
    #[serde(default)]
    pub confirm_minutes: Option<u32>,
}

/// The public entry of a replacement (`draw.replaced`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawReplaced {
    pub id: String,
    #[serde(flatten)]
    pub replacement: domain::PublicReplacement,
}

/// One disclosed name: anyone checks `SM3(salt ‖ name)` against the pool's commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosedName {
    /// The expert's id in this draw's pool.
    pub pseudonym: String,
    pub name: String,
    /// Hex.
    pub salt: String,
}

/// The public entry of the names, after the award (`draw.disclosed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawDisclosed {
    pub id: String,
    pub names: Vec<DisclosedName>,
}

/// A draw's public record: everything anyone needs to re-check it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DrawRecord {
    pub committed: DrawCommitted,
    pub revealed: DrawRevealed,
    pub replaced: Vec<DrawReplaced>,
    pub disclosed: Option<DrawDisclosed>,
}

/// The ledger proof of a draw's public record (`App::draw_record_proof`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordProof {
    /// The newest signed head when the record was served.
    pub tree_head: ledger::SignedTreeHead,
    /// The draw's entries, each with its inclusion path to `tree_head`.
    pub entries: Vec<crate::tendering::holder::ProvenEntry>,
    /// The tree just after the commitment: its size (the commitment's place + 1) and root.
    pub commitment_size: u64,
    pub commitment_root: Sm3Hash,
    /// Consistency path from `commitment_size` to `tree_head`.
    pub consistency: Vec<Sm3Hash>,
}

/// Checks a record's proof offline against the platform's public key: the head's signature,
/// every entry's leaf and inclusion, that the record's parts are exactly those entries'
/// payloads, and that the seed's root is the tree's root just after the commitment. Then
/// `check_record` re-runs the draw.
pub fn check_record_proof(
    record: &DrawRecord,
    proof: &RecordProof,
    key: &crypto::PublicKey,
) -> Result<(), String> {
    proof
        .tree_head
        .verify(key)
        .map_err(|_| "记录所附树头不是平台密钥签名的".to_string())?;
    let size = proof.tree_head.head.size;
    let root = &proof.tree_head.head.root;
    for proven in &proof.entries {
        let entry = &proven.entry;
        let leaf = entry.leaf_hash().map_err(|e| e.to_string())?;
        ledger::verify_inclusion(&leaf, entry.seq, size, &proven.path, root)
            .map_err(|_| format!("条目 {} 不能证明包含在签名树头中", entry.seq))?;
        if entry.visibility != ledger::Visibility::Public {
            return Err(format!("条目 {} 不是公开条目", entry.seq));
        }
    }
    let payload_of = |kind: &str| -> Vec<&serde_json::Value> {
        proof
            .entries
            .iter()
            .filter(|p| p.entry.kind == kind && p.entry.stream == draw_stream(&record.committed.id))
            .map(|p| &p.entry.payload)
            .collect()
    };
    fn as_json<T: Serialize>(value: &T) -> serde_json::Value {
        serde_json::to_value(value).unwrap_or_default()
    }
    let committed = payload_of("draw.committed");
    if committed.len() != 1 || *committed[0] != as_json(&record.committed) {
        return Err("记录的承诺与账本条目不符".into());
    }
    let revealed = payload_of("draw.revealed");
    if revealed.len() != 1 || *revealed[0] != as_json(&record.revealed) {
        return Err("记录的揭示与账本条目不符".into());
    }
    // The contributions the seed was made from are exactly those recorded before the reveal.
    let contributed = payload_of("draw.contributed");
    if contributed.len() != record.revealed.contributions.len()
        || contributed
            .iter()
            .zip(&record.revealed.contributions)
            .any(|(entry, c)| {
                entry["id"] != serde_json::json!(record.committed.id)
                    || entry["account"] != serde_json::json!(c.account)
                    || entry["value"] != serde_json::json!(c.value)
            })
    {
        return Err("种子所用的随机数与账本中事先投入的随机数不符".into());
    }
    let replaced = payload_of("draw.replaced");
    if replaced.len() != record.replaced.len()
        || replaced
            .iter()
            .zip(&record.replaced)
            .any(|(entry, part)| **entry != as_json(part))
    {
        return Err("记录的替补与账本条目不符".into());
    }
    if let Some(disclosed) = &record.disclosed {
        let entries = payload_of("draw.disclosed");
        if entries.len() != 1 || *entries[0] != as_json(disclosed) {
            return Err("记录公开的姓名与账本条目不符".into());
        }
    }
    let committed_seq = proof
        .entries
        .iter()
        .find(|p| p.entry.kind == "draw.committed")
        .map(|p| p.entry.seq)
        .ok_or("没有承诺条目")?;
    if proof.commitment_size != committed_seq + 1 {
        return Err("种子所用的树头不是承诺所在交易的树头".into());
    }
    if record.revealed.head_size != proof.commitment_size
        || record.revealed.head_root != proof.commitment_root.to_hex()
    {
        return Err("种子所用的树根不是承诺之后的树根".into());
    }
    ledger::verify_consistency(
        proof.commitment_size,
        size,
        &proof.commitment_root,
        root,
        &proof.consistency,
    )
    .map_err(|_| "承诺之后的树根与签名树头不一致".to_string())?;
    Ok(())
}

/// The commitment to an expert's name in a published pool.
pub fn name_commitment(salt: &[u8], name: &str) -> String {
    sm3_concat(&[salt, name.as_bytes()]).to_hex()
}

/// The public entry written before the draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawCommitted {
    pub id: String,
    pub lot: String,
    /// The request with the parties left out (they are confidential); avoidance was applied
    /// before, so every expert of `pool` is eligible.
    pub request: DrawRequest,
    /// The eligible experts by this draw's pool ids, with categories and name commitments.
    pub pool: Vec<PoolExpert>,
    /// How many experts the avoidance rules set aside (by rule, not by name).
    pub excluded: u32,
    /// The same, by rule (`party` — employed by or related to a party —, `not_active`,
    /// `recent_same_tenderee`, `busy`, `excluded_region`, `on_leave`, `poor_record`).
    #[serde(default)]
    pub excluded_by: std::collections::BTreeMap<String, u32>,
    /// Minutes an invited expert has to confirm.
    #[serde(default)]
    pub confirm_minutes: u32,
    /// SM3 of the secret, hex.
    pub commitment: String,
}

/// The public entry written after the draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRevealed {
    pub id: String,
    /// The secret, hex.
    pub secret: String,
    /// The signed head that includes the commitment: its size and root.
    pub head_size: u64,
    pub head_root: String,
    /// SM3(secret ‖ root ‖ contribution₁ ‖ …), hex.
    pub seed: String,
    pub result: DrawResult,
    /// The values parties the operator does not control (the supervisor) put in after the
    /// commitment; the reveal is made in the same transaction, so the platform can neither
    /// choose its secret knowing them nor withdraw once it knows the panel. Empty in draws made
    /// before contributions existed (their seed is SM3(secret ‖ root)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributions: Vec<DrawContribution>,
}

/// One party's contribution to a draw's seed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawContribution {
    /// The account that put it in (a supervisor's).
    pub account: String,
    /// 32 bytes, lower-case hex.
    pub value: String,
}

/// What a supervisor sends to put in a contribution: the commitment it saw (so the value counts
/// only for that commitment) and 32 bytes of its own randomness.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewContribution {
    /// The draw's `commitment`, hex.
    pub commitment: String,
    /// 64 hex digits.
    pub value: String,
}

/// The seed of a draw: `SM3(secret ‖ root ‖ contribution₁ ‖ … ‖ contributionₙ)` over the raw
/// bytes (32 each).
pub fn draw_seed(secret: &[u8], root: &Sm3Hash, contributions: &[[u8; 32]]) -> Sm3Hash {
    let mut parts: Vec<&[u8]> = vec![secret, root.as_bytes()];
    parts.extend(contributions.iter().map(|c| c.as_slice()));
    sm3_concat(&parts)
}

/// A contribution's 32 bytes from its hex (either case).
pub fn contribution_bytes(value: &str) -> Option<[u8; 32]> {
    hex::decode(value).ok()?.try_into().ok()
}

/// The stream of a draw.
pub fn draw_stream(id: &str) -> String {
    format!("draw/{id}")
}

/// Reruns a draw from its two public entries: the commitment, the seed and the shuffle must all
/// agree. Returns the result, or what does not agree.
pub fn check_draw(
    committed: &DrawCommitted,
    revealed: &DrawRevealed,
) -> Result<DrawResult, String> {
    let secret = hex::decode(&revealed.secret).map_err(|_| "秘密值不是十六进制".to_string())?;
    if sm3(&secret).to_hex() != committed.commitment {
        return Err("揭示的秘密值与事先的承诺不符".into());
    }
    let root = Sm3Hash::from_hex(&revealed.head_root).map_err(|_| "树根格式错误".to_string())?;
    let contributions = revealed
        .contributions
        .iter()
        .map(|c| contribution_bytes(&c.value))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "投入的随机数应为32字节的十六进制".to_string())?;
    let seed = draw_seed(&secret, &root, &contributions);
    if seed.to_hex() != revealed.seed {
        return Err("随机种子不是由秘密值、树根和投入的随机数导出的".into());
    }
    let result = draw_experts(&committed.pool, &committed.request, *seed.as_bytes())
        .map_err(|e| format!("按公开输入重抽失败：{e}"))?;
    if result != revealed.result {
        return Err("按公开输入重抽的结果与公布的结果不同".into());
    }
    Ok(result)
}

/// Re-checks a draw that failed in the draw itself, from its commitment and its public
/// `draw.failed` entry: the secret matches the commitment, the seed is derived from it, the root
/// and the recorded contributions, and the shuffle on the public inputs really runs short with
/// that seed — so a failure cannot be claimed to throw away an unwelcome panel. Returns why it
/// failed.
pub fn check_failed_draw(
    committed: &DrawCommitted,
    failed: &serde_json::Value,
) -> Result<String, String> {
    let text = |key: &str| {
        failed[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("失败记录缺少 {key}"))
    };
    let secret = hex::decode(text("secret")?).map_err(|_| "秘密值不是十六进制".to_string())?;
    if sm3(&secret).to_hex() != committed.commitment {
        return Err("揭示的秘密值与事先的承诺不符".into());
    }
    let root = Sm3Hash::from_hex(&text("head_root")?).map_err(|_| "树根格式错误".to_string())?;
    let contributions: Vec<DrawContribution> =
        serde_json::from_value(failed["contributions"].clone()).unwrap_or_default();
    let values = contributions
        .iter()
        .map(|c| contribution_bytes(&c.value))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "投入的随机数应为32字节的十六进制".to_string())?;
    let seed = draw_seed(&secret, &root, &values);
    if seed.to_hex() != text("seed")? {
        return Err("随机种子不是由秘密值、树根和投入的随机数导出的".into());
    }
    match draw_experts(&committed.pool, &committed.request, *seed.as_bytes()) {
        Ok(_) => Err("按公开输入重抽并未短缺：记录的失败不成立".into()),
        Err(error) => Ok(error.to_string()),
    }
}

/// Re-checks a whole public record: the draw, every replacement (the next unused backup of its
/// category, in the published order), and every disclosed name against its commitment.
/// Returns the final seats by category.
pub fn check_record(record: &DrawRecord) -> Result<domain::FinalSeats, String> {
    let result = check_draw(&record.committed, &record.revealed)?;
    let replacements: Vec<domain::PublicReplacement> = record
        .replaced
        .iter()
        .map(|r| r.replacement.clone())
        .collect();
    let seats = domain::check_replacements(&result.panels, &replacements)
        .map_err(|(index, why)| format!("第{}次替补不符合规则：{why}", index + 1))?;
    if let Some(disclosed) = &record.disclosed {
        for name in &disclosed.names {
            let expert = record
                .committed
                .pool
                .iter()
                .find(|e| e.pseudonym == name.pseudonym)
                .ok_or_else(|| format!("公布的 {} 不在候选池中", name.pseudonym))?;
            let salt = hex::decode(&name.salt).map_err(|_| "盐值不是十六进制".to_string())?;
            // A fixed length: the boundary between salt and name cannot move.
            if salt.len() != 32 {
                return Err(format!("公布的 {} 的盐值应为32字节", name.pseudonym));
            }
            if name_commitment(&salt, &name.name) != expert.name_commitment {
                return Err(format!(
                    "公布的 {} 的姓名与抽取前的承诺不符",
                    name.pseudonym
                ));
            }
        }
        // The names are those of the final committee: every seat not left vacant.
        let mut seated: Vec<&str> = seats
            .iter()
            .flat_map(|(_, seated)| seated.iter().flatten())
            .map(String::as_str)
            .collect();
        seated.sort_unstable();
        let mut named: Vec<&str> = disclosed
            .names
            .iter()
            .map(|n| n.pseudonym.as_str())
            .collect();
        named.sort_unstable();
        if seated != named {
            return Err("公布的名单与评标委员会的最终成员不一致".into());
        }
    }
    Ok(seats)
}

impl App {
    /// 专家抽取 for a lot (the trading center). Refuses, changing nothing, when a category has
    /// too few eligible experts. Forms the panel (confidential) in the reveal's transaction.
    pub async fn draw_experts(
        &self,
        caller: &Caller,
        input: NewDraw,
    ) -> Result<DrawCommitted, AppError> {
        caller.require(Role::Operator)?;
        let id_procedure = procedure_of_lot(&input.lot)?;
        let procedure: Procedure = self.load_procedure(id_procedure).await?;
        procedure.lot(&input.lot).ok_or(DomainError::LotNotFound)?;
        let evaluation_date = Date::parse(&input.evaluation_date)?;
        if evaluation_date < Date::of_instant(self.now_ms()) {
            return Err(AppError::refused("DRAW_DATE_PAST", "评标日期不能早于今天"));
        }
        if input.needs.is_empty() || input.needs.iter().any(|(_, n)| *n == 0) {
            return Err(AppError::refused(
                "DRAW_NEEDS",
                "应至少抽取一个类别、每类至少一人",
            ));
        }
        let confirm_minutes = input.confirm_minutes.unwrap_or(60);
        if !(5..=1440).contains(&confirm_minutes) {
            return Err(AppError::refused(
                "DRAW_CONFIRM_WINDOW",
                "确认期限应在5到1440分钟之间",
            ));
        }
        let mut codes: Vec<&str> = input.needs.iter().map(|(c, _)| c.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        if codes.len() != input.needs.len() {
            return Err(AppError::refused(
                "DRAW_NEEDS",
                "同一专业类别只能列一次（人数请合并填写）",
            ));
        }
        for (code, _) in &input.needs {
            if self.classification().get(code).is_none() {
                return Err(AppError::refused(
                    "EXPERT_CATEGORY_UNKNOWN",
                    format!("专业类别 {code} 不在分类中"),
                ));
            }
        }
        for region in &input.excluded_regions {
            domain::RegionCode::parse(region)?;
        }
        // The parties, known to the platform only: tenderee, agency, every registered bidder.
        let bids = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bid",
                    key1: Some(&input.lot),
                    ..Default::default()
                },
                100_000,
                0,
            )
            .await?;
        let tenderee = procedure.draft.tenderee.to_string();
        let confidential = DrawRequest {
            lot: input.lot.clone(),
            evaluation_date,
            needs: input.needs.clone(),
            backups: input.backups,
            tenderee: tenderee.clone(),
            agency: procedure.draft.agency.as_ref().map(|a| a.to_string()),
            bidders: bids.items.iter().map(|b| b.key2.clone()).collect(),
            recent_days: input.recent_days,
            excluded_regions: input.excluded_regions.clone(),
        };
        // Recent draws for the same tenderee, and panels sitting on the evaluation day (any
        // tenderee): the experts who hold a seat on them now.
        let mut recent: std::collections::BTreeMap<String, Vec<(String, Date)>> =
            std::collections::BTreeMap::new();
        let mut booked: std::collections::BTreeMap<String, Vec<Date>> =
            std::collections::BTreeMap::new();
        let seated = |panel: &Panel| -> Vec<String> {
            panel
                .seats
                .iter()
                .filter(|s| s.status != domain::SeatStatus::Vacant)
                .map(|s| s.pseudonym.clone())
                .collect()
        };
        let same_tenderee = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "panel",
                    key1: Some(&tenderee),
                    ..Default::default()
                },
                100_000,
                0,
            )
            .await?;
        for row in &same_tenderee.items {
            let panel: Panel = decode_state(&row.state)?;
            for pseudonym in seated(&panel) {
                recent
                    .entry(pseudonym)
                    .or_default()
                    .push((panel.tenderee.clone(), panel.evaluation_date));
            }
        }
        let open = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "panel",
                    status: Some("open"),
                    ..Default::default()
                },
                100_000,
                0,
            )
            .await?;
        for row in &open.items {
            let panel: Panel = decode_state(&row.state)?;
            if panel.evaluation_date == evaluation_date {
                for pseudonym in seated(&panel) {
                    booked
                        .entry(pseudonym)
                        .or_default()
                        .push(panel.evaluation_date);
                }
            }
        }
        let rating_rule = self
            .rating_rule(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                evaluation_date,
            )
            .await?;
        // One draw of a lot waits for its contribution at a time: the operator cannot keep
        // several commitments open and reveal the one it likes.
        let open = self
            .open_draw_streams(&format!("draw/{}-", input.lot))
            .await?;
        if let Some(stream) = open.first() {
            return Err(AppError::refused(
                "DRAW_LOT_PENDING",
                format!(
                    "该标段（包）已有待投入随机数的抽取 {}，请待监督人员投入随机数、揭示后再抽取",
                    stream.trim_start_matches("draw/")
                ),
            ));
        }
        let id = format!("{}-{}", input.lot, self.now_ms());
        if !self
            .store
            .stream_entries(&draw_stream(&id))
            .await?
            .is_empty()
        {
            return Err(AppError::refused(
                "DRAW_BUSY",
                "同一时刻已有该标段（包）的抽取，请稍后重试",
            ));
        }
        let experts = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "expert",
                    ..Default::default()
                },
                10_000_000,
                0,
            )
            .await?;
        // The expert credit standard's measures (e.g. level D: 暂停评标资格).
        let refused_by_credit = self.experts_refused_by_credit().await?;
        let mut pool = Vec::new();
        let mut excluded = 0u32;
        let mut excluded_by = std::collections::BTreeMap::new();
        // Pool id (public, this draw only) → pseudonym (lasting, confidential).
        let mut pool_ids: std::collections::BTreeMap<String, String> =
            std::collections::BTreeMap::new();
        for row in &experts.items {
            let expert: Expert = decode_state(&row.state)?;
            let full = PoolExpert {
                pseudonym: expert.pseudonym.clone(),
                categories: expert.record.categories.clone(),
                employer: expert.record.employer.to_string(),
                region: expert.record.region.to_string(),
                related: expert
                    .relations
                    .iter()
                    .map(|r| r.entity.to_string())
                    .collect(),
                recent: recent.remove(&expert.pseudonym).unwrap_or_default(),
                leave: expert.leaves.iter().map(|l| (l.from, l.to)).collect(),
                active: expert.status == domain::ExpertStatus::Active,
                name_commitment: String::new(),
                booked: booked.remove(&expert.pseudonym).unwrap_or_default(),
            };
            let reason = match confidential.exclusion(&full) {
                // Employment and declared relations are told apart only in confidence: the
                // public count says "a party", not how.
                Some(domain::Exclusion::Employer | domain::Exclusion::Related) => {
                    Some("party".to_string())
                }
                Some(reason) => Some(
                    serde_json::to_value(reason)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                ),
                None if expert.barred_by_record(rating_rule, evaluation_date) => {
                    Some("poor_record".to_string())
                }
                None if refused_by_credit.contains(&expert.pseudonym) => Some("credit".to_string()),
                None => None,
            };
            if let Some(reason) = reason {
                excluded += 1;
                *excluded_by.entry(reason).or_insert(0u32) += 1;
                continue;
            }
            // Experts are drawn by every class they hold, including a parent class asked for.
            let categories = expert
                .record
                .categories
                .iter()
                .flat_map(|c| {
                    input
                        .needs
                        .iter()
                        .filter(|(need, _)| self.classification().is_within(c, need))
                        .map(|(need, _)| need.clone())
                        .chain(std::iter::once(c.clone()))
                        .collect::<Vec<_>>()
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let salt = self.name_salt(&id, &expert.pseudonym);
            let pool_id = self.pool_id(&id, &expert.pseudonym);
            pool_ids.insert(pool_id.clone(), expert.pseudonym.clone());
            pool.push(PoolExpert {
                pseudonym: pool_id,
                categories,
                employer: String::new(),
                region: String::new(),
                related: Vec::new(),
                recent: Vec::new(),
                leave: Vec::new(),
                active: true,
                name_commitment: name_commitment(&salt, &expert.record.name),
                booked: Vec::new(),
            });
        }
        pool.sort_by(|a, b| a.pseudonym.cmp(&b.pseudonym));
        let public = DrawRequest {
            tenderee: "（已隐去）".into(),
            agency: None,
            bidders: Vec::new(),
            recent_days: 0,
            excluded_regions: Vec::new(),
            ..confidential.clone()
        };
        // Too few in a category: refuse before anything is written.
        for (category, count) in &public.needs {
            let available = pool
                .iter()
                .filter(|e| e.categories.contains(category))
                .count() as u32;
            if available < count + public.backups {
                return Err(DomainError::DrawShort {
                    category: self
                        .classification()
                        .get(category)
                        .map(|c| c.name.clone())
                        .unwrap_or_else(|| category.clone()),
                    needed: count + public.backups,
                    available,
                }
                .into());
            }
        }
        // The secret is a keyed digest of the draw's id: nothing is stored until the reveal,
        // and nobody without the platform's key — a supervisor about to contribute included —
        // can compute it.
        let secret = self.draw_secret(&id);
        let committed = DrawCommitted {
            id: id.clone(),
            lot: input.lot.clone(),
            request: public,
            pool,
            excluded,
            excluded_by,
            confirm_minutes,
            commitment: sm3(&secret).to_hex(),
        };
        self.witness(vec![NewEntry {
            stream: draw_stream(&id),
            kind: "draw.committed".into(),
            visibility: Visibility::Public,
            actor: caller.username.clone(),
            payload: serde_json::to_value(&committed)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        }])
        .await?;
        Ok(committed)
    }

    /// The draws committed and not yet revealed (nor failed), oldest first: what a supervisor
    /// is asked to contribute to.
    pub async fn pending_draws(&self, caller: &Caller) -> Result<Vec<DrawCommitted>, AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]) {
            return Err(AppError::NotAuthorized);
        }
        let mut pending = Vec::new();
        for stream in self.open_draw_streams("draw/").await? {
            let rows = self.store.stream_entries(&stream).await?;
            if let Some(row) = rows.iter().find(|r| r.kind == "draw.committed") {
                pending.push(
                    serde_json::from_str(&row.payload)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                );
            }
        }
        Ok(pending)
    }

    /// A draw that failed in the draw itself (categories overlapping ran short): its commitment
    /// and the public `draw.failed` entry (reason, secret, root, contributions, seed).
    pub async fn failed_draw(
        &self,
        id: &str,
    ) -> Result<Option<(DrawCommitted, serde_json::Value)>, AppError> {
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        let (Some(committed), Some(failed)) = (
            rows.iter().find(|r| r.kind == "draw.committed"),
            rows.iter().find(|r| r.kind == "draw.failed"),
        ) else {
            return Ok(None);
        };
        let decode = |text: &str| {
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| AppError::Internal(e.to_string()))
        };
        Ok(Some((
            serde_json::from_value(decode(&committed.payload)?)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            decode(&failed.payload)?,
        )))
    }

    /// The contribution recorded for a draw not yet revealed (`None`: none yet).
    pub async fn draw_contribution(&self, id: &str) -> Result<Option<DrawContribution>, AppError> {
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        rows.iter()
            .find(|r| r.kind == "draw.contributed")
            .map(|r| serde_json::from_str(&r.payload))
            .transpose()
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// A draw committed and waiting for its contribution (public: the commitment is a public
    /// entry). `DRAW_NOT_PENDING` once revealed or failed, not found when there is no such draw.
    pub async fn pending_draw(&self, id: &str) -> Result<DrawCommitted, AppError> {
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        let committed = rows
            .iter()
            .find(|r| r.kind == "draw.committed")
            .ok_or(AppError::NotFound("抽取记录不存在"))?;
        if rows
            .iter()
            .any(|r| r.kind == "draw.revealed" || r.kind == "draw.failed")
        {
            return Err(AppError::refused(
                "DRAW_NOT_PENDING",
                "该次抽取已经揭示（或已失败），不再接受随机数",
            ));
        }
        serde_json::from_str(&committed.payload).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The streams under `prefix` of the draws committed and neither revealed nor failed, in
    /// ledger order.
    async fn open_draw_streams(&self, prefix: &str) -> Result<Vec<String>, AppError> {
        let mut open: Vec<String> = Vec::new();
        for (stream, kind, _) in self.store.stream_kinds_with_prefix(prefix).await? {
            match kind.as_str() {
                "draw.committed" => open.push(stream),
                "draw.revealed" | "draw.failed" => open.retain(|s| *s != stream),
                _ => {}
            }
        }
        Ok(open)
    }

    /// A supervisor's contribution to a committed draw, recorded in its own transaction (the
    /// supervisor has its receipt before anything is drawn), then the reveal, the draw and the
    /// panel: `seed = SM3(secret ‖ root ‖ value)`. The platform committed to its secret before
    /// the value existed; once the value is in the ledger it cannot be replaced, so a platform
    /// that withheld the reveal would be seen withholding it. The supervisor does not know the
    /// secret. Neither alone can choose the panel (docs/experts.md).
    pub async fn contribute_to_draw(
        &self,
        caller: &Caller,
        id: &str,
        input: NewContribution,
    ) -> Result<(DrawCommitted, DrawRevealed), AppError> {
        caller.require(Role::Supervisor)?;
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        let committed_row = rows
            .iter()
            .find(|r| r.kind == "draw.committed")
            .ok_or(AppError::NotFound("抽取记录不存在"))?;
        // Not the trading center's own accounts, and never the account that committed.
        if caller.has(Role::Operator) || committed_row.actor == caller.username {
            return Err(AppError::refused(
                "DRAW_CONTRIBUTOR_CONFLICT",
                "交易中心的账号（包括发起本次抽取的账号）不能投入随机数，须由监督人员投入",
            ));
        }
        let committed: DrawCommitted = serde_json::from_str(&committed_row.payload)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if !input
            .commitment
            .trim()
            .eq_ignore_ascii_case(&committed.commitment)
        {
            return Err(AppError::refused(
                "DRAW_COMMITMENT_MISMATCH",
                "所附的承诺值与该次抽取的承诺不符，请核对页面上的承诺值",
            ));
        }
        let value = contribution_bytes(input.value.trim()).ok_or_else(|| {
            AppError::refused(
                "DRAW_CONTRIBUTION_FORMAT",
                "随机数应为64位十六进制数字（32字节）",
            )
        })?;
        if committed.request.evaluation_date < Date::of_instant(self.now_ms()) {
            return Err(AppError::refused(
                "DRAW_DATE_PAST",
                "评标日期已过，该次抽取不再揭示；请重新发起抽取",
            ));
        }
        let contribution = DrawContribution {
            account: caller.username.clone(),
            value: hex::encode(value),
        };
        // The contribution, alone in its transaction, after checking in it that the draw still
        // waits for one.
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let kinds: Vec<String> = tx
            .stream_entries(&draw_stream(id))
            .await?
            .into_iter()
            .map(|r| r.kind)
            .collect();
        if kinds
            .iter()
            .any(|k| k == "draw.contributed" || k == "draw.revealed" || k == "draw.failed")
        {
            return Err(AppError::refused(
                "DRAW_NOT_PENDING",
                "该次抽取已经投入随机数（或已揭示、已失败），不再接受随机数",
            ));
        }
        append(
            &mut tx,
            &self.key,
            &self.settings.origin,
            now,
            vec![NewEntry {
                stream: draw_stream(id),
                kind: "draw.contributed".into(),
                visibility: Visibility::Public,
                actor: caller.username.clone(),
                payload: serde_json::json!({
                    "id": id,
                    "account": contribution.account,
                    "value": contribution.value,
                }),
            }],
        )
        .await?;
        tx.commit().await?;
        self.reveal_draw(caller, id).await
    }

    /// The reveal of a draw whose contribution is recorded: the secret, the seed, the draw and the
    /// panel in one transaction (or the secret in a public `draw.failed` when the draw runs
    /// short). Run by the contribution's own request; run again (by supervision or the trading
    /// center) if that request did not finish — the result is fixed by what is recorded.
    pub async fn reveal_draw(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(DrawCommitted, DrawRevealed), AppError> {
        if !caller.has_any(&[Role::Supervisor, Role::Operator]) {
            return Err(AppError::NotAuthorized);
        }
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        let committed_row = rows
            .iter()
            .find(|r| r.kind == "draw.committed")
            .ok_or(AppError::NotFound("抽取记录不存在"))?;
        let committed: DrawCommitted = serde_json::from_str(&committed_row.payload)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let contributions: Vec<DrawContribution> = rows
            .iter()
            .filter(|r| r.kind == "draw.contributed")
            .map(|r| serde_json::from_str(&r.payload))
            .collect::<Result<_, _>>()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if contributions.is_empty() {
            return Err(AppError::refused("DRAW_PENDING", "该次抽取尚未投入随机数"));
        }
        let values = contributions
            .iter()
            .map(|c| contribution_bytes(&c.value))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| AppError::Internal("a recorded contribution".into()))?;
        let secret = self.draw_secret(id);
        if sm3(&secret).to_hex() != committed.commitment {
            return Err(AppError::Internal(
                "the draw's secret does not match".into(),
            ));
        }
        // The root of the tree just after the commitment's own transaction.
        let commitment_size = committed_row.seq as u64 + 1;
        let newest = self.ledger_head().await?.head.size;
        let root = self
            .consistency_of_sizes(commitment_size, newest)
            .await?
            .first_root;
        let seed = draw_seed(&secret, &root, &values);
        let procedure: Procedure = self
            .load_procedure(procedure_of_lot(&committed.lot)?)
            .await?;
        let tenderee = procedure.draft.tenderee.to_string();
        let agency = procedure.draft.agency.as_ref().map(|a| a.to_string());
        // Pool id (public, this draw only) → pseudonym (lasting, confidential), recomputed.
        let in_pool: std::collections::BTreeSet<&str> = committed
            .pool
            .iter()
            .map(|e| e.pseudonym.as_str())
            .collect();
        let experts = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "expert",
                    ..Default::default()
                },
                10_000_000,
                0,
            )
            .await?;
        let mut pool_ids: std::collections::BTreeMap<String, String> =
            std::collections::BTreeMap::new();
        for row in &experts.items {
            let expert: Expert = decode_state(&row.state)?;
            let pool_id = self.pool_id(id, &expert.pseudonym);
            if in_pool.contains(pool_id.as_str()) {
                pool_ids.insert(pool_id, expert.pseudonym);
            }
        }
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        // Checked in the transaction that writes the outcome: one outcome per draw.
        if tx
            .stream_entries(&draw_stream(id))
            .await?
            .iter()
            .any(|r| r.kind == "draw.revealed" || r.kind == "draw.failed")
        {
            return Err(AppError::refused(
                "DRAW_NOT_PENDING",
                "该次抽取已经揭示（或已失败）",
            ));
        }
        let result = match draw_experts(&committed.pool, &committed.request, *seed.as_bytes()) {
            Ok(result) => result,
            Err(error) => {
                // Overlapping categories can run short only in the draw itself: the secret is
                // still revealed, so the commitment is closed in public and can be checked.
                append(
                    &mut tx,
                    &self.key,
                    &self.settings.origin,
                    now,
                    vec![NewEntry {
                        stream: draw_stream(id),
                        kind: "draw.failed".into(),
                        visibility: Visibility::Public,
                        actor: caller.username.clone(),
                        payload: serde_json::json!({
                            "id": id,
                            "secret": hex::encode(&secret),
                            "head_size": commitment_size,
                            "head_root": root.to_hex(),
                            "contributions": contributions,
                            "seed": seed.to_hex(),
                            "reason": error.to_string(),
                        }),
                    }],
                )
                .await?;
                tx.commit().await?;
                return Err(error.into());
            }
        };
        // The panel works with pseudonyms; the public record with this draw's pool ids.
        let real = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .map(|p| pool_ids.get(p).cloned().unwrap_or_else(|| p.clone()))
                .collect()
        };
        let by_pseudonym: Vec<domain::CategoryDraw> = result
            .panels
            .iter()
            .map(|p| domain::CategoryDraw {
                category: p.category.clone(),
                experts: real(&p.experts),
                backups: real(&p.backups),
            })
            .collect();
        let panel_ids: std::collections::BTreeMap<String, String> = result
            .panels
            .iter()
            .flat_map(|p| p.experts.iter().chain(p.backups.iter()))
            .filter_map(|pool| pool_ids.get(pool).map(|p| (p.clone(), pool.clone())))
            .collect();
        let revealed = DrawRevealed {
            id: id.to_string(),
            secret: hex::encode(&secret),
            head_size: commitment_size,
            head_root: root.to_hex(),
            seed: seed.to_hex(),
            result,
            contributions,
        };
        // The reveal and the panel, in one transaction.
        let panel_stream = Panel::stream(id);
        let (decided, mut entries) = decide::<Option<Panel>>(
            &mut tx,
            &panel_stream,
            PanelCommand::Form {
                draw: id.to_string(),
                lot: committed.lot.clone(),
                procedure: procedure.id.clone(),
                tenderee,
                agency,
                evaluation_date: committed.request.evaluation_date,
                confirm_minutes: committed.confirm_minutes,
                panels: by_pseudonym,
                pool_ids: panel_ids,
            },
            &caller.username,
            now,
        )
        .await?;
        entries.insert(
            0,
            NewEntry {
                stream: draw_stream(id),
                kind: "draw.revealed".into(),
                visibility: Visibility::Public,
                actor: caller.username.clone(),
                payload: serde_json::to_value(&revealed)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            },
        );
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts.last().map_or(0, |r| r.seq);
        project(&mut tx, &panel_stream, &decided.after, last).await?;
        tx.commit().await?;
        Ok((committed, revealed))
    }

    /// A draw's secret: a keyed digest of its id (32 bytes), so that nothing secret is stored
    /// between the commitment and the reveal.
    pub(crate) fn draw_secret(&self, draw: &str) -> Vec<u8> {
        self.key
            .keyed_digest(format!("draw-secret\n{draw}").as_bytes())
            .as_bytes()
            .to_vec()
    }

    /// An expert's id in one draw's public record: unlinkable across draws without the key.
    pub(crate) fn pool_id(&self, draw: &str, pseudonym: &str) -> String {
        let digest = self
            .key
            .keyed_digest(format!("draw-pool\n{draw}\n{pseudonym}").as_bytes());
        format!("P{}", &digest.to_hex()[..16])
    }

    /// The salt of an expert's name commitment in one draw: a keyed digest, so nothing is stored
    /// and nobody without the platform's key can test guesses at a name.
    pub(crate) fn name_salt(&self, draw: &str, pseudonym: &str) -> Vec<u8> {
        self.key
            .keyed_digest(format!("draw-name\n{draw}\n{pseudonym}").as_bytes())
            .as_bytes()
            .to_vec()
    }

    /// When the performance record keeps an expert out (the rule set of the procedure's
    /// category and region on the evaluation day).
    pub(crate) async fn rating_rule(
        &self,
        rule_category: &str,
        region: &str,
        date: Date,
    ) -> Result<RatingRule, AppError> {
        let rules = self.resolve_rules(rule_category, region, date).await?;
        let value = |key: &str| -> Result<i64, AppError> { Ok(rules.threshold(key)?) };
        Ok(RatingRule {
            below: value("expert_rating_poor_below")?.clamp(0, 100) as u8,
            count: value("expert_poor_ratings_to_exclude")?.max(0) as u32,
            window_days: value("expert_rating_window_days")?.max(0) as u32,
        })
    }

    /// A draw's public record, as stored.
    pub async fn draw_record(&self, id: &str) -> Result<DrawRecord, AppError> {
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        let decode = |row: &store::EntryRow| -> Result<serde_json::Value, AppError> {
            serde_json::from_str(&row.payload).map_err(|e| AppError::Internal(e.to_string()))
        };
        let one = |kind: &str| -> Result<serde_json::Value, AppError> {
            let row = rows
                .iter()
                .find(|r| r.kind == kind)
                .ok_or(AppError::NotFound("抽取记录不存在"))?;
            decode(row)
        };
        let internal = |e: serde_json::Error| AppError::Internal(e.to_string());
        let committed = serde_json::from_value(one("draw.committed")?).map_err(internal)?;
        let revealed = serde_json::from_value(one("draw.revealed")?).map_err(internal)?;
        let replaced = rows
            .iter()
            .filter(|r| r.kind == "draw.replaced")
            .map(|r| serde_json::from_value(decode(r)?).map_err(internal))
            .collect::<Result<Vec<DrawReplaced>, AppError>>()?;
        let disclosed = match rows.iter().find(|r| r.kind == "draw.disclosed") {
            Some(row) => Some(serde_json::from_value(decode(row)?).map_err(internal)?),
            None => None,
        };
        Ok(DrawRecord {
            committed,
            revealed,
            replaced,
            disclosed,
        })
    }

    /// What ties a draw's public record to the ledger, so that anyone checks it offline
    /// against the platform's key alone: each of the draw's entries (header, payload and salt)
    /// with its inclusion proof to the newest signed head, and the root of the tree just after
    /// the commitment — the root the seed is made from — with a consistency proof from it to
    /// that head (so it holds even if that size's head row were gone).
    pub async fn draw_record_proof(&self, id: &str) -> Result<RecordProof, AppError> {
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        let committed = rows
            .iter()
            .find(|r| r.kind == "draw.committed")
            .ok_or(AppError::NotFound("抽取记录不存在"))?;
        let tree_head = self.ledger_head().await?;
        let size = tree_head.head.size;
        let mut entries = Vec::new();
        for row in &rows {
            let proof = self.inclusion_to_size(row.seq as u64, Some(size)).await?;
            entries.push(crate::tendering::holder::ProvenEntry {
                entry: crate::witness::verify::entry_of_row(row)?,
                path: proof.path,
            });
        }
        let commitment_size = committed.seq as u64 + 1;
        let consistency = self.consistency_of_sizes(commitment_size, size).await?;
        Ok(RecordProof {
            tree_head,
            entries,
            commitment_size,
            commitment_root: consistency.first_root,
            consistency: consistency.path,
        })
    }

    /// A draw's two first public entries, as stored.
    pub async fn draw_entries(&self, id: &str) -> Result<(DrawCommitted, DrawRevealed), AppError> {
        let record = self.draw_record(id).await?;
        Ok((record.committed, record.revealed))
    }
}
