//! Log-in, sessions and API tokens.

use crate::support::demo_apps;

#[tokio::test]
async fn sessions_and_tokens() {
    for test in demo_apps().await {
        let app = &test.app;
        assert_eq!(
            app.login("bidder", "wrong-password1")
                .await
                .unwrap_err()
                .code(),
            "BAD_CREDENTIALS"
        );
        assert_eq!(
            app.login("nobody", app::DEMO_PASSWORD)
                .await
                .unwrap_err()
                .code(),
            "BAD_CREDENTIALS"
        );
        assert_eq!(
            app.login("不合法", app::DEMO_PASSWORD)
                .await
                .unwrap_err()
                .code(),
            "BAD_CREDENTIALS"
        );
        let session = app.login("BIDDER", app::DEMO_PASSWORD).await.unwrap();
        let caller = app.caller_from_session(&session.token).await.unwrap();
        assert_eq!(caller.username, "bidder");
        assert_eq!(caller.csrf.as_deref(), Some(session.csrf.as_str()));
        assert!(caller.has(domain::Role::Bidder) && !caller.has(domain::Role::Operator));
        assert_eq!(
            app.create_api_token(&caller, " ", 30)
                .await
                .unwrap_err()
                .code(),
            "TOKEN_NAME"
        );
        assert_eq!(
            app.create_api_token(&caller, "工具", 0)
                .await
                .unwrap_err()
                .code(),
            "TOKEN_VALIDITY"
        );
        let (token, _) = app.create_api_token(&caller, "投标工具", 30).await.unwrap();
        assert_eq!(
            app.caller_from_token(&token).await.unwrap().username,
            "bidder"
        );
        assert_eq!(
            app.caller_from_token("ggzy_forged")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHENTICATED"
        );
        // Sessions expire; tokens have their own validity.
        test.advance(3_600_001);
        assert_eq!(
            app.caller_from_session(&session.token)
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHENTICATED"
        );
        assert!(app.caller_from_token(&token).await.is_ok());
        test.advance(31 * 24 * 3_600_000);
        assert_eq!(
            app.caller_from_token(&token).await.unwrap_err().code(),
            "NOT_AUTHENTICATED"
        );
        let again = app.login("bidder", app::DEMO_PASSWORD).await.unwrap();
        app.logout(&again.token).await.unwrap();
        assert!(app.caller_from_session(&again.token).await.is_err());
        // Password hashes are argon2id and never in the ledger.
        let hash = app.store().password_hash("bidder").await.unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let entries = app.store().entries(0, 1000).await.unwrap();
        assert!(
            entries
                .iter()
                .all(|e| !e.payload.contains("argon2") && !e.payload.contains(app::DEMO_PASSWORD))
        );
    }
}
