//! Cases: a complaint by a party with standing after its objection, or a report by anyone (also
//! anonymously, with a query code), routed to the competent department from the published list
//! (`data/supervision.toml`), with every due date from the rule set and the working-day
//! calendar. The filing, the investigation and the reporter's identity are witnessed with
//! `Visibility::Supervision`: only supervisors and auditors read them in the ledger; the public
//! sees the decision once published, with personal data masked.

use domain::{
    Case, CaseCommand, CaseKind, CaseRules, CaseStatus, CaseTarget, Date, Decider, Decision,
    DecisionKind, Department, DepartmentRole, Document, DomainError, EntityId, Filing,
    ObjectionFacts, ObjectionRules, ObjectionSubject, Party, Penalty, Procedure, ProcedureCommand,
    Role, Supervision,
};
use ledger::Visibility;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use store::{DocumentFilter, DocumentRow, Page, WriteTx};

use crate::tendering::tender::procedure_of_lot;
use crate::witness::append::append;
use crate::witness::documents::{DocumentAggregate, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// At most this many evidence files per filing or answer, each at most `MAX_EVIDENCE_BYTES`.
pub const MAX_EVIDENCE_FILES: usize = 10;
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// The actor written in the public header of a filing: never the complainant's or reporter's
/// log-in.
const FILING_ACTOR: &str = "case-filing";
/// The actor of a party's answer or statement, for the same reason.
const PARTY_ACTOR: &str = "case-party";

impl DocumentAggregate for Option<Case> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let case = self.as_ref()?;
        let mut departments = format!("|{}|", case.lead);
        for joint in &case.joint {
            departments.push_str(joint);
            departments.push('|');
        }
        // A named complainant or reporter finds its own cases by `|@entity|`.
        if let Some(party) = &case.filing.complainant {
            departments.push_str(&format!("@{}|", party.entity));
        }
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "case".into(),
            // The departments handling it, `|lead|joint…|`, then `@complainant|`.
            key1: departments,
            // The complainant (its own cases), or a report's query-code digest.
            key2: match (&case.filing.complainant, &case.query_code_sm3) {
                (_, Some(code)) => format!("q:{code}"),
                (Some(party), None) => party.entity.to_string(),
                (None, None) => String::new(),
            },
            status: if case.published.is_some() {
                "published".into()
            } else {
                case.status.as_str().into()
            },
            sort_ms: case.received_at_ms,
            state: serde_json::to_string(case).unwrap_or_default(),
            last_seq,
        })
    }

    fn event_kind(event: &domain::CaseEvent) -> &'static str {
        event.kind()
    }

    fn visibility(event: &domain::CaseEvent) -> Visibility {
        if event.is_public() {
            Visibility::Public
        } else {
            Visibility::Supervision
        }
    }
}

/// A complaint as filed by a bidder or supplier.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct NewComplaint {
    pub lot: String,
    /// `documents`, `opening` or `result`.
    pub subject: String,
    pub facts: String,
    pub grounds: String,
    pub request: String,
}

/// A report (举报), possibly anonymous.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct NewReport {
    /// The procedure, or one of its lots.
    pub target: String,
    pub facts: String,
    pub grounds: String,
    pub request: String,
    /// Contact for feedback, optional (kept confidential).
    pub contact: String,
    /// File without naming the signed-in caller's entity.
    pub anonymous: bool,
}

/// A department's act on a case.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum CaseAct {
    Accept,
    Refuse {
        reason: String,
    },
    RequestMaterial {
        what: String,
        due: String,
    },
    Forward {
        to: String,
        reason: String,
    },
    Join {
        departments: Vec<String>,
    },
    SuspendLot,
    ServeCopy,
    RecordHearing {
        entity: String,
        record: String,
    },
    AskParty {
        entity: String,
        what: String,
        due: String,
    },
    PauseClock {
        reason: String,
    },
    ResumeClock,
    NoticePenalty {
        entity: String,
        penalty: PenaltyInput,
        facts: String,
    },
    Feedback {
        text: String,
    },
    Publish,
}

/// A penalty as a form or API names it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PenaltyInput {
    Fine { amount_fen: i64 },
    SuspendQualification { months: u32 },
    Disqualify,
}

impl From<PenaltyInput> for Penalty {
    fn from(input: PenaltyInput) -> Self {
        match input {
            PenaltyInput::Fine { amount_fen } => Penalty::Fine { amount_fen },
            PenaltyInput::SuspendQualification { months } => {
                Penalty::SuspendQualification { months }
            }
            PenaltyInput::Disqualify => Penalty::Disqualify,
        }
    }
}

/// The decision a department drafts; what its certificate signs is `DecisionToSign`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct DecisionDraft {
    pub kind: String,
    pub reasons: String,
    pub basis: String,
    /// Penalties decided, each already noticed to its party: (entity id, penalty).
    #[serde(default)]
    pub penalties: Vec<(String, PenaltyInput)>,
}

/// The canonical JSON a department signs (`ggzy sign`): the case, the department and the
/// decision's full text.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct DecisionToSign {
    pub case: String,
    pub department: String,
    pub kind: String,
    pub reasons: String,
    pub basis: String,
    pub penalties: Vec<(String, PenaltyInput)>,
}

/// A case as its reader may see it: the reporter's identity and contact only for the
/// departments handling it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    pub case: Case,
    /// Whether the reader handles the case (may act on it).
    pub handles: bool,
    /// Whether the reader is a department concerned (handling it, or oversight).
    pub department_view: bool,
    /// The lead department's name, and the joint ones'.
    pub lead_name: String,
    pub joint_names: Vec<String>,
    /// Working days left in the current step (negative when overdue).
    pub days_left: Option<i64>,
    pub overdue: bool,
    /// The step now due, and its last day.
    pub due: Option<(String, Date)>,
}

/// One line of a queue.
#[derive(Clone, Debug, Serialize)]
pub struct CaseSummary {
    pub id: String,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub title: String,
    pub lot: Option<String>,
    pub lead: String,
    pub received_at_ms: i64,
    pub due: Option<(String, Date)>,
    pub days_left: Option<i64>,
    pub overdue: bool,
}

/// A published decision, as the portal shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PublishedDecision {
    pub case: String,
    pub kind: CaseKind,
    pub procedure: String,
    pub lot: Option<String>,
    pub title: String,
    pub department: String,
    pub decision: String,
    pub text: String,
    pub published_at_ms: i64,
}

/// Whose view of a case is being made: each sees only what is theirs to see.
#[derive(Clone, Copy)]
enum Viewer<'a> {
    /// A department handling or overseeing it: everything.
    Department,
    /// A market entity concerned (the complainant, a party asked for material or noticed a
    /// penalty): the filing (without a report's reporter, contact or evidence unless it filed
    /// it), its own requests and penalty procedures, and the outcome.
    Party(&'a str),
    /// The holder of a report's query code: the progress and the outcome.
    Reporter,
}

impl Viewer<'_> {
    fn sanitize(self, mut case: Case) -> Case {
        let Viewer::Party(entity) = self else {
            if matches!(self, Viewer::Reporter) {
                case.filing.contact = String::new();
                case.filing.complainant = None;
                case.filing.evidence.clear();
                case.requests.clear();
                case.penalties.clear();
                case.query_code_sm3 = None;
            }
            return case;
        };
        let filed_it = case
            .filing
            .complainant
            .as_ref()
            .is_some_and(|p| p.entity.0 == entity);
        if !filed_it {
            case.filing.contact = String::new();
            case.filing.evidence.clear();
            if case.filing.kind == CaseKind::Report {
                case.filing.complainant = None;
            }
        }
        case.requests.retain(|r| r.party.entity.0 == entity);
        case.penalties.retain(|p| p.party.entity.0 == entity);
        case.query_code_sm3 = None;
        case
    }
}

/// What a caller is to the platform's supervision.
enum Reader<'a> {
    /// Acts for these departments.
    Department(Vec<&'a Department>),
    /// A party of the case (complainant, or asked for material or to state its case).
    Party,
}

fn parse_due(text: &str) -> Result<Date, AppError> {
    Date::parse(text.trim())
        .map_err(|_| AppError::refused("CASE_DUE_FORMAT", "期限应为 YYYY-MM-DD 格式的日期"))
}

fn case_of(row: &DocumentRow) -> Result<Case, AppError> {
    decode_state(&row.state)
}

/// The next case's number: `C`, the year and the count of cases so far (inside the filing's
/// transaction, so two filings never take one number).
async fn next_case_id(tx: &mut WriteTx<'_>, now: i64) -> Result<String, AppError> {
    let number = tx.count_documents("case").await? + 1;
    Ok(format!("C{}{number:06}", Date::of_instant(now).year()))
}

impl App {
    async fn party(&self, entity: &str) -> Result<Party, AppError> {
        let entity = entity.trim().to_string();
        if self.store.entity(&entity).await?.is_none() {
            return Err(DomainError::EntityNotFound.into());
        }
        let name = self.entity_name(&entity).await?;
        Ok(Party {
            entity: EntityId(entity),
            name,
        })
    }

    /// The published departments and their powers.
    pub async fn supervision(&self) -> Result<Supervision, AppError> {
        Ok(self.reference_data().await?.supervision)
    }

    /// The departments the caller's entity acts for.
    async fn departments_of_caller(
        &self,
        caller: &Caller,
        supervision: &Supervision,
    ) -> Result<Vec<Department>, AppError> {
        if !caller.has_any(&[Role::Supervisor, Role::Auditor]) || caller.entity_id.is_empty() {
            return Ok(Vec::new());
        }
        let Some(row) = self.store.entity(&caller.entity_id).await? else {
            return Ok(Vec::new());
        };
        Ok(supervision
            .departments_of(&row.code)
            .into_iter()
            .filter(|d| match d.role {
                DepartmentRole::Supervision => caller.has(Role::Supervisor),
                DepartmentRole::Oversight => caller.has(Role::Auditor),
            })
            .cloned()
            .collect())
    }

    /// The departments the caller acts for (for pages).
    pub async fn my_departments(&self, caller: &Caller) -> Result<Vec<Department>, AppError> {
        let supervision = self.supervision().await?;
        self.departments_of_caller(caller, &supervision).await
    }

    /// The day whose rules a procedure follows: those in force at its publication.
    fn rules_day(&self, procedure: &Procedure) -> Date {
        Date::of_instant(procedure.published_at_ms.unwrap_or_else(|| self.now_ms()))
    }

    async fn case_rules(&self, procedure: &Procedure) -> Result<CaseRules, AppError> {
        let rules = self
            .resolve_rules(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                self.rules_day(procedure),
            )
            .await?;
        Ok(CaseRules::from_rules(&rules)?)
    }

    pub(crate) async fn objection_rules(
        &self,
        procedure: &Procedure,
    ) -> Result<ObjectionRules, AppError> {
        let rules = self
            .resolve_rules(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                self.rules_day(procedure),
            )
            .await?;
        let period = |key: &str| rules.period(key).ok().map(|p| p.period);
        let challenge = period("challenge_period");
        Ok(ObjectionRules {
            reply: period("objection_reply"),
            documents_before: period("objection_docs_before"),
            challenge,
            result_notice: period("result_notice_length"),
            notice: challenge.and(period("notice_period")),
        })
    }

    /// The bid document of `entity` for `lot`, if it registered.
    async fn bid_of(&self, lot: &str, entity: &str) -> Result<Option<domain::Bid>, AppError> {
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bid",
                    key1: Some(lot),
                    key2: Some(entity),
                    ..Default::default()
                },
                1,
                0,
            )
            .await?;
        page.items
            .first()
            .map(|row| decode_state::<domain::Bid>(&row.state))
            .transpose()
    }

    fn target_of(procedure: &Procedure, lot: Option<&str>) -> CaseTarget {
        CaseTarget {
            procedure: procedure.id.clone(),
            lot: lot.map(str::to_string),
            title: procedure.draft.title.clone(),
            category: procedure.draft.category.clone(),
            region: procedure.draft.region.to_string(),
        }
    }

    /// The competent department for a target, from the published list.
    fn competent<'a>(
        supervision: &'a Supervision,
        target: &CaseTarget,
    ) -> Result<&'a Department, AppError> {
        supervision
            .competent(&target.category, &target.region)
            .into_iter()
            .next()
            .ok_or_else(|| {
                DomainError::CaseDepartment {
                    reason: format!("没有公布该交易类别在 {} 的行政监督部门", target.region),
                }
                .into()
            })
    }

    /// Checks evidence files; returns them as documents with their bytes.
    pub(crate) fn evidence_of(
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Vec<(Document, Vec<u8>)>, AppError> {
        if files.len() > MAX_EVIDENCE_FILES {
            return Err(AppError::refused(
                "EVIDENCE_INVALID",
                "证据材料最多10个文件",
            ));
        }
        files
            .into_iter()
            .map(|(name, bytes)| {
                let name = name.trim().to_string();
                if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
                    return Err(AppError::refused(
                        "EVIDENCE_INVALID",
                        "证据文件名应为1到200个字符，不含路径",
                    ));
                }
                if domain::has_control_character(&name) {
                    return Err(DomainError::ControlCharacter {
                        field: "证据文件名",
                    }
                    .into());
                }
                if bytes.is_empty() {
                    return Err(AppError::refused("EVIDENCE_INVALID", "证据文件不能为空"));
                }
                if bytes.len() > MAX_EVIDENCE_BYTES {
                    return Err(AppError::refused(
                        "EVIDENCE_TOO_LARGE",
                        "单个证据文件不能超过20 MB",
                    ));
                }
                let document = Document {
                    name,
                    sm3: crypto::sm3(&bytes).to_hex(),
                    size: bytes.len() as u64,
                };
                Ok((document, bytes))
            })
            .collect()
    }

    /// Files a complaint (投诉): standing, the objection first, the last day from the rules.
    /// Nothing is written when it is refused.
    pub async fn file_complaint(
        &self,
        caller: &Caller,
        complaint: &NewComplaint,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<(String, Receipt), AppError> {
        if !caller.has(Role::Bidder) || !caller.acts_for(&caller.entity_id) {
            return Err(AppError::NotAuthorized);
        }
        let lot = complaint.lot.trim();
        let procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let subject = ObjectionSubject::parse(complaint.subject.trim()).ok_or_else(|| {
            AppError::refused(
                "OBJECTION_SUBJECT",
                "投诉事项应为招标（采购）文件、开标及评标过程或者中标（成交）结果",
            )
        })?;
        // Standing: a bidder or supplier of the lot, including one who only obtained the
        // documents (实施条例 第60条; 94号令 第11条).
        let bid = self
            .bid_of(lot, &caller.entity_id)
            .await?
            .ok_or(DomainError::CaseNoStanding)?;
        let rules = self.case_rules(&procedure).await?;
        let objection_rules = self.objection_rules(&procedure).await?;
        let procurement = objection_rules.challenge.is_some();
        let objection = found
            .award
            .objections
            .iter()
            .rfind(|o| o.subject == subject && o.by.0 == caller.entity_id)
            .ok_or(DomainError::CaseObjectionFirst {
                subject: subject.label_zh(),
                step: if procurement { "质疑" } else { "异议" },
                basis: match (procurement, subject) {
                    (true, _) => "政府采购法 第55条；财政部令第94号 第10条",
                    (false, ObjectionSubject::Documents) => "招标投标法实施条例 第22条、第60条",
                    (false, ObjectionSubject::Opening) => "招标投标法实施条例 第44条、第60条",
                    (false, ObjectionSubject::Result) => "招标投标法实施条例 第54条、第60条",
                },
            })?;
        let data = self.reference_data().await?;
        let calendar = &data.calendar;
        let now = self.now_ms();
        let today = Date::of_instant(now);
        let downloaded = bid.downloaded_at_ms.map(Date::of_instant);
        let knew = objection_rules
            .knew_of_harm(&procedure, found, subject, downloaded, calendar)
            .unwrap_or_else(|| Date::of_instant(objection.raised_at_ms));
        let facts = ObjectionFacts {
            raised: Date::of_instant(objection.raised_at_ms),
            answered: objection.answered_at_ms.map(Date::of_instant),
            reply_due: Date::of_day_end(objection.reply_due_ms),
        };
        let last = domain::complaint_last_day(&rules, knew, &facts, today, calendar)?;
        let target = Self::target_of(&procedure, Some(lot));
        let lead = Self::competent(&data.supervision, &target)?.code.clone();
        let evidence = Self::evidence_of(files)?;
        let filing = Filing {
            kind: CaseKind::Complaint,
            target,
            subject: Some(subject),
            facts: complaint.facts.clone(),
            grounds: complaint.grounds.clone(),
            request: complaint.request.clone(),
            evidence: evidence.iter().map(|(d, _)| d.clone()).collect(),
            complainant: Some(Party {
                entity: EntityId(caller.entity_id.clone()),
                name: self.entity_name(&caller.entity_id).await?,
            }),
            contact: String::new(),
            knew_on: Some(knew),
            last_day: Some(last),
        };
        let acceptance = domain::acceptance_due(&rules, today, calendar);
        self.file(filing, lead, acceptance, None, evidence).await
    }

    /// Files a report (举报): anyone, signed in or not, may report; an anonymous report names
    /// nobody. Returns the case, the query code (shown once) and the receipt.
    pub async fn file_report(
        &self,
        caller: Option<&Caller>,
        report: &NewReport,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<(String, String, Receipt), AppError> {
        let target = report.target.trim();
        let (procedure_id, lot) = if self
            .store
            .document(&crate::tendering::tender::procedure_stream(target))
            .await?
            .is_some()
        {
            (target, None)
        } else {
            (procedure_of_lot(target)?, Some(target))
        };
        let procedure = self.load_procedure(procedure_id).await?;
        if procedure.status == domain::ProcedureStatus::Draft {
            return Err(AppError::NotFound("项目不存在"));
        }
        if let Some(lot) = lot {
            procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        }
        let data = self.reference_data().await?;
        let rules = self.case_rules(&procedure).await?;
        let target = Self::target_of(&procedure, lot);
        let lead = Self::competent(&data.supervision, &target)?.code.clone();
        let evidence = Self::evidence_of(files)?;
        let complainant = match caller {
            Some(c) if !report.anonymous && !c.entity_id.is_empty() => Some(Party {
                entity: EntityId(c.entity_id.clone()),
                name: self.entity_name(&c.entity_id).await?,
            }),
            _ => None,
        };
        let code: String = {
            const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            let mut rng = rand::rng();
            (0..16)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect()
        };
        let filing = Filing {
            kind: CaseKind::Report,
            target,
            subject: None,
            facts: report.facts.clone(),
            grounds: report.grounds.clone(),
            request: report.request.clone(),
            evidence: evidence.iter().map(|(d, _)| d.clone()).collect(),
            complainant,
            contact: report.contact.clone(),
            knew_on: None,
            last_day: None,
        };
        let today = Date::of_instant(self.now_ms());
        let acceptance = domain::acceptance_due(&rules, today, &data.calendar);
        let code_sm3 = crypto::sm3(code.as_bytes()).to_hex();
        let (id, receipt) = self
            .file(filing, lead, acceptance, Some(code_sm3), evidence)
            .await?;
        Ok((id, code, receipt))
    }

    async fn file(
        &self,
        filing: Filing,
        lead: String,
        acceptance_due: Date,
        query_code_sm3: Option<String>,
        evidence: Vec<(Document, Vec<u8>)>,
    ) -> Result<(String, Receipt), AppError> {
        let now = self.now_ms();
        let command = |id: String| CaseCommand::File {
            id,
            filing: filing.clone(),
            lead: lead.clone(),
            acceptance_due,
            query_code_sm3: query_code_sm3.clone(),
        };
        // Every check before anything is stored: a refusal writes nothing, not even a blob.
        None::<Case>.decide(command(String::new()), now)?;
        for (_, bytes) in &evidence {
            self.store.put_blob(bytes, now).await?;
        }
        let mut tx = self.store.begin().await?;
        let id = next_case_id(&mut tx, now).await?;
        let receipt = self
            .case_command_in(&mut tx, FILING_ACTOR, &id, command(id.clone()), now)
            .await?;
        tx.commit().await?;
        Ok((id, receipt))
    }

    /// A case the competent department opens on its own initiative (依职权, e.g. from a
    /// warning), filed inside the caller's transaction: a report with no reporter, its facts
    /// and grounds stated by the department.
    pub(crate) async fn file_by_department_in(
        &self,
        tx: &mut WriteTx<'_>,
        procedure: &Procedure,
        lot: Option<&str>,
        facts: String,
        grounds: String,
        now: i64,
    ) -> Result<(String, Receipt), AppError> {
        let data = self.reference_data().await?;
        let rules = self.case_rules(procedure).await?;
        let target = Self::target_of(procedure, lot);
        let lead = Self::competent(&data.supervision, &target)?.code.clone();
        let filing = Filing {
            kind: CaseKind::Report,
            target,
            subject: None,
            facts,
            grounds,
            request: "依职权调查处理".into(),
            evidence: Vec::new(),
            complainant: None,
            contact: String::new(),
            knew_on: None,
            last_day: None,
        };
        let acceptance_due = domain::acceptance_due(&rules, Date::of_instant(now), &data.calendar);
        let id = next_case_id(tx, now).await?;
        let command = CaseCommand::File {
            id: id.clone(),
            filing,
            lead,
            acceptance_due,
            query_code_sm3: None,
        };
        let receipt = self
            .case_command_in(tx, FILING_ACTOR, &id, command, now)
            .await?;
        Ok((id, receipt))
    }

    pub(crate) async fn case_command_in(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &str,
        id: &str,
        command: CaseCommand,
        now: i64,
    ) -> Result<Receipt, AppError> {
        let stream = Case::stream(id);
        let (decided, entries) =
            crate::witness::documents::decide::<Option<Case>>(tx, &stream, command, actor, now)
                .await?;
        let receipts = append(tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .ok_or_else(|| AppError::Internal("case command made no event".into()))?;
        project(tx, &stream, &decided.after, last.seq).await?;
        Ok(receipts
            .into_iter()
            .last()
            .unwrap_or_else(|| unreachable!()))
    }

    async fn load_case(&self, id: &str) -> Result<Case, AppError> {
        let row = self
            .store
            .document(&Case::stream(id))
            .await?
            .ok_or(DomainError::CaseNotFound)?;
        case_of(&row)
    }

    /// Who the caller is to `case`, or not authorized (a case that is not the caller's reads as
    /// not found, so that its existence does not leak).
    async fn reader<'a>(
        &self,
        caller: &Caller,
        case: &Case,
        supervision: &'a Supervision,
    ) -> Result<Reader<'a>, AppError> {
        let departments: Vec<&Department> = self
            .departments_of_caller(caller, supervision)
            .await?
            .iter()
            .filter_map(|d| supervision.department(&d.code))
            .filter(|d| {
                case.handled_by(&d.code)
                    || (d.role == DepartmentRole::Oversight
                        && supervision.has_jurisdiction(
                            &d.code,
                            &case.filing.target.category,
                            &case.filing.target.region,
                        ))
            })
            .collect();
        if !departments.is_empty() {
            return Ok(Reader::Department(departments));
        }
        let entity = caller.entity_id.as_str();
        let party = !entity.is_empty()
            && caller.acts_for(entity)
            && (case
                .filing
                .complainant
                .as_ref()
                .is_some_and(|p| p.entity.0 == entity)
                || case.requests.iter().any(|r| r.party.entity.0 == entity)
                || case.penalties.iter().any(|p| p.party.entity.0 == entity));
        if party {
            Ok(Reader::Party)
        } else {
            Err(DomainError::CaseNotFound.into())
        }
    }

    fn view(
        case: Case,
        handles: bool,
        viewer: Viewer<'_>,
        supervision: &Supervision,
        calendar: &domain::Calendar,
        today: Date,
    ) -> CaseView {
        let department_view = matches!(viewer, Viewer::Department);
        let name = |code: &str| {
            supervision
                .department(code)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| code.to_string())
        };
        let case = viewer.sanitize(case);
        let due = case
            .current_due()
            .map(|(step, date)| (step.to_string(), date));
        CaseView {
            lead_name: name(&case.lead),
            joint_names: case.joint.iter().map(|c| name(c)).collect(),
            days_left: due
                .as_ref()
                .map(|(_, date)| domain::working_days_left(today, *date, calendar)),
            overdue: case.overdue(today),
            due,
            handles,
            department_view,
            case,
        }
    }

    /// Which of the case `streams` the caller's departments handle or oversee: the cases whose
    /// ledger entries the caller may read.
    pub(crate) async fn case_streams_visible_to(
        &self,
        caller: &Caller,
        streams: &[&str],
    ) -> Result<Vec<String>, AppError> {
        if streams.is_empty() || !caller.has_any(&[Role::Supervisor, Role::Auditor]) {
            return Ok(Vec::new());
        }
        let supervision = self.supervision().await?;
        let mut visible = Vec::new();
        for stream in streams {
            let Some(row) = self.store.document(stream).await? else {
                continue;
            };
            let case = case_of(&row)?;
            if matches!(
                self.reader(caller, &case, &supervision).await,
                Ok(Reader::Department(_))
            ) {
                visible.push(stream.to_string());
            }
        }
        Ok(visible)
    }

    /// One case, as the caller may see it.
    pub async fn case(&self, caller: &Caller, id: &str) -> Result<CaseView, AppError> {
        let case = self.load_case(id).await?;
        let data = self.reference_data().await?;
        let reader = self.reader(caller, &case, &data.supervision).await?;
        let (handles, viewer) = match &reader {
            Reader::Department(departments) => (
                departments
                    .iter()
                    .any(|d| d.role == DepartmentRole::Supervision && case.handled_by(&d.code)),
                Viewer::Department,
            ),
            Reader::Party => (false, Viewer::Party(&caller.entity_id)),
        };
        let today = Date::of_instant(self.now_ms());
        Ok(Self::view(
            case,
            handles,
            viewer,
            &data.supervision,
            &data.calendar,
            today,
        ))
    }

    /// A reporter follows a report with its query code alone.
    pub async fn case_by_code(&self, code: &str) -> Result<CaseView, AppError> {
        let code = code.trim().to_uppercase();
        let digest = crypto::sm3(code.as_bytes()).to_hex();
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "case",
                    key2: Some(&format!("q:{digest}")),
                    ..Default::default()
                },
                1,
                0,
            )
            .await?;
        let row = page.items.first().ok_or_else(|| {
            AppError::refused("QUERY_CODE_UNKNOWN", "查询码不正确，请核对后重新输入")
        })?;
        let data = self.reference_data().await?;
        let today = Date::of_instant(self.now_ms());
        Ok(Self::view(
            case_of(row)?,
            false,
            Viewer::Reporter,
            &data.supervision,
            &data.calendar,
            today,
        ))
    }

    fn summary(case: &Case, calendar: &domain::Calendar, today: Date) -> CaseSummary {
        let due = case.current_due().map(|(s, d)| (s.to_string(), d));
        CaseSummary {
            id: case.id.clone(),
            kind: case.filing.kind,
            status: case.status,
            title: case.filing.target.title.clone(),
            lot: case.filing.target.lot.clone(),
            lead: case.lead.clone(),
            received_at_ms: case.received_at_ms,
            days_left: due
                .as_ref()
                .map(|(_, d)| domain::working_days_left(today, *d, calendar)),
            overdue: case.overdue(today),
            due,
        }
    }

    /// The caller's queue: a supervising department's cases (lead or joint); an oversight
    /// department's every case in its region (overdue ones first when `overdue_only`); a
    /// complainant's own complaints.
    pub async fn case_queue(
        &self,
        caller: &Caller,
        overdue_only: bool,
        limit: u64,
        offset: u64,
    ) -> Result<Page<CaseSummary>, AppError> {
        let data = self.reference_data().await?;
        let today = Date::of_instant(self.now_ms());
        let departments = self
            .departments_of_caller(caller, &data.supervision)
            .await?;
        // Which cases: those a supervising department of the caller handles (lead or joint),
        // those in an oversight department's jurisdiction, or the entity's own filings.
        let supervising: Vec<&Department> = departments
            .iter()
            .filter(|d| d.role == DepartmentRole::Supervision)
            .collect();
        let oversight: Vec<&Department> = departments
            .iter()
            .filter(|d| d.role == DepartmentRole::Oversight)
            .collect();
        let mut rows: Vec<DocumentRow> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut keep = |page: Page<DocumentRow>, rows: &mut Vec<DocumentRow>| {
            for row in page.items {
                if seen.insert(row.stream.clone()) {
                    rows.push(row);
                }
            }
        };
        for department in &supervising {
            let page = self
                .store
                .documents_key1_containing(
                    "case",
                    &format!("|{}|", department.code),
                    "",
                    100_000,
                    0,
                )
                .await?;
            keep(page, &mut rows);
        }
        if !oversight.is_empty() {
            let page = self
                .store
                .documents(
                    &DocumentFilter {
                        kind: "case",
                        ..Default::default()
                    },
                    100_000,
                    0,
                )
                .await?;
            let mine = Page {
                items: page
                    .items
                    .into_iter()
                    .filter(|row| {
                        case_of(row).is_ok_and(|case| {
                            oversight.iter().any(|d| {
                                data.supervision.has_jurisdiction(
                                    &d.code,
                                    &case.filing.target.category,
                                    &case.filing.target.region,
                                )
                            })
                        })
                    })
                    .collect(),
                total: 0,
            };
            keep(mine, &mut rows);
        }
        if departments.is_empty() && caller.acts_for(&caller.entity_id) {
            let page = self
                .store
                .documents_key1_containing(
                    "case",
                    &format!("|@{}|", caller.entity_id),
                    "",
                    100_000,
                    0,
                )
                .await?;
            keep(page, &mut rows);
        }
        let mut cases = Vec::new();
        for row in &rows {
            let case = case_of(row)?;
            let summary = Self::summary(&case, &data.calendar, today);
            if overdue_only && !summary.overdue {
                continue;
            }
            cases.push(summary);
        }
        // Overdue first, then the fewest days left, then the newest.
        cases.sort_by_key(|c| {
            (
                !c.overdue,
                c.days_left.unwrap_or(i64::MAX),
                -c.received_at_ms,
            )
        });
        let total = cases.len() as u64;
        let items = cases
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(Page { items, total })
    }

    /// For a department head (`heads` in the published list): each of their departments with its
    /// overdue cases' number, where there are any.
    pub async fn overdue_for_head(&self, caller: &Caller) -> Result<Vec<(String, u64)>, AppError> {
        let supervision = self.supervision().await?;
        let headed: Vec<&Department> = supervision
            .departments
            .iter()
            .filter(|d| d.heads.iter().any(|h| h == &caller.username))
            .collect();
        if headed.is_empty() {
            return Ok(Vec::new());
        }
        let calendar = self.reference_data().await?.calendar;
        let today = Date::of_instant(self.now_ms());
        let mut flagged = Vec::new();
        for department in headed {
            let rows = self
                .store
                .documents_key1_containing(
                    "case",
                    &format!("|{}|", department.code),
                    "",
                    100_000,
                    0,
                )
                .await?;
            let mut overdue = 0;
            for row in &rows.items {
                if Self::summary(&case_of(row)?, &calendar, today).overdue {
                    overdue += 1;
                }
            }
            if overdue > 0 {
                flagged.push((department.name.clone(), overdue));
            }
        }
        Ok(flagged)
    }

    /// The handling department's act on a case.
    pub async fn case_act(
        &self,
        caller: &Caller,
        id: &str,
        act: CaseAct,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Supervisor)?;
        let case = self.load_case(id).await?;
        let data = self.reference_data().await?;
        let department = self
            .handling_department(caller, &case, &data.supervision)
            .await?;
        let procedure = self.load_procedure(&case.filing.target.procedure).await?;
        let rules = self.case_rules(&procedure).await?;
        let calendar = data.calendar.clone();
        let now = self.now_ms();
        let today = Date::of_instant(now);
        let by = caller.username.clone();
        let mut tx;
        let command = match act {
            CaseAct::Accept => {
                // Construction counts the decision from acceptance (实施条例 第61条);
                // procurement counts it and the copy's service from receipt of the complaint, or
                // of its completed material (94号令 第22条、第28条).
                let start = if rules.after_reply {
                    Date::of_instant(case.supplied_at_ms.unwrap_or(case.received_at_ms))
                } else {
                    today
                };
                CaseCommand::Accept {
                    decision_due: domain::decision_due(&rules, start, 0, &calendar),
                    copy_due: rules
                        .copy_service
                        .filter(|_| case.filing.kind == CaseKind::Complaint)
                        .map(|p| p.window_end(start, &calendar)),
                    by,
                }
            }
            CaseAct::Refuse { reason } => CaseCommand::Refuse { reason, by },
            CaseAct::RequestMaterial { what, due } => CaseCommand::RequestMaterial {
                what,
                due: parse_due(&due)?,
                by,
            },
            CaseAct::Forward { to, reason } => {
                if department.code != case.lead {
                    return Err(DomainError::CaseDepartment {
                        reason: "只有主办部门可以转办".into(),
                    }
                    .into());
                }
                let target = data
                    .supervision
                    .department(to.trim())
                    .filter(|d| d.role == DepartmentRole::Supervision)
                    .ok_or_else(|| DomainError::CaseDepartment {
                        reason: "请选择已公布的行政监督部门".into(),
                    })?;
                if !target.covers_region(&case.filing.target.region) {
                    return Err(DomainError::CaseDepartment {
                        reason: format!("{}对项目所在地没有管辖权", target.name),
                    }
                    .into());
                }
                CaseCommand::Forward {
                    to: target.code.clone(),
                    reason,
                    acceptance_due: domain::acceptance_due(&rules, today, &calendar),
                    by,
                }
            }
            CaseAct::Join { departments } => {
                for code in &departments {
                    let joined = data
                        .supervision
                        .department(code.trim())
                        .filter(|d| d.role == DepartmentRole::Supervision)
                        .ok_or_else(|| DomainError::CaseDepartment {
                            reason: format!("没有公布代码为 {code} 的行政监督部门"),
                        })?;
                    if !joined.covers_region(&case.filing.target.region) {
                        return Err(DomainError::CaseDepartment {
                            reason: format!("{}对项目所在地没有管辖权", joined.name),
                        }
                        .into());
                    }
                }
                CaseCommand::Join {
                    departments: departments.iter().map(|d| d.trim().to_string()).collect(),
                    by,
                }
            }
            CaseAct::SuspendLot => {
                let lot = case
                    .filing
                    .target
                    .lot
                    .clone()
                    .ok_or(DomainError::Required {
                        field: "标段（包）",
                    })?;
                if case.status != CaseStatus::Investigating {
                    return Err(DomainError::CaseStep {
                        step: "责令暂停",
                        status: case.status.label_zh(),
                    }
                    .into());
                }
                tx = self.store.begin().await?;
                self.procedure_command_in(
                    &mut tx,
                    &by,
                    &procedure.id,
                    ProcedureCommand::Suspend {
                        lot: lot.clone(),
                        reason: format!(
                            "{}处理{}（案件 {}），责令暂停",
                            department.name,
                            case.filing.kind.label_zh(),
                            case.id
                        ),
                    },
                    now,
                )
                .await?;
                let receipt = self
                    .case_command_in(
                        &mut tx,
                        &by,
                        id,
                        CaseCommand::RecordSuspension {
                            lot,
                            by: by.clone(),
                        },
                        now,
                    )
                    .await?;
                tx.commit().await?;
                return Ok(receipt);
            }
            CaseAct::AskParty { entity, what, due } => CaseCommand::AskParty {
                party: self.party(&entity).await?,
                what,
                due: parse_due(&due)?,
                by,
            },
            CaseAct::PauseClock { reason } => CaseCommand::PauseClock { reason, by },
            CaseAct::ServeCopy => CaseCommand::ServeCopy { by },
            CaseAct::RecordHearing { entity, record } => CaseCommand::RecordHearing {
                party: EntityId(entity.trim().to_string()),
                record,
                by,
            },
            CaseAct::ResumeClock => CaseCommand::ResumeClock { calendar, by },
            CaseAct::NoticePenalty {
                entity,
                penalty,
                facts,
            } => CaseCommand::NoticePenalty {
                party: self.party(&entity).await?,
                penalty: penalty.into(),
                facts,
                statement_due: rules.statement.window_end(today, &calendar),
                suspension_months: rules.suspension_months,
                by,
            },
            CaseAct::Feedback { text } => CaseCommand::Feedback { text, by },
            CaseAct::Publish => {
                let decision = case.decision.as_ref().ok_or(DomainError::CaseStep {
                    step: "公开处理决定",
                    status: case.status.label_zh(),
                })?;
                let text = Self::public_text(&case, decision, &department.name);
                // Published with the case and with the procedure (its open data) at once.
                tx = self.store.begin().await?;
                let receipt = self
                    .case_command_in(
                        &mut tx,
                        &by,
                        id,
                        CaseCommand::Publish {
                            text: text.clone(),
                            by: by.clone(),
                        },
                        now,
                    )
                    .await?;
                self.procedure_command_in(
                    &mut tx,
                    &by,
                    &procedure.id,
                    ProcedureCommand::PublishDecision {
                        decision: domain::PublicDecision {
                            case: case.id.clone(),
                            lot: case.filing.target.lot.clone(),
                            department: department.name.clone(),
                            decision: decision.kind.label_zh().to_string(),
                            text,
                            at_ms: now,
                        },
                    },
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok(receipt);
            }
        };
        tx = self.store.begin().await?;
        let receipt = self
            .case_command_in(&mut tx, &caller.username, id, command, now)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// The decision's public text: no complainant or reporter of a report, personal numbers
    /// masked (the ledger view masks them again).
    fn public_text(case: &Case, decision: &Decision, department: &str) -> String {
        let complainant = match (case.filing.kind, &case.filing.complainant) {
            (CaseKind::Complaint, Some(p)) => format!("投诉人：{}\n", p.name),
            _ => String::new(),
        };
        let penalties: String = decision
            .penalties
            .iter()
            .map(|(party, penalty)| format!("对{}：{}\n", party.name, penalty.label_zh()))
            .collect();
        let text = format!(
            "{department}{}处理决定（案件 {}）\n项目：{}（{}）\n{complainant}决定：{}\n理由：{}\n依据：{}\n{penalties}",
            case.filing.kind.label_zh(),
            case.id,
            case.filing.target.title,
            case.filing
                .target
                .lot
                .clone()
                .unwrap_or_else(|| case.filing.target.procedure.clone()),
            decision.kind.label_zh(),
            decision.reasons,
            decision.basis,
        );
        domain::mask_personal_numbers(&text).0
    }

    async fn handling_department<'a>(
        &self,
        caller: &Caller,
        case: &Case,
        supervision: &'a Supervision,
    ) -> Result<&'a Department, AppError> {
        let mine = self.departments_of_caller(caller, supervision).await?;
        mine.iter()
            .filter(|d| d.role == DepartmentRole::Supervision && case.handled_by(&d.code))
            .find_map(|d| supervision.department(&d.code))
            .ok_or(AppError::NotAuthorized)
    }

    /// What the department's certificate signs for `draft`.
    pub async fn decision_to_sign(
        &self,
        caller: &Caller,
        id: &str,
        draft: &DecisionDraft,
    ) -> Result<DecisionToSign, AppError> {
        Ok(self.signable(caller, id, draft).await?.0)
    }

    /// The decision to sign, with the case, the kind and the department deciding it.
    async fn signable(
        &self,
        caller: &Caller,
        id: &str,
        draft: &DecisionDraft,
    ) -> Result<(DecisionToSign, Case, DecisionKind, Department), AppError> {
        caller.require(Role::Supervisor)?;
        let case = self.load_case(id).await?;
        let supervision = self.supervision().await?;
        let department = self
            .handling_department(caller, &case, &supervision)
            .await?
            .clone();
        let kind = DecisionKind::parse(draft.kind.trim()).ok_or(DomainError::Required {
            field: "处理决定",
        })?;
        let to_sign = DecisionToSign {
            case: case.id.clone(),
            department: department.code.clone(),
            kind: draft.kind.trim().to_string(),
            reasons: draft.reasons.trim().to_string(),
            basis: draft.basis.trim().to_string(),
            penalties: draft.penalties.clone(),
        };
        Ok((to_sign, case, kind, department))
    }

    /// 处理决定: signed with the department's certificate; a decision that affects the
    /// procedure takes effect on it in the same transaction (a suspension by this case is lifted;
    /// 中标无效 strikes the winner and the next candidate or a new procedure follows the rules;
    /// 重新招标 fails the lot).
    pub async fn decide_case(
        &self,
        caller: &Caller,
        id: &str,
        draft: &DecisionDraft,
        certificate_pem: &str,
        signature_hex: &str,
    ) -> Result<Receipt, AppError> {
        let (to_sign, case, kind, department) = self.signable(caller, id, draft).await?;
        let now = self.now_ms();
        let payload =
            serde_json::to_value(&to_sign).map_err(|e| AppError::Internal(e.to_string()))?;
        let signature = crypto::Signature::from_hex(signature_hex.trim())
            .map_err(|_| AppError::from(crypto::CertError::BadSignature))?;
        let holder = self
            .verify_signed_act(&payload, &signature, certificate_pem, now)
            .await?;
        if holder.code != department.uscc {
            return Err(DomainError::CertificateWrongEntity.into());
        }
        let mut penalties = Vec::new();
        for (entity, penalty) in &to_sign.penalties {
            penalties.push((
                Party {
                    entity: EntityId(entity.clone()),
                    name: self.entity_name(entity).await?,
                },
                Penalty::from(penalty.clone()),
            ));
        }
        let canonical =
            crypto::canonical_json(&payload).map_err(|e| AppError::Internal(e.to_string()))?;
        let document_sm3 = crypto::sm3(canonical.as_bytes()).to_hex();
        let decision = Decision {
            kind,
            reasons: to_sign.reasons.clone(),
            basis: to_sign.basis.clone(),
            penalties,
            department: department.code.clone(),
            document_sm3,
            certificate: certificate_pem.trim().to_string(),
            signature: signature_hex.trim().to_string(),
            at_ms: now,
        };
        let procedure = self.load_procedure(&case.filing.target.procedure).await?;
        let rules = self.case_rules(&procedure).await?;
        let mut tx = self.store.begin().await?;
        let receipt = self
            .case_command_in(
                &mut tx,
                &caller.username,
                id,
                CaseCommand::Decide {
                    decision,
                    by: caller.username.clone(),
                },
                now,
            )
            .await?;
        // 暂停投标资格 takes effect on the entity at once: barred from trading until the day the
        // period ends (the one gate every trading act passes).
        let mut barred = Vec::new();
        for (party, penalty) in &to_sign.penalties {
            if let PenaltyInput::SuspendQualification { months } = penalty {
                let today = domain::Date::of_instant(now);
                self.review_in(
                    &mut tx,
                    &caller.username,
                    party,
                    domain::EntityCommand::Bar {
                        by: caller.username.clone(),
                        until: today.add_months(*months),
                        reason: format!(
                            "{}行政处罚决定（案件 {}）：暂停投标资格 {months} 个月",
                            department.name, case.id
                        ),
                        today,
                    },
                    now,
                )
                .await?;
                barred.push(party.clone());
            }
        }
        // Every penalty is a credit record of the party, with the decision as its source.
        for (party, penalty) in &to_sign.penalties {
            let today = domain::Date::of_instant(now);
            let (fact, until) = match penalty {
                PenaltyInput::SuspendQualification { months } => {
                    ("qualification_suspended", Some(today.add_months(*months)))
                }
                PenaltyInput::Fine { .. } | PenaltyInput::Disqualify => ("admin_penalty", None),
            };
            let name = self.entity_name(party).await?;
            self.credit_record_in(
                &mut tx,
                &caller.username,
                party,
                domain::SubjectKind::Entity,
                &name,
                domain::NewRecord {
                    fact: fact.into(),
                    source: domain::RecordSource::Decision {
                        case: case.id.clone(),
                        department: department.name.clone(),
                    },
                    basis: to_sign.basis.clone(),
                    date: today,
                    until,
                    detail: format!(
                        "{}（案件 {}）：{}",
                        department.name,
                        case.id,
                        Penalty::from(penalty.clone()).label_zh()
                    ),
                },
                now,
            )
            .await?;
        }
        if let Some(lot) = &case.filing.target.lot {
            let current = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
            let reason = format!(
                "{}作出处理决定（案件 {}）：{}",
                department.name,
                case.id,
                kind.label_zh()
            );
            let effect = match kind {
                DecisionKind::AwardVoid => Some(ProcedureCommand::VoidAward {
                    lot: lot.clone(),
                    reason,
                    next_candidate_allowed: rules.next_candidate_after_void,
                }),
                DecisionKind::OrderRetender => Some(ProcedureCommand::OrderRetender {
                    lot: lot.clone(),
                    reason,
                }),
                DecisionKind::OrderReEvaluation => Some(ProcedureCommand::ReopenEvaluation {
                    lot: lot.clone(),
                    reason,
                }),
                _ => None,
            };
            // The decision lifts this case's suspension; one that acts on the lot lifts any
            // suspension first (an objection's or another case's), since it decides the lot.
            let suspended = matches!(current.status, domain::LotStatus::Suspended { .. });
            let by_this_case = case.suspended_lot.as_deref() == Some(lot.as_str())
                && matches!(&current.status, domain::LotStatus::Suspended { reason, .. } if reason.contains(&case.id));
            if suspended && (by_this_case || effect.is_some()) {
                self.procedure_command_in(
                    &mut tx,
                    &caller.username,
                    &procedure.id,
                    ProcedureCommand::Resume { lot: lot.clone() },
                    now,
                )
                .await?;
            }
            if let Some(effect) = effect {
                self.procedure_command_in(&mut tx, &caller.username, &procedure.id, effect, now)
                    .await?;
            }
        }
        tx.commit().await?;
        for party in &barred {
            self.trade_gate.forget(party);
        }
        Ok(receipt)
    }

    /// The complainant supplies the missing material (补正).
    pub async fn supply_case_material(
        &self,
        caller: &Caller,
        id: &str,
        text: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Receipt, AppError> {
        let case = self.load_case(id).await?;
        let own =
            case.filing.complainant.as_ref().is_some_and(|p| {
                p.entity.0 == caller.entity_id && caller.acts_for(&caller.entity_id)
            });
        if !own {
            return Err(DomainError::CaseNotFound.into());
        }
        let procedure = self.load_procedure(&case.filing.target.procedure).await?;
        let rules = self.case_rules(&procedure).await?;
        let calendar = self.reference_data().await?.calendar;
        let evidence = Self::evidence_of(files)?;
        let now = self.now_ms();
        let command = CaseCommand::SupplyMaterial {
            text: text.to_string(),
            evidence: evidence.iter().map(|(d, _)| d.clone()).collect(),
            acceptance_due: domain::acceptance_due(&rules, Date::of_instant(now), &calendar),
        };
        Some(case.clone()).decide(command.clone(), now)?;
        for (_, bytes) in &evidence {
            self.store.put_blob(bytes, now).await?;
        }
        let mut tx = self.store.begin().await?;
        let receipt = self
            .case_command_in(&mut tx, FILING_ACTOR, id, command, now)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// A party answers a department's request for material, or states its case against an
    /// intended penalty (`statement`: 陈述、申辩; `hearing`: asks for a hearing).
    pub async fn answer_case(
        &self,
        caller: &Caller,
        id: &str,
        request: Option<u32>,
        text: &str,
        hearing: bool,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Receipt, AppError> {
        if caller.entity_id.is_empty() || !caller.acts_for(&caller.entity_id) {
            return Err(AppError::NotAuthorized);
        }
        let case = self.load_case(id).await?;
        let entity = EntityId(caller.entity_id.clone());
        let concerned = case.requests.iter().any(|r| r.party.entity == entity)
            || case.penalties.iter().any(|p| p.party.entity == entity);
        if !concerned {
            return Err(DomainError::CaseNotFound.into());
        }
        if request.is_none() && !files.is_empty() {
            return Err(AppError::refused(
                "EVIDENCE_INVALID",
                "陈述、申辩不附文件；需要提交的证据材料请在部门调取材料时提交",
            ));
        }
        let evidence = Self::evidence_of(files)?;
        let command = match request {
            Some(id) => CaseCommand::AnswerParty {
                id,
                party: entity,
                text: text.to_string(),
                evidence: evidence.iter().map(|(d, _)| d.clone()).collect(),
            },
            None => CaseCommand::RecordStatement {
                party: entity,
                text: text.to_string(),
                hearing,
            },
        };
        let now = self.now_ms();
        Some(case.clone()).decide(command.clone(), now)?;
        for (_, bytes) in &evidence {
            self.store.put_blob(bytes, now).await?;
        }
        let mut tx = self.store.begin().await?;
        // The public header names no party of a case.
        let receipt = self
            .case_command_in(&mut tx, PARTY_ACTOR, id, command, now)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// Published decisions, newest first (the portal's 行政处理决定).
    pub async fn published_decisions(
        &self,
        limit: u64,
        offset: u64,
    ) -> Result<Page<PublishedDecision>, AppError> {
        let supervision = self.supervision().await?;
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "case",
                    status: Some("published"),
                    ..Default::default()
                },
                limit,
                offset,
            )
            .await?;
        let mut items = Vec::new();
        for row in &rows.items {
            let case = case_of(row)?;
            let (Some(decision), Some((text, at))) = (&case.decision, &case.published) else {
                continue;
            };
            items.push(PublishedDecision {
                case: case.id.clone(),
                kind: case.filing.kind,
                procedure: case.filing.target.procedure.clone(),
                lot: case.filing.target.lot.clone(),
                title: case.filing.target.title.clone(),
                department: supervision
                    .department(&decision.department)
                    .map(|d| d.name.clone())
                    .unwrap_or_else(|| decision.department.clone()),
                decision: decision.kind.label_zh().to_string(),
                text: text.clone(),
                published_at_ms: *at,
            });
        }
        Ok(Page {
            items,
            total: rows.total,
        })
    }

    /// Every evidence file of a case is served to the case's readers only.
    pub async fn case_evidence(
        &self,
        caller: &Caller,
        id: &str,
        sm3: &str,
    ) -> Result<(Document, Vec<u8>), AppError> {
        let view = self.case(caller, id).await?;
        let case = &view.case;
        let document = case
            .filing
            .evidence
            .iter()
            .chain(case.requests.iter().flat_map(|r| r.evidence.iter()))
            .find(|d| d.sm3 == sm3)
            .cloned()
            .ok_or(AppError::NotFound("文件不存在"))?;
        let bytes = self
            .store
            .blob(&document.sm3)
            .await?
            .ok_or(AppError::NotFound("文件不存在"))?;
        Ok((document, bytes))
    }
}
