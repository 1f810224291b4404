//! Canonical JSON: the same value always gives the same bytes.

use crypto::{PlatformKey, canonical_json};
use proptest::prelude::*;
use serde_json::{Value, json};

#[test]
fn keys_are_sorted_and_whitespace_dropped() {
    let cases = [
        (
            json!({"b": 1, "a": [true, null, "x"]}),
            r#"{"a":[true,null,"x"],"b":1}"#,
        ),
        (
            json!({"名称": "杭州", "code": -5}),
            r#"{"code":-5,"名称":"杭州"}"#,
        ),
        (json!({"z": {"y": 1, "x": 2}}), r#"{"z":{"x":2,"y":1}}"#),
        (json!("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\u0001""#),
        (json!(u64::MAX), "18446744073709551615"),
        (json!([]), "[]"),
        (json!({}), "{}"),
    ];
    for (value, expected) in cases {
        assert_eq!(canonical_json(&value).unwrap(), expected);
    }
}

#[test]
fn insertion_order_does_not_matter() {
    let first: Value = serde_json::from_str(r#"{"a":1,"b":{"c":2,"d":3}}"#).unwrap();
    let second: Value = serde_json::from_str(r#"{ "b": {"d":3, "c":2}, "a": 1 }"#).unwrap();
    assert_eq!(
        canonical_json(&first).unwrap(),
        canonical_json(&second).unwrap()
    );
}

#[test]
fn floats_are_refused() {
    assert!(canonical_json(&json!({"price": 1.5})).is_err());
}

#[test]
fn signatures_over_canonical_json_ignore_layout() {
    let key = PlatformKey::generate();
    let value: Value = serde_json::from_str(r#"{"size":3,"root":"ab"}"#).unwrap();
    let reordered: Value = serde_json::from_str(r#"{"root":"ab","size":3}"#).unwrap();
    let signature = key.sign_json(&value).unwrap();
    key.public_key()
        .verify_json(&reordered, &signature)
        .unwrap();
    let changed: Value = serde_json::from_str(r#"{"root":"ab","size":4}"#).unwrap();
    assert!(key.public_key().verify_json(&changed, &signature).is_err());
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn canonical_text_parses_back_to_the_same_value(value in arb_json()) {
        let text = canonical_json(&value).unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&parsed, &value);
        prop_assert_eq!(canonical_json(&parsed).unwrap(), text);
    }
}
