//! The panel of a draw: confirmation, the no-conflict declaration, and replacement from the
//! backups in the published order — checked again from the public replacements.

use domain::{
    CategoryDraw, Date, Decider, Panel, PanelCommand, PublicReplacement, ReplacementReason,
    SeatStatus, check_replacements,
};

fn drawn() -> Vec<CategoryDraw> {
    vec![
        CategoryDraw {
            category: "A0101".into(),
            experts: vec!["E1".into(), "E2".into(), "E3".into()],
            backups: vec!["B1".into(), "B2".into()],
        },
        CategoryDraw {
            category: "B01".into(),
            experts: vec!["E4".into(), "E5".into()],
            backups: vec!["B3".into()],
        },
    ]
}

fn formed() -> Option<Panel> {
    let events = Option::<Panel>::None
        .decide(
            PanelCommand::Form {
                draw: "D1".into(),
                lot: "LOT".into(),
                procedure: "P".into(),
                tenderee: "T".into(),
                agency: None,
                evaluation_date: Date::parse("2026-12-01").unwrap(),
                confirm_minutes: 30,
                panels: drawn(),
                pool_ids: Default::default(),
            },
            1_000,
        )
        .unwrap();
    Option::<Panel>::replay(&events)
}

fn run(state: Option<Panel>, command: PanelCommand, now: i64) -> Option<Panel> {
    let events = state.decide(command, now).unwrap();
    events.iter().fold(state, |s, e| s.evolve(e))
}

fn code(state: &Option<Panel>, command: PanelCommand, now: i64) -> &'static str {
    state.decide(command, now).unwrap_err().code()
}

fn confirm(p: &str) -> PanelCommand {
    PanelCommand::Confirm {
        pseudonym: p.into(),
    }
}

fn declare(p: &str, conflict: Option<&str>) -> PanelCommand {
    PanelCommand::Declare {
        pseudonym: p.into(),
        statement_sm3: "ab".into(),
        conflict: conflict.map(Into::into),
    }
}

#[test]
fn seats_follow_confirmation_and_declaration() {
    let panel = formed();
    assert_eq!(panel.as_ref().unwrap().seats.len(), 5);
    assert_eq!(
        code(&panel, declare("E1", None), 2_000),
        "SEAT_NOT_CONFIRMED"
    );
    assert_eq!(code(&panel, confirm("B1"), 2_000), "NOT_ON_PANEL");
    let panel = run(panel, confirm("E1"), 2_000);
    assert_eq!(code(&panel, confirm("E1"), 2_000), "SEAT_NOT_INVITED");
    assert!(!panel.as_ref().unwrap().may_evaluate("E1"));
    let panel = run(panel, declare("E1", None), 3_000);
    assert!(panel.as_ref().unwrap().may_evaluate("E1"));
    assert_eq!(
        code(&panel, declare("E1", None), 3_000),
        "SEAT_ALREADY_DECLARED"
    );
    // A conflict found after signing: the expert still withdraws.
    let withdrawn = run(
        panel.clone(),
        declare("E1", Some("评标中发现近亲属在投标人处任职")),
        3_500,
    );
    assert_eq!(withdrawn.as_ref().unwrap().seats[0].pseudonym, "B1");
    assert_eq!(
        code(
            &panel,
            PanelCommand::Decline {
                pseudonym: "E1".into(),
                reason: "临时有事".into(),
                by_center: false
            },
            3_000
        ),
        "SEAT_ALREADY_DECLARED"
    );
    assert!(!panel.as_ref().unwrap().complete());
}

#[test]
fn replacements_take_the_next_backup_of_the_category_and_then_leave_the_seat_vacant() {
    let panel = formed();
    // Declining needs a reason.
    assert_eq!(
        code(
            &panel,
            PanelCommand::Decline {
                pseudonym: "E2".into(),
                reason: " ".into(),
                by_center: false
            },
            2_000
        ),
        "REASON_REQUIRED"
    );
    let panel = run(
        panel,
        PanelCommand::Decline {
            pseudonym: "E2".into(),
            reason: "出差".into(),
            by_center: true,
        },
        2_000,
    );
    let p = panel.as_ref().unwrap();
    assert_eq!(p.seats[1].pseudonym, "B1");
    assert_eq!(p.seats[1].status, SeatStatus::Invited);
    assert_eq!(p.seats[1].invited_at_ms, 2_000);
    // No response: only after the window, counted from the invitation.
    let window_end = 1_000 + 30 * 60_000;
    assert_eq!(
        code(
            &panel,
            PanelCommand::NoResponse {
                pseudonym: "E3".into()
            },
            window_end - 1
        ),
        "CONFIRM_WINDOW_OPEN"
    );
    let panel = run(
        panel,
        PanelCommand::NoResponse {
            pseudonym: "E3".into(),
        },
        window_end,
    );
    assert_eq!(panel.as_ref().unwrap().seats[2].pseudonym, "B2");
    // A conflict declared after confirming: the category has no backup left → vacant.
    let panel = run(panel, confirm("B1"), window_end + 1);
    let panel = run(
        panel,
        declare("B1", Some("近三年曾在投标人处任职")),
        window_end + 2,
    );
    let p = panel.as_ref().unwrap();
    assert_eq!(p.seats[1].status, SeatStatus::Vacant);
    assert!(p.seat_of("B1").is_none());
    assert_eq!(p.replacements.len(), 3);
    assert_eq!(p.replacements[2].reason, ReplacementReason::Conflict);
    assert_eq!(p.replacements[2].replacement, None);
    // An empty conflict text is refused rather than read as "no conflict".
    let panel2 = run(formed(), confirm("E4"), 2_000);
    assert_eq!(
        code(&panel2, declare("E4", Some("  ")), 2_000),
        "FIELD_REQUIRED"
    );
    // The public check agrees with the panel, seat by seat.
    let public: Vec<PublicReplacement> = p
        .replacements
        .iter()
        .map(|r| PublicReplacement {
            category: r.category.clone(),
            out: r.out.clone(),
            replacement: r.replacement.clone(),
            reason: r.reason,
        })
        .collect();
    let seats = check_replacements(&drawn(), &public).unwrap();
    assert_eq!(
        seats[0].1,
        vec![Some("E1".to_string()), None, Some("B2".to_string())]
    );
    // Disclosure closes the panel.
    let closed = run(panel, PanelCommand::Disclose, window_end + 3);
    assert_eq!(code(&closed, confirm("B2"), window_end + 4), "PANEL_CLOSED");
}

#[test]
fn a_replacement_out_of_order_or_from_another_seat_is_caught() {
    let r = |category: &str, out: &str, replacement: Option<&str>| PublicReplacement {
        category: category.into(),
        out: out.into(),
        replacement: replacement.map(Into::into),
        reason: ReplacementReason::Declined,
    };
    let cases: Vec<(Vec<PublicReplacement>, Option<usize>)> = vec![
        (vec![r("A0101", "E1", Some("B1"))], None),
        (vec![r("A0101", "E1", Some("B2"))], Some(0)),
        (vec![r("A0101", "E4", Some("B1"))], Some(0)),
        (vec![r("B01", "E4", Some("B1"))], Some(0)),
        (vec![r("C", "E4", Some("B3"))], Some(0)),
        (
            vec![r("A0101", "E1", Some("B1")), r("A0101", "E1", Some("B2"))],
            Some(1),
        ),
        (
            vec![r("A0101", "E1", Some("B1")), r("A0101", "B1", Some("B2"))],
            None,
        ),
        (
            vec![
                r("B01", "E4", Some("B3")),
                r("B01", "E5", None),
                r("B01", "B3", None),
            ],
            None,
        ),
        (vec![r("B01", "E4", None)], Some(0)),
    ];
    for (replacements, bad) in cases {
        let outcome = check_replacements(&drawn(), &replacements);
        assert_eq!(outcome.err().map(|(i, _)| i), bad, "{replacements:?}");
    }
}
