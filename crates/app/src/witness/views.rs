//! Reading the witness ledger: the signed head, entries (public ones in full, others as hashes
//! unless the caller may see them), and inclusion and consistency proofs.

use crypto::Sm3Hash;
use domain::Role;
use ledger::{
    MemoryTree, NodeKey, SignedTreeHead, TreeHead, Visibility, consistency_proof, inclusion_proof,
    needed_nodes, payload_commitment, root_hash,
};
use serde::Serialize;
use store::EntryRow;

use crate::witness::verify::signed_head;
use crate::{App, AppError, Caller};

/// One entry as a given caller may see it.
#[derive(Clone, Debug, Serialize)]
pub struct EntryView {
    pub seq: u64,
    pub stream: String,
    pub kind: String,
    pub visibility: Visibility,
    pub actor: String,
    pub at_ms: i64,
    pub leaf_hash: Sm3Hash,
    /// SM3(salt ‖ canonical(payload)): what the leaf commits to.
    pub commit: Sm3Hash,
    /// The payload and salt, when the caller may see them; `None` means "committed, not shown".
    pub payload: Option<serde_json::Value>,
    pub salt: Option<String>,
    /// Personal numbers in the payload were masked for this reader: it no longer hashes to
    /// `commit`, and the salt is withheld.
    pub masked: bool,
}

/// An inclusion proof with the signed head it leads to.
#[derive(Clone, Debug, Serialize)]
pub struct ProofBundle {
    pub seq: u64,
    pub leaf_hash: Sm3Hash,
    pub tree_head: SignedTreeHead,
    pub path: Vec<Sm3Hash>,
}

/// An inclusion proof to the tree of any size up to the ledger's: the root is computed from the
/// stored nodes; `tree_head` is the head signed at that size, when one is stored. A checker
/// that holds a signed head of that size (a receipt) compares roots, or asks for a consistency
/// proof from that size to the newest head.
#[derive(Clone, Debug, Serialize)]
pub struct SizedProof {
    pub seq: u64,
    pub leaf_hash: Sm3Hash,
    pub size: u64,
    pub root: Sm3Hash,
    pub tree_head: Option<SignedTreeHead>,
    pub path: Vec<Sm3Hash>,
}

/// A consistency proof between the trees of two sizes, each with its root (computed from the
/// stored nodes) and the head signed at that size, when one is stored.
#[derive(Clone, Debug, Serialize)]
pub struct SizedConsistency {
    pub first_size: u64,
    pub first_root: Sm3Hash,
    pub first: Option<SignedTreeHead>,
    pub second_size: u64,
    pub second_root: Sm3Hash,
    pub second: Option<SignedTreeHead>,
    pub path: Vec<Sm3Hash>,
}

/// A consistency proof between two signed heads.
#[derive(Clone, Debug, Serialize)]
pub struct ConsistencyBundle {
    pub first: SignedTreeHead,
    pub second: SignedTreeHead,
    pub path: Vec<Sm3Hash>,
}

/// What `is_disclosed` learned in one listing: lots opened, sales' winners.
#[derive(Default)]
struct DisclosureCache {
    lots: std::collections::HashMap<String, bool>,
    sales: std::collections::HashMap<String, Vec<String>>,
}

/// Whether the caller reads its own entity's stream (or its own account's).
fn reads_own(caller: Option<&Caller>, stream: &str) -> bool {
    caller.is_some_and(|c| {
        stream
            .strip_prefix("entity/")
            .is_some_and(|id| c.acts_for(id))
            || stream.strip_prefix("account/") == Some(c.username.as_str())
    })
}

/// Masks every personal number in a payload's strings.
fn mask_payload(payload: serde_json::Value) -> (serde_json::Value, bool) {
    match payload {
        serde_json::Value::String(text) => {
            let (text, masked) = domain::mask_personal_numbers(&text);
            (serde_json::Value::String(text), masked)
        }
        serde_json::Value::Array(items) => {
            let mut any = false;
            let items = items
                .into_iter()
                .map(|item| {
                    let (item, masked) = mask_payload(item);
                    any |= masked;
                    item
                })
                .collect();
            (serde_json::Value::Array(items), any)
        }
        serde_json::Value::Object(map) => {
            let mut any = false;
            let map = map
                .into_iter()
                .map(|(key, item)| {
                    let (item, masked) = mask_payload(item);
                    any |= masked;
                    (key, item)
                })
                .collect();
            (serde_json::Value::Object(map), any)
        }
        other => (other, false),
    }
}

fn may_see(
    caller: Option<&Caller>,
    row: &EntryRow,
    visibility: Visibility,
    own_bids: &std::collections::HashSet<String>,
) -> bool {
    match visibility {
        Visibility::Public => true,
        // A bid is the bidder's alone: not even the trading center or supervision sees its
        // entries (招标投标法 第22条); the opening record is what the rules publish.
        Visibility::Parties if row.stream.starts_with("bid/") => own_bids.contains(&row.stream),
        // A case (its reporter, evidence, investigation) is for the departments that handle it
        // or oversee its jurisdiction, not for every supervisor.
        Visibility::Supervision if row.stream.starts_with("case/") => {
            own_bids.contains(&row.stream)
        }
        Visibility::Parties => caller.is_some_and(|c| {
            c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor])
                || row
                    .stream
                    .strip_prefix("entity/")
                    .or_else(|| row.stream.strip_prefix("credit/"))
                    .is_some_and(|id| c.acts_for(id))
                || row.stream == format!("account/{}", c.username)
        }),
        Visibility::Supervision => {
            caller.is_some_and(|c| c.has_any(&[Role::Supervisor, Role::Auditor]))
        }
    }
}

fn corrupt(what: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("stored ledger data: {what}"))
}

impl App {
    /// The newest signed tree head; for an empty ledger, a freshly signed head of size 0.
    pub async fn ledger_head(&self) -> Result<SignedTreeHead, AppError> {
        match self.store.latest_head().await? {
            Some(row) => signed_head(&self.settings.origin, &row),
            None => Ok(TreeHead {
                origin: self.settings.origin.clone(),
                size: 0,
                root: crypto::sm3(b""),
                timestamp_ms: self.now_ms(),
            }
            .sign(&self.key)),
        }
    }

    /// The head in C2SP checkpoint text.
    pub async fn ledger_checkpoint(&self) -> Result<String, AppError> {
        Ok(self
            .ledger_head()
            .await?
            .to_checkpoint(&self.key.public_key()))
    }

    /// Entries `from <= seq < to` (at most 1000), as `caller` may see them.
    pub async fn ledger_entries(
        &self,
        caller: Option<&Caller>,
        from: u64,
        to: u64,
    ) -> Result<Vec<EntryView>, AppError> {
        if to < from {
            return Err(ledger_range("结束序号不能小于起始序号"));
        }
        let to = to.min(from.saturating_add(1000));
        let rows = self.store.entries(from, to).await?;
        // Bid streams are opaque; the caller's own are found through its bid documents.
        let mut own_bids = std::collections::HashSet::new();
        if let Some(c) = caller
            && !c.entity_id.is_empty()
            && rows.iter().any(|r| r.stream.starts_with("bid/"))
        {
            let page = self
                .store
                .documents(
                    &store::DocumentFilter {
                        kind: "bid",
                        key2: Some(&c.entity_id),
                        ..Default::default()
                    },
                    100_000,
                    0,
                )
                .await?;
            own_bids.extend(page.items.into_iter().map(|d| d.stream));
        }
        if let Some(c) = caller {
            let cases: std::collections::BTreeSet<&str> = rows
                .iter()
                .filter(|r| r.stream.starts_with("case/"))
                .map(|r| r.stream.as_str())
                .collect();
            let cases: Vec<&str> = cases.into_iter().collect();
            own_bids.extend(self.case_streams_visible_to(c, &cases).await?);
        }
        // Confidential entries whose moment of disclosure has come (`data/disclosure.toml`).
        let mut disclosed = std::collections::HashSet::new();
        let mut moments = DisclosureCache::default();
        for row in &rows {
            if row.visibility != Visibility::Public.as_str()
                && self.is_disclosed(row, &mut moments).await?
            {
                disclosed.insert(row.seq);
            }
        }
        rows.into_iter()
            .map(|row| {
                let visibility =
                    Visibility::parse(&row.visibility).ok_or_else(|| corrupt("visibility"))?;
                let payload: serde_json::Value =
                    serde_json::from_str(&row.payload).map_err(corrupt)?;
                let salt: [u8; 32] = row
                    .salt
                    .as_slice()
                    .try_into()
                    .map_err(|_| corrupt("salt length"))?;
                let commit = payload_commitment(&salt, &payload)?;
                let visible =
                    disclosed.contains(&row.seq) || may_see(caller, &row, visibility, &own_bids);
                // Personal numbers (ID numbers, mobiles) stay masked in payloads shown to
                // anyone but the person's own entity, oversight included; such a payload no
                // longer hashes to `commit`, so its salt is withheld and it says so.
                let (payload, masked) = if visible && !reads_own(caller, &row.stream) {
                    mask_payload(payload)
                } else {
                    (payload, false)
                };
                Ok(EntryView {
                    seq: row.seq as u64,
                    stream: row.stream,
                    kind: row.kind,
                    visibility,
                    actor: row.actor,
                    at_ms: row.at_ms,
                    leaf_hash: Sm3Hash::from_slice(&row.leaf_hash)?,
                    commit,
                    payload: visible.then_some(payload),
                    salt: (visible && !masked).then(|| hex::encode(salt)),
                    masked,
                })
            })
            .collect()
    }

    async fn tree_with(&self, needed: Vec<NodeKey>) -> Result<MemoryTree, AppError> {
        let keys: Vec<(u32, u64)> = needed.iter().map(|k| (k.level, k.index)).collect();
        let mut tree = MemoryTree::new();
        for (level, index, hash) in self.store.nodes(&keys).await? {
            tree.insert(NodeKey { level, index }, Sm3Hash::from_slice(&hash)?);
        }
        Ok(tree)
    }

    /// The inclusion proof of entry `seq` to the signed head of `size` entries (default: the
    /// newest head).
    pub async fn inclusion(&self, seq: u64, size: Option<u64>) -> Result<ProofBundle, AppError> {
        let head = match size {
            Some(size) => self
                .store
                .head_at(size)
                .await?
                .ok_or(AppError::NotFound("没有该规模的已签名树头"))?,
            None => self
                .store
                .latest_head()
                .await?
                .ok_or(AppError::NotFound("账本为空"))?,
        };
        let head = signed_head(&self.settings.origin, &head)?;
        let size = head.head.size;
        if seq >= size {
            return Err(AppError::NotFound("该序号不在此树头范围内"));
        }
        let entry = self
            .store
            .entry(seq)
            .await?
            .ok_or(AppError::NotFound("条目不存在"))?;
        let needed = needed_nodes(|recorder| {
            let _ = inclusion_proof(recorder, seq, size);
        });
        let tree = self.tree_with(needed).await?;
        let path = inclusion_proof(&tree, seq, size)
            .map_err(corrupt)?
            .map_err(|_| ledger_range("请求的证明范围超出账本"))?;
        Ok(ProofBundle {
            seq,
            leaf_hash: Sm3Hash::from_slice(&entry.leaf_hash)?,
            tree_head: head,
            path,
        })
    }

    /// Whether a confidential entry's moment of disclosure has come: its lot opened (a bid's
    /// entries), or its sale closed with it the winner's (a sealed sale's entries).
    async fn is_disclosed(
        &self,
        row: &EntryRow,
        cache: &mut DisclosureCache,
    ) -> Result<bool, AppError> {
        let Some(rule) = self.disclosure.rule_for(&row.stream, &row.kind) else {
            return Ok(false);
        };
        match rule.public_after {
            domain::DisclosureMoment::LotOpened => {
                let Some(document) = self.store.document(&row.stream).await? else {
                    return Ok(false);
                };
                let bid: domain::Bid = crate::witness::replay::decode_state(&document.state)?;
                if let Some(opened) = cache.lots.get(&bid.lot) {
                    return Ok(*opened);
                }
                let opened = match crate::tendering::tender::procedure_of_lot(&bid.lot) {
                    Ok(id) => self
                        .load_procedure(id)
                        .await
                        .ok()
                        .and_then(|p| p.lot(&bid.lot).map(|l| l.opened_at_ms.is_some()))
                        .unwrap_or(false),
                    Err(_) => false,
                };
                cache.lots.insert(bid.lot.clone(), opened);
                Ok(opened)
            }
            domain::DisclosureMoment::SaleClosedWinner => {
                let id = row.stream.strip_prefix(&rule.stream_prefix).unwrap_or("");
                let winners = match cache.sales.get(id) {
                    Some(winners) => winners.clone(),
                    None => {
                        let winners: Vec<String> =
                            match self.auction(id).await.ok().and_then(|a| a.result) {
                                Some(domain::AuctionResult::Sold { bidder, .. }) => vec![bidder],
                                Some(domain::AuctionResult::Allocated { allocations }) => {
                                    allocations.into_iter().map(|a| a.bidder).collect()
                                }
                                _ => Vec::new(),
                            };
                        cache.sales.insert(id.to_string(), winners.clone());
                        winners
                    }
                };
                let payload: serde_json::Value =
                    serde_json::from_str(&row.payload).map_err(corrupt)?;
                let bidder = payload["bidder"]
                    .as_str()
                    .or_else(|| payload["bid"]["bidder"].as_str())
                    .unwrap_or("");
                Ok(!bidder.is_empty() && winners.iter().any(|w| w == bidder))
            }
        }
    }

    /// The inclusion proof of entry `seq` to the tree of `size` entries (default: the newest
    /// signed head), for any size up to the ledger's: a deleted head strands no receipt.
    pub async fn inclusion_to_size(
        &self,
        seq: u64,
        size: Option<u64>,
    ) -> Result<SizedProof, AppError> {
        let size = match size {
            Some(size) => size,
            None => self.ledger_head().await?.head.size,
        };
        self.check_size(size).await?;
        if seq >= size {
            return Err(AppError::NotFound("该序号不在此树头范围内"));
        }
        let entry = self
            .store
            .entry(seq)
            .await?
            .ok_or(AppError::NotFound("条目不存在"))?;
        let needed = needed_nodes(|recorder| {
            let _ = inclusion_proof(recorder, seq, size);
            let _ = root_hash(recorder, size);
        });
        let tree = self.tree_with(needed).await?;
        let path = inclusion_proof(&tree, seq, size)
            .map_err(corrupt)?
            .map_err(|_| ledger_range("请求的证明范围超出账本"))?;
        let root = root_hash(&tree, size).map_err(corrupt)?;
        let tree_head = match self.store.head_at(size).await? {
            Some(row) => Some(signed_head(&self.settings.origin, &row)?),
            None => None,
        };
        Ok(SizedProof {
            seq,
            leaf_hash: Sm3Hash::from_slice(&entry.leaf_hash)?,
            size,
            root,
            tree_head,
            path,
        })
    }

    /// The consistency proof between the trees of `first` and `second` entries, any sizes
    /// `1 ≤ first ≤ second ≤` the ledger's.
    pub async fn consistency_of_sizes(
        &self,
        first: u64,
        second: u64,
    ) -> Result<SizedConsistency, AppError> {
        if first > second {
            return Err(ledger_range("第一个树头不能大于第二个"));
        }
        if first == 0 {
            return Err(ledger_range("树的规模至少为1"));
        }
        self.check_size(second).await?;
        let needed = needed_nodes(|recorder| {
            let _ = consistency_proof(recorder, first, second);
            let _ = root_hash(recorder, first);
            let _ = root_hash(recorder, second);
        });
        let tree = self.tree_with(needed).await?;
        let path = consistency_proof(&tree, first, second)
            .map_err(corrupt)?
            .map_err(|_| ledger_range("请求的证明范围超出账本"))?;
        let head = |size: u64| async move {
            match self.store.head_at(size).await? {
                Some(row) => Ok::<_, AppError>(Some(signed_head(&self.settings.origin, &row)?)),
                None => Ok(None),
            }
        };
        Ok(SizedConsistency {
            first_size: first,
            first_root: root_hash(&tree, first).map_err(corrupt)?,
            first: head(first).await?,
            second_size: second,
            second_root: root_hash(&tree, second).map_err(corrupt)?,
            second: head(second).await?,
            path,
        })
    }

    /// The sizes (and times) of the signed heads after `after_size`, at most `limit`.
    pub async fn head_sizes(
        &self,
        after_size: u64,
        limit: u64,
    ) -> Result<Vec<(u64, i64)>, AppError> {
        Ok(self
            .store
            .head_sizes(after_size, limit.clamp(1, 1000))
            .await?)
    }

    /// A proof may reach any size up to the newest signed head's.
    async fn check_size(&self, size: u64) -> Result<(), AppError> {
        let newest = self.ledger_head().await?.head.size;
        if size == 0 || size > newest {
            return Err(AppError::NotFound("请求的树规模超出已签名的账本"));
        }
        Ok(())
    }

    /// The consistency proof between the signed heads of `first` and `second` entries.
    pub async fn consistency(
        &self,
        first: u64,
        second: u64,
    ) -> Result<ConsistencyBundle, AppError> {
        if first > second {
            return Err(ledger_range("第一个树头不能大于第二个"));
        }
        let first_head = self
            .store
            .head_at(first)
            .await?
            .ok_or(AppError::NotFound("没有该规模的已签名树头"))?;
        let second_head = self
            .store
            .head_at(second)
            .await?
            .ok_or(AppError::NotFound("没有该规模的已签名树头"))?;
        let needed = needed_nodes(|recorder| {
            let _ = consistency_proof(recorder, first, second);
            let _ = root_hash(recorder, first);
        });
        let tree = self.tree_with(needed).await?;
        let path = consistency_proof(&tree, first, second)
            .map_err(corrupt)?
            .map_err(|_| ledger_range("请求的证明范围超出账本"))?;
        Ok(ConsistencyBundle {
            first: signed_head(&self.settings.origin, &first_head)?,
            second: signed_head(&self.settings.origin, &second_head)?,
            path,
        })
    }
}

/// A range or tree size the ledger cannot serve (`LEDGER_RANGE`): the request is well formed
/// but does not fit this ledger (a size beyond the tip, an end before the start).
pub(crate) fn ledger_range(message: &str) -> AppError {
    AppError::Refused {
        code: "LEDGER_RANGE",
        message: message.to_string(),
    }
}
