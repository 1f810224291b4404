//! Receipts carry proofs that verify offline, and heads stay consistent as the ledger grows.

use ledger::{verify_consistency, verify_inclusion};

use crate::support::{apps, registration, uscc};

#[tokio::test]
async fn receipts_verify_offline_and_heads_stay_consistent() {
    for test in apps().await {
        let app = &test.app;
        let key = app.public_key();
        let first = app
            .register_entity(registration(&uscc("MA0000011"), "first"))
            .await
            .unwrap();
        assert_eq!(
            first.len(),
            2,
            "{}: entity and account events",
            test.db.name
        );
        for receipt in &first {
            let head = &receipt.tree_head;
            head.verify(&key).unwrap();
            verify_inclusion(
                &receipt.leaf_hash,
                receipt.seq,
                head.head.size,
                &receipt.inclusion_proof,
                &head.head.root,
            )
            .unwrap();
        }
        let second = app
            .register_entity(registration(&uscc("MA0000029"), "second"))
            .await
            .unwrap();
        let (old, new) = (&first[1].tree_head.head, &second[1].tree_head.head);
        assert_eq!(
            new.size, 11,
            "seven reference versions, then two registrations"
        );
        let proof = app.consistency(old.size, new.size).await.unwrap();
        verify_consistency(old.size, new.size, &old.root, &new.root, &proof.path).unwrap();
        // An inclusion proof asked for later, to the newest head, verifies too.
        let later = app.inclusion(first[0].seq, None).await.unwrap();
        verify_inclusion(
            &first[0].leaf_hash,
            first[0].seq,
            later.tree_head.head.size,
            &later.path,
            &later.tree_head.head.root,
        )
        .unwrap();
        let verdict = app::verify_store(app.store(), &key, "ggzy.test")
            .await
            .unwrap();
        assert!(verdict.is_sound(), "{:?}", verdict.problems);
    }
}

#[tokio::test]
async fn the_public_sees_confidential_entries_only_as_hashes() {
    for test in apps().await {
        let app = &test.app;
        app.register_entity(registration(&uscc("MA0000037"), "third"))
            .await
            .unwrap();
        let entries = app.ledger_entries(None, 7, 10).await.unwrap();
        assert_eq!(entries.len(), 2);
        for entry in &entries {
            assert_eq!(entry.visibility, ledger::Visibility::Parties);
            assert!(
                entry.payload.is_none() && entry.salt.is_none(),
                "{}",
                test.db.name
            );
        }
        let own = app.caller_for("third").await.unwrap();
        let seen = app.ledger_entries(Some(&own), 5, 10).await.unwrap();
        assert!(
            seen.iter().all(|e| e.payload.is_some()),
            "the entity sees its own entries"
        );
    }
}

#[tokio::test]
async fn concurrent_commands_keep_one_gap_free_ledger() {
    for test in apps().await {
        let app = std::sync::Arc::new(test.app);
        let mut tasks = Vec::new();
        for n in 0..12 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let body = format!("MA00001{n:02}");
                app.register_entity(registration(&uscc(&body), &format!("user{n}")))
                    .await
                    .unwrap()
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(app.store().ledger_size().await.unwrap(), 31);
        let verdict = app::verify_store(app.store(), &app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(
            verdict.is_sound(),
            "{}: {:?}",
            test.db.name,
            verdict.problems
        );
    }
}
