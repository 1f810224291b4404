//! Repository rules that keep the core pure, checked as tests.

use std::path::Path;

/// `domain` may depend only on these crates (platform.md §3).
const DOMAIN_ALLOWLIST: &[&str] = &[
    "serde",
    "thiserror",
    "jiff",
    "rand_core",
    "rand_chacha",
    "rust_decimal",
];

#[test]
fn domain_dependencies_stay_within_the_allowlist() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.']).next().unwrap().trim();
            assert!(DOMAIN_ALLOWLIST.contains(&name), "domain depends on {name}");
        }
    }
}

#[test]
fn every_source_file_starts_with_a_module_doc_and_has_no_markers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("crates");
    let mut stack = vec![root];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let first = text.lines().next().unwrap_or("");
                let is_bin_or_bench = path.components().any(|c| c.as_os_str() == "benches");
                assert!(
                    first.starts_with("//!") || is_bin_or_bench,
                    "{} lacks a //! line",
                    path.display()
                );
                // The markers this rule forbids; this file names them and is exempt.
                for marker in ["todo!(", "unimplemented!(", "dbg!(", "#[ignore"] {
                    let own = path.ends_with("repo_rules.rs");
                    assert!(
                        own || !text.contains(marker),
                        "{} contains {marker}",
                        path.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 10);
}
