//! What the hunts through the real Slurm cluster share: finding the cluster, watching
//! its queue, and a history whose boots sleep so that a test can act on a running job.

use crate::common::linear_repo;
use std::path::Path;
use std::process::{Child, Command, Stdio};

// The cluster is found as culprit-exec's Slurm tests find it; its other helpers serve
// those tests only.
#[allow(dead_code)]
#[path = "../../../../culprit-exec/tests/exec/common/cluster.rs"]
mod exec_cluster;
pub use exec_cluster::cluster;

/// Jobs Slurm lists with `comment` (each test marks its jobs with one): (id, state).
pub fn jobs_with(comment: &str) -> Vec<(String, String)> {
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

pub fn pids_in(file: &Path) -> Vec<i32> {
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
pub fn sleepy_repo(repo: &Path, flags: &Path, pids: &Path, comment: &str) -> Vec<String> {
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

pub fn spawn_bisect(repo: &Path, good: &str, extra: &[&str]) -> Child {
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
