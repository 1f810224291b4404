//! Tendering as tables: the statutory periods on the real working-day calendar and the shipped rule
//! sets, the procedure, bid and key-ceremony deciders, and announcement templates.

use std::collections::BTreeMap;

use domain::{
    AnnouncementKind, Bid, BidCommand, BidEvent, BidPartial, BidStatus, Calendar, Ceremony,
    CeremonyCommand, CeremonyEvent, CeremonyStatus, Date, DayCount, Decider, DerivedKey, Document,
    DomainError, EntityId, LotDraft, LotStatus, LotTerms, Method, OpeningHolder, OpeningKey,
    OpeningLine, OpeningOutcome, Period, PeriodKind, Procedure, ProcedureCommand, ProcedureDraft,
    ProcedureEvent, RegionCode, RuleBook, RuleSet, SealedBidRef, SealedEnvelope, Template,
    Templates, TenderRules, deadline_after_clarification, deadline_standing, earliest_deadline,
    tender_rule_keys,
};
use serde::Deserialize;

const CALENDAR: &str = include_str!("../../../../data/calendar-cn.csv");
const RULES: &str = include_str!("../../../../data/rules.toml");

#[derive(Deserialize)]
struct RulesFile {
    sets: Vec<RuleSet>,
}

/// The event kinds a command causes, or the code of its refusal.
type Outcome = Result<Vec<&'static str>, &'static str>;

fn calendar() -> Calendar {
    Calendar::parse_csv(CALENDAR).unwrap()
}

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// The instant of `hh:mm` Beijing time on `date`.
fn at(date: &str, hh: i64, mm: i64) -> i64 {
    d(date).start_ms() + (hh * 60 + mm) * 60_000
}

/// The rules a procedure of `method` freezes, resolved from the shipped rule sets.
fn rules(rule_category: &str, method: Method) -> TenderRules {
    let keys = tender_rule_keys(rule_category, method).unwrap();
    let book = RuleBook::new(toml::from_str::<RulesFile>(RULES).unwrap().sets).unwrap();
    let resolved = book
        .resolve(rule_category, "330106", d("2026-03-01"))
        .unwrap();
    let count = |key: &str| u32::try_from(resolved.threshold(key).unwrap()).unwrap();
    TenderRules {
        rule_sets: vec![resolved.periods[keys.deadline].rule_set.clone()],
        deadline: resolved.period(keys.deadline).unwrap().period,
        clarification: resolved.period(keys.clarification).unwrap().period,
        min_bidders: count(keys.min_bidders),
        min_invitees: count(keys.min_invitees),
        bond_rate_cap_bp: resolved.threshold("bond_rate_cap").ok(),
        bond_cap_fen: resolved.threshold("bond_cap_works").ok(),
        sme_deduction_ranges_bp: domain::sme_deduction_ranges(&resolved, method),
        sme_consortium_ranges_bp: domain::sme_consortium_ranges(&resolved, method),
        sme_consortium_share_min_bp: resolved.threshold("sme_consortium_share_min").ok(),
    }
}

fn construction() -> TenderRules {
    rules("construction", Method::OpenTender)
}

// ---------------------------------------------------------------------------------------------
// 1. Periods on the real calendar
// ---------------------------------------------------------------------------------------------

#[test]
fn rule_keys_and_the_shipped_values() {
    let keys = tender_rule_keys("construction", Method::InvitedTender).unwrap();
    assert_eq!(keys.deadline, "bid_deadline_from_issue");
    assert_eq!(keys.clarification, "clarification_before_deadline");
    let keys = tender_rule_keys("procurement", Method::CompetitiveConsultation).unwrap();
    assert_eq!(keys.deadline, "consultation_first_response");
    assert_eq!(keys.clarification, "consultation_clarification_before");
    for (category, method) in [
        ("construction", Method::CompetitiveConsultation),
        ("procurement", Method::Inquiry),
        ("land", Method::Auction),
    ] {
        assert_eq!(
            tender_rule_keys(category, method).unwrap_err().code(),
            "TENDER_METHOD_UNSUPPORTED",
            "{category} {method:?}"
        );
    }

    let construction = construction();
    assert_eq!(construction.rule_sets, ["construction-national-2019"]);
    assert_eq!(
        construction.deadline,
        Period {
            days: 20,
            count: DayCount::CalendarDays,
            kind: PeriodKind::NotLessThan
        }
    );
    assert_eq!(
        construction.clarification,
        Period {
            days: 15,
            count: DayCount::CalendarDays,
            kind: PeriodKind::AtLeastBefore
        }
    );
    assert_eq!(
        (construction.min_bidders, construction.min_invitees),
        (3, 3)
    );
    let consultation = rules("procurement", Method::CompetitiveConsultation);
    assert_eq!(
        (consultation.deadline.days, consultation.clarification.days),
        (10, 5)
    );
}

#[test]
fn earliest_deadline_counts_calendar_days() {
    let cal = calendar();
    let construction = construction();
    let open_procurement = rules("procurement", Method::OpenTender);
    let consultation = rules("procurement", Method::CompetitiveConsultation);
    let cases = [
        (
            "construction, 20日 end on a Sunday: Monday (第203条)",
            &construction,
            "2026-03-02",
            "2026-03-23",
        ),
        (
            "construction, issued in 春节, 20日 end on a Sunday",
            &construction,
            "2026-02-16",
            "2026-03-09",
        ),
        (
            "construction, ends on 国庆: after the holiday",
            &construction,
            "2026-09-11",
            "2026-10-08",
        ),
        (
            "construction, across the year end",
            &construction,
            "2025-12-20",
            "2026-01-09",
        ),
        (
            "open procurement, 20日 too",
            &open_procurement,
            "2026-03-02",
            "2026-03-23",
        ),
        (
            "consultation 10日",
            &consultation,
            "2026-03-02",
            "2026-03-12",
        ),
        (
            "consultation, ends in 国庆: after the holiday",
            &consultation,
            "2026-09-24",
            "2026-10-08",
        ),
    ];
    for (what, rules, issued, expected) in cases {
        assert_eq!(
            earliest_deadline(rules, d(issued), &cal),
            d(expected),
            "{what}"
        );
    }
}

#[test]
fn clarification_keeps_fifteen_days_before_the_deadline() {
    let cal = calendar();
    let rules = construction();
    // (what, clarified on, deadline, expected deadline, moved by the rule)
    let cases = [
        (
            "16 days before",
            "2026-04-04",
            at("2026-04-20", 9, 30),
            at("2026-04-20", 9, 30),
            false,
        ),
        (
            "exactly 15 days before",
            "2026-04-05",
            at("2026-04-20", 9, 30),
            at("2026-04-20", 9, 30),
            false,
        ),
        (
            "14 days before",
            "2026-04-06",
            at("2026-04-20", 9, 30),
            at("2026-04-21", 9, 30),
            true,
        ),
        (
            "8 days before",
            "2026-04-12",
            at("2026-04-20", 9, 30),
            at("2026-04-27", 9, 30),
            true,
        ),
        (
            "late evening deadline keeps its time",
            "2026-04-06",
            at("2026-04-20", 23, 30),
            at("2026-04-21", 23, 30),
            true,
        ),
        (
            "midnight deadline keeps its time",
            "2026-04-06",
            at("2026-04-20", 0, 0),
            at("2026-04-21", 0, 0),
            true,
        ),
    ];
    for (what, today, deadline, expected, moved) in cases {
        assert_eq!(
            deadline_after_clarification(&rules, deadline, d(today), &cal),
            (expected, moved),
            "{what}"
        );
    }
}

#[test]
fn clarification_in_working_days_across_national_day_2026() {
    let cal = calendar();
    // 2026: 中秋 09-25..27, 国庆 10-01..07, 10-10 (Saturday) an adjusted working day.
    let rules = TenderRules {
        clarification: Period {
            days: 5,
            count: DayCount::WorkingDays,
            kind: PeriodKind::AtLeastBefore,
        },
        ..construction()
    };
    // (what, clarified on, deadline, expected deadline, moved by the rule)
    let cases = [
        (
            "5 working days incl. the adjusted Saturday",
            "2026-10-08",
            at("2026-10-14", 9, 30),
            at("2026-10-14", 9, 30),
            false,
        ),
        (
            "before the holidays",
            "2026-09-30",
            at("2026-10-14", 9, 30),
            at("2026-10-14", 9, 30),
            false,
        ),
        (
            "one working day short",
            "2026-10-09",
            at("2026-10-14", 9, 30),
            at("2026-10-15", 9, 30),
            true,
        ),
        (
            "5 working days across both holidays",
            "2026-09-24",
            at("2026-10-09", 9, 30),
            at("2026-10-09", 9, 30),
            false,
        ),
        (
            "clarified in 中秋: moves to the adjusted Saturday",
            "2026-09-25",
            at("2026-10-09", 9, 30),
            at("2026-10-10", 9, 30),
            true,
        ),
    ];
    for (what, today, deadline, expected, moved) in cases {
        assert_eq!(
            deadline_after_clarification(&rules, deadline, d(today), &cal),
            (expected, moved),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The procedure decider
// ---------------------------------------------------------------------------------------------

const ID: &str = "T330106202600001";

fn lot() -> String {
    Procedure::lot_code(ID, 1)
}

fn drafted_at() -> i64 {
    at("2026-03-02", 9, 0)
}

fn published_at() -> i64 {
    at("2026-03-02", 10, 0)
}

/// The draft's bid deadline: 2026-03-25 09:30, 23 days after publication.
fn deadline() -> i64 {
    at("2026-03-25", 9, 30)
}

fn entity(name: &str) -> EntityId {
    EntityId(name.to_string())
}

fn lot_draft(name: &str, budget_fen: i64) -> LotDraft {
    LotDraft {
        name: name.into(),
        budget_fen,
        description: String::new(),
        evaluation: None,
        bond_fen: None,
    }
}

fn draft() -> ProcedureDraft {
    ProcedureDraft {
        project_code: "2026-330106-47-01-512345".into(),
        title: "文三路道路改造工程".into(),
        category: "construction".into(),
        rule_category: "construction".into(),
        method: Method::OpenTender,
        region: RegionCode::parse("330106").unwrap(),
        tenderee: entity("TENDEREE"),
        agency: Some(entity("AGENCY")),
        description: "道路及排水改造".into(),
        qualification: "市政公用工程施工总承包三级及以上".into(),
        invitees: Vec::new(),
        lots: vec![lot_draft("第一标段", 500_000_000)],
        deadline_ms: deadline(),
        opening_place: "线上开标大厅".into(),
        contact: "李娜 0571-88880000".into(),
    }
}

fn invited(invitees: &[&str]) -> ProcedureDraft {
    ProcedureDraft {
        method: Method::InvitedTender,
        invitees: invitees.iter().map(|name| entity(name)).collect(),
        ..draft()
    }
}

fn with_deadline(deadline_ms: i64) -> ProcedureDraft {
    ProcedureDraft {
        deadline_ms,
        ..draft()
    }
}

fn create(draft: ProcedureDraft) -> ProcedureCommand {
    ProcedureCommand::Create {
        id: ID.into(),
        draft,
        by: "agency-li".into(),
    }
}

fn opening_key() -> OpeningKey {
    let holder = |index: u32, label: &str| OpeningHolder {
        index,
        account: holder(index),
        label: label.into(),
        verification_key: format!("04V{index}"),
    };
    OpeningKey {
        ceremony: "2026-03".into(),
        public_key: "04P".into(),
        threshold: 2,
        holders: vec![
            holder(1, "交易中心"),
            holder(2, "行政监督部门"),
            holder(3, "公证机构"),
        ],
    }
}

fn holder(index: u32) -> String {
    format!("holder-{index}")
}

fn attach() -> ProcedureCommand {
    ProcedureCommand::AttachDocuments {
        documents: Document {
            name: "招标文件.pdf".into(),
            sm3: "ab".repeat(32),
            size: 1024,
        },
    }
}

fn publish_with(rules: TenderRules) -> ProcedureCommand {
    ProcedureCommand::Publish {
        rules,
        calendar: calendar(),
        opening_key: opening_key(),
    }
}

fn publish() -> ProcedureCommand {
    publish_with(construction())
}

fn amend(deadline_ms: Option<i64>) -> ProcedureCommand {
    ProcedureCommand::Amend {
        text: "补充工程量清单".into(),
        document: None,
        deadline_ms,
        calendar: calendar(),
    }
}

fn bidder(i: usize) -> EntityId {
    entity(&format!("BIDDER{i}"))
}

fn sealed(i: usize) -> SealedBidRef {
    SealedBidRef {
        bidder: bidder(i),
        bidder_name: format!("投标人{i}"),
        envelope: format!("env-{i}"),
        wrapped_key: format!("04C{i}"),
        header: String::new(),
        submitted_at_ms: None,
    }
}

fn start_opening(bids: usize) -> ProcedureCommand {
    ProcedureCommand::StartOpening {
        lot: lot(),
        bids: (1..=bids).map(sealed).collect(),
    }
}

fn partials(holder: u32, bidders: &[usize]) -> Vec<BidPartial> {
    bidders
        .iter()
        .map(|&i| BidPartial {
            bidder: bidder(i),
            point: format!("04D{holder}-{i}"),
            proof: "00".into(),
        })
        .collect()
}

fn accept(index: u32, account: &str, bidders: &[usize]) -> ProcedureCommand {
    ProcedureCommand::AcceptPartial {
        lot: lot(),
        holder: index,
        account: account.into(),
        partials: partials(index, bidders),
    }
}

/// Holder `index`'s partials of all three bids, from its own account.
fn accept_all(index: u32) -> ProcedureCommand {
    accept(index, &holder(index), &[1, 2, 3])
}

fn line(i: usize) -> OpeningLine {
    OpeningLine {
        bidder: bidder(i),
        bidder_name: format!("投标人{i}"),
        envelope: format!("env-{i}"),
        outcome: OpeningOutcome::Opened,
        price_fen: Some(480_000_000 + i as i64),
        form: BTreeMap::from([("工期".to_string(), "180日历天".to_string())]),
        files: Vec::new(),
        submitted_at_ms: None,
    }
}

fn record(lines: Vec<OpeningLine>) -> ProcedureCommand {
    ProcedureCommand::RecordOpening { lot: lot(), lines }
}

fn suspend() -> ProcedureCommand {
    ProcedureCommand::Suspend {
        lot: lot(),
        reason: "收到投诉，暂停审查".into(),
    }
}

fn resume() -> ProcedureCommand {
    ProcedureCommand::Resume { lot: lot() }
}

fn terminate() -> ProcedureCommand {
    ProcedureCommand::Terminate {
        reason: "项目取消".into(),
    }
}

/// A step of a history: the moment and a command that must be accepted.
type Step = (i64, ProcedureCommand);

/// The state after `steps`.
fn run(steps: &[Step]) -> Option<Procedure> {
    let mut state: Option<Procedure> = None;
    for (now, command) in steps {
        let events = state
            .decide(command.clone(), *now)
            .unwrap_or_else(|e| panic!("setup step refused: {}", e.code()));
        for event in &events {
            state = state.evolve(event);
        }
    }
    state
}

/// Drafted with the tender documents attached.
fn drafted_with(draft: ProcedureDraft) -> Vec<Step> {
    vec![
        (drafted_at(), create(draft)),
        (drafted_at() + 60_000, attach()),
    ]
}

fn drafted() -> Vec<Step> {
    drafted_with(draft())
}

fn published() -> Vec<Step> {
    let mut steps = drafted();
    steps.push((published_at(), publish()));
    steps
}

/// Opening started at the deadline with three bids.
fn opening() -> Vec<Step> {
    let mut steps = published();
    steps.push((deadline(), start_opening(3)));
    steps
}

/// Opening with the partials of `holders` accepted.
fn opening_with(holders: &[u32]) -> Vec<Step> {
    let mut steps = opening();
    for (minute, &index) in (1..).zip(holders) {
        steps.push((deadline() + minute * 60_000, accept_all(index)));
    }
    steps
}

fn opened() -> Vec<Step> {
    let mut steps = opening_with(&[1, 2]);
    steps.push((deadline() + 600_000, record((1..=3).map(line).collect())));
    steps
}

fn kinds(events: &[ProcedureEvent]) -> Vec<&'static str> {
    events.iter().map(ProcedureEvent::kind).collect()
}

/// The event kinds, or the refusal's code, of `command` at `now` after `steps`.
fn check(steps: &[Step], now: i64, command: ProcedureCommand) -> Outcome {
    run(steps)
        .decide(command, now)
        .map(|events| kinds(&events))
        .map_err(|e| e.code())
}

/// (what, history, now, command, expected event kinds or refusal code)
type Case = (&'static str, Vec<Step>, i64, ProcedureCommand, Outcome);

fn assert_cases(cases: Vec<Case>) {
    for (what, steps, now, command, expected) in cases {
        assert_eq!(check(&steps, now, command), expected, "{what}");
    }
}

#[test]
fn create_validates_the_draft() {
    let edit = |change: fn(&mut ProcedureDraft)| {
        let mut draft = draft();
        change(&mut draft);
        draft
    };
    let cases: Vec<(&str, ProcedureDraft, Outcome)> = vec![
        ("open tender", draft(), Ok(vec!["procedure.drafted"])),
        (
            "without an agency",
            edit(|d| d.agency = None),
            Ok(vec!["procedure.drafted"]),
        ),
        (
            "invited tender",
            invited(&["A", "B", "C"]),
            Ok(vec!["procedure.drafted"]),
        ),
        (
            "project code too short",
            edit(|d| d.project_code = "12345".into()),
            Err("PROJECT_CODE"),
        ),
        (
            "project code too long",
            edit(|d| d.project_code = "A".repeat(41)),
            Err("PROJECT_CODE"),
        ),
        (
            "project code with underscores",
            edit(|d| d.project_code = "2026_330106_47".into()),
            Err("PROJECT_CODE"),
        ),
        (
            "project code in Chinese",
            edit(|d| d.project_code = "项目2026001".into()),
            Err("PROJECT_CODE"),
        ),
        (
            "blank title",
            edit(|d| d.title = "  ".into()),
            Err("FIELD_REQUIRED"),
        ),
        ("no lots", edit(|d| d.lots.clear()), Err("FIELD_REQUIRED")),
        (
            "51 lots",
            edit(|d| d.lots = vec![lot_draft("标段", 1); 51]),
            Err("TOO_MANY_LOTS"),
        ),
        (
            "zero budget",
            edit(|d| d.lots[0].budget_fen = 0),
            Err("LOT_BUDGET"),
        ),
        (
            "negative budget",
            edit(|d| d.lots[0].budget_fen = -1),
            Err("LOT_BUDGET"),
        ),
        (
            "invitees on an open tender",
            edit(|d| d.invitees = vec![entity("A")]),
            Err("INVITEES_ONLY_FOR_INVITED_TENDER"),
        ),
        (
            "invitee repeated",
            invited(&["A", "B", "A"]),
            Err("INVITEE_REPEATED"),
        ),
        (
            "agency is the tenderee",
            edit(|d| d.agency = Some(d.tenderee.clone())),
            Err("AGENCY_IS_TENDEREE"),
        ),
    ];
    for (what, draft, expected) in cases {
        assert_eq!(check(&[], drafted_at(), create(draft)), expected, "{what}");
    }

    let mut second_lot_free = draft();
    second_lot_free.lots.push(lot_draft("第二标段", 0));
    assert_eq!(
        None::<Procedure>
            .decide(create(second_lot_free), drafted_at())
            .unwrap_err(),
        DomainError::LotBudget { lot: 2 }
    );
    assert_eq!(
        check(&drafted(), drafted_at(), create(draft())),
        Err("PROCEDURE_EXISTS")
    );
    assert_eq!(
        check(&[], published_at(), publish()),
        Err("PROCEDURE_NOT_FOUND")
    );
}

#[test]
fn publish_checks_the_deadline_and_the_invitees() {
    let consultation = || ProcedureDraft {
        category: "procurement".into(),
        rule_category: "procurement".into(),
        method: Method::CompetitiveConsultation,
        ..draft()
    };
    let consultation_rules = || rules("procurement", Method::CompetitiveConsultation);
    let ok = || Ok(vec!["procedure.published"]);
    let cases: Vec<Case> = vec![
        (
            "deadline 23 days after issue",
            drafted(),
            published_at(),
            publish(),
            ok(),
        ),
        (
            "20 days end on a Sunday: the minimum runs to Monday (民法典 第203条)",
            drafted_with(with_deadline(at("2026-03-22", 9, 30))),
            published_at(),
            publish(),
            Err("DEADLINE_TOO_EARLY"),
        ),
        (
            "deadline exactly the earliest day",
            drafted_with(with_deadline(at("2026-03-23", 9, 30))),
            published_at(),
            publish(),
            ok(),
        ),
        (
            "deadline one day too early",
            drafted_with(with_deadline(at("2026-03-21", 23, 59))),
            published_at(),
            publish(),
            Err("DEADLINE_TOO_EARLY"),
        ),
        (
            "issued 23:59 Beijing time counts from that day",
            drafted_with(with_deadline(at("2026-03-23", 9, 30))),
            at("2026-03-02", 23, 59),
            publish(),
            ok(),
        ),
        (
            "issued 00:30 Beijing time counts from the next day",
            drafted_with(with_deadline(at("2026-03-22", 9, 30))),
            at("2026-03-03", 0, 30),
            publish(),
            Err("DEADLINE_TOO_EARLY"),
        ),
        (
            "consultation: exactly 10 days",
            drafted_with(ProcedureDraft {
                deadline_ms: at("2026-03-12", 9, 30),
                ..consultation()
            }),
            published_at(),
            publish_with(consultation_rules()),
            ok(),
        ),
        (
            "consultation: 9 days",
            drafted_with(ProcedureDraft {
                deadline_ms: at("2026-03-11", 9, 30),
                ..consultation()
            }),
            published_at(),
            publish_with(consultation_rules()),
            Err("DEADLINE_TOO_EARLY"),
        ),
        (
            "deadline beyond the calendar: weekends only, provisional",
            drafted_with(with_deadline(at("2027-01-15", 9, 30))),
            at("2026-12-20", 10, 0),
            publish(),
            ok(),
        ),
        (
            "beyond the calendar the minimum still moves off a weekend",
            drafted_with(with_deadline(at("2027-01-09", 9, 30))),
            at("2026-12-20", 10, 0),
            publish(),
            Err("DEADLINE_TOO_EARLY"),
        ),
        (
            "years beyond the calendar",
            drafted_with(with_deadline(at("2031-04-01", 9, 30))),
            at("2031-03-03", 10, 0),
            publish(),
            ok(),
        ),
        (
            "invited tender, 3 invitees",
            drafted_with(invited(&["A", "B", "C"])),
            published_at(),
            publish(),
            ok(),
        ),
        (
            "invited tender, 2 invitees",
            drafted_with(invited(&["A", "B"])),
            published_at(),
            publish(),
            Err("TOO_FEW_INVITEES"),
        ),
        (
            "publish twice",
            published(),
            published_at(),
            publish(),
            Err("PROCEDURE_NOT_DRAFT"),
        ),
        (
            "edit the draft",
            drafted(),
            published_at(),
            ProcedureCommand::EditDraft { draft: draft() },
            Ok(vec!["procedure.draft_edited"]),
        ),
        (
            "edit after publication",
            published(),
            published_at(),
            ProcedureCommand::EditDraft { draft: draft() },
            Err("PROCEDURE_NOT_DRAFT"),
        ),
        (
            "no tender documents",
            vec![(drafted_at(), create(draft()))],
            published_at(),
            publish(),
            Err("FIELD_REQUIRED"),
        ),
        (
            "replace the documents",
            drafted(),
            published_at(),
            attach(),
            Ok(vec!["procedure.documents_attached"]),
        ),
        (
            "attach after publication",
            published(),
            published_at(),
            attach(),
            Err("PROCEDURE_NOT_DRAFT"),
        ),
    ];
    assert_cases(cases);

    let too_early = run(&drafted_with(with_deadline(at("2026-03-21", 9, 30))))
        .decide(publish(), published_at())
        .unwrap_err();
    assert_eq!(
        too_early,
        DomainError::DeadlineTooEarly {
            earliest: "2026-03-23".into(),
            rule: "不得少于20日".into()
        }
    );
    let two = run(&drafted_with(invited(&["A", "B"])))
        .decide(publish(), published_at())
        .unwrap_err();
    assert_eq!(
        two,
        DomainError::TooFewInvitees {
            needed: 3,
            invited: 2
        }
    );

    let procedure = run(&published()).unwrap();
    assert_eq!(procedure.published_at_ms, Some(published_at()));
    assert_eq!(procedure.documents.as_ref().map(|doc| doc.size), Some(1024));
    assert_eq!(procedure.rules, Some(construction()));
    assert_eq!(procedure.lots.len(), 1);
    assert_eq!(procedure.lots[0].code, "T330106202600001001");
    assert_eq!(procedure.lots[0].status, LotStatus::Bidding);
}

/// The amendment `amend(requested)` at `now` makes on the published procedure.
fn amendment_at(now: i64, requested: Option<i64>) -> domain::Amendment {
    let events = run(&published()).decide(amend(requested), now).unwrap();
    match events.as_slice() {
        [ProcedureEvent::Amended { amendment }] => amendment.clone(),
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn amend_refusals() {
    let blank = ProcedureCommand::Amend {
        text: " ".into(),
        document: None,
        deadline_ms: None,
        calendar: calendar(),
    };
    let now = at("2026-03-05", 10, 0);
    let cases: Vec<Case> = vec![
        (
            "clarification",
            published(),
            now,
            amend(None),
            Ok(vec!["procedure.amended"]),
        ),
        (
            "before publication",
            drafted(),
            now,
            amend(None),
            Err("PROCEDURE_NOT_PUBLISHED"),
        ),
        (
            "advance the deadline",
            published(),
            now,
            amend(Some(deadline() - 86_400_000)),
            Err("DEADLINE_ADVANCED"),
        ),
        (
            "advance the deadline by 1 ms",
            published(),
            now,
            amend(Some(deadline() - 1)),
            Err("DEADLINE_ADVANCED"),
        ),
        (
            "1 ms before the deadline",
            published(),
            deadline() - 1,
            amend(None),
            Ok(vec!["procedure.amended"]),
        ),
        (
            "at the deadline",
            published(),
            deadline(),
            amend(None),
            Err("BIDDING_CLOSED"),
        ),
        (
            "after the deadline",
            published(),
            deadline() + 3_600_000,
            amend(None),
            Err("BIDDING_CLOSED"),
        ),
        ("blank text", published(), now, blank, Err("FIELD_REQUIRED")),
        (
            "postponed beyond the calendar",
            published(),
            now,
            amend(Some(at("2027-01-05", 9, 30))),
            Ok(vec!["procedure.amended"]),
        ),
    ];
    assert_cases(cases);
}

/// A deadline computed beyond the calendar is provisional; when the year's calendar is published
/// the same procedure is judged again: on a holiday, or under the minimum the 第203条 extension
/// now sets, it needs the tenderee's amendment.
#[test]
fn a_provisional_deadline_is_rechecked_by_the_next_calendar() {
    let procedure = |deadline: i64| {
        let mut steps = drafted_with(with_deadline(deadline));
        steps.push((at("2026-12-20", 10, 0), publish()));
        run(&steps).unwrap()
    };
    let shipped = calendar();
    let next_year = Calendar::parse_csv(&format!(
        "{CALENDAR}2027-01-01,holiday,元旦\n2027-01-11,holiday,假想的调整日\n2027-02-20,workday,春节调休上班\n"
    ))
    .unwrap();
    // (what, deadline, standing under the shipped calendar, under the next year's)
    let cases = [
        (
            "an ordinary Friday stays good",
            at("2027-01-15", 9, 30),
            (true, None, None),
            (false, None, None),
        ),
        (
            "exactly the minimum, now a holiday: both",
            at("2027-01-11", 9, 30),
            (true, None, None),
            (false, Some("假想的调整日"), Some("2027-01-12")),
        ),
    ];
    for (what, deadline, before, after) in cases {
        let p = procedure(deadline);
        let today = d("2026-12-20");
        for (calendar, (provisional, holiday, below)) in [(&shipped, before), (&next_year, after)] {
            let standing = deadline_standing(&p, calendar, today);
            assert_eq!(standing.provisional, provisional, "{what}");
            assert_eq!(standing.holiday.as_deref(), holiday, "{what}");
            assert_eq!(standing.below_minimum, below.map(d), "{what}");
            assert_eq!(
                standing.needs_attention(),
                holiday.is_some() || below.is_some()
            );
        }
    }
    // Within the covered years nothing is provisional.
    let covered = deadline_standing(&run(&published()).unwrap(), &shipped, d("2026-03-02"));
    assert_eq!(covered, domain::DeadlineStanding::default());
}

#[test]
fn amend_keeps_fifteen_days_before_the_deadline() {
    // (what, amended at, requested deadline, expected deadline, moved by the rule)
    let cases = [
        (
            "exactly 15 days before",
            at("2026-03-10", 16, 0),
            None,
            deadline(),
            false,
        ),
        (
            "10 days before",
            at("2026-03-15", 10, 0),
            None,
            at("2026-03-30", 9, 30),
            true,
        ),
        (
            "10 days before, postponed far enough",
            at("2026-03-15", 10, 0),
            Some(at("2026-04-15", 9, 30)),
            at("2026-04-15", 9, 30),
            false,
        ),
        (
            "10 days before, postponed too little",
            at("2026-03-15", 10, 0),
            Some(at("2026-03-26", 14, 0)),
            at("2026-03-30", 14, 0),
            true,
        ),
    ];
    for (what, now, requested, expected, by_rule) in cases {
        let amendment = amendment_at(now, requested);
        assert_eq!(amendment.no, 1, "{what}");
        assert_eq!(amendment.old_deadline_ms, deadline(), "{what}");
        assert_eq!(amendment.deadline_ms, expected, "{what}");
        assert_eq!(amendment.postponed_by_rule, by_rule, "{what}");
    }

    let mut steps = published();
    steps.push((at("2026-03-15", 10, 0), amend(None)));
    let procedure = run(&steps).unwrap();
    assert_eq!(procedure.deadline_ms(), at("2026-03-30", 9, 30));
    assert_eq!(procedure.amendments.len(), 1);
    // The old deadline has passed on the clock but bidding runs to the new one.
    assert_eq!(
        check(&steps, deadline(), start_opening(3)),
        Err("BIDDING_STILL_OPEN")
    );
    let second = run(&steps)
        .decide(amend(None), at("2026-03-16", 10, 0))
        .unwrap();
    assert!(matches!(
        &second[..],
        [ProcedureEvent::Amended { amendment }] if amendment.no == 2
            && amendment.old_deadline_ms == at("2026-03-30", 9, 30)
            && amendment.deadline_ms == at("2026-03-31", 9, 30)
    ));
}

#[test]
fn opening_starts_at_the_deadline_or_fails_the_lot() {
    let cases: Vec<Case> = vec![
        (
            "1 ms before the deadline",
            published(),
            deadline() - 1,
            start_opening(3),
            Err("BIDDING_STILL_OPEN"),
        ),
        (
            "at the deadline, 3 bids",
            published(),
            deadline(),
            start_opening(3),
            Ok(vec!["procedure.opening_started"]),
        ),
        (
            "after the deadline, 5 bids",
            published(),
            deadline() + 60_000,
            start_opening(5),
            Ok(vec!["procedure.opening_started"]),
        ),
        (
            "2 bids: 流标",
            published(),
            deadline(),
            start_opening(2),
            Ok(vec!["procedure.lot_failed"]),
        ),
        (
            "no bids: 流标",
            published(),
            deadline(),
            start_opening(0),
            Ok(vec!["procedure.lot_failed"]),
        ),
        (
            "unknown lot",
            published(),
            deadline(),
            ProcedureCommand::StartOpening {
                lot: Procedure::lot_code(ID, 2),
                bids: vec![],
            },
            Err("LOT_NOT_FOUND"),
        ),
        (
            "twice",
            opening(),
            deadline(),
            start_opening(3),
            Err("LOT_NOT_BIDDING"),
        ),
    ];
    assert_cases(cases);

    let mut steps = published();
    steps.push((deadline(), start_opening(2)));
    let procedure = run(&steps).unwrap();
    let LotStatus::Failed { reason } = &procedure.lots[0].status else {
        panic!("{:?}", procedure.lots[0].status);
    };
    assert!(reason.contains("少于3个（实际2个）"), "{reason}");

    let procedure = run(&opening()).unwrap();
    assert_eq!(
        procedure.lots[0].status,
        LotStatus::Opening {
            bids: (1..=3).map(sealed).collect()
        }
    );
}

#[test]
fn partial_decryptions_come_from_the_key_holders() {
    let later = deadline() + 300_000;
    let cases: Vec<Case> = vec![
        (
            "holder 1",
            opening(),
            later,
            accept_all(1),
            Ok(vec!["procedure.partial_accepted"]),
        ),
        (
            "holder 3 after holder 1",
            opening_with(&[1]),
            later,
            accept_all(3),
            Ok(vec!["procedure.partial_accepted"]),
        ),
        (
            "another holder's account",
            opening(),
            later,
            accept(1, &holder(2), &[1, 2, 3]),
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "a stranger",
            opening(),
            later,
            accept(1, "bidder-1", &[1, 2, 3]),
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "a seat the key does not have",
            opening(),
            later,
            accept(4, &holder(4), &[1, 2, 3]),
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "twice",
            opening_with(&[1]),
            later,
            accept_all(1),
            Err("PARTIAL_ALREADY_IN"),
        ),
        (
            "a bid missing",
            opening(),
            later,
            accept(1, &holder(1), &[1, 2]),
            Err("PARTIALS_INCOMPLETE"),
        ),
        (
            "out of order",
            opening(),
            later,
            accept(1, &holder(1), &[2, 1, 3]),
            Err("PARTIALS_INCOMPLETE"),
        ),
        (
            "a bid too many",
            opening(),
            later,
            accept(1, &holder(1), &[1, 2, 3, 4]),
            Err("PARTIALS_INCOMPLETE"),
        ),
        (
            "a bid twice",
            opening(),
            later,
            accept(1, &holder(1), &[1, 1, 3]),
            Err("PARTIALS_INCOMPLETE"),
        ),
        (
            "before the opening",
            published(),
            later,
            accept_all(1),
            Err("LOT_NOT_OPENING"),
        ),
        (
            "after the opening",
            opened(),
            later,
            accept_all(3),
            Err("LOT_NOT_OPENING"),
        ),
    ];
    assert_cases(cases);

    let procedure = run(&opening_with(&[2, 1])).unwrap();
    let holders: Vec<u32> = procedure.lots[0].partials.iter().map(|p| p.0).collect();
    assert_eq!(holders, [2, 1]);
}

#[test]
fn the_opening_record_needs_the_threshold_and_the_sealed_bids() {
    let later = deadline() + 600_000;
    let all = || (1..=3).map(line).collect::<Vec<_>>();
    let mut other_envelope = all();
    other_envelope[1].envelope = "env-x".into();
    let mut one_failed = all();
    one_failed[2].outcome = OpeningOutcome::Failed {
        reason: "解密失败".into(),
    };
    one_failed[2].price_fen = None;
    let cases: Vec<Case> = vec![
        (
            "no partials",
            opening(),
            later,
            record(all()),
            Err("PARTIALS_SHORT"),
        ),
        (
            "1 of threshold 2",
            opening_with(&[3]),
            later,
            record(all()),
            Err("PARTIALS_SHORT"),
        ),
        (
            "2 of 3",
            opening_with(&[1, 3]),
            later,
            record(all()),
            Ok(vec!["procedure.lot_opened"]),
        ),
        (
            "all 3",
            opening_with(&[1, 2, 3]),
            later,
            record(all()),
            Ok(vec!["procedure.lot_opened"]),
        ),
        (
            "a bid that failed to open",
            opening_with(&[1, 2]),
            later,
            record(one_failed),
            Ok(vec!["procedure.lot_opened"]),
        ),
        (
            "a line missing",
            opening_with(&[1, 2]),
            later,
            record(all()[..2].to_vec()),
            Err("OPENING_RECORD_MISMATCH"),
        ),
        (
            "a line too many",
            opening_with(&[1, 2]),
            later,
            record((1..=4).map(line).collect()),
            Err("OPENING_RECORD_MISMATCH"),
        ),
        (
            "lines out of order",
            opening_with(&[1, 2]),
            later,
            record(vec![line(2), line(1), line(3)]),
            Err("OPENING_RECORD_MISMATCH"),
        ),
        (
            "another envelope",
            opening_with(&[1, 2]),
            later,
            record(other_envelope),
            Err("OPENING_RECORD_MISMATCH"),
        ),
        (
            "before the opening",
            published(),
            later,
            record(all()),
            Err("LOT_NOT_OPENING"),
        ),
        (
            "twice",
            opened(),
            later,
            record(all()),
            Err("LOT_NOT_OPENING"),
        ),
    ];
    assert_cases(cases);

    let short = run(&opening_with(&[3]))
        .decide(record(all()), later)
        .unwrap_err();
    assert_eq!(short, DomainError::PartialsShort { needed: 2, have: 1 });

    let procedure = run(&opened()).unwrap();
    let lot = &procedure.lots[0];
    assert_eq!(lot.status, LotStatus::Opened);
    assert_eq!(lot.opening, all());
    assert_eq!(lot.opened_at_ms, Some(deadline() + 600_000));
}

#[test]
fn suspend_and_resume_return_to_the_previous_status() {
    let now = at("2026-03-10", 10, 0);
    let after_deadline = deadline() + 3_600_000;
    for (what, mut steps, now) in [
        ("bidding", published(), now),
        ("opening", opening_with(&[1]), after_deadline),
        ("opened", opened(), after_deadline),
    ] {
        let before = run(&steps).unwrap();
        steps.push((now, suspend()));
        let suspended = run(&steps).unwrap();
        assert_eq!(
            suspended.lots[0].status,
            LotStatus::Suspended {
                reason: "收到投诉，暂停审查".into(),
                before: Box::new(before.lots[0].status.clone()),
            },
            "{what}"
        );
        steps.push((now + 60_000, resume()));
        let resumed = run(&steps).unwrap();
        assert_eq!(resumed.lots, before.lots, "{what}");
    }

    let mut suspended = published();
    suspended.push((now, suspend()));
    let mut failed = published();
    failed.push((deadline(), start_opening(1)));
    let blank = ProcedureCommand::Suspend {
        lot: lot(),
        reason: "  ".into(),
    };
    let cases: Vec<Case> = vec![
        (
            "suspend twice",
            suspended.clone(),
            now,
            suspend(),
            Err("LOT_NOT_SUSPENDABLE"),
        ),
        (
            "suspend a failed lot",
            failed.clone(),
            now,
            suspend(),
            Err("LOT_NOT_SUSPENDABLE"),
        ),
        (
            "suspend without a reason",
            published(),
            now,
            blank,
            Err("REASON_REQUIRED"),
        ),
        (
            "resume a running lot",
            published(),
            now,
            resume(),
            Err("LOT_NOT_SUSPENDED"),
        ),
        (
            "suspended: no opening",
            suspended.clone(),
            deadline(),
            start_opening(3),
            Err("LOT_NOT_BIDDING"),
        ),
        (
            "suspended: no partials",
            {
                let mut steps = opening();
                steps.push((deadline() + 1, suspend()));
                steps
            },
            deadline() + 2,
            accept_all(1),
            Err("LOT_NOT_OPENING"),
        ),
        (
            "suspend an unknown lot",
            published(),
            now,
            ProcedureCommand::Suspend {
                lot: "X".into(),
                reason: "r".into(),
            },
            Err("LOT_NOT_FOUND"),
        ),
    ];
    assert_cases(cases);
}

#[test]
fn a_terminated_procedure_refuses_everything() {
    let now = at("2026-03-10", 10, 0);
    let mut terminated = published();
    terminated.push((now, terminate()));
    let procedure = run(&terminated).unwrap();
    assert_eq!(procedure.termination_reason.as_deref(), Some("项目取消"));
    assert_eq!(
        procedure.lots[0].status,
        LotStatus::Terminated {
            reason: "项目取消".into()
        }
    );

    let commands = [
        ("edit", ProcedureCommand::EditDraft { draft: draft() }),
        ("attach documents", attach()),
        ("publish", publish()),
        ("amend", amend(None)),
        ("start opening", start_opening(3)),
        ("accept a partial", accept_all(1)),
        ("record the opening", record((1..=3).map(line).collect())),
        ("suspend", suspend()),
        ("resume", resume()),
        ("terminate again", terminate()),
    ];
    for (what, command) in commands {
        assert_eq!(
            check(&terminated, now + 1, command),
            Err("PROCEDURE_TERMINATED"),
            "{what}"
        );
    }
    assert_eq!(
        check(&terminated, now + 1, create(draft())),
        Err("PROCEDURE_EXISTS")
    );

    let mut terminated_draft = drafted();
    terminated_draft.push((now, terminate()));
    assert_eq!(
        check(&terminated_draft, now + 1, publish()),
        Err("PROCEDURE_TERMINATED")
    );

    let mut failed = published();
    failed.push((deadline(), start_opening(2)));
    let blank = ProcedureCommand::Terminate { reason: "".into() };
    let cases: Vec<Case> = vec![
        (
            "terminate a draft",
            drafted(),
            now,
            terminate(),
            Ok(vec!["procedure.terminated"]),
        ),
        (
            "terminate during the opening",
            opening(),
            deadline() + 1,
            terminate(),
            Ok(vec!["procedure.terminated"]),
        ),
        (
            "every lot already ended",
            failed,
            deadline() + 1,
            terminate(),
            Err("PROCEDURE_FINISHED"),
        ),
        (
            "without a reason",
            published(),
            now,
            blank,
            Err("REASON_REQUIRED"),
        ),
    ];
    assert_cases(cases);
}

// ---------------------------------------------------------------------------------------------
// 3. The bid decider
// ---------------------------------------------------------------------------------------------

fn terms() -> LotTerms {
    LotTerms {
        lot: lot(),
        deadline_ms: deadline(),
        bidding: true,
        invited: true,
        bidder_may_trade: true,
    }
}

fn envelope(sm3: &str) -> SealedEnvelope {
    SealedEnvelope {
        sm3: sm3.into(),
        size: 4096,
        wrapped_key: format!("04{sm3}"),
        certificate: "cert".into(),
        machine_fingerprint: "machine".into(),
        sealed_at_ms: at("2026-03-20", 8, 0),
        header: String::new(),
        upload_tag: String::new(),
    }
}

fn register(terms: LotTerms) -> BidCommand {
    BidCommand::Register {
        terms,
        bidder: bidder(1),
        by: "bidder-1".into(),
    }
}

fn submit(sm3: &str) -> BidCommand {
    BidCommand::Submit {
        terms: terms(),
        envelope: envelope(sm3),
    }
}

fn withdraw() -> BidCommand {
    BidCommand::Withdraw { terms: terms() }
}

fn bid_registered() -> BidEvent {
    BidEvent::Registered {
        lot: lot(),
        bidder: bidder(1),
        by: "bidder-1".into(),
        at_ms: at("2026-03-03", 9, 0),
    }
}

fn bid_submitted(sm3: &str) -> BidEvent {
    BidEvent::Submitted {
        envelope: envelope(sm3),
        replaces: None,
        at_ms: at("2026-03-20", 9, 0),
    }
}

fn bid_withdrawn(sm3: &str) -> BidEvent {
    BidEvent::Withdrawn {
        envelope: sm3.into(),
        at_ms: at("2026-03-21", 9, 0),
    }
}

fn check_bid(history: &[BidEvent], now: i64, command: BidCommand) -> Outcome {
    <Option<Bid>>::replay(history)
        .decide(command, now)
        .map(|events| events.iter().map(BidEvent::kind).collect())
        .map_err(|e| e.code())
}

#[test]
fn bid_decider_table() {
    let now = at("2026-03-10", 10, 0);
    let registered = || vec![bid_registered()];
    let submitted = || vec![bid_registered(), bid_submitted("a")];
    let withdrawn = || vec![bid_registered(), bid_submitted("a"), bid_withdrawn("a")];
    let closed = LotTerms {
        bidding: false,
        ..terms()
    };
    let not_invited = LotTerms {
        invited: false,
        ..terms()
    };
    let barred = LotTerms {
        bidder_may_trade: false,
        ..terms()
    };
    type BidCase = (&'static str, Vec<BidEvent>, i64, BidCommand, Outcome);
    let cases: Vec<BidCase> = vec![
        (
            "register",
            vec![],
            now,
            register(terms()),
            Ok(vec!["bid.registered"]),
        ),
        (
            "register 1 ms before the deadline",
            vec![],
            deadline() - 1,
            register(terms()),
            Ok(vec!["bid.registered"]),
        ),
        (
            "register at the deadline",
            vec![],
            deadline(),
            register(terms()),
            Err("BID_TOO_LATE"),
        ),
        (
            "register after the deadline",
            vec![],
            deadline() + 86_400_000,
            register(terms()),
            Err("BID_TOO_LATE"),
        ),
        (
            "register, lot not bidding",
            vec![],
            now,
            register(closed.clone()),
            Err("LOT_NOT_BIDDING"),
        ),
        (
            "register, not invited",
            vec![],
            now,
            register(not_invited),
            Err("NOT_INVITED"),
        ),
        (
            "register, bidder barred",
            vec![],
            now,
            register(barred.clone()),
            Err("ENTITY_NOT_ACTIVE"),
        ),
        (
            "register twice",
            registered(),
            now,
            register(terms()),
            Err("ALREADY_REGISTERED_FOR_LOT"),
        ),
        (
            "download",
            registered(),
            now,
            BidCommand::RecordDownload { copy: "C1".into() },
            Ok(vec!["bid.documents_downloaded"]),
        ),
        (
            "download unregistered",
            vec![],
            now,
            BidCommand::RecordDownload { copy: "C2".into() },
            Err("NOT_REGISTERED_FOR_LOT"),
        ),
        (
            "submit unregistered",
            vec![],
            now,
            submit("a"),
            Err("NOT_REGISTERED_FOR_LOT"),
        ),
        (
            "submit",
            registered(),
            now,
            submit("a"),
            Ok(vec!["bid.submitted"]),
        ),
        (
            "submit 1 ms before the deadline",
            registered(),
            deadline() - 1,
            submit("a"),
            Ok(vec!["bid.submitted"]),
        ),
        (
            "submit at the deadline",
            registered(),
            deadline(),
            submit("a"),
            Err("BID_TOO_LATE"),
        ),
        (
            "submit 1 ms after the deadline",
            registered(),
            deadline() + 1,
            submit("a"),
            Err("BID_TOO_LATE"),
        ),
        (
            "submit, lot suspended",
            registered(),
            now,
            BidCommand::Submit {
                terms: closed,
                envelope: envelope("a"),
            },
            Err("LOT_NOT_BIDDING"),
        ),
        (
            "submit, bidder barred",
            registered(),
            now,
            BidCommand::Submit {
                terms: barred,
                envelope: envelope("a"),
            },
            Err("ENTITY_NOT_ACTIVE"),
        ),
        (
            "replace",
            submitted(),
            now,
            submit("b"),
            Ok(vec!["bid.submitted"]),
        ),
        (
            "the same envelope again",
            submitted(),
            now,
            submit("a"),
            Err("ENVELOPE_UNCHANGED"),
        ),
        (
            "withdraw",
            submitted(),
            now,
            withdraw(),
            Ok(vec!["bid.withdrawn"]),
        ),
        (
            "withdraw at the deadline",
            submitted(),
            deadline(),
            withdraw(),
            Err("BID_TOO_LATE"),
        ),
        (
            "withdraw with nothing submitted",
            registered(),
            now,
            withdraw(),
            Err("NOTHING_TO_WITHDRAW"),
        ),
        (
            "withdraw twice",
            withdrawn(),
            now,
            withdraw(),
            Err("NOTHING_TO_WITHDRAW"),
        ),
        (
            "withdraw unregistered",
            vec![],
            now,
            withdraw(),
            Err("NOT_REGISTERED_FOR_LOT"),
        ),
        (
            "submit again after withdrawing",
            withdrawn(),
            now,
            submit("a"),
            Ok(vec!["bid.submitted"]),
        ),
    ];
    for (what, history, now, command, expected) in cases {
        assert_eq!(check_bid(&history, now, command), expected, "{what}");
    }
}

#[test]
fn replacing_and_withdrawing_a_bid() {
    let now = at("2026-03-22", 10, 0);
    let mut history = vec![bid_registered(), bid_submitted("a")];

    let replaced = <Option<Bid>>::replay(&history)
        .decide(submit("b"), now)
        .unwrap();
    assert_eq!(
        replaced,
        [BidEvent::Submitted {
            envelope: envelope("b"),
            replaces: Some("a".into()),
            at_ms: now,
        }]
    );
    history.extend(replaced);
    let withdrawn = <Option<Bid>>::replay(&history)
        .decide(withdraw(), now + 1)
        .unwrap();
    assert_eq!(
        withdrawn,
        [BidEvent::Withdrawn {
            envelope: "b".into(),
            at_ms: now + 1,
        }]
    );
    history.extend(withdrawn);
    let state = <Option<Bid>>::replay(&history).unwrap();
    assert_eq!(state.status, BidStatus::Withdrawn);
    assert_eq!(state.envelope, None);

    let again = <Option<Bid>>::replay(&history)
        .decide(submit("b"), now + 2)
        .unwrap();
    assert!(matches!(
        &again[..],
        [BidEvent::Submitted { replaces: None, .. }]
    ));
    history.extend(again);
    history.push(BidEvent::DocumentsDownloaded {
        at_ms: now + 3,
        copy: "C1".into(),
    });
    history.push(BidEvent::DocumentsDownloaded {
        at_ms: now + 4,
        copy: "C2".into(),
    });
    let state = <Option<Bid>>::replay(&history).unwrap();
    assert_eq!(state.status, BidStatus::Submitted);
    assert_eq!(state.envelope, Some(envelope("b")));
    assert_eq!(state.submitted_at_ms, Some(now + 2));
    assert_eq!(state.submissions, 3);
    assert_eq!(state.downloaded_at_ms, Some(now + 3), "the first download");
    assert_eq!(
        state.copies,
        vec!["C1".to_string(), "C2".to_string()],
        "every copy"
    );
    assert_eq!(
        Bid::stream(&lot(), &bidder(1)),
        "bid/T330106202600001001/BIDDER1"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. The key ceremony decider
// ---------------------------------------------------------------------------------------------

const CEREMONY_AT: i64 = 1_790_000_000_000;

fn seats(indices: &[u32]) -> Vec<(u32, String, String)> {
    indices
        .iter()
        .map(|&i| (i, holder(i), format!("持有人{i}")))
        .collect()
}

fn open(threshold: u32, seats: Vec<(u32, String, String)>) -> CeremonyCommand {
    CeremonyCommand::Open {
        id: "2026-03".into(),
        threshold,
        seats,
        by: "operator".into(),
    }
}

fn join(index: u32) -> CeremonyCommand {
    CeremonyCommand::Join {
        index,
        account: holder(index),
        public_key: format!("04K{index}"),
    }
}

/// Seat `index`'s dealing: `commitments` commitments, a share for each of `to`.
fn deal_to(index: u32, commitments: usize, to: &[u32]) -> CeremonyCommand {
    CeremonyCommand::Deal {
        index,
        account: holder(index),
        commitments: (0..commitments).map(|k| format!("04A{index}{k}")).collect(),
        shares: to
            .iter()
            .map(|&j| (j, format!("share{index}->{j}")))
            .collect(),
    }
}

/// A correct dealing in the 2-of-3 ceremony.
fn deal(index: u32) -> CeremonyCommand {
    let others: Vec<u32> = (1..=3).filter(|&j| j != index).collect();
    deal_to(index, 2, &others)
}

fn derived_key() -> DerivedKey {
    DerivedKey {
        public_key: "04P".into(),
        verification_keys: (1..=3).map(|i| (i, format!("04V{i}"))).collect(),
    }
}

fn confirm(index: u32) -> CeremonyCommand {
    CeremonyCommand::Confirm {
        index,
        account: holder(index),
        key: derived_key(),
    }
}

fn complain(index: u32, against: u32, reason: &str) -> CeremonyCommand {
    CeremonyCommand::Complain {
        index,
        account: holder(index),
        against,
        reason: reason.into(),
    }
}

/// The ceremony after `commands`, each of which must be accepted.
fn ceremony_after(commands: &[CeremonyCommand]) -> Option<Ceremony> {
    let mut state: Option<Ceremony> = None;
    for (offset, command) in (0..).zip(commands) {
        let events = state
            .decide(command.clone(), CEREMONY_AT + offset)
            .unwrap_or_else(|e| panic!("setup step refused: {}", e.code()));
        for event in &events {
            state = state.evolve(event);
        }
    }
    state
}

fn check_ceremony(history: &[CeremonyCommand], command: CeremonyCommand) -> Outcome {
    ceremony_after(history)
        .decide(command, CEREMONY_AT + 100)
        .map(|events| events.iter().map(CeremonyEvent::kind).collect())
        .map_err(|e| e.code())
}

/// The 2-of-3 ceremony's commands up to (not including) the step named.
fn ceremony_until(step: &str) -> Vec<CeremonyCommand> {
    let all = [
        ("open", open(2, seats(&[1, 2, 3]))),
        ("join", join(1)),
        ("join", join(2)),
        ("join", join(3)),
        ("deal", deal(1)),
        ("deal", deal(2)),
        ("deal", deal(3)),
        ("confirm", confirm(1)),
        ("confirm", confirm(2)),
        ("confirm", confirm(3)),
        ("end", open(2, seats(&[1, 2, 3]))),
    ];
    all.into_iter()
        .take_while(|(name, _)| *name != step)
        .map(|(_, command)| command)
        .collect()
}

#[test]
fn ceremony_shape_is_checked_when_opened() {
    let cases: Vec<(&str, CeremonyCommand, Outcome)> = vec![
        (
            "2 of 3",
            open(2, seats(&[1, 2, 3])),
            Ok(vec!["ceremony.opened"]),
        ),
        (
            "3 of 3",
            open(3, seats(&[1, 2, 3])),
            Ok(vec!["ceremony.opened"]),
        ),
        (
            "2 of 2",
            open(2, seats(&[1, 2])),
            Ok(vec!["ceremony.opened"]),
        ),
        (
            "9 of 9",
            open(9, seats(&[1, 2, 3, 4, 5, 6, 7, 8, 9])),
            Ok(vec!["ceremony.opened"]),
        ),
        (
            "threshold 1",
            open(1, seats(&[1, 2, 3])),
            Err("CEREMONY_SHAPE"),
        ),
        (
            "threshold 0",
            open(0, seats(&[1, 2, 3])),
            Err("CEREMONY_SHAPE"),
        ),
        (
            "threshold above n",
            open(4, seats(&[1, 2, 3])),
            Err("CEREMONY_SHAPE"),
        ),
        ("one holder", open(1, seats(&[1])), Err("CEREMONY_SHAPE")),
        ("no holders", open(2, vec![]), Err("CEREMONY_SHAPE")),
        (
            "10 holders",
            open(2, seats(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10])),
            Err("CEREMONY_SHAPE"),
        ),
        (
            "duplicate account",
            open(
                2,
                vec![
                    (1, "a".into(), "甲".into()),
                    (2, "b".into(), "乙".into()),
                    (3, "a".into(), "丙".into()),
                ],
            ),
            Err("CEREMONY_SHAPE"),
        ),
        (
            "indices from 0",
            open(2, seats(&[0, 1, 2])),
            Err("CEREMONY_SHAPE"),
        ),
        (
            "an index skipped",
            open(2, seats(&[1, 2, 4])),
            Err("CEREMONY_SHAPE"),
        ),
        (
            "an index repeated",
            open(
                2,
                vec![
                    (1, "a".into(), "甲".into()),
                    (1, "b".into(), "乙".into()),
                    (2, "c".into(), "丙".into()),
                ],
            ),
            Err("CEREMONY_SHAPE"),
        ),
        (
            "indices in any order",
            open(2, seats(&[3, 1, 2])),
            Ok(vec!["ceremony.opened"]),
        ),
        (
            "bad id",
            CeremonyCommand::Open {
                id: "2026/03".into(),
                threshold: 2,
                seats: seats(&[1, 2, 3]),
                by: "op".into(),
            },
            Err("CEREMONY_ID"),
        ),
        (
            "empty id",
            CeremonyCommand::Open {
                id: String::new(),
                threshold: 2,
                seats: seats(&[1, 2, 3]),
                by: "op".into(),
            },
            Err("CEREMONY_ID"),
        ),
    ];
    for (what, command, expected) in cases {
        assert_eq!(check_ceremony(&[], command), expected, "{what}");
    }
    assert_eq!(
        check_ceremony(&ceremony_until("join"), open(2, seats(&[1, 2, 3]))),
        Err("CEREMONY_EXISTS")
    );
    assert_eq!(check_ceremony(&[], join(1)), Err("CEREMONY_NOT_FOUND"));
}

#[test]
fn ceremony_steps_table() {
    let joining = || ceremony_until("join");
    let dealing = || ceremony_until("deal");
    let confirming = || ceremony_until("confirm");
    let complete = || ceremony_until("end");
    let partly_joined = || {
        let mut steps = joining();
        steps.push(join(1));
        steps
    };
    let partly_dealt = || {
        let mut steps = dealing();
        steps.push(deal(1));
        steps
    };
    let partly_confirmed = || {
        let mut steps = confirming();
        steps.extend([confirm(1), confirm(3)]);
        steps
    };
    let failed = || {
        let mut steps = dealing();
        steps.push(complain(1, 2, "份额与承诺不符"));
        steps
    };
    let wrong_account = CeremonyCommand::Join {
        index: 1,
        account: holder(2),
        public_key: "04K".into(),
    };
    let cases: Vec<(&str, Vec<CeremonyCommand>, CeremonyCommand, Outcome)> = vec![
        ("join", joining(), join(1), Ok(vec!["ceremony.joined"])),
        (
            "join with another holder's account",
            joining(),
            wrong_account,
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "join a seat that does not exist",
            joining(),
            join(4),
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "join twice",
            partly_joined(),
            join(1),
            Err("CEREMONY_ALREADY_DONE"),
        ),
        (
            "deal before all joined",
            partly_joined(),
            deal(1),
            Err("CEREMONY_STEP"),
        ),
        (
            "join when dealing",
            dealing(),
            join(1),
            Err("CEREMONY_STEP"),
        ),
        ("deal", dealing(), deal(1), Ok(vec!["ceremony.dealt"])),
        (
            "deal for another seat",
            dealing(),
            CeremonyCommand::Deal {
                index: 2,
                account: holder(1),
                commitments: vec!["a".into(), "b".into()],
                shares: vec![(1, "s".into()), (3, "s".into())],
            },
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "deal, too few commitments",
            dealing(),
            deal_to(1, 1, &[2, 3]),
            Err("CEREMONY_MESSAGE"),
        ),
        (
            "deal, too many commitments",
            dealing(),
            deal_to(1, 3, &[2, 3]),
            Err("CEREMONY_MESSAGE"),
        ),
        (
            "deal, a recipient missing",
            dealing(),
            deal_to(1, 2, &[2]),
            Err("CEREMONY_MESSAGE"),
        ),
        (
            "deal, a share to oneself",
            dealing(),
            deal_to(1, 2, &[1, 2, 3]),
            Err("CEREMONY_MESSAGE"),
        ),
        (
            "deal, a recipient twice",
            dealing(),
            deal_to(1, 2, &[2, 3, 3]),
            Err("CEREMONY_MESSAGE"),
        ),
        (
            "deal, an unknown recipient",
            dealing(),
            deal_to(1, 2, &[2, 4]),
            Err("CEREMONY_MESSAGE"),
        ),
        (
            "deal twice",
            partly_dealt(),
            deal(1),
            Err("CEREMONY_ALREADY_DONE"),
        ),
        (
            "confirm before all dealt",
            partly_dealt(),
            confirm(1),
            Err("CEREMONY_STEP"),
        ),
        (
            "confirm, not the last",
            confirming(),
            confirm(2),
            Ok(vec!["ceremony.confirmed"]),
        ),
        (
            "confirm, the last",
            partly_confirmed(),
            confirm(2),
            Ok(vec!["ceremony.confirmed", "ceremony.completed"]),
        ),
        (
            "confirm twice",
            partly_confirmed(),
            confirm(3),
            Err("CEREMONY_ALREADY_DONE"),
        ),
        (
            "complain while joining",
            partly_joined(),
            complain(1, 2, "x"),
            Err("CEREMONY_STEP"),
        ),
        (
            "complain while dealing",
            partly_dealt(),
            complain(2, 1, "份额与承诺不符"),
            Ok(vec!["ceremony.failed"]),
        ),
        (
            "complain while confirming",
            partly_confirmed(),
            complain(2, 3, "份额与承诺不符"),
            Ok(vec!["ceremony.failed"]),
        ),
        (
            "complain against oneself",
            confirming(),
            complain(2, 2, "x"),
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "complain against no one",
            confirming(),
            complain(2, 4, "x"),
            Err("NOT_KEY_HOLDER"),
        ),
        (
            "complain without a reason",
            confirming(),
            complain(2, 3, " "),
            Err("FIELD_REQUIRED"),
        ),
        (
            "deal after a failure",
            failed(),
            deal(3),
            Err("CEREMONY_STEP"),
        ),
        (
            "confirm after a failure",
            failed(),
            confirm(3),
            Err("CEREMONY_STEP"),
        ),
        (
            "complain after completion",
            complete(),
            complain(1, 2, "x"),
            Err("CEREMONY_STEP"),
        ),
    ];
    for (what, history, command, expected) in cases {
        assert_eq!(check_ceremony(&history, command), expected, "{what}");
    }
}

#[test]
fn ceremony_happy_path_ends_active_with_the_key() {
    let status_after = |step: &str| ceremony_after(&ceremony_until(step)).unwrap().status;
    assert_eq!(status_after("join"), CeremonyStatus::Joining);
    assert_eq!(status_after("deal"), CeremonyStatus::Dealing);
    assert_eq!(status_after("confirm"), CeremonyStatus::Confirming);

    let mut commands = ceremony_until("confirm");
    commands.extend([confirm(1), confirm(2)]);
    let before_last = ceremony_after(&commands);
    assert_eq!(
        before_last.as_ref().unwrap().status,
        CeremonyStatus::Confirming
    );
    let events = before_last.decide(confirm(3), CEREMONY_AT + 50).unwrap();
    assert_eq!(
        events.last(),
        Some(&CeremonyEvent::Completed {
            key: derived_key(),
            at_ms: CEREMONY_AT + 50,
        })
    );

    let ceremony = ceremony_after(&ceremony_until("end")).unwrap();
    assert_eq!(
        ceremony.status,
        CeremonyStatus::Active { key: derived_key() }
    );
    assert!(ceremony.seats.iter().all(|seat| seat.confirmed));
    let seat = ceremony.seat(2).unwrap();
    assert_eq!(seat.public_key.as_deref(), Some("04K2"));
    assert_eq!(
        seat.commitments,
        Some(vec!["04A20".to_string(), "04A21".to_string()])
    );
    assert_eq!(
        seat.shares,
        [(1, "share2->1".to_string()), (3, "share2->3".to_string())]
    );
    assert_eq!(Ceremony::stream("2026-03"), "ceremony/2026-03");
}

#[test]
fn a_complaint_fails_the_ceremony() {
    let mut commands = ceremony_until("confirm");
    commands.extend([confirm(1), complain(2, 3, "份额与承诺不符")]);
    let ceremony = ceremony_after(&commands).unwrap();
    let CeremonyStatus::Failed { reason } = &ceremony.status else {
        panic!("{:?}", ceremony.status);
    };
    assert!(
        reason.contains("第2号持有人投诉第3号持有人") && reason.contains("份额与承诺不符"),
        "{reason}"
    );
    assert_eq!(ceremony.status.as_str(), "failed");
}

// ---------------------------------------------------------------------------------------------
// 5. Announcement templates
// ---------------------------------------------------------------------------------------------

fn template(category: &str, kind: AnnouncementKind, title: &str, body: &str) -> Template {
    Template {
        category: category.into(),
        kind,
        title: title.into(),
        body: body.into(),
    }
}

/// A general (`*`) template for every kind.
fn general() -> Vec<Template> {
    AnnouncementKind::ALL
        .into_iter()
        .map(|kind| {
            template(
                "*",
                kind,
                &format!("{{project_title}}{}", kind.label_zh()),
                "项目编号：{project_code}\n招标人：{tenderee}\n代理机构：{agency}",
            )
        })
        .collect()
}

fn general_with(extra: Template) -> Vec<Template> {
    let mut templates = general();
    templates.push(extra);
    templates
}

#[test]
fn templates_are_checked_when_loaded() {
    use AnnouncementKind::*;
    let without = |kind: AnnouncementKind| {
        general()
            .into_iter()
            .filter(|t| t.kind != kind)
            .collect::<Vec<_>>()
    };
    // (what, templates, Ok or the reason's telling part)
    let cases: Vec<(&str, Vec<Template>, Result<(), &str>)> = vec![
        ("general templates only", general(), Ok(())),
        (
            "a category's own",
            general_with(template(
                "construction",
                TenderNotice,
                "{project_title}施工招标公告",
                "截止时间：{deadline}",
            )),
            Ok(()),
        ),
        (
            "a kind's own field",
            general_with(template(
                "construction",
                FailureNotice,
                "流标公告",
                "{lot_name}：{reason}",
            )),
            Ok(()),
        ),
        (
            "unknown placeholder",
            general_with(template(
                "construction",
                TenderNotice,
                "招标公告",
                "预算：{budget}",
            )),
            Err("{budget}"),
        ),
        (
            "another kind's field",
            general_with(template(
                "construction",
                TerminationNotice,
                "终止公告",
                "原截止时间：{deadline}",
            )),
            Err("{deadline}"),
        ),
        (
            "unknown placeholder in the title",
            general_with(template(
                "construction",
                TenderNotice,
                "{name}招标公告",
                "正文",
            )),
            Err("{name}"),
        ),
        (
            "unclosed brace",
            general_with(template(
                "construction",
                TenderNotice,
                "招标公告",
                "项目：{project_title",
            )),
            Err("花括号不配对"),
        ),
        (
            "stray closing brace",
            general_with(template(
                "construction",
                TenderNotice,
                "招标公告",
                "项目：project_title}",
            )),
            Err("花括号不配对"),
        ),
        (
            "empty braces",
            general_with(template(
                "construction",
                TenderNotice,
                "招标公告",
                "项目：{}",
            )),
            Err("花括号不配对"),
        ),
        (
            "nested braces",
            general_with(template(
                "construction",
                TenderNotice,
                "招标公告",
                "{{project_title}}",
            )),
            Err("花括号不配对"),
        ),
        (
            "unbalanced title",
            general_with(template(
                "construction",
                TenderNotice,
                "{project_title招标公告",
                "正文",
            )),
            Err("花括号不配对"),
        ),
        (
            "blank body",
            general_with(template("construction", TenderNotice, "招标公告", "  ")),
            Err("不能为空"),
        ),
        (
            "duplicate",
            general_with(template("*", Amendment, "变更公告", "{text}")),
            Err("重复"),
        ),
        (
            "no general failure notice",
            without(FailureNotice),
            Err("缺少通用模板"),
        ),
        (
            "only a category's own",
            {
                let mut templates = without(OpeningRecord);
                templates.push(template(
                    "construction",
                    OpeningRecord,
                    "开标记录",
                    "{record}",
                ));
                templates
            },
            Err("缺少通用模板"),
        ),
        ("no templates at all", vec![], Err("缺少通用模板")),
    ];
    for (what, templates, expected) in cases {
        match (Templates::new(templates), expected) {
            (Ok(_), Ok(())) => {}
            (Err(error), Err(reason)) => {
                assert_eq!(error.code(), "TEMPLATE_INVALID", "{what}");
                let text = error.to_string();
                assert!(text.contains(reason), "{what}: {text}");
            }
            (got, expected) => panic!("{what}: got {got:?}, expected {expected:?}"),
        }
    }

    let missing = Templates::new(without(FailureNotice)).unwrap_err();
    assert_eq!(
        missing,
        DomainError::TemplateInvalid {
            template: "*/failure_notice".into(),
            reason: "缺少通用模板".into()
        }
    );
}

#[test]
fn render_fills_the_fields_and_falls_back_to_the_general_template() {
    use AnnouncementKind::*;
    let templates = Templates::new(general_with(template(
        "construction",
        TenderNotice,
        "{project_title}施工招标公告",
        "项目编号：{project_code}，投标截止时间：{deadline}，代理机构：{agency}。",
    )))
    .unwrap();
    let fields = BTreeMap::from([
        ("project_title", "文三路道路改造工程".to_string()),
        ("project_code", "2026-330106-47-01-512345".to_string()),
        ("tenderee", "杭州市西湖区城建中心".to_string()),
        ("deadline", "2026-03-25 09:30".to_string()),
        ("agency", String::new()),
    ]);

    let (title, body) = templates.render("construction", TenderNotice, &fields);
    assert_eq!(title, "文三路道路改造工程施工招标公告");
    assert_eq!(
        body,
        "项目编号：2026-330106-47-01-512345，投标截止时间：2026-03-25 09:30，代理机构：—。"
    );

    let (title, body) = templates.render("procurement", TenderNotice, &fields);
    assert_eq!(title, "文三路道路改造工程招标公告");
    assert_eq!(
        body,
        "项目编号：2026-330106-47-01-512345\n招标人：杭州市西湖区城建中心\n代理机构：—"
    );

    let (title, _) = templates.render("construction", FailureNotice, &BTreeMap::new());
    assert_eq!(title, "—流标公告");
    assert_eq!(templates.get("construction", FailureNotice).category, "*");
    assert_eq!(
        templates.get("construction", TenderNotice).category,
        "construction"
    );

    for kind in AnnouncementKind::ALL {
        assert_eq!(AnnouncementKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(AnnouncementKind::parse("notice"), None);
}

#[test]
fn after_the_opening_the_lot_is_evaluated_publicised_awarded_and_contracted() {
    const DAY: i64 = 86_400_000;
    let later = deadline() + DAY;
    let start = || ProcedureCommand::StartEvaluation {
        lot: lot(),
        draw: "D1".into(),
    };
    let evaluated = |candidates: Vec<EntityId>| ProcedureCommand::RecordEvaluation {
        lot: lot(),
        report_sm3: "ab".into(),
        candidates: candidates.iter().map(|c| c.to_string()).collect(),
    };
    let candidates = || {
        vec![
            domain::Candidate {
                bidder: bidder(1),
                name: "投标人1".into(),
                rank: 1,
            },
            domain::Candidate {
                bidder: bidder(2),
                name: "投标人2".into(),
                rank: 2,
            },
        ]
    };
    let period = |key: &str| {
        let book = RuleBook::new(toml::from_str::<RulesFile>(RULES).unwrap().sets).unwrap();
        book.resolve("construction", "330106", d("2026-03-01"))
            .unwrap()
            .period(key)
            .unwrap()
            .period
    };
    let publish = || ProcedureCommand::PublishCandidates {
        lot: lot(),
        candidates: candidates(),
        publicity: period("candidate_publicity_length"),
        calendar: calendar(),
    };
    let object = || ProcedureCommand::RaiseObjection {
        lot: lot(),
        subject: domain::ObjectionSubject::Result,
        by: bidder(3),
        by_name: "投标人3".into(),
        text: "业绩存疑".into(),
        rules: domain::ObjectionRules {
            reply: Some(period("objection_reply")),
            documents_before: Some(period("objection_docs_before")),
            ..Default::default()
        },
        downloaded: None,
        calendar: calendar(),
    };
    let award = |winner: usize| ProcedureCommand::Award {
        lot: lot(),
        winner: bidder(winner),
        contract_period: period("contract_after_award"),
        calendar: calendar(),
    };
    let mut evaluating = opened();
    evaluating.push((later, start()));
    let mut done = evaluating.clone();
    done.push((later, evaluated(vec![bidder(1), bidder(2)])));
    let mut publicised = done.clone();
    publicised.push((later, publish()));
    let mut objected = publicised.clone();
    objected.push((later + 1, object()));
    let mut answered = objected.clone();
    answered.push((
        later + 2,
        ProcedureCommand::AnswerObjection {
            lot: lot(),
            id: 1,
            answer: "业绩属实".into(),
        },
    ));
    let after_publicity = later + 5 * DAY;
    let cases: Vec<Case> = vec![
        (
            "evaluation before the opening",
            opening(),
            later,
            start(),
            Err("EVALUATION_NOT_READY"),
        ),
        (
            "evaluation",
            opened(),
            later,
            start(),
            Ok(vec!["procedure.evaluation_started"]),
        ),
        (
            "twice",
            evaluating.clone(),
            later,
            start(),
            Err("EVALUATION_NOT_READY"),
        ),
        (
            "every bid rejected: the lot fails",
            evaluating.clone(),
            later,
            evaluated(vec![]),
            Ok(vec!["procedure.lot_evaluated", "procedure.lot_failed"]),
        ),
        (
            "publicity",
            done.clone(),
            later,
            publish(),
            Ok(vec!["procedure.candidates_publicised"]),
        ),
        (
            "publicity before the evaluation",
            evaluating.clone(),
            later,
            publish(),
            Err("AWARD_STEP"),
        ),
        (
            "objection in time",
            publicised.clone(),
            later + 1,
            object(),
            Ok(vec!["procedure.objection_raised"]),
        ),
        (
            "objection too late",
            publicised.clone(),
            after_publicity,
            object(),
            Err("OBJECTION_OUT_OF_TIME"),
        ),
        (
            "award during the publicity",
            publicised.clone(),
            later + 1,
            award(1),
            Err("PUBLICITY_RUNNING"),
        ),
        (
            "award while an objection is open",
            objected.clone(),
            after_publicity,
            award(1),
            Err("AWARD_STEP"),
        ),
        (
            "award after the answer",
            answered.clone(),
            after_publicity,
            award(1),
            Ok(vec!["procedure.awarded"]),
        ),
        (
            "award to a non-candidate",
            answered.clone(),
            after_publicity,
            award(3),
            Err("NOT_A_CANDIDATE"),
        ),
    ];
    assert_cases(cases);
    // The answer lifts the objection's suspension, not supervision's.
    let mut supervised = publicised.clone();
    supervised.push((
        later + 1,
        ProcedureCommand::Suspend {
            lot: lot(),
            reason: "投诉处理中".into(),
        },
    ));
    let state = run(&supervised).unwrap();
    assert!(matches!(state.lots[0].status, LotStatus::Suspended { .. }));
    let answered_state = run(&answered).unwrap();
    assert_eq!(
        answered_state.lots[0].status,
        LotStatus::CandidatesPublicised
    );
    // 中标无效 by a supervising department's decision: the winner is struck out; the next
    // candidate may be awarded where the rules allow, else the lot fails.
    let void = |allowed: bool| ProcedureCommand::VoidAward {
        lot: lot(),
        reason: "投诉查实".into(),
        next_candidate_allowed: allowed,
    };
    let mut won = answered.clone();
    won.push((after_publicity, award(1)));
    let mut voided = won.clone();
    voided.push((after_publicity + DAY, void(true)));
    let state = run(&voided).unwrap();
    assert_eq!(state.lots[0].status, LotStatus::CandidatesPublicised);
    assert_eq!(state.lots[0].award.winner, None);
    assert_eq!(state.lots[0].award.candidates.len(), 1);
    assert_eq!(state.lots[0].award.candidates[0].bidder, bidder(2));
    let mut next = voided.clone();
    next.push((after_publicity + DAY, award(2)));
    assert_eq!(run(&next).unwrap().lots[0].status, LotStatus::Awarded);
    assert_eq!(
        run(&voided)
            .decide(award(1), after_publicity + DAY)
            .unwrap_err()
            .code(),
        "NOT_A_CANDIDATE",
        "the voided winner is no candidate"
    );
    let mut failed = won.clone();
    failed.push((after_publicity + DAY, void(false)));
    assert!(matches!(
        run(&failed).unwrap().lots[0].status,
        LotStatus::Failed { .. }
    ));
    assert_eq!(
        run(&publicised)
            .decide(void(true), after_publicity)
            .unwrap_err()
            .code(),
        "AWARD_STEP",
        "nothing to void before an award"
    );
    // 责令重新评标: the candidates are set aside and the lot waits for a new committee; the
    // objections stay on record.
    let mut reopened = answered.clone();
    reopened.push((
        after_publicity,
        ProcedureCommand::ReopenEvaluation {
            lot: lot(),
            reason: "评标委员会未按评标办法评审".into(),
        },
    ));
    let state = run(&reopened).unwrap();
    let again = &state.lots[0];
    assert_eq!(again.status, LotStatus::Opened);
    assert_eq!(again.evaluation_round, 1);
    assert_eq!(again.evaluation_reopened_at_ms, Some(after_publicity));
    assert!(again.award.candidates.is_empty() && again.award.winner.is_none());
    assert_eq!(again.award.objections.len(), 1);
    assert_eq!(
        domain::Evaluation::stream_of(&lot(), again.evaluation_round),
        format!("evaluation/{}/1", lot())
    );
    assert!(
        run(&reopened)
            .decide(start(), after_publicity + DAY)
            .is_ok()
    );
    assert_eq!(
        run(&evaluating)
            .decide(
                ProcedureCommand::ReopenEvaluation {
                    lot: lot(),
                    reason: "x".into()
                },
                later
            )
            .unwrap_err()
            .code(),
        "AWARD_STEP",
        "nothing to re-evaluate while the first evaluation runs"
    );
    // Objections to the documents: construction, at least 10 days before the deadline.
    let mut documents = object();
    if let ProcedureCommand::RaiseObjection { subject, .. } = &mut documents {
        *subject = domain::ObjectionSubject::Documents;
    }
    assert_eq!(
        run(&publicised)
            .decide(documents, later)
            .unwrap_err()
            .code(),
        "OBJECTION_OUT_OF_TIME"
    );
    // A contract after the period is recorded and flagged.
    let mut awarded = answered.clone();
    awarded.push((after_publicity, award(1)));
    let contract = ProcedureCommand::RecordContract {
        lot: lot(),
        document: domain::Document {
            name: "合同.pdf".into(),
            sm3: "cd".into(),
            size: 1,
        },
        signers: vec!["a".into(), "b".into()],
        signatures: Vec::new(),
    };
    let late = run(&awarded)
        .decide(contract.clone(), after_publicity + 40 * DAY)
        .unwrap();
    assert!(matches!(&late[0], ProcedureEvent::ContractRecorded { contract, .. } if contract.late));
    let on_time = run(&awarded)
        .decide(contract, after_publicity + DAY)
        .unwrap();
    assert!(
        matches!(&on_time[0], ProcedureEvent::ContractRecorded { contract, .. } if !contract.late)
    );
}

/// 政府采购 publishes no 中标候选人公示; its result notice follows the award.
#[test]
fn procurement_publishes_no_candidate_notice() {
    for (kind, category, published) in [
        (AnnouncementKind::CandidatesNotice, "construction", true),
        (AnnouncementKind::CandidatesNotice, "procurement", false),
        (AnnouncementKind::ResultNotice, "procurement", true),
        (AnnouncementKind::TenderNotice, "procurement", true),
    ] {
        assert_eq!(
            kind.published_in(category),
            published,
            "{kind:?} {category}"
        );
    }
}

/// The small-enterprise deduction must lie in the rule set's ranges (财库〔2022〕19号): goods and
/// services 10–20 %; works 3–5 % only by the non-tender methods; 0 for a lot reserved for them.
#[test]
fn publish_checks_the_small_enterprise_deduction_against_the_rule_set() {
    use domain::{EvaluationMethod, EvaluationTerms};
    let with_sme = |method: Method, sme: i64| ProcedureDraft {
        category: "procurement".into(),
        rule_category: "procurement".into(),
        method,
        lots: vec![LotDraft {
            evaluation: Some(EvaluationTerms {
                method: EvaluationMethod::Comprehensive {
                    price_points: 3000,
                    sme_deduction_bp: sme,
                },
                ..EvaluationTerms::standard("procurement")
            }),
            ..lot_draft("第一包", 500_000_000)
        }],
        deadline_ms: at("2026-03-25", 9, 30),
        ..draft()
    };
    let ok: Outcome = Ok(vec!["procedure.published"]);
    let cases: [(&str, Method, i64, Outcome); 6] = [
        ("goods 10 %", Method::OpenTender, 1000, ok.clone()),
        ("goods 20 %", Method::OpenTender, 2000, ok.clone()),
        (
            "the old 6 % of 46号",
            Method::OpenTender,
            600,
            Err("EVALUATION_TERMS"),
        ),
        (
            "reserved for small enterprises: none",
            Method::OpenTender,
            0,
            ok.clone(),
        ),
        (
            "works 4 % by consultation",
            Method::CompetitiveConsultation,
            400,
            ok.clone(),
        ),
        (
            "4 % by open tender (goods and services only)",
            Method::OpenTender,
            400,
            Err("EVALUATION_TERMS"),
        ),
    ];
    for (what, method, sme, expected) in cases {
        let steps = drafted_with(with_sme(method, sme));
        assert_eq!(
            check(
                &steps,
                published_at(),
                publish_with(rules("procurement", method))
            ),
            expected,
            "{what}"
        );
    }
}

/// The consortium (subcontract) deduction lies in the rule set's ranges (财库〔2022〕19号: goods
/// and services 4–6 %; works 1–2 % only by the non-tender methods) and earns at the rule's share
/// (财库〔2020〕46号 第9条: 30 %).
#[test]
fn publish_checks_the_consortium_deduction_against_the_rule_set() {
    use domain::{EvaluationMethod, EvaluationTerms};
    let with = |method: Method, deduction: i64, share: i64| ProcedureDraft {
        category: "procurement".into(),
        rule_category: "procurement".into(),
        method,
        lots: vec![LotDraft {
            evaluation: Some(EvaluationTerms {
                method: EvaluationMethod::Comprehensive {
                    price_points: 3000,
                    sme_deduction_bp: 1000,
                },
                consortium_deduction_bp: deduction,
                consortium_share_min_bp: share,
                ..EvaluationTerms::standard("procurement")
            }),
            ..lot_draft("第一包", 500_000_000)
        }],
        deadline_ms: at("2026-03-25", 9, 30),
        ..draft()
    };
    let ok: Outcome = Ok(vec!["procedure.published"]);
    let cases: [(&str, Method, i64, i64, Outcome); 7] = [
        ("none", Method::OpenTender, 0, 0, ok.clone()),
        ("goods 4 %", Method::OpenTender, 400, 3000, ok.clone()),
        ("goods 6 %", Method::OpenTender, 600, 3000, ok.clone()),
        (
            "the old 2 % of 46号",
            Method::OpenTender,
            200,
            3000,
            Err("EVALUATION_TERMS"),
        ),
        (
            "a share of 50 %",
            Method::OpenTender,
            500,
            5000,
            Err("EVALUATION_TERMS"),
        ),
        (
            "works 1.5 % by consultation",
            Method::CompetitiveConsultation,
            150,
            3000,
            ok.clone(),
        ),
        (
            "1.5 % by open tender",
            Method::OpenTender,
            150,
            3000,
            Err("EVALUATION_TERMS"),
        ),
    ];
    for (what, method, deduction, share, expected) in cases {
        let steps = drafted_with(with(method, deduction, share));
        assert_eq!(
            check(
                &steps,
                published_at(),
                publish_with(rules("procurement", method))
            ),
            expected,
            "{what}"
        );
    }
}
