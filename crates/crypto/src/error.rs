//! The one error type of the crypto crate.

/// What can go wrong in a cryptographic operation. Messages never contain key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    #[error("invalid signature encoding")]
    InvalidSignature,
    #[error("signature does not verify")]
    BadSignature,
    #[error("decryption failed")]
    Decryption,
    #[error("encryption failed")]
    Encryption,
    #[error("value cannot be canonicalised: {0}")]
    NotCanonical(&'static str),
    #[error("invalid hex: {0}")]
    Hex(&'static str),
}
