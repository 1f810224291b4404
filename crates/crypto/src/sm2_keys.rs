//! SM2 (GB/T 32918): signatures with the distinguishing id and Z value, and public-key encryption.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sm2::SecretKey;
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{SigningKey, VerifyingKey};
use sm2::elliptic_curve::Generate;
use sm2::elliptic_curve::sec1::ToSec1Point;
use sm2::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sm2::pke::{DecryptingKey, EncryptingKey};

use crate::{CryptoError, Sm3Hash, canonical_json_bytes, sm3_concat};

/// The default distinguishing identifier of GM/T 0009-2012 §10, used by every signature here.
pub const DEFAULT_DIST_ID: &str = "1234567812345678";

/// An SM2 key pair: the platform's witness key, a test bidder's key.
pub struct PlatformKey {
    signing: SigningKey,
}

impl fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        write!(f, "PlatformKey({})", self.public_key())
    }
}

impl PlatformKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        let secret = SecretKey::generate_from_rng(&mut rand::rng());
        Self::from_secret(&secret).expect("a random secret key is valid")
    }

    /// The key with this 32-byte secret scalar (big-endian), as the standards' examples give it.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let secret =
            SecretKey::from_slice(bytes).map_err(|_| CryptoError::InvalidKey("secret scalar"))?;
        Self::from_secret(&secret)
    }

    fn from_secret(secret: &SecretKey) -> Result<Self, CryptoError> {
        let signing = SigningKey::new(DEFAULT_DIST_ID, secret)
            .map_err(|_| CryptoError::InvalidKey("secret scalar"))?;
        Ok(Self { signing })
    }

    /// Reads a PKCS#8 PEM private key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, CryptoError> {
        let secret =
            SecretKey::from_pkcs8_pem(pem).map_err(|_| CryptoError::InvalidKey("PKCS#8 PEM"))?;
        Self::from_secret(&secret)
    }

    /// Writes the private key as PKCS#8 PEM, for the data directory.
    pub fn to_pkcs8_pem(&self) -> String {
        let secret = SecretKey::from(self.signing.as_nonzero_scalar());
        secret
            .to_pkcs8_pem(LineEnding::LF)
            .expect("an SM2 key encodes as PKCS#8")
            .to_string()
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            verifying: self.signing.verifying_key().clone(),
        }
    }

    /// Signs raw bytes (SM2 with SM3 and the default id; deterministic nonce per RFC 6979).
    pub fn sign(&self, message: &[u8]) -> Signature {
        let signature: sm2::dsa::Signature = self.signing.sign(message);
        Signature(signature.to_bytes().into())
    }

    /// Signs the canonical JSON of a value.
    pub fn sign_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<Signature, CryptoError> {
        Ok(self.sign(&canonical_json_bytes(value)?))
    }

    /// A keyed digest SM3(0x02 ‖ secret ‖ data): a pseudonym for `data` that only the key's
    /// holder can compute (used so personal numbers never appear in public stream names).
    pub fn keyed_digest(&self, data: &[u8]) -> Sm3Hash {
        sm3_concat(&[&[0x02], &self.signing.to_bytes(), data])
    }

    /// Decrypts an SM2 ciphertext (C1C3C2, raw, starting with 0x04) addressed to this key.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        decrypt_sm2(&self.signing.to_bytes(), ciphertext)
    }
}

/// An SM2 public key, shown as the hex of its uncompressed SEC1 point (04 ‖ x ‖ y).
#[derive(Clone)]
pub struct PublicKey {
    verifying: VerifyingKey,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.to_sec1_bytes() == other.to_sec1_bytes()
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let verifying = VerifyingKey::from_sec1_bytes(DEFAULT_DIST_ID, bytes)
            .map_err(|_| CryptoError::InvalidKey("SEC1 public point"))?;
        Ok(Self { verifying })
    }

    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(text).map_err(|_| CryptoError::Hex("public key"))?;
        Self::from_sec1_bytes(&bytes)
    }

    pub fn to_sec1_bytes(&self) -> Vec<u8> {
        self.verifying
            .as_affine()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.to_sec1_bytes())
    }

    /// The key as an SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as OpenSSL and CAs exchange it.
    pub fn to_spki_pem(&self) -> Result<String, CryptoError> {
        use sm2::pkcs8::EncodePublicKey;
        let key = sm2::PublicKey::from_sec1_bytes(&self.to_sec1_bytes())
            .map_err(|_| CryptoError::InvalidKey("SEC1 public point"))?;
        key.to_public_key_pem(LineEnding::LF)
            .map_err(|_| CryptoError::InvalidKey("SPKI encoding"))
    }

    /// Reads an SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_spki_pem(pem: &str) -> Result<Self, CryptoError> {
        use sm2::pkcs8::DecodePublicKey;
        let key = sm2::PublicKey::from_public_key_pem(pem)
            .map_err(|_| CryptoError::InvalidKey("SPKI PEM public key"))?;
        Self::from_sec1_bytes(key.to_sec1_point(false).as_bytes())
    }

    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), CryptoError> {
        let signature = sm2::dsa::Signature::from_slice(&signature.0)
            .map_err(|_| CryptoError::InvalidSignature)?;
        self.verifying
            .verify(message, &signature)
            .map_err(|_| CryptoError::BadSignature)
    }

    pub fn verify_json<T: Serialize + ?Sized>(
        &self,
        value: &T,
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        self.verify(&canonical_json_bytes(value)?, signature)
    }

    /// Encrypts to this key with SM2 (GB/T 32918.4), C1C3C2 layout.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        encrypt_sm2(&self.to_sec1_bytes(), plaintext)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// An SM2 signature as raw r ‖ s (64 bytes), shown as hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl Signature {
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(text).map_err(|_| CryptoError::Hex("signature"))?;
        let array: [u8; 64] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidSignature)?;
        Ok(Self(array))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.to_hex())
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) of GB/T 32918.2 §5.5, for a public key and id.
pub fn z_value(dist_id: &str, public_key: &PublicKey) -> Sm3Hash {
    const A: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC";
    const B: &str = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93";
    const GX: &str = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7";
    const GY: &str = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0";
    let entl = ((dist_id.len() * 8) as u16).to_be_bytes();
    let point = public_key.to_sec1_bytes();
    let constants: Vec<Vec<u8>> = [A, B, GX, GY]
        .iter()
        .map(|text| hex::decode(text).expect("curve constants are hex"))
        .collect();
    sm3_concat(&[
        &entl,
        dist_id.as_bytes(),
        &constants[0],
        &constants[1],
        &constants[2],
        &constants[3],
        &point[1..33],
        &point[33..65],
    ])
}

/// SM2 public-key encryption (C1C3C2, raw) to an uncompressed SEC1 public point.
pub fn encrypt_sm2(public_sec1: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = EncryptingKey::from_sec1_bytes(public_sec1)
        .map_err(|_| CryptoError::InvalidKey("SEC1 public point"))?;
    key.encrypt(&mut rand::rng(), plaintext)
        .map_err(|_| CryptoError::Encryption)
}

/// SM2 decryption (C1C3C2, raw) with a 32-byte secret scalar.
pub fn decrypt_sm2(secret: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key =
        DecryptingKey::from_slice(secret).map_err(|_| CryptoError::InvalidKey("secret scalar"))?;
    key.decrypt(ciphertext).map_err(|_| CryptoError::Decryption)
}

/// Converts an SM2 ciphertext in the ASN.1 DER form (what OpenSSL's `pkeyutl -encrypt` writes) to
/// the raw C1C3C2 form the platform keeps.
pub fn sm2_ciphertext_der_to_raw(der: &[u8]) -> Result<Vec<u8>, CryptoError> {
    use sm2::pkcs8::der::Decode;
    let cipher = sm2::pke::Cipher::<'_, sm2::Sm2, sm3::Sm3>::from_der(der)
        .map_err(|_| CryptoError::Decryption)?;
    cipher
        .to_vec(sm2::pke::Mode::C1C3C2, false)
        .map_err(|_| CryptoError::Decryption)
}
