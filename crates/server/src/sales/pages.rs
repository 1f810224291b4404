//! Pages of online sales (网上竞价): the list, the trading center's form to publish a sale, and
//! one sale's page — a public watch page (current price, phase, countdown by the server's clock,
//! the bids by 竞买号, updated live over server-sent events by `static/auction.js`) with the
//! bidder's panel (register, bid), the trading center's panel (confirm a deposit, end the sale)
//! and, after the end, the result with the reserve revealed and the replay check. Every page
//! reads and works without JavaScript.

use std::collections::HashMap;
use std::sync::Arc;

use app::{AppError, AuctionLive};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{AuctionMethod, AuctionPhase, AuctionResult, AuctionTerms, Role};

use crate::AppState;
use crate::access::MaybeCaller;
use crate::format::{beijing_time, beijing_time_seconds, parse_yuan, yuan_text};
use crate::shared::page::SignedIn;
use crate::shared::page::after;
use crate::shared::page::{Layout, app_error_page, layout, render};
use crate::shared::page::{Notice, PER_PAGE, Params, csrf_of, fields, page_count, page_of, param};

fn done_notice(params: &HashMap<String, String>) -> Notice {
    let message = match param(params, "done") {
        "created" => "竞价项目已发布，保留价已以承诺值写入交易见证账本，竞价结束时揭示。",
        "registered" => "竞买登记成功。竞买保证金到账确认后即可报价；竞价结束前以竞买号显示。",
        "deposit" => "竞买保证金已确认，该竞买人可以报价。",
        "bid" => "报价已被接受并写入交易见证账本。",
        "sealed" => {
            "密封报价文件已递交并写入交易见证账本。截止前可重新递交替换；截止后由密钥持有人共同开启。"
        }
        "opening" => "已开启：各竞买人最后递交的密封报价已固定，等待密钥持有人提交解密份额。",
        "closed" => {
            "竞价已结束，保留价已揭示，结果已写入交易见证账本，成交公示（流拍公告）已发布。"
        }
        "result_published" => "结果公告已发布（已发布的不会重复发布）。",
        "defaulted" => "悔拍已记录：竞买保证金不予退还，已记入竞得人的信用记录。",
        _ => return Notice::default(),
    };
    Notice {
        tone: "ok",
        message: message.into(),
        ..Notice::default()
    }
}

pub(crate) fn method_label(method: &AuctionMethod) -> &'static str {
    match method {
        AuctionMethod::English { .. } => "网上拍卖（自由竞价＋限时竞价）",
        AuctionMethod::Listing { .. } => "挂牌（挂牌期＋限时竞价）",
        AuctionMethod::Quota { .. } => "指标竞价",
        AuctionMethod::Sealed { .. } => "密封报价（截止后共同开启）",
    }
}

fn phase_label(phase: AuctionPhase, method: &str, closed: bool) -> (&'static str, &'static str) {
    if closed {
        return ("已结束", "");
    }
    match phase {
        AuctionPhase::NotStarted => ("未开始", "warn"),
        AuctionPhase::Free if method == "listing" => ("挂牌期", "ok"),
        AuctionPhase::Free => ("自由竞价", "ok"),
        AuctionPhase::Timed => ("限时竞价", "ok"),
        AuctionPhase::Ended => ("竞价时间已到，待交易中心结束", "warn"),
    }
}

fn result_text(result: &AuctionResult) -> String {
    match result {
        AuctionResult::Sold { bidder, price_fen } => {
            format!("成交：竞买号 {bidder}，成交价 {}", yuan_text(*price_fen))
        }
        AuctionResult::Allocated { allocations } => format!(
            "成交：{} 个竞买号获得指标，共 {} 个单位",
            allocations.len(),
            allocations.iter().map(|a| a.units).sum::<u64>()
        ),
        AuctionResult::NoSale { reason } => format!("流拍：{reason}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The list

struct AuctionRow {
    id: String,
    title: String,
    method: &'static str,
    start: String,
    current: String,
    status: String,
}

#[derive(Template)]
#[template(path = "auctions.html")]
struct AuctionsPage {
    layout: Layout,
    rows: Vec<AuctionRow>,
    page: u64,
    pages: u64,
    can_create: bool,
    /// The caller is a 出让人 (tenderee role): it may list its own sales.
    can_filter_mine: bool,
    mine: bool,
}

pub(crate) async fn auctions(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Params,
) -> Response {
    let page = page_of(&params);
    let who = caller.0.as_ref();
    let can_filter_mine = who.is_some_and(|c| c.has(Role::Tenderee) && !c.entity_id.is_empty());
    let mine = can_filter_mine && param(&params, "mine") == "1";
    let transferor = if mine {
        who.map(|c| c.entity_id.as_str())
    } else {
        None
    };
    let list = match state
        .app
        .auctions_of(transferor, PER_PAGE, (page - 1) * PER_PAGE)
        .await
    {
        Ok(list) => list,
        Err(error) => return app_error_page(error),
    };
    let rows = list
        .items
        .iter()
        .map(|a| AuctionRow {
            id: a.id.clone(),
            title: a.info.title.clone(),
            method: method_label(&a.terms.method),
            start: beijing_time(start_of(&a.terms)),
            current: a
                .current()
                .map_or("—".into(), |bid| yuan_text(bid.price_fen)),
            status: match &a.result {
                Some(result) => result_text(result),
                None => phase_label(a.phase(state.app.now_ms()), "", false)
                    .0
                    .to_string(),
            },
        })
        .collect();
    render(AuctionsPage {
        layout: layout(&state, &caller, "网上竞价", "auctions", &[("网上竞价", "")]),
        rows,
        page,
        pages: page_count(list.total),
        can_create: caller.0.as_ref().is_some_and(|c| c.has(Role::Operator)),
        can_filter_mine,
        mine,
    })
}

fn start_of(terms: &AuctionTerms) -> i64 {
    match terms.method {
        AuctionMethod::English { start_ms, .. }
        | AuctionMethod::Listing { start_ms, .. }
        | AuctionMethod::Quota { start_ms, .. }
        | AuctionMethod::Sealed { start_ms, .. } => start_ms,
    }
}

// ---------------------------------------------------------------------------------------------
// Publishing a sale

#[derive(Template)]
#[template(path = "auction_new.html")]
struct NewAuctionPage {
    layout: Layout,
    csrf: String,
    notice: Notice,
    form: HashMap<String, String>,
}

impl NewAuctionPage {
    fn value(&self, key: &str) -> &str {
        self.form.get(key).map_or("", String::as_str)
    }
}

fn new_page(
    state: &AppState,
    caller: &MaybeCaller,
    notice: Notice,
    form: HashMap<String, String>,
) -> Response {
    render(NewAuctionPage {
        layout: layout(
            state,
            caller,
            "发布竞价",
            "auctions",
            &[("网上竞价", "/auctions"), ("发布竞价", "")],
        ),
        csrf: csrf_of(caller),
        notice,
        form,
    })
}

/// The form; `?relist=ID` fills it from a sale that failed (流拍), to re-list it.
pub(crate) async fn new_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Params,
) -> Response {
    let mut form = HashMap::new();
    form.insert("countdown".into(), "5".into());
    form.insert("method".into(), "english".into());
    form.insert("region".into(), "330100".into());
    form.insert("category".into(), "land".into());
    let relist = param(&params, "relist");
    if !relist.is_empty() {
        match state.app.auction(relist).await {
            Ok(before) => {
                form.insert("relist".into(), relist.to_string());
                form.insert("id".into(), format!("{relist}-R"));
                form.insert("title".into(), before.info.title.clone());
                form.insert("category".into(), before.info.category.clone());
                form.insert("region".into(), before.info.region.clone());
                form.insert("transferor".into(), before.info.transferor.clone());
                form.insert("description".into(), before.info.description.clone());
                form.insert(
                    "method".into(),
                    match before.terms.method {
                        AuctionMethod::English { .. } => "english",
                        AuctionMethod::Listing { .. } => "listing",
                        AuctionMethod::Quota { .. } => "quota",
                        AuctionMethod::Sealed { .. } => "sealed",
                    }
                    .into(),
                );
                form.insert(
                    "start_price".into(),
                    format!("{:.2}", before.terms.start_price_fen as f64 / 100.0),
                );
                form.insert(
                    "increment".into(),
                    format!("{:.2}", before.terms.increment_fen as f64 / 100.0),
                );
                form.insert(
                    "deposit".into(),
                    format!("{:.2}", before.terms.deposit_fen as f64 / 100.0),
                );
            }
            Err(error) => return app_error_page(error),
        }
    }
    new_page(&state, &caller, Notice::default(), form)
}

fn invalid(message: &str) -> AppError {
    AppError::Invalid(message.into())
}

fn amount(form: &HashMap<String, String>, key: &str, label: &str) -> Result<i64, AppError> {
    let text = form.get(key).map_or("", String::as_str);
    if text.trim().is_empty() {
        return Ok(0);
    }
    parse_yuan(text).ok_or_else(|| invalid(&format!("{label}应为金额（元，最多两位小数）")))
}

fn count(form: &HashMap<String, String>, key: &str, label: &str) -> Result<u64, AppError> {
    form.get(key)
        .map_or("", String::as_str)
        .trim()
        .parse()
        .map_err(|_| invalid(&format!("{label}应为正整数")))
}

/// The form's sale, or the first thing wrong with it.
fn parse_new(form: &HashMap<String, String>) -> Result<app::NewAuction, AppError> {
    let get = |k: &str| form.get(k).map_or("", String::as_str);
    let start_ms = app::parse_beijing_minute(get("start"))?;
    let end_ms = app::parse_beijing_minute(get("end"))?;
    let countdown_ms = count(form, "countdown", "限时竞价倒计时（分钟）")? as i64 * 60_000;
    let method = match get("method") {
        "english" => AuctionMethod::English {
            start_ms,
            free_until_ms: end_ms,
            countdown_ms,
        },
        "listing" => AuctionMethod::Listing {
            start_ms,
            listing_end_ms: end_ms,
            countdown_ms,
        },
        "sealed" => AuctionMethod::Sealed {
            start_ms,
            close_ms: end_ms,
        },
        "quota" => AuctionMethod::Quota {
            start_ms,
            close_ms: end_ms,
            units: count(form, "units", "指标总量")?,
            min_quantity: count(form, "min_quantity", "单个竞买人最少申购量")?,
            max_quantity: count(form, "max_quantity", "单个竞买人最多申购量")?,
            uniform_price: get("uniform") == "on",
            modify_from_ms: if get("modify_from").trim().is_empty() {
                0
            } else {
                app::parse_beijing_minute(get("modify_from"))?
            },
            band_fen: amount(form, "band", "修改出价浮动范围")?,
        },
        _ => return Err(invalid("请选择竞价方式")),
    };
    Ok(app::NewAuction {
        id: get("id").trim().to_string(),
        title: get("title").trim().to_string(),
        category: get("category").trim().to_string(),
        region: get("region").trim().to_string(),
        transferor: get("transferor").trim().to_string(),
        description: get("description").trim().to_string(),
        terms: AuctionTerms {
            method,
            start_price_fen: amount(form, "start_price", "起始价")?,
            increment_fen: amount(form, "increment", "加价幅度")?,
            deposit_fen: amount(form, "deposit", "竞买保证金")?,
            min_bidders: 0,
            signed_bids: get("signed_bids") == "on",
        },
        reserve_fen: amount(form, "reserve", "保留价")?,
    })
}

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let relist = form.get("relist").map_or("", |v| v.trim()).to_string();
    let result = match parse_new(&form) {
        Ok(input) => {
            let id = input.id.clone();
            if relist.is_empty() {
                state.app.create_auction(who, input).await.map(|_| id)
            } else {
                let approval = form.get("approval").map_or("", String::as_str);
                state
                    .app
                    .relist_auction(who, &relist, input, approval)
                    .await
                    .map(|_| id)
            }
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(id) => Redirect::to(&format!("/auctions/{id}?done=created")).into_response(),
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let api = crate::errors::ApiError::from(error);
            let status = api.status();
            (
                status,
                new_page(&state, &caller, Notice::refusal(&api), form),
            )
                .into_response()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One sale

struct BidView {
    bidder: String,
    price: String,
    at: String,
}

#[derive(Template)]
#[template(path = "auction.html")]
struct AuctionPage {
    layout: Layout,
    id: String,
    title: String,
    category: String,
    region: String,
    transferor: String,
    description: String,
    rule_sets: String,
    relists: String,
    /// Numbers whose deposit goes to the price / comes back (after the close).
    deposits_applied: String,
    deposits_released: String,
    /// The caller may read the 成交确认书.
    can_confirm: bool,
    sold: bool,
    method: &'static str,
    method_key: String,
    start: String,
    free_end: String,
    deadline: String,
    /// The timed-bidding countdown in words ("" for methods without one).
    countdown: String,
    start_price: String,
    increment: String,
    deposit: String,
    phase: &'static str,
    phase_class: &'static str,
    current: String,
    current_bidder: String,
    minimum_next: String,
    minimum_next_yuan: String,
    /// Quota auctions: 警示价 and the 修改出价 window.
    clearing: String,
    modify: String,
    remaining_ms: i64,
    accepted: u64,
    refused: u64,
    registered: usize,
    bids: Vec<BidView>,
    closed: bool,
    result: String,
    reserve: String,
    reserve_commitment: String,
    quota: bool,
    /// The signed-in bidder's 竞买号 for this sale, if registered.
    my_number: String,
    my_deposit: bool,
    is_bidder: bool,
    is_operator: bool,
    csrf: String,
    notice: Notice,
    /// 密封报价: the sale's opening key, this bidder's envelope (digest and time) if any, the
    /// opening's progress and, once opened, each bid's price.
    sealed_sale: bool,
    opening_key: String,
    my_envelope: String,
    can_open: bool,
    opening_started: bool,
    partials_in: usize,
    threshold: u32,
    opened: Vec<(String, String)>,
    /// Bids must be signed; the message to sign at the minimum price, for this bidder.
    signed_bids: bool,
    sign_message: String,
    /// The snapshot as JSON, for the script's first paint.
    live_json: String,
    now_ms: i64,
}

async fn auction_page(
    state: &AppState,
    caller: &MaybeCaller,
    id: &str,
    notice: Notice,
) -> Result<Response, AppError> {
    let auction = state.app.auction(id).await?;
    let live: Arc<AuctionLive> = {
        let mut watch = state.app.auction_live(id);
        if watch.borrow().seq < 0 {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), watch.changed()).await;
        }
        watch.borrow().clone()
    };
    let now = state.app.now_ms();
    let who = caller.0.as_ref();
    let is_bidder = who.is_some_and(|c| c.has(Role::Bidder));
    let (my_number, my_deposit) = match who {
        Some(c) if is_bidder => {
            let number = state.app.auction_bidder_number(id, &c.entity_id);
            match auction.registered.get(&number) {
                Some(deposit) => (number, *deposit),
                None => (String::new(), false),
            }
        }
        _ => (String::new(), false),
    };
    let closed = auction.result.is_some();
    let method_key = live.method.clone();
    let (phase, phase_class) = phase_label(auction.phase(now), &method_key, closed);
    let countdown = match auction.terms.method {
        AuctionMethod::English { countdown_ms, .. }
        | AuctionMethod::Listing { countdown_ms, .. } => app::duration_zh(countdown_ms),
        AuctionMethod::Quota { .. } | AuctionMethod::Sealed { .. } => String::new(),
    };
    let bids = live
        .recent
        .iter()
        .rev()
        .map(|b| BidView {
            bidder: b.bidder.clone(),
            price: yuan_text(b.price_fen),
            at: beijing_time_seconds(b.at_ms),
        })
        .collect();
    let current = auction.current();
    let category = state
        .app
        .reference_data()
        .await?
        .catalog
        .category(&auction.info.category)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let (deposits_applied, deposits_released) = match &auction.deposits {
        Some(deposits) => (deposits.applied.join("、"), deposits.released.join("、")),
        None => (String::new(), String::new()),
    };
    let sold = matches!(
        auction.result,
        Some(AuctionResult::Sold { .. } | AuctionResult::Allocated { .. })
    );
    let can_confirm = sold
        && who.is_some_and(|c| {
            c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor])
                || c.acts_for(&auction.info.transferor)
                || (!my_number.is_empty() && {
                    let number = my_number.as_str();
                    match &auction.result {
                        Some(AuctionResult::Sold { bidder, .. }) => bidder == number,
                        Some(AuctionResult::Allocated { allocations }) => {
                            allocations.iter().any(|a| a.bidder == number)
                        }
                        _ => false,
                    }
                })
        });
    Ok(render(AuctionPage {
        layout: layout(
            state,
            caller,
            &format!("网上竞价 {id}"),
            "auctions",
            &[("网上竞价", "/auctions"), (id, "")],
        ),
        id: id.to_string(),
        title: auction.info.title.clone(),
        category,
        region: crate::format::region_name(&auction.info.region).to_string(),
        transferor: auction.info.transferor_name.clone(),
        description: auction.info.description.clone(),
        rule_sets: auction.info.rule_sets.join("、"),
        relists: auction.info.relists.clone().unwrap_or_default(),
        deposits_applied,
        deposits_released,
        can_confirm,
        sold,
        method: method_label(&auction.terms.method),
        method_key,
        start: beijing_time(live.start_ms),
        free_end: beijing_time(live.free_end_ms),
        deadline: beijing_time_seconds(auction.deadline_ms()),
        countdown,
        start_price: yuan_text(auction.terms.start_price_fen),
        increment: yuan_text(auction.terms.increment_fen),
        deposit: yuan_text(auction.terms.deposit_fen),
        phase,
        phase_class,
        current: current.map_or("尚无报价".into(), |b| yuan_text(b.price_fen)),
        current_bidder: current.map_or(String::new(), |b| b.bidder.clone()),
        minimum_next: yuan_text(auction.minimum_next()),
        // After the close the 警示价 is history: the page shows what cleared.
        clearing: match &auction.result {
            Some(domain::AuctionResult::Allocated { allocations }) => {
                match allocations.iter().map(|a| a.price_fen).min() {
                    Some(lowest) => yuan_text(lowest),
                    None => "—".into(),
                }
            }
            Some(_) => "—".into(),
            None => yuan_text(auction.clearing_price()),
        },
        modify: match auction.terms.method {
            AuctionMethod::Quota {
                modify_from_ms,
                band_fen,
                ..
            } if modify_from_ms > 0 => format!(
                "{} 起只能修改已有报价，价格须在警示价上下 {} 以内",
                beijing_time(modify_from_ms),
                yuan_text(band_fen)
            ),
            _ => String::new(),
        },
        minimum_next_yuan: format!("{:.2}", auction.minimum_next() as f64 / 100.0),
        remaining_ms: (auction.deadline_ms() - now).max(0),
        accepted: auction.accepted,
        refused: auction.refused,
        registered: auction.registered.len(),
        bids,
        closed,
        result: auction.result.as_ref().map(result_text).unwrap_or_default(),
        reserve: auction.reserve_fen.map(yuan_text).unwrap_or_default(),
        reserve_commitment: auction.reserve_commitment.clone(),
        quota: matches!(auction.terms.method, AuctionMethod::Quota { .. }),
        my_number: my_number.clone(),
        my_deposit,
        is_bidder,
        is_operator: who.is_some_and(|c| c.has(Role::Operator)),
        csrf: csrf_of(caller),
        notice,
        // Inside a <script> element: no "<" may close it.
        sealed_sale: matches!(auction.terms.method, AuctionMethod::Sealed { .. }),
        opening_key: auction
            .info
            .opening_key
            .as_ref()
            .map(|k| k.public_key.clone())
            .unwrap_or_default(),
        my_envelope: auction
            .sealed
            .get(&my_number)
            .map(|s| format!("{}（{}）", s.envelope, beijing_time_seconds(s.at_ms)))
            .unwrap_or_default(),
        can_open: matches!(auction.terms.method, AuctionMethod::Sealed { .. })
            && auction.opening.is_none()
            && !auction.sealed.is_empty()
            && auction.phase(now) == AuctionPhase::Ended,
        opening_started: auction.opening.is_some(),
        partials_in: auction.opening.as_ref().map_or(0, |o| o.partials.len()),
        threshold: auction.info.opening_key.as_ref().map_or(0, |k| k.threshold),
        opened: auction
            .opening
            .as_ref()
            .and_then(|o| o.opened.as_ref())
            .map(|lines| {
                lines
                    .iter()
                    .map(|l| {
                        (
                            l.bidder.clone(),
                            match (l.price_fen, &l.reason) {
                                (Some(p), _) => yuan_text(p),
                                (None, Some(reason)) => format!("无效：{reason}"),
                                (None, None) => "无效".into(),
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        signed_bids: auction.terms.signed_bids,
        sign_message: match who {
            Some(c) if is_bidder => serde_json::to_string(&state.app.bid_message(
                id,
                &c.entity_id,
                auction.minimum_next(),
                1,
            ))
            .unwrap_or_default(),
            _ => String::new(),
        },
        live_json: serde_json::to_string(&*live)
            .unwrap_or_default()
            .replace('<', "\\u003c"),
        now_ms: now,
    }))
}

pub(crate) async fn auction(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    auction_page(&state, &caller, &id, done_notice(&params))
        .await
        .unwrap_or_else(app_error_page)
}

/// The acts on a sale's page: `register`, `bid` (bidders); `deposit`, `close` (trading center).
pub(crate) async fn act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let page = format!("/auctions/{id}");
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let (done, result) = match get("action").as_str() {
        "register" => (
            "registered",
            state.app.register_for_auction(who, &id).await.map(|_| ()),
        ),
        "bid" => (
            "bid",
            match parse_yuan(&get("price")) {
                Some(price) => {
                    let quantity = get("quantity").trim().parse().unwrap_or(1);
                    state
                        .app
                        .auction_bid(who, &id, price, quantity)
                        .await
                        .map(|_| ())
                }
                None => Err(invalid("报价应为金额（元，最多两位小数）")),
            },
        ),
        "bid_signed" => (
            "bid",
            match serde_json::from_str::<app::SignedBid>(get("signed").trim()) {
                Ok(signed) => state
                    .app
                    .auction_bid_signed(who, &id, &signed)
                    .await
                    .map(|_| ()),
                Err(_) => Err(invalid(
                    "请粘贴 ggzy sign 输出的完整 JSON（含 payload、signature、certificate）",
                )),
            },
        ),
        "deposit" => (
            "deposit",
            match parse_yuan(&get("amount")) {
                Some(amount) => state
                    .app
                    .confirm_auction_deposit(who, &id, get("entity").trim(), amount)
                    .await
                    .map(|_| ()),
                None => Err(invalid("保证金金额应为金额（元，最多两位小数）")),
            },
        ),
        "close" => (
            "closed",
            state.app.close_auction(who, &id).await.map(|_| ()),
        ),
        "start_opening" => (
            "opening",
            state.app.start_auction_opening(who, &id).await.map(|_| ()),
        ),
        "publish_result" => (
            "result_published",
            state.app.publish_auction_result(who, &id).await,
        ),
        "default" => (
            "defaulted",
            state
                .app
                .declare_sale_default(who, &id, &get("bidder"), &get("reason"))
                .await
                .map(|_| ()),
        ),
        _ => ("", Err(invalid("未知操作"))),
    };
    after(result, &page, done, |notice| {
        auction_page(&state, &caller, &id, notice)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 成交确认书

#[derive(Template)]
#[template(path = "auction_confirmation.html")]
struct ConfirmationPage {
    layout: Layout,
    c: app::AuctionConfirmation,
    category: String,
    closed_at: String,
    lines: Vec<(String, String, String, u64, String, String)>,
    total: String,
    deposit: String,
}

pub(crate) async fn confirmation(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let who = &signed.0;
    let c = match state.app.auction_confirmation(who, &id).await {
        Ok(c) => c,
        Err(error) => return app_error_page(error),
    };
    let category = match state.app.reference_data().await {
        Ok(data) => data
            .catalog
            .category(&c.info.category)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        Err(error) => return app_error_page(error),
    };
    let total: i64 = c.lines.iter().map(|l| l.price_fen * l.units as i64).sum();
    let lines = c
        .lines
        .iter()
        .map(|l| {
            (
                l.buyer.clone(),
                l.buyer_code.clone(),
                l.bidder_number.clone(),
                l.units,
                yuan_text(l.price_fen),
                yuan_text(l.price_fen * l.units as i64),
            )
        })
        .collect();
    render(ConfirmationPage {
        layout: layout(
            &state,
            &caller,
            "成交确认书",
            "auctions",
            &[
                ("网上竞价", "/auctions"),
                (&id, &format!("/auctions/{id}")),
                ("成交确认书", ""),
            ],
        ),
        closed_at: beijing_time_seconds(c.closed_at_ms),
        deposit: yuan_text(c.deposit_fen),
        total: yuan_text(total),
        lines,
        category,
        c,
    })
}

/// 递交密封报价 from the page: the `envelope` file part of a multipart form (CSRF in `?csrf=`).
pub(crate) async fn submit_sealed(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let page = format!("/auctions/{id}");
    let who = &signed.0;
    let result = async {
        let mut multipart =
            multipart.map_err(|_| invalid("请使用页面上的表单选择密封报价文件递交"))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| invalid("文件传输中断，请重新递交"))?
        {
            if field.name() != Some("envelope") {
                continue;
            }
            let bytes = field
                .bytes()
                .await
                .map_err(|_| invalid("文件传输中断，请重新递交"))?;
            if bytes.is_empty() {
                break;
            }
            return state
                .app
                .submit_sealed_auction_bid(who, &id, &bytes)
                .await
                .map(|_| ());
        }
        Err(invalid("请选择要递交的密封报价文件（.sealed）"))
    }
    .await;
    after(result, &page, "sealed", |notice| {
        auction_page(&state, &caller, &id, notice)
    })
    .await
}
