//! 一处登记、全省通用: an entity registered at another node of the province opens its account here
//! by a claim signed with its bound certificate — the JSON API and the page.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::ReceiptsDto;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::shared::api::receipts;
use crate::shared::page::{Layout, app_error_page, layout, render};

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ClaimPayloadQuery {
    /// The username to open here.
    pub(crate) username: String,
}

/// The payload to sign for a claim.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClaimPayloadDto {
    /// `account.claim`.
    pub(crate) act: String,
    /// This node's origin.
    pub(crate) node: String,
    pub(crate) username: String,
    /// Now, by this node's clock (a claim must be signed within 10 minutes of it).
    pub(crate) signed_at_ms: i64,
}

/// The payload an entity registered at another node signs to open an account here.
#[utoipa::path(get, path = "/api/v1/accounts/claim", tag = "账号", params(ClaimPayloadQuery), responses((status = 200, body = ClaimPayloadDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn claim_payload(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<ClaimPayloadQuery>,
) -> ApiResult<Json<ClaimPayloadDto>> {
    domain::Username::parse(&query.username).map_err(app::AppError::from)?;
    let payload = state.app.claim_payload(&query.username);
    Ok(Json(ClaimPayloadDto {
        act: payload.act,
        node: payload.node,
        username: payload.username,
        signed_at_ms: payload.signed_at_ms,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClaimRequest {
    /// 姓名 of the account's user.
    pub(crate) display_name: String,
    pub(crate) password: String,
    /// What `ggzy sign` prints for the payload of `GET /api/v1/accounts/claim`.
    pub(crate) signed: SignedClaimDto,
}

/// A signed payload, as `ggzy sign` prints it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignedClaimDto {
    /// The payload of `GET /api/v1/accounts/claim`, as signed.
    #[schema(value_type = Object)]
    pub(crate) payload: serde_json::Value,
    /// SM2 signature over the canonical JSON of `payload`, hex.
    pub(crate) signature: String,
    /// The signer's certificate, PEM.
    pub(crate) certificate: String,
    /// What `ggzy sign` names the algorithm (informative).
    #[serde(default)]
    pub(crate) algorithm: Option<String>,
}

impl From<SignedClaimDto> for app::SignedClaim {
    fn from(dto: SignedClaimDto) -> Self {
        Self {
            payload: dto.payload,
            signature: dto.signature,
            certificate: dto.certificate,
            algorithm: dto.algorithm.unwrap_or_default(),
        }
    }
}

/// Opens an account for an entity registered and approved at another node of the province: the
/// claim is signed with a certificate bound to the entity (checked as every signed act is).
#[utoipa::path(post, path = "/api/v1/accounts/claim", tag = "账号", request_body = ClaimRequest, responses((status = 201, body = ReceiptsDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn claim(
    State(state): State<Arc<AppState>>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    ApiJson(request): ApiJson<ClaimRequest>,
) -> ApiResult<Response> {
    state.app.throttle_registration(&client)?;
    let receipt = state
        .app
        .claim_account(app::AccountClaim {
            display_name: request.display_name,
            password: request.password,
            signed: request.signed.into(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(receipts(&state, &[receipt]))).into_response())
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage {
    layout: Layout,
    username: String,
    display_name: String,
    /// The payload to sign (pretty JSON), "" before a username is given.
    payload: String,
    signed: String,
    error: String,
    error_code: String,
    done: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ClaimFormQuery {
    #[serde(default)]
    username: String,
}

fn claim_page(
    state: &AppState,
    caller: &MaybeCaller,
    username: &str,
    display_name: &str,
    signed: &str,
) -> ClaimPage {
    let payload = if domain::Username::parse(username).is_ok() {
        serde_json::to_string_pretty(&state.app.claim_payload(username)).unwrap_or_default()
    } else {
        String::new()
    };
    ClaimPage {
        layout: layout(
            state,
            caller,
            "异地主体开通账号",
            "",
            &[("异地主体开通账号", "")],
        ),
        username: username.to_string(),
        display_name: display_name.to_string(),
        payload,
        signed: signed.to_string(),
        error: String::new(),
        error_code: String::new(),
        done: false,
    }
}

/// The claim page: the payload to sign for a username, then the signed claim.
pub(crate) async fn claim_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(query): Query<ClaimFormQuery>,
) -> Response {
    let mut page = claim_page(&state, &caller, query.username.trim(), "", "");
    if !query.username.trim().is_empty()
        && let Err(error) = domain::Username::parse(&query.username)
    {
        let api = ApiError::from(app::AppError::from(error));
        page.error = api.message;
        page.error_code = api.code.into();
        return (StatusCode::UNPROCESSABLE_ENTITY, render(page)).into_response();
    }
    render(page)
}

/// Submits the signed claim from the page.
pub(crate) async fn claim_submit(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    body: Bytes,
) -> Response {
    let mut form = std::collections::HashMap::new();
    for (key, value) in form_urlencoded::parse(&body) {
        form.insert(key.into_owned(), value.into_owned());
    }
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    let (username, display_name, signed_text) =
        (get("username"), get("display_name"), get("signed"));
    let result = match serde_json::from_str::<app::SignedClaim>(signed_text.trim()) {
        Err(_) => Err(app::AppError::refused(
            "ACCOUNT_CLAIM_INVALID",
            "账号认领无效：请粘贴 ggzy sign 输出的完整 JSON（含 payload、signature、certificate）",
        )),
        Ok(signed) => match state.app.throttle_registration(&client) {
            Err(error) => Err(error),
            Ok(()) => {
                state
                    .app
                    .claim_account(app::AccountClaim {
                        display_name: display_name.clone(),
                        password: get("password"),
                        signed,
                    })
                    .await
            }
        },
    };
    let mut page = claim_page(
        &state,
        &caller,
        username.trim(),
        &display_name,
        &signed_text,
    );
    match result {
        Ok(_) => {
            page.done = true;
            render(page)
        }
        Err(app::AppError::Internal(detail)) => app_error_page(app::AppError::Internal(detail)),
        Err(error) => {
            let api = ApiError::from(error);
            let status = api.status_for_page();
            page.error = api.message;
            page.error_code = api.code.into();
            (status, render(page)).into_response()
        }
    }
}
