//! The jobs of a culprit killed outright (SIGKILL) are cancelled by the next command.
//! A test binary of its own: it makes the test process a child subreaper, so that the
//! frozen processes of the killed culprit are its orphans, not PID 1's, until it kills
//! them too, and that is a property of the process.

// The cli binary's helpers; this binary uses a few of them.
#[path = "cli/common/mod.rs"]
#[allow(dead_code)]
mod common;
#[path = "cli/slurm_cluster/mod.rs"]
#[allow(dead_code)]
mod slurm_cluster;

use common::{culprit, json, wait_for};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use slurm_cluster::{cluster, jobs_with, spawn_bisect, Sleepy};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn the_jobs_of_a_culprit_killed_outright_are_cancelled_by_the_next_command() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sleepy = Sleepy::new(dir.path(), "sigkill");
    let (repo, ids, flags, comment) = (&sleepy.repo, &sleepy.ids, &sleepy.flags, &sleepy.comment);
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    let mut child = spawn_bisect(repo, &ids[0], &[]);
    wait_for("a sleeping job", Duration::from_secs(120), || {
        sleepy.pids().len() >= 2 && jobs_with(comment).iter().any(|(_, s)| s == "RUNNING")
    });
    // The machine culprit ran on goes away with everything on it: culprit's supervisors
    // and sruns are frozen before culprit is killed, so none of them can cancel the job
    // or hear culprit die, and then they are killed too, as a power cut would.
    let below = descendants(child.id());
    assert!(
        below.iter().any(|(_, name)| name == "srun"),
        "srun runs below culprit: {below:?}"
    );
    for &(pid, _) in &below {
        let _ = kill(Pid::from_raw(pid), Signal::SIGSTOP);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for &(pid, _) in &below {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    reap_orphans();
    std::thread::sleep(Duration::from_secs(2));
    let left = jobs_with(comment);
    assert_eq!(
        left,
        vec![(left[0].0.clone(), "RUNNING".to_string())],
        "the killed culprit's job still runs"
    );

    // From now on no boot sleeps.
    for n in 1..=30 {
        std::fs::write(flags.join(n.to_string()), "").unwrap();
    }
    let next = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["bisect", "--resume", "--json"])
        .current_dir(repo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = next.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Named by whichever record ends it first: the running command's (`ended … Slurm
    // job ID (NAME) …`) or the journal's ledger (`cancelled Slurm job(s) ID …`).
    let job = &left[0].0;
    assert!(
        stderr.contains(&format!(
            "cancelled Slurm job(s) {job} that an earlier culprit left"
        )) || stderr
            .lines()
            .any(|l| l.contains(&format!("Slurm job {job} ("))
                && l.contains("left running by an earlier culprit")),
        "{stderr}"
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[19].as_str());
    assert_eq!(jobs_with(comment), vec![]);
    let again = culprit(
        repo,
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "--verify", "0", "--json",
        ],
    );
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("cancelled Slurm job"),
        "the leftover was cancelled once, and the ledger knows it"
    );
}

/// Every process below `pid`, with its command name: culprit's supervisors, srun and
/// whatever they started.
fn descendants(pid: u32) -> Vec<(i32, String)> {
    let mut table = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(process) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{process}/stat")) else {
            continue;
        };
        let Some((name, rest)) = stat
            .split_once(" (")
            .and_then(|(_, r)| r.rsplit_once(')'))
            .map(|(n, r)| (n.to_string(), r.to_string()))
        else {
            continue;
        };
        let ppid: i32 = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        table.push((process, ppid, name));
    }
    let mut parents = vec![pid as i32];
    let mut found = Vec::new();
    while let Some(parent) = parents.pop() {
        for (process, _, name) in table.iter().filter(|(_, ppid, _)| *ppid == parent) {
            parents.push(*process);
            found.push((*process, name.clone()));
        }
    }
    found
}

/// Collects the killed processes that became this subreaper's children.
fn reap_orphans() {
    while let Ok(status) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
        if status == WaitStatus::StillAlive {
            break;
        }
    }
}
