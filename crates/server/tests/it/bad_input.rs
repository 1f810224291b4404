//! Bad input: each refusal has its own code, a message and the request id, and the ledger does
//! not grow.

use serde_json::{Value, json};

use crate::support::{TestServer, client, spawn_app};

fn registration(code: &str, username: &str) -> Value {
    json!({
        "kind": "organisation",
        "code": code,
        "name": "丽水市莲都建设有限公司",
        "region": "331100",
        "legal_representative": "叶明",
        "contact_name": "叶明",
        "contact_phone": "0578-2222222",
        "roles": ["bidder"],
        "username": username,
        "display_name": "叶明",
        "password": "Secret2026x"
    })
}

fn uscc(body9: &str) -> String {
    let prefix = format!("91331100{body9}");
    format!("{prefix}{}", domain::Uscc::check_char_for(&prefix).unwrap())
}

async fn expect(server: &TestServer, response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status().as_u16(), status, "status for {code}");
    let header_id = response
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code);
    assert!(!body["message"].as_str().unwrap().is_empty());
    assert_eq!(body["request_id"].as_str().unwrap(), header_id);
    let _ = server;
}

#[tokio::test]
async fn every_bad_input_has_its_code_and_changes_nothing() {
    let server = spawn_app().await;
    let anonymous = client();
    let url = server.url("/api/v1/registrations");
    let before = server.ledger_size().await;

    let send = |body: String, content_type: &'static str| {
        anonymous
            .post(url.clone())
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    expect(
        &server,
        send("{\"kind\": ".into(), "application/json")
            .await
            .unwrap(),
        400,
        "MALFORMED_JSON",
    )
    .await;
    let mut unknown = registration(&uscc("MA0000011"), "lianduco");
    unknown["favourite"] = json!("x");
    expect(
        &server,
        send(unknown.to_string(), "application/json").await.unwrap(),
        400,
        "UNKNOWN_FIELD",
    )
    .await;
    expect(
        &server,
        send(
            registration(&uscc("MA0000011"), "lianduco").to_string(),
            "text/plain",
        )
        .await
        .unwrap(),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    let huge = json!({"kind": "x".repeat(2 << 20)}).to_string();
    expect(
        &server,
        send(huge, "application/json").await.unwrap(),
        413,
        "BODY_TOO_LARGE",
    )
    .await;
    let mut bad_check = uscc("MA0000011");
    bad_check.replace_range(17.., if bad_check.ends_with('0') { "1" } else { "0" });
    expect(
        &server,
        send(
            registration(&bad_check, "lianduco").to_string(),
            "application/json",
        )
        .await
        .unwrap(),
        422,
        "USCC_CHECK_CHAR",
    )
    .await;
    let mut missing = registration(&uscc("MA0000011"), "lianduco");
    missing.as_object_mut().unwrap().remove("name");
    expect(
        &server,
        send(missing.to_string(), "application/json").await.unwrap(),
        400,
        "INVALID_REQUEST",
    )
    .await;
    assert_eq!(server.ledger_size().await, before, "nothing was written");

    // One good registration, then the same entity again.
    let ok = send(
        registration(&uscc("MA0000011"), "lianduco").to_string(),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 201);
    let receipts: Value = ok.json().await.unwrap();
    assert_eq!(receipts["receipts"].as_array().unwrap().len(), 2);
    let after_one = server.ledger_size().await;
    assert_eq!(after_one, before + 2);
    expect(
        &server,
        send(
            registration(&uscc("MA0000011"), "other").to_string(),
            "application/json",
        )
        .await
        .unwrap(),
        409,
        "DUPLICATE_REGISTRATION",
    )
    .await;

    // Wrong role, missing CSRF token, expired or forged session, bad query.
    let pending = server.pending_id().await;
    let (bidder, bidder_csrf) = server.login("bidder").await;
    let approve = server.url(&format!("/api/v1/entities/{pending}/approve"));
    expect(
        &server,
        bidder
            .post(&approve)
            .header("x-csrf-token", &bidder_csrf)
            .send()
            .await
            .unwrap(),
        403,
        "NOT_AUTHORIZED",
    )
    .await;
    let (operator, _) = server.login("operator").await;
    expect(
        &server,
        operator.post(&approve).send().await.unwrap(),
        403,
        "CSRF_FAILED",
    )
    .await;
    expect(
        &server,
        operator
            .post(&approve)
            .header("x-csrf-token", "forged")
            .send()
            .await
            .unwrap(),
        403,
        "CSRF_FAILED",
    )
    .await;
    let forged = client()
        .get(server.url("/api/v1/me"))
        .header("cookie", "ggzy_session=0000")
        .send()
        .await
        .unwrap();
    expect(&server, forged, 401, "NOT_AUTHENTICATED").await;
    let bad_token = client()
        .get(server.url("/api/v1/me"))
        .bearer_auth("ggzy_nothing")
        .send()
        .await
        .unwrap();
    expect(&server, bad_token, 401, "NOT_AUTHENTICATED").await;
    expect(
        &server,
        client()
            .get(server.url("/api/v1/ledger/entries?from=x"))
            .send()
            .await
            .unwrap(),
        400,
        "INVALID_REQUEST",
    )
    .await;
    expect(
        &server,
        client()
            .get(server.url("/api/v1/ledger/entries/99999/proof"))
            .send()
            .await
            .unwrap(),
        404,
        "NOT_FOUND",
    )
    .await;
    expect(
        &server,
        client()
            .get(server.url("/api/v1/nothing"))
            .send()
            .await
            .unwrap(),
        404,
        "NOT_FOUND",
    )
    .await;
    let (wrong, _) = (client(), ());
    let bad_login = wrong
        .post(server.url("/api/v1/session"))
        .json(&json!({"username": "bidder", "password": "nope12345"}))
        .send()
        .await
        .unwrap();
    expect(&server, bad_login, 401, "BAD_CREDENTIALS").await;
    assert_eq!(
        server.ledger_size().await,
        after_one,
        "refusals wrote nothing"
    );
}

#[tokio::test]
async fn api_tokens_work_without_csrf_and_review_via_api() {
    let server = spawn_app().await;
    let (operator, csrf) = server.login("operator").await;
    let token: Value = operator
        .post(server.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "审核脚本"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let pending = server.pending_id().await;
    let machine = client();
    let response = machine
        .post(server.url(&format!("/api/v1/entities/{pending}/reject")))
        .bearer_auth(&token)
        .json(&json!({"reason": "资质证书已过期"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let seq = body["receipts"][0]["seq"].as_u64().unwrap();
    let proof: Value = client()
        .get(server.url(&format!("/api/v1/ledger/entries/{seq}/proof")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(proof["seq"], seq);
    let entity: Value = machine
        .get(server.url(&format!("/api/v1/entities/{pending}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(entity["status"], "rejected");
    assert_eq!(entity["reject_reason"], "资质证书已过期");
    let metrics = client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("ggzy_http_requests_total"));
    assert!(metrics.contains("ggzy_ledger_entries"));
    assert!(
        metrics.contains("path=\"/api/v1/entities/{id}/reject\""),
        "requests are counted by route"
    );
}
