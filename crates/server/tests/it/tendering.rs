//! Electronic tendering over HTTP: the key ceremony relayed through the API, a procedure from
//! draft to the published opening record with several bidders streaming sealed envelopes, key
//! holders checking the ledger before decrypting, and what nobody may see before the opening.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use app::{DemoCertificate, HolderFile};
use crypto::{BidPackage, Envelope, PlatformKey, PublicKey, SealRequest, machine_fingerprint};
use serde_json::{Value, json};

use crate::support::{TestServer, spawn_app_with_clock};

/// 2026-12-01 09:30 Beijing time.
const START_MS: i64 = 1_796_088_600_000;
const DAY: i64 = 86_400_000;

pub(crate) struct Flow {
    pub(crate) server: TestServer,
    pub(crate) clock: Arc<AtomicI64>,
    pub(crate) certificates: Vec<DemoCertificate>,
}

impl Flow {
    pub(crate) async fn new() -> Self {
        let clock = Arc::new(AtomicI64::new(START_MS));
        let reader = clock.clone();
        let (server, certificates) =
            spawn_app_with_clock(Arc::new(move || reader.load(Ordering::SeqCst))).await;
        Self {
            server,
            clock,
            certificates,
        }
    }

    /// A public GET, as JSON.
    pub(crate) async fn public(&self, path: impl AsRef<str>) -> Value {
        reqwest::get(self.server.url(path.as_ref()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub(crate) fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    /// A bearer-token client of `username` (as a tool would use the API).
    pub(crate) async fn token(&self, username: &str) -> String {
        self.server.api_token(username).await
    }

    pub(crate) async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new().request(method, self.server.url(path));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The supervisor's contribution to a committed draw (the answer of `POST /api/v1/draws`),
    /// which reveals it; answers the draw's public record.
    pub(crate) async fn contribute(&self, drawn: &Value) -> Value {
        let supervisor = self.token("supervisor").await;
        let id = drawn["id"].as_str().unwrap();
        self.ok(
            &supervisor,
            reqwest::Method::POST,
            &format!("/api/v1/draws/{id}/contribution"),
            Some(serde_json::json!({
                "commitment": drawn["commitment"],
                "value": "a5".repeat(32),
            })),
        )
        .await
    }

    /// A call refused with `status` and `code`; answers the refusal's body.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn refused(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        status: u16,
        code: &str,
    ) -> Value {
        let (got, body) = self.call(token, method, path, body).await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "{path}: {body}"
        );
        body
    }

    pub(crate) async fn ok(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (status, body) = self.call(token, method, path, body).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// The 2-of-3 ceremony, every step through the API.
    pub(crate) async fn ceremony(&self, id: &str) -> Vec<(HolderFile, String)> {
        let operator = self.token("operator").await;
        let seats = [
            (1, "operator", "交易中心"),
            (2, "supervisor", "行政监督部门"),
            (3, "auditor", "第三方（公证机构）"),
        ];
        self.ok(
            &operator,
            reqwest::Method::POST,
            "/api/v1/ceremonies",
            Some(json!({
                "id": id,
                "threshold": 2,
                "seats": seats.iter().map(|(i, a, l)| json!({"index": i, "account": a, "label": l})).collect::<Vec<_>>(),
            })),
        )
        .await;
        let head: Value = self.public("/api/v1/ledger/head").await;
        let platform = PublicKey::from_hex(head["public_key"].as_str().unwrap()).unwrap();
        let mut holders = Vec::new();
        for (index, account, _) in seats {
            let token = if account == "operator" {
                operator.clone()
            } else {
                self.token(account).await
            };
            holders.push((HolderFile::new(id, index, account, &platform), token));
        }
        let path = format!("/api/v1/ceremonies/{id}");
        for (holder, token) in &holders {
            let request = serde_json::to_value(holder.join_request().unwrap()).unwrap();
            self.ok(
                token,
                reqwest::Method::POST,
                &format!("{path}/join"),
                Some(request),
            )
            .await;
        }
        // A holder cannot act for another seat.
        let (status, body) = self
            .call(
                &holders[1].1,
                reqwest::Method::POST,
                &format!("{path}/deal"),
                Some(json!({"index": 1, "commitments": [], "shares": [], "signature": ""})),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str().unwrap()),
            (403, "NOT_KEY_HOLDER")
        );
        for (holder, token) in &mut holders {
            let ceremony = self.ceremony_state(id).await;
            let request = serde_json::to_value(holder.deal(&ceremony).unwrap()).unwrap();
            self.ok(
                token,
                reqwest::Method::POST,
                &format!("{path}/deal"),
                Some(request),
            )
            .await;
        }
        for (holder, token) in &mut holders {
            let ceremony = self.ceremony_state(id).await;
            let request = holder.confirm(&ceremony).unwrap().unwrap();
            let request = serde_json::to_value(request).unwrap();
            self.ok(
                token,
                reqwest::Method::POST,
                &format!("{path}/confirm"),
                Some(request),
            )
            .await;
        }
        let ceremony = self.ceremony_state(id).await;
        assert_eq!(ceremony.status.as_str(), "active");
        holders
    }

    async fn ceremony_state(&self, id: &str) -> domain::Ceremony {
        let body: Value = self.public(&format!("/api/v1/ceremonies/{id}")).await;
        serde_json::from_value(body).unwrap()
    }

    /// The tenderee drafts, uploads the documents and publishes; returns (procedure, lot, key).
    pub(crate) async fn publish(&self, tenderee: &str, title: &str) -> (String, String, String) {
        let body = self
            .ok(
                tenderee,
                reqwest::Method::POST,
                "/api/v1/procedures",
                Some(json!({
                    "project_code": "2026-330106-48-01-512345",
                    "title": title,
                    "category": "construction",
                    "method": "open_tender",
                    "region": "330100",
                    "description": "新建教学楼一幢，建筑面积12000平方米。",
                    "qualification": "建筑工程施工总承包二级及以上。",
                    "lots": [{"name": "施工标段", "budget_fen": 3_800_000_000_i64}],
                    "deadline": "2026-12-28 09:30",
                    "contact": "王老师 0571-87000000",
                })),
            )
            .await;
        let id = body["procedure"]["id"].as_str().unwrap().to_string();
        let response = reqwest::Client::new()
            .put(self.server.url(&format!(
                "/api/v1/procedures/{id}/documents?name=%E6%8B%9B%E6%A0%87%E6%96%87%E4%BB%B6.pdf"
            )))
            .bearer_auth(tenderee)
            .body(b"%PDF-1.7 tender documents".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body = self
            .ok(
                tenderee,
                reqwest::Method::POST,
                &format!("/api/v1/procedures/{id}/publish"),
                None,
            )
            .await;
        let lot = body["procedure"]["lots"][0]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let key = body["procedure"]["opening_key"]["public_key"]
            .as_str()
            .unwrap()
            .to_string();
        (id, lot, key)
    }

    pub(crate) fn seal(
        &self,
        username: &str,
        entity: &str,
        lot: &str,
        key: &str,
        price: i64,
    ) -> Vec<u8> {
        let certificate = self
            .certificates
            .iter()
            .find(|c| c.username == username)
            .unwrap();
        let package = BidPackage {
            form: json!({"price_fen": price, "duration_days": 480, "quality": "合格"}),
            files: vec![("技术标/施工组织设计.txt".into(), vec![b'x'; 300_000])],
        }
        .to_bytes()
        .unwrap();
        Envelope::seal(SealRequest {
            recovery_key: None,
            package: &package,
            lot,
            bidder: entity,
            opening_key: &PublicKey::from_hex(key).unwrap(),
            signer: &PlatformKey::from_pkcs8_pem(&certificate.key_pem).unwrap(),
            certificate_pem: &certificate.cert_pem,
            machine_fingerprint: machine_fingerprint(username.as_bytes(), &["pc"]),
            document_copy: "",
            tool: "",
            created_at_ms: START_MS,
        })
        .unwrap()
        .to_bytes()
        .unwrap()
    }

    /// A bidder registers, downloads the documents and streams its envelope; returns the body.
    pub(crate) async fn bid(&self, username: &str, lot: &str, key: &str, price: i64) -> Value {
        let token = self.token(username).await;
        let me = self
            .ok(&token, reqwest::Method::GET, "/api/v1/me", None)
            .await;
        let entity = me["entity_id"].as_str().unwrap().to_string();
        self.ok(
            &token,
            reqwest::Method::POST,
            &format!("/api/v1/lots/{lot}/registration"),
            None,
        )
        .await;
        let documents = reqwest::Client::new()
            .get(self.server.url(&format!("/api/v1/lots/{lot}/documents")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(documents.status(), 200);
        assert_eq!(
            documents.bytes().await.unwrap().as_ref(),
            b"%PDF-1.7 tender documents"
        );
        let envelope = self.seal(username, &entity, lot, key, price);
        // Streamed in 64 KiB pieces, as a slow upload arrives.
        let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
            envelope.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
        let response = reqwest::Client::new()
            .put(self.server.url(&format!("/api/v1/lots/{lot}/bid")))
            .bearer_auth(&token)
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                pieces,
            )))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["envelope_sm3"].as_str().unwrap(),
            Envelope::from_bytes(&envelope)
                .unwrap()
                .digest()
                .unwrap()
                .to_hex()
        );
        body
    }
}

#[tokio::test]
async fn a_procedure_runs_from_draft_to_the_published_opening_record_over_http() {
    let flow = Flow::new().await;
    let holders = flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (id, lot, key) = flow
        .publish(&tenderee, "杭州市第十四中学新建教学楼工程")
        .await;

    // The announcement is on the portal at once.
    let notices: Value = flow
        .public(&format!(
            "/api/v1/announcements?procedure={id}&kind=tender_notice"
        ))
        .await;
    assert_eq!(notices["total"], 1);
    assert!(notices["items"][0]["body"].as_str().unwrap().contains(&lot));

    let mut receipts = Vec::new();
    for (username, price) in [
        ("bidder", 3_650_000_000_i64),
        ("bidder2", 3_700_000_000),
        ("yuecheng", 3_720_000_000),
        ("bawu", 3_600_000_000),
    ] {
        receipts.push(flow.bid(username, &lot, &key, price).await);
    }
    // The receipt: a signed head and an inclusion proof that check offline.
    let receipt = &receipts[0]["receipt"];
    let head = &receipt["tree_head"];
    let path: Vec<crypto::Sm3Hash> = receipt["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| crypto::Sm3Hash::from_hex(h.as_str().unwrap()).unwrap())
        .collect();
    ledger::verify_inclusion(
        &crypto::Sm3Hash::from_hex(receipt["leaf_hash"].as_str().unwrap()).unwrap(),
        receipt["seq"].as_u64().unwrap(),
        head["size"].as_u64().unwrap(),
        &path,
        &crypto::Sm3Hash::from_hex(head["root"].as_str().unwrap()).unwrap(),
    )
    .unwrap();

    // Before the opening nobody but the bidder sees its bid: not the tenderee, not the trading
    // center, not another bidder; the ledger shows the bid entries to the public as hashes only.
    let operator = flow.token("operator").await;
    let supervisor = flow.token("supervisor").await;
    for token in [&tenderee, &operator, &supervisor] {
        let (status, _) = flow
            .call(
                token,
                reqwest::Method::GET,
                &format!("/api/v1/lots/{lot}/bid"),
                None,
            )
            .await;
        assert_eq!(status, 403);
        let (status, _) = flow
            .call(token, reqwest::Method::GET, "/api/v1/bids", None)
            .await;
        assert_eq!(status, 403);
    }
    let bidder2 = flow.token("bidder2").await;
    let mine = flow
        .ok(&bidder2, reqwest::Method::GET, "/api/v1/bids", None)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // The ledger shows bid entries as commitments only — to the public, the tenderee, the
    // trading center and supervision alike; the bidder sees its own.
    for token in [
        "",
        tenderee.as_str(),
        operator.as_str(),
        supervisor.as_str(),
    ] {
        let (status, entries) = flow
            .call(
                token,
                reqwest::Method::GET,
                "/api/v1/ledger/entries?from=0&to=1000",
                None,
            )
            .await;
        assert_eq!(status, 200);
        for entry in entries["entries"].as_array().unwrap() {
            if entry["stream"].as_str().unwrap().starts_with("bid/") {
                assert!(entry["payload"].is_null(), "{entry}");
            }
        }
    }
    let (_, entries) = flow
        .call(
            &bidder2,
            reqwest::Method::GET,
            "/api/v1/ledger/entries?from=0&to=1000",
            None,
        )
        .await;
    let own: Vec<&Value> = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["stream"].as_str().unwrap().starts_with("bid/") && !e["payload"].is_null())
        .collect();
    assert!(!own.is_empty());
    // Even the public parts of a bid's entries say nothing of who or which lot.
    for entry in entries["entries"].as_array().unwrap() {
        let stream = entry["stream"].as_str().unwrap();
        if stream.starts_with("bid/") {
            assert!(!stream.contains(&lot), "{stream}");
            assert!(!stream.contains(mine[0]["bid"]["bidder"].as_str().unwrap()));
            assert_eq!(entry["actor"], "bidder");
        }
    }
    let procedure: Value = flow.public(&format!("/api/v1/procedures/{id}")).await;
    let text = procedure.to_string();
    for receipt in &receipts {
        assert!(!text.contains(receipt["envelope_sm3"].as_str().unwrap()));
    }
    assert!(!text.contains("温州瓯江建工集团有限公司"));

    // Before the deadline: opening refused; a holder's tool refuses too.
    let (status, body) = flow
        .call(
            &tenderee,
            reqwest::Method::POST,
            &format!("/api/v1/lots/{lot}/opening"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (409, "BIDDING_STILL_OPEN")
    );

    // After the deadline a bid is refused, and the opening starts.
    flow.advance(28 * DAY);
    let bawu = flow.token("bawu").await;
    let (status, body) = flow
        .call(
            &bawu,
            reqwest::Method::DELETE,
            &format!("/api/v1/lots/{lot}/bid"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (409, "BID_TOO_LATE")
    );
    flow.ok(
        &tenderee,
        reqwest::Method::POST,
        &format!("/api/v1/lots/{lot}/opening"),
        None,
    )
    .await;

    // Each holder checks the opening in the ledger and sends its partials; a forged partial is
    // refused and named, and two good ones open every bid.
    let request: app::OpeningRequest = serde_json::from_value(
        flow.ok(
            &tenderee,
            reqwest::Method::GET,
            &format!("/api/v1/lots/{lot}/opening"),
            None,
        )
        .await,
    )
    .unwrap();
    let mut forged = holders[2].0.partials(&request).unwrap();
    forged.partials[0].point = forged.partials[1].point.clone();
    let (status, body) = flow
        .call(
            &holders[2].1,
            reqwest::Method::POST,
            &format!("/api/v1/lots/{lot}/partials"),
            Some(serde_json::to_value(forged).unwrap()),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (422, "PARTIAL_PROOF_INVALID")
    );
    for (holder, token) in &holders[..2] {
        let partials = serde_json::to_value(holder.partials(&request).unwrap()).unwrap();
        flow.ok(
            token,
            reqwest::Method::POST,
            &format!("/api/v1/lots/{lot}/partials"),
            Some(partials),
        )
        .await;
    }
    let opened: Value = flow.public(&format!("/api/v1/procedures/{id}")).await;
    let lot_state = &opened["lots"][0];
    assert_eq!(lot_state["status"]["status"], "opened", "{lot_state}");
    // Which holders decrypted is public; their partial decryptions are not.
    let partials = lot_state["partials"].as_array().unwrap();
    assert_eq!(partials.len(), 2);
    assert!(partials.iter().all(|p| {
        p[1].as_array()
            .unwrap()
            .iter()
            .all(|d| d["point"] == "" && d["proof"] == "")
    }));
    let lines = lot_state["opening"].as_array().unwrap();
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l["outcome"]["outcome"] == "opened"));
    assert!(
        lines
            .iter()
            .any(|l| l["price_fen"] == 3_600_000_000_i64 && l["form"]["duration_days"] == "480")
    );
    let records: Value = flow
        .public(&format!(
            "/api/v1/announcements?procedure={id}&kind=opening_record"
        ))
        .await;
    assert_eq!(records["total"], 1);
    let record = records["items"][0]["body"].as_str().unwrap();
    assert!(record.contains("36,000,000.00"), "{record}");
    assert!(record.contains("金华八婺水利建设有限公司"));
}

#[tokio::test]
async fn with_two_bids_the_lot_fails_and_a_failure_notice_is_published() {
    let flow = Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (id, lot, key) = flow.publish(&tenderee, "临安区农村饮用水提升工程").await;
    // Supervision suspends the lot while a complaint is reviewed: no registration meanwhile;
    // the tenderee cannot suspend or resume; supervision resumes it.
    let supervisor = flow.token("supervisor").await;
    let suspend = format!("/api/v1/lots/{lot}/suspend");
    let (status, _) = flow
        .call(
            &tenderee,
            reqwest::Method::POST,
            &suspend,
            Some(json!({"reason": "x"})),
        )
        .await;
    assert_eq!(status, 403);
    let body = flow
        .ok(
            &supervisor,
            reqwest::Method::POST,
            &suspend,
            Some(json!({"reason": "收到投诉，暂停审查"})),
        )
        .await;
    assert_eq!(
        body["procedure"]["lots"][0]["status"]["status"],
        "suspended"
    );
    let bidder = flow.token("bidder").await;
    let (status, body) = flow
        .call(
            &bidder,
            reqwest::Method::POST,
            &format!("/api/v1/lots/{lot}/registration"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (409, "LOT_NOT_BIDDING")
    );
    let body = flow
        .ok(
            &supervisor,
            reqwest::Method::POST,
            &format!("/api/v1/lots/{lot}/resume"),
            None,
        )
        .await;
    assert_eq!(body["procedure"]["lots"][0]["status"]["status"], "bidding");
    flow.bid("bidder", &lot, &key, 10_000_000).await;
    flow.bid("bidder2", &lot, &key, 11_000_000).await;
    flow.advance(28 * DAY);
    let body = flow
        .ok(
            &tenderee,
            reqwest::Method::POST,
            &format!("/api/v1/lots/{lot}/opening"),
            None,
        )
        .await;
    assert_eq!(body["procedure"]["lots"][0]["status"]["status"], "failed");
    let notices: Value = flow
        .public(&format!(
            "/api/v1/announcements?procedure={id}&kind=failure_notice"
        ))
        .await;
    assert_eq!(notices["total"], 1);
    assert!(
        notices["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("少于3个")
    );
    // Open data says how many envelopes the failed lot received (red-flag tools count them).
    let package = flow.public("/api/v1/ocds/bulk/package.json").await;
    let failed = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|r| r["tender"]["id"] == lot.as_str())
        .unwrap()
        .clone();
    assert_eq!(failed["tender"]["status"], "unsuccessful", "{failed}");
    assert_eq!(failed["tender"]["numberOfTenderers"], 2, "{failed}");
    // No opening follows: holders are told there is nothing to open.
    let (status, body) = flow
        .call(
            &tenderee,
            reqwest::Method::GET,
            &format!("/api/v1/lots/{lot}/opening"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (409, "LOT_NOT_OPENING")
    );
}

/// The whole flow over HTTP: announcement with a bond, bonds, sealed bids, a committee drawn from
/// the expert database, declarations, the opening, scoring, the signed report, candidates, an
/// objection and its answer, the award (with the committee's names disclosed), the contract signed
/// by both parties, performance and the bonds' refund.
/// A construction lot taken over HTTP from the announcement to the award: a bond and a sealed
/// bid from each of three bidders, a committee drawn from the expert database, the opening, the
/// signed report, the candidates, an objection by the second bidder and its answer, the award
/// after the publicity.
pub(crate) struct Awarded {
    pub(crate) id: String,
    pub(crate) lot: String,
    pub(crate) draw: String,
    /// The winner's entity id, and the candidates in rank order.
    pub(crate) winner: String,
    pub(crate) candidates: Vec<String>,
    /// (username, API token, entity id) of each bidder.
    pub(crate) bidders: Vec<(&'static str, String, String)>,
}

pub(crate) async fn awarded_construction_lot(flow: &Flow) -> Awarded {
    use reqwest::Method;
    let holders = flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let operator = flow.token("operator").await;
    let body = flow
        .ok(
            &tenderee,
            Method::POST,
            "/api/v1/procedures",
            Some(json!({
                "project_code": "2026-330106-48-01-512377",
                "title": "杭州市第十五中学体育馆工程",
                "category": "construction",
                "method": "open_tender",
                "region": "330100",
                "description": "新建体育馆一座，建筑面积6000平方米。",
                "qualification": "建筑工程施工总承包二级及以上。",
                "lots": [{"name": "施工标段", "budget_fen": 3_800_000_000_i64, "bond_fen": 5_000_000}],
                "deadline": "2026-12-28 09:30",
                "contact": "王老师 0571-87000000",
            })),
        )
        .await;
    let id = body["procedure"]["id"].as_str().unwrap().to_string();
    let response = reqwest::Client::new()
        .put(flow.server.url(&format!(
            "/api/v1/procedures/{id}/documents?name=%E6%8B%9B%E6%A0%87%E6%96%87%E4%BB%B6.pdf"
        )))
        .bearer_auth(&tenderee)
        .body(b"%PDF-1.7 tender documents".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let published = flow
        .ok(
            &tenderee,
            Method::POST,
            &format!("/api/v1/procedures/{id}/publish"),
            None,
        )
        .await;
    let lot = published["procedure"]["lots"][0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let key = published["procedure"]["opening_key"]["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        published["procedure"]["lots"][0]["evaluation"]["method"]["method"],
        "construction_comprehensive"
    );

    // Bonds by transfer, confirmed by the trading center; then the sealed bids.
    let mut bidders = Vec::new();
    for (username, price) in [
        ("bidder", 3_650_000_000_i64),
        ("bidder2", 3_700_000_000),
        ("yuecheng", 3_720_000_000),
    ] {
        let token = flow.token(username).await;
        let me = flow.ok(&token, Method::GET, "/api/v1/me", None).await;
        let entity = me["entity_id"].as_str().unwrap().to_string();
        flow.ok(
            &token,
            Method::POST,
            &format!("/api/v1/lots/{lot}/bond/transfer"),
            Some(json!({"amount_fen": 5_000_000, "reference": format!("ZJ{username}")})),
        )
        .await;
        flow.ok(
            &operator,
            Method::POST,
            &format!("/api/v1/lots/{lot}/bonds/{entity}/confirm"),
            None,
        )
        .await;
        flow.bid(username, &lot, &key, price).await;
        bidders.push((username, token, entity));
    }

    // The committee: drawn, accounts opened, confirmed, declarations signed.
    let drawn = flow
        .ok(
            &operator,
            Method::POST,
            "/api/v1/draws",
            Some(json!({
                "lot": lot,
                "evaluation_date": "2026-12-29",
                "needs": [["A01", 5]],
                "backups": 0,
            })),
        )
        .await;
    let draw = drawn["id"].as_str().unwrap().to_string();
    // Committed, not yet drawn: the record is not there, and only a supervisor can put in the
    // contribution that reveals it.
    let refused = |(status, body): (u16, Value), want: u16, code: &str| {
        assert_eq!(status, want, "{body}");
        assert_eq!(body["code"], code, "{body}");
    };
    refused(
        flow.call(
            &operator,
            Method::GET,
            &format!("/api/v1/draws/{draw}"),
            None,
        )
        .await,
        409,
        "DRAW_PENDING",
    );
    let contribution = json!({
        "commitment": drawn["commitment"],
        "value": "0f".repeat(32),
    });
    let contribute = format!("/api/v1/draws/{draw}/contribution");
    refused(
        flow.call(
            &operator,
            Method::POST,
            &contribute,
            Some(contribution.clone()),
        )
        .await,
        403,
        "NOT_AUTHORIZED",
    );
    let supervisor = flow.token("supervisor").await;
    let mut wrong = contribution.clone();
    wrong["commitment"] = json!("00".repeat(32));
    refused(
        flow.call(&supervisor, Method::POST, &contribute, Some(wrong))
            .await,
        422,
        "DRAW_COMMITMENT_MISMATCH",
    );
    let revealed = flow
        .ok(
            &supervisor,
            Method::POST,
            &contribute,
            Some(contribution.clone()),
        )
        .await;
    assert_eq!(
        revealed["revealed"]["contributions"][0]["value"],
        "0f".repeat(32)
    );
    assert!(revealed["problem"].is_null(), "{}", revealed["problem"]);
    // The independent re-implementation re-checks the record, contribution included.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("draw.json");
    std::fs::write(&file, revealed.to_string()).unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/draw-reference.py"
    );
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.contains("OK   seed = SM3(secret || head_root || contributions)"),
        "{printed}"
    );
    // Once revealed, no second contribution.
    refused(
        flow.call(&supervisor, Method::POST, &contribute, Some(contribution))
            .await,
        409,
        "DRAW_NOT_PENDING",
    );
    let panel = flow
        .ok(
            &operator,
            Method::GET,
            &format!("/api/v1/draws/{draw}/panel"),
            None,
        )
        .await;
    let mut experts = Vec::new();
    for seat in panel["seats"].as_array().unwrap() {
        let pseudonym = seat["pseudonym"].as_str().unwrap().to_string();
        let record = flow
            .ok(
                &operator,
                Method::GET,
                &format!("/api/v1/experts/{pseudonym}"),
                None,
            )
            .await;
        let username = match record["account"].as_str() {
            Some(linked) => linked.to_string(),
            None => {
                flow.ok(
                    &operator,
                    Method::POST,
                    &format!("/api/v1/experts/{pseudonym}/account"),
                    Some(json!({"password": app::DEMO_PASSWORD})),
                )
                .await;
                domain::Expert::account_name(&pseudonym)
            }
        };
        let token = flow.token(&username).await;
        flow.ok(
            &token,
            Method::POST,
            &format!("/api/v1/draws/{draw}/confirm"),
            None,
        )
        .await;
        flow.ok(
            &token,
            Method::POST,
            &format!("/api/v1/draws/{draw}/declaration"),
            Some(json!({})),
        )
        .await;
        experts.push((pseudonym, token));
    }

    // The opening after the deadline, by two of the three key holders.
    flow.advance(28 * DAY);
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/opening"),
        None,
    )
    .await;
    let request: app::OpeningRequest = serde_json::from_value(
        flow.ok(
            &tenderee,
            Method::GET,
            &format!("/api/v1/lots/{lot}/opening"),
            None,
        )
        .await,
    )
    .unwrap();
    for (holder, token) in &holders[..2] {
        let partials = serde_json::to_value(holder.partials(&request).unwrap()).unwrap();
        flow.ok(
            token,
            Method::POST,
            &format!("/api/v1/lots/{lot}/partials"),
            Some(partials),
        )
        .await;
    }

    // 评标: start, a sheet from each expert, conclusion, signatures with their certificates.
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/evaluation"),
        None,
    )
    .await;
    let (status, body) = flow
        .call(
            &bidders[0].1,
            Method::GET,
            &format!("/api/v1/lots/{lot}/evaluation"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("NOT_AUTHORIZED"))
    );
    for (n, (_, token)) in experts.iter().enumerate() {
        let view = flow
            .ok(
                token,
                Method::GET,
                &format!("/api/v1/lots/{lot}/evaluation"),
                None,
            )
            .await;
        let mut verdicts = Vec::new();
        let mut scores = Vec::new();
        for bid in view["bids"].as_array().unwrap() {
            let bidder = bid["bidder"].as_str().unwrap();
            for item in view["terms"]["items"].as_array().unwrap() {
                verdicts.push(json!({"bidder": bidder, "item": item, "pass": true, "reason": ""}));
            }
            scores.push(
                json!({"bidder": bidder, "factor": "organisation", "score": 2500 + n as i64 * 100}),
            );
            scores.push(json!({"bidder": bidder, "factor": "management", "score": 800}));
        }
        flow.ok(
            token,
            Method::PUT,
            &format!("/api/v1/lots/{lot}/evaluation/sheet"),
            Some(json!({"expert": "", "verdicts": verdicts, "scores": scores})),
        )
        .await;
    }
    flow.ok(
        &experts[0].1,
        Method::POST,
        &format!("/api/v1/lots/{lot}/evaluation/conclude"),
        None,
    )
    .await;
    let keys = app::seed_demo_expert_certificates(flow.server.app())
        .await
        .unwrap();
    for (pseudonym, token) in &experts {
        let view = flow
            .ok(
                token,
                Method::GET,
                &format!("/api/v1/lots/{lot}/evaluation"),
                None,
            )
            .await;
        let cert = keys.iter().find(|k| &k.pseudonym == pseudonym).unwrap();
        let signer = PlatformKey::from_pkcs8_pem(&cert.key_pem).unwrap();
        let signature = signer
            .sign(&crypto::canonical_json_bytes(&view["to_sign"]).unwrap())
            .to_hex();
        flow.ok(
            token,
            Method::POST,
            &format!("/api/v1/lots/{lot}/evaluation/signatures"),
            Some(json!({"certificate_pem": cert.cert_pem, "signature": signature})),
        )
        .await;
    }
    let report = flow
        .ok(
            &tenderee,
            Method::GET,
            &format!("/api/v1/lots/{lot}/evaluation"),
            None,
        )
        .await;
    assert_eq!(report["status"], "signed");
    let winner = report["outcome"]["candidates"][0]
        .as_str()
        .unwrap()
        .to_string();

    // 定标: candidates, an objection and its answer, the award after the publicity.
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/candidates"),
        None,
    )
    .await;
    flow.ok(
        &bidders[1].1,
        Method::POST,
        &format!("/api/v1/lots/{lot}/objections"),
        Some(json!({"text": "请核查第一中标候选人的类似工程业绩"})),
    )
    .await;
    let (status, body) = flow
        .call(
            &tenderee,
            Method::POST,
            &format!("/api/v1/lots/{lot}/award"),
            Some(json!({"winner": winner})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("AWARD_STEP")));
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/objections/1/answer"),
        Some(json!({"text": "经核查，业绩真实有效。"})),
    )
    .await;
    flow.advance(4 * DAY);
    // The API tokens made a month ago have expired: new ones.
    let tenderee = flow.token("tenderee").await;
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/award"),
        Some(json!({"winner": winner})),
    )
    .await;
    let candidates = report["outcome"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    Awarded {
        id,
        lot,
        draw,
        winner,
        candidates,
        bidders,
    }
}

#[tokio::test]
async fn a_procurement_of_works_runs_from_announcement_to_contract_over_http() {
    use reqwest::Method;
    let flow = Flow::new().await;
    let Awarded {
        id,
        lot,
        draw,
        winner,
        bidders,
        ..
    } = awarded_construction_lot(&flow).await;
    let tenderee = flow.token("tenderee").await;
    let operator = flow.token("operator").await;
    let record = flow.public(&format!("/api/v1/draws/{draw}")).await;
    assert!(record["problem"].is_null(), "{record}");
    assert_eq!(record["disclosed"]["names"].as_array().unwrap().len(), 5);

    // The contract, signed by the tenderee and the winner; performance; the bonds go back.
    let contract = "建设工程施工合同（演示）".as_bytes();
    let payload = json!({"lot": lot, "contract_sm3": crypto::sm3(contract).to_hex()});
    let winner_username = bidders
        .iter()
        .find(|(_, _, entity)| *entity == winner)
        .map(|(u, _, _)| *u)
        .unwrap();
    let signature_of = |username: &str| {
        let cert = flow
            .certificates
            .iter()
            .find(|c| c.username == username)
            .unwrap();
        let key = PlatformKey::from_pkcs8_pem(&cert.key_pem).unwrap();
        json!({
            "certificate_pem": cert.cert_pem,
            "signature": key.sign(&crypto::canonical_json_bytes(&payload).unwrap()).to_hex(),
        })
    };
    use base64::Engine;
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/contract"),
        Some(json!({
            "name": "施工合同.pdf",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(contract),
            "signatures": [signature_of("tenderee"), signature_of(winner_username)],
        })),
    )
    .await;
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/performance"),
        Some(json!({"text": "基础工程完成"})),
    )
    .await;
    let refunded = flow
        .ok(
            &operator,
            Method::POST,
            &format!("/api/v1/lots/{lot}/bonds/refund"),
            None,
        )
        .await;
    assert_eq!(refunded["receipts"].as_array().unwrap().len(), 3);
    let procedure = flow.public(&format!("/api/v1/procedures/{id}")).await;
    assert_eq!(procedure["lots"][0]["status"]["status"], "performing");
    let announcements = flow
        .public(&format!("/api/v1/announcements?procedure={id}"))
        .await;
    let kinds: Vec<&str> = announcements["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    for kind in [
        "tender_notice",
        "opening_record",
        "candidates_notice",
        "result_notice",
        "contract_notice",
    ] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }

    // Its open data: a release for each public act, from the announcement to the performance,
    // valid by the Open Contracting Partnership's own validator.
    let package = flow.public("/api/v1/ocds/bulk/package.json").await;
    let releases: Vec<&Value> = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tender"]["id"] == lot.as_str())
        .collect();
    let tags: Vec<&str> = releases
        .iter()
        .flat_map(|r| {
            r["tag"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
        })
        .collect();
    for tag in [
        "planning",
        "tender",
        "tenderUpdate",
        "award",
        "contract",
        "implementation",
    ] {
        assert!(tags.contains(&tag), "{tag}: {tags:?}");
    }
    let last = releases.last().unwrap();
    assert_eq!(last["awards"][0]["status"], "active");
    assert_eq!(
        last["awards"][0]["suppliers"][0]["id"],
        format!("CN-USCI-{winner}")
    );
    assert_eq!(
        last["contracts"][0]["implementation"]["milestones"][0]["description"],
        "基础工程完成"
    );
    assert_eq!(last["tender"]["numberOfTenderers"], 3);
    // Each opened bid says when it was submitted, before the deadline (red-flag tools compare
    // bid dates).
    let details = last["bids"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 3);
    let deadline = last["tender"]["tenderPeriod"]["endDate"].as_str().unwrap();
    for bid in details {
        let date = bid["date"].as_str().expect("a bid without its date");
        assert!(date < deadline, "bid at {date}, deadline {deadline}");
    }
    crate::disclosure::validate_with_libcoveocds(&package, "lifecycle").await;

    // The record: every release of the lot and the compiled release, which must equal what
    // the Open Contracting Partnership's ocdskit merges from the same releases.
    let records = flow.public("/api/v1/ocds/records?limit=100").await;
    let record = records["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["compiledRelease"]["tender"]["id"] == lot.as_str())
        .unwrap()
        .clone();
    assert_eq!(record["releases"].as_array().unwrap().len(), releases.len());
    let merged = crate::disclosure::ocdskit_compile(&package).await;
    let theirs = merged.iter().find(|c| c["ocid"] == record["ocid"]).unwrap();
    assert_eq!(&record["compiledRelease"], theirs);
}
