//! Appending to the witness ledger inside a write transaction: salts and commitments, leaf
//! hashes, the Merkle nodes each leaf completes, one signed tree head per transaction, and the
//! receipts with their inclusion proofs.

use crypto::{PlatformKey, Sm3Hash, canonical_json};
use ledger::{
    Entry, MemoryTree, NodeKey, NodeReader, SignedTreeHead, TreeHead, Visibility, completed_nodes,
    inclusion_proof, needed_nodes, root_hash,
};
use rand::RngExt;
use serde::Serialize;
use store::{EntryRow, HeadRow, WriteTx};

use crate::AppError;

/// An act to be witnessed.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub stream: String,
    pub kind: String,
    pub visibility: Visibility,
    pub actor: String,
    pub payload: serde_json::Value,
}

/// Proof that an act was witnessed: its place in the ledger, the signed head that includes it,
/// and the inclusion proof from its leaf to that head's root.
#[derive(Clone, Debug, Serialize)]
pub struct Receipt {
    pub seq: u64,
    pub stream: String,
    pub kind: String,
    pub leaf_hash: Sm3Hash,
    pub tree_head: SignedTreeHead,
    pub inclusion_proof: Vec<Sm3Hash>,
}

/// Adds to `tree` the stored nodes among `needed` that it does not hold yet (one query).
async fn fetch_missing(
    tx: &mut WriteTx<'_>,
    tree: &mut MemoryTree,
    needed: Vec<NodeKey>,
) -> Result<(), AppError> {
    let missing: Vec<(u32, u64)> = needed
        .iter()
        .filter(|key| tree.node(**key).is_err())
        .map(|key| (key.level, key.index))
        .collect();
    if !missing.is_empty() {
        for (level, index, hash) in tx.nodes(&missing).await? {
            tree.insert(NodeKey { level, index }, Sm3Hash::from_slice(&hash)?);
        }
    }
    Ok(())
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("ledger: {error}"))
}

/// Appends `entries` in order, writes the nodes they complete and one signed head, and returns
/// their receipts. The caller commits; the receipts are valid once it has.
pub(crate) async fn append(
    tx: &mut WriteTx<'_>,
    key: &PlatformKey,
    origin: &str,
    now_ms: i64,
    entries: Vec<NewEntry>,
) -> Result<Vec<Receipt>, AppError> {
    // One tree for the whole batch: the stored nodes it reads (the frontier, fetched once) and
    // the nodes its leaves complete; rows are written in multi-row statements at the end.
    let mut tree = MemoryTree::new();
    let first = tx.size();
    let mut appended = Vec::with_capacity(entries.len());
    let mut rows = Vec::with_capacity(entries.len());
    let mut nodes = Vec::new();
    for (offset, new) in entries.into_iter().enumerate() {
        let seq = first + offset as u64;
        let salt: [u8; 32] = rand::rng().random();
        let entry = Entry {
            seq,
            stream: new.stream,
            kind: new.kind,
            visibility: new.visibility,
            actor: new.actor,
            at_ms: now_ms,
            payload: new.payload,
            salt,
        };
        let leaf = entry.leaf_hash()?;
        let needed = needed_nodes(|recorder| {
            let _ = completed_nodes(recorder, seq, leaf);
        });
        fetch_missing(tx, &mut tree, needed).await?;
        for (node_key, hash) in completed_nodes(&tree, seq, leaf).map_err(internal)? {
            tree.insert(node_key, hash);
            nodes.push((node_key.level, node_key.index, hash.0));
        }
        rows.push(EntryRow {
            seq: seq as i64,
            stream: entry.stream.clone(),
            kind: entry.kind.clone(),
            visibility: entry.visibility.as_str().to_string(),
            actor: entry.actor.clone(),
            at_ms: now_ms,
            payload: canonical_json(&entry.payload)?,
            salt: salt.to_vec(),
            leaf_hash: leaf.as_bytes().to_vec(),
        });
        appended.push((entry, leaf));
    }
    tx.insert_entries(&rows).await?;
    tx.insert_nodes(&nodes).await?;
    let size = tx.size();
    let needed = needed_nodes(|recorder| {
        let _ = root_hash(recorder, size);
        for (entry, _) in &appended {
            let _ = inclusion_proof(recorder, entry.seq, size);
        }
    });
    fetch_missing(tx, &mut tree, needed).await?;
    let root = root_hash(&tree, size).map_err(internal)?;
    let head = TreeHead {
        origin: origin.to_string(),
        size,
        root,
        timestamp_ms: now_ms,
    }
    .sign(key);
    tx.insert_head(&HeadRow {
        size: size as i64,
        root: root.as_bytes().to_vec(),
        at_ms: now_ms,
        signature: head.signature.0.to_vec(),
    })
    .await?;
    appended
        .into_iter()
        .map(|(entry, leaf)| {
            let path = inclusion_proof(&tree, entry.seq, size)
                .map_err(internal)?
                .map_err(internal)?;
            Ok(Receipt {
                seq: entry.seq,
                stream: entry.stream,
                kind: entry.kind,
                leaf_hash: leaf,
                tree_head: head.clone(),
                inclusion_proof: path,
            })
        })
        .collect()
}
