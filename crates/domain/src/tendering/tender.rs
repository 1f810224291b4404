//! 招标采购程序 — a tendering or procurement procedure with its lots (标段/包): drafting,
//! publication with the statutory periods, clarifications and amendments, the bid deadline, and
//! the sealed opening (开标) by k of n key holders. Evaluation to contract continue the same
//! aggregate (states `Evaluating` … `Completed`).
//!
//! Every period comes from the rule set in force (`TenderRules`) and the working-day calendar,
//! both passed in by the caller; the decider never reads a clock.

use serde::{Deserialize, Serialize};

use crate::fields::text_field;
use crate::{Calendar, Date, Decider, DomainError, EntityId, Method, Period, RegionCode};

/// The rule-set keys a method's periods and thresholds are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenderRuleKeys {
    /// Tender documents first issued → bid deadline ("不得少于N日").
    pub deadline: &'static str,
    /// Clarification or amendment before the deadline ("至少N日前"), else the deadline moves.
    pub clarification: &'static str,
    /// Fewer bids than this: do not open; 流标.
    pub min_bidders: &'static str,
    /// An invited tender invites at least this many.
    pub min_invitees: &'static str,
}

/// Which rule keys apply to `method` in rule category `rule_category`; the methods this part of the
/// platform runs are 公开招标 and 邀请招标 (construction, procurement) and 竞争性磋商 (procurement).
pub fn tender_rule_keys(
    rule_category: &str,
    method: Method,
) -> Result<TenderRuleKeys, DomainError> {
    let standard = TenderRuleKeys {
        deadline: "bid_deadline_from_issue",
        clarification: "clarification_before_deadline",
        min_bidders: "min_bidders",
        min_invitees: "min_invitees",
    };
    match (rule_category, method) {
        ("construction" | "procurement", Method::OpenTender | Method::InvitedTender) => {
            Ok(standard)
        }
        ("procurement", Method::CompetitiveConsultation) => Ok(TenderRuleKeys {
            deadline: "consultation_first_response",
            clarification: "consultation_clarification_before",
            ..standard
        }),
        _ => Err(DomainError::TenderMethodUnsupported {
            category: rule_category.to_string(),
            method: method.label_zh().to_string(),
        }),
    }
}

/// The rules a procedure follows, resolved from the rule set in force on its publication day and
/// frozen into the `Published` event, so later rule-set versions do not change a running procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderRules {
    /// The rule sets the values come from, e.g. `construction-national-2019`.
    pub rule_sets: Vec<String>,
    pub deadline: Period,
    pub clarification: Period,
    pub min_bidders: u32,
    pub min_invitees: u32,
    /// 投标保证金 may not exceed this share of the budget (basis points)…
    #[serde(default)]
    pub bond_rate_cap_bp: Option<i64>,
    /// …nor this amount (fen), where the rule set says so.
    #[serde(default)]
    pub bond_cap_fen: Option<i64>,
    /// The 小微企业价格扣除 ranges (basis points, inclusive) a procurement may set
    /// (财库〔2022〕19号); empty where the rule set names none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sme_deduction_ranges_bp: Vec<(i64, i64)>,
    /// The ranges of the deduction for a 联合体 or subcontract giving small and micro enterprises
    /// a share of the contract (财库〔2022〕19号); empty where the rule set names none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sme_consortium_ranges_bp: Vec<(i64, i64)>,
    /// The share (basis points) that earns it (财库〔2020〕46号 第9条: 30 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sme_consortium_share_min_bp: Option<i64>,
}

/// The 小微企业价格扣除 ranges a procurement of `method` may set, from the rule set (财库〔2022〕19号):
/// goods and services; the non-tender methods, which may buy works, also works'.
pub fn sme_deduction_ranges(rules: &crate::ResolvedRules, method: Method) -> Vec<(i64, i64)> {
    let range =
        |low: &str, high: &str| Some((rules.threshold(low).ok()?, rules.threshold(high).ok()?));
    let mut ranges: Vec<(i64, i64)> = range("sme_deduction_min", "sme_deduction_max")
        .into_iter()
        .collect();
    if !matches!(method, Method::OpenTender | Method::InvitedTender) {
        ranges.extend(range("sme_deduction_works_min", "sme_deduction_works_max"));
    }
    ranges
}

/// A lot's small-enterprise policy against the rule set (财库〔2022〕19号, 财库〔2020〕46号 第9条):
/// each deduction, when set, within one of its ranges; the consortium's share the rule's.
fn sme_policy_within_rules(
    terms: &crate::EvaluationTerms,
    rules: &TenderRules,
) -> Result<(), String> {
    let ranges_text = |ranges: &[(i64, i64)]| {
        ranges
            .iter()
            .map(|(low, high)| {
                format!("{}%–{}%", crate::centi_text(*low), crate::centi_text(*high))
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    let within = |value: i64, ranges: &[(i64, i64)]| {
        value == 0
            || ranges.is_empty()
            || ranges
                .iter()
                .any(|(low, high)| (*low..=*high).contains(&value))
    };
    let sme = terms.method.sme_deduction_bp();
    if !within(sme, &rules.sme_deduction_ranges_bp) {
        return Err(format!(
            "小微企业价格扣除 {}% 不在规则集允许的 {} 内；专门面向中小企业的采购不作扣除，填0（财库〔2022〕19号）",
            crate::centi_text(sme),
            ranges_text(&rules.sme_deduction_ranges_bp)
        ));
    }
    let consortium = terms.consortium_deduction_bp;
    if !within(consortium, &rules.sme_consortium_ranges_bp) {
        return Err(format!(
            "联合体（分包）价格扣除 {}% 不在规则集允许的 {} 内（财库〔2022〕19号）",
            crate::centi_text(consortium),
            ranges_text(&rules.sme_consortium_ranges_bp)
        ));
    }
    if let Some(share) = rules.sme_consortium_share_min_bp
        && consortium != 0
        && terms.consortium_share_min_bp != share
    {
        return Err(format!(
            "联合体（分包）协议中小微企业合同份额的最低比例应为规则集规定的 {}%（财库〔2020〕46号 第9条）",
            crate::centi_text(share)
        ));
    }
    Ok(())
}

/// The consortium (subcontract) deduction ranges of `method`, like [`sme_deduction_ranges`].
pub fn sme_consortium_ranges(rules: &crate::ResolvedRules, method: Method) -> Vec<(i64, i64)> {
    let range =
        |low: &str, high: &str| Some((rules.threshold(low).ok()?, rules.threshold(high).ok()?));
    let mut ranges: Vec<(i64, i64)> = range(
        "sme_consortium_deduction_min",
        "sme_consortium_deduction_max",
    )
    .into_iter()
    .collect();
    if !matches!(method, Method::OpenTender | Method::InvitedTender) {
        ranges.extend(range(
            "sme_consortium_deduction_works_min",
            "sme_consortium_deduction_works_max",
        ));
    }
    ranges
}

/// A document held in the blob store (tender documents, an amendment's attachment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub name: String,
    /// SM3 of the bytes, hex.
    pub sm3: String,
    pub size: u64,
}

/// One lot (标段/包) as drafted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotDraft {
    pub name: String,
    /// 最高投标限价 / 预算金额, in fen.
    pub budget_fen: i64,
    #[serde(default)]
    pub description: String,
    /// 评标办法 as the tender documents state it; left out, the platform's standard terms for
    /// the rule category are frozen at publication.
    #[serde(default)]
    pub evaluation: Option<crate::EvaluationTerms>,
    /// 投标保证金 the tender asks for, in fen (capped by the rule set at publication).
    #[serde(default)]
    pub bond_fen: Option<i64>,
}

/// What a tenderee or its agency drafts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureDraft {
    /// 项目代码 (投资项目统一代码 or 采购项目编号).
    pub project_code: String,
    pub title: String,
    /// Trading-catalog category, e.g. `construction`.
    pub category: String,
    /// The rule category the catalog maps it to.
    pub rule_category: String,
    pub method: Method,
    pub region: RegionCode,
    pub tenderee: EntityId,
    pub agency: Option<EntityId>,
    /// 项目概况与招标范围.
    pub description: String,
    /// 投标人资格要求.
    pub qualification: String,
    /// The entities invited (邀请招标 only).
    #[serde(default)]
    pub invitees: Vec<EntityId>,
    pub lots: Vec<LotDraft>,
    /// 投标截止时间 = 开标时间 (招标投标法 第34条), UTC unix ms.
    pub deadline_ms: i64,
    /// 开标地点 (the platform's online opening hall unless the tender says otherwise).
    #[serde(default)]
    pub opening_place: String,
    /// Contact shown in the notice.
    pub contact: String,
}

const MAX_LOTS: usize = 50;

impl ProcedureDraft {
    fn validate(&self) -> Result<(), DomainError> {
        project_code(&self.project_code)?;
        text_field("项目名称", &self.title, 200)?;
        text_field("项目概况与招标范围", &self.description, 20_000)?;
        text_field("投标人资格要求", &self.qualification, 10_000)?;
        text_field("联系方式", &self.contact, 200)?;
        if self.lots.is_empty() {
            return Err(DomainError::Required {
                field: "标段（包）",
            });
        }
        if self.lots.len() > MAX_LOTS {
            return Err(DomainError::TooManyLots { max: MAX_LOTS });
        }
        for (index, lot) in self.lots.iter().enumerate() {
            text_field("标段（包）名称", &lot.name, 200)?;
            if !(1..=crate::fields::MAX_AMOUNT_FEN).contains(&lot.budget_fen) {
                return Err(DomainError::LotBudget {
                    lot: index as u32 + 1,
                });
            }
            if let Some(terms) = &lot.evaluation {
                terms
                    .validate()
                    .map_err(|reason| DomainError::EvaluationTerms {
                        lot: index as u32 + 1,
                        reason,
                    })?;
            }
        }
        if self.method == Method::InvitedTender {
            let mut seen = std::collections::BTreeSet::new();
            if !self.invitees.iter().all(|id| seen.insert(id)) {
                return Err(DomainError::InviteeRepeated);
            }
        } else if !self.invitees.is_empty() {
            return Err(DomainError::InviteesNotInvited);
        }
        if self.agency.as_ref() == Some(&self.tenderee) {
            return Err(DomainError::AgencyIsTenderee);
        }
        Ok(())
    }
}

/// 项目代码: letters, digits and hyphens, 6–40 characters (e.g. `2026-330106-47-01-512345`).
fn project_code(code: &str) -> Result<(), DomainError> {
    let ok = (6..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(DomainError::ProjectCode)
    }
}

/// The lot's opening key as the announcement names it: the epoch key made by the holders'
/// ceremony, and every holder's verification key (for checking partial decryptions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningKey {
    /// The ceremony that made it, e.g. `2026-11`.
    pub ceremony: String,
    /// SEC1 uncompressed, hex.
    pub public_key: String,
    pub threshold: u32,
    pub holders: Vec<OpeningHolder>,
}

/// A key holder of an opening key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHolder {
    pub index: u32,
    pub account: String,
    /// e.g. 交易中心, 行政监督部门, 公证机构.
    pub label: String,
    /// V_i = d_i·G, SEC1 uncompressed hex.
    pub verification_key: String,
}

/// A sealed bid taken into an opening: who, which envelope, and the C1 point the holders'
/// partial decryptions are for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedBidRef {
    pub bidder: EntityId,
    pub bidder_name: String,
    /// The envelope's digest, hex (`docs/envelope.md`).
    pub envelope: String,
    /// The wrapped data key (raw SM2 C1 ‖ C3 ‖ C2, hex): its C1 is what the holders' partial
    /// decryptions are for. It is encrypted to the opening key, so it reveals nothing.
    pub wrapped_key: String,
    /// The bidder's signed header line: binds the wrapped key to this lot and bidder, which
    /// the key holders check before decrypting.
    #[serde(default)]
    pub header: String,
    /// When this envelope was submitted (the last replacement's time), milliseconds since the
    /// epoch; published with the opening record (开标记录).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at_ms: Option<i64>,
}

/// One holder's partial decryption of one bid's C1, with its Chaum–Pedersen proof (checked by
/// the application before it reaches the decider).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidPartial {
    pub bidder: EntityId,
    /// D_i = d_i·C1, SEC1 uncompressed hex.
    pub point: String,
    /// The proof (c ‖ z), hex.
    pub proof: String,
}

/// A line of the opening record (开标记录).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningLine {
    pub bidder: EntityId,
    pub bidder_name: String,
    pub envelope: String,
    /// `opened`, or `failed` with the reason.
    pub outcome: OpeningOutcome,
    /// 投标报价 in fen (opened bids).
    pub price_fen: Option<i64>,
    /// The other fields of the bid form (工期, 质量, …) as the bidder filled them in.
    pub form: std::collections::BTreeMap<String, String>,
    /// The files of the bid package: name, size, SM3.
    #[serde(default)]
    pub files: Vec<Document>,
    /// When the envelope was submitted (its last replacement), from the sealed bid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at_ms: Option<i64>,
}

/// Whether a bid opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OpeningOutcome {
    Opened,
    /// 解密失败 / 验证失败, with why (20号令 第31条 decides the consequence).
    Failed {
        reason: String,
    },
}

/// Where a lot stands. `BiddingClosed` is not stored: it is `Bidding` at or after the deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LotStatus {
    /// 投标中 (before the deadline) or 投标截止 (after).
    Bidding,
    /// 开标中: the bids are fixed, partial decryptions are coming in.
    Opening { bids: Vec<SealedBidRef> },
    /// 已开标.
    Opened,
    /// 评标中.
    Evaluating,
    /// 评标结束.
    Evaluated,
    /// 中标候选人公示中.
    CandidatesPublicised,
    /// 已发中标通知书.
    Awarded,
    /// 已签合同.
    Contracted,
    /// 履约中.
    Performing,
    /// 已完成.
    Completed,
    /// 流标: e.g. fewer bids than the rules require; the tenderee re-tenders.
    Failed { reason: String },
    /// 暂停: an objection or complaint is under review; `before` is where it resumes.
    Suspended {
        reason: String,
        before: Box<LotStatus>,
    },
    /// 终止.
    Terminated { reason: String },
}

impl LotStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Bidding => "bidding",
            Self::Opening { .. } => "opening",
            Self::Opened => "opened",
            Self::Evaluating => "evaluating",
            Self::Evaluated => "evaluated",
            Self::CandidatesPublicised => "candidates_publicised",
            Self::Awarded => "awarded",
            Self::Contracted => "contracted",
            Self::Performing => "performing",
            Self::Completed => "completed",
            Self::Failed { .. } => "failed",
            Self::Suspended { .. } => "suspended",
            Self::Terminated { .. } => "terminated",
        }
    }

    fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed { .. } | Self::Terminated { .. }
        )
    }
}

/// A lot of a published procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    pub no: u32,
    /// 统一交易标识码.
    pub code: String,
    pub name: String,
    pub budget_fen: i64,
    pub description: String,
    pub status: LotStatus,
    /// Partial decryptions accepted, by holder index.
    #[serde(default)]
    pub partials: Vec<(u32, Vec<BidPartial>)>,
    /// The published opening record.
    #[serde(default)]
    pub opening: Vec<OpeningLine>,
    #[serde(default)]
    pub opened_at_ms: Option<i64>,
    /// 评标办法, frozen at publication.
    #[serde(default)]
    pub evaluation: Option<crate::EvaluationTerms>,
    /// After the evaluation: the candidates, objections, award, contract and performance.
    #[serde(default)]
    pub award: Award,
    /// 投标保证金 required for a bid, in fen.
    #[serde(default)]
    pub bond_fen: Option<i64>,
    /// When the lot failed or was terminated (refunds are due from then).
    #[serde(default)]
    pub ended_at_ms: Option<i64>,
    /// Envelopes received by the deadline of a lot that failed for too few (published as
    /// `numberOfTenderers`: the count red-flag tools need for single-bid and failed lots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at_failure: Option<u32>,
    /// Re-evaluations ordered by a supervising department (责令重新评标): each starts a new
    /// evaluation (`Evaluation::stream_of(lot, round)`) by a committee formed after the order.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub evaluation_round: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_reopened_at_ms: Option<i64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The reason of the suspension an objection causes (lifted by the answer).
const OBJECTION_SUSPENSION: &str = "收到异议（质疑），答复前暂停";

/// A 中标候选人 as publicised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub bidder: EntityId,
    pub name: String,
    pub rank: u32,
}

/// What an objection (异议, in procurement 质疑) is about; each has its own window and its own
/// day on which a party "knew of the harm" (政府采购法实施条例 第53条).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionSubject {
    /// 招标（采购）文件 (实施条例 第22条).
    Documents,
    /// 开标 and the other steps of the process (实施条例 第44条).
    Opening,
    /// 中标（成交）结果 or the candidates (实施条例 第54条).
    #[default]
    Result,
}

impl ObjectionSubject {
    pub const ALL: [ObjectionSubject; 3] = [Self::Documents, Self::Opening, Self::Result];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Documents => "documents",
            Self::Opening => "opening",
            Self::Result => "result",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Documents => "招标（采购）文件",
            Self::Opening => "开标及评标过程",
            Self::Result => "中标（成交）结果",
        }
    }
}

fn suspends_by_default() -> bool {
    // Objections recorded before the field existed were all about the result, which suspends.
    true
}

/// The periods that bound objections, from the rule set frozen for the procedure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectionRules {
    /// The organiser's reply period.
    pub reply: Option<Period>,
    /// Construction: an objection to the documents at least this long before the deadline
    /// (实施条例 第22条).
    pub documents_before: Option<Period>,
    /// Procurement: a 质疑 within this period of knowing (政府采购法 第52条, 94号令 第10条).
    pub challenge: Option<Period>,
    /// Procurement: the result notice period, whose end is when suppliers know the result
    /// (政府采购法实施条例 第53条).
    pub result_notice: Option<Period>,
    /// Procurement: the announcement period of the documents, whose end is when a supplier
    /// that did not obtain them is taken to know them (政府采购法实施条例 第53条).
    pub notice: Option<Period>,
}

impl ObjectionRules {
    /// The day a party knew of the harm (政府采购法实施条例 第53条): for the documents, the day
    /// it obtained them (or the publication day); for the opening, the day of the opening; for
    /// the result, the end of the result notice (or of the candidates' publicity).
    pub fn knew_of_harm(
        &self,
        procedure: &Procedure,
        lot: &Lot,
        subject: ObjectionSubject,
        downloaded: Option<Date>,
        calendar: &Calendar,
    ) -> Option<Date> {
        match subject {
            ObjectionSubject::Documents => downloaded.or_else(|| {
                let published = Date::of_instant(procedure.published_at_ms?);
                Some(match self.notice {
                    Some(notice) => notice.earliest_end(published, calendar),
                    None => published,
                })
            }),
            ObjectionSubject::Opening => lot.opened_at_ms.map(Date::of_instant),
            ObjectionSubject::Result => match (lot.award.awarded_at_ms, self.result_notice) {
                (Some(at), Some(notice)) => {
                    Some(notice.earliest_end(Date::of_instant(at), calendar))
                }
                _ => lot.award.publicity_until_ms.map(Date::of_day_end),
            },
        }
    }
}

/// An objection (异议, 质疑) by a party of the lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: u32,
    #[serde(default)]
    pub subject: ObjectionSubject,
    /// Whether the lot is suspended until it is answered: an objection to the result, and in
    /// construction one to the documents (实施条例 第22条、第54条: 作出答复前，应当暂停).
    #[serde(default = "suspends_by_default")]
    pub suspends: bool,
    pub by: EntityId,
    pub by_name: String,
    pub text: String,
    pub raised_at_ms: i64,
    /// The organiser must answer by then (the rule set's reply period).
    pub reply_due_ms: i64,
    pub answer: Option<String>,
    pub answered_at_ms: Option<i64>,
}

/// The contract as recorded: the document and both parties' signatures over its digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRecord {
    pub document: Document,
    /// Certificate fingerprints of the signers (tenderee, winner).
    pub signers: Vec<String>,
    /// Each signer's certificate (PEM) and signature (hex), to verify again at any time.
    #[serde(default)]
    pub signatures: Vec<(String, String)>,
    pub at_ms: i64,
    /// Signed after the period the rules allow (招标投标法 第46条): recorded, and flagged.
    pub late: bool,
}

/// How the contract is being performed, as the organiser records it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerformanceOutcome {
    /// 按约履行.
    #[default]
    Normal,
    /// 逾期履行, by so many days.
    Late { days: u32 },
    /// 不履行 (or performance that fails the contract).
    Failed,
}

impl PerformanceOutcome {
    pub fn label(self) -> String {
        match self {
            Self::Normal => "按约履行".into(),
            Self::Late { days } => format!("逾期履行 {days} 日"),
            Self::Failed => "不履行合同".into(),
        }
    }
}

/// A performance record (履约情况).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceNote {
    pub text: String,
    pub by: String,
    pub at_ms: i64,
    #[serde(default)]
    pub outcome: PerformanceOutcome,
}

/// What follows the evaluation of a lot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub candidates: Vec<Candidate>,
    /// The publicity ends at this instant (the end of its last day).
    pub publicity_until_ms: Option<i64>,
    pub objections: Vec<Objection>,
    pub winner: Option<Candidate>,
    pub awarded_at_ms: Option<i64>,
    /// The contract must be signed by then.
    pub contract_due_ms: Option<i64>,
    pub contract: Option<ContractRecord>,
    pub performance: Vec<PerformanceNote>,
}

impl Award {
    pub fn open_objections(&self) -> usize {
        self.objections
            .iter()
            .filter(|o| o.answer.is_none())
            .count()
    }
}

/// What a lot looks like at a moment: `BiddingClosed` is derived from the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LotPhase {
    Draft,
    Bidding,
    BiddingClosed,
    Other,
}

/// A clarification or amendment (澄清/修改).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub no: u32,
    pub text: String,
    pub document: Option<Document>,
    pub old_deadline_ms: i64,
    pub deadline_ms: i64,
    /// True when the rule "at least N days before the deadline" moved the deadline.
    pub postponed_by_rule: bool,
    pub at_ms: i64,
}

/// Where the procedure as a whole stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureStatus {
    Draft,
    Published,
    Terminated,
}

/// A procedure as its events describe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    pub id: String,
    pub draft: ProcedureDraft,
    pub status: ProcedureStatus,
    pub created_by: String,
    pub created_at_ms: i64,
    pub published_at_ms: Option<i64>,
    pub documents: Option<Document>,
    pub rules: Option<TenderRules>,
    pub opening_key: Option<OpeningKey>,
    pub lots: Vec<Lot>,
    pub amendments: Vec<Amendment>,
    pub termination_reason: Option<String>,
    /// Supervising departments' decisions on it, as published (personal data masked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<PublicDecision>,
}

/// A supervising department's decision (行政处理决定) on a procedure or one of its lots, as
/// published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDecision {
    pub case: String,
    /// The lot it concerns; none: the whole procedure.
    pub lot: Option<String>,
    pub department: String,
    /// The decision's Chinese name, e.g. 中标（成交）无效.
    pub decision: String,
    /// The published text.
    pub text: String,
    pub at_ms: i64,
}

impl Procedure {
    /// The current bid deadline (moved by amendments).
    pub fn deadline_ms(&self) -> i64 {
        self.draft.deadline_ms
    }

    pub fn lot(&self, code: &str) -> Option<&Lot> {
        self.lots.iter().find(|lot| lot.code == code)
    }

    fn lot_mut(&mut self, code: &str) -> Option<&mut Lot> {
        self.lots.iter_mut().find(|lot| lot.code == code)
    }

    /// The lot's phase at `now_ms`.
    pub fn phase(&self, lot: &Lot, now_ms: i64) -> LotPhase {
        match (self.status, &lot.status) {
            (ProcedureStatus::Draft, _) => LotPhase::Draft,
            (ProcedureStatus::Published, LotStatus::Bidding) if now_ms < self.deadline_ms() => {
                LotPhase::Bidding
            }
            (ProcedureStatus::Published, LotStatus::Bidding) => LotPhase::BiddingClosed,
            _ => LotPhase::Other,
        }
    }

    /// The lot's code for lot number `no` of procedure `id`: the 统一交易标识码, unique per lot.
    pub fn lot_code(id: &str, no: u32) -> String {
        format!("{id}{no:03}")
    }
}

/// What may be asked of a procedure.
#[derive(Clone, Debug, PartialEq)]
pub enum ProcedureCommand {
    /// Drafts a procedure (the tenderee or its agency). `id` is assigned by the application.
    Create {
        id: String,
        draft: ProcedureDraft,
        by: String,
    },
    /// Replaces the draft while it is unpublished.
    EditDraft { draft: ProcedureDraft },
    /// Attaches (or replaces) the tender documents (招标文件) while the draft is unpublished.
    AttachDocuments { documents: Document },
    /// Publishes the 招标公告 with the attached tender documents, freezing the rules.
    Publish {
        rules: TenderRules,
        calendar: Calendar,
        opening_key: OpeningKey,
    },
    /// A clarification or amendment; `deadline_ms` may postpone the deadline (never advance it).
    Amend {
        text: String,
        document: Option<Document>,
        deadline_ms: Option<i64>,
        calendar: Calendar,
    },
    /// At or after the deadline: fixes the lot's bids for opening, or fails the lot (流标) when
    /// fewer arrived than the rules require.
    StartOpening {
        lot: String,
        bids: Vec<SealedBidRef>,
    },
    /// One key holder's partial decryptions of every bid of the lot (proofs already checked).
    AcceptPartial {
        lot: String,
        holder: u32,
        account: String,
        partials: Vec<BidPartial>,
    },
    /// The opening record, once `threshold` holders' partials are in.
    RecordOpening {
        lot: String,
        lines: Vec<OpeningLine>,
    },
    /// 评标开始: an opened lot goes to its committee.
    StartEvaluation { lot: String, draw: String },
    /// 评标结束: every expert signed the report.
    RecordEvaluation {
        lot: String,
        report_sm3: String,
        candidates: Vec<String>,
    },
    /// 中标候选人公示 for the rule set's period (from the signed evaluation's candidates).
    PublishCandidates {
        lot: String,
        candidates: Vec<Candidate>,
        publicity: Period,
        calendar: Calendar,
    },
    /// 异议 (质疑) by a party of the lot within its subject's window; one about the result
    /// suspends the lot until answered.
    RaiseObjection {
        lot: String,
        subject: ObjectionSubject,
        by: EntityId,
        by_name: String,
        text: String,
        rules: ObjectionRules,
        /// The day the objecting party obtained the documents, if it did.
        downloaded: Option<Date>,
        calendar: Calendar,
    },
    /// The organiser answers an objection; the lot resumes when none is left open.
    AnswerObjection {
        lot: String,
        id: u32,
        answer: String,
    },
    /// 确定中标人 after the publicity, with no objection open; the contract period starts.
    Award {
        lot: String,
        winner: EntityId,
        contract_period: Period,
        calendar: Calendar,
    },
    /// 合同: the document, signed by both parties (signatures checked by the application).
    RecordContract {
        lot: String,
        document: Document,
        signers: Vec<String>,
        signatures: Vec<(String, String)>,
    },
    /// 履约情况, with its outcome (a late or failed performance becomes a credit record).
    RecordPerformance {
        lot: String,
        text: String,
        by: String,
        outcome: PerformanceOutcome,
    },
    /// 放弃中标 by the winner before the contract is signed (实施条例 第74条); the next
    /// candidate may be awarded (实施条例 第55条), otherwise the lot fails.
    DeclineAward {
        lot: String,
        by: EntityId,
        reason: String,
    },
    /// The organiser records that the contract period passed unsigned (招标投标法 第46条),
    /// with the same consequence as a declined award.
    RecordSigningLapse { lot: String },
    /// 履约完毕.
    CompleteLot { lot: String },
    /// 中标（成交）无效 by a supervising department's decision: the winner is struck from the
    /// candidates; the next candidate may be awarded where the rules allow (实施条例 第55条,
    /// 政府采购法实施条例 第71条), otherwise the lot fails and is tendered again.
    VoidAward {
        lot: String,
        reason: String,
        next_candidate_allowed: bool,
    },
    /// 责令重新招标（采购） by a supervising department's decision: the lot fails.
    OrderRetender { lot: String, reason: String },
    /// 责令重新评标（评审） by a supervising department's decision: the candidates and any award
    /// are set aside and the lot waits for a new committee's evaluation.
    ReopenEvaluation { lot: String, reason: String },
    /// A supervising department's decision is published with the procedure.
    PublishDecision { decision: PublicDecision },
    /// 暂停 a lot (objection or complaint under review).
    Suspend { lot: String, reason: String },
    /// 恢复 a suspended lot.
    Resume { lot: String },
    /// 终止 the whole procedure.
    Terminate { reason: String },
}

/// What happened to a procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProcedureEvent {
    Drafted {
        id: String,
        draft: ProcedureDraft,
        by: String,
        at_ms: i64,
    },
    DraftEdited {
        draft: ProcedureDraft,
        at_ms: i64,
    },
    DocumentsAttached {
        documents: Document,
        at_ms: i64,
    },
    Published {
        documents: Document,
        rules: TenderRules,
        opening_key: OpeningKey,
        /// The earliest deadline the rules allowed on the publication day.
        earliest_deadline: Date,
        /// The deadline announced (key holders check openings against it).
        #[serde(default)]
        deadline_ms: i64,
        /// Each lot's 评标办法, in lot order.
        #[serde(default)]
        evaluation: Vec<crate::EvaluationTerms>,
        at_ms: i64,
    },
    Amended {
        amendment: Amendment,
    },
    OpeningStarted {
        lot: String,
        /// The deadline it started after; key holders check it against a signed tree head.
        deadline_ms: i64,
        bids: Vec<SealedBidRef>,
        at_ms: i64,
    },
    LotFailed {
        lot: String,
        reason: String,
        at_ms: i64,
        /// Envelopes received by the deadline, when the lot fails for too few (absent when the
        /// committee rejected every bid, or in events recorded before the field existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        received: Option<u32>,
    },
    PartialAccepted {
        lot: String,
        holder: u32,
        account: String,
        partials: Vec<BidPartial>,
        at_ms: i64,
    },
    LotOpened {
        lot: String,
        lines: Vec<OpeningLine>,
        at_ms: i64,
    },
    EvaluationStarted {
        lot: String,
        draw: String,
        at_ms: i64,
    },
    LotEvaluated {
        lot: String,
        report_sm3: String,
        candidates: Vec<String>,
        at_ms: i64,
    },
    CandidatesPublicised {
        lot: String,
        candidates: Vec<Candidate>,
        until_ms: i64,
        at_ms: i64,
    },
    ObjectionRaised {
        lot: String,
        objection: Objection,
    },
    ObjectionAnswered {
        lot: String,
        id: u32,
        answer: String,
        at_ms: i64,
    },
    Awarded {
        lot: String,
        winner: Candidate,
        contract_due_ms: i64,
        at_ms: i64,
    },
    ContractRecorded {
        lot: String,
        contract: ContractRecord,
    },
    PerformanceRecorded {
        lot: String,
        note: PerformanceNote,
    },
    LotCompleted {
        lot: String,
        at_ms: i64,
    },
    DecisionPublished {
        decision: PublicDecision,
    },
    EvaluationReopened {
        lot: String,
        reason: String,
        at_ms: i64,
    },
    /// The winner declined, or let the contract period pass (`lapsed`).
    AwardDeclined {
        lot: String,
        winner: Candidate,
        reason: String,
        lapsed: bool,
        next_candidate: bool,
        at_ms: i64,
    },
    AwardVoided {
        lot: String,
        /// The winner whose award is void.
        winner: Candidate,
        reason: String,
        /// Whether the lot goes back to its remaining candidates (else it fails).
        next_candidate: bool,
        at_ms: i64,
    },
    LotSuspended {
        lot: String,
        reason: String,
        at_ms: i64,
    },
    LotResumed {
        lot: String,
        at_ms: i64,
    },
    Terminated {
        reason: String,
        at_ms: i64,
    },
}

impl ProcedureEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Drafted { .. } => "procedure.drafted",
            Self::DraftEdited { .. } => "procedure.draft_edited",
            Self::DocumentsAttached { .. } => "procedure.documents_attached",
            Self::Published { .. } => "procedure.published",
            Self::Amended { .. } => "procedure.amended",
            Self::OpeningStarted { .. } => "procedure.opening_started",
            Self::LotFailed { .. } => "procedure.lot_failed",
            Self::PartialAccepted { .. } => "procedure.partial_accepted",
            Self::LotOpened { .. } => "procedure.lot_opened",
            Self::EvaluationStarted { .. } => "procedure.evaluation_started",
            Self::LotEvaluated { .. } => "procedure.lot_evaluated",
            Self::CandidatesPublicised { .. } => "procedure.candidates_publicised",
            Self::ObjectionRaised { .. } => "procedure.objection_raised",
            Self::ObjectionAnswered { .. } => "procedure.objection_answered",
            Self::Awarded { .. } => "procedure.awarded",
            Self::ContractRecorded { .. } => "procedure.contract_recorded",
            Self::PerformanceRecorded { .. } => "procedure.performance_recorded",
            Self::LotCompleted { .. } => "procedure.lot_completed",
            Self::AwardVoided { .. } => "procedure.award_voided",
            Self::AwardDeclined { .. } => "procedure.award_declined",
            Self::DecisionPublished { .. } => "procedure.decision_published",
            Self::EvaluationReopened { .. } => "procedure.evaluation_reopened",
            Self::LotSuspended { .. } => "procedure.lot_suspended",
            Self::LotResumed { .. } => "procedure.lot_resumed",
            Self::Terminated { .. } => "procedure.terminated",
        }
    }

    /// Whether the event is published as it happens (the notice, amendments, the opening
    /// record, failures); the draft and the holders' partials concern the parties only.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Self::Published { .. }
                | Self::Amended { .. }
                | Self::OpeningStarted { .. }
                | Self::LotOpened { .. }
                | Self::LotFailed { .. }
                | Self::EvaluationStarted { .. }
                | Self::CandidatesPublicised { .. }
                | Self::Awarded { .. }
                | Self::ContractRecorded { .. }
                | Self::PerformanceRecorded { .. }
                | Self::LotCompleted { .. }
                | Self::AwardVoided { .. }
                | Self::AwardDeclined { .. }
                | Self::DecisionPublished { .. }
                | Self::EvaluationReopened { .. }
                | Self::LotSuspended { .. }
                | Self::LotResumed { .. }
                | Self::Terminated { .. }
        )
    }
}

/// The earliest day the deadline may fall on when the documents are first issued on `issued`.
pub fn earliest_deadline(rules: &TenderRules, issued: Date, calendar: &Calendar) -> Date {
    rules.deadline.earliest_end(issued, calendar)
}

/// How the calendar in force judges a published procedure's bid deadline. Beyond the years the
/// calendar covers, periods are computed with weekends only and the deadline is **provisional**;
/// once that year's calendar is published the deadline is re-checked: it may now fall on a
/// statutory holiday, or before the earliest day the rule allows (the 第203条 extension moved
/// it). The tenderee then postpones it by an amendment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineStanding {
    /// The calendar does not yet cover every day from publication to the deadline.
    pub provisional: bool,
    /// The deadline's day is a statutory holiday (its name), by the calendar in force.
    pub holiday: Option<String>,
    /// The earliest deadline the rule allows by the calendar in force, when the deadline is now
    /// before it.
    pub below_minimum: Option<Date>,
}

impl DeadlineStanding {
    /// Whether the tenderee must act (a holiday or a deadline under the minimum).
    pub fn needs_attention(&self) -> bool {
        self.holiday.is_some() || self.below_minimum.is_some()
    }
}

/// Judges `procedure`'s deadline by `calendar` (see `DeadlineStanding`). A draft is judged from
/// `today`, as if published now.
pub fn deadline_standing(
    procedure: &Procedure,
    calendar: &Calendar,
    today: Date,
) -> DeadlineStanding {
    let deadline_day = Date::of_instant(procedure.deadline_ms());
    let issued = procedure.published_at_ms.map_or(today, Date::of_instant);
    let provisional = !calendar.covers_range(issued, deadline_day);
    let holiday = if calendar.covers(deadline_day) && !calendar.is_working_day(deadline_day) {
        calendar.holiday_name(deadline_day).map(str::to_string)
    } else {
        None
    };
    let below_minimum = procedure.rules.as_ref().and_then(|rules| {
        let earliest = earliest_deadline(rules, issued, calendar);
        (deadline_day < earliest && calendar.covers_range(issued, earliest)).then_some(earliest)
    });
    DeadlineStanding {
        provisional,
        holiday,
        below_minimum,
    }
}

/// The deadline after a clarification made on `today`: unchanged when `today` is at least the
/// rule's N days before it, otherwise postponed (same time of day) to the first day that is.
/// Returns the new deadline and whether the rule moved it.
pub fn deadline_after_clarification(
    rules: &TenderRules,
    deadline_ms: i64,
    today: Date,
    calendar: &Calendar,
) -> (i64, bool) {
    let deadline_day = Date::of_instant(deadline_ms);
    let latest = rules.clarification.latest_before(deadline_day, calendar);
    if today <= latest {
        return (deadline_ms, false);
    }
    // The first day D with latest_before(D) >= today; D > deadline_day.
    let mut day = deadline_day;
    // With a working-day rule the deadline must also fall on a working day, or the last day
    // counted would be a rest day.
    let working = rules.clarification.count == crate::DayCount::WorkingDays;
    while rules.clarification.latest_before(day, calendar) < today
        || (working && !calendar.is_working_day(day))
    {
        day = day.add_days(1);
    }
    let time_of_day = deadline_ms - deadline_day.start_ms();
    (day.start_ms() + time_of_day, true)
}

/// Whether an objection about `subject` may be raised now. Construction (招标投标法实施条例):
/// the documents at least `documents_before` the deadline (第22条), the opening on its day (第44
///条), the result during the candidates' publicity (第54条). Procurement (质疑, 政府采购法 第52
/// 条): within `challenge` of the day the party knew of the harm (实施条例 第53条).
pub fn objection_window(
    procedure: &Procedure,
    lot: &Lot,
    subject: ObjectionSubject,
    rules: &ObjectionRules,
    downloaded: Option<Date>,
    calendar: &Calendar,
    now_ms: i64,
) -> Result<(), DomainError> {
    let out = |reason: String| Err(DomainError::ObjectionOutOfTime { reason });
    let today = Date::of_instant(now_ms);
    if procedure.status != ProcedureStatus::Published || lot.status.is_final() {
        return out("该标段（包）已结束或尚未发布，不能提出异议".into());
    }
    if let Some(challenge) = rules.challenge {
        let Some(knew) = rules.knew_of_harm(procedure, lot, subject, downloaded, calendar) else {
            return out(format!(
                "对{}的质疑须在知道或者应当知道其权益受到损害之日起提出，该环节尚未发生",
                subject.label_zh()
            ));
        };
        if subject == ObjectionSubject::Result
            && lot.award.winner.is_none()
            && lot.award.publicity_until_ms.is_none()
        {
            return out("采购结果尚未确定，不能对结果提出质疑".into());
        }
        let last = challenge.window_end(knew, calendar);
        if today > last {
            return out(format!(
                "对{}的质疑期限已过：自{}起{}，最后一日为{}（政府采购法 第52条）",
                subject.label_zh(),
                knew,
                challenge.describe_zh(),
                last
            ));
        }
        return Ok(());
    }
    match subject {
        ObjectionSubject::Documents => {
            if !(lot.status == LotStatus::Bidding && now_ms < procedure.deadline_ms()) {
                return out("投标截止后不能再对招标文件提出异议".into());
            }
            if let Some(before) = rules.documents_before {
                let last =
                    before.latest_before(Date::of_instant(procedure.deadline_ms()), calendar);
                if today > last {
                    return out(format!(
                        "对招标文件的异议应在投标截止时间{}提出，最后一日为{}（招标投标法实施条例 第22条）",
                        before.describe_zh(),
                        last
                    ));
                }
            }
            Ok(())
        }
        ObjectionSubject::Opening => match lot.opened_at_ms {
            Some(at) if Date::of_instant(at) == today => Ok(()),
            Some(_) => out(
                "对开标的异议应当在开标现场提出（招标投标法实施条例 第44条），开标当日已过".into(),
            ),
            None => out("该标段尚未开标".into()),
        },
        ObjectionSubject::Result => {
            let publicising = match &lot.status {
                LotStatus::CandidatesPublicised => true,
                LotStatus::Suspended { before, .. } => **before == LotStatus::CandidatesPublicised,
                _ => false,
            };
            let until = lot.award.publicity_until_ms.unwrap_or(0);
            if !publicising || now_ms >= until {
                return out(
                    "对中标结果的异议只能在中标候选人公示期间提出（招标投标法实施条例 第54条）"
                        .into(),
                );
            }
            Ok(())
        }
    }
}

fn require_reason(reason: &str) -> Result<(), DomainError> {
    if reason.trim().is_empty() {
        Err(DomainError::ReasonRequired)
    } else {
        text_field("理由", reason, 2000)
    }
}

impl Decider for Option<Procedure> {
    type Command = ProcedureCommand;
    type Event = ProcedureEvent;

    fn decide(
        &self,
        command: ProcedureCommand,
        now_ms: i64,
    ) -> Result<Vec<ProcedureEvent>, DomainError> {
        if let ProcedureCommand::Create { id, draft, by } = command {
            if self.is_some() {
                return Err(DomainError::ProcedureExists);
            }
            draft.validate()?;
            return Ok(vec![ProcedureEvent::Drafted {
                id,
                draft,
                by,
                at_ms: now_ms,
            }]);
        }
        let procedure = self.as_ref().ok_or(DomainError::ProcedureNotFound)?;
        if procedure.status == ProcedureStatus::Terminated {
            return Err(DomainError::ProcedureTerminated);
        }
        match command {
            ProcedureCommand::Create { .. } => unreachable!("handled above"),
            ProcedureCommand::EditDraft { draft } => {
                if procedure.status != ProcedureStatus::Draft {
                    return Err(DomainError::ProcedureNotDraft);
                }
                draft.validate()?;
                Ok(vec![ProcedureEvent::DraftEdited {
                    draft,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::AttachDocuments { documents } => {
                if procedure.status != ProcedureStatus::Draft {
                    return Err(DomainError::ProcedureNotDraft);
                }
                Ok(vec![ProcedureEvent::DocumentsAttached {
                    documents,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::Publish {
                rules,
                calendar,
                opening_key,
            } => {
                if procedure.status != ProcedureStatus::Draft {
                    return Err(DomainError::ProcedureNotDraft);
                }
                let documents = procedure.documents.clone().ok_or(DomainError::Required {
                    field: "招标文件",
                })?;
                let draft = &procedure.draft;
                if draft.method == Method::InvitedTender
                    && (draft.invitees.len() as u32) < rules.min_invitees
                {
                    return Err(DomainError::TooFewInvitees {
                        needed: rules.min_invitees,
                        invited: draft.invitees.len() as u32,
                    });
                }
                let today = Date::of_instant(now_ms);
                let earliest = earliest_deadline(&rules, today, &calendar);
                let deadline_day = Date::of_instant(draft.deadline_ms);
                if deadline_day < earliest {
                    return Err(DomainError::DeadlineTooEarly {
                        earliest: earliest.to_string(),
                        rule: rules.deadline.describe_zh(),
                    });
                }
                for (index, lot) in draft.lots.iter().enumerate() {
                    if let Some(bond) = lot.bond_fen {
                        let by_rate = rules
                            .bond_rate_cap_bp
                            .map_or(i64::MAX, |bp| lot.budget_fen.saturating_mul(bp) / 10_000);
                        let max = by_rate.min(rules.bond_cap_fen.unwrap_or(i64::MAX));
                        if bond <= 0 || bond > max {
                            return Err(DomainError::BondOverCap {
                                lot: index as u32 + 1,
                                max: crate::centi_text(max),
                            });
                        }
                    }
                }
                // The small-enterprise and consortium deductions within the rule set's ranges
                // (0: the lot is reserved for small enterprises, or the method deducts nothing).
                for (index, lot) in draft.lots.iter().enumerate() {
                    let terms = lot
                        .evaluation
                        .clone()
                        .unwrap_or_else(|| crate::EvaluationTerms::standard(&draft.rule_category));
                    sme_policy_within_rules(&terms, &rules).map_err(|reason| {
                        DomainError::EvaluationTerms {
                            lot: index as u32 + 1,
                            reason,
                        }
                    })?;
                }
                let evaluation = draft
                    .lots
                    .iter()
                    .map(|lot| {
                        lot.evaluation.clone().unwrap_or_else(|| {
                            crate::EvaluationTerms::standard(&draft.rule_category)
                        })
                    })
                    .collect();
                Ok(vec![ProcedureEvent::Published {
                    documents,
                    rules,
                    opening_key,
                    earliest_deadline: earliest,
                    deadline_ms: draft.deadline_ms,
                    evaluation,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::Amend {
                text,
                document,
                deadline_ms,
                calendar,
            } => {
                if procedure.status != ProcedureStatus::Published {
                    return Err(DomainError::ProcedureNotPublished);
                }
                let current = procedure.deadline_ms();
                if now_ms >= current {
                    return Err(DomainError::BiddingClosed);
                }
                text_field("澄清或修改内容", &text, 20_000)?;
                let requested = deadline_ms.unwrap_or(current);
                if requested < current {
                    return Err(DomainError::DeadlineAdvanced);
                }
                let rules = procedure
                    .rules
                    .as_ref()
                    .ok_or(DomainError::ProcedureNotPublished)?;
                let today = Date::of_instant(now_ms);
                let (moved, by_rule) =
                    deadline_after_clarification(rules, requested, today, &calendar);
                Ok(vec![ProcedureEvent::Amended {
                    amendment: Amendment {
                        no: procedure.amendments.len() as u32 + 1,
                        text,
                        document,
                        old_deadline_ms: current,
                        deadline_ms: moved,
                        postponed_by_rule: by_rule,
                        at_ms: now_ms,
                    },
                }])
            }
            ProcedureCommand::StartOpening { lot, bids } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                match procedure.phase(found, now_ms) {
                    LotPhase::BiddingClosed => {}
                    LotPhase::Bidding => return Err(DomainError::BiddingOpen),
                    LotPhase::Draft => return Err(DomainError::ProcedureNotPublished),
                    LotPhase::Other => return Err(DomainError::LotNotBidding),
                }
                let min = procedure
                    .rules
                    .as_ref()
                    .ok_or(DomainError::ProcedureNotPublished)?
                    .min_bidders;
                if (bids.len() as u32) < min {
                    return Ok(vec![ProcedureEvent::LotFailed {
                        lot,
                        reason: format!(
                            "投标截止时递交投标文件的投标人少于{min}个（实际{}个），不予开标，依法重新招标",
                            bids.len()
                        ),
                        at_ms: now_ms,
                        received: Some(bids.len() as u32),
                    }]);
                }
                Ok(vec![ProcedureEvent::OpeningStarted {
                    lot,
                    deadline_ms: procedure.deadline_ms(),
                    bids,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::AcceptPartial {
                lot,
                holder,
                account,
                partials,
            } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                let LotStatus::Opening { bids } = &found.status else {
                    return Err(DomainError::LotNotOpening);
                };
                let key = procedure
                    .opening_key
                    .as_ref()
                    .ok_or(DomainError::ProcedureNotPublished)?;
                let seat = key
                    .holders
                    .iter()
                    .find(|h| h.index == holder)
                    .ok_or(DomainError::NotKeyHolder)?;
                if seat.account != account {
                    return Err(DomainError::NotKeyHolder);
                }
                if found.partials.iter().any(|(index, _)| *index == holder) {
                    return Err(DomainError::PartialAlreadyIn);
                }
                let covers_all = partials.len() == bids.len()
                    && bids
                        .iter()
                        .zip(&partials)
                        .all(|(bid, partial)| bid.bidder == partial.bidder);
                if !covers_all {
                    return Err(DomainError::PartialsIncomplete);
                }
                Ok(vec![ProcedureEvent::PartialAccepted {
                    lot,
                    holder,
                    account,
                    partials,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::RecordOpening { lot, lines } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                let LotStatus::Opening { bids } = &found.status else {
                    return Err(DomainError::LotNotOpening);
                };
                let threshold = procedure
                    .opening_key
                    .as_ref()
                    .map_or(u32::MAX, |k| k.threshold);
                if (found.partials.len() as u32) < threshold {
                    return Err(DomainError::PartialsShort {
                        needed: threshold,
                        have: found.partials.len() as u32,
                    });
                }
                let same_bids = lines.len() == bids.len()
                    && bids.iter().zip(&lines).all(|(bid, line)| {
                        bid.bidder == line.bidder && bid.envelope == line.envelope
                    });
                if !same_bids {
                    return Err(DomainError::OpeningRecordMismatch);
                }
                Ok(vec![ProcedureEvent::LotOpened {
                    lot,
                    lines,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::StartEvaluation { lot, draw } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status != LotStatus::Opened {
                    return Err(DomainError::EvaluationNotReady {
                        reason: "标段（包）尚未开标或已在评标".into(),
                    });
                }
                Ok(vec![ProcedureEvent::EvaluationStarted {
                    lot,
                    draw,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::RecordEvaluation {
                lot,
                report_sm3,
                candidates,
            } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status != LotStatus::Evaluating {
                    return Err(DomainError::EvaluationNotFound);
                }
                let failed = candidates.is_empty();
                let mut events = vec![ProcedureEvent::LotEvaluated {
                    lot: lot.clone(),
                    report_sm3,
                    candidates,
                    at_ms: now_ms,
                }];
                // Every bid rejected by the committee: the lot fails (流标) and is tendered again.
                if failed {
                    events.push(ProcedureEvent::LotFailed {
                        lot,
                        reason: "评标委员会否决全部投标，没有中标候选人；依法重新招标（政府采购项目依法重新招标或者变更采购方式）".into(),
                        at_ms: now_ms,
                        received: None,
                    });
                }
                Ok(events)
            }
            ProcedureCommand::PublishCandidates {
                lot,
                candidates,
                publicity,
                calendar,
            } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status != LotStatus::Evaluated {
                    return Err(DomainError::AwardStep {
                        step: "公示中标候选人",
                        status: found.status.as_str(),
                    });
                }
                if candidates.is_empty() {
                    return Err(DomainError::NoCandidates);
                }
                let last = publicity.earliest_end(Date::of_instant(now_ms), &calendar);
                Ok(vec![ProcedureEvent::CandidatesPublicised {
                    lot,
                    candidates,
                    until_ms: last.end_ms(),
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::RaiseObjection {
                lot,
                subject,
                by,
                by_name,
                text,
                rules,
                downloaded,
                calendar,
            } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                objection_window(
                    procedure, found, subject, &rules, downloaded, &calendar, now_ms,
                )?;
                if text.trim().is_empty() {
                    return Err(DomainError::Required {
                        field: "异议内容"
                    });
                }
                text_field("异议内容", &text, 5000)?;
                let reply = rules.reply.ok_or(DomainError::ObjectionOutOfTime {
                    reason: "规则集没有规定异议答复期限".into(),
                })?;
                let reply_due = reply.window_end(Date::of_instant(now_ms), &calendar);
                let suspends = match subject {
                    ObjectionSubject::Result => true,
                    ObjectionSubject::Documents => {
                        rules.challenge.is_none() && found.status == LotStatus::Bidding
                    }
                    ObjectionSubject::Opening => false,
                };
                Ok(vec![ProcedureEvent::ObjectionRaised {
                    lot,
                    objection: Objection {
                        id: found.award.objections.len() as u32 + 1,
                        subject,
                        suspends,
                        by,
                        by_name,
                        text: text.trim().to_string(),
                        raised_at_ms: now_ms,
                        reply_due_ms: reply_due.end_ms(),
                        answer: None,
                        answered_at_ms: None,
                    },
                }])
            }
            ProcedureCommand::AnswerObjection { lot, id, answer } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                let objection = found
                    .award
                    .objections
                    .iter()
                    .find(|o| o.id == id)
                    .ok_or(DomainError::ObjectionNotFound)?;
                if objection.answer.is_some() {
                    return Err(DomainError::ObjectionAnswered);
                }
                if answer.trim().is_empty() {
                    return Err(DomainError::Required { field: "答复" });
                }
                text_field("答复", &answer, 5000)?;
                Ok(vec![ProcedureEvent::ObjectionAnswered {
                    lot,
                    id,
                    answer: answer.trim().to_string(),
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::Award {
                lot,
                winner,
                contract_period,
                calendar,
            } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status != LotStatus::CandidatesPublicised {
                    return Err(DomainError::AwardStep {
                        step: "确定中标人",
                        status: found.status.as_str(),
                    });
                }
                if found.award.open_objections() > 0 {
                    return Err(DomainError::ObjectionOpen);
                }
                if now_ms < found.award.publicity_until_ms.unwrap_or(i64::MAX) {
                    return Err(DomainError::PublicityRunning {
                        until: crate::format_beijing_ms(
                            found.award.publicity_until_ms.unwrap_or(0),
                        ),
                    });
                }
                let chosen = found
                    .award
                    .candidates
                    .iter()
                    .find(|c| c.bidder == winner)
                    .cloned()
                    .ok_or(DomainError::NotACandidate)?;
                let due = contract_period.window_end(Date::of_instant(now_ms), &calendar);
                Ok(vec![ProcedureEvent::Awarded {
                    lot,
                    winner: chosen,
                    contract_due_ms: due.end_ms(),
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::RecordContract {
                lot,
                document,
                signers,
                signatures,
            } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status != LotStatus::Awarded {
                    return Err(DomainError::AwardStep {
                        step: "签订合同",
                        status: found.status.as_str(),
                    });
                }
                Ok(vec![ProcedureEvent::ContractRecorded {
                    lot,
                    contract: ContractRecord {
                        document,
                        signers,
                        signatures,
                        at_ms: now_ms,
                        late: now_ms > found.award.contract_due_ms.unwrap_or(i64::MAX),
                    },
                }])
            }
            ProcedureCommand::RecordPerformance {
                lot,
                text,
                by,
                outcome,
            } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if !matches!(found.status, LotStatus::Contracted | LotStatus::Performing) {
                    return Err(DomainError::AwardStep {
                        step: "记录履约情况",
                        status: found.status.as_str(),
                    });
                }
                if text.trim().is_empty() {
                    return Err(DomainError::Required {
                        field: "履约情况"
                    });
                }
                text_field("履约情况", &text, 5000)?;
                Ok(vec![ProcedureEvent::PerformanceRecorded {
                    lot,
                    note: PerformanceNote {
                        text: text.trim().to_string(),
                        by,
                        at_ms: now_ms,
                        outcome,
                    },
                }])
            }
            ProcedureCommand::CompleteLot { lot } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status != LotStatus::Performing {
                    return Err(DomainError::AwardStep {
                        step: "履约完毕",
                        status: found.status.as_str(),
                    });
                }
                Ok(vec![ProcedureEvent::LotCompleted { lot, at_ms: now_ms }])
            }
            ProcedureCommand::DeclineAward { lot, by, reason } => {
                require_reason(&reason)?;
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                let winner = match (&found.status, &found.award.winner) {
                    (LotStatus::Awarded, Some(w)) if w.bidder == by => w.clone(),
                    (LotStatus::Awarded, Some(_)) => return Err(DomainError::NotTheWinner),
                    _ => {
                        return Err(DomainError::AwardStep {
                            step: "放弃中标",
                            status: found.status.as_str(),
                        });
                    }
                };
                Ok(declined(found, winner, reason, false, now_ms))
            }
            ProcedureCommand::RecordSigningLapse { lot } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                let (LotStatus::Awarded, Some(winner)) = (&found.status, &found.award.winner)
                else {
                    return Err(DomainError::AwardStep {
                        step: "记录逾期未签订合同",
                        status: found.status.as_str(),
                    });
                };
                let due = found.award.contract_due_ms.unwrap_or(i64::MAX);
                if now_ms <= due {
                    return Err(DomainError::SigningPeriodRunning {
                        until: crate::format_beijing_ms(due),
                    });
                }
                let reason = format!(
                    "中标人未在规定期限（{}前）内签订合同",
                    crate::format_beijing_ms(due)
                );
                Ok(declined(found, winner.clone(), reason, true, now_ms))
            }
            ProcedureCommand::VoidAward {
                lot,
                reason,
                next_candidate_allowed,
            } => {
                require_reason(&reason)?;
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                let winner = match (&found.status, &found.award.winner) {
                    (
                        LotStatus::Awarded | LotStatus::Contracted | LotStatus::Performing,
                        Some(w),
                    ) => w.clone(),
                    _ => {
                        return Err(DomainError::AwardStep {
                            step: "宣告中标（成交）无效",
                            status: found.status.as_str(),
                        });
                    }
                };
                let others = found
                    .award
                    .candidates
                    .iter()
                    .any(|c| c.bidder != winner.bidder);
                let next_candidate = next_candidate_allowed && others;
                let mut events = vec![ProcedureEvent::AwardVoided {
                    lot: lot.clone(),
                    winner,
                    reason: reason.clone(),
                    next_candidate,
                    at_ms: now_ms,
                }];
                if !next_candidate {
                    events.push(ProcedureEvent::LotFailed {
                        lot,
                        reason: format!(
                            "{reason}；没有其他合格的中标（成交）候选人，依法重新招标（采购）"
                        ),
                        at_ms: now_ms,
                        received: None,
                    });
                }
                Ok(events)
            }
            ProcedureCommand::PublishDecision { decision } => {
                if procedure.status == ProcedureStatus::Draft {
                    return Err(DomainError::AwardStep {
                        step: "公开行政处理决定",
                        status: "draft",
                    });
                }
                if let Some(lot) = &decision.lot {
                    procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
                }
                text_field("公开的决定", &decision.text, 20_000)?;
                Ok(vec![ProcedureEvent::DecisionPublished { decision }])
            }
            ProcedureCommand::ReopenEvaluation { lot, reason } => {
                require_reason(&reason)?;
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if !matches!(
                    found.status,
                    LotStatus::Evaluated | LotStatus::CandidatesPublicised | LotStatus::Awarded
                ) {
                    return Err(DomainError::AwardStep {
                        step: "责令重新评标",
                        status: found.status.as_str(),
                    });
                }
                Ok(vec![ProcedureEvent::EvaluationReopened {
                    lot,
                    reason,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::OrderRetender { lot, reason } => {
                require_reason(&reason)?;
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status.is_final() || matches!(found.status, LotStatus::Suspended { .. }) {
                    return Err(DomainError::AwardStep {
                        step: "责令重新招标（采购）",
                        status: found.status.as_str(),
                    });
                }
                Ok(vec![ProcedureEvent::LotFailed {
                    lot,
                    reason,
                    at_ms: now_ms,
                    received: None,
                }])
            }
            ProcedureCommand::Suspend { lot, reason } => {
                require_reason(&reason)?;
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if found.status.is_final() || matches!(found.status, LotStatus::Suspended { .. }) {
                    return Err(DomainError::LotNotSuspendable);
                }
                Ok(vec![ProcedureEvent::LotSuspended {
                    lot,
                    reason,
                    at_ms: now_ms,
                }])
            }
            ProcedureCommand::Resume { lot } => {
                let found = procedure.lot(&lot).ok_or(DomainError::LotNotFound)?;
                if !matches!(found.status, LotStatus::Suspended { .. }) {
                    return Err(DomainError::LotNotSuspended);
                }
                Ok(vec![ProcedureEvent::LotResumed { lot, at_ms: now_ms }])
            }
            ProcedureCommand::Terminate { reason } => {
                require_reason(&reason)?;
                let published = procedure.status == ProcedureStatus::Published;
                if published && procedure.lots.iter().all(|lot| lot.status.is_final()) {
                    return Err(DomainError::ProcedureFinished);
                }
                Ok(vec![ProcedureEvent::Terminated {
                    reason,
                    at_ms: now_ms,
                }])
            }
        }
    }

    fn evolve(self, event: &ProcedureEvent) -> Self {
        if let ProcedureEvent::Drafted {
            id,
            draft,
            by,
            at_ms,
        } = event
        {
            return Some(Procedure {
                id: id.clone(),
                draft: draft.clone(),
                status: ProcedureStatus::Draft,
                created_by: by.clone(),
                created_at_ms: *at_ms,
                published_at_ms: None,
                documents: None,
                rules: None,
                opening_key: None,
                lots: Vec::new(),
                amendments: Vec::new(),
                termination_reason: None,
                decisions: Vec::new(),
            });
        }
        let mut procedure = self?;
        match event {
            ProcedureEvent::Drafted { .. } => {}
            ProcedureEvent::DraftEdited { draft, .. } => procedure.draft = draft.clone(),
            ProcedureEvent::DocumentsAttached { documents, .. } => {
                procedure.documents = Some(documents.clone());
            }
            ProcedureEvent::Published {
                documents,
                rules,
                opening_key,
                evaluation,
                at_ms,
                ..
            } => {
                procedure.status = ProcedureStatus::Published;
                procedure.published_at_ms = Some(*at_ms);
                procedure.documents = Some(documents.clone());
                procedure.rules = Some(rules.clone());
                procedure.opening_key = Some(opening_key.clone());
                procedure.lots = procedure
                    .draft
                    .lots
                    .iter()
                    .enumerate()
                    .map(|(index, lot)| Lot {
                        no: index as u32 + 1,
                        code: Procedure::lot_code(&procedure.id, index as u32 + 1),
                        name: lot.name.clone(),
                        budget_fen: lot.budget_fen,
                        description: lot.description.clone(),
                        status: LotStatus::Bidding,
                        partials: Vec::new(),
                        opening: Vec::new(),
                        opened_at_ms: None,
                        evaluation: evaluation.get(index).cloned(),
                        award: Award::default(),
                        bond_fen: lot.bond_fen,
                        ended_at_ms: None,
                        received_at_failure: None,
                        evaluation_round: 0,
                        evaluation_reopened_at_ms: None,
                    })
                    .collect();
            }
            ProcedureEvent::Amended { amendment } => {
                procedure.draft.deadline_ms = amendment.deadline_ms;
                if let Some(document) = &amendment.document {
                    procedure.documents = Some(document.clone());
                }
                procedure.amendments.push(amendment.clone());
            }
            ProcedureEvent::OpeningStarted { lot, bids, .. } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Opening { bids: bids.clone() };
                }
            }
            ProcedureEvent::LotFailed {
                lot,
                reason,
                at_ms,
                received,
            } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Failed {
                        reason: reason.clone(),
                    };
                    lot.ended_at_ms = Some(*at_ms);
                    if received.is_some() {
                        lot.received_at_failure = *received;
                    }
                }
            }
            ProcedureEvent::PartialAccepted {
                lot,
                holder,
                partials,
                ..
            } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.partials.push((*holder, partials.clone()));
                }
            }
            ProcedureEvent::LotOpened { lot, lines, at_ms } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Opened;
                    lot.opening = lines.clone();
                    lot.opened_at_ms = Some(*at_ms);
                }
            }
            ProcedureEvent::EvaluationStarted { lot, .. } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Evaluating;
                }
            }
            ProcedureEvent::LotEvaluated { lot, .. } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Evaluated;
                }
            }
            ProcedureEvent::CandidatesPublicised {
                lot,
                candidates,
                until_ms,
                ..
            } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::CandidatesPublicised;
                    lot.award.candidates = candidates.clone();
                    lot.award.publicity_until_ms = Some(*until_ms);
                }
            }
            ProcedureEvent::ObjectionRaised { lot, objection } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.award.objections.push(objection.clone());
                    if objection.suspends
                        && matches!(
                            lot.status,
                            LotStatus::CandidatesPublicised
                                | LotStatus::Awarded
                                | LotStatus::Bidding
                        )
                    {
                        let before = std::mem::replace(&mut lot.status, LotStatus::Bidding);
                        lot.status = LotStatus::Suspended {
                            reason: OBJECTION_SUSPENSION.into(),
                            before: Box::new(before),
                        };
                    }
                }
            }
            ProcedureEvent::ObjectionAnswered {
                lot,
                id,
                answer,
                at_ms,
                ..
            } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    if let Some(o) = lot.award.objections.iter_mut().find(|o| o.id == *id) {
                        o.answer = Some(answer.clone());
                        o.answered_at_ms = Some(*at_ms);
                    }
                    // Only the objection's own suspension ends with the answer; a suspension by
                    // supervision stays until supervision resumes the lot.
                    if lot.award.open_objections() == 0
                        && let LotStatus::Suspended { before, reason } = &lot.status
                        && matches!(
                            **before,
                            LotStatus::CandidatesPublicised
                                | LotStatus::Awarded
                                | LotStatus::Bidding
                        )
                        && reason == OBJECTION_SUSPENSION
                    {
                        lot.status = (**before).clone();
                    }
                }
            }
            ProcedureEvent::Awarded {
                lot,
                winner,
                contract_due_ms,
                at_ms,
            } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Awarded;
                    lot.award.winner = Some(winner.clone());
                    lot.award.awarded_at_ms = Some(*at_ms);
                    lot.award.contract_due_ms = Some(*contract_due_ms);
                }
            }
            ProcedureEvent::ContractRecorded { lot, contract } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Contracted;
                    lot.award.contract = Some(contract.clone());
                }
            }
            ProcedureEvent::PerformanceRecorded { lot, note } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Performing;
                    lot.award.performance.push(note.clone());
                }
            }
            ProcedureEvent::LotCompleted { lot, .. } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Completed;
                }
            }
            ProcedureEvent::DecisionPublished { decision } => {
                procedure.decisions.push(decision.clone());
            }
            ProcedureEvent::EvaluationReopened { lot, at_ms, .. } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.status = LotStatus::Opened;
                    lot.award = Award {
                        objections: std::mem::take(&mut lot.award.objections),
                        ..Award::default()
                    };
                    lot.evaluation_round += 1;
                    lot.evaluation_reopened_at_ms = Some(*at_ms);
                }
            }
            ProcedureEvent::AwardVoided {
                lot,
                winner,
                next_candidate,
                ..
            }
            | ProcedureEvent::AwardDeclined {
                lot,
                winner,
                next_candidate,
                ..
            } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    lot.award.candidates.retain(|c| c.bidder != winner.bidder);
                    lot.award.winner = None;
                    lot.award.awarded_at_ms = None;
                    lot.award.contract_due_ms = None;
                    lot.award.contract = None;
                    if *next_candidate {
                        lot.status = LotStatus::CandidatesPublicised;
                    }
                }
            }
            ProcedureEvent::LotSuspended { lot, reason, .. } => {
                if let Some(lot) = procedure.lot_mut(lot) {
                    let before = std::mem::replace(&mut lot.status, LotStatus::Bidding);
                    lot.status = LotStatus::Suspended {
                        reason: reason.clone(),
                        before: Box::new(before),
                    };
                }
            }
            ProcedureEvent::LotResumed { lot, .. } => {
                if let Some(lot) = procedure.lot_mut(lot)
                    && let LotStatus::Suspended { before, .. } = &lot.status
                {
                    lot.status = (**before).clone();
                }
            }
            ProcedureEvent::Terminated { reason, at_ms } => {
                procedure.status = ProcedureStatus::Terminated;
                procedure.termination_reason = Some(reason.clone());
                for lot in &mut procedure.lots {
                    if !lot.status.is_final() {
                        lot.status = LotStatus::Terminated {
                            reason: reason.clone(),
                        };
                        lot.ended_at_ms = Some(*at_ms);
                    }
                }
            }
        }
        Some(procedure)
    }
}

/// A declined or lapsed award: the winner is struck; the next candidate may be awarded when one
/// is left (实施条例 第55条), otherwise the lot fails.
fn declined(
    lot: &Lot,
    winner: Candidate,
    reason: String,
    lapsed: bool,
    now_ms: i64,
) -> Vec<ProcedureEvent> {
    let next_candidate = lot
        .award
        .candidates
        .iter()
        .any(|c| c.bidder != winner.bidder);
    let mut events = vec![ProcedureEvent::AwardDeclined {
        lot: lot.code.clone(),
        winner,
        reason: reason.clone(),
        lapsed,
        next_candidate,
        at_ms: now_ms,
    }];
    if !next_candidate {
        events.push(ProcedureEvent::LotFailed {
            lot: lot.code.clone(),
            reason: format!("{reason}；没有其他中标候选人，依法重新招标（采购）"),
            at_ms: now_ms,
            received: None,
        });
    }
    events
}
