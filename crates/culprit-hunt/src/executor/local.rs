//! The local executor's steps: a pool of git worktrees on this machine.
//!
//! Each worker keeps its worktree and its build directory (`{build}`) between steps and
//! sessions: checking out the next commit is much cheaper than creating a worktree, and
//! an out-of-tree kernel build after a small change is incremental.

use super::{Job, StepRunner, Trees};
use crate::error::Result;
use crate::launcher::LocalLauncher;
use crate::manifest::Manifest;
use crate::observe::WorkerActivity;
use crate::record::Place;
use crate::record::StepResult;
use crate::workspace::Workspace;
use culprit_exec::git::Repo;
use culprit_exec::StopFlag;
use std::sync::Arc;

pub struct LocalRunner {
    config: Arc<Manifest>,
    trees: Trees,
    stop: StopFlag,
}

impl LocalRunner {
    /// The workspace's `workers` worktrees (reused when an earlier session left them),
    /// or a single in-place worker when there is no repository to check out from.
    pub fn new(
        ws: &Workspace,
        repo: Option<&Repo>,
        workers: usize,
        stop: StopFlag,
    ) -> Result<LocalRunner> {
        let trees = Trees::claim(ws, repo, workers)?;
        Ok(LocalRunner {
            config: Arc::new(ws.manifest.clone()),
            trees,
            stop,
        })
    }
}

impl StepRunner for LocalRunner {
    fn workers(&self) -> usize {
        self.trees.workers()
    }

    fn run(&self, worker: usize, job: &Job, activity: WorkerActivity) -> Result<StepResult> {
        let mut result = self.trees.run(
            &self.config,
            worker,
            job,
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
