//! HTTP: the JSON API under `/api/v1` (with its OpenAPI document), the public portal and role
//! workbenches as server-rendered Chinese pages, authentication, request ids, logs and metrics.
//!
//! Architecture invariant: only this crate knows HTTP. Handlers are thin: they turn requests into
//! application calls and results into JSON or pages.

mod access;
mod api;
mod auction_api;
mod auction_pages;
mod dto;
mod entity_pages;
pub mod errors;
mod evaluation_pages;
mod expert_api;
mod expert_pages;
mod extract;
mod format;
mod metrics_layer;
mod ocds_api;
mod openapi;
mod pages;
mod portal_pages;
mod reference_pages;
mod rejections;
mod request_dto;
mod request_id;
mod security_headers;
mod shared;
mod tender_api;
mod tender_pages;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post, put};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use access::{Access, ROUTES, SESSION_COOKIE};

/// Largest JSON body accepted by the API.
pub const BODY_LIMIT: usize = 1 << 20;
/// Largest uploaded document (tender documents). Sealed bids are streamed and limited by
/// `app::MAX_ENVELOPE_BYTES`.
pub const DOCUMENT_LIMIT: usize = 64 << 20;
/// Largest `multipart/form-data` upload from a page (a sealed bid or the tender documents, and
/// the form's framing). The sealed bid itself is still limited by `app::MAX_ENVELOPE_BYTES`.
const UPLOAD_LIMIT: usize = DOCUMENT_LIMIT + (1 << 20);

/// What every handler can reach.
pub struct AppState {
    pub app: app::App,
    /// Mark session cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Name of the platform shown in pages.
    pub platform_name: String,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppState({:?})", self.app)
    }
}

/// The `Set-Cookie` value of a session cookie (`max_age_s` 0 clears it).
pub(crate) fn session_cookie(state: &AppState, token: &str, max_age_s: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// The whole router.
pub fn router(state: Arc<AppState>) -> Router {
    let routes = Router::new()
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics_layer::render))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/v1/ledger/head", get(api::ledger_head))
        .route("/api/v1/ledger/checkpoint", get(api::ledger_checkpoint))
        .route("/api/v1/ledger/entries", get(api::ledger_entries))
        .route("/api/v1/ledger/entries/{seq}/proof", get(api::ledger_proof))
        .route("/api/v1/ledger/consistency", get(api::ledger_consistency))
        .route("/api/v1/ledger/heads", get(api::ledger_heads))
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
        .route("/api/v1/accounts/{username}", get(api::account))
        .route("/", get(pages::home))
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
        .route("/ledger", get(pages::ledger))
        .route("/ledger/entries/{seq}", get(pages::ledger_entry))
        .route("/static/{file}", get(pages::static_file))
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
        .route("/catalog", get(reference_pages::catalog))
        .route("/rules", get(reference_pages::rules))
        .route("/calendar", get(reference_pages::calendar))
        .route("/trust", get(reference_pages::trust))
        .route("/trust/crl", post(reference_pages::import_crl))
        .route("/api/v1/crl", post(api::import_crl))
        .route("/reference/{kind}/history", get(reference_pages::history))
        .route(
            "/operator/reference/{kind}",
            get(reference_pages::edit_form).post(reference_pages::edit_submit),
        )
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
            "/api/v1/lots/{code}/evaluation",
            post(expert_api::start_evaluation).get(expert_api::evaluation),
        )
        .route(
            "/api/v1/auctions",
            get(auction_api::auctions).post(auction_api::create),
        )
        .route("/api/v1/auctions/{id}", get(auction_api::auction))
        .route("/api/v1/auctions/{id}/events", get(auction_api::events))
        .route("/api/v1/auctions/{id}/verify", get(auction_api::verify))
        .route("/api/v1/auctions/{id}/live", get(auction_api::live))
        .route(
            "/api/v1/auctions/{id}/register",
            post(auction_api::register),
        )
        .route("/api/v1/auctions/{id}/bids", post(auction_api::bid))
        .route(
            "/api/v1/auctions/{id}/deposits",
            post(auction_api::deposit_notice),
        )
        .route(
            "/api/v1/auctions/{id}/deposits/confirm",
            post(auction_api::confirm_deposit),
        )
        .route("/api/v1/auctions/{id}/close", post(auction_api::close))
        .route("/api/v1/auctions/{id}/relist", post(auction_api::relist))
        .route("/api/v1/auctions/{id}/sealed", put(auction_api::sealed))
        .route(
            "/api/v1/auctions/{id}/opening",
            get(auction_api::opening).post(auction_api::start_opening),
        )
        .route(
            "/api/v1/auctions/{id}/partials",
            post(auction_api::partials),
        )
        .route(
            "/api/v1/auctions/{id}/confirmation",
            get(auction_api::confirmation),
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
            "/draws",
            get(expert_pages::draws).post(expert_pages::new_draw),
        )
        .route("/draws/{id}", get(expert_pages::draw))
        .route("/draws/{id}/contribute", post(expert_pages::contribute))
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
        .route("/search", get(portal_pages::search_page))
        .route("/open-data", get(ocds_api::page))
        .route("/api/v1/ocds/releases", get(ocds_api::releases))
        .route("/api/v1/ocds/records", get(ocds_api::records))
        .route(
            "/api/v1/ocds/bulk/releases.jsonl.gz",
            get(ocds_api::bulk_releases),
        )
        .route(
            "/api/v1/ocds/bulk/package.json",
            get(ocds_api::bulk_package),
        )
        .route("/api/v1/export/national", get(ocds_api::national))
        .route("/feeds/{name}", get(portal_pages::feed))
        .route("/sitemap.xml", get(portal_pages::sitemap_index))
        .route("/sitemaps/{file}", get(portal_pages::sitemap))
        .route("/robots.txt", get(portal_pages::robots))
        .route("/credit", get(portal_pages::credit))
        .route("/procedures/{id}/history", get(portal_pages::history))
        .route("/api/v1/search", get(portal_pages::search_api))
        .route("/auctions", get(auction_pages::auctions))
        .route(
            "/auctions/new",
            get(auction_pages::new_form).post(auction_pages::create),
        )
        .route(
            "/auctions/{id}",
            get(auction_pages::auction).post(auction_pages::act),
        )
        .route(
            "/auctions/{id}/confirmation",
            get(auction_pages::confirmation),
        )
        .route("/auctions/{id}/sealed", post(auction_pages::submit_sealed))
        .route(
            "/guarantors",
            get(expert_pages::guarantors).post(expert_pages::guarantors_act),
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
        .route_layer(from_fn_with_state(state.clone(), access::authorize))
        // Outside `authorize`, so refusals are counted too; a route layer, so the route is known.
        .route_layer(from_fn(metrics_layer::track));
    routes
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(from_fn(rejections::layer))
        .layer(from_fn(security_headers::layer))
        .layer(from_fn(request_id::layer))
        .with_state(state)
}

/// Serves until `shutdown` resolves. Calls `ready` with the bound address once listening.
pub async fn serve(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    metrics_layer::install();
    // This node's search index follows the ledger from now on.
    state.app.start_search_follower();
    // Live streams end when the server closes, so that the graceful shutdown can finish.
    let (closing, closed) = tokio::sync::watch::channel(false);
    let app = router(state)
        .layer(axum::Extension(auction_api::Closing(closed)))
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = closing.send(true);
        })
        .await
}
