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
        "reordered entries",
        &[
            "UPDATE ledger_entries SET seq = -1 WHERE seq = 3",
            "UPDATE ledger_entries SET seq = 3 WHERE seq = 4",
            "UPDATE ledger_entries SET seq = 4 WHERE seq = -1",
        ],
        "entry 3:",
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
