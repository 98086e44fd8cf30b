//! What the hunts through the real Slurm cluster share: finding the cluster, watching
//! its queue, and a history whose boots sleep so that a test can act on a running job.

use crate::common::{boot_test, linear_repo, numbers_in, quick_bisect};
use std::path::{Path, PathBuf};
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

/// A history of [`sleepy_repo`]'s in `dir/repo`, hunted by one test: where its boots
/// leave their flags and pids, and the comment that marks its jobs.
pub struct Sleepy {
    pub repo: PathBuf,
    pub ids: Vec<String>,
    pub flags: PathBuf,
    pub pids: PathBuf,
    pub comment: String,
}

impl Sleepy {
    /// The sleepy history in `dir`, its jobs marked `culprit-{name}-{this process}` so
    /// that two runs of the tests never see each other's jobs.
    pub fn new(dir: &Path, name: &str) -> Sleepy {
        let (flags, pids) = (dir.join("flags"), dir.join("pids"));
        std::fs::create_dir(&flags).unwrap();
        let comment = format!("culprit-{name}-{}", std::process::id());
        let repo = dir.join("repo");
        let ids = sleepy_repo(&repo, &flags, &pids, &comment);
        Sleepy {
            repo,
            ids,
            flags,
            pids,
            comment,
        }
    }

    /// The pids the sleeping boots wrote so far.
    pub fn pids(&self) -> Vec<i32> {
        numbers_in(&self.pids)
    }
}

/// 30 commits whose boot panics from commit 20 on. The first boot of each commit (a
/// flag file in `flags` tells) records its pid and that of a `sleep` child in `pids` and
/// then sleeps, so that a test can act on a running job; the second boot answers at
/// once. Every job carries `comment`.
fn sleepy_repo(repo: &Path, flags: &Path, pids: &Path, comment: &str) -> Vec<String> {
    let boot = format!(
        "n=$(cat n); f={flags}/$n; if [ ! -e $f ]; then touch $f; echo $$ >> {pids}; sleep 300 & echo $! >> {pids}; wait; fi; if [ $n -ge 20 ]; then echo 'Kernel panic - not syncing: bug'; else echo BOOT-OK; fi",
        flags = flags.display(),
        pids = pids.display(),
    );
    let boot = boot_test("boot", &boot, "timeout = \"200s\"\n");
    let toml =
        format!("{boot}\n[executor]\nkind = \"slurm\"\noptions = [\"--comment={comment}\"]\n");
    std::fs::create_dir_all(repo).unwrap();
    linear_repo(repo, 30, &toml)
}

/// `culprit bisect` of the fewest steps from `good` to `main`, then `extra`, in the
/// background, its output piped.
pub fn spawn_bisect(repo: &Path, good: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(quick_bisect(good))
        .arg("--json")
        .args(extra)
        .current_dir(repo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}
