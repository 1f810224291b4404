//! The hub's JSON API: the followed nodes and the evidence against any that misbehaved.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::dto::TreeHeadDto;
use crate::errors::{ApiError, ErrorBody};

type ApiResult<T> = Result<T, ApiError>;

/// A followed node.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NodeDto {
    /// The origin line of its checkpoints.
    origin: String,
    name: String,
    /// Administrative division code.
    region: String,
    url: String,
    /// The pinned SM2 key (SEC1 hex).
    public_key: String,
    /// The last signed head the hub accepted (consistent with every one before it).
    head: Option<TreeHeadDto>,
    /// Entries mirrored and checked against the signed tree.
    mirrored_size: u64,
    /// When the node last answered fully (UTC ms; 0 never).
    contacted_ms: i64,
    /// Why the last contact failed ('' when it worked).
    error: String,
    /// `rollback`, `fork` or `entry_mismatch` once proven; then the node is no longer followed.
    flagged: Option<String>,
}

/// Proven misbehaviour, with the node's own signed checkpoints as evidence.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NodeFlagDto {
    detected_ms: i64,
    /// `rollback`, `fork` or `entry_mismatch`.
    kind: String,
    /// The checkpoint the hub had accepted (signed by the node).
    accepted: String,
    /// The checkpoint that contradicts it (signed by the node).
    offending: String,
    /// What the node served that shows it (a consistency proof, an entry).
    #[schema(value_type = Object)]
    detail: serde_json::Value,
}

/// A followed node with its flags.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NodeDetailDto {
    node: NodeDto,
    flags: Vec<NodeFlagDto>,
}

/// The followed nodes.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NodesDto {
    nodes: Vec<NodeDto>,
}

fn node_dto(node: app::federation::NodeStatus) -> NodeDto {
    let key = crypto::PublicKey::from_hex(&node.public_key).ok();
    NodeDto {
        head: match (&node.head, &key) {
            (Some(head), Some(key)) => Some(TreeHeadDto::from_head(head, key)),
            _ => None,
        },
        origin: node.origin,
        name: node.name,
        region: node.region,
        url: node.url,
        public_key: node.public_key,
        mirrored_size: node.mirrored_size,
        contacted_ms: node.contacted_ms,
        error: node.error,
        flagged: node.flagged.map(|f| f.as_str().to_string()),
    }
}

/// The nodes this hub follows.
#[utoipa::path(get, path = "/api/v1/hub/nodes", tag = "省级汇聚", responses((status = 200, body = NodesDto)))]
pub(crate) async fn nodes(State(state): State<Arc<AppState>>) -> ApiResult<Json<NodesDto>> {
    let nodes = state.app.followed_nodes().await?;
    Ok(Json(NodesDto {
        nodes: nodes.into_iter().map(node_dto).collect(),
    }))
}

/// One followed node and the evidence against it, if any.
#[utoipa::path(get, path = "/api/v1/hub/nodes/{origin}", tag = "省级汇聚", params(("origin" = String, Path)), responses((status = 200, body = NodeDetailDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn node(
    State(state): State<Arc<AppState>>,
    Path(origin): Path<String>,
) -> ApiResult<Json<NodeDetailDto>> {
    let node = state.app.followed_node(&origin).await?;
    let flags = state.app.node_flags(&origin).await?;
    Ok(Json(NodeDetailDto {
        node: node_dto(node),
        flags: flags
            .into_iter()
            .map(|f| NodeFlagDto {
                detected_ms: f.detected_ms,
                kind: f.kind.as_str().to_string(),
                accepted: f.accepted,
                offending: f.offending,
                detail: f.detail,
            })
            .collect(),
    }))
}
