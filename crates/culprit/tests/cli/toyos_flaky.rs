//! `culprit bisect --flaky` end to end on toyos: real builds and real QEMU boots (TCG),
//! the flakiness planted with `FLAKY_IPI` (a thread-start kick lost on about half the
//! boots, so `smp_threads` fails its join assertion). A commit that turns it on is found;
//! with it on from the first commit, no commit is the culprit and the hunt says so.
//! Each hunt prints its runs and wall time; `cargo bench -p culprit --bench toyos_flaky`
//! measures the same hunts against `git bisect run`.

use crate::common;

use common::flaky_toyos::flaky_hunt_args;
use common::{assert_says, culprit, json, new_dir};
use culprit_toyos::flaky::{generate, FlakyHistory};
use std::path::Path;
use std::time::Instant;

const COMMITS: usize = 16;

/// `culprit bisect --flaky` over the whole history on two workers; prints what it cost.
fn hunt(repo: &Path, history: &FlakyHistory, name: &str) -> (Option<i32>, serde_json::Value) {
    let started = Instant::now();
    let out = culprit(repo, &flaky_hunt_args(&history.commits[0]));
    let doc = json(&out);
    eprintln!(
        "toyos flaky hunt ({name}, {COMMITS} commits): {} in {} steps, {} runs, {:.0} s",
        doc["status"],
        doc["steps"],
        doc["runs"],
        started.elapsed().as_secs_f64()
    );
    (out.status.code(), doc)
}

#[test]
fn a_flaky_toyos_culprit_is_found_and_a_flake_throughout_is_no_culprit() {
    let dir = tempfile::tempdir().unwrap();
    let repo = new_dir(dir.path(), "planted");
    let history = generate(&repo, COMMITS, Some(9)).unwrap();
    let (code, doc) = hunt(&repo, &history, "FLAKY_IPI turned on by a commit");
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(doc["culprit"], history.culprit.unwrap().as_str(), "{doc}");
    assert_says(
        doc["target"]["smp_threads"].as_str().unwrap(),
        &["k_thread_join"],
    );
    let rate = doc["flaky"]["p_fail_if_bad"].as_f64().unwrap();
    assert!((0.2..0.9).contains(&rate), "{doc}");

    let repo = dir.path().join("flake");
    let history = generate(&repo, COMMITS, None).unwrap();
    assert!(history.culprit.is_none());
    let (code, doc) = hunt(&repo, &history, "FLAKY_IPI on throughout");
    assert_eq!(code, Some(1), "{doc}");
    assert!(doc["culprit"].is_null(), "{doc}");
    assert_eq!(doc["status"], "flake", "{doc}");
    assert_says(
        doc["message"].as_str().unwrap(),
        &["runs at the good endpoint and"],
    );
}
