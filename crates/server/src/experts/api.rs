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
use crate::request_dto::{NewBookingRequest, NewRoomRequest};
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
