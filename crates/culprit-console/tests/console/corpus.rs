//! The real crash corpus (`tests/corpus/`, made by `scripts/crash-corpus` from
//! Linux 6.1 under QEMU): every log gets the title a kernel engineer would give
//! it, the same crash in separate boots gets one title, and different crashes
//! never share one.

use culprit_console::{classify, Ending, Rules, Signature};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Expected {
    log: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    /// Relative to `tests/corpus/`.
    file: String,
    title: String,
    /// The report family (`kasan`, `warning`, `lockdep`...): crashes of one
    /// family provoked differently must still differ.
    #[serde(rename = "type")]
    family: String,
    #[serde(default)]
    corrupted: bool,
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn expected() -> Option<Expected> {
    let path = corpus().join("expected.toml");
    // The corpus is committed by its own script's run; until it is, there is
    // nothing to read.
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: no crash corpus at {} (scripts/crash-corpus makes it)",
            path.display()
        );
        return None;
    };
    Some(toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn first_signature(file: &Path) -> Option<Signature> {
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    classify(&Rules::boot(), &bytes, &Ending::Unknown)
        .unwrap()
        .signatures
        .into_iter()
        .next()
}

/// The crash a log shows: `NAME.log`, `NAME.2.log`... are boots of one crash.
fn crash_of(file: &str) -> String {
    let name = file.trim_end_matches(".log");
    match name.rsplit_once('.') {
        Some((stem, boot)) if boot.chars().all(|c| c.is_ascii_digit()) => stem.to_string(),
        _ => name.to_string(),
    }
}

#[test]
fn every_log_gets_its_expected_title() {
    let Some(expected) = expected() else { return };
    let mut wrong = Vec::new();
    for entry in &expected.log {
        let got = first_signature(&corpus().join(&entry.file));
        let got = got.map(|s| (s.title, s.corrupted));
        if got.as_ref() != Some(&(entry.title.clone(), entry.corrupted)) {
            wrong.push(format!(
                "{}: expected {:?} (corrupted: {}), got {got:?}",
                entry.file, entry.title, entry.corrupted
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} logs:\n{}",
        wrong.len(),
        expected.log.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_same_crash_in_separate_boots_gets_one_title() {
    let Some(expected) = expected() else { return };
    let mut titles: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for entry in &expected.log {
        let title =
            first_signature(&corpus().join(&entry.file)).map_or_else(String::new, |s| s.title);
        titles
            .entry(crash_of(&entry.file))
            .or_default()
            .push((entry.file.clone(), title));
    }
    let repeated: Vec<_> = titles.values().filter(|boots| boots.len() >= 2).collect();
    if repeated.is_empty() && std::env::var_os("CI").is_none() {
        eprintln!("skipped: the corpus has no crash provoked in several boots yet");
        return;
    }
    assert!(
        titles.values().any(|boots| boots.len() >= 5),
        "no crash was provoked in 5 boots"
    );
    for boots in repeated {
        let first = &boots[0].1;
        assert!(
            boots.iter().all(|(_, t)| t == first),
            "one crash, several titles: {boots:?}"
        );
    }
}

#[test]
fn different_crashes_never_share_a_title() {
    let Some(expected) = expected() else { return };
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for entry in &expected.log {
        let Some(signature) = first_signature(&corpus().join(&entry.file)) else {
            continue;
        };
        let crash = crash_of(&entry.file);
        if let Some(other) = owner.insert(signature.title.clone(), crash.clone()) {
            assert_eq!(
                other, crash,
                "{crash} and {other} ({}) share the title {:?}",
                entry.family, signature.title
            );
        }
    }
}
