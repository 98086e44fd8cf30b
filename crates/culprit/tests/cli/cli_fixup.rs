//! Fixups on real git histories: a 7-commit window that does not build (a header split
//! whose fix came later) right before the first commit that builds again, with the
//! culprit hidden in the window. With `--fixup` naming the fix, and with the automatic
//! rule, the culprit is exact; a fix that does not apply leaves today's suspect set; a
//! fixup that conflicts or does not cure leaves the candidate skipped with that reason.
//! The live display (plain lines in a pipe, worker lines on a terminal) marks every step
//! and verdict the fixup made.

use crate::common;

use common::{commit_all, culprit, git, json};
use serde_json::Value;
use std::path::Path;

/// The window's first commit (the header split), its culprit, and the fix after it.
const SPLIT: usize = 20;
const CULPRIT: usize = 24;
const FIX: usize = 27;
const COMMITS: usize = 36;

const TOML: &str = r#"[build]
command = "sh build.sh"

[[test]]
name = "boot"
command = "echo 'Linux version 6.1'; echo 'Run /init as init process'; if [ -f hang ]; then sleep 30; else echo BOOT-OK; fi"
timeout = "20s"
silence = "1s"
success = ["BOOT-OK"]
"#;

/// The build: `lib.c`'s first include must exist under `include/`, as a compiler says.
const BUILD: &str = r#"inc=$(sed -n 's/^#include "\(.*\)"$/\1/p' lib.c | head -n 1)
if [ ! -f "include/$inc" ]; then
    echo "lib.c:1:10: fatal error: $inc: No such file or directory"
    exit 1
fi
echo built
"#;

struct History {
    /// Commit ids, oldest first: `ids[i - 1]` is commit `i`.
    ids: Vec<String>,
    /// Commits off the main line in the range (numbered 0).
    extra: Vec<String>,
    /// A commit off the main line that applies cleanly but does not fix the build.
    no_cure: String,
    /// A commit off the main line that conflicts with the window's later commits.
    conflicting: String,
}

impl History {
    fn number(&self, rev: &str) -> usize {
        if self.extra.iter().any(|id| id == rev) {
            return 0;
        }
        self.ids.iter().position(|id| id == rev).unwrap() + 1
    }
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Commit `i` adds `changes/i` (so that no two commits touch the same lines). Commit
/// SPLIT renames `include/types.h` to `include/lib_types.h` and leaves `lib.c` including
/// the old name, so nothing builds until FIX updates the include; CULPRIT, inside that
/// window, makes boot hang. With `fix_merged`, the fix arrives as the merge of a branch
/// (forked before the split) instead, and a merge cannot be picked onto the window.
fn window_history(dir: &Path, fix_merged: bool) -> History {
    git(dir, &["init", "-q", "-b", "main"]);
    write(dir, "culprit.toml", TOML);
    write(dir, ".gitignore", ".culprit/\n");
    write(dir, "build.sh", BUILD);
    write(dir, "include/types.h", "typedef int word;\n");
    write(dir, "lib.c", "#include \"types.h\"\nint lib;\n");
    write(dir, "README", "toyos\n");
    let mut ids = Vec::new();
    let mut side_base = String::new();
    let mut extra = Vec::new();
    for i in 1..=COMMITS {
        write(dir, &format!("changes/{i}"), &format!("{i}\n"));
        let mut subject = format!("commit {i}");
        if i == SPLIT {
            git(dir, &["mv", "include/types.h", "include/lib_types.h"]);
            subject = "lib: split types.h into fast headers".into();
        }
        if i == SPLIT + 2 {
            write(dir, "README", "toyos, with fast headers\n");
        }
        if i == CULPRIT {
            write(dir, "hang", "\n");
            subject = "init: wait for the secondary CPUs".into();
        }
        if i == FIX && fix_merged {
            git(dir, &["checkout", "-q", "-b", "fix", &side_base]);
            write(dir, "lib.c", "#include \"lib_types.h\"\nint lib;\n");
            let branch = commit_all(
                dir,
                "lib: include lib_types.h, as the header split will need",
            );
            git(dir, &["checkout", "-q", "main"]);
            git(
                dir,
                &["merge", "-q", "--no-ff", "-m", "Merge branch 'fix'", "fix"],
            );
            ids.push(git(dir, &["rev-parse", "HEAD"]));
            extra.push(branch);
            continue;
        }
        if i == FIX {
            let text = std::fs::read_to_string(dir.join("lib.c")).unwrap();
            write(
                dir,
                "lib.c",
                &text.replace("#include \"types.h\"", "#include \"lib_types.h\""),
            );
            subject = "lib: include lib_types.h, which the header split forgot".into();
        }
        ids.push(commit_all(dir, &subject));
        if i == SPLIT - 1 {
            side_base = ids[i - 1].clone();
        }
    }
    git(dir, &["checkout", "-q", "-b", "side", &side_base]);
    write(dir, "docs/notes.txt", "unrelated\n");
    let no_cure = commit_all(dir, "docs: notes");
    git(dir, &["checkout", "-q", "-b", "other", &side_base]);
    write(dir, "README", "toyos, other edition\n");
    let conflicting = commit_all(dir, "README: other edition");
    git(dir, &["checkout", "-q", "main"]);
    History {
        ids,
        extra,
        no_cure,
        conflicting,
    }
}

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
    let mut list: Vec<(usize, String)> = doc["suspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                history.number(s["rev"].as_str().unwrap()),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    list
}

fn repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    (dir, repo)
}

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

#[test]
fn a_named_fixup_makes_the_window_testable_and_the_culprit_exact() {
    let (_dir, repo) = repo();
    let history = window_history(&repo, false);
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
    let (_dir, repo) = repo();
    let history = window_history(&repo, false);
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
fn the_automatic_fixup_finds_the_fix_and_the_culprit_exactly() {
    let (_dir, repo) = repo();
    let history = window_history(&repo, false);
    let (code, doc) = bisect(&repo, &history, &[]);
    assert_exact(&history, code, &doc, false);
    // Without the rule, the same hunt ends with the window as suspects.
    let (code, doc) = bisect(&repo, &history, &["--no-auto-fixup"]);
    assert_eq!(code, Some(1), "{doc}");
    let set: Vec<usize> = suspects(&history, &doc).into_iter().map(|s| s.0).collect();
    assert_eq!(set, (SPLIT..=FIX).collect::<Vec<_>>(), "{doc}");
}

#[test]
fn a_fix_that_does_not_apply_leaves_the_same_exact_suspect_set() {
    let (_dir, repo) = repo();
    let history = window_history(&repo, true);
    let (code, today) = bisect(&repo, &history, &["--no-auto-fixup"]);
    assert_eq!(code, Some(1), "{today}");
    let (code, doc) = bisect(&repo, &history, &[]);
    assert_eq!(code, Some(1), "{doc}");
    assert_eq!(doc["status"], "ambiguous", "{doc}");
    let set = suspects(&history, &doc);
    let numbers: Vec<usize> = set.iter().map(|s| s.0).collect();
    let expected: Vec<usize> = suspects(&history, &today).iter().map(|s| s.0).collect();
    assert_eq!(numbers, expected, "{doc}");
    assert!(
        numbers.contains(&CULPRIT) && numbers.contains(&FIX),
        "{doc}"
    );
    let fix = &history.ids[FIX - 1][..12];
    for (n, reason) in &set {
        if *n == FIX {
            assert_eq!(reason, "first bad commit");
        } else {
            assert!(
                reason.contains(&format!("fixup {fix} does not apply")),
                "{n}: {reason}"
            );
        }
    }
    assert!(doc["fixups"].as_array().unwrap().is_empty(), "{doc}");
}

#[test]
fn a_fixup_that_conflicts_or_does_not_cure_leaves_the_candidate_skipped_with_the_reason() {
    let (_dir, repo) = repo();
    let history = window_history(&repo, false);
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
    let toml = r#"[[test]]
name = "boot"
command = "echo 'Linux version 6.1'; if [ -f crash ]; then echo 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'; exit 1; fi; echo 'Run /init as init process'; if [ -f hang ]; then sleep 30; else echo BOOT-OK; fi"
timeout = "20s"
silence = "1s"
success = ["BOOT-OK"]
"#;
    let (_dir, dir) = repo();
    git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir, "culprit.toml", toml);
    write(&dir, ".gitignore", ".culprit/\n");
    let mut ids = Vec::new();
    for i in 1..=24 {
        write(&dir, &format!("changes/{i}"), "\n");
        if i == CRASH {
            write(&dir, "crash", "\n");
        }
        if i == HANG {
            write(&dir, "hang", "\n");
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

#[test]
fn up_front_the_fix_is_found_at_the_first_build_failure_and_the_culprit_in_fewer_steps() {
    let (_dir, repo) = repo();
    let history = window_history(&repo, false);
    let (code, after) = bisect(&repo, &history, &[]);
    assert_exact(&history, code, &after, false);
    let up_front = assert_up_front_exact(&repo, &history, &["--auto-fixup"]);
    // Same history, same exact culprit: up front the window's commits are not skipped
    // one by one first (here 14 steps against 18).
    let steps = |doc: &Value| doc["steps"].as_u64().unwrap();
    assert!(
        steps(&up_front) + 3 <= steps(&after),
        "up front {} steps, after the end {}",
        steps(&up_front),
        steps(&after)
    );
}

/// The commits the fix search built, as numbers, in the journal's order.
fn probe_steps(repo: &Path, history: &History) -> Vec<usize> {
    let out = culprit(repo, &["log", "--json"]);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    log["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["candidate"]["phase"] == "fixup-probe")
        .map(|s| history.number(s["candidate"]["key"].as_str().unwrap()))
        .collect()
}

#[test]
fn a_killed_up_front_hunt_resumes_without_redoing_the_fix_search() {
    let (dir, repo) = repo();
    let history = window_history(&repo, false);
    // Each boot leaves a mark and takes a second (within a longer silence allowed):
    // the kill comes while a boot runs, never while git checks a commit out (a killed
    // git leaves its index locked).
    let booting = dir.path().join("booting");
    let marked = TOML
        .replace(
            "command = \"echo 'Linux version 6.1';",
            &format!(
                "command = \"touch {}; echo 'Linux version 6.1'; sleep 1;",
                booting.display()
            ),
        )
        .replace("silence = \"1s\"", "silence = \"3s\"");
    assert!(marked.contains("sleep 1;") && marked.contains("silence = \"3s\""));
    std::fs::write(repo.join("culprit.toml"), marked).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args([
            "bisect",
            "--good",
            &history.ids[0],
            "--bad",
            "main",
            "--auto-fixup",
            "--json",
            "--allow-dirty",
        ])
        .current_dir(&repo)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it, with no chance to clean up, once the search goes on with the fix.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let fixed_up = || {
        let out = culprit(&repo, &["log", "--json"]);
        let log: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        log["steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["candidate"]["phase"] == "search-fixup"))
    };
    while !fixed_up() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = std::fs::remove_file(&booting);
    while !booting.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = probe_steps(&repo, &history);
    assert!(!before.is_empty(), "no fix search before the kill");
    assert!(
        before.iter().all(|n| (SPLIT..FIX).contains(n)),
        "{before:?}"
    );

    let out = culprit(&repo, &["bisect", "--resume", "--json"]);
    let doc = json(&out);
    assert_exact(&history, out.status.code(), &doc, false);
    // The resumed session replayed the fix search from the journal: not one probe more.
    assert_eq!(probe_steps(&repo, &history), before, "{doc}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("resumed: "), "{stderr}");
}

#[test]
fn bisect_auto_fixup_in_the_config_chooses_when_and_the_flags_override_it() {
    let (_dir, repo) = repo();
    let history = window_history(&repo, false);
    let with = |value: &str| {
        let text = format!("{TOML}\n[bisect]\nauto_fixup = \"{value}\"\n");
        std::fs::write(repo.join("culprit.toml"), text).unwrap();
    };
    with("up-front");
    assert_up_front_exact(&repo, &history, &["--allow-dirty"]);
    with("off");
    let (code, doc) = bisect(&repo, &history, &["--allow-dirty"]);
    assert_eq!(code, Some(1), "{doc}");
    let set: Vec<usize> = suspects(&history, &doc).into_iter().map(|s| s.0).collect();
    assert_eq!(set, (SPLIT..=FIX).collect::<Vec<_>>(), "{doc}");
    assert_up_front_exact(&repo, &history, &["--allow-dirty", "--auto-fixup"]);
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
