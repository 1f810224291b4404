//! A line counts as JSON exactly when cardinal's `serde_json::from_str::<Value>` accepts it (with
//! its `arbitrary_precision` feature): checked against `serde_json` on tricky lines and on many
//! deterministic mutations of the fixture lines. (Our `serde_json` lacks `arbitrary_precision`, so
//! it refuses numbers beyond `f64`; those are left out of the comparison and tested on their own.)

use std::fs;

use crate::fixtures;

fn serde_json_accepts(text: &str) -> Option<bool> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(_) => Some(true),
        Err(error) if error.to_string().starts_with("number out of range") => None,
        Err(_) => Some(false),
    }
}

fn check(text: &str) {
    if let Some(expected) = serde_json_accepts(text) {
        assert_eq!(flags::is_valid_json(text), expected, "{text:?}");
    }
}

#[test]
fn tricky_lines_are_judged_as_serde_json_judges_them() {
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let deep_objects = |depth: usize| format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let cases = [
        "",
        " ",
        "{}",
        "[]",
        "{} ",
        " {}\r",
        "{}{}",
        "{},",
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1 \"b\":2}",
        "null",
        "nul",
        "true",
        "tru",
        "false",
        "-",
        "-0",
        "0",
        "01",
        "-01",
        "1.",
        "1.5",
        ".5",
        "1e5",
        "1E+5",
        "1e",
        "1e+",
        "1.5e-7",
        "2.e3",
        "+1",
        "0x10",
        "NaN",
        "Infinity",
        "1234567890123456789012345678901234567890",
        "\"\\u00e9\"",
        "\"\\u00E9\"",
        "\"\\u00g9\"",
        "\"\\u00e\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\ude00\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ud83d\\n\"",
        "\"\\ud83dx\"",
        "\"\\ud800\\udbff\"",
        "\"\\x41\"",
        "\"\\/\"",
        "\"\\'\"",
        "\"a\tb\"",
        "\"a\u{7f}b\"",
        "\"a\u{1f}b\"",
        "\"é😀\"",
        "\"unterminated",
        "\"\\\"",
        "\"\\\\\"",
        "[\"a\",\"b\"]",
        "{\"a\":{\"b\":[1,2,{\"c\":null}]}}",
        "{\"\\u0000\":1}",
        "{\"a\":1}\n",
        "\u{feff}{}",
        "[1]]",
        "[[1]",
        "{\"a\":[}]",
        "[true false]",
        "[\"\\ud800\"]",
        "{\"\\udc00\":1}",
    ];
    for case in cases {
        check(case);
    }
    for depth in [1, 126, 127, 128, 129, 200] {
        check(&deep(depth));
        check(&deep_objects(depth));
        check(&format!("{{\"x\":{}}}", deep(depth)));
    }
}

#[test]
fn numbers_beyond_f64_are_json_as_with_arbitrary_precision() {
    for text in [
        "1e400",
        "-1e400",
        "[1e99999999999999999999]",
        "{\"a\":123456789e999}",
    ] {
        assert!(flags::is_valid_json(text), "{text}");
    }
}

/// SplitMix64, so the mutations are the same on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn mutated_lines_are_judged_as_serde_json_judges_them() {
    let input = fs::read_to_string(fixtures().join("all-indicators.jsonl")).unwrap();
    let lines: Vec<&str> = input.lines().filter(|line| line.len() < 3000).collect();
    let pieces: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\\",
        "\\u",
        "\\ud800",
        "\\udc00",
        "\\ud83d\\ude00",
        "0",
        "-",
        ".",
        "e",
        "1e5",
        " ",
        "\t",
        "\n",
        "\u{1}",
        "null",
        "true",
        "é",
        "\\n",
        "\\x",
    ];
    let mut random = Random(2026);
    let mut accepted = 0;
    for round in 0..20_000 {
        let line = lines[round % lines.len()];
        let mut text = line.to_owned();
        for _ in 0..1 + random.below(3) {
            let mut at = random.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match random.below(3) {
                0 => text.insert_str(at, pieces[random.below(pieces.len())]),
                1 => {
                    let mut end = (at + 1 + random.below(4)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => {
                    let mut end = (at + 1).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, pieces[random.below(pieces.len())]);
                }
            }
        }
        if serde_json_accepts(&text) == Some(true) {
            accepted += 1;
        }
        check(&text);
    }
    // Both kinds of lines were tried.
    assert!(accepted > 1000, "{accepted} mutated lines were valid");
}
