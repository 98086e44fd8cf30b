//! `culprit classify` on the real console logs in shared/console-logs, and its exit codes.

use crate::common::{self, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn logs_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/console-logs");
    assert!(
        dir.is_dir(),
        "the real console logs are expected at {}",
        dir.display()
    );
    dir
}

/// `culprit ARGS` where the tests run: the logs are named by absolute paths.
fn culprit(args: &[&str]) -> Output {
    common::culprit(Path::new("."), args)
}

/// `culprit classify --json --success SUCCESS -` started on a console stream the test
/// writes into its standard input; its answer is read from its standard output.
fn classify_stream(success: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["classify", "--json", "--success", success, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The link of seed 000's build failure, as the build log shows it.
const LINK_FAILURE: &str =
    "  LD      vmlinux\nld.bfd: discarded output section: `.got.plt'\nld.bfd: final link failed\n";

/// `culprit classify EXTRA --exit-code --json` on a build log holding `text`.
fn classify_build_log(text: &str, extra: &[&str]) -> Output {
    let tmp = tempfile::tempdir().unwrap();
    let log = common::write_file(tmp.path(), "build.log", text);
    let log = log.to_str().unwrap();
    culprit(&[&["classify"][..], extra, &["--exit-code", "--json", log]].concat())
}

fn classify(log: &str, success: &str) -> serde_json::Value {
    let path = logs_dir().join(log);
    let out = culprit(&[
        "classify",
        "--json",
        "--success",
        success,
        path.to_str().unwrap(),
    ]);
    common::assert_exit(&out, 0);
    json(&out)
}

#[test]
fn every_real_log_reads_as_its_readme_says() {
    let cases = [
        ("linux-boot-ok.log", "BOOT-OK", "pass", None),
        (
            "linux-sysrq-crash.log",
            "BOOT-OK",
            "fail",
            Some("kernel panic: sysrq triggered crash"),
        ),
        (
            "linux-init-exits.log",
            "BOOT-OK",
            "fail",
            Some("kernel panic: Attempted to kill init!"),
        ),
        (
            "linux-no-rootfs.log",
            "BOOT-OK",
            "fail",
            Some("kernel panic: VFS: Unable to mount root fs on unknown-block"),
        ),
        ("linux-init-spins.log", "BOOT-OK", "pass", None),
        (
            "linux-init-spins.log",
            "LATER-MARKER",
            "hang",
            Some("hang at stage init after \"BOOT-OK\""),
        ),
        (
            "linux-no-console-output.log",
            "BOOT-OK",
            "hang",
            Some("hang at stage bootloader after \"Probing EDD (edd=off to disable)... o\""),
        ),
        ("linux-tiny-halts-after-init.log", "BOOT-OK", "pass", None),
    ];
    for (log, success, outcome, title) in cases {
        let doc = classify(log, success);
        assert_eq!(doc["outcome"], outcome, "{log} with {success}: {doc}");
        assert_eq!(doc["title"].as_str(), title, "{log}: {doc}");
        for field in ["name", "stage", "duration_s", "log"] {
            assert!(doc.get(field).is_some(), "{log}: no field {field}");
        }
    }
}

#[test]
fn exit_codes_serve_git_bisect_run() {
    let dir = logs_dir();
    let code = |log: &str| {
        culprit(&[
            "classify",
            "--exit-code",
            "--success",
            "BOOT-OK",
            dir.join(log).to_str().unwrap(),
        ])
        .status
        .code()
    };
    assert_eq!(code("linux-boot-ok.log"), Some(0));
    assert_eq!(code("linux-sysrq-crash.log"), Some(1));
    assert_eq!(code("linux-no-console-output.log"), Some(1));

    let out = classify_build_log(LINK_FAILURE, &["--build"]);
    assert_eq!(out.status.code(), Some(125));
    let doc = json(&out);
    assert_eq!(doc["outcome"], "build-error");
    assert!(doc["title"]
        .as_str()
        .unwrap()
        .contains("discarded output section"));
}

#[test]
fn standard_input_and_several_logs() {
    let dir = logs_dir();
    let mut child = classify_stream("BOOT-OK");
    let log = std::fs::read(dir.join("linux-no-rootfs.log")).unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &log).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(json(&out)["outcome"], "fail");

    let out = culprit(&[
        "classify",
        "--json",
        "--success",
        "BOOT-OK",
        dir.join("linux-boot-ok.log").to_str().unwrap(),
        dir.join("linux-sysrq-crash.log").to_str().unwrap(),
    ]);
    let doc = json(&out);
    assert_eq!(doc.as_array().map(Vec::len), Some(2));
    assert_eq!(doc[1]["outcome"], "fail");
}

#[test]
fn unreadable_and_binary_logs_are_bad_input() {
    let out = culprit(&["classify", "/no/such/log"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/no/such/log"), "{err}");

    let tmp = tempfile::tempdir().unwrap();
    let garbage = tmp.path().join("garbage.bin");
    let bytes: Vec<u8> = (0..65536u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&garbage, bytes).unwrap();
    let out = culprit(&["classify", garbage.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not look like"));

    let out = culprit(&[
        "classify",
        "--failure",
        "(unclosed",
        garbage.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = culprit(&["classify", "--stage", "nomarker", garbage.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out = culprit(&["classify", "--no-such-flag", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `culprit classify -` reads a long stream of real panicking boots; its peak resident
/// memory (VmHWM) is read while it is still alive, after the whole stream went through.
#[test]
fn a_long_console_stream_is_classified_in_bounded_memory() {
    let dir = logs_dir();
    let boot = std::fs::read(dir.join("linux-init-exits.log")).unwrap();
    let mut child = classify_stream("NEVER");
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let target: usize = 64 << 20;
    let mut written = 0;
    while written < target {
        std::io::Write::write_all(&mut stdin, &boot).unwrap();
        written += boot.len();
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    drop(stdin);
    let hwm_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        json(&out)["outcome"],
        "fail",
        "the panics in the stream are read"
    );
    assert!(
        hwm_kib < 64 * 1024,
        "peak RSS {hwm_kib} KiB after {written} bytes"
    );
}

#[test]
fn a_build_log_read_without_build_is_still_unbuildable() {
    let log = format!("{LINK_FAILURE}make: *** [Makefile:1234: vmlinux] Error 1\n");
    let out = classify_build_log(&log, &[]);
    assert_eq!(out.status.code(), Some(125), "{}", json(&out));
    assert_eq!(json(&out)["outcome"], "build-error");
}

#[test]
fn in_a_tree_the_culprit_toml_markers_are_used() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = "[[test]]\nname = \"boot\"\ncommand = \"true\"\nsuccess = [\"MY-OK\"]\nstages = [{ name = \"shell\", marker = \"/ # \" }]\n";
    common::write_file(tmp.path(), "culprit.toml", toml);
    common::write_file(tmp.path(), "boot.log", "Linux version 6.1\n/ # \nMY-OK\n");
    let read = |dir: &Path| json(&common::culprit(dir, &["classify", "--json", "boot.log"]));
    let doc = read(tmp.path());
    assert_eq!(
        (doc["outcome"].as_str(), doc["stage"].as_str()),
        (Some("pass"), Some("success")),
        "{doc}"
    );
    std::fs::remove_file(tmp.path().join("culprit.toml")).unwrap();
    let doc = read(tmp.path());
    assert_eq!(doc["outcome"], "hang", "without the tree's markers: {doc}");
}
