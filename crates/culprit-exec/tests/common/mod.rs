//! What the tests against the real Slurm cluster share: finding it, and a spec.

use culprit_console::Rules;
use culprit_exec::{RunSpec, StopFlag};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// The node of the cluster `scripts/slurm-cluster start` runs, or None (the test then
/// skips) when there is none. With `CI` or `CULPRIT_SLURM` set the cluster must be
/// there: the test fails instead.
pub fn cluster() -> Option<String> {
    let answer = Command::new("sinfo")
        .args(["--noheader", "--Node", "--format=%N %t"])
        .output();
    let node = answer.ok().and_then(|out| {
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

pub fn spec(dir: &tempfile::TempDir, command: &str, wall: u64, silence: Option<u64>) -> RunSpec {
    RunSpec {
        command: command.to_string(),
        cwd: dir.path().to_path_buf(),
        env: Vec::new(),
        wall_timeout: Duration::from_secs(wall),
        silence_timeout: silence.map(Duration::from_secs),
        log_path: dir.path().join("run.log"),
    }
}

pub fn boot_rules(success: &[&str]) -> Rules {
    let mut rules = Rules::boot();
    rules.success = success.iter().map(|s| s.to_string()).collect();
    rules
}

pub fn no_stop() -> StopFlag {
    Arc::new(AtomicBool::new(false))
}

/// Waits until Slurm lists the job `name` as running, and returns its id.
pub fn wait_running(name: &str) -> u64 {
    for _ in 0..300 {
        let live = culprit_exec::slurm::live_jobs(&[name.to_string()]).unwrap();
        if let Some(job) = live.iter().find(|j| j.state == "RUNNING") {
            return job.id;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("job {name} did not start within 30s");
}
