//! Evaluation experts: the database, draws (the supervisor's contribution), panels, the experts' own evaluations, rooms.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;
use crate::DOCUMENT_LIMIT;
use crate::{expert_api, expert_pages, tender_api, tender_pages};

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/experts",
            get(tender_api::experts).post(tender_api::add_expert),
        )
        .route(
            "/api/v1/experts/import",
            post(tender_api::import_experts).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route("/api/v1/experts/{id}", get(tender_api::expert))
        .route("/experts", get(tender_pages::experts))
        .route(
            "/api/v1/draws",
            post(tender_api::draw).get(expert_api::draws),
        )
        .route("/api/v1/draws/{id}", get(tender_api::draw_entries))
        .route(
            "/api/v1/draws/{id}/contribution",
            post(tender_api::contribute),
        )
        .route("/api/v1/draws/{id}/panel", get(expert_api::panel))
        .route("/api/v1/draws/{id}/confirm", post(expert_api::confirm))
        .route("/api/v1/draws/{id}/decline", post(expert_api::decline))
        .route(
            "/api/v1/draws/{id}/no-response",
            post(expert_api::no_response),
        )
        .route(
            "/api/v1/draws/{id}/declaration",
            post(expert_api::declaration),
        )
        .route("/api/v1/draws/{id}/ratings", post(expert_api::rate))
        .route("/api/v1/draws/{id}/disclose", post(expert_api::disclose))
        .route("/api/v1/me/evaluations", get(expert_api::my_evaluations))
        .route("/api/v1/experts/{id}/relations", post(expert_api::relation))
        .route("/api/v1/experts/{id}/account", post(expert_api::account))
        .route(
            "/api/v1/rooms",
            get(expert_api::rooms).post(expert_api::add_room),
        )
        .route("/api/v1/rooms/{id}/bookings", post(expert_api::book_room))
        .route(
            "/api/v1/rooms/{id}/bookings/{booking}/cancel",
            post(expert_api::cancel_booking),
        )
        .route(
            "/draws",
            get(expert_pages::draws).post(expert_pages::new_draw),
        )
        .route("/draws/{id}", get(expert_pages::draw))
        .route("/draws/{id}/contribute", post(expert_pages::contribute))
        .route("/draws/{id}/reveal", post(expert_pages::reveal))
        .route("/draws/{id}/act", post(expert_pages::draw_act))
        .route(
            "/me/evaluations",
            get(expert_pages::my_evaluations).post(expert_pages::my_evaluations_act),
        )
        .route("/experts/new", post(expert_pages::add_expert))
        .route("/experts/{id}", get(expert_pages::expert))
        .route("/experts/{id}/act", post(expert_pages::expert_act))
        .route(
            "/rooms",
            get(expert_pages::rooms).post(expert_pages::rooms_act),
        )
        .route(
            "/experts/import",
            post(tender_pages::import_experts).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route("/api/v1/experts/{id}/leave", post(tender_api::expert_leave))
        .route(
            "/api/v1/experts/{id}/suspend",
            post(tender_api::suspend_expert),
        )
        .route(
            "/api/v1/experts/{id}/reinstate",
            post(tender_api::reinstate_expert),
        )
        .route(
            "/api/v1/experts/{id}/retire",
            post(tender_api::retire_expert),
        )
}
