//! Security headers on every answer: a Content-Security-Policy that allows scripts, styles and
//! connections from this site only (no inline scripts: the pages' shared behaviour is in
//! `static/ui.js`; inline `style` attributes stay allowed) and no framing by anyone
//! (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for old browsers), `nosniff`, a
//! `Referrer-Policy` that never sends a path to another site, and `Cache-Control: no-store` on
//! every answer to a signed-in caller (a shared computer's back button or a proxy must not keep
//! a bidder's pages) unless the handler chose a policy itself (static files, public feeds).

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::access::SESSION_COOKIE;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
form-action 'self'; frame-ancestors 'none'";

pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let signed_in = request.headers().contains_key(header::AUTHORIZATION)
        || request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(SESSION_COOKIE));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if signed_in && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
