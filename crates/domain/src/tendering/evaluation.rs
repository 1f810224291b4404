//! 评标 — the evaluation methods and their formulas (rules-cn.md §3), as pure functions over the
//! experts' sheets. Money is in 分 and scores in hundredths of a point (`centi`), so every result
//! is exact and rounds once, half up, where the rules say "round to 2 decimals".
//!
//! - 综合评分法 (政府采购, 87号令 第55条): `价格分 = 评标基准价 / 评标价格 × 价格分值`, the base
//!   being the lowest evaluated price of the qualified bids; small and micro enterprises' prices
//!   are deducted first (财库〔2022〕19号) and the deducted price is the evaluated price. Ranking:
//!   total descending, then evaluated price ascending, else tied (87号令 第56条).
//! - 最低评标价法 (政府采购): evaluated price ascending, else tied (87号令 第57条).
//! - 综合评估法 (工程, 12号令, 《标准施工招标文件》 style): the base is the mean of the qualified
//!   bids (≤5 none dropped; 6: the highest dropped; ≥7: the highest and the lowest dropped) lowered
//!   by the tender's 下浮系数; `偏差率 = (报价 − 基准价) / 基准价`;
//!   `价格分 = F − |偏差率| × 100 × E` (E₁ above the base, E₂ below), never below 0.
//! - 经评审的最低投标价法 (工程, 12号令 第30条): evaluated price ascending, else tied.
//!
//! Each expert passes or fails each qualification item with a reason; an item fails a bid when
//! more than half of the experts fail it (少数服从多数). Each expert scores each factor within its
//! range; an objective factor must be scored identically by every expert (87号令 第64条), and a
//! mismatch is reported, not averaged. A factor's score is the mean of the experts' scores.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// How the bids are evaluated, with the tender's parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum EvaluationMethod {
    /// 综合评分法 (政府采购).
    Comprehensive {
        /// 价格分值 in centi-points (30 points: 3000).
        price_points: i64,
        /// 小微企业价格扣除 in basis points (10 %: 1000).
        sme_deduction_bp: i64,
    },
    /// 最低评标价法 (政府采购).
    LowestPrice { sme_deduction_bp: i64 },
    /// 综合评估法 (工程建设).
    ConstructionComprehensive {
        /// F: the full price score in centi-points.
        price_points: i64,
        /// E₁: centi-points off per 1 % above the base.
        above_per_pct: i64,
        /// E₂: centi-points off per 1 % below the base.
        below_per_pct: i64,
        /// 下浮系数 in basis points (the base is the trimmed mean × (1 − this)).
        downward_bp: i64,
    },
    /// 经评审的最低投标价法 (工程建设).
    ReviewedLowestPrice,
}

impl EvaluationMethod {
    pub(crate) fn sme_deduction_bp(&self) -> i64 {
        match self {
            Self::Comprehensive {
                sme_deduction_bp, ..
            }
            | Self::LowestPrice { sme_deduction_bp } => *sme_deduction_bp,
            _ => 0,
        }
    }

    /// Whether the experts score factors besides the price.
    pub fn scores_factors(&self) -> bool {
        matches!(
            self,
            Self::Comprehensive { .. } | Self::ConstructionComprehensive { .. }
        )
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Comprehensive { .. } => "综合评分法",
            Self::LowestPrice { .. } => "最低评标价法",
            Self::ConstructionComprehensive { .. } => "综合评估法",
            Self::ReviewedLowestPrice => "经评审的最低投标价法",
        }
    }
}

/// A scored factor other than the price (技术、商务…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    pub key: String,
    pub name: String,
    /// The most points, in centi-points.
    pub max: i64,
    /// 客观分: every expert must give the same score.
    pub objective: bool,
}

/// A bid as the evaluation sees it, from the opening record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidLine {
    pub bidder: String,
    pub price_fen: i64,
    /// 小微企业 (declared and checked by the committee).
    pub small_enterprise: bool,
    /// 中小企业 (declared; a small or micro enterprise is one too): what a lot reserved for
    /// small and medium enterprises requires.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sme: bool,
    /// The share of the contract a 联合体 or 分包 agreement gives to small and micro
    /// enterprises, in basis points (财库〔2020〕46号 第9条).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub small_share_bp: i64,
}

fn is_zero_i64(value: &i64) -> bool {
    *value == 0
}

/// One expert's verdict on one qualification item of one bid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemVerdict {
    pub bidder: String,
    pub item: String,
    pub pass: bool,
    /// Required when failing.
    pub reason: String,
}

/// One expert's score of one factor of one bid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorScore {
    pub bidder: String,
    pub factor: String,
    pub score: i64,
}

/// One expert's sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    pub expert: String,
    pub verdicts: Vec<ItemVerdict>,
    pub scores: Vec<FactorScore>,
}

/// What keeps an evaluation from being aggregated: shown to the experts as a to-do list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum SheetGap {
    /// An expert has not judged a qualification item of a bid.
    MissingVerdict {
        expert: String,
        bidder: String,
        item: String,
    },
    /// A failed item without a reason.
    MissingReason {
        expert: String,
        bidder: String,
        item: String,
    },
    /// An expert has not scored a factor of a qualified bid.
    MissingScore {
        expert: String,
        bidder: String,
        factor: String,
    },
    /// A score outside 0..=max.
    OutOfRange {
        expert: String,
        bidder: String,
        factor: String,
        score: i64,
        max: i64,
    },
    /// Experts gave different scores to an objective factor.
    ObjectiveMismatch {
        bidder: String,
        factor: String,
        scores: Vec<(String, i64)>,
    },
}

impl SheetGap {
    /// The gap in Chinese, for the expert's to-do list.
    pub fn describe(&self) -> String {
        match self {
            Self::MissingVerdict {
                expert,
                bidder,
                item,
            } => format!("{expert}：尚未审查 {bidder} 的「{item}」"),
            Self::MissingReason {
                expert,
                bidder,
                item,
            } => format!("{expert}：{bidder} 的「{item}」判为不合格，须写明理由"),
            Self::MissingScore {
                expert,
                bidder,
                factor,
            } => format!("{expert}：尚未给 {bidder} 的「{factor}」打分"),
            Self::OutOfRange {
                expert,
                bidder,
                factor,
                score,
                max,
            } => format!(
                "{expert}：{bidder} 的「{factor}」得分 {} 超出 0–{}",
                centi_text(*score),
                centi_text(*max)
            ),
            Self::ObjectiveMismatch {
                bidder,
                factor,
                scores,
            } => format!(
                "客观分不一致：{bidder} 的「{factor}」各专家打分为 {}，须协商一致",
                scores
                    .iter()
                    .map(|(e, s)| format!("{e} {}", centi_text(*s)))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        }
    }
}

/// Whether a committee of `members` satisfies the rule set's minimum: at least `min`, and an
/// odd number (招标投标法 第37条; 87号令 第47条).
pub fn committee_size_ok(members: usize, min: i64) -> bool {
    let n = members as i64;
    n >= min && n % 2 == 1
}

/// Centi-points as text with two decimals, e.g. `27.27`.
pub fn centi_text(centi: i64) -> String {
    let sign = if centi < 0 { "-" } else { "" };
    let v = centi.unsigned_abs();
    format!("{sign}{}.{:02}", v / 100, v % 100)
}

/// `a × b / c` rounded half up, for non-negative operands (in i128, so no overflow).
fn mul_div_round(a: i64, b: i64, c: i64) -> i64 {
    if c <= 0 {
        return 0;
    }
    let (a, b, c) = (i128::from(a), i128::from(b), i128::from(c));
    let value = (a * b * 2 + c) / (2 * c);
    value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// One bid's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultLine {
    pub bidder: String,
    pub price_fen: i64,
    /// After the policy deduction: what the formulas use.
    pub evaluated_price_fen: i64,
    pub qualified: bool,
    /// The failed items with every failing expert's reason.
    pub failed_items: Vec<(String, Vec<String>)>,
    /// Centi-points (0 where the method has no price score).
    pub price_score: i64,
    /// Factor key → mean score, centi-points.
    pub factor_scores: BTreeMap<String, i64>,
    pub total: i64,
    /// 1-based; tied bids share a rank. `None` for a disqualified bid.
    pub rank: Option<u32>,
    /// Below the abnormally-low threshold: the committee must hear the bidder (87号令 第60条;
    /// 12号令 第21条) before the result stands.
    pub abnormally_low: bool,
}

/// The committee's aggregated result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationOutcome {
    pub method: EvaluationMethod,
    /// The base price (评标基准价) in 分, when the method has one.
    pub base_price_fen: Option<i64>,
    /// Ranked, then the disqualified bids.
    pub lines: Vec<ResultLine>,
    /// 中标候选人 in order: never more than the rule set's number (实施条例 第53条).
    pub candidates: Vec<String>,
    /// Bids tied at the last place (equal score and price) that do not all fit: left out of
    /// `candidates` together (rule `candidate_tie_at_cut`), for the evaluation report to name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tied_at_cut: Vec<String>,
}

/// What the evaluation needs besides the sheets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationTerms {
    pub method: EvaluationMethod,
    /// Qualification items (资格性/符合性审查), every one checked for every bid.
    pub items: Vec<String>,
    pub factors: Vec<Factor>,
    /// At most this many candidates (rule set `max_candidates`).
    pub max_candidates: u32,
    /// A bid whose evaluated price is below this share of the mean of the qualified bids is
    /// flagged as abnormally low (basis points; 0: no check).
    pub abnormal_low_bp: i64,
    /// Rule `candidate_tie_price`: equal scores are ordered by 1 the quoted price (投标报价,
    /// 87号令 第56条) or 2 the evaluated price (after the small-enterprise deduction); 0 (terms
    /// frozen before the rule existed) as 2.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tie_price: u8,
    /// Rule `candidate_tie_at_cut`: 1 (and 0) a tied group that does not fit in the candidates
    /// is left out together and listed in `tied_at_cut`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tie_at_cut: u8,
    /// 专门面向中小企业采购 (财库〔2020〕46号 第8条): only small and medium enterprises may bid,
    /// and no price deduction applies (第9条).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reserved_for_sme: bool,
    /// The deduction for a 联合体 or a main contractor whose agreement gives small and micro
    /// enterprises at least `consortium_share_min_bp` of the contract (basis points; 财库〔2022〕
    /// 19号: 4–6 %, works 1–2 %; 0: none).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub consortium_deduction_bp: i64,
    /// The least share of the contract that earns the consortium deduction (basis points; rule
    /// `sme_consortium_share_min`, 30 %).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub consortium_share_min_bp: i64,
}

fn is_zero(value: &u8) -> bool {
    *value == 0
}

impl EvaluationTerms {
    /// The platform's standard terms of a rule category, frozen into a lot whose tender does not
    /// state its own: construction 综合评估法 (price 60 points, −1 per 1 % above the base, −0.5
    /// per 1 % below, no 下浮; 施工组织设计 30, 项目管理机构 10 objective); otherwise 综合评分法
    /// (price 30 points, small enterprises −10 %; 技术 50, 商务 20 objective).
    pub fn standard(rule_category: &str) -> Self {
        let factor = |key: &str, name: &str, max: i64, objective: bool| Factor {
            key: key.into(),
            name: name.into(),
            max,
            objective,
        };
        let items = vec!["资格审查".to_string(), "符合性审查".to_string()];
        if rule_category == "construction" {
            Self {
                method: EvaluationMethod::ConstructionComprehensive {
                    price_points: 6000,
                    above_per_pct: 100,
                    below_per_pct: 50,
                    downward_bp: 0,
                },
                items,
                factors: vec![
                    factor("organisation", "施工组织设计", 3000, false),
                    factor("management", "项目管理机构", 1000, true),
                ],
                max_candidates: 3,
                tie_price: 0,
                tie_at_cut: 0,
                abnormal_low_bp: 8500,
                reserved_for_sme: false,
                consortium_deduction_bp: 0,
                consortium_share_min_bp: 0,
            }
        } else {
            Self {
                method: EvaluationMethod::Comprehensive {
                    price_points: 3000,
                    sme_deduction_bp: 1000,
                },
                items,
                factors: vec![
                    factor("technical", "技术", 5000, false),
                    factor("commercial", "商务", 2000, true),
                ],
                max_candidates: 3,
                tie_price: 0,
                tie_at_cut: 0,
                abnormal_low_bp: 8500,
                reserved_for_sme: false,
                consortium_deduction_bp: 0,
                consortium_share_min_bp: 0,
            }
        }
    }

    /// The terms in words, as the notice and the procedure page state them.
    pub fn describe_zh(&self) -> String {
        let price = match &self.method {
            EvaluationMethod::Comprehensive {
                price_points,
                sme_deduction_bp,
            } => format!(
                "价格分 {} 分（评标基准价为最低评标价；小微企业价格扣除 {}%）",
                centi_text(*price_points),
                centi_text(*sme_deduction_bp)
            ),
            EvaluationMethod::LowestPrice { sme_deduction_bp } => format!(
                "按评标价由低到高排序（小微企业价格扣除 {}%）",
                centi_text(*sme_deduction_bp)
            ),
            EvaluationMethod::ConstructionComprehensive {
                price_points,
                above_per_pct,
                below_per_pct,
                downward_bp,
            } => format!(
                "价格分 {} 分（高于评标基准价每1%扣 {} 分，低于每1%扣 {} 分；基准价下浮 {}%）",
                centi_text(*price_points),
                centi_text(*above_per_pct),
                centi_text(*below_per_pct),
                centi_text(*downward_bp)
            ),
            EvaluationMethod::ReviewedLowestPrice => "按经评审的投标价由低到高排序".to_string(),
        };
        let factors = self
            .factors
            .iter()
            .map(|f| {
                format!(
                    "{} {} 分{}",
                    f.name,
                    centi_text(f.max),
                    if f.objective { "（客观分）" } else { "" }
                )
            })
            .collect::<Vec<_>>()
            .join("、");
        let mut text = format!("{}：{price}", self.method.label_zh());
        if self.consortium_deduction_bp > 0 {
            text.push_str(&format!(
                "；联合体或分包协议约定小微企业合同份额达到 {}% 的，价格扣除 {}%",
                centi_text(self.consortium_share_min_bp),
                centi_text(self.consortium_deduction_bp)
            ));
        }
        if self.reserved_for_sme {
            text.push_str(
                "；本项目专门面向中小企业采购，投标人须提交中小企业声明函，不再执行价格扣除",
            );
        }
        if !factors.is_empty() {
            text.push_str(&format!("；{factors}"));
        }
        text.push_str(&format!(
            "；审查项：{}；中标候选人不超过 {} 名",
            self.items.join("、"),
            self.max_candidates
        ));
        text
    }

    /// Checks the terms as a tender states them; the reason in Chinese.
    pub fn validate(&self) -> Result<(), String> {
        if self.items.is_empty() || self.items.iter().any(|i| i.trim().is_empty()) {
            return Err("至少应有一项资格/符合性审查项，且不能为空".into());
        }
        let mut keys = BTreeSet::new();
        for factor in &self.factors {
            if factor.key.trim().is_empty() || !keys.insert(factor.key.as_str()) {
                return Err("评分因素的编号不能为空或重复".into());
            }
            if factor.max <= 0 {
                return Err(format!("评分因素「{}」的分值应大于零", factor.name));
            }
        }
        if !(1..=9).contains(&self.max_candidates) {
            return Err("中标候选人数应在1到9之间".into());
        }
        if self.tie_price > 2 || self.tie_at_cut > 1 {
            return Err("并列排序规则代码无效".into());
        }
        if !(0..=10_000).contains(&self.abnormal_low_bp) {
            return Err("异常低价比例应在0到100%之间".into());
        }
        if self.factors.iter().any(|f| f.max > 10_000) {
            return Err("评分因素分值不能超过100分".into());
        }
        let factor_points: i64 = self.factors.iter().map(|f| f.max).sum();
        if !(0..=1_000).contains(&self.consortium_deduction_bp)
            || !(0..=10_000).contains(&self.consortium_share_min_bp)
        {
            return Err(
                "联合体（分包）价格扣除应在0到10%之间，小微企业合同份额应在0到100%之间".into(),
            );
        }
        // The consortium deduction is the procurement policy's; the construction methods have
        // none.
        if self.consortium_deduction_bp > 0
            && !matches!(
                self.method,
                EvaluationMethod::Comprehensive { .. } | EvaluationMethod::LowestPrice { .. }
            )
        {
            return Err("联合体（分包）价格扣除仅适用于综合评分法和最低评标价法".into());
        }
        if self.consortium_deduction_bp > 0 && self.consortium_share_min_bp == 0 {
            return Err("设定联合体（分包）价格扣除时应写明小微企业合同份额的最低比例".into());
        }
        if self.reserved_for_sme
            && (self.method.sme_deduction_bp() != 0 || self.consortium_deduction_bp != 0)
        {
            return Err("专门面向中小企业采购的项目不再执行价格扣除，小微企业和联合体（分包）价格扣除均应为0（财库〔2020〕46号 第9条）".into());
        }
        match &self.method {
            EvaluationMethod::Comprehensive {
                price_points,
                sme_deduction_bp,
            } => {
                if !(0..=10_000).contains(price_points) || price_points + factor_points != 10_000 {
                    return Err("价格分与各评分因素分值之和应为100分".into());
                }
                if !(0..=2_000).contains(sme_deduction_bp) {
                    return Err("小微企业价格扣除应在0到20%之间".into());
                }
            }
            EvaluationMethod::ConstructionComprehensive {
                price_points,
                above_per_pct,
                below_per_pct,
                downward_bp,
            } => {
                if !(0..=10_000).contains(price_points) || price_points + factor_points != 10_000 {
                    return Err("价格分与各评分因素分值之和应为100分".into());
                }
                if !(0..=*price_points).contains(above_per_pct)
                    || !(0..=*price_points).contains(below_per_pct)
                    || !(0..=2_000).contains(downward_bp)
                {
                    return Err("扣分系数应在0与价格分之间，下浮系数应在0到20%之间".into());
                }
            }
            EvaluationMethod::LowestPrice { sme_deduction_bp } => {
                if !self.factors.is_empty() {
                    return Err("最低评标价法不设评分因素".into());
                }
                if !(0..=2_000).contains(sme_deduction_bp) {
                    return Err("小微企业价格扣除应在0到20%之间".into());
                }
            }
            EvaluationMethod::ReviewedLowestPrice => {
                if !self.factors.is_empty() {
                    return Err("经评审的最低投标价法不设评分因素".into());
                }
            }
        }
        Ok(())
    }
}

/// The gaps of the sheets: empty when the evaluation can be aggregated.
pub fn gaps(terms: &EvaluationTerms, bids: &[BidLine], sheets: &[Sheet]) -> Vec<SheetGap> {
    let mut gaps = BTreeSet::new();
    for sheet in sheets {
        for bid in bids {
            for item in &terms.items {
                match sheet
                    .verdicts
                    .iter()
                    .find(|v| v.bidder == bid.bidder && &v.item == item)
                {
                    None => {
                        gaps.insert(SheetGap::MissingVerdict {
                            expert: sheet.expert.clone(),
                            bidder: bid.bidder.clone(),
                            item: item.clone(),
                        });
                    }
                    Some(v) if !v.pass && v.reason.trim().is_empty() => {
                        gaps.insert(SheetGap::MissingReason {
                            expert: sheet.expert.clone(),
                            bidder: bid.bidder.clone(),
                            item: item.clone(),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        for score in &sheet.scores {
            if let Some(factor) = terms.factors.iter().find(|f| f.key == score.factor)
                && !(0..=factor.max).contains(&score.score)
            {
                gaps.insert(SheetGap::OutOfRange {
                    expert: sheet.expert.clone(),
                    bidder: score.bidder.clone(),
                    factor: factor.name.clone(),
                    score: score.score,
                    max: factor.max,
                });
            }
        }
    }
    if !gaps.is_empty() || !terms.method.scores_factors() {
        return gaps.into_iter().collect();
    }
    // Scores are asked only of the bids that passed qualification.
    for bid in bids {
        if !failed_items(terms, bid, sheets).is_empty() {
            continue;
        }
        for factor in &terms.factors {
            let mut given = Vec::new();
            for sheet in sheets {
                match sheet
                    .scores
                    .iter()
                    .find(|s| s.bidder == bid.bidder && s.factor == factor.key)
                {
                    Some(s) => given.push((sheet.expert.clone(), s.score)),
                    None => {
                        gaps.insert(SheetGap::MissingScore {
                            expert: sheet.expert.clone(),
                            bidder: bid.bidder.clone(),
                            factor: factor.name.clone(),
                        });
                    }
                }
            }
            let distinct: BTreeSet<i64> = given.iter().map(|(_, s)| *s).collect();
            if factor.objective && distinct.len() > 1 {
                gaps.insert(SheetGap::ObjectiveMismatch {
                    bidder: bid.bidder.clone(),
                    factor: factor.name.clone(),
                    scores: given,
                });
            }
        }
    }
    gaps.into_iter().collect()
}

/// The items a bid fails: those failed by more than half of the experts, with their reasons.
fn failed_items(
    terms: &EvaluationTerms,
    bid: &BidLine,
    sheets: &[Sheet],
) -> Vec<(String, Vec<String>)> {
    let mut failed = Vec::new();
    // A lot reserved for small and medium enterprises: a bid without the declaration fails,
    // whatever the experts found (财库〔2020〕46号 第8条, 第11条 中小企业声明函).
    if terms.reserved_for_sme && !(bid.sme || bid.small_enterprise) {
        failed.push((
            SME_DECLARATION_ITEM.to_string(),
            vec![
                "本项目专门面向中小企业采购，投标人未声明为中小企业（未提交中小企业声明函）"
                    .to_string(),
            ],
        ));
    }
    for item in &terms.items {
        let reasons: Vec<String> = sheets
            .iter()
            .filter_map(|sheet| {
                sheet
                    .verdicts
                    .iter()
                    .find(|v| v.bidder == bid.bidder && &v.item == item && !v.pass)
                    .map(|v| format!("{}：{}", sheet.expert, v.reason.trim()))
            })
            .collect();
        if reasons.len() * 2 > sheets.len() {
            failed.push((item.clone(), reasons));
        }
    }
    failed
}

/// The qualification item a bid fails when a lot reserved for small and medium enterprises
/// receives it without the declaration.
pub const SME_DECLARATION_ITEM: &str = "中小企业声明";

/// The evaluated price: the price less the small-enterprise deduction, or the consortium
/// (subcontract) deduction where the agreement's small-enterprise share reaches the minimum
/// (财库〔2020〕46号 第9条; one or the other, never both).
fn evaluated_price(terms: &EvaluationTerms, bid: &BidLine) -> i64 {
    let deduction = if bid.small_enterprise {
        terms.method.sme_deduction_bp()
    } else if terms.consortium_deduction_bp > 0
        && bid.small_share_bp >= terms.consortium_share_min_bp
    {
        terms.consortium_deduction_bp
    } else {
        0
    };
    mul_div_round(bid.price_fen, 10_000 - deduction, 10_000)
}

/// The construction base price: the trimmed mean of the qualified prices, lowered by 下浮系数.
pub fn construction_base(prices: &[i64], downward_bp: i64) -> Option<i64> {
    let mut sorted = prices.to_vec();
    sorted.sort_unstable();
    let trimmed: &[i64] = match sorted.len() {
        0 => return None,
        1..=5 => &sorted,
        6 => &sorted[..5],
        n => &sorted[1..n - 1],
    };
    let sum: i128 = trimmed.iter().map(|p| i128::from(*p)).sum();
    let mean = (sum / trimmed.len() as i128).clamp(0, i128::from(i64::MAX)) as i64;
    Some(mul_div_round(mean, 10_000 - downward_bp, 10_000))
}

/// The construction price score: F − |偏差率| × 100 × E, never below 0.
pub fn deviation_score(price: i64, base: i64, full: i64, above: i64, below: i64) -> i64 {
    if base <= 0 || price <= 0 {
        return 0;
    }
    let per_pct = if price >= base { above } else { below };
    // |price − base| / base × 100 (percent) × per_pct, in centi-points.
    let off = mul_div_round((price - base).abs(), 100 * per_pct, base);
    (full - off).max(0)
}

/// Aggregates complete sheets (see `gaps`) into the ranked result.
pub fn aggregate(terms: &EvaluationTerms, bids: &[BidLine], sheets: &[Sheet]) -> EvaluationOutcome {
    let method = &terms.method;
    let mut lines: Vec<ResultLine> = bids
        .iter()
        .map(|bid| {
            let failed = failed_items(terms, bid, sheets);
            ResultLine {
                bidder: bid.bidder.clone(),
                price_fen: bid.price_fen,
                evaluated_price_fen: evaluated_price(terms, bid),
                qualified: failed.is_empty(),
                failed_items: failed,
                price_score: 0,
                factor_scores: BTreeMap::new(),
                total: 0,
                rank: None,
                abnormally_low: false,
            }
        })
        .collect();
    let qualified: Vec<i64> = lines
        .iter()
        .filter(|l| l.qualified)
        .map(|l| l.evaluated_price_fen)
        .collect();
    let base = match method {
        EvaluationMethod::Comprehensive { .. } => qualified.iter().copied().min(),
        EvaluationMethod::ConstructionComprehensive { downward_bp, .. } => {
            construction_base(&qualified, *downward_bp)
        }
        _ => None,
    };
    // The abnormally-low check compares the prices as quoted (a policy deduction is not a low
    // price).
    let quoted: Vec<i128> = lines
        .iter()
        .filter(|l| l.qualified)
        .map(|l| i128::from(l.price_fen))
        .collect();
    let mean = (!quoted.is_empty()).then(|| quoted.iter().sum::<i128>() / quoted.len() as i128);
    for line in lines.iter_mut().filter(|l| l.qualified) {
        line.price_score = match (method, base) {
            (EvaluationMethod::Comprehensive { price_points, .. }, Some(base)) => {
                mul_div_round(base, *price_points, line.evaluated_price_fen)
            }
            (
                EvaluationMethod::ConstructionComprehensive {
                    price_points,
                    above_per_pct,
                    below_per_pct,
                    ..
                },
                Some(base),
            ) => deviation_score(
                line.evaluated_price_fen,
                base,
                *price_points,
                *above_per_pct,
                *below_per_pct,
            ),
            _ => 0,
        };
        if method.scores_factors() {
            for factor in &terms.factors {
                let given: Vec<i64> = sheets
                    .iter()
                    .filter_map(|sheet| {
                        sheet
                            .scores
                            .iter()
                            .find(|s| s.bidder == line.bidder && s.factor == factor.key)
                            .map(|s| s.score)
                    })
                    .collect();
                let score = if given.is_empty() {
                    0
                } else {
                    mul_div_round(given.iter().sum(), 1, given.len() as i64)
                };
                line.factor_scores.insert(factor.key.clone(), score);
            }
        }
        line.total = line.price_score + line.factor_scores.values().sum::<i64>();
        line.abnormally_low = terms.abnormal_low_bp > 0
            && mean.is_some_and(|m| {
                i128::from(line.price_fen) * 10_000 < m * i128::from(terms.abnormal_low_bp)
            });
    }
    // Rank: by score (descending) then evaluated price for the scoring methods, by evaluated
    // price for the price methods; equal keys share a rank.
    let key = |l: &ResultLine| -> (i64, i64) {
        if method.scores_factors() {
            // Equal scores: by the price the rule set names (87号令 第56条: 投标报价).
            let price = if terms.tie_price == 1 {
                l.price_fen
            } else {
                l.evaluated_price_fen
            };
            (-l.total, price)
        } else {
            (0, l.evaluated_price_fen)
        }
    };
    lines.sort_by(|a, b| {
        b.qualified
            .cmp(&a.qualified)
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| a.bidder.cmp(&b.bidder))
    });
    let mut previous: Option<((i64, i64), u32)> = None;
    for (index, line) in lines.iter_mut().enumerate() {
        if !line.qualified {
            continue;
        }
        let k = key(line);
        let rank = match previous {
            Some((pk, pr)) if pk == k => pr,
            _ => index as u32 + 1,
        };
        line.rank = Some(rank);
        previous = Some((k, rank));
    }
    // 中标候选人: never more than `max_candidates` (实施条例 第53条); a tied group that does
    // not fit whole is left out together (no lot may pick among equals, 公平竞争审查规则 第8条).
    let max = terms.max_candidates as usize;
    let (mut candidates, mut tied_at_cut) = (Vec::new(), Vec::new());
    for line in &lines {
        let Some(rank) = line.rank else { continue };
        let group = lines.iter().filter(|l| l.rank == Some(rank)).count();
        if rank as usize - 1 + group <= max {
            candidates.push(line.bidder.clone());
        } else if rank as usize <= max {
            tied_at_cut.push(line.bidder.clone());
        }
    }
    EvaluationOutcome {
        method: method.clone(),
        base_price_fen: base,
        lines,
        candidates,
        tied_at_cut,
    }
}

/// An expert's signature of the evaluation report (评标报告), checked by the application against
/// the expert's certificate before it is recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSignature {
    /// SM3 fingerprint of the certificate, hex.
    pub certificate: String,
    /// The certificate itself (PEM), so that anyone can verify the signature later.
    #[serde(default)]
    pub certificate_pem: String,
    /// SM2 signature over the canonical JSON of `ReportToSign`, hex.
    pub signature: String,
    pub at_ms: i64,
}

/// What each expert signs: the report's digest and its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportToSign {
    pub lot: String,
    pub draw: String,
    /// SM3 of the canonical JSON of the outcome, hex.
    pub report_sm3: String,
    /// The signing expert's pseudonym.
    pub expert: String,
}

/// Where an evaluation stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EvaluationStatus {
    /// 评审中: experts fill in their sheets.
    Scoring,
    /// 汇总完成，待签字: the sheets are locked, the report is fixed.
    Concluded {
        outcome: EvaluationOutcome,
        report_sm3: String,
    },
    /// 评标报告已由全体专家签字.
    Signed {
        outcome: EvaluationOutcome,
        report_sm3: String,
    },
}

/// The evaluation of one lot by its committee.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub lot: String,
    pub procedure: String,
    pub draw: String,
    pub terms: EvaluationTerms,
    pub bids: Vec<BidLine>,
    /// The committee, by pseudonym.
    pub experts: Vec<String>,
    pub sheets: BTreeMap<String, Sheet>,
    pub status: EvaluationStatus,
    pub signatures: BTreeMap<String, ReportSignature>,
    pub started_at_ms: i64,
}

impl Evaluation {
    pub fn stream(lot: &str) -> String {
        format!("evaluation/{lot}")
    }

    /// The stream of the lot's evaluation in `round`: the first (0) is `evaluation/{lot}`, a
    /// re-evaluation ordered by a supervising department `evaluation/{lot}/{round}`.
    pub fn stream_of(lot: &str, round: u32) -> String {
        if round == 0 {
            Self::stream(lot)
        } else {
            format!("evaluation/{lot}/{round}")
        }
    }

    /// The committee's sheets, in committee order (missing ones empty).
    pub fn all_sheets(&self) -> Vec<Sheet> {
        self.experts
            .iter()
            .map(|e| {
                self.sheets.get(e).cloned().unwrap_or_else(|| Sheet {
                    expert: e.clone(),
                    ..Sheet::default()
                })
            })
            .collect()
    }

    /// What is still missing before the report can be concluded.
    pub fn gaps(&self) -> Vec<SheetGap> {
        gaps(&self.terms, &self.bids, &self.all_sheets())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvaluationCommand {
    Start {
        lot: String,
        procedure: String,
        draw: String,
        terms: EvaluationTerms,
        bids: Vec<BidLine>,
        experts: Vec<String>,
    },
    /// An expert saves their sheet (a draft may be incomplete).
    SaveSheet { expert: String, sheet: Sheet },
    /// The sheets are complete: aggregate and fix the report. The caller computed `outcome` and
    /// its digest from the state it read; refused if the sheets changed since.
    Conclude {
        outcome: EvaluationOutcome,
        report_sm3: String,
    },
    /// Before anyone signed: back to scoring (e.g. an arithmetic error, 87号令 第64条).
    Reopen { reason: String },
    /// An expert signs the report with digest `report_sm3` (the signature checked by the
    /// application); refused if that is no longer the report.
    Sign {
        expert: String,
        report_sm3: String,
        signature: ReportSignature,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EvaluationEvent {
    Started {
        lot: String,
        procedure: String,
        draw: String,
        terms: EvaluationTerms,
        bids: Vec<BidLine>,
        experts: Vec<String>,
        at_ms: i64,
    },
    SheetSaved {
        expert: String,
        sheet: Sheet,
        at_ms: i64,
    },
    Concluded {
        outcome: EvaluationOutcome,
        report_sm3: String,
        at_ms: i64,
    },
    Reopened {
        reason: String,
        at_ms: i64,
    },
    Signed {
        expert: String,
        signature: ReportSignature,
    },
    /// Every expert signed.
    Completed {
        at_ms: i64,
    },
}

impl EvaluationEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Started { .. } => "evaluation.started",
            Self::SheetSaved { .. } => "evaluation.sheet_saved",
            Self::Concluded { .. } => "evaluation.concluded",
            Self::Reopened { .. } => "evaluation.reopened",
            Self::Signed { .. } => "evaluation.signed",
            Self::Completed { .. } => "evaluation.completed",
        }
    }
}

/// Checks that a sheet names only bids, items and factors of the evaluation.
fn sheet_fits(evaluation: &Evaluation, sheet: &Sheet) -> Result<(), DomainError> {
    let bidders: BTreeSet<&str> = evaluation.bids.iter().map(|b| b.bidder.as_str()).collect();
    for v in &sheet.verdicts {
        if !bidders.contains(v.bidder.as_str()) || !evaluation.terms.items.contains(&v.item) {
            return Err(DomainError::SheetUnknown {
                what: format!("{} / {}", v.bidder, v.item),
            });
        }
        if !v.reason.trim().is_empty() {
            crate::fields::text_field("理由", &v.reason, 1000)?;
        }
    }
    for s in &sheet.scores {
        if !bidders.contains(s.bidder.as_str())
            || !evaluation.terms.factors.iter().any(|f| f.key == s.factor)
        {
            return Err(DomainError::SheetUnknown {
                what: format!("{} / {}", s.bidder, s.factor),
            });
        }
    }
    Ok(())
}

impl crate::Decider for Option<Evaluation> {
    type Command = EvaluationCommand;
    type Event = EvaluationEvent;

    fn decide(
        &self,
        command: EvaluationCommand,
        now_ms: i64,
    ) -> Result<Vec<EvaluationEvent>, DomainError> {
        if let EvaluationCommand::Start {
            lot,
            procedure,
            draw,
            terms,
            bids,
            experts,
        } = command
        {
            if self.is_some() {
                return Err(DomainError::EvaluationExists);
            }
            if experts.is_empty() || bids.is_empty() {
                return Err(DomainError::EvaluationNotReady {
                    reason: "没有签署回避承诺的评标专家或没有开启的投标文件".into(),
                });
            }
            return Ok(vec![EvaluationEvent::Started {
                lot,
                procedure,
                draw,
                terms,
                bids,
                experts,
                at_ms: now_ms,
            }]);
        }
        let evaluation = self.as_ref().ok_or(DomainError::EvaluationNotFound)?;
        let on_committee = |expert: &str| {
            if evaluation.experts.iter().any(|e| e == expert) {
                Ok(())
            } else {
                Err(DomainError::NotOnPanel)
            }
        };
        match command {
            EvaluationCommand::Start { .. } => unreachable!("handled above"),
            EvaluationCommand::SaveSheet { expert, mut sheet } => {
                on_committee(&expert)?;
                if evaluation.status != EvaluationStatus::Scoring {
                    return Err(DomainError::EvaluationLocked);
                }
                sheet.expert = expert.clone();
                sheet_fits(evaluation, &sheet)?;
                Ok(vec![EvaluationEvent::SheetSaved {
                    expert,
                    sheet,
                    at_ms: now_ms,
                }])
            }
            EvaluationCommand::Conclude {
                outcome: expected,
                report_sm3,
            } => {
                if evaluation.status != EvaluationStatus::Scoring {
                    return Err(DomainError::EvaluationLocked);
                }
                let missing = evaluation.gaps();
                if !missing.is_empty() {
                    return Err(DomainError::EvaluationIncomplete {
                        count: missing.len(),
                        first: missing[0].describe(),
                    });
                }
                let outcome = aggregate(
                    &evaluation.terms,
                    &evaluation.bids,
                    &evaluation.all_sheets(),
                );
                if outcome != expected {
                    return Err(DomainError::EvaluationChanged);
                }
                if outcome.candidates.is_empty() && !outcome.tied_at_cut.is_empty() {
                    return Err(DomainError::EvaluationIncomplete {
                        count: 1,
                        first: format!(
                            "{} 得分与价格均相同、并列第一，超过中标候选人名额（{}名）：须按招标文件规定的方式确定排序，或依法重新招标",
                            outcome.tied_at_cut.join("、"),
                            evaluation.terms.max_candidates
                        ),
                    });
                }
                Ok(vec![EvaluationEvent::Concluded {
                    outcome,
                    report_sm3,
                    at_ms: now_ms,
                }])
            }
            EvaluationCommand::Reopen { reason } => {
                if reason.trim().is_empty() {
                    return Err(DomainError::ReasonRequired);
                }
                match evaluation.status {
                    EvaluationStatus::Concluded { .. } if evaluation.signatures.is_empty() => {
                        Ok(vec![EvaluationEvent::Reopened {
                            reason: reason.trim().to_string(),
                            at_ms: now_ms,
                        }])
                    }
                    _ => Err(DomainError::EvaluationLocked),
                }
            }
            EvaluationCommand::Sign {
                expert,
                report_sm3,
                signature,
            } => {
                on_committee(&expert)?;
                match &evaluation.status {
                    EvaluationStatus::Concluded {
                        report_sm3: current,
                        ..
                    } if *current == report_sm3 => {}
                    EvaluationStatus::Concluded { .. } => {
                        return Err(DomainError::EvaluationChanged);
                    }
                    _ => return Err(DomainError::EvaluationNotConcluded),
                }
                if evaluation.signatures.contains_key(&expert) {
                    return Err(DomainError::AlreadySigned);
                }
                let mut events = vec![EvaluationEvent::Signed { expert, signature }];
                if evaluation.signatures.len() + 1 == evaluation.experts.len() {
                    events.push(EvaluationEvent::Completed { at_ms: now_ms });
                }
                Ok(events)
            }
        }
    }

    fn evolve(self, event: &EvaluationEvent) -> Self {
        if let EvaluationEvent::Started {
            lot,
            procedure,
            draw,
            terms,
            bids,
            experts,
            at_ms,
        } = event
        {
            return Some(Evaluation {
                lot: lot.clone(),
                procedure: procedure.clone(),
                draw: draw.clone(),
                terms: terms.clone(),
                bids: bids.clone(),
                experts: experts.clone(),
                sheets: BTreeMap::new(),
                status: EvaluationStatus::Scoring,
                signatures: BTreeMap::new(),
                started_at_ms: *at_ms,
            });
        }
        let mut evaluation = self?;
        match event {
            EvaluationEvent::Started { .. } => {}
            EvaluationEvent::SheetSaved { expert, sheet, .. } => {
                evaluation.sheets.insert(expert.clone(), sheet.clone());
            }
            EvaluationEvent::Concluded {
                outcome,
                report_sm3,
                ..
            } => {
                evaluation.status = EvaluationStatus::Concluded {
                    outcome: outcome.clone(),
                    report_sm3: report_sm3.clone(),
                };
            }
            EvaluationEvent::Reopened { .. } => evaluation.status = EvaluationStatus::Scoring,
            EvaluationEvent::Signed { expert, signature } => {
                evaluation
                    .signatures
                    .insert(expert.clone(), signature.clone());
            }
            EvaluationEvent::Completed { .. } => {
                if let EvaluationStatus::Concluded {
                    outcome,
                    report_sm3,
                } = evaluation.status.clone()
                {
                    evaluation.status = EvaluationStatus::Signed {
                        outcome,
                        report_sm3,
                    };
                }
            }
        }
        Some(evaluation)
    }
}
