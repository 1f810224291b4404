//! Tendering and procurement: procedures, announcements, registration, sealed bids and the opening, the key ceremony, bonds and guarantors, the evaluation, the award and the contract.
//!
//! May use `shared`, the edge, and `experts` for the notices its guarantor pages share.

pub(crate) mod api;
pub(crate) mod award_api;
pub(crate) mod evaluation_pages;
pub(crate) mod guarantor_pages;
pub(crate) mod pages;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

use crate::AppState;
use crate::{DOCUMENT_LIMIT, UPLOAD_LIMIT};

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/procedures",
            post(api::create_procedure).get(api::procedures),
        )
        .route(
            "/api/v1/procedures/{id}",
            get(api::procedure).put(api::edit_procedure),
        )
        .route(
            "/api/v1/procedures/{id}/documents",
            put(api::attach_documents).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route(
            "/api/v1/procedures/{id}/publish",
            post(api::publish_procedure),
        )
        .route(
            "/api/v1/procedures/{id}/amendments",
            post(api::amend_procedure),
        )
        .route(
            "/api/v1/procedures/{id}/terminate",
            post(api::terminate_procedure),
        )
        .route("/api/v1/announcements", get(api::announcements))
        .route("/api/v1/announcements/{id}", get(api::announcement))
        .route(
            "/api/v1/lots/{code}/registration",
            post(api::register_for_lot),
        )
        .route("/api/v1/lots/{code}/documents", get(api::lot_documents))
        .route(
            "/api/v1/lots/{code}/bid",
            put(api::submit_bid)
                .delete(api::withdraw_bid)
                .get(api::my_bid),
        )
        .route("/api/v1/bids", get(api::my_bids))
        .route(
            "/api/v1/lots/{code}/opening",
            post(api::start_opening).get(api::opening_request),
        )
        .route("/api/v1/lots/{code}/partials", post(api::submit_partials))
        .route(
            "/api/v1/ceremonies",
            post(api::open_ceremony).get(api::ceremonies),
        )
        .route("/api/v1/ceremonies/{id}", get(api::ceremony))
        .route(
            "/api/v1/lots/{code}/evaluation",
            post(award_api::start_evaluation).get(award_api::evaluation),
        )
        .route(
            "/api/v1/guarantors",
            get(award_api::guarantors).post(award_api::approve_guarantor),
        )
        .route(
            "/api/v1/guarantors/{id}/withdraw",
            post(award_api::withdraw_guarantor),
        )
        .route(
            "/api/v1/lots/{code}/bond/guarantee",
            post(award_api::bond_guarantee),
        )
        .route(
            "/api/v1/lots/{code}/bond/transfer",
            post(award_api::bond_transfer),
        )
        .route("/api/v1/lots/{code}/bonds", get(award_api::bonds))
        .route(
            "/api/v1/lots/{code}/bonds/reveal",
            post(award_api::reveal_bond_bidders),
        )
        .route(
            "/api/v1/lots/{code}/bonds/refund",
            post(award_api::refund_bonds),
        )
        .route(
            "/api/v1/lots/{code}/bonds/{bidder}/confirm",
            post(award_api::confirm_bond),
        )
        .route(
            "/api/v1/lots/{code}/bonds/{bidder}/forfeit",
            post(award_api::forfeit_bond),
        )
        .route("/lots/{code}/bond", post(evaluation_pages::bond_act))
        .route(
            "/api/v1/lots/{code}/candidates",
            post(award_api::publish_candidates),
        )
        .route(
            "/api/v1/lots/{code}/objections",
            post(award_api::raise_objection),
        )
        .route(
            "/api/v1/lots/{code}/objections/{id}/answer",
            post(award_api::answer_objection),
        )
        .route("/api/v1/lots/{code}/award", post(award_api::award))
        .route("/api/v1/lots/{code}/decline", post(award_api::decline))
        .route(
            "/api/v1/lots/{code}/signing-lapse",
            post(award_api::signing_lapse),
        )
        .route(
            "/api/v1/lots/{code}/contract",
            post(award_api::contract).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route(
            "/api/v1/lots/{code}/performance",
            post(award_api::performance),
        )
        .route("/lots/{code}/award", post(evaluation_pages::award_act))
        .route(
            "/lots/{code}/contract",
            post(evaluation_pages::contract_act).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route(
            "/api/v1/lots/{code}/bids/{bidder}/files/{sm3}",
            get(award_api::bid_file),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/sheet",
            put(award_api::save_sheet),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/conclude",
            post(award_api::conclude_evaluation),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/reopen",
            post(award_api::reopen_evaluation),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/signatures",
            post(award_api::sign_report),
        )
        .route(
            "/lots/{code}/evaluation",
            get(evaluation_pages::evaluation).post(evaluation_pages::evaluation_act),
        )
        .route(
            "/guarantors",
            get(guarantor_pages::guarantors).post(guarantor_pages::guarantors_act),
        )
        .route("/api/v1/lots/{code}/suspend", post(api::suspend_lot))
        .route("/api/v1/lots/{code}/resume", post(api::resume_lot))
        .route("/lots/{code}/suspend", post(pages::suspend))
        .route("/lots/{code}/resume", post(pages::resume))
        .route("/api/v1/ceremonies/{id}/join", post(api::join_ceremony))
        .route("/api/v1/ceremonies/{id}/deal", post(api::deal_ceremony))
        .route(
            "/api/v1/ceremonies/{id}/confirm",
            post(api::confirm_ceremony),
        )
        .route(
            "/api/v1/ceremonies/{id}/complain",
            post(api::complain_ceremony),
        )
        .route("/announcements", get(pages::announcements))
        .route("/announcements/{id}", get(pages::announcement))
        .route("/procedures", get(pages::procedures))
        .route(
            "/procedures/new",
            get(pages::new_procedure_form).post(pages::new_procedure_submit),
        )
        .route("/procedures/{id}", get(pages::procedure))
        .route(
            "/procedures/{id}/documents",
            post(pages::attach_documents).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/procedures/{id}/publish", post(pages::publish))
        .route("/procedures/{id}/amend", post(pages::amend))
        .route("/procedures/{id}/terminate", post(pages::terminate))
        .route("/bids", get(pages::my_bids))
        .route("/lots/{code}/register", post(pages::register))
        .route(
            "/lots/{code}/bid",
            post(pages::submit_bid).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/lots/{code}/withdraw", post(pages::withdraw))
        .route("/lots/{code}/documents", get(pages::documents))
        .route("/lots/{code}/opening", post(pages::start_opening))
        .route("/lots/{code}/live", get(pages::live))
        .route("/keys", get(pages::keys))
}
