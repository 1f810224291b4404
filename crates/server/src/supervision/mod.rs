//! Supervision: who supervises what (the departments and their powers, public), complaints and
//! reports filed on the pages or the API, the departments' queues and case handling, the
//! published decisions.
//!
//! May use `shared` and the edge.

pub(crate) mod api;
pub(crate) mod pages;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;

/// Largest filing: every evidence file at its largest, and the form.
pub(crate) const FILING_LIMIT: usize =
    app::MAX_EVIDENCE_FILES * app::MAX_EVIDENCE_BYTES + (1 << 20);

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/supervision", get(pages::departments))
        .route("/supervision/decisions", get(pages::decisions))
        .route("/reports/new", get(pages::report_form))
        .route(
            "/reports",
            post(pages::file_report).layer(DefaultBodyLimit::max(FILING_LIMIT)),
        )
        .route(
            "/reports/query",
            get(pages::query_form).post(pages::query_report),
        )
        .route("/complaints/new", get(pages::complaint_form))
        .route(
            "/complaints",
            post(pages::file_complaint).layer(DefaultBodyLimit::max(FILING_LIMIT)),
        )
        .route("/cases", get(pages::cases))
        .route("/cases/{id}", get(pages::case))
        .route("/cases/{id}/act", post(pages::act))
        .route("/cases/{id}/decision", post(pages::decision))
        .route(
            "/cases/{id}/reply",
            post(pages::reply).layer(DefaultBodyLimit::max(FILING_LIMIT)),
        )
        .route("/cases/{id}/evidence/{sm3}", get(pages::evidence))
        .route("/me/reads", get(pages::my_reads))
        .route("/oversight", get(pages::oversight))
        .route("/oversight/lots/{code}", get(pages::oversight_lot))
        .route("/api/v1/me/reads", get(api::my_reads))
        .route("/api/v1/supervision/departments", get(api::departments))
        .route("/api/v1/supervision/decisions", get(api::decisions))
        .route("/api/v1/cases", get(api::cases))
        .route("/api/v1/cases/{id}", get(api::case))
        .route("/api/v1/cases/{id}/acts", post(api::act))
        .route("/api/v1/cases/{id}/decision/to-sign", post(api::to_sign))
        .route("/api/v1/cases/{id}/decision", post(api::decide))
        .route("/api/v1/reports/query", post(api::query_report))
        .route("/api/v1/complaints", post(api::file_complaint))
        .route("/api/v1/reports", post(api::file_report))
}
