//! The local executor's steps: a pool of git worktrees on this machine.
//!
//! Each worker keeps its worktree and its build directory (`{build}`) between steps and
//! sessions: checking out the next commit is much cheaper than creating a worktree, and
//! an out-of-tree kernel build after a small change is incremental.

use super::runner::{Opening, Site};
use super::Trees;
use crate::error::Result;
use crate::launcher::LocalLauncher;
use crate::observe::WorkerActivity;
use crate::record::Place;

/// This machine: every command a child of culprit.
pub(crate) struct Local;

impl Site for Local {
    type Step<'a> = LocalLauncher;

    fn open(opening: &Opening<'_>) -> Result<(Local, Trees)> {
        Ok((Local, opening.claim()?))
    }

    fn step(&self, _: usize, _: WorkerActivity) -> LocalLauncher {
        LocalLauncher
    }

    fn place(&self, worker: usize, _: &LocalLauncher) -> Place {
        Place {
            executor: "local".into(),
            worker,
            node: None,
            job: None,
        }
    }
}
