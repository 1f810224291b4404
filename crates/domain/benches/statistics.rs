//! 交易数据统计: tallying a province's years of trading in memory — 300,000 lots, 30,000 sales
//! and 10,000 warnings over 11 cities and their counties, 36 months — for the whole province,
//! one city, and one domain and method.
//!
//! `cargo bench -p domain --bench statistics`

use criterion::{Criterion, criterion_group, criterion_main};
use domain::{Date, LotFact, LotOutcome, SaleFact, StatsQuery, WarningFact, statistics};

const DAY: i64 = 86_400_000;

fn start() -> i64 {
    Date::parse("2024-01-01").unwrap().start_ms() + 9 * 3_600_000
}

fn region(n: usize) -> String {
    format!("33{:02}{:02}", n % 11 + 1, n / 11 % 8 + 2)
}

fn lots() -> Vec<LotFact> {
    let categories = ["construction", "procurement"];
    let methods = [
        "open_tender",
        "invited_tender",
        "competitive_consultation",
        "inquiry",
    ];
    (0..300_000)
        .map(|n| {
            let announced_ms = start() + (n as i64 % 1_095) * DAY;
            let outcome = match n % 10 {
                0 => LotOutcome::Failed,
                1 => LotOutcome::InProgress,
                _ => LotOutcome::Awarded,
            };
            let budget = 1_000_000 + (n as i64 * 7_919) % 900_000_000;
            LotFact {
                lot: format!("ZB{n:012}"),
                procedure: format!("P{n}"),
                title: String::new(),
                category: categories[n % 2].into(),
                region: region(n),
                method: methods[n % 4].into(),
                budget_fen: budget,
                announced_ms,
                outcome,
                bids: (outcome != LotOutcome::InProgress).then_some((n % 9) as u32 + 1),
                award_fen: (outcome == LotOutcome::Awarded).then_some(budget / 100 * 93),
                awarded_ms: (outcome == LotOutcome::Awarded).then_some(announced_ms + 30 * DAY),
                winner_sme: n % 3 == 0,
                contract_due_ms: None,
            }
        })
        .collect()
}

fn sales() -> Vec<SaleFact> {
    let kinds = ["land", "mining", "state_property", "carbon", "pollutant"];
    (0..30_000)
        .map(|n| SaleFact {
            sale: format!("S{n}"),
            title: String::new(),
            category: kinds[n % 5].into(),
            region: region(n),
            method: ["english", "listing"][n % 2].into(),
            started_ms: start() + (n as i64 % 1_095) * DAY,
            start_fen: 10_000_000,
            price_fen: (n % 4 != 0).then_some(12_000_000),
            no_sale: n % 4 == 0,
            bidders: (n % 5) as u32 + 1,
        })
        .collect()
}

fn warnings() -> Vec<WarningFact> {
    (0..10_000)
        .map(|n| WarningFact {
            id: format!("W{n}"),
            signal: "same_machine".into(),
            category: "procurement".into(),
            region: region(n),
            raised_ms: start() + (n as i64 % 1_095) * DAY,
            status: ["open", "closed", "case"][n % 3].into(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (lots, sales, warnings) = (lots(), sales(), warnings());
    let period = |query: StatsQuery| StatsQuery {
        from: Some(Date::parse("2024-01-01").unwrap()),
        to: Some(Date::parse("2026-12-31").unwrap()),
        ..query
    };
    let province = period(StatsQuery {
        region: "330000".into(),
        ..StatsQuery::default()
    });
    let city = period(StatsQuery {
        region: "330100".into(),
        ..StatsQuery::default()
    });
    let narrow = period(StatsQuery {
        category: "procurement".into(),
        method: "inquiry".into(),
        ..StatsQuery::default()
    });
    let mut group = c.benchmark_group("statistics_300k_lots");
    group.sample_size(20);
    group.bench_function("province_36_months", |b| {
        b.iter(|| statistics(&lots, &sales, &warnings, &province))
    });
    group.bench_function("one_city", |b| {
        b.iter(|| statistics(&lots, &sales, &warnings, &city))
    });
    group.bench_function("procurement_inquiry", |b| {
        b.iter(|| statistics(&lots, &sales, &warnings, &narrow))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
