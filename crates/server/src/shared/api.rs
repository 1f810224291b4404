//! What the JSON handlers of every context share: the caller or 401, receipts as wire types,
//! values as JSON, file downloads, paging parameters, the session cookie and the site address.

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::dto::{ReceiptDto, ReceiptsDto};
use crate::errors::ApiError;
use crate::shared::caller::{MaybeCaller, SESSION_COOKIE};

type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn caller(maybe: &MaybeCaller) -> ApiResult<&app::Caller> {
    maybe
        .0
        .as_ref()
        .ok_or_else(|| ApiError::new("NOT_AUTHENTICATED"))
}

pub(crate) fn receipts(state: &AppState, list: &[app::Receipt]) -> ReceiptsDto {
    let key = state.app.public_key();
    ReceiptsDto {
        receipts: list
            .iter()
            .map(|r| ReceiptDto::from_receipt(r, &key))
            .collect(),
    }
}

pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

pub(crate) fn first_page() -> u64 {
    1
}

pub(crate) fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

pub(crate) fn file_response(name: &str, content: Vec<u8>) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
        ],
        content,
    )
        .into_response()
}

/// A range of ledger places (a node's own ledger, or a followed node's mirror).
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
    /// End (exclusive), not before `from`; at most 1000 entries are returned (default 100).
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within_opt::<_, 0, 9223372036854775807>"
    )]
    pub(crate) to: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
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

/// The site's address as the request named it (for the absolute links feeds and sitemaps
/// need).
pub(crate) fn site(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}
