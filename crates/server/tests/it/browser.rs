//! The pages in a real browser: headless Chromium driven over WebDriver walks the operator's
//! review flow and checks a ledger proof with the page's own JavaScript, saving screenshots of the
//! key pages under the test's target directory (`browser-screenshots/`).
//!
//! Needs Debian's `chromium` and `chromium-driver`; `.ci/run` installs them and sets
//! `GGZY_REQUIRE_BROWSER=1`, so in CI a missing browser fails the test instead of skipping it.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use tokio::process::{Child, Command};

use crate::support::spawn_app;

struct Browser {
    client: fantoccini::Client,
    _driver: Child,
}

async fn browser() -> Option<Browser> {
    let driver_found = Command::new("chromedriver")
        .arg("--version")
        .output()
        .await
        .is_ok_and(|o| o.status.success());
    if !driver_found {
        assert!(
            std::env::var("GGZY_REQUIRE_BROWSER").is_err(),
            "GGZY_REQUIRE_BROWSER is set but chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "note: chromedriver not found; the browser walk-through is skipped (bash .ci/run runs it)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,900"]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..100 {
        let connected = ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        if let Ok(client) = connected {
            return Some(Browser {
                client,
                _driver: driver,
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not accept a session");
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shoot(client: &fantoccini::Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

async fn text_of(client: &fantoccini::Client, css: &str) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Fills in and submits the log-in form.
async fn log_in(client: &fantoccini::Client, login_url: String, username: &str) {
    client.goto(&login_url).await.unwrap();
    for (field, value) in [("#username", username), ("#password", app::DEMO_PASSWORD)] {
        client
            .find(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    client
        .find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn operator_review_and_proof_check_in_a_real_browser() {
    let Some(Browser { client, _driver }) = browser().await else {
        return;
    };
    let server = spawn_app().await;

    client.goto(&server.url("/")).await.unwrap();
    assert!(
        client
            .title()
            .await
            .unwrap()
            .contains("浙江省公共资源交易平台")
    );
    shoot(&client, "home").await;

    // The operator logs in and lands on the review queue.
    log_in(&client, server.url("/login"), "operator").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&server.url("/operator/reviews").parse().unwrap())
        .await
        .unwrap();
    let queue = text_of(&client, "main").await;
    assert!(queue.contains("待审核 3 件"), "{queue}");
    shoot(&client, "operator-reviews").await;

    // Approving asks once, plainly; accepting shows the outcome with the ledger number.
    client
        .find(Locator::XPath("//button[text()='审核通过']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let question = client.get_alert_text().await.unwrap();
    assert!(question.contains("确认通过"), "{question}");
    client.accept_alert().await.unwrap();
    let notice = text_of(&client, ".alert").await;
    assert!(
        notice.contains("已通过") && notice.contains("见证序号"),
        "{notice}"
    );
    assert!(text_of(&client, "main").await.contains("待审核 2 件"));

    // Anyone opens a ledger entry and the page checks its proof in the browser itself.
    client.goto(&server.url("/ledger/entries/5")).await.unwrap();
    let verdict = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#verify-result.ok"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        verdict.contains("浏览器本地核验通过") && verdict.contains("包含性证明"),
        "{verdict}"
    );
    shoot(&client, "ledger-entry").await;

    client.goto(&server.url("/catalog")).await.unwrap();
    assert!(
        text_of(&client, "main")
            .await
            .contains("工程建设项目招标投标")
    );
    shoot(&client, "catalog").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_bidder_registers_and_submits_a_sealed_bid_in_a_real_browser() {
    let Some(Browser { client, _driver }) = browser().await else {
        return;
    };
    let flow = crate::tendering::Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (id, lot, key) = flow
        .publish(&tenderee, "杭州市第十四中学新建教学楼工程")
        .await;
    let server = &flow.server;

    log_in(&client, server.url("/login"), "bidder").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .goto(&server.url(&format!("/procedures/{id}")))
        .await
        .unwrap();
    assert!(text_of(&client, "main").await.contains("投标截止时间"));
    shoot(&client, "bidder-procedure").await;

    // 报名 asks once, then the bidder's panel offers the documents and the upload.
    client
        .find(Locator::XPath("//button[text()='报名']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(client.get_alert_text().await.unwrap().contains("报名"));
    client.accept_alert().await.unwrap();
    let input = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("#envelope-{lot}")))
        .await
        .unwrap();
    let me: serde_json::Value = {
        let token = flow.token("bidder").await;
        reqwest::Client::new()
            .get(server.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    let envelope = flow.seal(
        "bidder",
        me["entity_id"].as_str().unwrap(),
        &lot,
        &key,
        3_650_000_000,
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("投标文件.sealed");
    std::fs::write(&file, &envelope).unwrap();
    input.send_keys(file.to_str().unwrap()).await.unwrap();
    client
        .find(Locator::XPath("//button[text()='递交投标文件']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(client.get_alert_text().await.unwrap().contains("递交"));
    client.accept_alert().await.unwrap();
    let receipt = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath("//h1[text()='投标文件已递交']"))
        .await;
    assert!(receipt.is_ok(), "{}", text_of(&client, "main").await);
    let page = text_of(&client, "main").await;
    assert!(
        page.contains(
            &crypto::Envelope::from_bytes(&envelope)
                .unwrap()
                .digest()
                .unwrap()
                .to_hex()
        ),
        "{page}"
    );
    shoot(&client, "bidder-receipt").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn an_expert_confirms_and_signs_the_declaration_in_a_real_browser() {
    let Some(Browser { client, _driver }) = browser().await else {
        return;
    };
    let flow = crate::tendering::Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (_, lot, _) = flow
        .publish(&tenderee, "杭州市第十四中学新建教学楼工程")
        .await;
    let server = &flow.server;
    let operator = flow.token("operator").await;
    let api = reqwest::Client::new();
    let drawn: serde_json::Value = api
        .post(server.url("/api/v1/draws"))
        .bearer_auth(&operator)
        .json(&serde_json::json!({
            "lot": lot,
            "evaluation_date": "2026-12-30",
            "needs": [["A01", 3]],
            "backups": 1,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = drawn["id"].as_str().unwrap().to_string();
    // The supervisor puts in a contribution from this browser's own generator: the draw is
    // revealed at once.
    log_in(&client, server.url("/login"), "supervisor").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .goto(&server.url(&format!("/draws/{id}")))
        .await
        .unwrap();
    assert!(text_of(&client, "main").await.contains("待投入随机数"));
    client
        .find(Locator::XPath("//button[text()='在本机生成']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let value = client
        .find(Locator::Css("input#value"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()),
        "{value}"
    );
    shoot(&client, "draw-contribution").await;
    client
        .find(Locator::XPath("//button[text()='投入随机数并抽取']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let question = client.get_alert_text().await.unwrap();
    assert!(question.contains("投入随机数"), "{question}");
    client.accept_alert().await.unwrap();
    let drawn_notice = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(text(),'抽取完成')]"))
        .await;
    assert!(drawn_notice.is_ok(), "{}", text_of(&client, "main").await);
    assert!(text_of(&client, "main").await.contains(&value));
    // The supervisor's session ends before the expert signs in.
    client.delete_all_cookies().await.unwrap();
    let panel: serde_json::Value = api
        .get(server.url(&format!("/api/v1/draws/{id}/panel")))
        .bearer_auth(&operator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = panel["seats"][0]["pseudonym"].as_str().unwrap().to_string();
    let expert: serde_json::Value = api
        .get(server.url(&format!("/api/v1/experts/{first}")))
        .bearer_auth(&operator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let username = match expert["account"].as_str() {
        Some(linked) => linked.to_string(),
        None => {
            let response = api
                .post(server.url(&format!("/api/v1/experts/{first}/account")))
                .bearer_auth(&operator)
                .json(&serde_json::json!({"password": app::DEMO_PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            domain::Expert::account_name(&first)
        }
    };

    log_in(&client, server.url("/login"), &username).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client.goto(&server.url("/me/evaluations")).await.unwrap();
    assert!(text_of(&client, "main").await.contains(&lot));
    shoot(&client, "expert-invited").await;
    client
        .find(Locator::XPath("//button[text()='确认参加']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let checkbox = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input[name=agree]"))
        .await
        .unwrap();
    assert!(text_of(&client, "main").await.contains("回避承诺书"));
    checkbox.click().await.unwrap();
    client
        .find(Locator::XPath("//button[text()='签署回避承诺']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let signed = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(text(),'回避承诺已签署')]"))
        .await;
    assert!(signed.is_ok(), "{}", text_of(&client, "main").await);
    shoot(&client, "expert-declared").await;

    // The public re-check page of the same draw.
    client
        .goto(&server.url(&format!("/draws/{id}")))
        .await
        .unwrap();
    assert!(text_of(&client, "main").await.contains("复核通过"));
    shoot(&client, "draw-public").await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_scoring_page_keeps_a_draft_and_saves_it_in_the_background() {
    use reqwest::Method;
    let Some(Browser { client, _driver }) = browser().await else {
        return;
    };
    let flow = crate::tendering::Flow::new().await;
    let holders = flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let operator = flow.token("operator").await;
    let (_, lot, key) = flow.publish(&tenderee, "杭州市第十六中学食堂工程").await;
    for (username, price) in [
        ("bidder", 3_650_000_000_i64),
        ("bidder2", 3_700_000_000),
        ("yuecheng", 3_720_000_000),
    ] {
        flow.bid(username, &lot, &key, price).await;
    }
    let drawn = flow
        .ok(
            &operator,
            Method::POST,
            "/api/v1/draws",
            Some(serde_json::json!({"lot": lot, "evaluation_date": "2026-12-29", "needs": [["A01", 5]]})),
        )
        .await;
    let draw = drawn["id"].as_str().unwrap().to_string();
    flow.contribute(&drawn).await;
    let panel = flow
        .ok(
            &operator,
            Method::GET,
            &format!("/api/v1/draws/{draw}/panel"),
            None,
        )
        .await;
    let mut first = None;
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
                    Some(serde_json::json!({"password": app::DEMO_PASSWORD})),
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
            Some(serde_json::json!({})),
        )
        .await;
        first.get_or_insert((username, token));
    }
    let (username, _) = first.unwrap();
    flow.advance(28 * 86_400_000);
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
    for (holder, holder_token) in &holders[..2] {
        let partials = serde_json::to_value(holder.partials(&request).unwrap()).unwrap();
        flow.ok(
            holder_token,
            Method::POST,
            &format!("/api/v1/lots/{lot}/partials"),
            Some(partials),
        )
        .await;
    }
    let tenderee = flow.token("tenderee").await;
    flow.ok(
        &tenderee,
        Method::POST,
        &format!("/api/v1/lots/{lot}/evaluation"),
        None,
    )
    .await;

    // The expert types a score: it is kept in the browser at once, and sent in the background
    // when the connection is (back) online.
    let server = &flow.server;
    log_in(&client, server.url("/login"), &username).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .goto(&server.url(&format!("/lots/{lot}/evaluation")))
        .await
        .unwrap();
    let input = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input[name$='|organisation']"))
        .await
        .unwrap();
    input.send_keys("26.5").await.unwrap();
    let draft = client
        .execute(
            "return Object.keys(localStorage).filter(k => k.startsWith('ggzy-sheet-')).length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(draft.as_u64(), Some(1), "the draft is kept in the browser");
    client
        .execute("window.dispatchEvent(new Event('online'));", vec![])
        .await
        .unwrap();
    let mut saved = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let view = flow
            .ok(
                &flow.token(&username).await,
                Method::GET,
                &format!("/api/v1/lots/{lot}/evaluation"),
                None,
            )
            .await;
        if view["my_sheet"]["scores"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["score"] == 2650))
        {
            saved = true;
            break;
        }
    }
    assert!(
        saved,
        "the background save reached the platform: {}",
        text_of(&client, "#save-state").await
    );
    assert!(text_of(&client, "#save-state").await.contains("已自动保存"));
    shoot(&client, "expert-scoring").await;
    client.close().await.unwrap();
}

/// A bidder on the live auction page: the price, the countdown and the history follow the sale
/// over server-sent events without reloading; a bid is answered in place (accepted, or refused
/// with the reason).
#[tokio::test]
async fn a_bidder_follows_and_bids_in_a_live_auction_in_a_real_browser() {
    let Some(Browser { client, _driver }) = browser().await else {
        return;
    };
    let (server, certificates) =
        crate::support::spawn_app_with_clock(crate::support::test_clock()).await;
    let app = server.app();
    let bank = app::DemoGuarantor::new_bank(app).await.unwrap();
    app::seed_demo_auctions(app, &bank, &certificates)
        .await
        .unwrap();

    log_in(&client, server.url("/login"), "bidder").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .goto(&server.url("/auctions/QT-2026-002"))
        .await
        .unwrap();
    assert_eq!(text_of(&client, "#al-current").await, "1,210,000.00 元");
    // The live connection comes up and the countdown runs by the server's clock.
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@id='al-conn'][contains(., '实时连接')]",
        ))
        .await
        .unwrap();
    assert!(text_of(&client, "#al-remaining").await.contains("小时"));

    // Too low: refused in place, with the reason.
    let price = client.find(Locator::Css("#bid-price")).await.unwrap();
    price.clear().await.unwrap();
    price.send_keys("1210000").await.unwrap();
    client
        .find(Locator::Css("#bid-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@id='bid-result'][contains(., 'AUCTION_TOO_LOW')]",
        ))
        .await
        .unwrap();
    // Accepted: the answer names its ledger place, and the page's price follows.
    price.clear().await.unwrap();
    price.send_keys("1,220,000.00").await.unwrap();
    client
        .find(Locator::Css("#bid-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@id='bid-result'][contains(., '已接受')]",
        ))
        .await
        .unwrap();
    // Another bidder outbids: the page updates by itself.
    let rival = app.caller_for("bidder2").await.unwrap();
    app.auction_bid(&rival, "QT-2026-002", 123_000_000, 1)
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@id='al-current'][text()='1,230,000.00 元']",
        ))
        .await
        .unwrap();
    let history = text_of(&client, "#al-bids").await;
    assert!(
        history.contains("1,230,000.00 元") && history.contains("1,220,000.00 元"),
        "{history}"
    );
    shoot(&client, "auction-live").await;
    client.close().await.unwrap();
}

/// A bidder files a complaint with an attachment on the page, after its objection was answered;
/// the supervisor accepts it and decides it, signing the decision with the department's
/// certificate.
#[tokio::test]
async fn a_bidder_complains_and_a_supervisor_decides_in_a_real_browser() {
    let Some(Browser { client, _driver }) = browser().await else {
        return;
    };
    let flow = crate::tendering::Flow::new().await;
    flow.ceremony("2026-12").await;
    let tenderee = flow.token("tenderee").await;
    let (_, lot, _) = flow
        .publish(&tenderee, "杭州市第十六中学食堂改造工程")
        .await;
    let server = &flow.server;
    // The objection to the documents, at least ten days before the deadline, and its answer.
    let bidder = flow.token("bidder2").await;
    let api = reqwest::Client::new();
    for (token, path, body) in [
        (&bidder, format!("/api/v1/lots/{lot}/registration"), None),
        (
            &bidder,
            format!("/api/v1/lots/{lot}/objections"),
            Some(
                serde_json::json!({"subject": "documents", "text": "资格条件要求本市业绩，排斥外地企业"}),
            ),
        ),
        (
            &tenderee,
            format!("/api/v1/lots/{lot}/objections/1/answer"),
            Some(serde_json::json!({"text": "该条件依据项目特点设定，不予修改。"})),
        ),
    ] {
        let mut request = api.post(server.url(&path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            200,
            "{path}: {}",
            response.text().await.unwrap()
        );
    }

    // The complaint, with its evidence file.
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("业绩要求截图.txt");
    std::fs::write(&evidence, "招标文件第三章：须具有杭州市内类似工程业绩").unwrap();
    log_in(&client, server.url("/login"), "bidder2").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .goto(&server.url(&format!("/complaints/new?lot={lot}&subject=documents")))
        .await
        .unwrap();
    for (field, value) in [
        (
            "#facts",
            "招标文件要求投标人具有杭州市内类似工程业绩，以特定行政区域的业绩作为加分条件。",
        ),
        ("#grounds", "招标投标法实施条例 第32条"),
        ("#request", "责令招标人修改招标文件"),
        ("#evidence", evidence.to_str().unwrap()),
    ] {
        client
            .find(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    shoot(&client, "complaint-form").await;
    client
        .find(Locator::XPath("//button[text()='提交投诉']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client.accept_alert().await.unwrap();
    let filed = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(text(),'投诉已提交')]"))
        .await;
    assert!(filed.is_ok(), "{}", text_of(&client, "main").await);
    let page = text_of(&client, "main").await;
    assert!(page.contains("业绩要求截图.txt"), "{page}");
    assert!(page.contains("浙江省发展和改革委员会"), "{page}");
    let url = client.current_url().await.unwrap();
    let case = url.path().trim_start_matches("/cases/").to_string();
    shoot(&client, "complaint-filed").await;

    // The supervisor accepts and decides.
    client.delete_all_cookies().await.unwrap();
    log_in(&client, server.url("/login"), "supervisor").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client.goto(&server.url("/cases")).await.unwrap();
    assert!(text_of(&client, "main").await.contains(&case));
    shoot(&client, "supervision-queue").await;
    client
        .find(Locator::LinkText(&case))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//button[text()='受理']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client.accept_alert().await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#decision-kind"))
        .await
        .unwrap()
        .select_by_value("order_correction")
        .await
        .unwrap();
    for (field, value) in [
        (
            "#decision-reasons",
            "招标文件以本市业绩作为条件，限制外地投标人。",
        ),
        ("#decision-basis", "招标投标法实施条例 第32条"),
    ] {
        client
            .find(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    client
        .find(Locator::XPath("//button[text()='生成待签署内容']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let to_sign = text_of(&client, "#to-sign").await;
    let to_sign: serde_json::Value = serde_json::from_str(&to_sign).unwrap();
    assert_eq!(to_sign["kind"], "order_correction");
    // `ggzy sign` with the department's key, as the page says.
    let cert = flow
        .certificates
        .iter()
        .find(|c| c.username == "supervisor")
        .unwrap();
    let signature = crypto::PlatformKey::from_pkcs8_pem(&cert.key_pem)
        .unwrap()
        .sign(&crypto::canonical_json_bytes(&to_sign).unwrap())
        .to_hex();
    client
        .find(Locator::Css("#decision-cert"))
        .await
        .unwrap()
        .send_keys(&cert.cert_pem)
        .await
        .unwrap();
    client
        .find(Locator::Css("#decision-signature"))
        .await
        .unwrap()
        .send_keys(&signature)
        .await
        .unwrap();
    shoot(&client, "decision-sign").await;
    client
        .find(Locator::XPath("//button[text()='签署并作出决定']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client.accept_alert().await.unwrap();
    let decided = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(text(),'处理决定已签署')]"))
        .await;
    assert!(decided.is_ok(), "{}", text_of(&client, "main").await);
    let page = text_of(&client, "main").await;
    assert!(
        page.contains("责令改正") && page.contains("已作出处理决定"),
        "{page}"
    );
    shoot(&client, "decision-made").await;
}
