//! Reference data: the catalog, rules, calendar and trust roots (CRLs) — reading, resolving, deadlines, publishing.
//!
//! May use `shared` and the edge.

pub(crate) mod api;
pub(crate) mod pages;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/reference/{kind}",
            get(api::reference_current).post(api::reference_publish),
        )
        .route(
            "/api/v1/reference/{kind}/versions",
            get(api::reference_history),
        )
        .route(
            "/api/v1/reference/{kind}/versions/{version}",
            get(api::reference_version),
        )
        .route("/api/v1/rules/resolve", get(api::rules_resolve))
        .route("/api/v1/calendar/deadline", get(api::calendar_deadline))
        .route("/catalog", get(pages::catalog))
        .route("/rules", get(pages::rules))
        .route("/calendar", get(pages::calendar))
        .route("/trust", get(pages::trust))
        .route("/trust/crl", post(pages::import_crl))
        .route("/api/v1/crl", post(api::import_crl))
        .route("/reference/{kind}/history", get(pages::history))
        .route(
            "/operator/reference/{kind}",
            get(pages::edit_form).post(pages::edit_submit),
        )
}
