//! The JSON API of electronic tendering: procedures, announcements, bidders' registration and
//! sealed envelopes (streamed), the opening, and the key ceremony relay. Procedures, lots and
//! ceremonies are returned as their JSON state (see `domain::Procedure`, `domain::Ceremony`).

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::Response;
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::{ReasonRequest, ReceiptDto, ReceiptsDto};
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::request_dto::{
    CeremonyComplaintRequest, CeremonyConfirmRequest, CeremonyDealRequest, CeremonyJoinRequest,
    NewCeremonyRequest, PartialsRequest,
};
use crate::shared::api::{caller, file_response, json, receipts};

type ApiResult<T> = Result<T, ApiError>;

/// A procedure's state and the receipts of the act that produced it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProcedureActDto {
    /// The procedure (`domain::Procedure` as JSON).
    #[schema(value_type = Object)]
    pub(crate) procedure: serde_json::Value,
    pub(crate) receipts: Vec<ReceiptDto>,
}

fn act(state: &AppState, result: (domain::Procedure, Vec<app::Receipt>)) -> ProcedureActDto {
    ProcedureActDto {
        procedure: json(&result.0),
        receipts: receipts(state, &result.1).receipts,
    }
}

/// A page of procedures.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProcedurePageDto {
    #[schema(value_type = Vec<Object>)]
    pub(crate) items: Vec<serde_json::Value>,
    pub(crate) total: u64,
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProcedureQuery {
    #[param(minimum = 1, maximum = 100000)]
    #[serde(
        default = "crate::shared::api::first_page",
        deserialize_with = "crate::extract::within::<_, 1, 100000>"
    )]
    pub(crate) page: u64,
    #[param(minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 100>")]
    pub(crate) per_page: Option<u64>,
    /// `1`: the procedures the caller's entity manages (drafts included) instead of the
    /// published ones; `0` (default): the published ones.
    #[param(minimum = 0, maximum = 1)]
    #[serde(default, deserialize_with = "crate::extract::within::<_, 0, 1>")]
    pub(crate) mine: u64,
}

/// The body of a procedure draft (see `app::NewProcedure`).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct NewProcedureDoc {
    project_code: String,
    title: String,
    /// Catalog category, e.g. `construction` or `procurement`.
    category: String,
    /// `open_tender`, `invited_tender` or (procurement) `competitive_consultation`.
    method: String,
    region: String,
    /// The tenderee's USCC when an agency drafts.
    tenderee: Option<String>,
    description: String,
    qualification: String,
    invitees: Option<Vec<String>>,
    lots: Vec<NewLotDoc>,
    /// Beijing time `YYYY-MM-DD HH:MM`.
    deadline: String,
    opening_place: Option<String>,
    contact: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct NewLotDoc {
    name: String,
    budget_fen: i64,
    description: Option<String>,
}

/// Drafts a procedure (招标人 for itself, 代理机构 for a tenderee).
#[utoipa::path(post, path = "/api/v1/procedures", tag = "招标采购", request_body = NewProcedureDoc, responses((status = 200, body = ProcedureActDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn create_procedure(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<app::NewProcedure>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state.app.create_procedure(caller, input).await?;
    Ok(Json(act(&state, result)))
}

/// Published procedures, newest first (or, with `mine=1`, the caller's own).
#[utoipa::path(get, path = "/api/v1/procedures", tag = "招标采购", params(ProcedureQuery), responses((status = 200, body = ProcedurePageDto), (status = 401, description = "mine=1 需要登录", body = ErrorBody)))]
pub(crate) async fn procedures(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(query): ApiQuery<ProcedureQuery>,
) -> ApiResult<Json<ProcedurePageDto>> {
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let page = query.page.max(1);
    let managed = if query.mine == 1 {
        Some(caller(&maybe)?.entity_id.clone())
    } else {
        None
    };
    let list = state
        .app
        .procedures(managed.as_deref(), per_page, (page - 1) * per_page)
        .await?;
    Ok(Json(ProcedurePageDto {
        items: list.items.iter().map(json).collect(),
        total: list.total,
        page,
        per_page,
    }))
}

/// One procedure (a draft only to its tenderee, agency and oversight).
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "招标采购", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub(crate) async fn procedure(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let procedure = state.app.procedure(maybe.0.as_ref(), &id).await?;
    let standing = state.app.deadline_standing(&procedure).await?;
    let mut body = json(&procedure);
    if let Some(object) = body.as_object_mut() {
        // What the calendar in force says of the deadline (provisional beyond the published
        // calendar; on a holiday or under the minimum once that year's calendar is out).
        object.insert("deadline_standing".into(), json(&standing));
    }
    Ok(Json(body))
}

/// Replaces an unpublished draft.
#[utoipa::path(put, path = "/api/v1/procedures/{id}", tag = "招标采购", params(("id" = String, Path)), request_body = NewProcedureDoc, responses((status = 200, body = ProcedureActDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn edit_procedure(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<app::NewProcedure>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state.app.edit_procedure(caller, &id, input).await?;
    Ok(Json(act(&state, result)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct FileQuery {
    /// The file's name, e.g. `招标文件.pdf`.
    pub(crate) name: String,
}

/// Uploads the tender documents (招标文件) of a draft; the body is the file.
#[utoipa::path(put, path = "/api/v1/procedures/{id}/documents", tag = "招标采购", params(("id" = String, Path), FileQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 200, body = ProcedureActDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn attach_documents(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<FileQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state
        .app
        .attach_documents(caller, &id, &query.name, &body)
        .await?;
    Ok(Json(act(&state, result)))
}

/// Publishes the 招标公告 (the deadline is checked against the rules and the calendar).
#[utoipa::path(post, path = "/api/v1/procedures/{id}/publish", tag = "招标采购", params(("id" = String, Path)), responses((status = 200, body = ProcedureActDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn publish_procedure(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state.app.publish_procedure(caller, &id).await?;
    Ok(Json(act(&state, result)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct AmendmentDoc {
    text: String,
    /// A later deadline (Beijing `YYYY-MM-DD HH:MM`), or empty.
    deadline: Option<String>,
}

/// A clarification or amendment (变更/澄清公告); too close to the deadline, it moves.
#[utoipa::path(post, path = "/api/v1/procedures/{id}/amendments", tag = "招标采购", params(("id" = String, Path)), request_body = AmendmentDoc, responses((status = 200, body = ProcedureActDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn amend_procedure(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<app::NewAmendment>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state.app.amend_procedure(caller, &id, input).await?;
    Ok(Json(act(&state, result)))
}

/// 终止 the procedure, with a reason (终止公告).
#[utoipa::path(post, path = "/api/v1/procedures/{id}/terminate", tag = "招标采购", params(("id" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ProcedureActDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn terminate_procedure(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state
        .app
        .terminate_procedure(caller, &id, &input.reason)
        .await?;
    Ok(Json(act(&state, result)))
}

/// An announcement.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AnnouncementDto {
    pub(crate) id: String,
    pub(crate) procedure: String,
    pub(crate) lot: String,
    /// `tender_notice`, `amendment`, `opening_record`, `failure_notice`, `termination_notice`, …
    pub(crate) kind: String,
    pub(crate) category: String,
    pub(crate) region: String,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) published_at_ms: i64,
    /// The ledger entry that witnesses it.
    pub(crate) seq: i64,
}

impl From<store::AnnouncementRow> for AnnouncementDto {
    fn from(row: store::AnnouncementRow) -> Self {
        Self {
            id: row.id,
            procedure: row.procedure_id,
            lot: row.lot,
            kind: row.kind,
            category: row.category,
            region: row.region,
            title: row.title,
            body: row.body,
            published_at_ms: row.published_at_ms,
            seq: row.seq,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AnnouncementPageDto {
    pub(crate) items: Vec<AnnouncementDto>,
    pub(crate) total: u64,
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AnnouncementQuery {
    #[serde(default)]
    pub(crate) procedure: String,
    #[serde(default)]
    pub(crate) kind: String,
    #[param(minimum = 1, maximum = 100000)]
    #[serde(
        default = "crate::shared::api::first_page",
        deserialize_with = "crate::extract::within::<_, 1, 100000>"
    )]
    pub(crate) page: u64,
    #[param(minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 100>")]
    pub(crate) per_page: Option<u64>,
}

/// Published announcements, newest first.
#[utoipa::path(get, path = "/api/v1/announcements", tag = "公告", params(AnnouncementQuery), responses((status = 200, body = AnnouncementPageDto)))]
pub(crate) async fn announcements(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<AnnouncementQuery>,
) -> ApiResult<Json<AnnouncementPageDto>> {
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let page = query.page.max(1);
    let list = state
        .app
        .announcements(
            &query.procedure,
            &query.kind,
            per_page,
            (page - 1) * per_page,
        )
        .await?;
    Ok(Json(AnnouncementPageDto {
        items: list.items.into_iter().map(AnnouncementDto::from).collect(),
        total: list.total,
        page,
        per_page,
    }))
}

/// One announcement.
#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "公告", params(("id" = String, Path)), responses((status = 200, body = AnnouncementDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn announcement(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<AnnouncementDto>> {
    Ok(Json(state.app.announcement(&id).await?.into()))
}

/// 报名: the bidder registers for a lot.
#[utoipa::path(post, path = "/api/v1/lots/{code}/registration", tag = "投标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn register_for_lot(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.register_for_lot(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The tender documents (a registered bidder's download is recorded in the ledger).
#[utoipa::path(get, path = "/api/v1/lots/{code}/documents", tag = "投标", params(("code" = String, Path)), responses((status = 200, body = Vec<u8>, content_type = "application/octet-stream"), (status = 403, body = ErrorBody)))]
pub(crate) async fn lot_documents(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let caller = caller(&maybe)?;
    let (document, content, copy) = state.app.tender_documents(caller, &code).await?;
    Ok(with_copy(file_response(&document.name, content), copy))
}

/// A bidder's download names its copy (文件创建标识码) in `x-ggzy-copy`, for the bidding tool.
pub(crate) fn with_copy(mut response: Response, copy: Option<String>) -> Response {
    if let Some(value) = copy.and_then(|c| axum::http::HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert("x-ggzy-copy", value);
    }
    response
}

/// The receipt of a sealed bid.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BidReceiptDto {
    pub(crate) lot: String,
    /// The envelope's digest, hex: SM3 of its magic and signed header lines (`docs/envelope.md`).
    pub(crate) envelope_sm3: String,
    pub(crate) size: u64,
    pub(crate) received_at_ms: i64,
    pub(crate) receipt: ReceiptDto,
}

pub(crate) fn bid_receipt(state: &AppState, receipt: &app::BidReceipt) -> BidReceiptDto {
    BidReceiptDto {
        lot: receipt.lot.clone(),
        envelope_sm3: receipt.envelope_sm3.clone(),
        size: receipt.size,
        received_at_ms: receipt.received_at_ms,
        receipt: ReceiptDto::from_receipt(&receipt.receipt, &state.app.public_key()),
    }
}

/// Streams a request body into a bid intake, chunk by chunk.
pub(crate) async fn stream_bid(
    state: &AppState,
    caller: &app::Caller,
    code: &str,
    address: &str,
    mut body: Body,
) -> Result<app::BidReceipt, ApiError> {
    let mut intake = state
        .app
        .begin_bid(caller, code)
        .await?
        .from_address(address);
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(_) => {
                intake.abort().await;
                return Err(ApiError::with_message(
                    "INVALID_REQUEST",
                    "投标文件传输中断，请重新递交",
                ));
            }
        };
        if let Some(data) = frame.data_ref()
            && let Err(error) = intake.push(data).await
        {
            intake.abort().await;
            return Err(error.into());
        }
    }
    Ok(intake.finish().await?)
}

/// 递交 (or replace) the sealed envelope: the body is the `.sealed` file, streamed to the blob
/// store. The deadline is judged when the transfer completes.
#[utoipa::path(put, path = "/api/v1/lots/{code}/bid", tag = "投标", params(("code" = String, Path)), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 200, body = BidReceiptDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn submit_bid(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    address: crate::extract::ClientAddr,
    body: Body,
) -> ApiResult<Json<BidReceiptDto>> {
    let caller = caller(&maybe)?;
    let receipt = stream_bid(&state, caller, &code, &address.0, body).await?;
    Ok(Json(bid_receipt(&state, &receipt)))
}

/// 撤回 the envelope before the deadline.
#[utoipa::path(delete, path = "/api/v1/lots/{code}/bid", tag = "投标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn withdraw_bid(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.withdraw_bid(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The caller's own bid for a lot (`null` when not registered).
#[utoipa::path(get, path = "/api/v1/lots/{code}/bid", tag = "投标", params(("code" = String, Path)), responses((status = 200, body = Object)))]
pub(crate) async fn my_bid(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.my_bid(caller, &code).await?)))
}

/// The caller's bids in every lot.
#[utoipa::path(get, path = "/api/v1/bids", tag = "投标", responses((status = 200, body = Vec<Object>)))]
pub(crate) async fn my_bids(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.my_bids(caller).await?)))
}

/// 开标: fixes the lot's envelopes after the deadline (or fails the lot with too few bids).
#[utoipa::path(post, path = "/api/v1/lots/{code}/opening", tag = "开标", params(("code" = String, Path)), responses((status = 200, body = ProcedureActDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn start_opening(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state.app.start_opening(Some(caller), &code).await?;
    Ok(Json(act(&state, result)))
}

/// What a key holder checks before decrypting: the public entry that started the opening, with
/// its inclusion proof to a signed head.
#[utoipa::path(get, path = "/api/v1/lots/{code}/opening", tag = "开标", params(("code" = String, Path)), responses((status = 200, body = Object), (status = 409, body = ErrorBody)))]
pub(crate) async fn opening_request(
    State(state): State<Arc<AppState>>,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.opening_request(&code).await?)))
}

/// A key holder's partial decryptions with Chaum–Pedersen proofs.
#[utoipa::path(post, path = "/api/v1/lots/{code}/partials", tag = "开标", params(("code" = String, Path)), request_body = PartialsRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn submit_partials(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<PartialsRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state
        .app
        .submit_partials(caller, &code, request.into())
        .await?;
    Ok(Json(receipts(&state, &list)))
}

/// Opens a key ceremony (交易中心).
#[utoipa::path(post, path = "/api/v1/ceremonies", tag = "开标密钥", request_body = NewCeremonyRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn open_ceremony(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(request): ApiJson<NewCeremonyRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state.app.open_ceremony(caller, request.into()).await?;
    Ok(Json(receipts(&state, &list)))
}

/// Every key ceremony, newest first (the transcript is public).
#[utoipa::path(get, path = "/api/v1/ceremonies", tag = "开标密钥", responses((status = 200, body = Vec<Object>)))]
pub(crate) async fn ceremonies(
    State(state): State<Arc<AppState>>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.ceremonies().await?)))
}

/// One key ceremony.
#[utoipa::path(get, path = "/api/v1/ceremonies/{id}", tag = "开标密钥", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub(crate) async fn ceremony(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.ceremony(&id).await?)))
}

/// A holder joins with its own SM2 public key.
#[utoipa::path(post, path = "/api/v1/ceremonies/{id}/join", tag = "开标密钥", params(("id" = String, Path)), request_body = CeremonyJoinRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn join_ceremony(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CeremonyJoinRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state.app.join_ceremony(caller, &id, request.into()).await?;
    Ok(Json(receipts(&state, &list)))
}

/// A holder's signed commitments and encrypted shares.
#[utoipa::path(post, path = "/api/v1/ceremonies/{id}/deal", tag = "开标密钥", params(("id" = String, Path)), request_body = CeremonyDealRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn deal_ceremony(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CeremonyDealRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state.app.deal_ceremony(caller, &id, request.into()).await?;
    Ok(Json(receipts(&state, &list)))
}

/// A holder confirms the shares it received (signed).
#[utoipa::path(post, path = "/api/v1/ceremonies/{id}/confirm", tag = "开标密钥", params(("id" = String, Path)), request_body = CeremonyConfirmRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn confirm_ceremony(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CeremonyConfirmRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state
        .app
        .confirm_ceremony(caller, &id, request.into())
        .await?;
    Ok(Json(receipts(&state, &list)))
}

/// A holder complains about a dealer's share; the ceremony fails.
#[utoipa::path(post, path = "/api/v1/ceremonies/{id}/complain", tag = "开标密钥", params(("id" = String, Path)), request_body = CeremonyComplaintRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn complain_ceremony(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CeremonyComplaintRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state
        .app
        .complain_ceremony(caller, &id, request.into())
        .await?;
    Ok(Json(receipts(&state, &list)))
}

/// 暂停 a lot while an objection or complaint is reviewed (trading center, supervision).
#[utoipa::path(post, path = "/api/v1/lots/{code}/suspend", tag = "开标", params(("code" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ProcedureActDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn suspend_lot(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state.app.suspend_lot(caller, &code, &input.reason).await?;
    Ok(Json(act(&state, result)))
}

/// 恢复 a suspended lot.
#[utoipa::path(post, path = "/api/v1/lots/{code}/resume", tag = "开标", params(("code" = String, Path)), responses((status = 200, body = ProcedureActDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn resume_lot(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ProcedureActDto>> {
    let caller = caller(&maybe)?;
    let result = state.app.resume_lot(caller, &code).await?;
    Ok(Json(act(&state, result)))
}
