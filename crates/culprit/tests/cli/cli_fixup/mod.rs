//! Fixups on real git histories: a 7-commit window that does not build (a header split
//! whose fix came later) right before the first commit that builds again, with the
//! culprit hidden in the window. With `--fixup` naming the fix, and with the automatic
//! rule, the culprit is exact; a fix that does not apply leaves today's suspect set; a
//! fixup that conflicts or does not cure leaves the candidate skipped with that reason.
//! The live display (plain lines in a pipe, worker lines on a terminal) marks every step
//! and verdict the fixup made.

mod automatic;
mod named;
mod resume;
mod window;

use crate::common::{self, culprit, json};
use serde_json::Value;
use std::path::{Path, PathBuf};
use window::{window_history, History, CULPRIT, FIX, SPLIT};

/// `culprit bisect --json` over the whole window history, then `extra`.
fn bisect_output(dir: &Path, history: &History, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "bisect",
        "--good",
        &history.ids[0],
        "--bad",
        "main",
        "--json",
    ];
    args.extend_from_slice(extra);
    culprit(dir, &args)
}

/// [`bisect_output`]'s exit code and JSON answer.
fn bisect(dir: &Path, history: &History, extra: &[&str]) -> (Option<i32>, Value) {
    let out = bisect_output(dir, history, extra);
    (out.status.code(), json(&out))
}

/// A hunt that looked for the fix at its first failed build, not after an ambiguous
/// end, and found the culprit exactly; its answer.
fn assert_up_front_exact(dir: &Path, history: &History, extra: &[&str]) -> Value {
    let out = bisect_output(dir, history, extra);
    let doc = json(&out);
    assert_exact(history, out.status.code(), &doc, false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(automatic fixups up front)"), "{stderr}");
    assert!(!stderr.contains("only builds tell apart"), "{stderr}");
    doc
}

/// The suspects of an ambiguous answer, as (commit number, reason).
fn suspects(history: &History, doc: &Value) -> Vec<(usize, String)> {
    let pairs = common::field_pairs(&doc["suspects"], "rev", "reason");
    let mut list: Vec<(usize, String)> = pairs
        .into_iter()
        .map(|(rev, reason)| (history.number(&rev), reason))
        .collect();
    list.sort();
    list
}

/// The window history (see [`window_history`]) in a new `repo` folder: (folder, repo,
/// history); most tests start from it.
fn window(fix_merged: bool) -> (tempfile::TempDir, PathBuf, History) {
    let (dir, repo, _) = common::scratch();
    let history = window_history(&repo, fix_merged);
    (dir, repo, history)
}

/// The hunt with the automatic rule at its default, checked to find the culprit exactly
/// with the fix it found; its answer.
fn assert_automatic_exact(dir: &Path, history: &History) -> Value {
    let (code, doc) = bisect(dir, history, &[]);
    assert_exact(history, code, &doc, false);
    doc
}

/// Checks that the hunt found the culprit exactly with the one fix (named by the user
/// when `fixup_named`, else found by the automatic rule), and that every window commit
/// tested with the fix got the right verdict.
fn assert_exact(history: &History, code: Option<i32>, doc: &Value, fixup_named: bool) {
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(
        history.number(doc["culprit"].as_str().unwrap()),
        CULPRIT,
        "{doc}"
    );
    let fix = &history.ids[FIX - 1];
    let uses = doc["fixups"].as_array().unwrap();
    assert_eq!(uses.len(), 1, "{doc}");
    assert_eq!(uses[0]["commit"], fix.as_str());
    assert_eq!(uses[0]["automatic"], !fixup_named);
    let applied = uses[0]["candidates"].as_u64().unwrap();
    assert!(applied >= 2, "{doc}");
    let message = doc["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "tested with fixup {} applied to {applied} commits",
            &fix[..12]
        )),
        "{message}"
    );
    // Every window commit the search tried has a verdict obtained with the fix, and it
    // is the right one; the verification ran with the fix too.
    for c in doc["candidates"].as_array().unwrap() {
        let n = history.number(c["rev"].as_str().unwrap());
        let verdict = c["verdict"].as_str().unwrap();
        if (SPLIT..FIX).contains(&n) && verdict.contains("with fixup") {
            let expected = if n >= CULPRIT { "bad" } else { "good" };
            assert!(
                verdict.contains(&format!("{expected} (with fixup")),
                "{n}: {verdict}"
            );
        }
    }
    assert!(
        doc["verification"][1]
            .as_str()
            .unwrap()
            .contains("passed in 1 of 1"),
        "{doc}"
    );
}
