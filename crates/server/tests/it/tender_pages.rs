//! The tendering pages: every list and form answers in Chinese, and a whole procedure is walked
//! through the pages as people would — the tenderee drafts through the form, uploads the tender
//! documents and publishes; bidders register, download and upload sealed bids as files; nobody
//! sees a bidder before the opening; after the deadline the tenderee opens and the live page
//! shows the opening record once the key holders have decrypted.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use app::{App, PasswordPolicy, Settings};
use crypto::{BidPackage, Envelope, PlatformKey, PublicKey, SealRequest, machine_fingerprint};
use store::testing::{TestDatabase, fresh_sqlite};

use crate::support::{client, csrf_of, form, spawn_app};

pub(crate) async fn text(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_tendering_pages_answer_in_chinese() {
    let server = spawn_app().await;
    let anonymous = client();
    for (path, expected) in [
        ("/announcements", "交易公告"),
        ("/procedures", "招标项目"),
        ("/keys", "开标密钥"),
        ("/keys", "ggzy keyholder"),
        ("/", "最新公告"),
    ] {
        let response = anonymous.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let html = text(response).await;
        assert!(html.contains(expected), "{path} lacks {expected}");
        assert!(html.contains("href=\"/announcements\""), "{path}: main nav");
    }
    let response = anonymous
        .get(server.url("/announcements?kind=no_such_kind&page=999999999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // The new-procedure form, for a tenderee; an agency also names the tenderee.
    let tenderee = server.login_page("tenderee").await;
    let response = tenderee
        .get(server.url("/procedures/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = text(response).await;
    for expected in [
        "新建招标项目",
        "最高投标限价（元）",
        "lot_name_3",
        "投标截止日期",
    ] {
        assert!(html.contains(expected), "/procedures/new lacks {expected}");
    }
    assert!(!html.contains("招标人统一社会信用代码"));
    let procedures = text(
        tenderee
            .get(server.url("/procedures"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(procedures.contains("我的项目") && procedures.contains("新建项目"));
    let agency = server.login_page("agency").await;
    let html = text(
        agency
            .get(server.url("/procedures/new"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("招标人统一社会信用代码"));

    // A bidder's own bids, and the nav entry that leads there.
    let bidder = server.login_page("bidder").await;
    let response = bidder.get(server.url("/bids")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = text(response).await;
    assert!(html.contains("我的投标") && html.contains("尚未报名任何标段"));
    assert!(html.contains("href=\"/bids\""));

    // Only a bidder has bids; only a tenderee or agency drafts.
    let response = tenderee.get(server.url("/bids")).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let response = bidder
        .get(server.url("/procedures/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = anonymous
        .get(server.url("/procedures/new"))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?")
    );
}

/// Beijing 2026-12-01 09:30.
pub(crate) const START_MS: i64 = 1_796_088_600_000;
pub(crate) const DAY: i64 = 86_400_000;

pub(crate) struct ClockedServer {
    base: String,
    state: Arc<server::AppState>,
    pub(crate) clock: Arc<AtomicI64>,
    _db: TestDatabase,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl ClockedServer {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn app(&self) -> &App {
        &self.state.app
    }

    pub(crate) async fn login(&self, username: &str) -> (reqwest::Client, String) {
        let browser = client();
        let response = browser
            .post(self.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("username", username),
                ("password", app::DEMO_PASSWORD),
                ("next", ""),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "log-in of {username}");
        let page = text(browser.get(self.url("/me")).send().await.unwrap()).await;
        let csrf = csrf_of(&page);
        (browser, csrf)
    }

    pub(crate) async fn page(&self, browser: &reqwest::Client, path: &str) -> String {
        let response = browser.get(self.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        text(response).await
    }
}

/// A server whose clock the test moves (each read also ticks one millisecond).
pub(crate) async fn spawn_clocked() -> ClockedServer {
    let db = fresh_sqlite();
    let store = db.open().await.unwrap();
    let clock = Arc::new(AtomicI64::new(START_MS));
    let reader = clock.clone();
    let settings = Settings {
        origin: "ggzy.test".into(),
        password_policy: PasswordPolicy::for_tests(),
        session_ttl_ms: 90 * DAY,
        watchers: false,
        ..Default::default()
    };
    let app = App::open(
        store,
        PlatformKey::generate(),
        Arc::new(move || reader.fetch_add(1, Ordering::SeqCst)),
        settings,
    )
    .await
    .unwrap();
    app::seed_demo(&app).await.unwrap();
    let state = Arc::new(server::AppState {
        app,
        secure_cookies: false,
        platform_name: "浙江省公共资源交易平台".into(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve(state.clone(), listener, async move {
        let _ = rx.await;
    }));
    ClockedServer {
        base,
        state,
        clock,
        _db: db,
        _shutdown: tx,
    }
}

/// A `multipart/form-data` body with one file, as a browser sends it.
/// A file upload as the page's form sends it: the CSRF token first (when given), then the file.
pub(crate) fn multipart(
    csrf: &str,
    field: &str,
    file_name: &str,
    content: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----ggzyTestBoundary7f3a9c";
    let mut body = Vec::new();
    if !csrf.is_empty() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn seal(
    certificates: &[app::DemoCertificate],
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
        form: serde_json::json!({"price_fen": price_fen, "duration_days": 540}),
        files: vec![("投标函.txt".into(), b"bid letter".to_vec())],
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

async fn post_form(
    browser: &reqwest::Client,
    url: String,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    browser
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_procedure_from_the_form_to_the_opening_record_through_the_pages() {
    let server = spawn_clocked().await;
    let certificates = app::seed_demo_certificates(server.app()).await.unwrap();
    let holders = app::run_simulated_ceremony(server.app(), "2026-12")
        .await
        .unwrap();

    // The tenderee drafts through the form: a bad amount comes back next to the lot rows with
    // everything typed kept; then the draft is saved.
    let (tenderee, csrf) = server.login("tenderee").await;
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("project_code", "2026-330106-48-01-512345"),
        ("title", "杭州市第十四中学新建教学楼工程"),
        ("category", "construction"),
        ("method", "open_tender"),
        ("region", "330100"),
        ("description", "新建教学楼一幢，建筑面积12000平方米。"),
        ("qualification", "具备建筑工程施工总承包二级及以上资质。"),
        ("invitees", ""),
        ("lot_name_1", "施工标段"),
        ("lot_budget_1", "38,000,000.5x"),
        ("lot_name_2", ""),
        ("lot_budget_2", ""),
        ("deadline_date", "2026-12-28"),
        ("deadline_time", "09:30"),
        ("opening_place", ""),
        ("contact", "杭州市教育局 王老师 0571-87000000"),
    ];
    let refused = post_form(&tenderee, server.url("/procedures/new"), &fields).await;
    assert_eq!(refused.status(), 422);
    let html = text(refused).await;
    assert!(html.contains("第1行的最高投标限价") && html.contains("INVALID_REQUEST"));
    assert!(html.contains("杭州市第十四中学新建教学楼工程") && html.contains("38,000,000.5x"));
    fields[10].1 = "38,000,000.00";
    let created = post_form(&tenderee, server.url("/procedures/new"), &fields).await;
    assert_eq!(created.status(), 303, "{}", text(created).await);
    let target = location(&created);
    assert!(target.contains("done=created"), "{target}");
    let id = target
        .trim_start_matches("/procedures/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let draft = server.page(&tenderee, &target).await;
    assert!(draft.contains("项目草稿已保存") && draft.contains("发布前准备"));
    assert!(draft.contains("38,000,000.00 元"));
    // Drafts are not public.
    let response = client()
        .get(server.url(&format!("/procedures/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // The tender documents as a file upload: the CSRF token is the form's first field, never
    // in the URL (where access logs keep it).
    let (content_type, forged_body) =
        multipart("", "documents", "招标文件.pdf", b"%PDF tender documents");
    for (url, what) in [
        (format!("/procedures/{id}/documents"), "without the token"),
        (
            format!("/procedures/{id}/documents?csrf={csrf}"),
            "with the token in the URL",
        ),
    ] {
        let forged = tenderee
            .post(server.url(&url))
            .header("content-type", &content_type)
            .body(forged_body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403, "an upload {what} is refused");
    }
    let (_, wrong) = multipart(
        &"0".repeat(csrf.len()),
        "documents",
        "招标文件.pdf",
        b"%PDF tender documents",
    );
    let forged = tenderee
        .post(server.url(&format!("/procedures/{id}/documents")))
        .header("content-type", &content_type)
        .body(wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        403,
        "an upload with a wrong token is refused"
    );
    let (content_type, body) =
        multipart(&csrf, "documents", "招标文件.pdf", b"%PDF tender documents");
    let uploaded = tenderee
        .post(server.url(&format!("/procedures/{id}/documents")))
        .header("content-type", &content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 303, "{}", text(uploaded).await);
    let published = post_form(
        &tenderee,
        server.url(&format!("/procedures/{id}/publish")),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(published.status(), 303);
    assert!(location(&published).contains("done=published"));
    // A clarification; a new deadline needs both its date and its time.
    let amend = server.url(&format!("/procedures/{id}/amend"));
    let half = post_form(
        &tenderee,
        amend.clone(),
        &[
            ("csrf", &csrf),
            ("text", "工程量清单第3页更正。"),
            ("deadline_date", "2026-12-30"),
            ("deadline_time", ""),
        ],
    )
    .await;
    assert_eq!(half.status(), 422);
    let html = text(half).await;
    assert!(html.contains("时间格式") && html.contains("DATETIME_FORMAT"));
    let amended = post_form(
        &tenderee,
        amend,
        &[
            ("csrf", &csrf),
            ("text", "工程量清单第3页更正。"),
            ("deadline_date", ""),
            ("deadline_time", ""),
        ],
    )
    .await;
    assert_eq!(amended.status(), 303);
    let page = server.page(&tenderee, &location(&amended)).await;
    assert!(page.contains("澄清/修改公告已发布") && page.contains("工程量清单第3页更正"));
    let procedure = server.app().procedure(None, &id).await.unwrap();
    let lot = procedure.lots[0].code.clone();
    let key = procedure.opening_key.clone().unwrap().public_key;
    let public = server.page(&client(), &format!("/procedures/{id}")).await;
    assert!(public.contains(&lot) && public.contains("data-remaining-ms"));
    assert!(public.contains("招标文件.pdf") && public.contains("投标中"));
    let notices = server.page(&client(), "/announcements").await;
    assert!(notices.contains("招标公告") && notices.contains("杭州市第十四中学新建教学楼工程"));

    // Three bidders register, download and upload their sealed bids from the page.
    let mut names = Vec::new();
    for (username, price) in [
        ("bidder", 3_650_000_000_i64),
        ("bidder2", 3_700_000_000),
        ("yuecheng", 3_720_000_000),
    ] {
        let caller = server.app().caller_for(username).await.unwrap();
        names.push(
            server
                .app()
                .entity(None, &caller.entity_id)
                .await
                .unwrap()
                .name,
        );
        let (browser, token) = server.login(username).await;
        let page = server.page(&browser, &format!("/procedures/{id}")).await;
        assert!(page.contains("报名") && page.contains("未报名"));
        let registered = post_form(
            &browser,
            server.url(&format!("/lots/{lot}/register")),
            &[("csrf", &token)],
        )
        .await;
        assert_eq!(registered.status(), 303);
        let documents = browser
            .get(server.url(&format!("/lots/{lot}/documents")))
            .send()
            .await
            .unwrap();
        assert_eq!(documents.status(), 200);
        assert_eq!(
            &documents.bytes().await.unwrap()[..],
            b"%PDF tender documents"
        );
        let envelope = seal(
            &certificates,
            username,
            &caller.entity_id,
            &lot,
            &key,
            price,
        );
        let (content_type, body) = multipart(&token, "envelope", "投标文件.sealed", &envelope);
        let receipt = browser
            .post(server.url(&format!("/lots/{lot}/bid")))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(receipt.status(), 200);
        let receipt = text(receipt).await;
        assert!(receipt.contains("投标文件已递交"), "{receipt}");
        assert!(
            receipt.contains(
                &crypto::Envelope::from_bytes(&envelope)
                    .unwrap()
                    .digest()
                    .unwrap()
                    .to_hex()
            )
        );
        let mine = server.page(&browser, "/bids").await;
        assert!(mine.contains(&lot) && mine.contains("已递交"));
    }
    // A file that is not a sealed bid is refused next to the lot, with its code.
    let (browser, token) = server.login("bidder").await;
    let (content_type, body) = multipart(&token, "envelope", "随便.sealed", b"not an envelope");
    let refused = browser
        .post(server.url(&format!("/lots/{lot}/bid")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = text(refused).await;
    assert!(html.contains("不是有效的密封投标文件") && html.contains("ENVELOPE_INVALID"));

    // Before the opening nobody sees who bid, nor how many: not the tenderee, not the public.
    let tenderee_view = server.page(&tenderee, &format!("/procedures/{id}")).await;
    let live = server.page(&client(), &format!("/lots/{lot}/live")).await;
    for page in [&tenderee_view, &live] {
        for name in &names {
            assert!(!page.contains(name.as_str()), "{name} shown before opening");
        }
    }
    assert!(live.contains("http-equiv=\"refresh\""));

    // After the deadline the tenderee opens; the holders decrypt; the record is public.
    server.clock.fetch_add(28 * DAY, Ordering::SeqCst);
    let opened = post_form(
        &tenderee,
        server.url(&format!("/lots/{lot}/opening")),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(opened.status(), 303, "{}", text(opened).await);
    let live = server.page(&client(), &format!("/lots/{lot}/live")).await;
    assert!(live.contains("0 / 2") && live.contains("http-equiv=\"refresh\""));
    for name in &names {
        assert!(!live.contains(name.as_str()), "{name} shown while opening");
    }
    for _ in 0..3 {
        app::simulated_holders_round(server.app(), &holders)
            .await
            .unwrap();
    }
    let live = server.page(&client(), &format!("/lots/{lot}/live")).await;
    assert!(live.contains("开标记录") && live.contains("36,500,000.00 元"));
    assert!(!live.contains("http-equiv=\"refresh\""));
    for name in &names {
        assert!(
            live.contains(name.as_str()),
            "{name} missing from the record"
        );
    }
    let public = server.page(&client(), &format!("/procedures/{id}")).await;
    assert!(public.contains("开标记录") && public.contains("工期（日历天）：540"));
}

#[tokio::test]
async fn the_expert_database_page_lists_and_imports_all_or_nothing() {
    let server = spawn_app().await;
    let operator = server.login_page("operator").await;
    let page = text(operator.get(server.url("/experts")).send().await.unwrap()).await;
    assert!(
        page.contains("评标专家库") && page.contains("周建国"),
        "{page}"
    );
    assert!(page.contains("批量导入专家"));
    // ID numbers are masked even for the trading center.
    assert!(!page.contains("330102196803151"));
    let csrf = csrf_of(&page);

    let supervisor = server.login_page("supervisor").await;
    let response = supervisor.get(server.url("/experts")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(!text(response).await.contains("批量导入专家"));
    let bidder = server.login_page("bidder").await;
    let response = bidder.get(server.url("/experts")).send().await.unwrap();
    assert_eq!(response.status(), 403);

    // A file with a bad row: refused with the line and reason, nothing imported.
    let csv = format!(
        "{}\n张三,330102197001011234,91330100MA2H7Q1K51,330100,A0101,高级工程师,副高级,20,2026-01-15\n",
        domain::EXPERT_CSV_HEADER
    );
    let (content_type, body) = multipart(&csrf, "file", "experts.csv", csv.as_bytes());
    let before = server.ledger_size().await;
    let response = operator
        .post(server.url("/experts/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let page = text(response).await;
    assert!(
        page.contains("第2行") && page.contains("EXPERT_IMPORT"),
        "{page}"
    );
    assert_eq!(server.ledger_size().await, before);
}
