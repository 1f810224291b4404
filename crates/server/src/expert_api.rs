//! The JSON API after the draw: the panel (experts confirm, sign the 回避承诺, decline; the
//! trading center replaces the silent and discloses after the award; the organiser rates), the
//! expert's own assignments, expert accounts and declared relations, and evaluation rooms.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::ReasonRequest;
use crate::dto::ReceiptsDto;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::request_dto::{GuaranteeRequest, NewBookingRequest, NewRoomRequest, SheetRequest};
use crate::shared::api::json;
use crate::shared::api::{PageQuery, caller, receipts};

type ApiResult<T> = Result<T, ApiError>;

/// The panels of every draw, newest first (trading center, supervision, audit).
#[utoipa::path(get, path = "/api/v1/draws", tag = "评标专家", params(PageQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn draws(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let page = query.page.unwrap_or(1).max(1);
    let list = state
        .app
        .panels(caller, per_page, (page - 1) * per_page)
        .await?;
    Ok(Json(serde_json::json!({
        "total": list.total,
        "items": list.items.iter().map(|p| serde_json::json!({
            "draw": p.draw,
            "lot": p.lot,
            "evaluation_date": p.evaluation_date,
            "complete": p.complete(),
            "disclosed": p.disclosed,
        })).collect::<Vec<_>>(),
    })))
}

/// The panel of a draw (`app::PanelView`): the trading center and oversight with names; the
/// organiser with names from the evaluation day.
#[utoipa::path(get, path = "/api/v1/draws/{id}/panel", tag = "评标专家", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn panel(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.panel_view(caller, &id).await?)))
}

/// The expert confirms attendance.
#[utoipa::path(post, path = "/api/v1/draws/{id}/confirm", tag = "评标专家", params(("id" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn confirm(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.confirm_seat(caller, &id).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeclineRequest {
    /// The trading center names the expert (a refusal by telephone); an expert declines for
    /// themself and leaves it out.
    #[serde(default)]
    pub(crate) pseudonym: Option<String>,
    pub(crate) reason: String,
}

/// An expert declines; the next backup of the category takes the seat.
#[utoipa::path(post, path = "/api/v1/draws/{id}/decline", tag = "评标专家", params(("id" = String, Path)), request_body = DeclineRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn decline(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DeclineRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .decline_seat(caller, &id, input.pseudonym.as_deref(), &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeatRequest {
    pub(crate) pseudonym: String,
}

/// The trading center, after the confirmation window: the expert did not answer and is replaced.
#[utoipa::path(post, path = "/api/v1/draws/{id}/no-response", tag = "评标专家", params(("id" = String, Path)), request_body = SeatRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn no_response(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SeatRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .seat_no_response(caller, &id, &input.pseudonym)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeclarationRequest {
    /// Leave out to sign the declaration; name the situation to withdraw (回避).
    #[serde(default)]
    pub(crate) conflict: Option<String>,
}

/// 回避承诺: the expert signs (and may then see the lot's bids) or withdraws naming the conflict.
#[utoipa::path(post, path = "/api/v1/draws/{id}/declaration", tag = "评标专家", params(("id" = String, Path)), request_body = DeclarationRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn declaration(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DeclarationRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .declare_no_conflict(caller, &id, input.conflict.as_deref())
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RatingRequest {
    pub(crate) pseudonym: String,
    /// 0–100.
    pub(crate) score: u8,
    #[serde(default)]
    pub(crate) comment: String,
}

/// 专家评价 by the organiser, from the evaluation day; once per expert and draw.
#[utoipa::path(post, path = "/api/v1/draws/{id}/ratings", tag = "评标专家", params(("id" = String, Path)), request_body = RatingRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn rate(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RatingRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .rate_expert(caller, &id, &input.pseudonym, input.score, &input.comment)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 公布评标委员会名单, after the award: names with salts, checkable against the pool.
#[utoipa::path(post, path = "/api/v1/draws/{id}/disclose", tag = "评标专家", params(("id" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn disclose(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.disclose_panel(caller, &id).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The expert's own assignments (`app::MySeat`), with the declaration text to sign.
#[utoipa::path(get, path = "/api/v1/me/evaluations", tag = "评标专家", responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn my_evaluations(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.my_seats(caller).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RelationRequest {
    /// The entity's 统一社会信用代码.
    pub(crate) entity: String,
    /// e.g. 近三年曾任职.
    pub(crate) relation: String,
}

/// 声明利害关系: the expert (for themself) or the trading center.
#[utoipa::path(post, path = "/api/v1/experts/{id}/relations", tag = "评标专家", params(("id" = String, Path)), request_body = RelationRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn relation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RelationRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .declare_expert_relation(caller, &id, &input.entity, &input.relation)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ExpertAccountRequest)]
pub(crate) struct AccountRequest {
    /// Defaults to the expert's number in lower case.
    #[serde(default)]
    pub(crate) username: Option<String>,
    /// Given: a new account is made. Left out: the existing account `username` is linked.
    #[serde(default)]
    pub(crate) password: Option<String>,
}

/// 开通/关联专家账号 (trading center).
#[utoipa::path(post, path = "/api/v1/experts/{id}/account", tag = "评标专家", params(("id" = String, Path)), request_body = AccountRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn account(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AccountRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = match (&input.password, &input.username) {
        (Some(password), username) => {
            state
                .app
                .open_expert_account(caller, &id, username.as_deref(), password)
                .await?
        }
        (None, Some(username)) => state.app.link_expert_account(caller, &id, username).await?,
        (None, None) => {
            return Err(ApiError::new("EXPERT_ACCOUNT_CHOICE"));
        }
    };
    Ok(Json(receipts(&state, &[receipt])))
}

/// The evaluation rooms; bookings only for the trading center and oversight.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "评标室", responses((status = 200, body = Vec<Object>)))]
pub(crate) async fn rooms(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.rooms(maybe.0.as_ref()).await?)))
}

/// 新增评标室 (trading center).
#[utoipa::path(post, path = "/api/v1/rooms", tag = "评标室", request_body = NewRoomRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn add_room(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<NewRoomRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.add_room(caller, input.into()).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 预约评标室 for a lot (`from`/`to` as Beijing `YYYY-MM-DD HH:MM`); never overlapping.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/bookings", tag = "评标室", params(("id" = String, Path)), request_body = NewBookingRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn book_room(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewBookingRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.book_room(caller, &id, input.into()).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 取消预约, with a reason.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/bookings/{booking}/cancel", tag = "评标室", params(("id" = String, Path), ("booking" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn cancel_booking(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((id, booking)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .cancel_booking(caller, &id, &booking, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 开始评标 (organiser or trading center): the lot is opened and a panel has signed.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation", tag = "评标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn start_evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.start_evaluation(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The evaluation (`app::EvaluationView`): committee experts after the declaration, the
/// organiser, the trading center, supervision and audit.
#[utoipa::path(get, path = "/api/v1/lots/{code}/evaluation", tag = "评标", params(("code" = String, Path)), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.evaluation_view(caller, &code).await?)))
}

/// An expert saves their sheet (`domain::Sheet`: verdicts and scores; drafts may be partial).
#[utoipa::path(put, path = "/api/v1/lots/{code}/evaluation/sheet", tag = "评标", params(("code" = String, Path)), request_body = SheetRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn save_sheet(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(sheet): ApiJson<SheetRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.save_sheet(caller, &code, sheet.into()).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 汇总: concludes when nothing is missing; the sheets are then locked.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation/conclude", tag = "评标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn conclude_evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.conclude_evaluation(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// Back to scoring before anyone signed, with a reason.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation/reopen", tag = "评标", params(("code" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn reopen_evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .reopen_evaluation(caller, &code, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignatureRequest {
    /// The expert's certificate (PEM), subject = the expert's ID number.
    pub(crate) certificate_pem: String,
    /// SM2 signature (hex) over the canonical JSON of the view's `to_sign` (`ggzy sign`).
    pub(crate) signature: String,
}

/// An expert signs the concluded report.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation/signatures", tag = "评标", params(("code" = String, Path)), request_body = SignatureRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn sign_report(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<SignatureRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .sign_report(caller, &code, &input.certificate_pem, &input.signature)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// A file of an opened bid (committee experts after the declaration, the bidder itself,
/// supervision and audit).
#[utoipa::path(get, path = "/api/v1/lots/{code}/bids/{bidder}/files/{sm3}", tag = "评标", params(("code" = String, Path), ("bidder" = String, Path), ("sm3" = String, Path)), responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody)))]
pub(crate) async fn bid_file(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, bidder, sm3)): Path<(String, String, String)>,
) -> ApiResult<axum::response::Response> {
    let caller = caller(&maybe)?;
    let (name, content) = state.app.bid_file(caller, &code, &bidder, &sm3).await?;
    Ok(crate::shared::api::file_response(&name, content))
}

/// 中标候选人公示 (the organiser): the signed report's candidates, for the rule set's period.
#[utoipa::path(post, path = "/api/v1/lots/{code}/candidates", tag = "定标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn publish_candidates(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.publish_candidates(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextRequest {
    pub(crate) text: String,
}

/// 异议 by a bidder of the lot during the publicity; the lot is suspended until answered.
#[utoipa::path(post, path = "/api/v1/lots/{code}/objections", tag = "定标", params(("code" = String, Path)), request_body = TextRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn raise_objection(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<TextRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .raise_objection(caller, &code, &input.text)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The organiser's answer to an objection.
#[utoipa::path(post, path = "/api/v1/lots/{code}/objections/{id}/answer", tag = "定标", params(("code" = String, Path), ("id" = u32, Path)), request_body = TextRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn answer_objection(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, id)): Path<(String, u32)>,
    ApiJson(input): ApiJson<TextRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .answer_objection(caller, &code, id, &input.text)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AwardRequest {
    /// The winner's entity id (统一社会信用代码), one of the candidates.
    pub(crate) winner: String,
}

/// 确定中标人 after the publicity, with no objection open.
#[utoipa::path(post, path = "/api/v1/lots/{code}/award", tag = "定标", params(("code" = String, Path)), request_body = AwardRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn award(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<AwardRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.award(caller, &code, &input.winner).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartySignature {
    pub(crate) certificate_pem: String,
    /// SM2 over the canonical JSON of `{"lot", "contract_sm3"}`, hex.
    pub(crate) signature: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContractRequest {
    pub(crate) name: String,
    /// The contract file, base64.
    pub(crate) content_base64: String,
    /// The tenderee's and the winner's signatures.
    pub(crate) signatures: Vec<PartySignature>,
}

/// 合同: the document signed by both parties.
#[utoipa::path(post, path = "/api/v1/lots/{code}/contract", tag = "定标", params(("code" = String, Path)), request_body = ContractRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn contract(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ContractRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    use base64::Engine;
    let caller = caller(&maybe)?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(input.content_base64.trim())
        .map_err(|_| ApiError::with_message("INVALID_REQUEST", "合同文件不是有效的 base64"))?;
    let signatures: Vec<(String, String)> = input
        .signatures
        .into_iter()
        .map(|s| (s.certificate_pem, s.signature))
        .collect();
    let receipt = state
        .app
        .record_contract(caller, &code, &input.name, &content, &signatures)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PerformanceRequest {
    #[serde(default)]
    pub(crate) text: String,
    /// 履约完毕.
    #[serde(default)]
    pub(crate) complete: bool,
}

/// 履约情况, or the end of performance.
#[utoipa::path(post, path = "/api/v1/lots/{code}/performance", tag = "定标", params(("code" = String, Path)), request_body = PerformanceRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn performance(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<PerformanceRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .record_performance(caller, &code, &input.text, input.complete)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 电子保函: the issuer's signed guarantee with its certificate (`app::SignedGuarantee`).
#[utoipa::path(post, path = "/api/v1/lots/{code}/bond/guarantee", tag = "投标保证金", params(("code" = String, Path)), request_body = GuaranteeRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn bond_guarantee(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<GuaranteeRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let input: app::SignedGuarantee = input.into();
    let receipt = state
        .app
        .record_bond_guarantee(caller, &code, &input)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferRequest {
    pub(crate) amount_fen: i64,
    /// The bank's transaction number.
    pub(crate) reference: String,
}

/// 转账缴纳: held when the trading center confirms it.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bond/transfer", tag = "投标保证金", params(("code" = String, Path)), request_body = TransferRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn bond_transfer(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<TransferRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .record_bond_transfer(caller, &code, input.amount_fen, &input.reference)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The bonds of a lot (`app::BondView`): the trading center and oversight; the organiser after
/// the opening; a bidder its own.
#[utoipa::path(get, path = "/api/v1/lots/{code}/bonds", tag = "投标保证金", params(("code" = String, Path)), responses((status = 200, body = Vec<Object>)))]
pub(crate) async fn bonds(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.bonds(caller, &code).await?)))
}

/// Who gave bonds in a lot, before its opening (supervision only, with a reason; the read is
/// recorded in the ledger). Before the opening the bond list names bidders by handle only.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/reveal", tag = "投标保证金", params(("code" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = Object)))]
pub(crate) async fn reveal_bond_bidders(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<ReasonRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let (bonds, receipt) = state
        .app
        .reveal_bond_bidders(caller, &code, &request.reason)
        .await?;
    Ok(Json(serde_json::json!({
        "bonds": json(&bonds),
        "receipt": json(&receipts(&state, &[receipt])),
    })))
}

/// The trading center confirms a transfer.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/{bidder}/confirm", tag = "投标保证金", params(("code" = String, Path), ("bidder" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn confirm_bond(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, bidder)): Path<(String, String)>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.confirm_bond(caller, &code, &bidder).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 不予退还, with a reason.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/{bidder}/forfeit", tag = "投标保证金", params(("code" = String, Path), ("bidder" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn forfeit_bond(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, bidder)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .forfeit_bond(caller, &code, &bidder, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 退还投标保证金: every bond whose refund period has started, with the interest owed.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/refund", tag = "投标保证金", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn refund_bonds(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state.app.refund_bonds(caller, &code).await?;
    Ok(Json(receipts(&state, &list)))
}

/// The accepted e-guarantee institutions (电子保函机构名录), public.
#[utoipa::path(get, path = "/api/v1/guarantors", tag = "投标保证金", responses((status = 200, body = Vec<Object>)))]
pub(crate) async fn guarantors(
    State(state): State<Arc<AppState>>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.guarantors().await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GuarantorRequest {
    /// 统一社会信用代码 (the subject code of its signing certificate).
    pub(crate) uscc: String,
    pub(crate) name: String,
}

/// 认可电子保函机构 (trading center).
#[utoipa::path(post, path = "/api/v1/guarantors", tag = "投标保证金", request_body = GuarantorRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn approve_guarantor(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<GuarantorRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .approve_guarantor(caller, &input.uscc, &input.name)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 移出名录, with a reason.
#[utoipa::path(post, path = "/api/v1/guarantors/{id}/withdraw", tag = "投标保证金", params(("id" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn withdraw_guarantor(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .withdraw_guarantor(caller, &id, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}
