//! The catalog, rule sets and calendar as versioned, witnessed data: shipped as version 1,
//! published by operators with a reason, refused with the line of the mistake.

use app::{SHIPPED_CALENDAR, SHIPPED_CATALOG, SHIPPED_RULES};
use domain::{Date, Method, ReferenceKind};

use crate::support::{TestApp, TestCallers, apps};

async fn versions(test: &TestApp) -> Vec<u32> {
    let mut out = Vec::new();
    for kind in ReferenceKind::ALL {
        out.push(test.app.reference_current(kind).await.unwrap().version);
    }
    out
}

#[tokio::test]
async fn shipped_data_is_version_one_and_in_force() {
    for test in apps().await {
        let app = &test.app;
        assert_eq!(
            versions(&test).await,
            vec![1, 1, 1, 1, 1, 1, 1],
            "{}",
            test.db.name
        );
        let data = app.reference_data().await.unwrap();
        assert!(
            data.catalog
                .allows("construction", Method::OpenTender)
                .is_ok()
        );
        assert!(data.calendar.covers(Date::parse("2026-10-01").unwrap()));
        let rules = app
            .resolve_rules("procurement", "330100", Date::parse("2026-12-01").unwrap())
            .await
            .unwrap();
        assert_eq!(rules.threshold("bond_rate_cap").unwrap(), 200);
        // Their publication is public in the ledger, in full.
        let entries = app.ledger_entries(None, 0, 4).await.unwrap();
        assert_eq!(
            entries.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            [
                "calendar.published",
                "rules.published",
                "catalog.published",
                "trust.published"
            ]
        );
        assert!(entries.iter().all(|e| e.payload.is_some()));
    }
}

#[tokio::test]
async fn operators_publish_versions_and_bad_files_change_nothing() {
    for test in apps().await {
        let app = &test.app;
        let operator = app.caller_for_test_operator().await;
        let before = test.size().await;
        let line_of =
            |text: &str, needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;

        let unknown_method = SHIPPED_CATALOG.replace("\"invited_tender\"]", "\"lottery\"]");
        let error = app
            .publish_reference(
                &operator,
                ReferenceKind::Catalog,
                &unknown_method,
                "新增方式",
            )
            .await
            .unwrap_err();
        assert_eq!(error.code(), "DATA_FILE_INVALID", "{}", test.db.name);
        assert!(
            error
                .to_string()
                .contains(&format!("第{}行", line_of(&unknown_method, "\"lottery\""))),
            "{error}"
        );

        let repeated = SHIPPED_CATALOG.replace(
            "methods = [\"open_tender\", \"invited_tender\"]",
            "methods = [\"open_tender\", \"open_tender\"]",
        );
        let error = app
            .publish_reference(&operator, ReferenceKind::Catalog, &repeated, "x")
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "第{}行",
                line_of(&repeated, "code = \"construction\"")
            )),
            "{error}"
        );

        let overlapping = format!(
            "{SHIPPED_RULES}\n[[sets]]\nid = \"construction-again\"\ncategory = \"construction\"\ntitle = \"t\"\neffective_from = \"2019-03-02\"\n"
        );
        let error = app
            .publish_reference(&operator, ReferenceKind::Rules, &overlapping, "x")
            .await
            .unwrap_err();
        assert_eq!(error.code(), "DATA_FILE_INVALID");
        assert!(
            error.to_string().contains("重叠")
                && error.to_string().contains(&format!(
                    "第{}行",
                    line_of(&overlapping, "id = \"construction-again\"")
                )),
            "{error}"
        );

        let no_kind = SHIPPED_RULES.replacen("kind = \"not_less_than\"\n", "", 1);
        assert_eq!(
            app.publish_reference(&operator, ReferenceKind::Rules, &no_kind, "x")
                .await
                .unwrap_err()
                .code(),
            "DATA_FILE_INVALID"
        );

        let without_land = SHIPPED_RULES.replace("category = \"land\"", "category = \"land_old\"");
        let error = app
            .publish_reference(&operator, ReferenceKind::Rules, &without_land, "x")
            .await
            .unwrap_err();
        assert_eq!(
            error.code(),
            "CATALOG_INVALID",
            "the catalog in force needs land rules: {error}"
        );

        let weekday_workday = SHIPPED_CALENDAR.replace("2026-10-10,workday", "2026-10-09,workday");
        let error = app
            .publish_reference(&operator, ReferenceKind::Calendar, &weekday_workday, "x")
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&format!("第{}行", line_of(&weekday_workday, "2026-10-09"))),
            "{error}"
        );
        let twice = format!("{SHIPPED_CALENDAR}2026-01-01,holiday,元旦\n");
        assert!(
            app.publish_reference(&operator, ReferenceKind::Calendar, &twice, "x")
                .await
                .unwrap_err()
                .to_string()
                .contains("重复")
        );

        assert_eq!(
            app.publish_reference(&operator, ReferenceKind::Calendar, SHIPPED_CALENDAR, "x")
                .await
                .unwrap_err()
                .code(),
            "NOTHING_CHANGED"
        );
        let bidder = app.caller_for_test_bidder().await;
        let next_year = format!("{SHIPPED_CALENDAR}2027-01-01,holiday,元旦\n");
        assert_eq!(
            app.publish_reference(&bidder, ReferenceKind::Calendar, &next_year, "x")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        assert_eq!(
            app.publish_reference(&operator, ReferenceKind::Calendar, &next_year, " ")
                .await
                .unwrap_err()
                .code(),
            "FIELD_REQUIRED"
        );

        assert_eq!(test.size().await, before, "refusals wrote nothing");
        assert_eq!(versions(&test).await, vec![1, 1, 1, 1, 1, 1, 1]);

        // A good change: next year's holidays arrive.
        let receipt = app
            .publish_reference(
                &operator,
                ReferenceKind::Calendar,
                &next_year,
                "国务院办公厅2027年节假日安排通知发布",
            )
            .await
            .unwrap();
        assert_eq!(receipt.kind, "calendar.published");
        assert_eq!(versions(&test).await, vec![1, 1, 2, 1, 1, 1, 1]);
        let history = app
            .reference_history(ReferenceKind::Calendar)
            .await
            .unwrap();
        assert_eq!(
            history.iter().map(|v| v.version).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(history[0].actor, operator.username);
        assert!(
            app.reference_data()
                .await
                .unwrap()
                .calendar
                .covers(Date::parse("2027-01-01").unwrap())
        );
        let report = app::verify_store(app.store(), &app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
    }
}

/// Procurement's result notice is its own (中标（成交）结果公告, 87号令 第69条, 质疑 under 政府采购法
/// 第52条); construction keeps the general one.
#[test]
fn procurement_has_its_own_result_notice() {
    let templates = app::parse_templates(app::SHIPPED_TEMPLATES).unwrap();
    let procurement = templates.get("procurement", domain::AnnouncementKind::ResultNotice);
    assert!(procurement.title.contains("中标（成交）结果公告"));
    assert!(procurement.body.contains("第52条") && procurement.body.contains("采购人"));
    let construction = templates.get("construction", domain::AnnouncementKind::ResultNotice);
    assert!(construction.title.contains("中标结果公告") && !construction.title.contains("成交"));
}
