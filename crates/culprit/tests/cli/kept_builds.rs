//! Kept builds on a real hunt: a worker that tests the candidate it has just built
//! again (the bad endpoint's flakiness check, one side of the verification) does not
//! build it again, unless a boot changed its artifacts since.

use crate::common;

use common::{culprit, json, linear_repo};
use std::path::Path;

/// Commit `n`'s build writes `n` into the image (and logs itself in `builds`); the
/// boot panics from commit 5 on, after running `after_boot`.
fn toml(builds: &Path, after_boot: &str) -> String {
    let boot = common::boot_test(
        "boot",
        &format!(
            "v=$(head -n 1 {{build}}/image); {after_boot} if [ $v -ge 5 ]; then echo 'Kernel panic - not syncing: planted'; else echo BOOT-OK; fi"
        ),
        "timeout = \"20s\"\n",
    );
    format!(
        "[build]\ncommand = \"cat n > {{build}}/image; echo built $(cat n) >> {}\"\nartifacts = [\"{{build}}/image\"]\n\n{boot}",
        builds.display()
    )
}

/// Hunts with one worker; returns the JSON answer and how often each commit was built.
fn hunt(after_boot: &str) -> (serde_json::Value, Vec<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let builds = dir.path().join("builds");
    let ids = linear_repo(&repo, 8, &toml(&builds, after_boot));
    let out = culprit(
        &repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    let doc = json(&out);
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(doc["culprit"], ids[4].as_str(), "{doc}");
    let log = std::fs::read_to_string(&builds).unwrap();
    let per_commit = (1..=8)
        .map(|n| log.lines().filter(|l| *l == format!("built {n}")).count())
        .collect();
    assert_eq!(
        log.lines().count() as u64,
        doc["builds"].as_u64().unwrap(),
        "every build the answer counts ran, and no other: {doc}"
    );
    (doc, per_commit)
}

#[test]
fn a_candidate_tested_again_on_the_worker_that_built_it_is_not_built_again() {
    let (doc, built) = hunt("");
    // The bad endpoint ran twice (its flakiness check), built once.
    assert_eq!(built[7], 1, "{built:?}");
    // The search's last step was commit 4 or 5, and that worker verified it first.
    assert_eq!(built[3] + built[4], 3, "{built:?}");
    assert_eq!(doc["kept_builds"], 2, "{doc}");
}

#[test]
fn a_build_whose_artifacts_a_boot_changed_is_built_again() {
    let (doc, built) = hunt("echo booted >> {build}/image;");
    assert_eq!(built[7], 2, "{built:?}");
    assert_eq!(built[3] + built[4], 4, "{built:?}");
    assert_eq!(doc["kept_builds"], 0, "{doc}");
}
