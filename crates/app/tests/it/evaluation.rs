//! 评标 on both backends: the committee drawn for the lot evaluates its opened bids — only its
//! experts, after the declaration; what is missing is listed and blocks the conclusion; an
//! objective mismatch must be resolved; the report is locked once concluded, signed by every
//! expert's own certificate, and then the lot is evaluated.

use app::Caller;
use domain::{FactorScore, ItemVerdict, LotStatus, Sheet};

use crate::support::{DrawNow, TestApp, demo_apps};
use crate::tendering::caller;

const DAY: i64 = 86_400_000;

async fn expert_caller(test: &TestApp, op: &Caller, pseudonym: &str) -> Caller {
    let username = match test.app.expert(op, pseudonym).await.unwrap().account {
        Some(linked) => linked,
        None => {
            test.app
                .open_expert_account(op, pseudonym, None, "Expert2026pass")
                .await
                .unwrap();
            domain::Expert::account_name(pseudonym)
        }
    };
    test.app.caller_for(&username).await.unwrap()
}

fn full_sheet(view: &app::EvaluationView, organisation: i64, management: i64) -> Sheet {
    Sheet {
        expert: String::new(),
        verdicts: view
            .bids
            .iter()
            .flat_map(|b| {
                view.terms.items.iter().map(|item| ItemVerdict {
                    bidder: b.bidder.clone(),
                    item: item.clone(),
                    pass: true,
                    reason: String::new(),
                })
            })
            .collect(),
        scores: view
            .bids
            .iter()
            .enumerate()
            .flat_map(|(n, b)| {
                [
                    FactorScore {
                        bidder: b.bidder.clone(),
                        factor: "organisation".into(),
                        score: organisation - n as i64 * 100,
                    },
                    FactorScore {
                        bidder: b.bidder.clone(),
                        factor: "management".into(),
                        score: management,
                    },
                ]
            })
            .collect(),
    }
}

fn sign(key_pem: &str, payload: &domain::ReportToSign) -> String {
    let key = crypto::PlatformKey::from_pkcs8_pem(key_pem).unwrap();
    let value = serde_json::to_value(payload).unwrap();
    key.sign(&crypto::canonical_json_bytes(&value).unwrap())
        .to_hex()
}

#[tokio::test]
async fn a_committee_scores_concludes_and_signs_the_report() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        let holders = app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let tenderee = caller(&test.app, "tenderee").await;
        // A bond above the rule set's cap (2 % of 38,000,000 元 = 760,000 元) is refused at
        // publication; 50,000 元 is asked.
        let mut draft =
            crate::tendering::new_procedure("杭州市第十四中学新建教学楼工程", "2026-12-28 09:30");
        draft.lots[0].bond_fen = Some(80_000_000);
        let (too_much, _) = test
            .app
            .create_procedure(&tenderee, draft.clone())
            .await
            .unwrap();
        test.app
            .attach_documents(&tenderee, &too_much.id, "招标文件.pdf", b"%PDF x")
            .await
            .unwrap();
        assert_eq!(
            test.app
                .publish_procedure(&tenderee, &too_much.id)
                .await
                .unwrap_err()
                .code(),
            "BOND_OVER_CAP"
        );
        draft.lots[0].bond_fen = Some(5_000_000);
        let (procedure, _) = test.app.create_procedure(&tenderee, draft).await.unwrap();
        test.app
            .attach_documents(&tenderee, &procedure.id, "招标文件.pdf", b"%PDF x")
            .await
            .unwrap();
        let (procedure, _) = test
            .app
            .publish_procedure(&tenderee, &procedure.id)
            .await
            .unwrap();
        let lot = procedure.lots[0].code.clone();
        // Bonds: two e-guarantees from the demo provider, one transfer confirmed by the center.
        let guarantor = app::DemoGuarantor::new(&test.app).await.unwrap();
        let op = caller(&test.app, "operator").await;
        let bidder = caller(&test.app, "bidder").await;
        let bidder2 = caller(&test.app, "bidder2").await;
        let yuecheng = caller(&test.app, "yuecheng").await;
        // Without a bond the bid is refused before a byte is read.
        test.app.register_for_lot(&bidder, &lot).await.unwrap();
        assert_eq!(
            test.app
                .begin_bid(&bidder, &lot)
                .await
                .err()
                .map(|e| e.code()),
            Some("BOND_REQUIRED")
        );
        let good = guarantor.issue(
            "BH2026-0001",
            &lot,
            &bidder.entity_id,
            &tenderee.entity_id,
            5_000_000,
            "2027-03-31",
        );
        // A guarantee altered after signing, or naming another applicant: refused.
        let mut altered = good.clone();
        altered.guarantee.amount_fen = 9_000_000;
        assert_eq!(
            test.app
                .record_bond_guarantee(&bidder, &lot, &altered)
                .await
                .unwrap_err()
                .code(),
            "GUARANTEE_INVALID"
        );
        assert_eq!(
            test.app
                .record_bond_guarantee(&bidder2, &lot, &good)
                .await
                .unwrap_err()
                .code(),
            "GUARANTEE_INVALID"
        );
        // A bidder "guaranteeing" itself with its own certificate: not an accepted institution.
        let own = {
            let cert = certificates
                .iter()
                .find(|c| c.username == "bidder")
                .unwrap();
            let key = crypto::PlatformKey::from_pkcs8_pem(&cert.key_pem).unwrap();
            let doc = app::GuaranteeDoc {
                issuer: bidder.entity_id.clone(),
                issuer_name: "中国工商银行".into(),
                number: "FAKE-1".into(),
                applicant: bidder.entity_id.clone(),
                beneficiary: tenderee.entity_id.clone(),
                lot: lot.clone(),
                amount_fen: 5_000_000,
                valid_until: "2027-03-31".into(),
            };
            let value = serde_json::to_value(&doc).unwrap();
            app::SignedGuarantee {
                guarantee: doc,
                certificate_pem: cert.cert_pem.clone(),
                signature: key
                    .sign(&crypto::canonical_json_bytes(&value).unwrap())
                    .to_hex(),
            }
        };
        let error = test
            .app
            .record_bond_guarantee(&bidder, &lot, &own)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "GUARANTEE_INVALID");
        assert!(error.to_string().contains("名录"), "{error}");
        assert_eq!(test.app.guarantors().await.unwrap().len(), 1);
        let short = guarantor.issue(
            "BH2026-0002",
            &lot,
            &bidder.entity_id,
            &tenderee.entity_id,
            // Below even the half a bidder of credit level A owes (the construction standard's
            // 守信激励 halves the bond).
            2_000_000,
            "2027-03-31",
        );
        assert_eq!(
            test.app
                .record_bond_guarantee(&bidder, &lot, &short)
                .await
                .unwrap_err()
                .code(),
            "BOND_TOO_SMALL"
        );
        test.app
            .record_bond_guarantee(&bidder, &lot, &good)
            .await
            .unwrap();
        let second = guarantor.issue(
            "BH2026-0003",
            &lot,
            &bidder2.entity_id,
            &tenderee.entity_id,
            5_000_000,
            "2027-03-31",
        );
        test.app
            .record_bond_guarantee(&bidder2, &lot, &second)
            .await
            .unwrap();
        test.app.register_for_lot(&bidder2, &lot).await.unwrap();
        test.app
            .record_bond_transfer(&yuecheng, &lot, 5_000_000, "ZJ202612010001")
            .await
            .unwrap();
        test.app.register_for_lot(&yuecheng, &lot).await.unwrap();
        assert_eq!(
            test.app
                .begin_bid(&yuecheng, &lot)
                .await
                .err()
                .map(|e| e.code()),
            Some("BOND_REQUIRED")
        );
        assert_eq!(
            test.app
                .confirm_bond(&bidder, &lot, &yuecheng.entity_id, "")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        // The paying account, when stated, is an account number; a bad one changes nothing.
        let size = test.size().await;
        assert_eq!(
            test.app
                .confirm_bond(&op, &lot, &yuecheng.entity_id, "6222-02x")
                .await
                .unwrap_err()
                .code(),
            "BANK_ACCOUNT_NUMBER"
        );
        assert_eq!(test.size().await, size);
        test.app
            .confirm_bond(&op, &lot, &yuecheng.entity_id, "6222 0202 0011 2233")
            .await
            .unwrap();
        let bond = test
            .app
            .store()
            .documents(
                &store::DocumentFilter {
                    kind: "bond",
                    key1: Some(&lot),
                    key2: Some(&yuecheng.entity_id),
                    ..Default::default()
                },
                1,
                0,
            )
            .await
            .unwrap()
            .items
            .remove(0);
        let bond: domain::Bond = serde_json::from_str(&bond.state).unwrap();
        let payer = bond.payer.unwrap();
        assert_eq!(payer.tail, "2233", "the last four digits, spaces dropped");
        assert_eq!(payer.tag.len(), 32);
        assert!(
            !serde_json::to_string(&payer)
                .unwrap()
                .contains("6222020200112233"),
            "the number itself is not kept"
        );
        // Before the opening the organiser sees no bond (it would name the bidders), and the
        // trading center and oversight see amounts and states under handles, no names.
        assert!(test.app.bonds(&tenderee, &lot).await.unwrap().is_empty());
        assert_eq!(test.app.bonds(&yuecheng, &lot).await.unwrap().len(), 1);
        let sealed = test.app.bonds(&op, &lot).await.unwrap();
        assert_eq!(sealed.len(), 3);
        let supervisor = caller(&test.app, "supervisor").await;
        for who in [&op, &supervisor] {
            let listed = serde_json::to_string(&test.app.bonds(who, &lot).await.unwrap()).unwrap();
            for entity in [&bidder, &bidder2, &yuecheng] {
                assert!(!listed.contains(&entity.entity_id), "{listed}");
                let name = test.app.entity(None, &entity.entity_id).await.unwrap().name;
                assert!(!listed.contains(&name), "{listed}");
            }
        }
        assert!(
            sealed
                .iter()
                .all(|b| b.bidder.starts_with('B') && b.bidder.len() == 13)
        );
        // Supervision reads the names early only with a reason, and the read is recorded.
        let size = test.size().await;
        assert_eq!(
            test.app
                .reveal_bond_bidders(&op, &lot, "核查")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        let (named, receipt) = test
            .app
            .reveal_bond_bidders(&supervisor, &lot, "投诉涉及保证金来源，核查")
            .await
            .unwrap();
        assert!(named.iter().any(|b| b.bidder == yuecheng.entity_id));
        assert_eq!(receipt.kind, "access.bidders_read");
        assert_eq!(test.size().await, size + 1);
        // The standard terms of construction were frozen at publication.
        assert!(matches!(
            procedure.lots[0].evaluation.as_ref().unwrap().method,
            domain::EvaluationMethod::ConstructionComprehensive { .. }
        ));
        let key = procedure.opening_key.clone().unwrap().public_key;
        for (who, username, price) in [
            (&bidder, "bidder", 3_650_000_000),
            (&bidder2, "bidder2", 3_700_000_000),
            (&yuecheng, "yuecheng", 3_720_000_000),
        ] {
            let envelope =
                crate::tendering::seal(&certificates, username, &who.entity_id, &lot, &key, price);
            test.app.submit_bid(who, &lot, &envelope).await.unwrap();
        }
        // Before the opening there is nothing to evaluate.
        assert_eq!(
            test.app
                .start_evaluation(&tenderee, &lot)
                .await
                .unwrap_err()
                .code(),
            "EVALUATION_NOT_READY"
        );
        let (committed, _) = test
            .app
            .draw_now(
                &op,
                app::NewDraw {
                    lot: lot.clone(),
                    evaluation_date: "2026-12-29".into(),
                    needs: vec![("A01".into(), 5)],
                    backups: 0,
                    recent_days: 0,
                    excluded_regions: Vec::new(),
                    confirm_minutes: None,
                },
            )
            .await
            .unwrap();
        let panel = test.app.panel_view(&op, &committed.id).await.unwrap();
        let mut experts = Vec::new();
        for seat in &panel.seats {
            let pseudonym = seat.pseudonym.clone().unwrap();
            let expert = expert_caller(&test, &op, &pseudonym).await;
            test.app.confirm_seat(&expert, &committed.id).await.unwrap();
            test.app
                .declare_no_conflict(&expert, &committed.id, None)
                .await
                .unwrap();
            experts.push((pseudonym, expert));
        }
        test.advance(28 * DAY);
        app::simulated_holders_round(&test.app, &holders)
            .await
            .unwrap();
        let opened = test.app.procedure(None, &procedure.id).await.unwrap();
        assert_eq!(opened.lot(&lot).unwrap().status, LotStatus::Opened);

        // Only the organiser or the trading center starts it.
        assert_eq!(
            test.app
                .start_evaluation(&bidder, &lot)
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        test.app.start_evaluation(&tenderee, &lot).await.unwrap();
        assert_eq!(
            test.app
                .start_evaluation(&tenderee, &lot)
                .await
                .unwrap_err()
                .code(),
            "EVALUATION_NOT_READY"
        );
        let evaluating = test.app.procedure(None, &procedure.id).await.unwrap();
        assert_eq!(evaluating.lot(&lot).unwrap().status, LotStatus::Evaluating);

        // The committee sees the bids; nobody else on the expert side, no bidder.
        let (e1, e2, e3) = (&experts[0].1, &experts[1].1, &experts[2].1);
        let view = test.app.evaluation_view(e1, &lot).await.unwrap();
        assert_eq!(view.bids.len(), 3);
        assert!(view.bids.iter().any(|b| b.bidder_name.contains("甬兴")));
        assert!(view.todo.iter().any(|t| t.contains("尚未审查")));
        let outsider = test.app.caller_for("expert").await.unwrap();
        if !experts.iter().any(|(_, c)| c.username == "expert") {
            assert_eq!(
                test.app
                    .evaluation_view(&outsider, &lot)
                    .await
                    .unwrap_err()
                    .code(),
                "NOT_AUTHORIZED"
            );
        }
        assert_eq!(
            test.app
                .evaluation_view(&bidder, &lot)
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );

        // The opened files: to the committee and to the bidder itself, not to another bidder
        // nor to the organiser; only files the opening record lists.
        let first_bid = view
            .bids
            .iter()
            .find(|b| b.bidder == bidder.entity_id)
            .unwrap();
        let file = &first_bid.files[0];
        let (name, bytes) = test
            .app
            .bid_file(e1, &lot, &first_bid.bidder, &file.sm3)
            .await
            .unwrap();
        assert_eq!(name, "投标函.txt");
        assert_eq!(bytes, "bidder 投标函".as_bytes());
        assert!(
            test.app
                .bid_file(&bidder, &lot, &first_bid.bidder, &file.sm3)
                .await
                .is_ok()
        );
        let bidder2 = caller(&test.app, "bidder2").await;
        for who in [&bidder2, &tenderee] {
            assert_eq!(
                test.app
                    .bid_file(who, &lot, &first_bid.bidder, &file.sm3)
                    .await
                    .unwrap_err()
                    .code(),
                "NOT_AUTHORIZED"
            );
        }
        assert_eq!(
            test.app
                .bid_file(e1, &lot, &first_bid.bidder, &"0".repeat(64))
                .await
                .unwrap_err()
                .code(),
            "NOT_FOUND"
        );

        // Two complete sheets, and one that disagrees on the objective factor.
        test.app
            .save_sheet(e1, &lot, full_sheet(&view, 2800, 800))
            .await
            .unwrap();
        test.app
            .save_sheet(e2, &lot, full_sheet(&view, 2600, 800))
            .await
            .unwrap();
        test.app
            .save_sheet(e3, &lot, full_sheet(&view, 2700, 600))
            .await
            .unwrap();
        for (_, expert) in &experts[3..] {
            test.app
                .save_sheet(expert, &lot, full_sheet(&view, 2750, 800))
                .await
                .unwrap();
        }
        let size = test.size().await;
        let error = test
            .app
            .conclude_evaluation(&tenderee, &lot)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "EVALUATION_INCOMPLETE");
        assert!(error.to_string().contains("客观分不一致"), "{error}");
        assert_eq!(test.size().await, size);
        let mine = test.app.evaluation_view(e3, &lot).await.unwrap();
        assert!(mine.todo.iter().any(|t| t.contains("客观分不一致")));
        test.app
            .save_sheet(e3, &lot, full_sheet(&view, 2700, 800))
            .await
            .unwrap();

        test.app.conclude_evaluation(e1, &lot).await.unwrap();
        // Locked: no score changes after the conclusion.
        assert_eq!(
            test.app
                .save_sheet(e1, &lot, full_sheet(&view, 3000, 800))
                .await
                .unwrap_err()
                .code(),
            "EVALUATION_LOCKED"
        );

        // Each expert signs with their own certificate.
        let keys = app::seed_demo_expert_certificates(&test.app).await.unwrap();
        let key_of = |p: &str| keys.iter().find(|k| k.pseudonym == p).unwrap().clone();
        let first = key_of(&experts[0].0);
        let second = key_of(&experts[1].0);
        let payload = test
            .app
            .evaluation_view(e1, &lot)
            .await
            .unwrap()
            .to_sign
            .unwrap();
        // Another expert's certificate, or a signature of something else: refused.
        assert_eq!(
            test.app
                .sign_report(e1, &lot, &second.cert_pem, &sign(&second.key_pem, &payload))
                .await
                .unwrap_err()
                .code(),
            "CERT_WRONG_ENTITY"
        );
        let mut other = payload.clone();
        other.report_sm3 = "00".repeat(32);
        assert_eq!(
            test.app
                .sign_report(e1, &lot, &first.cert_pem, &sign(&first.key_pem, &other))
                .await
                .unwrap_err()
                .code(),
            "CERT_BAD_SIGNATURE"
        );
        test.app
            .sign_report(e1, &lot, &first.cert_pem, &sign(&first.key_pem, &payload))
            .await
            .unwrap();
        // After a signature the report can no longer be reopened.
        assert_eq!(
            test.app
                .reopen_evaluation(&tenderee, &lot, "复核")
                .await
                .unwrap_err()
                .code(),
            "EVALUATION_LOCKED"
        );
        for (pseudonym, expert) in &experts[1..] {
            let cert = key_of(pseudonym);
            let payload = test
                .app
                .evaluation_view(expert, &lot)
                .await
                .unwrap()
                .to_sign
                .unwrap();
            test.app
                .sign_report(expert, &lot, &cert.cert_pem, &sign(&cert.key_pem, &payload))
                .await
                .unwrap();
        }
        let done = test.app.evaluation_view(&tenderee, &lot).await.unwrap();
        assert_eq!(done.status, "signed");
        assert_eq!(done.signed, 5);
        let outcome = done.outcome.unwrap();
        assert_eq!(outcome.candidates.len(), 3);
        assert!(done.sheets.is_none());
        let evaluated = test.app.procedure(None, &procedure.id).await.unwrap();
        assert_eq!(evaluated.lot(&lot).unwrap().status, LotStatus::Evaluated);
        let supervisor = caller(&test.app, "supervisor").await;
        assert_eq!(
            test.app
                .evaluation_view(&supervisor, &lot)
                .await
                .unwrap()
                .sheets
                .unwrap()
                .len(),
            5
        );

        // 中标候选人公示; an objection suspends the lot until answered; the award after the
        // publicity discloses the committee; the contract signed by both; performance.
        test.app.publish_candidates(&tenderee, &lot).await.unwrap();
        test.app
            .raise_objection(
                &bidder2,
                &lot,
                domain::ObjectionSubject::Result,
                "第一中标候选人的项目经理有在建工程",
            )
            .await
            .unwrap();
        // Neither the public view nor the public list tells who objected or what they said.
        let listed = test.app.procedures(None, 100, 0).await.unwrap();
        let public_lot = listed
            .items
            .iter()
            .find(|p| p.id == procedure.id)
            .unwrap()
            .lot(&lot)
            .unwrap()
            .clone();
        assert!(public_lot.award.objections[0].text.is_empty());
        assert!(public_lot.award.objections[0].by_name.is_empty());
        let own = test
            .app
            .procedure(Some(&bidder2), &procedure.id)
            .await
            .unwrap();
        assert!(!own.lot(&lot).unwrap().award.objections[0].text.is_empty());
        let suspended = test.app.procedure(None, &procedure.id).await.unwrap();
        assert!(matches!(
            suspended.lot(&lot).unwrap().status,
            LotStatus::Suspended { .. }
        ));
        let winner = outcome.candidates[0].clone();
        assert_eq!(
            test.app
                .award(&tenderee, &lot, &winner)
                .await
                .unwrap_err()
                .code(),
            "AWARD_STEP"
        );
        test.app
            .answer_objection(
                &tenderee,
                &lot,
                1,
                "经核查，该项目经理在建工程已竣工验收，异议不成立。",
            )
            .await
            .unwrap();
        assert_eq!(
            test.app
                .award(&tenderee, &lot, &winner)
                .await
                .unwrap_err()
                .code(),
            "PUBLICITY_RUNNING"
        );
        test.advance(4 * DAY);
        assert_eq!(
            test.app
                .raise_objection(&bidder2, &lot, domain::ObjectionSubject::Result, "逾期异议")
                .await
                .unwrap_err()
                .code(),
            "OBJECTION_OUT_OF_TIME"
        );
        assert_eq!(
            test.app
                .award(&tenderee, &lot, &bidder2.entity_id.replace('9', "8"))
                .await
                .unwrap_err()
                .code(),
            "NOT_A_CANDIDATE"
        );
        test.app.award(&tenderee, &lot, &winner).await.unwrap();
        // The names are disclosed with the award, and check against the pool's commitments.
        let record = test.app.draw_record(&committed.id).await.unwrap();
        assert_eq!(record.disclosed.as_ref().unwrap().names.len(), 5);
        assert!(app::check_record(&record).is_ok());
        // The contract: both parties sign its digest with their own certificates.
        let contract = "建设工程施工合同（演示）".as_bytes();
        let payload =
            serde_json::json!({"lot": lot, "contract_sm3": crypto::sm3(contract).to_hex()});
        let signature_of = |username: &str| {
            let cert = certificates
                .iter()
                .find(|c| c.username == username)
                .unwrap();
            let key = crypto::PlatformKey::from_pkcs8_pem(&cert.key_pem).unwrap();
            (
                cert.cert_pem.clone(),
                key.sign(&crypto::canonical_json_bytes(&payload).unwrap())
                    .to_hex(),
            )
        };
        let mut winner_name = String::new();
        for name in ["bidder", "bidder2", "yuecheng"] {
            if caller(&test.app, name).await.entity_id == winner {
                winner_name = name.to_string();
            }
        }
        assert_eq!(
            test.app
                .record_contract(
                    &tenderee,
                    &lot,
                    "施工合同.pdf",
                    contract,
                    &[signature_of("tenderee")]
                )
                .await
                .unwrap_err()
                .code(),
            "CONTRACT_SIGNATURES"
        );
        test.app
            .record_contract(
                &tenderee,
                &lot,
                "施工合同.pdf",
                contract,
                &[signature_of("tenderee"), signature_of(&winner_name)],
            )
            .await
            .unwrap();
        test.app
            .record_performance(
                &tenderee,
                &lot,
                "完成基础工程，进度符合合同约定。",
                domain::PerformanceOutcome::Normal,
                false,
            )
            .await
            .unwrap();
        // A late performance is the winner's credit record, with the procedure's act as source.
        assert!(test.app.credit_file(&winner).await.unwrap().is_none());
        test.app
            .record_performance(
                &tenderee,
                &lot,
                "主体结构验收逾期。",
                domain::PerformanceOutcome::Late { days: 12 },
                false,
            )
            .await
            .unwrap();
        let file = test.app.credit_file(&winner).await.unwrap().unwrap();
        assert_eq!(file.records[0].fact, "performance_late");
        assert!(file.records[0].detail.contains("逾期履行 12 日"));
        assert!(matches!(
            &file.records[0].source,
            domain::RecordSource::Platform { act, .. } if act == "procedure.performance_recorded"
        ));
        test.app
            .record_performance(
                &tenderee,
                &lot,
                "",
                domain::PerformanceOutcome::Normal,
                true,
            )
            .await
            .unwrap();
        // The bonds go back after the contract: guarantees released, the transfer with its
        // deposit interest (1.50 % a year on 50,000 元 for the days held).
        let refunds = test.app.refund_bonds(&op, &lot).await.unwrap();
        assert_eq!(refunds.len(), 3);
        let bonds = test.app.bonds(&op, &lot).await.unwrap();
        let transfer = bonds
            .iter()
            .find(|b| b.bidder == yuecheng.entity_id)
            .unwrap();
        match &transfer.status {
            domain::BondStatus::Refunded {
                interest_fen, late, ..
            } => {
                let days = (test.app.now_ms()
                    - app::parse_beijing_minute("2026-12-01 09:30").unwrap())
                    / DAY;
                assert_eq!(
                    *interest_fen,
                    domain::bond_interest(5_000_000, 150, 0, days * DAY)
                );
                assert!(*interest_fen > 0);
                assert!(!late);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            bonds
                .iter()
                .all(|b| matches!(b.status, domain::BondStatus::Refunded { .. }))
        );
        assert!(test.app.refund_bonds(&op, &lot).await.unwrap().is_empty());
        let completed = test.app.procedure(None, &procedure.id).await.unwrap();
        let lot_state = completed.lot(&lot).unwrap();
        assert_eq!(lot_state.status, LotStatus::Completed);
        assert!(!lot_state.award.contract.as_ref().unwrap().late);
        let kinds: Vec<String> = test
            .app
            .announcements(&procedure.id, "", 100, 0)
            .await
            .unwrap()
            .items
            .iter()
            .map(|a| a.kind.clone())
            .collect();
        for kind in ["candidates_notice", "result_notice", "contract_notice"] {
            assert!(kinds.iter().any(|k| k == kind), "{kind}: {kinds:?}");
        }

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
async fn a_bond_withheld_before_the_opening_fails_that_bid() {
    let test = demo_apps().await.remove(0);
    let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
    let holders = app::run_simulated_ceremony(&test.app, "2026-12")
        .await
        .unwrap();
    let tenderee = caller(&test.app, "tenderee").await;
    let op = caller(&test.app, "operator").await;
    let mut draft = crate::tendering::new_procedure("保证金开标测试工程", "2026-12-28 09:30");
    draft.lots[0].bond_fen = Some(5_000_000);
    let (procedure, _) = test.app.create_procedure(&tenderee, draft).await.unwrap();
    test.app
        .attach_documents(&tenderee, &procedure.id, "招标文件.pdf", b"%PDF x")
        .await
        .unwrap();
    let (procedure, _) = test
        .app
        .publish_procedure(&tenderee, &procedure.id)
        .await
        .unwrap();
    let lot = procedure.lots[0].code.clone();
    let key = procedure.opening_key.clone().unwrap().public_key;
    for (username, price) in [
        ("bidder", 3_650_000_000),
        ("bidder2", 3_700_000_000),
        ("yuecheng", 3_720_000_000),
    ] {
        let who = caller(&test.app, username).await;
        test.app
            .record_bond_transfer(&who, &lot, 5_000_000, &format!("ZJ-{username}"))
            .await
            .unwrap();
        test.app
            .confirm_bond(&op, &lot, &who.entity_id, "")
            .await
            .unwrap();
        test.app.register_for_lot(&who, &lot).await.unwrap();
        let envelope =
            crate::tendering::seal(&certificates, username, &who.entity_id, &lot, &key, price);
        test.app.submit_bid(&who, &lot, &envelope).await.unwrap();
    }
    let yuecheng = caller(&test.app, "yuecheng").await;
    test.app
        .forfeit_bond(&op, &lot, &yuecheng.entity_id, "经查实以他人名义投标")
        .await
        .unwrap();
    test.advance(28 * DAY);
    app::simulated_holders_round(&test.app, &holders)
        .await
        .unwrap();
    let opened = test.app.procedure(None, &procedure.id).await.unwrap();
    let lines = &opened.lot(&lot).unwrap().opening;
    let failed: Vec<&str> = lines
        .iter()
        .filter(|l| l.outcome != domain::OpeningOutcome::Opened)
        .map(|l| l.bidder.as_ref())
        .collect();
    assert_eq!(failed, vec![yuecheng.entity_id.as_str()]);
}
