//! Our output equals cardinal's on the same input and settings. Each `*.expected.json` is what
//! `ocdscardinal indicators` (commit b04158a) printed; `*.map.expected.json` the same with `--map`.
//! `docs/flags.md` gives the commands.

use std::fs;
use std::path::Path;

use crate::{Run, assert_same, fixtures, flags_json};

fn check_fixture(directory: &Path, name: &str, settings_file: &Path) {
    let input = fs::read_to_string(directory.join(format!("{name}.jsonl"))).unwrap();
    let settings = fs::read_to_string(settings_file).unwrap();
    for (map, suffix) in [(false, "expected.json"), (true, "map.expected.json")] {
        let expected = fs::read_to_string(directory.join(format!("{name}.{suffix}"))).unwrap();
        let actual = flags_json(
            &settings,
            &input,
            Run {
                map,
                meta: true,
                ..Run::default()
            },
        );
        assert_same(&format!("{name} ({suffix})"), &expected, &actual);
    }
}

fn stems(directory: &Path) -> Vec<String> {
    let mut stems: Vec<String> = fs::read_dir(directory)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".jsonl").map(str::to_owned)
        })
        .collect();
    stems.sort();
    stems
}

#[test]
fn a_file_that_triggers_every_indicator_gives_cardinals_output() {
    let directory = fixtures();
    check_fixture(
        &directory,
        "all-indicators",
        &directory.join("all-indicators.ini"),
    );

    // The fixture is only worth its name if every indicator fires in it.
    let expected = fs::read_to_string(directory.join("all-indicators.expected.json")).unwrap();
    for indicator in flags::Indicator::ALL {
        assert!(
            expected.contains(&format!("\"{}\":", indicator.code())),
            "{} does not fire in all-indicators.jsonl",
            indicator.code()
        );
    }
}

#[test]
fn cardinals_documentation_examples_give_cardinals_output() {
    let directory = fixtures().join("cardinal").join("examples");
    let stems = stems(&directory);
    assert_eq!(stems.len(), 11);
    for name in stems {
        let own = directory.join(format!("{name}.ini"));
        let settings = if own.exists() {
            own
        } else {
            directory.join("settings.ini")
        };
        check_fixture(&directory, &name, &settings);
    }
}

#[test]
fn cardinals_test_fixtures_give_cardinals_output() {
    let directory = fixtures().join("cardinal").join("indicators");
    let stems = stems(&directory);
    assert_eq!(stems.len(), 15);
    for name in stems {
        check_fixture(&directory, &name, &directory.join(format!("{name}.ini")));
    }
}
