//! Evaluation experts: the database, draws (the supervisor's contribution), panels, the experts' own evaluations, rooms.
//!
//! May use `shared` and the edge.

pub(crate) mod api;
pub(crate) mod database_api;
pub(crate) mod database_pages;
pub(crate) mod pages;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;
use crate::DOCUMENT_LIMIT;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/experts",
            get(database_api::experts).post(database_api::add_expert),
        )
        .route(
            "/api/v1/experts/import",
            post(database_api::import_experts).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route("/api/v1/experts/{id}", get(database_api::expert))
        .route("/experts", get(database_pages::experts))
        .route("/api/v1/draws", post(database_api::draw).get(api::draws))
        .route("/api/v1/draws/{id}", get(database_api::draw_entries))
        .route(
            "/api/v1/draws/{id}/contribution",
            post(database_api::contribute),
        )
        .route("/api/v1/draws/{id}/panel", get(api::panel))
        .route("/api/v1/draws/{id}/confirm", post(api::confirm))
        .route("/api/v1/draws/{id}/decline", post(api::decline))
        .route("/api/v1/draws/{id}/no-response", post(api::no_response))
        .route("/api/v1/draws/{id}/declaration", post(api::declaration))
        .route("/api/v1/draws/{id}/ratings", post(api::rate))
        .route("/api/v1/draws/{id}/disclose", post(api::disclose))
        .route("/api/v1/me/evaluations", get(api::my_evaluations))
        .route("/api/v1/experts/{id}/relations", post(api::relation))
        .route("/api/v1/experts/{id}/account", post(api::account))
        .route("/api/v1/rooms", get(api::rooms).post(api::add_room))
        .route("/api/v1/rooms/{id}/bookings", post(api::book_room))
        .route(
            "/api/v1/rooms/{id}/bookings/{booking}/cancel",
            post(api::cancel_booking),
        )
        .route("/draws", get(pages::draws).post(pages::new_draw))
        .route("/draws/{id}", get(pages::draw))
        .route("/draws/{id}/contribute", post(pages::contribute))
        .route("/draws/{id}/reveal", post(pages::reveal))
        .route("/draws/{id}/act", post(pages::draw_act))
        .route(
            "/me/evaluations",
            get(pages::my_evaluations).post(pages::my_evaluations_act),
        )
        .route("/experts/new", post(pages::add_expert))
        .route("/experts/{id}", get(pages::expert))
        .route("/experts/{id}/act", post(pages::expert_act))
        .route("/rooms", get(pages::rooms).post(pages::rooms_act))
        .route(
            "/experts/import",
            post(database_pages::import_experts).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route(
            "/api/v1/experts/{id}/leave",
            post(database_api::expert_leave),
        )
        .route(
            "/api/v1/experts/{id}/suspend",
            post(database_api::suspend_expert),
        )
        .route(
            "/api/v1/experts/{id}/reinstate",
            post(database_api::reinstate_expert),
        )
        .route(
            "/api/v1/experts/{id}/retire",
            post(database_api::retire_expert),
        )
}
