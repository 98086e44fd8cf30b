//! Learned hang deadlines on a real hunt: boots are shell scripts in a real git history,
//! where from one commit on the guest boots four times slower but still passes, and from
//! a later one it spins silently before its first line. The hangs of the search are cut
//! at the deadline the passing runs taught (the slow passes among them loosen it), the
//! slow commits are never blamed, and the culprit's verification waits out the full
//! silence.

use crate::common;

use common::{culprit, json, linear_repo, succeeded};

/// Commits `slow..` boot with pauses four times longer; commits `hang..` print nothing.
fn toml(slow: usize, hang: usize) -> String {
    format!(
        r#"[build]
command = "true"

[[test]]
name = "boot"
command = "n=$(cat n); p=0.5; if [ $n -ge {slow} ]; then p=2; fi; if [ $n -ge {hang} ]; then sleep 60; fi; echo 'Linux version 6.1'; sleep $p; echo 'Run /init as init process'; sleep $p; echo BOOT-OK"
timeout = "30s"
silence = "15s"
success = ["BOOT-OK"]

[bisect]
learned_deadlines = "4x+1s"
"#
    )
}

#[test]
fn silent_hangs_end_at_the_learned_deadline_and_a_slow_boot_is_never_blamed() {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let ids = linear_repo(&repo, 16, &toml(6, 11));
    let out = culprit(
        &repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
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
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let text = toml(6, 11).replace("\"4x+1s\"", "\"off\"");
    let ids = linear_repo(&repo, 12, &text);
    let out = culprit(
        &repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    let doc = json(&out);
    assert_eq!(doc["culprit"], ids[10].as_str(), "{doc}");
    assert!(!succeeded(&repo, &["log"]).contains("learned deadline"));
}

#[test]
fn a_margin_that_does_not_read_is_refused_with_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let text = toml(6, 11).replace("\"4x+1s\"", "\"soon\"");
    let ids = linear_repo(&repo, 3, &text);
    let out = culprit(&repo, &["bisect", "--good", &ids[0], "--bad", "main"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("learned_deadlines") || stderr.contains("soon"),
        "{stderr}"
    );
    assert!(stderr.contains("4x+5s"), "{stderr}");
}
