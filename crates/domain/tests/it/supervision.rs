//! Supervision as tables: the complaint clocks on the real calendar across the 2025 and 2026
//! holidays (construction and procurement), the case decider's order of steps, the
//! administrative-penalty procedure, and routing to the competent department.

use domain::{
    Calendar, Case, CaseCommand, CaseKind, CaseRules, CaseTarget, Catalog, Date, Decider, Decision,
    DecisionKind, Department, DepartmentRole, EntityId, Filing, ObjectionFacts, ObjectionSubject,
    Party, Penalty, Power, RuleBook, RuleSet, Supervision,
};
use serde::Deserialize;

const CALENDAR: &str = include_str!("../../../../data/calendar-cn.csv");
const RULES: &str = include_str!("../../../../data/rules.toml");
const CATALOG: &str = include_str!("../../../../data/catalog.toml");
const SUPERVISION: &str = include_str!("../../../../data/supervision.toml");

#[derive(Deserialize)]
struct RulesFile {
    sets: Vec<RuleSet>,
}

fn calendar() -> Calendar {
    Calendar::parse_csv(CALENDAR).unwrap()
}

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn rules(category: &str) -> CaseRules {
    let book = RuleBook::new(toml::from_str::<RulesFile>(RULES).unwrap().sets).unwrap();
    CaseRules::from_rules(&book.resolve(category, "330106", d("2026-03-01")).unwrap()).unwrap()
}

fn objection(raised: &str, answered: Option<&str>, reply_due: &str) -> ObjectionFacts {
    ObjectionFacts {
        raised: d(raised),
        answered: answered.map(d),
        reply_due: d(reply_due),
    }
}

/// (case, category, knew, objection, today, the last day or the refusal's code).
type ClockCase = (
    &'static str,
    &'static str,
    &'static str,
    ObjectionFacts,
    &'static str,
    Result<&'static str, &'static str>,
);

/// The last day of a complaint on the shipped rules and calendar.
#[test]
fn complaint_clocks_follow_the_rules_and_the_calendar() {
    let cases: Vec<ClockCase> = vec![
        (
            "construction: 10 日 from knowing, the objection's days not counted, into 国庆",
            "construction",
            "2026-09-21",
            objection("2026-09-22", Some("2026-09-24"), "2026-09-25"),
            "2026-09-28",
            Ok("2026-10-08"),
        ),
        (
            "construction: last day in 春节 2025 moves past the holiday",
            "construction",
            "2025-01-20",
            objection("2025-01-20", Some("2025-01-22"), "2025-01-23"),
            "2025-01-23",
            Ok("2025-02-05"),
        ),
        (
            "construction: unanswered, the clock resumes at the end of the reply period (劳动节)",
            "construction",
            "2026-04-18",
            objection("2026-04-20", None, "2026-04-23"),
            "2026-04-24",
            Ok("2026-05-06"),
        ),
        (
            "construction: the reply period still runs",
            "construction",
            "2026-04-18",
            objection("2026-04-20", None, "2026-04-23"),
            "2026-04-22",
            Err("CASE_OBJECTION_PENDING"),
        ),
        (
            "construction: knowing after the objection (result publicity ends later)",
            "construction",
            "2026-06-15",
            objection("2026-06-12", Some("2026-06-13"), "2026-06-15"),
            "2026-06-16",
            Ok("2026-06-25"),
        ),
        (
            "procurement: 15 working days after the reply period, across 中秋 and 国庆 2026 \
             (the adjusted Sunday 09-20 and Saturday 10-10 count)",
            "procurement",
            "2026-09-01",
            objection("2026-09-09", Some("2026-09-10"), "2026-09-18"),
            "2026-09-21",
            Ok("2026-10-15"),
        ),
        (
            "procurement: across 春节 2025 with its adjusted working days",
            "procurement",
            "2025-01-10",
            objection("2025-01-15", Some("2025-01-16"), "2025-01-24"),
            "2025-01-24",
            Ok("2025-02-20"),
        ),
        (
            "procurement: unanswered and the reply period over",
            "procurement",
            "2025-01-10",
            objection("2025-01-15", None, "2025-01-24"),
            "2025-01-27",
            Ok("2025-02-20"),
        ),
    ];
    let calendar = calendar();
    for (name, category, knew, facts, today, expected) in cases {
        let got =
            domain::complaint_last_day(&rules(category), d(knew), &facts, d(today), &calendar)
                .map(|date| date.to_string())
                .map_err(|e| e.code());
        assert_eq!(got, expected.map(str::to_string), "{name}");
    }
}

#[test]
fn acceptance_and_decision_dues_count_working_days() {
    let calendar = calendar();
    let cases = [
        (
            "construction: 3 working days over 国庆 2026, the adjusted Saturday counts",
            "construction",
            "2026-09-30",
            "2026-10-10",
        ),
        (
            "construction: before 元旦 2026, the adjusted Sunday counts",
            "construction",
            "2025-12-31",
            "2026-01-06",
        ),
        (
            "procurement: 5 working days over 劳动节 2025",
            "procurement",
            "2025-04-30",
            "2025-05-12",
        ),
        (
            "procurement: over 春节 2026",
            "procurement",
            "2026-02-12",
            "2026-02-26",
        ),
    ];
    for (name, category, received, expected) in cases {
        assert_eq!(
            domain::acceptance_due(&rules(category), d(received), &calendar).to_string(),
            expected,
            "{name}"
        );
    }
    let construction = rules("construction");
    assert_eq!(
        domain::decision_due(&construction, d("2026-02-10"), 0, &calendar).to_string(),
        "2026-03-30",
        "30 working days over 春节 2026 with both adjusted Saturdays"
    );
    assert_eq!(
        domain::decision_due(&construction, d("2026-02-10"), 3, &calendar).to_string(),
        "2026-04-02",
        "three paused working days move the due date"
    );
    assert_eq!(
        domain::working_days_left(d("2026-09-30"), d("2026-10-10"), &calendar),
        3
    );
    assert_eq!(
        domain::working_days_left(d("2026-10-12"), d("2026-10-08"), &calendar),
        -3
    );
    assert!(construction.copy_service.is_none());
    assert_eq!(rules("procurement").copy_service.map(|p| p.days), Some(8));
    assert!(rules("procurement").after_reply && !construction.after_reply);
    assert_eq!(construction.suspension_months, (12, 36));
    assert_eq!(rules("procurement").suspension_months, (12, 36));
}

fn target() -> CaseTarget {
    CaseTarget {
        procedure: "P1".into(),
        lot: Some("P1001".into()),
        title: "某工程".into(),
        category: "construction".into(),
        region: "330106".into(),
    }
}

fn party(n: u8) -> Party {
    Party {
        entity: EntityId(format!("E{n}")),
        name: format!("单位{n}"),
    }
}

fn filing(kind: CaseKind) -> Filing {
    Filing {
        kind,
        target: target(),
        subject: (kind == CaseKind::Complaint).then_some(ObjectionSubject::Result),
        facts: "第一名业绩造假".into(),
        grounds: "招标投标法实施条例 第54条".into(),
        request: "确认中标无效".into(),
        evidence: Vec::new(),
        complainant: (kind == CaseKind::Complaint).then(|| party(1)),
        contact: String::new(),
        knew_on: Some(d("2026-06-15")),
        last_day: Some(d("2026-06-25")),
    }
}

const DAY: i64 = 86_400_000;

fn now() -> i64 {
    d("2026-06-16").start_ms() + 10 * 3_600_000
}

fn decision(kind: DecisionKind, penalties: Vec<(Party, Penalty)>) -> Decision {
    Decision {
        kind,
        reasons: "经查属实".into(),
        basis: "招标投标法 第54条".into(),
        penalties,
        department: "zj-drc".into(),
        document_sm3: "00".into(),
        certificate: String::new(),
        signature: String::new(),
        at_ms: now(),
    }
}

fn run(steps: &[(i64, CaseCommand)]) -> Result<Option<Case>, &'static str> {
    let mut state: Option<Case> = None;
    for (at, command) in steps {
        let events = state.decide(command.clone(), *at).map_err(|e| e.code())?;
        for event in &events {
            state = state.evolve(event);
        }
    }
    Ok(state)
}

#[test]
fn a_case_keeps_its_steps_in_order() {
    let file = |kind: CaseKind| CaseCommand::File {
        id: "C1".into(),
        filing: filing(kind),
        lead: "zj-drc".into(),
        acceptance_due: d("2026-06-19"),
        query_code_sm3: None,
    };
    let accept = CaseCommand::Accept {
        decision_due: d("2026-07-28"),
        copy_due: None,
        by: "s".into(),
    };
    let by = || "s".to_string();
    let filed = vec![(now(), file(CaseKind::Complaint))];
    let mut accepted = filed.clone();
    accepted.push((now(), accept.clone()));
    let step = |base: &Vec<(i64, CaseCommand)>, at: i64, command: CaseCommand| {
        let mut steps = base.clone();
        steps.push((at, command));
        run(&steps).map(|_| ())
    };
    // Filing.
    let mut late = filing(CaseKind::Complaint);
    late.last_day = Some(d("2026-06-15"));
    assert_eq!(
        run(&[(
            now(),
            CaseCommand::File {
                id: "C1".into(),
                filing: late,
                lead: "x".into(),
                acceptance_due: d("2026-06-19"),
                query_code_sm3: None
            }
        )])
        .unwrap_err(),
        "CASE_LATE"
    );
    let mut no_grounds = filing(CaseKind::Complaint);
    no_grounds.grounds = " ".into();
    assert_eq!(
        run(&[(
            now(),
            CaseCommand::File {
                id: "C1".into(),
                filing: no_grounds,
                lead: "x".into(),
                acceptance_due: d("2026-06-19"),
                query_code_sm3: None
            }
        )])
        .unwrap_err(),
        "FIELD_REQUIRED"
    );
    let mut anonymous = filing(CaseKind::Report);
    anonymous.grounds = String::new();
    anonymous.request = String::new();
    assert!(
        run(&[(
            now(),
            CaseCommand::File {
                id: "C1".into(),
                filing: anonymous,
                lead: "x".into(),
                acceptance_due: d("2026-06-19"),
                query_code_sm3: Some("ab".into())
            }
        )])
        .is_ok(),
        "a report needs facts only"
    );
    assert_eq!(
        step(&filed, now(), file(CaseKind::Complaint)),
        Err("CASE_EXISTS")
    );
    // Acceptance, refusal, material once.
    assert_eq!(
        step(
            &filed,
            now(),
            CaseCommand::Join {
                departments: vec!["zj-finance".into()],
                by: by()
            }
        ),
        Err("CASE_STEP")
    );
    let material = CaseCommand::RequestMaterial {
        what: "补充授权书".into(),
        due: d("2026-06-20"),
        by: by(),
    };
    let mut asked = filed.clone();
    asked.push((now(), material.clone()));
    assert_eq!(step(&asked, now(), accept.clone()), Err("CASE_STEP"));
    let mut supplied = asked.clone();
    supplied.push((
        now() + DAY,
        CaseCommand::SupplyMaterial {
            text: "已补".into(),
            evidence: Vec::new(),
            acceptance_due: d("2026-06-24"),
        },
    ));
    assert_eq!(
        run(&supplied).unwrap().unwrap().acceptance_due,
        d("2026-06-24")
    );
    assert_eq!(
        step(&supplied, now() + DAY, material.clone()),
        Err("CASE_MATERIAL_ONCE")
    );
    assert_eq!(
        step(
            &asked,
            now() + 10 * DAY,
            CaseCommand::SupplyMaterial {
                text: "迟了".into(),
                evidence: Vec::new(),
                acceptance_due: d("2026-06-30")
            }
        ),
        Err("CASE_LATE")
    );
    assert_eq!(
        step(
            &filed,
            now(),
            CaseCommand::RequestMaterial {
                what: "x".into(),
                due: d("2026-06-16"),
                by: by()
            }
        ),
        Err("CASE_DUE_DATE")
    );
    assert!(
        step(
            &filed,
            now(),
            CaseCommand::Refuse {
                reason: "不属于受理范围".into(),
                by: by()
            }
        )
        .is_ok()
    );
    assert_eq!(
        step(
            &accepted,
            now(),
            CaseCommand::Refuse {
                reason: "x".into(),
                by: by()
            }
        ),
        Err("CASE_STEP")
    );
    // Procurement's copy of the complaint is due first, then the decision.
    let mut with_copy = filed.clone();
    with_copy.push((
        now(),
        CaseCommand::Accept {
            decision_due: d("2026-07-28"),
            copy_due: Some(d("2026-06-26")),
            by: by(),
        },
    ));
    let case = run(&with_copy).unwrap().unwrap();
    assert_eq!(
        case.current_due(),
        Some(("送达投诉书副本", d("2026-06-26")))
    );
    assert!(case.overdue(d("2026-06-29")));
    with_copy.push((now(), CaseCommand::ServeCopy { by: by() }));
    let case = run(&with_copy).unwrap().unwrap();
    assert_eq!(case.current_due(), Some(("作出处理决定", d("2026-07-28"))));
    assert_eq!(
        step(&with_copy, now(), CaseCommand::ServeCopy { by: by() }),
        Err("CASE_STEP")
    );
    assert_eq!(
        step(&accepted, now(), CaseCommand::ServeCopy { by: by() }),
        Err("CASE_STEP"),
        "no copy due"
    );
    // Forwarding and joint investigation.
    assert_eq!(
        step(
            &filed,
            now(),
            CaseCommand::Forward {
                to: "zj-drc".into(),
                reason: "x".into(),
                acceptance_due: d("2026-06-19"),
                by: by()
            }
        ),
        Err("CASE_DEPARTMENT")
    );
    let mut forwarded = filed.clone();
    forwarded.push((
        now(),
        CaseCommand::Forward {
            to: "zj-finance".into(),
            reason: "属财政部门职责".into(),
            acceptance_due: d("2026-06-22"),
            by: by(),
        },
    ));
    let case = run(&forwarded).unwrap().unwrap();
    assert_eq!(
        (case.lead.as_str(), case.acceptance_due),
        ("zj-finance", d("2026-06-22"))
    );
    let mut joint = accepted.clone();
    joint.push((
        now(),
        CaseCommand::Join {
            departments: vec!["zj-finance".into(), "zj-drc".into()],
            by: by(),
        },
    ));
    let case = run(&joint).unwrap().unwrap();
    assert_eq!(case.joint, vec!["zj-finance".to_string()]);
    assert!(case.handled_by("zj-finance") && case.handled_by("zj-drc"));
    assert_eq!(
        step(
            &joint,
            now(),
            CaseCommand::Join {
                departments: vec!["zj-finance".into()],
                by: by()
            }
        ),
        Err("CASE_DEPARTMENT")
    );
    // The clock pauses and resumes; the decision due moves by the paused working days.
    let mut paused = accepted.clone();
    paused.push((
        d("2026-06-17").start_ms(),
        CaseCommand::PauseClock {
            reason: "专家评审".into(),
            by: by(),
        },
    ));
    assert_eq!(
        step(
            &paused,
            now(),
            CaseCommand::PauseClock {
                reason: "x".into(),
                by: by()
            }
        ),
        Err("CASE_CLOCK_PAUSED")
    );
    let mut resumed = paused.clone();
    resumed.push((
        d("2026-06-24").start_ms(),
        CaseCommand::ResumeClock {
            calendar: calendar(),
            by: by(),
        },
    ));
    let case = run(&resumed).unwrap().unwrap();
    // 06-18, 06-22, 06-23, 06-24 are working days (端午 06-19..21).
    assert_eq!(case.paused_working_days, 4);
    assert_eq!(case.decision_due, Some(d("2026-08-03")));
    assert_eq!(
        step(
            &accepted,
            now(),
            CaseCommand::ResumeClock {
                calendar: calendar(),
                by: by()
            }
        ),
        Err("CASE_CLOCK_RUNNING")
    );
    // Parties asked for material answer once, only their own request.
    let mut requested = accepted.clone();
    requested.push((
        now(),
        CaseCommand::AskParty {
            party: party(2),
            what: "业绩合同原件".into(),
            due: d("2026-06-22"),
            by: by(),
        },
    ));
    assert_eq!(
        step(
            &requested,
            now(),
            CaseCommand::AnswerParty {
                id: 1,
                party: party(3).entity,
                text: "x".into(),
                evidence: Vec::new()
            }
        ),
        Err("CASE_REQUEST_NOT_FOUND")
    );
    let mut answered = requested.clone();
    answered.push((
        now(),
        CaseCommand::AnswerParty {
            id: 1,
            party: party(2).entity,
            text: "见附件".into(),
            evidence: Vec::new(),
        },
    ));
    assert_eq!(
        step(
            &answered,
            now(),
            CaseCommand::AnswerParty {
                id: 1,
                party: party(2).entity,
                text: "再交".into(),
                evidence: Vec::new()
            }
        ),
        Err("CASE_REQUEST_ANSWERED")
    );
    // Decisions: the closed list, by the kind of case.
    let decide = |kind, penalties| CaseCommand::Decide {
        decision: decision(kind, penalties),
        by: by(),
    };
    assert_eq!(
        step(&filed, now(), decide(DecisionKind::Dismiss, vec![])),
        Err("CASE_STEP")
    );
    assert_eq!(
        step(
            &accepted,
            now(),
            decide(DecisionKind::ReportFounded, vec![])
        ),
        Err("CASE_DECISION_KIND")
    );
    let mut decided = accepted.clone();
    decided.push((now(), decide(DecisionKind::AwardVoid, vec![])));
    assert!(run(&decided).is_ok());
    assert_eq!(
        step(&decided, now(), decide(DecisionKind::Dismiss, vec![])),
        Err("CASE_STEP")
    );
    assert_eq!(
        step(
            &accepted,
            now(),
            CaseCommand::Publish {
                text: "x".into(),
                by: by()
            }
        ),
        Err("CASE_STEP")
    );
    let mut published = decided.clone();
    published.push((
        now(),
        CaseCommand::Feedback {
            text: "已处理".into(),
            by: by(),
        },
    ));
    published.push((
        now(),
        CaseCommand::Publish {
            text: "决定".into(),
            by: by(),
        },
    ));
    let case = run(&published).unwrap().unwrap();
    assert!(case.feedback.is_some() && case.published.is_some());
    assert_eq!(
        step(
            &published,
            now(),
            CaseCommand::Publish {
                text: "again".into(),
                by: by()
            }
        ),
        Err("CASE_STEP")
    );
}

#[test]
fn a_penalty_needs_its_notice_and_the_partys_chance_to_state_its_case() {
    let by = || "s".to_string();
    let fine = Penalty::Fine {
        amount_fen: 5_000_000,
    };
    let base = vec![
        (
            now(),
            CaseCommand::File {
                id: "C1".into(),
                filing: filing(CaseKind::Complaint),
                lead: "zj-drc".into(),
                acceptance_due: d("2026-06-19"),
                query_code_sm3: None,
            },
        ),
        (
            now(),
            CaseCommand::Accept {
                decision_due: d("2026-07-28"),
                copy_due: None,
                by: by(),
            },
        ),
    ];
    let with = |extra: Vec<(i64, CaseCommand)>| {
        let mut steps = base.clone();
        steps.extend(extra);
        run(&steps).map(|_| ())
    };
    let decide = || CaseCommand::Decide {
        decision: decision(DecisionKind::AwardVoid, vec![(party(2), fine.clone())]),
        by: by(),
    };
    let notice = || CaseCommand::NoticePenalty {
        party: party(2),
        penalty: fine.clone(),
        facts: "提供虚假业绩".into(),
        statement_due: d("2026-06-21"),
        suspension_months: (12, 36),
        by: by(),
    };
    assert_eq!(
        with(vec![(now(), decide())]),
        Err("CASE_PENALTY"),
        "no notice"
    );
    assert_eq!(
        with(vec![(now(), notice()), (now(), decide())]),
        Err("CASE_PENALTY"),
        "statement period running"
    );
    assert!(
        with(vec![(now(), notice()), (now() + 6 * DAY, decide())]).is_ok(),
        "period over"
    );
    assert!(
        with(vec![
            (now(), notice()),
            (
                now(),
                CaseCommand::RecordStatement {
                    party: party(2).entity,
                    text: "业绩真实".into(),
                    hearing: false
                }
            ),
            (now(), decide())
        ])
        .is_ok(),
        "statement recorded"
    );
    let heard = |extra: Vec<(i64, CaseCommand)>| {
        let mut steps = vec![
            (now(), notice()),
            (
                now(),
                CaseCommand::RecordStatement {
                    party: party(2).entity,
                    text: "要求听证".into(),
                    hearing: true,
                },
            ),
        ];
        steps.extend(extra);
        with(steps)
    };
    assert_eq!(
        heard(vec![(now() + 6 * DAY, decide())]),
        Err("CASE_PENALTY"),
        "a hearing asked for must be held"
    );
    let hearing = || CaseCommand::RecordHearing {
        party: party(2).entity,
        record: "听证笔录：当事人陈述……".into(),
        by: by(),
    };
    assert!(
        heard(vec![(now(), hearing()), (now(), decide())]).is_ok(),
        "after the hearing"
    );
    assert_eq!(
        heard(vec![(now(), hearing()), (now(), hearing())]),
        Err("CASE_PENALTY"),
        "held once"
    );
    assert_eq!(
        with(vec![(now(), notice()), (now(), hearing())]),
        Err("CASE_PENALTY"),
        "no hearing asked for"
    );
    assert_eq!(
        with(vec![(now(), notice()), (now(), notice())]),
        Err("CASE_PENALTY"),
        "noticed twice"
    );
    assert_eq!(
        with(vec![(
            now(),
            CaseCommand::RecordStatement {
                party: party(2).entity,
                text: "x".into(),
                hearing: false
            }
        )]),
        Err("CASE_PENALTY"),
        "no notice to answer"
    );
    assert_eq!(
        with(vec![
            (now(), notice()),
            (
                now() + 6 * DAY,
                CaseCommand::RecordStatement {
                    party: party(2).entity,
                    text: "x".into(),
                    hearing: false
                }
            )
        ]),
        Err("CASE_LATE")
    );
    assert_eq!(
        with(vec![(
            now(),
            CaseCommand::NoticePenalty {
                party: party(2),
                penalty: Penalty::Fine { amount_fen: 0 },
                facts: "x".into(),
                statement_due: d("2026-06-21"),
                suspension_months: (12, 36),
                by: by()
            }
        )]),
        Err("AMOUNT_RANGE")
    );
    // 暂停资格 within the rule set's range only (一年至三年).
    for (months, outcome) in [
        (0, Err("CASE_PENALTY")),
        (11, Err("CASE_PENALTY")),
        (12, Ok(())),
        (36, Ok(())),
        (37, Err("CASE_PENALTY")),
    ] {
        assert_eq!(
            with(vec![(
                now(),
                CaseCommand::NoticePenalty {
                    party: party(2),
                    penalty: Penalty::SuspendQualification { months },
                    facts: "x".into(),
                    statement_due: d("2026-06-21"),
                    suspension_months: (12, 36),
                    by: by()
                }
            )]),
            outcome,
            "{months} months"
        );
    }
}

#[test]
fn the_shipped_departments_cover_the_catalog_and_route_to_the_nearest_level() {
    let catalog: Catalog = toml::from_str(CATALOG).unwrap();
    let mut supervision: Supervision = toml::from_str(SUPERVISION).unwrap();
    supervision.validate(&catalog).unwrap();
    for category in &catalog.categories {
        assert!(
            !supervision.competent(&category.code, "330106").is_empty(),
            "{} has a competent department",
            category.code
        );
    }
    assert_eq!(
        supervision.competent("construction", "330106")[0].code,
        "zj-drc"
    );
    assert_eq!(
        supervision.competent("procurement", "330200")[0].code,
        "zj-finance"
    );
    assert!(
        supervision.competent("construction", "310000").is_empty(),
        "another province"
    );
    // A city department is nearer than the province's for its own region only.
    supervision.departments.push(Department {
        code: "hz-jw".into(),
        name: "杭州市建设委员会".into(),
        uscc: supervision.departments[0].uscc.clone(),
        region: "330100".into(),
        role: DepartmentRole::Supervision,
        categories: vec!["construction".into()],
        heads: Vec::new(),
        powers: vec![Power {
            name: "处理投诉".into(),
            basis: "实施条例 第60条".into(),
            duty: String::new(),
        }],
    });
    supervision.validate(&catalog).unwrap();
    assert_eq!(
        supervision.competent("construction", "330106")[0].code,
        "hz-jw"
    );
    assert_eq!(
        supervision.competent("construction", "330206")[0].code,
        "zj-drc"
    );
    assert!(
        supervision.has_jurisdiction("zj-audit", "land", "330106"),
        "oversight: every category"
    );
    assert!(!supervision.has_jurisdiction("hz-jw", "construction", "330206"));
    assert!(!supervision.has_jurisdiction("zj-finance", "construction", "330106"));
    // What validation refuses.
    let refuse = |edit: &dyn Fn(&mut Supervision)| {
        let mut s: Supervision = toml::from_str(SUPERVISION).unwrap();
        edit(&mut s);
        s.validate(&catalog).unwrap_err().code()
    };
    assert_eq!(
        refuse(&|s| s.departments[0].uscc = "123".into()),
        "SUPERVISION_INVALID"
    );
    assert_eq!(
        refuse(&|s| s.departments[0].categories.push("nothing".into())),
        "SUPERVISION_INVALID"
    );
    assert_eq!(
        refuse(&|s| s.departments[0].powers.clear()),
        "SUPERVISION_INVALID"
    );
    assert_eq!(
        refuse(&|s| s.departments[1].code = s.departments[0].code.clone()),
        "SUPERVISION_INVALID"
    );
    assert_eq!(
        refuse(&|s| s.departments.retain(|d| d.code != "zj-finance")),
        "SUPERVISION_INVALID"
    );
    assert_eq!(
        refuse(&|s| s.departments[0].heads.push("Not A Name".into())),
        "SUPERVISION_INVALID"
    );
    assert_eq!(
        refuse(&|s| s.departments[0].powers[0].basis = " ".into()),
        "SUPERVISION_INVALID"
    );
}

/// "暂停N个月" ends on the same day N months later, or the month's last day (民法典 第202条).
#[test]
fn months_are_counted_on_the_calendar() {
    for (from, months, to) in [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-11-15", 6, "2027-05-15"),
        ("2026-08-31", 13, "2027-09-30"),
        ("2026-12-06", 0, "2026-12-06"),
        ("2026-12-31", 36, "2029-12-31"),
    ] {
        assert_eq!(
            d(from).add_months(months).to_string(),
            to,
            "{from} + {months}"
        );
    }
}
