//! A hub following a node over HTTP, on both backends: every entry mirrored page by page and
//! checked against the node's signed tree, public payloads kept and confidential ones not; the
//! node list refused whole when it is wrong; the hub's API and pages.

use app::federation::{NodeFeed, NodeRegistration, PAGE};
use app::{App, PasswordPolicy, Settings};
use serde_json::Value;

use crate::support::{client, spawn_app, test_clock, test_start_ms};

fn filler(payload: Value) -> app::NewEntry {
    app::NewEntry {
        stream: "test/federation".into(),
        kind: "test.filler".into(),
        visibility: ledger::Visibility::Public,
        actor: "system".into(),
        payload,
    }
}

/// A hub (an `App` of its own) on `store`.
async fn hub_app(store: store::Store) -> App {
    App::open(
        store,
        crypto::PlatformKey::generate(),
        test_clock(),
        Settings {
            origin: "ggzy.hub.test".into(),
            password_policy: PasswordPolicy::for_tests(),
            watchers: false,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn registration(base: &str, key: &str) -> NodeRegistration {
    NodeRegistration {
        origin: "ggzy.test".into(),
        name: "测试市公共资源交易中心".into(),
        region: "330100".into(),
        url: base.into(),
        public_key: key.into(),
        registry: false,
    }
}

#[tokio::test]
async fn a_hub_mirrors_a_nodes_ledger_checked_against_its_signed_tree_on_both_backends() {
    let node = spawn_app().await;
    // Enough entries for several pages, so pages are checked against the head mid-way.
    let mut entries = Vec::new();
    for n in 0..(PAGE + 200) {
        entries.push(filler(serde_json::json!({ "n": n })));
    }
    node.app().witness(entries).await.unwrap();
    let key = node.app().public_key().to_hex();
    for db in store::testing::fresh_databases().await {
        let head = node.app().ledger_head().await.unwrap();
        let hub = hub_app(db.open().await.unwrap()).await;
        let node_reg = registration(&node.base, &key);
        hub.register_node(&node_reg).await.unwrap();
        // Refused whole: a bad address, region or key, and another key for a known origin.
        for (bad, code) in [
            (
                NodeRegistration {
                    url: "ftp://x".into(),
                    ..node_reg.clone()
                },
                "HUB_NODE_URL",
            ),
            (
                NodeRegistration {
                    url: "https://ggzy.example".into(),
                    ..node_reg.clone()
                },
                "HUB_NODE_URL",
            ),
            (
                NodeRegistration {
                    region: "3301".into(),
                    ..node_reg.clone()
                },
                "HUB_NODE_REGION",
            ),
            (
                NodeRegistration {
                    public_key: "04zz".into(),
                    ..node_reg.clone()
                },
                "HUB_NODE_KEY",
            ),
            (
                NodeRegistration {
                    origin: "".into(),
                    ..node_reg.clone()
                },
                "HUB_NODE_ORIGIN",
            ),
            (
                NodeRegistration {
                    public_key: crypto::PlatformKey::generate().public_key().to_hex(),
                    ..node_reg.clone()
                },
                "HUB_NODE_KEY_PINNED",
            ),
        ] {
            let refused = hub.register_node(&bad).await.unwrap_err();
            assert_eq!(refused.code(), code, "{} {:?}", db.name, bad);
            assert!(
                refused
                    .to_string()
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            );
        }
        assert_eq!(hub.followed_nodes().await.unwrap().len(), 1);
        let feed = NodeFeed::new(&node.base);
        loop {
            let step = hub.follow_node("ggzy.test", &feed).await.unwrap();
            assert_eq!(step.flagged, None, "{}", db.name);
            if !step.behind {
                break;
            }
        }
        let status = hub.followed_node("ggzy.test").await.unwrap();
        assert_eq!(status.error, "", "{}", db.name);
        assert_eq!(status.head.as_ref().unwrap().head, head.head, "{}", db.name);
        assert_eq!(status.mirrored_size, head.head.size, "{}", db.name);
        let mirrored = hub
            .mirrored_entries("ggzy.test", 0, head.head.size)
            .await
            .unwrap();
        assert_eq!(mirrored.len() as u64, PAGE.min(head.head.size));
        let timeliness = hub.node_timeliness("ggzy.test").await.unwrap();
        assert_eq!(timeliness.entries as u64, 1000.min(head.head.size));
        assert!(timeliness.p50_ms <= timeliness.p99_ms && timeliness.p99_ms <= timeliness.max_ms);
        let visible = node
            .app()
            .ledger_entries(None, 0, PAGE.min(head.head.size))
            .await
            .unwrap();
        for (m, e) in mirrored.iter().zip(&visible) {
            assert_eq!(m.seq as u64, e.seq);
            assert_eq!(m.leaf_hash, e.leaf_hash.as_bytes().to_vec());
            match (&e.payload, e.masked) {
                (Some(p), false) => {
                    assert_eq!(m.payload, crypto::canonical_json(p).unwrap(), "{}", e.kind);
                    assert_eq!(m.salt.len(), 32);
                }
                (None, _) => assert_eq!(m.payload, "", "{}", e.kind),
                (Some(_), true) => assert!(m.masked && m.salt.is_empty()),
            }
        }
        // Every mirrored entry carries its node's proof: to the node's signed head, checked with
        // the node's key alone.
        let node_key = node.app().public_key();
        for seq in [0, 1, PAGE - 1, PAGE, head.head.size - 1] {
            let proof = hub.mirrored_proof("ggzy.test", seq).await.unwrap();
            proof.head.verify(&node_key).unwrap();
            assert_eq!(proof.head.head, head.head);
            let leaf = crypto::Sm3Hash::from_slice(&proof.entry.leaf_hash).unwrap();
            ledger::verify_inclusion(&leaf, seq, head.head.size, &proof.path, &head.head.root)
                .unwrap();
        }
        assert!(
            hub.mirrored_proof("ggzy.test", head.head.size)
                .await
                .is_err()
        );
        assert!(hub.mirrored_proof("ggzy.elsewhere", 0).await.is_err());
        // A later act is picked up by the next step.
        node.app()
            .witness(vec![filler(serde_json::json!({ "n": "later" }))])
            .await
            .unwrap();
        let step = hub.follow_node("ggzy.test", &feed).await.unwrap();
        assert_eq!(step.mirrored, 1, "{}", db.name);
        assert_eq!(
            hub.followed_node("ggzy.test").await.unwrap().mirrored_size,
            head.head.size + 1
        );
        // A node's announcement is found in the hub's search, by the node's region, linking to
        // the node's own page.
        let announcement = domain::Announcement {
            id: format!("FED-{}", db.name),
            procedure: "FED-PROC".into(),
            lot: None,
            kind: domain::AnnouncementKind::TenderNotice,
            category: "construction".into(),
            region: "330106".into(),
            title: format!("联邦检索测试工程招标公告{}", db.name),
            body: "省级平台汇聚检索".into(),
            published_at_ms: test_start_ms(),
        };
        node.app()
            .witness(vec![app::NewEntry {
                stream: domain::Announcement::stream(&announcement.id),
                kind: "announcement.published".into(),
                visibility: ledger::Visibility::Public,
                actor: "operator".into(),
                payload: serde_json::to_value(&announcement).unwrap(),
            }])
            .await
            .unwrap();
        hub.follow_node("ggzy.test", &feed).await.unwrap();
        let hits = hub
            .search(&search::SearchQuery {
                text: announcement.title.clone(),
                region: Some("330100".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        let hit = hits
            .hits
            .iter()
            .find(|h| h.title == announcement.title)
            .unwrap_or_else(|| panic!("{} {:?}", db.name, hits.hits));
        assert_eq!(
            hit.url,
            format!("{}/announcements/{}", node.base, announcement.id)
        );
        assert_eq!(hit.region, "330100");
        assert!(hit.key.starts_with("node:ggzy.test:"));
        // An unreachable node is recorded, not flagged.
        let step = hub
            .follow_node("ggzy.test", &NodeFeed::new("http://127.0.0.1:9"))
            .await
            .unwrap();
        assert_eq!(step.flagged, None);
        let status = hub.followed_node("ggzy.test").await.unwrap();
        assert!(status.error.contains("无法连接"), "{}", status.error);
        assert!(hub.node_flags("ggzy.test").await.unwrap().is_empty());

        // As a witness: the node's checkpoint is cosigned from 0, then a conflict names the size
        // cosigned; a checkpoint signed with another key is refused.
        let signed = node.app().ledger_head().await.unwrap();
        let note = signed.to_checkpoint(&node.app().public_key());
        let request = ledger::AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: note.clone(),
        };
        let line = hub
            .witness_add_checkpoint(&request.to_body())
            .await
            .unwrap()
            .unwrap();
        let cosigned = format!("{note}{line}");
        assert_eq!(
            ledger::count_valid_cosignatures(
                &cosigned,
                &[("ggzy.hub.test".into(), hub.public_key())]
            ),
            1
        );
        let (answer, _) = hub
            .witness_add_checkpoint(&request.to_body())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!((answer.status, answer.code), (409, "WITNESS_CONFLICT"));
        assert_eq!(answer.body, format!("{}\n", signed.head.size));
        let forged = signed.head.clone().sign(&crypto::PlatformKey::generate());
        let request = ledger::AddCheckpoint {
            old_size: signed.head.size,
            proof: vec![],
            checkpoint: forged.to_checkpoint(&node.app().public_key()),
        };
        let (answer, _) = hub
            .witness_add_checkpoint(&request.to_body())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!((answer.status, answer.code), (403, "WITNESS_BAD_SIGNATURE"));
    }
}

#[tokio::test]
async fn a_witness_refuses_what_it_cannot_check_with_a_clear_error() {
    let server = spawn_app().await;
    let client = client();
    let post = |body: String| {
        client
            .post(server.url("/api/v1/witness/add-checkpoint"))
            .header("content-type", "text/plain")
            .body(body)
            .send()
    };
    for (body, detail) in [
        (String::new(), "请求为空"),
        ("old x\n\nnote".to_string(), "原规模应为"),
        ("old 0\n\n".to_string(), "检查点"),
    ] {
        let response = post(body.clone()).await.unwrap();
        assert_eq!(response.status(), 400, "{body:?}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "WITNESS_MALFORMED");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("副署请求格式有误") && message.contains(detail),
            "{message}"
        );
    }
    // Its own checkpoint: a log this node does not follow.
    let note = client
        .get(server.url("/api/v1/ledger/checkpoint"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = post(format!("old 0\n\n{note}")).await.unwrap();
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], "WITNESS_UNKNOWN_LOG");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("本见证方不跟踪"),
        "{error}"
    );
    // A node without witnesses has no cosigned checkpoint, and says whom it asks: nobody.
    let response = client
        .get(server.url("/api/v1/ledger/checkpoint/cosigned"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let witnesses: Value = client
        .get(server.url("/api/v1/ledger/witnesses"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(witnesses["witnesses"], serde_json::json!([]));
    assert_eq!(witnesses["behind"], false);
}

#[tokio::test]
async fn a_node_that_follows_nobody_says_so() {
    let server = spawn_app().await;
    let client = client();
    let list: Value = client
        .get(server.url("/api/v1/hub/nodes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["nodes"], serde_json::json!([]));
    let missing = client
        .get(server.url("/api/v1/hub/nodes/ggzy.nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "NOT_FOUND");
    let page = client.get(server.url("/nodes")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("本平台未跟踪其他交易节点")
    );
    let page = client
        .get(server.url("/nodes/ggzy.nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
}

/// What a lying node changes in the entries it serves.
#[derive(Clone, Copy)]
enum Lie {
    /// Another actor in one entry's header: the leaf no longer hashes into the signed tree.
    Header,
    /// Another public payload under the same header: it no longer hashes to its commitment.
    Payload,
}

/// A node that serves its real heads and proofs but altered entries.
async fn lying_node(real: String, lie: Lie) -> String {
    use axum::extract::{RawQuery, State};
    use axum::routing::get;
    async fn forward(
        State((real, _)): State<(String, Lie)>,
        uri: axum::http::Uri,
    ) -> axum::Json<Value> {
        let body = reqwest::get(format!("{real}{uri}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        axum::Json(body)
    }
    async fn entries(
        State((real, lie)): State<(String, Lie)>,
        RawQuery(query): RawQuery,
    ) -> axum::Json<Value> {
        let mut body: Value = reqwest::get(format!(
            "{real}/api/v1/ledger/entries?{}",
            query.unwrap_or_default()
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let entries = body["entries"].as_array_mut().unwrap();
        let target = entries
            .iter_mut()
            .find(|e| e["payload"].is_object() && e["salt"].is_string())
            .expect("a public entry to alter");
        match lie {
            Lie::Header => target["actor"] = Value::String("somebody-else".into()),
            Lie::Payload => target["payload"]["forged"] = Value::Bool(true),
        }
        axum::Json(body)
    }
    let router = axum::Router::new()
        .route("/api/v1/ledger/head", get(forward))
        .route("/api/v1/ledger/consistency", get(forward))
        .route("/api/v1/ledger/entries", get(entries))
        .with_state((real, lie));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[tokio::test]
async fn a_node_serving_entries_its_signed_tree_does_not_hold_is_flagged() {
    let node = spawn_app().await;
    let key = node.app().public_key().to_hex();
    for (lie, reason) in [(Lie::Header, None), (Lie::Payload, Some("承诺值不符"))] {
        let db = store::testing::fresh_sqlite();
        let hub = hub_app(db.open().await.unwrap()).await;
        let liar = lying_node(node.base.clone(), lie).await;
        hub.register_node(&registration(&liar, &key)).await.unwrap();
        let step = hub
            .follow_node("ggzy.test", &NodeFeed::new(&liar))
            .await
            .unwrap();
        assert_eq!(
            step.flagged,
            Some(ledger::monitor::Misbehaviour::EntryMismatch)
        );
        // Nothing of the lying page was kept, and the node is no longer followed.
        let status = hub.followed_node("ggzy.test").await.unwrap();
        assert_eq!(status.mirrored_size, 0);
        let flags = hub.node_flags("ggzy.test").await.unwrap();
        assert_eq!(flags.len(), 1);
        // The evidence names the node's signed head.
        let head = node.app().ledger_head().await.unwrap();
        assert_eq!(
            flags[0].accepted,
            head.to_checkpoint(&node.app().public_key())
        );
        match reason {
            Some(reason) => assert!(
                flags[0].detail["reason"].as_str().unwrap().contains(reason),
                "{}",
                flags[0].detail
            ),
            None => assert!(
                flags[0].detail["computed_root"].is_string(),
                "{}",
                flags[0].detail
            ),
        }
        let step = hub
            .follow_node("ggzy.test", &NodeFeed::new(&node.base))
            .await
            .unwrap();
        assert_eq!(step, Default::default());
    }
}

/// A USCC from a 17-character prefix.
fn uscc(prefix: &str) -> domain::Uscc {
    domain::Uscc::parse(&format!(
        "{prefix}{}",
        domain::Uscc::check_char_for(prefix).unwrap()
    ))
    .unwrap()
}

fn public(stream: &str, kind: &str, payload: Value) -> app::NewEntry {
    app::NewEntry {
        stream: stream.into(),
        kind: kind.into(),
        visibility: ledger::Visibility::Public,
        actor: "operator".into(),
        payload,
    }
}

fn shared(code: &domain::Uscc, name: &str) -> Value {
    serde_json::to_value(domain::EntityEvent::Shared {
        profile: domain::SharedProfile {
            id: domain::EntityId(code.to_string()),
            uscc: code.clone(),
            name: name.into(),
            region: domain::RegionCode::parse("330100").unwrap(),
            legal_representative: "孙八".into(),
            address: String::new(),
            roles: vec![domain::Role::Bidder],
        },
        home: "ggzy.test".into(),
        at_ms: test_start_ms(),
    })
    .unwrap()
}

#[tokio::test]
async fn a_hub_takes_in_what_a_node_shares_and_nothing_under_another_name_on_both_backends() {
    let node = spawn_app().await;
    let (z, x, y) = (
        uscc("91330100MA2RELAY1"),
        uscc("91330100MA2RELAY2"),
        uscc("91330100MA2RELAY3"),
    );
    let barred = serde_json::to_value(domain::EntityEvent::Barred {
        by: "杭州市行政监督部门".into(),
        until: domain::Date::parse("2099-12-31").unwrap(),
        reason: "串通投标".into(),
        at_ms: test_start_ms(),
    })
    .unwrap();
    let record = |subject: &domain::Uscc| {
        serde_json::json!({
            "event": "recorded",
            "subject": subject.to_string(),
            "kind": "entity",
            "name": "某公司",
            "record": {
                "id": format!("{subject}#1"),
                "fact": "judgment_defaulter",
                "fact_name": "列入失信被执行人名单",
                "source": {"type": "platform", "stream": "x", "act": "y"},
                "basis": "依据",
                "date": "2026-05-01",
                "valid_until": null,
                "repairable_from": null,
                "detail": "",
                "recorded_at_ms": test_start_ms(),
                "status": {"status": "active"},
            }
        })
    };
    node.app()
        .witness(vec![
            // An honest share, then a payload that is no entity event, then a bar: the bad one
            // blocks nothing after it.
            public(
                &format!("entity/{z}"),
                "entity.shared",
                shared(&z, "杭州共享建设有限公司"),
            ),
            public(
                &format!("entity/{z}"),
                "entity.barred",
                serde_json::json!({"x": 1}),
            ),
            public(&format!("entity/{z}"), "entity.barred", barred.clone()),
            // X's profile under Y's stream, and a record naming X under Y's credit stream.
            public(
                &format!("entity/{y}"),
                "entity.shared",
                shared(&x, "冒名公司"),
            ),
            public(&format!("credit/{y}"), "credit.recorded", record(&x)),
            // A record under its own subject's stream.
            public(&format!("credit/{z}"), "credit.recorded", record(&z)),
        ])
        .await
        .unwrap();
    let key = node.app().public_key().to_hex();
    for db in store::testing::fresh_databases().await {
        let hub = hub_app(db.open().await.unwrap()).await;
        hub.register_node(&registration(&node.base, &key))
            .await
            .unwrap();
        let feed = NodeFeed::new(&node.base);
        while hub.follow_node("ggzy.test", &feed).await.unwrap().behind {}
        // (The node's own set-up shares its entities too.)
        assert!(
            hub.relay_from("ggzy.test").await.unwrap() >= 3,
            "{}",
            db.name
        );
        // Nothing twice.
        assert_eq!(hub.relay_from("ggzy.test").await.unwrap(), 0, "{}", db.name);
        let z_row = hub.store().entity(z.as_ref()).await.unwrap().unwrap();
        assert_eq!(
            (z_row.status.as_str(), z_row.home.as_str()),
            ("barred", "ggzy.test"),
            "{}",
            db.name
        );
        for other in [&x, &y] {
            assert!(
                hub.store().entity(other.as_ref()).await.unwrap().is_none(),
                "{} {other}",
                db.name
            );
            assert!(
                hub.credit_file(other.as_ref()).await.unwrap().is_none(),
                "{} {other}",
                db.name
            );
        }
        let file = hub.credit_file(z.as_ref()).await.unwrap().unwrap();
        assert_eq!(file.records.len(), 1);
        assert_eq!(file.records[0].id, format!("ggzy.test:{z}#1"));
        // Each act in the hub's own ledger names the node's entry it came from.
        let size = hub.ledger_head().await.unwrap().head.size;
        let entries = hub.ledger_entries(None, 0, size).await.unwrap();
        let z_stream = format!("entity/{z}");
        let z_acts: Vec<_> = entries.iter().filter(|e| e.stream == z_stream).collect();
        assert_eq!(z_acts.len(), 2, "{}", db.name);
        for entry in z_acts {
            assert!(
                entry.actor.starts_with("relay:ggzy.test#"),
                "{} {}",
                db.name,
                entry.actor
            );
        }
    }
}
