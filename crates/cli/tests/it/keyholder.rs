//! `ggzy keyholder` against a real `ggzy demo`: three holders run a whole key ceremony with the
//! tool, step by step; the demo's own simulated holders' files live outside the data directory;
//! and the tool refuses to decrypt for a lot that is not being opened.

use serde_json::{Value, json};
use tokio::process::Command;

use crate::start;

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

async fn token(base: &str, username: &str) -> String {
    crate::login(base, username, app::DEMO_PASSWORD).await
}

#[tokio::test]
async fn holders_run_a_ceremony_with_the_tool() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data = data_dir.to_str().unwrap().to_string();
    let (mut child, base) = start(&["demo", "--data-dir", &data]).await;

    // The demo's simulated holders keep their files beside the data directory, not in it.
    let beside = dir.path().join("data-keyholders");
    assert_eq!(std::fs::read_dir(&beside).unwrap().count(), 3);
    for entry in walk(&data_dir) {
        let text = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&text).contains("\"share\""),
            "{}",
            entry.display()
        );
    }

    let operator = token(&base, "operator").await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/ceremonies"))
        .bearer_auth(&operator)
        .json(&json!({"id": "tool-test", "threshold": 2, "seats": [
            {"index": 1, "account": "operator", "label": "交易中心"},
            {"index": 2, "account": "supervisor", "label": "行政监督部门"},
            {"index": 3, "account": "auditor", "label": "第三方（公证机构）"},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut holders = Vec::new();
    for (index, account) in [(1, "operator"), (2, "supervisor"), (3, "auditor")] {
        let file = dir.path().join(format!("{account}.json"));
        let file = file.to_str().unwrap().to_string();
        let (ok, text) = ggzy(&[
            "keyholder",
            "init",
            "--file",
            &file,
            "--server",
            &base,
            "--ceremony",
            "tool-test",
            "--index",
            &index.to_string(),
            "--account",
            account,
        ])
        .await;
        assert!(ok, "{text}");
        let token = if account == "operator" {
            operator.clone()
        } else {
            token(&base, account).await
        };
        holders.push((file, token));
    }
    // Join, deal, confirm: each holder runs the same command once per step.
    for step in ["joined", "dealt", "confirmed"] {
        for (file, token) in &holders {
            let (ok, text) = ggzy(&[
                "keyholder",
                "ceremony",
                "--file",
                file,
                "--server",
                &base,
                "--token",
                token,
            ])
            .await;
            assert!(ok && text.contains(step), "{step}: {text}");
        }
    }
    let ceremony: Value = reqwest::get(format!("{base}/api/v1/ceremonies/tool-test"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ceremony["status"]["status"], "active", "{ceremony}");
    // Every holder's file now holds its share; no file is readable by others.
    for (file, _) in &holders {
        let held: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert!(held["share"].is_string());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{file}");
        }
    }

    // The demo's lot is still taking bids: the tool gets nothing to decrypt. (The demo seeds its
    // project on any date.)
    let procedures: Value = reqwest::get(format!("{base}/api/v1/procedures"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lot = procedures["items"][0]["lots"][0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("the demo publishes its procedure on any date: {procedures}"));
    let lot = lot.to_string();
    let (ok, text) = ggzy(&[
        "keyholder",
        "open",
        "--file",
        &holders[1].0,
        "--server",
        &base,
        "--token",
        &holders[1].1,
        "--lot",
        &lot,
    ])
    .await;
    assert!(!ok && text.contains("LOT_NOT_OPENING"), "{text}");
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The day `n` days after the binary's test day (`GGZY_CLOCK_START`).
fn days_from_now(n: i64) -> String {
    domain::Date::parse(crate::TEST_DAY)
        .unwrap()
        .add_days(n)
        .to_string()
}

#[tokio::test]
async fn a_draw_made_through_the_api_reruns_with_ggzy_verify() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap().to_string();
    let (mut child, base) = start(&["demo", "--data-dir", &data]).await;
    let procedures: Value = reqwest::get(format!("{base}/api/v1/procedures"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lot = procedures["items"][0]["lots"][0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("the demo publishes its procedure on any date: {procedures}"));
    let operator = token(&base, "operator").await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/draws"))
        .bearer_auth(&operator)
        .json(&json!({
            "lot": lot,
            "evaluation_date": days_from_now(23),
            // The demo's own panel may sit that day: ask for one expert, no backup.
            "needs": [["A01", 1]],
            "backups": 0,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let committed: Value = response.json().await.unwrap();
    let id = committed["id"].as_str().unwrap().to_string();
    // The supervisor's contribution reveals it.
    let supervisor = token(&base, "supervisor").await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/draws/{id}/contribution"))
        .bearer_auth(&supervisor)
        .json(&json!({"commitment": committed["commitment"], "value": "3c".repeat(32)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let drawn = body["revealed"]["result"]["panels"][0]["experts"].clone();
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let (ok, text) = ggzy(&["verify", "--data-dir", &data, "--draw", &id]).await;
    assert!(ok, "{text}");
    assert!(text.contains("reruns to the published result"), "{text}");
    assert!(text.contains(drawn[0].as_str().unwrap()), "{text}");
    let (ok, text) = ggzy(&["verify", "--data-dir", &data, "--draw", "nope"]).await;
    assert!(!ok, "{text}");
    // The demo's simulated e-guarantee provider issues a guarantee its certificate verifies.
    let certificates = format!("{data}/demo-certificates");
    let (ok, text) = ggzy(&[
        "guarantee",
        "--dir",
        &certificates,
        "--number",
        "BH-DEMO-1",
        "--lot",
        lot,
        "--applicant",
        "91330200MA2AGH4RXQ",
        "--beneficiary",
        "91330100MA2H7Q1K51",
        "--amount-fen",
        "5000000",
        "--valid-until",
        &days_from_now(115),
    ])
    .await;
    assert!(ok, "{text}");
    let start = text.find('{').unwrap();
    let signed: Value = serde_json::Deserializer::from_str(&text[start..])
        .into_iter::<Value>()
        .next()
        .unwrap()
        .unwrap();
    let cert = crypto::Certificate::from_pem(signed["certificate_pem"].as_str().unwrap()).unwrap();
    let signature = crypto::Signature::from_hex(signed["signature"].as_str().unwrap()).unwrap();
    assert!(
        cert.public_key()
            .unwrap()
            .verify_json(&signed["guarantee"], &signature)
            .is_ok()
    );
    assert!(
        std::path::Path::new(&certificates)
            .read_dir()
            .unwrap()
            .any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("expert-"))
    );
    // Anyone with the public record alone: the API's JSON as a file, and the platform's key
    // obtained out of band.
    let key_pem = std::fs::read_to_string(format!("{data}/platform-key.pem")).unwrap();
    let key = crypto::PlatformKey::from_pkcs8_pem(&key_pem)
        .unwrap()
        .public_key()
        .to_hex();
    let record = dir.path().join("draw.json");
    let check = |value: &Value| {
        std::fs::write(&record, serde_json::to_vec(value).unwrap()).unwrap();
        let path = record.to_str().unwrap().to_string();
        let key = key.clone();
        async move { ggzy(&["verify", "--draw-record", &path, "--public-key", &key]).await }
    };
    let (ok, text) = check(&body).await;
    assert!(ok, "{text}");
    assert!(text.contains("re-checks from its public record"), "{text}");
    assert!(
        text.contains("proven into the platform's signed head"),
        "{text}"
    );
    // Without the key, or against another, the record is not called sound.
    let (ok, text) = ggzy(&["verify", "--draw-record", record.to_str().unwrap()]).await;
    assert!(!ok && text.contains("--public-key"), "{text}");
    let other = crypto::PlatformKey::generate().public_key().to_hex();
    let (ok, text) = ggzy(&[
        "verify",
        "--draw-record",
        record.to_str().unwrap(),
        "--public-key",
        &other,
    ])
    .await;
    assert!(!ok, "{text}");
    // A wholly forged record — its own secret, commitment, root and seed, recomputed — does not
    // pass: its parts are not the entries the signed head includes.
    let mut forged = body.clone();
    let secret = [7u8; 32];
    let root = [9u8; 32];
    forged["committed"]["commitment"] = json!(crypto::sm3(&secret).to_hex());
    forged["revealed"]["secret"] = json!(hex_of(&secret));
    forged["revealed"]["head_root"] = json!(hex_of(&root));
    forged["revealed"]["seed"] = json!(crypto::sm3(&[secret, root].concat()).to_hex());
    let (ok, text) = check(&forged).await;
    assert!(!ok && text.contains("ledger proof"), "{text}");
    // No proof: refused.
    let mut bare = body.clone();
    bare.as_object_mut().unwrap().remove("proof");
    let (ok, text) = check(&bare).await;
    assert!(!ok && text.contains("no ledger proof"), "{text}");
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
