//! The entity decider as a table: state (given events) × command → events or refusal.

use domain::{
    BankAccount, Contact, Date, Decider, Entity, EntityCommand, EntityEvent, EntityId, EntityKind,
    EntityStatus, Qualification, RegionCode, Registration, Role, Uscc,
};

const NOW: i64 = 1_796_088_600_000;

fn registration(roles: &[Role]) -> Registration {
    let uscc = Uscc::parse("91330100MA5CJQ4N5A").unwrap_or_else(|_| {
        let prefix = "91330100MA2CJQ4N5";
        Uscc::parse(&format!(
            "{prefix}{}",
            Uscc::check_char_for(prefix).unwrap()
        ))
        .unwrap()
    });
    Registration {
        id: EntityId(uscc.to_string()),
        kind: EntityKind::Organisation { uscc },
        name: "杭州市城建工程有限公司".into(),
        region: RegionCode::parse("330100").unwrap(),
        legal_representative: "王建国".into(),
        address: "杭州市西湖区文三路1号".into(),
        contact: Contact {
            name: "李娜".into(),
            phone: "0571-88880000".into(),
            email: String::new(),
        },
        roles: roles.to_vec(),
        controller: String::new(),
    }
}

fn registered() -> EntityEvent {
    EntityEvent::Registered {
        registration: registration(&[Role::Bidder]),
        at_ms: NOW - 10,
    }
}

fn approved() -> EntityEvent {
    EntityEvent::Approved {
        reviewer: "op".into(),
        at_ms: NOW - 5,
    }
}

fn rejected() -> EntityEvent {
    EntityEvent::Rejected {
        reviewer: "op".into(),
        reason: "材料不全".into(),
        at_ms: NOW - 5,
    }
}

/// Runs `command` on the state made of `history` and returns the event kinds or the error code.
fn check(
    history: &[EntityEvent],
    command: EntityCommand,
) -> Result<Vec<&'static str>, &'static str> {
    let state = <Option<Entity>>::replay(history);
    state
        .decide(command, NOW)
        .map(|events| events.iter().map(EntityEvent::kind).collect())
        .map_err(|e| e.code())
}

/// (name, history, command, expected event kinds or error code)
type Case = (
    &'static str,
    Vec<EntityEvent>,
    EntityCommand,
    Result<Vec<&'static str>, &'static str>,
);

#[test]
fn entity_decider_table() {
    let register = |roles: &[Role]| EntityCommand::Register(registration(roles));
    let approve = || EntityCommand::Approve {
        reviewer: "op".into(),
    };
    let reject = |reason: &str| EntityCommand::Reject {
        reviewer: "op".into(),
        reason: reason.into(),
    };
    let mut no_name = registration(&[Role::Bidder]);
    no_name.name = "  ".into();
    let mut long_name = registration(&[Role::Bidder]);
    long_name.name = "长".repeat(101);
    let controlled = |code: &str| {
        let mut r = registration(&[Role::Bidder]);
        r.controller = code.into();
        EntityCommand::Register(r)
    };
    let own = registration(&[Role::Bidder]).id.0;
    let parent = Uscc::parse("91330102MA2B000015").unwrap().to_string();
    let mut wrong = parent.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });

    let cases: Vec<Case> = vec![
        (
            "new bidder",
            vec![],
            register(&[Role::Bidder]),
            Ok(vec!["entity.registered"]),
        ),
        (
            "tenderee and agency",
            vec![],
            register(&[Role::Tenderee, Role::Agency]),
            Ok(vec!["entity.registered"]),
        ),
        ("no role", vec![], register(&[]), Err("NO_ROLE")),
        (
            "controlled by an organisation",
            vec![],
            controlled(&parent),
            Ok(vec!["entity.registered"]),
        ),
        (
            "controlled by a person",
            vec![],
            controlled("11010519491231002X"),
            Ok(vec!["entity.registered"]),
        ),
        (
            "controller with a wrong check character",
            vec![],
            controlled(&wrong),
            Err("CONTROLLER_CODE"),
        ),
        (
            "controller not a code",
            vec![],
            controlled("瓯江集团"),
            Err("CONTROLLER_CODE"),
        ),
        (
            "controlling itself",
            vec![],
            controlled(&own),
            Err("CONTROLLER_CODE"),
        ),
        (
            "self-service operator",
            vec![],
            register(&[Role::Operator]),
            Err("ROLE_NOT_SELF_SERVICE"),
        ),
        (
            "self-service supervisor",
            vec![],
            register(&[Role::Bidder, Role::Supervisor]),
            Err("ROLE_NOT_SELF_SERVICE"),
        ),
        (
            "blank name",
            vec![],
            EntityCommand::Register(no_name),
            Err("FIELD_REQUIRED"),
        ),
        (
            "long name",
            vec![],
            EntityCommand::Register(long_name),
            Err("FIELD_TOO_LONG"),
        ),
        (
            "duplicate while pending",
            vec![registered()],
            register(&[Role::Bidder]),
            Err("DUPLICATE_REGISTRATION"),
        ),
        (
            "duplicate when active",
            vec![registered(), approved()],
            register(&[Role::Bidder]),
            Err("DUPLICATE_REGISTRATION"),
        ),
        (
            "again after rejection",
            vec![registered(), rejected()],
            register(&[Role::Bidder]),
            Ok(vec!["entity.registered"]),
        ),
        (
            "operator registers",
            vec![],
            EntityCommand::RegisterByOperator {
                registration: registration(&[Role::Operator]),
                operator: "op".into(),
            },
            Ok(vec!["entity.registered", "entity.approved"]),
        ),
        (
            "approve pending",
            vec![registered()],
            approve(),
            Ok(vec!["entity.approved"]),
        ),
        (
            "approve unknown",
            vec![],
            approve(),
            Err("ENTITY_NOT_FOUND"),
        ),
        (
            "approve twice",
            vec![registered(), approved()],
            approve(),
            Err("REGISTRATION_NOT_PENDING"),
        ),
        (
            "reject pending",
            vec![registered()],
            reject("营业执照已过期"),
            Ok(vec!["entity.rejected"]),
        ),
        (
            "reject without reason",
            vec![registered()],
            reject("   "),
            Err("REASON_REQUIRED"),
        ),
        (
            "reject active",
            vec![registered(), approved()],
            reject("x"),
            Err("REGISTRATION_NOT_PENDING"),
        ),
    ];
    for (name, history, command, expected) in cases {
        assert_eq!(check(&history, command), expected, "case {name}");
    }
}

#[test]
fn evolve_tracks_the_review() {
    let state = <Option<Entity>>::replay(&[registered(), rejected()]).unwrap();
    assert_eq!(
        state.status,
        EntityStatus::Rejected {
            reason: "材料不全".into()
        }
    );
    assert_eq!(state.reviewed_by.as_deref(), Some("op"));
    let state =
        <Option<Entity>>::replay(&[registered(), rejected(), registered(), approved()]).unwrap();
    assert_eq!(state.status, EntityStatus::Active);
}

#[test]
fn events_round_trip_through_json() {
    for event in [registered(), approved(), rejected()] {
        let text = serde_json::to_string(&event).unwrap();
        let back: EntityEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(back, event);
    }
}

fn qualification() -> Qualification {
    Qualification {
        name: "建筑工程施工总承包".into(),
        grade: "一级".into(),
        certificate_no: "D133012345".into(),
        issuer: "浙江省住房和城乡建设厅".into(),
        valid_until: Date::parse("2028-06-30").unwrap(),
    }
}

fn account(name: &str, no: &str) -> BankAccount {
    BankAccount {
        bank: "中国工商银行杭州分行".into(),
        account_name: name.into(),
        account_no: no.into(),
    }
}

#[test]
fn details_and_sanctions_table() {
    let name = registration(&[Role::Bidder]).name;
    let today = Date::parse("2026-12-01").unwrap();
    let bar = |until: &str| EntityCommand::Bar {
        by: "sup".into(),
        until: Date::parse(until).unwrap(),
        reason: "串通投标".into(),
        today,
    };
    let suspended = EntityEvent::Suspended {
        by: "op".into(),
        reason: "核查中".into(),
        at_ms: NOW,
    };
    let cases: Vec<Case> = vec![
        (
            "qualifications",
            vec![registered(), approved()],
            EntityCommand::SetQualifications(vec![qualification()]),
            Ok(vec!["entity.qualifications_set"]),
        ),
        (
            "qualifications while pending",
            vec![registered()],
            EntityCommand::SetQualifications(vec![qualification()]),
            Ok(vec!["entity.qualifications_set"]),
        ),
        (
            "qualification without grade",
            vec![registered(), approved()],
            EntityCommand::SetQualifications(vec![Qualification {
                grade: " ".into(),
                ..qualification()
            }]),
            Err("FIELD_REQUIRED"),
        ),
        (
            "qualifications of nobody",
            vec![],
            EntityCommand::SetQualifications(vec![]),
            Err("ENTITY_NOT_FOUND"),
        ),
        (
            "bank account",
            vec![registered(), approved()],
            EntityCommand::SetBankAccount(account(&name, "1202021209900012345")),
            Ok(vec!["entity.bank_account_set"]),
        ),
        (
            "bank account of another name",
            vec![registered(), approved()],
            EntityCommand::SetBankAccount(account("别人", "1202021209900012345")),
            Err("BANK_ACCOUNT_NAME"),
        ),
        (
            "bank account number",
            vec![registered(), approved()],
            EntityCommand::SetBankAccount(account(&name, "12-34")),
            Err("BANK_ACCOUNT_NUMBER"),
        ),
        (
            "suspend active",
            vec![registered(), approved()],
            EntityCommand::Suspend {
                by: "op".into(),
                reason: "核查中".into(),
            },
            Ok(vec!["entity.suspended"]),
        ),
        (
            "suspend pending",
            vec![registered()],
            EntityCommand::Suspend {
                by: "op".into(),
                reason: "x".into(),
            },
            Err("ENTITY_NOT_ACTIVE"),
        ),
        (
            "bar until a future day",
            vec![registered(), approved()],
            bar("2027-12-01"),
            Ok(vec!["entity.barred"]),
        ),
        (
            "bar until today",
            vec![registered(), approved()],
            bar("2026-12-01"),
            Err("BAR_IN_PAST"),
        ),
        (
            "bar a suspended entity",
            vec![registered(), approved(), suspended.clone()],
            bar("2027-01-01"),
            Ok(vec!["entity.barred"]),
        ),
        (
            "reinstate suspended",
            vec![registered(), approved(), suspended],
            EntityCommand::Reinstate {
                by: "op".into(),
                reason: "核查完毕".into(),
            },
            Ok(vec!["entity.reinstated"]),
        ),
        (
            "reinstate active",
            vec![registered(), approved()],
            EntityCommand::Reinstate {
                by: "op".into(),
                reason: "x".into(),
            },
            Err("ENTITY_NOT_RESTRICTED"),
        ),
    ];
    for (name, history, command, expected) in cases {
        assert_eq!(check(&history, command), expected, "case {name}");
    }
}

#[test]
fn a_bar_ends_after_its_last_day() {
    let barred = EntityEvent::Barred {
        by: "sup".into(),
        until: Date::parse("2027-03-31").unwrap(),
        reason: "串通投标".into(),
        at_ms: NOW,
    };
    let entity = <Option<Entity>>::replay(&[registered(), approved(), barred]).unwrap();
    assert!(!entity.may_trade(Date::parse("2027-03-31").unwrap()));
    assert!(entity.may_trade(Date::parse("2027-04-01").unwrap()));
    assert!(matches!(entity.status, EntityStatus::Barred { .. }));
    let masked = account("x", "1202021209900012345").masked_no();
    assert!(masked.ends_with("2345") && !masked.contains("120202"));
}

/// The shared profile the home node publishes at approval.
fn shared(home: &str) -> EntityEvent {
    let state = <Option<Entity>>::replay(&[registered(), approved()]);
    state
        .decide(EntityCommand::Share { home: home.into() }, NOW)
        .unwrap()
        .remove(0)
}

fn relay(event: EntityEvent) -> EntityCommand {
    EntityCommand::Relay {
        event: Box::new(event),
        today: Date::of_instant(NOW),
    }
}

#[test]
fn sharing_publishes_an_approved_organisations_public_profile_only() {
    let EntityEvent::Shared { profile, home, .. } = shared("ggzy.hangzhou.example") else {
        panic!("not a shared event");
    };
    assert_eq!(home, "ggzy.hangzhou.example");
    let text = serde_json::to_string(&profile).unwrap();
    // No contact, phone, controller or bank account travels.
    for private in ["李娜", "0571-88880000", "contact", "controller", "bank"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    let cases: Vec<(&str, Vec<EntityEvent>)> = vec![
        ("pending", vec![registered()]),
        ("rejected", vec![registered(), rejected()]),
        (
            "suspended",
            vec![
                registered(),
                approved(),
                EntityEvent::Suspended {
                    by: "op".into(),
                    reason: "核查".into(),
                    at_ms: NOW - 1,
                },
            ],
        ),
        (
            "recognised from elsewhere",
            vec![shared("ggzy.ningbo.example")],
        ),
    ];
    for (name, history) in cases {
        assert!(
            check(&history, EntityCommand::Share { home: "x".into() }).is_err(),
            "{name}"
        );
    }
    // A natural person is never shared: its number is not public.
    let person = Registration {
        id: EntityId("P0123456789abcdef0123".into()),
        kind: EntityKind::NaturalPerson {
            id_number: domain::IdNumber::parse("11010519491231002X").unwrap(),
        },
        ..registration(&[Role::Bidder])
    };
    let history = [
        EntityEvent::Registered {
            registration: person,
            at_ms: NOW - 10,
        },
        approved(),
    ];
    assert_eq!(
        check(&history, EntityCommand::Share { home: "x".into() }),
        Err("ENTITY_NOT_SHAREABLE")
    );
}

#[test]
fn a_relay_applies_what_fits_and_decides_nothing_otherwise() {
    let bar = |until: &str| EntityEvent::Barred {
        by: "省行政监督部门".into(),
        until: Date::parse(until).unwrap(),
        reason: "串通投标".into(),
        at_ms: NOW - 1,
    };
    let suspended = EntityEvent::Suspended {
        by: "op".into(),
        reason: "核查".into(),
        at_ms: NOW - 1,
    };
    let reinstated = EntityEvent::Reinstated {
        by: "op".into(),
        reason: "已核实".into(),
        at_ms: NOW - 1,
    };
    let recognised = shared("ggzy.hangzhou.example");
    let known = vec![recognised.clone()];
    let cases: Vec<(&str, Vec<EntityEvent>, EntityEvent, Vec<&str>)> = vec![
        (
            "shared, unknown here",
            vec![],
            recognised.clone(),
            vec!["entity.shared"],
        ),
        (
            "shared, known here",
            known.clone(),
            recognised.clone(),
            vec![],
        ),
        (
            "shared, registered here too",
            vec![registered(), approved()],
            recognised.clone(),
            vec![],
        ),
        ("bar, unknown here", vec![], bar("2099-01-01"), vec![]),
        (
            "bar",
            known.clone(),
            bar("2099-01-01"),
            vec!["entity.barred"],
        ),
        (
            "the same bar again",
            vec![recognised.clone(), bar("2099-01-01")],
            bar("2099-01-01"),
            vec![],
        ),
        (
            "a longer bar",
            vec![recognised.clone(), bar("2099-01-01")],
            bar("2099-06-01"),
            vec!["entity.barred"],
        ),
        (
            "a bar already over",
            known.clone(),
            bar("2020-01-01"),
            vec![],
        ),
        (
            "suspension",
            known.clone(),
            suspended.clone(),
            vec!["entity.suspended"],
        ),
        (
            "suspension again",
            vec![recognised.clone(), suspended.clone()],
            suspended.clone(),
            vec![],
        ),
        (
            "reinstated",
            vec![recognised.clone(), suspended.clone()],
            reinstated.clone(),
            vec!["entity.reinstated"],
        ),
        (
            "reinstated, not restricted",
            known.clone(),
            reinstated.clone(),
            vec![],
        ),
        // What stays with the home node.
        ("registration", vec![], registered(), vec![]),
        ("approval", known.clone(), approved(), vec![]),
        (
            "bank account",
            known.clone(),
            EntityEvent::BankAccountSet {
                bank_account: BankAccount {
                    bank: "工商银行".into(),
                    account_name: "杭州市城建工程有限公司".into(),
                    account_no: "1202020209000012345".into(),
                },
                at_ms: NOW,
            },
            vec![],
        ),
    ];
    for (name, history, event, expected) in cases {
        assert_eq!(check(&history, relay(event)), Ok(expected), "{name}");
    }
}

#[test]
fn a_recognised_entity_is_active_with_its_profile_and_no_contact() {
    let state = <Option<Entity>>::replay(&[shared("ggzy.hangzhou.example")]).unwrap();
    assert_eq!(state.status, EntityStatus::Active);
    assert_eq!(state.home.as_deref(), Some("ggzy.hangzhou.example"));
    assert_eq!(state.registration.name, "杭州市城建工程有限公司");
    assert!(state.registration.contact.phone.is_empty());
    assert!(state.may_trade(Date::of_instant(NOW)));
    // Only trading roles travel.
    let mut event = shared("ggzy.hangzhou.example");
    if let EntityEvent::Shared { profile, .. } = &mut event {
        profile.roles = vec![Role::Bidder, Role::Operator];
    }
    let state = <Option<Entity>>::replay(&[event]).unwrap();
    assert_eq!(state.registration.roles, vec![Role::Bidder]);
    // A profile whose id is not its code is not taken in.
    let mut event = shared("ggzy.hangzhou.example");
    if let EntityEvent::Shared { profile, .. } = &mut event {
        profile.id = EntityId("91330100000000000X".into());
    }
    assert_eq!(check(&[], relay(event)), Ok(vec![]));
}
