//! Supervision over HTTP: a construction complaint accepted, forwarded, investigated with a
//! suspension and decided (中标无效, then the next candidate); a procurement complaint refused as
//! late with its computed last day; an anonymous report whose reporter never appears in any public
//! answer; a joint investigation; bad input that writes nothing.

use std::sync::atomic::Ordering;

use crypto::PlatformKey;
use domain::Date;
use reqwest::Method;
use serde_json::{Value, json};

use crate::tendering::{Awarded, Flow, awarded_construction_lot};

const DAY: i64 = 86_400_000;

/// A `multipart/form-data` body: text fields first (the CSRF token, if any, as the first), then
/// files under `evidence`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----ggzySupervision5b1d";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, content) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn today(flow: &Flow) -> Date {
    Date::of_instant(flow.clock.load(Ordering::SeqCst))
}

fn refused(got: (u16, Value), status: u16, code: &str) -> Value {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["code"], code, "{}", got.1);
    got.1
}

/// The department's signature over what `to-sign` returned.
fn sign(flow: &Flow, username: &str, to_sign: &Value) -> (String, String) {
    let cert = flow
        .certificates
        .iter()
        .find(|c| c.username == username)
        .unwrap_or_else(|| panic!("a demo certificate for {username}"));
    let key = PlatformKey::from_pkcs8_pem(&cert.key_pem).unwrap();
    (
        cert.cert_pem.clone(),
        key.sign(&crypto::canonical_json_bytes(to_sign).unwrap())
            .to_hex(),
    )
}

/// The whole store still verifies: every case row is the fold of its entries.
async fn verify(flow: &Flow) {
    let app = flow.server.app();
    let report = app::verify_store(app.store(), &app.public_key(), &app.settings().origin)
        .await
        .unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);
}

#[tokio::test]
async fn a_construction_complaint_is_forwarded_investigated_and_voids_the_award() {
    let flow = Flow::new().await;
    let Awarded {
        id,
        lot,
        winner,
        candidates,
        bidders,
        ..
    } = awarded_construction_lot(&flow).await;
    let complainant = flow.token("bidder2").await;
    let complaint = json!({
        "lot": lot,
        "subject": "result",
        "facts": "第一中标候选人提交的类似工程业绩合同系伪造。",
        "grounds": "招标投标法 第54条；招标投标法实施条例 第60条",
        "request": "确认中标无效",
    });

    // Standing, the objection first, and the required fields: refused, nothing written.
    let size = flow.server.ledger_size().await;
    let stranger = flow.token("bawu").await;
    refused(
        flow.call(
            &stranger,
            Method::POST,
            "/api/v1/complaints",
            Some(complaint.clone()),
        )
        .await,
        403,
        "CASE_NO_STANDING",
    );
    let silent = flow.token("yuecheng").await;
    let body = refused(
        flow.call(
            &silent,
            Method::POST,
            "/api/v1/complaints",
            Some(complaint.clone()),
        )
        .await,
        422,
        "CASE_OBJECTION_FIRST",
    );
    assert!(body["message"].as_str().unwrap().contains("异议"), "{body}");
    let mut missing = complaint.clone();
    missing["grounds"] = json!("  ");
    refused(
        flow.call(
            &complainant,
            Method::POST,
            "/api/v1/complaints",
            Some(missing),
        )
        .await,
        422,
        "FIELD_REQUIRED",
    );
    let mut unknown = complaint.clone();
    unknown["lot"] = json!("ZZ9999001");
    let (status, _) = flow
        .call(
            &complainant,
            Method::POST,
            "/api/v1/complaints",
            Some(unknown),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        flow.server.ledger_size().await,
        size,
        "refusals write nothing"
    );

    // Filed: routed to the competent department for construction in 330100 (浙江省发改委).
    let filed = flow
        .ok(
            &complainant,
            Method::POST,
            "/api/v1/complaints",
            Some(complaint),
        )
        .await;
    let case = filed["case"].as_str().unwrap().to_string();
    let supervisor = flow.token("supervisor").await;
    let finance = flow.token("finance").await;
    let queue = flow
        .ok(&supervisor, Method::GET, "/api/v1/cases", None)
        .await;
    let line = &queue["items"][0];
    assert_eq!(line["id"], case.as_str());
    assert_eq!(line["due"][0], "审查受理");
    assert!(line["days_left"].as_i64().unwrap() >= 0);
    let own = flow
        .ok(
            &complainant,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await;
    assert!(own["case"]["filing"]["last_day"].is_string(), "{own}");
    refused(
        flow.call(
            &finance,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await,
        404,
        "CASE_NOT_FOUND",
    );
    refused(
        flow.call(
            &stranger,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await,
        404,
        "CASE_NOT_FOUND",
    );

    // Accepted, then forwarded: the receiving department hands it to another.
    let acts = format!("/api/v1/cases/{case}/acts");
    flow.ok(
        &supervisor,
        Method::POST,
        &acts,
        Some(json!({"act": "accept"})),
    )
    .await;
    flow.ok(
        &supervisor,
        Method::POST,
        &acts,
        Some(json!({"act": "forward", "to": "zj-finance", "reason": "涉及财政资金使用，转财政部门办理"})),
    )
    .await;
    refused(
        flow.call(
            &supervisor,
            Method::POST,
            &acts,
            Some(json!({"act": "suspend_lot"})),
        )
        .await,
        403,
        "NOT_AUTHORIZED",
    );

    // Investigated: the lot is suspended; the winner is asked for material and answers.
    flow.ok(
        &finance,
        Method::POST,
        &acts,
        Some(json!({"act": "suspend_lot"})),
    )
    .await;
    let procedure = flow.public(&format!("/api/v1/procedures/{id}")).await;
    assert_eq!(procedure["lots"][0]["status"]["status"], "suspended");
    let due = today(&flow).add_days(5).to_string();
    flow.ok(
        &finance,
        Method::POST,
        &acts,
        Some(json!({"act": "ask_party", "entity": winner, "what": "类似工程业绩合同原件", "due": due})),
    )
    .await;
    let winner_username = bidders
        .iter()
        .find(|(_, _, entity)| *entity == winner)
        .map(|(username, _, _)| *username)
        .unwrap();
    let answerer = flow.token(winner_username).await;
    let (content_type, body) = multipart(
        &[
            ("kind", "answer"),
            ("request", "1"),
            ("text", "合同原件扫描件见附件"),
        ],
        &[("合同扫描件.pdf", b"%PDF-1.7 contract scan")],
    );
    let response = reqwest::Client::new()
        .post(flow.server.url(&format!("/cases/{case}/reply")))
        .bearer_auth(&answerer)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let seen = flow
        .ok(
            &finance,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await;
    assert_eq!(
        seen["case"]["requests"][0]["answer"],
        "合同原件扫描件见附件"
    );
    assert_eq!(
        seen["case"]["requests"][0]["evidence"][0]["name"],
        "合同扫描件.pdf"
    );

    // The decision, signed with the department's certificate: 中标无效.
    let draft = json!({
        "kind": "award_void",
        "reasons": "经查，第一中标候选人提交的业绩合同与发包人存档不符，属于弄虚作假。",
        "basis": "招标投标法 第54条；招标投标法实施条例 第81条",
    });
    let to_sign = flow
        .ok(
            &finance,
            Method::POST,
            &format!("/api/v1/cases/{case}/decision/to-sign"),
            Some(draft.clone()),
        )
        .await;
    assert_eq!(to_sign["department"], "zj-finance");
    let decision = format!("/api/v1/cases/{case}/decision");
    // Another department's certificate does not sign for this one.
    let (certificate, signature) = sign(&flow, "supervisor", &to_sign);
    refused(
        flow.call(
            &finance,
            Method::POST,
            &decision,
            Some(json!({"draft": draft, "certificate": certificate, "signature": signature})),
        )
        .await,
        422,
        "CERT_WRONG_ENTITY",
    );
    let (certificate, signature) = sign(&flow, "finance", &to_sign);
    flow.ok(
        &finance,
        Method::POST,
        &decision,
        Some(json!({"draft": draft, "certificate": certificate, "signature": signature})),
    )
    .await;

    // The decision took effect: the suspension is lifted, the winner struck out, and the
    // tenderee awards the next candidate.
    let procedure = flow.public(&format!("/api/v1/procedures/{id}")).await;
    let state = &procedure["lots"][0];
    assert_eq!(
        state["status"]["status"], "candidates_publicised",
        "{state}"
    );
    assert!(state["award"]["winner"].is_null());
    let next = candidates.iter().find(|c| **c != winner).unwrap();
    let tenderee = flow.token("tenderee").await;
    refused(
        flow.call(
            &tenderee,
            Method::POST,
            &format!("/api/v1/lots/{lot}/award"),
            Some(json!({"winner": winner})),
        )
        .await,
        422,
        "NOT_A_CANDIDATE",
    );
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/award"),
        Some(json!({"winner": next})),
    )
    .await;
    let procedure = flow.public(&format!("/api/v1/procedures/{id}")).await;
    assert_eq!(
        procedure["lots"][0]["award"]["winner"]["bidder"],
        next.as_str()
    );

    // 反馈 and 公开: the decision on the portal, its signature re-checkable.
    flow.ok(
        &finance,
        Method::POST,
        &acts,
        Some(json!({"act": "feedback", "text": "投诉成立，已认定中标无效。"})),
    )
    .await;
    flow.ok(
        &finance,
        Method::POST,
        &acts,
        Some(json!({"act": "publish"})),
    )
    .await;
    let published = flow.public("/api/v1/supervision/decisions").await;
    let item = &published["items"][0];
    assert_eq!(item["case"], case.as_str());
    assert!(
        item["text"].as_str().unwrap().contains("中标（成交）无效"),
        "{item}"
    );
    let page = reqwest::get(flow.server.url("/supervision/decisions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&case), "the portal lists the decision");
    let own = flow
        .ok(
            &complainant,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await;
    assert_eq!(own["case"]["feedback"][0], "投诉成立，已认定中标无效。");
    verify(&flow).await;
}
