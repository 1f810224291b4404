//! Credit: one subject's credit explained, the standards in force, 信用修复, the trading
//! center's list imports, a sale's default, and the JSON API (the list itself is `/credit`, in
//! `disclosure`).
//!
//! May use `shared`, the edge, and `supervision::pages` (the multipart evidence reader).

pub(crate) mod api;
pub(crate) mod pages;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    let filing = DefaultBodyLimit::max(crate::supervision::FILING_LIMIT);
    Router::new()
        .route("/credit/standards", get(pages::standards))
        .route("/credit/subjects/{subject}", get(pages::subject))
        .route(
            "/credit/subjects/{subject}/records/{n}/repair",
            post(pages::repair).layer(filing),
        )
        .route(
            "/credit/subjects/{subject}/records/{n}/review",
            post(pages::review),
        )
        .route("/operator/credit", get(pages::operator))
        .route("/operator/credit/import", post(pages::import))
        .route("/operator/credit/match", post(pages::confirm_match))
        .route("/api/v1/credit", get(api::listings))
        .route("/api/v1/credit/records", get(api::bulk))
        .route("/api/v1/credit/subjects/{subject}", get(api::subject))
        .route(
            "/api/v1/credit/subjects/{subject}/records/{n}/repair",
            post(api::repair).layer(DefaultBodyLimit::max(
                crate::supervision::FILING_LIMIT * 4 / 3 + (1 << 20),
            )),
        )
        .route(
            "/api/v1/credit/subjects/{subject}/records/{n}/review",
            post(api::review),
        )
        .route("/api/v1/credit/lists", get(api::lists).post(api::import))
        .route(
            "/api/v1/credit/lists/{list}/matches",
            post(api::confirm_match),
        )
        .route("/api/v1/auctions/{id}/default", post(api::sale_default))
}
