//! 交易数据统计 over HTTP: an awarded lot counted with hand-computed figures in the API, the
//! public page, the supervisors' page and the CSV and Excel downloads; bad filters refused whole;
//! who sees the warnings and the detail. And the signing-period watch recording a lapse by
//! itself.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::tendering::{Flow, awarded_construction_lot};

const DAY: i64 = 86_400_000;
/// A period that holds the whole flow (its clock starts on 2026-12-01).
const PERIOD: &str = "from=2026-11-01&to=2027-03-31";

fn price_of(username: &str) -> i64 {
    match username {
        "bidder" => 3_650_000_000,
        "bidder2" => 3_700_000_000,
        _ => 3_720_000_000,
    }
}

async fn get(flow: &Flow, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(flow.server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_awarded_lot_is_counted_alike_in_the_api_the_pages_and_the_downloads() {
    let flow = Flow::new().await;
    let awarded = awarded_construction_lot(&flow).await;
    let (winner_name, _, _) = awarded
        .bidders
        .iter()
        .find(|(_, _, entity)| *entity == awarded.winner)
        .unwrap();
    let price = price_of(winner_name);
    let budget = 3_800_000_000_i64;
    let procedure = flow
        .public(format!("/api/v1/procedures/{}", awarded.id))
        .await;
    let announced = procedure["published_at_ms"].as_i64().unwrap();
    let awarded_at = procedure["lots"][0]["award"]["awarded_at_ms"]
        .as_i64()
        .unwrap();
    let days = (awarded_at - announced) / DAY;

    // The API, anonymously: the figures by hand, no warnings.
    let body = flow
        .public(format!("/api/v1/statistics?{PERIOD}&region=330000"))
        .await;
    let total = &body["total"];
    assert_eq!(total["lots"], 1, "{body}");
    assert_eq!(total["awarded"], 1);
    assert_eq!(total["awarded_budget_fen"], budget);
    assert_eq!(total["award_fen"], price);
    let saving = ((budget - price) * 10_000 * 2 + budget) / (2 * budget);
    assert_eq!(total["saving_bp"], saving);
    assert_eq!(total["bids"], 3);
    assert_eq!(total["bids_per_lot_centi"], 300);
    assert_eq!(total["single_bid_bp"], 0);
    assert_eq!(total["failure_bp"], 0);
    assert_eq!(total["award_days_total"], days);
    assert_eq!(total["award_days_deci"], days * 10);
    assert_eq!(total["sme_awards"], 0);
    assert!(total.get("warnings").is_none(), "warnings are not public");
    assert_eq!(body["by_category"][0]["key"], "construction");
    assert_eq!(body["by_region"][0]["key"], "330100");
    assert_eq!(body["by_method"][0]["key"], "open_tender");
    // Every month of the period, the lot in its announcement's month.
    let months: Vec<(String, u64)> = body["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["key"].as_str().unwrap().to_string(),
                m["tally"]["lots"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(months.len(), 5, "2026-11 to 2027-03: {months:?}");
    assert_eq!(
        months.iter().filter(|(_, n)| *n > 0).collect::<Vec<_>>(),
        vec![&("2026-12".to_string(), 1)]
    );
    // Selections that leave it out.
    for filter in [
        "category=procurement",
        "region=330200",
        "method=inquiry",
        "from=2027-01-01&to=2027-01-31",
    ] {
        let other = flow.public(format!("/api/v1/statistics?{filter}")).await;
        assert_eq!(other["total"]["lots"], 0, "{filter}: {other}");
    }
    // A supervisor's view counts the warnings too.
    let supervisor = flow.token("supervisor").await;
    let seen = flow
        .ok(
            &supervisor,
            Method::GET,
            &format!("/api/v1/statistics?{PERIOD}"),
            None,
        )
        .await;
    assert!(seen["total"]["warnings"]["raised"].is_u64(), "{seen}");

    // Bad filters: refused whole, each naming its filter.
    for (query, needle) in [
        ("category=nothing", "交易目录中没有类别"),
        ("region=33", "行政区划代码"),
        ("method=lottery", "没有交易方式"),
        ("from=2026-02-30", "起始日期"),
        ("from=2026-12-31&to=2026-12-01", "不能晚于"),
    ] {
        let response = get(&flow, None, &format!("/api/v1/statistics?{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let refusal: Value = response.json().await.unwrap();
        assert_eq!(refusal["code"], "STATISTICS_FILTER", "{query}");
        assert!(
            refusal["message"].as_str().unwrap().contains(needle),
            "{query}: {refusal}"
        );
    }
    let response = get(&flow, None, "/api/v1/statistics?colour=red").await;
    assert_eq!(response.status(), 400);

    // CSV: the 合计 row has the same figures, amounts in 元.
    let response = get(
        &flow,
        None,
        &format!("/statistics/download?{PERIOD}&table=category&format=csv"),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("交易领域,标段（包）数,已定标"),
        "{text}"
    );
    assert!(
        !lines[0].contains("预警线索"),
        "no warning columns for the public"
    );
    let total: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(total[0], "合计");
    assert_eq!(total[1], "1");
    assert_eq!(total[5], format!("{}.00", budget / 100));
    assert_eq!(total[6], format!("{}.00", price / 100));
    assert_eq!(total[7], format!("{}.{:02}", saving / 100, saving % 100));
    assert_eq!(lines[1].split(',').next(), Some("工程建设"));
    // The lots table names the lot; Excel is a workbook.
    let text = get(
        &flow,
        None,
        &format!("/statistics/download?{PERIOD}&table=lots&format=csv"),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(text.contains(&awarded.lot), "{text}");
    let response = get(
        &flow,
        Some(&supervisor),
        &format!("/statistics/download?{PERIOD}&table=month&format=xlsx"),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip container");
    let response = get(
        &flow,
        None,
        &format!("/statistics/download?{PERIOD}&table=everything&format=csv"),
    )
    .await;
    assert_eq!(response.status(), 422);

    // The public page: figures, charts drawn as SVG, the tables with their downloads.
    let html = get(&flow, None, &format!("/statistics?{PERIOD}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg"), "charts without JavaScript");
    assert!(html.contains("工程建设"));
    assert!(html.contains(&format!("{}.{:02}%", saving / 100, saving % 100)));
    assert!(
        html.contains("table=region&amp;format=xlsx") || html.contains("table=region&format=xlsx")
    );
    assert!(
        !html.contains("标段明细"),
        "the lot detail is for supervisors"
    );
    // A long period charts years, not a thousand months.
    let html = get(&flow, None, "/statistics?from=1990-01-01&to=2029-12-31")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("各年成交金额") && html.contains("2026：") && !html.contains("2026-12：")
    );
    let html = get(&flow, None, "/statistics?from=2026-02-30")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("起始日期应为有效日期"), "{html}");

    // The supervisors' page: the lots and the red flags; nobody else.
    let response = get(
        &flow,
        Some(&supervisor),
        &format!("/supervision/statistics?{PERIOD}"),
    )
    .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("标段明细") && html.contains(&awarded.lot),
        "{html}"
    );
    assert!(html.contains("开放数据红旗指标"));
    assert!(html.contains("预警线索"));
    let auditor = flow.token("auditor").await;
    assert_eq!(
        get(&flow, Some(&auditor), "/supervision/statistics")
            .await
            .status(),
        200
    );
    for username in ["bidder", "tenderee", "operator"] {
        let token = flow.token(username).await;
        assert_eq!(
            get(&flow, Some(&token), "/supervision/statistics")
                .await
                .status(),
            403,
            "{username}"
        );
    }
    assert_ne!(
        get(&flow, None, "/supervision/statistics").await.status(),
        200
    );
}

#[tokio::test]
async fn the_platform_records_a_lapsed_signing_period_by_itself() {
    let flow = Flow::new().await;
    let awarded = awarded_construction_lot(&flow).await;
    // Not before the period ends: the watch looks and leaves the award as it is.
    assert_eq!(flow.server.app().record_due_lapses().await.unwrap(), 0);
    flow.advance(40 * DAY);
    flow.server.start_watchers();
    let started = Instant::now();
    let credit = loop {
        let credit = flow
            .public(format!("/api/v1/credit/subjects/{}", awarded.winner))
            .await;
        if credit["file"]["records"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
        {
            break credit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no lapse recorded: {credit}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let record = &credit["file"]["records"][0];
    assert_eq!(record["fact"], "contract_not_signed", "{record}");
    assert_eq!(record["source"]["act"], "procedure.award_declined");
    let procedure = flow
        .public(format!("/api/v1/procedures/{}", awarded.id))
        .await;
    let entries = flow
        .server
        .app()
        .store()
        .stream_entries(&format!("procedure/{}", awarded.id))
        .await
        .unwrap();
    let lapse = entries
        .iter()
        .find(|e| e.kind == "procedure.award_declined")
        .unwrap();
    assert_eq!(lapse.actor, "system", "recorded by the platform itself");
    assert_ne!(procedure["lots"][0]["status"]["status"], "awarded");
    // Once recorded, the watch finds nothing more to do.
    assert_eq!(flow.server.app().record_due_lapses().await.unwrap(), 0);
}
