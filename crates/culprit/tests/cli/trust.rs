//! Issue 10, hostile input: tree paths and artifact names full of shell syntax are data,
//! never code, in every command; `{config}` is the candidate's configuration file; an
//! artifact list names files that exist.

use crate::common;

use common::{culprit, git, json};
use std::path::Path;

/// A name with everything a shell would act on.
const HOSTILE: &str = "it's a \"tree\" $(touch pwned) `touch pwned2` $HOME";

#[test]
fn a_tree_path_full_of_shell_syntax_reaches_every_command_as_one_word() {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::new_dir(dir.path(), HOSTILE);
    std::fs::write(tree.join(".config"), "CONFIG_BOOT=y\n").unwrap();
    std::fs::write(
        tree.join("culprit.toml"),
        r#"[build]
command = "test -f {tree}/.config && echo built > {tree}/built"

[config]
file = ".config"
normalize = "grep -q CONFIG_BOOT=y {config}"

[[test]]
name = "boot"
command = "cat {tree}/built && grep -q CONFIG_BOOT=y \"{config}\" && test -d '{tree}' && echo BOOT-OK"
success = ["BOOT-OK"]
"#,
    )
    .unwrap();
    let out = culprit(&tree, &["run", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["build"]["outcome"], "pass", "{doc}");
    assert_eq!(doc["tests"][0]["outcome"], "pass", "{doc}");
    for planted in ["pwned", "pwned2"] {
        assert!(!tree.join(planted).exists() && !dir.path().join(planted).exists());
    }
}

fn artifact_repo(dir: &Path, names: &[String]) {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut list = String::new();
    for (i, name) in names.iter().enumerate() {
        std::fs::write(dir.join(name), format!("{i}\n")).unwrap();
        list.push_str(name);
        list.push('\n');
    }
    std::fs::write(dir.join("images.txt"), list).unwrap();
    std::fs::write(
        dir.join("culprit.toml"),
        "[[test]]\nname = \"boot\"\ncommand = \"n=$(cat {artifact}); [ $n -lt 3 ] && echo BOOT-OK || echo 'Kernel panic - not syncing: bad image'\"\nsuccess = [\"BOOT-OK\"]\n",
    )
    .unwrap();
}

#[test]
fn an_artifact_named_like_a_command_is_found_as_itself() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..6)
        .map(|i| {
            if i == 3 {
                "a3$(touch pwned).bin".to_string()
            } else {
                format!("a{i}.bin")
            }
        })
        .collect();
    artifact_repo(dir.path(), &names);
    let out = culprit(dir.path(), &["bisect", "--list", "images.txt", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert!(
        doc["culprit"]
            .as_str()
            .unwrap()
            .ends_with("a3$(touch pwned).bin"),
        "{doc}"
    );
    assert!(!dir.path().join("pwned").exists(), "part of a name ran");
}

#[test]
fn an_artifact_list_entry_that_does_not_exist_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..4).map(|i| format!("a{i}.bin")).collect();
    artifact_repo(dir.path(), &names);
    std::fs::write(
        dir.path().join("images.txt"),
        "a0.bin\na1.bin\nmissing.bin\na3.bin\n",
    )
    .unwrap();
    let out = culprit(dir.path(), &["bisect", "--list", "images.txt", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("images.txt:3") && err.contains("missing.bin"),
        "{err}"
    );
}

#[test]
fn sigterm_ends_culprit_with_143_and_ctrl_c_with_130() {
    for (signal, code) in [
        (nix::sys::signal::Signal::SIGTERM, 143),
        (nix::sys::signal::Signal::SIGINT, 130),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("culprit.toml"),
            "[[test]]\nname = \"boot\"\ncommand = \"echo booting; sleep 60\"\n",
        )
        .unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
            .arg("run")
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(800));
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "after {signal}");
    }
}

#[test]
fn an_edited_or_staged_culprit_toml_does_not_make_the_tree_dirty() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let log = repo.join(".culprit-invocations");
    let ids = common::linear_repo(repo, 12, &common::toml(7, (0, 0), (0, 0), &log));
    let edited = format!(
        "# tuned for this lab\n{}",
        std::fs::read_to_string(repo.join("culprit.toml")).unwrap()
    );
    std::fs::write(repo.join("culprit.toml"), &edited).unwrap();
    let args = ["bisect", "--good", &ids[0], "--bad", "main", "--json"];
    let (doc, _) = common::json_ok(repo, &args);
    assert_eq!(doc["culprit"], ids[6].as_str());
    git(repo, &["add", "culprit.toml"]);
    common::json_ok(repo, &args);
    // Any other edit still is.
    std::fs::write(repo.join("n"), "dirty\n").unwrap();
    let out = culprit(repo, &args[..5]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("uncommitted changes"));
}

/// A history whose boot panics from commit 8 on, where the lab kills some boots: the
/// boot numbers (counted outside the repository) that `kill` lists die by `how`.
fn flaky_lab_repo(dir: &Path, kill: &str, how: &str, extra: &str) -> Vec<String> {
    let counter = dir.join("boots");
    let command = format!(
        r#"{count}; case \" {kill} \" in *\" $k \"*) echo 'Linux version 6.1'; {how};; esac; n=$(cat n); echo 'Linux version 6.1'; if [ $n -ge 8 ]; then echo 'Kernel panic - not syncing: VFS: Unable to mount root fs'; else echo BOOT-OK; fi"#,
        count = common::count_boot(&counter)
    );
    common::boot_repo(dir, 16, &command, extra).1
}

fn bisect_json(repo: &Path, ids: &[String]) -> (Option<i32>, serde_json::Value) {
    let out = culprit(
        repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    (out.status.code(), json(&out))
}

#[test]
fn a_boot_killed_by_the_lab_is_retried_never_blamed() {
    // With one worker the first run is the good endpoint ("the good revision does not
    // pass"); the second the bad endpoint (the target would be "exited 137"); then
    // every third boot.
    for (kill, how) in [
        ("1", "exit 137"),
        ("2", "kill -KILL $$"),
        ("3 6 9 12 15 18", "exit 143"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ids = flaky_lab_repo(dir.path(), kill, how, "");
        let (code, doc) = bisect_json(&dir.path().join("repo"), &ids);
        assert_eq!(code, Some(0), "boots {kill} died by `{how}`: {doc}");
        assert_eq!(doc["culprit"], ids[7].as_str(), "boots {kill}: {doc}");
        assert!(
            doc["target"]
                .to_string()
                .contains("Unable to mount root fs"),
            "{doc}"
        );
    }
}

#[test]
fn infra_exit_codes_and_patterns_are_per_test() {
    // 3 is this lab's "board busy"; the console line says so too.
    for extra in ["infra_exit_codes = [3]", "infra = ['^lab: board busy']"] {
        let dir = tempfile::tempdir().unwrap();
        let ids = flaky_lab_repo(dir.path(), "1 4", "echo 'lab: board busy'; exit 3", extra);
        let (code, doc) = bisect_json(&dir.path().join("repo"), &ids);
        assert_eq!(code, Some(0), "{extra}: {doc}");
        assert_eq!(doc["culprit"], ids[7].as_str(), "{extra}: {doc}");
    }

    // Without either, exit 3 with no console verdict is the guest's own failure: at
    // the bad endpoint's first run (the second boot, after the good endpoint's), it
    // becomes the target.
    let dir = tempfile::tempdir().unwrap();
    let ids = flaky_lab_repo(dir.path(), "2", "echo 'lab: board busy'; exit 3", "");
    let (_, doc) = bisect_json(&dir.path().join("repo"), &ids);
    assert_ne!(doc["culprit"], ids[7].as_str(), "{doc}");
}

#[test]
fn verification_runs_again_after_a_lab_fault() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("culprit-boots");
    // The culprit's second boot (its first verification run) is killed by the lab.
    let command = format!(
        r#"n=$(cat n); echo 'Linux version 6.1'; if [ $n -eq 8 ]; then {}; [ $k -eq 2 ] && exit 137; fi; if [ $n -ge 8 ]; then echo 'Kernel panic - not syncing: VFS: Unable to mount root fs'; else echo BOOT-OK; fi"#,
        common::count_boot(&counter)
    );
    let (repo, ids) = common::boot_repo(dir.path(), 16, &command, "");
    let args = [&common::bisect_args(&ids[0])[..], &["--verify", "2"]].concat();
    let (doc, _) = common::json_ok(&repo, &args);
    assert_eq!(doc["culprit"], ids[7].as_str(), "{doc}");
    let boots: u32 = std::fs::read_to_string(&counter)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        boots, 4,
        "one search run, two verification runs and the one killed"
    );
}

/// A 40-commit history whose boot panics from commit 25 on and takes 0.3 s; boots are
/// logged to `boots`.
fn slow_repo(dir: &Path) -> (std::path::PathBuf, Vec<String>, std::path::PathBuf) {
    let log = dir.join("boots");
    let repo = common::new_dir(dir, "repo");
    let slow =
        common::toml(25, (0, 0), (0, 0), &log).replace("echo $n >> ", "sleep 0.3; echo $n >> ");
    let ids = common::linear_repo(&repo, 40, &slow);
    (repo, ids, log)
}

fn start_bisect(repo: &Path, ids: &[String]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["bisect", "--good", &ids[0], "--bad", "main", "--json"])
        .current_dir(repo)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for_boots(log: &Path, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while common::invocations(log).len() < n && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        common::invocations(log).len() >= n,
        "the hunt did not get going"
    );
}

#[test]
fn a_second_culprit_on_a_running_session_is_refused_with_the_owners_pid() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, ids, log) = slow_repo(dir.path());
    let first = start_bisect(&repo, &ids);
    wait_for_boots(&log, 2);
    let second = culprit(&repo, &["bisect", "--resume", "--json"]);
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("PID {}", first.id())), "{err}");
    // The owner was not disturbed.
    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["culprit"], ids[24].as_str(), "{doc}");
}

#[test]
fn a_killed_session_resumes_by_number_even_after_later_failed_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, ids, log) = slow_repo(dir.path());
    let mut first = start_bisect(&repo, &ids);
    wait_for_boots(&log, 3);
    first.kill().unwrap();
    first.wait().unwrap();
    // A later attempt with bad input (its good revision fails) is recorded, and is newer.
    let bad = culprit(&repo, &["bisect", "--good", &ids[30], "--bad", "main"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("good revision"));
    let out = culprit(&repo, &["bisect", "--resume", "--json"]);
    common::assert_exit(&out, 0);
    assert_eq!(json(&out)["culprit"], ids[24].as_str());
    assert!(String::from_utf8_lossy(&out.stderr).contains("resuming session 1"));

    // By number: a finished session is refused, an unknown one too.
    let again = culprit(&repo, &["bisect", "--resume", "1"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already finished"));
    let unknown = culprit(&repo, &["bisect", "--resume", "99"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no session 99"));
}

#[test]
fn every_report_counts_the_runs_retried_after_lab_faults_and_why() {
    let dir = tempfile::tempdir().unwrap();
    // Boots 1 and 4 die with status 137; boot 6 prints this lab's "board busy" line.
    let how = "[ $k -eq 6 ] && { echo 'lab: board busy'; exit 1; }; exit 137";
    let ids = flaky_lab_repo(dir.path(), "1 4 6", how, "infra = ['^lab: board busy']");
    let repo = dir.path().join("repo");
    let out = culprit(&repo, &["bisect", "--good", &ids[0], "--bad", "main"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let expected = [
        "3 runs retried after a lab fault",
        "2 × exit status 137 (in `infra_exit_codes`)",
        "1 × the console matched an `infra` pattern",
    ];
    for part in expected {
        assert!(text.contains(part), "bisect's text lacks {part:?}:\n{text}");
    }
    for format in ["md", "html"] {
        let out = culprit(&repo, &["report", "--format", format]);
        let report = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{report}");
        // Markdown escapes the backticks and underscores of the causes.
        let plain = report.replace('\\', "");
        for part in expected {
            assert!(
                plain.contains(part),
                "the {format} report lacks {part:?}:\n{report}"
            );
        }
    }
    let out = culprit(&repo, &["report", "--format", "json"]);
    let doc = json(&out);
    assert_eq!(
        doc["retried"],
        serde_json::json!([
            { "cause": "exit status 137 (in `infra_exit_codes`)", "runs": 2 },
            { "cause": "the console matched an `infra` pattern", "runs": 1 },
        ]),
        "{}",
        doc["retried"]
    );

    // A hunt the lab left alone says nothing about retries.
    let calm = tempfile::tempdir().unwrap();
    let ids = flaky_lab_repo(calm.path(), "", "exit 137", "");
    let out = culprit(
        &calm.path().join("repo"),
        &["bisect", "--good", &ids[0], "--bad", "main"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("retried"));
    let out = culprit(&calm.path().join("repo"), &["report", "--format", "json"]);
    assert_eq!(json(&out)["retried"], serde_json::json!([]));
}

/// The issue's scenario: 100 commits whose boot panics from commit `from` on (0.3 s a
/// boot, each logged to `boots`).
fn recipe_toml(from: usize, boots: &Path) -> String {
    format!(
        r#"[[test]]
name = "boot"
command = "sleep 0.3; n=$(cat n); echo $n >> {log}; echo 'Linux version 6.1'; if [ $n -ge {from} ]; then echo 'Kernel panic - not syncing: VFS: Unable to mount root fs'; else echo BOOT-OK; fi"
success = ["BOOT-OK"]
"#,
        log = boots.display()
    )
}

#[test]
fn a_resume_after_editing_the_recipe_is_refused_and_the_cache_serves_only_its_own_recipe() {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let boots = dir.path().join("boots");
    let original = recipe_toml(70, &boots);
    let ids = common::linear_repo(&repo, 100, &original);
    let mut first = start_bisect(&repo, &ids);
    wait_for_boots(&boots, 3);
    first.kill().unwrap();
    first.wait().unwrap();

    // Edited after the kill: the resume would mix two experiments.
    let edited = recipe_toml(51, &boots);
    std::fs::write(repo.join("culprit.toml"), &edited).unwrap();
    let out = culprit(&repo, &["bisect", "--resume", "--json"]);
    common::assert_refused(
        &out,
        &[
            "changed since session 1 started",
            "test boot.command",
            "without --resume",
        ],
    );

    // A fresh hunt under the edited recipe finds its own answer...
    let (code, doc) = bisect_json(&repo, &ids);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[50].as_str(), "{doc}");
    // ...which a hunt under the restored file never gets from the cache.
    std::fs::write(repo.join("culprit.toml"), &original).unwrap();
    let (code, doc) = bisect_json(&repo, &ids);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[69].as_str(), "{doc}");
    // The cache still serves a recipe its own results: the same hunt again boots only
    // what is never cached (endpoints, verification).
    let (code, again) = bisect_json(&repo, &ids);
    assert_eq!(code, Some(0), "{again}");
    assert_eq!(again["culprit"], ids[69].as_str(), "{again}");
    assert!(again["cached"].as_u64().unwrap() > 0, "{again}");
    // The interrupted session resumes once its recipe is back.
    let out = culprit(&repo, &["bisect", "--resume", "1", "--json"]);
    common::assert_exit(&out, 0);
    assert_eq!(json(&out)["culprit"], ids[69].as_str());
}
