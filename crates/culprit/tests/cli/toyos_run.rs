//! `culprit run` on real QEMU boots of the bundled toyos kernel: passes, real crashes,
//! real hangs caught by the silence timeout, early verdicts, no process left behind, and
//! one-step option changes (`--set`, `--config`).

use crate::common;

use common::{live_processes, run_toyos, test, toyos_tree};
use std::time::{Duration, Instant};

#[test]
fn the_default_configuration_passes_every_test() {
    let dir = tempfile::tempdir().unwrap();
    toyos_tree(dir.path(), &[], &[]);
    let (code, doc) = run_toyos(dir.path(), &[]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["build"]["outcome"], "pass");
    for name in ["smp_semaphore", "smp_mutex", "smp_threads"] {
        assert_eq!(test(&doc, name)["outcome"], "pass", "{doc}");
        assert_eq!(test(&doc, name)["stage"], "success", "{doc}");
    }
}

#[test]
fn a_real_cpu_exception_is_a_failure_with_its_signature() {
    let dir = tempfile::tempdir().unwrap();
    toyos_tree(dir.path(), &["CPU_MASK", "IPI"], &[]);
    let (code, doc) = run_toyos(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let mutex = test(&doc, "smp_mutex");
    assert_eq!(mutex["outcome"], "fail", "{doc}");
    assert_eq!(
        mutex["title"],
        ">>> TOYOS FATAL ERROR: CPU exception 0 (divide error) on CPU"
    );
    assert_eq!(test(&doc, "smp_semaphore")["outcome"], "pass");
    // The crash is read as it streams: the guest is stopped after the grace period,
    // not left to run into the 30 s timeout.
    assert!(mutex["duration_s"].as_f64().unwrap() < 8.0, "{doc}");
}

#[test]
fn a_real_hang_is_caught_by_the_silence_timeout_at_its_stage() {
    let dir = tempfile::tempdir().unwrap();
    toyos_tree(dir.path(), &["SPINLOCK_VALIDATE"], &[]);
    let (code, doc) = run_toyos(dir.path(), &["--test", "smp_semaphore"]);
    assert_eq!(code, Some(1));
    let sem = test(&doc, "smp_semaphore");
    assert_eq!(sem["outcome"], "hang", "{doc}");
    assert_eq!(sem["stage"], "test");
    let took = sem["duration_s"].as_f64().unwrap();
    assert!(
        took < 10.0,
        "silence (3 s) must end it long before the 30 s timeout: {took}"
    );

    let early = tempfile::tempdir().unwrap();
    toyos_tree(early.path(), &["EARLY_HANG"], &[]);
    let (_, doc) = run_toyos(early.path(), &["--test", "smp_mutex"]);
    assert_eq!(test(&doc, "smp_mutex")["outcome"], "hang");
    assert_eq!(
        test(&doc, "smp_mutex")["stage"],
        "none",
        "silent before the banner: {doc}"
    );
}

#[test]
fn a_guest_that_keeps_running_after_success_is_stopped_at_once() {
    let dir = tempfile::tempdir().unwrap();
    toyos_tree(dir.path(), &["HALT_AFTER_TESTS"], &[]);
    let (code, doc) = run_toyos(dir.path(), &["--test", "smp_threads"]);
    assert_eq!(code, Some(0), "{doc}");
    let threads = test(&doc, "smp_threads");
    assert_eq!(threads["outcome"], "pass");
    // The boot itself takes well under a second; the early verdict must stop the guest
    // within 2 s of the success marker.
    assert!(threads["duration_s"].as_f64().unwrap() < 3.0, "{doc}");
}

#[test]
fn sigint_stops_every_guest_and_records_the_interruption() {
    let dir = tempfile::tempdir().unwrap();
    toyos_tree(dir.path(), &["EARLY_HANG"], &[]);
    // A long silence so that the guest is still running when culprit is interrupted.
    let config = dir.path().join("culprit.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("silence = \"3s\"", "silence = \"60s\"");
    std::fs::write(&config, text).unwrap();
    let marker = dir.path().to_string_lossy().into_owned();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args([
            "run",
            "-f",
            config.to_str().unwrap(),
            "--test",
            "smp_semaphore",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while live_processes(&format!("{marker}/build/kernel.elf")).is_empty() {
        assert!(Instant::now() < deadline, "QEMU never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    common::assert_exit(&out, 130);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        live_processes(&format!("{marker}/build/kernel.elf")).is_empty(),
        "QEMU outlived culprit"
    );
}

#[test]
fn set_changes_one_option_for_one_step_and_says_what_applied() {
    let dir = tempfile::tempdir().unwrap();
    toyos_tree(dir.path(), &[], &[]);
    let before = std::fs::read_to_string(dir.path().join(".config")).unwrap();
    let (code, doc) = run_toyos(
        dir.path(),
        &[
            "--test",
            "smp_threads",
            "--set",
            "CONFIG_EARLY_FAULT=y",
            "--set",
            "CONFIG_IPI_BROADCAST=y",
        ],
    );
    assert_eq!(code, Some(1), "{doc}");
    let threads = test(&doc, "smp_threads");
    assert_eq!(
        threads["outcome"], "fail",
        "the requested fault happened: {doc}"
    );
    // The crash is in the excerpt.
    common::assert_says(threads["excerpt"].as_str().unwrap(), &["TOYOS FATAL ERROR"]);
    assert_requested(&doc, FAULT_APPLIED, "the option that cannot apply is named");
    let why = doc["config"]["requested"][1]["why"].as_array().unwrap();
    assert!(
        why.iter()
            .any(|w| w.as_str().unwrap().contains("IPI") && w.as_str().unwrap().contains("Kconfig")),
        "culprit's Kconfig evaluator says which dependency is off, and where: {doc}"
    );
    let after = std::fs::read_to_string(dir.path().join(".config")).unwrap();
    assert_eq!(
        before, after,
        "the tree's configuration is restored after the step"
    );
    let out = common::culprit(dir.path(), &["run", "--set", "EARLY_FAULT"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a --set without a value is bad input"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--set EARLY_FAULT: write one option and its value"),
        "{err}"
    );
}

/// What `--set` or a fragment asked of EARLY_FAULT and IPI_BROADCAST, both on: the fault
/// applies, IPI_BROADCAST cannot (a dependency is off).
const FAULT_APPLIED: &[(&str, bool, &str)] = &[
    ("CONFIG_EARLY_FAULT", true, "y"),
    ("CONFIG_IPI_BROADCAST", false, "n"),
];

/// Checks `(option, applied, got)` of each option a step was asked for, in order; `why`
/// says what the list shows.
fn assert_requested(doc: &serde_json::Value, expected: &[(&str, bool, &str)], why: &str) {
    let fate: Vec<(&str, bool, &str)> = common::items(&doc["config"]["requested"])
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap();
            (text("option"), r["applied"].as_bool().unwrap(), text("got"))
        })
        .collect();
    assert_eq!(fate, expected, "{why}: {doc}");
}

#[test]
fn config_lays_a_fragment_over_one_step_also_at_a_revision() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("toyos");
    toyos_tree(&tree, &[], &[]);
    std::fs::write(tree.join(".gitignore"), ".culprit/\nbuild/\n").unwrap();
    common::git(&tree, &["init", "-q", "-b", "main"]);
    common::commit_all(&tree, "toyos");
    let before = std::fs::read_to_string(tree.join(".config")).unwrap();
    let fragment = crate::common::write_file(
        dir.path(),
        "fault.config",
        "# what the engineer wants to try\nCONFIG_EARLY_FAULT=y\nCONFIG_IPI_BROADCAST=y\n",
    );
    let fragment = fragment.to_str().unwrap();

    // On the working tree: the fragment's fault happens, and its option that cannot
    // apply is named.
    let (code, doc) = run_toyos(&tree, &["--test", "smp_threads", "--config", fragment]);
    assert_eq!(code, Some(1), "{doc}");
    let threads = test(&doc, "smp_threads");
    assert_eq!(threads["outcome"], "fail", "{doc}");
    common::assert_says(threads["excerpt"].as_str().unwrap(), &["TOYOS FATAL ERROR"]);
    assert_requested(
        &doc,
        FAULT_APPLIED,
        "the fragment's option that cannot apply is named",
    );
    assert_eq!(
        std::fs::read_to_string(tree.join(".config")).unwrap(),
        before,
        "the tree's configuration is restored after the step"
    );

    // At a revision, in worker 0's worktree: the same fragment, with a --set after it
    // that takes its fault back, so the step passes.
    let (code, doc) = run_toyos(
        &tree,
        &[
            "--rev",
            "main",
            "--test",
            "smp_threads",
            "--config",
            fragment,
            "--set",
            "CONFIG_EARLY_FAULT=n",
        ],
    );
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(test(&doc, "smp_threads")["outcome"], "pass", "{doc}");
    assert_requested(
        &doc,
        &[
            ("CONFIG_EARLY_FAULT", true, "n"),
            ("CONFIG_IPI_BROADCAST", false, "n"),
        ],
        "one entry per option, the --set's value winning over the fragment's",
    );
    assert!(
        tree.join(".culprit/workers/w0/tree/.config").is_file(),
        "the step ran in worker 0's worktree"
    );
    assert_eq!(
        std::fs::read_to_string(tree.join(".config")).unwrap(),
        before
    );
}
