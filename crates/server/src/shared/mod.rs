//! Helpers every context's handlers share, for the JSON API (`api`) and the pages (`page`).
//! They import no handler, so every context can use them without a circle.

pub(crate) mod api;
pub(crate) mod caller;
pub(crate) mod page;

/// The static files (`/static/{file}`: the stylesheet and scripts, compiled in).
pub(crate) fn routes() -> axum::Router<std::sync::Arc<crate::AppState>> {
    axum::Router::new().route("/static/{file}", axum::routing::get(page::static_file))
}
