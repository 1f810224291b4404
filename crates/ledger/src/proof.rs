//! Inclusion and consistency proofs of RFC 9162 §2.1.3–2.1.4: generation over stored nodes, and
//! verification that needs nothing but the proof, the hashes and the sizes.

use crypto::Sm3Hash;

use crate::tree::{NodeReader, node_hash, split_point, subtree_hash};

/// Why a proof was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("first size {first} is larger than second size {second}")]
    SizesOutOfOrder { first: u64, second: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// The audit path of leaf `index` in the tree of `size` leaves, bottom-up.
pub fn inclusion_proof<R: NodeReader>(
    reader: &R,
    index: u64,
    size: u64,
) -> Result<Result<Vec<Sm3Hash>, ProofError>, R::Error> {
    if index >= size {
        return Ok(Err(ProofError::IndexOutOfRange { index, size }));
    }
    let mut path = Vec::new();
    inclusion_path(reader, index, 0, size, &mut path)?;
    Ok(Ok(path))
}

fn inclusion_path<R: NodeReader>(
    reader: &R,
    index: u64,
    start: u64,
    end: u64,
    path: &mut Vec<Sm3Hash>,
) -> Result<(), R::Error> {
    let width = end - start;
    if width == 1 {
        return Ok(());
    }
    let k = split_point(width);
    if index < k {
        inclusion_path(reader, index, start, start + k, path)?;
        path.push(subtree_hash(reader, start + k, end)?);
    } else {
        inclusion_path(reader, index - k, start + k, end, path)?;
        path.push(subtree_hash(reader, start, start + k)?);
    }
    Ok(())
}

/// The proof that the tree of `first` leaves is a prefix of the tree of `second` leaves.
pub fn consistency_proof<R: NodeReader>(
    reader: &R,
    first: u64,
    second: u64,
) -> Result<Result<Vec<Sm3Hash>, ProofError>, R::Error> {
    if first > second {
        return Ok(Err(ProofError::SizesOutOfOrder { first, second }));
    }
    let mut path = Vec::new();
    if first > 0 && first < second {
        subproof(reader, first, 0, second, true, &mut path)?;
    }
    Ok(Ok(path))
}

fn subproof<R: NodeReader>(
    reader: &R,
    m: u64,
    start: u64,
    end: u64,
    whole_first_tree: bool,
    path: &mut Vec<Sm3Hash>,
) -> Result<(), R::Error> {
    let width = end - start;
    if m == width {
        if !whole_first_tree {
            path.push(subtree_hash(reader, start, end)?);
        }
        return Ok(());
    }
    let k = split_point(width);
    if m <= k {
        subproof(reader, m, start, start + k, whole_first_tree, path)?;
        path.push(subtree_hash(reader, start + k, end)?);
    } else {
        subproof(reader, m - k, start + k, end, false, path)?;
        path.push(subtree_hash(reader, start, start + k)?);
    }
    Ok(())
}

/// Checks that `leaf` is leaf `index` of the tree of `size` leaves with root `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Sm3Hash,
    index: u64,
    size: u64,
    path: &[Sm3Hash],
    root: &Sm3Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut f_n = index;
    let mut s_n = size - 1;
    let mut running = *leaf;
    for sibling in path {
        if s_n == 0 {
            return Err(ProofError::WrongLength);
        }
        if f_n & 1 == 1 || f_n == s_n {
            running = node_hash(sibling, &running);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            running = node_hash(&running, sibling);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength);
    }
    if running != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `first` leaves with root `first_root` is a prefix of the tree of
/// `second` leaves with root `second_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Sm3Hash,
    second_root: &Sm3Hash,
    path: &[Sm3Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::SizesOutOfOrder { first, second });
    }
    if first == second {
        if !path.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if first_root == second_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if first == 0 {
        // The empty tree is a prefix of every tree.
        return if path.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    if path.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut nodes: Vec<Sm3Hash> = Vec::with_capacity(path.len() + 1);
    if first.is_power_of_two() {
        nodes.push(*first_root);
    }
    nodes.extend_from_slice(path);
    let mut f_n = first - 1;
    let mut s_n = second - 1;
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let mut first_running = nodes[0];
    let mut second_running = nodes[0];
    for node in &nodes[1..] {
        if s_n == 0 {
            return Err(ProofError::WrongLength);
        }
        if f_n & 1 == 1 || f_n == s_n {
            first_running = node_hash(node, &first_running);
            second_running = node_hash(node, &second_running);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            second_running = node_hash(&second_running, node);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength);
    }
    if first_running != *first_root || second_running != *second_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
