//! Load generator for the witness ledger through the application (the real write path: writer
//! lock, entries, nodes, signed head, commit). Prints durable entries per second for several
//! shapes of load on SQLite and, when `GGZY_TEST_DATABASE_URL` is set, on a fresh PostgreSQL
//! database; then fills the ledger to `GGZY_BENCH_ENTRIES` (default 1,000,000) and times
//! inclusion proofs served from the store.
//!
//! `cargo bench -p app --bench ledger_append`

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::{App, NewEntry, Settings};
use ledger::Visibility;
use store::testing::{TestDatabase, fresh_postgres, fresh_sqlite};

fn entry(n: u64) -> NewEntry {
    NewEntry {
        stream: format!("bench/{}", n % 97),
        kind: "bench.act".into(),
        visibility: Visibility::Public,
        actor: "bench".into(),
        payload: serde_json::json!({"n": n, "note": "压力测试"}),
    }
}

async fn open(db: &TestDatabase) -> Arc<App> {
    let store = db.open().await.unwrap();
    let app = App::open(
        store,
        crypto::PlatformKey::generate(),
        app::system_clock(),
        Settings::default(),
    )
    .await
    .unwrap();
    Arc::new(app)
}

/// `tasks` concurrent writers, each committing `per_tx` entries per transaction, for `duration`.
async fn run(app: &Arc<App>, tasks: u64, per_tx: u64, duration: Duration) -> f64 {
    let started = Instant::now();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let app = app.clone();
        handles.push(tokio::spawn(async move {
            let mut written = 0u64;
            while started.elapsed() < duration {
                let batch = (0..per_tx)
                    .map(|i| entry(task * 1_000_000_000 + written + i))
                    .collect();
                written += app.witness(batch).await.unwrap().len() as u64;
            }
            written
        }));
    }
    let mut total = 0;
    for handle in handles {
        total += handle.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

async fn bench_backend(name: &str, db: TestDatabase, fill_to: u64) {
    let app = open(&db).await;
    let duration = Duration::from_secs(5);
    for (tasks, per_tx) in [(1, 1), (8, 1), (1, 100), (8, 100)] {
        let rate = run(&app, tasks, per_tx, duration).await;
        println!(
            "{name:<10} writers {tasks:>2}  entries/tx {per_tx:>4}  {rate:>10.0} durable entries/s"
        );
    }
    // Fill the ledger, then time inclusion proofs read from the store.
    let started = Instant::now();
    let mut size = app.store().ledger_size().await.unwrap();
    while size < fill_to {
        let batch = (0..(fill_to - size).min(1000))
            .map(|i| entry(size + i))
            .collect();
        size += app.witness(batch).await.unwrap().len() as u64;
    }
    println!(
        "{name:<10} filled to {size} entries in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let samples = 2_000u64;
    let started = Instant::now();
    for i in 0..samples {
        let seq = (i * 7_919_993) % size;
        app.inclusion(seq, None).await.unwrap();
    }
    let per = started.elapsed().as_secs_f64() / samples as f64;
    println!(
        "{name:<10} inclusion proof at {size} entries: {:.3} ms each (mean of {samples})",
        per * 1000.0
    );
    app.store().close().await;
}

fn main() {
    // `cargo test --benches` passes `--bench`-less arguments; only run when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let fill_to: u64 = std::env::var("GGZY_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        bench_backend("sqlite", fresh_sqlite(), fill_to).await;
        if let Some(db) = fresh_postgres().await {
            bench_backend("postgres", db, fill_to).await;
        }
    });
}
