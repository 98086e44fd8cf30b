//! `culprit init` on trees that are not Linux: the bundled toyos, a Zephyr-shaped
//! workspace and a bare directory each get a culprit.toml that culprit accepts.

use crate::common;

use common::{culprit, toyos_tree};
use std::path::{Path, PathBuf};
use std::process::Output;

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

/// A west workspace with its application at `apps/blinky` in a new folder, after a
/// `culprit init` that exited 0: (folder, what init printed).
fn zephyr_initialized() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    zephyr_workspace(dir.path(), "apps/blinky");
    let (code, said, err) = init(dir.path(), &[]);
    assert_eq!(code, 0, "{said}{err}");
    (dir, said)
}

#[test]
fn a_zephyr_workspace_builds_its_application_with_west() {
    let (dir, said) = zephyr_initialized();
    let root = dir.path();
    assert!(said.contains("application: apps/blinky"), "{said}");
    let toml = std::fs::read_to_string(root.join("culprit.toml")).unwrap();
    assert!(
        toml.contains("west build -p auto -b qemu_x86_64 -d {build} {tree}/apps/blinky"),
        "{toml}"
    );
    assert!(toml.contains("PROJECT EXECUTION SUCCESSFUL"), "{toml}");
}

/// A stand-in for Zephyr's `west` in `root/bin`: `west build -t run` prints what ztest
/// prints for the build it ran in (FAILED when the application holds a file `failing`);
/// any other `west build` checks what a real build needs (the board, an application with
/// a prj.conf, an existing overlay given with EXTRA_CONF_FILE) and records the
/// application in the build directory. Every call is logged to `root/west.log`. Returns
/// the PATH that finds it first.
fn fake_west(root: &Path) -> String {
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
echo "$*" >> {log}
build=; app=; board=; overlay=; run=
while [ $# -gt 0 ]; do
    case "$1" in
        -d) build=$2; shift ;;
        -b) board=$2; shift ;;
        -t) [ "$2" = run ] && run=1; shift ;;
        -p) shift ;;
        -DEXTRA_CONF_FILE=*) overlay=${{1#-DEXTRA_CONF_FILE=}} ;;
        --|build) ;;
        *) app=$1 ;;
    esac
    shift
done
[ -n "$build" ] || {{ echo "west: no build directory (-d)"; exit 2; }}
if [ -n "$run" ]; then
    app=$(cat "$build/app") || exit 2
    echo "*** Booting Zephyr OS build v3.7.0 ***"
    echo "Running TESTSUITE demo"
    if [ -f "$app/failing" ]; then
        echo "FAIL - test_demo in 0.001 seconds"
        echo "PROJECT EXECUTION FAILED"
    else
        echo "PASS - test_demo in 0.001 seconds"
        echo "PROJECT EXECUTION SUCCESSFUL"
    fi
    exit 0
fi
[ "$board" = qemu_x86_64 ] || {{ echo "west: unexpected board '$board'"; exit 2; }}
[ -f "$app/prj.conf" ] || {{ echo "west: $app has no prj.conf"; exit 2; }}
[ -f "$overlay" ] || {{ echo "west: overlay '$overlay' does not exist"; exit 2; }}
mkdir -p "$build" && echo "$app" > "$build/app"
echo "[1/1] Linking C executable zephyr/zephyr.elf"
"#,
        log = root.join("west.log").display()
    );
    let west = crate::common::write_file(&bin, "west", script);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&west, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&path));
    std::env::join_paths(dirs)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// `culprit run --json` in `dir` with `path` as PATH.
fn run_with_path(dir: &Path, path: &str) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["run", "--json"])
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap()
}

#[test]
fn the_zephyr_culprit_toml_builds_and_runs_with_west_and_reads_ztest() {
    let (dir, _) = zephyr_initialized();
    let root = dir.path();
    let path = fake_west(root);

    // culprit loads the file it wrote, builds with west and passes on ztest's line.
    let out = run_with_path(root, &path);
    let doc = common::json(&out);
    let west_log = std::fs::read_to_string(root.join("west.log")).unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{doc}\n{west_log}");
    assert_eq!(doc["build"]["outcome"], "pass", "{doc}");
    assert_eq!(common::test(&doc, "run")["outcome"], "pass", "{doc}");
    // One build of the application, then its run, both in the same build directory,
    // which is not inside the tree's sources.
    let calls: Vec<&str> = west_log.lines().collect();
    assert_eq!(calls.len(), 2, "{west_log}");
    let app = root.canonicalize().unwrap().join("apps/blinky");
    assert!(
        calls[0].contains(&format!(" {} ", app.display())),
        "{west_log}"
    );
    let build_dir: PathBuf = calls[1]
        .split(' ')
        .skip_while(|w| *w != "-d")
        .nth(1)
        .unwrap()
        .into();
    assert!(
        calls[0].contains(&format!("-d {} ", build_dir.display())),
        "{west_log}"
    );
    assert!(!build_dir.starts_with(&app), "{west_log}");

    // ztest's failure line is a failure, even though `west build -t run` exits 0.
    std::fs::write(app.join("failing"), "").unwrap();
    let out = run_with_path(root, &path);
    let doc = common::json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(common::test(&doc, "run")["outcome"], "fail", "{doc}");
}

#[test]
fn the_skeleton_of_a_bare_directory_is_accepted_and_says_what_to_fill_in() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path();
    std::fs::write(tree.join("README"), "firmware\n").unwrap();
    let (code, said, err) = init(tree, &[]);
    assert_eq!(code, 0, "{said}{err}");
    // culprit loads the skeleton and runs its step: the build placeholder passes, and
    // the test placeholder fails with the line that says what to edit.
    let out = culprit(tree, &["run", "--json"]);
    let doc = common::json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(doc["build"]["outcome"], "pass", "{doc}");
    let boot = common::test(&doc, "boot");
    assert_ne!(boot["outcome"], "pass", "{doc}");
    assert!(
        boot.to_string()
            .contains("edit culprit.toml: [[test]] command boots the image"),
        "{doc}"
    );
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
