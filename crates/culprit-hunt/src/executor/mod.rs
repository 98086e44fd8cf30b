//! Executors: where a hunt's steps run.
//!
//! The session gives an [`Executor`] one [`Job`] per free worker and waits for whichever
//! step finishes first, so a worker that finishes takes the next candidate at once: no
//! step waits for a slower batch-mate. Executors that run real commands are a `Runner`
//! on a site (this machine, a Slurm cluster, a LAVA or labgrid lab): a [`StepRunner`]
//! (one step on one worker, blocking) behind [`Threaded`], which gives every worker a
//! thread; the [`fake`] executor answers from a script, in virtual time.
//!
//! A step's commands (the normalizer, the build, each test's boot) are started through a
//! [`Launcher`]; whatever starts them, their output comes back as a byte stream that
//! `culprit_exec` feeds to the classifier while it keeps the clocks (early verdict,
//! silence and wall timeouts), so those work the same wherever the command runs.

pub mod fake;
mod labgrid;
mod lava;
mod local;
mod remote;
mod runner;
mod slurm;
mod threaded;

use labgrid::Labgrid;
pub(crate) use lava::Lava;
use local::Local;
pub(crate) use runner::Runner;
use slurm::Slurm;
pub use threaded::Threaded;

use crate::error::{Context, HuntError, Result};
use crate::journal::Journal;
use crate::kept_build::{BuildMemory, KeptSlot};
use crate::launcher::Launcher;
use crate::manifest::{ExecutorKind, Manifest, SHAPE_RUN};
use crate::observe::{Observer, WorkerActivity};
use crate::pace::Pace;
use crate::record::{FixupRecord, StepResult};
use crate::step::{run_step, ArtifactCache, StepContext};
use crate::target::Target;
use crate::workspace::{WorkerSlot, Workspace, Worktree};
use culprit_exec::git::{FixupApplied, Repo};
use culprit_exec::StopFlag;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The executor a hunt's steps run on: `workers` of the workspace's worktrees and build
/// directories (a single in-place worker without a repository), of `kind` (`--executor`)
/// or else culprit.toml's `[executor] kind`. The one place a kind becomes an executor:
/// a new executor is one arm here and one variant of `ExecutorSection`.
pub fn open(
    ws: &Workspace,
    repo: Option<&Repo>,
    kind: Option<ExecutorKind>,
    workers: usize,
    observer: Arc<dyn Observer>,
    stop: StopFlag,
) -> Result<Box<dyn Executor>> {
    Ok(match kind.unwrap_or(ws.manifest.executor.kind()) {
        ExecutorKind::Local => threaded(Runner::<Local>::new(ws, repo, workers, stop)?, observer),
        ExecutorKind::Slurm => threaded(Runner::<Slurm>::new(ws, repo, workers, stop)?, observer),
        ExecutorKind::Lava => threaded(Runner::<Lava>::new(ws, repo, workers, stop)?, observer),
        ExecutorKind::Labgrid => {
            threaded(Runner::<Labgrid>::new(ws, repo, workers, stop)?, observer)
        }
    })
}

/// Each worker's steps on a thread of its own.
fn threaded<R: StepRunner>(runner: R, observer: Arc<dyn Observer>) -> Box<dyn Executor> {
    Box::new(Threaded::new(runner, observer))
}

/// Ends the remote jobs (of every executor kind) that the journal says were given out
/// and never seen to end: a culprit killed with SIGKILL, a machine that went down.
/// Returns one sentence per executor that had some, naming them.
pub fn end_leftovers(journal: &Journal, config: &Manifest) -> Result<Vec<String>> {
    let mut ended = Vec::new();
    let cancelled = slurm::cancel_leftovers(journal)?;
    if !cancelled.is_empty() {
        let ids: Vec<String> = cancelled.iter().map(|job| job.id.to_string()).collect();
        ended.push(format!(
            "cancelled Slurm job(s) {} that an earlier culprit left running",
            ids.join(", ")
        ));
    }
    let cancelled = lava::cancel_leftovers(journal, config)?;
    if !cancelled.is_empty() {
        let ids: Vec<String> = cancelled.iter().map(u64::to_string).collect();
        ended.push(format!(
            "cancelled LAVA job(s) {} that an earlier culprit left",
            ids.join(", ")
        ));
    }
    let unlocked = labgrid::end_leftovers(journal)?;
    if !unlocked.is_empty() {
        ended.push(format!(
            "unlocked labgrid place(s) {} that an earlier culprit left locked",
            unlocked.join(", ")
        ));
    }
    Ok(ended)
}

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

/// What a step does, however it came to be asked for: how to prepare the tree, and what
/// to run in it. A driver's [`crate::session::Request`] carries it to the session, which
/// hands it on unchanged in the [`Job`] it queues.
#[derive(Clone, Debug)]
pub struct Work {
    pub prepare: Prepare,
    /// Names of the tests to run (all when empty).
    pub tests: Vec<String>,
    pub placeholders: Vec<(&'static str, String)>,
    /// Tests whose target, once seen, ends the step early.
    pub stop_at: BTreeMap<String, Target>,
    /// A configuration to write and normalize before the build.
    pub config_text: Option<String>,
    /// Commits to apply on top of the checked-out candidate before building it.
    pub fixups: Vec<String>,
}

impl Work {
    /// Whether `other` builds exactly what this does: the same checkout, fixups and
    /// configuration (a tree in place may have changed since, so it never does).
    pub fn same_build(&self, other: &Work) -> bool {
        self.prepare != Prepare::InPlace
            && self.prepare == other.prepare
            && self.fixups == other.fixups
            && self.config_text == other.config_text
    }

    /// Every test of the tree as it is, nothing added.
    pub fn in_place() -> Work {
        Work {
            prepare: Prepare::InPlace,
            tests: Vec::new(),
            placeholders: Vec::new(),
            stop_at: BTreeMap::new(),
            config_text: None,
            fixups: Vec::new(),
        }
    }
}

/// One step to run: its work, and where the session files it.
#[derive(Clone, Debug)]
pub struct Job {
    pub work: Work,
    pub seq: i64,
    pub logs: PathBuf,
    /// How the candidate is named on the live display.
    pub label: String,
    pub artifact_cache: Option<Arc<ArtifactCache>>,
    /// What the step learns from and is held to (see `crate::pace`).
    pub pace: Option<Pace>,
}

/// A step that ended, as an executor hands it back.
pub struct Finished {
    pub worker: usize,
    pub job: Job,
    pub result: Result<StepResult>,
}

/// Runs steps on a fixed set of workers, at most one step per worker at a time.
pub trait Executor {
    /// How many steps can run at once.
    fn workers(&self) -> usize;
    /// Starts `job` on `worker` (in `0..workers()`), which must be free: it has no
    /// started step that `wait` has not handed back. Returns at once.
    fn start(&mut self, worker: usize, job: Job) -> Result<()>;
    /// Waits for the next started step to end; `None` when none is running.
    fn wait(&mut self) -> Option<Finished>;
    /// A step that has already ended, without waiting; `None` when none has. The
    /// session takes every step that ended with the one it waited for before the
    /// strategy chooses again, so no choice ignores a result already in.
    fn try_wait(&mut self) -> Option<Finished> {
        None
    }
}

/// Runs one step on one worker and returns when it has ended: what an executor of real
/// commands implements (see [`Threaded`]).
pub trait StepRunner: Send + Sync + 'static {
    fn workers(&self) -> usize;
    /// Runs `job` with worker `worker`'s tree; `activity` is its line on the display.
    /// Never called twice at once for the same worker.
    fn run(&self, worker: usize, job: &Job, activity: WorkerActivity) -> Result<StepResult>;
}

/// The trees a runner's workers build in: with a repository, each worker's own
/// worktree and build directory, claimed for this process and reused from earlier
/// sessions; without one, a single worker on the tree in place.
pub(crate) struct Trees {
    repo: Option<Repo>,
    /// The commit a worker's new worktree starts at.
    head: String,
    workers: Vec<TreeWorker>,
    root: PathBuf,
    /// The build directory of the tree in place.
    root_build: PathBuf,
}

/// One worker of a repository. The first worker's worktree is made (or found again)
/// when the trees are claimed; every other worker's when it takes its first step, by
/// its own thread: checking out a kernel tree takes seconds, and a second worker's
/// checkout then runs while the first one builds instead of before anything starts.
/// The first worker, ready first, also takes the one cold build: it runs the bad
/// endpoint, whose long run should start soonest.
struct TreeWorker {
    slot: WorkerSlot,
    worktree: Mutex<Option<Worktree>>,
    /// What its build directory holds, as far as this process knows.
    memory: BuildMemory,
}

impl TreeWorker {
    fn make_worktree(&self, repo: &Repo, head: &str) -> Result<()> {
        let mut worktree = self.worktree.lock().map_err(|_| {
            HuntError::Message(
                "a worker's worktree lock was poisoned; this is a bug in culprit".into(),
            )
        })?;
        if worktree.is_none() {
            *worktree = Some(Worktree::reuse(repo, self.slot.worktree.clone(), head)?);
        }
        Ok(())
    }
}

impl Trees {
    pub(crate) fn claim(ws: &Workspace, repo: Option<&Repo>, workers: usize) -> Result<Trees> {
        let mut claimed = Vec::new();
        let mut head = String::new();
        if let Some(repo) = repo {
            head = repo.resolve("HEAD")?;
            for slot in ws.claim_workers(workers.max(1))? {
                claimed.push(TreeWorker {
                    slot,
                    worktree: Mutex::new(None),
                    memory: BuildMemory::default(),
                });
            }
        }
        if let (Some(first), Some(repo)) = (claimed.first(), repo) {
            first.make_worktree(repo, &head)?;
        }
        Ok(Trees {
            repo: repo.cloned(),
            head,
            workers: claimed,
            root: ws.root.clone(),
            root_build: ws.tree_build_dir(),
        })
    }

    pub(crate) fn workers(&self) -> usize {
        self.workers.len().max(1)
    }

    /// The directory every worker's tree lives under (what a Slurm node must see).
    pub(crate) fn shared_dir(&self) -> &Path {
        match self.workers.first() {
            Some(worker) => worker.slot.worktree.parent().unwrap_or(&self.root),
            None => &self.root,
        }
    }

    /// The checkout and build directory worker `worker` runs `job` in, made ready for it:
    /// its worktree, or the tree in place.
    pub(crate) fn ready(
        &self,
        config: &Manifest,
        worker: usize,
        prepare: &Prepare,
    ) -> Result<(PathBuf, PathBuf)> {
        match (self.workers.get(worker), &self.repo) {
            (Some(tree), Some(repo)) if *prepare != Prepare::InPlace => {
                tree.make_worktree(repo, &self.head)?;
                let checkout = &tree.slot.worktree;
                prepare_checkout(repo, checkout, prepare)?;
                complete_worktree(config, repo, &self.root, checkout)?;
                Ok((checkout.clone(), tree.slot.build.clone()))
            }
            _ => Ok((self.root.clone(), self.root_build.clone())),
        }
    }

    /// Worker `worker` runs `job`: its tree made ready, then the step, its commands
    /// started by `launcher` (what tells one executor from another).
    pub(crate) fn run(
        &self,
        config: &Manifest,
        worker: usize,
        job: &Job,
        stop: &StopFlag,
        activity: WorkerActivity,
        launcher: &dyn Launcher,
    ) -> Result<StepResult> {
        activity.set(format!("checking out {}", job.label));
        let (checkout, build) = self.ready(config, worker, &job.work.prepare)?;
        // Only a worktree culprit checked out is known to hold what it did last time.
        let candidate = candidate_identity(config, &self.root, &job.work);
        let kept = self
            .workers
            .get(worker)
            .zip(candidate.as_deref())
            .map(|(tree, candidate)| KeptSlot {
                memory: &tree.memory,
                candidate,
            });
        run_job_in(
            config, job, &checkout, &build, stop, activity, launcher, kept,
        )
    }
}

/// What a worker's checkout holds for `work`: the commit (or revert), the fixups on
/// it, and the `[tree] copy` files as they are in the user's tree now; `None` for the
/// tree in place, which may have changed since.
fn candidate_identity(config: &Manifest, root: &Path, work: &Work) -> Option<String> {
    let checkout = match &work.prepare {
        Prepare::Checkout(commit) => format!("checkout {commit}"),
        Prepare::Revert { base, commit } => format!("revert {commit} on {base}"),
        Prepare::InPlace => return None,
    };
    Some(format!(
        "{checkout}; fixups {}; copied {}",
        work.fixups.join(" "),
        crate::tree::copy_stamp(config, root)
    ))
}

/// Makes a worker's checkout ready for `prepare` (nothing to do for `InPlace`).
pub fn prepare_checkout(repo: &Repo, checkout: &Path, prepare: &Prepare) -> Result<()> {
    match prepare {
        Prepare::Checkout(commit) => repo
            .checkout_worktree(checkout, commit)
            .with_context(|| format!("cannot check out {commit}")),
        Prepare::Revert { base, commit } => {
            repo.checkout_worktree(checkout, base)
                .with_context(|| format!("cannot check out {base}"))?;
            Ok(repo.revert_in_worktree(checkout, commit)?)
        }
        Prepare::InPlace => Ok(()),
    }
}

/// Gives a freshly checked-out worktree what git alone does not: the submodules at the
/// commits the checkout records, and the `[tree] copy` files from the user's tree in
/// `root`. Done after every checkout, since the checkout cleaned them away.
pub fn complete_worktree(
    config: &Manifest,
    repo: &Repo,
    root: &Path,
    checkout: &Path,
) -> Result<()> {
    repo.update_submodules(checkout)?;
    crate::tree::copy_into(config, root, checkout)
}

/// What every executor does once a checkout is ready: the job's step, in `checkout`
/// with the build directory `build`, its commands started by `launcher`.
#[allow(clippy::too_many_arguments)]
pub fn run_job_in(
    config: &Manifest,
    job: &Job,
    checkout: &Path,
    build: &Path,
    stop: &StopFlag,
    activity: WorkerActivity,
    launcher: &dyn Launcher,
    kept: Option<KeptSlot<'_>>,
) -> Result<StepResult> {
    let tree = config.tree_in(checkout);
    std::fs::create_dir_all(&job.logs)
        .with_context(|| format!("cannot create {}", job.logs.display()))?;
    let fixup = apply_fixups(job, checkout)?;
    if let Some(record) = fixup.as_ref().filter(|r| r.conflict.is_some()) {
        return Ok(StepResult {
            fixup: Some(record.clone()),
            ..StepResult::default()
        });
    }
    let tests: Vec<_> = job
        .work
        .tests
        .iter()
        .filter_map(|name| config.test(name))
        .collect();
    let shapes_wanted = job.work.tests.iter().any(|name| name == SHAPE_RUN);
    let ctx = StepContext {
        manifest: config,
        tree: &tree,
        build,
        logs: &job.logs,
        stop,
        placeholders: job.work.placeholders.clone(),
        stop_at: job.work.stop_at.clone(),
        config_text: job.work.config_text.clone(),
        activity,
        label: job.label.clone(),
        shapes_wanted,
        artifact_cache: job.artifact_cache.clone(),
        launcher,
        pace: job.pace.clone(),
        kept,
    };
    let result = run_step(
        &ctx,
        if job.work.tests.is_empty() {
            None
        } else {
            Some(&tests)
        },
    );
    if fixup.is_some() {
        // The next candidate must be built from its own commit, not this one's fixups.
        Repo::at(checkout)
            .restore_worktree()
            .with_context(|| format!("cannot undo the fixups in {}", checkout.display()))?;
    }
    let mut result = result?;
    result.fixup = fixup;
    Ok(result)
}

/// Applies the job's fixups in `checkout`, in order; `None` when it has none. A fixup
/// that does not apply stops there (the tree is left as checked out).
fn apply_fixups(job: &Job, checkout: &Path) -> Result<Option<FixupRecord>> {
    if job.work.fixups.is_empty() {
        return Ok(None);
    }
    if job.work.prepare == Prepare::InPlace {
        crate::bail!("fixups are applied to checked-out candidates only, and this step tests the working tree in place; drop --fixup, or bisect commits");
    }
    let tree = Repo::at(checkout);
    let mut record = FixupRecord::default();
    for fixup in &job.work.fixups {
        let applied = tree
            .apply_fixup(fixup)
            .with_context(|| format!("cannot apply the fixup {fixup} in {}", checkout.display()))?;
        match applied {
            FixupApplied::Applied => record.applied.push(fixup.clone()),
            FixupApplied::Contained => record.contained.push(fixup.clone()),
            FixupApplied::Conflict { detail } => {
                tree.restore_worktree()
                    .with_context(|| format!("cannot undo the fixups in {}", checkout.display()))?;
                record.conflict = Some((fixup.clone(), detail));
                break;
            }
        }
    }
    Ok(Some(record))
}
