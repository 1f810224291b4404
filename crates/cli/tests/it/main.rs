//! Tests of the real `ggzy` binary: receipts survive SIGKILL, and `ggzy verify` passes a sound
//! store and fails a tampered one, naming the entry.

mod durability;
mod federation;
mod keyholder;
mod tools;
mod verify;

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `ggzy ARGS…` and waits for its "listening on" line; returns the child and base URL.
/// The day the real binary's clock starts on in these tests (`GGZY_CLOCK_START`): nothing they
/// check depends on the day the suite runs.
pub(crate) const TEST_DAY: &str = "2026-06-01";

pub(crate) async fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ggzy"))
        .env("GGZY_CLOCK_START", crate::TEST_DAY)
        .args(args)
        .args(["--listen", "127.0.0.1:0", "--insecure-fast-passwords"])
        .env("GGZY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start ggzy");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(120), lines.next_line())
            .await
            .expect("ggzy did not start in time")
            .unwrap()
            .expect("ggzy exited before listening");
        if let Some(address) = line.strip_prefix("GGZY listening on ") {
            break address.trim().to_string();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

/// Runs `ggzy verify ARGS…`; returns (success, stdout + stderr).
pub(crate) async fn run_verify(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ggzy"))
        .env("GGZY_CLOCK_START", crate::TEST_DAY)
        .arg("verify")
        .args(args)
        .env("GGZY_LOG", "warn")
        .output()
        .await
        .expect("run ggzy verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// A bearer token for `username` at the platform at `base`: logs in (the session's CSRF token)
/// and makes an API token valid for a day.
pub(crate) async fn login(base: &str, username: &str, password: &str) -> String {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let response = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{username} at {base}");
    let session: serde_json::Value = response.json().await.unwrap();
    let body: serde_json::Value = client
        .post(format!("{base}/api/v1/tokens"))
        .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
        .json(&serde_json::json!({"name": "cli-test", "valid_days": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_string()
}
