//! An acknowledged act survives a crash at any instant: the binary is killed with SIGKILL while
//! registrations are in flight, restarted, and every receipt it gave is found in the ledger.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::{run_verify, start};

fn registration(n: usize) -> Value {
    let prefix = format!("91330100MA{n:07}");
    let code = format!("{prefix}{}", domain::Uscc::check_char_for(&prefix).unwrap());
    json!({
        "kind": "organisation",
        "code": code,
        "name": format!("杭州测试建设有限公司{n}"),
        "region": "330100",
        "legal_representative": "张三",
        "contact_name": "张三",
        "contact_phone": "0571-1111111",
        "roles": ["bidder"],
        "username": format!("user{n}"),
        "display_name": "张三",
        "password": "Secret2026x"
    })
}

#[tokio::test]
async fn receipts_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap().to_string();
    let (mut child, base) = start(&[
        "serve",
        "--data-dir",
        &data_dir,
        "--registrations-per-hour",
        "0",
    ])
    .await;
    let acknowledged: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let (client, base, acknowledged) = (client.clone(), base.clone(), acknowledged.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let body = registration(worker * 100_000 + n);
                let Ok(response) = client
                    .post(format!("{base}/api/v1/registrations"))
                    .json(&body)
                    .send()
                    .await
                else {
                    break;
                };
                let Ok(receipts) = response.json::<Value>().await else {
                    break;
                };
                let mut list = acknowledged.lock().unwrap();
                for receipt in receipts["receipts"].as_array().unwrap() {
                    list.push((
                        receipt["seq"].as_u64().unwrap(),
                        receipt["leaf_hash"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }));
    }
    // Let some acts be acknowledged, then pull the plug mid-flight.
    while acknowledged.lock().unwrap().len() < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let receipts = acknowledged.lock().unwrap().clone();
    assert!(receipts.len() >= 40);

    let (mut child, base) = start(&["serve", "--data-dir", &data_dir]).await;
    let size = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["ledger_size"]
        .as_u64()
        .unwrap();
    for (seq, leaf) in &receipts {
        assert!(
            *seq < size,
            "acknowledged entry {seq} is gone after the crash (size {size})"
        );
        let entries: Value = client
            .get(format!(
                "{base}/api/v1/ledger/entries?from={seq}&to={}",
                seq + 1
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            entries["entries"][0]["leaf_hash"].as_str().unwrap(),
            leaf,
            "entry {seq} changed"
        );
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let (ok, text) = run_verify(&["--data-dir", &data_dir]).await;
    assert!(ok, "the store after the crash must verify: {text}");
}
