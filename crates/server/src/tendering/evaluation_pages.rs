//! The evaluation page (`/lots/{code}/evaluation`): for a committee expert, the opened bids and
//! their sheet — qualification items with reasons and factor scores — saved by the form and, in
//! the background, every 20 seconds (`static/evaluation.js` also keeps an unsent draft in the
//! browser, so a dropped connection loses nothing); the to-do list; the conclusion; the report
//! to sign with their certificate. For the organiser and oversight: the progress, the start, the
//! conclusion, a reopening before the first signature, and the result.

use std::collections::HashMap;
use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{FactorScore, ItemVerdict, Role, Sheet};

use crate::AppState;
use crate::access::{MaybeCaller, urlencode};
use crate::errors::ApiError;
use crate::shared::page::SignedIn;
use crate::shared::page::{Layout, app_error_page, layout, render};
use crate::shared::page::{Notice, Params, csrf_of, fields, param};

/// Hundredths of a point from `28.5` or `28.50`; `None` for anything else.
fn parse_points(text: &str) -> Option<i64> {
    parse_hundredths(text, 6)
}

/// 分 from an amount in 元 such as `1,200,000.50`; `None` for anything else.
fn parse_yuan(text: &str) -> Option<i64> {
    parse_hundredths(&text.replace([',', '，'], ""), 12)
}

/// A non-negative decimal with at most two decimals and `max_digits` before the point, ×100.
fn parse_hundredths(text: &str, max_digits: usize) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > max_digits
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

/// A sheet from the page's fields: `v|bidder|item` = pass/fail, `r|bidder|item` = reason,
/// `s|bidder|factor` = points.
fn sheet_of(form: &HashMap<String, String>) -> Result<Sheet, AppError> {
    let mut sheet = Sheet::default();
    let mut keys: Vec<&String> = form.keys().collect();
    keys.sort();
    for key in keys {
        let value = &form[key];
        let parts: Vec<&str> = key.splitn(3, '|').collect();
        match parts.as_slice() {
            ["v", bidder, item] if value == "pass" || value == "fail" => {
                sheet.verdicts.push(ItemVerdict {
                    bidder: bidder.to_string(),
                    item: item.to_string(),
                    pass: value == "pass",
                    reason: form
                        .get(&format!("r|{bidder}|{item}"))
                        .cloned()
                        .unwrap_or_default(),
                });
            }
            ["s", bidder, factor] if !value.is_empty() => {
                let score = parse_points(value).ok_or_else(|| {
                    AppError::Invalid(format!("「{value}」不是分数（最多两位小数）"))
                })?;
                sheet.scores.push(FactorScore {
                    bidder: bidder.to_string(),
                    factor: factor.to_string(),
                    score,
                });
            }
            _ => {}
        }
    }
    Ok(sheet)
}

pub(crate) struct ItemCell {
    name: String,
    key: String,
    pass: bool,
    fail: bool,
    reason: String,
}

pub(crate) struct ScoreCell {
    name: String,
    key: String,
    max: String,
    objective: bool,
    value: String,
}

pub(crate) struct BidRow {
    name: String,
    price: String,
    small: bool,
    form: String,
    /// (name, link).
    files: Vec<(String, String)>,
    items: Vec<ItemCell>,
    scores: Vec<ScoreCell>,
}

pub(crate) struct ResultRow {
    rank: String,
    name: String,
    price: String,
    evaluated: String,
    price_score: String,
    total: String,
    note: String,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    lot: String,
    procedure: String,
    title: String,
    started: bool,
    may_start: bool,
    method: String,
    status: &'static str,
    is_expert: bool,
    /// The expert's pseudonym (names the browser draft).
    me: String,
    may_manage: bool,
    bids: Vec<BidRow>,
    todo: Vec<String>,
    committee: usize,
    saved: usize,
    signed: usize,
    results: Vec<ResultRow>,
    report_sm3: String,
    to_sign: String,
    csrf: String,
    notice: Notice,
}

fn done_notice(params: &HashMap<String, String>) -> Notice {
    let message = match param(params, "done") {
        "started" => "评标已开始：评标委员会专家签署回避承诺后可查看投标文件并评审。",
        "saved" => "评审表已保存。",
        "concluded" => "评审已汇总，评分已锁定。请各位专家签署评标报告。",
        "reopened" => "已退回重新评审。",
        "signed" => "评标报告已签字。",
        _ => return Notice::default(),
    };
    Notice {
        tone: "ok",
        message: message.into(),
        ..Notice::default()
    }
}

async fn evaluation_page(
    state: &AppState,
    caller: &MaybeCaller,
    lot: &str,
    notice: Notice,
    case: Option<&str>,
) -> Result<Response, AppError> {
    let who = caller.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let procedure = state
        .app
        .procedure(Some(who), app::procedure_of_lot(lot)?)
        .await?;
    let found = procedure
        .lot(lot)
        .ok_or(domain::DomainError::LotNotFound)?
        .clone();
    let manages = app::manages(who, &procedure) || who.has(Role::Operator);
    let page_layout = |title: &str| {
        layout(
            state,
            caller,
            title,
            "procedures",
            &[
                ("招标项目", "/procedures"),
                (&procedure.draft.title, ""),
                ("评标", ""),
            ],
        )
    };
    if !state.app.evaluation_started(lot).await? {
        if !manages && !who.has_any(&[Role::Supervisor, Role::Auditor]) {
            return Err(AppError::NotFound("尚未开始评标"));
        }
        return Ok(render(EvaluationPage {
            layout: page_layout("评标"),
            lot: lot.to_string(),
            procedure: procedure.id.clone(),
            title: format!("{} {}", procedure.draft.title, found.name),
            started: false,
            may_start: manages && found.status == domain::LotStatus::Opened,
            method: found
                .evaluation
                .as_ref()
                .map(|t| t.method.label_zh().to_string())
                .unwrap_or_default(),
            status: "",
            is_expert: false,
            me: String::new(),
            may_manage: manages,
            bids: Vec::new(),
            todo: Vec::new(),
            committee: 0,
            saved: 0,
            signed: 0,
            results: Vec::new(),
            report_sm3: String::new(),
            to_sign: String::new(),
            csrf: csrf_of(caller),
            notice,
        }));
    }
    // Supervision and audit read under a case (`?case=`), or in routine online supervision:
    // the read is witnessed before the page is shown, and the bids' files carry the case on.
    let view = state.app.evaluation_view_for_case(who, lot, case).await?;
    let case_query = case
        .map(|c| format!("?case={}", urlencode(c)))
        .unwrap_or_default();
    let sheet = view.my_sheet.clone().unwrap_or_default();
    let bids = view
        .bids
        .iter()
        .map(|b| BidRow {
            name: b.bidder_name.clone(),
            price: app::yuan(b.price_fen),
            small: b.small_enterprise,
            form: b
                .form
                .iter()
                .map(|(k, v)| format!("{}：{v}", app::form_label(k)))
                .collect::<Vec<_>>()
                .join("；"),
            files: b
                .files
                .iter()
                .map(|f| {
                    (
                        f.name.clone(),
                        format!(
                            "/api/v1/lots/{}/bids/{}/files/{}{case_query}",
                            urlencode(lot),
                            urlencode(&b.bidder),
                            f.sm3
                        ),
                    )
                })
                .collect(),
            items: view
                .terms
                .items
                .iter()
                .map(|item| {
                    let verdict = sheet
                        .verdicts
                        .iter()
                        .find(|v| v.bidder == b.bidder && &v.item == item);
                    ItemCell {
                        name: item.clone(),
                        key: format!("{}|{item}", b.bidder),
                        pass: verdict.is_some_and(|v| v.pass),
                        fail: verdict.is_some_and(|v| !v.pass),
                        reason: verdict.map(|v| v.reason.clone()).unwrap_or_default(),
                    }
                })
                .collect(),
            scores: view
                .terms
                .factors
                .iter()
                .map(|f| ScoreCell {
                    name: f.name.clone(),
                    key: format!("{}|{}", b.bidder, f.key),
                    max: domain::centi_text(f.max),
                    objective: f.objective,
                    value: sheet
                        .scores
                        .iter()
                        .find(|s| s.bidder == b.bidder && s.factor == f.key)
                        .map(|s| domain::centi_text(s.score))
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let names: HashMap<&str, &str> = view
        .bids
        .iter()
        .map(|b| (b.bidder.as_str(), b.bidder_name.as_str()))
        .collect();
    let results = view
        .outcome
        .as_ref()
        .map(|o| {
            o.lines
                .iter()
                .map(|l| ResultRow {
                    rank: l.rank.map_or_else(|| "—".into(), |r| r.to_string()),
                    name: names.get(l.bidder.as_str()).unwrap_or(&"").to_string(),
                    price: app::yuan(l.price_fen),
                    evaluated: app::yuan(l.evaluated_price_fen),
                    price_score: domain::centi_text(l.price_score),
                    total: domain::centi_text(l.total),
                    note: if !l.qualified {
                        format!(
                            "未通过：{}",
                            l.failed_items
                                .iter()
                                .map(|(item, reasons)| format!("{item}（{}）", reasons.join("；")))
                                .collect::<Vec<_>>()
                                .join("、")
                        )
                    } else if l.abnormally_low {
                        "报价明显低于其他投标报价，须由投标人说明".into()
                    } else {
                        String::new()
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(render(EvaluationPage {
        layout: page_layout("评标"),
        lot: lot.to_string(),
        procedure: procedure.id.clone(),
        title: format!("{} {}", view.procedure_title, found.name),
        started: true,
        may_start: false,
        method: view.terms.method.label_zh().to_string(),
        status: view.status,
        is_expert: view.me.is_some(),
        me: view.me.clone().unwrap_or_default(),
        may_manage: manages,
        bids,
        todo: view.todo.clone(),
        committee: view.committee,
        saved: view.saved,
        signed: view.signed,
        results,
        report_sm3: view.report_sm3.clone().unwrap_or_default(),
        to_sign: view
            .to_sign
            .as_ref()
            .and_then(|t| serde_json::to_string_pretty(t).ok())
            .unwrap_or_default(),
        csrf: csrf_of(caller),
        notice,
    }))
}

pub(crate) async fn evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    _signed: SignedIn,
    Path(code): Path<String>,
    Query(params): Params,
) -> Response {
    let case = params
        .get("case")
        .map(|c| c.trim())
        .filter(|c| !c.is_empty());
    evaluation_page(&state, &caller, &code, done_notice(&params), case)
        .await
        .unwrap_or_else(app_error_page)
}

/// The acts of the page: `start`, `save` (also in the background: answered 204 without a
/// redirect), `conclude`, `reopen`, `sign`.
pub(crate) async fn evaluation_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("/lots/{}/evaluation", urlencode(&code));
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let app = &state.app;
    let background = headers
        .get("x-autosave")
        .is_some_and(|v| v.as_bytes() == b"1");
    let (done, result) = match get("action").as_str() {
        "start" => ("started", app.start_evaluation(who, &code).await),
        "save" => (
            "saved",
            match sheet_of(&form) {
                Ok(sheet) => app.save_sheet(who, &code, sheet).await,
                Err(error) => Err(error),
            },
        ),
        "conclude" => ("concluded", app.conclude_evaluation(who, &code).await),
        "reopen" => (
            "reopened",
            app.reopen_evaluation(who, &code, &get("reason")).await,
        ),
        "sign" => (
            "signed",
            app.sign_report(who, &code, &get("certificate_pem"), &get("signature"))
                .await,
        ),
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    if background {
        return match result {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(error) => ApiError::from(error).into_response(),
        };
    }
    match result {
        Ok(_) => Redirect::to(&format!("{back}?done={done}")).into_response(),
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let api = ApiError::from(error);
            let status = api.status();
            match evaluation_page(&state, &caller, &code, Notice::refusal(&api), None).await {
                Ok(page) => (status, page).into_response(),
                Err(_) => crate::shared::page::error_page(status, api.code, &api.message),
            }
        }
    }
}

/// The organiser's and bidders' acts after the evaluation, from the procedure page:
/// `candidates`, `objection` (a bidder), `answer`, `award`, `performance`, `complete`.
pub(crate) async fn award_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let id = app::procedure_of_lot(&code)
        .map(str::to_string)
        .unwrap_or_default();
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let app = &state.app;
    let (done, result) = match get("action").as_str() {
        "candidates" => {
            // Government procurement confirms its candidates; it publicises none.
            let procurement = app
                .procedure(Some(who), &id)
                .await
                .is_ok_and(|p| p.draft.rule_category == "procurement");
            (
                if procurement {
                    "candidates_confirmed"
                } else {
                    "candidates"
                },
                app.publish_candidates(who, &code).await,
            )
        }
        "objection" => (
            "objection",
            match domain::ObjectionSubject::parse(&get("subject")) {
                Some(subject) => app.raise_objection(who, &code, subject, &get("text")).await,
                None if get("subject").is_empty() => {
                    app.raise_objection(who, &code, domain::ObjectionSubject::Result, &get("text"))
                        .await
                }
                None => Err(AppError::refused("OBJECTION_SUBJECT", "请选择异议事项")),
            },
        ),
        "answer" => (
            "answered",
            match get("id").parse::<u32>() {
                Ok(n) => app.answer_objection(who, &code, n, &get("text")).await,
                Err(_) => Err(AppError::Invalid("异议编号无效".into())),
            },
        ),
        "award" => ("awarded", app.award(who, &code, &get("winner")).await),
        "performance" => (
            "performance",
            match crate::tendering::award_api::performance_outcome(
                &get("outcome"),
                &get("late_days"),
            ) {
                Ok(outcome) => {
                    app.record_performance(who, &code, &get("text"), outcome, false)
                        .await
                }
                Err(error) => Err(error),
            },
        ),
        "complete" => (
            "completed",
            app.record_performance(who, &code, "", domain::PerformanceOutcome::Normal, true)
                .await,
        ),
        "decline" => (
            "declined",
            app.decline_award(who, &code, &get("reason")).await,
        ),
        "lapse" => ("lapsed", app.record_signing_lapse(who, &code).await),
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    crate::tendering::pages::after(
        &state,
        &caller,
        &id,
        &crate::tendering::pages::lot_anchor(&code),
        done,
        result.map(|r| Some(r.seq)),
    )
    .await
}

/// 合同 from the procedure page: `multipart/form-data` with the file (`contract`) and both
/// parties' certificates and signatures (`tenderee_cert`, `tenderee_signature`, `winner_cert`,
/// `winner_signature`); the CSRF token in the action's `csrf` query parameter.
pub(crate) async fn contract_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let id = app::procedure_of_lot(&code)
        .map(str::to_string)
        .unwrap_or_default();
    let who = &signed.0;
    let result = async {
        let mut multipart = multipart
            .map_err(|_| crate::tendering::pages::upload_refusal("请使用页面上的表单上传合同"))?;
        let broken = |_| crate::tendering::pages::upload_refusal("文件传输中断，请重新上传");
        let mut file: Option<(String, Vec<u8>)> = None;
        let mut texts: HashMap<String, String> = HashMap::new();
        while let Some(field) = multipart.next_field().await.map_err(broken)? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "contract" {
                let file_name = field.file_name().unwrap_or("合同.pdf").to_string();
                file = Some((file_name, field.bytes().await.map_err(broken)?.to_vec()));
            } else {
                texts.insert(name, field.text().await.map_err(broken)?.trim().to_string());
            }
        }
        let (name, content) = file
            .filter(|(_, c)| !c.is_empty())
            .ok_or_else(|| crate::tendering::pages::upload_refusal("请选择合同文件"))?;
        let get = |k: &str| texts.get(k).cloned().unwrap_or_default();
        let signatures = vec![
            (get("tenderee_cert"), get("tenderee_signature")),
            (get("winner_cert"), get("winner_signature")),
        ];
        state
            .app
            .record_contract(who, &code, &name, &content, &signatures)
            .await
    }
    .await;
    crate::tendering::pages::after(
        &state,
        &caller,
        &id,
        &crate::tendering::pages::lot_anchor(&code),
        "contract",
        result.map(|r| Some(r.seq)),
    )
    .await
}

/// The bond acts of the procedure page: a bidder's `transfer` or `guarantee` (the provider's
/// JSON pasted), the trading center's `confirm` and `refund`.
pub(crate) async fn bond_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let id = app::procedure_of_lot(&code)
        .map(str::to_string)
        .unwrap_or_default();
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let app = &state.app;
    let (done, result) = match get("action").as_str() {
        "transfer" => (
            "bond",
            match parse_yuan(&get("amount")) {
                Some(amount) => {
                    app.record_bond_transfer(who, &code, amount, &get("reference"))
                        .await
                }
                None => Err(AppError::Invalid("金额应为元，最多两位小数".into())),
            },
        ),
        "guarantee" => (
            "bond",
            match serde_json::from_str::<app::SignedGuarantee>(&get("guarantee")) {
                Ok(signed) => app.record_bond_guarantee(who, &code, &signed).await,
                Err(_) => Err(AppError::Invalid(
                    "电子保函应为保函机构出具的 JSON（含 guarantee、certificate_pem、signature）"
                        .into(),
                )),
            },
        ),
        "confirm" => (
            "bond_confirmed",
            app.confirm_bond(who, &code, &get("bidder"), &get("payer_account"))
                .await,
        ),
        "refund" => (
            "bonds_refunded",
            app.refund_bonds(who, &code).await.and_then(|list| {
                list.into_iter().last().ok_or_else(|| AppError::Refused {
                    code: "BOND_STEP_NONE",
                    message: "目前没有可退还的投标保证金".into(),
                })
            }),
        ),
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    crate::tendering::pages::after(
        &state,
        &caller,
        &id,
        &crate::tendering::pages::lot_anchor(&code),
        done,
        result.map(|r| Some(r.seq)),
    )
    .await
}
