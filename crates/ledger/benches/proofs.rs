//! Inclusion and consistency proofs over a tree of 1,000,000 leaves held in memory: generation
//! (which reads O(log n) stored nodes) and offline verification.
//!
//! `cargo bench -p ledger --bench proofs`

use criterion::{Criterion, criterion_group, criterion_main};
use ledger::{
    MemoryTree, consistency_proof, inclusion_proof, leaf_hash, root_hash, verify_consistency,
    verify_inclusion,
};

const SIZE: u64 = 1_000_000;

fn tree() -> MemoryTree {
    let mut tree = MemoryTree::new();
    for i in 0..SIZE {
        tree.push(leaf_hash(&i.to_be_bytes()));
    }
    tree
}

fn proofs(c: &mut Criterion) {
    let tree = tree();
    let root = root_hash(&tree, SIZE).unwrap();
    let mut index = 0u64;
    c.bench_function("inclusion proof, 1M leaves", |b| {
        b.iter(|| {
            index = (index + 7_919) % SIZE;
            inclusion_proof(&tree, index, SIZE).unwrap().unwrap()
        })
    });
    let leaf = leaf_hash(&123_457u64.to_be_bytes());
    let path = inclusion_proof(&tree, 123_457, SIZE).unwrap().unwrap();
    c.bench_function("verify inclusion, 1M leaves", |b| {
        b.iter(|| verify_inclusion(&leaf, 123_457, SIZE, &path, &root).unwrap())
    });
    let first = 654_321;
    let first_root = root_hash(&tree, first).unwrap();
    let consistency = consistency_proof(&tree, first, SIZE).unwrap().unwrap();
    c.bench_function("consistency proof 654321 → 1M", |b| {
        b.iter(|| consistency_proof(&tree, first, SIZE).unwrap().unwrap())
    });
    c.bench_function("verify consistency 654321 → 1M", |b| {
        b.iter(|| verify_consistency(first, SIZE, &first_root, &root, &consistency).unwrap())
    });
}

criterion_group!(benches, proofs);
criterion_main!(benches);
