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

/// The password rules as a table: too short or one kind of character, common, built on the
/// user name; a good one passes. Nothing is written for a refused one.
#[tokio::test]
async fn passwords_are_refused_by_class() {
    let test = crate::support::build(store::testing::fresh_sqlite()).await;
    let cases = [
        ("short1a", "PASSWORD_WEAK"),
        ("onlyletters", "PASSWORD_WEAK"),
        ("1234567890", "PASSWORD_WEAK"),
        ("password1", "PASSWORD_COMMON"),
        ("Password1", "PASSWORD_COMMON"),
        ("1qaz2wsx", "PASSWORD_COMMON"),
        ("woaini1314", "PASSWORD_COMMON"),
        ("aaaa1111", "PASSWORD_COMMON"),
        ("abab1212", "PASSWORD_COMMON"),
        ("xuqiang2026", "PASSWORD_HAS_USERNAME"),
        ("XUQIANG99x", "PASSWORD_HAS_USERNAME"),
        ("gnaiqux2026", "PASSWORD_HAS_USERNAME"),
    ];
    for (n, (password, code)) in cases.iter().enumerate() {
        let mut input = crate::support::registration(
            &crate::support::uscc(&format!("MA{:07}", 100 + n)),
            "xuqiang",
        );
        input.password = password.to_string();
        let size = test.size().await;
        let error = test.app.register_entity(input).await.unwrap_err();
        assert_eq!(error.code(), *code, "{password}");
        assert_eq!(test.size().await, size);
    }
    let mut good = crate::support::registration(&crate::support::uscc("MA0000999"), "xuqiang");
    good.password = "Qz7衢江施工2026".into();
    test.app.register_entity(good).await.unwrap();
}

/// Log-in attempts are throttled per user name and per client address, by the injected clock:
/// after 5 failures the right password is refused too, until the window passes; another user
/// from elsewhere is unaffected; 20 failures from one address stop it for every name.
#[tokio::test]
async fn log_in_is_throttled() {
    let test = crate::support::build(store::testing::fresh_sqlite()).await;
    assert!(app::seed_demo(&test.app).await.unwrap());
    let app = &test.app;
    for _ in 0..5 {
        let error = app
            .login_from("10.0.0.1", "bidder", "wrong-password1")
            .await
            .unwrap_err();
        assert_eq!(error.code(), "BAD_CREDENTIALS");
    }
    let error = app
        .login_from("10.0.0.2", "bidder", app::DEMO_PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "TOO_MANY_ATTEMPTS");
    assert!(error.to_string().contains("15 分钟"), "{error}");
    app.login_from("10.0.0.2", "bidder2", app::DEMO_PASSWORD)
        .await
        .unwrap();
    test.advance(15 * 60_000);
    app.login_from("10.0.0.2", "bidder", app::DEMO_PASSWORD)
        .await
        .unwrap();
    // One address guessing across many names.
    for n in 0..20 {
        let _ = app
            .login_from("10.0.0.9", &format!("user{n}"), "wrong-password1")
            .await;
    }
    let error = app
        .login_from("10.0.0.9", "tenderee", app::DEMO_PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "TOO_MANY_ATTEMPTS");
    // Registrations: 20 an hour from one address.
    for _ in 0..20 {
        app.throttle_registration("10.0.0.7").unwrap();
    }
    assert_eq!(
        app.throttle_registration("10.0.0.7").unwrap_err().code(),
        "TOO_MANY_ATTEMPTS"
    );
}
