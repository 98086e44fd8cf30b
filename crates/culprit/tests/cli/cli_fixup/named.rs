//! Fixups the user names with `--fixup`: the named fix makes the window testable and
//! the culprit exact, and every view (live lines, terminal worker lines, `culprit log`,
//! reports) marks the steps it made; a named commit that conflicts or does not cure
//! leaves its candidates skipped with that reason; a named fix also cures an early crash
//! that hides the target.

use super::window::{History, CULPRIT, FIX, SPLIT};
use super::{assert_exact, bisect, bisect_output, suspects, window};
use crate::common::{self, commit_all, culprit, git, json, write_file};
use serde_json::Value;

#[test]
fn a_named_fixup_makes_the_window_testable_and_the_culprit_exact() {
    let (_dir, repo, history) = window(false);
    let fix = history.ids[FIX - 1].clone();
    let out = bisect_output(&repo, &history, &["--fixup", &fix, "--no-auto-fixup"]);
    let doc = json(&out);
    assert_exact(&history, out.status.code(), &doc, true);
    // The live log, `culprit log` and every report say which verdicts the fix made.
    let marked = format!("(with fixup {})", &fix[..12]);
    assert_live_log_marks_fixed_up_steps(&history, &out.stderr, &doc);
    let log = culprit(&repo, &["log"]);
    let log = String::from_utf8_lossy(&log.stdout);
    assert!(log.contains(&format!("+ fixup {}", &fix[..12])), "{log}");
    for format in ["md", "html", "junit"] {
        let out = culprit(&repo, &["report", "--format", format]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&marked), "{format}: {text}");
        if format != "junit" {
            assert!(text.contains("tested with fixup"), "{format}: {text}");
        }
    }
    let out = culprit(&repo, &["report", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["session"]["result"]["fixups"][0]["commit"],
        fix.as_str()
    );
}

#[test]
fn on_a_terminal_each_workers_line_names_the_fixup_its_step_applies() {
    let (_dir, repo, history) = window(false);
    let fix = &history.ids[FIX - 1][..12];
    // A terminal wide enough for the worker lines, from util-linux's `script`.
    let hunt = format!(
        "stty cols 200 rows 40; exec '{}' bisect --good {} --bad main --fixup {fix} --no-auto-fixup",
        env!("CARGO_BIN_EXE_culprit"),
        history.ids[0],
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &hunt, "/dev/null"])
        .current_dir(&repo)
        .env_remove("CI")
        .env("TERM", "xterm")
        .output()
        .expect("util-linux's script runs");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    // `booting boot on KEY + fixup F`, and the other activities of a fixed-up step.
    let mark = format!(" + fixup {fix}");
    let marked: Vec<usize> = screen
        .match_indices(&mark)
        .map(|(at, _)| {
            let key = &screen[at.saturating_sub(12)..at];
            history
                .ids
                .iter()
                .position(|id| id.starts_with(key))
                .unwrap_or_else(|| panic!("{key:?} is not a commit: {screen}"))
                + 1
        })
        .collect();
    assert!(
        marked.contains(&CULPRIT),
        "the culprit's step with the fixup is not marked: {screen}"
    );
    assert!(
        marked.iter().all(|n| (SPLIT..FIX).contains(n)),
        "a commit outside the window is marked: {marked:?}"
    );
    assert!(
        screen.contains(&format!(
            "booting boot on {} + fixup {fix}",
            &history.ids[CULPRIT - 1][..12]
        )),
        "{screen}"
    );
}

#[test]
fn a_fixup_that_conflicts_or_does_not_cure_leaves_the_candidate_skipped_with_the_reason() {
    let (_dir, repo, history) = window(false);
    let (code, doc) = bisect(
        &repo,
        &history,
        &["--fixup", &history.no_cure, "--no-auto-fixup"],
    );
    assert_eq!(code, Some(1), "{doc}");
    for (n, reason) in suspects(&history, &doc) {
        if n != FIX {
            assert!(
                reason.contains(&format!(
                    "fixup {} applied but the build still fails",
                    &history.no_cure[..12]
                )) && reason.contains("types.h"),
                "{n}: {reason}"
            );
        }
    }
    let (code, doc) = bisect(
        &repo,
        &history,
        &["--fixup", &history.conflicting, "--no-auto-fixup"],
    );
    assert_eq!(code, Some(1), "{doc}");
    let conflicts: Vec<(usize, String)> = suspects(&history, &doc)
        .into_iter()
        .filter(|(_, reason)| {
            reason.contains(&format!(
                "fixup {} does not apply: conflict in README",
                &history.conflicting[..12]
            ))
        })
        .collect();
    assert!(
        conflicts.iter().all(|(n, _)| *n > SPLIT + 1 && *n < FIX) && !conflicts.is_empty(),
        "{doc}"
    );
    // No fixup's change is left behind in a worker's tree.
    let status = git(&repo, &["status", "--porcelain", "--untracked-files=no"]);
    assert_eq!(status, "");
}

/// Commits that crash early with another failure (a panic before the hang could show)
/// are made testable the same way when the user names the fix of the crash.
#[test]
fn a_named_fixup_also_cures_an_early_crash_that_is_not_the_target() {
    const CRASH: usize = 10;
    const HANG: usize = 13;
    const CURED: usize = 17;
    let toml = common::boot_test(
        "boot",
        "echo 'Linux version 6.1'; if [ -f crash ]; then echo 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'; exit 1; fi; echo 'Run /init as init process'; if [ -f hang ]; then sleep 30; else echo BOOT-OK; fi",
        "timeout = \"20s\"\nsilence = \"1s\"\n",
    );
    let (_dir, dir, _) = common::scratch();
    git(&dir, &["init", "-q", "-b", "main"]);
    write_file(&dir, "culprit.toml", &toml);
    write_file(&dir, ".gitignore", ".culprit/\n");
    let mut ids = Vec::new();
    for i in 1..=24 {
        write_file(&dir, &format!("changes/{i}"), "\n");
        if i == CRASH {
            write_file(&dir, "crash", "\n");
        }
        if i == HANG {
            write_file(&dir, "hang", "\n");
        }
        if i == CURED {
            std::fs::remove_file(dir.join("crash")).unwrap();
        }
        ids.push(commit_all(&dir, &format!("commit {i}")));
    }
    let number = |rev: &str| ids.iter().position(|id| id == rev).unwrap() + 1;
    let args = ["bisect", "--good", &ids[0], "--bad", "main", "--json"];
    // On their own the crashing commits hide where the hang began.
    let out = culprit(&dir, &args);
    let doc = json(&out);
    assert_eq!(doc["status"], "ambiguous", "{doc}");
    let fix = ids[CURED - 1].clone();
    let mut named = args.to_vec();
    named.extend(["--fixup", &fix]);
    let out = culprit(&dir, &named);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(number(doc["culprit"].as_str().unwrap()), HANG, "{doc}");
    assert_eq!(doc["fixups"][0]["commit"], fix.as_str(), "{doc}");
    for c in doc["candidates"].as_array().unwrap() {
        let n = number(c["rev"].as_str().unwrap());
        let verdict = c["verdict"].as_str().unwrap();
        if (CRASH..CURED).contains(&n) {
            assert!(verdict.contains("Attempted to kill init"), "{n}: {verdict}");
        }
    }
}

/// The hunt's lines on stderr (a pipe: one line per event) give each verdict that the
/// fixup made as every report does, `(with fixup F)`, and only window commits get it.
fn assert_live_log_marks_fixed_up_steps(history: &History, stderr: &[u8], doc: &Value) {
    let stderr = String::from_utf8_lossy(stderr);
    let mut fixed_up = 0;
    for c in doc["candidates"].as_array().unwrap() {
        let verdict = c["verdict"].as_str().unwrap();
        if verdict.contains("(with fixup") {
            // The candidate's verdicts, step by step: the one with the fixup is last.
            let marked = verdict.rsplit(", ").next().unwrap();
            let rev = &c["rev"].as_str().unwrap()[..12];
            let line = format!("culprit:   {rev} -> {marked}");
            assert!(
                stderr.lines().any(|l| l == line),
                "no {line:?} in\n{stderr}"
            );
            fixed_up += 1;
        }
    }
    assert!(fixed_up >= 2, "{doc}");
    for line in stderr.lines().filter(|l| l.contains("with fixup")) {
        let rev = line
            .trim_start_matches("culprit:")
            .trim_start()
            .split(' ')
            .next()
            .unwrap();
        let n = history
            .ids
            .iter()
            .position(|id| id.starts_with(rev))
            .map(|i| i + 1);
        assert!(
            n.is_some_and(|n| (SPLIT..FIX).contains(&n)),
            "a commit outside the window is marked: {line}"
        );
    }
}
