//! Bad input to `culprit run` gets a clear error naming the file, line and key, and
//! exit code 2 -- never a panic.

use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, toml: &str, extra: &[&str]) -> Output {
    std::fs::write(dir.join("culprit.toml"), toml).unwrap();
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .arg("run")
        .args(extra)
        .current_dir(dir)
        .output()
        .expect("culprit runs")
}

fn assert_bad(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\nsucess = [\"OK\"]\n",
        &[],
    );
    assert_bad(&out, &["culprit.toml:4:", "sucess"]);
}

#[test]
fn malformed_values_and_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\ntimeout = \"60 parsecs\"\n",
        &[],
    );
    assert_bad(&out, &["culprit.toml:4:", "invalid duration"]);
    let out = run_in(dir.path(), "[[test]\nname = 1\n", &[]);
    assert_bad(&out, &["culprit.toml:1:"]);
    let out = run_in(dir.path(), "[[test]]\nname = \"boot\"\n", &[]);
    assert_bad(&out, &["command"]);
    let out = run_in(dir.path(), "[build]\ncommand = \"make\"\n", &[]);
    assert_bad(&out, &["[[test]]"]);
    let out = run_in(
        dir.path(),
        "[[test]]\nname = \"boot\"\ncommand = \"qemu -kernel {kernel}\"\n",
        &[],
    );
    assert_bad(&out, &["{kernel}", "{tree}"]);
    let out = run_in(
        dir.path(),
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\nfailure = [\"(oops\"]\n",
        &[],
    );
    assert_bad(&out, &["(oops"]);
}

#[test]
fn binary_garbage_missing_file_and_unknown_test() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("culprit.toml"),
        [0xffu8, 0xfe, 0x00, 0x81, 0x13],
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .arg("run")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_bad(&out, &["not text"]);

    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .arg("run")
        .current_dir(empty.path())
        .output()
        .unwrap();
    assert_bad(&out, &["no culprit.toml"]);

    let out = run_in(
        dir.path(),
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\n",
        &["--test", "nope"],
    );
    assert_bad(&out, &["no test named `nope`", "boot"]);
    let out = run_in(
        dir.path(),
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\n",
        &["--rev", "HEAD"],
    );
    assert_bad(&out, &["not inside a git repository"]);
}

#[test]
fn a_missing_program_is_named_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        "[[test]]\nname = \"boot\"\ncommand = \"FOO=1 qemu-system-does-not-exist -kernel x\"\nsuccess = [\"OK\"]\n",
        &["--json"],
    );
    assert_bad(
        &out,
        &[
            "test `boot` runs `qemu-system-does-not-exist`",
            "not installed",
        ],
    );
    assert!(
        !dir.path().join(".culprit/sessions").exists(),
        "nothing ran"
    );
}
