//! The settings file: what it reads (checked against cardinal's reading of the same text, see
//! `docs/flags.md`) and what it refuses.

use flags::{Settings, SettingsError};

fn parse(text: &str) -> Settings {
    Settings::parse(text).unwrap_or_else(|error| panic!("{text:?}: {error}"))
}

fn refuse(text: &str) -> SettingsError {
    match Settings::parse(text) {
        Ok(settings) => panic!("{text:?} was accepted: {settings:?}"),
        Err(error) => error,
    }
}

#[test]
fn an_empty_file_enables_nothing() {
    assert_eq!(parse(""), Settings::default());
    assert_eq!(
        parse("; a comment\n# another\n\n   \n"),
        Settings::default()
    );
}

#[test]
fn a_section_enables_its_indicator_even_empty() {
    let settings = parse("[R028]\n[R030]\n[R036]\n[R024]\n");
    assert!(settings.r028.is_some() && settings.r030.is_some() && settings.r036.is_some());
    assert_eq!(settings.r024, Some(flags::Threshold { threshold: None }));
    assert!(settings.r003.is_none() && settings.r058.is_none());
}

#[test]
fn every_setting_is_read() {
    let settings = parse(
        "currency = USD\n\
         no_price_comparison_procurement_methods = Random Selection|Sorteo de Obras\n\
         price_comparison_procurement_methods: Reverse Auction\n\
         [output]\ninfo_currency_mismatches = yes\n\
         [exclusions]\nprocurement_method_details = \"Emergency\"\n\
         [R003]\nthreshold = -5\nprocurement_methods = open|selective\n\
         [R003.procurement_method_details]\nLimited Bidding = 10\nemergency = +3\n\
         [R018]\nprocurement_methods = ''\n\
         [R025]\npercentile = 90\nthreshold = 1e-1\n\
         [R035]\nthreshold = 2\n\
         [R038]\nthreshold = 0.5\nminimum_submitted_bids = true\nminimum_contracting_processes = 3\n\
         [R048]\ndigits = 4\nthreshold = 7\nminimum_contracting_processes = 0\n\
         [R058]\nthreshold = inf\n",
    );
    assert_eq!(settings.currency.as_deref(), Some("USD"));
    assert_eq!(
        settings.no_price_comparison_procurement_methods.as_deref(),
        Some("Random Selection|Sorteo de Obras")
    );
    assert_eq!(
        settings.price_comparison_procurement_methods.as_deref(),
        Some("Reverse Auction")
    );
    assert_eq!(settings.info_currency_mismatches, Some(true));
    assert_eq!(
        settings.exclusions_procurement_method_details.as_deref(),
        Some("Emergency")
    );
    let r003 = settings.r003.unwrap();
    assert_eq!(r003.threshold, Some(-5));
    assert_eq!(r003.procurement_methods.as_deref(), Some("open|selective"));
    let details = r003.procurement_method_details.unwrap();
    assert_eq!(details.get("Limited Bidding"), Some(&10));
    assert_eq!(details.get("emergency"), Some(&3));
    assert_eq!(
        settings.r018.unwrap().procurement_methods.as_deref(),
        Some("")
    );
    assert_eq!(
        settings.r025,
        Some(flags::R025 {
            percentile: Some(90),
            threshold: Some(0.1)
        })
    );
    assert_eq!(settings.r035, Some(flags::R035 { threshold: Some(2) }));
    assert_eq!(
        settings.r038,
        Some(flags::R038 {
            threshold: Some(0.5),
            minimum_submitted_bids: Some(1),
            minimum_contracting_processes: Some(3)
        })
    );
    assert_eq!(
        settings.r048,
        Some(flags::R048 {
            digits: Some(4),
            threshold: Some(7),
            minimum_contracting_processes: Some(0)
        })
    );
    assert_eq!(settings.r058.unwrap().threshold, Some(f64::INFINITY));
}

#[test]
fn cardinals_init_file_and_prepare_sections_are_accepted() {
    // The sections of cardinal's `prepare` command are checked for their types and ignored.
    let settings = parse(
        "[defaults]\ncurrency = USD\nitem_classification_scheme = UNSPSC\nbid_status = valid\naward_status = active\nparty_roles = on\n\
         [redactions]\namount = 0\norganization_id = placeholder\n\
         [corrections]\naward_status_by_contract_status = 1\n\
         [modifications]\nmove_auctions = false\nprefix_buyer_or_procuring_entity_id = DO-UC-\nprefix_tenderer_or_supplier_id = DO-RPE-\nsplit_procurement_method_details = -\n\
         [codelists.bid_status]\nqualified = valid\n\
         [codelists.award_status]\nActive = active\n",
    );
    assert_eq!(settings, Settings::default());
    assert!(matches!(
        refuse("[defaults]\nparty_roles = maybe\n"),
        SettingsError::InvalidValue { ref path, expected: "a boolean", .. } if path == "defaults.party_roles"
    ));
    assert!(matches!(
        refuse("[codelists.contract_status]\na = b\n"),
        SettingsError::UnknownKey { ref path, ref key, .. } if path == "codelists" && key == "contract_status"
    ));
}

#[test]
fn paths_sections_and_repeats_follow_cardinal() {
    // A dotted key at the top level is a path.
    assert_eq!(
        parse("R024.threshold = 0.25\n").r024.unwrap().threshold,
        Some(0.25)
    );
    // A section given twice keeps only its last occurrence; a repeated key its last value.
    assert_eq!(
        parse("[R024]\nthreshold = 0.5\n[R024]\n")
            .r024
            .unwrap()
            .threshold,
        None
    );
    assert_eq!(
        parse("[R024]\nthreshold = 0.5\nthreshold = 0.7\n")
            .r024
            .unwrap()
            .threshold,
        Some(0.7)
    );
    // A subsection alone enables its indicator.
    assert!(
        parse("[R003.procurement_method_details]\nx = 5\n")
            .r003
            .is_some()
    );
    // `rust-ini` reads on after a section name.
    assert_eq!(
        parse("[R024] threshold = 1\n").r024.unwrap().threshold,
        Some(1.0)
    );
    // Whitespace around names and values, `:` as separator, quotes and escapes.
    let settings = parse("  [ R018 ]  \n\tprocurement_methods :  \"open\\x007C\\tselective\"  \n");
    assert_eq!(
        settings.r018.unwrap().procurement_methods.as_deref(),
        Some("open|\tselective")
    );
}

#[test]
fn unknown_sections_and_keys_are_refused() {
    let error = refuse("[R099]\n");
    assert!(
        matches!(error, SettingsError::UnknownKey { ref key, .. } if key == "R099"),
        "{error}"
    );
    assert!(
        error.to_string().contains("R058"),
        "the message lists what is allowed: {error}"
    );
    // Names are case-sensitive, as in cardinal.
    assert!(
        matches!(refuse("[r024]\n"), SettingsError::UnknownKey { ref key, .. } if key == "r024")
    );
    let error = refuse("[R024]\nfoo = 1\n");
    assert!(
        matches!(error, SettingsError::UnknownKey { ref path, ref key, expected } if path == "R024" && key == "foo" && expected == ["threshold"]),
        "{error}"
    );
    assert!(
        matches!(refuse("[R028]\nthreshold = 1\n"), SettingsError::UnknownKey { ref path, .. } if path == "R028")
    );
    assert!(matches!(
        refuse("[exclusions]\nprocurement_methods = x\n"),
        SettingsError::UnknownKey { .. }
    ));
    assert!(
        matches!(refuse("colour = red\n"), SettingsError::UnknownKey { ref path, .. } if path.is_empty())
    );
}

#[test]
fn values_of_the_wrong_type_are_refused() {
    for (text, path, expected) in [
        (
            "[R024]\nthreshold = abc\n",
            "R024.threshold",
            "a decimal number",
        ),
        (
            "[R024]\nthreshold =\n",
            "R024.threshold",
            "a decimal number",
        ),
        // No inline comments: the text after the value is part of it (cardinal refuses it too).
        (
            "[R038]\nminimum_submitted_bids = 2 # default\n",
            "R038.minimum_submitted_bids",
            "a non-negative integer",
        ),
        (
            "[R038]\nminimum_submitted_bids = -2\n",
            "R038.minimum_submitted_bids",
            "a non-negative integer",
        ),
        (
            "[R048]\ndigits = 2.0\n",
            "R048.digits",
            "a non-negative integer",
        ),
        ("[R003]\nthreshold = 1.5\n", "R003.threshold", "an integer"),
        (
            "[R003.procurement_method_details]\nx = ten\n",
            "R003.procurement_method_details.x",
            "an integer",
        ),
        (
            "[output]\ninfo_currency_mismatches = 2\n",
            "output.info_currency_mismatches",
            "a boolean",
        ),
    ] {
        let error = refuse(text);
        assert!(
            matches!(error, SettingsError::InvalidValue { path: ref at, expected: what, .. } if at == path && what == expected),
            "{text:?}: {error}"
        );
    }
}

#[test]
fn a_section_where_a_value_belongs_and_the_reverse_are_refused() {
    assert!(
        matches!(refuse("R024 = 1\n"), SettingsError::ExpectedSection { ref path } if path == "R024")
    );
    assert!(
        matches!(refuse("[currency]\n"), SettingsError::ExpectedValue { ref path } if path == "currency")
    );
    assert!(matches!(
        refuse("[R003]\nprocurement_method_details = x\n"),
        SettingsError::ExpectedSection { ref path } if path == "R003.procurement_method_details"
    ));
}

#[test]
fn lines_that_are_not_ini_are_refused_with_their_number() {
    for (text, line) in [
        ("[R024]\nthreshold\n", 2),
        ("[R024\n", 1),
        ("; ok\n[]\n", 2),
        ("[R024]\n= 1\n", 2),
        ("[R024]\nthreshold = \"0.5\n", 2),
        ("[R024]\nthreshold = 0.5\\\n", 2),
    ] {
        let error = refuse(text);
        assert!(
            matches!(error, SettingsError::Syntax { line: at, .. } if at == line),
            "{text:?}: {error}"
        );
    }
}
