//! The Merkle tree of RFC 9162 §2.1 with SM3, over stored complete subtrees.
//!
//! A node `(level, index)` is the hash of the complete subtree over leaves
//! `[index·2^level, (index+1)·2^level)`. Such a node never changes once its last leaf exists, so it
//! is stored once. Every range that the RFC's recursion visits is either such a node or ends at the
//! tree's size, so any root or proof needs O(log n) stored nodes.

use std::collections::{BTreeSet, HashMap};

use crypto::{Sm3Hash, sm3_concat};

/// The address of a complete subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeKey {
    pub level: u32,
    pub index: u64,
}

/// Read access to stored complete-subtree hashes.
pub trait NodeReader {
    type Error;
    fn node(&self, key: NodeKey) -> Result<Sm3Hash, Self::Error>;
}

/// `SM3(0x00 ‖ leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> Sm3Hash {
    sm3_concat(&[&[0x00], leaf])
}

/// `SM3(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Sm3Hash, right: &Sm3Hash) -> Sm3Hash {
    sm3_concat(&[&[0x01], left.as_bytes(), right.as_bytes()])
}

/// The largest power of two strictly below `n` (n ≥ 2).
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[start:end]) for `start < end`.
pub fn subtree_hash<R: NodeReader>(reader: &R, start: u64, end: u64) -> Result<Sm3Hash, R::Error> {
    let width = end - start;
    if width.is_power_of_two() && start.is_multiple_of(width) {
        return reader.node(NodeKey {
            level: width.trailing_zeros(),
            index: start / width,
        });
    }
    let k = split_point(width);
    let left = subtree_hash(reader, start, start + k)?;
    let right = subtree_hash(reader, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The root of the tree of `size` leaves; the empty tree's root is SM3 of the empty string.
pub fn root_hash<R: NodeReader>(reader: &R, size: u64) -> Result<Sm3Hash, R::Error> {
    if size == 0 {
        return Ok(crypto::sm3(b""));
    }
    subtree_hash(reader, 0, size)
}

/// The nodes that become complete when leaf `index` (hash `leaf`) is appended, level 0 first.
/// `reader` must already hold the earlier leaves' nodes.
pub fn completed_nodes<R: NodeReader>(
    reader: &R,
    index: u64,
    leaf: Sm3Hash,
) -> Result<Vec<(NodeKey, Sm3Hash)>, R::Error> {
    let mut out = vec![(NodeKey { level: 0, index }, leaf)];
    let mut current = leaf;
    let mut level = 0;
    let mut node_index = index;
    while node_index % 2 == 1 {
        let sibling = reader.node(NodeKey {
            level,
            index: node_index - 1,
        })?;
        current = node_hash(&sibling, &current);
        level += 1;
        node_index /= 2;
        out.push((
            NodeKey {
                level,
                index: node_index,
            },
            current,
        ));
    }
    Ok(out)
}

/// Records which nodes a computation reads, answering with zero hashes. The set of nodes a root
/// or proof needs depends only on the sizes, so a database-backed caller runs the computation once
/// on a recorder to learn what to fetch, fetches it, and runs it again on a [`MemoryTree`].
#[derive(Debug, Default)]
pub struct NodeRecorder {
    keys: std::cell::RefCell<BTreeSet<NodeKey>>,
}

impl NodeReader for NodeRecorder {
    type Error = std::convert::Infallible;
    fn node(&self, key: NodeKey) -> Result<Sm3Hash, Self::Error> {
        self.keys.borrow_mut().insert(key);
        Ok(Sm3Hash([0; 32]))
    }
}

/// The stored nodes that `compute` reads.
pub fn needed_nodes(compute: impl FnOnce(&NodeRecorder)) -> Vec<NodeKey> {
    let recorder = NodeRecorder::default();
    compute(&recorder);
    recorder.keys.into_inner().into_iter().collect()
}

/// A tree held in memory: every complete node by key.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    nodes: HashMap<NodeKey, Sm3Hash>,
    size: u64,
}

/// A node the tree does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("missing tree node at level {} index {}", .0.level, .0.index)]
pub struct MissingNode(pub NodeKey);

impl NodeReader for MemoryTree {
    type Error = MissingNode;
    fn node(&self, key: NodeKey) -> Result<Sm3Hash, MissingNode> {
        self.nodes.get(&key).copied().ok_or(MissingNode(key))
    }
}

impl MemoryTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree over nodes fetched from elsewhere (size is unknown and irrelevant to reads).
    pub fn from_nodes(nodes: impl IntoIterator<Item = (NodeKey, Sm3Hash)>) -> Self {
        Self {
            nodes: nodes.into_iter().collect(),
            size: 0,
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash and returns the nodes it completed.
    pub fn push(&mut self, leaf: Sm3Hash) -> Vec<(NodeKey, Sm3Hash)> {
        let completed = completed_nodes(self, self.size, leaf).expect("earlier nodes are held");
        for (key, hash) in &completed {
            self.nodes.insert(*key, *hash);
        }
        self.size += 1;
        completed
    }

    pub fn insert(&mut self, key: NodeKey, hash: Sm3Hash) {
        self.nodes.insert(key, hash);
    }

    pub fn root(&self) -> Sm3Hash {
        root_hash(self, self.size).expect("all nodes are held")
    }
}
