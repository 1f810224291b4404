//! Who may call what. Every route is declared here with its access rule; the `authorize`
//! middleware resolves the caller (session cookie or API token), enforces the rule and the CSRF
//! check, and fails closed for a route that is missing from the table.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;

use crate::AppState;
use crate::errors::ApiError;
pub(crate) use crate::shared::caller::MaybeCaller;
pub use crate::shared::caller::SESSION_COOKIE;
pub(crate) use crate::shared::page::urlencode;

/// The header that carries the CSRF token of a cookie-authenticated API call.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body the CSRF check will read.
const FORM_LIMIT: usize = 1 << 20;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    Authenticated,
    /// Accounts holding at least one of these roles.
    Roles(&'static [Role]),
    /// Accounts of the entity named by the route's `{id}`, or accounts holding one of these roles.
    EntityMemberOr(&'static [Role]),
}

const OPERATOR: Access = Access::Roles(&[Role::Operator]);
const SANCTIONING: Access = Access::Roles(&[Role::Operator, Role::Supervisor]);
const SUPERVISOR: Access = Access::Roles(&[Role::Supervisor]);
const OVERSIGHT: Access = Access::Roles(&[Role::Operator, Role::Supervisor, Role::Auditor]);
const TENDERING: Access = Access::Roles(&[Role::Tenderee, Role::Agency]);
const BIDDER: Access = Access::Roles(&[Role::Bidder]);
const OPENER: Access = Access::Roles(&[Role::Operator, Role::Tenderee, Role::Agency]);
const EXPERT: Access = Access::Roles(&[Role::Expert]);
const EXPERT_OR_OPERATOR: Access = Access::Roles(&[Role::Expert, Role::Operator]);
const PANEL_READERS: Access = Access::Roles(&[
    Role::Operator,
    Role::Supervisor,
    Role::Auditor,
    Role::Tenderee,
    Role::Agency,
]);
const EVALUATION_READERS: Access = Access::Roles(&[
    Role::Expert,
    Role::Operator,
    Role::Supervisor,
    Role::Auditor,
    Role::Tenderee,
    Role::Agency,
]);
const EVALUATION_ACTORS: Access =
    Access::Roles(&[Role::Expert, Role::Operator, Role::Tenderee, Role::Agency]);
const BID_FILE_READERS: Access =
    Access::Roles(&[Role::Expert, Role::Bidder, Role::Supervisor, Role::Auditor]);
const AWARD_ACTORS: Access = Access::Roles(&[Role::Tenderee, Role::Agency, Role::Bidder]);
const BOND_READERS: Access = Access::Roles(&[
    Role::Bidder,
    Role::Operator,
    Role::Supervisor,
    Role::Auditor,
    Role::Tenderee,
    Role::Agency,
]);
const BOND_ACTORS: Access = Access::Roles(&[Role::Bidder, Role::Operator]);
const AUCTION_ACTORS: Access = Access::Roles(&[Role::Bidder, Role::Operator]);
/// Warnings: supervision and audit with jurisdiction, and the lot's committee (checked by the
/// application).
const WATCH: Access = Access::Roles(&[Role::Supervisor, Role::Auditor]);
const WARNING_READERS: Access = Access::Roles(&[Role::Supervisor, Role::Auditor, Role::Expert]);
const DRAW_ACTORS: Access = Access::Roles(&[Role::Operator, Role::Tenderee, Role::Agency]);

/// Every route of the server with its access rule. The router is built from the same paths, and
/// a test walks this table with every role.
pub const ROUTES: &[(Method, &str, Access)] = &[
    (Method::GET, "/healthz", Access::Public),
    (Method::GET, "/metrics", Access::Public),
    (Method::GET, "/api/openapi.json", Access::Public),
    (Method::GET, "/api/v1/ledger/head", Access::Public),
    (Method::GET, "/api/v1/ledger/checkpoint", Access::Public),
    (Method::GET, "/api/v1/ledger/entries", Access::Public),
    (
        Method::GET,
        "/api/v1/ledger/entries/{seq}/proof",
        Access::Public,
    ),
    (Method::GET, "/api/v1/ledger/consistency", Access::Public),
    (Method::GET, "/api/v1/ledger/heads", Access::Public),
    (Method::GET, "/api/v1/hub/nodes", Access::Public),
    (
        Method::POST,
        "/api/v1/witness/add-checkpoint",
        Access::Public,
    ),
    (
        Method::GET,
        "/api/v1/ledger/checkpoint/cosigned",
        Access::Public,
    ),
    (Method::GET, "/api/v1/ledger/witnesses", Access::Public),
    (Method::GET, "/api/v1/hub/nodes/{origin}", Access::Public),
    (
        Method::GET,
        "/api/v1/hub/nodes/{origin}/entries",
        Access::Public,
    ),
    (
        Method::GET,
        "/api/v1/hub/nodes/{origin}/entries/{seq}/proof",
        Access::Public,
    ),
    (Method::POST, "/api/v1/session", Access::Public),
    (Method::DELETE, "/api/v1/session", Access::Authenticated),
    (Method::GET, "/api/v1/me", Access::Authenticated),
    (Method::POST, "/api/v1/tokens", Access::Authenticated),
    (Method::GET, "/api/v1/tokens", Access::Authenticated),
    (Method::DELETE, "/api/v1/tokens/{id}", Access::Authenticated),
    (Method::POST, "/api/v1/registrations", Access::Public),
    (Method::GET, "/api/v1/entities", Access::Public),
    (Method::POST, "/api/v1/entities", OPERATOR),
    (Method::GET, "/api/v1/entities/{id}", Access::Public),
    (Method::POST, "/api/v1/entities/{id}/approve", OPERATOR),
    (Method::POST, "/api/v1/entities/{id}/reject", OPERATOR),
    (
        Method::PUT,
        "/api/v1/entities/{id}/qualifications",
        Access::EntityMemberOr(&[Role::Operator]),
    ),
    (
        Method::PUT,
        "/api/v1/entities/{id}/bank-account",
        Access::EntityMemberOr(&[Role::Operator]),
    ),
    (Method::POST, "/api/v1/entities/{id}/suspend", OPERATOR),
    (
        Method::POST,
        "/api/v1/entities/{id}/personal-data",
        OVERSIGHT,
    ),
    (Method::POST, "/api/v1/entities/{id}/bar", SANCTIONING),
    (Method::POST, "/api/v1/entities/{id}/reinstate", SANCTIONING),
    (
        Method::POST,
        "/api/v1/entities/{id}/certificates",
        Access::EntityMemberOr(&[Role::Operator]),
    ),
    (
        Method::POST,
        "/api/v1/entities/{id}/certificates/{fingerprint}/revoke",
        OPERATOR,
    ),
    (Method::POST, "/api/v1/accounts", OPERATOR),
    (Method::GET, "/api/v1/accounts/claim", Access::Public),
    (Method::POST, "/api/v1/accounts/claim", Access::Public),
    (Method::GET, "/claim", Access::Public),
    (Method::POST, "/claim", Access::Public),
    (Method::GET, "/api/v1/accounts/{username}", OVERSIGHT),
    (Method::GET, "/", Access::Public),
    (Method::GET, "/login", Access::Public),
    (Method::POST, "/login", Access::Public),
    (Method::POST, "/logout", Access::Authenticated),
    (Method::GET, "/register", Access::Public),
    (Method::POST, "/register", Access::Public),
    (Method::GET, "/me", Access::Authenticated),
    (Method::POST, "/me/tokens", Access::Authenticated),
    (Method::POST, "/me/tokens/revoke", Access::Authenticated),
    (Method::GET, "/search", Access::Public),
    (Method::GET, "/api/v1/search", Access::Public),
    (Method::GET, "/open-data", Access::Public),
    (Method::GET, "/api/v1/ocds/releases", Access::Public),
    (Method::GET, "/api/v1/ocds/records", Access::Public),
    (
        Method::GET,
        "/api/v1/ocds/bulk/releases.jsonl.gz",
        Access::Public,
    ),
    (
        Method::GET,
        "/api/v1/ocds/bulk/package.json",
        Access::Public,
    ),
    (Method::GET, "/api/v1/export/national", Access::Public),
    (Method::GET, "/feeds/{name}", Access::Public),
    (Method::GET, "/sitemap.xml", Access::Public),
    (Method::GET, "/sitemaps/{file}", Access::Public),
    (Method::GET, "/robots.txt", Access::Public),
    (Method::GET, "/credit", Access::Public),
    (Method::GET, "/credit/standards", Access::Public),
    (Method::GET, "/credit/subjects/{subject}", Access::Public),
    (
        Method::POST,
        "/credit/subjects/{subject}/records/{n}/repair",
        Access::Authenticated,
    ),
    (
        Method::POST,
        "/credit/subjects/{subject}/records/{n}/review",
        OPERATOR,
    ),
    (Method::GET, "/operator/credit", OPERATOR),
    (Method::POST, "/operator/credit/import", OPERATOR),
    (Method::POST, "/operator/credit/match", OPERATOR),
    (Method::GET, "/api/v1/credit", Access::Public),
    (Method::GET, "/api/v1/credit/records", Access::Public),
    (
        Method::GET,
        "/api/v1/credit/subjects/{subject}",
        Access::Public,
    ),
    (
        Method::POST,
        "/api/v1/credit/subjects/{subject}/records/{n}/repair",
        Access::Authenticated,
    ),
    (
        Method::POST,
        "/api/v1/credit/subjects/{subject}/records/{n}/review",
        OPERATOR,
    ),
    (Method::GET, "/api/v1/credit/lists", OVERSIGHT),
    (Method::POST, "/api/v1/credit/lists", OPERATOR),
    (
        Method::POST,
        "/api/v1/credit/lists/{list}/matches",
        OPERATOR,
    ),
    (Method::POST, "/api/v1/auctions/{id}/default", OPERATOR),
    (Method::GET, "/supervision", Access::Public),
    (Method::GET, "/supervision/decisions", Access::Public),
    (Method::GET, "/reports/new", Access::Public),
    (Method::POST, "/reports", Access::Public),
    (Method::GET, "/reports/query", Access::Public),
    (Method::POST, "/reports/query", Access::Public),
    (Method::GET, "/complaints/new", BIDDER),
    (Method::POST, "/complaints", BIDDER),
    (Method::GET, "/cases", Access::Authenticated),
    (Method::GET, "/cases/{id}", Access::Authenticated),
    (Method::POST, "/cases/{id}/act", SUPERVISOR),
    (Method::POST, "/cases/{id}/decision", SUPERVISOR),
    (Method::POST, "/cases/{id}/reply", Access::Authenticated),
    (
        Method::GET,
        "/cases/{id}/evidence/{sm3}",
        Access::Authenticated,
    ),
    (
        Method::GET,
        "/api/v1/supervision/departments",
        Access::Public,
    ),
    (Method::GET, "/api/v1/supervision/decisions", Access::Public),
    (Method::POST, "/api/v1/complaints", BIDDER),
    (Method::POST, "/api/v1/reports", Access::Public),
    (Method::POST, "/api/v1/reports/query", Access::Public),
    (Method::GET, "/api/v1/cases", Access::Authenticated),
    (Method::GET, "/api/v1/cases/{id}", Access::Authenticated),
    (Method::POST, "/api/v1/cases/{id}/acts", SUPERVISOR),
    (
        Method::POST,
        "/api/v1/cases/{id}/decision/to-sign",
        SUPERVISOR,
    ),
    (Method::POST, "/api/v1/cases/{id}/decision", SUPERVISOR),
    (Method::GET, "/me/reads", Access::Authenticated),
    (Method::GET, "/api/v1/me/reads", Access::Authenticated),
    (
        Method::GET,
        "/oversight",
        Access::Roles(&[Role::Supervisor, Role::Auditor]),
    ),
    (
        Method::GET,
        "/oversight/lots/{code}",
        Access::Roles(&[Role::Supervisor, Role::Auditor]),
    ),
    (Method::GET, "/warning-rules", Access::Public),
    (Method::GET, "/statistics", Access::Public),
    (Method::GET, "/statistics/download", Access::Public),
    (Method::GET, "/api/v1/statistics", Access::Public),
    (Method::GET, "/supervision/statistics", WATCH),
    (Method::GET, "/supervision/warnings", WARNING_READERS),
    (Method::GET, "/supervision/warnings/{id}", WARNING_READERS),
    (Method::POST, "/supervision/warnings/{id}/close", SUPERVISOR),
    (Method::POST, "/supervision/warnings/{id}/case", SUPERVISOR),
    (Method::GET, "/api/v1/warnings", WARNING_READERS),
    (Method::GET, "/api/v1/warnings/{id}", WARNING_READERS),
    (Method::POST, "/api/v1/warnings/{id}/close", SUPERVISOR),
    (Method::POST, "/api/v1/warnings/{id}/case", SUPERVISOR),
    (Method::GET, "/procedures/{id}/history", Access::Public),
    (Method::GET, "/entities", Access::Public),
    (Method::GET, "/entities/{id}", Access::Public),
    (
        Method::POST,
        "/entities/{id}/qualifications",
        Access::EntityMemberOr(&[Role::Operator]),
    ),
    (
        Method::POST,
        "/entities/{id}/bank-account",
        Access::EntityMemberOr(&[Role::Operator]),
    ),
    (Method::POST, "/entities/{id}/suspend", OPERATOR),
    (Method::POST, "/entities/{id}/personal-data", OVERSIGHT),
    (Method::POST, "/entities/{id}/bar", SANCTIONING),
    (Method::POST, "/entities/{id}/reinstate", SANCTIONING),
    (
        Method::POST,
        "/entities/{id}/certificates",
        Access::EntityMemberOr(&[Role::Operator]),
    ),
    (
        Method::POST,
        "/entities/{id}/certificates/{fingerprint}/revoke",
        OPERATOR,
    ),
    (Method::GET, "/operator/reviews", OPERATOR),
    (Method::POST, "/operator/reviews/{id}/approve", OPERATOR),
    (Method::POST, "/operator/reviews/{id}/reject", OPERATOR),
    (Method::GET, "/ledger", Access::Public),
    (Method::GET, "/ledger/entries/{seq}", Access::Public),
    (Method::GET, "/nodes", Access::Public),
    (Method::GET, "/nodes/{origin}", Access::Public),
    (Method::GET, "/static/{file}", Access::Public),
    (Method::GET, "/api/v1/reference/{kind}", Access::Public),
    (Method::POST, "/api/v1/reference/{kind}", OPERATOR),
    (
        Method::GET,
        "/api/v1/reference/{kind}/versions",
        Access::Public,
    ),
    (
        Method::GET,
        "/api/v1/reference/{kind}/versions/{version}",
        Access::Public,
    ),
    (Method::GET, "/api/v1/rules/resolve", Access::Public),
    (Method::GET, "/api/v1/calendar/deadline", Access::Public),
    (Method::GET, "/catalog", Access::Public),
    (Method::GET, "/rules", Access::Public),
    (Method::GET, "/calendar", Access::Public),
    (Method::GET, "/trust", Access::Public),
    (Method::POST, "/trust/crl", OPERATOR),
    (Method::POST, "/api/v1/crl", OPERATOR),
    (Method::GET, "/reference/{kind}/history", Access::Public),
    (Method::GET, "/operator/reference/{kind}", OPERATOR),
    (Method::POST, "/operator/reference/{kind}", OPERATOR),
    // Electronic tendering. The application also checks that the caller manages the procedure,
    // holds the bid, or sits in the ceremony.
    (Method::POST, "/api/v1/procedures", TENDERING),
    (Method::GET, "/api/v1/procedures", Access::Public),
    (Method::GET, "/api/v1/procedures/{id}", Access::Public),
    (Method::PUT, "/api/v1/procedures/{id}", TENDERING),
    (Method::PUT, "/api/v1/procedures/{id}/documents", TENDERING),
    (Method::POST, "/api/v1/procedures/{id}/publish", TENDERING),
    (
        Method::POST,
        "/api/v1/procedures/{id}/amendments",
        TENDERING,
    ),
    (Method::POST, "/api/v1/procedures/{id}/terminate", TENDERING),
    (Method::GET, "/api/v1/announcements", Access::Public),
    (Method::GET, "/api/v1/announcements/{id}", Access::Public),
    (Method::POST, "/api/v1/lots/{code}/registration", BIDDER),
    (
        Method::GET,
        "/api/v1/lots/{code}/documents",
        Access::Authenticated,
    ),
    (Method::PUT, "/api/v1/lots/{code}/bid", BIDDER),
    (Method::DELETE, "/api/v1/lots/{code}/bid", BIDDER),
    (Method::GET, "/api/v1/lots/{code}/bid", BIDDER),
    (Method::GET, "/api/v1/bids", BIDDER),
    (Method::POST, "/api/v1/lots/{code}/opening", OPENER),
    (Method::GET, "/api/v1/lots/{code}/opening", Access::Public),
    (
        Method::POST,
        "/api/v1/lots/{code}/partials",
        Access::Authenticated,
    ),
    (Method::POST, "/api/v1/lots/{code}/suspend", SANCTIONING),
    (Method::POST, "/api/v1/lots/{code}/resume", SANCTIONING),
    (Method::POST, "/lots/{code}/suspend", SANCTIONING),
    (Method::POST, "/lots/{code}/resume", SANCTIONING),
    (Method::POST, "/api/v1/draws", OPERATOR),
    (Method::GET, "/api/v1/draws", OVERSIGHT),
    (Method::GET, "/api/v1/draws/{id}", Access::Public),
    (Method::POST, "/api/v1/draws/{id}/contribution", SUPERVISOR),
    // Panels: the use cases decide (trading center and oversight; the organiser of the lot).
    (Method::GET, "/api/v1/draws/{id}/panel", PANEL_READERS),
    (Method::POST, "/api/v1/draws/{id}/confirm", EXPERT),
    (
        Method::POST,
        "/api/v1/draws/{id}/decline",
        EXPERT_OR_OPERATOR,
    ),
    (Method::POST, "/api/v1/draws/{id}/no-response", OPERATOR),
    (Method::POST, "/api/v1/draws/{id}/declaration", EXPERT),
    (Method::POST, "/api/v1/draws/{id}/ratings", TENDERING),
    (Method::POST, "/api/v1/draws/{id}/disclose", OPERATOR),
    (Method::GET, "/api/v1/me/evaluations", EXPERT),
    (
        Method::POST,
        "/api/v1/experts/{id}/relations",
        EXPERT_OR_OPERATOR,
    ),
    (Method::POST, "/api/v1/experts/{id}/account", OPERATOR),
    (Method::GET, "/api/v1/rooms", Access::Public),
    (Method::POST, "/api/v1/rooms", OPERATOR),
    (Method::POST, "/api/v1/rooms/{id}/bookings", OPERATOR),
    (
        Method::POST,
        "/api/v1/rooms/{id}/bookings/{booking}/cancel",
        OPERATOR,
    ),
    // Evaluation: the use cases decide who of these may (committee experts after the
    // declaration; the lot's organiser; the trading center; supervision and audit read).
    (Method::POST, "/api/v1/lots/{code}/evaluation", OPENER),
    (
        Method::GET,
        "/api/v1/lots/{code}/evaluation",
        EVALUATION_READERS,
    ),
    (Method::PUT, "/api/v1/lots/{code}/evaluation/sheet", EXPERT),
    (
        Method::GET,
        "/api/v1/lots/{code}/bids/{bidder}/files/{sm3}",
        BID_FILE_READERS,
    ),
    (
        Method::POST,
        "/api/v1/lots/{code}/evaluation/conclude",
        EVALUATION_ACTORS,
    ),
    (
        Method::POST,
        "/api/v1/lots/{code}/evaluation/reopen",
        OPENER,
    ),
    (
        Method::POST,
        "/api/v1/lots/{code}/evaluation/signatures",
        EXPERT,
    ),
    (Method::GET, "/lots/{code}/evaluation", EVALUATION_READERS),
    // Bonds: a bidder gives one; the trading center confirms, refunds or withholds.
    // Online sales: watching, history and replay are public; a bank's deposit notice is
    // authenticated by the signature of an accepted institution's certificate, not an account.
    (Method::GET, "/api/v1/auctions", Access::Public),
    (Method::POST, "/api/v1/auctions", OPERATOR),
    (Method::GET, "/api/v1/auctions/{id}", Access::Public),
    (Method::GET, "/api/v1/auctions/{id}/events", Access::Public),
    (Method::GET, "/api/v1/auctions/{id}/verify", Access::Public),
    (Method::GET, "/api/v1/auctions/{id}/live", Access::Public),
    (Method::POST, "/api/v1/auctions/{id}/register", BIDDER),
    (Method::POST, "/api/v1/auctions/{id}/bids", BIDDER),
    (
        Method::POST,
        "/api/v1/auctions/{id}/deposits",
        Access::Public,
    ),
    (
        Method::POST,
        "/api/v1/auctions/{id}/deposits/confirm",
        OPERATOR,
    ),
    (Method::POST, "/api/v1/auctions/{id}/close", OPERATOR),
    (Method::POST, "/api/v1/auctions/{id}/relist", OPERATOR),
    // 密封报价: the envelope by its bidder; the opening fixed by the trading center; the
    // holders' request is public (its entries are), their partials checked against the account.
    (Method::PUT, "/api/v1/auctions/{id}/sealed", BIDDER),
    (Method::GET, "/api/v1/auctions/{id}/opening", Access::Public),
    (Method::POST, "/api/v1/auctions/{id}/opening", OPERATOR),
    (
        Method::POST,
        "/api/v1/auctions/{id}/partials",
        Access::Authenticated,
    ),
    // The 成交确认书: the trading center, oversight, the 出让人 and the buyers (checked by the
    // use case: a buyer sees its own line).
    (
        Method::GET,
        "/api/v1/auctions/{id}/confirmation",
        Access::Authenticated,
    ),
    (Method::GET, "/api/v1/guarantors", Access::Public),
    (Method::POST, "/api/v1/guarantors", OPERATOR),
    (Method::POST, "/api/v1/guarantors/{id}/withdraw", OPERATOR),
    (Method::POST, "/api/v1/lots/{code}/bond/guarantee", BIDDER),
    (Method::POST, "/api/v1/lots/{code}/bond/transfer", BIDDER),
    (Method::GET, "/api/v1/lots/{code}/bonds", BOND_READERS),
    (
        Method::POST,
        "/api/v1/lots/{code}/bonds/reveal",
        Access::Roles(&[Role::Supervisor]),
    ),
    (Method::POST, "/api/v1/lots/{code}/bonds/refund", OPERATOR),
    (
        Method::POST,
        "/api/v1/lots/{code}/bonds/{bidder}/confirm",
        OPERATOR,
    ),
    (
        Method::POST,
        "/api/v1/lots/{code}/bonds/{bidder}/forfeit",
        OPERATOR,
    ),
    (Method::POST, "/lots/{code}/bond", BOND_ACTORS),
    // After the evaluation: the organiser acts; a bidder objects.
    (Method::POST, "/api/v1/lots/{code}/candidates", TENDERING),
    (Method::POST, "/api/v1/lots/{code}/objections", BIDDER),
    (
        Method::POST,
        "/api/v1/lots/{code}/objections/{id}/answer",
        TENDERING,
    ),
    (Method::POST, "/api/v1/lots/{code}/award", TENDERING),
    (Method::POST, "/api/v1/lots/{code}/decline", BIDDER),
    (Method::POST, "/api/v1/lots/{code}/signing-lapse", OPENER),
    (Method::POST, "/api/v1/lots/{code}/contract", TENDERING),
    (Method::POST, "/api/v1/lots/{code}/performance", TENDERING),
    (Method::POST, "/lots/{code}/award", AWARD_ACTORS),
    (Method::POST, "/lots/{code}/contract", TENDERING),
    (Method::POST, "/lots/{code}/evaluation", EVALUATION_ACTORS),
    (Method::GET, "/draws", OVERSIGHT),
    (Method::POST, "/draws", OPERATOR),
    (Method::GET, "/draws/{id}", Access::Public),
    (Method::POST, "/draws/{id}/contribute", SUPERVISOR),
    (Method::POST, "/draws/{id}/reveal", SANCTIONING),
    (Method::POST, "/draws/{id}/act", DRAW_ACTORS),
    (Method::GET, "/me/evaluations", EXPERT),
    (Method::POST, "/me/evaluations", EXPERT),
    (Method::POST, "/experts/new", OPERATOR),
    (Method::GET, "/experts/{id}", OVERSIGHT),
    (Method::POST, "/experts/{id}/act", OPERATOR),
    (Method::GET, "/rooms", Access::Public),
    (Method::POST, "/rooms", OPERATOR),
    (Method::GET, "/auctions", Access::Public),
    (Method::GET, "/auctions/new", OPERATOR),
    (Method::POST, "/auctions/new", OPERATOR),
    (Method::GET, "/auctions/{id}", Access::Public),
    (Method::POST, "/auctions/{id}", AUCTION_ACTORS),
    (
        Method::GET,
        "/auctions/{id}/confirmation",
        Access::Authenticated,
    ),
    (Method::POST, "/auctions/{id}/sealed", BIDDER),
    (Method::GET, "/guarantors", Access::Public),
    (Method::POST, "/guarantors", OPERATOR),
    (Method::GET, "/experts", OVERSIGHT),
    (Method::POST, "/experts/import", OPERATOR),
    (Method::GET, "/api/v1/experts", OVERSIGHT),
    (Method::POST, "/api/v1/experts", OPERATOR),
    (Method::POST, "/api/v1/experts/import", OPERATOR),
    (Method::GET, "/api/v1/experts/{id}", OVERSIGHT),
    (Method::POST, "/api/v1/experts/{id}/leave", OPERATOR),
    (Method::POST, "/api/v1/experts/{id}/suspend", OPERATOR),
    (Method::POST, "/api/v1/experts/{id}/reinstate", OPERATOR),
    (Method::POST, "/api/v1/experts/{id}/retire", OPERATOR),
    (Method::POST, "/api/v1/ceremonies", OPERATOR),
    (Method::GET, "/api/v1/ceremonies", Access::Public),
    (Method::GET, "/api/v1/ceremonies/{id}", Access::Public),
    (
        Method::POST,
        "/api/v1/ceremonies/{id}/join",
        Access::Authenticated,
    ),
    (
        Method::POST,
        "/api/v1/ceremonies/{id}/deal",
        Access::Authenticated,
    ),
    (
        Method::POST,
        "/api/v1/ceremonies/{id}/confirm",
        Access::Authenticated,
    ),
    (
        Method::POST,
        "/api/v1/ceremonies/{id}/complain",
        Access::Authenticated,
    ),
    // The pages of electronic tendering. Announcements, procedures, the live opening and the key
    // ceremonies are public; bidders never see another bidder before the opening.
    (Method::GET, "/announcements", Access::Public),
    (Method::GET, "/announcements/{id}", Access::Public),
    (Method::GET, "/procedures", Access::Public),
    (Method::GET, "/procedures/new", TENDERING),
    (Method::POST, "/procedures/new", TENDERING),
    (Method::GET, "/procedures/{id}", Access::Public),
    (Method::POST, "/procedures/{id}/documents", TENDERING),
    (Method::POST, "/procedures/{id}/publish", TENDERING),
    (Method::POST, "/procedures/{id}/amend", TENDERING),
    (Method::POST, "/procedures/{id}/terminate", TENDERING),
    (Method::GET, "/bids", BIDDER),
    (Method::POST, "/lots/{code}/register", BIDDER),
    (Method::POST, "/lots/{code}/bid", BIDDER),
    (Method::POST, "/lots/{code}/withdraw", BIDDER),
    (Method::GET, "/lots/{code}/documents", Access::Authenticated),
    (Method::POST, "/lots/{code}/opening", OPENER),
    (Method::GET, "/lots/{code}/live", Access::Public),
    (Method::GET, "/keys", Access::Public),
];

pub(crate) fn rule_for(method: &Method, path: &str) -> Option<Access> {
    // HEAD is answered like GET.
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    ROUTES
        .iter()
        .find(|(m, p, _)| m == method && *p == path)
        .map(|(_, _, access)| *access)
}

fn cookie(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// How the caller authenticated.
enum Credential {
    None,
    Session,
    Token,
}

pub(crate) async fn authorize(
    State(state): State<Arc<AppState>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let uri_path = request.uri().path().to_string();
    let api = is_api(&uri_path);
    let Some(matched) = matched else {
        return ApiError::new("NOT_FOUND").into_response();
    };
    let Some(access) = rule_for(request.method(), matched.as_str()) else {
        tracing::error!(
            path = matched.as_str(),
            "route has no access rule; refusing"
        );
        return ApiError::new("NOT_AUTHORIZED").into_response();
    };

    // Resolve the caller.
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let (caller, credential, expired) = if let Some(token) = bearer {
        match state.app.caller_from_token(&token).await {
            Ok(caller) => (Some(caller), Credential::Token, false),
            // A machine client's bad or revoked token: refused outright, never redirected to a
            // log-in page it would meet with the same header again.
            Err(error) => {
                let error = ApiError::from(error);
                return if api {
                    error.into_response()
                } else {
                    crate::shared::page::error_page(
                        error.status(),
                        error.code,
                        "API 令牌无效、已过期或已吊销。",
                    )
                };
            }
        }
    } else if let Some(token) = cookie(&request, SESSION_COOKIE) {
        match state.app.caller_from_session(&token).await {
            Ok(caller) => (Some(caller), Credential::Session, false),
            Err(app::AppError::Unauthenticated) => (None, Credential::None, true),
            Err(error) => return ApiError::from(error).into_response(),
        }
    } else {
        (None, Credential::None, false)
    };

    // Enforce the route's rule.
    let allowed = match (access, &caller) {
        (Access::Public, _) => true,
        (Access::Authenticated, Some(_)) => true,
        (Access::Roles(roles), Some(caller)) => caller.has_any(roles),
        (Access::EntityMemberOr(roles), Some(caller)) => {
            caller.has_any(roles)
                || path_param(matched.as_str(), &uri_path, "{id}")
                    .is_some_and(|id| caller.acts_for(id))
        }
        (_, None) => {
            let message = if expired {
                "会话已过期，请重新登录"
            } else {
                "请先登录"
            };
            // Back to this page after logging in — or, for a form post, to the page it came from.
            let back = crate::shared::page::return_path(
                request.method(),
                request.uri(),
                request.headers(),
            );
            return deny(
                api,
                &back,
                ApiError::with_message("NOT_AUTHENTICATED", message),
            );
        }
    };
    if !allowed {
        return deny(api, &uri_path, ApiError::new("NOT_AUTHORIZED"));
    }

    // CSRF: state-changing requests made with a session cookie must carry the session's token;
    // anonymous form posts must come from this site.
    let mut request = request;
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method {
        match credential {
            Credential::Token => {}
            Credential::Session => {
                let expected = caller
                    .as_ref()
                    .and_then(|c| c.csrf.clone())
                    .unwrap_or_default();
                let (ok, rebuilt) = csrf_token_matches(request, &expected).await;
                request = rebuilt;
                if !ok {
                    return deny(api, &uri_path, ApiError::new("CSRF_FAILED"));
                }
            }
            Credential::None => {
                if !same_origin(&request) {
                    return deny(api, &uri_path, ApiError::new("CSRF_FAILED"));
                }
            }
        }
    }

    request.extensions_mut().insert(MaybeCaller(caller));
    next.run(request).await
}

/// The value of `{name}` in `path`, read against the route `template`.
fn path_param<'a>(template: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let position = template.split('/').position(|segment| segment == name)?;
    path.split('/').nth(position)
}

fn deny(api: bool, path: &str, error: ApiError) -> Response {
    if api {
        return error.into_response();
    }
    if error.code == "NOT_AUTHENTICATED" && path != "/login" {
        let target = format!("/login?next={}", urlencode(path));
        return Redirect::to(&target).into_response();
    }
    crate::shared::page::error_page(error.status(), error.code, &error.message)
}

/// Checks the CSRF token in the `x-csrf-token` header, in the `csrf` field of a form body
/// (which is read and put back), or — for a file upload (`multipart/form-data`), whose body is
/// streamed to the handler — in its **first** part, a `csrf` field (the page's forms put the
/// hidden input first; browsers send fields in document order). Only that part is read here;
/// the rest streams on untouched. The token never goes into a URL, where access logs and
/// `Referer` headers would keep it.
async fn csrf_token_matches(request: Request, expected: &str) -> (bool, Request) {
    if expected.is_empty() {
        return (false, request);
    }
    if let Some(value) = request.headers().get(CSRF_HEADER) {
        let ok = value.to_str().is_ok_and(|v| constant_time_eq(v, expected));
        return (ok, request);
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        let Some(boundary) = multipart_boundary(content_type) else {
            return (false, request);
        };
        return multipart_csrf(request, &boundary, expected).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return (false, request);
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return (false, Request::from_parts(parts, Body::empty()));
    };
    let ok = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .is_some_and(|(_, v)| constant_time_eq(&v, expected));
    (ok, Request::from_parts(parts, Body::from(bytes)))
}

/// The `boundary` parameter of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// What the start of a multipart body says of its first part: `Some(Some(value))` once the part
/// is complete and is the `csrf` field, `Some(None)` once it is clearly something else, `None`
/// while more bytes are needed.
fn first_part_csrf(prefix: &[u8], boundary: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    if prefix.len() < opening.len() {
        return None;
    }
    let Some(rest) = prefix.strip_prefix(opening.as_bytes()) else {
        return Some(None);
    };
    let Some(headers_end) = find(rest, b"\r\n\r\n") else {
        return (rest.len() > 1024).then_some(None);
    };
    let headers = String::from_utf8_lossy(&rest[..headers_end]).to_ascii_lowercase();
    let named_csrf = headers.lines().any(|line| {
        line.starts_with("content-disposition:")
            && line.contains("form-data")
            && line
                .split(';')
                .any(|param| matches!(param.trim(), "name=\"csrf\"" | "name=csrf"))
    });
    if !named_csrf {
        return Some(None);
    }
    let value = &rest[headers_end + 4..];
    let closing = format!("\r\n--{boundary}");
    match find(value, closing.as_bytes()) {
        Some(end) => Some(Some(String::from_utf8_lossy(&value[..end]).into_owned())),
        None => (value.len() > 1024).then_some(None),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Reads a multipart body only as far as its first part, checks it is the session's CSRF
/// token, and puts the bytes read back in front of the rest of the stream.
async fn multipart_csrf(request: Request, boundary: &str, expected: &str) -> (bool, Request) {
    use futures_util::StreamExt;
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut prefix: Vec<u8> = Vec::new();
    let verdict = loop {
        if let Some(found) = first_part_csrf(&prefix, boundary) {
            break found;
        }
        if prefix.len() > 4096 {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            _ => break None,
        }
    };
    let ok = verdict.is_some_and(|value| constant_time_eq(&value, expected));
    let head = futures_util::stream::iter([Ok::<_, axum::Error>(axum::body::Bytes::from(prefix))]);
    let body = Body::from_stream(head.chain(stream));
    (ok, Request::from_parts(parts, body))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// True unless the request names an `Origin` (or, lacking it, a `Referer`) on another host.
fn same_origin(request: &Request) -> bool {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let source = request
        .headers()
        .get(header::ORIGIN)
        .or_else(|| request.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source {
        None => true,
        Some(source) => {
            let without_scheme = source.split("://").nth(1).unwrap_or("");
            let source_host = without_scheme.split('/').next().unwrap_or("");
            !host.is_empty() && source_host == host
        }
    }
}
