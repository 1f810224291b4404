//! `verify_store` finds an edited, deleted, inserted and reordered entry, a changed tree node or
//! head, and a read-table row changed behind the ledger's back, and names the first one.

use sqlx::AnyPool;

use crate::support::{TestApp, demo_apps};

async fn run(pool: &AnyPool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap();
}

async fn first_problem(test: &TestApp, what: &str) -> String {
    let report = app::verify_store(test.app.store(), &test.app.public_key(), "ggzy.test")
        .await
        .unwrap();
    assert!(
        !report.is_sound(),
        "{what} on {}: tampering went unnoticed",
        test.db.name
    );
    report.problems[0].clone()
}

/// (what is done, SQL statements, the words the first complaint must contain)
const CASES: &[(&str, &[&str], &str)] = &[
    (
        "edited payload",
        &[
            "UPDATE ledger_entries SET payload = REPLACE(payload, '\"at_ms\":', '\"at_ms\":1') WHERE seq = 9",
        ],
        "entry 9:",
    ),
    (
        "edited actor",
        &["UPDATE ledger_entries SET actor = 'someone' WHERE seq = 4"],
        "entry 4:",
    ),
    (
        "edited time",
        &["UPDATE ledger_entries SET at_ms = at_ms + 1 WHERE seq = 6"],
        "entry 6:",
    ),
    (
        "deleted entry",
        &["DELETE FROM ledger_entries WHERE seq = 7"],
        "entry 7: missing",
    ),
    (
        "inserted entry",
        &[
            "INSERT INTO ledger_entries (seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash) \
           SELECT seq + 1000, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash FROM ledger_entries WHERE seq = 2",
        ],
        "entry",
    ),
    (
        "row far beyond the tip",
        &[
            "INSERT INTO ledger_entries (seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash) \
           SELECT seq + 1000000, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash FROM ledger_entries WHERE seq = 2",
        ],
        "entry 1000002: stored outside the ledger",
    ),
    (
        "row at a negative place",
        &[
            "INSERT INTO ledger_entries (seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash) \
           SELECT seq - 1000, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash FROM ledger_entries WHERE seq = 2",
        ],
        "entry -998: stored outside the ledger",
    ),
    (
        "signed head deleted from the middle",
        &[
            "DELETE FROM ledger_heads WHERE size = (SELECT MIN(size) FROM ledger_heads \
           WHERE size > (SELECT MIN(size) FROM ledger_heads))",
        ],
        "missing (the head of size",
    ),
    (
        "reordered entries",
        &[
            "UPDATE ledger_entries SET seq = -1 WHERE seq = 3",
            "UPDATE ledger_entries SET seq = 3 WHERE seq = 4",
            "UPDATE ledger_entries SET seq = 4 WHERE seq = -1",
        ],
        "entry 3:",
    ),
    (
        "deleted tree node",
        &["DELETE FROM ledger_nodes WHERE level = 1 AND idx = 2"],
        "tree node level 1 index 2 (leaves 4..5): missing",
    ),
    (
        "wrongly typed column",
        &["UPDATE ledger_entries SET at_ms = 'soon' WHERE seq = 5"],
        "entry 5:",
    ),
    (
        "changed tree node",
        &["UPDATE ledger_nodes SET hash = leaf_hash_dummy WHERE level = 2 AND idx = 1"],
        "tree node level 2 index 1",
    ),
    (
        "changed head signature",
        &[
            "UPDATE ledger_heads SET signature = (SELECT signature FROM ledger_heads WHERE size = (SELECT MAX(size) FROM ledger_heads)) \
           WHERE size = (SELECT MIN(size) FROM ledger_heads)",
        ],
        "signature does not verify",
    ),
    (
        "read table changed behind the ledger",
        &["UPDATE entities SET name = '伪造公司' WHERE name = '宁波甬兴建设有限公司'"],
        "entities row",
    ),
    (
        "read row added without an event",
        &["UPDATE accounts SET status = 'disabled' WHERE username = 'bidder'"],
        "accounts row bidder",
    ),
];

#[tokio::test]
async fn every_kind_of_tampering_is_found() {
    for (what, statements, expected) in CASES {
        for test in demo_apps().await {
            // PostgreSQL's strict types refuse a wrongly typed value outright; SQLite stores it.
            if *what == "wrongly typed column" && test.db.name != "sqlite" {
                continue;
            }
            assert!(
                app::verify_store(test.app.store(), &test.app.public_key(), "ggzy.test")
                    .await
                    .unwrap()
                    .is_sound()
            );
            let pool = test.raw().await;
            for sql in *statements {
                let sql = sql.replace(
                    "leaf_hash_dummy",
                    "(SELECT leaf_hash FROM ledger_entries WHERE seq = 0)",
                );
                run(&pool, &sql).await;
            }
            pool.close().await;
            let problem = first_problem(&test, what).await;
            assert!(
                problem.contains(expected),
                "{what} on {}: first complaint was {problem:?}",
                test.db.name
            );
        }
    }
}

#[tokio::test]
async fn a_sound_demo_store_verifies() {
    for test in demo_apps().await {
        let report = app::verify_store(test.app.store(), &test.app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(report.is_sound(), "{}: {:?}", test.db.name, report.problems);
        assert_eq!(report.entries, test.size().await);
        assert!(report.entities >= 10 && report.accounts >= 10);
        // Against another key, every head is refused.
        let other = crypto::PlatformKey::generate().public_key();
        let report = app::verify_store(test.app.store(), &other, "ggzy.test")
            .await
            .unwrap();
        assert!(report.problems[0].contains("signature does not verify"));
    }
}

/// A row stored outside `0..size` is never read as part of its stream (a forged event far
/// beyond the tip cannot change what the application decides), and verify names it.
#[tokio::test]
async fn rows_outside_the_ledger_are_never_read() {
    for test in demo_apps().await {
        let stream = test.app.store().entries(2, 3).await.unwrap()[0]
            .stream
            .clone();
        let before = test
            .app
            .store()
            .stream_entries(&stream)
            .await
            .unwrap()
            .len();
        let pool = test.raw().await;
        for offset in ["+ 1000000", "- 1000"] {
            run(
                &pool,
                &format!(
                    "INSERT INTO ledger_entries (seq, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash) \
                     SELECT seq {offset}, stream, kind, visibility, actor, at_ms, payload, salt, leaf_hash FROM ledger_entries WHERE seq = 2"
                ),
            )
            .await;
        }
        pool.close().await;
        let store = test.app.store();
        assert_eq!(store.stream_entries(&stream).await.unwrap().len(), before);
        let size = test.size().await as i64;
        for page in [
            store.stream_page(&stream, -1, 100).await.unwrap(),
            store.stream_page(&stream, 0, 100).await.unwrap(),
        ] {
            assert!(page.iter().all(|r| r.seq >= 0 && r.seq < size));
        }
        let report = app::verify_store(store, &test.app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("entry -998")),
            "{:?}",
            report.problems
        );
        assert!(
            report.problems.iter().any(|p| p.contains("entry 1000002")),
            "{:?}",
            report.problems
        );
    }
}

/// A signed head deleted from the middle strands no receipt: proofs are served to any size up
/// to the newest head from the stored nodes, and they verify against the receipt's own head.
#[tokio::test]
async fn a_deleted_head_strands_no_receipt() {
    for test in demo_apps().await {
        let heads = test.app.head_sizes(0, 1000).await.unwrap();
        assert!(heads.len() >= 3 && heads.windows(2).all(|w| w[0].0 < w[1].0));
        let (size, _) = heads[1];
        let row = test.app.store().head_at(size).await.unwrap().unwrap();
        let pool = test.raw().await;
        run(
            &pool,
            &format!("DELETE FROM ledger_heads WHERE size = {size}"),
        )
        .await;
        pool.close().await;
        assert!(
            !test
                .app
                .head_sizes(0, 1000)
                .await
                .unwrap()
                .iter()
                .any(|h| h.0 == size)
        );
        let newest = test.app.ledger_head().await.unwrap();
        // The receipt holder's head (root `row.root` at `size`) reaches the newest head.
        let consistency = test
            .app
            .consistency_of_sizes(size, newest.head.size)
            .await
            .unwrap();
        assert!(consistency.first.is_none());
        assert_eq!(
            consistency.first_root.as_bytes().as_slice(),
            row.root.as_slice()
        );
        let receipt_root = crypto::Sm3Hash::from_slice(&row.root).unwrap();
        ledger::verify_consistency(
            size,
            newest.head.size,
            &receipt_root,
            &newest.head.root,
            &consistency.path,
        )
        .unwrap();
        // And an inclusion proof to that size still comes, to the same root.
        let entry = test.app.store().entry(size - 1).await.unwrap().unwrap();
        let proof = test
            .app
            .inclusion_to_size(size - 1, Some(size))
            .await
            .unwrap();
        assert!(proof.tree_head.is_none());
        ledger::verify_inclusion(
            &crypto::Sm3Hash::from_slice(&entry.leaf_hash).unwrap(),
            size - 1,
            size,
            &proof.path,
            &receipt_root,
        )
        .unwrap();
        // Beyond the newest head, nothing is proven.
        assert!(
            test.app
                .inclusion_to_size(0, Some(newest.head.size + 1))
                .await
                .is_err()
        );
    }
}

/// Every blob the ledger references is checked: a document's flipped byte, a deleted document.
#[tokio::test]
async fn altered_and_missing_blobs_are_named() {
    for test in demo_apps().await {
        app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (procedure, _) = crate::tendering::published(&test, "文档校验项目").await;
        let digest = procedure.documents.clone().unwrap().sm3;
        let report = app::verify_store(test.app.store(), &test.app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
        assert!(report.blobs >= 1);
        let pool = test.raw().await;
        let mut content = test.app.store().blob(&digest).await.unwrap().unwrap();
        content[0] ^= 1;
        sqlx::query("UPDATE blobs SET content = $1 WHERE hash = $2")
            .bind(content)
            .bind(&digest)
            .execute(&pool)
            .await
            .unwrap();
        let problem = first_problem(&test, "flipped byte").await;
        assert!(
            problem.contains(&format!("blob {digest}")) && problem.contains("altered"),
            "{problem}"
        );
        sqlx::query("DELETE FROM blobs WHERE hash = $1")
            .bind(&digest)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        let problem = first_problem(&test, "deleted blob").await;
        assert!(
            problem.contains(&format!("blob {digest}")) && problem.contains("missing"),
            "{problem}"
        );
    }
}
