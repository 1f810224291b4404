//! 交易数据统计: the tally of a selection against hand-computed figures (docs/statistics.md's
//! worked example), the filters, the region groups, the rounding, sales and warnings.

use domain::{
    Date, LotFact, LotOutcome, SaleFact, StatsQuery, WarningFact, ratio_bp, region_group,
    statistics,
};

const HOUR: i64 = 3_600_000;

fn at(day: &str, hour: i64) -> i64 {
    Date::parse(day).unwrap().start_ms() + hour * HOUR
}

fn lot(code: &str, region: &str, budget: i64, bids: Option<u32>, outcome: LotOutcome) -> LotFact {
    LotFact {
        lot: code.into(),
        procedure: format!("P-{code}"),
        title: code.into(),
        category: "procurement".into(),
        region: region.into(),
        method: "open_tender".into(),
        budget_fen: budget,
        announced_ms: at("2026-03-02", 9),
        outcome,
        bids,
        award_fen: None,
        awarded_ms: None,
        winner_sme: false,
        contract_due_ms: None,
    }
}

fn awarded(mut fact: LotFact, price: i64, day: &str, sme: bool) -> LotFact {
    fact.award_fen = Some(price);
    fact.awarded_ms = Some(at(day, 10));
    fact.winner_sme = sme;
    fact
}

/// docs/statistics.md's worked example.
fn example() -> Vec<LotFact> {
    vec![
        awarded(
            lot("A", "330106", 100_000_000, Some(3), LotOutcome::Awarded),
            90_000_000,
            "2026-03-30",
            true,
        ),
        awarded(
            lot("B", "330106", 50_000_000, Some(1), LotOutcome::Awarded),
            49_500_000,
            "2026-04-06",
            false,
        ),
        lot("C", "330106", 20_000_000, Some(2), LotOutcome::Failed),
    ]
}

#[test]
fn the_worked_example_gives_the_documented_figures() {
    let stats = statistics(&example(), &[], &[], &StatsQuery::default());
    let t = &stats.total;
    assert_eq!((t.lots, t.awarded, t.failed, t.terminated), (3, 2, 1, 0));
    assert_eq!((t.budget_fen, t.award_fen), (150_000_000, 139_500_000));
    assert_eq!(t.saving_bp(), Some(700));
    assert_eq!((t.bid_lots, t.bids, t.single_bid), (3, 6, 1));
    assert_eq!(t.bids_per_lot_centi(), Some(200));
    assert_eq!(t.single_bid_bp(), Some(3333));
    assert_eq!(t.failure_bp(), Some(3333));
    assert_eq!(t.award_days, 63);
    assert_eq!(t.award_days_deci(), Some(315));
    assert_eq!(t.sme_bp(), Some(5000));
    assert_eq!(t.sme_amount_bp(), Some(6452));
    // Every breakdown adds up to the total.
    for groups in [
        &stats.by_category,
        &stats.by_region,
        &stats.by_method,
        &stats.by_month,
    ] {
        assert_eq!(groups.len(), 1);
        assert_eq!(&groups[0].1, t);
    }
    assert_eq!(stats.by_month[0].0, "2026-03");
    assert_eq!(stats.by_region[0].0, "330100");
}

#[test]
fn regions_group_one_level_below_the_selection() {
    let cases = [
        ("330106", "", "330100"),
        ("330106", "330000", "330100"),
        ("330106", "330100", "330106"),
        ("330106", "330106", "330106"),
        ("331002", "330000", "331000"),
    ];
    for (region, within, group) in cases {
        assert_eq!(region_group(region, within), group, "{region} in {within}");
    }
    let mut lots = example();
    lots.push(lot("D", "330212", 10_000_000, None, LotOutcome::InProgress));
    lots.push(lot("E", "310101", 10_000_000, None, LotOutcome::InProgress));
    let province = StatsQuery {
        region: "330000".into(),
        ..StatsQuery::default()
    };
    let stats = statistics(&lots, &[], &[], &province);
    assert_eq!(stats.total.lots, 4, "Shanghai's lot is outside Zhejiang");
    let groups: Vec<(&str, u64)> = stats
        .by_region
        .iter()
        .map(|(k, t)| (k.as_str(), t.lots))
        .collect();
    assert_eq!(groups, [("330100", 3), ("330200", 1)]);
    let city = StatsQuery {
        region: "330100".into(),
        ..StatsQuery::default()
    };
    assert_eq!(statistics(&lots, &[], &[], &city).total.lots, 3);
    let county = StatsQuery {
        region: "330212".into(),
        ..StatsQuery::default()
    };
    assert_eq!(statistics(&lots, &[], &[], &county).total.lots, 1);
}

#[test]
fn the_period_takes_whole_days_in_beijing_time() {
    let mut late = lot("L", "330106", 1_000, None, LotOutcome::InProgress);
    // 2026-03-31 23:30 Beijing time is 15:30 UTC the same day.
    late.announced_ms = at("2026-03-31", 23) + HOUR / 2;
    let mut early = lot("E", "330106", 1_000, None, LotOutcome::InProgress);
    early.announced_ms = at("2026-04-01", 0);
    let lots = [late, early];
    let march = StatsQuery {
        from: Some(Date::parse("2026-03-01").unwrap()),
        to: Some(Date::parse("2026-03-31").unwrap()),
        ..StatsQuery::default()
    };
    let stats = statistics(&lots, &[], &[], &march);
    assert_eq!(stats.total.lots, 1);
    assert_eq!(stats.by_month[0].0, "2026-03");
    let april = StatsQuery {
        from: Some(Date::parse("2026-04-01").unwrap()),
        to: Some(Date::parse("2026-04-01").unwrap()),
        ..StatsQuery::default()
    };
    assert_eq!(statistics(&lots, &[], &[], &april).total.lots, 1);
    // A period lists every month, those without trading as zeros.
    let winter = StatsQuery {
        from: Some(Date::parse("2025-11-15").unwrap()),
        to: Some(Date::parse("2026-04-01").unwrap()),
        ..StatsQuery::default()
    };
    let months: Vec<(String, u64)> = statistics(&lots, &[], &[], &winter)
        .by_month
        .into_iter()
        .map(|(m, t)| (m, t.lots))
        .collect();
    let expected: Vec<(String, u64)> = [
        ("2025-11", 0),
        ("2025-12", 0),
        ("2026-01", 0),
        ("2026-02", 0),
        ("2026-03", 1),
        ("2026-04", 1),
    ]
    .into_iter()
    .map(|(m, n)| (m.to_string(), n))
    .collect();
    assert_eq!(months, expected);
}

#[test]
fn filters_by_category_and_method_select_exactly() {
    let mut lots = example();
    let mut works = lot("W", "330106", 5_000, Some(4), LotOutcome::InProgress);
    works.category = "construction".into();
    works.method = "invited_tender".into();
    lots.push(works);
    let by = |category: &str, method: &str| {
        statistics(
            &lots,
            &[],
            &[],
            &StatsQuery {
                category: category.into(),
                method: method.into(),
                ..StatsQuery::default()
            },
        )
        .total
        .lots
    };
    assert_eq!(by("", ""), 4);
    assert_eq!(by("construction", ""), 1);
    assert_eq!(by("procurement", ""), 3);
    assert_eq!(by("", "invited_tender"), 1);
    assert_eq!(by("procurement", "invited_tender"), 0);
    assert_eq!(by("land", ""), 0);
}

#[test]
fn sales_give_the_premium_and_warnings_their_outcomes() {
    let sale = |id: &str, start: i64, price: Option<i64>, no_sale: bool| SaleFact {
        sale: id.into(),
        title: id.into(),
        category: "land".into(),
        region: "330106".into(),
        method: "english".into(),
        started_ms: at("2026-05-06", 10),
        start_fen: start,
        price_fen: price,
        no_sale,
        bidders: 2,
    };
    let sales = [
        sale("S1", 1_000_000, Some(1_250_000), false),
        sale("S2", 3_000_000, Some(3_000_000), false),
        sale("S3", 500_000, None, true),
        sale("S4", 500_000, None, false),
    ];
    let warning = |id: &str, status: &str| WarningFact {
        id: id.into(),
        signal: "same_machine".into(),
        category: "procurement".into(),
        region: "330106".into(),
        raised_ms: at("2026-05-07", 10),
        status: status.into(),
    };
    let warnings = [
        warning("W1", "open"),
        warning("W2", "closed"),
        warning("W3", "case"),
        warning("W4", "case"),
    ];
    let stats = statistics(&[], &sales, &warnings, &StatsQuery::default());
    let t = &stats.total;
    assert_eq!((t.sales, t.sold, t.no_sale), (4, 2, 1));
    assert_eq!((t.sale_start_fen, t.sale_price_fen), (4_000_000, 4_250_000));
    assert_eq!(t.premium_bp(), Some(625));
    assert_eq!(t.sale_bidders, 8);
    assert_eq!(
        (
            t.warnings,
            t.warnings_open,
            t.warnings_closed,
            t.warnings_case
        ),
        (4, 1, 1, 2)
    );
    assert_eq!(t.turnover_fen(), 4_250_000);
    // A selection by method leaves the warnings out; by category keeps those of the category.
    let by_method = StatsQuery {
        method: "english".into(),
        ..StatsQuery::default()
    };
    let stats = statistics(&[], &sales, &warnings, &by_method);
    assert_eq!((stats.total.sales, stats.total.warnings), (4, 0));
    let land = StatsQuery {
        category: "land".into(),
        ..StatsQuery::default()
    };
    let stats = statistics(&[], &sales, &warnings, &land);
    assert_eq!((stats.total.sales, stats.total.warnings), (4, 0));
    // Nothing selected: every rate is undefined, not zero.
    let empty = statistics(&[], &[], &[], &StatsQuery::default()).total;
    assert_eq!(
        (
            empty.saving_bp(),
            empty.premium_bp(),
            empty.failure_bp(),
            empty.bids_per_lot_centi(),
            empty.award_days_deci()
        ),
        (None, None, None, None, None)
    );
}

#[test]
fn rates_round_half_away_from_zero() {
    let cases = [
        (1, 3, Some(3333)),
        (2, 3, Some(6667)),
        (1, 8, Some(1250)),
        (1, 20_000, Some(1)),
        (1, 20_001, Some(0)),
        (-1, 3, Some(-3333)),
        (-1, 20_000, Some(-1)),
        (5, 0, None),
        (i64::MAX / 2, i64::MAX / 2, Some(10_000)),
    ];
    for (num, den, bp) in cases {
        assert_eq!(ratio_bp(num, den), bp, "{num}/{den}");
    }
    // An award above the budget is a negative saving.
    let over = awarded(
        lot("O", "330106", 100, Some(2), LotOutcome::Awarded),
        103,
        "2026-03-02",
        false,
    );
    let t = statistics(&[over], &[], &[], &StatsQuery::default()).total;
    assert_eq!(t.saving_bp(), Some(-300));
    assert_eq!(t.award_days, 0, "awarded the day it was announced");
}
