//! Federation: the nodes a provincial hub follows, their state and the evidence against any that
//! misbehaved, as JSON and as pages; and the follower that keeps the mirror (`ggzy hub`).
//!
//! May use `shared` and the edge.

pub(crate) mod api;
pub(crate) mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// This context's routes (who may call each: `access::ROUTES`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/hub/nodes", get(api::nodes))
        .route("/api/v1/hub/nodes/{origin}", get(api::node))
        .route(
            "/api/v1/hub/nodes/{origin}/entries",
            get(api::mirrored_entries),
        )
        .route(
            "/api/v1/hub/nodes/{origin}/entries/{seq}/proof",
            get(api::mirrored_proof),
        )
        .route("/api/v1/witness/add-checkpoint", post(api::add_checkpoint))
        .route(
            "/api/v1/ledger/checkpoint/cosigned",
            get(api::cosigned_checkpoint),
        )
        .route("/api/v1/ledger/witnesses", get(api::witnesses))
        .route("/nodes", get(pages::nodes))
        .route("/nodes/{origin}", get(pages::node))
}

/// Follows every registered node, each in its own task: a step at once while the node has more
/// to mirror, otherwise one every `interval`. A node registered later is picked up within a
/// few intervals.
pub fn start_hub_follower(state: Arc<AppState>, interval: Duration) {
    tokio::spawn(async move {
        let mut following = std::collections::HashSet::new();
        loop {
            match state.app.followed_nodes().await {
                Ok(nodes) => {
                    for node in nodes {
                        if following.insert(node.origin.clone()) {
                            tokio::spawn(follow(state.clone(), node.origin, node.url, interval));
                        }
                    }
                }
                Err(e) => tracing::error!(error = %e, "hub: cannot list the followed nodes"),
            }
            tokio::time::sleep(interval * 5).await;
        }
    });
}

async fn follow(state: Arc<AppState>, origin: String, url: String, interval: Duration) {
    let feed = app::federation::NodeFeed::new(&url);
    loop {
        let step = state.app.follow_node(&origin, &feed).await;
        // What the log shares (entities, sanctions, credit) is taken in as soon as it is mirrored.
        match state.app.relay_from(&origin).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(%origin, relayed = n, "province registry: relayed"),
            Err(e) => tracing::error!(%origin, error = %e, "province registry: relaying failed"),
        }
        match step {
            Ok(step) if step.behind => continue,
            Ok(step) => {
                if step.mirrored > 0 {
                    tracing::debug!(%origin, mirrored = step.mirrored, "hub: mirrored");
                }
            }
            Err(e) => tracing::error!(%origin, error = %e, "hub: following failed"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Asks this node's witnesses to cosign its newest checkpoint about once a second
/// (`serve` does when witnesses are configured).
pub(crate) fn start_witnessing(state: Arc<AppState>) {
    tokio::spawn(async move {
        let client = app::federation::witness::http_client();
        loop {
            if let Err(e) = state.app.witnessing_round(&client).await {
                tracing::error!(error = %e, "witnessing round failed");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}
