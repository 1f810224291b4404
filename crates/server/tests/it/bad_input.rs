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

/// API tokens are listed and revoked by their owner; a token cannot mint another; logging out
/// with a bearer token revokes it; a suspended entity mints none; the account page issues a
/// token (shown once, never in a URL) and revokes it.
#[tokio::test]
async fn api_tokens_are_listed_revoked_and_never_mint_tokens() {
    let server = spawn_app().await;
    let (bidder, csrf) = server.login("bidder").await;
    let mint = |client: reqwest::RequestBuilder| async move {
        client
            .json(&json!({"name": "投标工具", "valid_days": 30}))
            .send()
            .await
            .unwrap()
    };
    let response = mint(
        bidder
            .post(server.url("/api/v1/tokens"))
            .header("x-csrf-token", &csrf),
    )
    .await;
    assert_eq!(response.status(), 201);
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let machine = client();
    // A token cannot mint a token.
    let response = mint(
        machine
            .post(server.url("/api/v1/tokens"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap()["code"],
        "TOKEN_FROM_TOKEN"
    );
    // Listed by its owner (never the token itself), by session and by token alike.
    let listed: Value = machine
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = listed.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "投标工具");
    assert_eq!(items[0]["active"], true);
    assert!(!listed.to_string().contains(&token));
    let id = items[0]["id"].as_str().unwrap().to_string();
    // Another account can neither see nor revoke it.
    let (bidder2, csrf2) = server.login("bidder2").await;
    let theirs: Value = bidder2
        .get(server.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(theirs.as_array().unwrap().is_empty());
    let response = bidder2
        .delete(server.url(&format!("/api/v1/tokens/{id}")))
        .header("x-csrf-token", &csrf2)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    // Logging out with the bearer token revokes it at once.
    let response = machine
        .delete(server.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = machine
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // The account page: issue (the token is in the answer, the URL stays /me/tokens), revoke.
    let page = bidder
        .post(server.url("/me/tokens"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&name=%E8%84%9A%E6%9C%AC&valid_days=7"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    let shown = html
        .split("id=\"new-token\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();
    assert!(shown.starts_with("ggzy_"), "{shown}");
    let response = machine
        .get(server.url("/api/v1/me"))
        .bearer_auth(&shown)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let listed: Value = bidder
        .get(server.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_id = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["active"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = bidder
        .post(server.url("/me/tokens/revoke"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&id={new_id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("令牌已吊销"));
    let response = machine
        .get(server.url("/api/v1/me"))
        .bearer_auth(&shown)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // A suspended entity mints no token.
    let (operator, op_csrf) = server.login("operator").await;
    let me: Value = bidder
        .get(server.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entity = me["entity_id"].as_str().unwrap().to_string();
    let response = operator
        .post(server.url(&format!("/api/v1/entities/{entity}/suspend")))
        .header("x-csrf-token", &op_csrf)
        .json(&json!({"reason": "涉嫌串通投标"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let response = mint(
        bidder
            .post(server.url("/api/v1/tokens"))
            .header("x-csrf-token", &csrf),
    )
    .await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap()["code"],
        "ENTITY_NOT_ACTIVE"
    );
}

/// Every answer carries the security headers; a signed-in caller's pages are never cached;
/// no page runs an inline script (the policy forbids them) or puts the CSRF token in a URL.
#[tokio::test]
async fn security_headers_on_every_answer() {
    let server = spawn_app().await;
    let (bidder, csrf) = server.login("bidder").await;
    for (client, path, signed_in) in [
        (client(), "/", false),
        (client(), "/api/v1/ledger/head", false),
        (client(), "/no-such-page", false),
        (bidder.clone(), "/me", true),
        (bidder.clone(), "/api/v1/me", true),
        (bidder.clone(), "/procedures", true),
    ] {
        let response = client.get(server.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-eval"));
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        if signed_in {
            assert_eq!(headers["cache-control"], "no-store", "{path}");
        }
        let body = response.text().await.unwrap();
        assert!(
            !body.contains(" onsubmit=") && !body.contains(" onclick="),
            "{path}"
        );
        assert!(!body.contains(&format!("csrf={csrf}")), "{path}");
    }
}

/// Guessing passwords over HTTP: the sixth failure for a name within 15 minutes is answered
/// 429 `TOO_MANY_ATTEMPTS`, on the API and on the log-in page alike, even with the right password.
#[tokio::test]
async fn log_in_guessing_is_throttled_over_http() {
    let server = spawn_app().await;
    let guess = |password: &'static str| {
        let url = server.url("/api/v1/session");
        async move {
            client()
                .post(url)
                .json(&json!({"username": "agency", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..5 {
        assert_eq!(guess("Wrong2026pass").await.status(), 401);
    }
    let response = guess(app::DEMO_PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.json::<Value>().await.unwrap()["code"],
        "TOO_MANY_ATTEMPTS"
    );
    let page = client()
        .post(server.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username=agency&password={}&next=",
            app::DEMO_PASSWORD
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.text().await.unwrap().contains("尝试过于频繁"));
}

/// The framework's refusals in our shape (a path parameter that does not parse, a body over the
/// limit), control characters refused in any JSON string, a type mismatch never taken for an
/// unknown field, and amounts past ten trillion yuan refused; nothing is written.
#[tokio::test]
async fn framework_refusals_control_characters_and_amounts_have_codes() {
    let server = spawn_app().await;
    let before = server.ledger_size().await;
    for path in [
        "/api/v1/ledger/entries/abc/proof",
        "/api/v1/ledger/entries/-1/proof",
        "/api/v1/reference/calendar/versions/x",
    ] {
        let response = client().get(server.url(path)).send().await.unwrap();
        expect(&server, response, 400, "INVALID_REQUEST").await;
    }
    let page = client()
        .get(server.url("/ledger/entries/abc"))
        .send()
        .await
        .unwrap();
    assert!(page.status().is_client_error());
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("账本序号应为非负整数"));
    let (bidder, csrf) = server.login("bidder").await;
    let response = bidder
        .put(server.url("/api/v1/auctions/QT-2026-002/sealed"))
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/octet-stream")
        .body(vec![0u8; 2 << 20])
        .send()
        .await
        .unwrap();
    expect(&server, response, 413, "BODY_TOO_LARGE").await;

    let url = server.url("/api/v1/registrations");
    for (field, value) in [
        ("name", "丽水\u{0}莲都建设有限公司"),
        ("legal_representative", "叶\u{1b}[2J明"),
        ("address", "丽水市\u{7}"),
    ] {
        let mut body = registration(&uscc("MA0000038"), "liandu2");
        body[field] = json!(value);
        let response = client().post(&url).json(&body).send().await.unwrap();
        expect(&server, response, 422, "CONTROL_CHARACTER").await;
    }
    let mut body = registration(&uscc("MA0000038"), "liandu2");
    body["roles"] = json!("unknown field `x`");
    let response = client().post(&url).json(&body).send().await.unwrap();
    expect(&server, response, 400, "INVALID_REQUEST").await;
    assert_eq!(server.ledger_size().await, before, "nothing was written");

    let (tenderee, tenderee_csrf) = server.login("tenderee").await;
    for budget in [i64::MAX, 1_000_000_000_000_001, 0, -5] {
        let response = tenderee
            .post(server.url("/api/v1/procedures"))
            .header("x-csrf-token", &tenderee_csrf)
            .json(&json!({
                "project_code": "2026-330106-48-01-512345",
                "title": "预算越界测试项目",
                "category": "construction",
                "method": "open_tender",
                "region": "330100",
                "tenderee": "",
                "description": "测试",
                "qualification": "测试",
                "invitees": [],
                "lots": [{"name": "标段", "budget_fen": budget, "description": "", "evaluation": null, "bond_fen": null}],
                "deadline": "2026-12-28 09:30",
                "opening_place": "",
                "contact": "测试"
            }))
            .send()
            .await
            .unwrap();
        expect(&server, response, 422, "LOT_BUDGET").await;
    }
    assert_eq!(server.ledger_size().await, before, "nothing was written");
}

/// A bad or revoked bearer token is refused outright, on the API and on pages alike: no
/// redirect to a log-in page that the same header would refuse again.
#[tokio::test]
async fn a_bad_token_is_refused_without_a_redirect_loop() {
    let server = spawn_app().await;
    for path in ["/healthz", "/", "/login", "/api/v1/ledger/head"] {
        let response = client()
            .get(server.url(path))
            .bearer_auth("ggzy_bogus")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}");
        assert!(response.headers().get("location").is_none(), "{path}");
    }
}

/// Every query parameter the OpenAPI document bounds (`minimum`/`maximum`) or constrains
/// (`pattern`) is held to it: one past either bound, or a value no pattern allows, is refused
/// with a 4xx and its code; the bound itself is accepted. Read from the document, so a new
/// parameter is covered as soon as it is documented. (Schemathesis checks the same from outside.)
#[tokio::test]
async fn query_parameters_are_held_to_their_documented_bounds() {
    let server = spawn_app().await;
    let (operator, csrf) = server.login("operator").await;
    let token = server.api_token("operator").await;
    let document: Value = client()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Routes the trading center may not read (supervision's warnings) are swept as a supervisor.
    let supervisor = server.api_token("supervisor").await;
    let get = |path: String| {
        let token = if path.starts_with("/api/v1/warnings") {
            &supervisor
        } else {
            &token
        };
        client().get(server.url(&path)).bearer_auth(token).send()
    };
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(operation) = item.get("get") else {
            continue;
        };
        // Endless streams and paths with path parameters are out of this sweep.
        if path.contains('{') || path.ends_with("/live") {
            continue;
        }
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] != "query" {
                continue;
            }
            let name = parameter["name"].as_str().unwrap();
            let schema = &parameter["schema"];
            let mut refused = Vec::new();
            let mut accepted = Vec::new();
            if let Some(max) = schema["maximum"].as_u64() {
                refused.push((max as u128 + 1).to_string());
                accepted.push(max.to_string());
            }
            if let Some(min) = schema["minimum"].as_i64() {
                refused.push((min - 1).to_string());
                accepted.push(min.to_string());
            }
            if schema.get("pattern").is_some() {
                refused.push("!".to_string());
            }
            for value in refused {
                let response = get(format!("{path}?{name}={value}")).await.unwrap();
                let status = response.status().as_u16();
                assert!(
                    status == 400 || status == 422,
                    "{path}?{name}={value}: {status}, not refused"
                );
                let body: Value = response.json().await.unwrap();
                assert!(body["code"].is_string(), "{path}?{name}={value}: {body}");
                checked += 1;
            }
            for value in accepted {
                let response = get(format!("{path}?{name}={value}")).await.unwrap();
                let status = response.status().as_u16();
                // A bound is a valid value; other parameters may still be missing (400 names
                // them, never this one) and a ledger may be shorter than a size (422).
                if status == 400 {
                    let body: Value = response.json().await.unwrap();
                    assert!(
                        !body["message"].as_str().unwrap().contains(name),
                        "{path}?{name}={value} refused: {body}"
                    );
                }
                assert_ne!(status, 500, "{path}?{name}={value}");
            }
        }
    }
    assert!(checked >= 30, "only {checked} bounds checked");
    // A relation between parameters is a rule, not a shape: 422 with its code.
    let response = get("/api/v1/ledger/entries?from=5&to=2".into())
        .await
        .unwrap();
    expect(&server, response, 422, "LEDGER_RANGE").await;
    let response = get("/api/v1/ledger/consistency?first=3&second=2".into())
        .await
        .unwrap();
    expect(&server, response, 422, "LEDGER_RANGE").await;
    // JSON does not tell 5 from 5.0: an integral number is an integer.
    let response = operator
        .post(server.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "整数", "valid_days": 30.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let response = operator
        .post(server.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "小数", "valid_days": 30.5}))
        .send()
        .await
        .unwrap();
    expect(&server, response, 400, "INVALID_REQUEST").await;
}
