//! Issue 10, trees as users have them: submodules are checked out in every worktree at
//! the candidate's recorded commit (offline), or refused before any step; untracked
//! files the build needs are named before the first step, and `[tree] copy` copies them
//! into every worktree.

use crate::common;

use common::{culprit, git, invocations, json};
use std::path::{Path, PathBuf};

/// A library repository whose commit `i` (1-based) writes `i` into `version`.
fn library(dir: &Path, versions: usize) -> Vec<String> {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut ids = Vec::new();
    for i in 1..=versions {
        std::fs::write(dir.join("version"), format!("{i}\n")).unwrap();
        ids.push(common::commit_all(dir, &format!("lib v{i}")));
    }
    ids
}

/// A superproject whose commit `i` pins the submodule `lib` at library version `i`; the
/// boot reads the submodule's file and panics from version 5 on.
fn superproject(dir: &Path, lib: &Path, lib_ids: &[String], boots: &Path) -> Vec<String> {
    git(dir, &["init", "-q", "-b", "main"]);
    let boot = format!(
        "v=$(cat lib/version); echo $v >> {}; echo 'Linux version 6.1'; if [ $v -ge 5 ]; then echo 'Kernel panic - not syncing: lib too new'; else echo BOOT-OK; fi",
        boots.display()
    );
    let toml = format!(
        "[build]\ncommand = \"test -s lib/version\"\n\n{}",
        common::boot_test("boot", &boot, "")
    );
    std::fs::write(dir.join("culprit.toml"), toml).unwrap();
    std::fs::write(dir.join(".gitignore"), ".culprit/\n").unwrap();
    let url = lib.to_str().unwrap();
    git(
        dir,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            url,
            "lib",
        ],
    );
    let mut ids = Vec::new();
    for (i, lib_id) in lib_ids.iter().enumerate() {
        git(&dir.join("lib"), &["checkout", "-q", lib_id]);
        ids.push(common::commit_all(dir, &format!("take lib v{}", i + 1)));
    }
    ids
}

/// A library of `versions` versions in `dir/lib` (see [`library`]) and a superproject
/// in `dir/name` that takes each in turn (see [`superproject`]), its boots logged in
/// `dir/boots`: (superproject, its commit ids, boot log). Both submodule tests start so.
fn library_and_superproject(
    dir: &Path,
    versions: usize,
    name: &str,
) -> (PathBuf, Vec<String>, PathBuf) {
    let lib = common::new_dir(dir, "lib");
    let lib_ids = library(&lib, versions);
    let repo = common::new_dir(dir, name);
    let boots = dir.join("boots");
    let ids = superproject(&repo, &lib, &lib_ids, &boots);
    (repo, ids, boots)
}

#[test]
fn submodules_are_checked_out_at_each_candidates_recorded_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, ids, boots) = library_and_superproject(dir.path(), 8, "super");
    // The library's own repository is gone: only the superproject's .git/modules has it.
    let lib = dir.path().join("lib");
    std::fs::rename(&lib, dir.path().join("lib-moved-away")).unwrap();

    let out = culprit(
        &repo,
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "-j", "2", "--json",
        ],
    );
    let doc = json(&out);
    common::assert_exit(&out, 0);
    assert_eq!(doc["culprit"], ids[4].as_str(), "{doc}");
    // Every boot saw the library version its commit pins, never an empty directory.
    let seen = invocations(&boots);
    assert!(seen.contains(&1) && seen.contains(&8), "{seen:?}");

    let out = culprit(&repo, &["run", "--rev", &ids[2], "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", json(&out));
    assert_eq!(invocations(&boots).last(), Some(&3));
}

#[test]
fn a_submodule_not_on_this_machine_is_refused_before_any_step() {
    let dir = tempfile::tempdir().unwrap();
    let (origin, _, boots) = library_and_superproject(dir.path(), 3, "origin");
    git(
        &origin,
        &[
            "config",
            "-f",
            ".gitmodules",
            "submodule.lib.url",
            "https://example.invalid/lib.git",
        ],
    );
    git(&origin, &["commit", "-q", "-am", "lib moves to its forge"]);
    // A clone that never fetched its submodule, on a machine without the network.
    let repo = dir.path().join("clone");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            repo.to_str().unwrap(),
        ],
    );
    let first = git(&repo, &["rev-list", "--max-parents=0", "HEAD"]);
    let ids: Vec<&str> = first.lines().collect();
    let out = culprit(&repo, &["bisect", "--good", ids[0], "--bad", "main"]);
    common::assert_refused(
        &out,
        &[
            "submodule `lib`",
            "https://example.invalid/lib.git",
            "not on this machine",
            "submodule update --init --recursive",
        ],
    );
    assert!(
        invocations(&boots).is_empty(),
        "a step ran before the refusal"
    );
}

/// A history whose boot panics from commit 6 on, and whose build and boot need two
/// files that were never committed: an ignored `.config` and an untracked firmware.
fn untracked_repo(dir: &Path, tree_section: &str) -> Vec<String> {
    let boot = common::boot_test(
        "boot",
        "cat {tree}/fw/board.bin; n=$(cat n); echo 'Linux version 6.1'; if [ $n -ge 6 ]; then echo 'Kernel panic - not syncing: VFS: Unable to mount root fs'; else echo BOOT-OK; fi",
        "",
    );
    let toml = format!(
        "{tree_section}\n[build]\ncommand = \"grep -q CONFIG_BOOT=y .config\"\n\n[config]\nfile = \".config\"\n\n{boot}"
    );
    let ids = common::linear_repo(dir, 10, &toml);
    std::fs::write(dir.join(".gitignore"), ".culprit/\n.config\n").unwrap();
    git(dir, &["commit", "-q", "-am", "ignore .config"]);
    std::fs::write(dir.join(".config"), "CONFIG_BOOT=y\n").unwrap();
    std::fs::create_dir(dir.join("fw")).unwrap();
    std::fs::write(dir.join("fw/board.bin"), "firmware\n").unwrap();
    ids
}

#[test]
fn untracked_files_are_named_before_the_first_step_and_copied_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let ids = untracked_repo(dir.path(), "");
    let out = culprit(dir.path(), &["bisect", "--good", &ids[0], "--bad", "main"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "the worktrees lack both: {err}");
    let warning = err
        .lines()
        .find(|l| l.contains("warning: untracked"))
        .unwrap_or_else(|| panic!("no warning: {err}"));
    for part in [
        ".config (the [config] file)",
        "fw/board.bin (named by test `boot`)",
        "[tree] copy",
    ] {
        assert!(warning.contains(part), "{part:?} not in {warning}");
    }
    assert!(
        !warning.contains(" n ("),
        "tracked files are not named: {warning}"
    );

    // Copied into every worktree (one worktree, reused for every candidate).
    let dir = tempfile::tempdir().unwrap();
    let ids = untracked_repo(dir.path(), "[tree]\ncopy = [\".config\", \"fw\"]\n");
    let out = culprit(
        dir.path(),
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc} {err}");
    assert_eq!(doc["culprit"], ids[5].as_str(), "{doc}");
    assert!(!err.contains("warning: untracked"), "{err}");
}

#[test]
fn tree_copy_entries_must_exist_inside_the_tree() {
    for (section, says) in [
        (
            "[tree]\ncopy = [\"../outside\"]\n",
            "give a path inside the tree",
        ),
        (
            "[tree]\ncopy = [\"/etc/hostname\"]\n",
            "give a path inside the tree",
        ),
        ("[tree]\ncopy = [\"fw/missing.bin\"]\n", "does not exist in"),
        ("[tree]\ncopies = [\".config\"]\n", "it takes `dir`"),
        ("tree = 3\n", "give a directory"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ids = untracked_repo(dir.path(), section);
        let out = culprit(dir.path(), &["bisect", "--good", &ids[0], "--bad", "main"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{section}: {err}");
        assert!(
            err.contains(says) && err.contains("culprit.toml"),
            "{section}: {err}"
        );
    }
}
