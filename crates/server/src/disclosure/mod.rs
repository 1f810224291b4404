//! Disclosure: the home page, search, feeds and sitemaps, project histories, the credit list, and open data (OCDS, the national export).
//!
//! May use `shared`, the edge, and the pages of `tendering` (the latest announcements) and `witness` (the newest entries) for the home page.

pub(crate) mod home;
pub(crate) mod ocds;
pub(crate) mod portal;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::AppState;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(home::home))
        .route("/search", get(portal::search_page))
        .route("/open-data", get(ocds::page))
        .route("/api/v1/ocds/releases", get(ocds::releases))
        .route("/api/v1/ocds/records", get(ocds::records))
        .route(
            "/api/v1/ocds/bulk/releases.jsonl.gz",
            get(ocds::bulk_releases),
        )
        .route("/api/v1/ocds/bulk/package.json", get(ocds::bulk_package))
        .route("/api/v1/export/national", get(ocds::national))
        .route("/feeds/{name}", get(portal::feed))
        .route("/sitemap.xml", get(portal::sitemap_index))
        .route("/sitemaps/{file}", get(portal::sitemap))
        .route("/robots.txt", get(portal::robots))
        .route("/credit", get(portal::credit))
        .route("/procedures/{id}/history", get(portal::history))
        .route("/api/v1/search", get(portal::search_api))
}
