//! The local executor: a pool of workers, each with its own git worktree, running steps
//! in parallel.
//!
//! Each worker keeps its worktree between steps (checking out the next commit is much
//! cheaper than creating a worktree), and results are handed back one by one as they
//! finish so the journal records each step the moment it is done.

use crate::config::{Config, SHAPE_RUN};
use crate::error::{Context, Result};
use crate::observe::{Event, Observer, WorkerActivity};
use crate::step::{run_step, ArtifactCache, StepContext, StepResult};
use crate::target::Target;
use crate::workspace::Worktree;
use culprit_exec::git::Repo;
use culprit_exec::StopFlag;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

/// How a worker's tree is made ready for a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prepare {
    /// Check out this commit (and clean every build product).
    Checkout(String),
    /// Check out `base`, then revert `commit` on top of it.
    Revert { base: String, commit: String },
    /// Use the working tree as it is.
    InPlace,
}

/// One step to run: how to prepare the tree, and what to run in it.
#[derive(Clone, Debug)]
pub struct Job {
    pub prepare: Prepare,
    pub seq: i64,
    pub logs: PathBuf,
    /// Names of the tests to run (all when empty).
    pub tests: Vec<String>,
    pub placeholders: Vec<(&'static str, String)>,
    pub stop_at: BTreeMap<String, Target>,
    pub config_text: Option<String>,
    /// How the candidate is named on the live display.
    pub label: String,
    pub artifact_cache: Option<Arc<ArtifactCache>>,
}

pub struct Executor {
    repo: Option<Repo>,
    worktrees: Vec<Worktree>,
    root: PathBuf,
}

impl Executor {
    /// A pool of `workers` worktrees under `dir`, or a single in-place worker when
    /// there is no repository to check out from.
    pub fn new(repo: Option<&Repo>, root: &Path, dir: &Path, workers: usize) -> Result<Executor> {
        let mut worktrees = Vec::new();
        if let Some(repo) = repo {
            let head = repo.resolve("HEAD")?;
            for i in 0..workers.max(1) {
                worktrees.push(Worktree::add(repo, dir.join(format!("w{i}")), &head)?);
            }
        }
        Ok(Executor {
            repo: repo.cloned(),
            worktrees,
            root: root.to_path_buf(),
        })
    }

    pub fn workers(&self) -> usize {
        self.worktrees.len().max(1)
    }

    /// Runs up to `workers()` jobs at once; `done` sees each result as it finishes.
    pub fn run_batch(
        &self,
        config: &Config,
        jobs: Vec<Job>,
        stop: &StopFlag,
        observer: &Arc<dyn Observer>,
        mut done: impl FnMut(&Job, Result<StepResult>) -> Result<()>,
    ) -> Result<()> {
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|scope| -> Result<()> {
            for (i, job) in jobs.iter().enumerate() {
                let tx = tx.clone();
                let checkout = self
                    .worktrees
                    .get(i % self.workers())
                    .map(|w| w.path.clone());
                let worker = i % self.workers();
                let activity = WorkerActivity::new(observer.clone(), worker);
                scope.spawn(move || {
                    let started = std::time::Instant::now();
                    observer.event(Event::StepStarted {
                        worker,
                        label: &job.label,
                    });
                    let result = self.run_job(config, job, checkout.as_deref(), stop, activity);
                    observer.event(Event::StepFinished {
                        worker,
                        seconds: started.elapsed().as_secs_f64(),
                    });
                    let _ = tx.send((i, result));
                });
            }
            drop(tx);
            for (i, result) in rx {
                done(&jobs[i], result)?;
            }
            Ok(())
        })
    }

    fn run_job(
        &self,
        config: &Config,
        job: &Job,
        checkout: Option<&Path>,
        stop: &StopFlag,
        activity: WorkerActivity,
    ) -> Result<StepResult> {
        activity.set(format!("checking out {}", job.label));
        let checkout = match (checkout, &job.prepare, &self.repo) {
            (Some(path), Prepare::Checkout(commit), Some(repo)) => {
                repo.checkout_worktree(path, commit)
                    .with_context(|| format!("cannot check out {commit}"))?;
                path.to_path_buf()
            }
            (Some(path), Prepare::Revert { base, commit }, Some(repo)) => {
                repo.checkout_worktree(path, base)
                    .with_context(|| format!("cannot check out {base}"))?;
                repo.revert_in_worktree(path, commit)?;
                path.to_path_buf()
            }
            _ => self.root.clone(),
        };
        let tree = config.tree_in(&checkout);
        std::fs::create_dir_all(&job.logs)
            .with_context(|| format!("cannot create {}", job.logs.display()))?;
        let tests: Vec<_> = job
            .tests
            .iter()
            .filter_map(|name| config.test(name))
            .collect();
        let shapes_wanted = job.tests.iter().any(|name| name == SHAPE_RUN);
        let ctx = StepContext {
            config,
            tree: &tree,
            logs: &job.logs,
            stop,
            placeholders: job.placeholders.clone(),
            stop_at: job.stop_at.clone(),
            config_text: job.config_text.clone(),
            activity,
            label: job.label.clone(),
            shapes_wanted,
            artifact_cache: job.artifact_cache.clone(),
        };
        run_step(
            &ctx,
            if job.tests.is_empty() {
                None
            } else {
                Some(&tests)
            },
        )
    }
}
