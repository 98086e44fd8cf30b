//! Hunts through the real one-node Slurm cluster (`scripts/slurm-cluster start`): the
//! same culprit as the local executor, a job cancelled from outside retried as an
//! infrastructure error, Ctrl-C leaving nothing queued or running, and the jobs of a
//! culprit killed outright cancelled by the next command.

mod common;

use common::{culprit, json, linear_repo, toml};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The cluster's node, or None (the test skips) when no cluster answers; with `CI` or
/// `CULPRIT_SLURM` set a missing cluster fails the test instead.
fn cluster() -> Option<String> {
    let out = Command::new("sinfo")
        .args(["--noheader", "--Node", "--format=%N %t"])
        .output();
    let node = out.ok().and_then(|out| {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut fields = text.split_whitespace();
        let node = fields.next()?.to_string();
        let state = fields.next()?;
        (out.status.success() && ["idle", "mix", "alloc"].contains(&state)).then_some(node)
    });
    if node.is_none() {
        let required =
            std::env::var_os("CI").is_some() || std::env::var_os("CULPRIT_SLURM").is_some();
        assert!(
            !required,
            "no Slurm cluster answers `sinfo` (CI or CULPRIT_SLURM is set, so this test must run); start one with `scripts/slurm-cluster start`"
        );
        eprintln!("skipped: no Slurm cluster (start one with `scripts/slurm-cluster start`)");
    }
    node
}

/// Jobs Slurm lists with `comment` (each test marks its jobs with one): (id, state).
fn jobs_with(comment: &str) -> Vec<(String, String)> {
    let out = Command::new("squeue")
        .args(["--noheader", "--format=%i %T %k"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (id, state) = (fields.next()?, fields.next()?);
            (fields.next() == Some(comment)).then(|| (id.to_string(), state.to_string()))
        })
        .collect()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "waited 120s for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

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

fn pids_in(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// 30 commits whose boot panics from commit 20 on. The first boot of each commit (a
/// flag file in `flags` tells) records its pid and that of a `sleep` child in `pids` and
/// then sleeps, so that a test can act on a running job; the second boot answers at
/// once. Every job carries `comment`.
fn sleepy_repo(repo: &Path, flags: &Path, pids: &Path, comment: &str) -> Vec<String> {
    let toml = format!(
        r#"[[test]]
name = "boot"
command = "n=$(cat n); f={flags}/$n; if [ ! -e $f ]; then touch $f; echo $$ >> {pids}; sleep 300 & echo $! >> {pids}; wait; fi; if [ $n -ge 20 ]; then echo 'Kernel panic - not syncing: bug'; else echo BOOT-OK; fi"
success = ["BOOT-OK"]
timeout = "200s"

[executor]
kind = "slurm"
options = ["--comment={comment}"]
"#,
        flags = flags.display(),
        pids = pids.display(),
    );
    std::fs::create_dir_all(repo).unwrap();
    linear_repo(repo, 30, &toml)
}

fn spawn_bisect(repo: &Path, good: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["bisect", "--good", good, "--bad", "main", "--verify", "0"])
        .args(["--endpoint-runs", "1", "--json"])
        .args(extra)
        .current_dir(repo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_hunt_through_slurm_names_the_same_culprit_as_the_local_executor() {
    let Some(node) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    // One repository each, so that the second hunt cannot reuse the first one's steps.
    let hunt = |executor: &str| {
        let repo = dir.path().join(executor);
        std::fs::create_dir(&repo).unwrap();
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
}

#[test]
fn the_toyos_hunt_through_slurm_with_two_workers_names_the_planted_commit() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("toyos");
    let out = culprit(
        dir.path(),
        &["demo", "--prepare-only", "--dir", repo.to_str().unwrap()],
    );
    let planted = json(&out);
    let out = culprit(
        &repo,
        &[
            "bisect",
            "--good",
            "v0.1",
            "--bad",
            "main",
            "-j",
            "2",
            "--executor",
            "slurm",
            "--json",
        ],
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["status"], "found");
    assert_eq!(doc["culprit"], planted["culprit"], "{doc}");
    assert_eq!(doc["target"]["smp_semaphore"], "hang at stage test");
}

#[test]
fn a_job_cancelled_from_outside_is_retried_as_an_infra_error() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (flags, pids) = (dir.path().join("flags"), dir.path().join("pids"));
    std::fs::create_dir(&flags).unwrap();
    let comment = format!("culprit-outside-cancel-{}", std::process::id());
    let ids = sleepy_repo(&dir.path().join("repo"), &flags, &pids, &comment);
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
    let child = spawn_bisect(&dir.path().join("repo"), &ids[0], &[]);
    let out = child.wait_with_output().unwrap();
    done.store(true, Ordering::SeqCst);
    let cancelled = outsider.join().unwrap();
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[19].as_str(), "{doc}");
    assert!(cancelled >= 2, "the outsider cancelled {cancelled} job(s)");
    let runs: Vec<&serde_json::Value> = doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["runs"].as_array().unwrap())
        .collect();
    let lost = runs
        .iter()
        .filter(|r| r["outcome"] == "infra-error")
        .count();
    assert!(lost >= 2, "{doc}");
    for candidate in doc["candidates"].as_array().unwrap() {
        let verdict = candidate["verdict"].as_str().unwrap();
        assert!(
            verdict.starts_with("good") || verdict.starts_with("bad"),
            "{verdict}"
        );
    }
}

#[test]
fn ctrl_c_leaves_no_job_queued_and_no_process_on_the_node() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (flags, pids) = (dir.path().join("flags"), dir.path().join("pids"));
    std::fs::create_dir(&flags).unwrap();
    let comment = format!("culprit-ctrl-c-{}", std::process::id());
    let ids = sleepy_repo(&dir.path().join("repo"), &flags, &pids, &comment);
    let child = spawn_bisect(&dir.path().join("repo"), &ids[0], &["-j", "2"]);
    wait_for("a sleeping job", || {
        pids_in(&pids).len() >= 2 && jobs_with(&comment).iter().any(|(_, s)| s == "RUNNING")
    });
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        jobs_with(&comment),
        vec![],
        "jobs left in squeue after Ctrl-C"
    );
    for pid in pids_in(&pids) {
        assert!(!alive(pid), "pid {pid} of a job outlived Ctrl-C");
    }
}

#[test]
fn the_jobs_of_a_culprit_killed_outright_are_cancelled_by_the_next_command() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let (flags, pids) = (dir.path().join("flags"), dir.path().join("pids"));
    std::fs::create_dir(&flags).unwrap();
    let comment = format!("culprit-sigkill-{}", std::process::id());
    let ids = sleepy_repo(&repo, &flags, &pids, &comment);
    let mut child = spawn_bisect(&repo, &ids[0], &[]);
    wait_for("a sleeping job", || {
        pids_in(&pids).len() >= 2 && jobs_with(&comment).iter().any(|(_, s)| s == "RUNNING")
    });
    // The machine culprit ran on goes away with everything on it: srun is frozen before
    // culprit is killed, so it can neither cancel the job nor hear culprit die.
    let srun = srun_children(child.id());
    assert!(!srun.is_empty());
    for &pid in &srun {
        killpg(Pid::from_raw(pid), Signal::SIGSTOP).unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = jobs_with(&comment);
    assert_eq!(
        left.len(),
        1,
        "the killed culprit's job still runs: {left:?}"
    );

    let out = culprit(&repo, &["bisect", "--resume", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for &pid in &srun {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
    assert!(
        stderr.contains(&format!(
            "cancelled Slurm job(s) {} that an earlier culprit left",
            left[0].0
        )),
        "{stderr}"
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[19].as_str());
    assert_eq!(jobs_with(&comment), vec![]);
    let again = culprit(
        &repo,
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "--verify", "0", "--json",
        ],
    );
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("cancelled Slurm job"),
        "the leftover was cancelled once, and the ledger knows it"
    );
}

/// The srun processes culprit `pid` started, each the leader of its process group.
fn srun_children(pid: u32) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let Some((name, rest)) = stat
            .split_once(" (")
            .and_then(|(_, r)| r.rsplit_once(')'))
            .map(|(n, r)| (n.to_string(), r.to_string()))
        else {
            continue;
        };
        let ppid: u32 = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        if name == "srun" && ppid == pid {
            found.push(child);
        }
    }
    found
}
