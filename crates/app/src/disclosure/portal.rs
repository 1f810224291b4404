//! The disclosure portal's search (一站式查询): every public announcement and every listed
//! market entity, fed to the node's search index in ledger order.
//!
//! The index is the node's own (`search::SearchIndex`, on disk beside the data or in memory).
//! The follower reads what changed at ledger places after the last one the index includes,
//! maps the rows to documents and commits them with that place, so a restarted node resumes
//! and `ggzy reindex` rebuilds from nothing. On PostgreSQL each node follows the shared store
//! on its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use search::{Doc, Hits, SearchIndex, SearchQuery};
use store::{AnnouncementRow, EntityRow, Store};

use crate::{App, AppError};

/// How often the follower looks for new ledger entries.
const FOLLOW_EVERY: Duration = Duration::from_millis(200);
/// Ledger places read per step when catching up.
const STEP: u64 = 20_000;

/// The search side of the application: the index and whether its follower runs.
pub(crate) struct Portal {
    pub(crate) index: Arc<SearchIndex>,
    following: AtomicBool,
    /// Searches running at once: one per core. More would only make the others wait longer
    /// (each search is CPU work on a blocking thread); a queue keeps them in arrival order.
    running: tokio::sync::Semaphore,
}

impl Portal {
    pub(crate) fn new(index: SearchIndex) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            index: Arc::new(index),
            following: AtomicBool::new(false),
            running: tokio::sync::Semaphore::new(cores),
        }
    }
}

/// The search document of an announcement. `subject` is the procedure's or sale's state (JSON)
/// when it is found: it gives the codes and the amount.
pub fn announcement_doc(row: &AnnouncementRow, subject: Option<&serde_json::Value>) -> Doc {
    let mut codes = vec![row.id.clone(), row.procedure_id.clone()];
    if !row.lot.is_empty() {
        codes.push(row.lot.clone());
    }
    let mut amount = None;
    if let Some(state) = subject {
        let draft = &state["draft"];
        if draft.is_object() {
            for key in ["project_code", "tenderee", "agency"] {
                if let Some(code) = draft[key].as_str() {
                    codes.push(code.to_string());
                }
            }
            // A procedure's announcement is found by each of its lots' 交易标识码.
            if row.lot.is_empty() {
                for lot in state["lots"].as_array().into_iter().flatten() {
                    if let Some(code) = lot["code"].as_str() {
                        codes.push(code.to_string());
                    }
                }
            }
            let lots = draft["lots"].as_array().cloned().unwrap_or_default();
            let budgets: Vec<i64> = match state["lots"].as_array() {
                // A lot's announcement gives the lot's budget; the procedure's, the sum.
                Some(stated) if !row.lot.is_empty() => stated
                    .iter()
                    .filter(|lot| lot["code"].as_str() == Some(row.lot.as_str()))
                    .filter_map(|lot| lot["budget_fen"].as_i64())
                    .collect(),
                _ => lots
                    .iter()
                    .filter_map(|lot| lot["budget_fen"].as_i64())
                    .collect(),
            };
            if !budgets.is_empty() {
                amount = Some(budgets.iter().sum());
            }
        } else if state["terms"].is_object() {
            amount = state["terms"]["start_price_fen"].as_i64();
            if let Some(code) = state["info"]["transferor"].as_str() {
                codes.push(code.to_string());
            }
        }
    }
    codes.retain(|c| !c.is_empty());
    codes.dedup();
    Doc {
        key: format!("announcement:{}", row.id),
        url: format!("/announcements/{}", row.id),
        title: row.title.clone(),
        body: row.body.clone(),
        codes,
        domain: row.category.clone(),
        doc_type: row.kind.clone(),
        region: row.region.clone(),
        published_ms: row.published_at_ms,
        amount_fen: amount,
        seq: row.seq.max(0) as u64,
    }
}

/// Whether an entity is listed publicly (and so searchable): reviewed, and not an expert's
/// entry (experts are never listed).
pub fn entity_is_public(row: &EntityRow) -> bool {
    matches!(row.status.as_str(), "active" | "suspended" | "barred")
        && !row.roles.split(',').any(|r| r == "expert")
}

/// The search document of a listed entity: its name and code, nothing personal.
pub fn entity_doc(row: &EntityRow) -> Doc {
    let status = match row.status.as_str() {
        "suspended" => "（暂停交易）",
        "barred" => "（禁止参加交易）",
        _ => "",
    };
    let code = if row.kind == "natural_person" {
        String::new()
    } else {
        row.code.clone()
    };
    Doc {
        key: format!("entity:{}", row.id),
        url: format!("/entities/{}", row.id),
        title: format!("{}{status}", row.name),
        body: if code.is_empty() {
            row.name.clone()
        } else {
            format!("{} 统一社会信用代码 {code}", row.name)
        },
        codes: [row.id.clone(), code]
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect(),
        domain: String::new(),
        doc_type: "entity".into(),
        region: row.region.clone(),
        published_ms: row.reviewed_at_ms.max(row.registered_at_ms),
        amount_fen: None,
        seq: row.last_seq.max(0) as u64,
    }
}

/// Brings `index` up to the store's ledger size: returns how many documents were (re)indexed.
pub async fn follow_once(store: &Store, index: &Arc<SearchIndex>) -> Result<u64, AppError> {
    let size = store.ledger_size().await?;
    let mut through = index.indexed_through();
    let mut indexed = 0;
    // Ledger places are 0-based; the index records the last place included + 1 (its size).
    while through < size {
        let upper = size.min(through + STEP);
        let (after, last) = (through as i64 - 1, upper as i64 - 1);
        let announcements = store.announcements_between(after, last).await?;
        let entities = store.entities_changed_between(after, last).await?;
        let mut docs = Vec::with_capacity(announcements.len() + entities.len());
        let mut removed = Vec::new();
        let mut subjects: std::collections::HashMap<String, Option<serde_json::Value>> =
            Default::default();
        for row in &announcements {
            if !subjects.contains_key(&row.procedure_id) {
                let mut state = None;
                for stream in [
                    format!("procedure/{}", row.procedure_id),
                    format!("auction/{}", row.procedure_id),
                ] {
                    if let Some(document) = store.document(&stream).await? {
                        state = serde_json::from_str(&document.state).ok();
                        break;
                    }
                }
                subjects.insert(row.procedure_id.clone(), state);
            }
            let subject = subjects.get(&row.procedure_id).and_then(Option::as_ref);
            docs.push(announcement_doc(row, subject));
        }
        for row in &entities {
            if entity_is_public(row) {
                docs.push(entity_doc(row));
            } else {
                removed.push(format!("entity:{}", row.id));
            }
        }
        indexed += (docs.len() + removed.len()) as u64;
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.apply(&docs, &removed, upper))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        through = upper;
    }
    Ok(indexed)
}

impl App {
    /// The node's search index (in memory unless the data directory gives it a place).
    pub fn search_index(&self) -> &Arc<SearchIndex> {
        &self.portal.index
    }

    /// Uses the index at `dir` (created, or resumed where it stopped).
    pub fn with_search_dir(mut self, dir: &std::path::Path) -> Result<Self, AppError> {
        let index = SearchIndex::open(dir).map_err(|e| AppError::Internal(e.to_string()))?;
        self.portal = Arc::new(Portal::new(index));
        Ok(self)
    }

    /// Indexes everything new in the ledger now.
    pub async fn refresh_search(&self) -> Result<u64, AppError> {
        follow_once(&self.store, &self.portal.index).await
    }

    /// Starts the follower (once): every 200 ms it indexes what the ledger gained, so a new
    /// announcement is searchable within a second on every node.
    pub fn start_search_follower(&self) {
        if self.portal.following.swap(true, Ordering::SeqCst) {
            return;
        }
        let store = self.store.clone();
        let portal = self.portal.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = follow_once(&store, &portal.index).await {
                    tracing::warn!(%error, "search index follower");
                }
                tokio::time::sleep(FOLLOW_EVERY).await;
            }
        });
    }

    /// 一站式查询: public announcements and listed entities. The first search of a node
    /// catches its index up and starts the follower.
    pub async fn search(&self, query: &SearchQuery) -> Result<Hits, AppError> {
        if !self.portal.following.load(Ordering::SeqCst) {
            self.refresh_search().await?;
            self.start_search_follower();
        }
        let _turn = self
            .portal
            .running
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let index = self.portal.index.clone();
        let query = query.clone();
        tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// One public act in a project's history.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HistoryItem {
    pub seq: u64,
    pub kind: String,
    pub at_ms: i64,
}

impl App {
    /// The public acts of one stream (a procedure, a sale), in ledger order: what a project
    /// page shows, each with its proof.
    pub async fn public_history(&self, stream: &str) -> Result<Vec<HistoryItem>, AppError> {
        Ok(self
            .store
            .stream_entries(stream)
            .await?
            .into_iter()
            .filter(|row| row.visibility == "public")
            .map(|row| HistoryItem {
                seq: row.seq.max(0) as u64,
                kind: row.kind,
                at_ms: row.at_ms,
            })
            .collect())
    }

    /// Listed entities under a sanction (暂停交易, 禁止参加交易): the public credit list.
    pub async fn sanctioned_entities(&self) -> Result<Vec<EntityRow>, AppError> {
        let mut out = Vec::new();
        for status in ["barred", "suspended"] {
            let page = self
                .store
                .entities(Some(status), Some("expert"), 0, 1000)
                .await?;
            out.extend(page.items);
        }
        Ok(out)
    }
}
