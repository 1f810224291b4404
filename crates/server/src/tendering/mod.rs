//! Tendering and procurement: procedures, announcements, registration, sealed bids and the opening, the key ceremony, bonds and guarantors, the evaluation, the award and the contract.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

use crate::AppState;
use crate::{DOCUMENT_LIMIT, UPLOAD_LIMIT};
use crate::{evaluation_pages, expert_api, expert_pages, tender_api, tender_pages};

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/procedures",
            post(tender_api::create_procedure).get(tender_api::procedures),
        )
        .route(
            "/api/v1/procedures/{id}",
            get(tender_api::procedure).put(tender_api::edit_procedure),
        )
        .route(
            "/api/v1/procedures/{id}/documents",
            put(tender_api::attach_documents).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route(
            "/api/v1/procedures/{id}/publish",
            post(tender_api::publish_procedure),
        )
        .route(
            "/api/v1/procedures/{id}/amendments",
            post(tender_api::amend_procedure),
        )
        .route(
            "/api/v1/procedures/{id}/terminate",
            post(tender_api::terminate_procedure),
        )
        .route("/api/v1/announcements", get(tender_api::announcements))
        .route("/api/v1/announcements/{id}", get(tender_api::announcement))
        .route(
            "/api/v1/lots/{code}/registration",
            post(tender_api::register_for_lot),
        )
        .route(
            "/api/v1/lots/{code}/documents",
            get(tender_api::lot_documents),
        )
        .route(
            "/api/v1/lots/{code}/bid",
            put(tender_api::submit_bid)
                .delete(tender_api::withdraw_bid)
                .get(tender_api::my_bid),
        )
        .route("/api/v1/bids", get(tender_api::my_bids))
        .route(
            "/api/v1/lots/{code}/opening",
            post(tender_api::start_opening).get(tender_api::opening_request),
        )
        .route(
            "/api/v1/lots/{code}/partials",
            post(tender_api::submit_partials),
        )
        .route(
            "/api/v1/ceremonies",
            post(tender_api::open_ceremony).get(tender_api::ceremonies),
        )
        .route("/api/v1/ceremonies/{id}", get(tender_api::ceremony))
        .route(
            "/api/v1/lots/{code}/evaluation",
            post(expert_api::start_evaluation).get(expert_api::evaluation),
        )
        .route(
            "/api/v1/guarantors",
            get(expert_api::guarantors).post(expert_api::approve_guarantor),
        )
        .route(
            "/api/v1/guarantors/{id}/withdraw",
            post(expert_api::withdraw_guarantor),
        )
        .route(
            "/api/v1/lots/{code}/bond/guarantee",
            post(expert_api::bond_guarantee),
        )
        .route(
            "/api/v1/lots/{code}/bond/transfer",
            post(expert_api::bond_transfer),
        )
        .route("/api/v1/lots/{code}/bonds", get(expert_api::bonds))
        .route(
            "/api/v1/lots/{code}/bonds/reveal",
            post(expert_api::reveal_bond_bidders),
        )
        .route(
            "/api/v1/lots/{code}/bonds/refund",
            post(expert_api::refund_bonds),
        )
        .route(
            "/api/v1/lots/{code}/bonds/{bidder}/confirm",
            post(expert_api::confirm_bond),
        )
        .route(
            "/api/v1/lots/{code}/bonds/{bidder}/forfeit",
            post(expert_api::forfeit_bond),
        )
        .route("/lots/{code}/bond", post(evaluation_pages::bond_act))
        .route(
            "/api/v1/lots/{code}/candidates",
            post(expert_api::publish_candidates),
        )
        .route(
            "/api/v1/lots/{code}/objections",
            post(expert_api::raise_objection),
        )
        .route(
            "/api/v1/lots/{code}/objections/{id}/answer",
            post(expert_api::answer_objection),
        )
        .route("/api/v1/lots/{code}/award", post(expert_api::award))
        .route(
            "/api/v1/lots/{code}/contract",
            post(expert_api::contract).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route(
            "/api/v1/lots/{code}/performance",
            post(expert_api::performance),
        )
        .route("/lots/{code}/award", post(evaluation_pages::award_act))
        .route(
            "/lots/{code}/contract",
            post(evaluation_pages::contract_act).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT)),
        )
        .route(
            "/api/v1/lots/{code}/bids/{bidder}/files/{sm3}",
            get(expert_api::bid_file),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/sheet",
            put(expert_api::save_sheet),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/conclude",
            post(expert_api::conclude_evaluation),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/reopen",
            post(expert_api::reopen_evaluation),
        )
        .route(
            "/api/v1/lots/{code}/evaluation/signatures",
            post(expert_api::sign_report),
        )
        .route(
            "/lots/{code}/evaluation",
            get(evaluation_pages::evaluation).post(evaluation_pages::evaluation_act),
        )
        .route(
            "/guarantors",
            get(expert_pages::guarantors).post(expert_pages::guarantors_act),
        )
        .route("/api/v1/lots/{code}/suspend", post(tender_api::suspend_lot))
        .route("/api/v1/lots/{code}/resume", post(tender_api::resume_lot))
        .route("/lots/{code}/suspend", post(tender_pages::suspend))
        .route("/lots/{code}/resume", post(tender_pages::resume))
        .route(
            "/api/v1/ceremonies/{id}/join",
            post(tender_api::join_ceremony),
        )
        .route(
            "/api/v1/ceremonies/{id}/deal",
            post(tender_api::deal_ceremony),
        )
        .route(
            "/api/v1/ceremonies/{id}/confirm",
            post(tender_api::confirm_ceremony),
        )
        .route(
            "/api/v1/ceremonies/{id}/complain",
            post(tender_api::complain_ceremony),
        )
        .route("/announcements", get(tender_pages::announcements))
        .route("/announcements/{id}", get(tender_pages::announcement))
        .route("/procedures", get(tender_pages::procedures))
        .route(
            "/procedures/new",
            get(tender_pages::new_procedure_form).post(tender_pages::new_procedure_submit),
        )
        .route("/procedures/{id}", get(tender_pages::procedure))
        .route(
            "/procedures/{id}/documents",
            post(tender_pages::attach_documents).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/procedures/{id}/publish", post(tender_pages::publish))
        .route("/procedures/{id}/amend", post(tender_pages::amend))
        .route("/procedures/{id}/terminate", post(tender_pages::terminate))
        .route("/bids", get(tender_pages::my_bids))
        .route("/lots/{code}/register", post(tender_pages::register))
        .route(
            "/lots/{code}/bid",
            post(tender_pages::submit_bid).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/lots/{code}/withdraw", post(tender_pages::withdraw))
        .route("/lots/{code}/documents", get(tender_pages::documents))
        .route("/lots/{code}/opening", post(tender_pages::start_opening))
        .route("/lots/{code}/live", get(tender_pages::live))
        .route("/keys", get(tender_pages::keys))
}
