//! Following another node's log as a Certificate Transparency monitor does: each new signed head
//! is judged against the last one accepted, and mirrored leaves are checked against the signed
//! root before they are kept. Pure: the caller fetches, this decides.
//!
//! A node misbehaves in exactly three observable ways, each proven by what the node itself signed
//! or served (so the evidence needs no trust in the monitor):
//! - **rollback**: a head smaller than one it signed before;
//! - **fork**: two heads that are not consistent — same size with different roots, or a larger
//!   head whose consistency proof from the accepted head does not verify;
//! - **entry mismatch**: entries served for a range whose leaves do not hash to the signed tree.

use crypto::{PublicKey, Sm3Hash};
use serde::{Deserialize, Serialize};

use crate::{MemoryTree, NodeKey, SignedTreeHead, completed_nodes, root_hash, verify_consistency};

/// What a followed node did wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Misbehaviour {
    Rollback,
    Fork,
    EntryMismatch,
}

impl Misbehaviour {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rollback => "rollback",
            Self::Fork => "fork",
            Self::EntryMismatch => "entry_mismatch",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Rollback, Self::Fork, Self::EntryMismatch]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// The judgement of a newly fetched head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadVerdict {
    /// The first head seen: accepted on the pinned key's signature alone.
    First,
    /// The same head as the accepted one.
    Unchanged,
    /// A larger head, proven consistent with the accepted one.
    Extends,
    /// The head's signature does not verify with the pinned key, or it names another origin:
    /// not evidence against the node (anyone could have forged it), only a reason to ignore it
    /// (said in Chinese: the hub's pages show it).
    Unsigned(String),
    /// Proven misbehaviour; the accepted head and the new head are the evidence.
    Misbehaved(Misbehaviour),
}

/// Judges `new` against `accepted` (the last head accepted from this node). `proof` is the
/// node's consistency proof from the accepted size to the new size (ignored unless the new head
/// is larger than an accepted one).
pub fn judge_head(
    origin: &str,
    key: &PublicKey,
    accepted: Option<&SignedTreeHead>,
    new: &SignedTreeHead,
    proof: &[Sm3Hash],
) -> HeadVerdict {
    if new.head.origin != origin {
        return HeadVerdict::Unsigned(format!(
            "树头的节点名称为 {}，不是登记的 {origin}",
            new.head.origin
        ));
    }
    if new.verify(key).is_err() {
        return HeadVerdict::Unsigned("树头的签名不能用登记时固定的公钥核验".into());
    }
    let Some(accepted) = accepted else {
        return HeadVerdict::First;
    };
    let (old, now) = (&accepted.head, &new.head);
    if now.size < old.size {
        return HeadVerdict::Misbehaved(Misbehaviour::Rollback);
    }
    if now.size == old.size {
        return if now.root == old.root {
            HeadVerdict::Unchanged
        } else {
            HeadVerdict::Misbehaved(Misbehaviour::Fork)
        };
    }
    match verify_consistency(old.size, now.size, &old.root, &now.root, proof) {
        Ok(()) => HeadVerdict::Extends,
        Err(_) => HeadVerdict::Misbehaved(Misbehaviour::Fork),
    }
}

/// The right edge of a mirrored tree: the complete subtrees covering leaves `0..size`, from
/// which the next leaves' nodes and any later root are computed without the earlier leaves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    pub size: u64,
    /// The nodes covering `0..size`, largest first (one per set bit of `size`).
    pub nodes: Vec<(NodeKey, Sm3Hash)>,
}

impl Frontier {
    /// The keys of the nodes that cover `0..size`, largest first.
    pub fn keys(size: u64) -> Vec<NodeKey> {
        let mut keys = Vec::new();
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            let width = 1u64 << level;
            if size & width != 0 {
                keys.push(NodeKey {
                    level,
                    index: start / width,
                });
                start += width;
            }
        }
        keys
    }
}

/// Appending leaves to a mirrored tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// Every node the new leaves completed, to be stored.
    pub nodes: Vec<(NodeKey, Sm3Hash)>,
    pub size: u64,
    pub root: Sm3Hash,
}

/// Appends `leaves` (leaf hashes, in order) to the tree whose frontier is `frontier`.
pub fn extend(frontier: &Frontier, leaves: &[Sm3Hash]) -> Extension {
    let mut tree = MemoryTree::from_nodes(frontier.nodes.iter().copied());
    let mut nodes = Vec::new();
    let mut size = frontier.size;
    for leaf in leaves {
        let completed =
            completed_nodes(&tree, size, *leaf).expect("the frontier holds every sibling");
        for (key, hash) in &completed {
            tree.insert(*key, *hash);
        }
        nodes.extend(completed);
        size += 1;
    }
    let root = root_hash(&tree, size).expect("the frontier and the new nodes cover the tree");
    Extension { nodes, size, root }
}

/// Checks that a mirrored tree of `size` leaves with root `root` is the prefix of the signed
/// head `head`, with the node's consistency proof between them.
pub fn prefix_of(size: u64, root: &Sm3Hash, head: &SignedTreeHead, proof: &[Sm3Hash]) -> bool {
    verify_consistency(size, head.head.size, root, &head.head.root, proof).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NodeReader, TreeHead, consistency_proof, leaf_hash};
    use crypto::PlatformKey;

    fn key() -> PlatformKey {
        PlatformKey::from_secret_bytes(&[7u8; 32]).unwrap()
    }

    fn tree(leaves: &[&str]) -> MemoryTree {
        let mut t = MemoryTree::new();
        for l in leaves {
            t.push(leaf_hash(l.as_bytes()));
        }
        t
    }

    fn head(t: &MemoryTree, origin: &str, k: &PlatformKey) -> SignedTreeHead {
        TreeHead {
            origin: origin.into(),
            size: t.size(),
            root: t.root(),
            timestamp_ms: 1_000 + t.size() as i64,
        }
        .sign(k)
    }

    const LEAVES: [&str; 9] = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];

    #[test]
    fn heads_are_judged_by_size_root_and_proof() {
        let k = key();
        let pk = k.public_key();
        let honest: Vec<MemoryTree> = (0..=LEAVES.len()).map(|n| tree(&LEAVES[..n])).collect();
        let mut forked_leaves = LEAVES;
        forked_leaves[2] = "X";
        let forked: Vec<MemoryTree> = (0..=LEAVES.len())
            .map(|n| tree(&forked_leaves[..n]))
            .collect();
        for m in 1..=LEAVES.len() {
            let accepted = head(&honest[m], "n", &k);
            for n in 1..=LEAVES.len() {
                let new = head(&honest[n], "n", &k);
                let proof = if n > m {
                    consistency_proof(&honest[n], m as u64, n as u64)
                        .unwrap()
                        .unwrap()
                } else {
                    vec![]
                };
                let want = match n.cmp(&m) {
                    std::cmp::Ordering::Less => HeadVerdict::Misbehaved(Misbehaviour::Rollback),
                    std::cmp::Ordering::Equal => HeadVerdict::Unchanged,
                    std::cmp::Ordering::Greater => HeadVerdict::Extends,
                };
                assert_eq!(
                    judge_head("n", &pk, Some(&accepted), &new, &proof),
                    want,
                    "{m}->{n}"
                );
                // A forked tree: inconsistent exactly when it differs at a leaf both cover.
                let fork = head(&forked[n], "n", &k);
                let fork_proof = if n > m {
                    consistency_proof(&forked[n], m as u64, n as u64)
                        .unwrap()
                        .unwrap()
                } else {
                    vec![]
                };
                let verdict = judge_head("n", &pk, Some(&accepted), &fork, &fork_proof);
                if n < m {
                    assert_eq!(verdict, HeadVerdict::Misbehaved(Misbehaviour::Rollback));
                } else if m <= 2 {
                    assert_eq!(verdict, want, "{m}->{n} shares the prefix");
                } else {
                    assert_eq!(
                        verdict,
                        HeadVerdict::Misbehaved(Misbehaviour::Fork),
                        "{m}->{n}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_head_not_signed_by_the_pinned_key_or_for_another_origin_is_ignored() {
        let k = key();
        let other = PlatformKey::from_secret_bytes(&[8u8; 32]).unwrap();
        let t = tree(&LEAVES[..3]);
        let new = head(&t, "n", &other);
        assert!(matches!(
            judge_head("n", &k.public_key(), None, &new, &[]),
            HeadVerdict::Unsigned(_)
        ));
        let new = head(&t, "m", &k);
        assert!(matches!(
            judge_head("n", &k.public_key(), None, &new, &[]),
            HeadVerdict::Unsigned(_)
        ));
        let new = head(&t, "n", &k);
        assert_eq!(
            judge_head("n", &k.public_key(), None, &new, &[]),
            HeadVerdict::First
        );
    }

    #[test]
    fn a_mirror_extended_from_its_frontier_has_the_full_trees_root() {
        let full = tree(&LEAVES);
        let leaves: Vec<Sm3Hash> = LEAVES.iter().map(|l| leaf_hash(l.as_bytes())).collect();
        for start in 0..=LEAVES.len() {
            for end in start..=LEAVES.len() {
                let prefix = tree(&LEAVES[..start]);
                let frontier = Frontier {
                    size: start as u64,
                    nodes: Frontier::keys(start as u64)
                        .into_iter()
                        .map(|k| (k, prefix.node(k).unwrap()))
                        .collect(),
                };
                let ext = extend(&frontier, &leaves[start..end]);
                assert_eq!(ext.size, end as u64);
                assert_eq!(ext.root, tree(&LEAVES[..end]).root(), "{start}..{end}");
                let signed = head(&full, "n", &key());
                let proof = consistency_proof(&full, end as u64, LEAVES.len() as u64)
                    .unwrap()
                    .unwrap();
                assert!(prefix_of(ext.size, &ext.root, &signed, &proof));
                // A changed leaf in the range is caught.
                if end > start {
                    let mut bad = leaves[start..end].to_vec();
                    bad[0] = leaf_hash(b"forged");
                    let ext = extend(&frontier, &bad);
                    assert!(
                        !prefix_of(ext.size, &ext.root, &signed, &proof),
                        "{start}..{end}"
                    );
                }
            }
        }
    }

    #[test]
    fn misbehaviour_names_round_trip() {
        for m in [
            Misbehaviour::Rollback,
            Misbehaviour::Fork,
            Misbehaviour::EntryMismatch,
        ] {
            assert_eq!(Misbehaviour::parse(m.as_str()), Some(m));
        }
        assert_eq!(Misbehaviour::parse("other"), None);
    }
}
