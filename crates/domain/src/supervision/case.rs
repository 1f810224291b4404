//! A supervision case: a 投诉 (complaint by a party with standing, after its objection) or a 举报
//! (report, from anyone, possibly anonymous), through 接收 → 受理/不予受理 → 转办 → 调查 → 处理 →
//! 反馈 → 公开 (`rules-cn.md` §8). The application establishes standing, the objection and the
//! clocks (`clocks.rs`) before filing; this decider keeps the order of the steps, the dues, the
//! administrative-penalty procedure (行政处罚法: notice, statement or hearing, then the decision)
//! and the closed list of decisions.

use serde::{Deserialize, Serialize};

use crate::fields::{optional_text, text_field};
use crate::{Calendar, Date, Decider, Document, DomainError, EntityId, ObjectionSubject};

/// 投诉 or 举报.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Complaint,
    Report,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Report => "report",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Complaint => "投诉",
            Self::Report => "举报",
        }
    }
}

/// A market entity taking part in a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub entity: EntityId,
    pub name: String,
}

/// What a case is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTarget {
    pub procedure: String,
    pub lot: Option<String>,
    /// The procedure's name, shown in queues.
    pub title: String,
    /// Catalog category and region: where jurisdiction comes from.
    pub category: String,
    pub region: String,
}

/// What the complainant or reporter files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    pub kind: CaseKind,
    pub target: CaseTarget,
    /// A complaint's matter (its objection's subject).
    pub subject: Option<ObjectionSubject>,
    /// 事实.
    pub facts: String,
    /// 法律依据.
    pub grounds: String,
    /// 投诉请求.
    pub request: String,
    pub evidence: Vec<Document>,
    /// None: an anonymous report.
    pub complainant: Option<Party>,
    /// A reporter's contact, if given (confidential).
    pub contact: String,
    /// A complaint's 知道或者应当知道之日 and last day, as computed at filing.
    pub knew_on: Option<Date>,
    pub last_day: Option<Date>,
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 已接收, acceptance to be decided.
    Received,
    /// 待补正: the complainant was asked once for missing material.
    AwaitingMaterial,
    /// 不予受理.
    NotAccepted,
    /// 已受理，调查中.
    Investigating,
    /// 已作出处理决定.
    Decided,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::AwaitingMaterial => "awaiting_material",
            Self::NotAccepted => "not_accepted",
            Self::Investigating => "investigating",
            Self::Decided => "decided",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Received => "已接收，待审查受理",
            Self::AwaitingMaterial => "待补正",
            Self::NotAccepted => "不予受理",
            Self::Investigating => "已受理，调查中",
            Self::Decided => "已作出处理决定",
        }
    }
}

/// The closed list of decisions (招标投标法实施条例 第61条; 财政部令第94号 第29–32条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// 驳回投诉.
    Dismiss,
    /// 责令改正.
    OrderCorrection,
    /// 责令重新评标（评审）.
    OrderReEvaluation,
    /// 责令重新招标（采购）.
    OrderRetender,
    /// 中标（成交）无效.
    AwardVoid,
    /// 举报属实，依法处理.
    ReportFounded,
    /// 举报不实（查无实据）.
    ReportUnfounded,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 7] = [
        Self::Dismiss,
        Self::OrderCorrection,
        Self::OrderReEvaluation,
        Self::OrderRetender,
        Self::AwardVoid,
        Self::ReportFounded,
        Self::ReportUnfounded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dismiss => "dismiss",
            Self::OrderCorrection => "order_correction",
            Self::OrderReEvaluation => "order_re_evaluation",
            Self::OrderRetender => "order_retender",
            Self::AwardVoid => "award_void",
            Self::ReportFounded => "report_founded",
            Self::ReportUnfounded => "report_unfounded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Dismiss => "驳回投诉",
            Self::OrderCorrection => "责令改正",
            Self::OrderReEvaluation => "责令重新评标（评审）",
            Self::OrderRetender => "责令重新招标（采购）",
            Self::AwardVoid => "中标（成交）无效",
            Self::ReportFounded => "举报属实，依法处理",
            Self::ReportUnfounded => "举报不实，予以了结",
        }
    }

    /// Whether a case of `kind` may end with this decision.
    pub fn fits(self, kind: CaseKind) -> bool {
        match self {
            Self::Dismiss => kind == CaseKind::Complaint,
            Self::ReportFounded | Self::ReportUnfounded => kind == CaseKind::Report,
            _ => true,
        }
    }
}

/// An administrative penalty (行政处罚).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Penalty {
    /// 罚款.
    Fine { amount_fen: i64 },
    /// 暂停投标（参加政府采购活动）资格, months.
    SuspendQualification { months: u32 },
    /// 取消中标（成交）资格.
    Disqualify,
}

impl Penalty {
    pub fn label_zh(&self) -> String {
        match self {
            Self::Fine { amount_fen } => {
                format!("罚款 {}.{:02} 元", amount_fen / 100, amount_fen % 100)
            }
            Self::SuspendQualification { months } => format!("暂停投标资格 {months} 个月"),
            Self::Disqualify => "取消中标（成交）资格".into(),
        }
    }
}

/// One party's penalty procedure: the notice, then its statement (陈述、申辩, or a hearing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyProcedure {
    pub party: Party,
    pub penalty: Penalty,
    pub facts: String,
    pub noticed_at_ms: i64,
    /// The last day to state, defend or ask for a hearing.
    pub statement_due: Date,
    pub statement: Option<String>,
    pub hearing_requested: bool,
    pub stated_at_ms: Option<i64>,
    /// The hearing's record (听证笔录), once held.
    #[serde(default)]
    pub hearing_record: Option<String>,
}

/// A request to a party for material, with a deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyRequest {
    pub id: u32,
    pub party: Party,
    pub what: String,
    pub due: Date,
    pub at_ms: i64,
    pub answer: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Document>,
    pub answered_at_ms: Option<i64>,
}

/// The decision as signed by the department.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub kind: DecisionKind,
    /// 处理理由 (facts found).
    pub reasons: String,
    /// 法律依据.
    pub basis: String,
    pub penalties: Vec<(Party, Penalty)>,
    /// The department that decided.
    pub department: String,
    /// SM3 (hex) of the decision document's canonical text, which the certificate signed.
    pub document_sm3: String,
    /// The signer's certificate (PEM) and the signature (hex).
    pub certificate: String,
    pub signature: String,
    pub at_ms: i64,
}

/// A case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub filing: Filing,
    /// SM3 of a report's query code (the reporter's only handle on the case).
    pub query_code_sm3: Option<String>,
    pub status: CaseStatus,
    pub received_at_ms: i64,
    /// The department handling it.
    pub lead: String,
    /// Departments investigating jointly with the lead.
    pub joint: Vec<String>,
    pub acceptance_due: Date,
    pub material: Option<(String, Date)>,
    /// When the requested material came in.
    #[serde(default)]
    pub supplied_at_ms: Option<i64>,
    pub not_accepted_reason: Option<String>,
    pub accepted_at_ms: Option<i64>,
    pub decision_due: Option<Date>,
    pub copy_due: Option<Date>,
    /// When the complaint's copy was served on the respondent (procurement).
    #[serde(default)]
    pub copy_served_at_ms: Option<i64>,
    /// Clock paused since (reason, day).
    pub paused: Option<(String, Date)>,
    pub paused_working_days: u32,
    /// The lot suspended by this case (so that the decision lifts it).
    pub suspended_lot: Option<String>,
    pub requests: Vec<PartyRequest>,
    pub penalties: Vec<PenaltyProcedure>,
    pub decision: Option<Decision>,
    pub feedback: Option<(String, i64)>,
    /// The published text (personal data masked) and when.
    pub published: Option<(String, i64)>,
}

impl Case {
    /// The stream of case `id`.
    pub fn stream(id: &str) -> String {
        format!("case/{id}")
    }

    /// Whether department `code` handles the case (lead or joint).
    pub fn handled_by(&self, code: &str) -> bool {
        self.lead == code || self.joint.iter().any(|d| d == code)
    }

    /// The step now due and its last day, if one runs.
    pub fn current_due(&self) -> Option<(&'static str, Date)> {
        match self.status {
            CaseStatus::Received => Some(("审查受理", self.acceptance_due)),
            CaseStatus::AwaitingMaterial => self.material.as_ref().map(|(_, due)| ("补正", *due)),
            CaseStatus::Investigating
                if self.copy_served_at_ms.is_none() && self.copy_due.is_some() =>
            {
                self.copy_due.map(|due| ("送达投诉书副本", due))
            }
            CaseStatus::Investigating if self.paused.is_none() => {
                self.decision_due.map(|due| ("作出处理决定", due))
            }
            CaseStatus::Decided if self.feedback.is_none() => None,
            _ => None,
        }
    }

    /// Whether the current step is past its last day on `today` (the department's queue and the
    /// oversight channel flag it).
    pub fn overdue(&self, today: Date) -> bool {
        self.current_due()
            .is_some_and(|(step, due)| step != "补正" && today > due)
    }
}

/// What may be asked of a case. Dates are computed by the application from the rule set.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseCommand {
    File {
        id: String,
        filing: Filing,
        lead: String,
        acceptance_due: Date,
        query_code_sm3: Option<String>,
    },
    /// 一次性补正通知 (procurement, once).
    RequestMaterial {
        what: String,
        due: Date,
        by: String,
    },
    /// The complainant supplies it; the acceptance clock starts again.
    SupplyMaterial {
        text: String,
        evidence: Vec<Document>,
        acceptance_due: Date,
    },
    /// 受理.
    Accept {
        decision_due: Date,
        copy_due: Option<Date>,
        by: String,
    },
    /// 不予受理, with the reason and its basis.
    Refuse {
        reason: String,
        by: String,
    },
    /// 转办 to the competent department.
    Forward {
        to: String,
        reason: String,
        acceptance_due: Date,
        by: String,
    },
    /// 联合调查 with other departments.
    Join {
        departments: Vec<String>,
        by: String,
    },
    /// The lot was suspended (暂停) for the investigation.
    RecordSuspension {
        lot: String,
        by: String,
    },
    /// 送达投诉书副本 on the respondent (procurement, 94号令 第22条).
    ServeCopy {
        by: String,
    },
    /// 调取材料: ask a party for material by `due`.
    AskParty {
        party: Party,
        what: String,
        due: Date,
        by: String,
    },
    AnswerParty {
        id: u32,
        party: EntityId,
        text: String,
        evidence: Vec<Document>,
    },
    /// 检验、检测、鉴定、专家评审 or 补充材料: the decision clock stops.
    PauseClock {
        reason: String,
        by: String,
    },
    ResumeClock {
        calendar: Calendar,
        by: String,
    },
    /// 行政处罚告知.
    NoticePenalty {
        party: Party,
        penalty: Penalty,
        facts: String,
        statement_due: Date,
        /// The rule set's range of a 暂停资格 in months (e.g. 招标投标法 第54条: 一年至三年).
        suspension_months: (u32, u32),
        by: String,
    },
    /// The party's statement and defence (or hearing request).
    RecordStatement {
        party: EntityId,
        text: String,
        hearing: bool,
    },
    /// 听证: the hearing a party asked for was held; its record.
    RecordHearing {
        party: EntityId,
        record: String,
        by: String,
    },
    Decide {
        decision: Decision,
        by: String,
    },
    /// 反馈 to the complainant or reporter.
    Feedback {
        text: String,
        by: String,
    },
    /// 公开 the decision (personal data already masked by the application).
    Publish {
        text: String,
        by: String,
    },
}

/// What happened to a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CaseEvent {
    Filed {
        id: String,
        filing: Box<Filing>,
        lead: String,
        acceptance_due: Date,
        query_code_sm3: Option<String>,
        at_ms: i64,
    },
    MaterialRequested {
        what: String,
        due: Date,
        by: String,
        at_ms: i64,
    },
    MaterialSupplied {
        text: String,
        evidence: Vec<Document>,
        acceptance_due: Date,
        at_ms: i64,
    },
    Accepted {
        decision_due: Date,
        copy_due: Option<Date>,
        by: String,
        at_ms: i64,
    },
    Refused {
        reason: String,
        by: String,
        at_ms: i64,
    },
    Forwarded {
        from: String,
        to: String,
        reason: String,
        acceptance_due: Date,
        by: String,
        at_ms: i64,
    },
    Joined {
        departments: Vec<String>,
        by: String,
        at_ms: i64,
    },
    SuspensionRecorded {
        lot: String,
        by: String,
        at_ms: i64,
    },
    CopyServed {
        by: String,
        at_ms: i64,
    },
    PartyAsked {
        request: PartyRequest,
        by: String,
    },
    PartyAnswered {
        id: u32,
        text: String,
        evidence: Vec<Document>,
        at_ms: i64,
    },
    ClockPaused {
        reason: String,
        on: Date,
        by: String,
        at_ms: i64,
    },
    ClockResumed {
        working_days: u32,
        decision_due: Date,
        by: String,
        at_ms: i64,
    },
    PenaltyNoticed {
        procedure: PenaltyProcedure,
        by: String,
    },
    StatementRecorded {
        party: EntityId,
        text: String,
        hearing: bool,
        at_ms: i64,
    },
    HearingRecorded {
        party: EntityId,
        record: String,
        by: String,
        at_ms: i64,
    },
    Decided {
        decision: Decision,
        by: String,
    },
    FeedbackGiven {
        text: String,
        by: String,
        at_ms: i64,
    },
    Published {
        text: String,
        by: String,
        at_ms: i64,
    },
}

impl CaseEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Filed { .. } => "case.filed",
            Self::MaterialRequested { .. } => "case.material_requested",
            Self::MaterialSupplied { .. } => "case.material_supplied",
            Self::Accepted { .. } => "case.accepted",
            Self::Refused { .. } => "case.refused",
            Self::Forwarded { .. } => "case.forwarded",
            Self::Joined { .. } => "case.joined",
            Self::SuspensionRecorded { .. } => "case.suspension_recorded",
            Self::CopyServed { .. } => "case.copy_served",
            Self::PartyAsked { .. } => "case.party_asked",
            Self::PartyAnswered { .. } => "case.party_answered",
            Self::ClockPaused { .. } => "case.clock_paused",
            Self::ClockResumed { .. } => "case.clock_resumed",
            Self::PenaltyNoticed { .. } => "case.penalty_noticed",
            Self::StatementRecorded { .. } => "case.statement_recorded",
            Self::HearingRecorded { .. } => "case.hearing_recorded",
            Self::Decided { .. } => "case.decided",
            Self::FeedbackGiven { .. } => "case.feedback_given",
            Self::Published { .. } => "case.published",
        }
    }

    /// Only the published decision is public as it happens; everything else (who complained,
    /// the evidence, the investigation) concerns the parties and the departments.
    pub fn is_public(&self) -> bool {
        matches!(self, Self::Published { .. })
    }
}

fn step(status: CaseStatus, step: &'static str) -> DomainError {
    DomainError::CaseStep {
        step,
        status: status.label_zh(),
    }
}

fn long_text(field: &'static str, text: &str, max: usize) -> Result<String, DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::Required { field });
    }
    text_field(field, text, max)?;
    Ok(text.trim().to_string())
}

impl Decider for Option<Case> {
    type Command = CaseCommand;
    type Event = CaseEvent;

    fn decide(&self, command: CaseCommand, now_ms: i64) -> Result<Vec<CaseEvent>, DomainError> {
        let today = Date::of_instant(now_ms);
        let CaseCommand::File {
            id,
            filing,
            lead,
            acceptance_due,
            query_code_sm3,
        } = command
        else {
            let case = self.as_ref().ok_or(DomainError::CaseNotFound)?;
            return decide_existing(case, command, now_ms, today);
        };
        if self.is_some() {
            return Err(DomainError::CaseExists);
        }
        let mut filing = filing;
        filing.facts = long_text("事实与理由", &filing.facts, 20_000)?;
        optional_text("联系方式", &filing.contact, 200)?;
        if filing.kind == CaseKind::Complaint {
            if filing.complainant.is_none() {
                return Err(DomainError::Required { field: "投诉人" });
            }
            if filing.subject.is_none() {
                return Err(DomainError::Required {
                    field: "投诉事项"
                });
            }
            filing.grounds = long_text("法律依据", &filing.grounds, 5000)?;
            filing.request = long_text("投诉请求", &filing.request, 5000)?;
            if filing.last_day.is_some_and(|last| today > last) {
                return Err(DomainError::CaseLate {
                    last: filing.last_day.map(|d| d.to_string()).unwrap_or_default(),
                });
            }
        } else {
            optional_text("法律依据", &filing.grounds, 5000)?;
            optional_text("举报请求", &filing.request, 5000)?;
        }
        Ok(vec![CaseEvent::Filed {
            id,
            filing: Box::new(filing),
            lead,
            acceptance_due,
            query_code_sm3,
            at_ms: now_ms,
        }])
    }

    fn evolve(self, event: &CaseEvent) -> Self {
        if let CaseEvent::Filed {
            id,
            filing,
            lead,
            acceptance_due,
            query_code_sm3,
            at_ms,
        } = event
        {
            return Some(Case {
                id: id.clone(),
                filing: (**filing).clone(),
                query_code_sm3: query_code_sm3.clone(),
                status: CaseStatus::Received,
                received_at_ms: *at_ms,
                lead: lead.clone(),
                joint: Vec::new(),
                acceptance_due: *acceptance_due,
                material: None,
                supplied_at_ms: None,
                not_accepted_reason: None,
                accepted_at_ms: None,
                decision_due: None,
                copy_due: None,
                copy_served_at_ms: None,
                paused: None,
                paused_working_days: 0,
                suspended_lot: None,
                requests: Vec::new(),
                penalties: Vec::new(),
                decision: None,
                feedback: None,
                published: None,
            });
        }
        let mut case = self?;
        match event {
            CaseEvent::Filed { .. } => {}
            CaseEvent::MaterialRequested { what, due, .. } => {
                case.status = CaseStatus::AwaitingMaterial;
                case.material = Some((what.clone(), *due));
            }
            CaseEvent::MaterialSupplied {
                evidence,
                acceptance_due,
                at_ms,
                ..
            } => {
                case.status = CaseStatus::Received;
                case.supplied_at_ms = Some(*at_ms);
                case.filing.evidence.extend(evidence.iter().cloned());
                case.acceptance_due = *acceptance_due;
            }
            CaseEvent::Accepted {
                decision_due,
                copy_due,
                at_ms,
                ..
            } => {
                case.status = CaseStatus::Investigating;
                case.accepted_at_ms = Some(*at_ms);
                case.decision_due = Some(*decision_due);
                case.copy_due = *copy_due;
            }
            CaseEvent::Refused { reason, .. } => {
                case.status = CaseStatus::NotAccepted;
                case.not_accepted_reason = Some(reason.clone());
            }
            CaseEvent::Forwarded {
                to, acceptance_due, ..
            } => {
                case.joint.retain(|d| d != to);
                case.lead = to.clone();
                if case.status == CaseStatus::Received {
                    case.acceptance_due = *acceptance_due;
                }
            }
            CaseEvent::Joined { departments, .. } => {
                for department in departments {
                    if !case.handled_by(department) {
                        case.joint.push(department.clone());
                    }
                }
            }
            CaseEvent::SuspensionRecorded { lot, .. } => case.suspended_lot = Some(lot.clone()),
            CaseEvent::CopyServed { at_ms, .. } => case.copy_served_at_ms = Some(*at_ms),
            CaseEvent::PartyAsked { request, .. } => case.requests.push(request.clone()),
            CaseEvent::PartyAnswered {
                id,
                text,
                evidence,
                at_ms,
            } => {
                if let Some(request) = case.requests.iter_mut().find(|r| r.id == *id) {
                    request.answer = Some(text.clone());
                    request.evidence = evidence.clone();
                    request.answered_at_ms = Some(*at_ms);
                }
            }
            CaseEvent::ClockPaused { reason, on, .. } => case.paused = Some((reason.clone(), *on)),
            CaseEvent::ClockResumed {
                working_days,
                decision_due,
                ..
            } => {
                case.paused = None;
                case.paused_working_days += working_days;
                case.decision_due = Some(*decision_due);
            }
            CaseEvent::PenaltyNoticed { procedure, .. } => case.penalties.push(procedure.clone()),
            CaseEvent::StatementRecorded {
                party,
                text,
                hearing,
                at_ms,
            } => {
                for procedure in case
                    .penalties
                    .iter_mut()
                    .filter(|p| &p.party.entity == party)
                {
                    procedure.statement = Some(text.clone());
                    procedure.hearing_requested = *hearing;
                    procedure.stated_at_ms = Some(*at_ms);
                }
            }
            CaseEvent::HearingRecorded { party, record, .. } => {
                for procedure in case
                    .penalties
                    .iter_mut()
                    .filter(|p| &p.party.entity == party)
                {
                    procedure.hearing_record = Some(record.clone());
                }
            }
            CaseEvent::Decided { decision, .. } => {
                case.status = CaseStatus::Decided;
                case.decision = Some(decision.clone());
                case.paused = None;
            }
            CaseEvent::FeedbackGiven { text, at_ms, .. } => {
                case.feedback = Some((text.clone(), *at_ms));
            }
            CaseEvent::Published { text, at_ms, .. } => {
                case.published = Some((text.clone(), *at_ms));
            }
        }
        Some(case)
    }
}

fn decide_existing(
    case: &Case,
    command: CaseCommand,
    now_ms: i64,
    today: Date,
) -> Result<Vec<CaseEvent>, DomainError> {
    let status = case.status;
    let investigating = || {
        if status == CaseStatus::Investigating {
            Ok(())
        } else {
            Err(step(status, "调查"))
        }
    };
    match command {
        CaseCommand::File { .. } => Err(DomainError::CaseExists),
        CaseCommand::RequestMaterial { what, due, by } => {
            if status != CaseStatus::Received {
                return Err(step(status, "通知补正"));
            }
            if case.material.is_some() {
                return Err(DomainError::CaseMaterialOnce);
            }
            if due <= today {
                return Err(DomainError::CaseDueDate);
            }
            Ok(vec![CaseEvent::MaterialRequested {
                what: long_text("需要补正的事项", &what, 2000)?,
                due,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::SupplyMaterial {
            text,
            evidence,
            acceptance_due,
        } => {
            if status != CaseStatus::AwaitingMaterial {
                return Err(step(status, "补正"));
            }
            if let Some((_, due)) = &case.material
                && today > *due
            {
                return Err(DomainError::CaseLate {
                    last: due.to_string(),
                });
            }
            Ok(vec![CaseEvent::MaterialSupplied {
                text: long_text("补正内容", &text, 20_000)?,
                evidence,
                acceptance_due,
                at_ms: now_ms,
            }])
        }
        CaseCommand::Accept {
            decision_due,
            copy_due,
            by,
        } => {
            if status != CaseStatus::Received {
                return Err(step(status, "受理"));
            }
            Ok(vec![CaseEvent::Accepted {
                decision_due,
                copy_due,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::Refuse { reason, by } => {
            if !matches!(status, CaseStatus::Received | CaseStatus::AwaitingMaterial) {
                return Err(step(status, "不予受理"));
            }
            Ok(vec![CaseEvent::Refused {
                reason: long_text("不予受理的理由", &reason, 5000)?,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::Forward {
            to,
            reason,
            acceptance_due,
            by,
        } => {
            if !matches!(status, CaseStatus::Received | CaseStatus::Investigating) {
                return Err(step(status, "转办"));
            }
            if to == case.lead {
                return Err(DomainError::CaseDepartment {
                    reason: "不能转给本部门".into(),
                });
            }
            Ok(vec![CaseEvent::Forwarded {
                from: case.lead.clone(),
                to,
                reason: long_text("转办理由", &reason, 2000)?,
                acceptance_due,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::Join { departments, by } => {
            investigating()?;
            let new: Vec<String> = departments
                .into_iter()
                .filter(|d| !case.handled_by(d))
                .collect();
            if new.is_empty() {
                return Err(DomainError::CaseDepartment {
                    reason: "请选择尚未参与本案的部门".into(),
                });
            }
            Ok(vec![CaseEvent::Joined {
                departments: new,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::RecordSuspension { lot, by } => {
            investigating()?;
            Ok(vec![CaseEvent::SuspensionRecorded {
                lot,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::ServeCopy { by } => {
            investigating()?;
            if case.copy_due.is_none() || case.copy_served_at_ms.is_some() {
                return Err(step(status, "送达投诉书副本"));
            }
            Ok(vec![CaseEvent::CopyServed { by, at_ms: now_ms }])
        }
        CaseCommand::AskParty {
            party,
            what,
            due,
            by,
        } => {
            investigating()?;
            if due <= today {
                return Err(DomainError::CaseDueDate);
            }
            Ok(vec![CaseEvent::PartyAsked {
                request: PartyRequest {
                    id: case.requests.len() as u32 + 1,
                    party,
                    what: long_text("调取的材料", &what, 2000)?,
                    due,
                    at_ms: now_ms,
                    answer: None,
                    evidence: Vec::new(),
                    answered_at_ms: None,
                },
                by,
            }])
        }
        CaseCommand::AnswerParty {
            id,
            party,
            text,
            evidence,
        } => {
            investigating()?;
            let request = case
                .requests
                .iter()
                .find(|r| r.id == id && r.party.entity == party)
                .ok_or(DomainError::CaseRequestNotFound)?;
            if request.answer.is_some() {
                return Err(DomainError::CaseRequestAnswered);
            }
            Ok(vec![CaseEvent::PartyAnswered {
                id,
                text: long_text("提交的材料说明", &text, 20_000)?,
                evidence,
                at_ms: now_ms,
            }])
        }
        CaseCommand::PauseClock { reason, by } => {
            investigating()?;
            if case.paused.is_some() {
                return Err(DomainError::CaseClockPaused);
            }
            Ok(vec![CaseEvent::ClockPaused {
                reason: long_text("中止计时的事由", &reason, 500)?,
                on: today,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::ResumeClock { calendar, by } => {
            investigating()?;
            let Some((_, since)) = &case.paused else {
                return Err(DomainError::CaseClockRunning);
            };
            let working_days = calendar.working_days_between(*since, today);
            let due = case.decision_due.unwrap_or(today);
            Ok(vec![CaseEvent::ClockResumed {
                working_days,
                decision_due: calendar.add_working_days(due, working_days),
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::NoticePenalty {
            party,
            penalty,
            facts,
            statement_due,
            suspension_months: (least, most),
            by,
        } => {
            investigating()?;
            if let Penalty::Fine { amount_fen } = penalty {
                crate::amount_field("罚款金额", amount_fen)?;
            }
            if let Penalty::SuspendQualification { months } = penalty
                && !(least..=most).contains(&months)
            {
                return Err(DomainError::CasePenalty {
                    reason: format!("暂停资格的期限应为{least}至{most}个月（规则集）"),
                });
            }
            if case
                .penalties
                .iter()
                .any(|p| p.party.entity == party.entity && p.penalty == penalty)
            {
                return Err(DomainError::CasePenalty {
                    reason: "已就该处罚向该当事人告知".into(),
                });
            }
            Ok(vec![CaseEvent::PenaltyNoticed {
                procedure: PenaltyProcedure {
                    party,
                    penalty,
                    facts: long_text("拟处罚的事实、理由和依据", &facts, 5000)?,
                    noticed_at_ms: now_ms,
                    statement_due,
                    statement: None,
                    hearing_requested: false,
                    stated_at_ms: None,
                    hearing_record: None,
                },
                by,
            }])
        }
        CaseCommand::RecordStatement {
            party,
            text,
            hearing,
        } => {
            investigating()?;
            let noticed: Vec<&PenaltyProcedure> = case
                .penalties
                .iter()
                .filter(|p| p.party.entity == party)
                .collect();
            if noticed.is_empty() {
                return Err(DomainError::CasePenalty {
                    reason: "没有向该当事人告知拟作出的处罚".into(),
                });
            }
            if noticed.iter().all(|p| p.statement.is_some()) {
                return Err(DomainError::CasePenalty {
                    reason: "已记录该当事人的陈述、申辩".into(),
                });
            }
            if noticed.iter().all(|p| today > p.statement_due) {
                return Err(DomainError::CaseLate {
                    last: noticed[0].statement_due.to_string(),
                });
            }
            Ok(vec![CaseEvent::StatementRecorded {
                party,
                text: long_text("陈述、申辩", &text, 20_000)?,
                hearing,
                at_ms: now_ms,
            }])
        }
        CaseCommand::RecordHearing { party, record, by } => {
            investigating()?;
            let asked = case.penalties.iter().any(|p| {
                p.party.entity == party && p.hearing_requested && p.hearing_record.is_none()
            });
            if !asked {
                return Err(DomainError::CasePenalty {
                    reason: "该当事人没有待举行的听证".into(),
                });
            }
            Ok(vec![CaseEvent::HearingRecorded {
                party,
                record: long_text("听证笔录", &record, 20_000)?,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::Decide { decision, by } => {
            investigating()?;
            if !decision.kind.fits(case.filing.kind) {
                return Err(DomainError::CaseDecisionKind {
                    kind: decision.kind.label_zh(),
                    case: case.filing.kind.label_zh(),
                });
            }
            long_text("处理理由", &decision.reasons, 20_000)?;
            long_text("法律依据", &decision.basis, 5000)?;
            if matches!(
                decision.kind,
                DecisionKind::AwardVoid
                    | DecisionKind::OrderReEvaluation
                    | DecisionKind::OrderRetender
            ) && case.filing.target.lot.is_none()
            {
                return Err(DomainError::Required {
                    field: "标段（包）",
                });
            }
            // 行政处罚法 第44–45条、第62条: no penalty without its notice and the party's chance to
            // state its case (a statement recorded, or the statement period over).
            for (party, penalty) in &decision.penalties {
                let procedure = case
                    .penalties
                    .iter()
                    .find(|p| p.party.entity == party.entity && &p.penalty == penalty)
                    .ok_or_else(|| DomainError::CasePenalty {
                        reason: format!("对{}的“{}”未经事先告知", party.name, penalty.label_zh()),
                    })?;
                if procedure.hearing_requested && procedure.hearing_record.is_none() {
                    return Err(DomainError::CasePenalty {
                        reason: format!(
                            "{}已要求听证，举行听证并记录笔录后方可作出处罚决定（行政处罚法 第63条至第65条）",
                            party.name
                        ),
                    });
                }
                if procedure.statement.is_none() && today <= procedure.statement_due {
                    return Err(DomainError::CasePenalty {
                        reason: format!(
                            "{}的陈述、申辩期限至{}，期满或者记录其陈述、申辩后方可作出处罚决定",
                            party.name, procedure.statement_due
                        ),
                    });
                }
            }
            Ok(vec![CaseEvent::Decided { decision, by }])
        }
        CaseCommand::Feedback { text, by } => {
            if !matches!(status, CaseStatus::Decided | CaseStatus::NotAccepted) {
                return Err(step(status, "反馈"));
            }
            if case.feedback.is_some() {
                return Err(step(status, "反馈"));
            }
            Ok(vec![CaseEvent::FeedbackGiven {
                text: long_text("反馈内容", &text, 5000)?,
                by,
                at_ms: now_ms,
            }])
        }
        CaseCommand::Publish { text, by } => {
            if status != CaseStatus::Decided || case.published.is_some() {
                return Err(step(status, "公开处理决定"));
            }
            Ok(vec![CaseEvent::Published {
                text: long_text("公开的决定", &text, 20_000)?,
                by,
                at_ms: now_ms,
            }])
        }
    }
}
