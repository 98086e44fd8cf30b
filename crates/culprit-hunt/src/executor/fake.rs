//! A fake executor: steps answered by a script, in virtual time, without processes.
//!
//! It exists to test what depends on timing and order — the scheduling of `-j N`,
//! cancellation, retries — deterministically: the script says how long each step
//! takes and what it shows, and [`FakeExecutor::wait`] jumps the virtual clock to the
//! next step to end. It stands next to the real executors, never in their place.

use super::{Executor, Finished, Job, Prepare};
use crate::error::{HuntError, Result};
use crate::record::Place;
use crate::record::{RunRecord, StepResult};
use culprit_console::{Ending, Outcome};
use culprit_exec::StopFlag;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// What the script says of one step.
pub struct Scripted {
    /// How long the step takes, in virtual seconds.
    pub seconds: f64,
    pub result: StepResult,
}

/// The script: given the worker, the job and the virtual time it starts at, what the
/// step does.
pub type Script = Box<dyn FnMut(usize, &Job, f64) -> Scripted + Send>;

/// One thing the fake executor did, at a virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct Happened {
    pub at: f64,
    pub worker: usize,
    /// The candidate: the commit of a checkout, else the job's label.
    pub candidate: String,
    pub what: What,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    Started,
    Finished,
    /// Stopped by the stop flag before its scripted end.
    Interrupted,
}

/// Every event of a fake executor, readable while the session owns the executor.
pub type Timeline = Arc<Mutex<Vec<Happened>>>;

struct Step {
    ends: f64,
    worker: usize,
    job: Job,
    result: StepResult,
}

pub struct FakeExecutor {
    workers: usize,
    script: Script,
    stop: StopFlag,
    now: f64,
    running: Vec<Step>,
    timeline: Timeline,
}

impl FakeExecutor {
    pub fn new(workers: usize, stop: StopFlag, script: Script) -> (FakeExecutor, Timeline) {
        let timeline = Timeline::default();
        let executor = FakeExecutor {
            workers: workers.max(1),
            script,
            stop,
            now: 0.0,
            running: Vec::new(),
            timeline: timeline.clone(),
        };
        (executor, timeline)
    }

    fn log(&self, worker: usize, job: &Job, what: What) {
        if let Ok(mut timeline) = self.timeline.lock() {
            timeline.push(Happened {
                at: self.now,
                worker,
                candidate: candidate(job),
                what,
            });
        }
    }
}

impl Executor for FakeExecutor {
    fn workers(&self) -> usize {
        self.workers
    }

    fn start(&mut self, worker: usize, job: Job) -> Result<()> {
        if worker >= self.workers || self.running.iter().any(|s| s.worker == worker) {
            return Err(HuntError::Message(format!(
                "worker {worker} is not free; this is a bug in culprit's scheduling"
            )));
        }
        let scripted = (self.script)(worker, &job, self.now);
        self.log(worker, &job, What::Started);
        let mut result = scripted.result;
        result.place = Some(Place {
            executor: "fake".into(),
            worker,
            node: None,
            job: Some(job.seq.to_string()),
        });
        self.running.push(Step {
            ends: self.now + scripted.seconds.max(0.0),
            worker,
            job,
            result,
        });
        Ok(())
    }

    /// The step that ends first (the one started first among equals); after the stop
    /// flag is raised, every running step ends at once, interrupted.
    fn wait(&mut self) -> Option<Finished> {
        if self.stop.load(Ordering::SeqCst) {
            let step = self.running.pop()?;
            self.log(step.worker, &step.job, What::Interrupted);
            let result = interrupted(step.result);
            return Some(Finished {
                worker: step.worker,
                job: step.job,
                result: Ok(result),
            });
        }
        let first = self
            .running
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| a.ends.total_cmp(&b.ends))
            .map(|(i, _)| i)?;
        Some(self.finish(first))
    }

    /// A step that ends at the current virtual time.
    fn try_wait(&mut self) -> Option<Finished> {
        if self.stop.load(Ordering::SeqCst) {
            return None;
        }
        let now = self.now;
        let at = self.running.iter().position(|s| s.ends <= now)?;
        Some(self.finish(at))
    }
}

impl FakeExecutor {
    /// Ends running step `at`, moving the clock to its end.
    fn finish(&mut self, at: usize) -> Finished {
        let step = self.running.remove(at);
        self.now = self.now.max(step.ends);
        self.log(step.worker, &step.job, What::Finished);
        Finished {
            worker: step.worker,
            job: step.job,
            result: Ok(step.result),
        }
    }
}

fn candidate(job: &Job) -> String {
    match &job.work.prepare {
        Prepare::Checkout(commit) => commit.clone(),
        Prepare::Revert { commit, .. } => format!("revert {commit}"),
        Prepare::InPlace => job.label.clone(),
    }
}

/// A step whose tests showed these outcomes, for scripts.
pub fn step_showing(outcomes: &[(&str, Outcome)]) -> StepResult {
    StepResult {
        normalize: None,
        effective_config: None,
        build: None,
        tests: outcomes
            .iter()
            .map(|(name, outcome)| RunRecord {
                name: name.to_string(),
                outcome: outcome.clone(),
                stage: "none".into(),
                duration_s: 1.0,
                log: PathBuf::from(format!("{name}.log")),
                evidence: None,
                ending: Ending::Exited { code: 0 },
                cases: Vec::new(),
                timeline: None,
                learned: None,
            })
            .collect(),
        artifact_digest: None,
        reused_artifacts: false,
        kept_build: false,
        place: None,
        fixup: None,
    }
}

/// What a step stopped by Ctrl-C looks like: every run interrupted.
fn interrupted(mut result: StepResult) -> StepResult {
    for run in &mut result.tests {
        run.outcome = Outcome::InfraError {
            reason: "interrupted".into(),
        };
        run.ending = Ending::Interrupted;
    }
    result
}
