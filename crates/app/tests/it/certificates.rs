//! Digital certificates: the trust store as witnessed reference data, binding a certificate to
//! its entity, revocation, and checking a signer's certificate.

use crypto::{CertificateAuthority, PlatformKey, Subject};
use domain::ReferenceKind;

use crate::support::{START_MS, demo_apps};

const DAY: i64 = 86_400_000;

fn ca(name: &str) -> CertificateAuthority {
    let subject = Subject {
        common_name: name.into(),
        organization: name.into(),
        code: String::new(),
    };
    CertificateAuthority::new_root(&subject, START_MS - 365 * DAY, START_MS + 3650 * DAY).unwrap()
}

#[tokio::test]
async fn certificates_are_bound_checked_and_revoked() {
    for test in demo_apps().await {
        let app = &test.app;
        let operator = app.caller_for("operator").await.unwrap();
        let bidder = app.caller_for("bidder").await.unwrap();
        let id = bidder.entity_id.clone();
        let holder = PlatformKey::generate();
        let zhejiang = ca("浙江省数字证书认证中心（测试）");
        let shanghai = ca("上海市数字证书认证中心（测试）");
        let subject = |code: &str| Subject {
            common_name: "宁波甬兴建设有限公司".into(),
            organization: String::new(),
            code: code.into(),
        };
        let cert = shanghai
            .issue(
                &subject(&id),
                &holder.public_key(),
                11,
                START_MS - DAY,
                START_MS + 365 * DAY,
            )
            .unwrap();

        // Before any root is trusted, nothing binds.
        let refused = app
            .bind_certificate(&bidder, &id, &cert.to_pem())
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "CERT_UNKNOWN_CA", "{}", test.db.name);

        // A bad trust file is refused with its line; a good one lists both regional roots.
        let not_a_ca = zhejiang
            .issue(
                &subject(&id),
                &holder.public_key(),
                12,
                START_MS - DAY,
                START_MS + DAY,
            )
            .unwrap();
        let bad = format!("# roots\n{}", not_a_ca.to_pem());
        let error = app
            .publish_reference(&operator, ReferenceKind::Trust, &bad, "x")
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("第2行") && error.to_string().contains("CERT_NOT_CA"),
            "{error}"
        );
        let roots = format!(
            "# 浙江\n{}\n# 上海\n{}",
            zhejiang.root().to_pem(),
            shanghai.root().to_pem()
        );
        app.publish_reference(
            &operator,
            ReferenceKind::Trust,
            &roots,
            "认可浙江、上海两地 CA",
        )
        .await
        .unwrap();
        assert_eq!(app.reference_data().await.unwrap().trust.roots().len(), 2);

        // The bidder binds its certificate; another's code or a second binding are refused.
        app.bind_certificate(&bidder, &id, &cert.to_pem())
            .await
            .unwrap();
        assert_eq!(
            app.bind_certificate(&bidder, &id, &cert.to_pem())
                .await
                .unwrap_err()
                .code(),
            "CERT_ALREADY_BOUND"
        );
        let other = shanghai
            .issue(
                &subject("91330300MA2CT8N593"),
                &holder.public_key(),
                13,
                START_MS - DAY,
                START_MS + DAY,
            )
            .unwrap();
        assert_eq!(
            app.bind_certificate(&bidder, &id, &other.to_pem())
                .await
                .unwrap_err()
                .code(),
            "CERT_WRONG_ENTITY"
        );
        let expired = zhejiang
            .issue(
                &subject(&id),
                &holder.public_key(),
                14,
                START_MS - 10 * DAY,
                START_MS - DAY,
            )
            .unwrap();
        assert_eq!(
            app.bind_certificate(&bidder, &id, &expired.to_pem())
                .await
                .unwrap_err()
                .code(),
            "CERT_EXPIRED"
        );
        let bidder2 = app.caller_for("bidder2").await.unwrap();
        assert_eq!(
            app.bind_certificate(&bidder2, &id, &cert.to_pem())
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );

        let holder_view = app
            .certificate_holder(&cert.to_pem(), app.now_ms())
            .await
            .unwrap();
        assert_eq!(holder_view.id, id);
        // A signed act: verified with the trust store of the moment of signing.
        let act = serde_json::json!({"lot": "A-1", "price_fen": 98_765_400});
        let signature = holder.sign_json(&act).unwrap();
        let signed_now = app.now_ms();
        let signer = app
            .verify_signed_act(&act, &signature, &cert.to_pem(), signed_now)
            .await
            .unwrap();
        assert_eq!(signer.id, id);
        let altered = serde_json::json!({"lot": "A-1", "price_fen": 1});
        let refused = app
            .verify_signed_act(&altered, &signature, &cert.to_pem(), signed_now)
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "CERT_BAD_SIGNATURE");
        // When only the empty shipped trust store was in force, the same signature did not count.
        let first_trust = app
            .reference_history(ReferenceKind::Trust)
            .await
            .unwrap()
            .last()
            .unwrap()
            .published_at_ms;
        let early = app
            .verify_signed_act(&act, &signature, &cert.to_pem(), first_trust)
            .await
            .unwrap_err();
        assert_eq!(early.code(), "CERT_UNKNOWN_CA");
        assert_eq!(app.entity(None, &id).await.unwrap().certificates.len(), 1);

        // The trading center revokes it; the signer check refuses it from then on.
        let fingerprint = cert.fingerprint().to_hex();
        assert_eq!(
            app.revoke_certificate(&bidder, &id, &fingerprint, "私钥泄露")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        app.revoke_certificate(&operator, &id, &fingerprint, "持有人报告私钥泄露")
            .await
            .unwrap();
        assert_eq!(
            app.certificate_holder(&cert.to_pem(), app.now_ms())
                .await
                .unwrap_err()
                .code(),
            "CERT_REVOKED"
        );
        assert_eq!(
            app.revoke_certificate(&operator, &id, &fingerprint, "again")
                .await
                .unwrap_err()
                .code(),
            "CERT_REVOKED"
        );

        let report = app::verify_store(app.store(), &app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
    }
}

#[tokio::test]
async fn an_imported_crl_revokes_the_certificates_it_lists() {
    for test in demo_apps().await {
        let app = &test.app;
        let operator = app.caller_for("operator").await.unwrap();
        let jiangsu = ca("江苏省电子商务服务中心（测试）");
        app.publish_reference(
            &operator,
            ReferenceKind::Trust,
            &jiangsu.root().to_pem(),
            "认可江苏 CA",
        )
        .await
        .unwrap();
        let mut serials = Vec::new();
        for (n, username) in ["bidder", "bidder2"].iter().enumerate() {
            let caller = app.caller_for(username).await.unwrap();
            let subject = Subject {
                common_name: "x".into(),
                organization: String::new(),
                code: caller.entity_id.clone(),
            };
            let cert = jiangsu
                .issue(
                    &subject,
                    &PlatformKey::generate().public_key(),
                    50 + n as u64,
                    START_MS - DAY,
                    START_MS + DAY,
                )
                .unwrap();
            app.bind_certificate(&caller, &caller.entity_id, &cert.to_pem())
                .await
                .unwrap();
            serials.push(cert.serial_hex());
        }
        let crl = jiangsu.crl(&serials[..1], 1, START_MS).unwrap();
        let bidder = app.caller_for("bidder").await.unwrap();
        assert_eq!(
            app.import_crl(&bidder, &crl.to_pem())
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        let stranger = ca("未认可");
        assert_eq!(
            app.import_crl(
                &operator,
                &stranger.crl(&serials, 1, START_MS).unwrap().to_pem()
            )
            .await
            .unwrap_err()
            .code(),
            "CERT_UNKNOWN_CA",
            "{}",
            test.db.name
        );
        let receipts = app.import_crl(&operator, &crl.to_pem()).await.unwrap();
        assert_eq!(
            receipts.len(),
            2,
            "the list kept, and only the listed certificate revoked"
        );
        assert_eq!(receipts[0].kind, "crl.imported");
        let revoked = app
            .entity(None, &bidder.entity_id)
            .await
            .unwrap()
            .certificates;
        assert!(revoked[0].revoked.as_deref().unwrap().contains("CRL"));
        let bidder2 = app.caller_for("bidder2").await.unwrap();
        assert!(
            app.entity(None, &bidder2.entity_id)
                .await
                .unwrap()
                .certificates[0]
                .revoked
                .is_none()
        );
        assert_eq!(
            app.import_crl(&operator, &crl.to_pem())
                .await
                .unwrap_err()
                .code(),
            "CRL_NOT_NEWER",
            "the same list twice is refused"
        );
        // Listed before binding: a certificate on the CRL in force does not bind, and a bound
        // one listed later does not sign (every use checks the list, not only the bound flag).
        let bawu = app.caller_for("bawu").await.unwrap();
        let listed = jiangsu
            .issue(
                &Subject {
                    common_name: "x".into(),
                    organization: String::new(),
                    code: bawu.entity_id.clone(),
                },
                &PlatformKey::generate().public_key(),
                77,
                START_MS - DAY,
                START_MS + DAY,
            )
            .unwrap();
        test.advance(60_000);
        let newer = jiangsu
            .crl_until(
                &[serials[0].clone(), listed.serial_hex()],
                2,
                test.app.now_ms(),
                Some(test.app.now_ms() + DAY),
            )
            .unwrap();
        app.import_crl(&operator, &newer.to_pem()).await.unwrap();
        assert_eq!(
            app.bind_certificate(&bawu, &bawu.entity_id, &listed.to_pem())
                .await
                .unwrap_err()
                .code(),
            "CERT_REVOKED",
            "{}",
            test.db.name
        );
        // The operator sees the list in force, and when it goes stale.
        let status = app.crl_status().await.unwrap();
        let (_, crl, stale) = status
            .iter()
            .find(|(ca, _, _)| ca.contains("江苏"))
            .unwrap();
        assert_eq!(crl.as_ref().unwrap().serials.len(), 2);
        assert!(!stale);
        test.advance(2 * DAY);
        let status = app.crl_status().await.unwrap();
        assert!(
            status
                .iter()
                .any(|(ca, _, stale)| ca.contains("江苏") && *stale)
        );
        let report = app::verify_store(app.store(), &app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
    }
}

/// Certificates issued through an intermediate CA chain to a trusted root (when the trust
/// store lists the intermediate); an encryption-only certificate binds but never signs.
#[tokio::test]
async fn intermediates_chain_and_only_signing_keys_sign() {
    for test in demo_apps().await {
        let app = &test.app;
        let operator = app.caller_for("operator").await.unwrap();
        let bidder = app.caller_for("bidder").await.unwrap();
        let root = ca("安徽省数字证书认证中心（测试根）");
        let sub = |name: &str| Subject {
            common_name: name.into(),
            organization: name.into(),
            code: String::new(),
        };
        let intermediate = root
            .new_intermediate(
                &sub("安徽省数字证书认证中心（测试中级）"),
                5,
                START_MS - DAY,
                START_MS + 365 * DAY,
            )
            .unwrap();
        let holder = PlatformKey::generate();
        let subject = Subject {
            common_name: "宁波甬兴建设有限公司".into(),
            organization: String::new(),
            code: bidder.entity_id.clone(),
        };
        let signing = intermediate
            .issue(
                &subject,
                &holder.public_key(),
                21,
                START_MS - DAY,
                START_MS + 30 * DAY,
            )
            .unwrap();
        // Only the root trusted: the intermediate is unknown.
        app.publish_reference(&operator, ReferenceKind::Trust, &root.root().to_pem(), "根")
            .await
            .unwrap();
        assert_eq!(
            app.bind_certificate(&bidder, &bidder.entity_id, &signing.to_pem())
                .await
                .unwrap_err()
                .code(),
            "CERT_UNKNOWN_CA"
        );
        // The intermediate listed under its root: the chain is built and checked.
        let both = format!("{}\n{}", root.root().to_pem(), intermediate.root().to_pem());
        app.publish_reference(&operator, ReferenceKind::Trust, &both, "根与中级 CA")
            .await
            .unwrap();
        app.bind_certificate(&bidder, &bidder.entity_id, &signing.to_pem())
            .await
            .unwrap();
        let payload = serde_json::json!({"act": "测试"});
        let signature = holder.sign(&crypto::canonical_json_bytes(&payload).unwrap());
        let signer = app
            .verify_signed_act(&payload, &signature, &signing.to_pem(), test.app.now_ms())
            .await
            .unwrap();
        assert_eq!(signer.id, bidder.entity_id);
        // An end entity cannot act as a CA: a certificate "issued" by the signing certificate's
        // holder does not chain.
        let forged_ca =
            CertificateAuthority::from_pem(&holder.to_pkcs8_pem(), &signing.to_pem()).unwrap();
        let child = forged_ca
            .issue(
                &subject,
                &PlatformKey::generate().public_key(),
                1,
                START_MS - DAY,
                START_MS + DAY,
            )
            .unwrap();
        assert_eq!(
            app.bind_certificate(&bidder, &bidder.entity_id, &child.to_pem())
                .await
                .unwrap_err()
                .code(),
            "CERT_UNKNOWN_CA"
        );
        // The encryption certificate of the dual pair binds, but signs nothing.
        let encryption_key = PlatformKey::generate();
        let encryption = intermediate
            .issue_encryption(
                &subject,
                &encryption_key.public_key(),
                22,
                START_MS - DAY,
                START_MS + 30 * DAY,
            )
            .unwrap();
        app.bind_certificate(&bidder, &bidder.entity_id, &encryption.to_pem())
            .await
            .unwrap();
        let signature = encryption_key.sign(&crypto::canonical_json_bytes(&payload).unwrap());
        assert_eq!(
            app.verify_signed_act(
                &payload,
                &signature,
                &encryption.to_pem(),
                test.app.now_ms()
            )
            .await
            .unwrap_err()
            .code(),
            "CERT_KEY_USAGE"
        );
    }
}
