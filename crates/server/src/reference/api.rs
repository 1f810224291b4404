//! Reference data's JSON API: the current and past versions of the catalog, rules, calendar and
//! trust store, publishing a version, the rules in force for a category and region, the deadline
//! calculator, and importing a CRL.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::*;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::shared::api::{caller, receipts};

type ApiResult<T> = Result<T, ApiError>;

fn reference_kind(text: &str) -> ApiResult<domain::ReferenceKind> {
    domain::ReferenceKind::parse(text).ok_or_else(|| {
        ApiError::with_message("NOT_FOUND", "参考数据类型应为 catalog、rules 或 calendar")
    })
}

/// The current version of the catalog, the rules or the calendar.
#[utoipa::path(get, path = "/api/v1/reference/{kind}", tag = "交易目录与规则", params(("kind" = String, Path, description = "catalog, rules or calendar")), responses((status = 200, body = ReferenceVersionDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn reference_current(
    State(state): State<Arc<AppState>>,
    Path(kind): Path<String>,
) -> ApiResult<Json<ReferenceVersionDto>> {
    let kind = reference_kind(&kind)?;
    Ok(Json(state.app.reference_current(kind).await?.into()))
}

/// Every published version, newest first.
#[utoipa::path(get, path = "/api/v1/reference/{kind}/versions", tag = "交易目录与规则", params(("kind" = String, Path)), responses((status = 200, body = ReferenceHistoryDto)))]
pub(crate) async fn reference_history(
    State(state): State<Arc<AppState>>,
    Path(kind): Path<String>,
) -> ApiResult<Json<ReferenceHistoryDto>> {
    let kind = reference_kind(&kind)?;
    let versions = state.app.reference_history(kind).await?;
    Ok(Json(ReferenceHistoryDto {
        versions: versions
            .into_iter()
            .map(ReferenceVersionDto::from)
            .collect(),
    }))
}

/// One published version.
#[utoipa::path(get, path = "/api/v1/reference/{kind}/versions/{version}", tag = "交易目录与规则", params(("kind" = String, Path), ("version" = u32, Path)), responses((status = 200, body = ReferenceVersionDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn reference_version(
    State(state): State<Arc<AppState>>,
    Path((kind, version)): Path<(String, u32)>,
) -> ApiResult<Json<ReferenceVersionDto>> {
    let kind = reference_kind(&kind)?;
    Ok(Json(
        state.app.reference_version(kind, version).await?.into(),
    ))
}

/// Publishes a new version (trading center). Refused with the line of the first mistake.
#[utoipa::path(post, path = "/api/v1/reference/{kind}", tag = "交易目录与规则", params(("kind" = String, Path)), request_body = PublishRequest, responses((status = 201, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn reference_publish(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(kind): Path<String>,
    ApiJson(request): ApiJson<PublishRequest>,
) -> ApiResult<Response> {
    let caller = caller(&maybe)?;
    let kind = reference_kind(&kind)?;
    let receipt = state
        .app
        .publish_reference(caller, kind, &request.text, &request.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(receipts(&state, &[receipt]))).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ResolveQuery {
    /// Rule category, e.g. `construction`.
    pub(crate) category: String,
    /// Region code, e.g. `330100`; its province's layer applies.
    #[param(pattern = "^[0-9]{6}$")]
    #[serde(default = "default_region")]
    pub(crate) region: String,
    /// `YYYY-MM-DD`; default today (Beijing time).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub(crate) date: Option<String>,
}

fn default_region() -> String {
    "330000".into()
}

fn parse_date_or_today(state: &AppState, text: Option<&str>) -> ApiResult<domain::Date> {
    match text {
        Some(text) if !text.trim().is_empty() => {
            domain::Date::parse(text).map_err(|e| ApiError::from(app::AppError::from(e)))
        }
        _ => Ok(domain::Date::of_instant(state.app.now_ms())),
    }
}

/// The rules in force for a category, region and date, each with its source and rule set.
#[utoipa::path(get, path = "/api/v1/rules/resolve", tag = "交易目录与规则", params(ResolveQuery), responses((status = 200, body = ResolvedRulesDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn rules_resolve(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<ResolveQuery>,
) -> ApiResult<Json<ResolvedRulesDto>> {
    let date = parse_date_or_today(&state, query.date.as_deref())?;
    domain::RegionCode::parse(&query.region).map_err(|e| ApiError::from(app::AppError::from(e)))?;
    let rules = state
        .app
        .resolve_rules(&query.category, &query.region, date)
        .await?;
    Ok(Json(ResolvedRulesDto {
        category: rules.category.clone(),
        region: query.region,
        date: date.to_string(),
        periods: rules
            .periods
            .iter()
            .map(|(key, rule)| ResolvedRuleDto {
                key: key.clone(),
                label: rule.value.label.clone(),
                wording: rule.value.period.describe_zh(),
                days: Some(rule.value.period.days),
                count: Some(serde_plain(&rule.value.period.count)),
                period_kind: Some(serde_plain(&rule.value.period.kind)),
                value: None,
                unit: None,
                source: rule.value.source.clone(),
                rule_set: rule.rule_set.clone(),
            })
            .collect(),
        thresholds: rules
            .thresholds
            .iter()
            .map(|(key, threshold)| ResolvedRuleDto {
                key: key.clone(),
                label: threshold.value.label.clone(),
                wording: crate::format::threshold_text(threshold.value.value, threshold.value.unit),
                days: None,
                count: None,
                period_kind: None,
                value: Some(threshold.value.value),
                unit: Some(serde_plain(&threshold.value.unit)),
                source: threshold.value.source.clone(),
                rule_set: threshold.rule_set.clone(),
            })
            .collect(),
    }))
}

/// A unit enum's snake_case name.
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeadlineQuery {
    /// The day the period is counted from (or, for `at_least_before`, the later moment's day),
    /// `YYYY-MM-DD`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub(crate) from: String,
    /// The period's number of days (at most ten years).
    #[param(minimum = 0, maximum = 3650)]
    #[serde(deserialize_with = "crate::extract::within::<_, 0, 3650>")]
    pub(crate) days: u64,
    /// `calendar_days` or `working_days`.
    #[param(pattern = "^(calendar_days|working_days)$")]
    pub(crate) count: String,
    /// `at_least_before`, `not_less_than` or `within_from`.
    #[param(pattern = "^(at_least_before|not_less_than|within_from)$")]
    pub(crate) kind: String,
}

/// Computes a period on the working-day calendar (民法典 第201–203条).
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "交易目录与规则", params(DeadlineQuery), responses((status = 200, body = DeadlineDto), (status = 400, body = ErrorBody)))]
pub(crate) async fn calendar_deadline(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineDto>> {
    let (from, period) = crate::format::parse_period_query(
        &query.from,
        query.days as u32,
        &query.count,
        &query.kind,
    )?;
    let data = state.app.reference_data().await?;
    let date = period.apply(from, &data.calendar);
    Ok(Json(DeadlineDto {
        from: from.to_string(),
        wording: period.describe_zh(),
        date: date.to_string(),
        weekday: date.weekday().label_zh().into(),
        calendar_covers: data.calendar.covers(date),
    }))
}

/// Imports a certificate revocation list signed by a trusted root (trading center); every bound
/// certificate it lists is revoked.
#[utoipa::path(post, path = "/api/v1/crl", tag = "市场主体", request_body = CrlRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn import_crl(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(request): ApiJson<CrlRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state.app.import_crl(caller, &request.pem).await?;
    Ok(Json(receipts(&state, &list)))
}
