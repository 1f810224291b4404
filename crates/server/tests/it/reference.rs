//! The catalog, rules and calendar over HTTP: public pages and API, the deadline calculator, and
//! the operator publishing a version through the page.

use serde_json::Value;

use crate::support::{client, csrf_of, form, spawn_app};

#[tokio::test]
async fn public_reference_pages_and_api() {
    let server = spawn_app().await;
    let public = client();
    let get = |path: &str| public.get(server.url(path)).send();
    let catalog = get("/catalog").await.unwrap().text().await.unwrap();
    assert!(
        catalog.contains("工程建设项目招标投标")
            && catalog.contains("公开招标")
            && catalog.contains("第 1 版")
    );
    let rules = get("/rules").await.unwrap().text().await.unwrap();
    assert!(rules.contains("不得少于20日") && rules.contains("招标投标法 第24条"));
    let calendar = get("/calendar?from=2026-09-30&days=3&count=calendar_days&kind=within_from")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(calendar.contains("2026-10-08") && calendar.contains("调休上班"));
    let bad = get("/calendar?from=2026-02-30&days=3&count=calendar_days&kind=within_from")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(bad.contains("INVALID_DATE"));

    let resolved: Value =
        get("/api/v1/rules/resolve?category=construction&region=330100&date=2026-12-01")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let deadline = resolved["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "bid_deadline_from_issue")
        .unwrap();
    assert_eq!(deadline["wording"], "不得少于20日");
    assert_eq!(deadline["rule_set"], "construction-national-2019");
    let computed: Value =
        get("/api/v1/calendar/deadline?from=2026-02-12&days=5&count=working_days&kind=within_from")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(computed["date"], "2026-02-26");
    let refused =
        get("/api/v1/calendar/deadline?from=2026-02-12&days=5&count=weeks&kind=within_from")
            .await
            .unwrap();
    assert_eq!(refused.status(), 400);
    let unknown = get("/api/v1/reference/lottery").await.unwrap();
    assert_eq!(unknown.status(), 404);
    let current: Value = get("/api/v1/reference/catalog")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["version"], 1);
    assert!(current["text"].as_str().unwrap().contains("[[categories]]"));
}

#[tokio::test]
async fn an_operator_publishes_through_the_page() {
    let server = spawn_app().await;
    let operator = server.login_page("operator").await;
    let page = operator
        .get(server.url("/operator/reference/calendar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("第 2 版") && page.contains("date,kind,name"));
    let csrf = csrf_of(&page);

    let bad_text = format!("{}2027-01-04,workday,调休\n", app::SHIPPED_CALENDAR);
    let refused = operator
        .post(server.url("/operator/reference/calendar"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf", &csrf),
            ("text", &bad_text),
            ("reason", "补充2027年"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("DATA_FILE_INVALID")
            && html.contains("星期一")
            && html.contains("2027-01-04,workday"),
        "the text is kept"
    );

    let good_text = format!("{}2027-01-01,holiday,元旦\n", app::SHIPPED_CALENDAR);
    let accepted = operator
        .post(server.url("/operator/reference/calendar"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf", &csrf),
            ("text", &good_text),
            ("reason", "补充2027年元旦"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 303);
    let history = client()
        .get(server.url("/reference/calendar/history"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(history.contains("第 2 版") && history.contains("补充2027年元旦"));
    let current: Value = client()
        .get(server.url("/api/v1/reference/calendar"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["version"], 2);
    assert_eq!(current["actor"], "operator");
}
