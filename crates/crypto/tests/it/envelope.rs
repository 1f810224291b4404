//! The sealed-bid envelope: SM4-GCM (RFC 8998 vector), sealing, the file format, signature and
//! tamper checks, opening by k-of-n key holders and by the bidder itself.

use crypto::{
    CertificateAuthority, Envelope, PlatformKey, SealRequest, Subject, deal, machine_fingerprint,
    sm4_gcm_decrypt, sm4_gcm_encrypt,
};

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap()
}

#[test]
fn sm4_gcm_matches_rfc_8998() {
    let key: [u8; 16] = unhex("0123456789ABCDEFFEDCBA9876543210")
        .try_into()
        .unwrap();
    let nonce: [u8; 12] = unhex("00001234567800000000ABCD").try_into().unwrap();
    let aad = unhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
    let plaintext = unhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
    );
    let sealed = sm4_gcm_encrypt(&key, &nonce, &aad, &plaintext).unwrap();
    let (body, tag) = sealed.split_at(plaintext.len());
    assert_eq!(hex::encode(tag), "83de3541e4c2b58177e065a9bf7b62ec");
    assert_eq!(
        hex::encode(body),
        "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
    );
    assert_eq!(
        sm4_gcm_decrypt(&key, &nonce, &aad, &sealed).unwrap(),
        plaintext
    );
    let mut altered = sealed.clone();
    altered[3] ^= 1;
    assert!(sm4_gcm_decrypt(&key, &nonce, &aad, &altered).is_err());
    assert!(sm4_gcm_decrypt(&key, &nonce, b"other aad", &sealed).is_err());
}

struct Bidder {
    key: PlatformKey,
    cert_pem: String,
}

fn bidder() -> Bidder {
    let ca = CertificateAuthority::new_root(
        &Subject {
            common_name: "浙江CA".into(),
            organization: String::new(),
            code: String::new(),
        },
        0,
        4_102_444_800_000,
    )
    .unwrap();
    let key = PlatformKey::generate();
    let cert = ca
        .issue(
            &Subject {
                common_name: "宁波甬兴建设有限公司".into(),
                organization: String::new(),
                code: "91330200MA2AGH4RXQ".into(),
            },
            &key.public_key(),
            9,
            0,
            4_102_444_800_000,
        )
        .unwrap();
    Bidder {
        key,
        cert_pem: cert.to_pem(),
    }
}

#[test]
fn a_sealed_bid_opens_only_with_k_holders_or_its_bidder() {
    let (opening, shares) = deal(2, 3).unwrap();
    let bidder = bidder();
    let package = "投标报价：12,345,678.00元；工期：365日".as_bytes();
    let envelope = Envelope::seal(SealRequest {
        recovery_key: None,
        package,
        lot: "E3301000001234567001",
        bidder: "91330200MA2AGH4RXQ",
        opening_key: &opening.public_key,
        signer: &bidder.key,
        certificate_pem: &bidder.cert_pem,
        machine_fingerprint: machine_fingerprint(
            b"salt",
            &["disk:WD-123", "mac:00:11:22:33:44:55"],
        ),
        document_copy: "",
        tool: "",
        created_at_ms: 1_796_088_600_000,
    })
    .unwrap();

    // The file round-trips and its signature verifies.
    let file = envelope.to_bytes().unwrap();
    let parsed = Envelope::from_bytes(&file).unwrap();
    assert_eq!(parsed, envelope);
    assert_eq!(
        parsed.verify().unwrap().subject_code().as_deref(),
        Some("91330200MA2AGH4RXQ")
    );
    assert!(
        !file.windows(12).any(|w| w == "12,345,678".as_bytes()),
        "the price is not in clear text"
    );

    // Two holders open; one cannot.
    let wrapped = parsed.wrapped_key().unwrap();
    let context = parsed.header.lot.as_bytes();
    let partials: Vec<_> = shares[1..]
        .iter()
        .map(|s| s.partial_decrypt(&wrapped, context).unwrap())
        .collect();
    let data_key = opening.combine(&wrapped, &partials, context).unwrap();
    assert_eq!(parsed.open(&data_key).unwrap(), package);
    assert!(opening.combine(&wrapped, &partials[..1], context).is_err());

    // The bidder can reopen its own bid; another key cannot.
    assert_eq!(parsed.open_own(&bidder.key).unwrap(), package);
    assert!(parsed.open_own(&PlatformKey::generate()).is_err());
}

#[test]
fn tampering_is_caught_by_the_signature_or_the_tag() {
    let (opening, _) = deal(2, 3).unwrap();
    let bidder = bidder();
    let seal = |lot: &str| {
        Envelope::seal(SealRequest {
            recovery_key: None,
            package: b"bid",
            lot,
            bidder: "91330200MA2AGH4RXQ",
            opening_key: &opening.public_key,
            signer: &bidder.key,
            certificate_pem: &bidder.cert_pem,
            machine_fingerprint: machine_fingerprint(b"s", &["x"]),
            document_copy: "",
            tool: "",
            created_at_ms: 1,
        })
        .unwrap()
    };
    let envelope = seal("LOT-1");
    let mut moved = envelope.clone();
    moved.header.lot = "LOT-2".into();
    assert_eq!(
        moved.verify().unwrap_err().code(),
        "CERT_BAD_SIGNATURE",
        "moving a bid to another lot breaks its signature"
    );
    let mut altered = envelope.clone();
    altered.ciphertext[0] ^= 1;
    assert!(altered.verify().is_err());
    let mut late = envelope.clone();
    late.header.created_at_ms += 1;
    assert!(late.verify().is_err());
    // Someone else's key cannot seal in this bidder's name.
    let stranger = PlatformKey::generate();
    let refused = Envelope::seal(SealRequest {
        recovery_key: None,
        package: b"bid",
        lot: "LOT-1",
        bidder: "91330200MA2AGH4RXQ",
        opening_key: &opening.public_key,
        signer: &stranger,
        certificate_pem: &bidder.cert_pem,
        machine_fingerprint: machine_fingerprint(b"s", &["x"]),
        document_copy: "",
        tool: "",
        created_at_ms: 1,
    });
    assert!(refused.is_err());
    assert!(Envelope::from_bytes(b"not an envelope").is_err());
}

/// The bidder's own copy of the data key goes to its encryption certificate's key when given:
/// that key reopens the bid, the signing key does not.
#[test]
fn the_own_copy_is_wrapped_to_the_recovery_key_when_given() {
    let bidder = bidder();
    let encryption = PlatformKey::generate();
    let (opening, _) = deal(2, 3).unwrap();
    let package = b"GGZY-BID-PACKAGE/1\n{}\n".to_vec();
    let recovery = encryption.public_key();
    let envelope = Envelope::seal(SealRequest {
        recovery_key: Some(&recovery),
        package: &package,
        lot: "E3301000001234567001",
        bidder: "91330200MA2AGH4RXQ",
        opening_key: &opening.public_key,
        signer: &bidder.key,
        certificate_pem: &bidder.cert_pem,
        machine_fingerprint: machine_fingerprint(b"salt", &["m"]),
        document_copy: "",
        tool: "",
        created_at_ms: 1,
    })
    .unwrap();
    assert_eq!(envelope.open_own(&encryption).unwrap(), package);
    assert!(envelope.open_own(&bidder.key).is_err());
}
