//! The disclosure portal over HTTP on the whole demo: search by a Chinese phrase, by each kind
//! of code (exact match first), by entity; filters and bad filters; a just-published
//! announcement becomes searchable; every portal route renders with its key content.

use std::time::Duration;

use crate::support::{TestServer, client, spawn_app_with_clock};

/// A server with the whole demo: entities, procedures at every step, and the sales.
pub(crate) async fn demo_portal() -> (TestServer, Vec<app::DemoCertificate>) {
    let (server, certificates) = spawn_app_with_clock(crate::support::test_clock()).await;
    let app = server.app();
    app::run_simulated_ceremony(app, "2026-12").await.unwrap();
    assert!(app::seed_demo_tendering(app, &certificates).await.unwrap());
    // The follower indexes within a fraction of a second; this test's single-threaded runtime
    // was busy seeding, so catch up now.
    app.refresh_search().await.unwrap();
    (server, certificates)
}

async fn search(server: &TestServer, query: &str) -> serde_json::Value {
    let response = client()
        .get(server.url(&format!("/api/v1/search?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn urls(results: &serde_json::Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect()
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn search_finds_by_phrase_by_code_and_by_entity() {
    let (server, certificates) = demo_portal().await;
    let app = server.app();
    let procedure = app.procedures(None, 100, 0).await.unwrap().items[0].clone();
    let announcements = app
        .announcements(&procedure.id, "", 50, 0)
        .await
        .unwrap()
        .items;
    let notice = announcements.last().unwrap().clone();

    // A Chinese phrase from the procedure's title finds its announcements, title highlighted.
    let phrase: String = procedure.draft.title.chars().take(6).collect();
    let found = search(&server, &format!("q={}", enc(&phrase))).await;
    assert!(found["total"].as_u64().unwrap() >= 1, "{phrase}: {found}");
    assert!(
        urls(&found).contains(&format!("/announcements/{}", notice.id)),
        "{phrase}: {:?}",
        urls(&found)
    );
    assert!(
        found["hits"][0]["title_html"]
            .as_str()
            .unwrap()
            .contains("<b>")
    );

    // The project code, the 交易标识码 (lot code) and the procedure id: exact match first.
    let lot = procedure.lots[0].code.clone();
    for code in [
        procedure.draft.project_code.clone(),
        lot.clone(),
        procedure.id.clone(),
    ] {
        let found = search(&server, &format!("q={}", enc(&code))).await;
        let first = &found["hits"][0];
        assert_eq!(first["exact_code"], true, "{code}: {found}");
        let url = first["url"].as_str().unwrap();
        let id = url.trim_start_matches("/announcements/");
        let row = app.announcement(id).await.unwrap();
        assert_eq!(row.procedure_id, procedure.id, "{code} → {url}");
    }

    // A 统一社会信用代码 finds the entity; its name does too.
    let entity = app
        .entities(None, Some("active"), 1, 50)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|e| e.kind == "organisation" && !e.roles.contains(&domain::Role::Expert))
        .unwrap();
    let found = search(&server, &format!("q={}", entity.code)).await;
    assert_eq!(
        found["hits"][0]["url"],
        format!("/entities/{}", entity.id),
        "{found}"
    );
    assert_eq!(found["hits"][0]["exact_code"], true);
    let found = search(&server, &format!("q={}&type=entity", enc(&entity.name))).await;
    assert!(
        urls(&found).contains(&format!("/entities/{}", entity.id)),
        "{found}"
    );

    // Facets describe what matched; a filter narrows.
    let all = search(&server, "").await;
    let domains = all["domains"].as_array().unwrap();
    assert!(
        domains.iter().any(|d| d["value"] == "construction"),
        "{domains:?}"
    );
    let dates = all["dates"].as_array().unwrap();
    assert_eq!(dates[0]["label"], "近7天", "{dates:?}");
    assert!(dates[0]["count"].as_u64().unwrap() >= 1);
    let construction = search(&server, "domain=construction").await;
    assert!(construction["total"].as_u64().unwrap() < all["total"].as_u64().unwrap());
    for hit in construction["hits"].as_array().unwrap() {
        assert_eq!(hit["domain"], "construction");
    }

    // A wrong filter is refused with its code and says which condition is wrong.
    for bad in [
        "from=2026-13-01",
        "region=33",
        "amount=lots",
        "sort=price",
        "page=100000",
    ] {
        let response = client()
            .get(server.url(&format!("/api/v1/search?{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{bad}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "SEARCH_FILTER_INVALID", "{bad}");
        let page = client()
            .get(server.url(&format!("/search?{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 422, "{bad}");
        assert!(page.text().await.unwrap().contains("检索条件有误"));
    }

    // A sale published now is searchable shortly after (the follower polls the ledger).
    let bank = app::DemoGuarantor::new_bank(app).await.unwrap();
    app::seed_demo_auctions(app, &bank, &certificates)
        .await
        .unwrap();
    let mut seen = false;
    for _ in 0..50 {
        let found = search(&server, "q=TD-2026-018").await;
        if found["hits"][0]["exact_code"] == true {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the new sale's notice never became searchable");
    let (_, _, feed) = get(&server, "/feeds/land.atom").await;
    assert!(
        feed.contains("TD-2026-018"),
        "the land feed has the new sale: {feed}"
    );

    // The page: highlighted hits, facets, the feed of the query, a link to each proof.
    let page = client()
        .get(server.url(&format!("/search?q={}", enc(&phrase))))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("共找到"), "{page}");
    assert!(page.contains("<b>"));
    assert!(page.contains("/feeds/search.atom?q="));
    assert!(page.contains("/ledger/entries/"));
    assert!(page.contains("交易领域"));
}

async fn get(server: &TestServer, path: &str) -> (u16, String, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

#[tokio::test]
async fn every_portal_route_renders_with_its_key_content() {
    let (server, _) = demo_portal().await;
    let app = server.app();
    let procedure = app.procedures(None, 100, 0).await.unwrap().items[0].clone();
    let notice = app
        .announcements(&procedure.id, "", 1, 0)
        .await
        .unwrap()
        .items[0]
        .clone();
    // A sanction for the credit page.
    let supervisor = app.caller_for("supervisor").await.unwrap();
    let bidder = app.caller_for("bidder").await.unwrap();
    // Barred until about a year from the test's day (whatever day the suite runs on).
    let until = domain::Date::of_instant(app.now_ms()).add_days(390);
    app.bar_entity(
        &supervisor,
        &bidder.entity_id,
        until,
        "串通投标，行政处罚决定书浙发改罚〔2026〕12号",
    )
    .await
    .unwrap();
    let barred = app.entity(None, &bidder.entity_id).await.unwrap();
    app.refresh_search().await.unwrap();

    let checks: Vec<(String, &str, Vec<String>)> = vec![
        (
            "/".into(),
            "text/html",
            vec![
                "各领域最新信息".into(),
                "工程建设".into(),
                "/feeds/construction.atom".into(),
            ],
        ),
        (
            "/search".into(),
            "text/html",
            vec!["共找到".into(), "交易领域".into()],
        ),
        (
            format!("/search?q={}&sort=date", procedure.draft.project_code),
            "text/html",
            vec!["代码精确匹配".into()],
        ),
        (
            "/search?domain=construction&region=330000&amount=ge100m&from=2020-01-01&to=2030-12-31"
                .into(),
            "text/html",
            vec!["共找到".into()],
        ),
        (
            "/feeds/all.atom".into(),
            "application/atom+xml",
            vec![
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"".into(),
                format!("/announcements/{}", notice.id),
            ],
        ),
        (
            "/feeds/construction.atom".into(),
            "application/atom+xml",
            vec!["<entry>".into(), "工程建设".into()],
        ),
        (
            format!("/feeds/search.atom?q={}", procedure.id),
            "application/atom+xml",
            vec!["<entry>".into(), procedure.id.clone()],
        ),
        (
            "/sitemap.xml".into(),
            "application/xml",
            vec![
                "<sitemapindex".into(),
                "/sitemaps/announcements-1.xml".into(),
            ],
        ),
        (
            "/sitemaps/pages.xml".into(),
            "application/xml",
            vec!["<urlset".into(), "/search?domain=land".into()],
        ),
        (
            "/sitemaps/announcements-1.xml".into(),
            "application/xml",
            vec![format!("/announcements/{}", notice.id), "<lastmod>".into()],
        ),
        (
            "/robots.txt".into(),
            "text/plain",
            vec!["Sitemap: http://".into(), "Disallow: /api/".into()],
        ),
        (
            "/credit".into(),
            "text/html",
            vec![
                "禁止参加交易".into(),
                barred.name.clone(),
                until.to_string(),
                "串通投标".into(),
            ],
        ),
        (
            format!("/procedures/{}/history", procedure.id),
            "text/html",
            vec![
                "项目全过程".into(),
                "发布招标公告".into(),
                notice.title.clone(),
                "/ledger/entries/".into(),
            ],
        ),
        (
            format!("/announcements/{}", notice.id),
            "text/html",
            vec![
                notice.title.clone(),
                "在账本中核验".into(),
                "项目全过程".into(),
            ],
        ),
        (
            format!("/procedures/{}", procedure.id),
            "text/html",
            vec!["项目全过程".into()],
        ),
    ];
    for (path, kind, needles) in checks {
        let (status, content_type, body) = get(&server, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        for needle in needles {
            assert!(body.contains(&needle), "{path} lacks {needle}");
        }
    }
    // Titles for search engines and readers: each page names itself.
    let (_, _, body) = get(&server, &format!("/announcements/{}", notice.id)).await;
    assert!(
        body.contains(&format!("<title>{}", notice.title)),
        "announcement title"
    );

    for (path, status) in [
        ("/feeds/nothing.atom", 404),
        ("/feeds/all.rss", 404),
        ("/sitemaps/announcements-0.xml", 404),
        ("/sitemaps/announcements-999.xml", 404),
        ("/sitemaps/other.xml", 404),
        ("/feeds/search.atom?from=yesterday", 422),
        ("/procedures/NO-SUCH/history", 404),
    ] {
        assert_eq!(get(&server, path).await.0, status, "{path}");
    }
}

/// Every release by following the API's `Link: rel="next"` pages.
async fn releases_by_cursor(server: &TestServer, limit: u64) -> Vec<serde_json::Value> {
    let mut url = server.url(&format!("/api/v1/ocds/releases?limit={limit}"));
    let mut out = Vec::new();
    for _ in 0..1000 {
        let response = client().get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let next = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_string());
        let package: serde_json::Value = response.json().await.unwrap();
        assert!(
            !package["releases"].as_array().unwrap().is_empty(),
            "an empty package at {url}"
        );
        out.extend(package["releases"].as_array().unwrap().iter().cloned());
        match next {
            Some(link) => {
                let target = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_string();
                assert!(link.ends_with("rel=\"next\""), "{link}");
                url = target;
            }
            None => return out,
        }
    }
    panic!("the pages never ended");
}

#[tokio::test]
async fn open_data_pages_by_cursor_and_validates_with_the_ocp_validator() {
    let (server, _) = demo_portal().await;
    let app = server.app();

    let package: serde_json::Value = client()
        .get(server.url("/api/v1/ocds/bulk/package.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let releases = package["releases"].as_array().unwrap().clone();
    assert!(!releases.is_empty());
    assert_eq!(package["version"], "1.1");
    assert_eq!(package["publisher"]["scheme"], "CN-USCI");

    // The pages by cursor give exactly the bulk package's releases, in the same order.
    assert_eq!(releases_by_cursor(&server, 1).await, releases);
    assert_eq!(releases_by_cursor(&server, 100).await, releases);

    // What a producer must get right (../shared/ocds/README.md).
    let date = |text: &str| {
        text.len() == 25
            && text.ends_with("+08:00")
            && text.as_bytes()[10] == b'T'
            && text[..19].bytes().filter(u8::is_ascii_digit).count() == 14
    };
    let mut pairs = std::collections::HashSet::new();
    let mut tags = std::collections::BTreeSet::new();
    for release in &releases {
        let ocid = release["ocid"].as_str().unwrap();
        assert!(ocid.starts_with("ocds-ggzy00-"), "{ocid}");
        let id = release["id"].as_str().unwrap();
        assert!(!id.contains('#'));
        assert!(
            pairs.insert((ocid.to_string(), id.to_string())),
            "duplicate {ocid} {id}"
        );
        assert!(
            date(release["date"].as_str().unwrap()),
            "{}",
            release["date"]
        );
        assert_eq!(release["language"], "zh");
        assert_eq!(release["initiationType"], "tender");
        assert_eq!(release["tender"]["value"]["currency"], "CNY");
        let lot = ocid.trim_start_matches("ocds-ggzy00-");
        assert_eq!(release["tender"]["id"], lot);
        for tag in release["tag"].as_array().unwrap() {
            tags.insert(tag.as_str().unwrap().to_string());
        }
        let parties: Vec<&str> = release["parties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert!(parties.contains(&release["buyer"]["id"].as_str().unwrap()));
        for bid in release["bids"]["details"].as_array().into_iter().flatten() {
            for tenderer in bid["tenderers"].as_array().unwrap() {
                assert!(parties.contains(&tenderer["id"].as_str().unwrap()));
            }
        }
        if release.get("bids").is_some() {
            assert_eq!(
                release["tender"]["numberOfTenderers"].as_u64().unwrap() as usize,
                release["bids"]["details"].as_array().unwrap().len()
            );
        }
    }
    for tag in ["planning", "tender"] {
        assert!(tags.contains(tag), "no {tag} release in the demo: {tags:?}");
    }

    // The bulk file: the same releases, one per line, gzip.
    let bytes = client()
        .get(server.url("/api/v1/ocds/bulk/releases.jsonl.gz"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, releases);

    // The national specification's export: the lot code as the 统一交易标识码 everywhere.
    let national: serde_json::Value = client()
        .get(server.url("/api/v1/export/national?limit=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let records = national["records"].as_array().unwrap();
    let procedure = app.procedures(None, 100, 0).await.unwrap().items[0].clone();
    assert!(
        records
            .iter()
            .any(|r| r["DATA_SET"] == "TENDER_ANNOUNCEMENT"
                && r["UNIFIED_DEAL_CODE"] == procedure.lots[0].code.as_str()
                && r["PROJECT_CODE"] == procedure.draft.project_code.as_str())
    );
    for record in records {
        assert_eq!(record["UNIFIED_DEAL_CODE"], record["BID_SECTION_CODE"]);
        assert_eq!(record["DATA_TIMESTAMP"].as_str().unwrap().len(), 14);
    }
    // Its pages, one procedure each, follow `next_cursor` to the same records.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    for _ in 0..100 {
        let page: serde_json::Value = client()
            .get(server.url(&format!(
                "/api/v1/export/national?limit=1&cursor={}",
                enc(&cursor)
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        paged.extend(page["records"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    let strip = |records: &[serde_json::Value]| -> Vec<serde_json::Value> {
        records
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r["DATA_TIMESTAMP"] = serde_json::Value::Null;
                r
            })
            .collect()
    };
    assert_eq!(strip(&paged), strip(records));
    for bad in ["limit=0", "limit=101", "limit=x", "cursor=a/b"] {
        for path in ["/api/v1/ocds/releases", "/api/v1/export/national"] {
            let response = client()
                .get(server.url(&format!("{path}?{bad}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 422, "{path}?{bad}");
        }
    }
    let (status, _, page) = get(&server, "/open-data").await;
    assert_eq!(status, 200);
    assert!(page.contains("ocds-ggzy00") && page.contains("/api/v1/ocds/releases"));

    validate_with_libcoveocds(&package, "demo").await;
}

/// Checks a release package with the Open Contracting Partnership's own validator (libcoveocds,
/// offline, through `scripts/ocds-validate`): zero errors, no closed-codelist value outside its
/// list, and no field outside the schema and its declared extensions.
pub(crate) async fn validate_with_libcoveocds(package: &serde_json::Value, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ocds");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}-package.json"));
    let report = dir.join(format!("{name}-report.json"));
    std::fs::write(&file, serde_json::to_vec_pretty(package).unwrap()).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ocds-validate");
    let output = tokio::process::Command::new(&script)
        .arg(&file)
        .env("GGZY_OCDS_REPORT", &report)
        .output()
        .await
        .expect("python3 runs scripts/ocds-validate");
    assert!(
        output.status.success(),
        "libcoveocds found errors in {}:\n{}\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(
        report["validation_errors"],
        serde_json::json!([]),
        "{report}"
    );
    let additional = &report["additional_fields"];
    assert!(
        additional.is_null()
            || additional.as_object().is_some_and(|o| o.is_empty())
            || additional.as_array().is_some_and(|a| a.is_empty()),
        "fields outside the schema: {additional}"
    );
}

/// The compiled releases ocdskit (the Open Contracting Partnership's tool, in the validator's
/// venv) merges from a release package, offline with the schema from `../shared/ocds`.
pub(crate) async fn ocdskit_compile(package: &serde_json::Value) -> Vec<serde_json::Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var("GGZY_OCDS_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("target/ocds-venv"));
    let shared = std::env::var("GGZY_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .ok()
        .filter(|d| d.join("ocds").exists())
        .or_else(|| Some(root.join("../shared")).filter(|d| d.join("ocds").exists()))
        .unwrap_or_else(|| std::path::PathBuf::from("/work/shared"));
    let mut child = tokio::process::Command::new(venv.join("bin/ocdskit"))
        .arg("compile")
        .arg("--schema")
        .arg(shared.join("ocds/release-schema-1.1.5+bids.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ocdskit from the validator's venv (scripts/ocds-validate makes it)");
    let input = serde_json::to_vec(package).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stdin, &input)
        .await
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    assert!(output.status.success(), "ocdskit compile failed");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The ledger place a release was made at (the end of its id).
fn seq_of(release: &serde_json::Value) -> u64 {
    release["id"]
        .as_str()
        .unwrap()
        .rsplit('-')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// No field published empty, anywhere.
fn no_empty_strings(value: &serde_json::Value, at: &str) {
    match value {
        serde_json::Value::String(text) => assert!(!text.is_empty(), "empty string at {at}"),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, item)| no_empty_strings(item, &format!("{at}[{i}]"))),
        serde_json::Value::Object(map) => map
            .iter()
            .for_each(|(key, item)| no_empty_strings(item, &format!("{at}.{key}"))),
        _ => {}
    }
}

/// Releases page in ledger order: a harvester's saved cursor finds a new act of an older
/// contracting process; at the end there is no empty package (204); the cursor is sent as it
/// is; the fields red-flag tools need are there and nothing is published empty.
#[tokio::test]
async fn releases_page_in_ledger_order_and_a_saved_cursor_finds_new_acts() {
    let (server, _) = demo_portal().await;
    let app = server.app();
    let all = releases_by_cursor(&server, 1).await;
    let seqs: Vec<u64> = all.iter().map(seq_of).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] <= w[1]),
        "not in ledger order: {seqs:?}"
    );
    let package: serde_json::Value = client()
        .get(server.url("/api/v1/ocds/bulk/package.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    no_empty_strings(&package, "package");
    for release in package["releases"].as_array().unwrap() {
        for award in release["awards"].as_array().into_iter().flatten() {
            assert!(
                award["items"][0]["classification"]["id"].is_string(),
                "unclassified award in {}",
                release["id"]
            );
        }
        if release["tender"]["procurementMethodDetails"].is_string()
            && release["tag"] != serde_json::json!(["planning", "tender"])
        {
            assert!(release["tender"]["tenderPeriod"]["startDate"].is_string());
        }
    }
    // At the end: nothing after the cursor, no package, no next.
    let saved = *seqs.last().unwrap();
    let end = client()
        .get(server.url(&format!("/api/v1/ocds/releases?cursor={saved}")))
        .send()
        .await
        .unwrap();
    assert_eq!(end.status(), 204);
    assert!(end.headers().get("link").is_none() && end.headers().get("x-next-cursor").is_none());
    // A new act of an older process: the saved cursor finds it.
    let procedure = app
        .procedures(None, 100, 0)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|p| p.published_at_ms.is_some() && p.deadline_ms() > app.now_ms())
        .unwrap();
    let tenderee = app.caller_for("tenderee").await.unwrap();
    app.amend_procedure(
        &tenderee,
        &procedure.id,
        app::NewAmendment {
            text: "补充说明：答疑会改为线上举行。".into(),
            deadline: String::new(),
        },
    )
    .await
    .unwrap();
    let page: serde_json::Value = client()
        .get(server.url(&format!("/api/v1/ocds/releases?cursor={saved}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new = page["releases"].as_array().unwrap();
    assert!(
        !new.is_empty()
            && new
                .iter()
                .all(|r| r["tag"] == serde_json::json!(["tenderAmendment"]) && seq_of(r) > saved),
        "{page}"
    );
    // The cursor is decimal digits, sent raw; the link carries the same.
    let first = client()
        .get(server.url("/api/v1/ocds/releases?limit=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let cursor = first.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cursor.bytes().all(|b| b.is_ascii_digit()), "{cursor}");
    assert!(
        first.headers()["link"]
            .to_str()
            .unwrap()
            .contains(&format!("?cursor={cursor}&limit=1>"))
    );
    for bad in ["cursor=procedure%2FP1", "cursor=-1", "cursor=1.5"] {
        let response = client()
            .get(server.url(&format!("/api/v1/ocds/releases?{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{bad}");
    }
}
