//! The hub's JSON API: the followed nodes and the evidence against any that misbehaved.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::dto::TreeHeadDto;
use crate::errors::{ApiError, ErrorBody};
use crate::shared::api::RangeQuery;

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
    /// Followed as this platform's registry (`--follow`: the province's hub, or another
    /// province's), not as one of its nodes.
    registry: bool,
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

/// How fast the node's newest acts (up to 1000) reached the hub: witnessed at the node to
/// mirrored at the hub.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TimelinessDto {
    entries: usize,
    p50_ms: i64,
    p99_ms: i64,
    max_ms: i64,
}

/// One measure of a node's data quality.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MeasureDto {
    judged: u64,
    passed: u64,
    /// The rate in basis points (10000: all passed, or nothing judged).
    rate_bp: u32,
}

/// A failing item: the node's entry and what is wrong with it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct QualityItemDto {
    seq: u64,
    kind: String,
    /// `completeness`, `validity` or `timeliness`.
    measure: String,
    problem: String,
}

/// The node's data quality over its newest 2000 mirrored entries, judged by this hub from the
/// node's proven entries.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DataQualityDto {
    entries: u64,
    /// Announcements with every field the national specification's notice records need.
    completeness: MeasureDto,
    /// Public payloads that decode as their kind with well-formed values.
    validity: MeasureDto,
    /// Entries mirrored within 60 s of being witnessed.
    timeliness: MeasureDto,
    /// The mean of the three rates, basis points.
    score_bp: u32,
    /// The first 50 failing items, newest first.
    failing: Vec<QualityItemDto>,
    failing_total: u64,
}

impl From<app::federation::quality::DataQuality> for DataQualityDto {
    fn from(q: app::federation::quality::DataQuality) -> Self {
        let measure = |m: app::federation::quality::Measure| MeasureDto {
            judged: m.judged,
            passed: m.passed,
            rate_bp: m.rate_bp,
        };
        Self {
            entries: q.entries,
            completeness: measure(q.completeness),
            validity: measure(q.validity),
            timeliness: measure(q.timeliness),
            score_bp: q.score_bp,
            failing: q
                .failing
                .into_iter()
                .map(|i| QualityItemDto {
                    seq: i.seq,
                    kind: i.kind,
                    measure: i.measure.to_string(),
                    problem: i.problem,
                })
                .collect(),
            failing_total: q.failing_total,
        }
    }
}

/// A followed node with its flags.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NodeDetailDto {
    node: NodeDto,
    timeliness: TimelinessDto,
    quality: DataQualityDto,
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
        registry: node.registry,
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
    let t = state.app.node_timeliness(&origin).await?;
    let quality = state.app.node_quality(&origin).await?.into();
    Ok(Json(NodeDetailDto {
        quality,
        node: node_dto(node),
        timeliness: TimelinessDto {
            entries: t.entries,
            p50_ms: t.p50_ms,
            p99_ms: t.p99_ms,
            max_ms: t.max_ms,
        },
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

/// C2SP tlog-witness `add-checkpoint`: this node, as a witness, cosigns a followed node's
/// checkpoint when it is consistent with the last one it cosigned (docs/witness.md). The body is
/// `old <size>`, the consistency proof (base64, one hash per line), an empty line and the signed
/// checkpoint. 200: the cosignature line; 409: the latest cosigned size (`text/x.tlog.size`) or a
/// fork; 403, 404, 422, 400: refused (JSON error).
#[utoipa::path(post, path = "/api/v1/witness/add-checkpoint", tag = "省级汇聚", request_body(content = String, content_type = "text/plain"), responses(
    (status = 200, body = String, content_type = "text/plain"),
    (status = 400, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = String, content_type = "text/x.tlog.size"),
    (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody),
))]
pub(crate) async fn add_checkpoint(
    State(state): State<Arc<AppState>>,
    body: String,
) -> Result<Response, ApiError> {
    match state.app.witness_add_checkpoint(&body).await? {
        Ok(line) => {
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], line).into_response())
        }
        Err((answer, _)) if !answer.body.is_empty() => Ok((
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::CONFLICT),
            [(header::CONTENT_TYPE, answer.content_type)],
            answer.body,
        )
            .into_response()),
        Err((answer, detail)) => {
            let (_, message) = crate::errors::describe(answer.code);
            Err(ApiError::with_message(
                answer.code,
                format!("{message}（{detail}）"),
            ))
        }
    }
}

/// The newest of this node's checkpoints cosigned by a quorum of its witnesses: the checkpoint
/// note followed by their cosignature lines (404 while there is none).
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint/cosigned", tag = "交易见证", responses((status = 200, body = String, content_type = "text/plain"), (status = 404, body = ErrorBody)))]
pub(crate) async fn cosigned_checkpoint(
    State(state): State<Arc<AppState>>,
) -> Result<Response, ApiError> {
    let cosigned = state
        .app
        .cosigned_checkpoint()
        .await?
        .ok_or(app::AppError::NotFound(
            "本节点尚无取得足够见证方副署的树头",
        ))?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        cosigned.note,
    )
        .into_response())
}

/// One of this node's witnesses.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WitnessDto {
    name: String,
    url: String,
    /// The largest of this node's checkpoints it cosigned (0 none).
    cosigned_size: u64,
    cosigned_ms: i64,
    /// Why the last request failed ('' when it worked).
    error: String,
}

/// This node's witnesses and its quorum.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WitnessesDto {
    /// How many cosignatures a checkpoint needs (k of n).
    quorum: usize,
    /// The largest size cosigned by a quorum (0 none).
    cosigned_size: u64,
    head_size: u64,
    /// The newest head has waited too long for its quorum.
    behind: bool,
    witnesses: Vec<WitnessDto>,
}

/// This node's witnesses: who they are, how far each cosigned, why one refused.
#[utoipa::path(get, path = "/api/v1/ledger/witnesses", tag = "交易见证", responses((status = 200, body = WitnessesDto)))]
pub(crate) async fn witnesses(State(state): State<Arc<AppState>>) -> ApiResult<Json<WitnessesDto>> {
    let statuses = state.app.witness_statuses().await?;
    let health = state.app.witnessing_health().await?;
    let head_size = state.app.ledger_head().await?.head.size;
    Ok(Json(WitnessesDto {
        quorum: state.app.witness_quorum(),
        cosigned_size: health.as_ref().map(|h| h.cosigned_size).unwrap_or(0),
        head_size,
        behind: health.is_some_and(|h| h.behind),
        witnesses: statuses
            .into_iter()
            .map(|w| WitnessDto {
                name: w.name,
                url: w.url,
                cosigned_size: w.cosigned_size,
                cosigned_ms: w.cosigned_ms,
                error: w.error,
            })
            .collect(),
    }))
}

/// One entry of a node, as the hub mirrored and checked it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MirroredEntryDto {
    seq: u64,
    stream: String,
    kind: String,
    /// `public`, `parties` or `supervision`.
    visibility: String,
    actor: String,
    at_ms: i64,
    /// SM3 of the leaf, recomputed by the hub from the header (hex).
    leaf_hash: String,
    /// The payload commitment (hex).
    commit: String,
    /// The payload, when the node showed it to anyone.
    #[schema(value_type = Option<Object>)]
    payload: Option<serde_json::Value>,
    /// The salt (hex), when the payload is shown whole.
    salt: Option<String>,
    /// Personal numbers were masked by the node (the payload does not hash to `commit`).
    masked: bool,
    /// When the hub fetched it (UTC ms).
    fetched_ms: i64,
}

/// A node's mirrored entries.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MirroredEntriesDto {
    entries: Vec<MirroredEntryDto>,
    /// How many of the node's entries the hub has mirrored and checked.
    mirrored_size: u64,
}

fn mirrored_dto(e: store::HubEntryRow) -> MirroredEntryDto {
    MirroredEntryDto {
        seq: e.seq.max(0) as u64,
        payload: if e.payload.is_empty() {
            None
        } else {
            serde_json::from_str(&e.payload).ok()
        },
        salt: (!e.salt.is_empty()).then(|| hex::encode(&e.salt)),
        stream: e.stream,
        kind: e.kind,
        visibility: e.visibility,
        actor: e.actor,
        at_ms: e.at_ms,
        leaf_hash: hex::encode(&e.leaf_hash),
        commit: hex::encode(&e.commit_hash),
        masked: e.masked,
        fetched_ms: e.fetched_ms,
    }
}

/// A node's entries as this hub mirrored and checked them (the province's copy; each entry's
/// proof is its node's: `…/entries/{seq}/proof`).
#[utoipa::path(get, path = "/api/v1/hub/nodes/{origin}/entries", tag = "省级汇聚", params(("origin" = String, Path), RangeQuery), responses((status = 200, body = MirroredEntriesDto), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn mirrored_entries(
    State(state): State<Arc<AppState>>,
    Path(origin): Path<String>,
    crate::extract::ApiQuery(range): crate::extract::ApiQuery<RangeQuery>,
) -> ApiResult<Json<MirroredEntriesDto>> {
    let node = state.app.followed_node(&origin).await?;
    let to = range.to.unwrap_or(range.from.saturating_add(100));
    let entries = state.app.mirrored_entries(&origin, range.from, to).await?;
    Ok(Json(MirroredEntriesDto {
        entries: entries.into_iter().map(mirrored_dto).collect(),
        mirrored_size: node.mirrored_size,
    }))
}

/// A mirrored entry's inclusion proof to its node's signed head (signed with the node's key).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MirroredProofDto {
    entry: MirroredEntryDto,
    /// The node's signed head the path leads to.
    tree_head: TreeHeadDto,
    /// The audit path, bottom-up (hex).
    path: Vec<String>,
    /// Where the node itself serves the entry and its proof.
    node_entry_url: String,
}

/// The inclusion proof of a node's mirrored entry to that node's accepted signed head, computed
/// from the hub's mirror of the node's tree: checkable with the node's key alone (404 while the
/// mirror has not reached the head).
#[utoipa::path(get, path = "/api/v1/hub/nodes/{origin}/entries/{seq}/proof", tag = "省级汇聚", params(("origin" = String, Path), ("seq" = u64, Path)), responses((status = 200, body = MirroredProofDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn mirrored_proof(
    State(state): State<Arc<AppState>>,
    Path((origin, seq)): Path<(String, u64)>,
) -> ApiResult<Json<MirroredProofDto>> {
    let proof = state.app.mirrored_proof(&origin, seq).await?;
    let node = state.app.followed_node(&origin).await?;
    let key = crypto::PublicKey::from_hex(&node.public_key).map_err(app::AppError::from)?;
    Ok(Json(MirroredProofDto {
        tree_head: TreeHeadDto::from_head(&proof.head, &key),
        path: proof.path.iter().map(|h| h.to_hex()).collect(),
        node_entry_url: format!(
            "{}/api/v1/ledger/entries/{seq}/proof?size={}",
            proof.node_url.trim_end_matches('/'),
            proof.head.head.size
        ),
        entry: mirrored_dto(proof.entry),
    }))
}
