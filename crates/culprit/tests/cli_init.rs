//! `culprit init` on trees that are not Linux: the bundled toyos, a Zephyr-shaped
//! workspace and a bare directory each get a culprit.toml that culprit accepts.

mod common;

use common::{culprit, toyos_tree};
use std::path::Path;

fn init(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["init"];
    all.extend_from_slice(args);
    let out = culprit(dir, &all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A west workspace at `root` with one ztest application at `app`.
fn zephyr_workspace(root: &Path, app: &str) {
    std::fs::write(root.join("west.yml"), "manifest:\n  projects: []\n").unwrap();
    let app = root.join(app);
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("prj.conf"), "CONFIG_ZTEST=y\n").unwrap();
    std::fs::write(
        app.join("CMakeLists.txt"),
        "find_package(Zephyr REQUIRED HINTS $ENV{ZEPHYR_BASE})\nproject(app)\n",
    )
    .unwrap();
}

#[test]
fn toyos_gets_a_make_skeleton_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path();
    toyos_tree(tree, &[], &[]);
    std::fs::remove_file(tree.join("culprit.toml")).unwrap();
    let (code, said, err) = init(tree, &[]);
    assert_eq!(code, 0, "{said}{err}");
    assert!(said.contains("build: `make`"), "{said}");
    let toml = std::fs::read_to_string(tree.join("culprit.toml")).unwrap();
    assert!(toml.contains("command = \"make -C {tree}"), "{toml}");
    // It is accepted: the step builds toyos and then says the test command is a stub.
    let out = culprit(tree, &["run", "--json"]);
    let doc = common::json(&out);
    assert_eq!(doc["build"]["outcome"], "pass", "{doc}");
    assert_eq!(out.status.code(), Some(1), "{doc}");
}

#[test]
fn an_existing_culprit_toml_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("culprit.toml"), "# mine\n").unwrap();
    let (code, _, err) = init(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("exists already; pass --force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("culprit.toml")).unwrap(),
        "# mine\n"
    );
    let (code, said, err) = init(dir.path(), &["--force"]);
    assert_eq!(code, 0, "{said}{err}");
    assert!(said.contains("fill in [build] command"), "{said}");
}

#[test]
fn a_zephyr_workspace_builds_its_application_with_west() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    zephyr_workspace(root, "apps/blinky");
    let (code, said, err) = init(root, &[]);
    assert_eq!(code, 0, "{said}{err}");
    assert!(said.contains("application: apps/blinky"), "{said}");
    let toml = std::fs::read_to_string(root.join("culprit.toml")).unwrap();
    assert!(
        toml.contains("west build -p auto -b qemu_x86_64 -d {build} {tree}/apps/blinky"),
        "{toml}"
    );
    assert!(toml.contains("PROJECT EXECUTION SUCCESSFUL"), "{toml}");
}

#[test]
fn a_missing_directory_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = init(dir.path(), &["no-such-dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot open no-such-dir"), "{err}");
}

#[test]
fn check_builds_and_runs_once_and_says_whether_it_passed() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path();
    toyos_tree(tree, &[], &[]);
    let (code, said, err) = init(tree, &["--check", "--force"]);
    // The skeleton builds toyos, but its test command is a stub that fails: the check
    // runs the step and says it did not pass, with the step's exit code.
    assert_eq!(code, 1, "{said}{err}");
    assert!(said.contains("checking: one build and boot"), "{said}");
    assert!(said.contains("the check did not pass"), "{said}");
    assert!(!said.contains("the check passed"), "{said}");
}

#[test]
fn check_refuses_when_a_program_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    zephyr_workspace(root, "app");
    let (code, said, err) = init(root, &["--check"]);
    // `west` is not installed here: culprit.toml is written, the check is refused.
    assert_eq!(code, 2, "{said}{err}");
    assert!(
        said.contains("runs `west`, which is not installed"),
        "{said}"
    );
    assert!(
        err.contains("cannot --check: install the programs above first"),
        "{err}"
    );
    assert!(root.join("culprit.toml").exists());
}
