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

/// Every ledger entry as `token`'s holder (or anyone) may read it, as text.
async fn entries(flow: &Flow, token: Option<&str>) -> String {
    let size = flow.server.ledger_size().await;
    let mut all = String::new();
    for from in (0..size).step_by(1000) {
        let mut request = reqwest::Client::new().get(flow.server.url(&format!(
            "/api/v1/ledger/entries?from={from}&to={}",
            from + 1000
        )));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        all.push_str(&response.text().await.unwrap());
    }
    all
}

/// The entries of case streams among pages of `/api/v1/ledger/entries`, as text.
fn case_entries(pages: &str) -> String {
    let mut found = String::new();
    let stream = serde_json::Deserializer::from_str(pages).into_iter::<Value>();
    for page in stream {
        for entry in page.unwrap()["entries"].as_array().unwrap() {
            if entry["stream"]
                .as_str()
                .is_some_and(|s| s.starts_with("case/"))
            {
                found.push_str(&entry.to_string());
            }
        }
    }
    found
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
    // The party asked sees its own request, and no more of the file than the allegation.
    let theirs = flow
        .ok(
            &answerer,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await;
    assert_eq!(theirs["case"]["requests"].as_array().unwrap().len(), 1);
    assert!(
        theirs["case"]["filing"]["evidence"]
            .as_array()
            .unwrap()
            .is_empty()
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

    // Supervision supervised: reading the evaluation and a bid's file under the case is
    // witnessed first, and the bidders see who read what under which case.
    let evaluation = flow
        .ok(
            &finance,
            Method::GET,
            &format!("/api/v1/lots/{lot}/evaluation?case={case}"),
            None,
        )
        .await;
    let file = evaluation["bids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bidder"] == winner.as_str())
        .unwrap()["files"][0]["sm3"]
        .as_str()
        .unwrap()
        .to_string();
    let response = reqwest::Client::new()
        .get(flow.server.url(&format!(
            "/api/v1/lots/{lot}/bids/{winner}/files/{file}?case={case}"
        )))
        .bearer_auth(&finance)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let size = flow.server.ledger_size().await;
    refused(
        flow.call(
            &finance,
            Method::GET,
            &format!("/api/v1/lots/{lot}/evaluation?case=C2026999999"),
            None,
        )
        .await,
        404,
        "CASE_NOT_FOUND",
    );
    assert_eq!(
        flow.server.ledger_size().await,
        size,
        "no read without its case"
    );
    let reads = flow
        .ok(&answerer, Method::GET, "/api/v1/me/reads", None)
        .await;
    let reads = reads["items"].as_array().unwrap();
    let under_case: Vec<&str> = reads
        .iter()
        .filter(|r| r["case"] == case.as_str())
        .map(|r| r["what"].as_str().unwrap())
        .collect();
    assert!(
        under_case.iter().any(|w| w.contains("评标情况")),
        "{reads:?}"
    );
    assert!(
        under_case.iter().any(|w| w.starts_with("投标文件")),
        "{reads:?}"
    );
    assert!(
        reads
            .iter()
            .filter(|r| r["case"] == case.as_str())
            .all(|r| r["departments"] == "浙江省财政厅" && r["by"] == "finance"),
        "who read, by department: {reads:?}"
    );
    let bystander = bidders
        .iter()
        .find(|(_, _, entity)| *entity != winner)
        .map(|(username, _, _)| *username)
        .unwrap();
    let bystander = flow.token(bystander).await;
    let others = flow
        .ok(&bystander, Method::GET, "/api/v1/me/reads", None)
        .await;
    assert!(
        others["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["what"].as_str().unwrap().starts_with("投标文件")),
        "the other bidder's file read is not this bidder's"
    );
    // The channel: the lot, live, for supervision and audit; nobody else.
    let auditor = flow.server.login_page("auditor").await;
    let channel = auditor
        .get(flow.server.url(&format!("/oversight/lots/{lot}")))
        .send()
        .await
        .unwrap();
    assert_eq!(channel.status(), 200);
    let html = channel.text().await.unwrap();
    assert!(
        html.contains("http-equiv=\"refresh\""),
        "the page follows itself"
    );
    assert!(html.contains(&case), "its cases: {html}");
    assert!(html.contains("委员会 5 人"), "{html}");
    let list = auditor
        .get(flow.server.url("/oversight"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&lot));
    let bidder_page = flow.server.login_page("bidder2").await;
    let response = bidder_page
        .get(flow.server.url(&format!("/oversight/lots/{lot}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

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
    // In the open data too: the lot's latest release lists the decision among the tender's
    // documents (`complaints`), valid by the Open Contracting Partnership's own validator.
    let package = flow.public("/api/v1/ocds/bulk/package.json").await;
    let last = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|r| r["tender"]["id"] == lot.as_str())
        .unwrap()
        .clone();
    let document = &last["tender"]["documents"][0];
    assert_eq!(document["documentType"], "complaints", "{last}");
    assert!(document["title"].as_str().unwrap().contains(&case));
    crate::disclosure::validate_with_libcoveocds(&package, "supervision").await;
    verify(&flow).await;
}

/// A procurement procedure published by `tenderee`; returns (procedure, lot).
async fn procurement(flow: &Flow, tenderee: &str) -> (String, String) {
    let body = flow
        .ok(
            tenderee,
            Method::POST,
            "/api/v1/procedures",
            Some(json!({
                "project_code": "2026-330106-48-01-512399",
                "title": "杭州市第十五中学教学设备采购",
                "category": "procurement",
                "method": "open_tender",
                "region": "330100",
                "description": "采购教学用计算机200台。",
                "qualification": "具有独立承担民事责任的能力。",
                "lots": [{"name": "计算机", "budget_fen": 120_000_000_i64}],
                "deadline": "2026-12-28 09:30",
                "contact": "王老师 0571-87000000",
            })),
        )
        .await;
    let id = body["procedure"]["id"].as_str().unwrap().to_string();
    let response = reqwest::Client::new()
        .put(flow.server.url(&format!(
            "/api/v1/procedures/{id}/documents?name=%E9%87%87%E8%B4%AD%E6%96%87%E4%BB%B6.pdf"
        )))
        .bearer_auth(tenderee)
        .body(b"%PDF-1.7 procurement documents".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let published = flow
        .ok(
            tenderee,
            Method::POST,
            &format!("/api/v1/procedures/{id}/publish"),
            None,
        )
        .await;
    let lot = published["procedure"]["lots"][0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    (id, lot)
}

#[tokio::test]
async fn a_late_procurement_complaint_is_refused_with_its_computed_last_day() {
    let flow = Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (id, lot) = procurement(&flow, &tenderee).await;
    let supplier = flow.token("bidder").await;
    flow.ok(
        &supplier,
        Method::POST,
        &format!("/api/v1/lots/{lot}/registration"),
        None,
    )
    .await;
    let documents = reqwest::Client::new()
        .get(flow.server.url(&format!("/api/v1/lots/{lot}/documents")))
        .bearer_auth(&supplier)
        .send()
        .await
        .unwrap();
    assert_eq!(documents.status(), 200);
    let complaint = json!({
        "lot": lot,
        "subject": "documents",
        "facts": "采购文件要求供应商在本市设有分支机构，排斥外地供应商。",
        "grounds": "政府采购法实施条例 第20条",
        "request": "责令修改采购文件",
    });
    // Before its 质疑 the complaint names the missing step.
    let body = refused(
        flow.call(
            &supplier,
            Method::POST,
            "/api/v1/complaints",
            Some(complaint.clone()),
        )
        .await,
        422,
        "CASE_OBJECTION_FIRST",
    );
    assert!(body["message"].as_str().unwrap().contains("质疑"), "{body}");
    // The 质疑 on the documents, the day they were obtained (within 7 working days).
    let raised = today(&flow);
    flow.ok(
        &supplier,
        Method::POST,
        &format!("/api/v1/lots/{lot}/objections"),
        Some(json!({"subject": "documents", "text": "请删除“在本市设有分支机构”的要求"})),
    )
    .await;
    // While the reply period runs unanswered the complaint waits for it.
    refused(
        flow.call(
            &supplier,
            Method::POST,
            "/api/v1/complaints",
            Some(complaint.clone()),
        )
        .await,
        409,
        "CASE_OBJECTION_PENDING",
    );
    // Unanswered past its reply period, and the complaint period (15 working days after it)
    // over too: refused with the last day, computed on the calendar.
    flow.advance(40 * DAY);
    let calendar = domain::Calendar::parse_csv(app::SHIPPED_CALENDAR).unwrap();
    let reply_due = calendar.add_working_days(raised, 7);
    let procedure = flow.public(&format!("/api/v1/procedures/{id}")).await;
    let recorded = procedure["lots"][0]["award"]["objections"][0]["reply_due_ms"]
        .as_i64()
        .unwrap();
    assert_eq!(
        Date::of_day_end(recorded),
        reply_due,
        "7 working days to answer"
    );
    let last = calendar.add_working_days(reply_due, 15);
    let supplier = flow.token("bidder").await;
    let size = flow.server.ledger_size().await;
    let body = refused(
        flow.call(
            &supplier,
            Method::POST,
            "/api/v1/complaints",
            Some(complaint),
        )
        .await,
        422,
        "CASE_LATE",
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&last.to_string()),
        "the last day {last}: {body}"
    );
    assert_eq!(flow.server.ledger_size().await, size);
}

#[tokio::test]
async fn an_anonymous_report_never_names_its_reporter() {
    let flow = Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (id, lot, _) = flow.publish(&tenderee, "杭州市某小学改扩建工程").await;
    let contact = "举报人电话13900001234";
    // Anonymous, from the page, with evidence; the query code is shown once.
    let (content_type, body) = multipart(
        &[
            ("target", &lot),
            (
                "facts",
                "投标人之间疑似串通：多家投标文件由同一台电脑编制。",
            ),
            ("contact", contact),
        ],
        &[("线索.txt", "同一编制机器".as_bytes())],
    );
    let response = reqwest::Client::new()
        .post(flow.server.url("/reports"))
        .header("origin", flow.server.url(""))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    let marker = "id=\"query-code\">";
    let start = page.find(marker).expect("the query code") + marker.len();
    let code = page[start..start + 16].to_string();
    // The reporter follows it with the code, in a form body.
    let query = reqwest::Client::new()
        .post(flow.server.url("/reports/query"))
        .header("origin", flow.server.url(""))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("code={code}"))
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);
    let status_page = query.text().await.unwrap();
    assert!(status_page.contains("已接收"), "{status_page}");
    assert!(
        !status_page.contains(contact),
        "the query page shows no contact"
    );
    let wrong = reqwest::Client::new()
        .post(flow.server.url("/api/v1/reports/query"))
        .json(&json!({"code": "WRONGCODE0000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(wrong["code"], "QUERY_CODE_UNKNOWN");
    // A signed-in bidder reports too, anonymously by default: its entity is never recorded.
    let bidder = flow.token("bidder2").await;
    let me = flow.ok(&bidder, Method::GET, "/api/v1/me", None).await;
    let entity = me["entity_id"].as_str().unwrap().to_string();
    let filed = flow
        .ok(
            &bidder,
            Method::POST,
            "/api/v1/reports",
            Some(json!({"target": id, "facts": "招标人指定品牌。", "contact": contact})),
        )
        .await;
    let case = filed["case"].as_str().unwrap().to_string();

    // The department handles it, sees the contact, decides, and publishes.
    let supervisor = flow.token("supervisor").await;
    let seen = flow
        .ok(
            &supervisor,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await;
    assert_eq!(seen["case"]["filing"]["contact"], contact);
    assert!(seen["case"]["filing"]["complainant"].is_null(), "{seen}");
    let acts = format!("/api/v1/cases/{case}/acts");
    flow.ok(
        &supervisor,
        Method::POST,
        &acts,
        Some(json!({"act": "accept"})),
    )
    .await;
    let draft = json!({"kind": "report_unfounded", "reasons": "经查，招标文件未指定品牌。", "basis": "招标投标法实施条例 第32条"});
    let to_sign = flow
        .ok(
            &supervisor,
            Method::POST,
            &format!("/api/v1/cases/{case}/decision/to-sign"),
            Some(draft.clone()),
        )
        .await;
    let (certificate, signature) = sign(&flow, "supervisor", &to_sign);
    flow.ok(
        &supervisor,
        Method::POST,
        &format!("/api/v1/cases/{case}/decision"),
        Some(json!({"draft": draft, "certificate": certificate, "signature": signature})),
    )
    .await;
    flow.ok(
        &supervisor,
        Method::POST,
        &acts,
        Some(json!({"act": "publish"})),
    )
    .await;

    // Nothing public names the reporter: not the ledger (headers or payloads), not the
    // decisions, not the pages; the bidder itself finds no case of its own.
    let anonymous = reqwest::Client::new();
    let ledger = entries(&flow, None).await;
    assert!(
        !ledger.contains(contact),
        "no contact anywhere in the ledger"
    );
    let mut public = case_entries(&ledger);
    assert!(public.contains("case.published"), "{public}");
    for path in [
        "/api/v1/supervision/decisions",
        "/supervision/decisions",
        &format!("/procedures/{id}"),
        "/search?q=%E4%B8%B2%E9%80%9A",
    ] {
        let response = anonymous.get(flow.server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        public.push_str(&response.text().await.unwrap());
    }
    assert!(public.contains(&case), "the decision is public");
    for secret in [
        contact,
        entity.as_str(),
        "bidder2",
        "温州瓯江建工集团有限公司",
    ] {
        assert!(!public.contains(secret), "{secret} leaked");
    }
    // Nor a supervisor of another department: a case's entries are its departments' only.
    let finance = flow.token("finance").await;
    let elsewhere = case_entries(&entries(&flow, Some(&finance)).await);
    assert!(
        !elsewhere.contains("招标人指定品牌"),
        "another department reads no report"
    );
    assert!(case_entries(&entries(&flow, Some(&supervisor)).await).contains("招标人指定品牌"));
    // The query code shows the progress and the outcome, nothing of the investigation.
    let progress: Value = reqwest::Client::new()
        .post(flow.server.url("/api/v1/reports/query"))
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(progress["case"]["filing"]["contact"], "", "{progress}");
    assert!(progress["case"]["requests"].as_array().unwrap().is_empty());
    // Nor another party's view of the case's entries, signed in.
    let other = flow.token("bidder").await;
    let seen = case_entries(&entries(&flow, Some(&other)).await);
    for secret in [contact, entity.as_str(), "温州瓯江建工集团有限公司"] {
        assert!(!seen.contains(secret), "{secret} leaked to another party");
    }
    let mine = flow.ok(&bidder, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(mine["total"], 0, "an anonymous report is nobody's case");
    refused(
        flow.call(&bidder, Method::GET, &format!("/api/v1/cases/{case}"), None)
            .await,
        404,
        "CASE_NOT_FOUND",
    );
    // Anonymous reports from one address are limited per hour (the page's counted too).
    let mut statuses = Vec::new();
    for n in 0..20 {
        let response = reqwest::Client::new()
            .post(flow.server.url("/api/v1/reports"))
            .json(&json!({"target": id, "facts": format!("线索{n}")}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
    verify(&flow).await;
}

#[tokio::test]
async fn a_joint_investigation_shows_the_case_to_each_department() {
    let flow = Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (id, _, _) = flow.publish(&tenderee, "杭州市某中学运动场改造工程").await;
    let filed = flow
        .ok(
            &tenderee,
            Method::POST,
            "/api/v1/reports",
            Some(json!({"target": id, "facts": "代理机构工作人员泄露潜在投标人名单。", "anonymous": false})),
        )
        .await;
    let case = filed["case"].as_str().unwrap().to_string();
    let supervisor = flow.token("supervisor").await;
    let finance = flow.token("finance").await;
    let auditor = flow.token("auditor").await;
    let acts = format!("/api/v1/cases/{case}/acts");
    refused(
        flow.call(
            &finance,
            Method::POST,
            &acts,
            Some(json!({"act": "accept"})),
        )
        .await,
        403,
        "NOT_AUTHORIZED",
    );
    flow.ok(
        &supervisor,
        Method::POST,
        &acts,
        Some(json!({"act": "accept"})),
    )
    .await;
    refused(
        flow.call(
            &supervisor,
            Method::POST,
            &acts,
            Some(json!({"act": "join", "departments": ["zj-nowhere"]})),
        )
        .await,
        422,
        "CASE_DEPARTMENT",
    );
    flow.ok(
        &supervisor,
        Method::POST,
        &acts,
        Some(json!({"act": "join", "departments": ["zj-finance"]})),
    )
    .await;
    // Each department has it in its queue and may act; the oversight channel sees it too.
    for token in [&supervisor, &finance, &auditor] {
        let queue = flow.ok(token, Method::GET, "/api/v1/cases", None).await;
        assert!(
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == case.as_str()),
            "{queue}"
        );
    }
    flow.ok(
        &finance,
        Method::POST,
        &acts,
        Some(json!({"act": "pause_clock", "reason": "委托专家评审"})),
    )
    .await;
    let seen = flow
        .ok(
            &supervisor,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await;
    assert_eq!(seen["case"]["joint"][0], "zj-finance");
    assert_eq!(seen["joint_names"][0], "浙江省财政厅");
    assert!(seen["case"]["paused"].is_array(), "{seen}");
    // The auditor reads, never acts.
    refused(
        flow.call(
            &auditor,
            Method::POST,
            &acts,
            Some(json!({"act": "resume_clock"})),
        )
        .await,
        403,
        "NOT_AUTHORIZED",
    );
    // A penalty: noticed to the party, its statement heard, then decided with the report; the
    // suspension of its qualification bars it from trading at once.
    let party = flow.token("bawu").await;
    let me = flow.ok(&party, Method::GET, "/api/v1/me", None).await;
    let party_entity = me["entity_id"].as_str().unwrap().to_string();
    let penalty = json!({"kind": "suspend_qualification", "months": 12});
    flow.ok(
        &finance,
        Method::POST,
        &acts,
        Some(json!({"act": "notice_penalty", "entity": party_entity, "penalty": penalty, "facts": "向代理机构人员获取潜在投标人名单"})),
    )
    .await;
    let draft = json!({
        "kind": "report_founded",
        "reasons": "经查属实。",
        "basis": "招标投标法实施条例 第77条",
        "penalties": [{"entity": party_entity, "penalty": penalty}],
    });
    let to_sign = flow
        .ok(
            &finance,
            Method::POST,
            &format!("/api/v1/cases/{case}/decision/to-sign"),
            Some(draft.clone()),
        )
        .await;
    let (certificate, signature) = sign(&flow, "finance", &to_sign);
    let decide = json!({"draft": draft, "certificate": certificate, "signature": signature});
    let body = refused(
        flow.call(
            &finance,
            Method::POST,
            &format!("/api/v1/cases/{case}/decision"),
            Some(decide.clone()),
        )
        .await,
        422,
        "CASE_PENALTY",
    );
    assert!(
        body["message"].as_str().unwrap().contains("陈述、申辩"),
        "{body}"
    );
    let (content_type, statement) = multipart(
        &[
            ("kind", "statement"),
            ("text", "名单系公开渠道获得"),
            ("hearing", "1"),
        ],
        &[],
    );
    let response = reqwest::Client::new()
        .post(flow.server.url(&format!("/cases/{case}/reply")))
        .bearer_auth(&party)
        .header("content-type", content_type)
        .body(statement)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // The party asked for a hearing: none held, no penalty.
    let body = refused(
        flow.call(
            &finance,
            Method::POST,
            &format!("/api/v1/cases/{case}/decision"),
            Some(decide.clone()),
        )
        .await,
        422,
        "CASE_PENALTY",
    );
    assert!(body["message"].as_str().unwrap().contains("听证"), "{body}");
    flow.ok(
        &finance,
        Method::POST,
        &acts,
        Some(json!({"act": "record_hearing", "entity": party_entity, "record": "听证笔录：当事人称名单来自公开渠道，未能提供证据。"})),
    )
    .await;
    flow.ok(
        &finance,
        Method::POST,
        &format!("/api/v1/cases/{case}/decision"),
        Some(decide),
    )
    .await;
    let seen = flow
        .ok(&party, Method::GET, &format!("/api/v1/cases/{case}"), None)
        .await;
    assert_eq!(seen["case"]["penalties"][0]["hearing_requested"], true);
    // The penalty is the party's credit record, with the decision as its source and the
    // suspension's end as its last day.
    let credit = flow
        .public(format!("/api/v1/credit/subjects/{party_entity}"))
        .await;
    let record = &credit["file"]["records"][0];
    assert_eq!(record["fact"], "qualification_suspended", "{credit}");
    assert_eq!(record["source"]["type"], "decision");
    assert_eq!(record["source"]["case"], case.as_str());
    assert!(!record["valid_until"].is_null());
    assert!(
        seen["case"]["filing"]["complainant"].is_null(),
        "a report's reporter, even named, is kept from the party reported"
    );
    let (_, lot, _) = flow.publish(&tenderee, "杭州市某中学体育馆工程").await;
    refused(
        flow.call(
            &party,
            Method::POST,
            &format!("/api/v1/lots/{lot}/registration"),
            None,
        )
        .await,
        403,
        "ENTITY_NOT_ACTIVE",
    );
    // A named reporter sees its own report's progress, by its entity.
    let own = flow.ok(&tenderee, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(own["items"][0]["id"], case.as_str());
    // Overdue cases are flagged in every queue: 40 days on, the paused clock aside, acceptance
    // long done; a second report left unaccepted is overdue.
    let late = flow
        .ok(
            &tenderee,
            Method::POST,
            "/api/v1/reports",
            Some(json!({"target": id, "facts": "评标室外有人传递纸条。"})),
        )
        .await;
    flow.advance(10 * DAY);
    let auditor = flow.token("auditor").await;
    let overdue = flow
        .ok(&auditor, Method::GET, "/api/v1/cases?overdue=1", None)
        .await;
    let ids: Vec<&str> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![late["case"].as_str().unwrap()], "{overdue}");
    assert!(overdue["items"][0]["days_left"].as_i64().unwrap() < 0);
    let page = flow.server.login_page("auditor").await;
    let html = page
        .get(flow.server.url("/cases?overdue=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已逾期"), "{html}");
    // The department's head is told, on its queue.
    let head = flow.server.login_page("supervisor").await;
    let html = head
        .get(flow.server.url("/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("负责人提示：浙江省发展和改革委员会有 1 件"),
        "{html}"
    );
    let other = flow.server.login_page("finance").await;
    let html = other
        .get(flow.server.url("/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("负责人提示"), "finance has nothing overdue");
    verify(&flow).await;
}

#[tokio::test]
async fn bad_filings_get_a_clear_refusal_and_write_nothing() {
    let flow = Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (id, lot, _) = flow.publish(&tenderee, "杭州市某幼儿园新建工程").await;
    let size = flow.server.ledger_size().await;
    let post = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, Vec<u8>)>| {
        let flow = &flow;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let files: Vec<(&str, &[u8])> = files.iter().map(|(k, v)| (*k, v.as_slice())).collect();
            let (content_type, body) = multipart(&fields, &files);
            let response = reqwest::Client::new()
                .post(flow.server.url("/reports"))
                .header("origin", flow.server.url(""))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let facts = || ("facts", "线索".to_string());
    for (fields, files, status, code) in [
        (
            vec![("target", "NOPE-1".to_string()), facts()],
            vec![],
            404,
            "NOT_FOUND",
        ),
        (
            vec![("target", format!("{id}999")), facts()],
            vec![],
            404,
            "LOT_NOT_FOUND",
        ),
        (
            vec![("target", lot.clone()), ("facts", " ".into())],
            vec![],
            422,
            "FIELD_REQUIRED",
        ),
        (
            vec![("target", lot.clone()), ("facts", "a\u{1b}b".into())],
            vec![],
            422,
            "CONTROL_CHARACTER",
        ),
        (
            vec![("target", lot.clone()), facts()],
            vec![("大.bin", vec![0u8; app::MAX_EVIDENCE_BYTES + 1])],
            413,
            "EVIDENCE_TOO_LARGE",
        ),
        (
            vec![("target", lot.clone()), facts()],
            vec![("空.txt", vec![])],
            422,
            "EVIDENCE_INVALID",
        ),
        (
            vec![("target", lot.clone()), facts()],
            (0..11).map(|_| ("a.txt", b"x".to_vec())).collect(),
            422,
            "EVIDENCE_INVALID",
        ),
    ] {
        let (got, page) = post(fields, files).await;
        assert_eq!(got, status, "{code}: {page}");
        assert!(page.contains(code), "{code}: {page}");
        assert!(page.contains("举报"), "the form again: {page}");
    }
    // A complaint by someone who is not a bidder at all is refused by the access layer.
    let operator = flow.token("operator").await;
    refused(
        flow.call(
            &operator,
            Method::POST,
            "/api/v1/complaints",
            Some(json!({"lot": lot, "subject": "result", "facts": "x", "grounds": "x", "request": "x"})),
        )
        .await,
        403,
        "NOT_AUTHORIZED",
    );
    let bidder = flow.token("bidder").await;
    refused(
        flow.call(
            &bidder,
            Method::POST,
            "/api/v1/complaints",
            Some(json!({"lot": lot, "subject": "everything", "facts": "x", "grounds": "x", "request": "x"})),
        )
        .await,
        422,
        "OBJECTION_SUBJECT",
    );
    assert_eq!(
        flow.server.ledger_size().await,
        size,
        "refusals write nothing"
    );
    let store = flow.server.app().store();
    for content in [b"x".as_slice(), "线索".as_bytes()] {
        assert!(
            store
                .blob(&crypto::sm3(content).to_hex())
                .await
                .unwrap()
                .is_none(),
            "no evidence kept"
        );
    }
}
