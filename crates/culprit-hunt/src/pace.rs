//! What a session learns of each test's pace: the timelines of its passing runs, from
//! which later runs get learned hang deadlines (see `culprit_console::Deadline`).
//!
//! Every passing run teaches, whichever step it belongs to; only the steps whose
//! request asks for it are held to the deadlines. The good endpoint (where the pace is
//! learned), the first run of the bad endpoint (which decides the targets) and the
//! culprit's verification always run with the full timeouts, so a verdict a learned
//! deadline decided is never the last word on the culprit.

use crate::record::StepResult;
use culprit_console::{Deadline, LearnedHang, Margin, Outcome, Timeline};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The timelines of the passing runs seen so far, per test; shared by a session's
/// workers, which add to it as their runs pass.
#[derive(Debug, Default)]
pub struct PaceBook {
    passes: Mutex<BTreeMap<String, Vec<Timeline>>>,
}

impl PaceBook {
    /// Learns from the passing runs of `result` (one read back from the journal, say).
    pub fn learn_from(&self, result: &StepResult) {
        for run in result.tests.iter().filter(|r| r.outcome == Outcome::Pass) {
            if let Some(timeline) = &run.timeline {
                self.learn(&run.name, timeline.clone());
            }
        }
    }

    pub fn learn(&self, test: &str, timeline: Timeline) {
        if let Ok(mut passes) = self.passes.lock() {
            passes.entry(test.to_string()).or_default().push(timeline);
        }
    }

    /// The deadline of `test` under `margin`; `None` before any of its runs passed.
    pub fn deadline(&self, test: &str, margin: Margin) -> Option<Deadline> {
        let passes = self.passes.lock().ok()?;
        Deadline::learn(margin, passes.get(test)?)
    }
}

/// How a step's runs are timed.
#[derive(Clone, Debug)]
pub struct Pace {
    pub book: Arc<PaceBook>,
    /// The margin its runs' learned deadlines get; `None`: the full timeouts.
    pub margin: Option<Margin>,
}

/// The runs of `result` that a learned deadline ended, with it.
pub fn learned_hangs(result: &StepResult) -> impl Iterator<Item = (&str, &LearnedHang)> {
    result
        .tests
        .iter()
        .filter_map(|run| run.learned.as_ref().map(|hang| (run.name.as_str(), hang)))
}
