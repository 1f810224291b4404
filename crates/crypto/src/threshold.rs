//! k-of-n threshold opening of standard SM2 ciphertexts (GB/T 32918.4, C1C3C2), as worked out in
//! `sealed-bids.md` §2: the private key d is Shamir-shared; each holder i publishes a partial
//! decryption D_i = d_i·C1 with a Chaum–Pedersen proof that it used its share; any k good partials
//! combine into d·C1 with Lagrange coefficients, which opens the ciphertext. Fewer than k reveal
//! nothing, and a partial for one ciphertext reveals nothing about another.

use sm2::elliptic_curve::Group;
use sm2::elliptic_curve::ops::Reduce;
use sm2::elliptic_curve::sec1::{FromSec1Point, Sec1Point, ToSec1Point};
use sm2::{AffinePoint, ProjectivePoint, Scalar, U256};

use crate::{CryptoError, PublicKey, sm3_concat};

/// One holder's share of an opening key. Its secret never leaves the holder's tool.
pub struct KeyShare {
    pub index: u32,
    secret: Scalar,
}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyShare({})", self.index)
    }
}

/// The public facts of a shared key: the opening public key P = d·G, the threshold, and each
/// holder's verification key V_i = d_i·G (SEC1 uncompressed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedKey {
    pub public_key: PublicKey,
    pub threshold: usize,
    pub verification_keys: Vec<(u32, Vec<u8>)>,
}

/// A holder's partial decryption of one ciphertext, with its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partial {
    pub index: u32,
    /// D_i = d_i·C1, SEC1 uncompressed.
    pub point: Vec<u8>,
    /// Chaum–Pedersen challenge and response (32 bytes each, big-endian).
    pub challenge: [u8; 32],
    pub response: [u8; 32],
}

impl Partial {
    /// The proof as hex: challenge ‖ response.
    pub fn proof_hex(&self) -> String {
        hex::encode([self.challenge, self.response].concat())
    }

    /// A partial from its hex parts (as `proof_hex` and the point's hex wrote them).
    pub fn from_hex(index: u32, point: &str, proof: &str) -> Result<Self, CryptoError> {
        let point = hex::decode(point).map_err(|_| CryptoError::Hex("partial point"))?;
        let proof = hex::decode(proof).map_err(|_| CryptoError::Hex("partial proof"))?;
        if proof.len() != 64 || point.len() != 65 {
            return Err(CryptoError::Hex("partial length"));
        }
        let mut challenge = [0u8; 32];
        let mut response = [0u8; 32];
        challenge.copy_from_slice(&proof[..32]);
        response.copy_from_slice(&proof[32..]);
        Ok(Self {
            index,
            point,
            challenge,
            response,
        })
    }
}

fn scalar_from_bytes(bytes: &[u8; 32]) -> Scalar {
    Scalar::reduce(&U256::from_be_slice(bytes))
}

fn scalar_bytes(scalar: &Scalar) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&scalar.to_bytes());
    out
}

fn encode(point: &ProjectivePoint) -> Vec<u8> {
    point.to_affine().to_sec1_point(false).as_bytes().to_vec()
}

fn decode(bytes: &[u8]) -> Result<ProjectivePoint, CryptoError> {
    let encoded = Sec1Point::<sm2::Sm2>::from_bytes(bytes)
        .map_err(|_| CryptoError::InvalidKey("curve point"))?;
    let affine: Option<AffinePoint> = AffinePoint::from_sec1_point(&encoded).into();
    affine
        .map(ProjectivePoint::from)
        .ok_or(CryptoError::InvalidKey("curve point"))
}

fn random_scalar() -> Scalar {
    loop {
        let bytes: [u8; 32] = rand::random();
        let scalar = scalar_from_bytes(&bytes);
        if !bool::from(scalar.is_zero()) {
            return scalar;
        }
    }
}

/// Whether `ciphertext` is a raw SM2 ciphertext (0x04 ‖ C1 on the curve ‖ C3 ‖ a non-empty C2)
/// that a key holder can make a partial decryption for.
pub fn sm2_ciphertext_well_formed(ciphertext: &[u8]) -> bool {
    ciphertext.len() > 65 + 32 && c1_of(ciphertext).is_ok()
}

/// C1 of a raw C1C3C2 ciphertext.
fn c1_of(ciphertext: &[u8]) -> Result<ProjectivePoint, CryptoError> {
    if ciphertext.len() < 65 + 32 || ciphertext[0] != 0x04 {
        return Err(CryptoError::Decryption);
    }
    decode(&ciphertext[..65])
}

/// Splits a fresh random key into `n` shares, any `threshold` of which open. (A dealer knows d
/// for a moment; `sealed-bids.md` §3 describes the dealer-less ceremony that replaces this.)
pub fn deal(threshold: usize, n: u32) -> Result<(SharedKey, Vec<KeyShare>), CryptoError> {
    if threshold == 0 || threshold as u32 > n {
        return Err(CryptoError::InvalidKey("threshold must be between 1 and n"));
    }
    let coefficients: Vec<Scalar> = (0..threshold).map(|_| random_scalar()).collect();
    let evaluate = |x: u32| {
        let x = Scalar::from(u64::from(x));
        coefficients
            .iter()
            .rev()
            .fold(Scalar::ZERO, |acc, coefficient| acc * x + coefficient)
    };
    let public = ProjectivePoint::generator() * coefficients[0];
    let public_key = PublicKey::from_sec1_bytes(&encode(&public))?;
    let shares: Vec<KeyShare> = (1..=n)
        .map(|index| KeyShare {
            index,
            secret: evaluate(index),
        })
        .collect();
    let verification_keys = shares
        .iter()
        .map(|share| {
            (
                share.index,
                encode(&(ProjectivePoint::generator() * share.secret)),
            )
        })
        .collect();
    Ok((
        SharedKey {
            public_key,
            threshold,
            verification_keys,
        },
        shares,
    ))
}

fn challenge(
    verification: &ProjectivePoint,
    c1: &ProjectivePoint,
    d: &ProjectivePoint,
    a1: &ProjectivePoint,
    a2: &ProjectivePoint,
    context: &[u8],
) -> Scalar {
    let digest = sm3_concat(&[
        &encode(&ProjectivePoint::generator()),
        &encode(verification),
        &encode(c1),
        &encode(d),
        &encode(a1),
        &encode(a2),
        context,
    ]);
    scalar_from_bytes(digest.as_bytes())
}

impl KeyShare {
    /// The secret scalar (32 bytes, big-endian), for the holder's own key file only.
    pub fn secret_bytes(&self) -> [u8; 32] {
        scalar_bytes(&self.secret)
    }

    /// A share from its index and secret bytes (as `secret_bytes` wrote them).
    pub fn from_secret(index: u32, secret: &[u8; 32]) -> Self {
        Self {
            index,
            secret: scalar_from_bytes(secret),
        }
    }

    /// The partial decryption of `ciphertext`, bound to `context` (e.g. the lot and bid ids).
    pub fn partial_decrypt(
        &self,
        ciphertext: &[u8],
        context: &[u8],
    ) -> Result<Partial, CryptoError> {
        let c1 = c1_of(ciphertext)?;
        let d = c1 * self.secret;
        let verification = ProjectivePoint::generator() * self.secret;
        let r = random_scalar();
        let a1 = ProjectivePoint::generator() * r;
        let a2 = c1 * r;
        let c = challenge(&verification, &c1, &d, &a1, &a2, context);
        let z = r + c * self.secret;
        Ok(Partial {
            index: self.index,
            point: encode(&d),
            challenge: scalar_bytes(&c),
            response: scalar_bytes(&z),
        })
    }
}

impl SharedKey {
    /// Checks a partial's proof against its holder's verification key.
    pub fn verify_partial(
        &self,
        ciphertext: &[u8],
        partial: &Partial,
        context: &[u8],
    ) -> Result<(), CryptoError> {
        let verification = self
            .verification_keys
            .iter()
            .find(|(index, _)| *index == partial.index)
            .ok_or(CryptoError::InvalidKey("unknown key holder"))?;
        let verification = decode(&verification.1)?;
        let c1 = c1_of(ciphertext)?;
        let d = decode(&partial.point)?;
        let c = scalar_from_bytes(&partial.challenge);
        let z = scalar_from_bytes(&partial.response);
        // a1 = z·G − c·V, a2 = z·C1 − c·D; the challenge must be the hash that binds them.
        let a1 = ProjectivePoint::generator() * z - verification * c;
        let a2 = c1 * z - d * c;
        if challenge(&verification, &c1, &d, &a1, &a2, context) == c {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }

    /// Opens `ciphertext` from `threshold` partials whose proofs verify.
    pub fn combine(
        &self,
        ciphertext: &[u8],
        partials: &[Partial],
        context: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let mut chosen: Vec<&Partial> = Vec::new();
        for partial in partials {
            if chosen.iter().any(|p| p.index == partial.index) {
                continue;
            }
            if self.verify_partial(ciphertext, partial, context).is_ok() {
                chosen.push(partial);
            }
            if chosen.len() == self.threshold {
                break;
            }
        }
        if chosen.len() < self.threshold {
            return Err(CryptoError::Decryption);
        }
        let mut combined = ProjectivePoint::identity();
        for partial in &chosen {
            let xi = Scalar::from(u64::from(partial.index));
            let mut lambda = Scalar::ONE;
            for other in &chosen {
                if other.index != partial.index {
                    let xj = Scalar::from(u64::from(other.index));
                    let denominator: Option<Scalar> = (xj - xi).invert().into();
                    lambda = lambda * xj * denominator.ok_or(CryptoError::Decryption)?;
                }
            }
            combined += decode(&partial.point)? * lambda;
        }
        open_with_shared_point(ciphertext, &combined)
    }
}

/// GB/T 32918.4 KDF with SM3: SM3(z ‖ ct) for ct = 1, 2, … (32-bit big-endian), concatenated.
pub fn sm2_kdf(z: &[u8], length: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(length + 32);
    let mut counter: u32 = 1;
    while out.len() < length {
        out.extend_from_slice(sm3_concat(&[z, &counter.to_be_bytes()]).as_bytes());
        counter += 1;
    }
    out.truncate(length);
    out
}

/// Finishes SM2 decryption given (x2, y2) = d·C1: recovers M and checks C3.
fn open_with_shared_point(
    ciphertext: &[u8],
    shared: &ProjectivePoint,
) -> Result<Vec<u8>, CryptoError> {
    let affine = shared.to_affine();
    let encoded = affine.to_sec1_point(false);
    let bytes = encoded.as_bytes();
    if bytes.len() != 65 {
        return Err(CryptoError::Decryption);
    }
    let (x2, y2) = (&bytes[1..33], &bytes[33..65]);
    let c3 = &ciphertext[65..97];
    let c2 = &ciphertext[97..];
    let key_stream = sm2_kdf(&[x2, y2].concat(), c2.len());
    if !c2.is_empty() && key_stream.iter().all(|b| *b == 0) {
        return Err(CryptoError::Decryption);
    }
    let message: Vec<u8> = c2.iter().zip(&key_stream).map(|(c, t)| c ^ t).collect();
    if sm3_concat(&[x2, &message, y2]).as_bytes().as_slice() != c3 {
        return Err(CryptoError::Decryption);
    }
    Ok(message)
}

/// One holder's part in the dealer-less key ceremony (joint Feldman, `sealed-bids.md` §3): a
/// random polynomial whose constant term nobody else learns. The opening key's private part is
/// the sum of all holders' constant terms, which no one — holder or platform — ever holds.
pub struct CeremonyHolder {
    pub index: u32,
    polynomial: Vec<Scalar>,
}

impl std::fmt::Debug for CeremonyHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CeremonyHolder({})", self.index)
    }
}

fn evaluate(polynomial: &[Scalar], x: u32) -> Scalar {
    let x = Scalar::from(u64::from(x));
    polynomial
        .iter()
        .rev()
        .fold(Scalar::ZERO, |acc, coefficient| acc * x + coefficient)
}

/// Σ_t x^t · A_t for Feldman commitments A_t.
fn commitment_at(commitments: &[ProjectivePoint], x: u32) -> ProjectivePoint {
    let x = Scalar::from(u64::from(x));
    let mut power = Scalar::ONE;
    let mut sum = ProjectivePoint::identity();
    for commitment in commitments {
        sum += *commitment * power;
        power *= x;
    }
    sum
}

impl CeremonyHolder {
    /// Holder `index` (1-based) of a `threshold`-of-n key.
    pub fn new(index: u32, threshold: usize) -> Result<Self, CryptoError> {
        if index == 0 || threshold == 0 {
            return Err(CryptoError::InvalidKey(
                "holders are numbered from 1; threshold ≥ 1",
            ));
        }
        Ok(Self {
            index,
            polynomial: (0..threshold).map(|_| random_scalar()).collect(),
        })
    }

    /// The public Feldman commitments A_t = a_t·G (SEC1), published and signed by the holder.
    pub fn commitments(&self) -> Vec<Vec<u8>> {
        self.polynomial
            .iter()
            .map(|a| encode(&(ProjectivePoint::generator() * a)))
            .collect()
    }

    /// The secret share f(j) for holder `j`, to be sent encrypted to j's key.
    pub fn share_for(&self, j: u32) -> [u8; 32] {
        scalar_bytes(&evaluate(&self.polynomial, j))
    }
}

fn decode_all(commitments: &[Vec<u8>]) -> Result<Vec<ProjectivePoint>, CryptoError> {
    commitments.iter().map(|c| decode(c)).collect()
}

/// Holder `j` checks a share it received against the sender's commitments: s·G = Σ_t j^t·A_t.
/// A failure is the sender's fault and grounds for a signed complaint.
pub fn verify_ceremony_share(
    commitments: &[Vec<u8>],
    j: u32,
    share: &[u8; 32],
) -> Result<(), CryptoError> {
    let expected = commitment_at(&decode_all(commitments)?, j);
    if ProjectivePoint::generator() * scalar_from_bytes(share) == expected {
        Ok(())
    } else {
        Err(CryptoError::BadSignature)
    }
}

/// Holder `j` finishes the ceremony with the shares it received from every holder (its own
/// included) and everyone's commitments: its key share, and the public facts anyone can compute.
pub fn finish_ceremony(
    j: u32,
    threshold: usize,
    received: &[(u32, [u8; 32])],
    commitments: &[(u32, Vec<Vec<u8>>)],
) -> Result<(KeyShare, SharedKey), CryptoError> {
    if received.len() != commitments.len() {
        return Err(CryptoError::InvalidKey(
            "a share or a commitment is missing",
        ));
    }
    let mut secret = Scalar::ZERO;
    for (from, share) in received {
        let (_, theirs) = commitments
            .iter()
            .find(|(i, _)| i == from)
            .ok_or(CryptoError::InvalidKey("a share without commitments"))?;
        verify_ceremony_share(theirs, j, share)?;
        secret += scalar_from_bytes(share);
    }
    let shared = ceremony_public_key(threshold, commitments)?;
    Ok((KeyShare { index: j, secret }, shared))
}

/// The opening public key P = Σ_i A_i0 and every holder's verification key, from the published
/// commitments alone.
pub fn ceremony_public_key(
    threshold: usize,
    commitments: &[(u32, Vec<Vec<u8>>)],
) -> Result<SharedKey, CryptoError> {
    let decoded: Vec<(u32, Vec<ProjectivePoint>)> = commitments
        .iter()
        .map(|(i, c)| decode_all(c).map(|points| (*i, points)))
        .collect::<Result<_, _>>()?;
    if decoded.iter().any(|(_, points)| points.len() != threshold) {
        return Err(CryptoError::InvalidKey(
            "every holder commits to a polynomial of degree threshold − 1",
        ));
    }
    let public = decoded
        .iter()
        .fold(ProjectivePoint::identity(), |acc, (_, points)| {
            acc + points[0]
        });
    let verification_keys = decoded
        .iter()
        .map(|(m, _)| {
            let key = decoded
                .iter()
                .fold(ProjectivePoint::identity(), |acc, (_, points)| {
                    acc + commitment_at(points, *m)
                });
            (*m, encode(&key))
        })
        .collect();
    Ok(SharedKey {
        public_key: PublicKey::from_sec1_bytes(&encode(&public))?,
        threshold,
        verification_keys,
    })
}
