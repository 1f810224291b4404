//! The market's JSON API: sessions and API tokens, registration and review, entities
//! (qualifications, bank account, personal data, sanctions, certificates) and accounts.

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
#[utoipa::path(post, path = "/api/v1/registrations", tag = "市场主体", request_body = RegistrationRequest, responses((status = 201, body = ReceiptsDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
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
