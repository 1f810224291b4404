//! Credit over HTTP: records appear with the acts that cause them (a declined award, a signing
//! period passing, a withheld bond, a late performance); an imported list bites at every gate
//! naming the record and the rule, and a later import withdraws what it no longer lists; bad
//! imports are refused whole with every bad row and nothing written; 信用修复 restores the level;
//! `verify` recomputes every level from the ledger.

use crypto::PlatformKey;
use reqwest::Method;
use serde_json::{Value, json};

use crate::tendering::{Awarded, Flow, awarded_construction_lot};

const DAY: i64 = 86_400_000;

/// The trading center's signature over a list import.
fn signed_import(flow: &Flow, list: &str, source: &str, cutoff_ms: i64, csv: &str) -> Value {
    let cert = flow
        .certificates
        .iter()
        .find(|c| c.username == "operator")
        .expect("the operator's demo certificate");
    let key = PlatformKey::from_pkcs8_pem(&cert.key_pem).unwrap();
    let payload = app::list_signing_payload(list, source, cutoff_ms, csv);
    json!({
        "list": list,
        "source": source,
        "cutoff_ms": cutoff_ms,
        "csv": csv,
        "signature": key.sign(&crypto::canonical_json_bytes(&payload).unwrap()).to_hex(),
        "certificate_pem": cert.cert_pem,
    })
}

async fn credit(flow: &Flow, subject: &str) -> Value {
    flow.public(format!("/api/v1/credit/subjects/{subject}"))
        .await
}

fn facts(view: &Value) -> Vec<String> {
    view["file"]["records"]
        .as_array()
        .map(|records| {
            records
                .iter()
                .map(|r| r["fact"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn level(view: &Value, standard: &str) -> String {
    view["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["standard"] == standard)
        .map(|e| e["level"].as_str().unwrap().to_string())
        .unwrap()
}

async fn verify(flow: &Flow) -> app::VerifyReport {
    let app = flow.server.app();
    let report = app::verify_store(app.store(), &app.public_key(), &app.settings().origin)
        .await
        .unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);
    report
}

#[tokio::test]
async fn a_declined_award_and_a_lapsed_signing_period_are_recorded_with_their_acts() {
    let flow = Flow::new().await;
    let Awarded {
        lot,
        winner,
        candidates,
        bidders,
        ..
    } = awarded_construction_lot(&flow).await;
    let tenderee = flow.token("tenderee").await;
    // Fresh tokens: the ones made before the bids have expired by now.
    let mut tokens = std::collections::HashMap::new();
    for (username, _, entity) in &bidders {
        tokens.insert(entity.clone(), flow.token(username).await);
    }
    let token_of = |entity: &str| tokens[entity].clone();
    assert!(facts(&credit(&flow, &winner).await).is_empty());
    assert_eq!(level(&credit(&flow, &winner).await, "construction"), "A");

    // Only the winner may decline; the organiser may not record a lapse before the period ends.
    let other = candidates.iter().find(|c| **c != winner).unwrap().clone();
    flow.refused(
        &token_of(&other),
        Method::POST,
        &format!("/api/v1/lots/{lot}/decline"),
        Some(json!({"reason": "不想做了"})),
        403,
        "NOT_THE_WINNER",
    )
    .await;
    flow.refused(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/signing-lapse"),
        None,
        409,
        "SIGNING_PERIOD_RUNNING",
    )
    .await;
    assert!(facts(&credit(&flow, &winner).await).is_empty());

    // The winner declines: its record is written with the act, from the procedure's stream.
    flow.ok(
        &token_of(&winner),
        Method::POST,
        &format!("/api/v1/lots/{lot}/decline"),
        Some(json!({"reason": "项目经理变动，无法履约"})),
    )
    .await;
    let view = credit(&flow, &winner).await;
    assert_eq!(facts(&view), vec!["award_declined"]);
    let record = &view["file"]["records"][0];
    assert_eq!(record["source"]["type"], "platform");
    assert!(
        record["source"]["stream"]
            .as_str()
            .unwrap()
            .starts_with("procedure/")
    );
    assert_eq!(record["source"]["act"], "procedure.award_declined");
    assert!(record["basis"].as_str().unwrap().contains("第74条"));
    assert_eq!(level(&view, "construction"), "B");
    // The explanation names the record and the rule.
    let steps = view["evaluations"][0]["steps"].to_string();
    assert!(steps.contains(&format!("{winner}#1")), "{steps}");

    // Listed as a 失信被执行人 meanwhile, the next candidate is refused at the award's re-check,
    // naming the record and the rule; once a later list leaves it out, it is awarded (its
    // credit re-checked, the check kept), then lets the contract period pass.
    let operator = flow.token("operator").await;
    let now = flow.server.app().now_ms();
    let csv = format!(
        "名称,证件号码,地区代码,列入日期,截止日期,列入事由\n某公司,{other},330100,2026-12-01,,拒不履行\n"
    );
    flow.ok(
        &operator,
        Method::POST,
        "/api/v1/credit/lists",
        Some(signed_import(
            &flow,
            "dishonest_debtors",
            "信用中国",
            now - 1000,
            &csv,
        )),
    )
    .await;
    let before = flow.server.ledger_size().await;
    let body = flow
        .refused(
            &tenderee,
            Method::POST,
            &format!("/api/v1/lots/{lot}/award"),
            Some(json!({"winner": other})),
            403,
            "CREDIT_REFUSED",
        )
        .await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("确定中标人前核查") && message.contains(&format!("{other}#1")),
        "{message}"
    );
    assert_eq!(
        flow.server.ledger_size().await,
        before,
        "a refused award writes nothing"
    );
    let empty = "名称,证件号码,地区代码,列入日期,截止日期,列入事由\n某无关公司,91330102MA2B000015,330102,2026-12-01,,拒不履行\n";
    flow.ok(
        &operator,
        Method::POST,
        "/api/v1/credit/lists",
        Some(signed_import(
            &flow,
            "dishonest_debtors",
            "信用中国",
            now,
            empty,
        )),
    )
    .await;
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/award"),
        Some(json!({"winner": other})),
    )
    .await;
    flow.advance(40 * DAY);
    let tenderee = flow.token("tenderee").await;
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/signing-lapse"),
        None,
    )
    .await;
    assert_eq!(
        facts(&credit(&flow, &other).await),
        vec!["judgment_defaulter", "contract_not_signed"]
    );
    let checks = flow
        .server
        .app()
        .store()
        .stream_entries(&format!("credit-check/{lot}"))
        .await
        .unwrap();
    // The candidates' and both awards' re-checks are kept.
    assert_eq!(checks.len(), 3, "{checks:?}");
    assert!(verify(&flow).await.credit_levels >= 2);
}

#[tokio::test]
async fn a_listed_entity_is_refused_at_every_gate_until_a_later_list_leaves_it_out() {
    let flow = Flow::new().await;
    let operator = flow.token("operator").await;
    let bidder2 = flow.token("bidder2").await;
    let me = flow.ok(&bidder2, Method::GET, "/api/v1/me", None).await;
    let listed = me["entity_id"].as_str().unwrap().to_string();
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (_, lot, _) = flow.publish(&tenderee, "某小学校舍维修工程").await;
    // Registered before it is listed: its bid is refused at intake all the same.
    let (_, earlier, _) = flow.publish(&tenderee, "某中学围墙维修工程").await;
    flow.ok(
        &bidder2,
        Method::POST,
        &format!("/api/v1/lots/{earlier}/registration"),
        None,
    )
    .await;
    let now = flow.server.app().now_ms();
    let csv = format!(
        "名称,证件号码,地区代码,列入日期,截止日期,列入事由\n\
         温州瓯江建工集团有限公司,{listed},330300,2026-11-20,,有履行能力而拒不履行生效法律文书确定义务\n\
         杭州未注册建材有限公司,91330102MA2B000015,330102,2026-10-01,2028-10-01,违反财产报告制度\n"
    );

    // Bad imports are refused whole, every bad row named, nothing written.
    let before = flow.server.ledger_size().await;
    let bad = format!(
        "{csv}坏行,123,330100,2026-01-01,,事由\n另一坏行,91330102MA2B000015,330102,2099-01-01,,事由\n"
    );
    let body = flow
        .refused(
            &operator,
            Method::POST,
            "/api/v1/credit/lists",
            Some(signed_import(
                &flow,
                "dishonest_debtors",
                "信用中国查询下载",
                now - DAY,
                &bad,
            )),
            422,
            "LIST_ROWS",
        )
        .await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("第4行") && message.contains("第5行"),
        "{message}"
    );
    // A signature over another file, an unknown list, a certificate of another entity.
    let mut forged = signed_import(
        &flow,
        "dishonest_debtors",
        "信用中国查询下载",
        now - DAY,
        &csv,
    );
    forged["csv"] = json!(csv.replace("2026-11-20", "2026-11-21"));
    let (status, body) = flow
        .call(
            &operator,
            Method::POST,
            "/api/v1/credit/lists",
            Some(forged),
        )
        .await;
    assert_eq!(body["code"], "CERT_BAD_SIGNATURE", "{status} {body}");
    flow.refused(
        &operator,
        Method::POST,
        "/api/v1/credit/lists",
        Some(signed_import(&flow, "no_such_list", "x", now - DAY, &csv)),
        404,
        "LIST_UNKNOWN",
    )
    .await;
    let tenderee_cert = flow
        .certificates
        .iter()
        .find(|c| c.username == "tenderee")
        .unwrap();
    let mut other_signer = signed_import(&flow, "dishonest_debtors", "信用中国", now - DAY, &csv);
    let payload = app::list_signing_payload("dishonest_debtors", "信用中国", now - DAY, &csv);
    other_signer["signature"] = json!(
        PlatformKey::from_pkcs8_pem(&tenderee_cert.key_pem)
            .unwrap()
            .sign(&crypto::canonical_json_bytes(&payload).unwrap())
            .to_hex()
    );
    other_signer["certificate_pem"] = json!(tenderee_cert.cert_pem);
    flow.refused(
        &operator,
        Method::POST,
        "/api/v1/credit/lists",
        Some(other_signer),
        403,
        "LIST_SIGNER",
    )
    .await;
    // A cut-off not yet reached.
    let (status, body) = flow
        .call(
            &operator,
            Method::POST,
            "/api/v1/credit/lists",
            Some(signed_import(
                &flow,
                "dishonest_debtors",
                "信用中国",
                now + DAY,
                &csv,
            )),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("LIST_CUTOFF")),
        "{body}"
    );
    // Only the trading center imports.
    let (status, _) = flow
        .call(
            &bidder2,
            Method::POST,
            "/api/v1/credit/lists",
            Some(signed_import(
                &flow,
                "dishonest_debtors",
                "x",
                now - DAY,
                &csv,
            )),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        flow.server.ledger_size().await,
        before,
        "a refused import writes nothing"
    );

    // The import: both rows recorded by code (the second entity is not even registered).
    flow.ok(
        &operator,
        Method::POST,
        "/api/v1/credit/lists",
        Some(signed_import(
            &flow,
            "dishonest_debtors",
            "信用中国查询下载",
            now - DAY,
            &csv,
        )),
    )
    .await;
    let view = credit(&flow, &listed).await;
    assert_eq!(facts(&view), vec!["judgment_defaulter"]);
    assert_eq!(view["file"]["records"][0]["source"]["type"], "list");
    assert_eq!(view["file"]["records"][0]["source"]["cutoff_ms"], now - DAY);
    assert_eq!(level(&view, "construction"), "D");
    assert_eq!(
        facts(&credit(&flow, "91330102MA2B000015").await),
        vec!["judgment_defaulter"]
    );
    // The same cut-off again is stale.
    flow.refused(
        &operator,
        Method::POST,
        "/api/v1/credit/lists",
        Some(signed_import(
            &flow,
            "dishonest_debtors",
            "信用中国",
            now - DAY,
            &csv,
        )),
        409,
        "LIST_STALE",
    )
    .await;

    // Refused at registration, naming the record and the rule; the same at an auction.
    let body = flow
        .refused(
            &bidder2,
            Method::POST,
            &format!("/api/v1/lots/{lot}/registration"),
            None,
            403,
            "CREDIT_REFUSED",
        )
        .await;
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&format!("{listed}#1")), "{message}");
    assert!(message.contains("法〔2016〕285号"), "{message}");
    let (status, body) = flow
        .call(
            &bidder2,
            Method::PUT,
            &format!("/api/v1/lots/{earlier}/bid"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("CREDIT_REFUSED")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("投标"), "{body}");
    // Another bidder is not affected.
    let bidder = flow.token("bidder").await;
    flow.ok(
        &bidder,
        Method::POST,
        &format!("/api/v1/lots/{lot}/registration"),
        None,
    )
    .await;

    // The public credit list and the bulk download show it.
    let list = flow.public("/api/v1/credit").await;
    assert!(list["total"].as_u64().unwrap() >= 2);
    let bulk = flow.public("/api/v1/credit/records").await;
    assert!(bulk.to_string().contains(&listed));
    let page = reqwest::get(flow.server.url(&format!("/credit/subjects/{listed}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("失信被执行人") && page.contains("法〔2016〕285号"),
        "{page}"
    );

    // A later list that no longer names it withdraws the record: the gate opens again.
    flow.advance(DAY);
    let later = "名称,证件号码,地区代码,列入日期,截止日期,列入事由\n\
         杭州未注册建材有限公司,91330102MA2B000015,330102,2026-10-01,2028-10-01,违反财产报告制度\n";
    flow.ok(
        &operator,
        Method::POST,
        "/api/v1/credit/lists",
        Some(signed_import(
            &flow,
            "dishonest_debtors",
            "信用中国查询下载",
            now,
            later,
        )),
    )
    .await;
    let view = credit(&flow, &listed).await;
    assert_eq!(view["file"]["records"][0]["status"]["status"], "withdrawn");
    assert_eq!(level(&view, "construction"), "A");
    flow.ok(
        &bidder2,
        Method::POST,
        &format!("/api/v1/lots/{lot}/registration"),
        None,
    )
    .await;
    // The row still listed keeps its one record.
    assert_eq!(
        facts(&credit(&flow, "91330102MA2B000015").await),
        vec!["judgment_defaulter"]
    );
    verify(&flow).await;
}

/// A masked natural person is proposed to the operator and recorded once confirmed.
#[tokio::test]
async fn a_masked_person_waits_for_the_operators_confirmation() {
    let flow = Flow::new().await;
    let operator = flow.token("operator").await;
    let expert = flow.token("expert").await;
    let me = flow.ok(&expert, Method::GET, "/api/v1/me", None).await;
    let person = me["entity_id"].as_str().unwrap().to_string();
    let number = id_number("33010619750314041");
    let pattern = format!("{}********{}", &number[..6], &number[14..]);
    let now = flow.server.app().now_ms();
    let csv = format!(
        "名称,证件号码,地区代码,列入日期,截止日期,列入事由\n陈立明,{pattern},330100,2026-11-01,,拒不履行\n陈立明,{pattern},330200,2026-11-01,,另一人\n"
    );
    let imported = flow
        .ok(
            &operator,
            Method::POST,
            "/api/v1/credit/lists",
            Some(signed_import(
                &flow,
                "tax_offenders",
                "税务总局网站",
                now - DAY,
                &csv,
            )),
        )
        .await;
    let pending = &imported["import"]["pending"];
    assert_eq!(pending.as_array().unwrap().len(), 2);
    assert_eq!(pending[0]["candidates"], json!([person]));
    assert_eq!(
        pending[1]["candidates"],
        json!([]),
        "another region is nobody here"
    );
    assert!(
        facts(&credit(&flow, &person).await).is_empty(),
        "nothing before confirmation"
    );
    let key = pending[0]["key"].as_str().unwrap();
    // Only a candidate may be confirmed.
    flow.refused(
        &operator,
        Method::POST,
        "/api/v1/credit/lists/tax_offenders/matches",
        Some(json!({"key": key, "subject": "91330102MA2B000015"})),
        409,
        "LIST_MATCH",
    )
    .await;
    flow.ok(
        &operator,
        Method::POST,
        "/api/v1/credit/lists/tax_offenders/matches",
        Some(json!({"key": key, "subject": person})),
    )
    .await;
    assert_eq!(facts(&credit(&flow, &person).await), vec!["tax_offender"]);
    // The public view names no ID number.
    let public = flow
        .public(format!("/api/v1/credit/subjects/{person}"))
        .await
        .to_string();
    assert!(!public.contains(&number));
    verify(&flow).await;
}

fn id_number(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

#[tokio::test]
async fn a_withheld_bond_is_recorded_and_repaired_after_its_period() {
    let flow = Flow::new().await;
    let Awarded { lot, bidders, .. } = awarded_construction_lot(&flow).await;
    let operator = flow.token("operator").await;
    let (username, _, entity) = &bidders[2];
    let token = &flow.token(username).await;
    let other = flow.token(bidders[0].0).await;
    flow.ok(
        &operator,
        Method::POST,
        &format!("/api/v1/lots/{lot}/bonds/{entity}/forfeit"),
        Some(json!({"reason": "投标截止后撤销投标文件"})),
    )
    .await;
    let view = credit(&flow, entity).await;
    assert_eq!(facts(&view), vec!["bond_withheld"]);
    assert_eq!(
        view["file"]["records"][0]["source"]["act"],
        "bond.forfeited"
    );
    let n = 1;
    let repair = |statement: &str| {
        json!({
            "statement": statement,
            "evidence": [{"name": "整改报告.pdf", "content_base64": "JVBERi0xLjcgcmVwb3J0"}],
        })
    };
    // Too early (3 months from the record's date), and not by another entity.
    let (status, body) = flow
        .call(
            token,
            Method::POST,
            &format!("/api/v1/credit/subjects/{entity}/records/{n}/repair"),
            Some(repair("已整改")),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("CREDIT_NOT_REPAIRABLE")),
        "{body}"
    );
    let (status, _) = flow
        .call(
            &other,
            Method::POST,
            &format!("/api/v1/credit/subjects/{entity}/records/{n}/repair"),
            Some(repair("冒名")),
        )
        .await;
    assert_eq!(status, 403);
    flow.advance(100 * DAY);
    let token = &flow.token(username).await;
    flow.ok(
        token,
        Method::POST,
        &format!("/api/v1/credit/subjects/{entity}/records/{n}/repair"),
        Some(repair("已按要求整改，作出信用承诺")),
    )
    .await;
    // The statement is the entity's and the trading center's, not the public's.
    let public = credit(&flow, entity).await;
    assert_eq!(public["file"]["records"][0]["repair"]["statement"], "");
    let operator = flow.token("operator").await;
    flow.ok(
        &operator,
        Method::POST,
        &format!("/api/v1/credit/subjects/{entity}/records/{n}/review"),
        Some(json!({"approve": true, "reason": "证明材料充分"})),
    )
    .await;
    let view = credit(&flow, entity).await;
    assert_eq!(view["file"]["records"][0]["status"]["status"], "repaired");
    assert_eq!(level(&view, "construction"), "A");
    assert_eq!(view["evaluations"][0]["score"], 100);
    verify(&flow).await;
}
