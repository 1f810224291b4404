//! Federation: the provincial hub follows every registered city and county node's ledger as a
//! transparency-log monitor does (`docs/federation.md`). It pulls — a hub fed only what a node
//! pushes cannot see what the node leaves out —, accepts a node's new signed head only when it is
//! proven consistent with the last one accepted, mirrors the entries after checking them against
//! the signed tree, and keeps the two signed heads as evidence when a node rolls back, forks or
//! serves an entry its tree does not hold. The hub re-signs nothing: every mirrored fact keeps its
//! own node's proof.

pub mod feed;
pub mod quality;
pub mod sharing;
pub mod witness;

use crypto::{PublicKey, Sm3Hash};
use ledger::monitor::{Frontier, HeadVerdict, Misbehaviour, extend, judge_head, prefix_of};
use ledger::{LeafHeader, NodeKey, SignedTreeHead, Visibility, payload_commitment};
use serde::{Deserialize, Serialize};
use store::{HubEntryRow, HubFlagRow, HubNodeRow};

use crate::{App, AppError};
pub use feed::{FedEntry, NodeFeed};

/// Entries fetched per request (the node serves at most 1000).
pub const PAGE: u64 = 1000;
/// Pages mirrored per step, so one long catch-up does not starve the other nodes' steps.
pub const PAGES_PER_STEP: u64 = 20;

/// A node the hub follows, as its operator registers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeRegistration {
    /// The origin line of the node's checkpoints.
    pub origin: String,
    /// The trading center's name, e.g. 杭州市公共资源交易中心.
    pub name: String,
    /// Its administrative division code (the region facet of the province portal).
    pub region: String,
    /// The node's base URL, e.g. `http://ggzy.hangzhou.example` (plain HTTP: this version's
    /// client has no TLS; reach an HTTPS node through a local TLS proxy).
    pub url: String,
    /// The node's SM2 key (SEC1 hex), pinned: obtained from the node's operator, never from the
    /// node's own answers.
    pub public_key: String,
    /// Followed as this node's registry (`--follow`: the province's hub), whose trust store is
    /// recognised here too; not a field of the node list (the command line says which list).
    #[serde(skip)]
    pub registry: bool,
}

/// A followed node's state, as the hub's pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeStatus {
    pub origin: String,
    pub name: String,
    pub region: String,
    pub url: String,
    pub public_key: String,
    /// The last accepted signed head, if any.
    pub head: Option<SignedTreeHead>,
    pub mirrored_size: u64,
    pub contacted_ms: i64,
    pub error: String,
    /// The first misbehaviour proven, if any.
    pub flagged: Option<Misbehaviour>,
    /// Followed as this node's registry (`--follow`).
    pub registry: bool,
}

/// Proven misbehaviour, with the node's own signed heads as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeFlag {
    pub origin: String,
    pub detected_ms: i64,
    pub kind: Misbehaviour,
    /// The checkpoint note the hub had accepted.
    pub accepted: String,
    /// The checkpoint note that contradicts it.
    pub offending: String,
    /// The proof or entry that shows it, as the node served it.
    pub detail: serde_json::Value,
}

/// How fast a node's acts reach the hub: the time from an entry's witnessing at the node to
/// its mirroring at the hub, over the node's newest mirrored entries (node and hub clocks may
/// differ by their skew).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Timeliness {
    pub entries: usize,
    pub p50_ms: i64,
    pub p99_ms: i64,
    pub max_ms: i64,
}

/// The percentile `p` (0–1) of sorted values (nearest rank).
pub fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Entries the timeliness is computed over.
pub const TIMELINESS_WINDOW: i64 = 1000;

/// A mirrored entry with its node's proof.
#[derive(Clone, Debug)]
pub struct MirroredProof {
    pub entry: HubEntryRow,
    /// The node's signed head the path leads to.
    pub head: SignedTreeHead,
    pub path: Vec<Sm3Hash>,
    /// Where the node serves the entry itself.
    pub node_url: String,
}

/// What one step of following did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowStep {
    /// Entries mirrored in this step.
    pub mirrored: u64,
    /// Whether entries remain to be mirrored up to the accepted head.
    pub behind: bool,
    pub flagged: Option<Misbehaviour>,
}

impl NodeRegistration {
    /// Checks a registration before anything is stored (a node list is checked whole first).
    pub fn validate(&self) -> Result<(), AppError> {
        if self.origin.trim().is_empty() || self.origin.contains(char::is_whitespace) {
            return Err(AppError::refused(
                "HUB_NODE_ORIGIN",
                "节点名称（origin）不能为空，也不能含空白",
            ));
        }
        if self.url.starts_with("https://") {
            return Err(AppError::refused(
                "HUB_NODE_URL",
                format!(
                    "节点 {} 的地址为 HTTPS：本版本以 HTTP 访问节点，请经由本机的 TLS 代理访问",
                    self.origin
                ),
            ));
        }
        if !self.url.starts_with("http://") {
            return Err(AppError::refused(
                "HUB_NODE_URL",
                format!("节点 {} 的地址应以 http:// 开头", self.origin),
            ));
        }
        if self.region.len() != 6 || !self.region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::refused(
                "HUB_NODE_REGION",
                format!("节点 {} 所在地区应为6位行政区划代码", self.origin),
            ));
        }
        feed::pinned_key(&self.public_key)
            .map_err(|message| AppError::refused("HUB_NODE_KEY", message))?;
        Ok(())
    }
}

fn status_of(row: HubNodeRow) -> NodeStatus {
    NodeStatus {
        head: serde_json::from_str(&row.head).ok(),
        origin: row.origin,
        name: row.name,
        region: row.region,
        url: row.url,
        public_key: row.public_key,
        mirrored_size: row.mirrored_size.max(0) as u64,
        contacted_ms: row.contacted_ms,
        error: row.error,
        flagged: Misbehaviour::parse(&row.flagged),
        registry: row.registry,
    }
}

/// Checks a mirrored entry as served: its header makes the leaf; a payload shown in full must
/// hash to the header's commitment. Returns the row to keep.
fn check_entry(
    origin: &str,
    expected_seq: u64,
    entry: &FedEntry,
    now_ms: i64,
) -> Result<(HubEntryRow, Sm3Hash), String> {
    if entry.seq != expected_seq {
        return Err(format!("应为第{expected_seq}条，节点给出第{}条", entry.seq));
    }
    let visibility = Visibility::parse(&entry.visibility)
        .ok_or_else(|| format!("第{}条的可见范围无效", entry.seq))?;
    let commit =
        Sm3Hash::from_hex(&entry.commit).map_err(|_| format!("第{}条的承诺值无效", entry.seq))?;
    let header = LeafHeader {
        seq: entry.seq,
        stream: entry.stream.clone(),
        kind: entry.kind.clone(),
        visibility,
        actor: entry.actor.clone(),
        at_ms: entry.at_ms,
        commit,
    };
    let leaf = header
        .leaf_hash()
        .map_err(|e| format!("第{}条无法计算叶哈希：{e}", entry.seq))?;
    let (payload, salt) = match (&entry.payload, &entry.salt, entry.masked) {
        (Some(payload), Some(salt), false) => {
            let salt_bytes: [u8; 32] = hex::decode(salt)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| format!("第{}条的盐值无效", entry.seq))?;
            let recomputed = payload_commitment(&salt_bytes, payload)
                .map_err(|e| format!("第{}条的内容无法规范化：{e}", entry.seq))?;
            if recomputed != commit {
                return Err(format!("第{}条的内容与其承诺值不符", entry.seq));
            }
            (
                crypto::canonical_json(payload).unwrap_or_default(),
                salt_bytes.to_vec(),
            )
        }
        (Some(payload), _, true) => (
            crypto::canonical_json(payload).unwrap_or_default(),
            Vec::new(),
        ),
        _ => (String::new(), Vec::new()),
    };
    Ok((
        HubEntryRow {
            origin: origin.to_string(),
            seq: entry.seq as i64,
            stream: entry.stream.clone(),
            kind: entry.kind.clone(),
            visibility: entry.visibility.clone(),
            actor: entry.actor.clone(),
            at_ms: entry.at_ms,
            commit_hash: commit.as_bytes().to_vec(),
            leaf_hash: leaf.as_bytes().to_vec(),
            payload,
            salt,
            masked: entry.masked,
            fetched_ms: now_ms,
        },
        leaf,
    ))
}

impl App {
    /// Registers a node to follow (or updates its name, region and address; its key is pinned).
    pub async fn register_node(&self, node: &NodeRegistration) -> Result<(), AppError> {
        node.validate()?;
        let key = node.public_key.to_ascii_lowercase();
        if let Some(known) = self.store.hub_node(&node.origin).await?
            && known.public_key != key
        {
            return Err(AppError::refused(
                "HUB_NODE_KEY_PINNED",
                format!(
                    "节点 {} 已固定另一把签名公钥：同一节点的公钥不能更换，新的账本须以新的节点名称登记",
                    node.origin
                ),
            ));
        }
        self.store
            .hub_add_node(
                &node.origin,
                &node.name,
                &node.region,
                &node.url,
                &key,
                node.registry,
                self.now_ms(),
            )
            .await?;
        Ok(())
    }

    /// Every followed node.
    pub async fn followed_nodes(&self) -> Result<Vec<NodeStatus>, AppError> {
        Ok(self
            .store
            .hub_nodes()
            .await?
            .into_iter()
            .map(status_of)
            .collect())
    }

    pub async fn followed_node(&self, origin: &str) -> Result<NodeStatus, AppError> {
        self.store
            .hub_node(origin)
            .await?
            .map(status_of)
            .ok_or(AppError::NotFound("没有该交易节点"))
    }

    /// How fast a followed node's newest acts reached the hub.
    pub async fn node_timeliness(&self, origin: &str) -> Result<Timeliness, AppError> {
        let mut lags = self
            .store
            .hub_recent_lags(origin, TIMELINESS_WINDOW)
            .await?;
        lags.sort_unstable();
        Ok(Timeliness {
            entries: lags.len(),
            p50_ms: percentile(&lags, 0.5),
            p99_ms: percentile(&lags, 0.99),
            max_ms: lags.last().copied().unwrap_or(0),
        })
    }

    /// A followed node's proven misbehaviour, newest first.
    pub async fn node_flags(&self, origin: &str) -> Result<Vec<NodeFlag>, AppError> {
        Ok(self
            .store
            .hub_flags(origin)
            .await?
            .into_iter()
            .filter_map(|f| {
                Some(NodeFlag {
                    kind: Misbehaviour::parse(&f.kind)?,
                    detail: serde_json::from_str(&f.detail).unwrap_or(serde_json::Value::Null),
                    origin: f.origin,
                    detected_ms: f.detected_ms,
                    accepted: f.accepted,
                    offending: f.offending,
                })
            })
            .collect())
    }

    /// One step of following a node: fetch its newest head, judge it against the accepted one,
    /// then mirror up to `PAGES_PER_STEP` pages of entries, each checked against the signed tree
    /// before it is kept. A node flagged once is no longer followed: its history is in doubt
    /// until its operator answers for the evidence.
    pub async fn follow_node(&self, origin: &str, feed: &NodeFeed) -> Result<FollowStep, AppError> {
        let node = self.followed_node(origin).await?;
        if node.flagged.is_some() {
            return Ok(FollowStep::default());
        }
        let key = feed::pinned_key(&node.public_key).map_err(AppError::Internal)?;
        match self.follow_head(&node, &key, feed).await {
            Ok(Some(flag)) => {
                return Ok(FollowStep {
                    flagged: Some(flag),
                    ..FollowStep::default()
                });
            }
            Ok(None) => {}
            Err(reason) => {
                self.store
                    .hub_contact(origin, self.now_ms(), Some(&reason))
                    .await?;
                return Ok(FollowStep::default());
            }
        }
        let node = self.followed_node(origin).await?;
        let Some(head) = node.head.clone() else {
            return Ok(FollowStep::default());
        };
        let mut step = FollowStep::default();
        let mut size = node.mirrored_size;
        for _ in 0..PAGES_PER_STEP {
            if size >= head.head.size {
                break;
            }
            match self.mirror_page(&node, &key, &head, size, feed).await? {
                Ok(to) => {
                    step.mirrored += to - size;
                    size = to;
                }
                Err(Some(flag)) => {
                    step.flagged = Some(flag);
                    return Ok(step);
                }
                Err(None) => return Ok(step),
            }
        }
        step.behind = size < head.head.size;
        self.store.hub_contact(origin, self.now_ms(), None).await?;
        Ok(step)
    }

    /// Fetches and judges the node's newest head; records it when it is accepted. `Ok(Some)`:
    /// the node was flagged; `Err`: the node could not be followed this time (why).
    async fn follow_head(
        &self,
        node: &NodeStatus,
        key: &PublicKey,
        feed: &NodeFeed,
    ) -> Result<Option<Misbehaviour>, String> {
        let (new, served_key) = feed.head().await?;
        if !served_key.eq_ignore_ascii_case(&node.public_key) {
            return Err("节点声称的签名公钥与登记时固定的公钥不同".into());
        }
        let accepted = node.head.as_ref();
        let mut proof = Vec::new();
        let mut served = serde_json::Value::Null;
        if let Some(old) = accepted
            && new.head.size > old.head.size
            && old.head.size > 0
        {
            let consistency = feed.consistency(old.head.size, new.head.size).await?;
            proof = consistency.path;
            served = consistency.raw;
        }
        match judge_head(&node.origin, key, accepted, &new, &proof) {
            HeadVerdict::Unsigned(reason) => Err(reason),
            HeadVerdict::Unchanged => Ok(None),
            HeadVerdict::First | HeadVerdict::Extends => {
                let json = serde_json::to_string(&new).map_err(|e| e.to_string())?;
                self.store
                    .hub_accept_head(&node.origin, &json)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(None)
            }
            HeadVerdict::Misbehaved(kind) => {
                let old = accepted.expect("misbehaviour is judged against an accepted head");
                let detail = serde_json::json!({ "consistency": served });
                self.flag_node(node, kind, old, &new, key, detail)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some(kind))
            }
        }
    }

    /// Mirrors entries `from..` (one page) after checking them against `head`. `Ok(Ok(to))`:
    /// kept up to `to`; `Ok(Err(Some))`: the node served entries its signed tree does not hold
    /// and was flagged; `Ok(Err(None))`: the node could not be read this time (recorded).
    async fn mirror_page(
        &self,
        node: &NodeStatus,
        key: &PublicKey,
        head: &SignedTreeHead,
        from: u64,
        feed: &NodeFeed,
    ) -> Result<Result<u64, Option<Misbehaviour>>, AppError> {
        let origin = node.origin.as_str();
        let to = (from + PAGE).min(head.head.size);
        let now = self.now_ms();
        let fail = |reason: String| async move {
            self.store.hub_contact(origin, now, Some(&reason)).await?;
            Ok::<_, AppError>(Err(None))
        };
        let entries = match feed.entries(from, to).await {
            Ok(entries) => entries,
            Err(reason) => return fail(reason).await,
        };
        if entries.len() as u64 != to - from {
            return fail(format!(
                "请求第{from}至{}条，节点只给出{}条",
                to - 1,
                entries.len()
            ))
            .await;
        }
        let mut rows = Vec::with_capacity(entries.len());
        let mut leaves = Vec::with_capacity(entries.len());
        for (offset, entry) in entries.iter().enumerate() {
            match check_entry(origin, from + offset as u64, entry, now) {
                Ok((row, leaf)) => {
                    rows.push(row);
                    leaves.push(leaf);
                }
                Err(reason) => {
                    let detail = serde_json::json!({ "reason": reason, "entry": serde_json::to_value(entry).unwrap_or_default() });
                    self.flag_node(node, Misbehaviour::EntryMismatch, head, head, key, detail)
                        .await?;
                    return Ok(Err(Some(Misbehaviour::EntryMismatch)));
                }
            }
        }
        let keys: Vec<(u32, u64)> = Frontier::keys(from)
            .into_iter()
            .map(|k| (k.level, k.index))
            .collect();
        let stored = self.store.hub_tree_nodes(origin, &keys).await?;
        if stored.len() != keys.len() {
            return Err(AppError::Internal(format!(
                "the mirror of {origin} lacks tree nodes below {from}"
            )));
        }
        let frontier = Frontier {
            size: from,
            nodes: stored
                .into_iter()
                .map(|(level, index, hash)| {
                    Ok((NodeKey { level, index }, Sm3Hash::from_slice(&hash)?))
                })
                .collect::<Result<Vec<_>, crypto::CryptoError>>()?,
        };
        let extension = extend(&frontier, &leaves);
        let (proof, served) = if to < head.head.size {
            match feed.consistency(to, head.head.size).await {
                Ok(c) => (c.path, c.raw),
                Err(reason) => return fail(reason).await,
            }
        } else {
            (Vec::new(), serde_json::Value::Null)
        };
        if !prefix_of(to, &extension.root, head, &proof) {
            let detail = serde_json::json!({
                "from": from,
                "to": to,
                "computed_root": extension.root.to_hex(),
                "consistency": served,
            });
            self.flag_node(node, Misbehaviour::EntryMismatch, head, head, key, detail)
                .await?;
            return Ok(Err(Some(Misbehaviour::EntryMismatch)));
        }
        let nodes: Vec<(u32, u64, Vec<u8>)> = extension
            .nodes
            .iter()
            .map(|(k, h)| (k.level, k.index, h.as_bytes().to_vec()))
            .collect();
        self.store
            .hub_mirror(origin, from as i64, to as i64, &rows, &nodes)
            .await?;
        self.index_mirrored(node, &rows)?;
        Ok(Ok(to))
    }

    /// The province portal's search: the node's announcements in this hub's index, each linking
    /// to the node's own page and found by the node's region (the index is a cache: rebuilt by
    /// following again).
    fn index_mirrored(&self, node: &NodeStatus, rows: &[HubEntryRow]) -> Result<(), AppError> {
        let docs: Vec<search::Doc> = rows
            .iter()
            .filter(|r| {
                r.kind == crate::witness::documents::ANNOUNCEMENT_KIND && !r.payload.is_empty()
            })
            .filter_map(|r| mirrored_announcement_doc(node, r))
            .collect();
        if docs.is_empty() {
            return Ok(());
        }
        // `0`: the index's own place in this hub's ledger is left as it is.
        self.portal.index.add(&docs, 0).map_err(|e| {
            AppError::Internal(format!("indexing {}'s announcements: {e}", node.origin))
        })
    }

    async fn flag_node(
        &self,
        node: &NodeStatus,
        kind: Misbehaviour,
        accepted: &SignedTreeHead,
        offending: &SignedTreeHead,
        key: &PublicKey,
        detail: serde_json::Value,
    ) -> Result<(), AppError> {
        tracing::warn!(origin = %node.origin, kind = kind.as_str(), "a followed node misbehaved");
        self.store
            .hub_flag(&HubFlagRow {
                origin: node.origin.clone(),
                detected_ms: self.now_ms(),
                kind: kind.as_str().to_string(),
                accepted: accepted.to_checkpoint(key),
                offending: offending.to_checkpoint(key),
                detail: detail.to_string(),
            })
            .await?;
        Ok(())
    }

    /// The inclusion proof of a node's mirrored entry to the node's accepted signed head,
    /// computed from the hub's mirror of the node's tree: the node's own proof, checkable with the
    /// node's key alone. Only once the mirror has reached the accepted head.
    pub async fn mirrored_proof(&self, origin: &str, seq: u64) -> Result<MirroredProof, AppError> {
        let node = self.followed_node(origin).await?;
        let head = node
            .head
            .clone()
            .ok_or(AppError::NotFound("尚未取得该节点的签名树头"))?;
        if seq >= head.head.size {
            return Err(AppError::NotFound("该序号超出该节点已签名的账本"));
        }
        if node.mirrored_size < head.head.size {
            return Err(AppError::NotFound(
                "本平台尚未同步到该节点的最新签名树头，请稍后再试",
            ));
        }
        let entry = self
            .store
            .hub_entries(origin, seq as i64, seq as i64 + 1)
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound("本平台没有该条目"))?;
        let size = head.head.size;
        let keys: Vec<(u32, u64)> = ledger::needed_nodes(|recorder| {
            let _ = ledger::inclusion_proof(recorder, seq, size);
        })
        .into_iter()
        .map(|k| (k.level, k.index))
        .collect();
        let stored = self.store.hub_tree_nodes(origin, &keys).await?;
        let tree = ledger::MemoryTree::from_nodes(
            stored
                .into_iter()
                .map(|(level, index, hash)| {
                    Ok((NodeKey { level, index }, Sm3Hash::from_slice(&hash)?))
                })
                .collect::<Result<Vec<_>, crypto::CryptoError>>()?,
        );
        let path = ledger::inclusion_proof(&tree, seq, size)
            .map_err(|e| AppError::Internal(format!("the mirror of {origin} lacks a node: {e}")))?
            .map_err(|e| AppError::Internal(format!("inclusion proof: {e}")))?;
        let leaf = Sm3Hash::from_slice(&entry.leaf_hash)?;
        // The mirror was checked page by page against the node's signed heads: a proof that does
        // not verify is the hub's own fault, never served.
        ledger::verify_inclusion(&leaf, seq, size, &path, &head.head.root).map_err(|e| {
            AppError::Internal(format!("the mirror of {origin} is inconsistent: {e}"))
        })?;
        Ok(MirroredProof {
            entry,
            head,
            path,
            node_url: node.url,
        })
    }

    /// A followed node's mirrored entries `from <= seq < to`.
    pub async fn mirrored_entries(
        &self,
        origin: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<HubEntryRow>, AppError> {
        if to < from {
            return Err(crate::witness::views::ledger_range(
                "结束序号不能小于起始序号",
            ));
        }
        Ok(self
            .store
            .hub_entries(
                origin,
                from as i64,
                to.min(from.saturating_add(PAGE)) as i64,
            )
            .await?)
    }
}

/// The key prefix of a followed node's documents in the hub's search index.
pub fn node_doc_prefix(origin: &str) -> String {
    format!("node:{origin}:")
}

/// A node's announcement as a document of the province portal: the node's page as its address,
/// the node's region as its region.
fn mirrored_announcement_doc(node: &NodeStatus, row: &HubEntryRow) -> Option<search::Doc> {
    let a: domain::Announcement = serde_json::from_str(&row.payload).ok()?;
    let mut codes = vec![a.id.clone(), a.procedure.clone()];
    codes.extend(a.lot.clone());
    Some(search::Doc {
        key: format!("{}announcement:{}", node_doc_prefix(&node.origin), a.id),
        url: format!("{}/announcements/{}", node.url.trim_end_matches('/'), a.id),
        title: a.title,
        body: a.body,
        codes,
        domain: a.category,
        doc_type: serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        region: node.region.clone(),
        published_ms: a.published_at_ms,
        amount_fen: None,
        seq: row.seq.max(0) as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let values: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.5), 50);
        assert_eq!(percentile(&values, 0.99), 99);
        assert_eq!(percentile(&values, 1.0), 100);
        assert_eq!(percentile(&values, 0.0), 1);
        assert_eq!(percentile(&[7], 0.99), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }
}
