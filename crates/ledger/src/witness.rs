//! Witness cosignatures of checkpoints: an SM2 variant of C2SP `tlog-cosignature` v1, and the
//! witness's side of C2SP `tlog-witness` `add-checkpoint`. See `docs/witness.md`.
//!
//! A witness keeps, per log it follows, the last head it cosigned, and cosigns a new checkpoint
//! only if it is consistent with that head. A node that rewrote its history could then no longer
//! collect cosignatures, and a client that requires k of n cosignatures on a checkpoint before
//! trusting it sees only history that the witnesses saw grow append-only.
//!
//! The cosigned message is byte for byte the one of `cosignature/v1`:
//!
//! ```text
//! cosignature/v1
//! time 1796088660
//! ggzy.example             ← the checkpoint body (the note text before the blank line)
//! 7
//! …base64 root…
//! time 1796088600000
//! ```
//!
//! and the signature line is laid out as `cosignature/v1`'s (`— <name> base64(key id ‖ u64
//! big-endian timestamp ‖ signature)`), but the signature is SM2 with SM3 and the default id
//! (64 bytes r ‖ s), and the key id is `SM3(name ‖ 0x0A ‖ 0xFF ‖ "cosignature/v1-sm2" ‖ SEC1
//! public key)[:4]`: signature type 0xFF is what C2SP signed-note reserves for types it has not
//! assigned, so no Ed25519 (0x04) verifier takes our lines for its own.
//!
//! Pure: parsing, the decision, signing and verifying; the caller stores the witness's state and
//! answers HTTP.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use crypto::{PlatformKey, PublicKey, Signature, Sm3Hash, sm3, sm3_concat};
use serde::{Deserialize, Serialize};

use crate::head::{
    CheckpointError, NoteSignature, SignedTreeHead, TreeHead, parse_decimal, split_note,
    split_signature_line, valid_key_name,
};
use crate::proof::{ProofError, verify_consistency};

/// The signature type byte of C2SP signed-note for types it has not assigned.
pub const COSIGNATURE_SIGNATURE_TYPE: u8 = 0xff;
/// The identifier that follows [`COSIGNATURE_SIGNATURE_TYPE`] in the key id's preimage.
pub const COSIGNATURE_TYPE_NAME: &str = "cosignature/v1-sm2";
/// The most consistency proof lines an `add-checkpoint` request may carry.
pub const MAX_PROOF_LINES: usize = 63;
/// The content type of the body of a 409 answer to `add-checkpoint` (the latest cosigned size).
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";
/// How far (seconds) a checkpoint's `time` may lie ahead of the witness's clock.
pub const MAX_FUTURE_SKEW_S: u64 = 600;

/// key id (4) ‖ timestamp (8) ‖ SM2 signature (64).
const COSIGNATURE_BLOB_LEN: usize = 4 + 8 + 64;

/// The message a witness signs: `cosignature/v1\ntime <time_s>\n` followed by the checkpoint
/// body (the note text, ending in a newline, without the blank line and signatures).
pub fn cosignature_message(checkpoint_body: &str, time_s: u64) -> String {
    format!("cosignature/v1\ntime {time_s}\n{checkpoint_body}")
}

/// The key id of a witness key in cosignature lines:
/// `SM3(name ‖ 0x0A ‖ 0xFF ‖ "cosignature/v1-sm2" ‖ SEC1 uncompressed point)[:4]`.
pub fn witness_key_id(name: &str, key: &PublicKey) -> [u8; 4] {
    let digest = sm3_concat(&[
        name.as_bytes(),
        b"\n",
        &[COSIGNATURE_SIGNATURE_TYPE],
        COSIGNATURE_TYPE_NAME.as_bytes(),
        &key.to_sec1_bytes(),
    ]);
    let mut id = [0u8; 4];
    id.copy_from_slice(&digest.0[..4]);
    id
}

/// Why a cosignature was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    #[error("the witness name is empty or holds a space or '+'")]
    InvalidName,
    #[error("the timestamp {time_s} exceeds 2^63 - 1")]
    TimestampOutOfRange { time_s: u64 },
    #[error("not a signature line (\"— <name> <base64>\")")]
    NotASignatureLine,
    #[error("the signature is not valid base64")]
    BadBase64,
    #[error("the signature has {len} bytes, not 4 + 8 + 64")]
    WrongLength { len: usize },
    #[error("the key id does not belong to this witness name and key")]
    KeyIdMismatch,
    #[error("the SM2 signature does not verify")]
    BadSignature,
}

/// A witness's cosignature of a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosignature {
    /// The witness's name (the signature line's key name).
    pub name: String,
    pub key_id: [u8; 4],
    /// When the witness signed, unix seconds (at most 2^63 − 1).
    pub time_s: u64,
    pub signature: Signature,
}

impl Cosignature {
    /// Signs `checkpoint_body` at `time_s` as witness `name`.
    pub fn sign(
        name: &str,
        key: &PlatformKey,
        checkpoint_body: &str,
        time_s: u64,
    ) -> Result<Self, CosignatureError> {
        if !valid_key_name(name) {
            return Err(CosignatureError::InvalidName);
        }
        if time_s > i64::MAX as u64 {
            return Err(CosignatureError::TimestampOutOfRange { time_s });
        }
        let signature = key.sign(cosignature_message(checkpoint_body, time_s).as_bytes());
        Ok(Self {
            name: name.to_string(),
            key_id: witness_key_id(name, &key.public_key()),
            time_s,
            signature,
        })
    }

    /// Checks the cosignature against the witness's pinned key: the key id must be the one of
    /// this name and key, and the SM2 signature must verify over the cosigned message.
    pub fn verify(&self, key: &PublicKey, checkpoint_body: &str) -> Result<(), CosignatureError> {
        if self.time_s > i64::MAX as u64 {
            return Err(CosignatureError::TimestampOutOfRange {
                time_s: self.time_s,
            });
        }
        if !valid_key_name(&self.name) {
            return Err(CosignatureError::InvalidName);
        }
        if self.key_id != witness_key_id(&self.name, key) {
            return Err(CosignatureError::KeyIdMismatch);
        }
        key.verify(
            cosignature_message(checkpoint_body, self.time_s).as_bytes(),
            &self.signature,
        )
        .map_err(|_| CosignatureError::BadSignature)
    }

    /// `— <name> base64(key id ‖ u64 big-endian time ‖ r ‖ s)` and a newline.
    pub fn to_line(&self) -> String {
        let mut blob = Vec::with_capacity(COSIGNATURE_BLOB_LEN);
        blob.extend_from_slice(&self.key_id);
        blob.extend_from_slice(&self.time_s.to_be_bytes());
        blob.extend_from_slice(&self.signature.0);
        format!("\u{2014} {} {}\n", self.name, BASE64.encode(blob))
    }

    /// Reads a line written by [`Cosignature::to_line`] (the final newline is optional). Says
    /// nothing of validity: call [`Cosignature::verify`].
    pub fn parse_line(line: &str) -> Result<Self, CosignatureError> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        if line.contains('\n') {
            return Err(CosignatureError::NotASignatureLine);
        }
        let (name, encoded) =
            split_signature_line(line).ok_or(CosignatureError::NotASignatureLine)?;
        if !valid_key_name(name) {
            return Err(CosignatureError::InvalidName);
        }
        let blob = BASE64
            .decode(encoded)
            .map_err(|_| CosignatureError::BadBase64)?;
        Self::from_parts(name, &blob)
    }

    /// The cosignature a signed note's signature line holds, if it has a cosignature's length.
    pub fn from_note_signature(line: &NoteSignature) -> Result<Self, CosignatureError> {
        let mut blob = line.key_id.to_vec();
        blob.extend_from_slice(&line.signature);
        Self::from_parts(&line.name, &blob)
    }

    fn from_parts(name: &str, blob: &[u8]) -> Result<Self, CosignatureError> {
        if blob.len() != COSIGNATURE_BLOB_LEN {
            return Err(CosignatureError::WrongLength { len: blob.len() });
        }
        let mut key_id = [0u8; 4];
        key_id.copy_from_slice(&blob[..4]);
        let mut time = [0u8; 8];
        time.copy_from_slice(&blob[4..12]);
        let time_s = u64::from_be_bytes(time);
        if time_s > i64::MAX as u64 {
            return Err(CosignatureError::TimestampOutOfRange { time_s });
        }
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&blob[12..]);
        Ok(Self {
            name: name.to_string(),
            key_id,
            time_s,
            signature: Signature(signature),
        })
    }
}

/// Why an `add-checkpoint` request body was refused as malformed (HTTP 400).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("the request body is empty")]
    Empty,
    #[error("the request contains an ASCII control character other than newline")]
    ControlCharacter,
    #[error("the first line does not end with a newline")]
    MissingNewline,
    #[error("the first line is not \"old <size>\"")]
    MissingOldLine,
    #[error("the old size is not a decimal without leading zeros that fits 64 bits")]
    BadOldSize,
    #[error("no empty line separates the consistency proof from the checkpoint")]
    MissingBlankLine,
    #[error("{count} consistency proof lines; at most 63 are allowed")]
    TooManyProofLines { count: usize },
    #[error("line {line} of the request is not valid base64")]
    BadProofBase64 { line: usize },
    #[error("line {line} of the request holds {len} bytes, not a 32-byte hash")]
    BadProofHashLength { line: usize, len: usize },
    #[error("the checkpoint is malformed: {0}")]
    Checkpoint(CheckpointError),
}

/// The body of a tlog-witness `add-checkpoint` request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the client believes the witness last cosigned (0 if none).
    pub old_size: u64,
    /// The consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Sm3Hash>,
    /// The whole signed note.
    pub checkpoint: String,
}

impl AddCheckpoint {
    /// Parses a request body: `old <size>\n`, up to 63 base64 hashes one per line, an empty line,
    /// then the checkpoint (whose syntax is checked here; its signature is checked by [`decide`]).
    pub fn parse(body: &str) -> Result<Self, RequestError> {
        if body.is_empty() {
            return Err(RequestError::Empty);
        }
        if body.chars().any(|c| c.is_ascii_control() && c != '\n') {
            return Err(RequestError::ControlCharacter);
        }
        let (old_line, rest) = body.split_once('\n').ok_or(RequestError::MissingNewline)?;
        let old_size = old_line
            .strip_prefix("old ")
            .ok_or(RequestError::MissingOldLine)?;
        let old_size = parse_decimal(old_size).ok_or(RequestError::BadOldSize)?;
        // The first empty line ends the proof. The checkpoint has an empty line of its own
        // (before its signatures): if none follows, the request's own empty line was missing.
        let (proof_text, checkpoint) = if let Some(checkpoint) = rest.strip_prefix('\n') {
            ("", checkpoint)
        } else {
            let split = rest.find("\n\n").ok_or(RequestError::MissingBlankLine)?;
            (&rest[..split], &rest[split + 2..])
        };
        if !checkpoint.contains("\n\n") {
            return Err(RequestError::MissingBlankLine);
        }
        let proof_lines: Vec<&str> = if proof_text.is_empty() {
            Vec::new()
        } else {
            proof_text.split('\n').collect()
        };
        if proof_lines.len() > MAX_PROOF_LINES {
            return Err(RequestError::TooManyProofLines {
                count: proof_lines.len(),
            });
        }
        let proof = proof_lines
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let line = index + 2;
                let bytes = BASE64
                    .decode(text)
                    .map_err(|_| RequestError::BadProofBase64 { line })?;
                let len = bytes.len();
                let hash: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| RequestError::BadProofHashLength { line, len })?;
                Ok(Sm3Hash(hash))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let request = Self {
            old_size,
            proof,
            checkpoint: checkpoint.to_string(),
        };
        request.unverified_head()?;
        Ok(request)
    }

    /// The request body, as a log sends it.
    pub fn to_body(&self) -> String {
        let mut body = format!("old {}\n", self.old_size);
        for hash in &self.proof {
            body.push_str(&BASE64.encode(hash.as_bytes()));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(&self.checkpoint);
        body
    }

    /// The checkpoint's signed body (the text a cosignature covers, after its two header lines).
    pub fn checkpoint_body(&self) -> Result<&str, RequestError> {
        split_note(&self.checkpoint)
            .map(|(body, _)| body)
            .map_err(RequestError::Checkpoint)
    }

    /// The checkpoint's head, **signature not checked**: only for finding the log by its origin
    /// and the witness's state for it before calling [`decide`].
    pub fn unverified_head(&self) -> Result<TreeHead, RequestError> {
        TreeHead::from_checkpoint_body(self.checkpoint_body()?).map_err(RequestError::Checkpoint)
    }
}

/// A log the witness follows: its origin and its pinned key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessedLog {
    pub origin: String,
    pub key: PublicKey,
}

/// The last head a witness cosigned for a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessedHead {
    pub size: u64,
    pub root: Sm3Hash,
}

/// Why a witness refuses to cosign.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WitnessRefusal {
    #[error("malformed request: {0}")]
    Malformed(RequestError),
    #[error("the witness does not follow the log {origin:?}")]
    UnknownLog { origin: String },
    #[error("no valid signature from the log's pinned key: {0}")]
    BadSignature(CheckpointError),
    #[error("the checkpoint's time {time_ms} ms lies beyond the witness's clock ({now_s} s)")]
    FutureCheckpoint { time_ms: i64, now_s: u64 },
    #[error("old size {old_size} exceeds the checkpoint's size {size}")]
    Rollback { old_size: u64, size: u64 },
    #[error("the latest cosigned size is {latest_size}")]
    Conflict { latest_size: u64 },
    #[error("the checkpoint of size {size} has another root than the one cosigned at that size")]
    Fork { size: u64 },
    #[error("the consistency proof does not verify: {0}")]
    BadProof(ProofError),
}

impl From<RequestError> for WitnessRefusal {
    fn from(error: RequestError) -> Self {
        Self::Malformed(error)
    }
}

impl WitnessRefusal {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "WITNESS_MALFORMED",
            Self::UnknownLog { .. } => "WITNESS_UNKNOWN_LOG",
            Self::BadSignature(_) => "WITNESS_BAD_SIGNATURE",
            Self::FutureCheckpoint { .. } => "WITNESS_FUTURE_CHECKPOINT",
            Self::Rollback { .. } => "WITNESS_ROLLBACK",
            Self::Conflict { .. } => "WITNESS_CONFLICT",
            Self::Fork { .. } => "WITNESS_FORK",
            Self::BadProof(_) => "WITNESS_BAD_PROOF",
        }
    }

    /// The HTTP status C2SP tlog-witness prescribes (400 for the GGZY clock check).
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Malformed(_) | Self::FutureCheckpoint { .. } | Self::Rollback { .. } => 400,
            Self::BadSignature(_) => 403,
            Self::UnknownLog { .. } => 404,
            Self::Conflict { .. } | Self::Fork { .. } => 409,
            Self::BadProof(_) => 422,
        }
    }

    /// For [`WitnessRefusal::Conflict`], the answer's body: the latest cosigned size and a
    /// newline, served as [`SIZE_CONTENT_TYPE`].
    pub fn size_body(&self) -> Option<String> {
        match self {
            Self::Conflict { latest_size } => Some(format!("{latest_size}\n")),
            _ => None,
        }
    }
}

/// Decides whether a witness cosigns the checkpoint of `request`, given the last head it
/// cosigned for the log (`known`, `None` if never) and the log's pinned key. Checks, in the
/// order of C2SP tlog-witness: the checkpoint's syntax (400), its origin (404), the log's
/// signature (403), the checkpoint's time against `now_s` (400, a GGZY addition), old size ≤
/// size (400), old size = the latest cosigned size (409 with that size), equal roots at equal
/// sizes (409), the consistency proof (422).
///
/// On success returns the head to record as the latest cosigned, atomically with checking that
/// `known` is still current; then the caller signs with [`Cosignature::sign`].
pub fn decide(
    known: Option<&WitnessedHead>,
    request: &AddCheckpoint,
    log: &WitnessedLog,
    now_s: u64,
) -> Result<WitnessedHead, WitnessRefusal> {
    let head = request.unverified_head()?;
    if head.origin != log.origin {
        return Err(WitnessRefusal::UnknownLog {
            origin: head.origin,
        });
    }
    let signed = SignedTreeHead::from_checkpoint(&request.checkpoint, &log.key)
        .map_err(WitnessRefusal::BadSignature)?;
    let head = signed.head;
    let limit_ms = i128::from(now_s.saturating_add(MAX_FUTURE_SKEW_S)) * 1000;
    if i128::from(head.timestamp_ms) > limit_ms {
        return Err(WitnessRefusal::FutureCheckpoint {
            time_ms: head.timestamp_ms,
            now_s,
        });
    }
    if request.old_size > head.size {
        return Err(WitnessRefusal::Rollback {
            old_size: request.old_size,
            size: head.size,
        });
    }
    let (latest_size, latest_root) = match known {
        Some(known) => (known.size, known.root),
        None => (0, sm3(b"")),
    };
    if request.old_size != latest_size {
        return Err(WitnessRefusal::Conflict { latest_size });
    }
    if head.size == latest_size && head.root != latest_root {
        return Err(WitnessRefusal::Fork { size: head.size });
    }
    verify_consistency(
        latest_size,
        head.size,
        &latest_root,
        &head.root,
        &request.proof,
    )
    .map_err(WitnessRefusal::BadProof)?;
    Ok(WitnessedHead {
        size: head.size,
        root: head.root,
    })
}

/// How many distinct witnesses of `witnesses` (name, pinned key) have a cosignature line in
/// `checkpoint_note` that verifies over its body. Witnesses are told apart by key: a key listed
/// under two names counts once (the cosigned message does not commit to the name). Lines from
/// unknown keys are ignored; a malformed note counts 0. The log's own signature is not checked
/// here: use [`SignedTreeHead::from_checkpoint`].
pub fn count_valid_cosignatures(checkpoint_note: &str, witnesses: &[(String, PublicKey)]) -> usize {
    let Ok((body, lines)) = split_note(checkpoint_note) else {
        return 0;
    };
    let mut counted: Vec<Vec<u8>> = Vec::new();
    for (name, key) in witnesses {
        let point = key.to_sec1_bytes();
        if counted.contains(&point) {
            continue;
        }
        let key_id = witness_key_id(name, key);
        let valid = lines
            .iter()
            .filter(|line| line.name == *name && line.key_id == key_id)
            .any(|line| {
                Cosignature::from_note_signature(line)
                    .and_then(|cosignature| cosignature.verify(key, body))
                    .is_ok()
            });
        if valid {
            counted.push(point);
        }
    }
    counted.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryTree, consistency_proof, leaf_hash};

    const ORIGIN: &str = "ggzy.example";
    const HEAD_TIME_MS: i64 = 1_796_088_600_000;
    const NOW_S: u64 = 1_796_088_660;

    fn log_key() -> PlatformKey {
        PlatformKey::from_secret_bytes(&[0x11; 32]).unwrap()
    }

    fn witness_key(n: u8) -> PlatformKey {
        PlatformKey::from_secret_bytes(&[0x20 + n; 32]).unwrap()
    }

    fn log() -> WitnessedLog {
        WitnessedLog {
            origin: ORIGIN.into(),
            key: log_key().public_key(),
        }
    }

    fn tree(size: u64) -> MemoryTree {
        let mut tree = MemoryTree::new();
        for i in 0..size {
            tree.push(leaf_hash(format!("leaf {i}").as_bytes()));
        }
        tree
    }

    fn head_of(tree: &MemoryTree) -> TreeHead {
        TreeHead {
            origin: ORIGIN.into(),
            size: tree.size(),
            root: tree.root(),
            timestamp_ms: HEAD_TIME_MS,
        }
    }

    fn note_of(head: TreeHead, key: &PlatformKey) -> String {
        head.sign(key).to_checkpoint(&key.public_key())
    }

    /// A request from `old` to the tree's size with the real consistency proof.
    fn request(old: u64, tree: &MemoryTree) -> AddCheckpoint {
        AddCheckpoint {
            old_size: old,
            proof: consistency_proof(tree, old, tree.size()).unwrap().unwrap(),
            checkpoint: note_of(head_of(tree), &log_key()),
        }
    }

    fn witnessed(tree: &MemoryTree) -> WitnessedHead {
        WitnessedHead {
            size: tree.size(),
            root: tree.root(),
        }
    }

    fn body_of(note: &str) -> &str {
        split_note(note).unwrap().0
    }

    #[test]
    fn the_message_is_cosignature_v1() {
        let body = "ggzy.example\n7\nAAAA\ntime 5\n";
        assert_eq!(
            cosignature_message(body, 1_679_315_147),
            "cosignature/v1\ntime 1679315147\nggzy.example\n7\nAAAA\ntime 5\n"
        );
        assert_eq!(
            cosignature_message(body, 0),
            "cosignature/v1\ntime 0\nggzy.example\n7\nAAAA\ntime 5\n"
        );
    }

    #[test]
    fn key_ids_separate_names_keys_and_signature_types() {
        let key = witness_key(1).public_key();
        let id = witness_key_id("w1.example", &key);
        let preimage = [
            b"w1.example\n".as_slice(),
            &[0xff],
            b"cosignature/v1-sm2",
            &key.to_sec1_bytes(),
        ]
        .concat();
        assert_eq!(id, sm3(&preimage).0[..4]);
        assert_ne!(id, witness_key_id("w2.example", &key));
        assert_ne!(
            id,
            witness_key_id("w1.example", &witness_key(2).public_key())
        );
        // Not the checkpoint's key id (no type byte), nor an Ed25519-style 0x04 one.
        assert_ne!(id, crate::checkpoint_key_id("w1.example", &key));
        let ed25519_style = sm3_concat(&[b"w1.example\n", &[0x04], &key.to_sec1_bytes()]);
        assert_ne!(id, ed25519_style.0[..4]);
    }

    #[test]
    fn cosignatures_round_trip_through_their_line() {
        let key = witness_key(1);
        let body = body_of(&note_of(head_of(&tree(7)), &log_key())).to_string();
        let cosignature = Cosignature::sign("witness.example/w1", &key, &body, NOW_S).unwrap();
        cosignature.verify(&key.public_key(), &body).unwrap();
        let line = cosignature.to_line();
        assert!(line.starts_with("\u{2014} witness.example/w1 "));
        assert!(line.ends_with('\n'));
        let blob = BASE64
            .decode(line.trim_end().rsplit(' ').next().unwrap())
            .unwrap();
        assert_eq!(blob.len(), 76);
        assert_eq!(
            blob[..4],
            witness_key_id("witness.example/w1", &key.public_key())
        );
        assert_eq!(blob[4..12], NOW_S.to_be_bytes());
        assert_eq!(blob[12..], cosignature.signature.0);
        for text in [line.as_str(), line.trim_end()] {
            assert_eq!(Cosignature::parse_line(text).unwrap(), cosignature);
        }
        // The largest timestamp allowed round-trips too.
        let late = Cosignature::sign("w", &key, &body, i64::MAX as u64).unwrap();
        assert_eq!(Cosignature::parse_line(&late.to_line()).unwrap(), late);
        late.verify(&key.public_key(), &body).unwrap();
    }

    #[test]
    fn tampered_cosignatures_do_not_verify() {
        let key = witness_key(1);
        let public = key.public_key();
        let body = body_of(&note_of(head_of(&tree(7)), &log_key())).to_string();
        let good = Cosignature::sign("witness.example/w1", &key, &body, NOW_S).unwrap();
        let other_body = body.replace("\n7\n", "\n8\n");
        let mut later = good.clone();
        later.time_s += 1;
        let mut renamed = good.clone();
        renamed.name = "witness.example/w2".into();
        let mut flipped = good.clone();
        flipped.signature.0[17] ^= 1;
        let mut other_id = good.clone();
        other_id.key_id[0] ^= 1;
        let cases: [(&str, &Cosignature, &PublicKey, &str, CosignatureError); 6] = [
            (
                "body",
                &good,
                &public,
                &other_body,
                CosignatureError::BadSignature,
            ),
            (
                "time",
                &later,
                &public,
                &body,
                CosignatureError::BadSignature,
            ),
            (
                "name",
                &renamed,
                &public,
                &body,
                CosignatureError::KeyIdMismatch,
            ),
            (
                "signature",
                &flipped,
                &public,
                &body,
                CosignatureError::BadSignature,
            ),
            (
                "key id",
                &other_id,
                &public,
                &body,
                CosignatureError::KeyIdMismatch,
            ),
            (
                "key",
                &good,
                &witness_key(2).public_key(),
                &body,
                CosignatureError::KeyIdMismatch,
            ),
        ];
        for (what, cosignature, key, body, expected) in cases {
            assert_eq!(
                cosignature.verify(key, body),
                Err(expected),
                "tampered {what}"
            );
        }
        // The v1 message does not commit to the name: a renamed line with the key id recomputed
        // verifies. This is why one key must serve one witness name, and why
        // count_valid_cosignatures tells witnesses apart by key.
        let mut relabelled = renamed;
        relabelled.key_id = witness_key_id("witness.example/w2", &public);
        relabelled.verify(&public, &body).unwrap();
    }

    #[test]
    fn malformed_cosignature_lines_are_refused() {
        let key = witness_key(1);
        let good = Cosignature::sign("w1", &key, "x\n", NOW_S).unwrap();
        let encoded = good
            .to_line()
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_string();
        let mut far = BASE64.decode(&encoded).unwrap();
        far[4..12].copy_from_slice(&(1u64 << 63).to_be_bytes());
        let short = BASE64.encode([0u8; 68]);
        let cases = [
            (
                "-- w1 AAAA".to_string(),
                CosignatureError::NotASignatureLine,
            ),
            (
                format!("\u{2014} w1{encoded}"),
                CosignatureError::NotASignatureLine,
            ),
            (
                format!("\u{2014} w1 {encoded} x"),
                CosignatureError::NotASignatureLine,
            ),
            (
                format!("\u{2014} w1 {encoded}\n\n"),
                CosignatureError::NotASignatureLine,
            ),
            (
                format!("\u{2014} w+1 {encoded}"),
                CosignatureError::InvalidName,
            ),
            (
                format!("\u{2014}  {encoded}"),
                CosignatureError::InvalidName,
            ),
            (
                format!("\u{2014} w1 {encoded}!"),
                CosignatureError::BadBase64,
            ),
            (
                format!("\u{2014} w1 {short}"),
                CosignatureError::WrongLength { len: 68 },
            ),
            (
                format!("\u{2014} w1 {}", BASE64.encode(&far)),
                CosignatureError::TimestampOutOfRange { time_s: 1 << 63 },
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(Cosignature::parse_line(&line), Err(expected), "{line:?}");
        }
        assert_eq!(
            Cosignature::sign("w 1", &key, "x\n", NOW_S),
            Err(CosignatureError::InvalidName)
        );
        assert_eq!(
            Cosignature::sign("w1", &key, "x\n", 1 << 63),
            Err(CosignatureError::TimestampOutOfRange { time_s: 1 << 63 })
        );
    }

    #[test]
    fn add_checkpoint_bodies_round_trip() {
        let big = tree(1000);
        for old in [0, 1, 3, 512, 999, 1000] {
            let request = request(old, &big);
            let body = request.to_body();
            assert!(body.starts_with(&format!("old {old}\n")));
            assert!(body.ends_with(&request.checkpoint));
            assert_eq!(AddCheckpoint::parse(&body).unwrap(), request, "old {old}");
        }
        let with_proof = request(3, &tree(7));
        let body = with_proof.to_body();
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines[0], "old 3");
        let n = with_proof.proof.len();
        assert_eq!(n, 4, "3 → 7 needs four hashes");
        for (line, hash) in lines[1..=n].iter().zip(&with_proof.proof) {
            assert_eq!(*line, BASE64.encode(hash.as_bytes()));
        }
        assert_eq!(lines[n + 1], "");
        assert_eq!(lines[n + 2], ORIGIN);
    }

    #[test]
    fn malformed_add_checkpoint_bodies_are_refused() {
        let checkpoint = note_of(head_of(&tree(7)), &log_key());
        let hash = BASE64.encode([7u8; 32]);
        let many = format!("{hash}\n").repeat(64);
        let cases = [
            (String::new(), RequestError::Empty),
            ("old 3".to_string(), RequestError::MissingNewline),
            (format!("3\n\n{checkpoint}"), RequestError::MissingOldLine),
            (format!("old\n\n{checkpoint}"), RequestError::MissingOldLine),
            (
                format!("new 3\n\n{checkpoint}"),
                RequestError::MissingOldLine,
            ),
            (format!("old x\n\n{checkpoint}"), RequestError::BadOldSize),
            (format!("old -1\n\n{checkpoint}"), RequestError::BadOldSize),
            (format!("old +1\n\n{checkpoint}"), RequestError::BadOldSize),
            (format!("old 03\n\n{checkpoint}"), RequestError::BadOldSize),
            (format!("old 3 \n\n{checkpoint}"), RequestError::BadOldSize),
            (format!("old \n\n{checkpoint}"), RequestError::BadOldSize),
            (
                format!("old 18446744073709551616\n\n{checkpoint}"),
                RequestError::BadOldSize,
            ),
            (
                format!("old 0\n{checkpoint}"),
                RequestError::MissingBlankLine,
            ),
            (
                format!("old 3\n{hash}\n{checkpoint}"),
                RequestError::MissingBlankLine,
            ),
            ("old 3\n".to_string(), RequestError::MissingBlankLine),
            (
                format!("old 3\n{many}\n{checkpoint}"),
                RequestError::TooManyProofLines { count: 64 },
            ),
            (
                format!("old 3\n{hash}\n{}\n\n{checkpoint}", &hash[1..]),
                RequestError::BadProofBase64 { line: 3 },
            ),
            (
                format!("old 3\nnot*base64\n\n{checkpoint}"),
                RequestError::BadProofBase64 { line: 2 },
            ),
            (
                format!("old 3\n{}\n\n{checkpoint}", BASE64.encode([7u8; 31])),
                RequestError::BadProofHashLength { line: 2, len: 31 },
            ),
            (
                format!("old 3\r\n\n{checkpoint}"),
                RequestError::ControlCharacter,
            ),
            (
                format!("old 3\n\n{}", checkpoint.replacen("\n7\n", "\n07\n", 1)),
                RequestError::Checkpoint(CheckpointError::BadBody("size")),
            ),
            (
                format!("old 3\n\n{}", checkpoint.trim_end()),
                RequestError::Checkpoint(CheckpointError::MissingFinalNewline),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(AddCheckpoint::parse(&body), Err(expected), "{body:?}");
        }
        // 63 proof lines are the most allowed: well-formed, if not a valid proof.
        let most = format!("{hash}\n").repeat(63);
        let request = AddCheckpoint::parse(&format!("old 3\n{most}\n{checkpoint}")).unwrap();
        assert_eq!(request.proof.len(), 63);
    }

    #[test]
    fn a_witness_follows_a_growing_log() {
        let sizes = [1, 2, 3, 4, 5, 8, 13, 21, 34, 64, 65, 100];
        let mut known: Option<WitnessedHead> = None;
        for size in sizes {
            let tree = tree(size);
            let old = known.map_or(0, |head| head.size);
            let request = AddCheckpoint::parse(&request(old, &tree).to_body()).unwrap();
            let head = decide(known.as_ref(), &request, &log(), NOW_S).unwrap();
            assert_eq!(head, witnessed(&tree), "size {size}");
            // The caller cosigns; the cosignature verifies over the checkpoint's body.
            let body = request.checkpoint_body().unwrap();
            let cosignature = Cosignature::sign("w1", &witness_key(1), body, NOW_S).unwrap();
            cosignature
                .verify(&witness_key(1).public_key(), body)
                .unwrap();
            known = Some(head);
        }
        // The same checkpoint again is cosigned again, with an empty proof.
        let tree = tree(100);
        let again = decide(known.as_ref(), &request(100, &tree), &log(), NOW_S).unwrap();
        assert_eq!(again, witnessed(&tree));
    }

    #[test]
    fn every_refusal_class() {
        let t3 = tree(3);
        let t7 = tree(7);
        let known = witnessed(&t3);

        let mut other_origin = request(3, &t7);
        let mut head = head_of(&t7);
        head.origin = "ggzy.other".into();
        other_origin.checkpoint = note_of(head, &log_key());

        let mut wrong_key = request(3, &t7);
        wrong_key.checkpoint = note_of(head_of(&t7), &witness_key(9));

        // A line with the right name and key id whose signature is corrupt.
        let mut bad_signature = request(3, &t7);
        let (body, mut lines) = split_note(&bad_signature.checkpoint).unwrap();
        lines[0].signature[5] ^= 1;
        bad_signature.checkpoint = format!("{body}\n{}", lines[0].to_line());

        let mut future = request(3, &t7);
        let mut head = head_of(&t7);
        head.timestamp_ms = ((NOW_S + MAX_FUTURE_SKEW_S) * 1000 + 1) as i64;
        future.checkpoint = note_of(head, &log_key());

        let mut forked_root = request(3, &t3);
        let mut head = head_of(&t3);
        head.root = sm3(b"another history");
        forked_root.checkpoint = note_of(head, &log_key());

        let mut tampered_proof = request(3, &t7);
        tampered_proof.proof[1].0[0] ^= 1;

        let mut short_proof = request(3, &t7);
        short_proof.proof.pop();

        let mut proof_at_equal_size = request(3, &t3);
        proof_at_equal_size.proof.push(sm3(b"extra"));

        let mut garbage = request(3, &t7);
        garbage.checkpoint = "not a checkpoint\n".into();

        let cases: Vec<(&str, Option<WitnessedHead>, AddCheckpoint, WitnessRefusal)> = vec![
            (
                "unknown origin",
                Some(known),
                other_origin,
                WitnessRefusal::UnknownLog {
                    origin: "ggzy.other".into(),
                },
            ),
            (
                "wrong key",
                Some(known),
                wrong_key,
                WitnessRefusal::BadSignature(CheckpointError::NoSignatureFromKey),
            ),
            (
                "corrupt signature",
                Some(known),
                bad_signature,
                WitnessRefusal::BadSignature(CheckpointError::BadSignature),
            ),
            (
                "future checkpoint",
                Some(known),
                future,
                WitnessRefusal::FutureCheckpoint {
                    time_ms: ((NOW_S + MAX_FUTURE_SKEW_S) * 1000 + 1) as i64,
                    now_s: NOW_S,
                },
            ),
            (
                "old size below the latest",
                Some(known),
                request(2, &t7),
                WitnessRefusal::Conflict { latest_size: 3 },
            ),
            (
                "old size above the latest",
                Some(known),
                request(5, &t7),
                WitnessRefusal::Conflict { latest_size: 3 },
            ),
            (
                "old size without a cosigned head",
                None,
                request(3, &t7),
                WitnessRefusal::Conflict { latest_size: 0 },
            ),
            (
                "old size zero after a cosigned head",
                Some(known),
                request(0, &t7),
                WitnessRefusal::Conflict { latest_size: 3 },
            ),
            (
                "rollback",
                Some(witnessed(&t7)),
                AddCheckpoint {
                    old_size: 7,
                    proof: Vec::new(),
                    checkpoint: note_of(head_of(&t3), &log_key()),
                },
                WitnessRefusal::Rollback {
                    old_size: 7,
                    size: 3,
                },
            ),
            (
                "same size, another root",
                Some(known),
                forked_root,
                WitnessRefusal::Fork { size: 3 },
            ),
            (
                "tampered proof",
                Some(known),
                tampered_proof,
                WitnessRefusal::BadProof(ProofError::RootMismatch),
            ),
            (
                "short proof",
                Some(known),
                short_proof,
                WitnessRefusal::BadProof(ProofError::WrongLength),
            ),
            (
                "proof at equal size",
                Some(known),
                proof_at_equal_size,
                WitnessRefusal::BadProof(ProofError::WrongLength),
            ),
            (
                "a larger tree that does not extend the cosigned one",
                Some(WitnessedHead {
                    size: 3,
                    root: sm3(b"another history"),
                }),
                request(3, &t7),
                WitnessRefusal::BadProof(ProofError::RootMismatch),
            ),
            (
                "proof from the empty tree",
                None,
                AddCheckpoint {
                    proof: vec![sm3(b"x")],
                    ..request(0, &t7)
                },
                WitnessRefusal::BadProof(ProofError::WrongLength),
            ),
            (
                "malformed checkpoint",
                Some(known),
                garbage,
                WitnessRefusal::Malformed(RequestError::Checkpoint(
                    CheckpointError::MissingBlankLine,
                )),
            ),
        ];
        for (what, known, request, expected) in cases {
            assert_eq!(
                decide(known.as_ref(), &request, &log(), NOW_S),
                Err(expected),
                "{what}"
            );
        }
        // The same requests pass when they are right.
        decide(Some(&known), &request(3, &t7), &log(), NOW_S).unwrap();
        decide(None, &request(0, &t7), &log(), NOW_S).unwrap();
    }

    #[test]
    fn refusals_have_stable_codes_and_statuses() {
        let cases = [
            (
                WitnessRefusal::Malformed(RequestError::Empty),
                "WITNESS_MALFORMED",
                400,
            ),
            (
                WitnessRefusal::UnknownLog { origin: "x".into() },
                "WITNESS_UNKNOWN_LOG",
                404,
            ),
            (
                WitnessRefusal::BadSignature(CheckpointError::BadSignature),
                "WITNESS_BAD_SIGNATURE",
                403,
            ),
            (
                WitnessRefusal::FutureCheckpoint {
                    time_ms: 0,
                    now_s: 0,
                },
                "WITNESS_FUTURE_CHECKPOINT",
                400,
            ),
            (
                WitnessRefusal::Rollback {
                    old_size: 2,
                    size: 1,
                },
                "WITNESS_ROLLBACK",
                400,
            ),
            (
                WitnessRefusal::Conflict { latest_size: 42 },
                "WITNESS_CONFLICT",
                409,
            ),
            (WitnessRefusal::Fork { size: 1 }, "WITNESS_FORK", 409),
            (
                WitnessRefusal::BadProof(ProofError::RootMismatch),
                "WITNESS_BAD_PROOF",
                422,
            ),
        ];
        for (refusal, code, status) in cases {
            assert_eq!(refusal.code(), code);
            assert_eq!(refusal.http_status(), status, "{code}");
            let body = refusal.size_body();
            assert_eq!(body.is_some(), code == "WITNESS_CONFLICT");
        }
        assert_eq!(
            WitnessRefusal::Conflict { latest_size: 42 }.size_body(),
            Some("42\n".to_string())
        );
        assert_eq!(SIZE_CONTENT_TYPE, "text/x.tlog.size");
    }

    #[test]
    fn k_of_n_counts_distinct_valid_witnesses() {
        let note = note_of(head_of(&tree(7)), &log_key());
        let body = body_of(&note).to_string();
        let names = ["w1.example", "w2.example", "w3.example"];
        let keys: Vec<PlatformKey> = (1..=3).map(witness_key).collect();
        let lines: Vec<String> = names
            .iter()
            .zip(&keys)
            .map(|(name, key)| {
                Cosignature::sign(name, key, &body, NOW_S)
                    .unwrap()
                    .to_line()
            })
            .collect();
        let witnesses: Vec<(String, PublicKey)> = names
            .iter()
            .zip(&keys)
            .map(|(name, key)| (name.to_string(), key.public_key()))
            .collect();
        let with = |extra: &[&str]| format!("{note}{}", extra.concat());

        // A stranger's cosignature, and a known witness's over another checkpoint.
        let stranger = Cosignature::sign("w9.example", &witness_key(9), &body, NOW_S)
            .unwrap()
            .to_line();
        let other_body = body_of(&note_of(head_of(&tree(8)), &log_key())).to_string();
        let stale = Cosignature::sign(names[2], &keys[2], &other_body, NOW_S)
            .unwrap()
            .to_line();
        // Witness 1's key listed again under another name, with its line relabelled.
        let mut relabelled = Cosignature::parse_line(&lines[0]).unwrap();
        relabelled.name = "alias.example".into();
        relabelled.key_id = witness_key_id("alias.example", &keys[0].public_key());
        let relabelled = relabelled.to_line();
        let mut with_alias = witnesses.clone();
        with_alias.push(("alias.example".into(), keys[0].public_key()));
        let mut listed_twice = witnesses.clone();
        listed_twice.push(witnesses[1].clone());

        let all = [lines[0].as_str(), &lines[1], &lines[2]];
        type Trusted = [(String, PublicKey)];
        let cases: Vec<(&str, String, &Trusted, usize)> = vec![
            ("no cosignatures", note.clone(), &witnesses, 0),
            ("one", with(&[&lines[1]]), &witnesses, 1),
            ("all three", with(&all), &witnesses, 3),
            (
                "a line twice",
                with(&[&lines[0], &lines[0], &lines[2]]),
                &witnesses,
                2,
            ),
            ("a witness listed twice", with(&all), &listed_twice, 3),
            ("a stranger", with(&[&lines[0], &stranger]), &witnesses, 1),
            (
                "another checkpoint",
                with(&[&lines[0], &stale]),
                &witnesses,
                1,
            ),
            (
                "a key under two names",
                with(&[&lines[0], &relabelled]),
                &with_alias,
                1,
            ),
            ("nobody trusted", with(&all), &[], 0),
            (
                "a malformed note",
                with(&["\u{2014} broken\n"]),
                &witnesses,
                0,
            ),
            ("not a note", body.clone(), &witnesses, 0),
        ];
        for (what, note, witnesses, expected) in cases {
            assert_eq!(
                count_valid_cosignatures(&note, witnesses),
                expected,
                "{what}"
            );
        }
        // The log's own signature still verifies with cosignatures appended.
        let cosigned = with(&all);
        SignedTreeHead::from_checkpoint(&cosigned, &log_key().public_key()).unwrap();
    }

    /// The worked example of docs/witness.md, byte for byte (SM2 signing here is deterministic,
    /// RFC 6979, so the signature is fixed too; other SM2 signers will produce other, equally
    /// valid, signatures).
    #[test]
    fn the_worked_example_of_the_document() {
        let witness = PlatformKey::from_secret_bytes(
            &hex::decode("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            log_key().public_key().to_hex(),
            "04852611f744af045689dcfbf4c0437730d2d2de332ab7f0fc02769c5fab8a89437d9384f19ab882ed668a\
             28936db92475aa79aef8690ee36f6fb77c69b9b571f8"
        );
        assert_eq!(
            witness.public_key().to_hex(),
            "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6\
             ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
        );
        let request = request(3, &tree(7));
        let body = "old 3\n\
            IvkhngWtnHC2Wxw+5rvnRRumaRLLH/Rmk/XjFzoVNL4=\n\
            +OqZKTmb59Rtm94EKxSzQM7svRKh/QjwUAEJXW68N80=\n\
            X0xgnTEVRdF88AIQgWfCSPm4v7wsRooXRW2gT5BYjFM=\n\
            2pR6EcjW8NgzQTsOc4y98LTI+rYl6XxTrtBMAZ7CXhw=\n\
            \n\
            ggzy.example\n\
            7\n\
            PF+CpBJIQGWwTgSzlvzdUhczuqfikBubfUSHhz6rE4A=\n\
            time 1796088600000\n\
            \n\
            \u{2014} ggzy.example jQ1nwynsSWqCRDHUD1RARYgbMmNoNxISGD0DrDhh3OdAv15FdizYzzJjsCsGGoeswInQ7h7eSWFOihlAqcpfeMG18A8=\n";
        assert_eq!(request.to_body(), body);
        let request = AddCheckpoint::parse(body).unwrap();
        let known = witnessed(&tree(3));
        assert_eq!(
            known.root.to_hex(),
            "2965a6112b6c5f59ef9ccf6521d05e3c271b2a47c436809b195d184271df25bb"
        );
        let head = decide(Some(&known), &request, &log(), NOW_S).unwrap();
        assert_eq!(
            head.root.to_hex(),
            "3c5f82a412484065b04e04b396fcdd521733baa7e2901b9b7d4487873eab1380"
        );

        let name = "witness.example/w1";
        assert_eq!(
            hex::encode(witness_key_id(name, &witness.public_key())),
            "50636ec5"
        );
        let checkpoint_body = request.checkpoint_body().unwrap();
        let message = cosignature_message(checkpoint_body, NOW_S);
        assert_eq!(
            message,
            "cosignature/v1\ntime 1796088660\nggzy.example\n7\n\
             PF+CpBJIQGWwTgSzlvzdUhczuqfikBubfUSHhz6rE4A=\ntime 1796088600000\n"
        );
        assert_eq!(message.len(), 110);
        let cosignature = Cosignature::sign(name, &witness, checkpoint_body, NOW_S).unwrap();
        assert_eq!(
            cosignature.signature.to_hex(),
            "91545320ff4f05ecd972cd5f5a87042f52e609905f55f5891865bfb6f5cec07f\
             1d337bee6f5f9eb4ea1c36cd22d0d851c60dae939b926ee51ac253d9df5e077b"
        );
        let line = "\u{2014} witness.example/w1 UGNuxQAAAABrDiNUkVRTIP9PBezZcs1fWocEL1LmCZBfVfWJGGW/\
                    tvXOwH8dM3vub1+etOocNs0i0NhRxg2uk5uSbuUawlPZ314Hew==\n";
        assert_eq!(cosignature.to_line(), line);
        let cosigned = format!("{}{line}", request.checkpoint);
        let witnesses = [(name.to_string(), witness.public_key())];
        assert_eq!(count_valid_cosignatures(&cosigned, &witnesses), 1);
    }
}
