//! The expert service through the pages and the API: a draw requested on the page and re-checked
//! by anyone; an expert confirms and signs the 回避承诺 on 我的评标; the organiser sees the panel
//! without names before the day; one expert's record with the trading center's actions; rooms
//! without double booking; an Excel import through the page.

use std::sync::atomic::Ordering;

use crate::support::{client, form};
use crate::tender_pages::{DAY, multipart, spawn_clocked, text};

async fn post(browser: &reqwest::Client, url: String, pairs: &[(&str, &str)]) -> reqwest::Response {
    browser
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn draws_panels_experts_and_rooms_through_the_pages() {
    let server = spawn_clocked().await;
    let app = server.app();
    let certificates = app::seed_demo_certificates(app).await.unwrap();
    app::run_simulated_ceremony(app, "2026-12").await.unwrap();
    assert!(app::seed_demo_tendering(app, &certificates).await.unwrap());
    let lot = app
        .procedures(None, 100, 0)
        .await
        .unwrap()
        .items
        .iter()
        .find(|p| p.draft.category == "construction")
        .map(|p| p.lots[0].code.clone())
        .unwrap();

    let (operator, csrf) = server.login("operator").await;
    let page = server.page(&operator, "/draws").await;
    assert!(page.contains("发起抽取") && page.contains("A01 "), "{page}");

    // A request without a count: refused on the page, the values kept, nothing written.
    let before = app.store().ledger_size().await.unwrap();
    let refused = post(
        &operator,
        server.url("/draws"),
        &[
            ("csrf", &csrf),
            ("lot", &lot),
            ("evaluation_date", "2026-12-31"),
            ("category1", "A01"),
            ("count1", ""),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = text(refused).await;
    assert!(html.contains("DRAW_NEEDS") && html.contains(&lot), "{html}");
    assert_eq!(app.store().ledger_size().await.unwrap(), before);

    let drawn = post(
        &operator,
        server.url("/draws"),
        &[
            ("csrf", &csrf),
            ("lot", &lot),
            ("evaluation_date", "2026-12-30"),
            ("category1", "A01"),
            ("count1", "2"),
            ("backups", "1"),
        ],
    )
    .await;
    assert_eq!(drawn.status(), 303, "{}", text(drawn).await);
    let target = location(&drawn);
    let id = target
        .trim_start_matches("/draws/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // Committed: the page shows the commitment and waits for the supervisor; the operator
    // cannot contribute, the list shows it pending.
    let page = server.page(&operator, &target).await;
    assert!(
        page.contains("抽取承诺已写入") && page.contains("等待监督人员投入随机数"),
        "{page}"
    );
    assert!(!page.contains("投入随机数并抽取"));
    let list = server.page(&operator, "/draws").await;
    assert!(
        list.contains("待投入随机数") && list.contains(&id),
        "{list}"
    );
    let commitment = app.pending_draw(&id).await.unwrap().commitment;
    let refused = post(
        &operator,
        server.url(&format!("/draws/{id}/contribute")),
        &[
            ("csrf", &csrf),
            ("commitment", &commitment),
            ("value", &"1".repeat(64)),
        ],
    )
    .await;
    assert_eq!(refused.status(), 403);
    // The supervisor: a value that is not 64 hex digits is refused on the page, kept, and
    // nothing is revealed; then the contribution reveals the draw.
    let (supervisor, supervisor_csrf) = server.login("supervisor").await;
    let page = server.page(&supervisor, &format!("/draws/{id}")).await;
    assert!(
        page.contains("投入随机数并抽取") && page.contains(&commitment),
        "{page}"
    );
    let before = app.store().ledger_size().await.unwrap();
    let refused = post(
        &supervisor,
        server.url(&format!("/draws/{id}/contribute")),
        &[
            ("csrf", &supervisor_csrf),
            ("commitment", &commitment),
            ("value", "12345"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = text(refused).await;
    assert!(
        html.contains("DRAW_CONTRIBUTION_FORMAT") && html.contains("12345"),
        "{html}"
    );
    assert_eq!(app.store().ledger_size().await.unwrap(), before);
    let value = "7e".repeat(32);
    let revealed = post(
        &supervisor,
        server.url(&format!("/draws/{id}/contribute")),
        &[
            ("csrf", &supervisor_csrf),
            ("commitment", &commitment),
            ("value", &value),
        ],
    )
    .await;
    assert_eq!(revealed.status(), 303, "{}", text(revealed).await);
    let page = server.page(&operator, &location(&revealed)).await;
    assert!(
        page.contains("抽取完成") && page.contains("复核通过") && page.contains(&value),
        "{page}"
    );
    assert!(page.contains("评标委员会") && page.contains("未确认，递补"));
    assert!(
        !server
            .page(&operator, "/draws")
            .await
            .contains("待投入随机数")
    );

    // Anyone re-checks it; nobody sees a name.
    let public = server.page(&client(), &format!("/draws/{id}")).await;
    assert!(public.contains("复核通过") && public.contains("随机种子"));
    assert!(!public.contains("评标委员会</h3>"));
    let record = app.draw_record(&id).await.unwrap();
    let supervisor_view = app
        .panel_view(&app.caller_for("supervisor").await.unwrap(), &id)
        .await
        .unwrap();
    for seat in &supervisor_view.seats {
        let name = seat.name.clone().unwrap();
        assert!(!public.contains(&name), "{name} on the public page");
    }
    let json: serde_json::Value = client()
        .get(server.url(&format!("/api/v1/draws/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(json["problem"].is_null(), "{json}");
    assert_eq!(json["committed"]["lot"], lot.as_str());

    // The organiser sees the panel, without names before the day; a bidder may not act on it.
    let (tenderee, tenderee_csrf) = server.login("tenderee").await;
    let seen = server.page(&tenderee, &format!("/draws/{id}")).await;
    assert!(seen.contains("评标当日方可查看"), "{seen}");
    let (bidder, bidder_csrf) = server.login("bidder").await;
    let response = post(
        &bidder,
        server.url(&format!("/draws/{id}/act")),
        &[("csrf", &bidder_csrf), ("action", "disclose")],
    )
    .await;
    assert_eq!(response.status(), 403);
    let response = bidder.get(server.url("/draws")).send().await.unwrap();
    assert_eq!(response.status(), 403);

    // The trading center opens an account for the first drawn expert on the expert's page.
    let pool_id = record.revealed.result.panels[0].experts[0].clone();
    let op_caller = app.caller_for("operator").await.unwrap();
    let first = app.draw_pseudonym(&op_caller, &id, &pool_id).await.unwrap();
    // The public page shows this draw's pool ids, never the lasting pseudonym.
    assert!(public.contains(&pool_id) && !public.contains(&first));
    let expert_page = server.page(&operator, &format!("/experts/{first}")).await;
    assert!(expert_page.contains("开通/关联账号") || expert_page.contains("平台账号"));
    let account = match app
        .expert(&app.caller_for("operator").await.unwrap(), &first)
        .await
        .unwrap()
        .account
    {
        Some(linked) => linked,
        None => {
            let opened = post(
                &operator,
                server.url(&format!("/experts/{first}/act")),
                &[
                    ("csrf", &csrf),
                    ("action", "account"),
                    ("username", ""),
                    ("password", app::DEMO_PASSWORD),
                ],
            )
            .await;
            assert_eq!(opened.status(), 303, "{}", text(opened).await);
            domain::Expert::account_name(&first)
        }
    };
    let (expert, expert_csrf) = server.login(&account).await;
    let mine = server.page(&expert, "/me/evaluations").await;
    assert!(mine.contains(&lot) && mine.contains("确认参加"), "{mine}");
    let confirmed = post(
        &expert,
        server.url("/me/evaluations"),
        &[("csrf", &expert_csrf), ("action", "confirm"), ("draw", &id)],
    )
    .await;
    assert_eq!(confirmed.status(), 303);
    let mine = server.page(&expert, "/me/evaluations?done=confirmed").await;
    assert!(mine.contains("回避承诺书") && mine.contains("本人已阅读并承诺"));
    // Without ticking the box: refused, explained.
    let unticked = post(
        &expert,
        server.url("/me/evaluations"),
        &[("csrf", &expert_csrf), ("action", "declare"), ("draw", &id)],
    )
    .await;
    assert_eq!(unticked.status(), 400);
    assert!(text(unticked).await.contains("勾选"));
    let signed = post(
        &expert,
        server.url("/me/evaluations"),
        &[
            ("csrf", &expert_csrf),
            ("action", "declare"),
            ("draw", &id),
            ("agree", "yes"),
        ],
    )
    .await;
    assert_eq!(signed.status(), 303);
    let mine = server.page(&expert, "/me/evaluations").await;
    assert!(mine.contains("已签署回避承诺"));
    assert!(
        app.expert_may_evaluate(&app.caller_for(&account).await.unwrap(), &lot)
            .await
            .unwrap()
    );
    // An expert may not see the database, nor the draws list.
    let response = expert.get(server.url("/experts")).send().await.unwrap();
    assert_eq!(response.status(), 403);

    // The trading center records that the second expert cannot come: the backup takes the seat.
    let second = record.revealed.result.panels[0].experts[1].clone();
    let declined = post(
        &operator,
        server.url(&format!("/draws/{id}/act")),
        &[
            ("csrf", &csrf),
            ("action", "decline"),
            ("pseudonym", &second),
            ("reason", "电话告知出差"),
        ],
    )
    .await;
    assert_eq!(declined.status(), 303);
    let public = server.page(&client(), &format!("/draws/{id}")).await;
    assert!(public.contains("交易中心记录专家不能参加") && public.contains("复核通过"));
    assert!(!public.contains("电话告知出差"));

    // The organiser rates on the evaluation day.
    server.clock.fetch_add(30 * DAY, Ordering::SeqCst);
    let seen = server.page(&tenderee, &format!("/draws/{id}")).await;
    assert!(seen.contains("提交评价"), "{seen}");
    let rated = post(
        &tenderee,
        server.url(&format!("/draws/{id}/act")),
        &[
            ("csrf", &tenderee_csrf),
            ("action", "rate"),
            ("pseudonym", &pool_id),
            ("score", "88"),
            ("comment", "评审认真"),
        ],
    )
    .await;
    assert_eq!(rated.status(), 303, "{}", text(rated).await);
    let record_page = server.page(&operator, &format!("/experts/{first}")).await;
    assert!(record_page.contains("评审认真") && record_page.contains("88"));

    // One expert's record: oversight reads, only the trading center acts, others are refused.
    let (supervisor, _) = server.login("supervisor").await;
    let read = server.page(&supervisor, &format!("/experts/{first}")).await;
    assert!(!read.contains("登记请假"));
    let response = bidder
        .get(server.url(&format!("/experts/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // A single expert with a bad ID number: refused, the form keeps what was typed.
    let bad = post(
        &operator,
        server.url("/experts/new"),
        &[
            ("csrf", &csrf),
            ("name", "韩梅"),
            ("id_number", "330102197001011234"),
            ("employer", "91330100MA2H7Q1K51"),
            ("region", "330100"),
            ("categories", "A0101"),
            ("title", "高级工程师"),
            ("title_level", "副高级"),
            ("practice_years", "12"),
            ("entry_date", "2026-01-15"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let html = text(bad).await;
    assert!(html.contains("身份证") && html.contains("韩梅"), "{html}");

    // Rooms: public list, no double booking, bookings hidden from the public.
    let added = post(
        &operator,
        server.url("/rooms"),
        &[
            ("csrf", &csrf),
            ("action", "add"),
            ("code", "HZ-PB-03"),
            ("name", "第三评标室"),
            ("region", "330102"),
            ("capacity", "9"),
            ("address", "杭州市民中心"),
            ("equipment", "录音录像、电子评标终端"),
        ],
    )
    .await;
    assert_eq!(added.status(), 303, "{}", text(added).await);
    let book = |from: &'static str, to: &'static str| {
        let csrf = csrf.clone();
        let lot = lot.clone();
        let operator = operator.clone();
        let url = server.url("/rooms");
        async move {
            post(
                &operator,
                url,
                &[
                    ("csrf", &csrf),
                    ("action", "book"),
                    ("room", "HZ-PB-03"),
                    ("lot", &lot),
                    ("from", from),
                    ("to", to),
                    ("attendees", "5"),
                ],
            )
            .await
        }
    };
    assert_eq!(
        book("2027-01-05T09:00", "2027-01-05T17:00").await.status(),
        303
    );
    let clash = book("2027-01-05T12:00", "2027-01-05T13:00").await;
    assert_eq!(clash.status(), 409);
    assert!(text(clash).await.contains("ROOM_DOUBLE_BOOKED"));
    let public = server.page(&client(), "/rooms").await;
    assert!(public.contains("第三评标室") && !public.contains(&lot));
    let seen = server.page(&operator, "/rooms").await;
    assert!(seen.contains(&lot));
}

#[tokio::test]
async fn an_excel_file_is_imported_through_the_page() {
    let server = spawn_clocked().await;
    let (operator, csrf) = server.login("operator").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let id = {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let first = "33010219700101301";
        let sum: u32 = first
            .chars()
            .zip(WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char)
    };
    let employer = {
        let prefix = "91330800MA2K8L3P7";
        format!("{prefix}{}", domain::Uscc::check_char_for(prefix).unwrap())
    };
    let rows = [
        domain::EXPERT_CSV_HEADER.split(',').collect::<Vec<_>>(),
        vec![
            "沈一",
            &id,
            &employer,
            "330100",
            "A0101",
            "高级工程师",
            "副高级",
            "12",
            "2026-01-15",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let (content_type, body) = multipart(&csrf, "file", "experts.xlsx", &bytes);
    let response = operator
        .post(server.url("/experts/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{}", text(response).await);
    assert!(location(&response).contains("done=imported&n=1"));
    let page = server.page(&operator, "/experts").await;
    assert!(page.contains("沈一"));
}

#[tokio::test]
async fn a_committee_evaluates_through_the_pages_and_the_api() {
    let server = spawn_clocked().await;
    let app = server.app();
    let certificates = app::seed_demo_certificates(app).await.unwrap();
    let holders = app::run_simulated_ceremony(app, "2026-12").await.unwrap();
    assert!(app::seed_demo_tendering(app, &certificates).await.unwrap());
    let op = app.caller_for("operator").await.unwrap();
    // The demo drew the construction lot's panel; its experts confirm and sign the declaration.
    let panel = app.panels(&op, 10, 0).await.unwrap().items.remove(0);
    let lot = panel.lot.clone();
    let mut experts = Vec::new();
    for seat in &panel.seats {
        let record = app.expert(&op, &seat.pseudonym).await.unwrap();
        let username = match record.account {
            Some(linked) => linked,
            None => {
                app.open_expert_account(&op, &seat.pseudonym, None, app::DEMO_PASSWORD)
                    .await
                    .unwrap();
                domain::Expert::account_name(&seat.pseudonym)
            }
        };
        let (client, csrf) = server.login(&username).await;
        for action in ["confirm", "declare"] {
            let response = post(
                &client,
                server.url("/me/evaluations"),
                &[
                    ("csrf", &csrf),
                    ("action", action),
                    ("draw", &panel.draw),
                    ("agree", "yes"),
                ],
            )
            .await;
            assert_eq!(response.status(), 303, "{action}");
        }
        experts.push((seat.pseudonym.clone(), username, client, csrf));
    }
    // Before the opening: the page says so, and nobody can start.
    let (tenderee, tenderee_csrf) = server.login("tenderee").await;
    let page = server
        .page(&tenderee, &format!("/lots/{lot}/evaluation"))
        .await;
    assert!(page.contains("尚未开始评标") && !page.contains("开始评标</button>"));
    // After the deadline the holders open the lot; the organiser starts the evaluation.
    server.clock.fetch_add(31 * DAY, Ordering::SeqCst);
    for _ in 0..3 {
        app::simulated_holders_round(app, &holders).await.unwrap();
    }
    let page = server
        .page(&tenderee, &format!("/lots/{lot}/evaluation"))
        .await;
    assert!(page.contains("开始评标</button>"), "{page}");
    let started = post(
        &tenderee,
        server.url(&format!("/lots/{lot}/evaluation")),
        &[("csrf", &tenderee_csrf), ("action", "start")],
    )
    .await;
    assert_eq!(started.status(), 303, "{}", text(started).await);

    // Supervision follows it live, read-only.
    let (supervisor, _) = server.login("supervisor").await;
    let watch = server
        .page(&supervisor, &format!("/lots/{lot}/evaluation"))
        .await;
    assert!(watch.contains("http-equiv=\"refresh\""), "{watch}");
    assert!(!watch.contains("保存评审表</button>"));
    // A bidder sees nothing of it, through the page or the API.
    let (bidder, _) = server.login("bidder").await;
    let response = bidder
        .get(server.url(&format!("/lots/{lot}/evaluation")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // The first expert fills in the form: the sheet shows the bids, the to-do list shrinks.
    let (_, _, first, first_csrf) = &experts[0];
    let page = server.page(first, &format!("/lots/{lot}/evaluation")).await;
    assert!(
        page.contains("保存评审表") && page.contains("尚未完成"),
        "{page}"
    );
    assert!(page.contains("evaluation.js"));
    let view = app
        .evaluation_view(&app.caller_for(&experts[0].1).await.unwrap(), &lot)
        .await
        .unwrap();
    let mut pairs: Vec<(String, String)> = vec![
        ("csrf".into(), first_csrf.clone()),
        ("action".into(), "save".into()),
    ];
    for b in &view.bids {
        for item in &view.terms.items {
            pairs.push((format!("v|{}|{item}", b.bidder), "pass".into()));
        }
        pairs.push((format!("s|{}|organisation", b.bidder), "26.5".into()));
        pairs.push((format!("s|{}|management", b.bidder), "8".into()));
    }
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = post(
        first,
        server.url(&format!("/lots/{lot}/evaluation")),
        &borrowed,
    )
    .await;
    assert_eq!(saved.status(), 303, "{}", text(saved).await);
    // The others save in the background (the page's autosave) and through the API.
    for (_, _, client, csrf) in &experts[1..] {
        let mut pairs = pairs.clone();
        pairs[0].1 = csrf.clone();
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let response = client
            .post(server.url(&format!("/lots/{lot}/evaluation")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-autosave", "1")
            .body(form(&borrowed))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }
    // A score with three decimals is refused with a clear message, and nothing changes.
    let before = app.store().ledger_size().await.unwrap();
    let mut bad = borrowed.clone();
    bad[0].1 = &experts[1].3;
    let index = bad.iter().position(|(k, _)| k.starts_with("s|")).unwrap();
    bad[index].1 = "26.555";
    let response = experts[1]
        .2
        .post(server.url(&format!("/lots/{lot}/evaluation")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-autosave", "1")
        .body(form(&bad))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(app.store().ledger_size().await.unwrap(), before);

    // Concluded from the page; the scores are then locked.
    let concluded = post(
        first,
        server.url(&format!("/lots/{lot}/evaluation")),
        &[("csrf", first_csrf), ("action", "conclude")],
    )
    .await;
    assert_eq!(concluded.status(), 303, "{}", text(concluded).await);
    let page = server.page(first, &format!("/lots/{lot}/evaluation")).await;
    assert!(
        page.contains("评审结果") && page.contains("签署评标报告"),
        "{page}"
    );
    let locked = post(
        first,
        server.url(&format!("/lots/{lot}/evaluation")),
        &borrowed,
    )
    .await;
    assert_eq!(locked.status(), 409);
    assert!(text(locked).await.contains("EVALUATION_LOCKED"));

    // Each expert signs with their own certificate (as `ggzy sign` would).
    let keys = app::seed_demo_expert_certificates(app).await.unwrap();
    for (pseudonym, username, client, csrf) in &experts {
        let caller = app.caller_for(username).await.unwrap();
        let to_sign = app
            .evaluation_view(&caller, &lot)
            .await
            .unwrap()
            .to_sign
            .unwrap();
        let cert = keys.iter().find(|k| &k.pseudonym == pseudonym).unwrap();
        let signer = crypto::PlatformKey::from_pkcs8_pem(&cert.key_pem).unwrap();
        let signature = signer
            .sign(&crypto::canonical_json_bytes(&serde_json::to_value(&to_sign).unwrap()).unwrap())
            .to_hex();
        let signed = post(
            client,
            server.url(&format!("/lots/{lot}/evaluation")),
            &[
                ("csrf", csrf),
                ("action", "sign"),
                ("certificate_pem", &cert.cert_pem),
                ("signature", &signature),
            ],
        )
        .await;
        assert_eq!(signed.status(), 303, "{}", text(signed).await);
    }
    let page = server
        .page(&tenderee, &format!("/lots/{lot}/evaluation"))
        .await;
    assert!(page.contains("评标报告已签字"), "{page}");
    let procedure = app
        .procedure(None, app::procedure_of_lot(&lot).unwrap())
        .await
        .unwrap();
    assert_eq!(
        procedure.lot(&lot).unwrap().status,
        domain::LotStatus::Evaluated
    );

    // 定标 from the procedure page: candidates, an objection and its answer, the award, the
    // contract signed by both parties, performance.
    let page_of = format!("/procedures/{}", procedure.id);
    let act = |client: &reqwest::Client, csrf: &str, pairs: &[(&str, &str)]| {
        let mut all = vec![("csrf", csrf)];
        all.extend_from_slice(pairs);
        let body = form(&all);
        let request = client
            .post(server.url(&format!("/lots/{lot}/award")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        async move { request.send().await.unwrap() }
    };
    let page = server.page(&tenderee, &page_of).await;
    assert!(page.contains("发布中标候选人公示"), "{page}");
    let response = act(&tenderee, &tenderee_csrf, &[("action", "candidates")]).await;
    assert_eq!(response.status(), 303, "{}", text(response).await);
    let (bidder2, bidder2_csrf) = server.login("bidder2").await;
    let page = server.page(&bidder2, &page_of).await;
    assert!(page.contains("提出异议"), "{page}");
    let response = act(
        &bidder2,
        &bidder2_csrf,
        &[("action", "objection"), ("text", "第一中标候选人业绩造假")],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", text(response).await);
    // (The demo's showcase already carries an answered objection to its documents.)
    let open_id = app
        .procedure(None, &procedure.id)
        .await
        .unwrap()
        .lot(&lot)
        .unwrap()
        .award
        .objections
        .iter()
        .find(|o| o.answer.is_none())
        .map(|o| o.id.to_string())
        .unwrap();
    // The public sees that an objection was raised, not who raised it or what it says.
    let public = server.page(&client(), &page_of).await;
    assert!(public.contains(&format!("异议 {open_id}")) && !public.contains("业绩造假"));
    let response = act(
        &tenderee,
        &tenderee_csrf,
        &[
            ("action", "answer"),
            ("id", &open_id),
            ("text", "经核查业绩属实，异议不成立。"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", text(response).await);
    // Too early to award: refused with the end of the publicity.
    let winner = procedure
        .lot(&lot)
        .unwrap()
        .award
        .candidates
        .first()
        .cloned();
    let winner = match winner {
        Some(w) => w.bidder.to_string(),
        None => app
            .procedure(None, &procedure.id)
            .await
            .unwrap()
            .lot(&lot)
            .unwrap()
            .award
            .candidates[0]
            .bidder
            .to_string(),
    };
    let response = act(
        &tenderee,
        &tenderee_csrf,
        &[("action", "award"), ("winner", &winner)],
    )
    .await;
    assert_eq!(response.status(), 409);
    assert!(text(response).await.contains("PUBLICITY_RUNNING"));
    server.clock.fetch_add(4 * DAY, Ordering::SeqCst);
    let response = act(
        &tenderee,
        &tenderee_csrf,
        &[("action", "award"), ("winner", &winner)],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", text(response).await);
    let draw_page = server
        .page(&client(), &format!("/draws/{}", panel.draw))
        .await;
    assert!(draw_page.contains("评标委员会名单（已公布）") && draw_page.contains("复核通过"));

    let contract = "建设工程施工合同（演示）".as_bytes();
    let payload = serde_json::json!({"lot": lot, "contract_sm3": crypto::sm3(contract).to_hex()});
    let mut winner_user = String::new();
    for name in ["bidder", "bidder2", "yuecheng"] {
        if app.caller_for(name).await.unwrap().entity_id == winner {
            winner_user = name.to_string();
        }
    }
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
    let (tc, ts) = signature_of("tenderee");
    let (wc, ws) = signature_of(&winner_user);
    let boundary = "----ggzyContract";
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf", tenderee_csrf.as_str()),
        ("tenderee_cert", tc.as_str()),
        ("tenderee_signature", ts.as_str()),
        ("winner_cert", wc.as_str()),
        ("winner_signature", ws.as_str()),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"contract\"; filename=\"合同.txt\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(contract);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = tenderee
        .post(server.url(&format!("/lots/{lot}/contract")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{}", text(response).await);
    let response = act(
        &tenderee,
        &tenderee_csrf,
        &[("action", "performance"), ("text", "主体结构完成")],
    )
    .await;
    assert_eq!(response.status(), 303);
    let public = server.page(&client(), &page_of).await;
    assert!(
        public.contains("中标人") && public.contains("主体结构完成") && public.contains("双方签署")
    );
}

#[tokio::test]
async fn bonds_are_given_confirmed_and_required_through_the_pages() {
    let server = spawn_clocked().await;
    let app = server.app();
    app::seed_demo_certificates(app).await.unwrap();
    app::run_simulated_ceremony(app, "2026-12").await.unwrap();
    let tenderee_caller = app.caller_for("tenderee").await.unwrap();
    let mut draft = app::NewProcedure {
        project_code: "2026-330106-48-01-512399".into(),
        title: "保证金测试工程".into(),
        category: "construction".into(),
        method: "open_tender".into(),
        region: "330100".into(),
        tenderee: String::new(),
        description: "新建教学楼一幢。".into(),
        qualification: "具备建筑工程施工总承包二级及以上资质。".into(),
        invitees: Vec::new(),
        lots: vec![app::NewLot {
            name: "施工标段".into(),
            budget_fen: 3_800_000_000,
            description: String::new(),
            evaluation: None,
            bond_fen: Some(5_000_000),
        }],
        deadline: "2026-12-28 09:30".into(),
        opening_place: String::new(),
        contact: "王老师 0571-87000000".into(),
    };
    draft.title = "保证金测试工程".into();
    let (procedure, _) = app.create_procedure(&tenderee_caller, draft).await.unwrap();
    app.attach_documents(&tenderee_caller, &procedure.id, "招标文件.pdf", b"%PDF x")
        .await
        .unwrap();
    let (procedure, _) = app
        .publish_procedure(&tenderee_caller, &procedure.id)
        .await
        .unwrap();
    let lot = procedure.lots[0].code.clone();
    let page_of = format!("/procedures/{}", procedure.id);

    let (bidder, bidder_csrf) = server.login("bidder").await;
    let bidder_caller = app.caller_for("bidder").await.unwrap();
    app.register_for_lot(&bidder_caller, &lot).await.unwrap();
    let page = server.page(&bidder, &page_of).await;
    assert!(
        page.contains("投标保证金") && page.contains("登记转账"),
        "{page}"
    );
    // Without a bond the upload is refused before a byte is read.
    assert_eq!(
        app.begin_bid(&bidder_caller, &lot)
            .await
            .err()
            .map(|e| e.code()),
        Some("BOND_REQUIRED")
    );
    let response = post(
        &bidder,
        server.url(&format!("/lots/{lot}/bond")),
        &[
            ("csrf", &bidder_csrf),
            ("action", "transfer"),
            ("amount", "50000"),
            ("reference", "ZJ2026120100042"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", text(response).await);
    let page = server.page(&bidder, &page_of).await;
    assert!(page.contains("待交易中心确认到账"));
    // The organiser sees no bond before the opening; the trading center confirms.
    let (tenderee, _) = server.login("tenderee").await;
    let list: serde_json::Value = tenderee
        .get(server.url(&format!("/api/v1/lots/{lot}/bonds")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    let (operator, operator_csrf) = server.login("operator").await;
    let page = server.page(&operator, &page_of).await;
    assert!(page.contains("确认到账") && page.contains("name=\"payer_account\""));
    // The paying account from the bank's record, when given, is an account number.
    let size = app.store().ledger_size().await.unwrap();
    let response = post(
        &operator,
        server.url(&format!("/lots/{lot}/bond")),
        &[
            ("csrf", &operator_csrf),
            ("action", "confirm"),
            ("bidder", &bidder_caller.entity_id),
            ("payer_account", "622202-x"),
        ],
    )
    .await;
    assert_ne!(response.status(), 303);
    assert!(text(response).await.contains("BANK_ACCOUNT_NUMBER"));
    assert_eq!(app.store().ledger_size().await.unwrap(), size);
    let response = post(
        &operator,
        server.url(&format!("/lots/{lot}/bond")),
        &[
            ("csrf", &operator_csrf),
            ("action", "confirm"),
            ("bidder", &bidder_caller.entity_id),
            ("payer_account", "6222 0202 0011 2233"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", text(response).await);
    assert!(app.begin_bid(&bidder_caller, &lot).await.is_ok());

    // An e-guarantee pasted on the page: checked at once; a broken one is refused plainly.
    let (bidder2, bidder2_csrf) = server.login("bidder2").await;
    let bidder2_caller = app.caller_for("bidder2").await.unwrap();
    let guarantor = app::DemoGuarantor::new(app).await.unwrap();
    // The list of accepted institutions is public; the trading center adds to it.
    let list = server.page(&client(), "/guarantors").await;
    assert!(list.contains("浙商融资担保有限公司") && !list.contains("列入名录"));
    let response = post(
        &operator,
        server.url("/guarantors"),
        &[
            ("csrf", &operator_csrf),
            ("action", "approve"),
            ("name", "某某银行杭州分行"),
            ("uscc", "91330100MA2H7Q1K5"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422, "a bad code is refused on the page");
    assert!(text(response).await.contains("统一社会信用代码"));
    let signed = guarantor.issue(
        "BH2026-0099",
        &lot,
        &bidder2_caller.entity_id,
        &tenderee_caller.entity_id,
        5_000_000,
        "2027-03-31",
    );
    let response = post(
        &bidder2,
        server.url(&format!("/lots/{lot}/bond")),
        &[
            ("csrf", &bidder2_csrf),
            ("action", "guarantee"),
            ("guarantee", "{}"),
        ],
    )
    .await;
    assert_eq!(response.status(), 400);
    let json = serde_json::to_string(&signed).unwrap();
    let response = post(
        &bidder2,
        server.url(&format!("/lots/{lot}/bond")),
        &[
            ("csrf", &bidder2_csrf),
            ("action", "guarantee"),
            ("guarantee", &json),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", text(response).await);
    let page = server.page(&bidder2, &page_of).await;
    assert!(page.contains("电子保函（浙商融资担保有限公司") && page.contains("有效"));
    // Another bidder sees neither bond.
    assert!(!page.contains("ZJ2026120100042"));
}
