//! Pages of the expert service: the draws (request, public re-check, the panel and its seats),
//! the expert's own 我的评标 page (confirm, 回避承诺, decline, relations), one expert's record
//! with the trading center's actions, and the evaluation rooms. They call the same use cases as
//! `experts::api`; every act redirects back with a fixed message, every refusal re-renders the page
//! with its code.

use std::collections::HashMap;
use std::sync::Arc;

use app::{AppError, Caller};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;

use crate::AppState;
use crate::access::{MaybeCaller, urlencode};
use crate::errors::ApiError;
use crate::format::beijing_time;
use crate::shared::page::SignedIn;
use crate::shared::page::after;
use crate::shared::page::{Layout, app_error_page, layout, render};
use crate::shared::page::{Notice, PER_PAGE, Params, csrf_of, fields, page_count, page_of, param};

/// The fixed message of `?done=…`: a link cannot put words on an official page.
pub(crate) fn done_notice(params: &HashMap<String, String>) -> Notice {
    let message = match param(params, "done") {
        "committed" => {
            "抽取承诺已写入交易见证账本。监督人员投入随机数后，平台当即揭示秘密值并抽取。"
        }
        "drawn" => "抽取完成：随机数、揭示与抽取结果已写入交易见证账本，已通知抽中的专家确认。",
        "no_response" => "已按未在期限内确认处理，并由下一名备选专家递补。",
        "declined" => "已记录专家不能参加，并由下一名备选专家递补。",
        "disclosed" => "评标委员会名单已公布，任何人可对照抽取时的承诺核验。",
        "rated" => "评价已记入专家的履职记录。",
        "confirmed" => "已确认参加评标。开始评标前请阅读并签署回避承诺。",
        "declared" => "回避承诺已签署，评标开始后可查看本标段（包）的投标文件。",
        "withdrawn" => "已记录回避情形，交易中心将由备选专家递补。",
        "checked_out" => {
            "平台核查发现您与本标段（包）的当事人存在利害关系，已按回避处理，由备选专家递补。"
        }
        "relation" => "利害关系已记录，今后涉及该单位的抽取将自动回避。",
        "added" => "专家已入库。",
        "suspended" => "专家已暂停，暂停期间不参加抽取。",
        "reinstated" => "专家已恢复在库。",
        "retired" => "专家已退出专家库。",
        "leave" => "请假时段已记录，该时段内不参加抽取。",
        "account" => "专家账号已开通并关联。",
        "room" => "评标室已添加。",
        "booked" => "评标室已预约。",
        "cancelled" => "预约已取消。",
        "guarantor" => "已列入电子保函机构名录。",
        "guarantor_withdrawn" => "已移出名录，其出具的保函不再被接受。",
        _ => return Notice::default(),
    };
    Notice {
        tone: "ok",
        message: message.into(),
        ..Notice::default()
    }
}

fn exclusion_label(key: &str) -> &'static str {
    match key {
        "not_active" => "暂停或退出",
        "party" => "受聘于当事人或与其有利害关系",
        "recent_same_tenderee" => "近期已为同一招标人评标",
        "busy" => "同日已在其他评标委员会",
        "excluded_region" => "来自回避地区",
        "on_leave" => "评标日请假",
        "poor_record" => "履职评价不合格次数达到规定",
        "credit" => "信用评价等级受限（暂停评标资格）",
        _ => "其他",
    }
}

// ---------------------------------------------------------------------------------------------
// Draws

pub(crate) struct DrawRow {
    id: String,
    lot: String,
    evaluation_date: String,
    status: &'static str,
    status_class: &'static str,
}

pub(crate) struct NeedSlot {
    row: u32,
    category: String,
    count: String,
}

pub(crate) struct CategoryOption {
    code: String,
    label: String,
}

#[derive(Template)]
#[template(path = "draws.html")]
struct DrawsPage {
    layout: Layout,
    rows: Vec<DrawRow>,
    /// Draws committed and waiting for the supervisor's contribution.
    pending: Vec<DrawRow>,
    can_contribute: bool,
    page: u64,
    pages: u64,
    can_draw: bool,
    csrf: String,
    notice: Notice,
    categories: Vec<CategoryOption>,
    slots: Vec<NeedSlot>,
    form: HashMap<String, String>,
}

impl DrawsPage {
    fn value(&self, key: &str) -> String {
        self.form.get(key).cloned().unwrap_or_default()
    }
}

async fn draws_page(
    state: &AppState,
    caller: &MaybeCaller,
    page: u64,
    notice: Notice,
    form: HashMap<String, String>,
) -> Result<Response, AppError> {
    let who = caller.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let list = state
        .app
        .panels(who, PER_PAGE, (page - 1) * PER_PAGE)
        .await?;
    let rows = list
        .items
        .iter()
        .map(|p| {
            let (status, status_class) = if p.disclosed {
                ("名单已公布", "muted")
            } else if p.complete() {
                ("全部签署回避承诺", "ok")
            } else {
                ("待确认/递补中", "warn")
            };
            DrawRow {
                id: p.draw.clone(),
                lot: p.lot.clone(),
                evaluation_date: p.evaluation_date.to_string(),
                status,
                status_class,
            }
        })
        .collect();
    let mut pending = Vec::new();
    for c in state.app.pending_draws(who).await? {
        let contributed = state.app.draw_contribution(&c.id).await?.is_some();
        pending.push(DrawRow {
            status: if contributed {
                "已投入随机数，待揭示"
            } else {
                "待监督人员投入随机数"
            },
            status_class: if contributed { "bad" } else { "warn" },
            evaluation_date: c.request.evaluation_date.to_string(),
            id: c.id,
            lot: c.lot,
        });
    }
    let categories = state
        .app
        .expert_categories()
        .into_iter()
        .map(|c| CategoryOption {
            label: format!("{} {}", c.code, c.name),
            code: c.code,
        })
        .collect();
    Ok(render(DrawsPage {
        layout: layout(state, caller, "专家抽取", "draws", &[("专家抽取", "")]),
        rows,
        pending,
        can_contribute: who.has(Role::Supervisor),
        page,
        pages: page_count(list.total),
        can_draw: who.has(Role::Operator),
        csrf: csrf_of(caller),
        notice,
        categories,
        slots: (1..=3)
            .map(|row| NeedSlot {
                row,
                category: form
                    .get(&format!("category{row}"))
                    .cloned()
                    .unwrap_or_default(),
                count: form
                    .get(&format!("count{row}"))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect(),
        form,
    }))
}

pub(crate) async fn draws(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    _signed: SignedIn,
    Query(params): Params,
) -> Response {
    draws_page(
        &state,
        &caller,
        page_of(&params),
        done_notice(&params),
        HashMap::new(),
    )
    .await
    .unwrap_or_else(app_error_page)
}

/// 专家抽取 from the form: up to three category rows.
pub(crate) async fn new_draw(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let number = |k: &str, default: u32| -> Result<u32, AppError> {
        let text = get(k);
        if text.is_empty() {
            return Ok(default);
        }
        text.parse()
            .map_err(|_| AppError::Invalid(format!("「{text}」不是非负整数")))
    };
    let result = async {
        let mut needs = Vec::new();
        for row in 1..=3 {
            let category = get(&format!("category{row}"));
            if category.is_empty() {
                continue;
            }
            needs.push((category, number(&format!("count{row}"), 0)?));
        }
        let input = app::NewDraw {
            lot: get("lot"),
            evaluation_date: get("evaluation_date"),
            needs,
            backups: number("backups", 2)?,
            recent_days: number("recent_days", 0)?,
            excluded_regions: get("excluded_regions")
                .split([',', '，', ' ', '、'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            confirm_minutes: Some(number("confirm_minutes", 60)?),
        };
        state.app.draw_experts(who, input).await
    }
    .await;
    match result {
        Ok(committed) => Redirect::to(&format!(
            "/draws/{}?done=committed",
            urlencode(&committed.id)
        ))
        .into_response(),
        Err(error) => {
            after(Err(error), "/draws", "", |notice| {
                draws_page(&state, &caller, 1, notice, form.clone())
            })
            .await
        }
    }
}

pub(crate) struct PanelRow {
    category: String,
    experts: String,
    backups: String,
}

pub(crate) struct ReplacedRow {
    category: String,
    out: String,
    replacement: String,
    reason: &'static str,
}

pub(crate) struct SeatRow {
    category: String,
    pool_id: String,
    /// The lasting pseudonym, for oversight (empty otherwise).
    pseudonym: String,
    name: String,
    status: &'static str,
    status_label: &'static str,
    invited_at: String,
    score: String,
    rateable: bool,
}

pub(crate) struct NameRow {
    pseudonym: String,
    name: String,
}

#[derive(Template)]
#[template(path = "draw.html")]
struct DrawPage {
    layout: Layout,
    id: String,
    lot: String,
    procedure: String,
    evaluation_date: String,
    commitment: String,
    secret: String,
    seed: String,
    head_size: u64,
    head_root: String,
    /// (account, value) of each contribution to the seed.
    contributions: Vec<(String, String)>,
    pool: usize,
    excluded: u32,
    excluded_by: Vec<(String, u32)>,
    panels: Vec<PanelRow>,
    replaced: Vec<ReplacedRow>,
    names: Vec<NameRow>,
    problem: String,
    /// The panel, for those who may see it.
    seats: Vec<SeatRow>,
    has_panel: bool,
    names_visible: bool,
    may_manage: bool,
    may_rate: bool,
    may_disclose: bool,
    replacement_details: Vec<(String, String)>,
    csrf: String,
    notice: Notice,
}

/// A draw committed and waiting for the supervisor's contribution.
#[derive(Template)]
#[template(path = "draw_pending.html")]
struct DrawPendingPage {
    layout: Layout,
    id: String,
    lot: String,
    evaluation_date: String,
    commitment: String,
    pool: usize,
    excluded: u32,
    needs: Vec<(String, u32)>,
    backups: u32,
    can_contribute: bool,
    /// The contribution already recorded (account, value), waiting for the reveal.
    contribution: Option<(String, String)>,
    can_reveal: bool,
    csrf: String,
    notice: Notice,
    /// What the supervisor typed, when refused.
    value: String,
    /// The draw failed in the draw itself: (reason, secret, seed), all public.
    failed: Option<(String, String, String)>,
}

async fn draw_pending_page(
    state: &AppState,
    caller: &MaybeCaller,
    committed: app::DrawCommitted,
    notice: Notice,
    value: String,
    failed: Option<(String, String, String)>,
) -> Response {
    let category = |code: &str| format!("{} {}", code, state.app.expert_category_name(code));
    let contribution = state
        .app
        .draw_contribution(&committed.id)
        .await
        .ok()
        .flatten()
        .map(|c| (c.account, c.value));
    let who = caller.0.as_ref();
    render(DrawPendingPage {
        layout: layout(
            state,
            caller,
            "专家抽取（待投入随机数）",
            "draws",
            &[("专家抽取", "/draws"), ("抽取记录", "")],
        ),
        id: committed.id.clone(),
        lot: committed.lot.clone(),
        evaluation_date: committed.request.evaluation_date.to_string(),
        commitment: committed.commitment.clone(),
        pool: committed.pool.len(),
        excluded: committed.excluded,
        needs: committed
            .request
            .needs
            .iter()
            .map(|(code, count)| (category(code), *count))
            .collect(),
        backups: committed.request.backups,
        can_contribute: failed.is_none()
            && contribution.is_none()
            && who.is_some_and(|c| c.has(Role::Supervisor) && !c.has(Role::Operator)),
        can_reveal: failed.is_none()
            && contribution.is_some()
            && who.is_some_and(|c| c.has(Role::Supervisor) || c.has(Role::Operator)),
        contribution,
        csrf: csrf_of(caller),
        notice,
        value,
        failed,
    })
}

/// The reveal of a draw whose contribution is recorded but whose reveal did not finish.
pub(crate) async fn reveal(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let back = format!("/draws/{}", urlencode(&id));
    let who = &signed.0;
    let result = state.app.reveal_draw(who, &id).await.map(|_| ());
    after(result, &back, "drawn", |notice| {
        draw_page(&state, &caller, &id, notice)
    })
    .await
}

/// A supervisor's contribution from the pending draw's page: the draw is revealed at once.
pub(crate) async fn contribute(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let back = format!("/draws/{}", urlencode(&id));
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = app::NewContribution {
        commitment: get("commitment"),
        value: get("value"),
    };
    match state.app.contribute_to_draw(who, &id, input).await {
        Ok(_) => Redirect::to(&format!("{back}?done=drawn")).into_response(),
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        // Still pending (a mistyped value or commitment): the form again, with what was typed.
        Err(error) => match state.app.pending_draw(&id).await {
            Ok(committed) => {
                let api = ApiError::from(error);
                let status = api.status();
                let page = draw_pending_page(
                    &state,
                    &caller,
                    committed,
                    Notice::refusal(&api),
                    get("value"),
                    None,
                )
                .await;
                (status, page).into_response()
            }
            Err(_) => {
                after(Err(error), &back, "", |notice| {
                    draw_page(&state, &caller, &id, notice)
                })
                .await
            }
        },
    }
}

async fn draw_page(
    state: &AppState,
    caller: &MaybeCaller,
    id: &str,
    notice: Notice,
) -> Result<Response, AppError> {
    let record = match state.app.draw_record(id).await {
        Ok(record) => record,
        // Committed and not yet revealed: the commitment, and the supervisor's form.
        // Committed and not yet revealed (the supervisor's form), or failed in the draw itself
        // (the commitment and the revealed secret, for checking): each loaded once.
        Err(AppError::NotFound(what)) => {
            if let Ok(committed) = state.app.pending_draw(id).await {
                return Ok(draw_pending_page(
                    state,
                    caller,
                    committed,
                    notice,
                    String::new(),
                    None,
                )
                .await);
            }
            let Some((committed, failed)) = state.app.failed_draw(id).await? else {
                return Err(AppError::NotFound(what));
            };
            let text = |key: &str| failed[key].as_str().unwrap_or_default().to_string();
            let failed = Some((text("reason"), text("secret"), text("seed")));
            return Ok(
                draw_pending_page(state, caller, committed, notice, String::new(), failed).await,
            );
        }
        Err(error) => return Err(error),
    };
    let problem = app::check_record(&record).err().unwrap_or_default();
    let category = |code: &str| format!("{} {}", code, state.app.expert_category_name(code));
    let panel = match caller.0.as_ref() {
        Some(who) => state.app.panel_view(who, id).await.ok(),
        None => None,
    };
    let mut seats = Vec::new();
    let mut details = Vec::new();
    let (mut names_visible, mut may_manage, mut may_rate, mut may_disclose) =
        (false, false, false, false);
    let mut procedure = String::new();
    if let Some(view) = &panel {
        names_visible = view.names_visible;
        may_manage = view.may_manage;
        may_rate = view.may_rate;
        may_disclose = view.may_disclose;
        procedure = view.procedure.clone();
        for seat in &view.seats {
            seats.push(SeatRow {
                category: category(&seat.category),
                pool_id: seat.pool_id.clone(),
                pseudonym: seat.pseudonym.clone().unwrap_or_default(),
                name: seat.name.clone().unwrap_or_else(|| {
                    if view.names_visible {
                        "—".into()
                    } else {
                        "（评标当日可见）".into()
                    }
                }),
                status: seat.status,
                status_label: seat.status_label,
                invited_at: beijing_time(seat.invited_at_ms),
                score: seat.score.map(|s| s.to_string()).unwrap_or_default(),
                rateable: view.may_rate && seat.status == "declared" && seat.score.is_none(),
            });
        }
        for r in &view.replacements {
            if let Some(detail) = &r.detail {
                details.push((r.out.clone(), detail.clone()));
            }
        }
    }
    Ok(render(DrawPage {
        layout: layout(
            state,
            caller,
            "专家抽取记录",
            "draws",
            &[("专家抽取", "/draws"), ("抽取记录", "")],
        ),
        id: id.to_string(),
        lot: record.committed.lot.clone(),
        procedure,
        evaluation_date: record.committed.request.evaluation_date.to_string(),
        commitment: record.committed.commitment.clone(),
        secret: record.revealed.secret.clone(),
        seed: record.revealed.seed.clone(),
        head_size: record.revealed.head_size,
        head_root: record.revealed.head_root.clone(),
        contributions: record
            .revealed
            .contributions
            .iter()
            .map(|c| (c.account.clone(), c.value.clone()))
            .collect(),
        pool: record.committed.pool.len(),
        excluded: record.committed.excluded,
        excluded_by: record
            .committed
            .excluded_by
            .iter()
            .map(|(k, v)| (exclusion_label(k).to_string(), *v))
            .collect(),
        panels: record
            .revealed
            .result
            .panels
            .iter()
            .map(|p| PanelRow {
                category: category(&p.category),
                experts: p.experts.join("、"),
                backups: p.backups.join("、"),
            })
            .collect(),
        replaced: record
            .replaced
            .iter()
            .map(|r| ReplacedRow {
                category: category(&r.replacement.category),
                out: r.replacement.out.clone(),
                replacement: r
                    .replacement
                    .replacement
                    .clone()
                    .unwrap_or_else(|| "（备选已用尽，席位空缺）".into()),
                reason: r.replacement.reason.label_zh(),
            })
            .collect(),
        names: record
            .disclosed
            .as_ref()
            .map(|d| {
                d.names
                    .iter()
                    .map(|n| NameRow {
                        pseudonym: n.pseudonym.clone(),
                        name: n.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        problem,
        has_panel: panel.is_some(),
        seats,
        names_visible,
        may_manage,
        may_rate,
        may_disclose,
        replacement_details: details,
        csrf: csrf_of(caller),
        notice,
    }))
}

pub(crate) async fn draw(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    draw_page(&state, &caller, &id, done_notice(&params))
        .await
        .unwrap_or_else(app_error_page)
}

/// The acts on a panel from its page: `no_response`, `decline` and `disclose` (trading center),
/// `rate` (organiser).
pub(crate) async fn draw_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let back = format!("/draws/{}", urlencode(&id));
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let action = get("action");
    let (done, result) = match action.as_str() {
        "no_response" => (
            "no_response",
            state
                .app
                .seat_no_response(who, &id, &get("pseudonym"))
                .await,
        ),
        "decline" => (
            "declined",
            state
                .app
                .decline_seat(who, &id, Some(&get("pseudonym")), &get("reason"))
                .await,
        ),
        "disclose" => ("disclosed", state.app.disclose_panel(who, &id).await),
        "rate" => {
            let score = get("score").parse::<u8>();
            match score {
                Ok(score) => (
                    "rated",
                    state
                        .app
                        .rate_expert(who, &id, &get("pseudonym"), score, &get("comment"))
                        .await,
                ),
                Err(_) => ("rated", Err(domain::DomainError::RatingScore.into())),
            }
        }
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    after(result.map(|_| ()), &back, done, |notice| {
        draw_page(&state, &caller, &id, notice)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// The expert's own page

pub(crate) struct MySeatRow {
    draw: String,
    lot: String,
    procedure_title: String,
    evaluation_date: String,
    category: String,
    status: &'static str,
    status_label: &'static str,
    confirm_due: String,
    statement: String,
    rooms: Vec<String>,
}

pub(crate) struct RatingRow {
    date: String,
    lot: String,
    score: u8,
    comment: String,
}

#[derive(Template)]
#[template(path = "my_evaluations.html")]
struct MyEvaluationsPage {
    layout: Layout,
    pseudonym: String,
    name: String,
    seats: Vec<MySeatRow>,
    ratings: Vec<RatingRow>,
    relations: Vec<(String, String)>,
    csrf: String,
    notice: Notice,
}

async fn my_evaluations_page(
    state: &AppState,
    caller: &MaybeCaller,
    notice: Notice,
) -> Result<Response, AppError> {
    let who = caller.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let record = state.app.my_expert_record(who).await?;
    let seats = state
        .app
        .my_seats(who)
        .await?
        .into_iter()
        .map(|s| MySeatRow {
            draw: s.draw,
            lot: s.lot,
            procedure_title: s.procedure_title,
            evaluation_date: s.evaluation_date,
            category: format!("{} {}", s.category, s.category_name),
            status: s.status,
            status_label: s.status_label,
            confirm_due: beijing_time(s.confirm_due_ms),
            statement: s.statement,
            rooms: s
                .rooms
                .iter()
                .map(|(name, address, from, to)| {
                    format!(
                        "{name}（{address}）{} 至 {}",
                        beijing_time(*from),
                        beijing_time(*to)
                    )
                })
                .collect(),
        })
        .collect();
    Ok(render(MyEvaluationsPage {
        layout: layout(
            state,
            caller,
            "我的评标",
            "evaluations",
            &[("我的评标", "")],
        ),
        pseudonym: record.pseudonym,
        name: record.name,
        seats,
        ratings: record
            .ratings
            .iter()
            .map(|r| RatingRow {
                date: r.evaluation_date.to_string(),
                lot: r.lot.clone(),
                score: r.score,
                comment: r.comment.clone(),
            })
            .collect(),
        relations: record
            .relations
            .iter()
            .map(|r| (r.entity.to_string(), r.relation.clone()))
            .collect(),
        csrf: csrf_of(caller),
        notice,
    }))
}

pub(crate) async fn my_evaluations(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    _signed: SignedIn,
    Query(params): Params,
) -> Response {
    my_evaluations_page(&state, &caller, done_notice(&params))
        .await
        .unwrap_or_else(app_error_page)
}

/// The expert's acts: `confirm`, `decline`, `declare` (sign) and `withdraw` (a conflict), and
/// `relation`.
pub(crate) async fn my_evaluations_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let draw = get("draw");
    let (done, result) = match get("action").as_str() {
        "confirm" => ("confirmed", state.app.confirm_seat(who, &draw).await),
        "decline" => (
            "declined",
            state
                .app
                .decline_seat(who, &draw, None, &get("reason"))
                .await,
        ),
        "declare" if get("agree") == "yes" => {
            let result = state.app.declare_no_conflict(who, &draw, None).await;
            // The platform's own check found a conflict: the seat went to a backup.
            let done = match &result {
                Ok(receipt) if receipt.kind == "panel.replaced" => "checked_out",
                _ => "declared",
            };
            (done, result)
        }
        "declare" => (
            "declared",
            Err(AppError::Invalid(
                "请阅读回避承诺并勾选「本人已阅读并承诺」".into(),
            )),
        ),
        "withdraw" => (
            "withdrawn",
            state
                .app
                .declare_no_conflict(who, &draw, Some(&get("conflict")))
                .await,
        ),
        "relation" => {
            let own = state.app.my_expert_record(who).await;
            match own {
                Ok(record) => (
                    "relation",
                    state
                        .app
                        .declare_expert_relation(
                            who,
                            &record.pseudonym,
                            &get("entity"),
                            &get("relation"),
                        )
                        .await,
                ),
                Err(error) => ("relation", Err(error)),
            }
        }
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    after(result.map(|_| ()), "/me/evaluations", done, |notice| {
        my_evaluations_page(&state, &caller, notice)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// One expert, for the trading center and oversight

#[derive(Template)]
#[template(path = "expert.html")]
struct ExpertPage {
    layout: Layout,
    expert: app::ExpertView,
    categories: String,
    status: &'static str,
    ratings: Vec<RatingRow>,
    leaves: Vec<(String, String, String)>,
    relations: Vec<(String, String, String)>,
    can_manage: bool,
    csrf: String,
    notice: Notice,
}

async fn expert_page(
    state: &AppState,
    caller: &MaybeCaller,
    id: &str,
    notice: Notice,
) -> Result<Response, AppError> {
    let who = caller.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let expert = state.app.expert(who, id).await?;
    let status = match expert.status.as_str() {
        "active" => "在库",
        "suspended" => "暂停",
        _ => "已退出",
    };
    Ok(render(ExpertPage {
        layout: layout(
            state,
            caller,
            &format!("专家 {}", expert.pseudonym),
            "experts",
            &[("评标专家库", "/experts"), (&expert.pseudonym, "")],
        ),
        categories: expert
            .categories
            .iter()
            .map(|c| format!("{c} {}", state.app.expert_category_name(c)))
            .collect::<Vec<_>>()
            .join("、"),
        status,
        ratings: expert
            .ratings
            .iter()
            .map(|r| RatingRow {
                date: r.evaluation_date.to_string(),
                lot: r.lot.clone(),
                score: r.score,
                comment: r.comment.clone(),
            })
            .collect(),
        leaves: expert
            .leaves
            .iter()
            .map(|l| (l.from.to_string(), l.to.to_string(), l.reason.clone()))
            .collect(),
        relations: expert
            .relations
            .iter()
            .map(|r| {
                (
                    r.entity.to_string(),
                    r.relation.clone(),
                    beijing_time(r.at_ms),
                )
            })
            .collect(),
        can_manage: who.has(Role::Operator),
        csrf: csrf_of(caller),
        notice,
        expert,
    }))
}

pub(crate) async fn expert(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    _signed: SignedIn,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    expert_page(&state, &caller, &id, done_notice(&params))
        .await
        .unwrap_or_else(app_error_page)
}

/// The trading center's acts on one expert: `suspend`, `reinstate`, `retire`, `leave`,
/// `relation`, `account`.
pub(crate) async fn expert_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let back = format!("/experts/{}", urlencode(&id));
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let app = &state.app;
    let (done, result) = match get("action").as_str() {
        "suspend" => (
            "suspended",
            app.suspend_expert(who, &id, &get("reason")).await,
        ),
        "reinstate" => ("reinstated", app.reinstate_expert(who, &id).await),
        "retire" => ("retired", app.retire_expert(who, &id, &get("reason")).await),
        "leave" => (
            "leave",
            app.add_expert_leave(who, &id, &get("from"), &get("to"), &get("reason"))
                .await,
        ),
        "relation" => (
            "relation",
            app.declare_expert_relation(who, &id, &get("entity"), &get("relation"))
                .await,
        ),
        "account" => {
            let username = get("username");
            let password = get("password");
            let result = if password.is_empty() {
                app.link_expert_account(who, &id, &username).await
            } else {
                app.open_expert_account(
                    who,
                    &id,
                    Some(username.as_str()).filter(|u| !u.is_empty()),
                    &password,
                )
                .await
            };
            ("account", result)
        }
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    after(result.map(|_| ()), &back, done, |notice| {
        expert_page(&state, &caller, &id, notice)
    })
    .await
}

/// 专家入库 from the form on the database page.
pub(crate) async fn add_expert(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = app::ExpertForm {
        name: get("name"),
        id_number: get("id_number"),
        employer: get("employer"),
        region: get("region"),
        categories: get("categories"),
        title: get("title"),
        title_level: get("title_level"),
        practice_years: get("practice_years"),
        entry_date: get("entry_date"),
    };
    match state.app.add_expert(who, input).await {
        Ok(receipt) => {
            let pseudonym = receipt.stream.trim_start_matches("expert/").to_string();
            Redirect::to(&format!("/experts/{}?done=added", urlencode(&pseudonym))).into_response()
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let api = ApiError::from(error);
            crate::experts::database_pages::experts_refused(&state, &caller, &api, form).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rooms

pub(crate) struct RoomRow {
    code: String,
    name: String,
    region: String,
    address: String,
    capacity: u32,
    equipment: String,
    shared: bool,
    bookings: Vec<BookingRow>,
}

pub(crate) struct BookingRow {
    id: String,
    lot: String,
    from: String,
    to: String,
    attendees: u32,
}

#[derive(Template)]
#[template(path = "rooms.html")]
struct RoomsPage {
    layout: Layout,
    rooms: Vec<RoomRow>,
    can_manage: bool,
    sees_bookings: bool,
    csrf: String,
    notice: Notice,
}

async fn rooms_page(
    state: &AppState,
    caller: &MaybeCaller,
    notice: Notice,
) -> Result<Response, AppError> {
    let who: Option<&Caller> = caller.0.as_ref();
    let rooms = state.app.rooms(who).await?;
    Ok(render(RoomsPage {
        layout: layout(state, caller, "评标室", "rooms", &[("评标室", "")]),
        rooms: rooms
            .into_iter()
            .map(|r| RoomRow {
                region: format!(
                    "{} {}",
                    crate::format::region_name(r.spec.region.as_ref()),
                    r.spec.region
                ),
                code: r.spec.code,
                name: r.spec.name,
                address: r.spec.address,
                capacity: r.spec.capacity,
                equipment: r.spec.equipment.join("、"),
                shared: r.spec.shared,
                bookings: r
                    .bookings
                    .iter()
                    .map(|b| BookingRow {
                        id: b.id.clone(),
                        lot: b.lot.clone(),
                        from: beijing_time(b.from_ms),
                        to: beijing_time(b.to_ms),
                        attendees: b.attendees,
                    })
                    .collect(),
            })
            .collect(),
        can_manage: who.is_some_and(|c| c.has(Role::Operator)),
        sees_bookings: who
            .is_some_and(|c| c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor])),
        csrf: csrf_of(caller),
        notice,
    }))
}

pub(crate) async fn rooms(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Params,
) -> Response {
    rooms_page(&state, &caller, done_notice(&params))
        .await
        .unwrap_or_else(app_error_page)
}

/// The trading center's acts on rooms: `add`, `book`, `cancel`.
pub(crate) async fn rooms_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let number = |k: &str| get(k).parse::<u32>().unwrap_or(0);
    let app = &state.app;
    let (done, result) = match get("action").as_str() {
        "add" => (
            "room",
            app.add_room(
                who,
                app::NewRoom {
                    code: get("code"),
                    name: get("name"),
                    region: get("region"),
                    address: get("address"),
                    capacity: number("capacity"),
                    equipment: vec![get("equipment")],
                    shared: get("shared") == "yes",
                },
            )
            .await,
        ),
        "book" => (
            "booked",
            app.book_room(
                who,
                &get("room"),
                app::NewBooking {
                    lot: get("lot"),
                    from: get("from"),
                    to: get("to"),
                    attendees: number("attendees"),
                },
            )
            .await,
        ),
        "cancel" => (
            "cancelled",
            app.cancel_booking(who, &get("room"), &get("booking"), &get("reason"))
                .await,
        ),
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    after(result.map(|_| ()), "/rooms", done, |notice| {
        rooms_page(&state, &caller, notice)
    })
    .await
}
