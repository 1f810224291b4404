//! The search index follows the store on both backends: listed entities are found by name and
//! code, a pending registration is not, and becomes findable once approved; `follow_once`
//! resumes from the ledger size its index recorded.

use crate::support::{demo_apps, registration, uscc};

#[tokio::test]
async fn the_search_index_follows_the_ledger_on_every_backend() {
    for test in demo_apps().await {
        let app = &test.app;
        let operator = app.caller_for("operator").await.unwrap();
        app.refresh_search().await.unwrap();
        let through = app.search_index().indexed_through();
        assert_eq!(through, app.store().ledger_size().await.unwrap());

        // A registration waits for review: not listed, not found.
        let code = uscc("MA0000137");
        app.register_entity(registration(&code, "quzhou"))
            .await
            .unwrap();
        let query = |text: &str| search::SearchQuery {
            text: text.into(),
            limit: 10,
            ..Default::default()
        };
        assert!(
            app.refresh_search().await.unwrap() >= 1,
            "the change was read"
        );
        assert_eq!(app.search(&query(&code)).await.unwrap().total, 0);

        // Approved: found by its code first, and by its name.
        app.approve_entity(&operator, &code).await.unwrap();
        app.refresh_search().await.unwrap();
        let hits = app.search(&query(&code)).await.unwrap();
        assert_eq!(hits.hits[0].url, format!("/entities/{code}"));
        assert!(hits.hits[0].exact_code);
        let hits = app.search(&query("衢江建设")).await.unwrap();
        assert!(
            hits.hits
                .iter()
                .any(|h| h.url == format!("/entities/{code}"))
        );

        // Nothing new: nothing read again.
        assert_eq!(app.refresh_search().await.unwrap(), 0);
        assert_eq!(
            app.search_index().indexed_through(),
            app.store().ledger_size().await.unwrap()
        );
    }
}
