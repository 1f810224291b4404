//! Electronic tendering through the use cases, on both backends: a procedure from draft to the
//! published opening record with four sealed bids opened by 2 of 3 simulated key holders, and one
//! where only two bids arrive (流标).

use app::{App, BidReceipt, Caller, DemoCertificate, NewLot, NewProcedure};
use crypto::{BidPackage, Envelope, PlatformKey, PublicKey, SealRequest, machine_fingerprint};
use domain::{LotStatus, OpeningOutcome, Procedure};

use crate::support::{DrawNow, TestApp, demo_apps};

const DAY: i64 = 86_400_000;

pub(crate) fn new_procedure(title: &str, deadline: &str) -> NewProcedure {
    NewProcedure {
        project_code: "2026-330106-48-01-512345".into(),
        title: title.into(),
        category: "construction".into(),
        method: "open_tender".into(),
        region: "330100".into(),
        tenderee: String::new(),
        description: "新建教学楼一幢，建筑面积12000平方米，含土建、安装工程。".into(),
        qualification: "具备建筑工程施工总承包二级及以上资质。".into(),
        invitees: Vec::new(),
        lots: vec![NewLot {
            name: "施工标段".into(),
            budget_fen: 3_800_000_000,
            description: String::new(),
            evaluation: None,
            bond_fen: None,
        }],
        deadline: deadline.into(),
        opening_place: String::new(),
        contact: "杭州市教育局 王老师 0571-87000000".into(),
    }
}

pub(crate) fn seal(
    certificates: &[DemoCertificate],
    username: &str,
    entity: &str,
    lot: &str,
    opening_key: &str,
    price_fen: i64,
) -> Vec<u8> {
    let certificate = certificates
        .iter()
        .find(|c| c.username == username)
        .expect("demo certificate");
    let signer = PlatformKey::from_pkcs8_pem(&certificate.key_pem).unwrap();
    let package = BidPackage {
        form: serde_json::json!({"price_fen": price_fen, "duration_days": 540, "quality": "合格"}),
        files: vec![(
            "投标函.txt".into(),
            format!("{username} 投标函").into_bytes(),
        )],
    }
    .to_bytes()
    .unwrap();
    Envelope::seal(SealRequest {
        recovery_key: None,
        package: &package,
        lot,
        bidder: entity,
        opening_key: &PublicKey::from_hex(opening_key).unwrap(),
        signer: &signer,
        certificate_pem: &certificate.cert_pem,
        machine_fingerprint: machine_fingerprint(username.as_bytes(), &["machine"]),
        document_copy: "",
        tool: "",
        created_at_ms: 0,
    })
    .unwrap()
    .to_bytes()
    .unwrap()
}

pub(crate) async fn caller(app: &App, username: &str) -> Caller {
    app.caller_for(username).await.unwrap()
}

pub(crate) async fn published(test: &TestApp, title: &str) -> (Procedure, String) {
    let tenderee = caller(&test.app, "tenderee").await;
    let (procedure, _) = test
        .app
        .create_procedure(&tenderee, new_procedure(title, "2026-12-28 09:30"))
        .await
        .unwrap();
    test.app
        .attach_documents(
            &tenderee,
            &procedure.id,
            "招标文件.pdf",
            b"%PDF tender documents",
        )
        .await
        .unwrap();
    let (procedure, _) = test
        .app
        .publish_procedure(&tenderee, &procedure.id)
        .await
        .unwrap();
    let lot = procedure.lots[0].code.clone();
    (procedure, lot)
}

pub(crate) async fn bid(
    test: &TestApp,
    certificates: &[DemoCertificate],
    username: &str,
    lot: &str,
    key: &str,
    price: i64,
) -> BidReceipt {
    let bidder = caller(&test.app, username).await;
    test.app.register_for_lot(&bidder, lot).await.unwrap();
    let envelope = seal(certificates, username, &bidder.entity_id, lot, key, price);
    test.app.submit_bid(&bidder, lot, &envelope).await.unwrap()
}

#[tokio::test]
async fn a_lot_is_opened_by_two_of_three_holders_after_the_deadline() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        let holders = app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (procedure, lot) = published(&test, "杭州市第十四中学新建教学楼工程").await;
        let key = procedure.opening_key.clone().unwrap().public_key;
        assert_eq!(procedure.lots[0].status, LotStatus::Bidding);

        // A deadline too early is refused at publication, and nothing changes.
        let tenderee = caller(&test.app, "tenderee").await;
        let (early, _) = test
            .app
            .create_procedure(
                &tenderee,
                new_procedure("过早截止的项目", "2026-12-20 09:30"),
            )
            .await
            .unwrap();
        test.app
            .attach_documents(&tenderee, &early.id, "招标文件.pdf", b"x")
            .await
            .unwrap();
        let size = test.size().await;
        let error = test
            .app
            .publish_procedure(&tenderee, &early.id)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "DEADLINE_TOO_EARLY");
        assert_eq!(test.size().await, size);

        let mut receipts = Vec::new();
        for (username, price) in [
            ("bidder", 3_650_000_000),
            ("bidder2", 3_700_000_000),
            ("yuecheng", 3_720_000_000),
        ] {
            receipts.push(bid(&test, &certificates, username, &lot, &key, price).await);
        }
        // bawu seals, then replaces its bid before the deadline.
        let bawu = caller(&test.app, "bawu").await;
        test.app.register_for_lot(&bawu, &lot).await.unwrap();
        let first = seal(
            &certificates,
            "bawu",
            &bawu.entity_id,
            &lot,
            &key,
            3_900_000_000,
        );
        test.app.submit_bid(&bawu, &lot, &first).await.unwrap();
        let second = seal(
            &certificates,
            "bawu",
            &bawu.entity_id,
            &lot,
            &key,
            3_600_000_000,
        );
        let replaced = test.app.submit_bid(&bawu, &lot, &second).await.unwrap();
        assert_eq!(
            replaced.envelope_sm3,
            Envelope::from_bytes(&second)
                .unwrap()
                .digest()
                .unwrap()
                .to_hex()
        );

        // The receipt proves the act is in the ledger under a head signed by the platform.
        for receipt in &receipts {
            let head = &receipt.receipt.tree_head;
            head.verify(&test.app.public_key()).unwrap();
            ledger::verify_inclusion(
                &receipt.receipt.leaf_hash,
                receipt.receipt.seq,
                head.head.size,
                &receipt.receipt.inclusion_proof,
                &head.head.root,
            )
            .unwrap();
        }

        // Nobody else sees a bid: the tenderee has no bids to list; another bidder sees its own.
        assert_eq!(
            test.app.my_bids(&tenderee).await.unwrap_err().code(),
            "NOT_AUTHORIZED"
        );
        let bidder = caller(&test.app, "bidder").await;
        let mine = test.app.my_bids(&bidder).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].bid.bidder.0, bidder.entity_id);

        // Before the deadline the holders' round does nothing, and opening is refused.
        assert_eq!(
            app::simulated_holders_round(&test.app, &holders)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            test.app
                .start_opening(Some(&tenderee), &lot)
                .await
                .unwrap_err()
                .code(),
            "BIDDING_STILL_OPEN"
        );

        // Ten seconds before the deadline a replacement is accepted; at the deadline it is
        // refused (the millisecond itself is covered by the domain's tables).
        let deadline = procedure.deadline_ms();
        let now = test.app.now_ms();
        test.advance(deadline - now - 10_000);
        let last = seal(
            &certificates,
            "bawu",
            &bawu.entity_id,
            &lot,
            &key,
            3_600_000_000,
        );
        test.app.submit_bid(&bawu, &lot, &last).await.unwrap();
        test.advance(10_000);
        let late = seal(
            &certificates,
            "bawu",
            &bawu.entity_id,
            &lot,
            &key,
            3_500_000_000,
        );
        let size = test.size().await;
        let error = test.app.submit_bid(&bawu, &lot, &late).await.unwrap_err();
        assert_eq!(error.code(), "BID_TOO_LATE");
        assert_eq!(test.size().await, size);

        // After the deadline: the holders start the opening, then two of them open it.
        test.advance(DAY);
        app::simulated_holders_round(&test.app, &holders)
            .await
            .unwrap();
        let opened = test.app.procedure(None, &procedure.id).await.unwrap();
        let lot_state = opened.lot(&lot).unwrap();
        assert_eq!(lot_state.status, LotStatus::Opened, "{lot_state:?}");
        assert_eq!(lot_state.partials.len(), 2);
        let prices: Vec<(String, Option<i64>)> = lot_state
            .opening
            .iter()
            .map(|line| (line.bidder_name.clone(), line.price_fen))
            .collect();
        assert_eq!(prices.len(), 4);
        assert!(
            lot_state
                .opening
                .iter()
                .all(|line| line.outcome == OpeningOutcome::Opened)
        );
        assert!(prices.contains(&("金华八婺水利建设有限公司".into(), Some(3_600_000_000))));

        // The opening record is published from the template, as a public ledger entry.
        let records = test
            .app
            .announcements(&procedure.id, "opening_record", 10, 0)
            .await
            .unwrap();
        assert_eq!(records.total, 1);
        assert!(records.items[0].body.contains("36,000,000.00"));
        assert!(records.items[0].title.contains("开标记录"));
        let notices = test
            .app
            .announcements(&procedure.id, "tender_notice", 10, 0)
            .await
            .unwrap();
        assert_eq!(notices.total, 1);
        assert!(notices.items[0].body.contains(&lot));

        let report = app::verify_store(
            test.app.store(),
            &test.app.public_key(),
            &test.app.settings().origin,
        )
        .await
        .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
    }
}

#[tokio::test]
async fn fewer_than_three_bids_fail_the_lot_without_opening() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        let holders = app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (procedure, lot) = published(&test, "临安区农村饮用水提升工程").await;
        let key = procedure.opening_key.clone().unwrap().public_key;
        bid(&test, &certificates, "bidder", &lot, &key, 10_000_000).await;
        bid(&test, &certificates, "bidder2", &lot, &key, 11_000_000).await;
        test.advance(30 * DAY);
        app::simulated_holders_round(&test.app, &holders)
            .await
            .unwrap();
        let failed = test.app.procedure(None, &procedure.id).await.unwrap();
        let status = &failed.lot(&lot).unwrap().status;
        assert!(
            matches!(status, LotStatus::Failed { reason } if reason.contains("少于3个")),
            "{status:?}"
        );
        let notices = test
            .app
            .announcements(&procedure.id, "failure_notice", 10, 0)
            .await
            .unwrap();
        assert_eq!(notices.total, 1);
        assert!(notices.items[0].title.contains("流标公告"));
        // No opening: no partials were asked for or given.
        assert!(failed.lot(&lot).unwrap().partials.is_empty());
    }
}

#[tokio::test]
async fn the_database_with_one_holder_secret_cannot_open_a_bid() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        let holders = app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (procedure, lot) = published(&test, "西湖区智慧路灯采购安装工程").await;
        let key = procedure.opening_key.clone().unwrap();
        let receipt = bid(
            &test,
            &certificates,
            "bidder",
            &lot,
            &key.public_key,
            5_000_000,
        )
        .await;
        // Everything the platform stores: every blob, entry and row. No share is among them.
        let envelope = test
            .app
            .store()
            .blob(&receipt.envelope_sm3)
            .await
            .unwrap()
            .unwrap();
        let envelope = Envelope::from_bytes(&envelope).unwrap();
        let entries = test.app.store().entries(0, 100_000).await.unwrap();
        for holder in &holders {
            let share = holder.share.clone().unwrap();
            assert!(entries.iter().all(|e| !e.payload.contains(&share)));
        }
        // One holder's share (k − 1 = 1) with the platform's public facts cannot recover the key:
        // a single partial, even with a valid proof, fails the SM2 C3 check.
        let share = crypto::KeyShare::from_secret(
            holders[0].index,
            &hex::decode(holders[0].share.as_ref().unwrap())
                .unwrap()
                .try_into()
                .unwrap(),
        );
        let wrapped = envelope.wrapped_key().unwrap();
        let context = app::partial_context(&lot, &envelope.header.bidder, &receipt.envelope_sm3);
        let partial = share.partial_decrypt(&wrapped, &context).unwrap();
        let shared = crypto::SharedKey {
            public_key: PublicKey::from_hex(&key.public_key).unwrap(),
            threshold: 1,
            verification_keys: key
                .holders
                .iter()
                .map(|h| (h.index, hex::decode(&h.verification_key).unwrap()))
                .collect(),
        };
        assert!(shared.combine(&wrapped, &[partial], &context).is_err());
        // And the platform's own key is not the opening key.
        assert_ne!(test.app.public_key().to_hex(), key.public_key);
    }
}

/// Witnesses an "opening started" for `lot` behind the rules' back (as a lying platform could)
/// and returns the request a holder would be served for it.
async fn forge_opening(
    test: &TestApp,
    procedure: &Procedure,
    lot: &str,
    deadline_ms: i64,
    bids: Vec<domain::SealedBidRef>,
) -> app::OpeningRequest {
    let forged = domain::ProcedureEvent::OpeningStarted {
        lot: lot.to_string(),
        deadline_ms,
        bids,
        at_ms: test.app.now_ms(),
    };
    test.app
        .witness(vec![app::NewEntry {
            stream: app::procedure_stream(&procedure.id),
            kind: "procedure.opening_started".into(),
            visibility: ledger::Visibility::Public,
            actor: "system".into(),
            payload: serde_json::to_value(&forged).unwrap(),
        }])
        .await
        .unwrap();
    test.app.opening_request(lot).await.unwrap()
}

#[tokio::test]
async fn a_holder_refuses_an_opening_the_ledger_does_not_show_after_the_deadline() {
    let test = demo_apps().await.remove(0);
    let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
    let holders = app::run_simulated_ceremony(&test.app, "2026-12")
        .await
        .unwrap();
    let (procedure, lot) = published(&test, "滨江区学校食堂设备采购安装工程").await;
    let key = procedure.opening_key.clone().unwrap().public_key;
    for username in ["bidder", "bidder2", "yuecheng"] {
        bid(&test, &certificates, username, &lot, &key, 1_000_000).await;
    }
    let deadline = procedure.deadline_ms();

    // An opening witnessed before the announced deadline: the entry and the signed head show
    // it, and no holder makes a partial.
    let mut request = forge_opening(&test, &procedure, &lot, deadline, Vec::new()).await;
    let error = holders[0].partials(&request).unwrap_err();
    assert_eq!(error.code(), "BIDDING_STILL_OPEN");

    // Claiming a later time in the entry breaks its inclusion proof.
    let at = request.entry.at_ms;
    request.entry.at_ms = deadline + 1;
    assert_eq!(
        holders[0].partials(&request).unwrap_err().code(),
        "HOLDER_REFUSED"
    );
    request.entry.at_ms = at;
    // A head not signed by the pinned platform key is refused.
    let head = request.tree_head.clone();
    request.tree_head = ledger::TreeHead {
        timestamp_ms: deadline + 1,
        ..head.head.clone()
    }
    .sign(&PlatformKey::generate());
    assert_eq!(
        holders[0].partials(&request).unwrap_err().code(),
        "HOLDER_REFUSED"
    );
    // Leaving out the published entry leaves the holder nothing to check the deadline against.
    request.tree_head = head;
    request.schedule.clear();
    assert!(
        holders[0]
            .partials(&request)
            .unwrap_err()
            .to_string()
            .contains("缺少项目发布条目")
    );

    // An opening that states a deadline the announcement does not: refused.
    let request = forge_opening(&test, &procedure, &lot, test.app.now_ms() - 1, Vec::new()).await;
    assert!(
        holders[0]
            .partials(&request)
            .unwrap_err()
            .to_string()
            .contains("与公告的不符")
    );

    // After the deadline, an opening that lists another lot's bid: the bidder's signed header
    // names that other lot, so no holder decrypts its key here.
    let (other, other_lot) = published(&test, "拱墅区老旧小区改造工程").await;
    let other_key = other.opening_key.clone().unwrap().public_key;
    bid(
        &test,
        &certificates,
        "bawu",
        &other_lot,
        &other_key,
        2_000_000,
    )
    .await;
    let bawu = caller(&test.app, "bawu").await;
    let theirs = test
        .app
        .my_bid(&bawu, &other_lot)
        .await
        .unwrap()
        .unwrap()
        .envelope
        .unwrap();
    let stolen = domain::SealedBidRef {
        bidder: domain::EntityId(bawu.entity_id.clone()),
        bidder_name: "金华八婺水利建设有限公司".into(),
        envelope: theirs.sm3.clone(),
        wrapped_key: theirs.wrapped_key.clone(),
        header: theirs.header.clone(),
        submitted_at_ms: None,
    };
    let now = test.app.now_ms();
    test.advance(deadline - now + 1_000);
    let request = forge_opening(&test, &procedure, &lot, deadline, vec![stolen]).await;
    let error = holders[1].partials(&request).unwrap_err();
    assert!(error.to_string().contains("不属于本标段"), "{error}");
}

#[tokio::test]
async fn an_envelope_that_does_not_decrypt_is_listed_with_the_reason() {
    let test = demo_apps().await.remove(0);
    let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
    let holders = app::run_simulated_ceremony(&test.app, "2026-12")
        .await
        .unwrap();
    let (procedure, lot) = published(&test, "萧山区河道整治工程").await;
    let key = procedure.opening_key.clone().unwrap().public_key;
    bid(&test, &certificates, "bidder", &lot, &key, 1_000_000).await;
    bid(&test, &certificates, "bidder2", &lot, &key, 1_100_000).await;
    // yuecheng's tool damages the package before signing: the platform cannot tell (it never
    // decrypts before the opening), and the opening lists the bid as not opened, with why.
    let yuecheng = caller(&test.app, "yuecheng").await;
    test.app.register_for_lot(&yuecheng, &lot).await.unwrap();
    let sealed = seal(
        &certificates,
        "yuecheng",
        &yuecheng.entity_id,
        &lot,
        &key,
        1_200_000,
    );
    let mut envelope = Envelope::from_bytes(&sealed).unwrap();
    envelope.ciphertext[10] ^= 0xff;
    envelope.header.ciphertext_sm3 = crypto::sm3(&envelope.ciphertext).to_hex();
    envelope.header.signature = String::new();
    let certificate = certificates
        .iter()
        .find(|c| c.username == "yuecheng")
        .unwrap();
    let signer = PlatformKey::from_pkcs8_pem(&certificate.key_pem).unwrap();
    envelope.header.signature = signer
        .sign(&crypto::canonical_json_bytes(&envelope.header).unwrap())
        .to_hex();
    test.app
        .submit_bid(&yuecheng, &lot, &envelope.to_bytes().unwrap())
        .await
        .unwrap();
    test.advance(30 * DAY);
    app::simulated_holders_round(&test.app, &holders)
        .await
        .unwrap();
    let opened = test.app.procedure(None, &procedure.id).await.unwrap();
    let lines = &opened.lot(&lot).unwrap().opening;
    assert_eq!(lines.len(), 3);
    let failed: Vec<_> = lines
        .iter()
        .filter_map(|line| match &line.outcome {
            OpeningOutcome::Failed { reason } => Some((line.bidder_name.clone(), reason.clone())),
            OpeningOutcome::Opened => None,
        })
        .collect();
    assert_eq!(failed.len(), 1, "{lines:?}");
    assert_eq!(failed[0].0, "绍兴越城市政工程有限公司");
    assert!(failed[0].1.contains("SM4-GCM"), "{}", failed[0].1);
}

#[tokio::test]
async fn an_envelope_whose_data_key_no_holder_can_open_is_refused_at_intake() {
    let test = demo_apps().await.remove(0);
    let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
    app::run_simulated_ceremony(&test.app, "2026-12")
        .await
        .unwrap();
    let (procedure, lot) = published(&test, "余杭区道路养护工程").await;
    let key = procedure.opening_key.clone().unwrap().public_key;
    let bidder = caller(&test.app, "bidder").await;
    test.app.register_for_lot(&bidder, &lot).await.unwrap();
    let sealed = seal(
        &certificates,
        "bidder",
        &bidder.entity_id,
        &lot,
        &key,
        1_000_000,
    );
    let mut envelope = Envelope::from_bytes(&sealed).unwrap();
    // A signed envelope whose wrapped key is not an SM2 ciphertext would stall the opening.
    envelope.header.wrapped_key = "04".repeat(60);
    envelope.header.signature = String::new();
    let certificate = certificates
        .iter()
        .find(|c| c.username == "bidder")
        .unwrap();
    let signer = PlatformKey::from_pkcs8_pem(&certificate.key_pem).unwrap();
    envelope.header.signature = signer
        .sign(&crypto::canonical_json_bytes(&envelope.header).unwrap())
        .to_hex();
    let size = test.size().await;
    let error = test
        .app
        .submit_bid(&bidder, &lot, &envelope.to_bytes().unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "ENVELOPE_INVALID");
    assert!(error.to_string().contains("SM2"), "{error}");
    assert_eq!(test.size().await, size);
}

#[tokio::test]
async fn experts_are_drawn_verifiably_with_the_parties_avoided() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (procedure, lot) = published(&test, "上城区学校改扩建工程").await;
        let key = procedure.opening_key.clone().unwrap().public_key;
        bid(&test, &certificates, "bidder", &lot, &key, 1_000_000).await;
        bid(&test, &certificates, "bidder2", &lot, &key, 1_100_000).await;
        let operator = caller(&test.app, "operator").await;
        let request = |needs: Vec<(&str, u32)>| app::NewDraw {
            lot: lot.clone(),
            evaluation_date: "2026-12-29".into(),
            needs: needs.into_iter().map(|(c, n)| (c.to_string(), n)).collect(),
            backups: 1,
            recent_days: 0,
            excluded_regions: Vec::new(),
            confirm_minutes: None,
        };

        // Too few 医学影像 experts: a precise refusal, and nothing written.
        let size = test.size().await;
        let error = test
            .app
            .draw_now(&operator, request(vec![("B0201", 3)]))
            .await
            .unwrap_err();
        assert_eq!(error.code(), "DRAW_POOL_SHORT");
        assert!(error.to_string().contains("缺"), "{error}");
        assert_eq!(test.size().await, size);
        // Only the trading center draws.
        let bidder = caller(&test.app, "bidder").await;
        assert_eq!(
            test.app
                .draw_now(&bidder, request(vec![("A01", 3)]))
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );

        let (committed, revealed) = test
            .app
            .draw_now(&operator, request(vec![("A01", 3)]))
            .await
            .unwrap();
        // The tenderee's and a bidder's employees are avoided; the rest of 工程/施工 is the pool.
        assert_eq!(committed.excluded, 2);
        assert_eq!(
            committed
                .pool
                .iter()
                .filter(|e| e.categories.contains(&"A01".to_string()))
                .count(),
            5
        );
        let panel = &revealed.result.panels[0];
        assert_eq!((panel.experts.len(), panel.backups.len()), (3, 1));
        // Anyone reruns it from the two public entries and gets the same experts in order.
        let (stored_committed, stored_revealed) =
            test.app.draw_entries(&committed.id).await.unwrap();
        assert_eq!(
            app::check_draw(&stored_committed, &stored_revealed).unwrap(),
            revealed.result
        );
        // The seed is bound to a signed head that includes the commitment.
        let head = test
            .app
            .store()
            .head_at(revealed.head_size)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(hex::encode(&head.root), revealed.head_root);
        // A different secret, or a reordered result, does not check.
        let mut forged = stored_revealed.clone();
        forged.secret = hex::encode([7u8; 32]);
        assert!(app::check_draw(&stored_committed, &forged).is_err());
        let mut reordered = stored_revealed.clone();
        reordered.result.panels[0].experts.swap(0, 1);
        assert!(app::check_draw(&stored_committed, &reordered).is_err());
        // The public entries name no expert and no party.
        let text = serde_json::to_string(&stored_committed).unwrap();
        assert!(!text.contains("周建国") && !text.contains(&bidder.entity_id));
    }
}

/// The demo on any date — inside the calendar's years, in the December before next year's
/// holidays are published, and years beyond it: the showcase procedure is published (its
/// deadline provisional where the calendar ends), all three demo bidders seal, and at the
/// deadline the simulated holders open the lot with three bids.
#[tokio::test]
async fn the_demo_works_on_any_date() {
    use std::sync::atomic::Ordering;
    // (today, whether the showcase's deadline is provisional)
    let cases = [
        ("2026-06-01", false),
        ("2026-12-06", true),
        ("2027-12-20", true),
        ("2031-07-15", true),
    ];
    for (today, provisional) in cases {
        let start = domain::Date::parse(today).unwrap().start_ms() + 9 * 3_600_000;
        let test = crate::support::build_at(store::testing::fresh_sqlite(), start).await;
        assert!(app::seed_demo(&test.app).await.unwrap(), "{today}");
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        let holders = app::run_simulated_ceremony(&test.app, &today[..7])
            .await
            .unwrap();
        assert!(
            app::seed_demo_tendering(&test.app, &certificates)
                .await
                .unwrap(),
            "{today}"
        );
        let showcase = test
            .app
            .procedures(None, 10, 0)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|p| p.draft.title.contains("之江路"))
            .unwrap_or_else(|| panic!("{today}: the showcase procedure is published"));
        let standing = test.app.deadline_standing(&showcase).await.unwrap();
        assert_eq!(standing.provisional, provisional, "{today}");
        assert!(!standing.needs_attention(), "{today}: {standing:?}");
        // The supervising department has the demo's complaint and report waiting for it.
        let supervisor = test.app.caller_for("supervisor").await.unwrap();
        let queue = test
            .app
            .case_queue(&supervisor, false, 20, 0)
            .await
            .unwrap();
        assert_eq!(queue.total, 2, "{today}");
        assert!(queue.items.iter().all(|c| !c.overdue), "{today}");

        // Before the opening a bid's entries show the public only their header.
        let bid_entries = |entries: Vec<app::EntryView>| -> Vec<app::EntryView> {
            entries
                .into_iter()
                .filter(|e| e.stream.starts_with("bid/"))
                .collect()
        };
        let size = test.size().await;
        let before = bid_entries(test.app.ledger_entries(None, 0, size).await.unwrap());
        assert!(!before.is_empty());
        assert!(
            before
                .iter()
                .all(|e| e.payload.is_none() && e.salt.is_none())
        );

        test.clock
            .store(showcase.deadline_ms() + 60_000, Ordering::SeqCst);
        for _ in 0..3 {
            app::simulated_holders_round(&test.app, &holders)
                .await
                .unwrap();
        }
        let opened = test.app.procedure(None, &showcase.id).await.unwrap();
        let lot = &opened.lots[0];
        assert_eq!(lot.status, LotStatus::Opened, "{today}: {:?}", lot.status);
        assert_eq!(
            lot.opening.len(),
            3,
            "{today}: every demo bidder's envelope"
        );
        // From the opening (招标投标法 第36条) the bids' entries are public: an outsider gets
        // payload and salt and recomputes the commitment and the leaf.
        let after = bid_entries(test.app.ledger_entries(None, 0, size).await.unwrap());
        assert_eq!(after.len(), before.len());
        for view in after {
            let payload = view.payload.clone().expect("disclosed at the opening");
            let salt: [u8; 32] = hex::decode(view.salt.as_deref().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            assert_eq!(
                ledger::payload_commitment(&salt, &payload).unwrap(),
                view.commit
            );
            let entry = ledger::Entry {
                seq: view.seq,
                stream: view.stream.clone(),
                kind: view.kind.clone(),
                visibility: view.visibility,
                actor: view.actor.clone(),
                at_ms: view.at_ms,
                payload,
                salt,
            };
            assert_eq!(entry.leaf_hash().unwrap(), view.leaf_hash, "{today}");
        }
        let report = app::verify_store(
            test.app.store(),
            &test.app.public_key(),
            &test.app.settings().origin,
        )
        .await
        .unwrap();
        assert!(report.is_sound(), "{today}: {:?}", report.problems);
    }
}

/// A deadline computed in December beyond the calendar is provisional; when the trading center
/// publishes next year's calendar and the deadline now falls on a holiday (and under the 20-day
/// minimum the 第203条 extension sets), the procedure is listed for the tenderee to postpone;
/// once postponed it is not.
#[tokio::test]
async fn next_years_calendar_rechecks_provisional_deadlines() {
    let start = domain::Date::parse("2026-12-20").unwrap().start_ms() + 10 * 3_600_000;
    let test = crate::support::build_at(store::testing::fresh_sqlite(), start).await;
    assert!(app::seed_demo(&test.app).await.unwrap());
    app::run_simulated_ceremony(&test.app, "2026-12")
        .await
        .unwrap();
    let tenderee = caller(&test.app, "tenderee").await;
    // 20 days from 2026-12-20 is Saturday 2027-01-09: weekends only, the minimum is Monday.
    let (draft, _) = test
        .app
        .create_procedure(&tenderee, new_procedure("跨年项目", "2027-01-09 09:30"))
        .await
        .unwrap();
    test.app
        .attach_documents(&tenderee, &draft.id, "招标文件.pdf", b"%PDF x")
        .await
        .unwrap();
    let error = test
        .app
        .publish_procedure(&tenderee, &draft.id)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "DEADLINE_TOO_EARLY");
    test.app
        .edit_procedure(
            &tenderee,
            &draft.id,
            new_procedure("跨年项目", "2027-01-11 09:30"),
        )
        .await
        .unwrap();
    let (procedure, _) = test
        .app
        .publish_procedure(&tenderee, &draft.id)
        .await
        .unwrap();
    let standing = test.app.deadline_standing(&procedure).await.unwrap();
    assert!(standing.provisional && !standing.needs_attention());
    assert!(
        test.app
            .deadlines_needing_attention()
            .await
            .unwrap()
            .is_empty()
    );

    let operator = caller(&test.app, "operator").await;
    let next_year = format!(
        "{}2027-01-01,holiday,元旦\n2027-01-11,holiday,演示假日\n",
        app::SHIPPED_CALENDAR
    );
    test.app
        .publish_reference(
            &operator,
            domain::ReferenceKind::Calendar,
            &next_year,
            "2027年节假日安排",
        )
        .await
        .unwrap();
    let attention = test.app.deadlines_needing_attention().await.unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].0.id, procedure.id);
    assert_eq!(attention[0].1.holiday.as_deref(), Some("演示假日"));
    assert_eq!(
        attention[0].1.below_minimum,
        Some(domain::Date::parse("2027-01-12").unwrap())
    );
    assert!(!attention[0].1.provisional);

    test.app
        .amend_procedure(
            &tenderee,
            &procedure.id,
            app::NewAmendment {
                text: "因法定节假日调整，投标截止时间推迟。".into(),
                deadline: "2027-01-13 09:30".into(),
            },
        )
        .await
        .unwrap();
    assert!(
        test.app
            .deadlines_needing_attention()
            .await
            .unwrap()
            .is_empty()
    );
}
