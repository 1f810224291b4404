//! 专家抽取 — the verifiable expert draw (platform.md §2 principle 4). The avoidance rules are
//! applied to the confidential database first; then a commitment to a fresh secret is witnessed
//! with the public inputs (the eligible pool by pseudonym and category, the needs); then the
//! secret is revealed with the seed `SM3(secret ‖ root of the head signed with the commitment)`,
//! and the documented shuffle (`domain::draw_experts`) is run on the public inputs. Anyone can
//! rerun it from the two public entries (`check_draw`, `ggzy verify draw`).

use crypto::{Sm3Hash, sm3, sm3_concat};
use domain::{
    Date, DomainError, DrawRequest, DrawResult, Expert, PoolExpert, Procedure, Role, draw_experts,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};
use store::DocumentFilter;

use crate::keys::decode_state;
use crate::tender::procedure_of_lot;
use crate::witness::NewEntry;
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
}

/// The public entry written before the draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawCommitted {
    pub id: String,
    pub lot: String,
    /// The request with the parties left out (they are confidential); avoidance was applied
    /// before, so every expert of `pool` is eligible.
    pub request: DrawRequest,
    /// The eligible experts: pseudonyms and categories only.
    pub pool: Vec<PoolExpert>,
    /// How many experts the avoidance rules set aside (by rule, not by name).
    pub excluded: u32,
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
    /// SM3(secret ‖ root), hex.
    pub seed: String,
    pub result: DrawResult,
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
    let seed = sm3_concat(&[&secret, root.as_bytes()]);
    if seed.to_hex() != revealed.seed {
        return Err("随机种子不是由秘密值和树根导出的".into());
    }
    let result = draw_experts(&committed.pool, &committed.request, *seed.as_bytes())
        .map_err(|e| format!("按公开输入重抽失败：{e}"))?;
    if result != revealed.result {
        return Err("按公开输入重抽的结果与公布的结果不同".into());
    }
    Ok(result)
}

impl App {
    /// 专家抽取 for a lot (the trading center). Refuses, changing nothing, when a category has
    /// too few eligible experts.
    pub async fn draw_experts(
        &self,
        caller: &Caller,
        input: NewDraw,
    ) -> Result<(DrawCommitted, DrawRevealed), AppError> {
        caller.require(Role::Operator)?;
        let id_procedure = procedure_of_lot(&input.lot)?;
        let procedure: Procedure = self.load_procedure(id_procedure).await?;
        procedure.lot(&input.lot).ok_or(DomainError::LotNotFound)?;
        let evaluation_date = Date::parse(&input.evaluation_date)?;
        if input.needs.is_empty() || input.needs.iter().any(|(_, n)| *n == 0) {
            return Err(AppError::refused(
                "DRAW_NEEDS",
                "应至少抽取一个类别、每类至少一人",
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
        let confidential = DrawRequest {
            lot: input.lot.clone(),
            evaluation_date,
            needs: input.needs.clone(),
            backups: input.backups,
            tenderee: procedure.draft.tenderee.to_string(),
            agency: procedure.draft.agency.as_ref().map(|a| a.to_string()),
            bidders: bids.items.iter().map(|b| b.key2.clone()).collect(),
            recent_days: input.recent_days,
            excluded_regions: input.excluded_regions.clone(),
        };
        let experts = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "expert",
                    ..Default::default()
                },
                1_000_000,
                0,
            )
            .await?;
        let mut pool = Vec::new();
        let mut excluded = 0u32;
        for row in &experts.items {
            let expert: Expert = decode_state(&row.state)?;
            let full = PoolExpert {
                pseudonym: expert.pseudonym.clone(),
                categories: expert.record.categories.clone(),
                employer: expert.record.employer.to_string(),
                region: expert.record.region.to_string(),
                related: Vec::new(),
                recent: Vec::new(),
                leave: expert.leaves.iter().map(|l| (l.from, l.to)).collect(),
                active: expert.status == domain::ExpertStatus::Active,
            };
            if confidential.exclusion(&full).is_some() {
                excluded += 1;
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
            pool.push(PoolExpert {
                pseudonym: expert.pseudonym,
                categories,
                employer: String::new(),
                region: String::new(),
                related: Vec::new(),
                recent: Vec::new(),
                leave: Vec::new(),
                active: true,
            });
        }
        pool.sort_by(|a, b| a.pseudonym.cmp(&b.pseudonym));
        let public = DrawRequest {
            tenderee: "（已隐去）".into(),
            agency: None,
            bidders: Vec::new(),
            recent_days: 0,
            excluded_regions: Vec::new(),
            ..confidential
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
        let secret: [u8; 32] = rand::random();
        let id = format!("{}-{}", input.lot, self.now_ms());
        let committed = DrawCommitted {
            id: id.clone(),
            lot: input.lot.clone(),
            request: public,
            pool,
            excluded,
            commitment: sm3(&secret).to_hex(),
        };
        let receipts = self
            .witness(vec![NewEntry {
                stream: draw_stream(&id),
                kind: "draw.committed".into(),
                visibility: Visibility::Public,
                actor: caller.username.clone(),
                payload: serde_json::to_value(&committed)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            }])
            .await?;
        let head = &receipts[0].tree_head.head;
        let seed = sm3_concat(&[&secret, head.root.as_bytes()]);
        let result = draw_experts(&committed.pool, &committed.request, *seed.as_bytes())?;
        let revealed = DrawRevealed {
            id: id.clone(),
            secret: hex::encode(secret),
            head_size: head.size,
            head_root: head.root.to_hex(),
            seed: seed.to_hex(),
            result,
        };
        self.witness(vec![NewEntry {
            stream: draw_stream(&id),
            kind: "draw.revealed".into(),
            visibility: Visibility::Public,
            actor: caller.username.clone(),
            payload: serde_json::to_value(&revealed)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        }])
        .await?;
        Ok((committed, revealed))
    }

    /// A draw's two public entries, as stored.
    pub async fn draw_entries(&self, id: &str) -> Result<(DrawCommitted, DrawRevealed), AppError> {
        let rows = self.store.stream_entries(&draw_stream(id)).await?;
        let decode = |kind: &str| -> Result<serde_json::Value, AppError> {
            let row = rows
                .iter()
                .find(|r| r.kind == kind)
                .ok_or(AppError::NotFound("抽取记录不存在"))?;
            serde_json::from_str(&row.payload).map_err(|e| AppError::Internal(e.to_string()))
        };
        let committed = serde_json::from_value(decode("draw.committed")?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let revealed = serde_json::from_value(decode("draw.revealed")?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((committed, revealed))
    }
}
