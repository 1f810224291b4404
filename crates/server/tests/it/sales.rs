//! 网上竞价 over HTTP: the trading center publishes a sale, a bank posts a signed deposit notice,
//! bidders bid through the API while a watcher follows the live stream (and resumes after a
//! drop with Last-Event-ID), the sale ends with the reserve revealed, anyone replays it, and the
//! pages show it to each role.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::tendering::Flow;

/// 2026-12-01 09:30 Beijing time (the flow's clock).
const START_MS: i64 = 1_796_088_600_000;
const MIN: i64 = 60_000;
const ID: &str = "TD-2026-030";

/// Reads server-sent events until one of `kind` satisfies `until`, or fails after 10 s.
async fn next_event<B: AsRef<[u8]>>(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<B>> + Unpin),
    buffer: &mut String,
    kind: &str,
    until: impl Fn(&Value) -> bool,
) -> (String, Value) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = "message";
            let mut id = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = if v.trim() == kind { kind } else { "other" };
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if event == kind {
                let value: Value = serde_json::from_str(&data).unwrap();
                if until(&value) {
                    return (id, value);
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("no such event within 10 s")
            .expect("the stream ended")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(chunk.as_ref()));
    }
}

#[tokio::test]
async fn an_auction_runs_live_over_http_and_replays() {
    let flow = Flow::new().await;
    let operator = flow.token("operator").await;
    let bidder = flow.token("bidder").await;
    let bidder2 = flow.token("bidder2").await;
    let terms = json!({
        "method": {"method": "english", "start_ms": START_MS + MIN, "free_until_ms": START_MS + 60 * MIN, "countdown_ms": 5 * MIN},
        "start_price_fen": 100_000_000,
        "increment_fen": 1_000_000,
        "deposit_fen": 10_000_000,
    });
    let transferor = flow
        .server
        .app()
        .caller_for("tenderee")
        .await
        .unwrap()
        .entity_id;
    let sale = json!({
        "id": ID,
        "title": "衢州市化工园区排污权（化学需氧量）",
        "category": "pollutant",
        "region": "330800",
        "transferor": transferor,
        "terms": terms,
        "reserve_fen": 105_000_000,
    });
    // Only the trading center publishes.
    let (status, _) = flow
        .call(
            &bidder,
            Method::POST,
            "/api/v1/auctions",
            Some(sale.clone()),
        )
        .await;
    assert_eq!(status, 403);
    flow.ok(&operator, Method::POST, "/api/v1/auctions", Some(sale))
        .await;
    let public = flow.public(format!("/api/v1/auctions/{ID}")).await;
    assert_eq!(public["state"]["exists"], true);
    assert!(public["state"]["reserve_fen"].is_null());
    assert_eq!(public["state"]["start_price_fen"], 100_000_000);

    let first = flow
        .ok(
            &bidder,
            Method::POST,
            &format!("/api/v1/auctions/{ID}/register"),
            None,
        )
        .await["number"]
        .as_str()
        .unwrap()
        .to_string();
    let second = flow
        .ok(
            &bidder2,
            Method::POST,
            &format!("/api/v1/auctions/{ID}/register"),
            None,
        )
        .await["number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first, second);

    // The bank posts a signed notice (no account: its certificate's signature is the
    // credential); a changed notice is refused.
    let app = flow.server.app();
    let bank = app::DemoGuarantor::new_bank(app).await.unwrap();
    let entity = app.caller_for("bidder").await.unwrap().entity_id;
    let notice = bank.deposit_notice(ID, &entity, 10_000_000, "ZJ2026120100031", START_MS);
    let mut forged = serde_json::to_value(&notice).unwrap();
    forged["notice"]["amount_fen"] = json!(90_000_000);
    let (status, body) = flow
        .call(
            "",
            Method::POST,
            &format!("/api/v1/auctions/{ID}/deposits"),
            Some(forged),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("DEPOSIT_NOTICE_INVALID"))
    );
    flow.ok(
        "",
        Method::POST,
        &format!("/api/v1/auctions/{ID}/deposits"),
        Some(serde_json::to_value(&notice).unwrap()),
    )
    .await;
    let entity2 = app.caller_for("bidder2").await.unwrap().entity_id;
    flow.ok(
        &operator,
        Method::POST,
        &format!("/api/v1/auctions/{ID}/deposits/confirm"),
        Some(json!({"entity": entity2, "amount_fen": 10_000_000})),
    )
    .await;

    // A watcher follows the live stream.
    let watch = reqwest::get(flow.server.url(&format!("/api/v1/auctions/{ID}/live")))
        .await
        .unwrap();
    assert_eq!(
        watch.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut stream = watch.bytes_stream();
    let mut buffer = String::new();
    let (before_id, snapshot) = next_event(&mut stream, &mut buffer, "state", |_| true).await;
    assert_eq!(snapshot["state"]["registered"], 2);
    assert!(snapshot["now_ms"].as_i64().unwrap() >= START_MS);

    let bid = |token: String, price: i64| {
        let flow = &flow;
        async move {
            flow.call(
                &token,
                Method::POST,
                &format!("/api/v1/auctions/{ID}/bids"),
                Some(json!({"price_fen": price})),
            )
            .await
        }
    };
    let (status, body) = bid(bidder.clone(), 100_000_000).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("AUCTION_NOT_STARTED"))
    );
    // Neither a price nor a signed bid: refused before anything.
    let (status, _) = flow
        .call(
            &bidder,
            Method::POST,
            &format!("/api/v1/auctions/{ID}/bids"),
            Some(json!({"quantity": 1})),
        )
        .await;
    assert_eq!(status, 400);
    flow.advance(2 * MIN);
    let (status, body) = bid(bidder.clone(), 100_000_000).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["receipt"]["seq"].as_u64().is_some());
    let (status, body) = bid(bidder2.clone(), 100_500_000).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("AUCTION_TOO_LOW"))
    );
    assert!(
        body["message"].as_str().unwrap().contains("1010000.00"),
        "{body}"
    );
    // The watcher sees the accepted bid, by number.
    let (_, seen) = next_event(&mut stream, &mut buffer, "state", |v| {
        v["state"]["accepted"] == 1
    })
    .await;
    assert_eq!(seen["state"]["current"]["bidder"], first.as_str());
    assert_eq!(seen["state"]["refused"], 2);
    drop(stream);

    // A watcher that dropped before the bid resumes with what it missed.
    let resumed = reqwest::Client::new()
        .get(flow.server.url(&format!("/api/v1/auctions/{ID}/live")))
        .header("last-event-id", &before_id)
        .send()
        .await
        .unwrap();
    let mut stream = resumed.bytes_stream();
    let mut buffer = String::new();
    let (_, missed) = next_event(&mut stream, &mut buffer, "bids", |_| true).await;
    assert_eq!(missed[0]["bid"]["price_fen"], 100_000_000);
    drop(stream);

    // Timed bidding: a bid late in the countdown restarts it; the sale ends when it runs out.
    flow.advance(60 * MIN);
    let (status, _) = bid(bidder2.clone(), 103_000_000).await;
    assert_eq!(status, 200);
    flow.advance(4 * MIN);
    let (status, _) = bid(bidder.clone(), 106_000_000).await;
    assert_eq!(status, 200);
    let (status, body) = flow
        .call(
            &operator,
            Method::POST,
            &format!("/api/v1/auctions/{ID}/close"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("AUCTION_STILL_OPEN"))
    );
    flow.advance(5 * MIN);
    let (status, body) = bid(bidder2.clone(), 107_000_000).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("AUCTION_TOO_LATE"))
    );
    let closed = flow
        .ok(
            &operator,
            Method::POST,
            &format!("/api/v1/auctions/{ID}/close"),
            None,
        )
        .await;
    assert_eq!(closed["result"]["result"], "sold");
    assert_eq!(closed["result"]["bidder"], first.as_str());
    assert_eq!(closed["winner"], entity.as_str());

    // Anyone replays it; the reserve is now public; the history lists refusals with reasons.
    let replay = flow.public(format!("/api/v1/auctions/{ID}/verify")).await;
    assert_eq!(replay["consistent"], true);
    assert_eq!(replay["result"]["price_fen"], 106_000_000);
    let now = flow.public(format!("/api/v1/auctions/{ID}")).await;
    assert_eq!(now["state"]["reserve_fen"], 105_000_000);
    let history = flow
        .public(format!("/api/v1/auctions/{ID}/events?after=0&limit=1000"))
        .await;
    let codes: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["event"]["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["AUCTION_NOT_STARTED", "AUCTION_TOO_LOW", "AUCTION_TOO_LATE"]
    );
    assert!(!history.to_string().contains(&entity));

    // Its open data: the 竞价公告 as a tender, the 成交公示 as an award to the winner (named
    // now), valid by the Open Contracting Partnership's validator.
    let package = flow.public("/api/v1/ocds/bulk/package.json").await;
    let sale: Vec<&Value> = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tender"]["id"] == ID)
        .collect();
    assert_eq!(sale.len(), 2, "{sale:?}");
    assert_eq!(sale[0]["tag"], json!(["tender"]));
    assert_eq!(sale[1]["tag"], json!(["award"]));
    assert_eq!(sale[1]["tender"]["status"], "complete");
    assert_eq!(
        sale[1]["awards"][0]["suppliers"][0]["id"],
        format!("CN-USCI-{entity}")
    );
    assert_eq!(sale[1]["awards"][0]["value"]["amount"], 1_060_000);
    crate::disclosure::validate_with_libcoveocds(&package, "sale").await;

    // Pages: the list and the sale for the public; the bidder sees its number.
    let list = reqwest::get(flow.server.url("/auctions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(ID));
    let page = reqwest::get(flow.server.url(&format!("/auctions/{ID}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("成交") && page.contains("1,050,000.00 元"),
        "{page}"
    );
    assert!(page.contains(&first));
    assert!(!page.contains(&entity));
    let (client, _) = flow.server.login("bidder").await;
    let mine = client
        .get(flow.server.url(&format!("/auctions/{ID}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("竞价结果") && mine.contains("成交确认书"));
    // The 出让人 lists its own sales.
    let (tenderee_client, _) = flow.server.login("tenderee").await;
    let own = tenderee_client
        .get(flow.server.url("/auctions?mine=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        own.contains("本单位出让的标的") && own.contains(ID),
        "{own}"
    );

    // The 成交确认书: the buyer, the 出让人 and the trading center; not the other bidder.
    for (token, status) in [(&bidder, 200), (&operator, 200), (&bidder2, 403)] {
        let (got, _) = flow
            .call(
                token,
                Method::GET,
                &format!("/api/v1/auctions/{ID}/confirmation"),
                None,
            )
            .await;
        assert_eq!(got, status);
    }
    let transferor_token = flow.token("tenderee").await;
    let confirmation = flow
        .ok(
            &transferor_token,
            Method::GET,
            &format!("/api/v1/auctions/{ID}/confirmation"),
            None,
        )
        .await;
    assert_eq!(confirmation["lines"][0]["buyer_code"], entity.as_str());
    let page = client
        .get(flow.server.url(&format!("/auctions/{ID}/confirmation")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("成交确认书") && page.contains("1,060,000.00 元"),
        "{page}"
    );
    // The notices are on the portal.
    for notice in ["auction_notice", "deal_notice"] {
        let response = reqwest::get(flow.server.url(&format!("/announcements/{ID}-{notice}")))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{notice}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("href=\"/auctions/{ID}\"")),
            "{notice}: {html}"
        );
    }
}

/// 密封报价 over HTTP: envelopes put by the bidders, the opening fixed by the trading center,
/// the key holders' partials through the API, the highest opened price sold.
#[tokio::test]
async fn a_sealed_bid_sale_runs_over_http() {
    let flow = Flow::new().await;
    let holders = flow.ceremony("2026-12").await;
    let operator = flow.token("operator").await;
    let app = flow.server.app();
    let transferor = app.caller_for("tenderee").await.unwrap().entity_id;
    let sale = json!({
        "id": "FB-2026-2",
        "title": "衢州市城区停车场十年经营权",
        "category": "other_assets",
        "region": "330800",
        "transferor": transferor,
        "terms": {
            "method": {"method": "sealed", "start_ms": START_MS, "close_ms": START_MS + 60 * MIN},
            "start_price_fen": 1_000_000,
            "increment_fen": 0,
            "deposit_fen": 0,
        },
        "reserve_fen": 0,
    });
    flow.ok(&operator, Method::POST, "/api/v1/auctions", Some(sale))
        .await;
    let key = app
        .auction("FB-2026-2")
        .await
        .unwrap()
        .info
        .opening_key
        .unwrap()
        .public_key;
    flow.advance(MIN);
    let mut numbers = Vec::new();
    for (username, price) in [("bidder", 1_500_000), ("bidder2", 1_600_000)] {
        let token = flow.token(username).await;
        let number = flow
            .ok(
                &token,
                Method::POST,
                "/api/v1/auctions/FB-2026-2/register",
                None,
            )
            .await["number"]
            .as_str()
            .unwrap()
            .to_string();
        numbers.push(number);
        let entity = app.caller_for(username).await.unwrap().entity_id;
        let envelope = flow.seal(username, &entity, "FB-2026-2", &key, price);
        let response = reqwest::Client::new()
            .put(flow.server.url("/api/v1/auctions/FB-2026-2/sealed"))
            .bearer_auth(&token)
            .body(envelope)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    // Before the close nobody opens: the trading center is refused, the holders' tool too.
    let (status, body) = flow
        .call(
            &operator,
            Method::POST,
            "/api/v1/auctions/FB-2026-2/opening",
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("AUCTION_STILL_OPEN"))
    );
    flow.advance(60 * MIN);
    flow.ok(
        &operator,
        Method::POST,
        "/api/v1/auctions/FB-2026-2/opening",
        None,
    )
    .await;
    let request: app::SaleOpeningRequest =
        serde_json::from_value(flow.public("/api/v1/auctions/FB-2026-2/opening").await).unwrap();
    for (holder, token) in holders.iter().take(2) {
        let partials = holder.sale_partials(&request).unwrap();
        flow.ok(
            token,
            Method::POST,
            "/api/v1/auctions/FB-2026-2/partials",
            Some(serde_json::to_value(partials).unwrap()),
        )
        .await;
    }
    let closed = flow
        .ok(
            &operator,
            Method::POST,
            "/api/v1/auctions/FB-2026-2/close",
            None,
        )
        .await;
    assert_eq!(closed["result"]["bidder"], numbers[1].as_str());
    assert_eq!(closed["result"]["price_fen"], 1_600_000);
    let page = reqwest::get(flow.server.url("/auctions/FB-2026-2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("密封报价") && page.contains("16,000.00 元"),
        "{page}"
    );
    let replay = flow.public("/api/v1/auctions/FB-2026-2/verify").await;
    assert_eq!(replay["consistent"], true);
}
