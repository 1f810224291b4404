//! Extractors whose refusals are API errors with stable codes (not axum's plain-text ones).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::errors::ApiError;

/// A JSON body: malformed JSON, unknown fields, a wrong content type and an oversize body each
/// get their own code.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

fn json_error(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => ApiError::with_message(
            "MALFORMED_JSON",
            format!("请求体不是有效的 JSON：{}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => {
            let text = e.body_text();
            if let Some(idx) = text.find("unknown field") {
                ApiError::with_message(
                    "UNKNOWN_FIELD",
                    format!("请求中含有未知字段：{}", &text[idx..]),
                )
            } else {
                ApiError::with_message("INVALID_REQUEST", format!("请求参数无效：{text}"))
            }
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::with_message(
            "UNSUPPORTED_MEDIA_TYPE",
            "请求须使用 Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new("BODY_TOO_LARGE")
        }
        other => ApiError::with_message("INVALID_REQUEST", other.body_text()),
    }
}

/// Query parameters, refused with `INVALID_REQUEST` and the reason.
#[derive(Debug)]
pub(crate) struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(query_error(rejection)),
        }
    }
}

fn query_error(rejection: QueryRejection) -> ApiError {
    ApiError::with_message(
        "INVALID_REQUEST",
        format!("查询参数无效：{}", rejection.body_text()),
    )
}
