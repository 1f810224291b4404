//! The witness ledger's pages: the list of entries as the caller may see them, and one entry
//! with its inclusion proof checked in the browser (`static/ledger.js`).

use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::access::MaybeCaller;
use crate::format::{beijing_time_seconds, kind_label, visibility_label};
use crate::shared::page::{Layout, app_error_page, error_page, layout, render};
use crate::shared::page::{ListQuery, page_count_per};

/// One ledger entry as a table row.
pub(crate) struct EntryRowView {
    pub(crate) seq: u64,
    pub(crate) kind: String,
    pub(crate) kind_label: &'static str,
    pub(crate) stream: String,
    pub(crate) actor: String,
    pub(crate) time: String,
    pub(crate) visibility_label: &'static str,
    pub(crate) visibility_class: &'static str,
}

pub(crate) fn entry_row_view(e: &app::EntryView) -> EntryRowView {
    let vis = e.visibility.as_str();
    EntryRowView {
        seq: e.seq,
        kind: e.kind.clone(),
        kind_label: kind_label(&e.kind),
        stream: e.stream.clone(),
        actor: e.actor.clone(),
        time: beijing_time_seconds(e.at_ms),
        visibility_label: visibility_label(vis),
        visibility_class: if vis == "public" { "ok" } else { "info" },
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    layout: Layout,
    head_size: u64,
    head_root: String,
    head_time: String,
    head_signature: String,
    public_key: String,
    rows: Vec<EntryRowView>,
    page: u64,
    pages: u64,
    lookup: String,
    lookup_error: String,
    witnesses: Vec<WitnessRow>,
    quorum: usize,
    cosigned_size: u64,
}

/// One of this node's witnesses on the ledger page.
struct WitnessRow {
    name: String,
    cosigned_size: u64,
    cosigned_at: String,
    error: String,
}

const LEDGER_PER_PAGE: u64 = 50;

pub(crate) async fn ledger(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(query): Query<ListQuery>,
) -> Response {
    let result = async {
        let head = state.app.ledger_head().await?;
        let size = head.head.size;
        let mut lookup_error = String::new();
        let lookup = query.seq.clone().unwrap_or_default();
        if !lookup.trim().is_empty() {
            match lookup.trim().parse::<u64>() {
                Ok(seq) if seq < size => {
                    return Ok(Redirect::to(&format!("/ledger/entries/{seq}")).into_response());
                }
                Ok(_) => {
                    lookup_error = format!(
                        "序号超出范围：账本目前有 {size} 条（序号 0 至 {}）。",
                        size.saturating_sub(1)
                    )
                }
                Err(_) => lookup_error = "请输入非负整数序号。".into(),
            }
        }
        let pages = page_count_per(size, LEDGER_PER_PAGE);
        let page = query.page.unwrap_or(1).clamp(1, pages);
        let end = size.saturating_sub((page - 1) * LEDGER_PER_PAGE);
        let start = end.saturating_sub(LEDGER_PER_PAGE);
        let rows = state
            .app
            .ledger_entries(caller.0.as_ref(), start, end)
            .await?
            .iter()
            .rev()
            .map(entry_row_view)
            .collect();
        let witnesses = state
            .app
            .witness_statuses()
            .await?
            .into_iter()
            .map(|w| WitnessRow {
                name: w.name,
                cosigned_size: w.cosigned_size,
                cosigned_at: if w.cosigned_ms > 0 {
                    beijing_time_seconds(w.cosigned_ms)
                } else {
                    "—".into()
                },
                error: w.error,
            })
            .collect();
        let cosigned_size = state
            .app
            .witnessing_health()
            .await?
            .map(|h| h.cosigned_size)
            .unwrap_or(0);
        Ok::<_, AppError>(render(LedgerPage {
            layout: layout(&state, &caller, "交易见证", "ledger", &[("交易见证", "")]),
            witnesses,
            quorum: state.app.witness_quorum(),
            cosigned_size,
            head_size: size,
            head_root: head.head.root.to_hex(),
            head_time: beijing_time_seconds(head.head.timestamp_ms),
            head_signature: head.signature.to_hex(),
            public_key: state.app.public_key().to_hex(),
            rows,
            page,
            pages,
            lookup,
            lookup_error,
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

/// An entry with everything its page shows.
pub(crate) struct EntryDetail {
    pub(crate) seq: u64,
    pub(crate) kind: String,
    pub(crate) kind_label: &'static str,
    pub(crate) stream: String,
    pub(crate) actor: String,
    pub(crate) time: String,
    pub(crate) visibility_label: &'static str,
    pub(crate) visibility_class: &'static str,
    pub(crate) commit: String,
    pub(crate) leaf_hash: String,
}

#[derive(Template)]
#[template(path = "ledger_entry.html")]
struct LedgerEntryPage {
    layout: Layout,
    e: EntryDetail,
    payload_pretty: String,
    size: u64,
    root: String,
    signature: String,
    path: Vec<String>,
    has_prev: bool,
    has_next: bool,
    proof_json: String,
}

pub(crate) async fn ledger_entry(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(seq): Path<String>,
) -> Response {
    let Ok(seq) = seq.parse::<u64>() else {
        return error_page(StatusCode::NOT_FOUND, "NOT_FOUND", "账本序号应为非负整数。");
    };
    let result = async {
        let entry = state
            .app
            .ledger_entries(caller.0.as_ref(), seq, seq + 1)
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound("该序号的见证条目不存在"))?;
        let proof = state.app.inclusion(seq, None).await?;
        let data = serde_json::json!({
            "seq": entry.seq,
            "stream": entry.stream,
            "kind": entry.kind,
            "visibility": entry.visibility.as_str(),
            "actor": entry.actor,
            "at_ms": entry.at_ms,
            "commit": entry.commit.to_hex(),
            "leaf_hash": entry.leaf_hash.to_hex(),
            "payload": entry.payload,
            "salt": entry.salt,
            "size": proof.tree_head.head.size,
            "root": proof.tree_head.head.root.to_hex(),
            "path": proof.path.iter().map(|h| h.to_hex()).collect::<Vec<_>>(),
        });
        // Safe inside <script>: no "<" can close the element.
        let proof_json = data.to_string().replace('<', "\\u003c");
        let row = entry_row_view(&entry);
        let title = format!("见证条目 #{seq}");
        Ok::<_, AppError>(render(LedgerEntryPage {
            layout: layout(
                &state,
                &caller,
                &title,
                "ledger",
                &[("交易见证", "/ledger"), (&title, "")],
            ),
            payload_pretty: entry
                .payload
                .as_ref()
                .map(|p| serde_json::to_string_pretty(p).unwrap_or_default())
                .unwrap_or_default(),
            e: EntryDetail {
                seq,
                kind: row.kind,
                kind_label: row.kind_label,
                stream: row.stream,
                actor: row.actor,
                time: row.time,
                visibility_label: row.visibility_label,
                visibility_class: row.visibility_class,
                commit: entry.commit.to_hex(),
                leaf_hash: entry.leaf_hash.to_hex(),
            },
            size: proof.tree_head.head.size,
            root: proof.tree_head.head.root.to_hex(),
            signature: proof.tree_head.signature.to_hex(),
            path: proof.path.iter().map(|h| h.to_hex()).collect(),
            has_prev: seq > 0,
            has_next: seq + 1 < proof.tree_head.head.size,
            proof_json,
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}
