//! 交易数据统计 on a generated history: the platform's figures against totals computed here, by
//! hand, from the generator's own record of what it did (never from the platform's).

use app::App;
use domain::{Date, StatsQuery};
use history::{History, LotOutcome, SaleOutcome};

/// Beijing-time day of an instant.
fn day(ms: i64) -> Date {
    Date::of_instant(ms)
}

fn city(region: &str) -> String {
    format!("{}00", &region[..4])
}

/// Checks the statistics of the whole history, lot by lot and in total.
pub(crate) async fn statistics_match_the_record(app: &App, history: &History) {
    let everything = StatsQuery {
        from: Some(Date::parse("2000-01-01").unwrap()),
        to: Some(Date::parse("2099-12-31").unwrap()),
        ..StatsQuery::default()
    };
    let view = app.statistics(None, &everything, true).await.unwrap();
    let t = &view.statistics.total;

    // Lot by lot: outcome, bids (closed lots), price, day of award, SME.
    assert_eq!(view.lots.len(), history.lots.len());
    for truth in &history.lots {
        let fact = view
            .lots
            .iter()
            .find(|f| f.lot == truth.lot)
            .unwrap_or_else(|| panic!("{} is not counted", truth.lot));
        assert_eq!(fact.budget_fen, truth.budget_fen, "{}", truth.lot);
        assert_eq!(fact.region, truth.region, "{}", truth.lot);
        assert_eq!(fact.method, truth.method, "{}", truth.lot);
        assert_eq!(
            day(fact.announced_ms),
            day(truth.announced_ms),
            "{}",
            truth.lot
        );
        match &truth.outcome {
            LotOutcome::Awarded {
                price_fen,
                awarded_ms,
                winner_sme,
                ..
            } => {
                assert_eq!(fact.outcome, domain::LotOutcome::Awarded, "{}", truth.lot);
                assert_eq!(fact.award_fen, Some(*price_fen), "{}", truth.lot);
                assert_eq!(fact.awarded_ms, Some(*awarded_ms), "{}", truth.lot);
                assert_eq!(fact.winner_sme, *winner_sme, "{}", truth.lot);
                assert_eq!(fact.bids, Some(truth.bidders.len() as u32), "{}", truth.lot);
            }
            LotOutcome::Failed { .. } => {
                assert_eq!(fact.outcome, domain::LotOutcome::Failed, "{}", truth.lot);
                assert_eq!(fact.bids, Some(truth.bidders.len() as u32), "{}", truth.lot);
            }
            LotOutcome::Open => {
                assert_eq!(
                    fact.outcome,
                    domain::LotOutcome::InProgress,
                    "{}",
                    truth.lot
                )
            }
        }
    }

    // The totals, summed here from the record.
    let awarded: Vec<_> = history
        .lots
        .iter()
        .filter_map(|l| match &l.outcome {
            LotOutcome::Awarded {
                price_fen,
                awarded_ms,
                winner_sme,
                ..
            } => Some((l, *price_fen, *awarded_ms, *winner_sme)),
            _ => None,
        })
        .collect();
    let failed = history
        .lots
        .iter()
        .filter(|l| matches!(l.outcome, LotOutcome::Failed { .. }))
        .count() as u64;
    assert_eq!(t.lots, history.lots.len() as u64);
    assert_eq!(t.awarded, awarded.len() as u64);
    assert_eq!(t.failed, failed);
    assert_eq!(t.terminated, 0);
    let budget: i64 = awarded.iter().map(|(l, ..)| l.budget_fen).sum();
    let award: i64 = awarded.iter().map(|(_, p, ..)| p).sum();
    assert_eq!((t.budget_fen, t.award_fen), (budget, award));
    let saving = ((budget - award) as i128 * 20_000 + budget as i128) / (2 * budget as i128);
    assert_eq!(t.saving_bp(), Some(saving as i64));
    let days: i64 = awarded
        .iter()
        .map(|(l, _, at, _)| (at - l.announced_ms) / 86_400_000)
        .sum();
    assert_eq!(t.award_days, days);
    let sme: Vec<_> = awarded.iter().filter(|(.., sme)| *sme).collect();
    assert_eq!(t.sme_awards, sme.len() as u64);
    assert_eq!(t.sme_award_fen, sme.iter().map(|(_, p, ..)| p).sum::<i64>());
    let failure = (failed as i128 * 20_000 + (awarded.len() as i128 + failed as i128))
        / (2 * (awarded.len() as i128 + failed as i128));
    assert_eq!(t.failure_bp(), Some(failure as i64));

    // Sales.
    let sold: Vec<(i64, i64)> = history
        .sales
        .iter()
        .filter_map(|s| match &s.outcome {
            SaleOutcome::Sold { price_fen, .. } => Some((s.start_price_fen, *price_fen)),
            _ => None,
        })
        .collect();
    let no_sale = history
        .sales
        .iter()
        .filter(|s| matches!(s.outcome, SaleOutcome::NoSale { .. }))
        .count() as u64;
    assert_eq!(t.sales, history.sales.len() as u64);
    assert_eq!(t.sold, sold.len() as u64);
    assert_eq!(t.no_sale, no_sale);
    let start: i64 = sold.iter().map(|(s, _)| s).sum();
    let price: i64 = sold.iter().map(|(_, p)| p).sum();
    assert_eq!((t.sale_start_fen, t.sale_price_fen), (start, price));

    // Breakdowns: by category and by city, counted here.
    let mut by_category = std::collections::BTreeMap::<String, u64>::new();
    let mut by_city = std::collections::BTreeMap::<String, u64>::new();
    for lot in &history.lots {
        *by_category.entry(lot.category.clone()).or_default() += 1;
        *by_city.entry(city(&lot.region)).or_default() += 1;
    }
    for sale in &history.sales {
        *by_category.entry(sale.kind.clone()).or_default() += 1;
        *by_city.entry(city(&sale.region)).or_default() += 1;
    }
    let shown: std::collections::BTreeMap<String, u64> = view
        .statistics
        .by_category
        .iter()
        .map(|(k, t)| (k.clone(), t.lots + t.sales))
        .collect();
    assert_eq!(shown, by_category);
    let province = StatsQuery {
        region: "330000".into(),
        ..everything.clone()
    };
    let view = app.statistics(None, &province, false).await.unwrap();
    let shown: std::collections::BTreeMap<String, u64> = view
        .statistics
        .by_region
        .iter()
        .map(|(k, t)| (k.clone(), t.lots + t.sales))
        .collect();
    assert_eq!(shown, by_city);
    // One city alone: exactly its lots and sales.
    let (first_city, count) = by_city.iter().next().unwrap();
    let one = StatsQuery {
        region: first_city.clone(),
        ..everything
    };
    let view = app.statistics(None, &one, false).await.unwrap();
    assert_eq!(
        view.statistics.total.lots + view.statistics.total.sales,
        *count
    );
}
