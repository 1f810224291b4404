//! Each indicator's edge cases, as tables: settings, input lines, and the output cardinal printed
//! for them (`ocdscardinal indicators --no-meta`, or with `Meta` where a case says so). Every
//! expected output below is cardinal's: `tests/check-against-cardinal.sh` runs cardinal's binary on
//! each case and compares.

use crate::{Run, assert_same, flags_json};

/// With `FLAGS_CASES_DIR` set, each case is also written there (`N.ini`, `N.jsonl`, `N.expected`,
/// `N.meta`), for `tests/check-against-cardinal.sh` to run cardinal on it.
fn write_case(settings: &str, input: &str, expected: &str, meta: bool) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CASES: AtomicUsize = AtomicUsize::new(0);
    let Ok(directory) = std::env::var("FLAGS_CASES_DIR") else {
        return;
    };
    let stem = format!("{directory}/{}", CASES.fetch_add(1, Ordering::SeqCst));
    for (extension, text) in [
        ("ini", settings),
        ("jsonl", input),
        ("expected", expected),
        ("meta", if meta { "1" } else { "0" }),
    ] {
        std::fs::write(format!("{stem}.{extension}"), text).unwrap();
    }
}

/// Settings, input lines and cardinal's output without `Meta`.
fn check(settings: &str, input: &str, expected: &str) {
    write_case(settings, input, expected, false);
    let actual = flags_json(settings, input, Run::default());
    assert_same(
        &format!("settings {settings:?}, input {input}"),
        expected,
        &actual,
    );
}

/// The same, with `Meta`.
fn check_meta(settings: &str, input: &str, expected: &str) {
    write_case(settings, input, expected, true);
    let actual = flags_json(
        settings,
        input,
        Run {
            meta: true,
            ..Run::default()
        },
    );
    assert_same(
        &format!("settings {settings:?}, input {input}"),
        expected,
        &actual,
    );
}

#[test]
fn r003_short_tender_period() {
    let period = |start: &str, end: &str| {
        format!(
            r#"{{"ocid":"A","tender":{{"procurementMethod":"open","tenderPeriod":{{"startDate":"{start}","endDate":"{end}"}}}}}}"#
        )
    };
    let flagged = r#"{"OCID":{"A":{"R003":1.0}}}"#;
    let none = "{}";
    for (start, end, expected) in [
        ("2024-01-01T00:00:00Z", "2024-01-15T23:59:59Z", flagged),
        ("2024-01-01T00:00:00Z", "2024-01-16T00:00:00Z", none),
        // Offsets: 15 days of local time, 14 days and 23 hours apart.
        (
            "2024-01-01T00:00:00-01:00",
            "2024-01-16T00:00:00+00:00",
            flagged,
        ),
        (
            "2024-01-01T00:00:00+01:00",
            "2024-01-16T00:00:00+00:00",
            none,
        ),
        (
            "2024-01-01T00:00:00\u{2212}01:00",
            "2024-01-16T00:00:00Z",
            flagged,
        ),
        // Lowercase `t` and `z`, a space, fractions of any length.
        (
            "2024-01-01t00:00:00z",
            "2024-01-10 00:00:00.123456789123Z",
            flagged,
        ),
        // The end before the start: a negative duration, truncated toward zero.
        ("2024-01-20T00:00:00Z", "2024-01-01T00:00:00Z", flagged),
        // Leap year and leap second.
        ("2024-02-29T12:00:00Z", "2024-03-14T12:00:00Z", flagged),
        ("2016-12-31T23:59:60Z", "2017-01-15T23:59:59.5Z", flagged),
        ("2016-12-31T23:59:60.5Z", "2017-01-15T23:59:60Z", flagged),
        ("2016-12-31T23:59:60Z", "2017-01-16T00:00:00Z", none),
        // Not RFC 3339: no result.
        ("2023-02-29T00:00:00Z", "2023-03-01T00:00:00Z", none),
        ("2024-01-01", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:00", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:00+0100", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:00+24:00", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:00+01:60", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T24:00:00Z", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:61Z", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:00.Z", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:00Z ", "2024-01-02T00:00:00Z", none),
        ("2024-01-01T00:00:00ZZ", "2024-01-02T00:00:00Z", none),
        ("2024-13-01T00:00:00Z", "2024-01-02T00:00:00Z", none),
        ("0000-01-01T00:00:00Z", "0000-01-05T00:00:00Z", flagged),
    ] {
        check("[R003]", &period(start, end), expected);
    }

    let process = |ocid: &str, method: &str, details: &str, days: u32| {
        format!(
            r#"{{"ocid":"{ocid}","tender":{{"procurementMethod":"{method}","procurementMethodDetails":"{details}","tenderPeriod":{{"startDate":"2024-01-01T00:00:00Z","endDate":"2024-01-{:02}T00:00:00Z"}}}}}}"#,
            1 + days
        )
    };
    let input = [
        process("open-9", "open", "x", 9),
        process("open-12", "open", "y", 12),
        process("limited-3", "limited", "x", 3),
        process("open-5", "open", "z", 5),
    ]
    .join("\n");
    check(
        "[R003]\nthreshold = 10\nprocurement_methods = open|selective\n[R003.procurement_method_details]\nx = 5\ny = 13\n",
        &input,
        r#"{"OCID":{"open-12":{"R003":1.0},"open-5":{"R003":1.0}}}"#,
    );
    // Not an object, or no tender period: nothing.
    check("[R003]", r#"{"ocid":"A","tender":[]}"#, "{}");
    check(
        "[R003]",
        r#"{"ocid":"A","tender":{"tenderPeriod":{"startDate":"2024-01-01T00:00:00Z"}}}"#,
        "{}",
    );
    check(
        "[R003]",
        r#"{"ocid":"A","tender":{"tenderPeriod":{"startDate":"2024-01-01T00:00:00Z","endDate":20240102}}}"#,
        "{}",
    );
}

#[test]
fn r018_single_tenderer() {
    let tender = |method: &str, number: &str| {
        format!(
            r#"{{"ocid":"A","tender":{{"procurementMethod":"{method}","numberOfTenderers":{number}}}}}"#
        )
    };
    let flagged = r#"{"OCID":{"A":{"R018":1.0}}}"#;
    for (method, number, expected) in [
        ("open", "1", flagged),
        ("selective", "1", flagged),
        ("limited", "1", "{}"),
        ("open", "2", "{}"),
        ("open", "0", "{}"),
        // cardinal reads `numberOfTenderers` as an unsigned integer: 1.0 and 1e0 are not 1.
        ("open", "1.0", "{}"),
        ("open", "1e0", "{}"),
        ("open", "\"1\"", "{}"),
        ("open", "-1", "{}"),
    ] {
        check("[R018]", &tender(method, number), expected);
    }
    check(
        "[R018]\nprocurement_methods = limited\n",
        &tender("limited", "1"),
        flagged,
    );
    // An empty list matches every method, even none.
    check(
        "[R018]\nprocurement_methods =\n",
        r#"{"ocid":"A","tender":{"numberOfTenderers":1}}"#,
        flagged,
    );
    check(
        "[R018]",
        r#"{"ocid":"A","tender":{"numberOfTenderers":1}}"#,
        "{}",
    );
}

/// A process with one active award to `winner` and valid single-tenderer bids.
fn priced(ocid: &str, winner: &str, bids: &[(&str, &str)]) -> String {
    let bids: Vec<String> = bids
        .iter()
        .map(|(tenderer, amount)| {
            format!(
                r#"{{"status":"valid","tenderers":[{{"id":"{tenderer}"}}],"value":{{"amount":{amount},"currency":"USD"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"ocid":"{ocid}","bids":{{"details":[{}]}},"awards":[{{"status":"active","suppliers":[{{"id":"{winner}"}}]}}]}}"#,
        bids.join(",")
    )
}

#[test]
fn r024_and_r058_second_lowest_bid_ratio() {
    let r024 = "[R024]\nthreshold = 0.05\n";
    let r058 = "[R058]\nthreshold = 0.5\n";
    // Flagged below or at the fence; both tenderers are flagged.
    check(
        r024,
        &priced("A", "W", &[("W", "100"), ("L", "105")]),
        r#"{"OCID":{"A":{"R024":0.05}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}"#,
    );
    check(r024, &priced("A", "W", &[("W", "100"), ("L", "106")]), "{}");
    // A tie is a ratio of 0.
    check(
        r024,
        &priced("A", "W", &[("L", "100"), ("W", "100")]),
        r#"{"OCID":{"A":{"R024":0.0}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}"#,
    );
    // The winner's lowest bid and the lowest other bid count.
    check(
        r024,
        &priced(
            "A",
            "W",
            &[("W", "103"), ("W", "100"), ("L", "120"), ("M", "104")],
        ),
        r#"{"OCID":{"A":{"R024":0.04}},"Tenderer":{"W":{"R024":0.0},"M":{"R024":0.0}}}"#,
    );
    // The lowest bid did not win: the award criteria are not price only.
    check(r024, &priced("A", "W", &[("W", "100"), ("L", "99")]), "{}");
    check(
        r058,
        &priced("A", "W", &[("W", "100"), ("L", "150")]),
        r#"{"OCID":{"A":{"R058":0.5}},"Tenderer":{"W":{"R058":0.0}}}"#,
    );
    // A winning bid of 0: an infinite ratio, printed as null (0 against 0 is NaN, never flagged).
    check(
        r058,
        &priced("A", "W", &[("W", "0"), ("L", "1")]),
        r#"{"OCID":{"A":{"R058":null}},"Tenderer":{"W":{"R058":0.0}}}"#,
    );
    check(r058, &priced("A", "W", &[("W", "0"), ("L", "0")]), "{}");
    check(r024, &priced("A", "W", &[("W", "0"), ("L", "0")]), "{}");

    // No ratio: two active awards, a pending award, two suppliers, a consortium bid.
    let two_awards = r#"{"ocid":"A","bids":{"details":[{"status":"valid","tenderers":[{"id":"W"}],"value":{"amount":100,"currency":"USD"}},{"status":"valid","tenderers":[{"id":"L"}],"value":{"amount":101,"currency":"USD"}}]},"awards":[{"status":"active","suppliers":[{"id":"W"}]},{"status":"active","suppliers":[{"id":"L"}]}]}"#;
    check(r024, two_awards, "{}");
    let pending = two_awards.replacen(
        r#""status":"active","suppliers":[{"id":"L"}]"#,
        r#""status":"pending""#,
        1,
    );
    check(r024, &pending, "{}");
    // Cancelled and unsuccessful awards, and awards without a status, are passed over.
    let cancelled = two_awards.replacen(
        r#""status":"active","suppliers":[{"id":"L"}]"#,
        r#""status":"cancelled""#,
        1,
    );
    check(
        r024,
        &cancelled,
        r#"{"OCID":{"A":{"R024":0.01}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}"#,
    );
    let no_status = two_awards.replacen(
        r#""status":"active","suppliers":[{"id":"L"}]"#,
        r#""title":"x""#,
        1,
    );
    check(
        r024,
        &no_status,
        r#"{"OCID":{"A":{"R024":0.01}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}"#,
    );
    let two_suppliers = priced("A", "W", &[("W", "100"), ("L", "101")])
        .replace(r#"[{"id":"W"}]}]"#, r#"[{"id":"W"},{"id":"X"}]}]"#);
    check(r024, &two_suppliers, "{}");
    let consortium = priced("A", "W", &[("W", "100"), ("L", "101")])
        .replace(r#"[{"id":"L"}]"#, r#"[{"id":"L"},{"id":"M"}]"#);
    check(r024, &consortium, "{}");

    // Currencies: the setting, or the first met; price comparison filters.
    let mixed = [
        priced("usd", "W", &[("W", "100"), ("L", "101")]),
        priced("eur", "W", &[("W", "100"), ("L", "102")]).replace("USD", "EUR"),
    ]
    .join("\n");
    check(
        r024,
        &mixed,
        r#"{"OCID":{"usd":{"R024":0.01}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}"#,
    );
    check(
        &format!("currency = EUR\n{r024}"),
        &mixed,
        r#"{"OCID":{"eur":{"R024":0.02}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}"#,
    );
    let with_details = |details: &str| {
        priced("A", "W", &[("W", "100"), ("L", "101")]).replacen(
            r#"{"ocid":"A","#,
            &format!(r#"{{"ocid":"A","tender":{{"procurementMethodDetails":"{details}"}},"#),
            1,
        )
    };
    let flagged = r#"{"OCID":{"A":{"R024":0.01}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}"#;
    check(
        &format!("no_price_comparison_procurement_methods = Lottery|Draw\n{r024}"),
        &with_details("Draw"),
        "{}",
    );
    check(
        &format!("no_price_comparison_procurement_methods = Lottery|Draw\n{r024}"),
        &with_details("Auction"),
        flagged,
    );
    check(
        &format!("price_comparison_procurement_methods = Auction\n{r024}"),
        &with_details("Auction"),
        flagged,
    );
    check(
        &format!("price_comparison_procurement_methods = Auction\n{r024}"),
        &with_details("Draw"),
        "{}",
    );
    check(
        &format!("price_comparison_procurement_methods = Auction\n{r024}"),
        &priced("A", "W", &[("W", "100"), ("L", "101")]),
        "{}",
    );
}

#[test]
fn r024_and_r058_fences_from_the_quartiles() {
    let ratios = [
        "0.1", "0.11", "0.12", "0.1", "0.11", "0.12", "0.1", "0.11", "0.005", "0.9",
    ];
    let input: Vec<String> = ratios
        .iter()
        .enumerate()
        .map(|(index, ratio)| {
            let second = 100.0 * (1.0 + ratio.parse::<f64>().unwrap());
            priced(
                &format!("P{index}"),
                "W",
                &[("W", "100"), (&format!("L{index}"), &second.to_string())],
            )
        })
        .collect();
    check_meta(
        "[R024]\n[R058]\n",
        &input.join("\n"),
        r#"{"OCID":{"P8":{"R024":0.004999999999999858},"P9":{"R058":0.9}},"Tenderer":{"W":{"R024":0.0,"R058":0.0},"L8":{"R024":0.0}},"Meta":{"R024":{"q1":0.1,"q3":0.12,"lower_fence":0.07},"R058":{"q1":0.1,"q3":0.12,"upper_fence":0.15}}}"#,
    );
    // Without ratios, the quartiles are NaN (printed null) and nothing is flagged.
    check_meta(
        "[R024]\n[R058]\n",
        r#"{"ocid":"A"}"#,
        r#"{"Meta":{"R024":{"q1":null,"q3":null,"lower_fence":null},"R058":{"q1":null,"q3":null,"upper_fence":null}}}"#,
    );
}

#[test]
fn r025_rarely_winning_tenderer() {
    let mut lines = Vec::new();
    for index in 0..6 {
        // "R" bids everywhere and wins once; "S" bids twice in one process (counted once).
        let winner = if index == 0 { "R" } else { "W" };
        lines.push(priced(
            &format!("P{index}"),
            winner,
            &[("R", "100"), ("W", "100"), ("S", "90"), ("S", "95")],
        ));
    }
    let input = lines.join("\n");
    check_meta(
        "[R025]\nthreshold = 0.2\n",
        &input,
        r#"{"Tenderer":{"R":{"R025":0.16666666666666666},"S":{"R025":0.0}},"Meta":{"R025":{"upper_fence":6.0,"lower_fence":0.2}}}"#,
    );
    check_meta(
        "[R025]\nthreshold = 0.2\npercentile = 100\n",
        &input,
        r#"{"Tenderer":{"R":{"R025":0.16666666666666666},"S":{"R025":0.0}},"Meta":{"R025":{"upper_fence":6.0,"lower_fence":0.2}}}"#,
    );
    check_meta(
        "[R025]\npercentile = 101\nthreshold = 0.2\n",
        &input,
        r#"{"Meta":{"R025":{"upper_fence":null,"lower_fence":0.2}}}"#,
    );
    // From the quartiles: a negative lower fence flags nothing.
    check_meta(
        "[R025]\n",
        &input,
        r#"{"Meta":{"R025":{"q1":0.0278,"q3":0.7222,"upper_fence":6.0,"lower_fence":-1.0139}}}"#,
    );
}

/// A process with submitted bids `(status, tenderers, amount, currency)` and one active award.
fn bids(ocid: &str, winner: &str, bids: &[(&str, &[&str], &str, &str)]) -> String {
    let details: Vec<String> = bids
        .iter()
        .map(|(status, tenderers, amount, currency)| {
            let tenderers: Vec<String> = tenderers.iter().map(|id| format!(r#"{{"id":"{id}"}}"#)).collect();
            format!(
                r#"{{"status":"{status}","tenderers":[{}],"value":{{"amount":{amount},"currency":"{currency}"}}}}"#,
                tenderers.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"ocid":"{ocid}","bids":{{"details":[{}]}},"awards":[{{"status":"active","suppliers":[{{"id":"{winner}"}}]}}]}}"#,
        details.join(",")
    )
}

#[test]
fn r028_identical_bid_prices() {
    let flagged_ab =
        r#"{"OCID":{"P":{"R028":1.0}},"Tenderer":{"A":{"R028":1.0},"B":{"R028":1.0}}}"#;
    for (input, expected) in [
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A"], "100", "USD"),
                    ("disqualified", &["B"], "100.0", "USD"),
                ],
            ),
            flagged_ab,
        ),
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A"], "0", "USD"),
                    ("pending", &["B"], "-0", "USD"),
                ],
            ),
            flagged_ab,
        ),
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A"], "100", "USD"),
                    ("valid", &["A"], "100", "USD"),
                ],
            ),
            "{}",
        ),
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A"], "100", "USD"),
                    ("valid", &["B"], "100", "EUR"),
                ],
            ),
            "{}",
        ),
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A"], "100", "USD"),
                    ("withdrawn", &["B"], "100", "USD"),
                ],
            ),
            "{}",
        ),
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A"], "100", "USD"),
                    ("invited", &["B"], "100", "USD"),
                ],
            ),
            "{}",
        ),
        // A consortium in any order is the same set of tenderers.
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A", "B"], "100", "USD"),
                    ("valid", &["B", "A", "B"], "100", "USD"),
                ],
            ),
            "{}",
        ),
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A", "B"], "100", "USD"),
                    ("valid", &["B"], "100", "USD"),
                ],
            ),
            r#"{"OCID":{"P":{"R028":1.0}},"Tenderer":{"A":{"R028":1.0},"B":{"R028":1.0}}}"#,
        ),
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &[], "100", "USD"),
                    ("valid", &["B"], "100", "USD"),
                ],
            ),
            "{}",
        ),
        // A, B then A: the price is last held by B, so both pairs are flagged.
        (
            bids(
                "P",
                "A",
                &[
                    ("valid", &["A"], "5", "USD"),
                    ("valid", &["B"], "5", "USD"),
                    ("valid", &["C"], "5", "USD"),
                ],
            ),
            r#"{"OCID":{"P":{"R028":1.0}},"Tenderer":{"A":{"R028":1.0},"B":{"R028":1.0},"C":{"R028":1.0}}}"#,
        ),
    ] {
        check("[R028]", &input, expected);
    }
    // Excluded from price comparisons.
    let lottery = bids(
        "P",
        "A",
        &[
            ("valid", &["A"], "100", "USD"),
            ("valid", &["B"], "100", "USD"),
        ],
    )
    .replacen(
        r#"{"ocid":"P","#,
        r#"{"ocid":"P","tender":{"procurementMethodDetails":"Lottery"},"#,
        1,
    );
    check(
        "no_price_comparison_procurement_methods = Lottery\n[R028]\n",
        &lottery,
        "{}",
    );
}

#[test]
fn r030_late_winning_bid() {
    let process = |date: &str, status: &str, award: &str| {
        format!(
            r#"{{"ocid":"P","tender":{{"tenderPeriod":{{"endDate":"2024-05-01T00:00:00Z"}}}},"bids":{{"details":[{{"status":"{status}","date":"{date}","tenderers":[{{"id":"W"}}]}}]}},"awards":[{{"status":"{award}","suppliers":[{{"id":"W"}}]}}]}}"#
        )
    };
    let flagged = r#"{"OCID":{"P":{"R030":1.0}},"Tenderer":{"W":{"R030":1.0}}}"#;
    for (date, status, award, expected) in [
        ("2024-05-01T00:00:01Z", "valid", "active", flagged),
        ("2024-05-01T00:00:00Z", "valid", "active", "{}"),
        // Dates compare as text, as in cardinal: 07:00 at +08:00 is before midnight UTC, yet later.
        ("2024-05-01T07:00:00+08:00", "valid", "active", flagged),
        ("2024-05-01T00:00:00+08:00", "valid", "active", "{}"),
        ("2024-05-02T00:00:00Z", "disqualified", "active", "{}"),
        ("2024-05-02T00:00:00Z", "valid", "pending", "{}"),
    ] {
        check("[R030]", &process(date, status, award), expected);
    }
}

#[test]
fn r035_all_except_winner_disqualified() {
    let input = |statuses: &[(&str, &str)], award: &[&str]| {
        let details: Vec<String> = statuses
            .iter()
            .map(|(status, id)| format!(r#"{{"status":"{status}","tenderers":[{{"id":"{id}"}}]}}"#))
            .collect();
        let suppliers: Vec<String> = award
            .iter()
            .map(|id| format!(r#"{{"id":"{id}"}}"#))
            .collect();
        format!(
            r#"{{"ocid":"P","bids":{{"details":[{}]}},"awards":[{{"status":"active","suppliers":[{}]}}]}}"#,
            details.join(","),
            suppliers.join(",")
        )
    };
    for (settings, statuses, award, expected) in [
        (
            "[R035]",
            &[("valid", "W"), ("disqualified", "X")][..],
            &["W"][..],
            r#"{"OCID":{"P":{"R035":1.0}},"Tenderer":{"W":{"R035":0.0}}}"#,
        ),
        (
            "[R035]",
            &[
                ("valid", "W"),
                ("valid", "W"),
                ("disqualified", "X"),
                ("disqualified", "Y"),
                ("disqualified", "W"),
            ][..],
            &["W"][..],
            r#"{"OCID":{"P":{"R035":2.0}},"Tenderer":{"W":{"R035":0.0}}}"#,
        ),
        (
            "[R035]\nthreshold = 3\n",
            &[("valid", "W"), ("disqualified", "X"), ("disqualified", "Y")][..],
            &["W"][..],
            "{}",
        ),
        // A threshold of 0 is 1.
        (
            "[R035]\nthreshold = 0\n",
            &[("valid", "W")][..],
            &["W"][..],
            "{}",
        ),
        (
            "[R035]",
            &[("valid", "W"), ("valid", "V"), ("disqualified", "X")][..],
            &["W"][..],
            "{}",
        ),
        (
            "[R035]",
            &[("valid", "W"), ("disqualified", "X")][..],
            &["V"][..],
            "{}",
        ),
        (
            "[R035]",
            &[("valid", "W"), ("disqualified", "X")][..],
            &["W", "V"][..],
            "{}",
        ),
        (
            "[R035]",
            &[("valid", "W"), ("pending", "X")][..],
            &["W"][..],
            "{}",
        ),
    ] {
        check(settings, &input(statuses, award), expected);
    }
}

#[test]
fn r036_lowest_bid_disqualified() {
    let flagged = r#"{"OCID":{"P":{"R036":1.0}}}"#;
    for (input, expected) in [
        (
            bids(
                "P",
                "B",
                &[
                    ("disqualified", &["A"], "90", "USD"),
                    ("valid", &["B"], "100", "USD"),
                ],
            ),
            flagged,
        ),
        (
            bids(
                "P",
                "B",
                &[
                    ("pending", &["A"], "90", "USD"),
                    ("valid", &["B"], "100", "USD"),
                ],
            ),
            "{}",
        ),
        (
            bids(
                "P",
                "B",
                &[
                    ("disqualified", &["A"], "90", "USD"),
                    ("pending", &["B"], "100", "USD"),
                ],
            ),
            "{}",
        ),
        // Ties: the first of the lowest bids decides.
        (
            bids(
                "P",
                "B",
                &[
                    ("disqualified", &["A"], "90", "USD"),
                    ("valid", &["B"], "90", "USD"),
                ],
            ),
            flagged,
        ),
        (
            bids(
                "P",
                "B",
                &[
                    ("valid", &["B"], "90", "USD"),
                    ("disqualified", &["A"], "90", "USD"),
                ],
            ),
            "{}",
        ),
        // The lowest bid in another currency than the first met does not count.
        (
            bids(
                "P",
                "B",
                &[
                    ("valid", &["B"], "100", "USD"),
                    ("disqualified", &["A"], "1", "EUR"),
                ],
            ),
            "{}",
        ),
        (
            bids(
                "P",
                "B",
                &[
                    ("disqualified", &["A"], "1", "EUR"),
                    ("valid", &["B"], "100", "USD"),
                ],
            ),
            "{}",
        ),
    ] {
        check("[R036]", &input, expected);
    }
    check(
        "currency = EUR\n[R036]\n",
        &bids(
            "P",
            "B",
            &[
                ("valid", &["B"], "100", "EUR"),
                ("disqualified", &["A"], "1", "EUR"),
                ("valid", &["C"], "0", "USD"),
            ],
        ),
        flagged,
    );
    // No active award: nothing.
    let pending = bids(
        "P",
        "B",
        &[
            ("disqualified", &["A"], "90", "USD"),
            ("valid", &["B"], "100", "USD"),
        ],
    )
    .replace(r#""status":"active""#, r#""status":"pending""#);
    check("[R036]", &pending, "{}");
}

#[test]
fn r038_excessive_disqualified_bids() {
    let process = |ocid: &str, buyer: &str, entity: &str, statuses: &[(&str, &str)]| {
        let details: Vec<String> = statuses
            .iter()
            .map(|(status, id)| format!(r#"{{"status":"{status}","tenderers":[{{"id":"{id}"}}]}}"#))
            .collect();
        format!(
            r#"{{"ocid":"{ocid}","buyer":{{"id":"{buyer}"}},"tender":{{"procuringEntity":{{"id":"{entity}"}}}},"bids":{{"details":[{}]}}}}"#,
            details.join(",")
        )
    };
    let input = [
        process("1", "B1", "E1", &[("disqualified", "T1"), ("valid", "T2")]),
        process(
            "2",
            "B1",
            "E2",
            &[
                ("disqualified", "T1"),
                ("disqualified", "T3"),
                ("invited", "T4"),
            ],
        ),
        process(
            "3",
            "B2",
            "E2",
            &[("valid", "T1"), ("valid", "T2"), ("withdrawn", "T3")],
        ),
        process("4", "B3", "E3", &[("invited", "T1")]),
    ]
    .join("\n");
    check_meta(
        "[R038]\nthreshold = 0.6\n",
        &input,
        r#"{"Buyer":{"B1":{"R038":0.75}},"Tenderer":{"T1":{"R038":0.6666666666666666}},"Meta":{"R038":{"Buyer_upper_fence":0.6,"ProcuringEntity_upper_fence":0.6,"Tenderer_upper_fence":0.6}}}"#,
    );
    // The minimum for buyers and procuring entities counts their submitted bids, as in cardinal:
    // B1 had 4 (in 2 processes), E2 had 4, E1 and B2 had 2.
    check_meta(
        "[R038]\nthreshold = 0.5\nminimum_submitted_bids = 3\nminimum_contracting_processes = 4\n",
        &input,
        r#"{"Buyer":{"B1":{"R038":0.75}},"ProcuringEntity":{"E2":{"R038":0.5}},"Tenderer":{"T1":{"R038":0.6666666666666666}},"Meta":{"R038":{"Buyer_upper_fence":0.5,"ProcuringEntity_upper_fence":0.5,"Tenderer_upper_fence":0.5}}}"#,
    );
    check_meta(
        "[R038]\n",
        &input,
        r#"{"ProcuringEntity":{"E1":{"R038":0.5},"E2":{"R038":0.5}},"Meta":{"R038":{"Buyer_q1":0.0,"Buyer_q3":0.75,"Buyer_upper_fence":1.875,"ProcuringEntity_q1":0.5,"ProcuringEntity_q3":0.5,"ProcuringEntity_upper_fence":0.5,"Tenderer_q1":0.0,"Tenderer_q3":0.6667,"Tenderer_upper_fence":1.6667}}}"#,
    );
    // A minimum of 0 still counts only organisations with submitted bids.
    check_meta(
        "[R038]\nthreshold = 0.5\nminimum_submitted_bids = 0\nminimum_contracting_processes = 0\n",
        r#"{"ocid":"P","buyer":{"id":"B"},"bids":{"details":[{"status":"invited","tenderers":[{"id":"T"}]}]}}"#,
        r#"{"Meta":{}}"#,
    );
}

#[test]
fn r048_heterogeneous_supplier() {
    let award = |ocid: &str, status: &str, suppliers: &[&str], codes: &[&str]| {
        let suppliers: Vec<String> = suppliers
            .iter()
            .map(|id| format!(r#"{{"id":"{id}"}}"#))
            .collect();
        let items: Vec<String> = codes
            .iter()
            .map(|code| format!(r#"{{"classification":{{"id":{code}}}}}"#))
            .collect();
        format!(
            r#"{{"ocid":"{ocid}","awards":[{{"status":"{status}","suppliers":[{}],"items":[{}]}}]}}"#,
            suppliers.join(","),
            items.join(",")
        )
    };
    let input = [
        award(
            "1",
            "active",
            &["S"],
            &[r#""4321""#, r#""4399""#, r#""72""#],
        ),
        award("2", "active", &["S"], &[r#""8011""#, r#""7""#, "8011"]),
        award("3", "pending", &["S"], &[r#""9999""#]),
        award("4", "active", &["S", "T"], &[r#""5555""#]),
        award("5", "active", &["T"], &[r#""12""#, r#""13""#]),
        award("6", "active", &["U"], &[r#""é漢字x""#, r#""é漢y""#]),
    ]
    .join("\n");
    check_meta(
        "[R048]\nminimum_contracting_processes = 2\nthreshold = 4\n",
        &input,
        r#"{"Tenderer":{"S":{"R048":4.0}},"Meta":{"R048":{"upper_fence":4.0}}}"#,
    );
    check_meta(
        "[R048]\nminimum_contracting_processes = 1\nthreshold = 2\ndigits = 3\n",
        &input,
        r#"{"Tenderer":{"S":{"R048":5.0},"T":{"R048":2.0},"U":{"R048":2.0}},"Meta":{"R048":{"upper_fence":2.0}}}"#,
    );
    check_meta(
        "[R048]\nminimum_contracting_processes = 1\n",
        &input,
        r#"{"Meta":{"R048":{"q1":1.1667,"q3":3.6667,"upper_fence":7.4167}}}"#,
    );
}

#[test]
fn processes_left_out_of_every_indicator() {
    let settings = "[exclusions]\nprocurement_method_details = Random Selection|\n[R018]\n";
    for (line, expected) in [
        (
            r#"{"ocid":"P","tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
            r#"{"OCID":{"P":{"R018":1.0}}}"#,
        ),
        (
            r#"{"ocid":"P","tender":{"status":"cancelled","procurementMethod":"open","numberOfTenderers":1}}"#,
            "{}",
        ),
        (
            r#"{"ocid":"P","tender":{"procurementMethodDetails":"Random Selection","procurementMethod":"open","numberOfTenderers":1}}"#,
            "{}",
        ),
        (
            r#"{"ocid":"P","tender":{"procurementMethodDetails":"","procurementMethod":"open","numberOfTenderers":1}}"#,
            r#"{"OCID":{"P":{"R018":1.0}}}"#,
        ),
        (
            r#"{"tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
            "{}",
        ),
        (
            r#"{"ocid":7,"tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
            "{}",
        ),
        (
            r#"[{"ocid":"P","tender":{"procurementMethod":"open","numberOfTenderers":1}}]"#,
            "{}",
        ),
        // Invalid JSON lines are skipped, whatever they hold.
        (
            r#"{"ocid":"P","tender":{"procurementMethod":"open","numberOfTenderers":1}} x"#,
            "{}",
        ),
        (
            r#"{"ocid":"P","tender":{"procurementMethod":"open","numberOfTenderers":01}}"#,
            "{}",
        ),
        (
            r#"{"ocid":"P","x":"\ud800","tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
            "{}",
        ),
        // The last of repeated keys counts.
        (
            r#"{"ocid":"Q","ocid":"P","tender":{"numberOfTenderers":2},"tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
            r#"{"OCID":{"P":{"R018":1.0}}}"#,
        ),
        (
            r#"{"ocid":"P","tender":{"procurementMethod":"open","numberOfTenderers":1},"tender":null}"#,
            "{}",
        ),
    ] {
        check(settings, line, expected);
    }
}
