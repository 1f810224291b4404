//! `ggzy verify`: recompute every leaf and node, check every signed head, replay every event
//! into the read tables and compare them with what is stored. The first complaint names the
//! entry (or row) and what is wrong with it.

use std::collections::BTreeMap;

use crypto::{PublicKey, Sm3Hash};
use ledger::{Entry, MemoryTree, NodeKey, SignedTreeHead, Visibility, root_hash};
use serde::Serialize;
use store::Store;

use crate::AppError;
use crate::witness::projection::Rebuilt;

/// What the verifier found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VerifyReport {
    pub entries: u64,
    pub nodes: u64,
    pub heads: u64,
    /// Blobs the ledger references, each checked.
    pub blobs: u64,
    pub entities: u64,
    pub accounts: u64,
    /// Credit files whose level was recomputed from the ledger (its records and the credit
    /// standards it published) and found equal to the stored file's.
    pub credit_levels: u64,
    /// Problems in the order found; empty means the store is sound.
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, text: String) {
        if self.problems.len() < 50 {
            self.problems.push(text);
        }
    }
}

const CHUNK: u64 = 5_000;

/// Verifies a whole store against the platform's public key and origin.
pub async fn verify_store(
    store: &Store,
    key: &PublicKey,
    origin: &str,
) -> Result<VerifyReport, AppError> {
    let mut report = VerifyReport::default();
    let size = store.ledger_size().await?;
    // The stored rows must be exactly 0..size−1: a row at a negative place or at or beyond the
    // tip is not part of the ledger (the application never reads one), but it must not pass.
    for seq in store.entries_outside(size, 20).await? {
        report.problem(format!(
            "entry {seq}: stored outside the ledger (its places are 0..{}), inserted behind the ledger's back",
            size as i64 - 1
        ));
    }
    let counted = store.count_entries().await?;
    let mut tree = MemoryTree::new();
    let mut rebuilt = Rebuilt::default();
    let mut expected_seq = 0u64;
    let mut blob_refs = BTreeMap::new();
    let mut from = 0u64;
    'scan: loop {
        let rows = match store.entries(from, from + CHUNK).await {
            Ok(rows) => rows,
            Err(error) => {
                // A row that cannot even be read (a column of the wrong type): find and name it.
                let mut named = false;
                for seq in from..(from + CHUNK).min(size) {
                    if let Err(error) = store.entry(seq).await {
                        report.problem(format!("entry {seq}: cannot be read: {error}"));
                        named = true;
                        break;
                    }
                }
                if !named {
                    report.problem(format!(
                        "entries {from}..{}: cannot be read: {error}",
                        from + CHUNK
                    ));
                }
                break 'scan;
            }
        };
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let seq = row.seq as u64;
            if seq != expected_seq {
                if expected_seq >= size {
                    report.problem(format!(
                        "entry {seq}: stored beyond the ledger's size {size} (inserted)"
                    ));
                } else {
                    report.problem(format!(
                        "entry {expected_seq}: missing (the next stored entry is {seq})"
                    ));
                }
                break 'scan;
            }
            if seq >= size {
                report.problem(format!(
                    "entry {seq}: stored beyond the ledger's size {size} (inserted)"
                ));
                break 'scan;
            }
            expected_seq += 1;
            match recompute_leaf(row) {
                Ok(leaf) => {
                    if leaf.as_bytes().as_slice() != row.leaf_hash.as_slice() {
                        report.problem(format!(
                            "entry {seq}: its contents do not match its stored leaf hash (edited or moved)"
                        ));
                    }
                    tree.push(leaf);
                }
                Err(why) => {
                    report.problem(format!("entry {seq}: {why}"));
                    tree.push(Sm3Hash([0; 32]));
                }
            }
            if let Ok(payload) = serde_json::from_str::<serde_json::Value>(&row.payload) {
                collect_blob_refs(&payload, seq, &mut blob_refs);
            }
            if let Err(error) = rebuilt.apply(row) {
                report.problem(format!("entry {seq}: cannot be replayed: {error}"));
            }
        }
        from += CHUNK;
    }
    if counted != expected_seq && report.problems.is_empty() {
        report.problem(format!(
            "ledger: {counted} rows stored, {expected_seq} of them at places 0..{size}"
        ));
    }
    if expected_seq < size && report.problems.is_empty() {
        report.problem(format!(
            "entry {expected_seq}: missing (the ledger's size is {size})"
        ));
    }
    report.entries = expected_seq;

    // Every stored node must be the recomputed one, and every recomputed node must be stored.
    let stored_nodes = store.all_nodes().await?;
    report.nodes = stored_nodes.len() as u64;
    let mut seen = 0u64;
    for (level, index, hash) in &stored_nodes {
        let key = NodeKey {
            level: *level,
            index: *index,
        };
        match ledger::NodeReader::node(&tree, key) {
            Ok(expected) if expected.as_bytes().as_slice() == hash.as_slice() => seen += 1,
            Ok(_) => report.problem(format!(
                "tree node level {level} index {index} (leaves {}..{}): stored hash differs from the recomputed one",
                index << level,
                ((index + 1) << level) - 1
            )),
            Err(_) => report.problem(format!(
                "tree node level {level} index {index}: stored but covers leaves beyond the ledger"
            )),
        }
    }
    let expected_nodes: u64 = (0..64).map(|level| tree.size() >> level).sum();
    if seen != expected_nodes && report.problems.is_empty() {
        // Name the complete nodes that are not stored.
        let stored: std::collections::BTreeSet<(u32, u64)> = stored_nodes
            .iter()
            .map(|(level, index, _)| (*level, *index))
            .collect();
        let mut missing = 0;
        'levels: for level in 0..64u32 {
            for index in 0..(tree.size() >> level) {
                if !stored.contains(&(level, index)) {
                    report.problem(format!(
                        "tree node level {level} index {index} (leaves {}..{}): missing",
                        index << level,
                        ((index + 1) << level) - 1
                    ));
                    missing += 1;
                    if missing >= 10 {
                        break 'levels;
                    }
                }
            }
        }
        if missing == 0 {
            report.problem(format!(
                "tree: {expected_nodes} complete nodes expected, {seen} found"
            ));
        }
    }

    // Every signed head: its signature, and its root against the recomputed tree. Consecutive
    // heads are then consistent by construction, since all roots come from one tree.
    let heads = store.all_heads().await?;
    report.heads = heads.len() as u64;
    for row in &heads {
        let head_size = row.size as u64;
        let signed = match head_from(origin, row) {
            Ok(signed) => signed,
            Err(why) => {
                report.problem(format!("tree head of size {head_size}: {why}"));
                continue;
            }
        };
        if signed.verify(key).is_err() {
            report.problem(format!(
                "tree head of size {head_size}: signature does not verify"
            ));
        }
        if head_size > tree.size() {
            report.problem(format!(
                "tree head of size {head_size}: larger than the ledger ({})",
                tree.size()
            ));
            continue;
        }
        match root_hash(&tree, head_size) {
            Ok(root) if root == signed.head.root => {}
            _ => report.problem(format!(
                "tree head of size {head_size}: root differs from the recomputed tree (history rewritten at or before entry {})",
                head_size.saturating_sub(1)
            )),
        }
    }
    // Each head names the size of the head signed before it: a head deleted from the middle
    // leaves a gap that names it.
    let chain = store.head_chain().await?;
    let stored_sizes: std::collections::BTreeSet<i64> =
        chain.iter().map(|(size, _)| *size).collect();
    let mut previous = 0i64;
    for (head_size, prev_size) in &chain {
        if *prev_size >= 0 && *prev_size != previous {
            if *prev_size > 0 && !stored_sizes.contains(prev_size) {
                report.problem(format!(
                    "tree head of size {prev_size}: missing (the head of size {head_size} was signed after it)"
                ));
            } else {
                report.problem(format!(
                    "tree head of size {head_size}: records the previous head as size {prev_size}, but the previous stored head is of size {previous}"
                ));
            }
        }
        previous = *head_size;
    }
    if let Some(last) = heads.last()
        && (last.size as u64) < size
    {
        report.problem(format!(
            "ledger: the newest signed head covers {} entries, the ledger has {size}",
            last.size
        ));
    }

    // Every blob the ledger references: present, of the recorded size, and its bytes still
    // the ones committed (a document's SM3; an envelope's digest of its signed header).
    check_blobs(store, &blob_refs, &mut report).await?;

    // Replay: the read tables must be exactly what the events say.
    let stored_entities: BTreeMap<String, store::EntityRow> = store
        .all_entities()
        .await?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    report.entities = stored_entities.len() as u64;
    compare("entities", &rebuilt.entities, &stored_entities, &mut report);
    let stored_accounts: BTreeMap<String, store::AccountRow> = store
        .all_accounts()
        .await?
        .into_iter()
        .map(|row| (row.username.clone(), row))
        .collect();
    report.accounts = stored_accounts.len() as u64;
    compare("accounts", &rebuilt.accounts, &stored_accounts, &mut report);
    let stored_references: BTreeMap<String, store::ReferenceRow> = store
        .all_reference_versions()
        .await?
        .into_iter()
        .map(|row| (format!("{}/{}", row.kind, row.version), row))
        .collect();
    compare(
        "reference_versions",
        &rebuilt.references,
        &stored_references,
        &mut report,
    );
    let stored_documents: BTreeMap<String, store::DocumentRow> = store
        .all_documents()
        .await?
        .into_iter()
        .map(|row| (row.stream.clone(), row))
        .collect();
    compare(
        "documents",
        &rebuilt.documents,
        &stored_documents,
        &mut report,
    );
    check_credit_levels(store, &rebuilt, &stored_documents, &mut report).await?;
    let stored_announcements: BTreeMap<String, store::AnnouncementRow> = store
        .all_announcements()
        .await?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    compare(
        "announcements",
        &rebuilt.announcements,
        &stored_announcements,
        &mut report,
    );
    Ok(report)
}

/// Every credit file's level under every standard, recomputed from the replayed records and the
/// newest credit standards the ledger published, on the day of the newest signed head, must
/// equal the level of the stored file: the levels shown and enforced are the ledger's.
async fn check_credit_levels(
    store: &Store,
    rebuilt: &Rebuilt,
    stored: &BTreeMap<String, store::DocumentRow>,
    report: &mut VerifyReport,
) -> Result<(), AppError> {
    let Some(text) = rebuilt
        .references
        .values()
        .filter(|row| row.kind == "credit")
        .max_by_key(|row| row.version)
        .map(|row| row.content.clone())
    else {
        return Ok(());
    };
    let standards: domain::CreditStandards = match toml::from_str(&text) {
        Ok(standards) => standards,
        Err(error) => {
            report.problem(format!(
                "credit standards published in the ledger do not parse: {error}"
            ));
            return Ok(());
        }
    };
    let day = match store.latest_head().await? {
        Some(head) => domain::Date::of_instant(head.at_ms),
        None => return Ok(()),
    };
    for (stream, row) in rebuilt.documents.iter().filter(|(_, r)| r.kind == "credit") {
        let replayed: domain::CreditFile = match serde_json::from_str(&row.state) {
            Ok(file) => file,
            Err(error) => {
                report.problem(format!(
                    "{stream}: replayed credit file unreadable: {error}"
                ));
                continue;
            }
        };
        let Some(stored_row) = stored.get(stream) else {
            continue;
        };
        let Ok(stored_file) = serde_json::from_str::<domain::CreditFile>(&stored_row.state) else {
            report.problem(format!("{stream}: stored credit file unreadable"));
            continue;
        };
        for standard in standards.of_subject(replayed.kind) {
            let from_ledger = domain::evaluate_credit(&replayed.records, standard, day);
            let from_store = domain::evaluate_credit(&stored_file.records, standard, day);
            if (from_ledger.score, &from_ledger.level) != (from_store.score, &from_store.level) {
                report.problem(format!(
                    "{stream}: under {} the ledger gives {} ({}), the stored file {} ({})",
                    standard.code,
                    from_ledger.level,
                    from_ledger.score,
                    from_store.level,
                    from_store.score
                ));
            }
        }
        report.credit_levels += 1;
    }
    Ok(())
}

/// A blob the ledger references, and the first entry that does.
#[derive(Clone, Debug)]
enum BlobRef {
    /// A document (`{name, sm3, size}`): the blob's SM3 is its name.
    Document { size: u64, seq: u64 },
    /// A sealed envelope (an object with a `wrapped_key` and its digest in `sm3` or
    /// `envelope`): filed under the digest of its signed header.
    Envelope { seq: u64 },
}

fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Collects the blobs a payload references (documents, opened files, contracts, envelopes).
fn collect_blob_refs(value: &serde_json::Value, seq: u64, out: &mut BTreeMap<String, BlobRef>) {
    match value {
        serde_json::Value::Object(map) => {
            let text = |key: &str| map.get(key).and_then(|v| v.as_str());
            if map.contains_key("wrapped_key") {
                if let Some(digest) = text("sm3").or_else(|| text("envelope"))
                    && is_digest(digest)
                {
                    out.entry(digest.to_string())
                        .or_insert(BlobRef::Envelope { seq });
                }
            } else if let (Some(digest), Some(size), Some(_)) = (
                text("sm3"),
                map.get("size").and_then(|v| v.as_u64()),
                text("name"),
            ) && is_digest(digest)
            {
                out.entry(digest.to_string())
                    .or_insert(BlobRef::Document { size, seq });
            }
            for child in map.values() {
                collect_blob_refs(child, seq, out);
            }
        }
        serde_json::Value::Array(items) => {
            for child in items {
                collect_blob_refs(child, seq, out);
            }
        }
        _ => {}
    }
}

async fn check_blobs(
    store: &Store,
    refs: &BTreeMap<String, BlobRef>,
    report: &mut VerifyReport,
) -> Result<(), AppError> {
    for (digest, reference) in refs {
        let seq = match reference {
            BlobRef::Document { seq, .. } | BlobRef::Envelope { seq } => *seq,
        };
        let content = match store.blob(digest).await {
            Ok(Some(content)) => content,
            Ok(None) => {
                report.problem(format!(
                    "blob {digest} (referenced by entry {seq}): missing"
                ));
                continue;
            }
            Err(error) => {
                report.problem(format!(
                    "blob {digest} (referenced by entry {seq}): altered or unreadable: {error}"
                ));
                continue;
            }
        };
        match reference {
            BlobRef::Document { size, .. } => {
                if content.len() as u64 != *size {
                    report.problem(format!(
                        "blob {digest} (referenced by entry {seq}): {} bytes, the ledger records {size}",
                        content.len()
                    ));
                }
            }
            BlobRef::Envelope { .. } => {
                let digest_now = crypto::Envelope::digest_of_file(&content)
                    .map(|d| d.to_hex())
                    .unwrap_or_default();
                // The header commits to the package by its SM3, under the bidder's signature.
                let opens = crypto::Envelope::from_bytes(&content)
                    .is_ok_and(|envelope| envelope.verify().is_ok());
                if digest_now != *digest || !opens {
                    report.problem(format!(
                        "blob {digest} (referenced by entry {seq}): the envelope's bytes no longer match its digest (altered)"
                    ));
                }
            }
        }
    }
    report.blobs = refs.len() as u64;
    Ok(())
}

fn compare<T: PartialEq + std::fmt::Debug>(
    table: &str,
    expected: &BTreeMap<String, T>,
    stored: &BTreeMap<String, T>,
    report: &mut VerifyReport,
) {
    for (key, want) in expected {
        match stored.get(key) {
            None => report.problem(format!("{table} row {key}: missing, though the ledger records it")),
            Some(have) if have != want => report.problem(format!(
                "{table} row {key}: differs from the replayed ledger (stored {have:?}, replayed {want:?})"
            )),
            Some(_) => {}
        }
    }
    for key in stored.keys() {
        if !expected.contains_key(key) {
            report.problem(format!(
                "{table} row {key}: stored, but no ledger entry creates it"
            ));
        }
    }
}

fn recompute_leaf(row: &store::EntryRow) -> Result<Sm3Hash, String> {
    entry_from(row)?.leaf_hash().map_err(|e| e.to_string())
}

/// The ledger entry a stored row holds, checked for canonical form.
fn entry_from(row: &store::EntryRow) -> Result<Entry, String> {
    let visibility = Visibility::parse(&row.visibility)
        .ok_or_else(|| format!("unknown visibility {:?}", row.visibility))?;
    let payload: serde_json::Value =
        serde_json::from_str(&row.payload).map_err(|e| format!("payload is not JSON: {e}"))?;
    let canonical = crypto::canonical_json(&payload).map_err(|e| e.to_string())?;
    if canonical != row.payload {
        return Err("payload is not in canonical form".into());
    }
    let salt: [u8; 32] = row
        .salt
        .as_slice()
        .try_into()
        .map_err(|_| "salt is not 32 bytes".to_string())?;
    Ok(Entry {
        seq: row.seq as u64,
        stream: row.stream.clone(),
        kind: row.kind.clone(),
        visibility,
        actor: row.actor.clone(),
        at_ms: row.at_ms,
        payload,
        salt,
    })
}

/// The ledger entry of a stored row (payload and salt included), for proofs handed out.
pub(crate) fn entry_of_row(row: &store::EntryRow) -> Result<Entry, AppError> {
    entry_from(row).map_err(|why| AppError::Internal(format!("entry {}: {why}", row.seq)))
}

fn head_from(origin: &str, row: &store::HeadRow) -> Result<SignedTreeHead, String> {
    signed_head(origin, row).map_err(|e| e.to_string())
}

/// The signed head of a stored head row.
pub(crate) fn signed_head(origin: &str, row: &store::HeadRow) -> Result<SignedTreeHead, AppError> {
    let signature: [u8; 64] = row
        .signature
        .as_slice()
        .try_into()
        .map_err(|_| AppError::Internal("stored ledger data: signature length".into()))?;
    Ok(SignedTreeHead {
        head: ledger::TreeHead {
            origin: origin.to_string(),
            size: row.size as u64,
            root: Sm3Hash::from_slice(&row.root)?,
            timestamp_ms: row.at_ms,
        },
        signature: crypto::Signature(signature),
    })
}
