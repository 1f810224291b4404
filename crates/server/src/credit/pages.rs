//! Credit pages: one subject's records with the evaluation explained step by step and the
//! measures in force, the 信用修复 application (the entity) and its review (the trading center),
//! the standards in force, and the trading center's list import with the masked rows to confirm.

use std::collections::HashMap;
use std::sync::Arc;

use app::{AppError, CreditView, ListImportRequest};
use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use domain::{CreditRecord, CreditStandards, Date, RecordSource, RecordStatus, Role};

use crate::AppState;
use crate::access::MaybeCaller;
use crate::format::beijing_time;
use crate::shared::page::{
    Layout, Notice, Params, SignedIn, after, app_error_page, csrf_of, fields, layout, param, render,
};
use crate::supervision::pages::read_filing;

fn done_notice(params: &HashMap<String, String>) -> Notice {
    let message = match param(params, "done") {
        "repair" => "信用修复申请已提交并写入交易见证账本，交易中心审核后在本页显示结果。",
        "reviewed" => "审核意见已记录；同意修复的，该记录不再计入信用评价。",
        "imported" => "名单已导入：按代码匹配的记录已写入，名单不再列入的记录已撤销。",
        "matched" => "匹配已确认，信用记录已写入。",
        _ => return Notice::default(),
    };
    Notice {
        tone: "ok",
        message: message.into(),
        ..Notice::default()
    }
}

/// One record as the page shows it.
pub(crate) struct RecordRow {
    pub(crate) id: String,
    pub(crate) n: String,
    pub(crate) fact: String,
    pub(crate) source: String,
    pub(crate) source_link: String,
    pub(crate) basis: String,
    pub(crate) date: String,
    pub(crate) until: String,
    pub(crate) status: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) counted: String,
    pub(crate) detail: String,
    pub(crate) repairable_from: String,
    pub(crate) repair: String,
    pub(crate) may_apply: bool,
    pub(crate) may_review: bool,
}

/// The act a platform-witnessed record comes from, in Chinese.
fn act_label(act: &str) -> &'static str {
    match act {
        "procedure.award_declined" => "中标人放弃中标或逾期未签订合同",
        "procedure.performance_recorded" => "履约情况记录",
        "bond.forfeited" => "投标保证金不予退还",
        "sale.defaulted" => "竞得人悔拍",
        "expert.rated" => "专家履职评价",
        _ => "交易行为",
    }
}

/// Where a record comes from, in words, with a link where there is a page for it.
fn source_text(source: &RecordSource, standards: &CreditStandards) -> (String, String) {
    match source {
        RecordSource::Platform { stream, act } => (
            String::new(),
            format!("平台见证的交易行为：{}（账本流 {stream}）", act_label(act)),
        ),
        RecordSource::Decision { case, department } => (
            "/supervision/decisions".to_string(),
            format!("{department}行政处理决定（案件 {case}）"),
        ),
        RecordSource::List {
            list,
            import,
            cutoff_ms,
            row,
        } => (
            String::new(),
            format!(
                "外部名单：{}（导入 {import}，名单截止 {}，第{row}行）",
                standards
                    .list(list)
                    .map_or_else(|| list.clone(), |l| l.name.clone()),
                beijing_time(*cutoff_ms)
            ),
        ),
        RecordSource::Province {
            origin,
            seq,
            source,
        } => (
            String::new(),
            format!(
                "经全省共享取得：交易节点 {origin} 的记录（其账本第{seq}条），原始来源为{}",
                source_text(source, standards).1
            ),
        ),
    }
}

fn record_row(
    record: &CreditRecord,
    standards: &CreditStandards,
    today: Date,
    own: bool,
    operator: bool,
) -> RecordRow {
    let (source_link, source) = source_text(&record.source, standards);
    let pending = record.repair.as_ref().is_some_and(|r| r.approved.is_none());
    let repair = match &record.repair {
        None => String::new(),
        Some(r) => match r.approved {
            None => format!("修复申请审核中（{} 提交）", beijing_time(r.at_ms)),
            Some(true) => format!("修复申请已同意：{}", r.review),
            Some(false) => format!("修复申请未同意：{}", r.review),
        },
    };
    let active = record.status == RecordStatus::Active;
    RecordRow {
        id: record.id.clone(),
        n: record.id.rsplit('#').next().unwrap_or_default().to_string(),
        fact: record.fact_name.clone(),
        source,
        source_link,
        basis: record.basis.clone(),
        date: record.date.to_string(),
        until: record
            .valid_until
            .map(|d| d.to_string())
            .unwrap_or_else(|| "无固定期限（至来源撤销）".into()),
        status: domain::credit_status_label(&record.status),
        status_class: if active { "warn" } else { "muted" },
        counted: if record.counts_on(today) {
            "计入".into()
        } else {
            record.why_not_counted(today)
        },
        detail: record.detail.clone(),
        repairable_from: record
            .repairable_from
            .map(|d| d.to_string())
            .unwrap_or_else(|| "不适用".into()),
        repair,
        may_apply: own
            && active
            && !pending
            && record.repairable_from.is_some_and(|from| today >= from),
        may_review: operator && active && pending,
    }
}

/// One evaluation as the page shows it.
pub(crate) struct EvaluationBlock {
    pub(crate) standard: String,
    pub(crate) score: i64,
    pub(crate) level: String,
    pub(crate) level_name: String,
    /// (record, text, points, source)
    pub(crate) steps: Vec<(String, String, String, String)>,
    /// (name, because, source, incentive, gates)
    pub(crate) measures: Vec<(String, String, String, bool, String)>,
}

#[derive(Template)]
#[template(path = "credit_subject.html")]
struct SubjectPage {
    layout: Layout,
    notice: Notice,
    csrf: String,
    subject: String,
    name: String,
    kind: &'static str,
    is_entity: bool,
    version: u32,
    today: String,
    records: Vec<RecordRow>,
    evaluations: Vec<EvaluationBlock>,
}

pub(crate) fn evaluation_blocks(view: &CreditView) -> Vec<EvaluationBlock> {
    view.evaluations
        .iter()
        .map(|e| EvaluationBlock {
            standard: e.standard_name.clone(),
            score: e.score,
            level: e.level.clone(),
            level_name: e.level_name.clone(),
            steps: e
                .steps
                .iter()
                .map(|s| {
                    (
                        s.record.clone().unwrap_or_default(),
                        s.text.clone(),
                        if s.rule == "base" || s.points == 0 {
                            String::new()
                        } else {
                            s.points.to_string()
                        },
                        s.source.clone(),
                    )
                })
                .collect(),
            measures: e
                .measures
                .iter()
                .map(|m| {
                    (
                        m.name.clone(),
                        m.because.clone(),
                        m.source.clone(),
                        m.incentive,
                        m.refuse
                            .iter()
                            .map(|g| g.label())
                            .collect::<Vec<_>>()
                            .join("、"),
                    )
                })
                .collect(),
        })
        .collect()
}

async fn subject_page(
    state: &AppState,
    caller: &MaybeCaller,
    subject: &str,
    notice: Notice,
) -> Result<Response, AppError> {
    let view = state.app.credit_view(caller.0.as_ref(), subject).await?;
    let standards = state.app.reference_data().await?.credit;
    let today = Date::of_instant(state.app.now_ms());
    let own = caller.0.as_ref().is_some_and(|c| c.acts_for(subject));
    let operator = caller
        .0
        .as_ref()
        .is_some_and(|c| c.has_any(&[Role::Operator]));
    let records = view
        .file
        .as_ref()
        .map(|f| {
            f.records
                .iter()
                .rev()
                .map(|r| record_row(r, &standards, today, own, operator))
                .collect()
        })
        .unwrap_or_default();
    Ok(render(SubjectPage {
        layout: layout(
            state,
            caller,
            &format!("{} · 信用信息", view.name),
            "credit",
            &[("信用信息", "/credit"), (&view.name, "")],
        ),
        notice,
        csrf: csrf_of(caller),
        evaluations: evaluation_blocks(&view),
        subject: view.subject.clone(),
        name: view.name.clone(),
        kind: view.kind.label(),
        is_entity: view.kind == domain::SubjectKind::Entity,
        version: view.standards_version,
        today: today.to_string(),
        records,
    }))
}

/// `GET /credit/subjects/{subject}`: one subject's credit, explained.
pub(crate) async fn subject(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(subject): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    match subject_page(&state, &caller, &subject, done_notice(&params)).await {
        Ok(page) => page,
        Err(error) => app_error_page(error),
    }
}

/// `POST /credit/subjects/{subject}/records/{n}/repair`: 信用修复 with evidence
/// (`multipart/form-data`, the CSRF token first).
pub(crate) async fn repair(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path((subject, n)): Path<(String, u32)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let result = match read_filing(multipart).await {
        Ok((texts, files)) => state
            .app
            .apply_credit_repair(
                &signed.0,
                &format!("{subject}#{n}"),
                texts.get("statement").map_or("", String::as_str),
                files,
            )
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    let back = format!("/credit/subjects/{subject}");
    after(result, &back, "repair", |notice| {
        subject_page(&state, &caller, &subject, notice)
    })
    .await
}

/// `POST /credit/subjects/{subject}/records/{n}/review`: the trading center's review.
pub(crate) async fn review(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path((subject, n)): Path<(String, u32)>,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let approve = match form.get("decision").map(String::as_str) {
        Some("approve") => Ok(true),
        Some("refuse") => Ok(false),
        _ => Err(AppError::refused(
            "CREDIT_FORM_INVALID",
            "请选择同意或不同意修复",
        )),
    };
    let result = match approve {
        Ok(approve) => state
            .app
            .review_credit_repair(
                &signed.0,
                &format!("{subject}#{n}"),
                approve,
                form.get("reason").map_or("", String::as_str),
            )
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    let back = format!("/credit/subjects/{subject}");
    after(result, &back, "reviewed", |notice| {
        subject_page(&state, &caller, &subject, notice)
    })
    .await
}

#[derive(Template)]
#[template(path = "credit_standards.html")]
struct StandardsPage {
    layout: Layout,
    version: u32,
    standards: CreditStandards,
    catalog: domain::Catalog,
}

impl StandardsPage {
    fn category_names(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|c| {
                self.catalog
                    .category(c)
                    .map_or_else(|_| c.clone(), |category| category.name.clone())
            })
            .collect::<Vec<_>>()
            .join("、")
    }

    fn fact_name(&self, code: &str) -> String {
        self.standards
            .fact(code)
            .map_or_else(|| code.to_string(), |f| f.name.clone())
    }

    fn gates(&self, gates: &[domain::Gate]) -> String {
        gates
            .iter()
            .map(|g| g.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// `GET /credit/standards`: the credit standards in force.
pub(crate) async fn standards(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let data = match state.app.reference_data().await {
        Ok(data) => data,
        Err(error) => return app_error_page(error),
    };
    let version = match state
        .app
        .reference_current(domain::ReferenceKind::Credit)
        .await
    {
        Ok(v) => v.version,
        Err(error) => return app_error_page(error),
    };
    render(StandardsPage {
        layout: layout(
            &state,
            &caller,
            "信用评价标准",
            "credit",
            &[("信用信息", "/credit"), ("信用评价标准", "")],
        ),
        version,
        standards: data.credit,
        catalog: data.catalog,
    })
}

// ---------------------------------------------------------------------------------------------
// The trading center: list imports, matches, repairs

/// A pending masked row, for the operator.
pub(crate) struct PendingRow {
    list: String,
    list_name: String,
    line: u32,
    key: String,
    name: String,
    pattern: String,
    region: String,
    /// (entity id, name)
    candidates: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "credit_operator.html")]
struct OperatorPage {
    layout: Layout,
    notice: Notice,
    csrf: String,
    lists: Vec<(String, String, String)>,
    /// (list name, import id, cut-off, rows, matched, pending)
    imports: Vec<(String, String, String, u32, usize, usize)>,
    pending: Vec<PendingRow>,
    /// (subject, n, name, fact, statement, evidence count)
    repairs: Vec<(String, String, String, String, String, usize)>,
    form: HashMap<String, String>,
    to_sign: String,
}

impl OperatorPage {
    fn value(&self, key: &str) -> String {
        self.form.get(key).cloned().unwrap_or_default()
    }
}

async fn operator_page(
    state: &AppState,
    caller: &MaybeCaller,
    notice: Notice,
    form: HashMap<String, String>,
    to_sign: String,
) -> Result<Response, AppError> {
    let who = caller.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let data = state.app.reference_data().await?;
    let imported = state.app.credit_lists(who).await?;
    let mut pending = Vec::new();
    for list in &imported {
        for p in list.latest.pending.iter().filter(|p| p.confirmed.is_none()) {
            let mut candidates = Vec::new();
            for id in &p.candidates {
                candidates.push((id.clone(), state.app.entity(Some(who), id).await?.name));
            }
            pending.push(PendingRow {
                list: list.list.clone(),
                list_name: data
                    .credit
                    .list(&list.list)
                    .map_or_else(|| list.list.clone(), |k| k.name.clone()),
                line: p.line,
                key: p.key.clone(),
                name: p.name.clone(),
                pattern: p.pattern.clone(),
                region: p.region.clone(),
                candidates,
            });
        }
    }
    let repairs = state
        .app
        .pending_credit_repairs(who)
        .await?
        .into_iter()
        .filter_map(|(file, id)| {
            let record = file.record(&id)?.clone();
            let repair = record.repair.clone()?;
            Some((
                file.subject.clone(),
                id.rsplit('#').next().unwrap_or_default().to_string(),
                file.name.clone(),
                record.fact_name,
                repair.statement,
                repair.evidence.len(),
            ))
        })
        .collect();
    Ok(render(OperatorPage {
        layout: layout(
            state,
            caller,
            "信用管理",
            "credit",
            &[("信用信息", "/credit"), ("信用管理", "")],
        ),
        notice,
        csrf: csrf_of(caller),
        lists: data
            .credit
            .lists
            .iter()
            .map(|l| (l.code.clone(), l.name.clone(), l.channel.clone()))
            .collect(),
        imports: imported
            .iter()
            .map(|l| {
                let name = data
                    .credit
                    .list(&l.list)
                    .map_or_else(|| l.list.clone(), |k| k.name.clone());
                (
                    name,
                    l.latest.id.clone(),
                    beijing_time(l.latest.cutoff_ms),
                    l.latest.rows,
                    l.latest.matched.len(),
                    l.latest
                        .pending
                        .iter()
                        .filter(|p| p.confirmed.is_none())
                        .count(),
                )
            })
            .collect(),
        pending,
        repairs,
        form,
        to_sign,
    }))
}

/// `GET /operator/credit`.
pub(crate) async fn operator(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    axum::extract::Query(params): Params,
) -> Response {
    match operator_page(
        &state,
        &caller,
        done_notice(&params),
        HashMap::new(),
        String::new(),
    )
    .await
    {
        Ok(page) => page,
        Err(error) => app_error_page(error),
    }
}

/// A cut-off time from a `datetime-local` field, in Beijing time.
fn cutoff_of(text: &str) -> Result<i64, AppError> {
    let invalid = || AppError::refused("LIST_FORM_INVALID", "截止时间应为 YYYY-MM-DDTHH:MM");
    let (day, time) = text.trim().split_once('T').ok_or_else(invalid)?;
    let day = Date::parse(day).map_err(|_| invalid())?;
    let (h, m) = time.split_once(':').ok_or_else(invalid)?;
    let (h, m): (i64, i64) = (
        h.parse().map_err(|_| invalid())?,
        m.get(..2).unwrap_or(m).parse().map_err(|_| invalid())?,
    );
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(invalid());
    }
    Ok(day.start_ms() + h * 3_600_000 + m * 60_000)
}

/// `POST /operator/credit/import`: `step=prepare` shows what to sign (the file's SM3 in the
/// payload); `step=import` imports with the signature.
pub(crate) async fn import(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let cutoff = cutoff_of(&get("cutoff"));
    let csv = get("csv").replace("\r\n", "\n");
    let prepared = cutoff.as_ref().ok().map(|cutoff| {
        crypto::canonical_json(&app::list_signing_payload(
            &get("list"),
            &get("source"),
            *cutoff,
            &csv,
        ))
        .unwrap_or_default()
    });
    if get("step") != "import" {
        let notice = match cutoff {
            Ok(_) => Notice {
                tone: "info",
                message: "请用本交易中心的数字证书对下面的内容签名（ggzy sign），再填写签名值和证书后导入。".into(),
                ..Notice::default()
            },
            Err(error) => Notice::refusal(&crate::errors::ApiError::from(error)),
        };
        let status = if notice.tone == "info" {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        };
        return match operator_page(
            &state,
            &caller,
            notice,
            form.clone(),
            prepared.unwrap_or_default(),
        )
        .await
        {
            Ok(page) => (status, page).into_response(),
            Err(error) => app_error_page(error),
        };
    }
    let result = match cutoff {
        Ok(cutoff_ms) => state
            .app
            .import_credit_list(
                &signed.0,
                &ListImportRequest {
                    list: get("list"),
                    source: get("source"),
                    cutoff_ms,
                    csv,
                    signature: get("signature"),
                    certificate_pem: get("certificate"),
                },
            )
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    let again = form.clone();
    let (state, caller) = (&state, &caller);
    after(result, "/operator/credit", "imported", move |notice| {
        operator_page(state, caller, notice, again, prepared.unwrap_or_default())
    })
    .await
}

/// `POST /operator/credit/match`: the operator confirms a masked row is a registered person.
pub(crate) async fn confirm_match(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let result = state
        .app
        .confirm_list_match(&signed.0, &get("list"), &get("key"), &get("subject"))
        .await
        .map(|_| ());
    after(result, "/operator/credit", "matched", |notice| {
        operator_page(&state, &caller, notice, HashMap::new(), String::new())
    })
    .await
}
