//! Bad input to `culprit run` gets a clear error naming the file, line and key, and
//! exit code 2 -- never a panic.

use crate::common::assert_bad_input as assert_bad;
use crate::common::{boot_test, culprit, write_file};
use std::path::Path;
use std::process::Output;

/// `culprit run EXTRA` in `dir`, with `toml` as its culprit.toml.
fn run_in(dir: &Path, toml: &str, extra: &[&str]) -> Output {
    std::fs::write(dir.join("culprit.toml"), toml).unwrap();
    culprit(dir, &[&["run"][..], extra].concat())
}

/// Checks that `culprit run` refuses `toml` (in a folder of its own) saying `needles`.
fn refused(toml: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    assert_bad(&run_in(dir.path(), toml, &[]), needles);
}

#[test]
fn unknown_key_is_named_with_its_line() {
    refused(
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\nsucess = [\"OK\"]\n",
        &["culprit.toml:4:", "sucess"],
    );
}

#[test]
fn malformed_values_and_syntax() {
    refused(
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\ntimeout = \"60 parsecs\"\n",
        &["culprit.toml:4:", "invalid duration"],
    );
    refused("[[test]\nname = 1\n", &["culprit.toml:1:"]);
    refused("[[test]]\nname = \"boot\"\n", &["command"]);
    refused("[build]\ncommand = \"make\"\n", &["[[test]]"]);
    refused(
        "[[test]]\nname = \"boot\"\ncommand = \"qemu -kernel {kernel}\"\n",
        &["{kernel}", "{tree}"],
    );
    refused(
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\nfailure = [\"(oops\"]\n",
        &["(oops"],
    );
}

#[test]
fn binary_garbage_missing_file_and_unknown_test() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "culprit.toml", [0xffu8, 0xfe, 0x00, 0x81, 0x13]);
    assert_bad(&culprit(dir.path(), &["run"]), &["not text"]);

    let empty = tempfile::tempdir().unwrap();
    assert_bad(&culprit(empty.path(), &["run"]), &["no culprit.toml"]);

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
    let toml = "[[test]]\nname = \"boot\"\ncommand = \"FOO=1 qemu-system-does-not-exist -kernel x\"\nsuccess = [\"OK\"]\n";
    let out = run_in(dir.path(), toml, &["--json"]);
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

#[test]
fn zero_timeouts_are_refused_as_every_boot_would_hang() {
    let test = "[[test]]\nname = \"boot\"\ncommand = \"true\"\n";
    refused(
        &format!("{test}timeout = \"0s\"\n"),
        &["`timeout` is zero", "boot"],
    );
    refused(&format!("{test}silence = \"0s\"\n"), &["`silence` is zero"]);
    refused(
        &format!("[build]\ncommand = \"true\"\ntimeout = \"0ms\"\n{test}"),
        &["[build] `timeout` is zero"],
    );
}

#[test]
fn a_test_cannot_take_the_name_of_the_build_or_normalize_log() {
    for name in ["build", "normalize", "shape"] {
        refused(&format!("[build]\ncommand = \"echo built\"\n[[test]]\nname = \"{name}\"\ncommand = \"true\"\n"), &[&format!("the name `{name}` is taken")]);
    }
}

#[test]
fn a_config_file_outside_the_tree_is_refused() {
    for file in ["/tmp/shared.config", "../x.config", "sub/../../x"] {
        refused(
            &format!(
                "[config]\nfile = \"{file}\"\n[[test]]\nname = \"boot\"\ncommand = \"true\"\n"
            ),
            &["[config] `file`", file, "inside the tree"],
        );
    }
}

#[test]
fn the_config_placeholder_needs_a_config_section() {
    refused(
        "[[test]]\nname = \"boot\"\ncommand = \"grep -q X {config}\"\n",
        &["{config}", "[config]"],
    );
}

/// Commands whose first word is a shell builtin, not a program to look for.
const BUILTIN_FIRST: [&str; 3] = [
    "trap 'echo BOOT-OK' EXIT",
    "wait; echo BOOT-OK",
    "read x < /dev/null; echo BOOT-OK",
];

#[test]
fn commands_starting_with_shell_builtins_are_not_missing_programs() {
    let dir = tempfile::tempdir().unwrap();
    for command in BUILTIN_FIRST {
        let out = run_in(dir.path(), &boot_test("boot", command, ""), &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "`{command}`: {err}");
    }
}

#[test]
fn a_bad_auto_fixup_value_is_named_with_its_line_and_the_flags_exclude_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let toml =
        "[[test]]\nname = \"boot\"\ncommand = \"true\"\n\n[bisect]\nauto_fixup = \"sometimes\"\n";
    std::fs::write(dir.path().join("culprit.toml"), toml).unwrap();
    let bisect = |extra: &[&str]| {
        let args = [&["bisect", "--good", "HEAD~1", "--bad", "HEAD"][..], extra].concat();
        culprit(dir.path(), &args)
    };
    assert_bad(
        &bisect(&[]),
        &["culprit.toml:6:", "sometimes", "up-front", "after", "off"],
    );
    assert_bad(
        &bisect(&["--auto-fixup", "--no-auto-fixup"]),
        &["--auto-fixup", "--no-auto-fixup", "cannot be used with"],
    );
}

/// A generated culprit.toml may hold thousands of tests: a message about them names a
/// few and counts the rest, never a page of every name.
#[test]
fn messages_about_thousands_of_tests_name_a_few_and_count_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let tests = |command: &str| -> String {
        (0..5_000)
            .map(|i| format!("[[test]]\nname = \"t{i}\"\ncommand = \"{command} {i}\"\n"))
            .collect()
    };
    let out = run_in(dir.path(), &tests("true"), &["--test", "nope"]);
    assert_bad(
        &out,
        &["no test named `nope`", "t0, t1, t2", "t11 and 4988 more"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("t12,") && err.len() < 1_000, "{err}");
    let out = run_in(dir.path(), &tests("no-such-boot-program"), &[]);
    assert_bad(
        &out,
        &["test `t0`, test `t1`, test `t2` and 4997 more run `no-such-boot-program`"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("`t3`") && err.len() < 1_000, "{err}");
}
