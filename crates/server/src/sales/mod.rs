//! Online sales: listing, deposits, registration, bidding live, sealed bids and their opening, the close and the confirmation.
//!
//! May use `shared` and the edge.

pub(crate) mod api;
pub(crate) mod pages;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/auctions", get(api::auctions).post(api::create))
        .route("/api/v1/auctions/{id}", get(api::auction))
        .route("/api/v1/auctions/{id}/events", get(api::events))
        .route("/api/v1/auctions/{id}/verify", get(api::verify))
        .route("/api/v1/auctions/{id}/live", get(api::live))
        .route("/api/v1/auctions/{id}/register", post(api::register))
        .route("/api/v1/auctions/{id}/bids", post(api::bid))
        .route("/api/v1/auctions/{id}/deposits", post(api::deposit_notice))
        .route(
            "/api/v1/auctions/{id}/deposits/confirm",
            post(api::confirm_deposit),
        )
        .route("/api/v1/auctions/{id}/close", post(api::close))
        .route("/api/v1/auctions/{id}/relist", post(api::relist))
        .route("/api/v1/auctions/{id}/sealed", put(api::sealed))
        .route(
            "/api/v1/auctions/{id}/opening",
            get(api::opening).post(api::start_opening),
        )
        .route("/api/v1/auctions/{id}/partials", post(api::partials))
        .route("/api/v1/auctions/{id}/confirmation", get(api::confirmation))
        .route("/auctions", get(pages::auctions))
        .route("/auctions/new", get(pages::new_form).post(pages::create))
        .route("/auctions/{id}", get(pages::auction).post(pages::act))
        .route("/auctions/{id}/confirmation", get(pages::confirmation))
        .route("/auctions/{id}/sealed", post(pages::submit_sealed))
}
