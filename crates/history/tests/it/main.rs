//! The history generator on both backends: a small history with a fixed seed and a fixed date
//! (never today's), checked against what the platform shows, with the planted collusion found
//! by the warning engine.

mod statistics;

use app::{App, PasswordPolicy, Settings};
use history::{HistoryOptions, LotOutcome, MovableClock, SaleOutcome};

/// 2026-06-01 09:30 Beijing time: the platform's "now" in this test.
const NOW_MS: i64 = 1_780_277_400_000;

async fn platform(db: &store::testing::TestDatabase, clock: &MovableClock) -> App {
    let settings = Settings {
        origin: "ggzy.test".into(),
        password_policy: PasswordPolicy::for_tests(),
        ..Default::default()
    };
    App::open(
        db.open().await.unwrap(),
        crypto::PlatformKey::generate(),
        clock.clock(),
        settings,
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_history_reaches_awards_and_its_planted_collusion_is_found() {
    // The backends side by side.
    let mut runs = tokio::task::JoinSet::new();
    for db in store::testing::fresh_databases().await {
        runs.spawn(small_history(db));
    }
    while let Some(run) = runs.join_next().await {
        run.unwrap();
    }
}

async fn small_history(db: store::testing::TestDatabase) {
    let options = HistoryOptions {
        months: 8,
        lots: 30,
        seed: 7,
        rings: 1,
    };
    let clock = MovableClock::new(app::clock_from(NOW_MS));
    let (start, end) = options.span(NOW_MS);
    assert_eq!(
        domain::Date::of_instant(start).to_string(),
        "2025-10-01",
        "eight months of 30.4 days"
    );
    clock.set(start);
    let app = platform(&db, &clock).await;
    assert!(app::seed_demo(&app).await.unwrap());
    let holders = app::run_simulated_ceremony(&app, "2025-10").await.unwrap();
    let generated = history::generate(&app, &clock, &options, &holders, end)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.name));
    assert!(clock.release(), "the history ends before now");
    let history = &generated.history;
    assert_eq!(history.lots.len(), 30);

    // The history matches what the platform shows, lot by lot.
    let (mut awarded, mut failed, mut contracts) = (0, 0, 0);
    for truth in &history.lots {
        let procedure = app.procedure(None, &truth.procedure).await.unwrap();
        let lot = procedure.lot(&truth.lot).unwrap();
        assert_eq!(lot.budget_fen, truth.budget_fen);
        assert_eq!(procedure.draft.category, truth.category);
        match &truth.outcome {
            LotOutcome::Awarded {
                winner, price_fen, ..
            } => {
                awarded += 1;
                let shown = lot.award.winner.as_ref().unwrap();
                assert_eq!(shown.bidder.as_ref(), winner.as_str());
                let line = lot.opening.iter().find(|l| l.bidder.as_ref() == winner);
                assert_eq!(line.and_then(|l| l.price_fen), Some(*price_fen));
                contracts += usize::from(truth.contract);
                assert_eq!(truth.contract, lot.award.contract.is_some());
            }
            LotOutcome::Failed { .. } => {
                failed += 1;
                assert!(
                    matches!(lot.status, domain::LotStatus::Failed { .. }),
                    "{}: {:?}",
                    truth.lot,
                    lot.status
                );
                assert!(truth.bidders.len() < 3);
            }
            LotOutcome::Open => {
                assert!(lot.award.winner.is_none());
            }
        }
    }
    eprintln!(
        "{}: {awarded} awarded, {failed} failed, {} objections, {} complaints, {} reports, {} declined, {} late, {} defaults, refused {:?}",
        db.name,
        history.objections,
        history.complaints,
        history.reports,
        history.declined_awards,
        history.late_performances,
        history.sale_defaults,
        generated.refused
    );
    assert!(awarded >= 20, "{}: {awarded} awarded", db.name);
    assert!(contracts >= 15, "{}: {contracts} contracts", db.name);
    assert!(failed >= 3, "{}: {failed} failed", db.name);
    for sale in &history.sales {
        let shown = app.auction(&sale.id).await.unwrap();
        match &sale.outcome {
            SaleOutcome::Sold { price_fen, .. } => assert!(matches!(
                shown.result,
                Some(domain::AuctionResult::Sold { price_fen: p, .. }) if p == *price_fen
            )),
            SaleOutcome::NoSale { .. } => assert!(matches!(
                shown.result,
                Some(domain::AuctionResult::NoSale { .. })
            )),
            SaleOutcome::Open => assert!(shown.result.is_none()),
        }
    }

    // Every planted case is named by a warning.
    let score = &generated.score;
    assert!(score.cases >= 9, "{:?}", score);
    let missed: Vec<_> = score
        .by_kind
        .iter()
        .filter(|(_, (found, all))| found < all)
        .collect();
    if !missed.is_empty() {
        for case in &history.planted {
            let outcomes: Vec<_> = history
                .lots
                .iter()
                .filter(|l| case.lots.contains(&l.lot))
                .map(|l| (&l.lot, &l.outcome, &l.bidders))
                .collect();
            eprintln!(
                "{:?} {:?} {:?}: {outcomes:?}",
                case.kind, case.entities, case.tenderee
            );
        }
        panic!(
            "{}: missed {missed:?}\n{}\n{:?}",
            db.name,
            score.line(),
            score.by_signal
        );
    }
    assert!(score.true_positives > 0);

    let report = app::verify_store(app.store(), &app.public_key(), "ggzy.test")
        .await
        .unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);

    statistics::statistics_match_the_record(&app, history).await;
}
