//! Monitoring: the warnings (预警线索) for supervisors, auditors and the lot's committee — the
//! list with its filters, one warning with its evidence linked to the ledger, closing with a
//! reason and opening a case — and their JSON API. The engine runs in the background
//! (`start_follower`).
//!
//! May use `shared` and the edge.

pub(crate) mod api;
pub(crate) mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// How often the engine looks for new ledger entries.
const FOLLOW_EVERY: Duration = Duration::from_millis(200);

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/warning-rules", get(pages::rules))
        .route("/supervision/warnings", get(pages::list))
        .route("/supervision/warnings/{id}", get(pages::one))
        .route("/supervision/warnings/{id}/close", post(pages::close))
        .route("/supervision/warnings/{id}/case", post(pages::case))
        .route("/api/v1/warnings", get(api::list))
        .route("/api/v1/warnings/{id}", get(api::one))
        .route("/api/v1/warnings/{id}/close", post(api::close))
        .route("/api/v1/warnings/{id}/case", post(api::case))
}

/// Starts the warning engine on this node: every 200 ms it looks at what the ledger gained, so
/// a warning follows its evidence within a second.
pub(crate) fn start_follower(state: Arc<AppState>) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = state.app.follow_warnings_once().await {
                tracing::warn!(%error, "warning engine");
            }
            tokio::time::sleep(FOLLOW_EVERY).await;
        }
    });
}
