//! Trees for the unit tests that need a real culprit.toml, journal or git repository,
//! and the run records they judge.

use crate::record::RunRecord;
use crate::workspace::{Workspace, CONFIG_FILE};
use culprit_console::{Ending, Outcome};
use std::path::Path;

/// A run of a second at stage `none`, logged to `x.log`.
pub fn run_record(name: &str, outcome: Outcome, ending: Ending) -> RunRecord {
    RunRecord {
        name: name.into(),
        outcome,
        stage: "none".into(),
        duration_s: 1.0,
        log: "x.log".into(),
        evidence: None,
        ending,
        cases: Vec::new(),
        timeline: None,
        learned: None,
    }
}

/// The workspace of a culprit.toml in `dir` made of `toml`, or of one test when empty.
pub fn workspace(dir: &Path, toml: &str) -> Workspace {
    let path = dir.join(CONFIG_FILE);
    let one_test = "[[test]]\nname = \"boot\"\ncommand = \"true\"\n";
    std::fs::write(&path, if toml.is_empty() { one_test } else { toml }).unwrap();
    Workspace::load(Some(&path)).unwrap()
}

/// Runs git in `dir` as a test author; fails the test when git does.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}");
}
