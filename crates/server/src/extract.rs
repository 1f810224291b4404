//! Extractors whose refusals are API errors with stable codes (not axum's plain-text ones).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
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
        // Read as a JSON value first: every string in it is checked for control characters
        // (NUL, escape …) whatever field it goes to, then the value becomes the request type.
        let value = match axum::Json::<serde_json::Value>::from_request(request, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => return Err(json_error(rejection)),
        };
        if let Some(path) = control_character_at(&value, "") {
            return Err(ApiError::with_message(
                "CONTROL_CHARACTER",
                format!("字段 {path} 含有不可见的控制字符，请删除后重新提交"),
            ));
        }
        let mut value = value;
        integral_numbers(&mut value);
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(value) => Ok(Self(value)),
            Err(error) => Err(data_error(
                &error.path().to_string(),
                &error.inner().to_string(),
            )),
        }
    }
}

/// The path of the first string (or object key) holding a control character other than a
/// line break or a tab.
fn control_character_at(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(text) => {
            domain::has_control_character(text).then(|| path.trim_start_matches('.').to_string())
        }
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| control_character_at(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            let here = format!("{path}.{key}");
            if domain::has_control_character(key) {
                return Some(here.trim_start_matches('.').to_string());
            }
            control_character_at(item, &here)
        }),
        _ => None,
    }
}

/// JSON does not tell `5` from `5.0`: a number with no fraction becomes an integer (where it
/// fits exactly), so that an integer field takes either spelling.
fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            // Integers up to 2^53 are exact in a double; beyond that `5e300` is no count.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() <= EXACT
            {
                *value = serde_json::Value::from(float as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// A body that is JSON but not the request's shape: an unknown field (serde's own message
/// starts with "unknown field"), or another mismatch, named by its path.
fn data_error(path: &str, message: &str) -> ApiError {
    let at = if path.is_empty() || path == "." {
        String::new()
    } else {
        format!("{path}: ")
    };
    if message.starts_with("unknown field `") {
        ApiError::with_message(
            "UNKNOWN_FIELD",
            format!("请求中含有未知字段：{at}{message}"),
        )
    } else {
        ApiError::with_message("INVALID_REQUEST", format!("请求参数无效：{at}{message}"))
    }
}

fn json_error(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => ApiError::with_message(
            "MALFORMED_JSON",
            format!("请求体不是有效的 JSON：{}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => ApiError::with_message(
            "INVALID_REQUEST",
            format!("请求参数无效：{}", e.body_text()),
        ),
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
    let text = rejection.body_text();
    let reason = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(&text);
    ApiError::with_message("INVALID_REQUEST", format!("查询参数无效：{reason}"))
}

/// A whole number in `LO..=HI` (the OpenAPI document declares the same bounds on the
/// parameter), for `#[serde(deserialize_with = "within::<_, 1, 100>")]`.
pub(crate) fn within<'de, D, const LO: u64, const HI: u64>(deserializer: D) -> Result<u64, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let text = String::deserialize(deserializer)?;
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (LO..=HI).contains(n))
        .ok_or_else(|| serde::de::Error::custom(format!("应为 {LO} 到 {HI} 的整数，收到“{text}”")))
}

/// [`within`] for an optional parameter (`#[serde(default, deserialize_with = …)]`).
pub(crate) fn within_opt<'de, D, const LO: u64, const HI: u64>(
    deserializer: D,
) -> Result<Option<u64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    within::<D, LO, HI>(deserializer).map(Some)
}

/// The client's address as the connection shows it (the peer's IP), for throttling; "local"
/// when the server was not started with connection info (handler tests).
#[derive(Debug)]
pub(crate) struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_else(|| "local".into()),
        ))
    }
}
