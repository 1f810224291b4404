//! Draw latency with a pool of 100,000 experts in 10 categories.
//!
//! `cargo bench -p domain --bench draw`

use criterion::{Criterion, criterion_group, criterion_main};
use domain::{Date, DrawRequest, PoolExpert, draw_experts};

fn pool() -> Vec<PoolExpert> {
    (0..100_000)
        .map(|n| PoolExpert {
            pseudonym: format!("E{n:06}"),
            categories: vec![format!("C{}", n % 10), format!("C{}", (n / 10) % 10)],
            employer: format!("EMP{}", n % 5_000),
            region: ["330100", "330200", "330300", "330400"][n % 4].into(),
            related: if n % 97 == 0 {
                vec!["BIDDER-1".into()]
            } else {
                vec![]
            },
            recent: vec![],
            leave: vec![],
            active: n % 50 != 0,
            name_commitment: String::new(),
            booked: Vec::new(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pool = pool();
    let request = DrawRequest {
        lot: "E3301000001234567001".into(),
        evaluation_date: Date::parse("2026-12-01").unwrap(),
        needs: (0..10).map(|k| (format!("C{k}"), 5)).collect(),
        backups: 2,
        tenderee: "TENDEREE".into(),
        agency: Some("EMP1".into()),
        bidders: (0..20).map(|b| format!("EMP{b}")).collect(),
        recent_days: 30,
        excluded_regions: vec!["330400".into()],
    };
    let mut n = 0u64;
    c.bench_function(
        "draw 10 categories × (5 + 2 backups) from 100,000 experts",
        |b| {
            b.iter(|| {
                n += 1;
                let mut seed = [0u8; 32];
                seed[..8].copy_from_slice(&n.to_le_bytes());
                draw_experts(&pool, &request, seed).unwrap()
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
