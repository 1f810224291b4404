//! Credit as tables: the shipped standards validate against the catalog, every kind of rule in
//! the evaluation (deductions, caps, floors, level and fact measures, incentives, bond
//! percentages), expiry, withdrawal and repair, overlapping records, the credit file's decider,
//! and the list parser (every bad row reported) with masked-number matching.

use domain::{
    Catalog, CreditCommand, CreditEvent, CreditFile, CreditRecord, CreditStandard, CreditStandards,
    Date, Decider, DomainError, FactRule, Gate, NewRecord, RecordSource, RecordStatus, SubjectKind,
    evaluate_credit, masked_matches, parse_list_csv, scaled_bond,
};

const CATALOG: &str = include_str!("../../../../data/catalog.toml");
const CREDIT: &str = include_str!("../../../../data/credit.toml");

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn shipped() -> CreditStandards {
    toml::from_str(CREDIT).unwrap()
}

fn catalog() -> Catalog {
    toml::from_str(CATALOG).unwrap()
}

fn standard(code: &str) -> CreditStandard {
    shipped()
        .standards
        .into_iter()
        .find(|s| s.code == code)
        .unwrap()
}

fn record(n: u32, fact: &str, date: &str, until: Option<&str>) -> CreditRecord {
    CreditRecord {
        id: format!("S#{n}"),
        fact: fact.into(),
        fact_name: fact.into(),
        source: RecordSource::Platform {
            stream: "procedure/P1".into(),
            act: "test".into(),
        },
        basis: "basis".into(),
        date: d(date),
        valid_until: until.map(d),
        repairable_from: None,
        detail: String::new(),
        recorded_at_ms: 0,
        status: RecordStatus::Active,
        repair: None,
    }
}

#[test]
fn the_shipped_standards_validate_and_cover_every_category() {
    let standards = shipped();
    standards.validate(&catalog()).unwrap();
    for category in &catalog().categories {
        assert!(
            standards.for_category(&category.code).is_some(),
            "{}",
            category.code
        );
    }
    assert!(standards.for_experts().is_some());
    for fact in &standards.facts {
        assert!(!fact.source.is_empty());
    }
}

/// A change that makes the shipped standards invalid.
type Mutation = Box<dyn Fn(&mut CreditStandards)>;

#[test]
fn invalid_standards_are_refused_with_the_item_named() {
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "duplicate fact",
            Box::new(|s| {
                let first = s.facts[0].clone();
                s.facts.push(first);
            }),
        ),
        (
            "unknown fact in a rule",
            Box::new(|s| s.standards[0].rules[0].fact = "nope".into()),
        ),
        (
            "unknown cap",
            Box::new(|s| s.standards[0].rules[0].cap = Some("Z".into())),
        ),
        (
            "levels not descending",
            Box::new(|s| s.standards[0].levels.swap(0, 1)),
        ),
        (
            "lowest level not 0",
            Box::new(|s| s.standards[0].levels.last_mut().unwrap().min = 5),
        ),
        (
            "category twice",
            Box::new(|s| {
                let category = s.standards[0].categories[0].clone();
                s.standards[1].categories.push(category);
            }),
        ),
        (
            "category uncovered",
            Box::new(|s| s.standards[2].categories.pop().map(|_| ()).unwrap()),
        ),
        (
            "unknown category",
            Box::new(|s| s.standards[0].categories.push("moon".into())),
        ),
        (
            "measure with no effect",
            Box::new(|s| {
                let m = &mut s.standards[0].measures[0];
                m.refuse.clear();
                m.bond_percent = None;
                m.incentive = false;
            }),
        ),
        (
            "measure with both triggers",
            Box::new(|s| {
                s.standards[0].measures[0].when_level = Some("D".into());
            }),
        ),
        (
            "expert gate on an entity standard",
            Box::new(|s| {
                s.standards[0].measures[0].refuse.push(Gate::ExpertPool);
            }),
        ),
        (
            "rule without effect",
            Box::new(|s| {
                let r = &mut s.standards[0].rules[0];
                r.deduct = 0;
                r.cap = None;
            }),
        ),
        (
            "list of an unknown fact",
            Box::new(|s| s.lists[0].fact = "nope".into()),
        ),
        ("no source", Box::new(|s| s.facts[0].source = " ".into())),
        (
            "no expert standard",
            Box::new(|s| s.standards.retain(|x| x.subject == SubjectKind::Entity)),
        ),
    ];
    for (name, mutate) in cases {
        let mut standards = shipped();
        mutate(&mut standards);
        let error = standards.validate(&catalog()).expect_err(name);
        assert_eq!(error.code(), "CREDIT_STANDARD_INVALID", "{name}: {error}");
    }
}

#[test]
fn deductions_levels_and_the_explanation_name_each_record_and_rule() {
    let construction = standard("construction");
    let on = d("2026-06-01");
    // (records, score, level)
    let table: Vec<(Vec<CreditRecord>, i64, &str)> = vec![
        (vec![], 100, "A"),
        (
            vec![record(1, "bond_withheld", "2026-01-10", Some("2027-01-10"))],
            90,
            "A",
        ),
        (
            vec![
                record(1, "bond_withheld", "2026-01-10", Some("2027-01-10")),
                record(2, "bond_withheld", "2026-02-10", Some("2027-02-10")),
            ],
            80,
            "B",
        ),
        (
            vec![record(1, "award_declined", "2026-03-01", None)],
            80,
            "B",
        ),
        // A cap below the score's level.
        (
            vec![record(1, "performance_failed", "2026-03-01", None)],
            70,
            "C",
        ),
        (
            vec![record(1, "judgment_defaulter", "2026-03-01", None)],
            100,
            "D",
        ),
        // The score never falls below 0.
        (
            (1..=7)
                .map(|n| record(n, "tax_offender", "2026-01-01", None))
                .collect(),
            0,
            "D",
        ),
        // Not yet in force, expired, withdrawn and repaired records do not count.
        (
            vec![record(1, "bond_withheld", "2026-07-01", None)],
            100,
            "A",
        ),
        (
            vec![record(1, "bond_withheld", "2025-01-01", Some("2026-05-31"))],
            100,
            "A",
        ),
        (
            vec![record(1, "bond_withheld", "2025-01-01", Some("2026-06-01"))],
            90,
            "A",
        ),
        // A fact this standard does not rule.
        (
            vec![record(1, "sale_default", "2026-03-01", None)],
            100,
            "A",
        ),
    ];
    for (records, score, level) in table {
        let e = evaluate_credit(&records, &construction, on);
        assert_eq!((e.score, e.level.as_str()), (score, level), "{records:?}");
        // Every deduction step names its record and its rule's source.
        for step in e.steps.iter().filter(|s| s.points < 0) {
            assert!(step.record.is_some());
            assert!(!step.source.is_empty());
        }
        let counted = records.iter().filter(|r| r.counts_on(on)).count();
        assert_eq!(
            e.not_counted.len(),
            records.len() - counted
                + records
                    .iter()
                    .filter(
                        |r| r.counts_on(on) && construction.rules.iter().all(|x| x.fact != r.fact)
                    )
                    .count()
        );
    }
    let mut withdrawn = record(1, "judgment_defaulter", "2026-01-01", None);
    withdrawn.status = RecordStatus::Withdrawn {
        reason: "名单不再列入".into(),
        at_ms: 0,
    };
    let e = evaluate_credit(&[withdrawn.clone()], &construction, on);
    assert_eq!(e.level, "A");
    assert!(e.not_counted[0].1.contains("已撤销"));
    let mut repaired = withdrawn;
    repaired.status = RecordStatus::Repaired {
        reason: "已整改".into(),
        by: "operator".into(),
        at_ms: 0,
    };
    assert_eq!(evaluate_credit(&[repaired], &construction, on).level, "A");
}

#[test]
fn measures_bite_at_their_gates_naming_the_record_and_the_rule() {
    let on = d("2026-06-01");
    let procurement = standard("procurement");
    let listed = evaluate_credit(
        &[record(
            7,
            "gp_serious_violation",
            "2026-01-01",
            Some("2027-01-01"),
        )],
        &procurement,
        on,
    );
    for gate in [Gate::Register, Gate::Bid, Gate::Candidate, Gate::Award] {
        let error = listed.check(gate).unwrap_err();
        assert_eq!(error.code(), "CREDIT_REFUSED");
        let text = error.to_string();
        assert!(text.contains("S#7"), "{text}");
        assert!(text.contains("财库〔2016〕125号"), "{text}");
    }
    assert!(listed.check(Gate::ExpertPool).is_ok());
    // Incentives: level A waives the procurement bond, halves the construction bond; level C
    // raises the construction bond; a raise wins over a reduction.
    let clean = evaluate_credit(&[], &procurement, on);
    assert_eq!(clean.bond_percent(), 0);
    assert!(clean.check(Gate::Bid).is_ok());
    let construction = standard("construction");
    assert_eq!(evaluate_credit(&[], &construction, on).bond_percent(), 50);
    let c = evaluate_credit(
        &[record(1, "performance_failed", "2026-01-01", None)],
        &construction,
        on,
    );
    assert_eq!((c.level.as_str(), c.bond_percent()), ("C", 150));
    assert!(c.check(Gate::Bid).is_ok());
    let b = evaluate_credit(
        &[record(1, "award_declined", "2026-01-01", None)],
        &construction,
        on,
    );
    assert_eq!((b.level.as_str(), b.bond_percent()), ("B", 100));
    assert_eq!(scaled_bond(10_001, 150), 15_002);
    assert_eq!(scaled_bond(10_000, 50), 5_000);
    assert_eq!(scaled_bond(10_000, 0), 0);
    // Experts: two misconduct records in force reach D and keep the expert out of draws.
    let expert = standard("expert");
    let one = evaluate_credit(
        &[record(1, "expert_misconduct", "2026-01-01", None)],
        &expert,
        on,
    );
    assert!(one.check(Gate::ExpertPool).is_ok());
    let two = evaluate_credit(
        &[
            record(1, "expert_misconduct", "2026-01-01", None),
            record(2, "expert_misconduct", "2026-02-01", None),
        ],
        &expert,
        on,
    );
    assert_eq!(two.level, "D");
    assert_eq!(
        two.check(Gate::ExpertPool).unwrap_err().code(),
        "CREDIT_REFUSED"
    );
}

fn fact(code: &str, months: Option<u32>, repair: Option<u32>) -> FactRule {
    FactRule {
        code: code.into(),
        name: code.into(),
        subject: SubjectKind::Entity,
        months,
        repair_after_months: repair,
        source: "source".into(),
    }
}

fn add(
    file: &Option<CreditFile>,
    rule: FactRule,
    date: &str,
    until: Option<&str>,
    now: i64,
) -> Option<CreditFile> {
    let events = file
        .decide(
            CreditCommand::Add {
                subject: "91330000000000000X".into(),
                kind: SubjectKind::Entity,
                name: "某公司".into(),
                record: Box::new(NewRecord {
                    fact: rule.code.clone(),
                    source: RecordSource::Platform {
                        stream: "bond/x".into(),
                        act: "bond.forfeited".into(),
                    },
                    basis: "依据".into(),
                    date: d(date),
                    until: until.map(d),
                    detail: String::new(),
                }),
                rule: Box::new(rule),
            },
            now,
        )
        .unwrap();
    events.iter().fold(file.clone(), |s, e| s.evolve(e))
}

#[test]
fn the_credit_file_records_withdraws_and_repairs_in_order() {
    let now = d("2026-06-01").start_ms() + 3_600_000;
    let file = add(
        &None,
        fact("bond_withheld", Some(12), Some(3)),
        "2026-01-15",
        None,
        now,
    );
    let file = add(
        &file,
        fact("judgment_defaulter", None, None),
        "2026-05-01",
        Some("2028-05-01"),
        now,
    );
    let records = &file.as_ref().unwrap().records;
    assert_eq!(records[0].id, "91330000000000000X#1");
    assert_eq!(records[0].valid_until, Some(d("2027-01-15")));
    assert_eq!(records[0].repairable_from, Some(d("2026-04-15")));
    assert_eq!(records[1].valid_until, Some(d("2028-05-01")));
    assert_eq!(records[1].repairable_from, None);
    // Not repairable: only its source may withdraw it.
    let refused = file
        .decide(
            CreditCommand::ApplyRepair {
                id: "91330000000000000X#2".into(),
                statement: "已履行".into(),
                evidence: vec!["ab".into()],
                by: "bidder".into(),
            },
            now,
        )
        .unwrap_err();
    assert_eq!(refused, DomainError::CreditNotRepairable { from: None });
    // Too early.
    let early = d("2026-04-14").start_ms();
    let refused = file
        .decide(
            CreditCommand::ApplyRepair {
                id: "91330000000000000X#1".into(),
                statement: "已整改".into(),
                evidence: vec!["ab".into()],
                by: "bidder".into(),
            },
            early,
        )
        .unwrap_err();
    assert_eq!(refused.code(), "CREDIT_NOT_REPAIRABLE");
    assert!(refused.to_string().contains("2026-04-15"));
    // Evidence is required.
    let refused = file
        .decide(
            CreditCommand::ApplyRepair {
                id: "91330000000000000X#1".into(),
                statement: "已整改".into(),
                evidence: vec![],
                by: "bidder".into(),
            },
            now,
        )
        .unwrap_err();
    assert_eq!(refused.code(), "FIELD_REQUIRED");
    let apply = CreditCommand::ApplyRepair {
        id: "91330000000000000X#1".into(),
        statement: "已整改".into(),
        evidence: vec!["ab".into()],
        by: "bidder".into(),
    };
    let events = file.decide(apply.clone(), now).unwrap();
    let file = events.iter().fold(file, |s, e| s.evolve(e));
    // One application at a time.
    assert_eq!(file.decide(apply, now).unwrap_err().code(), "CREDIT_STEP");
    let review = |approve| CreditCommand::ReviewRepair {
        id: "91330000000000000X#1".into(),
        approve,
        reason: "证明材料充分".into(),
        by: "operator".into(),
    };
    let events = file.decide(review(true), now).unwrap();
    let file = events.iter().fold(file, |s, e| s.evolve(e));
    assert!(matches!(
        file.as_ref().unwrap().records[0].status,
        RecordStatus::Repaired { .. }
    ));
    assert_eq!(
        file.decide(review(true), now).unwrap_err().code(),
        "CREDIT_STEP"
    );
    // Withdrawal by the source; twice is refused.
    let withdraw = CreditCommand::Withdraw {
        id: "91330000000000000X#2".into(),
        reason: "名单不再列入".into(),
    };
    let events = file.decide(withdraw.clone(), now).unwrap();
    let file = events.iter().fold(file, |s, e| s.evolve(e));
    assert_eq!(
        file.decide(withdraw, now).unwrap_err().code(),
        "CREDIT_STEP"
    );
    assert_eq!(
        file.decide(
            CreditCommand::Withdraw {
                id: "nope#9".into(),
                reason: "x".into()
            },
            now
        )
        .unwrap_err(),
        DomainError::CreditRecordNotFound
    );
    // A record whose end precedes its date is refused.
    let refused = file
        .decide(
            CreditCommand::Add {
                subject: "91330000000000000X".into(),
                kind: SubjectKind::Entity,
                name: String::new(),
                record: Box::new(NewRecord {
                    fact: "judgment_defaulter".into(),
                    source: RecordSource::Platform {
                        stream: "s".into(),
                        act: "a".into(),
                    },
                    basis: "依据".into(),
                    date: d("2026-05-01"),
                    until: Some(d("2026-04-01")),
                    detail: String::new(),
                }),
                rule: Box::new(fact("judgment_defaulter", None, None)),
            },
            now,
        )
        .unwrap_err();
    assert_eq!(refused, DomainError::CreditDates);
}

#[test]
fn a_list_file_is_refused_whole_with_every_bad_row() {
    let cutoff = d("2026-06-01");
    let text = "名称,证件号码,地区代码,列入日期,截止日期,列入事由\n\
        甲公司,91330000MA2XXXXXXX,330100,2026-01-01,,有能力履行而拒不履行\n\
        乙公司,913301001234567890,33010,2026-01-01,,事由\n\
        丙公司,91330106MA27XNJD9G,330106,2026-13-01,,事由\n\
        张三,330106********123X,330106,2026-02-01,2028-02-01,事由\n\
        李四,3301**1234,330106,2026-02-01,,事由\n\
        丁公司,91330106MA27XNJD9G,330106,2026-07-01,,事由\n\
        戊公司,91330106MA27XNJD9G,330106,2026-05-01,2026-04-01,事由\n\
        己公司,91330106MA27XNJD9G,330106,2026-05-01,,\n\
        只有三列,1,2\n";
    let DomainError::ListRows { rows } = parse_list_csv(text, cutoff).unwrap_err() else {
        panic!("expected LIST_ROWS");
    };
    let lines: Vec<usize> = rows.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, vec![2, 3, 4, 6, 7, 8, 9, 10], "{rows:?}");
    let good = "名称,证件号码,地区代码,列入日期,截止日期,列入事由\n\
        己公司,91330106MA27XNJD9G,330106,2026-05-01,,拒不履行\n\
        张三,330106********123X,330106,2026-02-01,2028-02-01,事由\n";
    let rows = parse_list_csv(good, cutoff).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].key(), "张三|330106********123X|330106");
    // A code twice is a bad row.
    let twice = format!("{good}己公司,91330106MA27XNJD9G,330106,2026-05-02,,又一次\n");
    let DomainError::ListRows { rows } = parse_list_csv(&twice, cutoff).unwrap_err() else {
        panic!()
    };
    assert_eq!(rows[0].0, 4);
    assert!(rows[0].1.contains("第2行"));
    // A wrong header is reported as line 1.
    assert!(matches!(
        parse_list_csv("name,code\n", cutoff),
        Err(DomainError::ListRows { rows }) if rows[0].0 == 1
    ));
}

#[test]
fn masked_numbers_match_only_on_every_visible_character() {
    let full = "33010619900101123X";
    assert!(masked_matches("330106********123X", full));
    assert!(masked_matches("330106********123x", full));
    assert!(!masked_matches("330106********1234", full));
    assert!(!masked_matches("330107********123X", full));
    assert!(!masked_matches("330106*******123X", full));
}

/// What a node's credit file took in, relayed from `origin`: events → file.
fn relayed(
    file: &Option<CreditFile>,
    origin: &str,
    seq: u64,
    event: CreditEvent,
) -> (usize, Option<CreditFile>) {
    let events = file
        .decide(
            CreditCommand::Relay {
                origin: origin.into(),
                seq,
                event: Box::new(event),
            },
            7,
        )
        .unwrap();
    let n = events.len();
    (n, events.iter().fold(file.clone(), |s, e| s.evolve(e)))
}

#[test]
fn relayed_credit_keeps_its_provenance_and_is_taken_in_once() {
    let now = d("2026-06-01").start_ms();
    // At Hangzhou: a record made there.
    let home = add(
        &None,
        fact("bond_withheld", Some(12), None),
        "2026-05-01",
        None,
        now,
    );
    let recorded = CreditEvent::Recorded {
        subject: "91330000000000000X".into(),
        kind: SubjectKind::Entity,
        name: "某公司".into(),
        record: Box::new(home.as_ref().unwrap().records[0].clone()),
    };
    // At the hub: taken in under Hangzhou's name, its source kept inside the province source.
    let (n, hub) = relayed(&None, "ggzy.hangzhou.example", 40, recorded.clone());
    assert_eq!(n, 1);
    let record = &hub.as_ref().unwrap().records[0];
    assert_eq!(record.id, "ggzy.hangzhou.example:91330000000000000X#1");
    assert_eq!(record.date, d("2026-05-01"));
    assert_eq!(record.valid_until, Some(d("2027-05-01")));
    let RecordSource::Province {
        origin,
        seq,
        source,
    } = &record.source
    else {
        panic!("{:?}", record.source);
    };
    assert_eq!((origin.as_str(), *seq), ("ggzy.hangzhou.example", 40));
    assert!(matches!(**source, RecordSource::Platform { .. }));
    // The same entry again: nothing.
    assert_eq!(
        relayed(&hub, "ggzy.hangzhou.example", 40, recorded.clone()).0,
        0
    );
    // At Ningbo, from the hub's entry: the same id and the first provenance, not the hub's.
    let hub_event = CreditEvent::Recorded {
        subject: "91330000000000000X".into(),
        kind: SubjectKind::Entity,
        name: "某公司".into(),
        record: Box::new(record.clone()),
    };
    let (n, nb) = relayed(&None, "ggzy.zj.example", 90, hub_event.clone());
    assert_eq!(n, 1);
    let (at_nb, at_hub) = (
        &nb.as_ref().unwrap().records[0],
        &hub.as_ref().unwrap().records[0],
    );
    assert_eq!((&at_nb.id, &at_nb.source), (&at_hub.id, &at_hub.source));
    assert_eq!(relayed(&nb, "ggzy.zj.example", 91, hub_event).0, 0);
    // Its withdrawal at Hangzhou reaches Ningbo under the same id; a second one is nothing.
    let withdrawn = CreditEvent::Withdrawn {
        id: "91330000000000000X#1".into(),
        reason: "处理决定撤销".into(),
        at_ms: now,
    };
    let (n, hub) = relayed(&hub, "ggzy.hangzhou.example", 41, withdrawn.clone());
    assert_eq!(n, 1);
    let hub_withdrawn = CreditEvent::Withdrawn {
        id: "ggzy.hangzhou.example:91330000000000000X#1".into(),
        reason: "处理决定撤销".into(),
        at_ms: now,
    };
    let (n, nb) = relayed(&nb, "ggzy.zj.example", 95, hub_withdrawn.clone());
    assert_eq!(n, 1);
    assert!(matches!(
        nb.as_ref().unwrap().records[0].status,
        RecordStatus::Withdrawn { .. }
    ));
    assert_eq!(relayed(&nb, "ggzy.zj.example", 96, hub_withdrawn).0, 0);
    assert_eq!(relayed(&hub, "ggzy.hangzhou.example", 41, withdrawn).0, 0);
    // An approved repair travels; a refused one and an application do not.
    let (_, fresh) = relayed(&None, "ggzy.hangzhou.example", 40, recorded);
    let review = |approve| CreditEvent::RepairReviewed {
        id: "91330000000000000X#1".into(),
        approve,
        reason: "已整改".into(),
        by: "op".into(),
        at_ms: now,
    };
    assert_eq!(
        relayed(&fresh, "ggzy.hangzhou.example", 50, review(false)).0,
        0
    );
    let (n, repaired) = relayed(&fresh, "ggzy.hangzhou.example", 51, review(true));
    assert_eq!(n, 1);
    assert!(matches!(
        repaired.as_ref().unwrap().records[0].status,
        RecordStatus::Repaired { .. }
    ));
    // Nothing of an expert's file travels (a pseudonym is its own node's), nor into a file of
    // another subject.
    let expert = CreditEvent::Recorded {
        subject: "E-0001".into(),
        kind: SubjectKind::Expert,
        name: String::new(),
        record: Box::new(home.as_ref().unwrap().records[0].clone()),
    };
    assert_eq!(relayed(&None, "ggzy.hangzhou.example", 60, expert).0, 0);
    let other = CreditEvent::Recorded {
        subject: "91330000000000001Y".into(),
        kind: SubjectKind::Entity,
        name: "另一公司".into(),
        record: Box::new(home.as_ref().unwrap().records[0].clone()),
    };
    assert_eq!(relayed(&fresh, "ggzy.hangzhou.example", 61, other).0, 0);
}
