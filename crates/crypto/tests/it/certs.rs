//! SM2 certificates: issued by several regional CAs, verified against one trust store (互认), and
//! refused — each with its own code — when the CA is unknown, the certificate expired or not yet
//! valid, revoked, or its signature forged.

use crypto::{CertificateAuthority, PlatformKey, Subject, TrustStore};

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_796_088_600_000;

fn ca(name: &str) -> CertificateAuthority {
    CertificateAuthority::new_root(
        &Subject {
            common_name: name.into(),
            organization: name.into(),
            code: String::new(),
        },
        NOW - 365 * DAY,
        NOW + 10 * 365 * DAY,
    )
    .unwrap()
}

fn holder(code: &str) -> Subject {
    Subject {
        common_name: "宁波甬兴建设有限公司".into(),
        organization: "宁波甬兴建设有限公司".into(),
        code: code.into(),
    }
}

#[test]
fn certificates_of_four_regional_cas_are_recognised_together() {
    let cas: Vec<CertificateAuthority> = [
        "浙江省数字证书认证中心",
        "上海市数字证书认证中心",
        "江苏省电子商务服务中心",
        "安徽省数字证书认证中心",
    ]
    .iter()
    .map(|name| ca(name))
    .collect();
    let store = TrustStore::new(cas.iter().map(|ca| ca.root().clone()).collect()).unwrap();
    for (idx, authority) in cas.iter().enumerate() {
        let key = PlatformKey::generate();
        let cert = authority
            .issue(
                &holder("91330200MA2AGH4RXQ"),
                &key.public_key(),
                100 + idx as u64,
                NOW - DAY,
                NOW + 365 * DAY,
            )
            .unwrap();
        let root = store.verify(&cert, NOW, |_| false).unwrap();
        assert_eq!(
            root.subject_common_name(),
            authority.root().subject_common_name()
        );
        assert_eq!(cert.subject_code().as_deref(), Some("91330200MA2AGH4RXQ"));
        assert_eq!(cert.subject_common_name(), "宁波甬兴建设有限公司");
        assert_eq!(
            cert.issuer_common_name(),
            authority.root().subject_common_name()
        );
        assert_eq!(cert.public_key().unwrap(), key.public_key());
        assert!(!cert.is_ca() && authority.root().is_ca());
        let again = crypto::Certificate::from_pem(&cert.to_pem()).unwrap();
        assert_eq!(again, cert);
        assert!(cert.to_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    }
}

#[test]
fn refusals_have_their_own_codes() {
    let zhejiang = ca("浙江省数字证书认证中心");
    let store = TrustStore::new(vec![zhejiang.root().clone()]).unwrap();
    let key = PlatformKey::generate().public_key();
    let cert = zhejiang
        .issue(
            &holder("91330200MA2AGH4RXQ"),
            &key,
            7,
            NOW - DAY,
            NOW + 30 * DAY,
        )
        .unwrap();
    let code = |result: Result<&crypto::Certificate, crypto::CertError>| {
        result.map(|_| ()).unwrap_err().code()
    };

    assert_eq!(
        code(store.verify(&cert, NOW + 31 * DAY, |_| false)),
        "CERT_EXPIRED"
    );
    assert_eq!(
        code(store.verify(&cert, NOW - 2 * DAY, |_| false)),
        "CERT_NOT_YET_VALID"
    );
    let serial = cert.serial_hex();
    assert_eq!(
        code(store.verify(&cert, NOW, |c| c.serial_hex() == serial)),
        "CERT_REVOKED"
    );

    let elsewhere = ca("未经认可的证书机构");
    let foreign = elsewhere
        .issue(
            &holder("91330200MA2AGH4RXQ"),
            &key,
            7,
            NOW - DAY,
            NOW + 30 * DAY,
        )
        .unwrap();
    assert_eq!(
        code(store.verify(&foreign, NOW, |_| false)),
        "CERT_UNKNOWN_CA"
    );

    // A forger makes a CA with the trusted CA's very name: the signature gives it away.
    let impostor = ca("浙江省数字证书认证中心");
    let forged = impostor
        .issue(
            &holder("91330200MA2AGH4RXQ"),
            &key,
            7,
            NOW - DAY,
            NOW + 30 * DAY,
        )
        .unwrap();
    assert_eq!(
        code(store.verify(&forged, NOW, |_| false)),
        "CERT_BAD_SIGNATURE"
    );

    // An end-entity certificate cannot be a trust anchor.
    assert_eq!(
        TrustStore::new(vec![cert.clone()]).unwrap_err().code(),
        "CERT_NOT_CA"
    );
    assert_eq!(
        crypto::Certificate::from_pem(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
        )
        .unwrap_err()
        .code(),
        "CERT_MALFORMED"
    );
}

#[test]
fn a_ca_round_trips_through_pem() {
    let authority = ca("浙江省数字证书认证中心");
    let again =
        CertificateAuthority::from_pem(&authority.key_pem(), &authority.root().to_pem()).unwrap();
    let key = PlatformKey::generate().public_key();
    let cert = again
        .issue(&holder("11010519491231002X"), &key, 9, NOW - DAY, NOW + DAY)
        .unwrap();
    TrustStore::new(vec![authority.root().clone()])
        .unwrap()
        .verify(&cert, NOW, |_| false)
        .unwrap();
    let other = ca("另一个机构");
    assert!(CertificateAuthority::from_pem(&other.key_pem(), &authority.root().to_pem()).is_err());
}

#[test]
fn crls_are_signed_by_their_ca_and_list_serials() {
    let zhejiang = ca("浙江省数字证书认证中心");
    let store = TrustStore::new(vec![zhejiang.root().clone()]).unwrap();
    let key = PlatformKey::generate().public_key();
    let cert = zhejiang
        .issue(
            &holder("91330200MA2AGH4RXQ"),
            &key,
            4242,
            NOW - DAY,
            NOW + DAY,
        )
        .unwrap();
    let crl = zhejiang.crl(&[cert.serial_hex()], 1, NOW).unwrap();
    let parsed = crypto::Crl::from_pem(&crl.to_pem()).unwrap();
    assert_eq!(
        parsed.verify(&store).unwrap().subject_common_name(),
        "浙江省数字证书认证中心"
    );
    assert_eq!(parsed.revoked_serials(), vec![cert.serial_hex()]);
    assert_eq!(parsed.issuer_common_name(), "浙江省数字证书认证中心");
    // A CRL from another CA, even one with the same name, is not accepted.
    let impostor = ca("浙江省数字证书认证中心");
    let forged = impostor.crl(&[cert.serial_hex()], 1, NOW).unwrap();
    assert_eq!(
        forged.verify(&store).unwrap_err().code(),
        "CERT_BAD_SIGNATURE"
    );
    let stranger = ca("别处");
    assert_eq!(
        stranger
            .crl(&[], 1, NOW)
            .unwrap()
            .verify(&store)
            .unwrap_err()
            .code(),
        "CERT_UNKNOWN_CA"
    );
}
