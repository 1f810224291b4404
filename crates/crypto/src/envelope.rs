//! The sealed-bid envelope (`docs/envelope.md`): the bid package encrypted with SM4-GCM under a
//! fresh key K, K encrypted to the lot's opening public key with standard SM2 encryption, and the
//! whole signed with the bidder's certificate key. Nobody can read the package without K, and K
//! only comes out of k-of-n holders' partial decryptions (`threshold.rs`).

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{AesGcm, KeyInit, Nonce};
use serde::{Deserialize, Serialize};
use sm4::Sm4;
use sm4::cipher::consts::U12;

use crate::{
    CertError, Certificate, CryptoError, PlatformKey, PublicKey, Signature, Sm3Hash,
    canonical_json_bytes, sm3, sm3_concat,
};

/// SM4-GCM with a 96-bit nonce and a 128-bit tag (RFC 8998).
pub type Sm4Gcm = AesGcm<Sm4, U12>;

/// The first line of an envelope file.
const MAGIC: &[u8] = b"GGZY-SEALED-BID/1\n";
pub const ENVELOPE_VERSION: u32 = 1;

/// SM4-GCM encryption; returns ciphertext ‖ tag.
pub fn sm4_gcm_encrypt(
    key: &[u8; 16],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Sm4Gcm::new(key.into());
    cipher
        .encrypt(
            &Nonce::<U12>::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CryptoError::Encryption)
}

/// SM4-GCM decryption of ciphertext ‖ tag; fails if anything was altered.
pub fn sm4_gcm_decrypt(
    key: &[u8; 16],
    nonce: &[u8; 12],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Sm4Gcm::new(key.into());
    cipher
        .decrypt(
            &Nonce::<U12>::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| CryptoError::Decryption)
}

/// The cleartext part of an envelope. The signature covers the canonical JSON of every other field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeHeader {
    pub version: u32,
    /// 统一交易标识码 of the lot (标段/包).
    pub lot: String,
    /// The bidder's entity id (统一社会信用代码).
    pub bidder: String,
    pub created_at_ms: i64,
    /// SM3 of salted hardware ids of the authoring machine (for collusion screening; never raw ids).
    pub machine_fingerprint: String,
    /// The signer's certificate, PEM.
    pub certificate: String,
    /// The lot's opening public key (SEC1 hex) the data key is wrapped to.
    pub opening_key: String,
    /// K wrapped to the opening key: SM2 ciphertext C1C3C2, hex.
    pub wrapped_key: String,
    /// K wrapped to the bidder's own key, so the bidder can reopen its own bid, hex.
    pub own_wrapped_key: String,
    /// SM4-GCM nonce, hex.
    pub nonce: String,
    /// SM3 of the encrypted package (ciphertext ‖ tag), hex.
    pub ciphertext_sm3: String,
    /// The downloaded copy of the tender documents the bid was built from (文件创建标识码, as the
    /// platform gave it with the download); absent when the tool was not told.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub document_copy: String,
    /// The authoring tool and its version (e.g. `ggzy 0.1.0`); absent in older envelopes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tool: String,
    /// SM2 signature (r ‖ s hex) over the canonical JSON of the header without this field.
    #[serde(default)]
    pub signature: String,
}

/// A sealed bid: header and encrypted package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub header: EnvelopeHeader,
    pub ciphertext: Vec<u8>,
}

/// What the bidder puts in.
#[derive(Debug)]
pub struct SealRequest<'a> {
    pub package: &'a [u8],
    pub lot: &'a str,
    pub bidder: &'a str,
    pub opening_key: &'a PublicKey,
    pub signer: &'a PlatformKey,
    pub certificate_pem: &'a str,
    pub machine_fingerprint: Sm3Hash,
    /// The downloaded copy of the tender documents (empty when unknown).
    pub document_copy: &'a str,
    /// The authoring tool (empty when unknown).
    pub tool: &'a str,
    pub created_at_ms: i64,
    /// The key the bidder's own copy of the data key is wrapped to (`own_wrapped_key`): its
    /// encryption certificate's key when it has one (China's dual certificates: the
    /// encryption key is the one the CA escrows for recovery), else the signing key.
    pub recovery_key: Option<&'a PublicKey>,
}

/// A seal whose encrypted package is produced elsewhere and streamed (tools that never hold the
/// whole package in memory): everything but the package, and the package's SM3.
#[derive(Debug)]
pub struct StreamedSeal<'a> {
    pub lot: &'a str,
    pub bidder: &'a str,
    pub opening_key: &'a PublicKey,
    pub signer: &'a PlatformKey,
    pub certificate_pem: &'a str,
    pub machine_fingerprint: Sm3Hash,
    /// The downloaded copy of the tender documents (empty when unknown).
    pub document_copy: &'a str,
    /// The authoring tool (empty when unknown).
    pub tool: &'a str,
    pub created_at_ms: i64,
    pub ciphertext_sm3: Sm3Hash,
    /// As `SealRequest::recovery_key`.
    pub recovery_key: Option<&'a PublicKey>,
}

/// A machine fingerprint: SM3 over a salt and the sorted hardware ids.
pub fn machine_fingerprint(salt: &[u8], hardware_ids: &[&str]) -> Sm3Hash {
    let mut ids: Vec<&str> = hardware_ids.to_vec();
    ids.sort_unstable();
    let joined = ids.join("\n");
    sm3_concat(&[salt, b"\n", joined.as_bytes()])
}

fn associated_data(lot: &str, bidder: &str, version: u32) -> Vec<u8> {
    [
        lot.as_bytes(),
        &[0],
        bidder.as_bytes(),
        &[0],
        &version.to_be_bytes(),
    ]
    .concat()
}

fn unhex<const N: usize>(text: &str) -> Result<[u8; N], CryptoError> {
    let bytes = hex::decode(text).map_err(|_| CryptoError::Hex("envelope field"))?;
    bytes
        .try_into()
        .map_err(|_| CryptoError::Hex("envelope field length"))
}

/// The longest header line accepted (certificate included).
pub const MAX_HEADER: usize = 64 * 1024;

impl EnvelopeHeader {
    /// The signed magic line and header line of an envelope whose encrypted package (with the
    /// given SM3) follows them. The data key is fresh and wrapped as `Envelope::seal` does; it
    /// is not returned, so this serves tools that produce the package bytes themselves (the load
    /// generator).
    pub fn sign_streamed(seal: StreamedSeal<'_>) -> Result<Vec<u8>, CryptoError> {
        let certificate = Certificate::from_pem(seal.certificate_pem)
            .map_err(|_| CryptoError::InvalidKey("certificate"))?;
        let data_key: [u8; 16] = rand::random();
        let nonce: [u8; 12] = rand::random();
        let mut header = EnvelopeHeader {
            version: ENVELOPE_VERSION,
            lot: seal.lot.to_string(),
            bidder: seal.bidder.to_string(),
            created_at_ms: seal.created_at_ms,
            machine_fingerprint: seal.machine_fingerprint.to_hex(),
            certificate: certificate.to_pem(),
            opening_key: seal.opening_key.to_hex(),
            wrapped_key: hex::encode(seal.opening_key.encrypt(&data_key)?),
            own_wrapped_key: hex::encode(match seal.recovery_key {
                Some(key) => key.encrypt(&data_key)?,
                None => seal.signer.public_key().encrypt(&data_key)?,
            }),
            nonce: hex::encode(nonce),
            ciphertext_sm3: seal.ciphertext_sm3.to_hex(),
            document_copy: seal.document_copy.to_string(),
            tool: seal.tool.to_string(),
            signature: String::new(),
        };
        header.signature = seal.signer.sign(&header.signed_bytes()?).to_hex();
        Ok([MAGIC, &canonical_json_bytes(&header)?, b"\n"].concat())
    }

    /// Checks the header's signature with the certificate it carries, and that the encrypted
    /// package that followed it hashed to `ciphertext_sm3`; returns the certificate (whose
    /// trust, validity and binding the platform then checks). For envelopes that are streamed.
    pub fn verify_streamed(&self, ciphertext_sm3: &Sm3Hash) -> Result<Certificate, CertError> {
        if ciphertext_sm3.to_hex() != self.ciphertext_sm3 {
            return Err(CertError::BadSignature);
        }
        self.verify_signature()
    }

    /// Checks the header's signature with the certificate it carries (not the certificate's
    /// trust); returns the certificate.
    pub fn verify_signature(&self) -> Result<Certificate, CertError> {
        let certificate = Certificate::from_pem(&self.certificate)?;
        let signature =
            Signature::from_hex(&self.signature).map_err(|_| CertError::BadSignature)?;
        let bytes = self.signed_bytes().map_err(|_| CertError::BadSignature)?;
        certificate
            .public_key()?
            .verify(&bytes, &signature)
            .map_err(|_| CertError::BadSignature)?;
        Ok(certificate)
    }

    fn signed_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        let mut unsigned = self.clone();
        unsigned.signature = String::new();
        canonical_json_bytes(&unsigned)
    }
}

impl Envelope {
    /// Seals a bid package.
    pub fn seal(request: SealRequest<'_>) -> Result<Self, CryptoError> {
        let certificate = Certificate::from_pem(request.certificate_pem)
            .map_err(|_| CryptoError::InvalidKey("certificate"))?;
        if certificate
            .public_key()
            .map_err(|_| CryptoError::InvalidKey("certificate"))?
            != request.signer.public_key()
        {
            return Err(CryptoError::InvalidKey(
                "the signing key does not belong to the certificate",
            ));
        }
        let data_key: [u8; 16] = rand::random();
        let nonce: [u8; 12] = rand::random();
        let aad = associated_data(request.lot, request.bidder, ENVELOPE_VERSION);
        let ciphertext = sm4_gcm_encrypt(&data_key, &nonce, &aad, request.package)?;
        let mut header = EnvelopeHeader {
            version: ENVELOPE_VERSION,
            lot: request.lot.to_string(),
            bidder: request.bidder.to_string(),
            created_at_ms: request.created_at_ms,
            machine_fingerprint: request.machine_fingerprint.to_hex(),
            certificate: certificate.to_pem(),
            opening_key: request.opening_key.to_hex(),
            wrapped_key: hex::encode(request.opening_key.encrypt(&data_key)?),
            own_wrapped_key: hex::encode(match request.recovery_key {
                Some(key) => key.encrypt(&data_key)?,
                None => request.signer.public_key().encrypt(&data_key)?,
            }),
            nonce: hex::encode(nonce),
            ciphertext_sm3: sm3(&ciphertext).to_hex(),
            document_copy: request.document_copy.to_string(),
            tool: request.tool.to_string(),
            signature: String::new(),
        };
        header.signature = request.signer.sign(&header.signed_bytes()?).to_hex();
        Ok(Self { header, ciphertext })
    }

    /// The envelope file: a magic line, the header as one JSON line, then the encrypted package.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        let header = canonical_json_bytes(&self.header)?;
        Ok([MAGIC, &header, b"\n", &self.ciphertext].concat())
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or(CryptoError::NotCanonical("not a GGZY sealed bid"))?;
        let end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or(CryptoError::NotCanonical("no header line"))?;
        let header: EnvelopeHeader = serde_json::from_slice(&rest[..end])
            .map_err(|_| CryptoError::NotCanonical("header is not valid JSON"))?;
        Ok(Self {
            header,
            ciphertext: rest[end + 1..].to_vec(),
        })
    }

    /// Reads the magic line and header from the start of an envelope file that is still
    /// arriving: `Ok(Some((header, header_len)))` once the header line is complete (the
    /// encrypted package starts at `header_len`), `Ok(None)` while more bytes are needed.
    /// Refuses a file that is not an envelope, or a header longer than `MAX_HEADER`.
    pub fn parse_header_prefix(
        prefix: &[u8],
    ) -> Result<Option<(EnvelopeHeader, usize)>, CryptoError> {
        let magic_len = MAGIC.len().min(prefix.len());
        if prefix[..magic_len] != MAGIC[..magic_len] {
            return Err(CryptoError::NotCanonical("not a GGZY sealed bid"));
        }
        if prefix.len() < MAGIC.len() {
            return Ok(None);
        }
        let rest = &prefix[MAGIC.len()..];
        match rest.iter().position(|b| *b == b'\n') {
            Some(end) => {
                let header: EnvelopeHeader = serde_json::from_slice(&rest[..end])
                    .map_err(|_| CryptoError::NotCanonical("header is not valid JSON"))?;
                Ok(Some((header, MAGIC.len() + end + 1)))
            }
            None if prefix.len() > MAX_HEADER => {
                Err(CryptoError::NotCanonical("header line too long"))
            }
            None => Ok(None),
        }
    }

    /// The envelope's digest, what the ledger records and the receipt names: SM3 of the magic
    /// line and the header line. The header is signed and carries `ciphertext_sm3`, so the
    /// digest commits to every byte of the file while the platform hashes the package only once.
    pub fn digest(&self) -> Result<Sm3Hash, CryptoError> {
        let header = canonical_json_bytes(&self.header)?;
        Ok(sm3_concat(&[MAGIC, &header, b"\n"]))
    }

    /// The digest of an envelope from its header line alone (without the newline).
    pub fn digest_of_header_line(line: &[u8]) -> Sm3Hash {
        sm3_concat(&[MAGIC, line, b"\n"])
    }

    /// The digest of an envelope file as it was received (its own header bytes, canonical or
    /// not): SM3 of everything up to and including the header line's newline.
    pub fn digest_of_file(bytes: &[u8]) -> Result<Sm3Hash, CryptoError> {
        match Self::parse_header_prefix(bytes)? {
            Some((_, header_len)) => Ok(sm3(&bytes[..header_len])),
            None => Err(CryptoError::NotCanonical("no header line")),
        }
    }

    /// Checks the envelope's integrity and signature; returns the signer's certificate (whose
    /// trust, validity and binding the platform then checks).
    pub fn verify(&self) -> Result<Certificate, CertError> {
        if sm3(&self.ciphertext).to_hex() != self.header.ciphertext_sm3 {
            return Err(CertError::BadSignature);
        }
        let certificate = Certificate::from_pem(&self.header.certificate)?;
        let signature =
            Signature::from_hex(&self.header.signature).map_err(|_| CertError::BadSignature)?;
        let bytes = self
            .header
            .signed_bytes()
            .map_err(|_| CertError::BadSignature)?;
        certificate
            .public_key()?
            .verify(&bytes, &signature)
            .map_err(|_| CertError::BadSignature)?;
        Ok(certificate)
    }

    /// The raw SM2 ciphertext of the data key, for the key holders' partial decryptions.
    pub fn wrapped_key(&self) -> Result<Vec<u8>, CryptoError> {
        hex::decode(&self.header.wrapped_key).map_err(|_| CryptoError::Hex("wrapped key"))
    }

    /// Opens the package with the data key (recovered by the key holders, or by the bidder).
    pub fn open(&self, data_key: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let key: [u8; 16] = data_key.try_into().map_err(|_| CryptoError::Decryption)?;
        let nonce: [u8; 12] = unhex(&self.header.nonce)?;
        let aad = associated_data(&self.header.lot, &self.header.bidder, self.header.version);
        sm4_gcm_decrypt(&key, &nonce, &aad, &self.ciphertext)
    }

    /// The bidder reopens its own bid with the key its copy was wrapped to (the encryption
    /// certificate's key, or the signing key when it sealed without one).
    pub fn open_own(&self, bidder_key: &PlatformKey) -> Result<Vec<u8>, CryptoError> {
        let wrapped = hex::decode(&self.header.own_wrapped_key)
            .map_err(|_| CryptoError::Hex("own wrapped key"))?;
        self.open(&bidder_key.decrypt(&wrapped)?)
    }
}

/// The first line of a bid package (what the envelope encrypts).
const PACKAGE_MAGIC: &[u8] = b"GGZY-BID-PACKAGE/1\n";

/// A bid package: the structured bid form and the bid's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BidPackage {
    /// The structured bid form (price in 分, duration, quality, …), as JSON.
    pub form: serde_json::Value,
    /// (relative path, contents), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
}

#[derive(Serialize, Deserialize)]
struct PackageFile {
    name: String,
    size: u64,
    sm3: String,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    form: serde_json::Value,
    files: Vec<PackageFile>,
}

impl BidPackage {
    /// Layout: a magic line, the manifest (form and each file's name, size and SM3) as one line of
    /// canonical JSON, then the files' contents in manifest order.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        let mut files = self.files.clone();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let manifest = Manifest {
            form: self.form.clone(),
            files: files
                .iter()
                .map(|(name, bytes)| PackageFile {
                    name: name.clone(),
                    size: bytes.len() as u64,
                    sm3: sm3(bytes).to_hex(),
                })
                .collect(),
        };
        let mut out = [PACKAGE_MAGIC, &canonical_json_bytes(&manifest)?, b"\n"].concat();
        for (_, bytes) in &files {
            out.extend_from_slice(bytes);
        }
        Ok(out)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let rest = bytes
            .strip_prefix(PACKAGE_MAGIC)
            .ok_or(CryptoError::NotCanonical("not a GGZY bid package"))?;
        let end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or(CryptoError::NotCanonical("no manifest"))?;
        let manifest: Manifest = serde_json::from_slice(&rest[..end])
            .map_err(|_| CryptoError::NotCanonical("manifest is not valid JSON"))?;
        let mut offset = end + 1;
        let mut files = Vec::new();
        for file in manifest.files {
            let size =
                usize::try_from(file.size).map_err(|_| CryptoError::NotCanonical("file size"))?;
            let content = rest
                .get(offset..offset + size)
                .ok_or(CryptoError::NotCanonical("package is truncated"))?;
            if sm3(content).to_hex() != file.sm3 {
                return Err(CryptoError::NotCanonical(
                    "a file does not match its SM3 in the manifest",
                ));
            }
            files.push((file.name, content.to_vec()));
            offset += size;
        }
        if offset != rest.len() {
            return Err(CryptoError::NotCanonical(
                "trailing bytes after the last file",
            ));
        }
        Ok(Self {
            form: manifest.form,
            files,
        })
    }
}
