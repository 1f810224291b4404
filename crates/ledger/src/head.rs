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

/// The most signature lines a note may carry before it is refused as a whole (C2SP signed-note
/// asks verifiers to accept at least 16).
pub const MAX_NOTE_SIGNATURES: usize = 100;

/// Why a signed note, or the checkpoint it carries, was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the note contains an ASCII control character other than newline")]
    ControlCharacter,
    #[error("the note does not end with a newline")]
    MissingFinalNewline,
    #[error("the note has no blank line between its text and its signatures")]
    MissingBlankLine,
    #[error("the note has no signature lines")]
    NoSignatures,
    #[error("the note has more than {MAX_NOTE_SIGNATURES} signature lines")]
    TooManySignatures,
    #[error("signature line {index} of the note is malformed")]
    BadSignatureLine { index: usize },
    #[error("the checkpoint's {0} is malformed")]
    BadBody(&'static str),
    #[error("the note has no signature line from the log's key")]
    NoSignatureFromKey,
    #[error("the log's signature on the checkpoint does not verify")]
    BadSignature,
}

/// One signature line of a signed note: `— <name> base64(key id ‖ signature)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: [u8; 4],
    /// The bytes after the key id (for a cosignature: timestamp ‖ signature).
    pub signature: Vec<u8>,
}

/// Whether `name` may name a key in a signed note: non-empty, no Unicode spaces, no `+`.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// Splits a signature line (without its newline) into key name and base64 text.
pub(crate) fn split_signature_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("\u{2014} ")?;
    let (name, encoded) = rest.split_once(' ')?;
    if encoded.contains(' ') {
        return None;
    }
    Some((name, encoded))
}

impl NoteSignature {
    /// Parses one signature line, with or without its final newline.
    pub fn parse_line(line: &str) -> Option<Self> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let (name, encoded) = split_signature_line(line)?;
        if !valid_key_name(name) {
            return None;
        }
        let blob = BASE64.decode(encoded).ok()?;
        if blob.len() <= 4 {
            return None;
        }
        let mut key_id = [0u8; 4];
        key_id.copy_from_slice(&blob[..4]);
        Some(Self {
            name: name.to_string(),
            key_id,
            signature: blob[4..].to_vec(),
        })
    }

    /// The line, ending in a newline.
    pub fn to_line(&self) -> String {
        let mut blob = self.key_id.to_vec();
        blob.extend_from_slice(&self.signature);
        format!("\u{2014} {} {}\n", self.name, BASE64.encode(blob))
    }
}

/// Splits a C2SP signed note into its text (ending in a newline) and its signature lines.
///
/// The text ends at the last blank line; every line after it must be a well-formed signature
/// line, and there must be at least one.
pub fn split_note(note: &str) -> Result<(&str, Vec<NoteSignature>), CheckpointError> {
    if note.chars().any(|c| c.is_ascii_control() && c != '\n') {
        return Err(CheckpointError::ControlCharacter);
    }
    if !note.ends_with('\n') {
        return Err(CheckpointError::MissingFinalNewline);
    }
    let split = note
        .rfind("\n\n")
        .ok_or(CheckpointError::MissingBlankLine)?;
    let (text, signatures) = (&note[..split + 1], &note[split + 2..]);
    if signatures.is_empty() {
        return Err(CheckpointError::NoSignatures);
    }
    let lines: Vec<&str> = signatures[..signatures.len() - 1].split('\n').collect();
    if lines.len() > MAX_NOTE_SIGNATURES {
        return Err(CheckpointError::TooManySignatures);
    }
    let parsed = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            NoteSignature::parse_line(line).ok_or(CheckpointError::BadSignatureLine { index })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((text, parsed))
}

/// A decimal without sign or leading zeros ("0" itself is allowed).
pub(crate) fn parse_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

impl TreeHead {
    /// Parses the signed body of a checkpoint as [`TreeHead::checkpoint_body`] writes it: exactly
    /// the origin, size, root and `time` lines, each ending in a newline, in canonical form (so
    /// that the parsed head renders back to the same bytes, which are the bytes signed).
    pub fn from_checkpoint_body(body: &str) -> Result<Self, CheckpointError> {
        let text = body
            .strip_suffix('\n')
            .ok_or(CheckpointError::BadBody("final newline"))?;
        let lines: Vec<&str> = text.split('\n').collect();
        let [origin, size, root, time] = lines[..] else {
            return Err(CheckpointError::BadBody("line count"));
        };
        if !valid_key_name(origin) {
            return Err(CheckpointError::BadBody("origin"));
        }
        let size = parse_decimal(size).ok_or(CheckpointError::BadBody("size"))?;
        let root: [u8; 32] = BASE64
            .decode(root)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CheckpointError::BadBody("root hash"))?;
        let timestamp_ms = time
            .strip_prefix("time ")
            .and_then(|ms| ms.parse::<i64>().ok())
            .ok_or(CheckpointError::BadBody("time line"))?;
        let head = Self {
            origin: origin.to_string(),
            size,
            root: Sm3Hash(root),
            timestamp_ms,
        };
        if head.checkpoint_body() != body {
            return Err(CheckpointError::BadBody("canonical form"));
        }
        Ok(head)
    }
}

impl SignedTreeHead {
    /// Reads a checkpoint (the whole signed note, as [`SignedTreeHead::to_checkpoint`] writes it)
    /// and checks the log's signature with `key`.
    ///
    /// Signature lines from other keys (cosignatures, say) are ignored, as C2SP signed-note
    /// requires; a line with the origin's name and the key's id must verify, and one must exist.
    pub fn from_checkpoint(note: &str, key: &PublicKey) -> Result<Self, CheckpointError> {
        let (body, signatures) = split_note(note)?;
        let head = TreeHead::from_checkpoint_body(body)?;
        let key_id = checkpoint_key_id(&head.origin, key);
        let mut found = None;
        for line in signatures
            .iter()
            .filter(|line| line.name == head.origin && line.key_id == key_id)
        {
            let signature = Signature(
                line.signature
                    .as_slice()
                    .try_into()
                    .map_err(|_| CheckpointError::BadSignature)?,
            );
            key.verify(body.as_bytes(), &signature)
                .map_err(|_| CheckpointError::BadSignature)?;
            found.get_or_insert(signature);
        }
        let signature = found.ok_or(CheckpointError::NoSignatureFromKey)?;
        Ok(Self { head, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto::sm3;

    fn key() -> PlatformKey {
        PlatformKey::from_secret_bytes(&[0x11; 32]).unwrap()
    }

    fn head() -> TreeHead {
        TreeHead {
            origin: "ggzy.test".into(),
            size: 7,
            root: sm3(b"root"),
            timestamp_ms: 1_796_088_600_000,
        }
    }

    #[test]
    fn checkpoints_parse_back_to_their_signed_head() {
        let signed = head().sign(&key());
        let note = signed.to_checkpoint(&key().public_key());
        assert_eq!(
            SignedTreeHead::from_checkpoint(&note, &key().public_key()).unwrap(),
            signed
        );
        let (body, lines) = split_note(&note).unwrap();
        assert_eq!(body, signed.head.checkpoint_body());
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].to_line(), note[body.len() + 1..]);
        // Lines from other keys are ignored, before or after the log's own.
        let foreign = NoteSignature {
            name: "someone.example".into(),
            key_id: [1, 2, 3, 4],
            signature: vec![9; 70],
        }
        .to_line();
        let crowded = format!("{body}\n{foreign}{}{foreign}", lines[0].to_line());
        assert_eq!(
            SignedTreeHead::from_checkpoint(&crowded, &key().public_key()).unwrap(),
            signed
        );
        let other = PlatformKey::from_secret_bytes(&[0x12; 32]).unwrap();
        assert_eq!(
            SignedTreeHead::from_checkpoint(&note, &other.public_key()),
            Err(CheckpointError::NoSignatureFromKey)
        );
    }

    #[test]
    fn malformed_notes_and_bodies_are_refused() {
        let note = head().sign(&key()).to_checkpoint(&key().public_key());
        let body = head().checkpoint_body();
        let note_cases = [
            (
                note.trim_end().to_string(),
                CheckpointError::MissingFinalNewline,
            ),
            (body.clone(), CheckpointError::MissingBlankLine),
            (format!("{body}\n"), CheckpointError::NoSignatures),
            (
                note.replace('\n', "\r\n"),
                CheckpointError::ControlCharacter,
            ),
            (
                format!("{note}\u{2014} x\n"),
                CheckpointError::BadSignatureLine { index: 1 },
            ),
            (
                format!("{note}\u{2014} x AAAA\n"),
                CheckpointError::BadSignatureLine { index: 1 },
            ),
            (
                format!("{body}\n{}", "\u{2014} x AAAAAAAA\n".repeat(101)),
                CheckpointError::TooManySignatures,
            ),
        ];
        for (text, expected) in note_cases {
            assert_eq!(
                SignedTreeHead::from_checkpoint(&text, &key().public_key()),
                Err(expected),
                "{text:?}"
            );
        }
        let root = body.lines().nth(2).unwrap().to_string();
        let body_cases = [
            (body.trim_end().to_string(), "final newline"),
            (body.replacen("time 1796088600000\n", "", 1), "line count"),
            (format!("{body}extension\n"), "line count"),
            (body.replacen("ggzy.test", "ggzy test", 1), "origin"),
            (body.replacen("\n7\n", "\n07\n", 1), "size"),
            (body.replacen("\n7\n", "\n-7\n", 1), "size"),
            (body.replacen(&root, &root[4..], 1), "root hash"),
            (body.replacen(&root, "not base64!", 1), "root hash"),
            (body.replacen("time ", "time: ", 1), "time line"),
            (body.replacen("time ", "time +", 1), "canonical form"),
            (body.replacen("time ", "time 0", 1), "canonical form"),
        ];
        for (text, what) in body_cases {
            assert_eq!(
                TreeHead::from_checkpoint_body(&text),
                Err(CheckpointError::BadBody(what)),
                "{text:?}"
            );
        }
        assert_eq!(TreeHead::from_checkpoint_body(&body).unwrap(), head());
    }
}
