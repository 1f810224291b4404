//! SM2 signing and verification of a bid-sized message: what one signature per bid would cost
//! the platform (`docs/benchmarks.md`).

use criterion::{Criterion, criterion_group, criterion_main};
use crypto::PlatformKey;

fn sm2(c: &mut Criterion) {
    let key = PlatformKey::generate();
    let public = key.public_key();
    let message =
        br#"{"auction":"TD-2026-018","bidder":"J1A2B3C4D","price_fen":9510000000,"quantity":1}"#;
    let signature = key.sign(message);
    c.bench_function("sm2 sign (bid-sized message)", |b| {
        b.iter(|| key.sign(std::hint::black_box(message)))
    });
    c.bench_function("sm2 verify (bid-sized message)", |b| {
        b.iter(|| {
            public
                .verify(std::hint::black_box(message), &signature)
                .unwrap()
        })
    });
}

criterion_group!(benches, sm2);
criterion_main!(benches);
