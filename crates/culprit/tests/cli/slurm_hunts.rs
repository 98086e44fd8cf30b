//! Hunts through the real one-node Slurm cluster (`scripts/slurm-cluster start`): the
//! same culprit as the local executor, a job cancelled from outside retried as an
//! infrastructure error, Ctrl-C leaving nothing queued or running.

use crate::common;
use crate::slurm_cluster;

use common::{culprit, json, linear_repo, toml, wait_for};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use slurm_cluster::{cluster, jobs_with, spawn_bisect, Sleepy};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[test]
fn a_hunt_through_slurm_names_the_same_culprit_as_the_local_executor() {
    let Some(node) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    // One repository each, so that the second hunt cannot reuse the first one's steps.
    let hunt = |executor: &str| {
        let repo = common::new_dir(dir.path(), executor);
        let log = dir.path().join(format!("{executor}-boots.log"));
        let ids = linear_repo(&repo, 60, &toml(41, (20, 26), (10, 13), &log));
        let out = culprit(
            &repo,
            &[
                "bisect",
                "--good",
                &ids[0],
                "--bad",
                "main",
                "-j",
                "2",
                "--executor",
                executor,
                "--json",
            ],
        );
        let doc = json(&out);
        assert_eq!(out.status.code(), Some(0), "{executor}: {doc}");
        assert_eq!(doc["culprit"], ids[40].as_str(), "{executor}: {doc}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let on_a_node = stderr.contains(&format!("(on worker 1 · node {node} · job "));
        assert_eq!(on_a_node, executor == "slurm", "the live display: {stderr}");
        // Each candidate as its commit number, with its verdict.
        let mut verdicts: Vec<(usize, String)> = doc["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let n = ids.iter().position(|id| c["rev"] == id.as_str()).unwrap() + 1;
                (n, c["verdict"].as_str().unwrap().to_string())
            })
            .collect();
        verdicts.sort();
        (repo, doc, verdicts)
    };
    let (_, local, local_verdicts) = hunt("local");
    let (repo, slurm, slurm_verdicts) = hunt("slurm");
    assert_eq!(slurm["commit"]["subject"], local["commit"]["subject"]);
    assert_eq!(slurm["target"], local["target"]);
    // Each commit both hunts tried got the same verdict.
    for (n, verdict) in &slurm_verdicts {
        if let Some((_, seen)) = local_verdicts.iter().find(|(m, _)| m == n) {
            assert_eq!(verdict, seen, "commit {n}");
        }
    }
    // Where each step ran is kept: the node and the job ids.
    let out = culprit(&repo, &["log"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("node {node} · job ")), "{text}");
    assert!(text.contains("worker 2 · node"), "{text}");
    for format in ["html", "junit"] {
        let out = culprit(&repo, &["report", "--format", format]);
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            report.contains(&format!("node {node} · job ")),
            "{format} report: {report}"
        );
    }
}

#[test]
fn the_toyos_hunt_through_slurm_with_two_workers_names_the_planted_commit() {
    let Some(_) = cluster() else { return };
    let (_dir, repo, planted) = common::toyos_history(&[]);
    let doc = common::toyos_hunt_ok(&repo, &["--executor", "slurm"]);
    assert_eq!(doc["status"], "found");
    assert_eq!(doc["culprit"], planted["culprit"], "{doc}");
    assert_eq!(doc["target"]["smp_semaphore"], "hang at stage test");
}

#[test]
fn a_job_cancelled_from_outside_is_retried_as_an_infra_error() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sleepy = Sleepy::new(dir.path(), "outside-cancel");
    let (ids, comment, flags) = (&sleepy.ids, &sleepy.comment, &sleepy.flags);
    let done = Arc::new(AtomicBool::new(false));
    // Someone else's scancel: every job that sleeps is cancelled once it runs.
    let outsider = {
        let (done, comment, flags) = (done.clone(), comment.clone(), flags.clone());
        std::thread::spawn(move || {
            let mut handled = 0;
            let mut cancelled = 0;
            while !done.load(Ordering::SeqCst) {
                let sleeping = std::fs::read_dir(&flags).unwrap().count();
                if sleeping > handled {
                    for (id, state) in jobs_with(&comment) {
                        if state == "RUNNING" {
                            Command::new("scancel").arg(&id).status().unwrap();
                            cancelled += 1;
                            handled = sleeping;
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            cancelled
        })
    };
    let child = spawn_bisect(&sleepy.repo, &ids[0], &[]);
    let out = child.wait_with_output().unwrap();
    done.store(true, Ordering::SeqCst);
    let cancelled = outsider.join().unwrap();
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[19].as_str(), "{doc}");
    assert!(cancelled >= 2, "the outsider cancelled {cancelled} job(s)");
    assert!(common::infra_errors(&doc) >= 2, "{doc}");
}

#[test]
fn ctrl_c_leaves_no_job_queued_and_no_process_on_the_node() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sleepy = Sleepy::new(dir.path(), "ctrl-c");
    let comment = &sleepy.comment;
    let child = spawn_bisect(&sleepy.repo, &sleepy.ids[0], &["-j", "2"]);
    wait_for("a sleeping job", Duration::from_secs(120), || {
        sleepy.pids().len() >= 2 && jobs_with(comment).iter().any(|(_, s)| s == "RUNNING")
    });
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let out = child.wait_with_output().unwrap();
    common::assert_exit(&out, 130);
    assert_eq!(
        jobs_with(comment),
        vec![],
        "jobs left in squeue after Ctrl-C"
    );
    for pid in sleepy.pids() {
        assert!(!alive(pid), "pid {pid} of a job outlived Ctrl-C");
    }
}

#[test]
fn a_partition_slurm_does_not_know_stops_the_hunt_before_any_step() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("boots.log");
    let text = format!(
        "{}\n[executor]\nkind = \"slurm\"\npartition = \"no-such-partition\"\n",
        toml(3, (0, 0), (0, 0), &log)
    );
    let ids = linear_repo(dir.path(), 5, &text);
    let out = culprit(dir.path(), &["bisect", "--good", &ids[0], "--bad", "main"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Slurm cannot run culprit's jobs") && stderr.contains("no-such-partition"),
        "{stderr}"
    );
    assert!(!log.exists(), "no step ran");
}

/// The worktrees must be on a filesystem the nodes mount at the same path. Here the
/// repository lives on a tmpfs mounted only in culprit's own mount namespace, so the
/// node (slurmd, in the machine's namespace) sees an empty directory where culprit sees
/// the tree: the shared-path check refuses before any step, saying what to do.
#[test]
fn a_tree_the_nodes_cannot_see_is_refused_before_any_step() {
    let Some(_) = cluster() else { return };
    let private_mounts = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !private_mounts {
        assert!(
            std::env::var_os("CULPRIT_SLURM").is_none(),
            "CULPRIT_SLURM is set but `unshare --mount` is not permitted: run the Slurm tests as root"
        );
        eprintln!("skipped: `unshare --mount` needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = common::new_dir(dir.path(), "source");
    let log = dir.path().join("boots.log");
    let text = format!(
        "{}\n[executor]\nkind = \"slurm\"\n",
        toml(3, (0, 0), (0, 0), &log)
    );
    let ids = linear_repo(&source, 5, &text);
    let hidden = common::new_dir(dir.path(), "hidden");
    let script = "mount -t tmpfs culprit-private \"$1\" && cp -a \"$2/.\" \"$1/\" && cd \"$1\" && \
                  exec \"$3\" bisect --good \"$4\" --bad main";
    let out = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(&hidden)
        .arg(&source)
        .arg(env!("CARGO_BIN_EXE_culprit"))
        .arg(&ids[0])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("needs the worktrees on a filesystem every node mounts at the same path")
            && stderr.contains(&hidden.display().to_string())
            && stderr.contains("use the local executor"),
        "{stderr}"
    );
    assert!(!log.exists(), "no step ran");
    assert!(
        std::fs::read_dir(&hidden).unwrap().next().is_none(),
        "the tmpfs was culprit's alone"
    );
}

/// A configuration hunt runs through Slurm as a commit hunt does: the same answer as
/// the local executor gives on toyos, and every step names its node and job on the
/// live display, in `culprit log` and in the reports.
#[test]
fn a_config_hunt_through_slurm_names_the_option_and_where_each_build_ran() {
    let Some(node) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (repo, good, bad) = common::toyos_config_pair(
        dir.path(),
        &["SPINLOCK_VALIDATE", "PRINT_BUILD_INFO"],
        &["LOG_TIMESTAMPS"],
    );
    let (doc, stderr) = common::json_ok(
        &repo,
        &common::bisect_config_args(
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            &["-j", "2", "--executor", "slurm", "--json"],
        ),
    );
    assert_eq!(
        common::culprit_sets(&doc),
        vec![(
            "smp_semaphore".to_string(),
            vec!["CONFIG_SPINLOCK_VALIDATE".to_string()]
        )],
        "{doc}"
    );
    let place = format!("node {node} · job ");
    assert!(stderr.contains(&place), "the live display: {stderr}");
    let text = |args: &[&str]| {
        let out = culprit(&repo, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(text(&["log"]).contains(&place), "culprit log");
    for format in ["html", "junit"] {
        let report = text(&["report", "--format", format]);
        assert!(report.contains(&place), "{format} report: {report}");
    }
}
