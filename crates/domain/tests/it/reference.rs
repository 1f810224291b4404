//! Rule sets and the trading catalog, on the shipped data and on small tables.

use std::collections::BTreeMap;

use domain::{
    Catalog, Date, DayCount, Method, Period, PeriodKind, PeriodRule, RuleBook, RuleSet, Threshold,
    Unit,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct RulesFile {
    sets: Vec<RuleSet>,
}

const RULES: &str = include_str!("../../../../data/rules.toml");
const CATALOG: &str = include_str!("../../../../data/catalog.toml");

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn shipped_rules() -> RuleBook {
    RuleBook::new(toml::from_str::<RulesFile>(RULES).unwrap().sets).unwrap()
}

fn set(id: &str, province: Option<&str>, from: &str, days: u32) -> RuleSet {
    let mut periods = BTreeMap::new();
    periods.insert(
        "listing_period".to_string(),
        PeriodRule {
            label: "挂牌时间".into(),
            period: Period {
                days,
                count: DayCount::CalendarDays,
                kind: PeriodKind::NotLessThan,
            },
            source: "测试".into(),
        },
    );
    let mut thresholds = BTreeMap::new();
    thresholds.insert(
        "min_bidders".to_string(),
        Threshold {
            label: "最少人数".into(),
            value: 3,
            unit: Unit::Count,
            source: "测试".into(),
        },
    );
    RuleSet {
        id: id.into(),
        category: "land".into(),
        province: province.map(str::to_string),
        title: id.into(),
        effective_from: d(from),
        periods,
        thresholds,
    }
}

#[test]
fn shipped_rules_resolve_with_their_sources() {
    let book = shipped_rules();
    let rules = book
        .resolve("construction", "330100", d("2026-12-01"))
        .unwrap();
    let deadline = rules.period("bid_deadline_from_issue").unwrap();
    assert_eq!(
        deadline.period,
        Period {
            days: 20,
            count: DayCount::CalendarDays,
            kind: PeriodKind::NotLessThan
        }
    );
    assert!(deadline.source.contains("第24条"));
    assert_eq!(rules.threshold("bond_cap_works").unwrap(), 80_000_000);
    assert_eq!(rules.threshold("min_bidders").unwrap(), 3);
    let procurement = book
        .resolve("procurement", "330200", d("2026-12-01"))
        .unwrap();
    assert_eq!(
        procurement.period("notice_period").unwrap().period.count,
        DayCount::WorkingDays
    );
    assert_eq!(
        procurement.threshold("nothing").unwrap_err().code(),
        "RULE_MISSING"
    );
    // Before the first set took effect there are no rules.
    assert_eq!(
        book.resolve("construction", "330100", d("2010-01-01"))
            .unwrap_err()
            .code(),
        "NO_RULES_IN_FORCE"
    );
    for set in book.sets() {
        for (key, rule) in &set.periods {
            assert!(!rule.source.is_empty(), "{}/{key}", set.id);
        }
    }
}

#[test]
fn versions_and_province_layers() {
    let book = RuleBook::new(vec![
        set("land-2007", None, "2007-11-01", 10),
        set("land-2027", None, "2027-01-01", 12),
        set("land-zj-2026", Some("330000"), "2026-06-01", 15),
    ])
    .unwrap();
    let cases = [
        ("330100", "2026-05-31", 10, "land-2007"),
        ("330100", "2026-06-01", 15, "land-zj-2026"),
        ("320100", "2026-06-01", 10, "land-2007"),
        ("330100", "2027-01-01", 15, "land-zj-2026"),
        ("310000", "2027-01-01", 12, "land-2027"),
    ];
    for (region, date, days, from_set) in cases {
        let rules = book.resolve("land", region, d(date)).unwrap();
        let listing = &rules.periods["listing_period"];
        assert_eq!(
            (listing.value.period.days, listing.rule_set.as_str()),
            (days, from_set),
            "{region} on {date}"
        );
        // The province layer overrides key by key: what it does not set stays national.
        assert_eq!(rules.thresholds["min_bidders"].value.value, 3);
    }
}

#[test]
fn bad_rule_books_are_refused() {
    let mut no_source = set("x", None, "2020-01-01", 10);
    no_source
        .periods
        .get_mut("listing_period")
        .unwrap()
        .source
        .clear();
    let cases: Vec<(&str, Vec<RuleSet>, &str)> = vec![
        (
            "overlapping effective dates",
            vec![
                set("a", None, "2020-01-01", 10),
                set("b", None, "2020-01-01", 12),
            ],
            "重叠",
        ),
        (
            "duplicate id",
            vec![
                set("a", None, "2020-01-01", 10),
                set("a", None, "2021-01-01", 12),
            ],
            "重复",
        ),
        (
            "province without national",
            vec![
                set("a", None, "2020-01-01", 10),
                set("zj", Some("330000"), "2019-01-01", 12),
            ],
            "全国",
        ),
        (
            "bad province code",
            vec![
                set("a", None, "2020-01-01", 10),
                set("zj", Some("330100"), "2021-01-01", 12),
            ],
            "省级代码",
        ),
        ("no source", vec![no_source], "法律依据"),
        ("zero days", vec![set("a", None, "2020-01-01", 0)], "天数"),
    ];
    for (what, sets, reason) in cases {
        let error = RuleBook::new(sets).unwrap_err();
        assert_eq!(error.code(), "RULE_SET_INVALID", "{what}");
        assert!(error.to_string().contains(reason), "{what}: {error}");
    }
}

#[test]
fn a_period_without_a_kind_does_not_parse() {
    let text = "[[sets]]\nid = \"a\"\ncategory = \"land\"\ntitle = \"t\"\neffective_from = \"2020-01-01\"\n\
                [sets.periods.p]\nlabel = \"l\"\ndays = 3\ncount = \"calendar_days\"\nsource = \"s\"\n";
    assert!(toml::from_str::<RulesFile>(text).is_err());
}

#[test]
fn the_catalog_allows_only_what_it_lists() {
    let rules = shipped_rules();
    let catalog: Catalog = toml::from_str(CATALOG).unwrap();
    catalog.validate(&rules, d("2026-12-01")).unwrap();
    assert_eq!(catalog.categories.len(), 9);
    assert!(catalog.allows("construction", Method::OpenTender).is_ok());
    assert!(
        catalog
            .allows("procurement", Method::CompetitiveConsultation)
            .is_ok()
    );
    assert!(catalog.allows("land", Method::Listing).is_ok());
    let refused = catalog.allows("construction", Method::Auction).unwrap_err();
    assert_eq!(refused.code(), "METHOD_NOT_ALLOWED_BY_CATALOG");
    assert_eq!(
        refused.to_string(),
        "交易目录不允许工程建设项目招标投标采用拍卖方式"
    );
    assert_eq!(
        catalog
            .allows("lottery", Method::Auction)
            .unwrap_err()
            .code(),
        "CATEGORY_NOT_IN_CATALOG"
    );
}

#[test]
fn bad_catalogs_are_refused() {
    let rules = shipped_rules();
    let good: Catalog = toml::from_str(CATALOG).unwrap();
    let mut duplicate = good.clone();
    duplicate.categories.push(good.categories[0].clone());
    let mut repeated_method = good.clone();
    repeated_method.categories[0]
        .methods
        .push(Method::OpenTender);
    let mut no_rules = good.clone();
    no_rules.categories[0].rule_category = "nothing".into();
    let mut no_methods = good.clone();
    no_methods.categories[1].methods.clear();
    for (what, catalog, reason) in [
        ("duplicate code", duplicate, "重复"),
        ("repeated method", repeated_method, "交易方式重复"),
        ("no rule set", no_rules, "规则"),
        ("no methods", no_methods, "至少应允许"),
    ] {
        let error = catalog.validate(&rules, d("2026-12-01")).unwrap_err();
        assert_eq!(error.code(), "CATALOG_INVALID", "{what}");
        assert!(error.to_string().contains(reason), "{what}: {error}");
    }
    let unknown_method = CATALOG.replace("\"invited_tender\"]", "\"lottery\"]");
    assert!(
        toml::from_str::<Catalog>(&unknown_method).is_err(),
        "an unknown method does not parse"
    );
}
