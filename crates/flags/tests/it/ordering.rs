//! Results do not depend on the number of threads or the size of the chunks handed to them:
//! chunks are merged in file order, so a repeated `ocid` and the first currency met behave as
//! they do in cardinal on one thread.

use std::fs;

use crate::{Run, assert_same, fixtures, flags_json};

const NO_CURRENCY: &str = "[R036]\n";

#[test]
fn threads_and_chunk_sizes_do_not_change_the_results() {
    let directory = fixtures();
    let input = fs::read_to_string(directory.join("all-indicators.jsonl")).unwrap();
    let settings = fs::read_to_string(directory.join("all-indicators.ini")).unwrap();
    let expected = fs::read_to_string(directory.join("all-indicators.map.expected.json")).unwrap();
    for threads in [1, 2, 3] {
        for chunk_bytes in [1, 200, 1000, 100_000] {
            let run = Run {
                map: true,
                meta: true,
                threads: Some(threads),
                chunk_bytes: Some(chunk_bytes),
            };
            let actual = flags_json(&settings, &input, run);
            assert_same(
                &format!("{threads} threads, {chunk_bytes}-byte chunks"),
                &expected,
                &actual,
            );
        }
    }
}

/// Without a `currency` setting, price comparisons keep the first currency met in the file, even
/// when a later chunk is tallied first.
#[test]
fn the_first_currency_in_the_file_is_kept_whatever_the_chunking() {
    let mut lines = vec![
        // No currency met here (no active award, so neither R036 nor the ratio looks at bids).
        String::from(
            r#"{"ocid":"none","bids":{"details":[{"status":"valid","tenderers":[{"id":"A"}],"value":{"amount":1,"currency":"CNY"}}]}}"#,
        ),
        String::from(
            r#"{"ocid":"first-usd","bids":{"details":[{"status":"disqualified","tenderers":[{"id":"A"}],"value":{"amount":1,"currency":"USD"}},{"status":"valid","tenderers":[{"id":"B"}],"value":{"amount":2,"currency":"USD"}}]},"awards":[{"status":"active","suppliers":[{"id":"B"}]}]}"#,
        ),
    ];
    for index in 0..40 {
        lines.push(format!(
            r#"{{"ocid":"cny-{index}","bids":{{"details":[{{"status":"disqualified","tenderers":[{{"id":"A"}}],"value":{{"amount":1,"currency":"CNY"}}}},{{"status":"valid","tenderers":[{{"id":"B"}}],"value":{{"amount":2,"currency":"CNY"}}}},{{"status":"valid","tenderers":[{{"id":"C"}}],"value":{{"amount":3,"currency":"CNY"}}}}]}},"awards":[{{"status":"active","suppliers":[{{"id":"B"}}]}}]}}"#
        ));
        lines.push(format!(
            r#"{{"ocid":"usd-{index}","bids":{{"details":[{{"status":"disqualified","tenderers":[{{"id":"A"}}],"value":{{"amount":1,"currency":"USD"}}}},{{"status":"valid","tenderers":[{{"id":"B"}}],"value":{{"amount":2,"currency":"USD"}}}},{{"status":"valid","tenderers":[{{"id":"C"}}],"value":{{"amount":{},"currency":"USD"}}}}]}},"awards":[{{"status":"active","suppliers":[{{"id":"B"}}]}}]}}"#,
            3 + index
        ));
    }
    let input = lines.join("\n");
    let one_thread = flags_json(
        NO_CURRENCY,
        &input,
        Run {
            threads: Some(1),
            ..Run::default()
        },
    );
    assert!(
        one_thread.contains("\"usd-0\":{\"R036\":1.0}"),
        "{one_thread}"
    );
    assert!(
        !one_thread.contains("cny-"),
        "CNY bids are not compared: {one_thread}"
    );
    for threads in [2, 3] {
        for chunk_bytes in [1, 300, 2000] {
            let run = Run {
                threads: Some(threads),
                chunk_bytes: Some(chunk_bytes),
                ..Run::default()
            };
            assert_same(
                &format!("{threads} threads, {chunk_bytes}-byte chunks"),
                &one_thread,
                &flags_json(NO_CURRENCY, &input, run),
            );
        }
    }
}

/// The same `ocid` on several lines: results add up, later values win (cardinal on one thread).
#[test]
fn a_repeated_ocid_adds_up_its_results_whatever_the_chunking() {
    let input = [
        r#"{"ocid":"A","tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
        r#"{"ocid":"B","tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
        r#"{"ocid":"A","tender":{"procurementMethod":"open","tenderPeriod":{"startDate":"2024-01-01T00:00:00Z","endDate":"2024-01-02T00:00:00Z"}}}"#,
        r#"{"ocid":"A","bids":{"details":[{"status":"valid","tenderers":[{"id":"W"}]},{"status":"disqualified","tenderers":[{"id":"X"}]},{"status":"disqualified","tenderers":[{"id":"Y"}]}]},"awards":[{"status":"active","suppliers":[{"id":"W"}]}]}"#,
        r#"{"ocid":"A","bids":{"details":[{"status":"valid","tenderers":[{"id":"W"}]},{"status":"disqualified","tenderers":[{"id":"X"}]}]},"awards":[{"status":"active","suppliers":[{"id":"W"}]}]}"#,
    ]
    .join("\n");
    let settings = "[R003]\n[R018]\n[R035]\n";
    let expected = r#"{"OCID":{"A":{"R003":1.0,"R018":1.0,"R035":1.0},"B":{"R018":1.0}},"Tenderer":{"W":{"R035":0.0}}}"#;
    for threads in [1, 2] {
        for chunk_bytes in [1, 100_000] {
            let run = Run {
                map: false,
                meta: false,
                threads: Some(threads),
                chunk_bytes: Some(chunk_bytes),
            };
            assert_same(
                "repeated ocid",
                expected,
                &flags_json(settings, &input, run),
            );
        }
    }
}
