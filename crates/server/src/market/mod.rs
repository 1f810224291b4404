//! Market participants: sessions and API tokens, registration and review, entities (qualifications, bank accounts, certificates, sanctions, personal data) and accounts.
//!
//! May use `shared` and the edge (`access`, `errors`, `extract`, `dto`, `format`).

pub(crate) mod api;
pub(crate) mod claim;
pub(crate) mod entity_pages;
pub(crate) mod pages;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/session", post(api::login).delete(api::logout))
        .route("/api/v1/me", get(api::me))
        .route(
            "/api/v1/tokens",
            post(api::create_token).get(api::list_tokens),
        )
        .route(
            "/api/v1/tokens/{id}",
            axum::routing::delete(api::revoke_token),
        )
        .route("/api/v1/registrations", post(api::register))
        .route(
            "/api/v1/entities",
            get(api::entities).post(api::register_by_operator),
        )
        .route("/api/v1/entities/{id}", get(api::entity))
        .route("/api/v1/entities/{id}/approve", post(api::approve))
        .route("/api/v1/entities/{id}/reject", post(api::reject))
        .route(
            "/api/v1/entities/{id}/qualifications",
            put(api::set_qualifications),
        )
        .route(
            "/api/v1/entities/{id}/bank-account",
            put(api::set_bank_account),
        )
        .route("/api/v1/entities/{id}/suspend", post(api::suspend))
        .route(
            "/api/v1/entities/{id}/personal-data",
            post(api::personal_data),
        )
        .route("/api/v1/entities/{id}/bar", post(api::bar))
        .route("/api/v1/entities/{id}/reinstate", post(api::reinstate))
        .route(
            "/api/v1/entities/{id}/certificates",
            post(api::bind_certificate),
        )
        .route(
            "/api/v1/entities/{id}/certificates/{fingerprint}/revoke",
            post(api::revoke_certificate),
        )
        .route("/api/v1/accounts", post(api::create_account))
        .route(
            "/api/v1/accounts/claim",
            get(claim::claim_payload).post(claim::claim),
        )
        .route("/claim", get(claim::claim_form).post(claim::claim_submit))
        .route("/api/v1/accounts/{username}", get(api::account))
        .route("/login", get(pages::login_form).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route(
            "/register",
            get(pages::register_form).post(pages::register_submit),
        )
        .route("/me", get(pages::me))
        .route("/me/tokens", post(pages::create_token_form))
        .route("/me/tokens/revoke", post(pages::revoke_token_form))
        .route("/entities", get(pages::entities))
        .route("/entities/{id}", get(pages::entity))
        .route(
            "/entities/{id}/qualifications",
            post(entity_pages::qualifications),
        )
        .route(
            "/entities/{id}/bank-account",
            post(entity_pages::bank_account),
        )
        .route("/entities/{id}/suspend", post(entity_pages::suspend))
        .route(
            "/entities/{id}/personal-data",
            post(pages::reveal_personal_data),
        )
        .route("/entities/{id}/bar", post(entity_pages::bar))
        .route("/entities/{id}/reinstate", post(entity_pages::reinstate))
        .route(
            "/entities/{id}/certificates",
            post(entity_pages::bind_certificate),
        )
        .route(
            "/entities/{id}/certificates/{fingerprint}/revoke",
            post(entity_pages::revoke_certificate),
        )
        .route("/operator/reviews", get(pages::reviews))
        .route(
            "/operator/reviews/{id}/approve",
            post(pages::review_approve),
        )
        .route("/operator/reviews/{id}/reject", post(pages::review_reject))
}
