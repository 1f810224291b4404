//! The expert database: classification, entry criteria, and all-or-nothing CSV import.

use domain::{Classification, EXPERT_CSV_HEADER, TitleLevel, parse_expert_csv};

const CATEGORIES: &str = include_str!("../../../../data/expert-categories.csv");

fn id_number(region: &str, birth: &str, seq: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first = format!("{region}{birth}{seq}");
    let sum: u32 = first
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn uscc(body: &str) -> String {
    let prefix = format!("91330100{body}");
    format!("{prefix}{}", domain::Uscc::check_char_for(&prefix).unwrap())
}

fn row(name: &str, id: &str, categories: &str, level: &str, years: &str) -> String {
    format!(
        "{name},{id},{},330100,{categories},高级工程师,{level},{years},2026-01-15",
        uscc("MA2H7Q1K5")
    )
}

#[test]
fn the_shipped_classification_nests_by_code() {
    let classification = Classification::parse_csv(CATEGORIES).unwrap();
    assert_eq!(
        classification.get("A0101").unwrap().name,
        "工程/施工/房屋建筑"
    );
    assert!(classification.is_within("A0101", "A01"));
    assert!(!classification.is_within("B0101", "A"));
    for (body, reason) in [
        (
            "code,name,parent\nA,工程,\nA01,施工,A\nA01,施工,A\n",
            "重复",
        ),
        ("code,name,parent\nA0101,房屋建筑,A01\n", "不存在"),
        ("code,name,parent\nA,工程,\nB01,货物,A\n", "后加两位"),
        ("code,name\n", "表头"),
    ] {
        let error = Classification::parse_csv(body).unwrap_err();
        assert!(error.to_string().contains(reason), "{body:?}: {error}");
    }
}

#[test]
fn a_good_file_imports_every_row() {
    let classification = Classification::parse_csv(CATEGORIES).unwrap();
    let text = format!(
        "{EXPERT_CSV_HEADER}\n{}\n{}\n",
        row(
            "陈立明",
            &id_number("330106", "19750314", "041"),
            "A0101;A0401",
            "正高级",
            "20"
        ),
        row(
            "王芳",
            &id_number("330102", "19800506", "022"),
            "B0101",
            "副高级",
            "12"
        ),
    );
    let records = parse_expert_csv(&text, &classification, 8).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].categories, vec!["A0101", "A0401"]);
    assert_eq!(records[1].title_level, TitleLevel::AssociateSenior);
}

#[test]
fn one_bad_row_imports_nothing_and_every_bad_row_is_reported() {
    let classification = Classification::parse_csv(CATEGORIES).unwrap();
    let good = id_number("330106", "19750314", "041");
    let text = format!(
        "{EXPERT_CSV_HEADER}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        row("陈立明", &good, "A0101", "正高级", "20"),
        row(
            "李强",
            &id_number("330106", "19800101", "013"),
            "A0101",
            "中级",
            "15"
        ),
        row(
            "赵六",
            &id_number("330106", "19820202", "015"),
            "A0101",
            "副高级",
            "7"
        ),
        row("钱七", "330106198202020150", "A0101", "副高级", "10"),
        row(
            "孙八",
            &id_number("330106", "19830303", "017"),
            "Z99",
            "副高级",
            "10"
        ),
        row("陈立明", &good, "A0102", "正高级", "20"),
        "周九,只有三列,330100",
    );
    let problems = parse_expert_csv(&text, &classification, 8).unwrap_err();
    let lines: Vec<usize> = problems.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{problems:?}");
    let reasons: Vec<&str> = problems.iter().map(|(_, r)| r.as_str()).collect();
    assert!(reasons[0].contains("高级职称"));
    assert!(reasons[1].contains("不满8年"));
    assert!(reasons[2].contains("身份证号码"));
    assert!(reasons[3].contains("Z99"));
    assert!(reasons[4].contains("第2行"));
    assert!(reasons[5].contains("9列"));
}

#[test]
fn the_expert_decider_table() {
    use domain::{Date, Decider, Expert, ExpertCommand, Leave};
    let classification = Classification::parse_csv(CATEGORIES).unwrap();
    let record = parse_expert_csv(
        &format!(
            "{EXPERT_CSV_HEADER}\n{}\n",
            row(
                "周建国",
                &id_number("330102", "19700315", "123"),
                "A0101",
                "正高级",
                "20"
            )
        ),
        &classification,
        8,
    )
    .unwrap()
    .remove(0);
    let today = Date::parse("2026-11-28").unwrap();
    let add = ExpertCommand::Add {
        pseudonym: "E1".into(),
        record,
        by: "op".into(),
    };
    let added = Option::<Expert>::None.decide(add.clone(), 1).unwrap();
    let state = Option::<Expert>::replay(&added);
    let leave = |from: &str, to: &str, reason: &str| ExpertCommand::AddLeave {
        leave: Leave {
            from: Date::parse(from).unwrap(),
            to: Date::parse(to).unwrap(),
            reason: reason.into(),
        },
        today,
    };
    let suspend = |reason: &str| ExpertCommand::Suspend {
        by: "op".into(),
        reason: reason.into(),
    };
    let retire = ExpertCommand::Retire {
        by: "op".into(),
        reason: "年龄".into(),
    };
    let reinstate = ExpertCommand::Reinstate { by: "op".into() };
    let suspended = state
        .clone()
        .evolve(&state.decide(suspend("投诉"), 2).unwrap()[0]);
    let retired = state
        .clone()
        .evolve(&state.decide(retire.clone(), 2).unwrap()[0]);
    type Case<'a> = (
        &'a str,
        &'a Option<Expert>,
        ExpertCommand,
        Result<&'a str, &'a str>,
    );
    let cases: Vec<Case<'_>> = vec![
        ("add twice", &state, add.clone(), Err("EXPERT_EXISTS")),
        (
            "suspend without reason",
            &state,
            suspend(" "),
            Err("REASON_REQUIRED"),
        ),
        ("suspend", &state, suspend("投诉"), Ok("expert.suspended")),
        (
            "suspend twice",
            &suspended,
            suspend("x"),
            Err("EXPERT_NOT_ACTIVE"),
        ),
        (
            "reinstate active",
            &state,
            reinstate.clone(),
            Err("EXPERT_NOT_SUSPENDED"),
        ),
        (
            "reinstate",
            &suspended,
            reinstate.clone(),
            Ok("expert.reinstated"),
        ),
        (
            "leave",
            &state,
            leave("2026-12-01", "2026-12-03", "出差"),
            Ok("expert.leave_added"),
        ),
        (
            "leave reversed",
            &state,
            leave("2026-12-03", "2026-12-01", "出差"),
            Err("LEAVE_DATES"),
        ),
        (
            "leave in the past",
            &state,
            leave("2026-10-01", "2026-10-03", "出差"),
            Err("LEAVE_DATES"),
        ),
        (
            "anything after retirement",
            &retired,
            reinstate,
            Err("EXPERT_RETIRED"),
        ),
        ("unknown expert", &None, retire, Err("EXPERT_NOT_FOUND")),
    ];
    for (name, state, command, expected) in cases {
        let got = state
            .decide(command, 3)
            .map(|events| events[0].kind())
            .map_err(|e| e.code());
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn relations_and_ratings_make_the_performance_record() {
    use domain::{Date, Decider, Expert, ExpertCommand, RatingRule, Uscc};
    let classification = Classification::parse_csv(CATEGORIES).unwrap();
    let record = parse_expert_csv(
        &format!(
            "{EXPERT_CSV_HEADER}\n{}\n",
            row(
                "周建国",
                &id_number("330102", "19700315", "123"),
                "A0101",
                "正高级",
                "20"
            )
        ),
        &classification,
        8,
    )
    .unwrap()
    .remove(0);
    let mut state = Option::<Expert>::replay(
        &Option::<Expert>::None
            .decide(
                ExpertCommand::Add {
                    pseudonym: "E1".into(),
                    record,
                    by: "op".into(),
                },
                1,
            )
            .unwrap(),
    );
    let apply =
        |state: Option<Expert>, command: ExpertCommand| -> Result<Option<Expert>, &'static str> {
            let events = state.decide(command, 5).map_err(|e| e.code())?;
            Ok(events.iter().fold(state, |s, e| s.evolve(e)))
        };
    let entity = Uscc::parse(&uscc("MA2H7Q1K6"))
        .unwrap_or_else(|_| Uscc::parse(&uscc("MA2H7Q1K5")).unwrap());
    let relation = |text: &str| ExpertCommand::DeclareRelation {
        entity: entity.clone(),
        relation: text.into(),
        by: "e1".into(),
    };
    state = apply(state, relation("近三年曾任职")).unwrap();
    assert_eq!(
        apply(state.clone(), relation("近三年曾任职")).unwrap_err(),
        "NOTHING_CHANGED"
    );
    assert_eq!(
        apply(state.clone(), relation(" ")).unwrap_err(),
        "FIELD_REQUIRED"
    );
    let rate = |draw: &str, date: &str, score: u8| ExpertCommand::Rate {
        draw: draw.into(),
        lot: "LOT".into(),
        evaluation_date: Date::parse(date).unwrap(),
        score,
        comment: String::new(),
        by: "tenderee".into(),
    };
    assert_eq!(
        apply(state.clone(), rate("D1", "2026-06-01", 101)).unwrap_err(),
        "RATING_SCORE"
    );
    state = apply(state, rate("D1", "2025-06-01", 40)).unwrap();
    assert_eq!(
        apply(state.clone(), rate("D1", "2026-06-01", 90)).unwrap_err(),
        "ALREADY_RATED"
    );
    state = apply(state, rate("D2", "2026-06-01", 55)).unwrap();
    state = apply(state, rate("D3", "2026-07-01", 95)).unwrap();
    let expert = state.unwrap();
    assert_eq!(expert.relations.len(), 1);
    assert_eq!(expert.ratings.len(), 3);
    let rule = RatingRule {
        below: 60,
        count: 2,
        window_days: 365,
    };
    let day = Date::parse("2026-09-01").unwrap();
    // The 2025 rating fell out of the window: one poor rating in the year, not barred.
    assert_eq!(expert.poor_ratings(rule, day), 1);
    assert!(!expert.barred_by_record(rule, day));
    assert!(expert.barred_by_record(
        RatingRule {
            window_days: 500,
            ..rule
        },
        day
    ));
    assert!(!expert.barred_by_record(RatingRule { count: 0, ..rule }, day));
    assert_eq!(
        Expert::account_name("E0123456789abcdef"),
        "e0123456789abcdef"
    );
    assert_eq!(
        Expert::pseudonym_of_account("e0123456789abcdef").as_deref(),
        Some("E0123456789abcdef")
    );
    assert_eq!(Expert::pseudonym_of_account("operator"), None);
}
