//! The JSON API of credit: the public list, one subject's credit explained, the bulk download;
//! the trading center's list imports and confirmations, repair applications and reviews, and a
//! sale's default.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use base64::Engine;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::ReceiptsDto;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::shared::api::{PageQuery, caller, json, receipts};

type ApiResult<T> = Result<T, ApiError>;

/// Subjects with credit records, newest record first, with their levels and the measures in
/// force (惩戒 and 激励).
#[utoipa::path(get, path = "/api/v1/credit", tag = "信用", params(PageQuery), responses((status = 200, body = Object)))]
pub(crate) async fn listings(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let per_page = query.per_page.unwrap_or(20);
    let page = query.page.unwrap_or(1);
    let (items, total) = state
        .app
        .credit_listings(false, per_page, (page - 1) * per_page)
        .await?;
    Ok(Json(serde_json::json!({"total": total, "items": items})))
}

/// One subject's credit: its records with sources, and each standard's evaluation with every
/// step explained and the measures in force.
#[utoipa::path(get, path = "/api/v1/credit/subjects/{subject}", tag = "信用", params(("subject" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub(crate) async fn subject(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(subject): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(
        &state.app.credit_view(maybe.0.as_ref(), &subject).await?,
    )))
}

/// Every credit file (bulk download; repair applications' contents left out).
#[utoipa::path(get, path = "/api/v1/credit/records", tag = "信用", responses((status = 200, body = Object)))]
pub(crate) async fn bulk(State(state): State<Arc<AppState>>) -> ApiResult<Json<serde_json::Value>> {
    let files = state.app.credit_files().await?;
    let version = state
        .app
        .reference_current(domain::ReferenceKind::Credit)
        .await?
        .version;
    Ok(Json(serde_json::json!({
        "standards_version": version,
        "generated_at_ms": state.app.now_ms(),
        "files": files,
    })))
}

/// A list import (`app::ListImportRequest`), signed by the trading center's certificate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListImportBody {
    pub(crate) list: String,
    pub(crate) source: String,
    pub(crate) cutoff_ms: i64,
    /// The CSV file: `名称,证件号码,地区代码,列入日期,截止日期,列入事由`.
    pub(crate) csv: String,
    /// SM2 signature (hex) over canonical JSON `{"csv_sm3","cutoff_ms","list","source"}`.
    pub(crate) signature: String,
    pub(crate) certificate_pem: String,
}

/// Imports an external list: refused whole, with every bad row, when anything is wrong.
#[utoipa::path(post, path = "/api/v1/credit/lists", tag = "信用", request_body = ListImportBody, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn import(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<ListImportBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let (import, receipt) = state
        .app
        .import_credit_list(
            caller,
            &app::ListImportRequest {
                list: input.list,
                source: input.source,
                cutoff_ms: input.cutoff_ms,
                csv: input.csv,
                signature: input.signature,
                certificate_pem: input.certificate_pem,
            },
        )
        .await?;
    Ok(Json(serde_json::json!({
        "import": import,
        "receipt": receipts(&state, &[receipt]),
    })))
}

/// The imported lists with their latest import (matches and rows to confirm).
#[utoipa::path(get, path = "/api/v1/credit/lists", tag = "信用", responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn lists(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let items = state.app.credit_lists(caller).await?;
    Ok(Json(
        serde_json::json!({"total": items.len(), "items": items}),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MatchBody {
    /// The pending row's key.
    pub(crate) key: String,
    /// The entity id confirmed (one of the row's candidates).
    pub(crate) subject: String,
}

/// The operator confirms that a masked row is a registered natural person.
#[utoipa::path(post, path = "/api/v1/credit/lists/{list}/matches", tag = "信用", params(("list" = String, Path)), request_body = MatchBody, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn confirm_match(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(list): Path<String>,
    ApiJson(input): ApiJson<MatchBody>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .confirm_list_match(caller, &list, &input.key, &input.subject)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceFile {
    pub(crate) name: String,
    pub(crate) content_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepairBody {
    pub(crate) statement: String,
    /// At most 10 files of 20 MB.
    pub(crate) evidence: Vec<EvidenceFile>,
}

/// 信用修复: the entity applies with its statement and evidence.
#[utoipa::path(post, path = "/api/v1/credit/subjects/{subject}/records/{n}/repair", tag = "信用", params(("subject" = String, Path), ("n" = u32, Path)), request_body = RepairBody, responses((status = 200, body = ReceiptsDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn repair(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((subject, n)): Path<(String, u32)>,
    ApiJson(input): ApiJson<RepairBody>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let mut files = Vec::new();
    for file in input.evidence {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(file.content_base64.trim())
            .map_err(|_| {
                app::AppError::refused("CREDIT_FORM_INVALID", "证明材料应为 Base64 编码")
            })?;
        files.push((file.name, bytes));
    }
    let receipt = state
        .app
        .apply_credit_repair(caller, &format!("{subject}#{n}"), &input.statement, files)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewBody {
    pub(crate) approve: bool,
    pub(crate) reason: String,
}

/// The trading center reviews a repair application.
#[utoipa::path(post, path = "/api/v1/credit/subjects/{subject}/records/{n}/review", tag = "信用", params(("subject" = String, Path), ("n" = u32, Path)), request_body = ReviewBody, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn review(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((subject, n)): Path<(String, u32)>,
    ApiJson(input): ApiJson<ReviewBody>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .review_credit_repair(
            caller,
            &format!("{subject}#{n}"),
            input.approve,
            &input.reason,
        )
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DefaultBody {
    /// The buyer's 竞买号.
    pub(crate) bidder: String,
    pub(crate) reason: String,
}

/// 悔拍: the trading center records a buyer's default; its deposit is forfeited and both facts
/// become its credit records.
#[utoipa::path(post, path = "/api/v1/auctions/{id}/default", tag = "信用", params(("id" = String, Path)), request_body = DefaultBody, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn sale_default(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DefaultBody>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .declare_sale_default(caller, &id, &input.bidder, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}
