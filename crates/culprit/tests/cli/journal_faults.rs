//! Issue 10, a journal in trouble: a damaged or unwritable journal is named with its path
//! and the way out; a damaged one does not stop a one-off `culprit run`, and a state
//! directory nobody may write to still shows its logs and reports.

use crate::common;

use common::{culprit, json, linear_repo, toml};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

/// A repository whose boot panics from commit 4 on, with one finished bisection.
fn hunted_repo(dir: &Path) -> std::path::PathBuf {
    let repo = common::new_dir(dir, "repo");
    let ids = linear_repo(&repo, 6, &toml(4, (0, 0), (0, 0), &dir.join("boots")));
    let out = culprit(&repo, &["bisect", "--good", &ids[0], "--bad", "main"]);
    common::assert_exit(&out, 0);
    repo
}

/// Overwrites the journal's first page after the file header: SQLite then reads
/// "database disk image is malformed".
fn damage(journal: &Path) {
    let mut bytes = std::fs::read(journal).unwrap();
    assert!(bytes.len() >= 4096, "a journal has at least one page");
    bytes[100..4096].fill(0xff);
    std::fs::write(journal, bytes).unwrap();
}

#[test]
fn a_damaged_journal_is_named_with_the_way_out_and_does_not_block_run() {
    let dir = tempfile::tempdir().unwrap();
    let repo = hunted_repo(dir.path());
    let journal = repo.join(".culprit/journal.sqlite");
    damage(&journal);
    for args in [&["log"][..], &["report"], &["bisect", "--resume"]] {
        let out = culprit(&repo, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        for part in [
            journal.to_str().unwrap(),
            "database disk image is malformed",
            "move it away to start fresh",
            "finished sessions are lost",
        ] {
            assert!(err.contains(part), "{args:?} does not say {part:?}: {err}");
        }
    }

    // One step still runs, with a warning, its logs outside the journal.
    let out = culprit(&repo, &["run", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "commit 6 hangs: {doc} {err}");
    assert_eq!(doc["tests"][0]["outcome"], "hang", "{doc}");
    assert!(
        err.contains("warning") && err.contains("without the journal"),
        "{err}"
    );
    let log = Path::new(doc["tests"][0]["log"].as_str().unwrap());
    let log = if log.is_absolute() {
        log.to_path_buf()
    } else {
        repo.join(log)
    };
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("Linux version"), "{}: {text}", log.display());

    // A file that is no database at all gets the same way out.
    std::fs::write(&journal, vec![b'x'; 8192]).unwrap();
    let out = culprit(&repo, &["bisect", "--resume"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(journal.to_str().unwrap()) && err.contains("move it away"),
        "{err}"
    );
}

/// Runs culprit as a user who may not write `.culprit/`: as `nobody` when the tests
/// run as root (root writes anywhere), else as ourselves after taking write access away.
fn culprit_as_reader(dir: &Path, args: &[&str]) -> Output {
    let binary = env!("CARGO_BIN_EXE_culprit");
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let mut command = if root {
        let mut command = Command::new("setpriv");
        command.args([
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
            binary,
        ]);
        command
    } else {
        Command::new(binary)
    };
    command
        .args(args)
        .current_dir(dir)
        .output()
        .expect("culprit runs")
}

fn set_mode(path: &Path, write: bool) {
    for entry in walk(path) {
        let mode = if entry.is_dir() { 0o555 } else { 0o444 };
        let mode = if write { mode | 0o200 } else { mode };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

fn walk(path: &Path) -> Vec<std::path::PathBuf> {
    let mut all = vec![path.to_path_buf()];
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            all.extend(walk(&entry.unwrap().path()));
        }
    }
    all
}

#[test]
fn a_state_directory_nobody_may_write_still_shows_logs_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let repo = hunted_repo(dir.path());
    let state = repo.join(".culprit");
    // Everyone may read the tree; nobody may write the state directory.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    set_mode(&state, false);

    let out = culprit_as_reader(&repo, &["log", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let doc = json(&out);
    assert_eq!(doc["kind"], "bisect", "{doc}");
    assert!(!doc["steps"].as_array().unwrap().is_empty(), "{doc}");

    let out = culprit_as_reader(&repo, &["report", "--format", "md"]);
    let md = String::from_utf8_lossy(&out.stdout);
    common::assert_exit(&out, 0);
    assert!(
        md.starts_with("### culprit bisect (session 1): found"),
        "{md}"
    );

    // A command that must write says which file and what to check.
    let out = culprit_as_reader(&repo, &["run"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(state.join("journal.sqlite").to_str().unwrap()) && err.contains("may write"),
        "{err}"
    );
    // The temporary directory's cleanup needs write access back.
    set_mode(&state, true);
}
