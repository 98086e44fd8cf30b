//! Hunts through the real labgrid lab (`scripts/labgrid-lab start`): the same culprit
//! as the local executor, Ctrl-C and SIGKILL leaving no place locked and no QEMU
//! running, a place someone else holds as a lab fault, bad input refused before any
//! step.

use crate::common;
use crate::labgrid_lab::{lab, qemus_under};

use common::{candidate_verdicts, culprit, json, spawn_toyos_hunt, wait_for};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::time::Duration;

#[test]
fn the_toyos_hunt_through_labgrid_names_the_same_culprit_as_the_local_executor() {
    let Some(lab) = lab() else { return };
    let dir = tempfile::tempdir().unwrap();
    // One repository each, so that the second hunt cannot reuse the first one's steps.
    let hunt = |executor: &str| {
        let repo = dir.path().join(executor);
        let planted = lab.toyos(dir.path(), &repo, "tags = { board = \"qemu-x86\" }");
        let args = [&common::TOYOS_HUNT[..], &["--executor", executor, "--json"]].concat();
        let out = culprit(&repo, &args);
        let doc = json(&out);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{executor}: {doc}\n{stderr}");
        assert_eq!(doc["culprit"], planted["culprit"], "{executor}: {doc}");
        let on_a_place = stderr.contains("· node culprit-qemu-");
        assert_eq!(
            on_a_place,
            executor == "labgrid",
            "the live display: {stderr}"
        );
        (repo, doc)
    };
    let (_, local) = hunt("local");
    let (repo, labgrid) = hunt("labgrid");
    assert_eq!(labgrid["target"], local["target"]);
    // With two workers which candidates get tried depends on which boot ends first;
    // each candidate both hunts tried got the same verdict.
    let local = candidate_verdicts(&local);
    let mut shared = 0;
    for (rev, verdict) in candidate_verdicts(&labgrid) {
        if let Some(seen) = local.get(&rev) {
            assert_eq!(&verdict, seen, "{rev}");
            shared += 1;
        }
    }
    assert!(shared >= 5, "only {shared} candidates in common");
    // Both places served (-j 2), and each step names the place it booted on.
    let out = culprit(&repo, &["log"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for place in &lab.places {
        assert!(text.contains(&format!("node {place}")), "{text}");
    }
    let out = culprit(&repo, &["log", "--json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"executor\": \"labgrid\""), "{text}");
    assert!(text.contains("\"node\": \"culprit-qemu-"), "{text}");
    for format in ["html", "junit"] {
        let out = culprit(&repo, &["report", "--format", format]);
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            report.contains("· node culprit-qemu-"),
            "{format} report: {report}"
        );
    }
    let step = &labgrid["candidates"][0]["runs"];
    assert!(!step.as_array().unwrap().is_empty(), "{labgrid}");
    // The hunt let go of what it held.
    lab.assert_released("after the hunt");
}

/// Waits until a QEMU boots `repo`'s toyos on a place: a hunt holds a place then.
fn wait_for_a_boot(repo: &Path) {
    let booting = || !qemus_under(repo).is_empty();
    wait_for(
        "a QEMU booting on a place",
        Duration::from_secs(120),
        booting,
    );
}

#[test]
fn ctrl_c_leaves_no_place_locked_and_no_qemu_running() {
    let Some(lab) = lab() else { return };
    let (_dir, repo) = lab.qemu_toyos();
    let child = spawn_toyos_hunt(&repo, "labgrid");
    wait_for_a_boot(&repo);
    assert!(!lab.locked().is_empty(), "a boot runs on a locked place");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let out = child.wait_with_output().unwrap();
    common::assert_exit(&out, 130);
    assert_eq!(
        qemus_under(&repo),
        Vec::<i32>::new(),
        "QEMU outlived Ctrl-C"
    );
    lab.assert_released("after Ctrl-C");
}

#[test]
fn a_culprit_killed_with_sigkill_leaves_locks_that_the_next_command_ends() {
    let Some(lab) = lab() else { return };
    let (_dir, repo) = lab.qemu_toyos();
    let mut child = spawn_toyos_hunt(&repo, "labgrid");
    wait_for_a_boot(&repo);
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    // Its boots die with it (their supervisor powers them off), its locks stay.
    wait_for("QEMU to die with culprit", Duration::from_secs(20), || {
        qemus_under(&repo).is_empty()
    });
    let left = lab.locked();
    assert!(!left.is_empty(), "SIGKILL gave culprit no chance to unlock");
    // The next command ends them, even one that goes no further (three places asked
    // of a lab that has two).
    let out = culprit(
        &repo,
        &[
            "bisect",
            "--good",
            "v0.1",
            "--bad",
            "main",
            "-j",
            "3",
            "--executor",
            "labgrid",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unlocked labgrid place(s) "), "{stderr}");
    assert!(stderr.contains("-j 3 takes 3 labgrid places"), "{stderr}");
    for (place, _) in &left {
        assert!(stderr.contains(place.as_str()), "{stderr}");
    }
    lab.assert_released("after the next command");
}

#[test]
fn a_place_someone_else_holds_is_a_lab_fault_that_names_the_holder() {
    let Some(lab) = lab() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("toyos");
    let place = lab.places[0].clone();
    lab.toyos(
        dir.path(),
        &repo,
        &format!("place = \"{place}\"\nacquire_timeout = \"1s\""),
    );
    let other = "someone-else";
    assert!(lab
        .client(&["-p", &place, "acquire"], Some(other))
        .status
        .success());
    let out = culprit(
        &repo,
        &["bisect", "--good", "v0.1", "--bad", "main", "--json"],
    );
    assert!(lab
        .client(&["-p", &place, "release"], Some(other))
        .status
        .success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("infra-error; running it again"),
        "retried as a lab fault: {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "no labgrid place named {place} came free within 1s ({place} locked by "
        )),
        "{stderr}"
    );
    assert!(stderr.contains(other), "{stderr}");
    lab.assert_released("after a lab fault");
}

#[test]
fn bad_lab_settings_stop_the_hunt_before_any_step() {
    let Some(lab) = lab() else { return };
    let (_dir, repo) = lab.qemu_toyos();
    let toml = repo.join("culprit.toml");
    let good = std::fs::read_to_string(&toml).unwrap();
    let cases = [
        (
            (
                "environment = \"labgrid-env.yaml\"",
                "environment = \"no-such-env.yaml\"",
            ),
            vec![
                "the labgrid environment file",
                "no-such-env.yaml",
                "does not exist",
            ],
        ),
        (
            (
                "tags = { board = \"qemu-x86\" }",
                "tags = { board = \"no-such-board\" }",
            ),
            vec![
                "has no place with the tags board=no-such-board",
                "culprit-qemu-1 (board=qemu-x86",
            ],
        ),
        (
            (lab.coordinator.as_str(), "127.0.0.1:9"),
            vec![
                "cannot reach the labgrid coordinator at 127.0.0.1:9",
                "scripts/labgrid-lab start",
            ],
        ),
        (
            (
                "-kernel {tree}/build/kernel.elf",
                "-hda {tree}/build/disk.img",
            ),
            vec!["test `smp_semaphore`", "names no -kernel"],
        ),
    ];
    for ((from, to), said) in cases {
        std::fs::write(&toml, good.replace(from, to)).unwrap();
        let out = culprit(&repo, &common::TOYOS_HUNT);
        common::assert_case_refused(to, &out, &said);
        assert!(
            !repo.join(".culprit/sessions/1/step-1").exists(),
            "{to}: a step ran"
        );
    }
    assert_eq!(lab.locked(), vec![]);
}
