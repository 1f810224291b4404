//! The JSON API of supervision: departments and published decisions (public), complaints and
//! reports, the queues, one case, the department's acts and its signed decision.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::ReceiptsDto;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::request_dto::{
    CaseActRequest, ComplaintRequest, DecisionDraftRequest, QueryCodeRequest, ReportRequest,
    SignedDecisionRequest,
};
use crate::shared::api::{PageQuery, caller, json, receipts};

type ApiResult<T> = Result<T, ApiError>;

/// The supervising departments, what each supervises where, and their powers.
#[utoipa::path(get, path = "/api/v1/supervision/departments", tag = "行政监督", responses((status = 200, body = Object)))]
pub(crate) async fn departments(
    State(state): State<Arc<AppState>>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.supervision().await?)))
}

/// Published decisions (行政处理决定), newest first; personal data masked.
#[utoipa::path(get, path = "/api/v1/supervision/decisions", tag = "行政监督", params(PageQuery), responses((status = 200, body = Object)))]
pub(crate) async fn decisions(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let per_page = query.per_page.unwrap_or(20);
    let page = query.page.unwrap_or(1);
    let list = state
        .app
        .published_decisions(per_page, (page - 1) * per_page)
        .await?;
    Ok(Json(
        serde_json::json!({"total": list.total, "items": list.items}),
    ))
}

/// A complaint (投诉) by a bidder or supplier of the lot, after its objection.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "行政监督", request_body = ComplaintRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn file_complaint(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<ComplaintRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let (id, receipt) = state
        .app
        .file_complaint(caller, &input.into(), Vec::new())
        .await?;
    Ok(Json(
        serde_json::json!({"case": id, "receipt": receipts(&state, &[receipt])}),
    ))
}

/// A report (举报), from anyone; the query code in the answer is shown once.
#[utoipa::path(post, path = "/api/v1/reports", tag = "行政监督", request_body = ReportRequest, responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn file_report(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    ApiJson(input): ApiJson<ReportRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    if maybe.0.is_none() {
        state.app.throttle_report(&client)?;
    }
    let report = app::NewReport {
        target: input.target,
        facts: input.facts,
        grounds: input.grounds,
        request: input.request,
        contact: input.contact,
        anonymous: input.anonymous || maybe.0.is_none(),
    };
    let (id, code, receipt) = state
        .app
        .file_report(maybe.0.as_ref(), &report, Vec::new())
        .await?;
    Ok(Json(serde_json::json!({
        "case": id,
        "query_code": code,
        "receipt": receipts(&state, &[receipt]),
    })))
}

/// A report as its reporter follows it, by query code.
#[utoipa::path(post, path = "/api/v1/reports/query", tag = "行政监督", request_body = QueryCodeRequest, responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub(crate) async fn query_report(
    State(state): State<Arc<AppState>>,
    ApiJson(input): ApiJson<QueryCodeRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.case_by_code(&input.code).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QueueQuery {
    #[param(minimum = 1, maximum = 100000)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within_opt::<_, 1, 100000>"
    )]
    pub(crate) page: Option<u64>,
    #[param(minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 100>")]
    pub(crate) per_page: Option<u64>,
    /// 1: only cases past their due date.
    #[param(minimum = 0, maximum = 1)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 0, 1>")]
    pub(crate) overdue: Option<u64>,
}

/// The caller's queue: a department's cases with days left, the oversight channel's, or a
/// complainant's own.
#[utoipa::path(get, path = "/api/v1/cases", tag = "行政监督", params(QueueQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn cases(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let per_page = query.per_page.unwrap_or(20);
    let page = query.page.unwrap_or(1);
    let list = state
        .app
        .case_queue(
            caller,
            query.overdue == Some(1),
            per_page,
            (page - 1) * per_page,
        )
        .await?;
    Ok(Json(
        serde_json::json!({"total": list.total, "items": list.items}),
    ))
}

/// One case as the caller may see it.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "行政监督", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub(crate) async fn case(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.case(caller, &id).await?)))
}

/// One act of the handling department.
#[utoipa::path(post, path = "/api/v1/cases/{id}/acts", tag = "行政监督", params(("id" = String, Path)), request_body = CaseActRequest, responses((status = 200, body = ReceiptsDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn act(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CaseActRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.case_act(caller, &id, input.into()).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// What the department's certificate signs for a drafted decision (canonical JSON, `ggzy sign`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/decision/to-sign", tag = "行政监督", params(("id" = String, Path)), request_body = DecisionDraftRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn to_sign(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionDraftRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(
        &state
            .app
            .decision_to_sign(caller, &id, &input.into())
            .await?,
    )))
}

/// 处理决定, signed with the department's certificate; takes effect on the procedure.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decision", tag = "行政监督", params(("id" = String, Path)), request_body = SignedDecisionRequest, responses((status = 200, body = ReceiptsDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn decide(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SignedDecisionRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .decide_case(
            caller,
            &id,
            &input.draft.into(),
            &input.certificate,
            &input.signature,
        )
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// Who read the caller's entity's confidential data, when, and under which case.
#[utoipa::path(get, path = "/api/v1/me/reads", tag = "行政监督", responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub(crate) async fn my_reads(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(
        serde_json::json!({"items": state.app.reads_of_me(caller).await?}),
    ))
}
