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

use super::remote::{end_unended, Ledger, StepJobs};
use super::runner::{Opening, Site};
use super::Trees;
use crate::error::{Context, HuntError, Result};
use crate::journal::Journal;
use crate::launcher::Launcher;
use crate::observe::WorkerActivity;
use crate::record::Place;
use culprit_console::{Classifier, Ending, Rules};
use culprit_exec::slurm::{self, unique_job_name, LiveJob, SlurmOptions};
use culprit_exec::{ExecError, RunReport, RunSpec, StopFlag};
use std::path::Path;
use std::time::Duration;

/// The executor's name in the journal's ledger of remote jobs and in each step's place.
const EXECUTOR: &str = "slurm";

/// How long the next command waits for the jobs it cancels to leave the queue.
const LEFTOVER_PATIENCE: Duration = Duration::from_secs(30);

/// A Slurm cluster whose nodes see the workers' trees.
pub(crate) struct Slurm {
    options: SlurmOptions,
    ledger: Ledger,
}

impl Site for Slurm {
    type Step<'a> = SlurmStep<'a>;

    /// The trees first: a first job shows that the nodes see them.
    fn open(opening: &Opening<'_>) -> Result<(Slurm, Trees)> {
        let options = opening.ws.manifest.executor.slurm();
        let ledger = Ledger::open(opening.ws, EXECUTOR)?;
        let trees = opening.claim()?;
        check_shared(trees.shared_dir(), &options, opening.stop)?;
        Ok((Slurm { options, ledger }, trees))
    }

    fn step(&self, worker: usize, activity: WorkerActivity) -> SlurmStep<'_> {
        SlurmStep {
            options: &self.options,
            jobs: StepJobs::new(&self.ledger, worker, activity),
        }
    }

    fn place(&self, _: usize, step: &SlurmStep<'_>) -> Place {
        step.jobs.place()
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

/// The jobs of one step: each of its commands one job.
pub(crate) struct SlurmStep<'a> {
    options: &'a SlurmOptions,
    jobs: StepJobs<'a>,
}

impl Launcher for SlurmStep<'_> {
    fn launch(
        &self,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        let name = unique_job_name("culprit");
        self.jobs.started(&name)?;
        let running = |id: u64, node: &str| self.jobs.running(id, node);
        let report = slurm::run_job(spec, self.options, &name, classifier, stop, &running)?;
        self.jobs.ended(&name, report.job.as_ref())?;
        Ok(report)
    }
}

/// Cancels the Slurm jobs the journal says were submitted and never seen to end (a
/// culprit killed with SIGKILL, a machine that went down) and marks them ended.
/// Returns the jobs Slurm still had.
pub(super) fn cancel_leftovers(journal: &Journal) -> Result<Vec<LiveJob>> {
    end_unended(journal, EXECUTOR, |names| {
        slurm::cancel_leftovers(names, LEFTOVER_PATIENCE).map_err(|err| {
            HuntError::Message(format!(
                "cannot cancel the Slurm jobs an earlier culprit left ({}): {err}",
                names.join(", ")
            ))
        })
    })
}
