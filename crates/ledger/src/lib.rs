//! The witness log's algorithms: leaves with salted payload commitments, the RFC 9162 Merkle tree
//! hashed with SM3, signed tree heads laid out as C2SP checkpoints, and inclusion and consistency
//! proofs with their verification.
//!
//! No I/O: the tree reads its stored nodes through [`NodeReader`], so the same code serves the
//! database-backed log, an in-memory tree in tests, and an offline verifier.

mod entry;
mod head;
pub mod monitor;
mod proof;
mod tree;
pub mod witness;

pub use entry::{Entry, LeafHeader, Visibility, payload_commitment};
pub use head::{
    CheckpointError, MAX_NOTE_SIGNATURES, NoteSignature, SignedTreeHead, TreeHead,
    checkpoint_key_id, split_note, valid_key_name,
};
pub use proof::{
    ProofError, consistency_proof, inclusion_proof, verify_consistency, verify_inclusion,
};
pub use tree::{
    MemoryTree, MissingNode, NodeKey, NodeReader, NodeRecorder, completed_nodes, leaf_hash,
    needed_nodes, node_hash, root_hash, subtree_hash,
};
pub use witness::{
    AddCheckpoint, Cosignature, CosignatureError, RequestError, WitnessRefusal, WitnessedHead,
    WitnessedLog, cosignature_message, count_valid_cosignatures, decide, witness_key_id,
};
