//! Evaluation rooms: never booked twice for overlapping times; shared rooms serve every region.

use domain::{Decider, RegionCode, Room, RoomCommand, RoomSpec};

const H: i64 = 3_600_000;

fn room(shared: bool) -> Option<Room> {
    let spec = RoomSpec {
        code: "HZ-PB-03".into(),
        name: "第三评标室".into(),
        region: RegionCode::parse("330100").unwrap(),
        address: "杭州市".into(),
        capacity: 9,
        equipment: vec!["录音录像".into()],
        shared,
    };
    let events = Option::<Room>::None
        .decide(
            RoomCommand::Add {
                spec,
                by: "op".into(),
            },
            0,
        )
        .unwrap();
    Option::<Room>::replay(&events)
}

fn book(id: &str, region: &str, from: i64, to: i64, attendees: u32) -> RoomCommand {
    RoomCommand::Book {
        id: id.into(),
        lot: format!("LOT-{id}"),
        lot_region: region.into(),
        from_ms: from,
        to_ms: to,
        attendees,
        by: "op".into(),
    }
}

#[test]
fn the_booking_table() {
    let base = 100 * H;
    let booked = {
        let r = room(false);
        let events = r
            .decide(book("1", "330106", base, base + 4 * H, 5), H)
            .unwrap();
        events.iter().fold(r, |s, e| s.evolve(e))
    };
    let cases: Vec<(&str, RoomCommand, Result<&str, &str>)> = vec![
        (
            "adjacent after",
            book("2", "330100", base + 4 * H, base + 6 * H, 5),
            Ok("room.booked"),
        ),
        (
            "adjacent before",
            book("2", "330100", base - 2 * H, base, 5),
            Ok("room.booked"),
        ),
        (
            "overlap start",
            book("2", "330100", base - H, base + H, 5),
            Err("ROOM_DOUBLE_BOOKED"),
        ),
        (
            "inside",
            book("2", "330100", base + H, base + 2 * H, 5),
            Err("ROOM_DOUBLE_BOOKED"),
        ),
        (
            "covering",
            book("2", "330100", base - H, base + 5 * H, 5),
            Err("ROOM_DOUBLE_BOOKED"),
        ),
        (
            "too many",
            book("2", "330100", base + 5 * H, base + 6 * H, 10),
            Err("ROOM_TOO_SMALL"),
        ),
        (
            "nobody",
            book("2", "330100", base + 5 * H, base + 6 * H, 0),
            Err("ROOM_TOO_SMALL"),
        ),
        (
            "reversed",
            book("2", "330100", base + 6 * H, base + 5 * H, 5),
            Err("BOOKING_TIMES"),
        ),
        ("past", book("2", "330100", 0, H, 5), Err("BOOKING_TIMES")),
        (
            "other city, not shared",
            book("2", "330200", base + 5 * H, base + 6 * H, 5),
            Err("ROOM_NOT_SHARED"),
        ),
        (
            "cancel unknown",
            RoomCommand::Cancel {
                id: "9".into(),
                reason: "x".into(),
            },
            Err("BOOKING_NOT_FOUND"),
        ),
        (
            "cancel without reason",
            RoomCommand::Cancel {
                id: "1".into(),
                reason: "".into(),
            },
            Err("REASON_REQUIRED"),
        ),
        (
            "cancel",
            RoomCommand::Cancel {
                id: "1".into(),
                reason: "改期".into(),
            },
            Ok("room.cancelled"),
        ),
    ];
    for (name, command, expected) in cases {
        let outcome = booked.decide(command, H);
        match (outcome, expected) {
            (Ok(events), Ok(kind)) => assert_eq!(events[0].kind(), kind, "{name}"),
            (Err(e), Err(code)) => assert_eq!(e.code(), code, "{name}: {e}"),
            (outcome, expected) => panic!("{name}: {outcome:?} vs {expected:?}"),
        }
    }
    // A cancelled booking frees its time.
    let cancelled = booked
        .decide(
            RoomCommand::Cancel {
                id: "1".into(),
                reason: "改期".into(),
            },
            H,
        )
        .unwrap()
        .iter()
        .fold(booked.clone(), |s, e| s.evolve(e));
    assert!(
        cancelled
            .decide(book("3", "330100", base, base + H, 5), H)
            .is_ok()
    );
    // A shared room serves another city.
    let shared = room(true);
    assert!(
        shared
            .decide(book("4", "330200", base, base + H, 5), H)
            .is_ok()
    );
    assert_eq!(
        room(false)
            .decide(
                RoomCommand::Add {
                    spec: shared.unwrap().spec,
                    by: "op".into()
                },
                0
            )
            .unwrap_err()
            .code(),
        "ROOM_EXISTS"
    );
}
