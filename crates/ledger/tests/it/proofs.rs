//! Roots and proofs against a naive reference implementation of RFC 9162 §2.1.1.

use crypto::{Sm3Hash, sm3};
use ledger::{
    MemoryTree, consistency_proof, inclusion_proof, leaf_hash, needed_nodes, node_hash, root_hash,
    verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

/// MTH(D[n]) straight from the RFC's definition.
fn reference_root(leaves: &[Sm3Hash]) -> Sm3Hash {
    match leaves.len() {
        0 => sm3(b""),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
        }
    }
}

fn leaves(n: u64) -> Vec<Sm3Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
        .collect()
}

fn tree_of(leaves: &[Sm3Hash]) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for leaf in leaves {
        tree.push(*leaf);
    }
    tree
}

#[test]
fn roots_match_the_reference_for_every_size_up_to_70() {
    let all = leaves(70);
    let mut tree = MemoryTree::new();
    assert_eq!(tree.root(), reference_root(&[]));
    for (i, leaf) in all.iter().enumerate() {
        tree.push(*leaf);
        assert_eq!(tree.root(), reference_root(&all[..=i]), "size {}", i + 1);
    }
}

#[test]
fn leaf_and_node_hashes_use_the_rfc_prefixes() {
    // SM3(0x00 ‖ "") and SM3(0x01 ‖ l ‖ r) computed by hand.
    assert_eq!(leaf_hash(b""), sm3(&[0u8]));
    let left = sm3(b"l");
    let right = sm3(b"r");
    let mut joined = vec![1u8];
    joined.extend_from_slice(left.as_bytes());
    joined.extend_from_slice(right.as_bytes());
    assert_eq!(node_hash(&left, &right), sm3(&joined));
}

#[test]
fn every_inclusion_proof_verifies_and_tampering_fails() {
    let all = leaves(33);
    let tree = tree_of(&all);
    for size in 1..=33u64 {
        let root = root_hash(&tree, size).unwrap();
        for index in 0..size {
            let path = inclusion_proof(&tree, index, size).unwrap().unwrap();
            let leaf = all[index as usize];
            verify_inclusion(&leaf, index, size, &path, &root)
                .unwrap_or_else(|e| panic!("index {index} size {size}: {e}"));
            // Wrong leaf, wrong index, a flipped path hash, a truncated path: all refused.
            assert!(verify_inclusion(&sm3(b"x"), index, size, &path, &root).is_err());
            if size > 1 {
                let other = (index + 1) % size;
                assert!(verify_inclusion(&leaf, other, size, &path, &root).is_err());
                let mut bad = path.clone();
                bad[0].0[0] ^= 1;
                assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
                assert!(verify_inclusion(&leaf, index, size, &path[1..], &root).is_err());
            }
        }
    }
}

#[test]
fn every_consistency_proof_verifies_and_tampering_fails() {
    let all = leaves(33);
    let tree = tree_of(&all);
    for second in 1..=33u64 {
        let second_root = root_hash(&tree, second).unwrap();
        for first in 0..=second {
            let first_root = root_hash(&tree, first).unwrap();
            let path = consistency_proof(&tree, first, second).unwrap().unwrap();
            verify_consistency(first, second, &first_root, &second_root, &path)
                .unwrap_or_else(|e| panic!("{first}→{second}: {e}"));
            if first > 0 && first < second {
                let mut bad = path.clone();
                bad[0].0[5] ^= 1;
                assert!(
                    verify_consistency(first, second, &first_root, &second_root, &bad).is_err()
                );
                let wrong_first = sm3(b"another history");
                assert!(
                    verify_consistency(first, second, &wrong_first, &second_root, &path).is_err()
                );
            }
        }
    }
}

#[test]
fn a_rewritten_history_has_no_consistency_proof() {
    let all = leaves(20);
    let tree = tree_of(&all);
    let mut forged = all.clone();
    forged[3] = leaf_hash(b"edited");
    let forged_tree = tree_of(&forged);
    let first_root = root_hash(&tree, 10).unwrap();
    let second_root = root_hash(&forged_tree, 20).unwrap();
    let path = consistency_proof(&forged_tree, 10, 20).unwrap().unwrap();
    assert!(verify_consistency(10, 20, &first_root, &second_root, &path).is_err());
}

#[test]
fn proofs_need_only_logarithmically_many_stored_nodes() {
    let size = 1_000_003u64;
    let keys = needed_nodes(|recorder| {
        inclusion_proof(recorder, 123_456, size).unwrap().unwrap();
    });
    assert!(keys.len() <= 2 * 64, "{} nodes", keys.len());
    let keys = needed_nodes(|recorder| {
        root_hash(recorder, size).unwrap();
    });
    assert!(keys.len() <= 64);
}

proptest! {
    #[test]
    fn proofs_hold_for_random_sizes(size in 1u64..300, seed in any::<u64>()) {
        let all = leaves(size);
        let tree = tree_of(&all);
        let index = seed % size;
        let root = root_hash(&tree, size).unwrap();
        prop_assert_eq!(root, reference_root(&all));
        let path = inclusion_proof(&tree, index, size).unwrap().unwrap();
        prop_assert!(verify_inclusion(&all[index as usize], index, size, &path, &root).is_ok());
        let first = seed % (size + 1);
        let first_root = root_hash(&tree, first).unwrap();
        let path = consistency_proof(&tree, first, size).unwrap().unwrap();
        prop_assert!(verify_consistency(first, size, &first_root, &root, &path).is_ok());
    }
}
