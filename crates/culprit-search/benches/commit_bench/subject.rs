//! culprit's side of a row: a generated history, its commit graph and its git
//! repository, and the hunt run in process against the trial's oracle.

use std::path::Path;
use std::time::Instant;

use culprit_search::commit::simulate::{hunt, hunt_with_fixups, FixTiming, History, SplitMix64};
use culprit_search::commit::{BisectOptions, CommitGraph, FlakyModel, Status, Verdict};

use crate::git_bisect::Repo;
use crate::scenario::{Scenario, Shape, Trial};
use crate::tally::Outcome;
use crate::{ENDPOINT_BATCH, MAX_BATCHES, MAX_RUNS, WANTED_FAILS};

/// A generated history, its graph, and its git repository.
pub(crate) struct Subject {
    pub(crate) history: History,
    graph: CommitGraph,
    node_of: Vec<usize>,
    commit_of: Vec<usize>,
    pub(crate) repo: Repo,
}

impl Subject {
    pub(crate) fn new(shape: Shape, len: usize, seed: u64, dir: &Path) -> Self {
        let mut rng = SplitMix64::new(seed);
        let history = match shape {
            Shape::Linear => History::linear(len),
            Shape::MergeHeavy => History::merge_heavy(len, &mut rng),
        };
        let graph = history.graph().expect("a generated history is a DAG");
        let (node_of, commit_of) = history.node_numbers(&graph);
        let repo = Repo::create(dir, &history);
        Self {
            history,
            graph,
            node_of,
            commit_of,
            repo,
        }
    }

    fn tip(&self) -> usize {
        self.history.len() - 1
    }

    /// culprit's hunt: returns (runs, outcome, strategy microseconds per run).
    pub(crate) fn culprit_hunt(&self, scenario: Scenario, trial: &Trial) -> (usize, Outcome, f64) {
        let contains = self.history.contains(trial.culprit);
        let mut flips = SplitMix64::new(trial.seed);
        let p = scenario.flaky().unwrap_or(1.0);
        let mut endpoint_runs = 0;
        let options = match scenario.flaky() {
            None => BisectOptions::default(),
            Some(p) => {
                let (mut bad_fails, mut bad_runs) = (0, 0);
                for batch in 0..MAX_BATCHES {
                    bad_fails += (0..ENDPOINT_BATCH).filter(|_| flips.chance(p)).count() as u32;
                    bad_runs += ENDPOINT_BATCH;
                    if bad_fails >= WANTED_FAILS || batch + 1 == MAX_BATCHES {
                        break;
                    }
                }
                endpoint_runs = bad_runs as usize + ENDPOINT_BATCH as usize;
                match FlakyModel::estimate(bad_fails, bad_runs, 0, ENDPOINT_BATCH) {
                    Ok(model) => BisectOptions {
                        flaky: Some(model),
                        confidence: 0.99,
                        ..BisectOptions::default()
                    },
                    Err(_) => return (endpoint_runs, Outcome::Inconclusive, 0.0),
                }
            }
        };
        let oracle = |node: usize| {
            let commit = self.commit_of[node];
            if trial.skipped(commit) {
                Verdict::Skip {
                    reason: "does not build".into(),
                }
            } else if contains[commit] && (p >= 1.0 || flips.chance(p)) {
                Verdict::Bad
            } else {
                Verdict::Good
            }
        };
        let start = Instant::now();
        let result = match scenario {
            // With the fix applied, a commit of the window is tested like any other.
            Scenario::SkipAroundCulpritFixups | Scenario::SkipAroundCulpritFixupsUpFront => {
                hunt_with_fixups(
                    &self.graph,
                    &[self.node_of[0]],
                    self.node_of[self.tip()],
                    options,
                    MAX_RUNS,
                    if matches!(scenario, Scenario::SkipAroundCulpritFixupsUpFront) {
                        FixTiming::UpFront
                    } else {
                        FixTiming::AfterTheEnd
                    },
                    |node, fixed| {
                        let commit = self.commit_of[node];
                        if trial.skipped(commit) && !fixed {
                            Verdict::Skip {
                                reason: "does not build".into(),
                            }
                        } else if contains[commit] {
                            Verdict::Bad
                        } else {
                            Verdict::Good
                        }
                    },
                )
            }
            _ => hunt(
                &self.graph,
                &[self.node_of[0]],
                self.node_of[self.tip()],
                options,
                1,
                MAX_RUNS,
                oracle,
            ),
        }
        .expect("the endpoints are in the graph");
        let micros = start.elapsed().as_secs_f64() * 1e6 / result.runs.max(1) as f64;
        let culprit = self.node_of[trial.culprit];
        let outcome = match result.status {
            Status::Found { culprit: found, .. } if found == culprit => Outcome::Exact,
            Status::Ambiguous { suspects } if suspects.iter().any(|s| s.node == culprit) => {
                Outcome::Ambiguous(suspects.len())
            }
            Status::Searching { .. } => Outcome::Inconclusive,
            _ => Outcome::Wrong,
        };
        (result.runs + endpoint_runs, outcome, micros)
    }
}
