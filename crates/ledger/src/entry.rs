//! Ledger entries and their leaves.
//!
//! The leaf of entry `seq` is the canonical JSON of its [`LeafHeader`]: the header fields plus
//! `commit = SM3(salt ‖ canonical(payload))`. A public entry publishes payload and salt at once;
//! a confidential one publishes them when the rules allow, and anyone can then recompute `commit`.

use crypto::{CryptoError, Sm3Hash, canonical_json_bytes, sm3_concat};
use serde::{Deserialize, Serialize};

use crate::tree::leaf_hash;

/// Who may read an entry's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone (社会公众).
    Public,
    /// The parties of the aggregate and supervision.
    Parties,
    /// Supervision and audit only.
    Supervision,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Parties => "parties",
            Self::Supervision => "supervision",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "public" => Some(Self::Public),
            "parties" => Some(Self::Parties),
            "supervision" => Some(Self::Supervision),
            _ => None,
        }
    }
}

/// One act in the ledger, with its payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// The aggregate the act belongs to, e.g. `entity/91330100…`.
    pub stream: String,
    /// What happened, e.g. `entity.registered`.
    pub kind: String,
    pub visibility: Visibility,
    /// Who did it: an account id, or `system`.
    pub actor: String,
    /// When, as UTC unix milliseconds.
    pub at_ms: i64,
    pub payload: serde_json::Value,
    /// 32 random bytes that keep a low-entropy payload from being guessed from its commitment.
    pub salt: [u8; 32],
}

/// What the tree commits to for one entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafHeader {
    pub seq: u64,
    pub stream: String,
    pub kind: String,
    pub visibility: Visibility,
    pub actor: String,
    pub at_ms: i64,
    pub commit: Sm3Hash,
}

/// `SM3(salt ‖ canonical(payload))`.
pub fn payload_commitment(
    salt: &[u8; 32],
    payload: &serde_json::Value,
) -> Result<Sm3Hash, CryptoError> {
    Ok(sm3_concat(&[salt, &canonical_json_bytes(payload)?]))
}

impl Entry {
    pub fn header(&self) -> Result<LeafHeader, CryptoError> {
        Ok(LeafHeader {
            seq: self.seq,
            stream: self.stream.clone(),
            kind: self.kind.clone(),
            visibility: self.visibility,
            actor: self.actor.clone(),
            at_ms: self.at_ms,
            commit: payload_commitment(&self.salt, &self.payload)?,
        })
    }

    /// The leaf hash this entry must have in the tree.
    pub fn leaf_hash(&self) -> Result<Sm3Hash, CryptoError> {
        self.header()?.leaf_hash()
    }
}

impl LeafHeader {
    pub fn leaf_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        canonical_json_bytes(self)
    }

    pub fn leaf_hash(&self) -> Result<Sm3Hash, CryptoError> {
        Ok(leaf_hash(&self.leaf_bytes()?))
    }
}
