//! The witness ledger's JSON API: the newest signed head and checkpoint, entries as the caller
//! may see them, inclusion and consistency proofs, the list of heads; and the health check.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::*;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::shared::api::RangeQuery;

type ApiResult<T> = Result<T, ApiError>;

/// Liveness and the ledger's size.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = HealthDto)))]
pub(crate) async fn healthz(State(state): State<Arc<AppState>>) -> ApiResult<Json<HealthDto>> {
    let size = state
        .app
        .store()
        .ledger_size()
        .await
        .map_err(app::AppError::from)?;
    Ok(Json(HealthDto {
        status: "ok".into(),
        ledger_size: size,
    }))
}

/// The newest signed tree head.
#[utoipa::path(get, path = "/api/v1/ledger/head", tag = "交易见证", responses((status = 200, body = TreeHeadDto)))]
pub(crate) async fn ledger_head(
    State(state): State<Arc<AppState>>,
) -> ApiResult<Json<TreeHeadDto>> {
    let head = state.app.ledger_head().await?;
    Ok(Json(TreeHeadDto::from_head(&head, &state.app.public_key())))
}

/// The newest signed tree head as a C2SP checkpoint (text/plain).
#[utoipa::path(get, path = "/api/v1/ledger/checkpoint", tag = "交易见证", responses((status = 200, body = String, content_type = "text/plain")))]
pub(crate) async fn ledger_checkpoint(State(state): State<Arc<AppState>>) -> ApiResult<Response> {
    let text = state.app.ledger_checkpoint().await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// Entries by range: public ones in full, the others as hashes unless the caller may see them.
#[utoipa::path(get, path = "/api/v1/ledger/entries", tag = "交易见证", params(RangeQuery), responses((status = 200, body = EntriesDto), (status = 400, body = ErrorBody)))]
pub(crate) async fn ledger_entries(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(range): ApiQuery<RangeQuery>,
) -> ApiResult<Json<EntriesDto>> {
    let size = state
        .app
        .store()
        .ledger_size()
        .await
        .map_err(app::AppError::from)?;
    let to = range.to.unwrap_or(range.from.saturating_add(100));
    let entries = state
        .app
        .ledger_entries(maybe.0.as_ref(), range.from, to)
        .await?;
    Ok(Json(EntriesDto {
        entries: entries.into_iter().map(EntryDto::from).collect(),
        ledger_size: size,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProofQuery {
    /// The tree size to prove to: any size up to the newest signed head's; default the newest.
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within_opt::<_, 1, 9223372036854775807>"
    )]
    pub(crate) size: Option<u64>,
}

/// The inclusion proof of one entry to the tree of any size up to the newest signed head's.
#[utoipa::path(get, path = "/api/v1/ledger/entries/{seq}/proof", tag = "交易见证", params(("seq" = u64, Path), ProofQuery), responses((status = 200, body = InclusionDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn ledger_proof(
    State(state): State<Arc<AppState>>,
    Path(seq): Path<u64>,
    ApiQuery(query): ApiQuery<ProofQuery>,
) -> ApiResult<Json<InclusionDto>> {
    let proof = state.app.inclusion_to_size(seq, query.size).await?;
    let key = state.app.public_key();
    Ok(Json(InclusionDto {
        seq: proof.seq,
        leaf_hash: proof.leaf_hash.to_hex(),
        size: proof.size,
        root: proof.root.to_hex(),
        tree_head: proof
            .tree_head
            .as_ref()
            .map(|head| TreeHeadDto::from_head(head, &key)),
        path: proof.path.iter().map(|h| h.to_hex()).collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct HeadsQuery {
    /// Only heads larger than this size (default 0).
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    #[serde(
        default,
        deserialize_with = "crate::extract::within::<_, 0, 9223372036854775807>"
    )]
    pub(crate) after: u64,
    /// At most this many (1–1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    #[serde(default, deserialize_with = "crate::extract::within_opt::<_, 1, 1000>")]
    pub(crate) limit: Option<u64>,
}

/// The sizes of the signed heads, in order: which checkpoints the platform has signed.
#[utoipa::path(get, path = "/api/v1/ledger/heads", tag = "交易见证", params(HeadsQuery), responses((status = 200, body = HeadSizesDto), (status = 400, body = ErrorBody)))]
pub(crate) async fn ledger_heads(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<HeadsQuery>,
) -> ApiResult<Json<HeadSizesDto>> {
    let limit = query.limit.unwrap_or(1000).clamp(1, 1000);
    let heads = state.app.head_sizes(query.after, limit).await?;
    let next_after = (heads.len() as u64 == limit)
        .then(|| heads.last().map(|(size, _)| *size))
        .flatten();
    Ok(Json(HeadSizesDto {
        heads: heads
            .into_iter()
            .map(|(size, timestamp_ms)| HeadSizeDto { size, timestamp_ms })
            .collect(),
        next_after,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConsistencyQuery {
    /// The older tree size (at least 1).
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    #[serde(deserialize_with = "crate::extract::within::<_, 1, 9223372036854775807>")]
    pub(crate) first: u64,
    /// The newer tree size, not smaller than `first`.
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    #[serde(deserialize_with = "crate::extract::within::<_, 1, 9223372036854775807>")]
    pub(crate) second: u64,
}

/// The consistency proof between the trees of two sizes (any sizes up to the newest signed
/// head's; each with its signed head when one is stored).
#[utoipa::path(get, path = "/api/v1/ledger/consistency", tag = "交易见证", params(ConsistencyQuery), responses((status = 200, body = ConsistencyDto), (status = 404, body = ErrorBody)))]
pub(crate) async fn ledger_consistency(
    State(state): State<Arc<AppState>>,
    ApiQuery(query): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyDto>> {
    let proof = state
        .app
        .consistency_of_sizes(query.first, query.second)
        .await?;
    let key = state.app.public_key();
    let head = |head: &Option<ledger::SignedTreeHead>| {
        head.as_ref().map(|head| TreeHeadDto::from_head(head, &key))
    };
    Ok(Json(ConsistencyDto {
        first_size: proof.first_size,
        first_root: proof.first_root.to_hex(),
        first: head(&proof.first),
        second_size: proof.second_size,
        second_root: proof.second_root.to_hex(),
        second: head(&proof.second),
        path: proof.path.iter().map(|h| h.to_hex()).collect(),
    }))
}
