//! What a hunt tells whoever watches it (a live display, a CI log, nobody).
//!
//! The hunt crate decides what happens and when; how it is shown belongs to the front
//! end, so events cross the seam through this trait and nothing here draws anything.

use crate::record::Place;
use crate::told::Told;
use std::sync::Arc;

/// One thing that happened in a hunt.
#[derive(Clone, Debug)]
pub enum Event<'a> {
    /// Something that stays in the story: an endpoint checked, a target found, a verdict.
    Told(&'a Told),
    /// Where the search stands: suspects left, test runs so far, steps left (an
    /// estimate, for an ETA) and how many workers share them.
    Status {
        suspects: Option<usize>,
        runs: usize,
        steps_left: Option<usize>,
        workers: usize,
    },
    /// Worker `worker` took the step of candidate `label`.
    StepStarted { worker: usize, label: &'a str },
    /// What worker `worker` is doing now (checking out, building, booting a test).
    Activity { worker: usize, text: &'a str },
    /// Worker `worker`'s step runs there (a cluster node, a job id), once known.
    Placed { worker: usize, place: &'a Place },
    /// Worker `worker` finished its step after `seconds`; it is free again.
    StepFinished { worker: usize, seconds: f64 },
}

/// Receives a hunt's events; called from the workers' threads.
pub trait Observer: Send + Sync {
    fn event(&self, event: Event<'_>);
}

impl dyn Observer {
    pub fn tell(&self, told: Told) {
        self.event(Event::Told(&told));
    }
}

/// Nobody watches: `--json` runs, tests and benchmarks.
pub struct Unobserved;

impl Observer for Unobserved {
    fn event(&self, _: Event<'_>) {}
}

/// One worker's activity, handed to the step it runs.
#[derive(Clone)]
pub struct WorkerActivity {
    observer: Arc<dyn Observer>,
    worker: usize,
}

impl WorkerActivity {
    pub fn new(observer: Arc<dyn Observer>, worker: usize) -> WorkerActivity {
        WorkerActivity { observer, worker }
    }

    /// Says where the step runs, as soon as the executor knows.
    pub fn placed(&self, place: &Place) {
        self.observer.event(Event::Placed {
            worker: self.worker,
            place,
        });
    }

    pub fn set(&self, text: String) {
        self.observer.event(Event::Activity {
            worker: self.worker,
            text: &text,
        });
    }
}
