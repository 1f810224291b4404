//! The expert draw through the application with a database of 100,000 experts in 10 categories:
//! load the database, apply avoidance, commit the names, witness the commitment (the pool is in
//! the public entry), derive the seed from the signed head, draw, witness the reveal and form
//! the panel. Prints the seeding rate and the latency of each draw (SQLite, and PostgreSQL when
//! `GGZY_TEST_DATABASE_URL` is set).
//!
//! `cargo bench -p app --bench draw_pool` (`GGZY_BENCH_EXPERTS` to change the size)

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use app::{App, Settings};
use store::testing::{TestDatabase, fresh_postgres, fresh_sqlite};

/// Beijing 2026-12-01 09:30.
const START_MS: i64 = 1_796_088_600_000;
const CATEGORIES: [&str; 10] = [
    "A0101", "A0102", "A0103", "A0104", "A0105", "A0201", "A0202", "A0301", "A0302", "A0401",
];

fn id_number(n: usize) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    // Birth dates over 1960-01-01 .. 1979-12-28 and a 3-digit sequence: 100,000 distinct numbers.
    let day = n / 1000;
    let birth = format!(
        "19{}{:02}{:02}",
        60 + day % 20,
        1 + (day / 20) % 12,
        1 + day / 240
    );
    let first = format!("330102{birth}{:03}", n % 1000);
    let sum: u32 = first
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn employer(n: usize) -> String {
    let prefix = format!("91330100MA{:07}", n % 5_000);
    format!("{prefix}{}", domain::Uscc::check_char_for(&prefix).unwrap())
}

async fn open(db: &TestDatabase) -> Arc<App> {
    let store = db.open().await.unwrap();
    let clock = Arc::new(AtomicI64::new(START_MS));
    let app = App::open(
        store,
        crypto::PlatformKey::generate(),
        Arc::new(move || clock.fetch_add(1, Ordering::SeqCst)),
        Settings::default(),
    )
    .await
    .unwrap();
    app::seed_demo(&app).await.unwrap();
    Arc::new(app)
}

async fn run(name: &str, db: &TestDatabase, experts: usize, draws: usize) {
    let app = open(db).await;
    let certificates = app::seed_demo_certificates(&app).await.unwrap();
    app::run_simulated_ceremony(&app, "bench").await.unwrap();
    assert!(app::seed_demo_tendering(&app, &certificates).await.unwrap());
    let operator = app.caller_for("operator").await.unwrap();
    let supervisor = app.caller_for("supervisor").await.unwrap();
    let lot = app.procedures(None, 100, 0).await.unwrap().items[0].lots[0]
        .code
        .clone();

    let started = Instant::now();
    let mut n = 0;
    while n < experts {
        let mut csv = format!("{}\n", domain::EXPERT_CSV_HEADER);
        for k in n..(n + 5_000).min(experts) {
            csv.push_str(&format!(
                "专家{k},{},{},330100,{};{},高级工程师,副高级,{},2026-01-15\n",
                id_number(k),
                employer(k),
                CATEGORIES[k % 10],
                CATEGORIES[(k / 10) % 10],
                8 + k % 30
            ));
        }
        app.import_experts(&operator, &csv).await.unwrap();
        n = (n + 5_000).min(experts);
    }
    let seeded = started.elapsed().as_secs_f64();
    println!(
        "{name}: {experts} experts imported in {seeded:.1} s ({:.0} experts/s)",
        experts as f64 / seeded
    );

    let mut times = Vec::new();
    for d in 0..draws {
        let date = domain::Date::parse("2027-01-04")
            .unwrap()
            .add_days(d as i64);
        let request = app::NewDraw {
            lot: lot.clone(),
            evaluation_date: date.to_string(),
            needs: CATEGORIES.iter().map(|c| (c.to_string(), 5)).collect(),
            backups: 2,
            recent_days: 0,
            excluded_regions: Vec::new(),
            confirm_minutes: None,
        };
        let started = Instant::now();
        // The whole draw: the commitment, then the supervisor's contribution and the reveal.
        let committed = app.draw_experts(&operator, request).await.unwrap();
        app.contribute_to_draw(
            &supervisor,
            &committed.id,
            app::NewContribution {
                commitment: committed.commitment.clone(),
                value: "5a".repeat(32),
            },
        )
        .await
        .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if d == 0 {
            let bytes = serde_json::to_vec(&committed).unwrap().len();
            println!(
                "{name}: pool of {} eligible experts, public commitment entry {:.1} MB",
                committed.pool.len(),
                bytes as f64 / 1e6
            );
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: draw of 10 categories × (5 + 2 backups), {draws} draws: median {:.0} ms, min {:.0} ms, max {:.0} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}

fn main() {
    let experts: usize = std::env::var("GGZY_BENCH_EXPERTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sqlite = fresh_sqlite();
        run("SQLite", &sqlite, experts, 10).await;
        if let Some(pg) = fresh_postgres().await {
            run("PostgreSQL", &pg, experts, 10).await;
        }
    });
}
