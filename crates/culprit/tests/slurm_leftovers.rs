//! The jobs of a culprit killed outright (SIGKILL) are cancelled by the next command.
//! A test binary of its own: it makes the test process a child subreaper, so that the
//! frozen srun of the killed culprit is not in an orphaned process group (which the
//! kernel would wake with SIGHUP and SIGCONT), and that is a property of the process.

mod common;
mod slurm_cluster;

use common::{culprit, json};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use slurm_cluster::{cluster, jobs_with, pids_in, sleepy_repo, spawn_bisect, wait_for};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
#[ignore = "since every command runs below culprit's subreaper supervisor, freezing srun no \
            longer simulates a dead machine: the test needs a new way to leave a job behind"]
fn the_jobs_of_a_culprit_killed_outright_are_cancelled_by_the_next_command() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let (flags, pids) = (dir.path().join("flags"), dir.path().join("pids"));
    std::fs::create_dir(&flags).unwrap();
    let comment = format!("culprit-sigkill-{}", std::process::id());
    let ids = sleepy_repo(&repo, &flags, &pids, &comment);
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    let mut child = spawn_bisect(&repo, &ids[0], &[]);
    wait_for("a sleeping job", || {
        pids_in(&pids).len() >= 2 && jobs_with(&comment).iter().any(|(_, s)| s == "RUNNING")
    });
    // The machine culprit ran on goes away with everything on it: srun is frozen before
    // culprit is killed, so it can neither cancel the job nor hear culprit die.
    let srun = srun_children(child.id());
    assert!(!srun.is_empty());
    for &pid in &srun {
        let group = nix::unistd::getpgid(Some(Pid::from_raw(pid))).unwrap();
        killpg(group, Signal::SIGSTOP).unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let left = jobs_with(&comment);
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
        .current_dir(&repo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Only a cancellation makes the job complete while its srun is frozen; the frozen
    // srun then holds it in COMPLETING until it goes too, as a dead machine's would.
    wait_for("the next culprit to cancel the job", || {
        jobs_with(&comment) != left
    });
    for &pid in &srun {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
    let out = next.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
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
    let mut parents = Vec::new();
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
        let ppid: i32 = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        parents.push((child, ppid, name));
    }
    // srun runs below culprit's supervisor, so it is a descendant, not a child.
    let mut below = vec![pid as i32];
    let mut found = Vec::new();
    while let Some(parent) = below.pop() {
        for (child, _, name) in parents.iter().filter(|(_, ppid, _)| *ppid == parent) {
            below.push(*child);
            if name == "srun" {
                found.push(*child);
            }
        }
    }
    found
}
