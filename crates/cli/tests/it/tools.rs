//! The user tools: `ggzy ca` (a demo CA) and `ggzy sign` (canonical-JSON signatures with one's own
//! key and certificate), checked with the crypto crate as a verifier would.

use tokio::process::Command;

async fn ggzy(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ggzy"))
        .env("GGZY_CLOCK_START", crate::TEST_DAY)
        .args(args)
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn demo_ca_issues_and_sign_signs() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (ok, text) = ggzy(&[
        "ca",
        "init",
        "--dir",
        &path("ca"),
        "--name",
        "浙江省数字证书认证中心（演示）",
    ])
    .await;
    assert!(ok && text.contains("NOT FOR PRODUCTION"), "{text}");
    let (ok, text) = ggzy(&[
        "ca",
        "issue",
        "--dir",
        &path("ca"),
        "--name",
        "宁波甬兴建设有限公司",
        "--code",
        "91330200MA2AGH4RXQ",
        "--out",
        &path("yongxing"),
    ])
    .await;
    assert!(ok, "{text}");
    let (ok, text) = ggzy(&[
        "ca",
        "issue",
        "--dir",
        &path("ca"),
        "--name",
        "x",
        "--code",
        "91330200MA2AGH4RX0",
        "--out",
        &path("bad"),
    ])
    .await;
    assert!(
        !ok && text.contains("neither"),
        "an invalid code is refused: {text}"
    );
    let (ok, _) = ggzy(&["ca", "init", "--dir", &path("ca"), "--name", "again"]).await;
    assert!(!ok, "an existing CA is not overwritten");

    std::fs::write(path("bid.json"), r#"{"lot":"A-1","price_fen":123456700}"#).unwrap();
    let (ok, text) = ggzy(&[
        "sign",
        "--key",
        &path("yongxing-key.pem"),
        "--cert",
        &path("yongxing-cert.pem"),
        "--file",
        &path("bid.json"),
    ])
    .await;
    assert!(ok, "{text}");
    let signed: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cert = crypto::Certificate::from_pem(signed["certificate"].as_str().unwrap()).unwrap();
    let root =
        crypto::Certificate::from_pem(&std::fs::read_to_string(path("ca/ca-cert.pem")).unwrap())
            .unwrap();
    let store = crypto::TrustStore::new(vec![root]).unwrap();
    // The tool issued it on the binary's clock (`GGZY_CLOCK_START`): valid then.
    let now = domain::Date::parse(crate::TEST_DAY).unwrap().start_ms() + 12 * 3_600_000;
    store.verify(&cert, now, |_| false).unwrap();
    assert_eq!(cert.subject_code().as_deref(), Some("91330200MA2AGH4RXQ"));
    let signature = crypto::Signature::from_hex(signed["signature"].as_str().unwrap()).unwrap();
    cert.public_key()
        .unwrap()
        .verify_json(&signed["payload"], &signature)
        .unwrap();
    let serial = cert.serial_hex();
    let (ok, text) = ggzy(&[
        "ca",
        "crl",
        "--dir",
        &path("ca"),
        "--serial",
        &serial,
        "--out",
        &path("revoked.crl"),
    ])
    .await;
    assert!(ok, "{text}");
    let crl =
        crypto::Crl::from_pem(&std::fs::read_to_string(path("revoked.crl")).unwrap()).unwrap();
    assert_eq!(crl.revoked_serials(), vec![serial]);
    crl.verify(&store).unwrap();
    let mut tampered = signed["payload"].clone();
    tampered["price_fen"] = serde_json::json!(1);
    assert!(
        cert.public_key()
            .unwrap()
            .verify_json(&tampered, &signature)
            .is_err()
    );
}

#[tokio::test]
async fn bid_seal_makes_an_envelope_that_k_holders_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    assert!(
        ggzy(&[
            "ca",
            "init",
            "--dir",
            &path("ca"),
            "--name",
            "浙江CA（演示）"
        ])
        .await
        .0
    );
    assert!(
        ggzy(&[
            "ca",
            "issue",
            "--dir",
            &path("ca"),
            "--name",
            "宁波甬兴建设有限公司",
            "--code",
            "91330200MA2AGH4RXQ",
            "--out",
            &path("me")
        ])
        .await
        .0
    );
    std::fs::create_dir_all(dir.path().join("bid/技术标")).unwrap();
    std::fs::write(dir.path().join("bid/商务标.txt"), "报价一览表").unwrap();
    std::fs::write(
        dir.path().join("bid/技术标/施工组织设计.txt"),
        "第一章 工程概况",
    )
    .unwrap();
    std::fs::write(
        path("form.json"),
        r#"{"price_fen": 1234567800, "duration_days": 365, "quality": "合格"}"#,
    )
    .unwrap();
    std::fs::write(path("noprice.json"), r#"{"duration_days": 365}"#).unwrap();
    let (opening, shares) = crypto::deal(2, 3).unwrap();
    let key_hex = opening.public_key.to_hex();
    let seal = |form: &str, out: &str| {
        let args: Vec<String> = vec![
            "bid",
            "seal",
            "--folder",
            &path("bid"),
            "--form",
            &path(form),
            "--lot",
            "E3302000000000001001",
            "--bidder",
            "91330200MA2AGH4RXQ",
            "--opening-key",
            &key_hex,
            "--key",
            &path("me-key.pem"),
            "--cert",
            &path("me-cert.pem"),
            "--out",
            &path(out),
        ]
        .into_iter()
        .map(str::to_string)
        .collect();
        async move {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            ggzy(&refs).await
        }
    };
    let (ok, text) = seal("noprice.json", "bad.bid").await;
    assert!(!ok && text.contains("price_fen"), "{text}");
    let (ok, text) = seal("form.json", "sealed.bid").await;
    assert!(ok, "{text}");

    let envelope =
        crypto::Envelope::from_bytes(&std::fs::read(path("sealed.bid")).unwrap()).unwrap();
    assert_eq!(
        envelope.verify().unwrap().subject_code().as_deref(),
        Some("91330200MA2AGH4RXQ")
    );
    assert_eq!(envelope.header.machine_fingerprint.len(), 64);
    let wrapped = envelope.wrapped_key().unwrap();
    let context = envelope.header.lot.as_bytes();
    let partials: Vec<_> = [&shares[0], &shares[2]]
        .iter()
        .map(|s| s.partial_decrypt(&wrapped, context).unwrap())
        .collect();
    let data_key = opening.combine(&wrapped, &partials, context).unwrap();
    let package = crypto::BidPackage::from_bytes(&envelope.open(&data_key).unwrap()).unwrap();
    assert_eq!(package.form["price_fen"], 1_234_567_800u64);
    let names: Vec<&str> = package.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["商务标.txt", "技术标/施工组织设计.txt"]);
    assert_eq!(package.files[0].1, "报价一览表".as_bytes());
}
