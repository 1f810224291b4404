//! The user tools: `ggzy ca` (a demo CA) and `ggzy sign` (canonical-JSON signatures with one's own
//! key and certificate), checked with the crypto crate as a verifier would.

use tokio::process::Command;

async fn ggzy(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ggzy"))
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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
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
