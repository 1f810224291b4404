//! The witness ledger: heads, entries, proofs and consistency, as JSON and as pages; the health check.
//!
//! May use `shared` and the edge.

pub(crate) mod api;
pub(crate) mod pages;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::AppState;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/v1/ledger/head", get(api::ledger_head))
        .route("/api/v1/ledger/checkpoint", get(api::ledger_checkpoint))
        .route("/api/v1/ledger/entries", get(api::ledger_entries))
        .route("/api/v1/ledger/entries/{seq}/proof", get(api::ledger_proof))
        .route("/api/v1/ledger/consistency", get(api::ledger_consistency))
        .route("/api/v1/ledger/heads", get(api::ledger_heads))
        .route("/ledger", get(pages::ledger))
        .route("/ledger/entries/{seq}", get(pages::ledger_entry))
}
