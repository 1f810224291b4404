//! X.509 certificates with SM2 keys and SM3-with-SM2 signatures (OID 1.2.156.10197.1.501), the
//! profile Chinese CAs issue; a trust store holding several CA roots at once (mutual recognition
//! of regional CAs); and a small CA for tests and the demo.
//!
//! Signatures in certificates are DER-encoded (r, s) as X.509 requires, with the default
//! distinguishing id `1234567812345678`. Path validation builds the chain from the end-entity
//! certificate through the intermediate CAs the trust store lists to a self-signed root it
//! trusts: every link's signature, validity window, CA flag, `keyCertSign` usage and path
//! length; and an end-entity certificate signs acts only when its key usage allows signing (in
//! China's dual-certificate system the encryption certificate's key is escrowed).

use std::str::FromStr;
use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier};
use der::{Decode, DecodePem, Encode, EncodePem};
use sm2::dsa::signature::Verifier;
use sm2::dsa::{DerSignature, VerifyingKey};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

use crate::{DEFAULT_DIST_ID, PlatformKey, PublicKey, Sm3Hash, sm3};

/// SM2 signature with SM3 (GM/T 0006).
pub const OID_SM2_WITH_SM3: &str = "1.2.156.10197.1.501";
/// X.520 serialNumber: carries the holder's 统一社会信用代码 or 居民身份证号码.
const OID_SERIAL_NUMBER: &str = "2.5.4.5";
const OID_COMMON_NAME: &str = "2.5.4.3";
const OID_ORGANIZATION: &str = "2.5.4.10";

/// Why a certificate was refused. Each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("证书格式无法解析：{0}")]
    Malformed(String),
    #[error("证书不是 SM2/SM3 签名算法")]
    Algorithm,
    #[error("证书的签发机构不在信任列表中")]
    UnknownCa,
    #[error("证书已过期")]
    Expired,
    #[error("证书尚未生效")]
    NotYetValid,
    #[error("证书已被吊销")]
    Revoked,
    #[error("证书签名验证失败")]
    BadSignature,
    #[error("根证书不是 CA 证书")]
    NotCa,
    #[error("证书的密钥用途不允许签名（可能是加密证书），请使用签名证书")]
    KeyUsage,
    #[error("证书链过长或中级 CA 无权签发证书")]
    Path,
}

impl CertError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "CERT_MALFORMED",
            Self::Algorithm => "CERT_ALGORITHM",
            Self::UnknownCa => "CERT_UNKNOWN_CA",
            Self::Expired => "CERT_EXPIRED",
            Self::NotYetValid => "CERT_NOT_YET_VALID",
            Self::Revoked => "CERT_REVOKED",
            Self::BadSignature => "CERT_BAD_SIGNATURE",
            Self::NotCa => "CERT_NOT_CA",
            Self::KeyUsage => "CERT_KEY_USAGE",
            Self::Path => "CERT_PATH",
        }
    }
}

fn malformed(error: impl std::fmt::Display) -> CertError {
    CertError::Malformed(error.to_string())
}

/// A parsed certificate with its DER bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    inner: x509_cert::Certificate,
    der: Vec<u8>,
}

fn name_attribute(name: &Name, oid: &str) -> Option<String> {
    let oid = ObjectIdentifier::new(oid).ok()?;
    name.iter().find(|atv| atv.oid == oid).and_then(|atv| {
        der::asn1::Utf8StringRef::try_from(&atv.value)
            .map(|s| s.as_str().to_string())
            .ok()
            .or_else(|| {
                der::asn1::PrintableStringRef::try_from(&atv.value)
                    .map(|s| s.as_str().to_string())
                    .ok()
            })
    })
}

fn time_ms(time: &Time) -> i64 {
    time.to_unix_duration().as_millis() as i64
}

impl Certificate {
    pub fn from_der(bytes: &[u8]) -> Result<Self, CertError> {
        let inner = x509_cert::Certificate::from_der(bytes).map_err(malformed)?;
        Ok(Self {
            inner,
            der: bytes.to_vec(),
        })
    }

    pub fn from_pem(text: &str) -> Result<Self, CertError> {
        let inner = x509_cert::Certificate::from_pem(text.trim()).map_err(malformed)?;
        let der = inner.to_der().map_err(malformed)?;
        Ok(Self { inner, der })
    }

    pub fn to_pem(&self) -> String {
        self.inner
            .to_pem(der::pem::LineEnding::LF)
            .expect("a parsed certificate encodes")
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SM3 of the DER encoding.
    pub fn fingerprint(&self) -> Sm3Hash {
        sm3(&self.der)
    }

    pub fn subject_common_name(&self) -> String {
        name_attribute(self.inner.tbs_certificate().subject(), OID_COMMON_NAME).unwrap_or_default()
    }

    pub fn subject_organization(&self) -> String {
        name_attribute(self.inner.tbs_certificate().subject(), OID_ORGANIZATION).unwrap_or_default()
    }

    /// The holder's code (统一社会信用代码 or 居民身份证号码), from the subject's serialNumber.
    pub fn subject_code(&self) -> Option<String> {
        name_attribute(self.inner.tbs_certificate().subject(), OID_SERIAL_NUMBER)
    }

    pub fn issuer_common_name(&self) -> String {
        name_attribute(self.inner.tbs_certificate().issuer(), OID_COMMON_NAME).unwrap_or_default()
    }

    /// The serial number as lower-case hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(self.inner.tbs_certificate().serial_number().as_bytes())
    }

    /// The issuer's name in DER, hex: with the serial, identifies the certificate for revocation.
    pub fn issuer_key(&self) -> String {
        hex::encode(
            self.inner
                .tbs_certificate()
                .issuer()
                .to_der()
                .unwrap_or_default(),
        )
    }

    pub fn not_before_ms(&self) -> i64 {
        time_ms(&self.inner.tbs_certificate().validity().not_before)
    }

    pub fn not_after_ms(&self) -> i64 {
        time_ms(&self.inner.tbs_certificate().validity().not_after)
    }

    pub fn public_key(&self) -> Result<PublicKey, CertError> {
        let spki = self.inner.tbs_certificate().subject_public_key_info();
        let bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| malformed("public key bits"))?;
        PublicKey::from_sec1_bytes(bytes).map_err(|_| malformed("not an SM2 public key"))
    }

    pub fn is_ca(&self) -> bool {
        matches!(
            self.inner.tbs_certificate().get_extension::<BasicConstraints>(),
            Ok(Some((_, constraints))) if constraints.ca
        )
    }

    fn key_usage(&self) -> Option<KeyUsage> {
        match self.inner.tbs_certificate().get_extension::<KeyUsage>() {
            Ok(Some((_, usage))) => Some(usage),
            _ => None,
        }
    }

    /// Whether the key may sign acts: the key usage names `digitalSignature` or
    /// `nonRepudiation` (a certificate without the extension is unrestricted, RFC 5280 §4.2.1.3).
    pub fn may_sign(&self) -> bool {
        self.key_usage().is_none_or(|usage| {
            usage.0.contains(KeyUsages::DigitalSignature)
                || usage.0.contains(KeyUsages::NonRepudiation)
        })
    }

    /// Whether the key may sign certificates (`keyCertSign`, or no key usage extension).
    fn may_sign_certificates(&self) -> bool {
        self.key_usage()
            .is_none_or(|usage| usage.0.contains(KeyUsages::KeyCertSign))
    }

    /// The basic constraints' path length, if the certificate sets one.
    fn path_len(&self) -> Option<u8> {
        match self
            .inner
            .tbs_certificate()
            .get_extension::<BasicConstraints>()
        {
            Ok(Some((_, constraints))) => constraints.path_len_constraint,
            _ => None,
        }
    }

    fn valid_at(&self, at_ms: i64) -> Result<(), CertError> {
        if at_ms < self.not_before_ms() {
            return Err(CertError::NotYetValid);
        }
        if at_ms > self.not_after_ms() {
            return Err(CertError::Expired);
        }
        Ok(())
    }

    fn same_subject_as_issuer_of(&self, other: &Certificate) -> bool {
        self.inner.tbs_certificate().subject() == other.inner.tbs_certificate().issuer()
    }

    /// Checks this certificate's signature with `issuer`'s key.
    fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), CertError> {
        if self.inner.signature_algorithm().oid.to_string() != OID_SM2_WITH_SM3 {
            return Err(CertError::Algorithm);
        }
        let key_bytes = issuer
            .inner
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| malformed("issuer key bits"))?;
        let key = VerifyingKey::from_sec1_bytes(DEFAULT_DIST_ID, key_bytes)
            .map_err(|_| malformed("issuer key"))?;
        let signature_bytes = self
            .inner
            .signature()
            .as_bytes()
            .ok_or_else(|| malformed("signature bits"))?;
        let signature = DerSignature::try_from(signature_bytes)
            .and_then(sm2::dsa::Signature::try_from)
            .map_err(|_| CertError::BadSignature)?;
        let tbs = self.inner.tbs_certificate().to_der().map_err(malformed)?;
        key.verify(&tbs, &signature)
            .map_err(|_| CertError::BadSignature)
    }
}

/// The CA roots the platform recognises — several at once (互认) — and the intermediate CAs
/// under them whose certificates it may meet.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    roots: Vec<Certificate>,
    intermediates: Vec<Certificate>,
}

/// The longest chain accepted: the end entity, up to three intermediates, the root.
const MAX_INTERMEDIATES: usize = 3;

impl TrustStore {
    /// A trust store from CA certificates: each self-signed one is a root (its own signature
    /// checked), every other one an intermediate (checked when a chain passes through it).
    pub fn new(certificates: Vec<Certificate>) -> Result<Self, CertError> {
        let mut store = Self::default();
        for certificate in certificates {
            if !certificate.is_ca() {
                return Err(CertError::NotCa);
            }
            if certificate.same_subject_as_issuer_of(&certificate) {
                certificate.verify_signed_by(&certificate)?;
                store.roots.push(certificate);
            } else {
                store.intermediates.push(certificate);
            }
        }
        Ok(store)
    }

    pub fn roots(&self) -> &[Certificate] {
        &self.roots
    }

    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    /// The certificate among `candidates` that issued `certificate`: a subject match whose key
    /// verifies its signature. `BadSignature` when names match but no key verifies.
    fn issuer_among<'a>(
        candidates: &'a [Certificate],
        certificate: &Certificate,
    ) -> Result<Option<&'a Certificate>, CertError> {
        let mut named = false;
        for candidate in candidates
            .iter()
            .filter(|c| c.same_subject_as_issuer_of(certificate))
        {
            named = true;
            if certificate.verify_signed_by(candidate).is_ok() {
                return Ok(Some(candidate));
            }
        }
        if named {
            Err(CertError::BadSignature)
        } else {
            Ok(None)
        }
    }

    /// Verifies a certificate at `at_ms`: the chain through the listed intermediates to a
    /// trusted root — each link's signature and validity, each issuer a CA allowed to sign
    /// certificates within its path length — and `is_revoked` for the certificate and every
    /// intermediate. Returns the root.
    pub fn verify(
        &self,
        certificate: &Certificate,
        at_ms: i64,
        is_revoked: impl Fn(&Certificate) -> bool,
    ) -> Result<&Certificate, CertError> {
        let mut current = certificate;
        let mut below = 0usize;
        loop {
            if let Some(root) = Self::issuer_among(&self.roots, current)? {
                Self::check_issuer(root, below)?;
                current.valid_at(at_ms)?;
                root.valid_at(at_ms)?;
                if is_revoked(current) {
                    return Err(CertError::Revoked);
                }
                return Ok(root);
            }
            let issuer =
                Self::issuer_among(&self.intermediates, current)?.ok_or(CertError::UnknownCa)?;
            if below >= MAX_INTERMEDIATES {
                return Err(CertError::Path);
            }
            Self::check_issuer(issuer, below)?;
            current.valid_at(at_ms)?;
            if is_revoked(current) {
                return Err(CertError::Revoked);
            }
            current = issuer;
            below += 1;
        }
    }

    /// An issuer must be a CA allowed to sign certificates, with `below` intermediates under it
    /// within its path length.
    fn check_issuer(issuer: &Certificate, below: usize) -> Result<(), CertError> {
        if !issuer.is_ca() {
            return Err(CertError::NotCa);
        }
        if !issuer.may_sign_certificates() {
            return Err(CertError::Path);
        }
        if issuer
            .path_len()
            .is_some_and(|len| below > usize::from(len))
        {
            return Err(CertError::Path);
        }
        Ok(())
    }

    /// Verifies a certificate that is to sign an act: `verify`, and a key usage that allows
    /// signing (`CERT_KEY_USAGE` for an encryption-only certificate).
    pub fn verify_signer(
        &self,
        certificate: &Certificate,
        at_ms: i64,
        is_revoked: impl Fn(&Certificate) -> bool,
    ) -> Result<&Certificate, CertError> {
        let root = self.verify(certificate, at_ms, is_revoked)?;
        if !certificate.may_sign() {
            return Err(CertError::KeyUsage);
        }
        Ok(root)
    }
}

/// Who a certificate is issued to.
#[derive(Clone, Debug)]
pub struct Subject {
    /// 名称 / 姓名.
    pub common_name: String,
    pub organization: String,
    /// 统一社会信用代码 or 居民身份证号码.
    pub code: String,
}

/// What a certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// A CA with its path length (intermediates allowed below it).
    Ca(Option<u8>),
    /// An end entity's signing certificate (digitalSignature, nonRepudiation).
    Signing,
    /// An end entity's encryption certificate (keyEncipherment, dataEncipherment): the other
    /// half of China's dual certificates, whose key the CA escrows.
    Encryption,
}

/// The builder profile: CA or end entity, with the key usages that follow.
struct Profile {
    subject: Name,
    issuer: Option<Name>,
    purpose: Purpose,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, subject: &Name) -> Name {
        self.issuer.clone().unwrap_or_else(|| subject.clone())
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let (constraints, usages) = match self.purpose {
            Purpose::Ca(path_len) => (
                BasicConstraints {
                    ca: true,
                    path_len_constraint: path_len,
                },
                KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            ),
            Purpose::Signing => (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
            ),
            Purpose::Encryption => (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsage(KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment),
            ),
        };
        Ok(vec![
            constraints.to_extension(tbs.subject(), &[])?,
            usages.to_extension(tbs.subject(), &[])?,
        ])
    }
}

fn name_of(subject: &Subject) -> Result<Name, CertError> {
    let escape = |text: &str| {
        text.replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace('+', "\\+")
            .replace('=', "\\=")
    };
    let mut parts = vec![format!("CN={}", escape(&subject.common_name))];
    if !subject.organization.is_empty() {
        parts.push(format!("O={}", escape(&subject.organization)));
    }
    if !subject.code.is_empty() {
        parts.push(format!("{OID_SERIAL_NUMBER}={}", escape(&subject.code)));
    }
    parts.push("C=CN".into());
    Name::from_str(&parts.join(",")).map_err(malformed)
}

fn validity(not_before_ms: i64, not_after_ms: i64) -> Result<Validity, CertError> {
    let time = |ms: i64| -> Result<Time, CertError> {
        let duration = Duration::from_millis(u64::try_from(ms).map_err(|_| malformed("time"))?);
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(duration).map_err(malformed)?,
        ))
    };
    Ok(Validity::new(time(not_before_ms)?, time(not_after_ms)?))
}

/// A certification authority: its key and its self-signed root. For tests and the demo only —
/// a real deployment trusts the roots of licensed CAs.
#[derive(Debug)]
pub struct CertificateAuthority {
    key: PlatformKey,
    root: Certificate,
}

impl CertificateAuthority {
    /// A new root CA valid between the two instants.
    pub fn new_root(
        subject: &Subject,
        not_before_ms: i64,
        not_after_ms: i64,
    ) -> Result<Self, CertError> {
        let key = PlatformKey::generate();
        let name = name_of(subject)?;
        let root = build(
            &key,
            Profile {
                subject: name,
                issuer: None,
                purpose: Purpose::Ca(None),
            },
            &key.public_key(),
            1,
            validity(not_before_ms, not_after_ms)?,
        )?;
        Ok(Self { key, root })
    }

    /// The CA from its key (PKCS#8 PEM) and root certificate (PEM).
    pub fn from_pem(key_pem: &str, root_pem: &str) -> Result<Self, CertError> {
        let key = PlatformKey::from_pkcs8_pem(key_pem).map_err(malformed)?;
        let root = Certificate::from_pem(root_pem)?;
        if root.public_key()? != key.public_key() {
            return Err(malformed("the key does not match the root certificate"));
        }
        Ok(Self { key, root })
    }

    pub fn root(&self) -> &Certificate {
        &self.root
    }

    pub fn key_pem(&self) -> String {
        self.key.to_pkcs8_pem()
    }

    /// Issues an end-entity signing certificate for `public_key`.
    pub fn issue(
        &self,
        subject: &Subject,
        public_key: &PublicKey,
        serial: u64,
        not_before_ms: i64,
        not_after_ms: i64,
    ) -> Result<Certificate, CertError> {
        self.issue_for(
            Purpose::Signing,
            subject,
            public_key,
            serial,
            not_before_ms,
            not_after_ms,
        )
    }

    /// Issues an end-entity encryption certificate (key usage keyEncipherment and
    /// dataEncipherment only: it may not sign).
    pub fn issue_encryption(
        &self,
        subject: &Subject,
        public_key: &PublicKey,
        serial: u64,
        not_before_ms: i64,
        not_after_ms: i64,
    ) -> Result<Certificate, CertError> {
        self.issue_for(
            Purpose::Encryption,
            subject,
            public_key,
            serial,
            not_before_ms,
            not_after_ms,
        )
    }

    /// An intermediate CA under this one (path length 0: it issues end entities only). Its
    /// `root()` is its own certificate.
    pub fn new_intermediate(
        &self,
        subject: &Subject,
        serial: u64,
        not_before_ms: i64,
        not_after_ms: i64,
    ) -> Result<Self, CertError> {
        let key = PlatformKey::generate();
        let certificate = self.issue_for(
            Purpose::Ca(Some(0)),
            subject,
            &key.public_key(),
            serial,
            not_before_ms,
            not_after_ms,
        )?;
        Ok(Self {
            key,
            root: certificate,
        })
    }

    fn issue_for(
        &self,
        purpose: Purpose,
        subject: &Subject,
        public_key: &PublicKey,
        serial: u64,
        not_before_ms: i64,
        not_after_ms: i64,
    ) -> Result<Certificate, CertError> {
        build(
            &self.key,
            Profile {
                subject: name_of(subject)?,
                issuer: Some(self.root.inner.tbs_certificate().subject().clone()),
                purpose,
            },
            public_key,
            serial,
            validity(not_before_ms, not_after_ms)?,
        )
    }
}

fn build(
    issuer_key: &PlatformKey,
    profile: Profile,
    public_key: &PublicKey,
    serial: u64,
    validity: Validity,
) -> Result<Certificate, CertError> {
    let sm2_key =
        sm2::PublicKey::from_sec1_bytes(&public_key.to_sec1_bytes()).map_err(malformed)?;
    let spki = SubjectPublicKeyInfoOwned::from_key(&sm2_key).map_err(malformed)?;
    let serial = SerialNumber::new(&serial.max(1).to_be_bytes()).map_err(malformed)?;
    let mut builder =
        CertificateBuilder::new(profile, serial, validity, spki).map_err(malformed)?;
    let signer = issuer_key.signing_key();
    let blob = builder.finalize(signer).map_err(malformed)?;
    // X.509 wants the DER form of (r, s), not the raw 64 bytes.
    let signature = issuer_key.sign(&blob);
    let der_signature = sm2::dsa::Signature::from_slice(&signature.0)
        .map_err(malformed)?
        .to_der();
    let bits = BitString::from_bytes(der_signature.as_bytes()).map_err(malformed)?;
    let inner = builder.assemble(bits, signer).map_err(malformed)?;
    let der = inner.to_der().map_err(malformed)?;
    Ok(Certificate { inner, der })
}

/// A certificate revocation list (CRL), signed by a CA.
#[derive(Clone, Debug)]
pub struct Crl {
    inner: x509_cert::crl::CertificateList,
}

impl Crl {
    pub fn from_pem(text: &str) -> Result<Self, CertError> {
        let inner = x509_cert::crl::CertificateList::from_pem(text.trim()).map_err(malformed)?;
        Ok(Self { inner })
    }

    pub fn to_pem(&self) -> String {
        self.inner
            .to_pem(der::pem::LineEnding::LF)
            .expect("a parsed CRL encodes")
    }

    /// The issuing CA's common name.
    pub fn issuer_common_name(&self) -> String {
        name_attribute(&self.inner.tbs_cert_list.issuer, OID_COMMON_NAME).unwrap_or_default()
    }

    /// When the CA issued this list (thisUpdate).
    pub fn this_update_ms(&self) -> i64 {
        time_ms(&self.inner.tbs_cert_list.this_update)
    }

    /// When the CA promises the next list (nextUpdate), if it says; after it this list is stale.
    pub fn next_update_ms(&self) -> Option<i64> {
        self.inner.tbs_cert_list.next_update.as_ref().map(time_ms)
    }

    /// Serial numbers (hex) of the revoked certificates.
    pub fn revoked_serials(&self) -> Vec<String> {
        self.inner
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten()
            .map(|revoked| hex::encode(revoked.serial_number.as_bytes()))
            .collect()
    }

    /// Checks that a CA of `store` (a root or an intermediate) signed this list; returns it.
    pub fn verify<'a>(&self, store: &'a TrustStore) -> Result<&'a Certificate, CertError> {
        if self.inner.signature_algorithm.oid.to_string() != OID_SM2_WITH_SM3 {
            return Err(CertError::Algorithm);
        }
        let root = store
            .roots()
            .iter()
            .chain(store.intermediates())
            .find(|root| root.inner.tbs_certificate().subject() == &self.inner.tbs_cert_list.issuer)
            .ok_or(CertError::UnknownCa)?;
        let key =
            VerifyingKey::from_sec1_bytes(DEFAULT_DIST_ID, &root.public_key()?.to_sec1_bytes())
                .map_err(|_| malformed("issuer key"))?;
        let signature_bytes = self
            .inner
            .signature
            .as_bytes()
            .ok_or_else(|| malformed("signature bits"))?;
        let signature = DerSignature::try_from(signature_bytes)
            .and_then(sm2::dsa::Signature::try_from)
            .map_err(|_| CertError::BadSignature)?;
        let tbs = self.inner.tbs_cert_list.to_der().map_err(malformed)?;
        key.verify(&tbs, &signature)
            .map_err(|_| CertError::BadSignature)?;
        Ok(root)
    }
}

impl CertificateAuthority {
    /// A CRL listing the certificates with these serial numbers (hex), numbered `number`, with
    /// no nextUpdate.
    pub fn crl(&self, serials: &[String], number: u32, now_ms: i64) -> Result<Crl, CertError> {
        self.crl_until(serials, number, now_ms, None)
    }

    /// A CRL as `crl`, promising the next one by `next_update_ms` when given.
    pub fn crl_until(
        &self,
        serials: &[String],
        number: u32,
        now_ms: i64,
        next_update_ms: Option<i64>,
    ) -> Result<Crl, CertError> {
        use x509_cert::builder::CrlBuilder;
        use x509_cert::crl::RevokedCert;
        use x509_cert::ext::pkix::CrlNumber;
        let this_update = validity(now_ms, now_ms)?.not_before;
        let revoked = serials
            .iter()
            .map(|serial| {
                let bytes = hex::decode(serial).map_err(|_| malformed("serial is not hex"))?;
                Ok(RevokedCert {
                    serial_number: SerialNumber::new(&bytes).map_err(malformed)?,
                    revocation_date: this_update,
                    crl_entry_extensions: None,
                })
            })
            .collect::<Result<Vec<_>, CertError>>()?;
        let number = der::asn1::Uint::new(&number.to_be_bytes()).map_err(malformed)?;
        let mut builder =
            CrlBuilder::new_with_this_update(&self.root.inner, CrlNumber(number), this_update)
                .map_err(malformed)?
                .with_next_update(match next_update_ms {
                    Some(ms) => Some(validity(ms, ms)?.not_before),
                    None => None,
                })
                .with_certificates(revoked.into_iter());
        let signer = self.key.signing_key();
        let blob = builder.finalize(signer).map_err(malformed)?;
        let signature = self.key.sign(&blob);
        let der_signature = sm2::dsa::Signature::from_slice(&signature.0)
            .map_err(malformed)?
            .to_der();
        let bits = BitString::from_bytes(der_signature.as_bytes()).map_err(malformed)?;
        let inner = builder.assemble(bits, signer).map_err(malformed)?;
        Ok(Crl { inner })
    }
}
