//! The JSON API of warnings: the list the caller may read, one warning with its evidence, and
//! the supervisor's acts.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::{ReasonRequest, ReceiptsDto};
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::shared::api::{caller, json, receipts};

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct WarningQuery {
    /// `open` (待处理), `closed` (已排除) or `case` (已立案).
    #[param(pattern = "^(open|closed|case)$")]
    pub(crate) status: Option<String>,
    /// One lot's 统一交易标识码.
    pub(crate) lot: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 100000)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within_opt::<_, 1, 100000>"
    )]
    pub(crate) page: Option<u64>,
    /// At most 100.
    #[param(minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 100>")]
    pub(crate) per_page: Option<u64>,
}

/// The status filter, checked.
pub(crate) fn status_filter(status: Option<&str>) -> Result<Option<&str>, app::AppError> {
    match status.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s @ ("open" | "closed" | "case")) => Ok(Some(s)),
        Some(_) => Err(app::AppError::Invalid(
            "状态应为 open（待处理）、closed（已排除）或 case（已立案）".into(),
        )),
    }
}

/// The warnings the caller may read (supervision and audit with jurisdiction, the committee
/// of the lot), newest first.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "智慧监管", params(WarningQuery), responses((status = 200, body = Object)))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(query): ApiQuery<WarningQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let per_page = query.per_page.unwrap_or(20);
    let page = query.page.unwrap_or(1);
    let status = status_filter(query.status.as_deref())?;
    let found = state
        .app
        .warnings(
            caller,
            status,
            query.lot.as_deref(),
            per_page,
            (page - 1) * per_page,
        )
        .await?;
    Ok(Json(json(&found)))
}

/// One warning: its finding, the subjects, the evidence (ledger entries), its status.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "智慧监管", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub(crate) async fn one(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.warning(caller, &id).await?)))
}

/// 排除: a supervisor closes the warning with the reason.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/close", tag = "智慧监管", params(("id" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn close(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .close_warning(caller, &id, &request.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 立案: a supervisor turns the warning into a case of supervision.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/case", tag = "智慧监管", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn case(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let (case, receipt) = state.app.warning_to_case(caller, &id).await?;
    Ok(Json(serde_json::json!({
        "case": case,
        "receipt": json(&receipts(&state, &[receipt])),
    })))
}
