//! The expert database's JSON API (entry, import, leave, suspension, retirement) and the draw's:
//! the commitment, the supervisor's contribution, the public record.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::{ReasonRequest, ReceiptsDto};
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::request_dto::{ExpertFormRequest, NewDrawRequest};
use crate::shared::api::{caller, json, receipts};

type ApiResult<T> = Result<T, ApiError>;

/// A page of experts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExpertPageDto {
    #[schema(value_type = Vec<Object>)]
    pub(crate) items: Vec<serde_json::Value>,
    pub(crate) total: u64,
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExpertQuery {
    #[param(minimum = 1, maximum = 100000)]
    #[serde(
        default = "crate::shared::api::first_page",
        deserialize_with = "crate::extract::within::<_, 1, 100000>"
    )]
    pub(crate) page: u64,
    #[param(minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 100>")]
    pub(crate) per_page: Option<u64>,
    /// `active`, `suspended` or `retired`.
    #[param(pattern = "^(active|suspended|retired)$")]
    pub(crate) status: Option<String>,
}

/// The expert database (trading center, supervision, audit; ID numbers masked).
#[utoipa::path(get, path = "/api/v1/experts", tag = "评标专家", params(ExpertQuery), responses((status = 200, body = ExpertPageDto), (status = 403, body = ErrorBody)))]
pub(crate) async fn experts(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(query): ApiQuery<ExpertQuery>,
) -> ApiResult<Json<ExpertPageDto>> {
    let caller = caller(&maybe)?;
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let page = query.page.max(1);
    let list = state
        .app
        .experts(
            caller,
            query.status.as_deref(),
            per_page,
            (page - 1) * per_page,
        )
        .await?;
    Ok(Json(ExpertPageDto {
        items: list.items.iter().map(json).collect(),
        total: list.total,
        page,
        per_page,
    }))
}

/// One expert.
#[utoipa::path(get, path = "/api/v1/experts/{id}", tag = "评标专家", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub(crate) async fn expert(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.expert(caller, &id).await?)))
}

/// 专家入库: one expert (the fields of an import row).
#[utoipa::path(post, path = "/api/v1/experts", tag = "评标专家", request_body = ExpertFormRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn add_expert(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(form): ApiJson<ExpertFormRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.add_expert(caller, form.into()).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 批量导入: a CSV file (`text/csv`, UTF-8, the header of `domain::EXPERT_CSV_HEADER`) or an
/// Excel workbook (`.xlsx`, first sheet, same columns); all rows or none, every bad row reported
/// with its line.
#[utoipa::path(post, path = "/api/v1/experts/import", tag = "评标专家", request_body(content = String, content_type = "text/csv"), responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn import_experts(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    // An Excel workbook is a zip file; anything else is read as CSV.
    if body.starts_with(b"PK\x03\x04") {
        let list = state.app.import_experts_xlsx(caller, &body).await?;
        return Ok(Json(receipts(&state, &list)));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::with_message(
            "EXPERT_IMPORT",
            "导入文件应为 Excel（.xlsx）或 UTF-8 编码的 CSV",
        )
    })?;
    let list = state.app.import_experts(caller, text).await?;
    Ok(Json(receipts(&state, &list)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeaveRequest {
    /// `YYYY-MM-DD`.
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) reason: String,
}

/// A leave period: the expert is not drawn on these days.
#[utoipa::path(post, path = "/api/v1/experts/{id}/leave", tag = "评标专家", params(("id" = String, Path)), request_body = LeaveRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn expert_leave(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LeaveRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .add_expert_leave(caller, &id, &input.from, &input.to, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 暂停 an expert, with a reason.
#[utoipa::path(post, path = "/api/v1/experts/{id}/suspend", tag = "评标专家", params(("id" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn suspend_expert(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.suspend_expert(caller, &id, &input.reason).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 恢复 a suspended expert.
#[utoipa::path(post, path = "/api/v1/experts/{id}/reinstate", tag = "评标专家", params(("id" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn reinstate_expert(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.reinstate_expert(caller, &id).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 退出专家库, with a reason.
#[utoipa::path(post, path = "/api/v1/experts/{id}/retire", tag = "评标专家", params(("id" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn retire_expert(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.retire_expert(caller, &id, &input.reason).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// A draw's public record.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DrawDto {
    /// `app::DrawCommitted`: the public request, the eligible pool by pseudonym with the name
    /// commitments, the commitment to the secret.
    #[schema(value_type = Object)]
    pub(crate) committed: serde_json::Value,
    /// `app::DrawRevealed`: the secret, the signed head, the seed and the result.
    #[schema(value_type = Object)]
    pub(crate) revealed: serde_json::Value,
    /// `app::DrawReplaced` entries, in order.
    #[schema(value_type = Vec<Object>)]
    pub(crate) replaced: Vec<serde_json::Value>,
    /// `app::DrawDisclosed`, after the award (`null` before).
    #[schema(value_type = Option<Object>)]
    pub(crate) disclosed: Option<serde_json::Value>,
    /// The platform's own re-check (`app::check_record`): `null` when it holds, else why not.
    pub(crate) problem: Option<String>,
    /// `app::RecordProof`: the draw's entries with their inclusion paths to a signed head, and
    /// the root just after the commitment with a consistency path — what `ggzy verify
    /// --draw-record FILE --public-key KEY` checks offline.
    #[schema(value_type = Object)]
    pub(crate) proof: serde_json::Value,
}

impl DrawDto {
    pub(crate) fn of(record: &app::DrawRecord, proof: &app::RecordProof) -> Self {
        Self {
            committed: json(&record.committed),
            revealed: json(&record.revealed),
            replaced: record.replaced.iter().map(json).collect(),
            disclosed: record.disclosed.as_ref().map(json),
            problem: app::check_record(record).err(),
            proof: json(proof),
        }
    }
}

/// A draw committed and waiting for the supervisor's contribution.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PendingDrawDto {
    pub(crate) id: String,
    /// SM3 of the platform's secret, hex: what the supervisor's contribution is bound to.
    pub(crate) commitment: String,
    /// The public `draw.committed` entry (request without the parties, pool, exclusions).
    #[schema(value_type = Object)]
    pub(crate) committed: serde_json::Value,
}

/// 专家抽取 (trading center): avoidance and the commitment, witnessed. The draw is revealed
/// when a supervisor contributes (`POST /api/v1/draws/{id}/contribution`).
#[utoipa::path(post, path = "/api/v1/draws", tag = "评标专家", request_body = NewDrawRequest, responses((status = 200, body = PendingDrawDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn draw(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<NewDrawRequest>,
) -> ApiResult<Json<PendingDrawDto>> {
    let caller = caller(&maybe)?;
    let committed = state.app.draw_experts(caller, input.into()).await?;
    Ok(Json(PendingDrawDto {
        id: committed.id.clone(),
        commitment: committed.commitment.clone(),
        committed: json(&committed),
    }))
}

/// A supervisor's contribution (32 random bytes of its own) to a committed draw: in the same
/// transaction the platform reveals its secret, draws with `SM3(secret ‖ root ‖ value)` and
/// forms the panel. Answers the draw's public record.
#[utoipa::path(post, path = "/api/v1/draws/{id}/contribution", tag = "评标专家", params(("id" = String, Path)), request_body = crate::request_dto::ContributionRequest, responses((status = 200, body = DrawDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn contribute(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<crate::request_dto::ContributionRequest>,
) -> ApiResult<Json<DrawDto>> {
    let caller = caller(&maybe)?;
    state
        .app
        .contribute_to_draw(caller, &id, input.into())
        .await?;
    let record = state.app.draw_record(&id).await?;
    let proof = state.app.draw_record_proof(&id).await?;
    Ok(Json(DrawDto::of(&record, &proof)))
}

/// A draw's public record, to rerun it (`ggzy verify --draw ID`); a draw still waiting for its
/// contribution is answered 409 `DRAW_PENDING`.
#[utoipa::path(get, path = "/api/v1/draws/{id}", tag = "评标专家", params(("id" = String, Path)), responses((status = 200, body = DrawDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn draw_entries(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<DrawDto>> {
    let record = match state.app.draw_record(&id).await {
        Ok(record) => record,
        Err(app::AppError::NotFound(_)) if state.app.pending_draw(&id).await.is_ok() => {
            return Err(ApiError::new("DRAW_PENDING"));
        }
        Err(error) => return Err(error.into()),
    };
    let proof = state.app.draw_record_proof(&id).await?;
    Ok(Json(DrawDto::of(&record, &proof)))
}
