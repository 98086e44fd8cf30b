//! Search steps that start while the bad endpoint still runs.
//!
//! The bad endpoint is often a hunt's slowest step (a hang lasts until the silence
//! timeout), and until it ends no test has a target; a worker that has finished the good
//! endpoint would wait for it. Instead it tests a candidate the search would test first.
//! Without targets such a step cannot end at the first test that shows its target, so it
//! ends at the first test that fails at all. Once the targets are known, the search takes
//! its result only when that is enough to judge it as one of its own steps would be
//! judged (good, bad, or every test run) and sets it aside otherwise, so no verdict
//! rests on a run cut short. A worker whose early step ends while the bad endpoint
//! still runs takes another.

use super::CommitHunt;
use crate::error::{Context, Result};
use crate::judgement::Judgement;
use crate::record::StepResult;
use crate::session::{Request, Ticket};
use crate::target::Target;
use crate::told::Told;
use culprit_console::Outcome;
use culprit_search::commit::{BisectOptions, Bisection, CommitGraph, Status, Verdict};
use std::collections::{BTreeMap, BTreeSet};

/// The early steps of the endpoints phase.
#[derive(Default)]
struct EarlySteps {
    /// Every early step, by ticket, with the node it tests.
    all: BTreeMap<Ticket, usize>,
    /// Those that ended.
    ended: BTreeSet<Ticket>,
    /// Nodes whose early step told what any target would make of them: every test
    /// passed (good), or the candidate did not build (untestable).
    known: BTreeSet<usize>,
}

impl EarlySteps {
    fn running(&self) -> usize {
        self.all.len() - self.ended.len()
    }

    /// The nodes of early steps whose verdict the bisection does not have: the next
    /// early step complements them.
    fn unknown(&self) -> Vec<usize> {
        self.all
            .values()
            .copied()
            .filter(|node| !self.known.contains(node))
            .collect()
    }

    /// An early step ended, with the verdict it has whatever the targets turn out to
    /// be: that goes into the bisection early steps are chosen from, so the next one
    /// is chosen knowing it.
    fn end(&mut self, bisection: &mut Bisection, ticket: Ticket, verdict: Option<Verdict>) {
        let Some(&node) = self.all.get(&ticket) else {
            return;
        };
        self.ended.insert(ticket);
        if let Some(verdict) = verdict {
            if bisection.record(node, verdict).is_ok() {
                self.known.insert(node);
            }
        }
    }
}

/// The phase of an early step: never cached and never replayed as a search step, since
/// it may have stopped before a step with targets would have.
pub const EARLY_PHASE: &str = "search-early";

impl CommitHunt<'_, '_> {
    /// Runs the endpoint steps (`requests`, the bad endpoint first) and returns their
    /// results in order, with the early steps taken (by ticket, the node each tests).
    /// While the bad endpoint runs, each worker left free takes an early step, and
    /// another when that one ends: a hang at the bad endpoint lasts its full silence,
    /// long enough for several. Each is chosen knowing the early verdicts that hold
    /// whatever the targets (a pass, a build that failed), and to complement the
    /// failures not judged yet. Early steps that end before the endpoints are given
    /// back to the session for the search to take.
    pub(crate) fn run_endpoints(
        &mut self,
        requests: Vec<Request>,
        graph: &CommitGraph,
        good_nodes: &[usize],
    ) -> Result<(Vec<StepResult>, BTreeMap<Ticket, usize>)> {
        let mut numbered: Vec<(usize, Request)> = requests.into_iter().enumerate().collect();
        // With one worker the good endpoints go first: one that fails ends the hunt
        // before the bad endpoint's hang is waited out, and the bad endpoint's
        // flakiness check then follows its first run on a worker that still holds its
        // build (see `crate::kept_build`). With more, the bad endpoint, the slowest
        // step, starts first.
        if self.session.workers() == 1 {
            numbered.rotate_left(1);
        }
        let mut order = BTreeMap::new();
        for (i, request) in numbered {
            order.insert(self.session.submit(request)?, i);
        }
        let mut results: Vec<Option<StepResult>> = vec![None; order.len()];
        let mut early = EarlySteps::default();
        let mut ended = Vec::new();
        let mut bisection = self.early_bisection(graph, good_nodes);
        while results.iter().any(Option::is_none) {
            let bad_running = results.first().is_some_and(Option::is_none);
            if let Some(bisection) = bisection.as_mut().filter(|_| bad_running) {
                self.start_early(bisection, graph, &mut early)?;
            }
            let Some((ticket, result)) = self.session.next_finished()? else {
                break;
            };
            match order.get(&ticket) {
                Some(&i) => results[i] = Some(result),
                None => {
                    if let Some(bisection) = bisection.as_mut() {
                        let verdict = self.early_verdict(&result);
                        early.end(bisection, ticket, verdict);
                    }
                    ended.push((ticket, result));
                }
            }
        }
        self.session.put_back(ended);
        let results = results
            .into_iter()
            .map(|r| r.context("an endpoint step produced no result; this is a bug in culprit"))
            .collect::<Result<Vec<_>>>()?;
        Ok((results, early.all))
    }

    /// The search as it starts once the bad endpoint is bad, to choose early steps from;
    /// `None` when there are none to take: one worker, an intermittent failure (whose
    /// search weighs every run), or a range the search will refuse anyway.
    fn early_bisection<'g>(
        &self,
        graph: &'g CommitGraph,
        good_nodes: &[usize],
    ) -> Option<Bisection<'g>> {
        if self.plan.settings.flaky || self.session.workers() < 2 {
            return None;
        }
        let bad = graph.index(&self.plan.bad)?;
        let options = BisectOptions {
            first_parent: self.plan.settings.first_parent,
            flaky: None,
            confidence: self.plan.settings.confidence,
            ..BisectOptions::default()
        };
        let mut bisection = Bisection::new(graph, good_nodes, bad, options).ok()?;
        bisection.record(bad, Verdict::Bad).ok()?;
        Some(bisection)
    }

    /// Gives every free worker an early step, each chosen to complement those whose
    /// verdict is not known yet. (Whether a worker was free is a matter of timing; a
    /// resumed session replays it.)
    fn start_early(
        &mut self,
        bisection: &mut Bisection,
        graph: &CommitGraph,
        early: &mut EarlySteps,
    ) -> Result<()> {
        // By name, as the search orders the tests that have targets.
        let mut tests = self.plan.settings.tests.clone();
        tests.sort();
        let stop_at: BTreeMap<String, Target> = tests
            .iter()
            .map(|t| (t.clone(), Target::AnyFailure))
            .collect();
        while self.session.wants_work() && early.running() + 1 < self.session.workers() {
            let Status::Searching { suspects, .. } = bisection.status() else {
                break;
            };
            let Some(&node) = bisection.next_with_pending(1, &early.unknown()).first() else {
                break;
            };
            let key = graph.id(node).to_string();
            self.show_suspects(suspects);
            let request = self.request(EARLY_PHASE, &key, &tests, &stop_at);
            let ticket = self.session.submit(request)?;
            self.tell(Told::Testing {
                candidate: self.plan.label(&key),
                suspects,
                likeliest: None,
                fixups: Vec::new(),
                early: true,
                replayed: self.session.replayed(ticket),
            });
            early.all.insert(ticket, node);
        }
        Ok(())
    }

    /// What an early step's result says before the targets are known: good when every
    /// test ran and passed, untestable when the candidate did not build; a failure
    /// says nothing yet (it may be the target or another).
    fn early_verdict(&self, result: &StepResult) -> Option<Verdict> {
        if result.interrupted() || result.infra_failed() {
            return None;
        }
        if let Some(build) = result.build.as_ref().filter(|b| b.outcome != Outcome::Pass) {
            return Some(Verdict::Skip {
                reason: build.outcome.to_string(),
            });
        }
        (self.every_test_ran(result) && result.all_passed()).then_some(Verdict::Good)
    }

    /// Whether an early step's result says as much as a search step's would: a verdict,
    /// or every test run.
    pub(crate) fn early_result_holds(&self, result: &StepResult, judgement: &Judgement) -> bool {
        matches!(judgement, Judgement::Good | Judgement::Bad) || self.every_test_ran(result)
    }

    /// Whether every test of the hunt ran in `result` (an early step stops at its first
    /// failure, so some may not have).
    fn every_test_ran(&self, result: &StepResult) -> bool {
        self.plan
            .settings
            .tests
            .iter()
            .all(|test| result.tests.iter().any(|run| &run.name == test))
    }
}
