//! Identical builds on a real hunt: every commit builds the same bytes, while the test
//! also reads a file of the tree that the commits change (the failure is not in the
//! artifacts). Candidates whose artifacts match an earlier step's take its verdict
//! without booting, and the verification finds the culprit's artifacts identical to its
//! parent's: the answer says its code cannot be the cause instead of claiming it.

use crate::common;

use common::{culprit, json, linear_repo};

/// Every commit builds the same image; the boot panics from commit 5 on.
fn toml() -> String {
    let boot = common::boot_test(
        "boot",
        "cat {build}/image; if [ $(cat n) -ge 5 ]; then echo 'Kernel panic - not syncing: planted'; else echo BOOT-OK; fi",
        "timeout = \"20s\"\n",
    );
    format!("[build]\ncommand = \"echo kernel > {{build}}/image\"\nartifacts = [\"{{build}}/image\"]\n\n{boot}")
}

#[test]
fn a_culprit_with_its_parents_bytes_is_not_claimed() {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let ids = linear_repo(&repo, 12, &toml());
    let out = culprit(
        &repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    let doc = json(&out);
    assert_eq!(doc["status"], "inconclusive", "{doc}");
    assert!(doc["reused"].as_u64().unwrap() >= 1, "{doc}");
    let message = doc["message"].as_str().unwrap();
    assert!(
        message.contains("builds the same artifacts as its parent")
            && message.contains("no commit is claimed"),
        "{message}"
    );
    assert!(doc["verification"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "the culprit's artifacts are byte-identical to its parent's"));
}
