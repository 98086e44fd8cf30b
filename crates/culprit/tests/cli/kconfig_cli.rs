//! `culprit kconfig` as a user runs it, on the Zephyr-style seed-002 tree and toyos:
//! exit codes, messages with file:line, `--json` documents, the written `.config`.

use crate::common::{self, assert_says, write_file};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn gale() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../culprit-kconfig/tests/trees/gale")
}

/// `culprit kconfig ARGS` in `dir`.
fn culprit(dir: &Path, args: &[&str]) -> Output {
    common::culprit(dir, &[&["kconfig"][..], args].concat())
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn check_names_the_gating_if_and_what_would_fix_it() {
    let out = culprit(&gale(), &["check", "prj.conf"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("CONFIG_GALE_WASM_LTO_MUTEX requested y, got n (set at prj.conf:3)\n"),
        "{text}"
    );
    assert_says(
        &text,
        &[
            "it sits inside `if GALE_KERNEL_SEM` (zephyr/Kconfig:17), and GALE_KERNEL_SEM is n (set at prj.conf:4)",
            "would apply with: CONFIG_GALE_KERNEL_SEM=y",
        ],
    );

    let out = culprit(&gale(), &["check", "--json", "prj.conf"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["requested"], 4);
    assert_eq!(doc["unapplied"][0]["reasons"][0]["kind"], "inside_if");
    assert_eq!(doc["unapplied"][0]["reasons"][0]["at"], "zephyr/Kconfig:17");
}

#[test]
fn check_passes_fragments_that_apply_and_names_unknown_options() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_file(
        dir.path(),
        "good.conf",
        "CONFIG_GALE_KERNEL_SEM=y\nCONFIG_GALE_WASM_LTO_SEM=y\n",
    );
    let out = culprit(&gale(), &["check", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), "all 2 assignments apply\n");

    let typo = write_file(dir.path(), "typo.conf", "CONFIG_GALE_KERNEL_MUTX=y\n");
    let out = culprit(&gale(), &["check", typo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("did you mean CONFIG_GALE_KERNEL_MUTEX?"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn malformed_input_exits_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_file(dir.path(), "bad.conf", "CONFIG_LOG=y\nLOG=y\n");
    let out = culprit(&gale(), &["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.conf:2: expected `CONFIG_NAME=value`"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("Kconfig"),
        "config A\n\tbool \"a\"\n\tdepends on (B\n",
    )
    .unwrap();
    let out = culprit(dir.path(), &["normalize", "bad.conf", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Kconfig:3: expected `)`"), "{err}");

    let out = culprit(dir.path(), &["why", "A", "--tree", "/nonexistent"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn normalize_writes_the_effective_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join(".config");
    let out = culprit(
        &gale(),
        &["normalize", "prj.conf", "-o", out_path.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert!(text.starts_with(
        "#\n# Automatically generated file; DO NOT EDIT.\n# Gale test application\n#\n"
    ));
    assert!(
        text.contains("# CONFIG_GALE_KERNEL_SEM is not set\nCONFIG_GALE_KERNEL_MUTEX=y\n"),
        "{text}"
    );
    assert!(!text.contains("GALE_WASM_LTO_MUTEX"), "{text}");
}

#[test]
fn why_and_diff_explain_values_and_changes() {
    let out = culprit(
        &gale(),
        &["why", "CONFIG_GALE_WASM_LTO_MUTEX", "--config", "prj.conf"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("CONFIG_GALE_WASM_LTO_MUTEX=n (defined at zephyr/Kconfig:26)"),
        "{text}"
    );
    assert!(text.contains("inside `if GALE_KERNEL_SEM`"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let b = write_file(
        dir.path(),
        "b.conf",
        "CONFIG_GALE_KERNEL_SEM=y\nCONFIG_GALE_KERNEL_MUTEX=y\nCONFIG_GALE_WASM_LTO_MUTEX=y\n",
    );
    let out = culprit(
        &gale(),
        &["diff", "--json", "prj.conf", b.to_str().unwrap()],
    );
    let changes: Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = |option: &str| {
        changes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["option"] == option)
            .cloned()
            .unwrap_or_else(|| panic!("{option} missing from {changes}"))
    };
    let sem = find("CONFIG_GALE_KERNEL_SEM");
    assert!(sem["requested_at"].as_str().unwrap().ends_with("b.conf:1"));
    let mutex = find("CONFIG_GALE_WASM_LTO_MUTEX");
    assert_eq!(
        (mutex["before"].as_str(), mutex["after"].as_str()),
        (Some("absent"), Some("y"))
    );
    assert_eq!(mutex["caused_by"][0], "CONFIG_GALE_KERNEL_SEM");
    let minimal = find("CONFIG_LOG_MODE_MINIMAL");
    assert_eq!(minimal["dropped_at"], "prj.conf:5");
}

/// A recursive dependency is bad input: exit 2, the cycle with file:line.
#[test]
fn a_recursive_dependency_exits_2_naming_the_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let cycle = "config A\n\tbool \"a\"\n\tdepends on B\nconfig B\n\tbool \"b\"\n\tdepends on A\n";
    write_file(dir.path(), "Kconfig", cycle);
    write_file(dir.path(), "in.conf", "CONFIG_A=y\n");
    let out = culprit(dir.path(), &["normalize", "in.conf", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_says(
        &err,
        &[
            "Kconfig:3: recursive dependency detected",
            "Kconfig:6: symbol B depends on symbol A",
        ],
    );
}

/// `$(shell,…)` answers are kept in the state directory: a second `normalize` on the
/// same tree runs no command, and a changed script runs again.
#[test]
fn shell_probes_run_once_per_toolchain() {
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("count");
    let probe = write_file(
        dir.path(),
        "probe.sh",
        format!("echo run >> {}\necho y\n", count.display()),
    );
    std::fs::write(
        dir.path().join("Kconfig"),
        format!(
            "config PROBED\n\tdef_bool $(shell,sh {})\n",
            probe.display()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("in.conf"), "").unwrap();
    let runs = || {
        std::fs::read_to_string(&count)
            .unwrap_or_default()
            .lines()
            .count()
    };
    for expected in [1, 1] {
        let out = culprit(dir.path(), &["normalize", "in.conf", "-o", "out"]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(runs(), expected);
        let written = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(written.contains("CONFIG_PROBED=y"), "{written}");
    }
    assert!(dir.path().join(".culprit/kconfig-probes").is_dir());
    std::fs::write(
        &probe,
        format!("echo run >> {}\necho y # edited\n", count.display()),
    )
    .unwrap();
    let out = culprit(dir.path(), &["normalize", "in.conf", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(runs(), 2);
}

#[path = "../../../culprit-kconfig/tests/kconfig/common/linux.rs"]
mod kconfig_linux;

/// Real Linux Kconfig files with one thing broken, as a hand edit breaks them: each is
/// bad input (exit 2) named by the file and line of the broken statement, with what was
/// expected. (conf itself names the line after an unclosed parenthesis, 35, then a
/// cascade of "invalid statement" lines.)
#[test]
fn a_broken_line_in_a_real_linux_kconfig_exits_2_naming_it() {
    let Some(tree) = kconfig_linux::linux_tree() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("linux");
    kconfig_linux::sparse_clone(&tree, &src);
    let defconfig = src.join("arch/x86/configs/x86_64_defconfig");
    let out = dir.path().join("out.config");
    // (file, line, what it becomes, what the message must say)
    let breakages: &[(&str, usize, &str, &str)] = &[
        (
            "kernel/Kconfig.preempt",
            34,
            "\tdepends on !(ARCH_NO_PREEMPT",
            "kernel/Kconfig.preempt:34: expected `)`",
        ),
        (
            "kernel/Kconfig.preempt",
            34,
            "\tdepend on !ARCH_NO_PREEMPT",
            "kernel/Kconfig.preempt:34: unknown statement \"depend\"; did you mean \"depends\"?",
        ),
        (
            "init/Kconfig",
            476,
            "source \"kernel/Kconfig.preemt\"",
            "init/Kconfig:476: can't open file \"kernel/Kconfig.preemt\"",
        ),
        (
            "kernel/Kconfig.preempt",
            87,
            "",
            "kernel/Kconfig.preempt:14: `choice` is not closed in the file that opens it (missing `endchoice`)",
        ),
    ];
    for (file, line, broken, expected) in breakages {
        let path = src.join(file);
        let original = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = original.lines().collect();
        lines[line - 1] = broken;
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let run = culprit(
            dir.path(),
            &[
                "normalize",
                "--tree",
                src.to_str().unwrap(),
                "--arch",
                "x86_64",
                defconfig.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
        );
        std::fs::write(&path, &original).unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(
            run.status.code(),
            Some(2),
            "{file}:{line} `{broken}`: {err}"
        );
        assert!(err.contains(expected), "{file}:{line} `{broken}`: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!out.exists(), "nothing is written from a broken tree");
}
