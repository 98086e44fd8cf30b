//! An executor of real commands: one thread per running step.

use super::{Executor, Finished, Job, StepRunner};
use crate::error::{HuntError, Result};
use crate::observe::{Event, Observer, WorkerActivity};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::Instant;

/// Runs a [`StepRunner`]'s steps, each on its own thread, handing them back as they end.
pub struct Threaded<R: StepRunner> {
    runner: Arc<R>,
    observer: Arc<dyn Observer>,
    done: Sender<Finished>,
    finished: Receiver<Finished>,
    /// Which workers have a step that `wait` has not handed back yet.
    busy: Vec<bool>,
}

impl<R: StepRunner> Threaded<R> {
    pub fn new(runner: R, observer: Arc<dyn Observer>) -> Threaded<R> {
        let (done, finished) = mpsc::channel();
        let busy = vec![false; runner.workers().max(1)];
        Threaded {
            runner: Arc::new(runner),
            observer,
            done,
            finished,
            busy,
        }
    }
}

impl<R: StepRunner> Executor for Threaded<R> {
    fn workers(&self) -> usize {
        self.busy.len()
    }

    fn start(&mut self, worker: usize, job: Job) -> Result<()> {
        match self.busy.get_mut(worker) {
            Some(busy) if !*busy => *busy = true,
            _ => {
                return Err(HuntError::Message(format!(
                    "worker {worker} is not free; this is a bug in culprit's scheduling"
                )))
            }
        }
        let runner = self.runner.clone();
        let observer = self.observer.clone();
        let done = self.done.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            observer.event(Event::StepStarted {
                worker,
                label: &job.label,
            });
            let activity = WorkerActivity::new(observer.clone(), worker);
            let result = runner.run(worker, &job, activity);
            observer.event(Event::StepFinished {
                worker,
                seconds: started.elapsed().as_secs_f64(),
            });
            // The receiver only goes away with the executor, which waits for every
            // step first (see Drop): a failed send has nobody left to tell.
            let _ = done.send(Finished {
                worker,
                job,
                result,
            });
        });
        Ok(())
    }

    fn wait(&mut self) -> Option<Finished> {
        if !self.busy.iter().any(|b| *b) {
            return None;
        }
        let finished = self.finished.recv().ok()?;
        if let Some(busy) = self.busy.get_mut(finished.worker) {
            *busy = false;
        }
        Some(finished)
    }
}

/// A session that stops early (an error, Ctrl-C) still waits for its running steps, so
/// no command outlives it and no worktree is removed under a running build.
impl<R: StepRunner> Drop for Threaded<R> {
    fn drop(&mut self) {
        while self.wait().is_some() {}
    }
}
