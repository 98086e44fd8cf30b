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
            // A panic must still hand the worker back, or `wait` would wait for ever.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                runner.run(worker, &job, activity)
            }))
            .unwrap_or_else(|_| {
                Err(HuntError::Message(format!(
                    "worker {} crashed while running {}; this is a bug in culprit",
                    worker + 1,
                    job.label
                )))
            });
            observer.event(Event::StepFinished {
                worker,
                seconds: started.elapsed().as_secs_f64(),
            });
            // The runner is let go before the step is handed back, so that the
            // executor's own reference is the last: a runner's Drop (a lab's places
            // unlocked) then runs in the executor's Drop, not in a thread the process
            // may not wait for.
            drop(runner);
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
        Some(self.hand_back(finished))
    }

    fn try_wait(&mut self) -> Option<Finished> {
        let finished = self.finished.try_recv().ok()?;
        Some(self.hand_back(finished))
    }
}

impl<R: StepRunner> Threaded<R> {
    /// Frees the worker of a step that ended.
    fn hand_back(&mut self, finished: Finished) -> Finished {
        if let Some(busy) = self.busy.get_mut(finished.worker) {
            *busy = false;
        }
        finished
    }
}

/// A session that stops early (an error, Ctrl-C) still waits for its running steps, so
/// no command outlives it and no worktree is removed under a running build.
impl<R: StepRunner> Drop for Threaded<R> {
    fn drop(&mut self) {
        while self.wait().is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::fake::step_showing;
    use crate::executor::Work;
    use crate::observe::Unobserved;
    use crate::record::StepResult;
    use std::sync::mpsc::SyncSender;
    use std::sync::Mutex;

    /// Worker 0 holds its step until the test releases it; worker 1 answers at once;
    /// a job labelled `panic` panics.
    struct Gated {
        release: Mutex<Receiver<()>>,
    }

    impl StepRunner for Gated {
        fn workers(&self) -> usize {
            2
        }

        fn run(&self, worker: usize, job: &Job, _: WorkerActivity) -> Result<StepResult> {
            if job.label == "panic" {
                panic!("scripted panic");
            }
            if worker == 0 {
                let _ = self.release.lock().unwrap().recv();
            }
            Ok(step_showing(&[("boot", culprit_console::Outcome::Pass)]))
        }
    }

    fn job(seq: i64, label: &str) -> Job {
        Job {
            work: Work::in_place(),
            seq,
            logs: std::env::temp_dir(),
            label: label.into(),
            artifact_cache: None,
            pace: None,
        }
    }

    fn gated() -> (Threaded<Gated>, SyncSender<()>) {
        let (release, gate) = mpsc::sync_channel(1);
        let runner = Gated {
            release: Mutex::new(gate),
        };
        (Threaded::new(runner, Arc::new(Unobserved)), release)
    }

    #[test]
    fn a_step_that_ends_first_comes_back_first() {
        let (mut executor, release) = gated();
        executor.start(0, job(1, "slow")).unwrap();
        executor.start(1, job(2, "fast")).unwrap();
        assert!(
            executor.start(1, job(3, "busy")).is_err(),
            "worker 1 is busy"
        );
        let first = executor.wait().unwrap();
        assert_eq!((first.worker, first.job.seq), (1, 2));
        executor.start(1, job(3, "next")).unwrap();
        assert_eq!(executor.wait().unwrap().job.seq, 3);
        release.send(()).unwrap();
        assert_eq!(executor.wait().unwrap().job.seq, 1);
        assert!(executor.wait().is_none());
    }

    #[test]
    fn try_wait_hands_back_only_a_step_that_has_ended() {
        let (mut executor, release) = gated();
        executor.start(0, job(1, "slow")).unwrap();
        assert!(executor.try_wait().is_none(), "worker 0 is still running");
        executor.start(1, job(2, "fast")).unwrap();
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        let finished = loop {
            if let Some(finished) = executor.try_wait() {
                break finished;
            }
            assert!(Instant::now() < deadline, "the fast step never ended");
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert_eq!((finished.worker, finished.job.seq), (1, 2));
        executor.start(1, job(3, "again")).unwrap();
        release.send(()).unwrap();
        let mut rest: Vec<i64> = std::iter::from_fn(|| executor.wait())
            .map(|f| f.job.seq)
            .collect();
        rest.sort();
        assert_eq!(rest, [1, 3]);
    }

    #[test]
    fn a_runner_that_panics_hands_its_worker_back_with_an_error() {
        let (mut executor, _release) = gated();
        executor.start(1, job(1, "panic")).unwrap();
        let finished = executor.wait().unwrap();
        let err = finished.result.unwrap_err().to_string();
        assert!(
            err.contains("worker 2 crashed while running panic"),
            "{err}"
        );
        assert!(executor.wait().is_none());
    }
}
