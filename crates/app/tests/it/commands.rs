//! Refused commands answer with their code and leave the ledger and the read tables unchanged.

use app::{AppError, NewAccount};

use crate::support::{TestApp, demo_apps, registration, uscc};

async fn snapshot(test: &TestApp) -> (u64, usize, usize) {
    let store = test.app.store();
    (
        store.ledger_size().await.unwrap(),
        store.all_entities().await.unwrap().len(),
        store.all_accounts().await.unwrap().len(),
    )
}

fn code<T: std::fmt::Debug>(result: Result<T, AppError>) -> &'static str {
    result.expect_err("the command must be refused").code()
}

#[tokio::test]
async fn refused_commands_change_nothing() {
    for test in demo_apps().await {
        let app = &test.app;
        let operator = app.caller_for("operator").await.unwrap();
        let bidder = app.caller_for("bidder").await.unwrap();
        let existing = app
            .entities(Some(&operator), Some("active"), 1, 100)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|e| e.kind == "organisation")
            .unwrap()
            .id;
        let pending = app
            .entities(Some(&operator), Some("pending"), 1, 100)
            .await
            .unwrap()
            .items[0]
            .id
            .clone();
        let before = snapshot(&test).await;

        let mut bad_check = registration(&uscc("MA0000045"), "newco");
        bad_check.code.pop();
        bad_check.code.push('Y');
        let mut natural_bad = registration("11010519491231002X", "newco");
        natural_bad.kind = "natural_person".into();
        natural_bad.code = "110105194912310021".into();
        let mut weak = registration(&uscc("MA0000053"), "newco");
        weak.password = "short".into();
        let mut operator_role = registration(&uscc("MA0000061"), "newco");
        operator_role.roles = vec!["operator".into()];
        let mut taken = registration(&uscc("MA0000078"), "bidder");
        taken.display_name = "某人".into();
        let mut duplicate = registration(&existing, "newco2");
        duplicate.display_name = "某人".into();
        let mut bad_region = registration(&uscc("MA0000086"), "newco");
        bad_region.region = "33A100".into();
        let mut unknown_role = registration(&uscc("MA0000102"), "newco");
        unknown_role.roles = vec!["emperor".into()];
        let mut unknown_kind = registration(&uscc("MA0000110"), "newco");
        unknown_kind.kind = "company".into();
        let mut no_name = registration(&uscc("MA0000094"), "newco");
        no_name.name = " ".into();

        let cases: Vec<(&str, &str, Result<(), AppError>)> = vec![
            (
                "check char",
                "USCC_CHECK_CHAR",
                app.register_entity(bad_check).await.map(|_| ()),
            ),
            (
                "id check digit",
                "ID_NUMBER_CHECK_DIGIT",
                app.register_entity(natural_bad).await.map(|_| ()),
            ),
            (
                "weak password",
                "PASSWORD_WEAK",
                app.register_entity(weak).await.map(|_| ()),
            ),
            (
                "platform role",
                "ROLE_NOT_SELF_SERVICE",
                app.register_entity(operator_role).await.map(|_| ()),
            ),
            (
                "username taken",
                "USERNAME_TAKEN",
                app.register_entity(taken).await.map(|_| ()),
            ),
            (
                "duplicate",
                "DUPLICATE_REGISTRATION",
                app.register_entity(duplicate).await.map(|_| ()),
            ),
            (
                "region",
                "REGION_CODE",
                app.register_entity(bad_region).await.map(|_| ()),
            ),
            (
                "unknown role",
                "UNKNOWN_ROLE",
                app.register_entity(unknown_role).await.map(|_| ()),
            ),
            (
                "unknown kind",
                "ENTITY_KIND",
                app.register_entity(unknown_kind).await.map(|_| ()),
            ),
            (
                "blank name",
                "FIELD_REQUIRED",
                app.register_entity(no_name).await.map(|_| ()),
            ),
            (
                "bidder approves",
                "NOT_AUTHORIZED",
                app.approve_entity(&bidder, &pending).await.map(|_| ()),
            ),
            (
                "approve active",
                "REGISTRATION_NOT_PENDING",
                app.approve_entity(&operator, &existing).await.map(|_| ()),
            ),
            (
                "approve unknown",
                "ENTITY_NOT_FOUND",
                app.approve_entity(&operator, "91330100XXXXXXXXXX")
                    .await
                    .map(|_| ()),
            ),
            (
                "reject without reason",
                "REASON_REQUIRED",
                app.reject_entity(&operator, &pending, "  ")
                    .await
                    .map(|_| ()),
            ),
            (
                "account for unknown entity",
                "ENTITY_NOT_FOUND",
                app.create_account(
                    &operator,
                    NewAccount {
                        username: "ghost".into(),
                        display_name: "某".into(),
                        entity_id: "nope".into(),
                        roles: vec!["bidder".into()],
                        password: "Secret2026x".into(),
                    },
                )
                .await
                .map(|_| ()),
            ),
        ];
        for (what, expected, result) in cases {
            assert_eq!(code(result), expected, "{what} on {}", test.db.name);
            assert_eq!(
                snapshot(&test).await,
                before,
                "{what} changed something on {}",
                test.db.name
            );
        }
    }
}

#[tokio::test]
async fn review_flow_and_visibility() {
    for test in demo_apps().await {
        let app = &test.app;
        let operator = app.caller_for("operator").await.unwrap();
        let pending = app
            .entities(Some(&operator), Some("pending"), 1, 100)
            .await
            .unwrap();
        assert_eq!(pending.total, 3, "{}", test.db.name);
        let id = pending.items[0].id.clone();
        // The public cannot see a pending entity, nor list pending ones.
        assert_eq!(app.entity(None, &id).await.unwrap_err().code(), "NOT_FOUND");
        assert_eq!(
            app.entities(None, Some("pending"), 1, 20)
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        app.approve_entity(&operator, &id).await.unwrap();
        let public = app.entity(None, &id).await.unwrap();
        assert_eq!(public.status, "active");
        assert!(
            public.contact_phone.ends_with("****"),
            "contacts are masked for the public"
        );
        let reason = "法定代表人信息与营业执照不一致";
        let other = pending.items[1].id.clone();
        app.reject_entity(&operator, &other, reason).await.unwrap();
        let seen = app.entity(Some(&operator), &other).await.unwrap();
        assert_eq!(
            (seen.status.as_str(), seen.reject_reason.as_str()),
            ("rejected", reason)
        );
        // Experts are not in the public register.
        let public_list = app.entities(None, None, 1, 100).await.unwrap();
        assert!(
            public_list
                .items
                .iter()
                .all(|e| !e.roles.contains(&domain::Role::Expert))
        );
        let all = app.entities(Some(&operator), None, 1, 100).await.unwrap();
        let expert = all
            .items
            .iter()
            .find(|e| e.roles.contains(&domain::Role::Expert))
            .unwrap();
        assert_eq!(
            app.entity(None, &expert.id).await.unwrap_err().code(),
            "NOT_FOUND"
        );
        // A rejected entity may register again.
        let again = app
            .entities(Some(&operator), Some("rejected"), 1, 100)
            .await
            .unwrap();
        assert_eq!(again.total, 2);
    }
}

/// Personal numbers are masked by default everywhere for everyone but the person's own entity:
/// the register, the oversight views and the ledger payloads (whose salt is then withheld); the
/// trading center reveals them only with a reason, and the read is recorded.
#[tokio::test]
async fn personal_numbers_are_masked_for_oversight_and_reveals_are_recorded() {
    for test in crate::support::demo_apps().await {
        let app = &test.app;
        let operator = app.caller_for("operator").await.unwrap();
        let entities = app.entities(Some(&operator), None, 1, 100).await.unwrap();
        let person = entities
            .items
            .iter()
            .find(|e| e.kind == "natural_person")
            .expect("the demo has a natural person")
            .clone();
        assert!(person.code.contains("********"), "{}", person.code);
        let seen = app.entity(Some(&operator), &person.id).await.unwrap();
        assert!(seen.code.contains("********"));
        // Nothing left that would still need masking.
        assert!(!domain::mask_personal_numbers(&seen.contact_phone).1);
        assert!(!domain::mask_personal_numbers(&seen.legal_representative).1);
        // The ledger payload of its registration, as oversight reads it.
        let size = test.size().await;
        let entries = app.ledger_entries(Some(&operator), 0, size).await.unwrap();
        let registered = entries
            .iter()
            .find(|e| e.stream == format!("entity/{}", person.id) && e.kind == "entity.registered")
            .unwrap();
        let text = registered.payload.as_ref().unwrap().to_string();
        assert!(registered.masked && registered.salt.is_none(), "{text}");
        assert!(text.contains("********"), "{text}");
        // Reveal: a reason is required; then the whole number, and the read is in the ledger.
        assert_eq!(
            app.reveal_personal_data(&operator, &person.id, " ")
                .await
                .unwrap_err()
                .code(),
            "REASON_REQUIRED"
        );
        for (reason, code) in [
            ("长".repeat(501), "FIELD_TOO_LONG"),
            ("核查\u{0}".to_string(), "CONTROL_CHARACTER"),
        ] {
            assert_eq!(
                app.reveal_personal_data(&operator, &person.id, &reason)
                    .await
                    .unwrap_err()
                    .code(),
                code
            );
        }
        let bidder = app.caller_for("bidder").await.unwrap();
        assert_eq!(
            app.reveal_personal_data(&bidder, &person.id, "好奇")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        let (data, receipt) = app
            .reveal_personal_data(&operator, &person.id, "核查投诉涉及的身份")
            .await
            .unwrap();
        assert!(domain::IdNumber::parse(&data.code).is_ok());
        assert_eq!(receipt.kind, "access.personal_data_read");
        assert_eq!(test.size().await, size + 1);
        let report = app::verify_store(app.store(), &app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
    }
}
