//! Finding the real Slurm cluster the Slurm tests run on, and watching its queue.

use std::process::Command;
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

/// Does `act` on a thread of its own half a second after the job `name` starts to run.
pub fn once_running(
    name: &str,
    act: impl FnOnce() + Send + 'static,
) -> std::thread::JoinHandle<()> {
    let name = name.to_string();
    std::thread::spawn(move || {
        wait_running(&name);
        std::thread::sleep(Duration::from_millis(500));
        act()
    })
}
