//! Warnings over HTTP: two bidders' envelopes uploaded from the same address raise a warning that
//! the supervisor sees within a second of the second receipt; its evidence, who may read it, and
//! closing it through the API and the pages.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{csrf_of, form};
use crate::tendering::Flow;

/// Polls the supervisor's warnings of `lot` until `signal` appears or `limit` passes.
async fn wait_for(flow: &Flow, token: &str, lot: &str, signal: &str, limit: Duration) -> Value {
    let started = Instant::now();
    loop {
        let body = flow
            .ok(
                token,
                Method::GET,
                &format!("/api/v1/warnings?lot={lot}"),
                None,
            )
            .await;
        if let Some(found) = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["finding"]["signal"] == signal)
        {
            return found.clone();
        }
        assert!(
            started.elapsed() < limit,
            "no {signal} warning within {limit:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A page as `client` sees it.
async fn page_html(flow: &Flow, client: &reqwest::Client, path: &str) -> String {
    let response = client.get(flow.server.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_warning_follows_its_evidence_within_a_second_over_http() {
    let flow = Flow::new().await;
    flow.server.start_watchers();
    let tenderee = flow.token("tenderee").await;
    let supervisor = flow.token("supervisor").await;
    flow.ceremony("2026-12").await;
    let (procedure, lot, key) = flow.publish(&tenderee, "预警测试项目").await;

    // A bidder's download names its copy of the documents for the bidding tool.
    let bidder = flow.token("yuecheng").await;
    flow.ok(
        &bidder,
        Method::POST,
        &format!("/api/v1/lots/{lot}/registration"),
        None,
    )
    .await;
    let download = reqwest::Client::new()
        .get(flow.server.url(&format!("/api/v1/lots/{lot}/documents")))
        .bearer_auth(&bidder)
        .send()
        .await
        .unwrap();
    let copy = download.headers()["x-ggzy-copy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(copy.len(), 32, "{copy}");
    // The bidder's panel on the procedure page shows it, for the sealing tool.
    let yuecheng = flow.server.login_page("yuecheng").await;
    let html = page_html(&flow, &yuecheng, &format!("/procedures/{procedure}")).await;
    assert!(
        html.contains("文件创建标识码") && html.contains(&format!("--copy {copy}")),
        "{html}"
    );
    // The tenderee's own read of its documents is no bidder's copy.
    let own = reqwest::Client::new()
        .get(flow.server.url(&format!("/api/v1/lots/{lot}/documents")))
        .bearer_auth(&tenderee)
        .send()
        .await
        .unwrap();
    assert!(own.headers().get("x-ggzy-copy").is_none());

    flow.bid("bidder", &lot, &key, 4_100_000_000).await;
    // Both envelopes come from this test's one address (loopback).
    flow.bid("bidder2", &lot, &key, 4_235_000_000).await;
    let warning = wait_for(
        &flow,
        &supervisor,
        &lot,
        "same_upload_address",
        Duration::from_secs(1),
    )
    .await;
    let id = warning["id"].as_str().unwrap().to_string();
    assert_eq!(warning["status"]["status"], "open");
    assert_eq!(warning["stage"], "bid");
    assert_eq!(warning["finding"]["subjects"].as_array().unwrap().len(), 2);
    // The evidence is the two submissions, each an entry with its proof.
    let evidence = warning["finding"]["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2, "{warning}");
    for e in evidence {
        let seq = e["seq"].as_u64().unwrap();
        flow.ok(
            &supervisor,
            Method::GET,
            &format!("/api/v1/ledger/entries/{seq}/proof"),
            None,
        )
        .await;
        let entry = flow.server.app().store().entry(seq).await.unwrap().unwrap();
        assert_eq!(entry.kind, "bid.submitted");
    }

    // Who may read it: not the bidders, the tenderee or the public.
    for who in ["bidder", "bidder2", "tenderee", "operator"] {
        let token = flow.token(who).await;
        let (status, _) = flow
            .call(&token, Method::GET, &format!("/api/v1/warnings/{id}"), None)
            .await;
        assert!(status == 403 || status == 404, "{who}: {status}");
        let (status, _) = flow
            .call(
                &token,
                Method::POST,
                &format!("/api/v1/warnings/{id}/close"),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert!(status == 403 || status == 404, "{who}: {status}");
    }
    let (status, _) = flow.call("", Method::GET, "/api/v1/warnings", None).await;
    assert_eq!(status, 401);

    // A bad filter is refused with a clear code.
    let (status, body) = flow
        .call(
            &supervisor,
            Method::GET,
            "/api/v1/warnings?status=maybe",
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");

    // The pages: the list and the warning with its evidence and forms.
    let page = flow.server.login_page("supervisor").await;
    let list = page_html(&flow, &page, "/supervision/warnings?status=open").await;
    assert!(list.contains(&id), "{list}");
    let html = page_html(&flow, &page, &format!("/supervision/warnings/{id}")).await;
    assert!(
        html.contains("排除理由") && html.contains("立案调查"),
        "{html}"
    );
    assert!(html.contains("/ledger/entries/"));

    // Closed through the API with a reason; a second close is refused.
    let (status, body) = flow
        .call(
            &supervisor,
            Method::POST,
            &format!("/api/v1/warnings/{id}/close"),
            Some(json!({"reason": ""})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    flow.ok(
        &supervisor,
        Method::POST,
        &format!("/api/v1/warnings/{id}/close"),
        Some(json!({"reason": "同一办公楼共用出口地址，已核实"})),
    )
    .await;
    let (status, body) = flow
        .call(
            &supervisor,
            Method::POST,
            &format!("/api/v1/warnings/{id}/close"),
            Some(json!({"reason": "again"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("WARNING_HANDLED"))
    );
    let one = flow
        .ok(
            &supervisor,
            Method::GET,
            &format!("/api/v1/warnings/{id}"),
            None,
        )
        .await;
    assert_eq!(one["status"]["status"], "closed");
    assert_eq!(one["may_act"], false);

    // 立案 from the page: on to the new case, the warning now 已立案.
    let together = wait_for(
        &flow,
        &supervisor,
        &lot,
        "near_simultaneous",
        Duration::from_secs(1),
    )
    .await;
    let other = together["id"].as_str().unwrap();
    let shown = page_html(&flow, &page, &format!("/supervision/warnings/{other}")).await;
    let opened = page
        .post(
            flow.server
                .url(&format!("/supervision/warnings/{other}/case")),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("csrf", &csrf_of(&shown))]))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 303);
    let case_page = opened.headers()["location"].to_str().unwrap().to_string();
    assert!(case_page.starts_with("/cases/C"), "{case_page}");
    let case = page_html(&flow, &page, &case_page).await;
    assert!(
        case.contains(other),
        "the case states the warning it came from"
    );
    let one = flow
        .ok(
            &supervisor,
            Method::GET,
            &format!("/api/v1/warnings/{other}"),
            None,
        )
        .await;
    assert_eq!(one["status"]["status"], "case");

    // The rules are public.
    let html = reqwest::get(flow.server.url("/warning-rules"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("same_upload_address") && html.contains("第40条"));
}
