//! A node that fails under a running job: the run is lost, never blamed, although srun
//! itself exits 0. A test binary of its own because it takes the cluster's only node
//! down for a moment, which would fail the jobs of tests running beside it; for the same
//! reason it runs only where the cluster is the run's own (`CI` or `CULPRIT_SLURM` set,
//! as `.ci/run` does), never against a cluster other test runs share.

// The exec binary's helpers; this binary uses a few of them.
#[path = "exec/common/mod.rs"]
#[allow(dead_code)]
mod common;

use crate::common::cluster;
use crate::common::job;
use crate::common::run as fixture;

use cluster::{cluster, once_running};
use culprit_exec::slurm::unique_job_name;
use fixture::{no_stop, spec};
use job::{lost_reason, run_watched};
use std::process::Command;
use std::time::Duration;

fn scontrol_update(node: &str, state: &str) -> bool {
    Command::new("scontrol")
        .args([
            "update",
            &format!("NodeName={node}"),
            &format!("State={state}"),
        ])
        .arg("Reason=culprit node failure test")
        .status()
        .unwrap()
        .success()
}

/// Brings the node back after the test, whether it passed or not.
struct Revive(String);

impl Drop for Revive {
    fn drop(&mut self) {
        for _ in 0..300 {
            let out = Command::new("sinfo")
                .args(["--noheader", "--Node", "--format=%t"])
                .output()
                .unwrap();
            let state = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if state == "idle" {
                return;
            }
            if state.starts_with("down") || state.starts_with("drain") {
                scontrol_update(&self.0, "RESUME");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("node {} did not come back to idle", self.0);
    }
}

#[test]
fn a_node_failure_is_a_lost_run() {
    let Some(node) = cluster() else { return };
    if std::env::var_os("CI").is_none() && std::env::var_os("CULPRIT_SLURM").is_none() {
        eprintln!(
            "skipped: takes the shared node down; runs with CI or CULPRIT_SLURM set (.ci/run)"
        );
        return;
    }
    let _revive = Revive(node.clone());
    let dir = tempfile::tempdir().unwrap();
    let s = spec(&dir, "echo 'Linux version 6.1'; sleep 120", 60, None);
    let name = unique_job_name("culprit-test");
    let down = node.clone();
    let failer = once_running(&name, move || assert!(scontrol_update(&down, "DOWN")));
    let report = run_watched(&s, &name, &no_stop());
    failer.join().unwrap();
    // srun says it twice, in either order: its own "Node failure" error and the step's
    // "CANCELLED ... DUE TO NODE FAILURE" line; the first one read is the reason.
    let reason = lost_reason(&report);
    let step_cancelled = reason.starts_with("Slurm cancelled job ")
        && reason.ends_with(&format!(" on {node} due to node failure"));
    assert!(
        reason == format!("node {node} failed while it ran the job") || step_cancelled,
        "{reason}"
    );
}
