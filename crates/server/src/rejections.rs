//! The framework's own refusals in our shape. axum answers a path parameter that does not
//! parse, a body over the limit or an unsupported content type with English plain text before
//! any handler runs; this layer turns every such 4xx into `{code, message, request_id}` on the
//! API and into the Chinese error page elsewhere, so no client ever sees a refusal without a
//! stable code.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;

pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new("BODY_TOO_LARGE"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new("UNSUPPORTED_MEDIA_TYPE"),
        StatusCode::NOT_FOUND => ApiError::new("NOT_FOUND"),
        _ => ApiError::with_message(
            "INVALID_REQUEST",
            "请求无效：路径、查询参数或请求体的格式不正确",
        ),
    };
    if api {
        error.into_response()
    } else {
        crate::shared::page::error_page(error.status(), error.code, &error.message)
    }
}
