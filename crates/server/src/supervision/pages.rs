//! Pages of supervision: the departments and their powers, the published decisions, the report
//! (举报) form with its one-time query code, the complaint (投诉) form, the queues and one case
//! with the department's acts, the decision signed with the department's certificate, and the
//! parties' replies. Filings with evidence are `multipart/form-data` with the CSRF token as the
//! first field (read by the access layer for a signed-in caller).

use std::collections::HashMap;
use std::sync::Arc;

use app::{AppError, CaseAct, CaseView, DecisionDraft, NewComplaint, NewReport, PenaltyInput};
use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{CaseKind, DecisionKind, Role};

use crate::AppState;
use crate::access::{MaybeCaller, urlencode};
use crate::errors::ApiError;
use crate::format::beijing_time;
use crate::shared::api::file_response;
use crate::shared::page::{
    Layout, Notice, PER_PAGE, Params, SignedIn, after, app_error_page, csrf_of, fields, layout,
    page_count, page_of, param, render,
};

/// The fixed message of `?done=…`.
fn done_notice(params: &HashMap<String, String>) -> Notice {
    let message = match param(params, "done") {
        "filed" => {
            "投诉已提交并写入交易见证账本。行政监督部门将在规定期限内决定是否受理，处理进展在本页显示。"
        }
        "act" => "已办理并写入交易见证账本。",
        "decided" => "处理决定已签署并写入交易见证账本；涉及项目的决定已对项目生效。",
        "replied" => "已提交并写入交易见证账本。",
        _ => return Notice::default(),
    };
    Notice {
        tone: "ok",
        message: message.into(),
        ..Notice::default()
    }
}

/// A form's text fields and evidence files from a multipart body. A file over the limit is
/// refused while it streams in; nothing is stored before the use case accepts the filing.
pub(crate) async fn read_filing(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(HashMap<String, String>, Vec<(String, Vec<u8>)>), AppError> {
    let broken = |_| AppError::refused("CASE_FORM_INVALID", "传输中断，请重新提交");
    let mut multipart =
        multipart.map_err(|_| AppError::refused("CASE_FORM_INVALID", "请使用页面上的表单提交"))?;
    let mut texts = HashMap::new();
    let mut files = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "evidence" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > app::MAX_EVIDENCE_BYTES {
                    return Err(AppError::evidence_too_large());
                }
            }
            // A file input left empty sends a part without a name or bytes.
            if !(file_name.is_empty() && bytes.is_empty()) {
                files.push((file_name, bytes));
            }
        } else {
            let text = field.text().await.map_err(broken)?;
            texts.insert(name, text.trim().to_string());
        }
    }
    Ok((texts, files))
}

/// A refused form: the form again with the refusal's code and message, at its status (an
/// internal fault is the error page).
pub(crate) fn form_again(error: AppError, form: impl FnOnce(Notice) -> Response) -> Response {
    if let AppError::Internal(detail) = error {
        return app_error_page(AppError::Internal(detail));
    }
    let api = ApiError::from(error);
    (api.status(), form(Notice::refusal(&api))).into_response()
}

fn get(map: &HashMap<String, String>, key: &str) -> String {
    map.get(key).cloned().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The departments and the published decisions

#[derive(Template)]
#[template(path = "supervision.html")]
struct DepartmentsPage {
    layout: Layout,
    title: String,
    version: u32,
    departments: Vec<domain::Department>,
    categories: HashMap<String, String>,
}

impl DepartmentsPage {
    fn category_names(&self, codes: &[String]) -> String {
        if codes.is_empty() {
            return "全部交易类别".into();
        }
        codes
            .iter()
            .map(|c| self.categories.get(c).cloned().unwrap_or_else(|| c.clone()))
            .collect::<Vec<_>>()
            .join("、")
    }
}

pub(crate) async fn departments(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let result = async {
        let data = state.app.reference_data().await?;
        let version = state
            .app
            .reference_current(domain::ReferenceKind::Supervision)
            .await?
            .version;
        Ok::<_, AppError>(DepartmentsPage {
            layout: layout(
                &state,
                &caller,
                "行政监督",
                "supervision",
                &[("行政监督", "")],
            ),
            title: data.supervision.title.clone(),
            version,
            departments: data.supervision.departments.clone(),
            categories: data
                .catalog
                .categories
                .iter()
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect(),
        })
    }
    .await;
    match result {
        Ok(page) => render(page),
        Err(error) => app_error_page(error),
    }
}

struct DecisionRow {
    case: String,
    kind: &'static str,
    title: String,
    target: String,
    department: String,
    decision: String,
    text: String,
    at: String,
}

#[derive(Template)]
#[template(path = "supervision_decisions.html")]
struct DecisionsPage {
    layout: Layout,
    rows: Vec<DecisionRow>,
    page: u64,
    pages: u64,
}

pub(crate) async fn decisions(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    axum::extract::Query(params): Params,
) -> Response {
    let page = page_of(&params);
    match state
        .app
        .published_decisions(PER_PAGE, (page - 1) * PER_PAGE)
        .await
    {
        Ok(list) => render(DecisionsPage {
            layout: layout(
                &state,
                &caller,
                "行政处理决定",
                "supervision",
                &[("行政监督", "/supervision"), ("行政处理决定", "")],
            ),
            pages: page_count(list.total),
            page,
            rows: list
                .items
                .into_iter()
                .map(|d| DecisionRow {
                    case: d.case,
                    kind: d.kind.label_zh(),
                    title: d.title,
                    target: d.lot.unwrap_or(d.procedure),
                    department: d.department,
                    decision: d.decision,
                    text: d.text,
                    at: beijing_time(d.published_at_ms),
                })
                .collect(),
        }),
        Err(error) => app_error_page(error),
    }
}

// ---------------------------------------------------------------------------------------------
// Reports (举报)

#[derive(Template)]
#[template(path = "report_new.html")]
struct ReportForm {
    layout: Layout,
    csrf: String,
    signed_in: bool,
    notice: Notice,
    values: HashMap<String, String>,
}

impl ReportForm {
    fn value(&self, key: &str) -> String {
        get(&self.values, key)
    }
}

fn report_form_page(
    state: &AppState,
    caller: &MaybeCaller,
    values: HashMap<String, String>,
    notice: Notice,
) -> Response {
    render(ReportForm {
        layout: layout(
            state,
            caller,
            "举报",
            "supervision",
            &[("行政监督", "/supervision"), ("举报", "")],
        ),
        csrf: csrf_of(caller),
        signed_in: caller.0.is_some(),
        notice,
        values,
    })
}

pub(crate) async fn report_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    axum::extract::Query(params): Params,
) -> Response {
    let mut values = HashMap::new();
    values.insert("target".to_string(), param(&params, "target").to_string());
    report_form_page(&state, &caller, values, Notice::default())
}

#[derive(Template)]
#[template(path = "report_filed.html")]
struct ReportFiled {
    layout: Layout,
    code: String,
    seq: u64,
}

pub(crate) async fn file_report(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let throttled = if caller.0.is_none() {
        state.app.throttle_report(&client)
    } else {
        Ok(())
    };
    let again = |values, error| {
        form_again(error, |notice| {
            report_form_page(&state, &caller, values, notice)
        })
    };
    if let Err(error) = throttled {
        return again(HashMap::new(), error);
    }
    let (values, files) = match read_filing(multipart).await {
        Ok(read) => read,
        Err(error) => return again(HashMap::new(), error),
    };
    let report = NewReport {
        target: get(&values, "target"),
        facts: get(&values, "facts"),
        grounds: get(&values, "grounds"),
        request: get(&values, "request"),
        contact: get(&values, "contact"),
        anonymous: caller.0.is_none() || get(&values, "anonymous") == "1",
    };
    match state
        .app
        .file_report(caller.0.as_ref(), &report, files)
        .await
    {
        // The query code is shown once, on this page, never in a URL.
        Ok((_, code, receipt)) => render(ReportFiled {
            layout: layout(
                &state,
                &caller,
                "举报已提交",
                "supervision",
                &[("行政监督", "/supervision"), ("举报已提交", "")],
            ),
            code,
            seq: receipt.seq,
        }),
        Err(error) => again(values, error),
    }
}

#[derive(Template)]
#[template(path = "report_query.html")]
struct QueryPage {
    layout: Layout,
    csrf: String,
    notice: Notice,
    view: Option<CaseModel>,
}

pub(crate) async fn query_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    render(QueryPage {
        layout: layout(
            &state,
            &caller,
            "举报查询",
            "supervision",
            &[("行政监督", "/supervision"), ("举报查询", "")],
        ),
        csrf: csrf_of(&caller),
        notice: Notice::default(),
        view: None,
    })
}

/// The query code comes in the body, never in a URL.
pub(crate) async fn query_report(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let page = |notice, view| QueryPage {
        layout: layout(
            &state,
            &caller,
            "举报查询",
            "supervision",
            &[("行政监督", "/supervision"), ("举报查询", "")],
        ),
        csrf: csrf_of(&caller),
        notice,
        view,
    };
    match state.app.case_by_code(param(&form, "code")).await {
        Ok(view) => render(page(Notice::default(), Some(CaseModel::of(view, &[])))),
        Err(error) => form_again(error, |notice| render(page(notice, None))),
    }
}

// ---------------------------------------------------------------------------------------------
// Complaints (投诉)

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct ComplaintForm {
    layout: Layout,
    csrf: String,
    notice: Notice,
    values: HashMap<String, String>,
    subjects: Vec<(&'static str, &'static str)>,
}

impl ComplaintForm {
    fn value(&self, key: &str) -> String {
        get(&self.values, key)
    }
}

fn complaint_form_page(
    state: &AppState,
    caller: &MaybeCaller,
    values: HashMap<String, String>,
    notice: Notice,
) -> Response {
    render(ComplaintForm {
        layout: layout(
            state,
            caller,
            "投诉",
            "supervision",
            &[("行政监督", "/supervision"), ("投诉", "")],
        ),
        csrf: csrf_of(caller),
        notice,
        values,
        subjects: domain::ObjectionSubject::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_zh()))
            .collect(),
    })
}

pub(crate) async fn complaint_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    _signed: SignedIn,
    axum::extract::Query(params): Params,
) -> Response {
    let mut values = HashMap::new();
    for key in ["lot", "subject"] {
        values.insert(key.to_string(), param(&params, key).to_string());
    }
    complaint_form_page(&state, &caller, values, Notice::default())
}

pub(crate) async fn file_complaint(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let again = |values, error| {
        form_again(error, |notice| {
            complaint_form_page(&state, &caller, values, notice)
        })
    };
    let (values, files) = match read_filing(multipart).await {
        Ok(read) => read,
        Err(error) => return again(HashMap::new(), error),
    };
    let complaint = NewComplaint {
        lot: get(&values, "lot"),
        subject: get(&values, "subject"),
        facts: get(&values, "facts"),
        grounds: get(&values, "grounds"),
        request: get(&values, "request"),
    };
    match state.app.file_complaint(&signed.0, &complaint, files).await {
        Ok((id, _)) => Redirect::to(&format!("/cases/{id}?done=filed")).into_response(),
        Err(error) => again(values, error),
    }
}

// ---------------------------------------------------------------------------------------------
// Queues

struct QueueRow {
    id: String,
    kind: &'static str,
    status: &'static str,
    title: String,
    target: String,
    received: String,
    due: String,
    days_left: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    layout: Layout,
    /// For a department head: (department, overdue cases).
    flagged: Vec<(String, u64)>,
    heading: &'static str,
    departments: String,
    is_bidder: bool,
    rows: Vec<QueueRow>,
    overdue_only: bool,
    page: u64,
    pages: u64,
}

pub(crate) async fn cases(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    axum::extract::Query(params): Params,
) -> Response {
    let who = &signed.0;
    let page = page_of(&params);
    let overdue_only = param(&params, "overdue") == "1";
    let result = async {
        let departments = state.app.my_departments(who).await?;
        let list = state
            .app
            .case_queue(who, overdue_only, PER_PAGE, (page - 1) * PER_PAGE)
            .await?;
        let flagged = state.app.overdue_for_head(who).await?;
        Ok::<_, AppError>((departments, list, flagged))
    }
    .await;
    let (departments, list, flagged) = match result {
        Ok(found) => found,
        Err(error) => return app_error_page(error),
    };
    let heading = if who.has(Role::Supervisor) {
        "监督案件（本部门办理）"
    } else if who.has(Role::Auditor) {
        "在线监督：投诉举报办理情况"
    } else {
        "我的投诉"
    };
    render(CasesPage {
        layout: layout(&state, &caller, "监督案件", "cases", &[("监督案件", "")]),
        flagged,
        heading,
        departments: departments
            .iter()
            .map(|d| d.name.clone())
            .collect::<Vec<_>>()
            .join("、"),
        is_bidder: who.has(Role::Bidder),
        overdue_only,
        pages: page_count(list.total),
        page,
        rows: list
            .items
            .into_iter()
            .map(|c| QueueRow {
                id: c.id,
                kind: c.kind.label_zh(),
                status: c.status.label_zh(),
                title: c.title,
                target: c.lot.unwrap_or_default(),
                received: beijing_time(c.received_at_ms),
                due: c
                    .due
                    .map(|(step, date)| format!("{step}：{date}"))
                    .unwrap_or_default(),
                days_left: match c.days_left {
                    Some(n) if n < 0 => format!("已逾期 {} 个工作日", -n),
                    Some(n) => format!("剩余 {n} 个工作日"),
                    None => String::new(),
                },
                overdue: c.overdue,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// One case

/// One penalty procedure as the case page shows it.
struct PenaltyRow {
    party: String,
    penalty: String,
    facts: String,
    statement_due: String,
    statement: String,
    /// The reader is the party and has not stated its case yet.
    may_state: bool,
    entity: String,
    /// A hearing was asked for and is not yet recorded.
    hearing_pending: bool,
}

/// A case as a page shows it.
pub(crate) struct CaseModel {
    id: String,
    kind: &'static str,
    is_report: bool,
    status: &'static str,
    status_key: &'static str,
    title: String,
    procedure: String,
    lot: String,
    subject: String,
    complainant: String,
    contact: String,
    facts: String,
    grounds: String,
    request: String,
    knew_on: String,
    last_day: String,
    evidence: Vec<(String, String, u64)>,
    received: String,
    lead: String,
    joint: String,
    acceptance_due: String,
    decision_due: String,
    copy_due: String,
    copy_served: String,
    due: String,
    days_left: String,
    overdue: bool,
    paused: String,
    suspended_lot: String,
    material: String,
    not_accepted: String,
    /// (id, party, what, due, answer, answered, mine)
    requests: Vec<(u32, String, String, String, String, bool, bool)>,
    penalties: Vec<PenaltyRow>,
    decision: Option<(String, String, String, String, String, String)>,
    feedback: String,
    published: String,
    handles: bool,
    /// The reader is a department (supervising or oversight) concerned with the case.
    department_view: bool,
    awaiting_material_mine: bool,
}

impl CaseModel {
    fn of(view: CaseView, my_entity: &[&str]) -> Self {
        let case = view.case;
        let mine = |entity: &str| my_entity.contains(&entity);
        let complainant_mine = case
            .filing
            .complainant
            .as_ref()
            .is_some_and(|p| mine(&p.entity.0));
        Self {
            id: case.id.clone(),
            kind: case.filing.kind.label_zh(),
            is_report: case.filing.kind == CaseKind::Report,
            status: case.status.label_zh(),
            status_key: case.status.as_str(),
            title: case.filing.target.title.clone(),
            procedure: case.filing.target.procedure.clone(),
            lot: case.filing.target.lot.clone().unwrap_or_default(),
            subject: case
                .filing
                .subject
                .map(|s| s.label_zh().to_string())
                .unwrap_or_default(),
            complainant: match &case.filing.complainant {
                Some(p) => p.name.clone(),
                None if case.filing.kind == CaseKind::Report => "匿名（或不予显示）".into(),
                None => String::new(),
            },
            contact: case.filing.contact.clone(),
            facts: case.filing.facts.clone(),
            grounds: case.filing.grounds.clone(),
            request: case.filing.request.clone(),
            knew_on: case
                .filing
                .knew_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            last_day: case
                .filing
                .last_day
                .map(|d| d.to_string())
                .unwrap_or_default(),
            evidence: case
                .filing
                .evidence
                .iter()
                .chain(case.requests.iter().flat_map(|r| r.evidence.iter()))
                .map(|d| (d.name.clone(), d.sm3.clone(), d.size))
                .collect(),
            received: beijing_time(case.received_at_ms),
            lead: view.lead_name.clone(),
            joint: view.joint_names.join("、"),
            acceptance_due: case.acceptance_due.to_string(),
            decision_due: case.decision_due.map(|d| d.to_string()).unwrap_or_default(),
            copy_due: case.copy_due.map(|d| d.to_string()).unwrap_or_default(),
            copy_served: case.copy_served_at_ms.map(beijing_time).unwrap_or_default(),
            due: view
                .due
                .as_ref()
                .map(|(step, date)| format!("{step}：{date}"))
                .unwrap_or_default(),
            days_left: match view.days_left {
                Some(n) if n < 0 => format!("已逾期 {} 个工作日", -n),
                Some(n) => format!("剩余 {n} 个工作日"),
                None => String::new(),
            },
            overdue: view.overdue,
            paused: case
                .paused
                .as_ref()
                .map(|(reason, on)| format!("{on} 起中止计时：{reason}"))
                .unwrap_or_default(),
            suspended_lot: case.suspended_lot.clone().unwrap_or_default(),
            material: case
                .material
                .as_ref()
                .map(|(what, due)| format!("{what}（补正期限 {due}）"))
                .unwrap_or_default(),
            not_accepted: case.not_accepted_reason.clone().unwrap_or_default(),
            requests: case
                .requests
                .iter()
                .map(|r| {
                    (
                        r.id,
                        r.party.name.clone(),
                        r.what.clone(),
                        r.due.to_string(),
                        r.answer.clone().unwrap_or_default(),
                        r.answer.is_some(),
                        mine(&r.party.entity.0),
                    )
                })
                .collect(),
            penalties: case
                .penalties
                .iter()
                .map(|p| PenaltyRow {
                    party: p.party.name.clone(),
                    penalty: p.penalty.label_zh(),
                    facts: p.facts.clone(),
                    statement_due: p.statement_due.to_string(),
                    statement: match (&p.statement, p.hearing_requested) {
                        (Some(s), true) => format!("{s}（要求听证）"),
                        (Some(s), false) => s.clone(),
                        (None, _) => String::new(),
                    },
                    may_state: mine(&p.party.entity.0) && p.statement.is_none(),
                    entity: p.party.entity.0.clone(),
                    hearing_pending: p.hearing_requested && p.hearing_record.is_none(),
                })
                .collect(),
            decision: case.decision.as_ref().map(|d| {
                (
                    d.kind.label_zh().to_string(),
                    d.reasons.clone(),
                    d.basis.clone(),
                    d.penalties
                        .iter()
                        .map(|(p, penalty)| format!("{}：{}", p.name, penalty.label_zh()))
                        .collect::<Vec<_>>()
                        .join("；"),
                    beijing_time(d.at_ms),
                    d.document_sm3.clone(),
                )
            }),
            feedback: case
                .feedback
                .as_ref()
                .map(|(text, at)| format!("{}（{}）", text, beijing_time(*at)))
                .unwrap_or_default(),
            published: case
                .published
                .as_ref()
                .map(|(_, at)| beijing_time(*at))
                .unwrap_or_default(),
            handles: view.handles,
            department_view: view.department_view,
            awaiting_material_mine: complainant_mine
                && case.status == domain::CaseStatus::AwaitingMaterial,
        }
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    csrf: String,
    notice: Notice,
    case: CaseModel,
    departments: Vec<(String, String)>,
    decisions: Vec<(&'static str, &'static str)>,
    /// The decision to sign, once drafted: its canonical JSON and the draft's fields.
    to_sign: String,
    draft: HashMap<String, String>,
}

impl CasePage {
    fn draft_value(&self, key: &str) -> String {
        get(&self.draft, key)
    }
}

async fn case_page(
    state: &AppState,
    caller: &MaybeCaller,
    who: &app::Caller,
    id: &str,
    notice: Notice,
    to_sign: String,
    draft: HashMap<String, String>,
) -> Result<Response, AppError> {
    let view = state.app.case(who, id).await?;
    let supervision = state.app.supervision().await?;
    let kind = view.case.filing.kind;
    let case = CaseModel::of(view, &[who.entity_id.as_str()]);
    let title = format!("{}案件 {}", case.kind, case.id);
    Ok(render(CasePage {
        layout: layout(
            state,
            caller,
            &title,
            "cases",
            &[("监督案件", "/cases"), (&title, "")],
        ),
        csrf: csrf_of(caller),
        notice,
        departments: supervision
            .departments
            .iter()
            .filter(|d| d.role == domain::DepartmentRole::Supervision)
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        decisions: DecisionKind::ALL
            .iter()
            .filter(|k| k.fits(kind))
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        case,
        to_sign,
        draft,
    }))
}

pub(crate) async fn case(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    match case_page(
        &state,
        &caller,
        &signed.0,
        &id,
        done_notice(&params),
        String::new(),
        HashMap::new(),
    )
    .await
    {
        Ok(page) => page,
        Err(error) => app_error_page(error),
    }
}

fn penalty_of(form: &HashMap<String, String>) -> Result<PenaltyInput, AppError> {
    match param(form, "penalty") {
        "fine" => {
            let yuan = param(form, "amount");
            let fen = crate::format::parse_yuan(yuan).ok_or_else(|| {
                AppError::refused(
                    "PENALTY_FORMAT",
                    "罚款金额应为以元为单位的数字，最多两位小数",
                )
            })?;
            Ok(PenaltyInput::Fine { amount_fen: fen })
        }
        "suspend" => Ok(PenaltyInput::SuspendQualification {
            months: param(form, "months")
                .parse()
                .map_err(|_| AppError::refused("PENALTY_FORMAT", "暂停资格的期限应为月数"))?,
        }),
        "disqualify" => Ok(PenaltyInput::Disqualify),
        _ => Err(AppError::refused("PENALTY_FORMAT", "请选择处罚种类")),
    }
}

fn act_of(form: &HashMap<String, String>) -> Result<CaseAct, AppError> {
    let text = |key: &str| param(form, key).to_string();
    Ok(match param(form, "act") {
        "accept" => CaseAct::Accept,
        "refuse" => CaseAct::Refuse {
            reason: text("reason"),
        },
        "request_material" => CaseAct::RequestMaterial {
            what: text("what"),
            due: text("due"),
        },
        "forward" => CaseAct::Forward {
            to: text("to"),
            reason: text("reason"),
        },
        "join" => CaseAct::Join {
            departments: form
                .iter()
                .filter(|(k, v)| k.starts_with("department_") && v.as_str() == "1")
                .map(|(k, _)| k.trim_start_matches("department_").to_string())
                .collect(),
        },
        "suspend" => CaseAct::SuspendLot,
        "serve_copy" => CaseAct::ServeCopy,
        "hearing" => CaseAct::RecordHearing {
            entity: text("entity"),
            record: text("record"),
        },
        "ask" => CaseAct::AskParty {
            entity: text("entity"),
            what: text("what"),
            due: text("due"),
        },
        "pause" => CaseAct::PauseClock {
            reason: text("reason"),
        },
        "resume" => CaseAct::ResumeClock,
        "penalty_notice" => CaseAct::NoticePenalty {
            entity: text("entity"),
            penalty: penalty_of(form)?,
            facts: text("facts"),
        },
        "feedback" => CaseAct::Feedback { text: text("text") },
        "publish" => CaseAct::Publish,
        _ => return Err(AppError::refused("CASE_ACT_UNKNOWN", "未知的办理事项")),
    })
}

pub(crate) async fn act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let result = async {
        let act = act_of(&form)?;
        state.app.case_act(who, &id, act).await.map(|_| ())
    }
    .await;
    let back = format!("/cases/{}", urlencode(&id));
    after(result, &back, "act", |notice| {
        case_page(
            &state,
            &caller,
            who,
            &id,
            notice,
            String::new(),
            HashMap::new(),
        )
    })
    .await
}

fn draft_of(form: &HashMap<String, String>) -> Result<DecisionDraft, AppError> {
    let mut penalties = Vec::new();
    // Penalties decided: the ones noticed, each named `penalty_N` = entity|kind|value.
    for (key, value) in form {
        if key.starts_with("penalty_") && !value.is_empty() {
            let parts: Vec<&str> = value.splitn(3, '|').collect();
            let [entity, kind, amount] = parts[..] else {
                return Err(AppError::refused("PENALTY_FORMAT", "处罚项格式错误"));
            };
            let penalty = match kind {
                "fine" => PenaltyInput::Fine {
                    amount_fen: amount
                        .parse()
                        .map_err(|_| AppError::refused("PENALTY_FORMAT", "处罚项格式错误"))?,
                },
                "suspend" => PenaltyInput::SuspendQualification {
                    months: amount
                        .parse()
                        .map_err(|_| AppError::refused("PENALTY_FORMAT", "处罚项格式错误"))?,
                },
                "disqualify" => PenaltyInput::Disqualify,
                _ => return Err(AppError::refused("PENALTY_FORMAT", "处罚项格式错误")),
            };
            penalties.push((key.clone(), entity.to_string(), penalty));
        }
    }
    penalties.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(DecisionDraft {
        kind: param(form, "kind").to_string(),
        reasons: param(form, "reasons").to_string(),
        basis: param(form, "basis").to_string(),
        penalties: penalties.into_iter().map(|(_, e, p)| (e, p)).collect(),
    })
}

/// The decision in two steps: without a signature the page shows the JSON to sign (nothing is
/// stored); with the certificate and signature the decision is recorded.
pub(crate) async fn decision(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let back = format!("/cases/{}", urlencode(&id));
    let draft = match draft_of(&form) {
        Ok(draft) => draft,
        Err(error) => {
            return after(Err(error), &back, "decided", |notice| {
                case_page(
                    &state,
                    &caller,
                    who,
                    &id,
                    notice,
                    String::new(),
                    form.clone(),
                )
            })
            .await;
        }
    };
    let signature = param(&form, "signature");
    if signature.is_empty() {
        let result = state.app.decision_to_sign(who, &id, &draft).await;
        return match result {
            Ok(to_sign) => {
                let json =
                    crypto::canonical_json(&serde_json::to_value(&to_sign).unwrap_or_default())
                        .unwrap_or_default();
                match case_page(
                    &state,
                    &caller,
                    who,
                    &id,
                    Notice::default(),
                    json,
                    form.clone(),
                )
                .await
                {
                    Ok(page) => page,
                    Err(error) => app_error_page(error),
                }
            }
            Err(error) => {
                after(Err(error), &back, "decided", |notice| {
                    case_page(
                        &state,
                        &caller,
                        who,
                        &id,
                        notice,
                        String::new(),
                        form.clone(),
                    )
                })
                .await
            }
        };
    }
    let result = state
        .app
        .decide_case(who, &id, &draft, param(&form, "certificate"), signature)
        .await
        .map(|_| ());
    after(result, &back, "decided", |notice| async {
        let to_sign = match state.app.decision_to_sign(who, &id, &draft).await {
            Ok(t) => crypto::canonical_json(&serde_json::to_value(&t).unwrap_or_default())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        case_page(&state, &caller, who, &id, notice, to_sign, form.clone()).await
    })
    .await
}

/// A party's reply: the complainant's 补正, an answer to a request for material, or a
/// statement against an intended penalty.
pub(crate) async fn reply(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let who = &signed.0;
    let back = format!("/cases/{}", urlencode(&id));
    let result = async {
        let (values, files) = read_filing(multipart).await?;
        let text = get(&values, "text");
        match get(&values, "kind").as_str() {
            "material" => state
                .app
                .supply_case_material(who, &id, &text, files)
                .await
                .map(|_| ()),
            "answer" => {
                let request = get(&values, "request")
                    .parse::<u32>()
                    .map_err(|_| AppError::from(domain::DomainError::CaseRequestNotFound))?;
                state
                    .app
                    .answer_case(who, &id, Some(request), &text, false, files)
                    .await
                    .map(|_| ())
            }
            "statement" => state
                .app
                .answer_case(who, &id, None, &text, get(&values, "hearing") == "1", files)
                .await
                .map(|_| ()),
            _ => Err(AppError::refused("CASE_ACT_UNKNOWN", "未知的提交事项")),
        }
    }
    .await;
    after(result, &back, "replied", |notice| {
        case_page(
            &state,
            &caller,
            who,
            &id,
            notice,
            String::new(),
            HashMap::new(),
        )
    })
    .await
}

pub(crate) async fn evidence(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path((id, sm3)): Path<(String, String)>,
) -> Response {
    match state.app.case_evidence(&signed.0, &id, &sm3).await {
        Ok((document, bytes)) => file_response(&document.name, bytes),
        Err(error) => app_error_page(error),
    }
}

// ---------------------------------------------------------------------------------------------
// Reads of one's own data, and the supervisors' channel

struct ReadRow {
    at: String,
    what: String,
    lot: String,
    case: String,
    reason: String,
    by: String,
    seq: u64,
}

#[derive(Template)]
#[template(path = "me_reads.html")]
struct ReadsPage {
    layout: Layout,
    rows: Vec<ReadRow>,
}

/// Who read this entity's confidential data, when, and under which case.
pub(crate) async fn my_reads(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
) -> Response {
    match state.app.reads_of_me(&signed.0).await {
        Ok(list) => render(ReadsPage {
            layout: layout(
                &state,
                &caller,
                "数据查阅记录",
                "",
                &[("我的账号", "/me"), ("数据查阅记录", "")],
            ),
            rows: list
                .into_iter()
                .map(|r| ReadRow {
                    at: beijing_time(r.at_ms),
                    what: r.what,
                    lot: r.lot,
                    case: r.case,
                    reason: r.reason,
                    by: if r.departments.is_empty() {
                        r.by
                    } else {
                        format!("{}（{}）", r.departments, r.by)
                    },
                    seq: r.seq,
                })
                .collect(),
        }),
        Err(error) => app_error_page(error),
    }
}

struct OverseenRow {
    procedure: String,
    title: String,
    lot: String,
    name: String,
    status: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "oversight.html")]
struct OversightPage {
    layout: Layout,
    rows: Vec<OverseenRow>,
    sales: Vec<app::OverseenSale>,
}

/// The supervisors' and auditors' channel: every lot in their jurisdiction.
pub(crate) async fn oversight(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
) -> Response {
    let sales = match state.app.overseen_sales(&signed.0).await {
        Ok(sales) => sales,
        Err(error) => return app_error_page(error),
    };
    match state.app.overseen_lots(&signed.0).await {
        Ok(list) => render(OversightPage {
            sales,
            layout: layout(
                &state,
                &caller,
                "在线监督",
                "oversight",
                &[("在线监督", "")],
            ),
            rows: list
                .into_iter()
                .map(|l| OverseenRow {
                    procedure: l.procedure,
                    title: l.title,
                    lot: l.lot,
                    name: l.name,
                    status: l.phase,
                    deadline: beijing_time(l.deadline_ms),
                })
                .collect(),
        }),
        Err(error) => app_error_page(error),
    }
}

#[derive(Template)]
#[template(path = "oversight_lot.html")]
struct OversightLotPage {
    layout: Layout,
    procedure: String,
    title: String,
    lot: String,
    name: String,
    status: String,
    reason: String,
    deadline: String,
    opened_at: String,
    /// (bidder name, outcome, price or form summary)
    opening: Vec<(String, String, String)>,
    committee: usize,
    sheets: usize,
    signatures: usize,
    evaluation_status: String,
    candidates: Vec<String>,
    winner: String,
    /// (raised, subject, by, answered)
    objections: Vec<(String, &'static str, String, bool)>,
    cases: Vec<(String, String, String, bool)>,
    refreshed: String,
}

/// One lot, live (the page reloads itself every 15 seconds): the opening, the evaluation's
/// progress, objections and cases. Read-only; the scores and the panel are behind recorded
/// reads.
pub(crate) async fn oversight_lot(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Response {
    let progress = match state.app.lot_progress(&signed.0, &code).await {
        Ok(progress) => progress,
        Err(error) => return app_error_page(error),
    };
    let procedure = &progress.procedure;
    let Some(lot) = procedure.lot(&code) else {
        return app_error_page(AppError::NotFound("标段（包）不存在"));
    };
    let reason = match &lot.status {
        domain::LotStatus::Failed { reason }
        | domain::LotStatus::Terminated { reason }
        | domain::LotStatus::Suspended { reason, .. } => reason.clone(),
        _ => String::new(),
    };
    render(OversightLotPage {
        layout: layout(
            &state,
            &caller,
            "在线监督",
            "oversight",
            &[("在线监督", "/oversight"), (&lot.code, "")],
        ),
        procedure: procedure.id.clone(),
        title: procedure.draft.title.clone(),
        lot: lot.code.clone(),
        name: lot.name.clone(),
        status: app::phase_label(procedure, lot, state.app.now_ms()),
        reason,
        deadline: beijing_time(procedure.deadline_ms()),
        opened_at: lot.opened_at_ms.map(beijing_time).unwrap_or_default(),
        opening: lot
            .opening
            .iter()
            .map(|line| {
                (
                    line.bidder_name.clone(),
                    match &line.outcome {
                        domain::OpeningOutcome::Opened => "已解密".to_string(),
                        domain::OpeningOutcome::Failed { reason } => format!("未能解密：{reason}"),
                    },
                    line.form
                        .iter()
                        .map(|(k, v)| format!("{}：{v}", app::form_label(k)))
                        .collect::<Vec<_>>()
                        .join("；"),
                )
            })
            .collect(),
        committee: progress.committee,
        sheets: progress.sheets,
        signatures: progress.signatures,
        evaluation_status: match progress.evaluation_status.as_str() {
            "scoring" => "评审中".into(),
            "concluded" => "已汇总，待签字".into(),
            "signed" => "评标报告已签字".into(),
            _ => "尚未开始".into(),
        },
        candidates: lot
            .award
            .candidates
            .iter()
            .map(|c| format!("第{}名 {}", c.rank, c.name))
            .collect(),
        winner: lot
            .award
            .winner
            .as_ref()
            .map(|w| w.name.clone())
            .unwrap_or_default(),
        objections: lot
            .award
            .objections
            .iter()
            .map(|o| {
                (
                    beijing_time(o.raised_at_ms),
                    o.subject.label_zh(),
                    o.by_name.clone(),
                    o.answer.is_some(),
                )
            })
            .collect(),
        cases: progress.cases.clone(),
        refreshed: beijing_time(state.app.now_ms()),
    })
}
