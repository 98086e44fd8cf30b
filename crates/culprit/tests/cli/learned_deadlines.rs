//! Learned hang deadlines on a real hunt: boots are shell scripts in a real git history,
//! where from one commit on the guest boots four times slower but still passes, and from
//! a later one it spins silently before its first line. The hangs of the search are cut
//! at the deadline the passing runs taught (the slow passes among them loosen it), the
//! slow commits are never blamed, and the culprit's verification waits out the full
//! silence.

use crate::common;

use common::{culprit, json, succeeded};
use std::path::PathBuf;

/// The boot: from commit 6 on its pauses are four times longer, from commit 11 on it
/// prints nothing.
const BOOT: &str = "n=$(cat n); p=0.5; if [ $n -ge 6 ]; then p=2; fi; if [ $n -ge 11 ]; then sleep 60; fi; echo 'Linux version 6.1'; sleep $p; echo 'Run /init as init process'; sleep $p; echo BOOT-OK";

/// A history of `commits` commits booting [`BOOT`] in a new folder, its hunts learning
/// deadlines with `margin`: (folder, repo, ids).
fn history(commits: usize, margin: &str) -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "timeout = \"30s\"\nsilence = \"15s\"\n\n[build]\ncommand = \"true\"\n\n[bisect]\nlearned_deadlines = \"{margin}\"\n"
    );
    let (repo, ids) = common::boot_repo(dir.path(), commits, BOOT, &extra);
    (dir, repo, ids)
}

#[test]
fn silent_hangs_end_at_the_learned_deadline_and_a_slow_boot_is_never_blamed() {
    let (_dir, repo, ids) = history(16, "4x+1s");
    let out = culprit(&repo, &common::bisect_args(&ids[0]));
    let doc = json(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{doc}\n{stderr}");
    assert_eq!(doc["culprit"], ids[10].as_str(), "commit 11 hangs: {doc}");
    assert_eq!(doc["target"]["boot"], "hang at stage none");
    assert!(
        stderr.contains("a hang at stage none by the learned deadline"),
        "{stderr}"
    );
    let log = succeeded(&repo, &["log"]);
    let rows: Vec<&str> = log.lines().filter(|l| l.contains(" boot ")).collect();
    let learned = |phase: &str| {
        rows.iter()
            .filter(|r| r.split_whitespace().nth(1) == Some(phase))
            .filter(|r| r.contains("learned deadline"))
            .count()
    };
    assert!(learned("search") >= 1, "{log}");
    for phase in ["verify", "verify-parent"] {
        assert_eq!(
            learned(phase),
            0,
            "{phase} waits for the full silence: {log}"
        );
    }
    // The bad endpoint's first run decides the target with the full silence; its rerun
    // (the flakiness check) ends at the learned deadline.
    let bad: Vec<&&str> = rows
        .iter()
        .filter(|r| r.split_whitespace().nth(1) == Some("endpoint-bad"))
        .collect();
    assert_eq!(bad.len(), 2, "{log}");
    assert!(!bad[0].contains("learned deadline"), "{log}");
    assert!(bad[1].contains("learned deadline 4x+1s"), "{log}");
}

#[test]
fn learned_deadlines_turned_off_leave_only_the_fixed_silence() {
    let (_dir, repo, ids) = history(12, "off");
    let out = culprit(&repo, &common::bisect_args(&ids[0]));
    let doc = json(&out);
    assert_eq!(doc["culprit"], ids[10].as_str(), "{doc}");
    assert!(!succeeded(&repo, &["log"]).contains("learned deadline"));
}

#[test]
fn a_margin_that_does_not_read_is_refused_with_its_fix() {
    let (_dir, repo, ids) = history(3, "soon");
    let out = culprit(&repo, &["bisect", "--good", &ids[0], "--bad", "main"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("learned_deadlines") || stderr.contains("soon"),
        "{stderr}"
    );
    assert!(stderr.contains("4x+5s"), "{stderr}");
}
