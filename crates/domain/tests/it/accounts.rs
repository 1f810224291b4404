//! The account decider and user names.

use domain::{Account, AccountCommand, AccountEvent, Decider, EntityId, Role, Username};

const NOW: i64 = 1_796_088_600_000;

fn created() -> AccountEvent {
    AccountEvent::Created {
        username: Username::parse("zhang").unwrap(),
        display_name: "张伟".into(),
        entity: EntityId("E".into()),
        roles: vec![Role::Bidder],
        at_ms: NOW - 1,
    }
}

fn check(
    history: &[AccountEvent],
    command: AccountCommand,
) -> Result<Vec<&'static str>, &'static str> {
    <Option<Account>>::replay(history)
        .decide(command, NOW)
        .map(|events| events.iter().map(AccountEvent::kind).collect())
        .map_err(|e| e.code())
}

/// (name, history, command, expected event kinds or error code)
type Case = (
    &'static str,
    Vec<AccountEvent>,
    AccountCommand,
    Result<Vec<&'static str>, &'static str>,
);

#[test]
fn usernames() {
    for good in ["zhang", "op-1", "a_b", "abc", "0ab"] {
        assert!(Username::parse(good).is_ok(), "{good}");
    }
    assert_eq!(Username::parse("ZhAng").unwrap().as_str(), "zhang");
    for bad in ["ab", "-ab", "张三", "a b", "x".repeat(33).as_str(), "a@b"] {
        assert_eq!(
            Username::parse(bad).unwrap_err().code(),
            "USERNAME_FORMAT",
            "{bad}"
        );
    }
}

#[test]
fn account_decider_table() {
    let create = |name: &str, roles: Vec<Role>| AccountCommand::Create {
        username: Username::parse("zhang").unwrap(),
        display_name: name.into(),
        entity: EntityId("E".into()),
        roles,
    };
    let disabled = AccountEvent::Disabled {
        reason: "离职".into(),
        at_ms: NOW,
    };
    let cases: Vec<Case> = vec![
        (
            "create",
            vec![],
            create("张伟", vec![Role::Bidder]),
            Ok(vec!["account.created"]),
        ),
        (
            "create taken",
            vec![created()],
            create("张伟", vec![Role::Bidder]),
            Err("USERNAME_TAKEN"),
        ),
        (
            "create without name",
            vec![],
            create(" ", vec![Role::Bidder]),
            Err("FIELD_REQUIRED"),
        ),
        (
            "create without role",
            vec![],
            create("张伟", vec![]),
            Err("NO_ROLE"),
        ),
        (
            "disable",
            vec![created()],
            AccountCommand::Disable {
                reason: "离职".into(),
            },
            Ok(vec!["account.disabled"]),
        ),
        (
            "disable twice",
            vec![created(), disabled.clone()],
            AccountCommand::Disable { reason: "x".into() },
            Err("ACCOUNT_DISABLED"),
        ),
        (
            "disable unknown",
            vec![],
            AccountCommand::Disable { reason: "x".into() },
            Err("ACCOUNT_NOT_FOUND"),
        ),
        (
            "enable",
            vec![created(), disabled],
            AccountCommand::Enable,
            Ok(vec!["account.enabled"]),
        ),
        (
            "enable active is a no-op",
            vec![created()],
            AccountCommand::Enable,
            Ok(vec![]),
        ),
    ];
    for (name, history, command, expected) in cases {
        assert_eq!(check(&history, command), expected, "case {name}");
    }
}

#[test]
fn roles_are_sorted_and_deduplicated() {
    let events = None::<Account>
        .decide(
            AccountCommand::Create {
                username: Username::parse("li").unwrap_or_else(|_| Username::parse("lii").unwrap()),
                display_name: "李".into(),
                entity: EntityId("E".into()),
                roles: vec![Role::Bidder, Role::Tenderee, Role::Bidder],
            },
            NOW,
        )
        .unwrap();
    let AccountEvent::Created { roles, .. } = &events[0] else {
        panic!("not created")
    };
    assert_eq!(roles, &vec![Role::Tenderee, Role::Bidder]);
}
