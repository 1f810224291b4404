//! 统一社会信用代码, 居民身份证号码 and region codes.

use domain::{IdNumber, RegionCode, Uscc};
use proptest::prelude::*;

#[test]
fn uscc_table() {
    let cases: &[(&str, Result<&str, &str>)] = &[
        ("91350100M000100Y43", Ok("91350100M000100Y43")),
        ("91350200776049653A", Ok("91350200776049653A")),
        ("913502115628130384", Ok("913502115628130384")),
        ("91350213678251743X", Ok("91350213678251743X")),
        ("91440101MA5CJQ4N59", Ok("91440101MA5CJQ4N59")),
        ("91110000100006485K", Ok("91110000100006485K")),
        ("9135021359498494XQ", Ok("9135021359498494XQ")),
        ("123502001549897397", Ok("123502001549897397")),
        (" 91440101ma5cjq4n59 ", Ok("91440101MA5CJQ4N59")),
        ("91350100M000100Y4Z", Err("USCC_CHARSET")),
        ("91350203M0001QAY9B", Err("USCC_CHECK_CHAR")),
        ("91350100M000100Y44", Err("USCC_CHECK_CHAR")),
        ("91350100M000100Y4", Err("USCC_LENGTH")),
        ("", Err("USCC_LENGTH")),
        ("913501OOM000100Y43", Err("USCC_CHARSET")),
        ("9135010。M000100Y4", Err("USCC_LENGTH")),
        ("91A50100M000100Y43", Err("USCC_CHARSET")),
    ];
    for (input, expected) in cases {
        let got = Uscc::parse(input)
            .map(|code| code.to_string())
            .map_err(|e| e.code());
        assert_eq!(got.as_deref().map_err(|e| *e), *expected, "input {input:?}");
    }
}

#[test]
fn uscc_check_char_of_the_worked_example() {
    assert_eq!(Uscc::check_char_for("91350100M000100Y4"), Some('3'));
}

#[test]
fn id_number_table() {
    let cases: &[(&str, Result<(), &str>)] = &[
        ("11010519491231002X", Ok(())),
        ("11010519491231002x", Ok(())),
        ("110105194912310021", Err("ID_NUMBER_CHECK_DIGIT")),
        ("11010519491331002X", Err("ID_NUMBER_BIRTH_DATE")),
        ("11010519490230002X", Err("ID_NUMBER_BIRTH_DATE")),
        ("1101051949123100", Err("ID_NUMBER_LENGTH")),
        ("1101051949A231002X", Err("ID_NUMBER_FORMAT")),
    ];
    for (input, expected) in cases {
        let got = IdNumber::parse(input).map(|_| ()).map_err(|e| e.code());
        assert_eq!(got, *expected, "input {input}");
    }
}

#[test]
fn id_numbers_are_masked_in_debug_output() {
    let id = IdNumber::parse("11010519491231002X").unwrap();
    assert_eq!(id.masked(), "110105********002X");
    assert!(!format!("{id:?}").contains("19491231"));
}

#[test]
fn region_codes() {
    assert!(RegionCode::parse("330100").is_ok());
    for bad in ["33010", "3301000", "33A100", "030100", ""] {
        assert_eq!(
            RegionCode::parse(bad).unwrap_err().code(),
            "REGION_CODE",
            "{bad}"
        );
    }
}

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc_prefix() -> impl Strategy<Value = String> {
    let alpha = prop::sample::select(CHARSET.chars().collect::<Vec<_>>());
    let digit = prop::sample::select("0123456789".chars().collect::<Vec<_>>());
    (
        prop::collection::vec(alpha.clone(), 2),
        prop::collection::vec(digit, 6),
        prop::collection::vec(alpha, 9),
    )
        .prop_map(|(a, b, c)| a.into_iter().chain(b).chain(c).collect())
}

proptest! {
    #[test]
    fn every_prefix_with_its_check_char_is_valid(prefix in uscc_prefix()) {
        let check = Uscc::check_char_for(&prefix).unwrap();
        let code = format!("{prefix}{check}");
        prop_assert!(Uscc::parse(&code).is_ok());
    }

    #[test]
    fn any_single_substitution_is_detected(prefix in uscc_prefix(), pos in 0usize..18, shift in 1usize..31) {
        let check = Uscc::check_char_for(&prefix).unwrap();
        let mut chars: Vec<char> = format!("{prefix}{check}").chars().collect();
        let idx = CHARSET.find(chars[pos]).unwrap();
        chars[pos] = CHARSET.chars().nth((idx + shift) % 31).unwrap();
        let changed: String = chars.into_iter().collect();
        prop_assert!(Uscc::parse(&changed).is_err());
    }
}

#[test]
fn personal_numbers_are_masked_wherever_they_stand() {
    let cases = [
        ("联系人 13812345678", "联系人 138****5678", true),
        ("0571-86001234", "0571-86001234", false),
        (
            "证件 11010519491231002X 号",
            "证件 110105********002X 号",
            true,
        ),
        ("11010519491231002x", "110105********002X", true),
        // Not a valid ID number (check digit): kept.
        ("110105194912310021", "110105194912310021", false),
        // Digits inside a longer number or a code are not a mobile.
        ("9133010012345678901", "9133010012345678901", false),
        ("A13812345678", "A13812345678", false),
        // …nor digits running on into letters: the start of a hex digest.
        ("13812345678ab0f9", "13812345678ab0f9", false),
        ("电话13812345678号", "电话138****5678号", true),
        ("12812345678", "12812345678", false),
        ("", "", false),
    ];
    for (text, expected, masked) in cases {
        assert_eq!(
            domain::mask_personal_numbers(text),
            (expected.to_string(), masked),
            "{text}"
        );
    }
}

/// An ID number whose first 17 digits are `body`, with its check character.
fn id_with(body: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Presented on a given day: a birth date after it, or a first two digits that are no
/// province, is refused; an abolished county code under a real province is kept.
#[test]
fn id_numbers_presented_today() {
    let today = domain::Date::parse("2026-06-01").unwrap();
    let cases = [
        (id_with("33010619900101123"), Ok(())),
        // 330106 西湖区; 330105 拱墅区 (restructured in 2021), still valid in old numbers.
        (id_with("33010519800229123"), Ok(())),
        (id_with("33010620260601123"), Ok(())),
        (id_with("33010620260602123"), Err("ID_NUMBER_BIRTH_DATE")),
        (id_with("33010620990101123"), Err("ID_NUMBER_BIRTH_DATE")),
        (id_with("99010619900101123"), Ok(())),
        (id_with("00010619900101123"), Err("ID_NUMBER_REGION")),
        (id_with("19010619900101123"), Err("ID_NUMBER_REGION")),
        (id_with("72010619900101123"), Err("ID_NUMBER_REGION")),
    ];
    for (input, expected) in cases {
        let got = IdNumber::parse_on(&input, today)
            .map(|_| ())
            .map_err(|e| e.code());
        assert_eq!(got, expected, "{input}");
        // Without the day, only the number's own form is checked.
        assert!(IdNumber::parse(&input).is_ok(), "{input}");
    }
}

/// The organisation code inside a USCC (positions 9–17) has its own GB 11714 check digit: a
/// wrong one is accepted, with a warning for the reviewer.
#[test]
fn the_embedded_organisation_code_is_checked() {
    let with_org = |org9: &str| {
        let prefix = format!("91330100{org9}");
        format!("{prefix}{}", Uscc::check_char_for(&prefix).unwrap())
    };
    // 77604965-3 is a correct organisation code (3·7+7·7+9·6+10·0+5·4+8·9+4·6+2·5 = 250; 11 − 250 mod 11 = 3).
    let good = Uscc::parse(&with_org("776049653")).unwrap();
    assert_eq!(good.organisation_code_warning(), None);
    let bad = Uscc::parse(&with_org("776049654")).unwrap();
    let warning = bad.organisation_code_warning().unwrap();
    assert!(
        warning.contains("应为 3") && warning.contains("实为 4"),
        "{warning}"
    );
    // Check digit 10 is written X.
    let x = (0..10).map(|d| format!("7760496{d}X")).find(|code| {
        Uscc::parse(&with_org(code))
            .unwrap()
            .organisation_code_warning()
            .is_none()
    });
    assert!(x.is_some());
}
