//! The skeleton every executor of real commands shares: the workers' trees, made ready
//! for each step, the step run in them, and where it ran. What tells the executors
//! apart is their [`Site`]: what it checks before any step, how one step's commands are
//! started (its [`Launcher`]) and how the step's place is named.

use super::{Job, StepRunner, Trees};
use crate::error::Result;
use crate::launcher::Launcher;
use crate::manifest::Manifest;
use crate::observe::WorkerActivity;
use crate::record::{Place, StepResult};
use crate::workspace::Workspace;
use culprit_exec::git::Repo;
use culprit_exec::StopFlag;
use std::sync::Arc;

/// Where an executor's steps run: this machine, a cluster, a board lab.
pub(crate) trait Site: Sized + Send + Sync + 'static {
    /// What starts one step's commands, and keeps what the step's place is made of.
    type Step<'a>: Launcher
    where
        Self: 'a;

    /// Checks everything the site needs before any step, and claims the workers' trees
    /// when it needs them or has checked what it can without them (a set-up fault is
    /// said before any worktree is made).
    fn open(opening: &Opening<'_>) -> Result<(Self, Trees)>;

    /// What starts the commands of worker `worker`'s next step.
    fn step(&self, worker: usize, activity: WorkerActivity) -> Self::Step<'_>;

    /// Where worker `worker`'s step ran, once `step` has started its commands.
    fn place(&self, worker: usize, step: &Self::Step<'_>) -> Place;
}

/// What a site is opened with.
pub(crate) struct Opening<'a> {
    pub ws: &'a Workspace,
    /// The hunt's stop flag, for the jobs a site runs to check itself.
    pub stop: &'a StopFlag,
    repo: Option<&'a Repo>,
    workers: usize,
}

impl Opening<'_> {
    /// How many workers the hunt asked for (`-j`).
    pub(crate) fn workers(&self) -> usize {
        self.workers
    }

    /// The workers' trees, claimed for this process.
    pub(crate) fn claim(&self) -> Result<Trees> {
        Trees::claim(self.ws, self.repo, self.workers)
    }
}

/// A [`StepRunner`] on a [`Site`].
pub(crate) struct Runner<S> {
    /// First, so that a site's own ending (a lab's places let go) comes before the
    /// workers' trees are given back.
    site: S,
    config: Arc<Manifest>,
    trees: Trees,
    stop: StopFlag,
}

impl<S: Site> Runner<S> {
    /// The site, checked, with `workers` of the workspace's worktrees (reused when an
    /// earlier session left them), or a single in-place worker without a repository.
    pub(crate) fn new(
        ws: &Workspace,
        repo: Option<&Repo>,
        workers: usize,
        stop: StopFlag,
    ) -> Result<Runner<S>> {
        let (site, trees) = S::open(&Opening {
            ws,
            stop: &stop,
            repo,
            workers,
        })?;
        Ok(Runner {
            site,
            config: Arc::new(ws.manifest.clone()),
            trees,
            stop,
        })
    }

    /// What starts worker `worker`'s commands, for a step run outside a hunt.
    pub(crate) fn step(&self, worker: usize, activity: WorkerActivity) -> S::Step<'_> {
        self.site.step(worker, activity)
    }
}

impl<S: Site> StepRunner for Runner<S> {
    fn workers(&self) -> usize {
        self.trees.workers()
    }

    fn run(&self, worker: usize, job: &Job, activity: WorkerActivity) -> Result<StepResult> {
        let step = self.site.step(worker, activity.clone());
        let mut result = self
            .trees
            .run(&self.config, worker, job, &self.stop, activity, &step)?;
        result.place = Some(self.site.place(worker, &step));
        Ok(result)
    }
}
