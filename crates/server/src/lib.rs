//! HTTP: the JSON API under `/api/v1` (with its OpenAPI document), the public portal and role
//! workbenches as server-rendered Chinese pages, authentication, request ids, logs and metrics.
//!
//! Architecture invariant: only this crate knows HTTP. Handlers are thin: they turn requests into
//! application calls and results into JSON or pages.

mod access;
mod dto;
pub mod errors;
mod extract;
mod format;
mod metrics_layer;
mod openapi;
mod rejections;
mod request_dto;
mod request_id;
mod security_headers;
mod shared;

// One folder per context (the same names as in `domain` and `app`): each declares its routes.
mod credit;
mod disclosure;
mod experts;
mod federation;
mod market;
mod monitoring;
mod reference;
mod sales;
mod supervision;
mod tendering;
mod witness;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use access::{Access, ROUTES, SESSION_COOKIE};
pub use federation::start_hub_follower;

/// Largest JSON body accepted by the API.
pub const BODY_LIMIT: usize = 1 << 20;
/// Largest uploaded document (tender documents). Sealed bids are streamed and limited by
/// `app::MAX_ENVELOPE_BYTES`.
pub const DOCUMENT_LIMIT: usize = 64 << 20;
/// Largest `multipart/form-data` upload from a page (a sealed bid or the tender documents, and
/// the form's framing). The sealed bid itself is still limited by `app::MAX_ENVELOPE_BYTES`.
pub(crate) const UPLOAD_LIMIT: usize = DOCUMENT_LIMIT + (1 << 20);

/// What every handler can reach.
pub struct AppState {
    pub app: app::App,
    /// Mark session cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Name of the platform shown in pages.
    pub platform_name: String,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppState({:?})", self.app)
    }
}

/// The `Set-Cookie` value of a session cookie (`max_age_s` 0 clears it).
pub(crate) fn session_cookie(state: &AppState, token: &str, max_age_s: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// The whole router.
pub fn router(state: Arc<AppState>) -> Router {
    let routes = Router::new()
        .merge(metrics_layer::routes())
        .merge(openapi::routes())
        .merge(shared::routes())
        .merge(market::routes())
        .merge(reference::routes())
        .merge(tendering::routes())
        .merge(experts::routes())
        .merge(supervision::routes())
        .merge(credit::routes())
        .merge(monitoring::routes())
        .merge(sales::routes())
        .merge(disclosure::routes())
        .merge(witness::routes())
        .merge(federation::routes())
        .route_layer(from_fn_with_state(state.clone(), access::authorize))
        // Outside `authorize`, so refusals are counted too; a route layer, so the route is known.
        .route_layer(from_fn(metrics_layer::track));
    routes
        .fallback(shared::page::not_found)
        .method_not_allowed_fallback(shared::page::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(from_fn(rejections::layer))
        .layer(from_fn(security_headers::layer))
        .layer(from_fn(request_id::layer))
        .with_state(state)
}

/// Starts this node's watchers that write to the ledger — the warning engine and the
/// signing-period watch (`serve` does, unless the settings say not).
pub fn start_watchers(state: Arc<AppState>) {
    monitoring::start_follower(state);
}

/// Serves until `shutdown` resolves. Calls `ready` with the bound address once listening.
pub async fn serve(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    metrics_layer::install();
    // This node's search index follows the ledger from now on.
    state.app.start_search_follower();
    // So do its warning engine and the signing-period watch.
    if state.app.settings().watchers {
        start_watchers(state.clone());
    }
    // Its witnesses are asked to cosign its checkpoints.
    if !state.app.settings().witnesses.is_empty() {
        federation::start_witnessing(state.clone());
    }
    // Live streams end when the server closes, so that the graceful shutdown can finish.
    let (closing, closed) = tokio::sync::watch::channel(false);
    let app = router(state)
        .layer(axum::Extension(sales::api::Closing(closed)))
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = closing.send(true);
        })
        .await
}
