//! The JSON API under `/api/v1`. Handlers translate between wire types and the application;
//! who may call each route is declared in `access::ROUTES`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::access::MaybeCaller;
use crate::dto::*;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::shared::api::{caller, receipts, session_token};
use crate::{AppState, session_cookie};

type ApiResult<T> = Result<T, ApiError>;

/// Liveness and the ledger's size.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = HealthDto)))]
pub(crate) async fn healthz(State(state): State<Arc<AppState>>) -> ApiResult<Json<HealthDto>> {
    let size = state
        .app
        .store()
        .ledger_size()
        .await
        .map_err(app::AppError::from)?;
    Ok(Json(HealthDto {
        status: "ok".into(),
        ledger_size: size,
    }))
}

/// The newest signed tree head.
#[utoipa::path(get, path = "/api/v1/ledger/head", tag = "交易见证", responses((status = 200, body = TreeHeadDto)))]
pub(crate) async fn ledger_head(
    State(state): State<Arc<AppState>>,
) -> ApiResult<Json<TreeHeadDto>> {
    let head = state.app.ledger_head().await?;
    Ok(Json(TreeHeadDto::from_head(&head, &state.app.public_key())))
}

/// The newest signed tree head as a C2SP checkpoint (text/plain).
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", tag = "交易见证", responses((status = 200, body = String, content_type = "text/plain")))]
pub(crate) async fn ledger_checkpoint(State(state): State<Arc<AppState>>) -> ApiResult<Response> {
    let text = state.app.ledger_checkpoint().await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct RangeQuery {
    /// First sequence number (inclusive).
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within::<_, 0, 9223372036854775807>"
    )]
    pub(crate) from: u64,
    /// End (exclusive), not before `from`; at most 1000 entries are returned.
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within_opt::<_, 0, 9223372036854775807>"
    )]
    pub(crate) to: Option<u64>,
}

/// Entries by range: public ones in full, the others as hashes unless the caller may see them.
#[utoipa::path(get, path = "/api/v1/ledger/entries", tag = "交易见证", params(RangeQuery), responses((status = 200, body = EntriesDto), (status = 400, body = ErrorBody)))]
pub(crate) async fn ledger_entries(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(range): ApiQuery<RangeQuery>,
) -> ApiResult<Json<EntriesDto>> {
    let size = state
        .app
        .store()
        .ledger_size()
        .await
        .map_err(app::AppError::from)?;
    let to = range.to.unwrap_or(range.from.saturating_add(100));
    let entries = state
        .app
        .ledger_entries(maybe.0.as_ref(), range.from, to)
        .await?;
    Ok(Json(EntriesDto {
        entries: entries.into_iter().map(EntryDto::from).collect(),
        ledger_size: size,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProofQuery {
    /// The tree size to prove to: any size up to the newest signed head's; default the newest.
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within_opt::<_, 1, 9223372036854775807>"
    )]
    pub(crate) size: Option<u64>,
}

/// The inclusion proof of one entry to the tree of any size up to the newest signed head's.
#[utoipa::path(get, path = "/api/v1/ledger/entries/{seq}/proof", tag = "交易见证", params(("seq" = u64, Path), ProofQuery), responses((status = 200, body = InclusionDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn ledger_proof(
    State(state): State<Arc<AppState>>,
    Path(seq): Path<u64>,
    ApiQuery(query): ApiQuery<ProofQuery>,
) -> ApiResult<Json<InclusionDto>> {
    let proof = state.app.inclusion_to_size(seq, query.size).await?;
    let key = state.app.public_key();
    Ok(Json(InclusionDto {
        seq: proof.seq,
        leaf_hash: proof.leaf_hash.to_hex(),
        size: proof.size,
        root: proof.root.to_hex(),
        tree_head: proof
            .tree_head
            .as_ref()
            .map(|head| TreeHeadDto::from_head(head, &key)),
        path: proof.path.iter().map(|h| h.to_hex()).collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct HeadsQuery {
    /// Only heads larger than this size (default 0).
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within::<_, 0, 9223372036854775807>"
    )]
    pub(crate) after: u64,
    /// At most this many (1–1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 1000>")]
    pub(crate) limit: Option<u64>,
}

/// The sizes of the signed heads, in order: which checkpoints the platform has signed.
#[utoipa::path(get, path = "/api/v1/ledger/heads", tag = "交易见证", params(HeadsQuery), responses((status = 200, body = HeadSizesDto), (status = 400, body = ErrorBody)))]
pub(crate) async fn ledger_heads(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<HeadsQuery>,
) -> ApiResult<Json<HeadSizesDto>> {
    let limit = query.limit.unwrap_or(1000).clamp(1, 1000);
    let heads = state.app.head_sizes(query.after, limit).await?;
    let next_after = (heads.len() as u64 == limit)
        .then(|| heads.last().map(|(size, _)| *size))
        .flatten();
    Ok(Json(HeadSizesDto {
        heads: heads
            .into_iter()
            .map(|(size, timestamp_ms)| HeadSizeDto { size, timestamp_ms })
            .collect(),
        next_after,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConsistencyQuery {
    /// The older tree size (at least 1).
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    #[serde(deserialize_with = "crate::extract::within::<_, 1, 9223372036854775807>")]
    pub(crate) first: u64,
    /// The newer tree size, not smaller than `first`.
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    #[serde(deserialize_with = "crate::extract::within::<_, 1, 9223372036854775807>")]
    pub(crate) second: u64,
}

/// The consistency proof between the trees of two sizes (any sizes up to the newest signed
/// head's; each with its signed head when one is stored).
#[utoipa::path(get, path = "/api/v1/ledger/consistency", tag = "交易见证", params(ConsistencyQuery), responses((status = 200, body = ConsistencyDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn ledger_consistency(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyDto>> {
    let proof = state
        .app
        .consistency_of_sizes(query.first, query.second)
        .await?;
    let key = state.app.public_key();
    let head = |head: &Option<ledger::SignedTreeHead>| {
        head.as_ref().map(|head| TreeHeadDto::from_head(head, &key))
    };
    Ok(Json(ConsistencyDto {
        first_size: proof.first_size,
        first_root: proof.first_root.to_hex(),
        first: head(&proof.first),
        second_size: proof.second_size,
        second_root: proof.second_root.to_hex(),
        second: head(&proof.second),
        path: proof.path.iter().map(|h| h.to_hex()).collect(),
    }))
}

/// Logs in; sets the HttpOnly session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/v1/session", tag = "账号", request_body = LoginRequest, responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let session = state
        .app
        .login_from(&client, &request.username, &request.password)
        .await?;
    let cookie = session_cookie(
        &state,
        &session.token,
        state.app.settings().session_ttl_ms / 1000,
    );
    let body = LoginResponse {
        username: request.username.trim().to_ascii_lowercase(),
        csrf_token: session.csrf,
        expires_at_ms: session.expires_at_ms,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Logs out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "账号", responses((status = 204)))]
pub(crate) async fn logout(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(token) = session_token(&headers) {
        state.app.logout(&token).await?;
    }
    // A machine client logging out with its bearer token revokes that token.
    if let Some(caller) = maybe.0.as_ref() {
        state.app.revoke_own_token(caller).await?;
    }
    let cookie = session_cookie(&state, "", 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "账号", responses((status = 200, body = AccountDto), (status = 401, body = ErrorBody)))]
pub(crate) async fn me(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
) -> ApiResult<Json<AccountDto>> {
    let caller = caller(&maybe)?;
    Ok(Json(state.app.account_view(&caller.username).await?.into()))
}

/// Issues an API token for machine clients (`Authorization: Bearer …`).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "账号", request_body = TokenRequest, responses((status = 201, body = TokenResponse)))]
pub(crate) async fn create_token(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(request): ApiJson<TokenRequest>,
) -> ApiResult<Response> {
    let caller = caller(&maybe)?;
    let (token, expires_at_ms) = state
        .app
        .create_api_token(caller, &request.name, request.valid_days)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token,
            expires_at_ms,
        }),
    )
        .into_response())
}

/// The caller's API tokens (never the tokens themselves: their SM3 ids, names and times).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "账号", responses((status = 200, body = Vec<TokenDto>), (status = 401, body = ErrorBody)))]
pub(crate) async fn list_tokens(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
) -> ApiResult<Json<Vec<TokenDto>>> {
    let caller = caller(&maybe)?;
    Ok(Json(
        state
            .app
            .api_tokens(caller)
            .await?
            .into_iter()
            .map(|t| TokenDto {
                id: t.id,
                name: t.name,
                created_at_ms: t.created_at_ms,
                expires_at_ms: t.expires_at_ms,
                revoked: t.revoked,
                active: t.active,
            })
            .collect(),
    ))
}

/// Revokes one of the caller's API tokens, by its id (as listed).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "账号", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub(crate) async fn revoke_token(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let caller = caller(&maybe)?;
    state.app.revoke_api_token(caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Self-service registration of a market entity and its first account (waits for review).
#[utoipa::path(post, path = "/api/v1/registrations", tag = "市场主体", request_body = RegistrationRequest, responses((status = 201, body = ReceiptsDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn register(
    State(state): State<Arc<AppState>>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    ApiJson(request): ApiJson<RegistrationRequest>,
) -> ApiResult<Response> {
    state.app.throttle_registration(&client)?;
    let list = state.app.register_entity(request.into()).await?;
    Ok((StatusCode::CREATED, Json(receipts(&state, &list))).into_response())
}

/// Registration entered by the trading center (active at once).
#[utoipa::path(post, path = "/api/v1/entities", tag = "市场主体", request_body = RegistrationRequest, responses((status = 201, body = ReceiptsDto), (status = 403, body = ErrorBody)))]
pub(crate) async fn register_by_operator(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(request): ApiJson<RegistrationRequest>,
) -> ApiResult<Response> {
    let caller = caller(&maybe)?;
    let list = state
        .app
        .register_entity_by_operator(caller, request.into())
        .await?;
    Ok((StatusCode::CREATED, Json(receipts(&state, &list))).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct EntityQuery {
    /// `pending`, `active`, `rejected`, `suspended`, `barred` or `approved`; the public sees
    /// only active entities.
    #[param(pattern = "^(pending|active|rejected|suspended|barred|approved)$")]
    pub(crate) status: Option<String>,
    #[param(minimum = 1, maximum = 100000)]
    #[serde(
        default = "crate::shared::api::first_page",
        deserialize_with = "crate::extract::within::<_, 1, 100000>"
    )]
    pub(crate) page: u64,
    #[param(minimum = 1, maximum = 100)]
    #[serde(
        default = "default_per_page",
        deserialize_with = "crate::extract::within::<_, 1, 100>"
    )]
    pub(crate) per_page: u64,
}

fn default_per_page() -> u64 {
    20
}

/// Market entities, newest first.
#[utoipa::path(get, path = "/api/v1/entities", tag = "市场主体", params(EntityQuery), responses((status = 200, body = EntityPageDto), (status = 403, description = "所请求的状态（待审核、已驳回…）仅交易中心和监管可看", body = ErrorBody)))]
pub(crate) async fn entities(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(query): ApiQuery<EntityQuery>,
) -> ApiResult<Json<EntityPageDto>> {
    let per_page = query.per_page.clamp(1, 100);
    let page = state
        .app
        .entities(
            maybe.0.as_ref(),
            query.status.as_deref(),
            query.page,
            per_page,
        )
        .await?;
    Ok(Json(EntityPageDto {
        items: page.items.into_iter().map(EntityDto::from).collect(),
        total: page.total,
        page: query.page.max(1),
        per_page,
    }))
}

/// One market entity.
#[utoipa::path(get, path = "/api/v1/entities/{id}", tag = "市场主体", params(("id" = String, Path)), responses((status = 200, body = EntityDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn entity(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<EntityDto>> {
    Ok(Json(state.app.entity(maybe.0.as_ref(), &id).await?.into()))
}

/// 审核通过.
#[utoipa::path(post, path = "/api/v1/entities/{id}/approve", tag = "市场主体", params(("id" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn approve(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.approve_entity(caller, &id).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 驳回, with a reason.
#[utoipa::path(post, path = "/api/v1/entities/{id}/reject", tag = "市场主体", params(("id" = String, Path)), request_body = RejectRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn reject(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<RejectRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .reject_entity(caller, &id, &request.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// An account made by the trading center for an existing entity.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "账号", request_body = AccountRequest, responses((status = 201, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn create_account(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(request): ApiJson<AccountRequest>,
) -> ApiResult<Response> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .create_account(
            caller,
            app::NewAccount {
                username: request.username,
                display_name: request.display_name,
                entity_id: request.entity_id,
                roles: request.roles,
                password: request.password,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(receipts(&state, &[receipt]))).into_response())
}

/// One account (trading center, supervision and audit).
#[utoipa::path(get, path = "/api/v1/accounts/{username}", tag = "账号", params(("username" = String, Path)), responses((status = 200, body = AccountDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn account(
    State(state): State<Arc<AppState>>,
    Path(username): Path<String>,
) -> ApiResult<Json<AccountDto>> {
    Ok(Json(state.app.account_view(&username).await?.into()))
}

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

/// Replaces the entity's qualifications (its own accounts, or the trading center).
#[utoipa::path(put, path = "/api/v1/entities/{id}/qualifications", tag = "市场主体", params(("id" = String, Path)), request_body = QualificationsRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn set_qualifications(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<QualificationsRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = request
        .qualifications
        .into_iter()
        .map(QualificationDto::into_domain)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::from(app::AppError::from(e)))?;
    let receipt = state.app.set_qualifications(caller, &id, list).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// Sets the basic bank account for bonds (its own accounts, or the trading center).
#[utoipa::path(put, path = "/api/v1/entities/{id}/bank-account", tag = "市场主体", params(("id" = String, Path)), request_body = BankAccountDto, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn set_bank_account(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<BankAccountDto>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let account = domain::BankAccount {
        bank: request.bank.trim().to_string(),
        account_name: request.account_name.trim().to_string(),
        account_no: request.account_no.trim().replace(' ', ""),
    };
    let receipt = state.app.set_bank_account(caller, &id, account).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The whole personal numbers of an entity (a natural person's ID number, the contact's
/// mobile) for oversight, with a reason; the read is recorded in the ledger first.
#[utoipa::path(post, path = "/api/v1/entities/{id}/personal-data", tag = "市场主体", params(("id" = String, Path)), request_body = SanctionRequest, responses((status = 200, body = PersonalDataDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn personal_data(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SanctionRequest>,
) -> ApiResult<Response> {
    let caller = caller(&maybe)?;
    let (data, receipt) = state
        .app
        .reveal_personal_data(caller, &id, &request.reason)
        .await?;
    let mut response = Json(PersonalDataDto {
        code: data.code,
        contact_phone: data.contact_phone,
        receipt: receipts(&state, &[receipt]),
    })
    .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// 暂停交易 (trading center).
#[utoipa::path(post, path = "/api/v1/entities/{id}/suspend", tag = "市场主体", params(("id" = String, Path)), request_body = SanctionRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn suspend(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SanctionRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .suspend_entity(caller, &id, &request.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 禁止参加交易 until a date (trading center or supervision).
#[utoipa::path(post, path = "/api/v1/entities/{id}/bar", tag = "市场主体", params(("id" = String, Path)), request_body = SanctionRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn bar(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SanctionRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let until = domain::Date::parse(request.until.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::from(app::AppError::from(e)))?;
    let receipt = state
        .app
        .bar_entity(caller, &id, until, &request.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// Lifts a suspension or a bar (trading center or supervision).
#[utoipa::path(post, path = "/api/v1/entities/{id}/reinstate", tag = "市场主体", params(("id" = String, Path)), request_body = SanctionRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn reinstate(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SanctionRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .reinstate_entity(caller, &id, &request.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// Binds a digital certificate (its own accounts, or the trading center): trusted, valid, and
/// naming the entity's code.
#[utoipa::path(post, path = "/api/v1/entities/{id}/certificates", tag = "市场主体", params(("id" = String, Path)), request_body = BindCertificateRequest, responses((status = 201, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn bind_certificate(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<BindCertificateRequest>,
) -> ApiResult<Response> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .bind_certificate(caller, &id, &request.pem)
        .await?;
    Ok((StatusCode::CREATED, Json(receipts(&state, &[receipt]))).into_response())
}

/// Revokes a bound certificate (trading center).
#[utoipa::path(post, path = "/api/v1/entities/{id}/certificates/{fingerprint}/revoke", tag = "市场主体", params(("id" = String, Path), ("fingerprint" = String, Path)), request_body = SanctionRequest, responses((status = 200, body = ReceiptsDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn revoke_certificate(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((id, fingerprint)): Path<(String, String)>,
    ApiJson(request): ApiJson<SanctionRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .revoke_certificate(caller, &id, &fingerprint, &request.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
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
