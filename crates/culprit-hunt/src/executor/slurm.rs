//! The Slurm executor's steps: each command of a step (the normalizer, the build, each
//! test's boot) runs as a Slurm job of its own, through srun, while culprit keeps the
//! step's logic (checkout, caches, artifacts, shape checks) on this machine.
//!
//! A job per command rather than per step, because the step's logic needs culprit and
//! its journal, which the nodes do not have; a command is all a node needs, and its
//! console streams back through the same runner as a local one, so the classifier,
//! early verdicts and timeouts are the same. The price is one allocation per command,
//! under a second on an idle cluster, small next to a kernel build.
//!
//! The trees are shared, not copied: each worker's worktree is checked out here and
//! built on whichever node runs the job, so the worktrees must be on a filesystem every
//! node mounts at the same path (NFS, Lustre, or one node). `SlurmRunner::new` checks it
//! with a first job that reads a file culprit just wrote there.

use super::{Job, StepRunner, Trees};
use crate::error::{Context, HuntError, Result};
use crate::journal::Journal;
use crate::launcher::Launcher;
use crate::manifest::Manifest;
use crate::observe::WorkerActivity;
use crate::record::Place;
use crate::record::StepResult;
use crate::workspace::Workspace;
use culprit_console::{Classifier, Ending, Rules};
use culprit_exec::git::Repo;
use culprit_exec::slurm::{self, unique_job_name, LiveJob, RemoteJob, SlurmOptions};
use culprit_exec::{ExecError, RunReport, RunSpec, StopFlag};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The executor's name in the journal's ledger of remote jobs and in each step's place.
const EXECUTOR: &str = "slurm";

/// How long the next command waits for the jobs it cancels to leave the queue.
const LEFTOVER_PATIENCE: Duration = Duration::from_secs(30);

pub struct SlurmRunner {
    config: Arc<Manifest>,
    trees: Trees,
    stop: StopFlag,
    options: SlurmOptions,
    /// The journal's own connection for the job names (workers record from their threads).
    ledger: Mutex<Journal>,
}

impl SlurmRunner {
    /// The workspace's `workers` worktrees (or the tree in place without a repository),
    /// after a first job has shown that the nodes see them.
    pub fn new(
        ws: &Workspace,
        repo: Option<&Repo>,
        workers: usize,
        stop: StopFlag,
    ) -> Result<SlurmRunner> {
        let config = Arc::new(ws.manifest.clone());
        let options = options_of(&config);
        let ledger = ws.journal()?;
        let trees = Trees::claim(ws, repo, workers)?;
        check_shared(trees.shared_dir(), &options, &stop)?;
        Ok(SlurmRunner {
            config,
            trees,
            stop,
            options,
            ledger: Mutex::new(ledger),
        })
    }

    fn record(&self, what: impl FnOnce(&Journal) -> Result<()>) -> Result<()> {
        let journal = self.ledger.lock().map_err(|_| {
            HuntError::Message("a worker panicked while it wrote the journal".into())
        })?;
        what(&journal)
    }
}

/// The srun options `[executor]` asks for.
fn options_of(config: &Manifest) -> SlurmOptions {
    let section = config.executor.slurm();
    SlurmOptions {
        partition: section.partition,
        account: section.account,
        time_limit: section.time_limit,
        constraints: section.constraints,
        options: section.options,
    }
}

/// Runs one job that reads back a token culprit writes into `dir`: it passes only when
/// the node sees `dir` as this machine does. Also the first word of the cluster on the
/// options: a partition that does not exist is said here, once, not in every step.
fn check_shared(dir: &Path, options: &SlurmOptions, stop: &StopFlag) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let token = unique_job_name("culprit-shared-check");
    let probe = dir.join(".culprit-slurm-probe");
    std::fs::write(&probe, &token).with_context(|| format!("cannot write {}", probe.display()))?;
    let spec = RunSpec {
        command: format!(
            "cat {}",
            culprit_exec::shell::quote(&probe.to_string_lossy())
        ),
        cwd: dir.to_path_buf(),
        env: Vec::new(),
        wall_timeout: Duration::from_secs(120),
        silence_timeout: None,
        log_path: dir.join(".culprit-slurm-probe.log"),
        deadline: None,
    };
    let classifier =
        Classifier::new(&Rules::build()).map_err(|err| HuntError::Message(err.to_string()))?;
    let report = slurm::run_job(&spec, options, &token, classifier, stop, &|_, _| ())?;
    let seen = std::fs::read_to_string(&report.log_path).unwrap_or_default();
    let _ = std::fs::remove_file(&probe);
    let _ = std::fs::remove_file(&report.log_path);
    let node = report
        .job
        .as_ref()
        .and_then(|job| job.node.clone())
        .unwrap_or_else(|| "the node".into());
    match report.ending {
        Ending::Interrupted => Err(HuntError::Interrupted),
        Ending::Exited { code: 0 } if seen.trim() == token => Ok(()),
        Ending::Exited { .. } | Ending::Signalled { .. } => Err(HuntError::BadInput(format!(
            "the Slurm executor needs the worktrees on a filesystem every node mounts at the same path, \
             and {node} does not see {}: put the repository (and its .culprit/) on a shared filesystem, \
             or use the local executor",
            dir.display()
        ))),
        Ending::Lost { reason } | Ending::SpawnFailed { reason } => Err(HuntError::BadInput(format!(
            "Slurm cannot run culprit's jobs: {reason}; check [executor] in culprit.toml and that `sinfo` answers"
        ))),
        other => Err(HuntError::BadInput(format!(
            "the first Slurm job (the shared-path check) did not end ({other:?}); check that the cluster runs jobs (`srun true`)"
        ))),
    }
}

impl StepRunner for SlurmRunner {
    fn workers(&self) -> usize {
        self.trees.workers()
    }

    fn run(&self, worker: usize, job: &Job, activity: WorkerActivity) -> Result<StepResult> {
        let jobs = StepJobs {
            runner: self,
            worker,
            activity: activity.clone(),
            ran: Mutex::new(Vec::new()),
        };
        let mut result = self
            .trees
            .run(&self.config, worker, job, &self.stop, activity, &jobs)?;
        result.place = Some(jobs.place());
        Ok(result)
    }
}

/// The jobs of one step.
struct StepJobs<'a> {
    runner: &'a SlurmRunner,
    worker: usize,
    activity: WorkerActivity,
    ran: Mutex<Vec<RemoteJob>>,
}

impl StepJobs<'_> {
    /// Where the step ran: the node of its last job, and every job's id.
    fn place(&self) -> Place {
        let ran = self.ran.lock().map(|ran| ran.clone()).unwrap_or_default();
        let ids: Vec<String> = ran
            .iter()
            .filter_map(|job| job.id)
            .map(|id| id.to_string())
            .collect();
        Place {
            executor: EXECUTOR.into(),
            worker: self.worker,
            node: ran.iter().rev().find_map(|job| job.node.clone()),
            job: (!ids.is_empty()).then(|| ids.join(",")),
        }
    }
}

impl Launcher for StepJobs<'_> {
    fn launch(
        &self,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        let name = unique_job_name("culprit");
        let failed = |err: HuntError| ExecError::Record {
            name: name.clone(),
            message: err.to_string(),
        };
        self.runner
            .record(|journal| journal.remote_job_started(EXECUTOR, &name))
            .map_err(failed)?;
        let started = |id: u64, node: &str| {
            self.activity.placed(&Place {
                executor: EXECUTOR.into(),
                worker: self.worker,
                node: Some(node.to_string()),
                job: Some(id.to_string()),
            })
        };
        let report = slurm::run_job(
            spec,
            &self.runner.options,
            &name,
            classifier,
            stop,
            &started,
        )?;
        let id = report.job.as_ref().and_then(|job| job.id);
        self.runner
            .record(|journal| {
                journal.remote_job_ended(&name, id.map(|id| id.to_string()).as_deref())
            })
            .map_err(failed)?;
        if let (Some(job), Ok(mut ran)) = (&report.job, self.ran.lock()) {
            ran.push(job.clone());
        }
        Ok(report)
    }
}

/// Cancels the Slurm jobs the journal says were submitted and never seen to end (a
/// culprit killed with SIGKILL, a machine that went down) and marks them ended.
/// Returns the jobs Slurm still had.
pub(super) fn cancel_leftovers(journal: &Journal) -> Result<Vec<LiveJob>> {
    super::end_unended(journal, EXECUTOR, |names| {
        slurm::cancel_leftovers(names, LEFTOVER_PATIENCE).map_err(|err| {
            HuntError::Message(format!(
                "cannot cancel the Slurm jobs an earlier culprit left ({}): {err}",
                names.join(", ")
            ))
        })
    })
}
