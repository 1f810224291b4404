//! The hub's pages: the followed nodes with their state, and one node with the evidence against
//! it when it rolled back, forked or served an entry its tree does not hold.

use std::sync::Arc;

use app::AppError;
use app::federation::NodeStatus;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use ledger::monitor::Misbehaviour;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::format::{beijing_time_seconds, region_name};
use crate::shared::page::{Layout, app_error_page, layout, render};

/// A node as a table row.
struct NodeRow {
    origin: String,
    name: String,
    region: String,
    url: String,
    public_key: String,
    head_size: String,
    head_time: String,
    head_root: String,
    mirrored_size: u64,
    contacted: String,
    status_label: String,
    status_class: &'static str,
    error: String,
    /// Followed as this platform's registry (the province's hub).
    registry: bool,
}

fn misbehaviour_label(kind: Misbehaviour) -> &'static str {
    match kind {
        Misbehaviour::Rollback => "账本回滚",
        Misbehaviour::Fork => "账本分叉",
        Misbehaviour::EntryMismatch => "条目与签名账本不符",
    }
}

fn node_row(n: &NodeStatus) -> NodeRow {
    let (status_label, status_class) = match (n.flagged, n.error.is_empty(), &n.head) {
        (Some(kind), _, _) => (format!("已标记：{}", misbehaviour_label(kind)), "bad"),
        (None, false, _) => ("无法同步".to_string(), "warn"),
        (None, true, None) => ("尚未连接".to_string(), "muted"),
        (None, true, Some(h)) if n.mirrored_size < h.head.size => ("同步中".to_string(), "info"),
        (None, true, Some(_)) => ("正常".to_string(), "ok"),
    };
    NodeRow {
        origin: n.origin.clone(),
        registry: n.registry,
        name: n.name.clone(),
        region: format!("{} {}", n.region, region_name(&n.region)),
        url: n.url.clone(),
        public_key: n.public_key.clone(),
        head_size: n
            .head
            .as_ref()
            .map(|h| h.head.size.to_string())
            .unwrap_or_else(|| "—".into()),
        head_time: n
            .head
            .as_ref()
            .map(|h| beijing_time_seconds(h.head.timestamp_ms))
            .unwrap_or_else(|| "—".into()),
        head_root: n
            .head
            .as_ref()
            .map(|h| h.head.root.to_hex())
            .unwrap_or_default(),
        mirrored_size: n.mirrored_size,
        contacted: if n.contacted_ms > 0 {
            beijing_time_seconds(n.contacted_ms)
        } else {
            "—".into()
        },
        status_label,
        status_class,
        error: n.error.clone(),
    }
}

#[derive(Template)]
#[template(path = "nodes.html")]
struct NodesPage {
    layout: Layout,
    /// Each node with its data-quality score (e.g. `97.55`).
    rows: Vec<(NodeRow, String)>,
}

pub(crate) async fn nodes(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let result = async {
        let nodes = state.app.followed_nodes().await?;
        let mut rows = Vec::with_capacity(nodes.len());
        for node in &nodes {
            let quality = state.app.node_quality(&node.origin).await?;
            let score = if quality.entries == 0 {
                "—".to_string()
            } else {
                format!("{}.{:02}", quality.score_bp / 100, quality.score_bp % 100)
            };
            rows.push((node_row(node), score));
        }
        Ok::<_, AppError>(render(NodesPage {
            layout: layout(&state, &caller, "交易节点", "ledger", &[("交易节点", "")]),
            rows,
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

/// One piece of evidence.
struct FlagView {
    time: String,
    label: &'static str,
    /// A mismatch is shown against the one signed head it contradicts.
    mismatch: bool,
    accepted: String,
    offending: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "node.html")]
struct NodePage {
    layout: Layout,
    n: NodeRow,
    flags: Vec<FlagView>,
    timeliness: app::federation::Timeliness,
    quality: app::federation::quality::DataQuality,
}

pub(crate) async fn node(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(origin): Path<String>,
) -> Response {
    let result = async {
        let node = state.app.followed_node(&origin).await?;
        let flags = state.app.node_flags(&origin).await?;
        let timeliness = state.app.node_timeliness(&origin).await?;
        let quality = state.app.node_quality(&origin).await?;
        let title = node.name.clone();
        Ok::<_, AppError>(render(NodePage {
            layout: layout(
                &state,
                &caller,
                &title,
                "ledger",
                &[("交易节点", "/nodes"), (&title, "")],
            ),
            n: node_row(&node),
            timeliness,
            quality,
            flags: flags
                .into_iter()
                .map(|f| FlagView {
                    time: beijing_time_seconds(f.detected_ms),
                    label: misbehaviour_label(f.kind),
                    mismatch: f.kind == Misbehaviour::EntryMismatch,
                    accepted: f.accepted,
                    offending: f.offending,
                    detail: serde_json::to_string_pretty(&f.detail).unwrap_or_default(),
                })
                .collect(),
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}
