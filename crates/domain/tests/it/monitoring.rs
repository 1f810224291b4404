//! The warning signals as tables: each fires on its planted case and stays silent on the near
//! miss; the shipped rules are valid and refuse what is wrong; the warning decider's steps.

use std::collections::BTreeMap;

use domain::{
    BidderFacts, Decider, EntityId, EnvelopeFacts, Evidence, Finding, LotFacts, LotRecord,
    OpenedFacts, Stage, Subject, Warning, WarningCommand, WarningEvent, WarningRules, WarningScope,
    WarningStatus, lot_signals, market_signals,
};

const SHIPPED: &str = include_str!("../../../../data/warnings.toml");
const DAY: i64 = 86_400_000;

fn rules() -> WarningRules {
    let rules: WarningRules = toml::from_str(SHIPPED).unwrap();
    rules.validate().unwrap();
    rules
}

fn bidder(i: usize) -> BidderFacts {
    BidderFacts {
        bidder: EntityId(format!("91330100MA0000000{i}")),
        name: format!("投标人{i}"),
        legal_representative: format!("代表{i}"),
        contact_name: format!("联系人{i}"),
        contact_phone: format!("1380000000{i}"),
        contact_email: String::new(),
        controller: None,
        code: format!("91330100MA0000000{i}"),
        entity_seq: 10 + i as u64,
        envelope: Some(EnvelopeFacts {
            machine: format!("machine-{i}"),
            upload_tag: format!("ip-{i}"),
            certificate_key: format!("key-{i}"),
            copy: format!("copy-{i}"),
            submitted_at_ms: 1_000_000 + i as i64 * 3_600_000,
            seq: 100 + i as u64,
        }),
        downloads: vec![(format!("copy-{i}"), 50 + i as u64)],
        bond_payer: Some((format!("{i}{i}{i}{i}·tag-{i}"), 200 + i as u64)),
        opened: Some(OpenedFacts {
            price_fen: Some(1_000_000 + (i as i64) * 37_311 + (i as i64 * i as i64) * 5_003),
            form: BTreeMap::from([("工期".to_string(), format!("{}天", 300 + i))]),
            files: vec![("投标函.pdf".into(), format!("sm3-{i}"), 4096)],
            seq: 300,
        }),
    }
}

/// Four unrelated bidders, bid at different times, with irregular prices.
fn clean() -> LotFacts {
    LotFacts {
        lot: "E3301002026000001001".into(),
        bidders: (1..=4).map(bidder).collect(),
        winner: Some((EntityId("91330100MA00000001".into()), 400)),
    }
}

fn signals(facts: &LotFacts) -> Vec<String> {
    let mut found: Vec<String> = lot_signals(facts, &rules())
        .into_iter()
        .map(|f| f.signal)
        .collect();
    found.sort();
    found.dedup();
    found
}

fn envelope(facts: &mut LotFacts, i: usize) -> &mut EnvelopeFacts {
    facts.bidders[i].envelope.as_mut().unwrap()
}

fn opened(facts: &mut LotFacts, i: usize) -> &mut OpenedFacts {
    facts.bidders[i].opened.as_mut().unwrap()
}

fn set_prices(facts: &mut LotFacts, prices: &[i64]) {
    for (i, p) in prices.iter().enumerate() {
        opened(facts, i).price_fen = Some(*p);
    }
}

#[test]
fn a_clean_lot_raises_nothing() {
    assert_eq!(signals(&clean()), Vec::<String>::new());
}

#[test]
fn each_lot_signal_fires_on_its_case_and_not_on_the_near_miss() {
    type Plant = fn(&mut LotFacts);
    let table: Vec<(&str, Plant, Plant)> = vec![
        (
            "same_machine",
            |f| envelope(f, 2).machine = "machine-1".into(),
            |f| envelope(f, 2).machine = "machine-1x".into(),
        ),
        (
            "same_upload_address",
            |f| envelope(f, 3).upload_tag = "ip-1".into(),
            |f| envelope(f, 3).upload_tag = String::new(),
        ),
        (
            "same_certificate_key",
            |f| envelope(f, 1).certificate_key = "key-4".into(),
            |f| envelope(f, 1).certificate_key = "key-44".into(),
        ),
        (
            "same_bond_payer",
            |f| f.bidders[1].bond_payer = Some(("1111·tag-1".into(), 222)),
            // The same last four digits of a different account are not the same account.
            |f| f.bidders[1].bond_payer = Some(("1111·tag-9".into(), 222)),
        ),
        (
            "same_document_copy",
            // Bidder 3's envelope is built from the copy bidder 1 downloaded.
            |f| envelope(f, 2).copy = "copy-1".into(),
            |f| envelope(f, 2).copy = "copy-9".into(),
        ),
        (
            "same_contact",
            |f| f.bidders[3].contact_phone = "13800000001".into(),
            // The same contact name is common and not compared by default.
            |f| f.bidders[3].contact_name = "联系人1".into(),
        ),
        (
            "related_bidders",
            |f| f.bidders[2].legal_representative = "代表1".into(),
            |f| f.bidders[2].legal_representative = "代表11".into(),
        ),
        (
            "related_bidders",
            // Bidder 2 is controlled by bidder 1.
            |f| f.bidders[1].controller = Some("91330100MA00000001".into()),
            |f| f.bidders[1].controller = Some("91330100MA00000009".into()),
        ),
        (
            "identical_files",
            |f| opened(f, 3).files[0].1 = "sm3-1".into(),
            // A small identical file (a blank template) is not compared.
            |f| {
                opened(f, 3)
                    .files
                    .push(("空白.txt".into(), "tiny".into(), 10));
                opened(f, 2)
                    .files
                    .push(("空白.txt".into(), "tiny".into(), 10));
            },
        ),
        (
            "identical_price_table",
            |f| {
                let (price, form) = (opened(f, 0).price_fen, opened(f, 0).form.clone());
                opened(f, 2).price_fen = price;
                opened(f, 2).form = form;
            },
            |f| {
                let price = opened(f, 0).price_fen;
                opened(f, 2).price_fen = price;
            },
        ),
        (
            "near_simultaneous",
            |f| envelope(f, 2).submitted_at_ms = envelope(f, 1).submitted_at_ms + 60_000,
            |f| envelope(f, 2).submitted_at_ms = envelope(f, 1).submitted_at_ms + 60_001,
        ),
        (
            "price_arithmetic",
            |f| set_prices(f, &[1_000_000, 1_013_000, 1_026_000, 1_039_000]),
            |f| set_prices(f, &[1_000_000, 1_013_000, 1_026_000, 1_041_000]),
        ),
        (
            "price_ratio",
            |f| set_prices(f, &[1_000_000, 1_050_000, 1_102_500, 1_157_625]),
            |f| set_prices(f, &[1_000_000, 1_050_000, 1_102_500, 1_160_000]),
        ),
        (
            "prices_close",
            |f| set_prices(f, &[1_000_000, 1_004_000, 1_001_700, 1_003_100]),
            |f| set_prices(f, &[1_000_000, 1_005_100, 1_001_700, 1_003_100]),
        ),
        (
            "winner_far_below",
            |f| set_prices(f, &[700_000, 1_013_000, 1_035_000, 1_002_000]),
            |f| set_prices(f, &[900_000, 1_013_000, 1_035_000, 1_002_000]),
        ),
    ];
    for (signal, plant, near) in table {
        let mut planted = clean();
        plant(&mut planted);
        let found = signals(&planted);
        assert!(found.contains(&signal.to_string()), "{signal}: {found:?}");
        let mut missed = clean();
        near(&mut missed);
        let found = signals(&missed);
        assert!(
            !found.contains(&signal.to_string()),
            "{signal} near miss: {found:?}"
        );
    }
}

#[test]
fn a_finding_names_its_subjects_and_evidence() {
    let mut facts = clean();
    envelope(&mut facts, 2).machine = "machine-1".into();
    envelope(&mut facts, 3).machine = "machine-1".into();
    let found: Vec<Finding> = lot_signals(&facts, &rules())
        .into_iter()
        .filter(|f| f.signal == "same_machine")
        .collect();
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f.anchor, "machine-1");
    assert_eq!(f.subjects.len(), 3);
    assert_eq!(
        f.evidence.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![101, 103, 104]
    );
    assert!(f.detail.contains("3家"), "{}", f.detail);
}

#[test]
fn a_shared_bond_account_reads_by_its_last_four_digits() {
    let mut facts = clean();
    facts.bidders[1].bond_payer = Some(("1111·tag-1".into(), 222));
    let found: Vec<Finding> = lot_signals(&facts, &rules())
        .into_iter()
        .filter(|f| f.signal == "same_bond_payer")
        .collect();
    assert_eq!(found.len(), 1);
    assert!(found[0].detail.contains("尾号1111"), "{}", found[0].detail);
    assert_eq!(
        found[0].evidence.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![201, 222]
    );
}

#[test]
fn a_disabled_signal_is_silent() {
    let mut facts = clean();
    envelope(&mut facts, 2).machine = "machine-1".into();
    let mut rules = rules();
    rules.signals.get_mut("same_machine").unwrap().enabled = false;
    assert!(
        lot_signals(&facts, &rules)
            .iter()
            .all(|f| f.signal != "same_machine")
    );
}

fn subject(i: usize) -> Subject {
    Subject {
        entity: EntityId(format!("E{i}")),
        name: format!("主体{i}"),
    }
}

fn record(n: usize, tenderee: usize, bidders: &[usize], winner: Option<usize>) -> LotRecord {
    LotRecord {
        lot: format!("L{n:03}"),
        tenderee: subject(tenderee),
        bidders: bidders.iter().map(|b| subject(*b)).collect(),
        winner: winner.map(subject),
        failed: winner.is_none() && bidders.len() < 3,
        at_ms: n as i64 * DAY,
        seq: 1_000 + n as u64,
    }
}

fn market(history: &[LotRecord]) -> Vec<String> {
    let mut found: Vec<String> = market_signals(history, &rules())
        .into_iter()
        .map(|f| f.signal)
        .collect();
    found.sort();
    found
}

#[test]
fn a_ring_that_takes_turns_is_found_and_an_open_field_is_not() {
    // Bidders 1, 2, 3 bid together on four lots of different tenderees and take turns.
    let ring: Vec<LotRecord> = (0..4)
        .map(|n| record(n, 10 + n, &[1, 2, 3], Some(1 + n % 3)))
        .collect();
    assert_eq!(market(&ring), vec!["co_bidding_ring"]);
    let finding = &market_signals(&ring, &rules())[0];
    assert_eq!(finding.subjects.len(), 3);
    assert_eq!(finding.evidence.len(), 4);
    // Near miss: an outsider wins one of the lots.
    let mut open = ring.clone();
    open[3] = record(3, 13, &[1, 2, 3, 4], Some(4));
    assert_eq!(market(&open), Vec::<String>::new());
    // Near miss: three lots only.
    assert_eq!(market(&ring[..3]), Vec::<String>::new());
    // Near miss: always the same winner (no rotation).
    let same: Vec<LotRecord> = (0..4)
        .map(|n| record(n, 10 + n, &[1, 2, 3], Some(1)))
        .collect();
    assert_eq!(market(&same), Vec::<String>::new());
}

#[test]
fn one_tenderees_awards_concentrated_on_one_supplier() {
    // Tenderee 9 awards five lots, three to bidder 1 (60 %), with rotating co-bidders.
    let lots: Vec<LotRecord> = (0..5)
        .map(|n| {
            let winner = if n < 3 { 1 } else { 20 + n };
            record(n, 9, &[1, 20 + n, 30 + n], Some(winner))
        })
        .collect();
    assert_eq!(market(&lots), vec!["award_concentration"]);
    // Two of five (40 %): silent.
    let mut spread = lots.clone();
    spread[2] = record(2, 9, &[1, 22, 32], Some(22));
    assert_eq!(market(&spread), Vec::<String>::new());
    // Outside the window of 365 days the older awards do not count.
    let mut old = lots.clone();
    old[0].at_ms -= 400 * DAY;
    assert_eq!(market(&old), Vec::<String>::new());
}

#[test]
fn repeated_failed_or_single_bid_lots() {
    let lots = vec![
        record(1, 9, &[1], Some(1)),
        record(2, 9, &[2, 3], None),
        record(3, 9, &[4], Some(4)),
    ];
    assert_eq!(market(&lots), vec!["repeated_failures"]);
    assert_eq!(market(&lots[..2]), Vec::<String>::new());
}

#[test]
fn the_shipped_rules_are_valid_and_mistakes_are_refused() {
    let shipped = rules();
    for (id, _) in domain::SIGNALS {
        assert!(shipped.signals.contains_key(*id), "{id}");
    }
    type Break = fn(&mut WarningRules);
    let cases: Vec<(Break, &str)> = vec![
        (|r| drop(r.signals.remove("same_machine")), "same_machine"),
        (
            |r| {
                r.signals
                    .get_mut("near_simultaneous")
                    .unwrap()
                    .params
                    .clear()
            },
            "window_seconds",
        ),
        (
            |r| {
                r.signals
                    .get_mut("prices_close")
                    .unwrap()
                    .params
                    .insert("spread_bp".into(), 20_000);
            },
            "spread_bp",
        ),
        (
            |r| {
                r.signals
                    .get_mut("same_machine")
                    .unwrap()
                    .params
                    .insert("extra".into(), 1);
            },
            "extra",
        ),
        (
            |r| {
                let rule = r.signals["same_machine"].clone();
                r.signals.insert("made_up".into(), rule);
            },
            "made_up",
        ),
        (
            |r| r.signals.get_mut("same_bond_payer").unwrap().source.clear(),
            "same_bond_payer",
        ),
    ];
    for (break_it, named) in cases {
        let mut broken = shipped.clone();
        break_it(&mut broken);
        let error = broken.validate().unwrap_err();
        assert_eq!(error.code(), "WARNING_RULES_INVALID");
        assert!(error.to_string().contains(named), "{error}");
    }
    // Every threshold has its least value: below it is refused naming it, at it is accepted.
    for (id, params) in domain::SIGNALS {
        for (param, least) in *params {
            let mut rules = shipped.clone();
            let set = |rules: &mut WarningRules, value: i64| {
                rules
                    .signals
                    .get_mut(*id)
                    .unwrap()
                    .params
                    .insert(param.to_string(), value);
            };
            set(&mut rules, *least);
            rules
                .validate()
                .unwrap_or_else(|e| panic!("{id}.{param} = {least}: {e}"));
            set(&mut rules, least - 1);
            let error = rules.validate().unwrap_err();
            assert!(
                error.to_string().contains(param) && error.to_string().contains(id),
                "{id}.{param}: {error}"
            );
        }
    }
}

fn finding(evidence: &[u64]) -> Finding {
    Finding {
        signal: "same_machine".into(),
        lot: Some("L1".into()),
        anchor: "m".into(),
        subjects: vec![subject(1), subject(2)],
        detail: "2家".into(),
        evidence: evidence
            .iter()
            .map(|seq| Evidence {
                seq: *seq,
                note: String::new(),
            })
            .collect(),
    }
}

fn raise(f: Finding) -> WarningCommand {
    WarningCommand::Raise {
        finding: f,
        label: "同一台计算机".into(),
        source: "例40".into(),
        stage: Stage::Bid,
        scope: WarningScope::default(),
    }
}

fn run(state: Option<Warning>, command: WarningCommand) -> Option<Warning> {
    let events = state.decide(command, 5).unwrap();
    events.iter().fold(state, |s, e| s.evolve(e))
}

#[test]
fn a_warning_is_raised_extended_closed_reopened_and_turned_into_a_case() {
    let w = run(None, raise(finding(&[1, 2])));
    let id = w.as_ref().unwrap().id.clone();
    assert_eq!(id, Warning::id_of(&finding(&[1]).key()));
    assert!(id.starts_with('W') && id.len() == 13, "{id}");
    // Raising it again is refused; the same evidence again adds nothing.
    assert_eq!(
        w.decide(raise(finding(&[1, 2])), 6).unwrap_err().code(),
        "WARNING_EXISTS"
    );
    assert!(
        w.decide(
            WarningCommand::Extend {
                finding: finding(&[1, 2]),
                stage: Stage::Opening
            },
            6
        )
        .unwrap()
        .is_empty()
    );
    // A reason is required to close it.
    assert!(
        w.decide(
            WarningCommand::Close {
                reason: " ".into(),
                by: "s".into()
            },
            6
        )
        .is_err()
    );
    let closed = run(
        w,
        WarningCommand::Close {
            reason: "同一集团，已核实".into(),
            by: "sup".into(),
        },
    );
    assert_eq!(closed.as_ref().unwrap().status.as_str(), "closed");
    // New evidence re-opens it, keeping the old.
    let events = closed
        .decide(
            WarningCommand::Extend {
                finding: finding(&[3]),
                stage: Stage::Opening,
            },
            7,
        )
        .unwrap();
    assert!(matches!(events[0], WarningEvent::EvidenceAdded { .. }));
    let reopened = events.iter().fold(closed, |s, e| s.evolve(e)).unwrap();
    assert_eq!(reopened.status, WarningStatus::Open);
    assert_eq!(reopened.finding.evidence.len(), 3);
    assert_eq!(reopened.extensions, 1);
    let case = run(
        Some(reopened),
        WarningCommand::OpenCase {
            case: "C2026000001".into(),
            by: "sup".into(),
        },
    );
    assert_eq!(case.as_ref().unwrap().status.as_str(), "case");
    assert_eq!(
        case.decide(
            WarningCommand::Close {
                reason: "x".into(),
                by: "s".into()
            },
            8
        )
        .unwrap_err()
        .code(),
        "WARNING_HANDLED"
    );
    assert_eq!(
        None::<Warning>
            .decide(
                WarningCommand::Close {
                    reason: "x".into(),
                    by: "s".into()
                },
                8
            )
            .unwrap_err()
            .code(),
        "WARNING_NOT_FOUND"
    );
}
