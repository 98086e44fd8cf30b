//! Seed 002's shape on the LAVA lab: one boot runs a whole ztest suite, and a commit
//! makes one case of it fault. Through the lab's console stream the hunt names that
//! commit, and every run says which case crashed while the others passed.

use crate::common::{self, commit_all, culprit, git, json, toyos_tree, write_file};
use crate::lava_lab::{executor_section, lab, TEMPLATE};
use serde_json::Value;
use std::path::Path;

/// The whole toyos suite in one boot (no `test=` word: every case runs), its faults
/// caught by the console's failure marker.
const SUITE_TOML: &str = r#"[build]
command = "make -C {tree} -s"

[[test]]
name = "suite"
command = "qemu-system-x86_64 -smp 2 -m 64 -display none -serial stdio -no-reboot -kernel {tree}/build/kernel.elf -append suite"
timeout = "60s"
silence = "10s"
success = ["PROJECT EXECUTION SUCCESSFUL"]
failure = ["TOYOS FATAL ERROR"]
"#;

/// The case the planted commit breaks, and the commit (of six after the base) that
/// does it.
const CASE: &str = "smp_mutex";
const PLANTED: usize = 3;

/// A toyos history in `repo`: the base (tagged `base`), then six commits; commit
/// `PLANTED` makes `test_smp_mutex` execute an invalid opcode. Returns the six ids.
fn suite_history(repo: &Path, section: &str) -> Vec<String> {
    toyos_tree(repo, &[], &[]);
    write_file(repo, ".gitignore", "build/\n.culprit/\n");
    write_file(repo, "culprit.toml", format!("{SUITE_TOML}{section}"));
    write_file(repo, "lava-boot.yaml", TEMPLATE);
    git(repo, &["init", "-q", "-b", "main"]);
    commit_all(repo, "toyos");
    git(repo, &["tag", "base"]);
    let source = repo.join("tests/smp_mutex.c");
    (1..=6)
        .map(|n| {
            if n == PLANTED {
                let text = std::fs::read_to_string(&source).unwrap();
                let planted = text.replacen(
                    "void test_smp_mutex(void)\n{\n",
                    "void test_smp_mutex(void)\n{\n\t__asm__ volatile(\"ud2\");\n",
                    1,
                );
                assert_ne!(planted, text, "the plant found test_smp_mutex");
                std::fs::write(&source, planted).unwrap();
                commit_all(repo, "smp_mutex: a change that faults")
            } else {
                write_file(repo, "NOTES", format!("note {n}\n"));
                commit_all(repo, &format!("notes: {n}"))
            }
        })
        .collect()
}

/// The cases of `step`'s suite run that did not pass, and those that did.
fn cases(step: &Value) -> (Vec<String>, Vec<String>) {
    let cases = step["result"]["tests"][0]["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("the run lists its cases: {step}"));
    let name = |c: &Value| c["name"].as_str().unwrap().to_string();
    let passed = |c: &&Value| c["result"] == "pass";
    (
        cases.iter().filter(|c| !passed(c)).map(name).collect(),
        cases.iter().filter(passed).map(name).collect(),
    )
}

#[test]
fn a_case_that_faults_inside_a_suite_is_blamed_on_that_case_through_lava() {
    let Some(lab) = lab() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("toyos");
    // Every case in one boot: the kernel gets no `test=` word.
    let section = executor_section(&lab.url, &lab.token, "")
        .replace("command_line = \"test={test}\"", "command_line = \"suite\"");
    let ids = suite_history(&repo, &section);
    let out = culprit(
        &repo,
        &[
            "bisect",
            "--good",
            "base",
            "--bad",
            "main",
            "-j",
            "2",
            "--executor",
            "lava",
            "--json",
        ],
    );
    let doc = json(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{doc}\n{stderr}");
    assert_eq!(doc["culprit"], ids[PLANTED - 1].as_str(), "{doc}");
    assert!(stderr.contains(" · device qemu-0"), "{stderr}");
    // Every boot of the hunt ran the suite on the lab: the bad ones crashed in the
    // planted case and passed the cases before it, the good ones passed them all.
    let report: Value =
        serde_json::from_str(&common::succeeded(&repo, &["report", "--format", "json"])).unwrap();
    let mut bad = 0;
    for step in report["steps"].as_array().unwrap() {
        let (failed, passed) = cases(step);
        if failed.is_empty() {
            assert!(passed.iter().any(|c| c.ends_with(CASE)), "{step}");
        } else {
            bad += 1;
            assert!(
                failed.len() == 1 && failed[0].ends_with(CASE),
                "only {CASE} crashed: {step}"
            );
            assert!(
                passed.iter().any(|c| c.ends_with("smp_semaphore")),
                "the case before it passed: {step}"
            );
        }
    }
    assert!(
        bad >= 2,
        "the bad endpoint and the culprit crashed: {report}"
    );
}
