//! The endpoints phase: both endpoints run at once; the bad one decides each test's
//! target, the good one must pass them, and reruns of the bad one tell whether the
//! failure is intermittent.

use super::{CandidateKind, CommitHunt};
use crate::error::{HuntError, Result};
use crate::judge::{judge, INFRA_RETRIES};
use crate::judgement::Judgement;
use crate::record::StepResult;
use crate::session::Ticket;
use crate::target::Target;
use crate::told::Told;
use culprit_console::Outcome;
use culprit_search::commit::CommitGraph;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Runs of the bad endpoint an intermittent failure (`--flaky`) gets to show itself
/// before the hunt says it did not reproduce.
pub(super) const FLAKY_BAD_ATTEMPTS: u32 = 10;

/// The judged runs of the endpoints so far: with unknown rates each is a run like any
/// other, recorded into the search.
#[derive(Default)]
pub(super) struct EndpointRuns {
    /// Whether each run of the bad endpoint failed, in order.
    pub(super) bad: Vec<bool>,
    /// Each run of a good endpoint, and whether it failed.
    pub(super) good: Vec<(String, bool)>,
}

impl EndpointRuns {
    /// Counts one more run of the bad endpoint; returns whether it passed (the failure
    /// is intermittent). A run that could not be judged does not count.
    pub(super) fn count(&mut self, judgement: &Judgement) -> bool {
        match judgement {
            Judgement::Bad => {
                self.bad.push(true);
                false
            }
            Judgement::Good => {
                self.bad.push(false);
                true
            }
            _ => false,
        }
    }
}

/// What the endpoints phase hands the search.
pub(super) struct Endpoints {
    pub(super) good_nodes: Vec<usize>,
    pub(super) bad_node: usize,
    pub(super) targets: BTreeMap<String, Target>,
    pub(super) target_tests: Vec<String>,
    /// The bad endpoint's logs of the failures hunted, with where each report lies in
    /// its log: the frames a crash's prior reads.
    pub(super) reports: Vec<(PathBuf, Option<(u64, u64)>)>,
    pub(super) runs: EndpointRuns,
    /// Whether the failure is known to be intermittent already.
    pub(super) flaky: bool,
    /// Reruns of the bad endpoint still running alongside the search.
    pub(super) checks: BTreeSet<Ticket>,
    /// Early search steps (see `early.rs`), by ticket, with the node each tests.
    pub(super) early: BTreeMap<Ticket, usize>,
}

impl CommitHunt<'_, '_> {
    /// Runs the endpoints and learns the targets; returns the commit graph with what the
    /// search starts from.
    pub(super) fn check_endpoints(&mut self) -> Result<(CommitGraph, Endpoints)> {
        let bad = self.plan.bad.clone();
        let good = self.plan.good.clone();
        let all_tests = self.plan.settings.tests.clone();

        // Both endpoints at once: the bad one decides the target of each test, the good
        // one must pass them. An intermittent failure may need several runs of the bad
        // endpoint to show itself at all.
        self.tell(Told::CheckingEndpoints {
            bad: self.plan.label(&bad),
            good: good.iter().map(|g| self.plan.label(g)).collect(),
        });
        let mut requests = vec![self.request("endpoint-bad", &bad, &all_tests, &BTreeMap::new())];
        requests.extend(
            good.iter()
                .map(|g| self.request("endpoint-good", g, &all_tests, &BTreeMap::new())),
        );
        let (graph, good_nodes) = self.graph()?;
        let (mut good_results, early) = self.run_endpoints(requests, &graph, &good_nodes)?;
        let first_bad = good_results.remove(0);
        let mut first_bad = self.settle("endpoint-bad", &bad, &all_tests, &[], first_bad)?;
        for (key, result) in good.iter().zip(good_results.iter_mut()) {
            *result = self.settle("endpoint-good", key, &all_tests, &[], result.clone())?;
        }
        let attempts = if self.plan.settings.flaky {
            FLAKY_BAD_ATTEMPTS
        } else {
            1
        };
        let mut runs = EndpointRuns::default();
        let targets = loop {
            match self.targets_at_bad(&first_bad) {
                Ok(targets) => break targets,
                Err(_) if (runs.bad.len() as u32) + 1 < attempts => {
                    // A run in which every test passed is a pass of the bad endpoint;
                    // one the lab spoiled says nothing.
                    if first_bad.tests.iter().all(|t| t.outcome == Outcome::Pass) {
                        runs.bad.push(false);
                    }
                    first_bad = self
                        .run("endpoint-bad", std::slice::from_ref(&bad), &all_tests)?
                        .remove(0);
                }
                Err(err) => return Err(err),
            }
        };
        let passed_first = !runs.bad.is_empty();
        runs.bad.push(true);
        let target_tests: Vec<String> = targets.keys().cloned().collect();
        let reports = first_bad
            .tests
            .iter()
            .filter(|run| targets.contains_key(&run.name))
            .map(|run| (run.log.clone(), run.evidence))
            .collect();
        self.stop_at = targets.clone();
        for (test, target) in &targets {
            self.tell(Told::TargetFound {
                test: test.clone(),
                target: target.clone(),
            });
        }
        for (key, result) in good.iter().zip(&good_results) {
            match judge(result, &targets) {
                Judgement::Good => runs.good.push((key.clone(), false)),
                // A good endpoint that fails now and then is part of an intermittent
                // failure's model (it may be a flake throughout the range).
                Judgement::Bad if self.plan.settings.flaky => runs.good.push((key.clone(), true)),
                other => {
                    return Err(HuntError::GoodFails {
                        revision: self.label(key),
                        verdict: other.to_string(),
                    })
                }
            }
        }

        // Repeated runs of the bad endpoint show whether the failure is intermittent.
        // With a worker to spare they run alongside the first search steps, which
        // assume it is not: should a rerun pass, those steps are dropped and the hunt
        // starts again with a Bayesian model.
        let extra = if self.plan.settings.flaky {
            0
        } else {
            self.plan.settings.endpoint_runs.saturating_sub(1)
        };
        let mut flaky = self.plan.settings.flaky || passed_first;
        let mut checks = BTreeSet::new();
        if !flaky && self.session.workers() > 1 {
            for _ in 0..extra {
                let request = self.request("endpoint-bad", &bad, &target_tests, &targets);
                checks.insert(self.session.submit(request)?);
            }
        } else {
            for _ in 0..extra {
                let judgement = self.rerun_bad(&targets, &target_tests)?;
                flaky |= runs.count(&judgement);
            }
        }

        let bad_node = graph.index(&bad).ok_or_else(|| {
            HuntError::BadInput(format!("{} is not in the range", self.label(&bad)))
        })?;
        Ok((
            graph,
            Endpoints {
                good_nodes,
                bad_node,
                targets,
                target_tests,
                reports,
                runs,
                flaky,
                checks,
                early,
            },
        ))
    }

    /// Runs an endpoint again while the infrastructure failed (QEMU could not start, a
    /// board was busy), so that a flake of the lab is not mistaken for the code.
    pub(super) fn settle(
        &mut self,
        phase: &str,
        key: &str,
        tests: &[String],
        fixups: &[String],
        mut result: StepResult,
    ) -> Result<StepResult> {
        for _ in 0..INFRA_RETRIES {
            let infra = result
                .tests
                .iter()
                .find(|t| matches!(t.outcome, culprit_console::Outcome::InfraError { .. }));
            let Some(run) = infra else {
                break;
            };
            self.tell(Told::EndpointAgain {
                phase: phase.to_string(),
                candidate: self.plan.label(key),
                outcome: run.outcome.clone(),
            });
            let mut request = self.request(phase, key, tests, &self.stop_at);
            request.work.fixups = fixups.to_vec();
            result = self.session.run(vec![request])?.remove(0);
        }
        Ok(result)
    }

    /// One more run of the bad endpoint, judged.
    pub(super) fn rerun_bad(
        &mut self,
        targets: &BTreeMap<String, Target>,
        tests: &[String],
    ) -> Result<Judgement> {
        let bad = self.plan.bad.clone();
        let result = self
            .run("endpoint-bad", std::slice::from_ref(&bad), tests)?
            .remove(0);
        Ok(judge(&result, targets))
    }

    /// Each test that fails at the bad endpoint, with the target it is hunted for.
    pub(super) fn targets_at_bad(&self, bad: &StepResult) -> Result<BTreeMap<String, Target>> {
        let mut targets = BTreeMap::new();
        for run in &bad.tests {
            if let Some(target) = Target::hunted_at_bad(self.plan.settings.target.as_ref(), run) {
                targets.insert(run.name.clone(), target);
            }
        }
        if targets.is_empty() {
            let seen: Vec<String> = bad
                .tests
                .iter()
                .map(|t| format!("{}: {}", t.name, t.outcome))
                .collect();
            return Err(HuntError::NothingToHunt {
                revision: self.label(&self.plan.bad),
                seen: seen.join(", "),
                explicit_target: self.plan.settings.target.is_some(),
            });
        }
        Ok(targets)
    }

    pub(super) fn graph(&self) -> Result<(CommitGraph, Vec<usize>)> {
        match &self.plan.kind {
            CandidateKind::Commits { range, .. } => {
                // The good endpoints join the range as roots: the commits they are
                // parents of then link to them, and a search with unknown rates can run
                // them like any other candidate.
                let mut nodes = range.clone();
                for good in &self.plan.good {
                    if !nodes.iter().any(|(id, _)| id == good) {
                        nodes.push((good.clone(), Vec::new()));
                    }
                }
                let graph = CommitGraph::from_range(nodes).map_err(|e| {
                    HuntError::BadInput(format!("cannot read the commit graph: {e}"))
                })?;
                let good_nodes = self
                    .plan
                    .good
                    .iter()
                    .filter_map(|g| graph.index(g))
                    .collect();
                Ok((graph, good_nodes))
            }
            CandidateKind::Artifacts { list, .. } => {
                let nodes = (0..list.len())
                    .map(|i| {
                        (
                            i.to_string(),
                            if i == 0 {
                                Vec::new()
                            } else {
                                vec![(i - 1).to_string()]
                            },
                        )
                    })
                    .collect();
                let graph = CommitGraph::from_parents(nodes)
                    .map_err(|e| HuntError::BadInput(format!("cannot order the artifacts: {e}")))?;
                Ok((graph, vec![0]))
            }
        }
    }
}
