//! Monitoring: 交易数据统计 (`statistics.rs`, charts in `charts.rs`) for everyone and in detail
//! for supervisors; the warnings (预警线索) for supervisors, auditors and the lot's committee — the
//! list with its filters, one warning with its evidence linked to the ledger, closing with a
//! reason and opening a case — and their JSON API. The engine runs in the background
//! (`start_follower`).
//!
//! May use `shared` and the edge.

pub(crate) mod api;
mod charts;
pub(crate) mod pages;
pub(crate) mod statistics;

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
        .route("/statistics", get(statistics::public_page))
        .route("/statistics/download", get(statistics::download))
        .route("/api/v1/statistics", get(statistics::api))
        .route("/supervision/statistics", get(statistics::detailed_page))
        .route("/supervision/warnings", get(pages::list))
        .route("/supervision/warnings/{id}", get(pages::one))
        .route("/supervision/warnings/{id}/close", post(pages::close))
        .route("/supervision/warnings/{id}/case", post(pages::case))
        .route("/api/v1/warnings", get(api::list))
        .route("/api/v1/warnings/{id}", get(api::one))
        .route("/api/v1/warnings/{id}/close", post(api::close))
        .route("/api/v1/warnings/{id}/case", post(api::case))
}

/// How many of the engine's passes between two looks of the signing-period watch (5 s).
const LAPSES_EVERY: u32 = 25;

/// Starts the warning engine on this node: every 200 ms it looks at what the ledger gained, so
/// a warning follows its evidence within a second; every 5 s the signing-period watch records
/// the awards whose contract date passed unsigned.
pub(crate) fn start_follower(state: Arc<AppState>) {
    tokio::spawn(async move {
        let mut pass = 0u32;
        loop {
            if let Err(error) = state.app.follow_warnings_once().await {
                tracing::warn!(%error, "warning engine");
            }
            if pass.is_multiple_of(LAPSES_EVERY)
                && let Err(error) = state.app.record_due_lapses().await
            {
                tracing::warn!(%error, "signing-period watch");
            }
            pass = pass.wrapping_add(1);
            tokio::time::sleep(FOLLOW_EVERY).await;
        }
    });
}
