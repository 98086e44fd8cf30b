//! The local executor's steps: a pool of git worktrees on this machine.
//!
//! Each worker keeps its worktree between steps (checking out the next commit is much
//! cheaper than creating a worktree).

use super::{add_worktrees, ready_checkout, run_job_in, Job, LocalLauncher, Place, StepRunner};
use crate::config::Config;
use crate::error::Result;
use crate::observe::WorkerActivity;
use crate::step::StepResult;
use crate::workspace::Worktree;
use culprit_exec::git::Repo;
use culprit_exec::StopFlag;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct LocalRunner {
    config: Arc<Config>,
    repo: Option<Repo>,
    worktrees: Vec<Worktree>,
    root: PathBuf,
    stop: StopFlag,
}

impl LocalRunner {
    /// `workers` worktrees under `dir`, or a single in-place worker when there is no
    /// repository to check out from.
    pub fn new(
        config: Arc<Config>,
        repo: Option<&Repo>,
        root: &Path,
        dir: &Path,
        workers: usize,
        stop: StopFlag,
    ) -> Result<LocalRunner> {
        let worktrees = add_worktrees(repo, dir, workers)?;
        Ok(LocalRunner {
            config,
            repo: repo.cloned(),
            worktrees,
            root: root.to_path_buf(),
            stop,
        })
    }
}

impl StepRunner for LocalRunner {
    fn workers(&self) -> usize {
        self.worktrees.len().max(1)
    }

    fn run(&self, worker: usize, job: &Job, activity: WorkerActivity) -> Result<StepResult> {
        activity.set(format!("checking out {}", job.label));
        let checkout =
            ready_checkout(&self.worktrees, self.repo.as_ref(), &self.root, worker, job)?;
        let mut result = run_job_in(
            &self.config,
            job,
            &checkout,
            &self.stop,
            activity,
            &LocalLauncher,
        )?;
        result.place = Some(Place {
            executor: "local".into(),
            worker,
            node: None,
            job: None,
        });
        Ok(result)
    }
}
