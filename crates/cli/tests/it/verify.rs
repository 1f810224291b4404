//! `ggzy verify` on real data directories (and on PostgreSQL when configured).

use crate::{run_verify, start};

async fn tamper(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn verify_passes_the_demo_and_fails_when_tampered() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap().to_string();
    let (mut child, _) = start(&["demo", "--data-dir", &data_dir]).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let (ok, text) = run_verify(&["--data-dir", &data_dir]).await;
    assert!(ok && text.contains("OK"), "{text}");

    // The node's search index was kept beside the data; `ggzy reindex` rebuilds it from the
    // store (every announcement and listed entity of the demo).
    assert!(dir.path().join("search/meta.json").exists());
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ggzy"))
        .env("GGZY_CLOCK_START", crate::TEST_DAY)
        .args(["reindex", "--data-dir", &data_dir])
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let indexed: u64 = text
        .split("重建检索索引：")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    assert!(indexed >= 10, "{text}");

    // A demo sale replays from the ledger, and from a downloaded record; a record whose bid
    // was changed does not.
    let (ok, text) = run_verify(&["--data-dir", &data_dir, "--auction", "QT-2026-002"]).await;
    assert!(ok && text.contains("2 bids accepted"), "{text}");
    let url = store::Store::sqlite_url(&std::fs::canonicalize(dir.path()).unwrap());
    // The downloadable record: the events page as served, each item with its whole entry,
    // inclusion path and signed head, checked offline against the platform's key.
    let key_pem = std::fs::read_to_string(dir.path().join("platform-key.pem")).unwrap();
    let key_hex = crypto::PlatformKey::from_pkcs8_pem(&key_pem)
        .unwrap()
        .public_key()
        .to_hex();
    let (mut child, base) = start(&["serve", "--data-dir", &data_dir]).await;
    let page: serde_json::Value = reqwest::get(format!(
        "{base}/api/v1/auctions/QT-2026-002/events?limit=1000"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let items = page["items"].as_array().unwrap().clone();
    assert!(!items.is_empty());
    let record = dir.path().join("auction.json");
    let check = |items: &Vec<serde_json::Value>, key: &str| {
        std::fs::write(&record, serde_json::json!({ "items": items }).to_string()).unwrap();
        let path = record.to_str().unwrap().to_string();
        let key = key.to_string();
        async move { run_verify(&["--auction-record", &path, "--public-key", &key]).await }
    };
    let (ok, text) = check(&items, &key_hex).await;
    assert!(ok && text.contains("replays as recorded"), "{text}");
    assert!(
        text.contains("proven into the platform's signed heads"),
        "{text}"
    );
    // Without the key, or against another key, it is not called sound.
    let (ok, text) = run_verify(&["--auction-record", record.to_str().unwrap()]).await;
    assert!(!ok && text.contains("--public-key"), "{text}");
    let other = crypto::PlatformKey::generate().public_key().to_hex();
    let (ok, _) = check(&items, &other).await;
    assert!(!ok);
    // A bid's price changed in the record (event and entry alike) breaks its proof.
    let mut forged = items.clone();
    let last_bid = forged
        .iter_mut()
        .rev()
        .find(|item| item["event"]["event"] == "bid_accepted")
        .unwrap();
    last_bid["event"]["bid"]["price_fen"] = serde_json::json!(120_500_000);
    last_bid["entry"]["payload"]["bid"]["price_fen"] = serde_json::json!(120_500_000);
    let (ok, text) = check(&forged, &key_hex).await;
    assert!(!ok && text.contains("does not replay"), "{text}");
    // An outside verifier has no key file: without a pinned public key the store is not
    // called sound; with the key obtained out of band (hex or SPKI PEM) it is; a key re-written
    // in the database is never trusted.
    let key_pem = std::fs::read_to_string(dir.path().join("platform-key.pem")).unwrap();
    let key = crypto::PlatformKey::from_pkcs8_pem(&key_pem)
        .unwrap()
        .public_key();
    // The same data without the key file, as an outsider holds it.
    let key_file = dir.path().join("platform-key.pem");
    let set_aside = tempfile::tempdir().unwrap();
    std::fs::rename(&key_file, set_aside.path().join("platform-key.pem")).unwrap();
    let outside_dir = data_dir.as_str();
    let (ok, text) = run_verify(&["--data-dir", outside_dir]).await;
    assert!(!ok && text.contains("--public-key"), "{text}");
    let (ok, text) = run_verify(&["--data-dir", outside_dir, "--public-key", &key.to_hex()]).await;
    assert!(ok && text.contains("OK"), "{text}");
    let pem_file = set_aside.path().join("platform.pub.pem");
    std::fs::write(&pem_file, key.to_spki_pem().unwrap()).unwrap();
    let (ok, text) = run_verify(&[
        "--data-dir",
        outside_dir,
        "--public-key",
        pem_file.to_str().unwrap(),
    ])
    .await;
    assert!(ok && text.contains("OK"), "{text}");
    let other = crypto::PlatformKey::generate().public_key().to_hex();
    let (ok, text) = run_verify(&["--data-dir", outside_dir, "--public-key", &other]).await;
    assert!(!ok && text.contains("another platform key"), "{text}");
    std::fs::rename(set_aside.path().join("platform-key.pem"), &key_file).unwrap();

    tamper(
        &url,
        "UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 12",
    )
    .await;
    let (ok, text) = run_verify(&["--data-dir", &data_dir]).await;
    assert!(!ok, "tampering must fail verification");
    assert!(
        text.contains("entry 12:"),
        "the first bad entry is named: {text}"
    );
}

#[tokio::test]
async fn verify_works_on_postgres() {
    let Some(db) = store::testing::fresh_postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap().to_string();
    let (mut child, _) = start(&["demo", "--data-dir", &data_dir, "--database-url", &db.url]).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let (ok, text) = run_verify(&["--data-dir", &data_dir, "--database-url", &db.url]).await;
    assert!(ok, "{text}");
    tamper(&db.url, "DELETE FROM ledger_entries WHERE seq = 20").await;
    let (ok, text) = run_verify(&["--data-dir", &data_dir, "--database-url", &db.url]).await;
    assert!(!ok && text.contains("entry 20: missing"), "{text}");
}
