//! Finding the real Slurm cluster the Slurm tests run on, and watching its queue.

use std::process::Command;
use std::time::Duration;

/// Node states in which the node takes jobs: free, partly or wholly allocated, or
/// finishing a job (`comp`: the tests run in parallel, so another test's job may be ending
/// at this moment).
const SERVING: [&str; 4] = ["idle", "mix", "alloc", "comp"];
/// How long a node may take to come back to a serving state (slurmd answering again after
/// a job was killed) before the cluster counts as absent.
const SETTLE: Duration = Duration::from_secs(30);

/// The node of the cluster `scripts/slurm-cluster start` runs, or None (the test then
/// skips) when there is none. With `CI` or `CULPRIT_SLURM` set the cluster must be
/// there: the test fails instead, saying what `sinfo` answered last.
pub fn cluster() -> Option<String> {
    let started = std::time::Instant::now();
    let mut last = String::new();
    let node = loop {
        let answer = Command::new("sinfo")
            .args(["--noheader", "--Node", "--format=%N %t"])
            .output();
        let Ok(out) = answer else {
            last = "sinfo is not installed".into();
            break None;
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut fields = text.split_whitespace();
        let serving = match (fields.next(), fields.next()) {
            (Some(node), Some(state)) if out.status.success() && SERVING.contains(&state) => {
                Some(node.to_string())
            }
            _ => None,
        };
        if serving.is_some() {
            break serving;
        }
        last = format!(
            "{}{}",
            text.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        if started.elapsed() > SETTLE {
            break None;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    if node.is_none() {
        let required =
            std::env::var_os("CI").is_some() || std::env::var_os("CULPRIT_SLURM").is_some();
        assert!(
            !required,
            "no Slurm cluster answers `sinfo` with a node that takes jobs (CI or CULPRIT_SLURM is set, so this test must run); sinfo said: {last:?}; start one with `scripts/slurm-cluster start`"
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
