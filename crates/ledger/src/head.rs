//! Signed tree heads, laid out as C2SP `tlog-checkpoint` signed notes.
//!
//! ```text
//! ggzy.zj.example                       ← origin: the platform's name
//! 1234                                  ← tree size
//! 6Cb9…base64 of the SM3 root…=         ← root hash
//! time 1796088600000                    ← extension line: when the head was made (UTC ms)
//!
//! — ggzy.zj.example AbCd…base64(key id ‖ SM2 signature)…
//! ```
//!
//! The signature is SM2 (default id) over the note body: the four lines above, each ending "\n".
//! The key id is the first 4 bytes of SM3(origin ‖ "\n" ‖ SEC1 public key).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use crypto::{CryptoError, PlatformKey, PublicKey, Signature, Sm3Hash, sm3_concat};
use serde::{Deserialize, Serialize};

/// A tree head before signing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    pub origin: String,
    pub size: u64,
    pub root: Sm3Hash,
    pub timestamp_ms: i64,
}

/// A tree head with the platform's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    #[serde(flatten)]
    pub head: TreeHead,
    pub signature: Signature,
}

/// The 4-byte key id of the checkpoint signature line.
pub fn checkpoint_key_id(origin: &str, key: &PublicKey) -> [u8; 4] {
    let digest = sm3_concat(&[origin.as_bytes(), b"\n", &key.to_sec1_bytes()]);
    let mut id = [0u8; 4];
    id.copy_from_slice(&digest.0[..4]);
    id
}

impl TreeHead {
    /// The signed body of the checkpoint.
    pub fn checkpoint_body(&self) -> String {
        format!(
            "{}\n{}\n{}\ntime {}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root.as_bytes()),
            self.timestamp_ms
        )
    }

    pub fn sign(self, key: &PlatformKey) -> SignedTreeHead {
        let signature = key.sign(self.checkpoint_body().as_bytes());
        SignedTreeHead {
            head: self,
            signature,
        }
    }
}

impl SignedTreeHead {
    pub fn verify(&self, key: &PublicKey) -> Result<(), CryptoError> {
        key.verify(self.head.checkpoint_body().as_bytes(), &self.signature)
    }

    /// The whole signed note, as served at `/api/v1/ledger/checkpoint`.
    pub fn to_checkpoint(&self, key: &PublicKey) -> String {
        let mut blob = checkpoint_key_id(&self.head.origin, key).to_vec();
        blob.extend_from_slice(&self.signature.0);
        format!(
            "{}\n\u{2014} {} {}\n",
            self.head.checkpoint_body(),
            self.head.origin,
            BASE64.encode(blob)
        )
    }
}
