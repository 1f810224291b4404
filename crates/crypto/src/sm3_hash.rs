//! SM3 (GB/T 32905-2016) digests and the `Sm3Hash` value type.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sm3::{Digest, Sm3};

use crate::CryptoError;

/// A 32-byte SM3 digest. Shown and serialised as lower-case hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sm3Hash(pub [u8; 32]);

impl Sm3Hash {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(text).map_err(|_| CryptoError::Hex("not hexadecimal"))?;
        Self::from_slice(&bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::Hex("an SM3 hash has 32 bytes"))?;
        Ok(Self(array))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Sm3Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sm3Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sm3Hash({})", self.to_hex())
    }
}

impl Serialize for Sm3Hash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sm3Hash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// SM3 of one byte string.
pub fn sm3(data: &[u8]) -> Sm3Hash {
    Sm3Hash(Sm3::digest(data).into())
}

/// SM3 of the concatenation of several byte strings, without copying them together.
pub fn sm3_concat(parts: &[&[u8]]) -> Sm3Hash {
    let mut hasher = Sm3::new();
    for part in parts {
        hasher.update(part);
    }
    Sm3Hash(hasher.finalize().into())
}

/// SM3 computed over data that arrives in pieces (a streamed upload).
#[derive(Clone, Default)]
pub struct Sm3Hasher(Sm3);

impl std::fmt::Debug for Sm3Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sm3Hasher")
    }
}

impl Sm3Hasher {
    pub fn new() -> Self {
        Self(Sm3::new())
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn finish(self) -> Sm3Hash {
        Sm3Hash(self.0.finalize().into())
    }
}
