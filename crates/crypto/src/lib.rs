//! Chinese commercial cryptography (商用密码) for the platform: SM3 hashing, SM2 signatures and
//! public-key encryption, the SM4 block cipher, and signatures over canonical JSON.
//!
//! Everything here is pure computation; keys are loaded and stored by the caller.

mod canonical;
mod cert;
mod envelope;
mod error;
mod sm2_keys;
mod sm3_hash;
mod sm4_cipher;
mod threshold;

pub use canonical::{canonical_json, canonical_json_bytes};
pub use cert::{
    CertError, Certificate, CertificateAuthority, Crl, OID_SM2_WITH_SM3, Subject, TrustStore,
};
pub use envelope::{
    BidPackage, ENVELOPE_VERSION, Envelope, EnvelopeHeader, MAX_HEADER, SealRequest, Sm4Gcm,
    StreamedSeal, machine_fingerprint, sm4_gcm_decrypt, sm4_gcm_encrypt,
};
pub use error::CryptoError;
pub use sm2_keys::{
    DEFAULT_DIST_ID, PlatformKey, PublicKey, Signature, decrypt_sm2, encrypt_sm2,
    sm2_ciphertext_der_to_raw, z_value,
};
pub use sm3_hash::{Sm3Hash, Sm3Hasher, sm3, sm3_concat};
pub use sm4_cipher::{sm4_decrypt_block, sm4_encrypt_block};
pub use threshold::{
    CeremonyHolder, KeyShare, Partial, SharedKey, ceremony_public_key, deal, finish_ceremony,
    sm2_ciphertext_well_formed, sm2_kdf, verify_ceremony_share,
};
