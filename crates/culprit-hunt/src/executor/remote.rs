//! The bookkeeping every executor of remote jobs (Slurm jobs, LAVA jobs, labgrid
//! reservations) shares: the journal's ledger, written before a job exists and after it
//! ends so that the next command ends what a killed culprit left, and the jobs of one
//! step, so that its place names them.

use crate::error::{HuntError, Result};
use crate::journal::Journal;
use crate::observe::WorkerActivity;
use crate::record::Place;
use crate::workspace::Workspace;
use culprit_exec::runner::RemoteJob;
use culprit_exec::ExecError;
use std::sync::Mutex;

/// One executor's entries in the journal's ledger of remote jobs.
pub(crate) struct Ledger {
    executor: &'static str,
    /// The journal's own connection: workers record from their threads.
    journal: Mutex<Journal>,
}

impl Ledger {
    pub(crate) fn open(ws: &Workspace, executor: &'static str) -> Result<Ledger> {
        Ok(Ledger {
            executor,
            journal: Mutex::new(ws.journal()?),
        })
    }

    /// The executor's name, in the ledger and in each step's place.
    pub(crate) fn executor(&self) -> &'static str {
        self.executor
    }

    /// Runs `what` on the journal, one worker at a time.
    pub(crate) fn record(&self, what: impl FnOnce(&Journal) -> Result<()>) -> Result<()> {
        let journal = self.journal.lock().map_err(|_| {
            HuntError::Message("a worker panicked while it wrote the journal".into())
        })?;
        what(&journal)
    }

    /// Notes that the job `name` is about to be given out.
    pub(crate) fn started(&self, name: &str) -> Result<()> {
        self.record(|journal| journal.remote_job_started(self.executor, name))
    }

    /// Notes that the job `name` (the executor's id `job`, when known) no longer runs.
    pub(crate) fn ended(&self, name: &str, job: Option<&str>) -> Result<()> {
        self.record(|journal| journal.remote_job_ended(name, job))
    }
}

/// Ends the remote jobs of `executor` that the journal says were given out and never
/// seen to end, with `end` (given their names), then marks them ended; nothing to end
/// gives `T`'s default. A job stays in the ledger when `end` fails, for the next command.
pub(super) fn end_unended<T: Default>(
    journal: &Journal,
    executor: &str,
    end: impl FnOnce(&[String]) -> Result<T>,
) -> Result<T> {
    let names = journal.unended_remote_jobs(executor)?;
    if names.is_empty() {
        return Ok(T::default());
    }
    let ended = end(&names)?;
    for name in &names {
        journal.remote_job_ended(name, None)?;
    }
    Ok(ended)
}

/// The remote jobs of one step on one worker, each in the ledger while it may run.
pub(crate) struct StepJobs<'a> {
    ledger: &'a Ledger,
    worker: usize,
    activity: WorkerActivity,
    /// Each job's id and the node (or device) it ran on, as far as they are known.
    ran: Mutex<Vec<(Option<u64>, Option<String>)>>,
}

impl<'a> StepJobs<'a> {
    pub(crate) fn new(ledger: &'a Ledger, worker: usize, activity: WorkerActivity) -> Self {
        StepJobs {
            ledger,
            worker,
            activity,
            ran: Mutex::new(Vec::new()),
        }
    }

    /// Notes in the ledger that the job `name` is about to be given out: what a launch
    /// does before anything reaches the executor.
    pub(crate) fn started(&self, name: &str) -> Result<(), ExecError> {
        self.ledger
            .started(name)
            .map_err(|err| unrecorded(name, err))
    }

    /// The executor has taken the job `id` (before it runs anywhere).
    pub(crate) fn submitted(&self, id: u64) {
        if let Ok(mut ran) = self.ran.lock() {
            ran.push((Some(id), None));
        }
    }

    /// The job `id` runs on `node`: the worker's line on the display says where.
    pub(crate) fn running(&self, id: u64, node: &str) {
        self.activity.placed(&Place {
            executor: self.ledger.executor().into(),
            worker: self.worker,
            node: Some(node.to_string()),
            job: Some(id.to_string()),
        })
    }

    /// Notes in the ledger that the job `name` ended (as `job`, when the executor said
    /// what it was), and keeps it for the step's place.
    pub(crate) fn ended(&self, name: &str, job: Option<&RemoteJob>) -> Result<(), ExecError> {
        let id = job.and_then(|job| job.id);
        self.ledger
            .ended(name, id.map(|id| id.to_string()).as_deref())
            .map_err(|err| unrecorded(name, err))?;
        if let (Some(job), Ok(mut ran)) = (job, self.ran.lock()) {
            match ran
                .iter_mut()
                .find(|(seen, _)| seen.is_some() && *seen == id)
            {
                Some(entry) => entry.1 = job.node.clone(),
                None => ran.push((id, job.node.clone())),
            }
        }
        Ok(())
    }

    /// Where the step ran: the node of its last job, and every job's id.
    pub(crate) fn place(&self) -> Place {
        let ran = self.ran.lock().map(|ran| ran.clone()).unwrap_or_default();
        let ids: Vec<String> = ran
            .iter()
            .filter_map(|(id, _)| *id)
            .map(|id| id.to_string())
            .collect();
        Place {
            executor: self.ledger.executor().into(),
            worker: self.worker,
            node: ran.iter().rev().find_map(|(_, node)| node.clone()),
            job: (!ids.is_empty()).then(|| ids.join(",")),
        }
    }
}

/// A ledger that cannot be written fails the launch: a job the ledger does not know of
/// is one the next command could not end.
fn unrecorded(name: &str, err: HuntError) -> ExecError {
    ExecError::Record {
        name: name.to_string(),
        message: err.to_string(),
    }
}
