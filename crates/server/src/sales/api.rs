//! The JSON API of online sales (网上竞价, `docs/auctions.md`): the trading center creates a sale
//! and closes it; bidders register and bid; banks post signed deposit notices; anyone watches
//! it live (server-sent events), reads its history by 竞买号 and replays it from the ledger.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use app::AuctionLive;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::{ReceiptDto, ReceiptsDto};
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::request_dto::{DepositNoticeRequest, NewAuctionRequest, PartialsRequest};
use crate::shared::api::PageQuery;
use crate::shared::api::json;
use crate::shared::api::{caller, receipts};

type ApiResult<T> = Result<T, ApiError>;

/// Set when the server is shutting down, so that live streams end and let it stop.
#[derive(Clone, Debug)]
pub(crate) struct Closing(pub(crate) watch::Receiver<bool>);

/// Sales, newest first (public).
#[utoipa::path(get, path = "/api/v1/auctions", tag = "网上竞价", params(PageQuery), responses((status = 200, body = Object)))]
pub(crate) async fn auctions(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let page = query.page.unwrap_or(1).max(1);
    let list = state.app.auctions(per_page, (page - 1) * per_page).await?;
    Ok(Json(serde_json::json!({
        "total": list.total,
        "items": list.items.iter().map(|a| serde_json::json!({
            "id": a.id,
            "terms": a.terms,
            "accepted": a.accepted,
            "current": a.current(),
            "result": a.result,
        })).collect::<Vec<_>>(),
    })))
}

/// 发布竞价 (trading center): the terms public, the reserve committed by hash.
#[utoipa::path(post, path = "/api/v1/auctions", tag = "网上竞价", request_body = NewAuctionRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<NewAuctionRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.create_auction(caller, input.into()).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// A sale now: the live snapshot and the server's clock.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuctionNowDto {
    /// The server's clock (ms since the epoch): countdowns are kept by it, not the browser's.
    pub(crate) now_ms: i64,
    #[schema(value_type = Object)]
    pub(crate) state: Arc<AuctionLive>,
}

/// A sale as the public sees it (竞买号 only; the reserve after the close).
#[utoipa::path(get, path = "/api/v1/auctions/{id}", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, body = AuctionNowDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn auction(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<AuctionNowDto>> {
    // The stored state is the truth; the snapshot adds the recent bids.
    state.app.auction(&id).await?;
    let live = current_snapshot(&state, &id).await;
    Ok(Json(AuctionNowDto {
        now_ms: state.app.now_ms(),
        state: live,
    }))
}

/// The snapshot of a sale, waiting briefly for its sequencer to load it.
async fn current_snapshot(state: &AppState, id: &str) -> Arc<AuctionLive> {
    let mut live = state.app.auction_live(id);
    if live.borrow().seq < 0 {
        let _ = tokio::time::timeout(Duration::from_secs(2), live.changed()).await;
    }
    live.borrow().clone()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// Events after this ledger place; absent: the newest.
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within_opt::<_, 0, 9223372036854775807>"
    )]
    pub(crate) after: Option<u64>,
    /// At most 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 1000>")]
    pub(crate) limit: Option<u64>,
}

/// A sale's public events with their ledger places (bids accepted and refused, by 竞买号), each
/// with its whole ledger entry, inclusion path and signed head.
#[utoipa::path(get, path = "/api/v1/auctions/{id}/events", tag = "网上竞价", params(("id" = String, Path), HistoryQuery), responses((status = 200, body = Object)))]
pub(crate) async fn events(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let after = query.after.map_or(-1, |a| a as i64);
    let (list, head) = state
        .app
        .auction_history_proven(&id, after, query.limit.unwrap_or(100))
        .await?;
    // Each item is self-contained: the event, its whole entry (header, payload, salt), the
    // inclusion path and the signed head it leads to — pages can be concatenated and checked
    // offline (`ggzy verify --auction-record FILE --public-key KEY`).
    Ok(Json(serde_json::json!({
        "items": list.iter().map(|proven| serde_json::json!({
            "seq": proven.entry.seq,
            "event": proven.entry.payload,
            "entry": proven.entry,
            "path": proven.path,
            "tree_head": head,
        })).collect::<Vec<_>>(),
    })))
}

/// The per-sale check: every entry of the sale proven into the newest signed head, every bid
/// and refusal decided again, and the state the sale's page shows compared with the replay.
#[utoipa::path(get, path = "/api/v1/auctions/{id}/verify", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 409, body = ErrorBody)))]
pub(crate) async fn verify(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let check = state.app.verify_auction(&id).await?;
    Ok(Json(serde_json::json!({
        "consistent": true,
        "result": check.result,
        "entries": check.entries,
        "head_size": check.head_size,
        "events": format!("/api/v1/auctions/{id}/events"),
    })))
}

/// A registration: the bidder's 竞买号.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegistrationDto {
    pub(crate) number: String,
    pub(crate) receipt: Option<ReceiptDto>,
}

/// 竞买登记 (bidder): the bidder's anonymous number for this sale.
#[utoipa::path(post, path = "/api/v1/auctions/{id}/register", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, body = RegistrationDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn register(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<RegistrationDto>> {
    let caller = caller(&maybe)?;
    let (number, receipt) = state.app.register_for_auction(caller, &id).await?;
    let key = state.app.public_key();
    Ok(Json(RegistrationDto {
        number,
        receipt: receipt.map(|r| ReceiptDto::from_receipt(&r, &key)),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BidRequest {
    /// The price, in fen (per unit in a quota auction). Not with `signed`.
    pub(crate) price_fen: Option<i64>,
    /// Units (quota auctions; default 1).
    pub(crate) quantity: Option<u64>,
    /// For a sale that asks for signed bids: what `ggzy sign` prints for the bid message
    /// `{"auction", "bidder", "price_fen", "quantity"}` (price and quantity are taken from it).
    #[schema(value_type = Option<Object>)]
    pub(crate) signed: Option<app::SignedBid>,
}

/// An acknowledged bid.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BidDto {
    pub(crate) price_fen: i64,
    /// The receipt: its ledger place, the signed head and the inclusion proof (absent only when
    /// the platform runs without persistence for a load measurement).
    pub(crate) receipt: Option<ReceiptDto>,
}

/// 报价 (bidder): acknowledged after it is in the ledger; a refusal is recorded too and says why.
#[utoipa::path(post, path = "/api/v1/auctions/{id}/bids", tag = "网上竞价", params(("id" = String, Path)), request_body = BidRequest, responses((status = 200, body = BidDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn bid(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BidRequest>,
) -> ApiResult<Json<BidDto>> {
    let caller = caller(&maybe)?;
    let (receipt, price_fen) = match (&input.signed, input.price_fen) {
        (Some(signed), None) => (
            state.app.auction_bid_signed(caller, &id, signed).await?,
            signed.payload["price_fen"].as_i64().unwrap_or_default(),
        ),
        (None, Some(price_fen)) => (
            state
                .app
                .auction_bid(caller, &id, price_fen, input.quantity.unwrap_or(1))
                .await?,
            price_fen,
        ),
        _ => {
            return Err(ApiError::from(app::AppError::Invalid(
                "报价应给出 price_fen，或给出签名的报价 signed（二者取一）".into(),
            )));
        }
    };
    let key = state.app.public_key();
    Ok(Json(BidDto {
        price_fen,
        receipt: receipt.map(|r| ReceiptDto::from_receipt(&r, &key)),
    }))
}

/// The bank-confirmation API: a bank posts its signed notice that a deposit arrived. The
/// signature of an accepted institution's certificate is the credential.
/// The answer is only that the deposit is confirmed: the public entry names the 竞买号, which the
/// bank must not be able to tie to the payer.
#[utoipa::path(post, path = "/api/v1/auctions/{id}/deposits", tag = "网上竞价", params(("id" = String, Path)), request_body = DepositNoticeRequest, responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub(crate) async fn deposit_notice(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DepositNoticeRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let input: app::SignedDepositNotice = input.into();
    state.app.receive_deposit_notice(&id, &input).await?;
    Ok(Json(serde_json::json!({ "confirmed": true })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepositConfirmation {
    /// The bidder's 统一社会信用代码.
    pub(crate) entity: String,
    pub(crate) amount_fen: i64,
}

/// 确认保证金 (trading center, from the bank's statement when no notice came).
#[utoipa::path(post, path = "/api/v1/auctions/{id}/deposits/confirm", tag = "网上竞价", params(("id" = String, Path)), request_body = DepositConfirmation, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn confirm_deposit(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DepositConfirmation>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .confirm_auction_deposit(caller, &id, &input.entity, input.amount_fen)
        .await?;
    Ok(Json(receipts(
        &state,
        &receipt.into_iter().collect::<Vec<_>>(),
    )))
}

/// 结束竞价 (trading center, after the end): the reserve revealed, the sale decided; the winner's
/// entity is told to the trading center.
#[utoipa::path(post, path = "/api/v1/auctions/{id}/close", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 409, body = ErrorBody)))]
pub(crate) async fn close(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let (result, winner) = state.app.close_auction(caller, &id).await?;
    Ok(Json(serde_json::json!({
        "result": json(&result),
        "winner": winner,
    })))
}

/// The live stream of a sale (server-sent events): `state` events carry the snapshot with the
/// server's clock (event id = the last ledger place reflected); `bids` carries the bids a
/// resuming client missed (after its `Last-Event-ID`); `tick` keeps the clock in step when
/// nothing happens. A slow watcher skips to the newest snapshot.
#[utoipa::path(get, path = "/api/v1/auctions/{id}/live", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, description = "text/event-stream")))]
pub(crate) async fn live(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    closing: Option<axum::Extension<Closing>>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    state.app.auction(&id).await?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let mut pending = VecDeque::new();
    if let Some(after) = resume {
        let missed = state.app.auction_history(&id, after, 500).await?;
        let bids: Vec<_> = missed
            .into_iter()
            .filter_map(|(seq, event)| match event {
                domain::AuctionEvent::BidAccepted { bid } => Some(serde_json::json!({
                    "seq": seq,
                    "bid": bid,
                })),
                _ => None,
            })
            .collect();
        if !bids.is_empty() {
            pending.push_back(
                Event::default()
                    .event("bids")
                    .data(serde_json::Value::Array(bids).to_string()),
            );
        }
    }
    let watcher = Watcher {
        live: state.app.auction_live(&id),
        state,
        closing: closing.map(|axum::Extension(c)| c.0),
        pending,
        first: true,
    };
    let stream = futures_util::stream::unfold(watcher, |mut watcher| async move {
        watcher.next().await.map(|event| (Ok(event), watcher))
    });
    Ok(Sse::new(stream))
}

struct Watcher {
    live: watch::Receiver<Arc<AuctionLive>>,
    state: Arc<AppState>,
    closing: Option<watch::Receiver<bool>>,
    pending: VecDeque<Event>,
    first: bool,
}

impl Watcher {
    /// The snapshot as an SSE event.
    fn snapshot(&mut self) -> Event {
        let live = self.live.borrow_and_update().clone();
        // The snapshot was serialised once by the sequencer; only the clock is added here.
        let data = format!(
            "{{\"now_ms\":{},\"state\":{}}}",
            self.state.app.now_ms(),
            live.json
        );
        Event::default()
            .event("state")
            .id(live.seq.to_string())
            .data(data)
    }

    async fn next(&mut self) -> Option<Event> {
        if self.closing.as_ref().is_some_and(|c| *c.borrow()) {
            return None;
        }
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        if self.first {
            self.first = false;
            if self.live.borrow().seq < 0 {
                // The sequencer is loading the sale.
                let _ = tokio::time::timeout(Duration::from_secs(2), self.live.changed()).await;
            }
            return Some(self.snapshot());
        }
        // At most a few snapshots a second per watcher: a burst of bids is coalesced.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let closing = async {
            match self.closing.as_mut() {
                Some(closing) => {
                    let _ = closing.wait_for(|c| *c).await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        enum Woke {
            Changed(bool),
            Quiet,
            Closing,
        }
        let woke = tokio::select! {
            changed = self.live.changed() => Woke::Changed(changed.is_ok()),
            () = tokio::time::sleep(Duration::from_secs(10)) => Woke::Quiet,
            () = closing => Woke::Closing,
        };
        match woke {
            Woke::Changed(true) => Some(self.snapshot()),
            // The sequencer stopped, or the server is closing: end the stream; the client
            // reconnects and resumes.
            Woke::Changed(false) | Woke::Closing => None,
            Woke::Quiet => Some(
                Event::default()
                    .event("tick")
                    .data(serde_json::json!({ "now_ms": self.state.app.now_ms() }).to_string()),
            ),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RelistRequest {
    /// The new sale (same category and 出让人).
    pub(crate) auction: NewAuctionRequest,
    /// 书面同意文件 when the rule set asks for one (a price cut beyond its limit).
    #[serde(default)]
    pub(crate) approval: String,
}

/// 重新挂牌（拍卖）after a 流拍 (trading center).
#[utoipa::path(post, path = "/api/v1/auctions/{id}/relist", tag = "网上竞价", params(("id" = String, Path)), request_body = RelistRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn relist(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RelistRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .relist_auction(caller, &id, input.auction.into(), &input.approval)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 递交密封报价 (bidder): the envelope file as the body (`ggzy bid seal` makes one with the
/// sale's opening key and the bidder's certificate); replaces an earlier one until the close.
#[utoipa::path(put, path = "/api/v1/auctions/{id}/sealed", tag = "网上竞价", params(("id" = String, Path)), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub(crate) async fn sealed(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let (receipt, envelope) = state
        .app
        .submit_sealed_auction_bid(caller, &id, &body)
        .await?;
    let key = state.app.public_key();
    Ok(Json(serde_json::json!({
        "envelope": envelope,
        "receipt": receipt.map(|r| json(&ReceiptDto::from_receipt(&r, &key))),
    })))
}

/// 开启密封报价 (trading center, after the close): fixes the latest envelope of each bidder.
#[utoipa::path(post, path = "/api/v1/auctions/{id}/opening", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn start_opening(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.start_auction_opening(caller, &id).await?;
    Ok(Json(receipts(
        &state,
        &receipt.into_iter().collect::<Vec<_>>(),
    )))
}

/// What a key holder checks before decrypting (public: the entries are public).
#[utoipa::path(get, path = "/api/v1/auctions/{id}/opening", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 409, body = ErrorBody)))]
pub(crate) async fn opening(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.sale_opening_request(&id).await?)))
}

/// A key holder's partial decryptions (its own account; checked against its verification key).
#[utoipa::path(post, path = "/api/v1/auctions/{id}/partials", tag = "网上竞价", params(("id" = String, Path)), request_body = PartialsRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn partials(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PartialsRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state
        .app
        .submit_sale_partials(caller, &id, input.into())
        .await?;
    Ok(Json(receipts(&state, &list)))
}

/// 成交确认书 (the trading center, oversight, the 出让人; a buyer sees its own line).
#[utoipa::path(get, path = "/api/v1/auctions/{id}/confirmation", tag = "网上竞价", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, description = "竞价尚未结束", body = ErrorBody)))]
pub(crate) async fn confirmation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(
        &state.app.auction_confirmation(caller, &id).await?,
    )))
}
