//! Issue 13, state outside the tree: `--state DIR`, `CULPRIT_STATE` and culprit.toml's
//! `state` key put the journal, logs, worktrees and build directories elsewhere; a
//! resume, `culprit log` and the reports find the session there, and the tree gets no
//! `.culprit/`.

use crate::common;

use common::{culprit, invocations, json, linear_repo, toml};
use std::path::Path;
use std::process::{Command, Output};

/// The newest session as `culprit log --json` shows it, read with `env` set.
fn newest_session(repo: &Path, args: &[&str], env: Option<(&str, &Path)>) -> serde_json::Value {
    let mut all = vec!["log", "--json"];
    all.extend_from_slice(args);
    let mut command = Command::new(env!("CARGO_BIN_EXE_culprit"));
    command.args(&all).current_dir(repo);
    if let Some((name, value)) = env {
        command.env(name, value);
    }
    let out: Output = command.output().unwrap();
    common::assert_exit(&out, 0);
    json(&out)
}

#[test]
fn a_hunt_kept_in_a_state_directory_resumes_and_reports_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let boots = dir.path().join("boots.log");
    let repo = dir.path().join("repo");
    let state = dir.path().join("state");
    std::fs::create_dir(&repo).unwrap();
    let ids = linear_repo(&repo, 40, &common::slow_toml(25, &boots));
    let state_arg = state.to_str().unwrap();
    let args = [&["--state", state_arg][..], &common::quick_bisect(&ids[0])].concat();
    let before = common::kill_after_boots(&repo, &args, &boots, 4);
    assert!(state.join("journal.sqlite").is_file());
    assert!(
        state.join("workers/w0/tree").is_dir(),
        "worktrees live in the state directory"
    );

    // The flag after the subcommand works as well as before it.
    let out = culprit(
        &repo,
        &["bisect", "--resume", "--json", "--state", state_arg],
    );
    let doc = json(&out);
    common::assert_exit(&out, 0);
    assert_eq!(doc["culprit"], ids[24].as_str(), "{doc}");
    common::assert_only_the_interrupted_step_repeats(&invocations(&boots), &before);

    let session = newest_session(&repo, &["--state", state_arg], None);
    assert_eq!(session["status"], "found", "{session}");
    let out = culprit(&repo, &["--state", state_arg, "report", "--format", "md"]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(report.contains(&ids[24][..12]), "{report}");
    assert!(
        !repo.join(".culprit").exists(),
        "nothing was written in the tree"
    );
}

#[test]
fn the_state_key_moves_the_state_and_culprit_state_overrides_it() {
    let (dir, repo, boots) = common::scratch();
    let text = format!(
        "# Relative to this file's directory.\nstate = \"../kept\"\n\n{}",
        toml(6, (0, 0), (0, 0), &boots)
    );
    let ids = linear_repo(&repo, 10, &text);
    let doc = common::bisect_ok(&repo, &ids[0]);
    assert_eq!(doc["culprit"], ids[5].as_str(), "{doc}");
    let kept = dir.path().join("kept");
    assert!(kept.join("journal.sqlite").is_file());
    assert!(!repo.join(".culprit").exists());
    // `culprit log` reads the key too.
    assert_eq!(newest_session(&repo, &[], None)["status"], "found");

    // CULPRIT_STATE, relative to the current directory, wins over the key.
    let elsewhere = Path::new("../from-env");
    let out = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["run", "--rev", &ids[1], "--json"])
        .current_dir(&repo)
        .env("CULPRIT_STATE", elsewhere)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", json(&out));
    assert!(dir.path().join("from-env/journal.sqlite").is_file());
    assert!(!repo.join(".culprit").exists());
    let from_env = newest_session(&repo, &[], Some(("CULPRIT_STATE", elsewhere)));
    assert_eq!(from_env["kind"], "run", "{from_env}");
    let from_key = newest_session(&repo, &[], None);
    assert_eq!(
        from_key["kind"], "bisect",
        "the key's journal did not get the step: {from_key}"
    );
}
