//! Configuration minimization: which of the changes between a good and a bad
//! configuration make each test fail.
//!
//! Changes are indexed `0..n` (the order of `culprit_kconfig::diff`). A candidate is a
//! subset of changes applied on top of the good configuration. One build serves every
//! test, so an observation is the set of changes the normalizer actually applied plus a
//! verdict per test. Each test fails when the applied set contains one of its culprit
//! sets; several independent culprit sets per test, each possibly an interaction of
//! several options. The search finds, per test, every minimal culprit set and a minimal
//! cure, and shares builds between tests: all tests replay their searches against the
//! same evidence, tests in the same state ask for the same builds, and the builds asked
//! for by most tests go first.
//!
//! Flaky verdicts show up as contradictions (a failing set inside a passing one); the
//! weaker side is run again. With [`ConfigSearchOptions::confirmations`] above one,
//! every fact the answer rests on must also be confirmed by that many more agreeing runs
//! than disagreeing ones.

mod changeset;
mod evidence;
mod hitting;
mod hunt;

use std::collections::{BTreeMap, BTreeSet};

use changeset::ChangeSet;
use evidence::Evidence;
use hitting::minimal_hitting_sets;
use hunt::{Hunt, Plan};

/// What one test run said about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Good,
    Bad,
    /// The run tells nothing for this test (another failure, a build error): the
    /// candidate is untestable for it, and the search works around it.
    Skip,
}

/// Tolerance for flaky verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSearchOptions {
    /// How many more agreeing than disagreeing runs each fact of a final answer needs.
    /// 1 trusts every verdict (deterministic tests).
    pub confirmations: u32,
    /// The most runs of one candidate; a contradiction still standing after that makes the
    /// test inconclusive instead of looping.
    pub max_runs: u32,
}

impl ConfigSearchOptions {
    /// Options for tests that sometimes give the wrong verdict: room for the lead of
    /// `confirmations` to build up even when a few runs of a candidate go wrong (with one
    /// wrong verdict in twenty, a fact fails to reach a lead of 3 in 14 runs about once in
    /// 20 000).
    pub fn flaky(confirmations: u32) -> ConfigSearchOptions {
        ConfigSearchOptions {
            confirmations,
            max_runs: 4 * confirmations + 2,
        }
    }
}

/// Deterministic tests: every verdict is trusted, and a contradiction (which then means
/// the normalizer or the test is not monotone) is given three runs before the test is
/// called inconclusive.
impl Default for ConfigSearchOptions {
    fn default() -> ConfigSearchOptions {
        ConfigSearchOptions {
            confirmations: 1,
            max_runs: 3,
        }
    }
}

/// Where one test's search stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestStatus {
    Searching,
    /// Every minimal culprit set (each reproduces the failure applied on top of the good
    /// configuration), and the smallest cure (reverting these changes from the bad
    /// configuration makes the test pass: one change of every culprit set). A test that
    /// passes with every change applied has no culprit sets and an empty cure.
    Done {
        culprit_sets: Vec<BTreeSet<usize>>,
        cure: BTreeSet<usize>,
    },
    Inconclusive {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigStatus {
    pub tests: BTreeMap<String, TestStatus>,
    /// Changes that were requested but never applied by the normalizer (a dependency is
    /// off, the option sits in the wrong `if` block): never suspected.
    pub never_applied: BTreeSet<usize>,
    pub builds: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigSearchError {
    #[error("change index {index} is out of range (there are {n} changes)")]
    UnknownChange { index: usize, n: usize },
    #[error("verdict for unknown test `{0}`")]
    UnknownTest(String),
}

/// The search for every test's culprit sets. Feed it every build with
/// [`ConfigSearch::record`] and ask [`ConfigSearch::next`] what to build; the same
/// records in the same order always give the same requests, so a session resumes by
/// replaying its journal.
#[derive(Debug)]
pub struct ConfigSearch {
    n: usize,
    tests: Vec<String>,
    options: ConfigSearchOptions,
    evidence: Evidence,
}

impl ConfigSearch {
    pub fn new(n_changes: usize, tests: Vec<String>, options: ConfigSearchOptions) -> ConfigSearch {
        ConfigSearch {
            n: n_changes,
            tests,
            options,
            evidence: Evidence::new(n_changes),
        }
    }

    /// Up to `k` sets of changes to build next (parallel builds), most useful first;
    /// empty when every test is done or inconclusive. The endpoints (every change, for
    /// the bad configuration; none, for the good one) come first unless already recorded.
    pub fn next(&self, k: usize) -> Vec<BTreeSet<usize>> {
        let bad = ChangeSet::full(self.n);
        let good = ChangeSet::empty(self.n);
        let endpoints: Vec<BTreeSet<usize>> = [bad, good]
            .into_iter()
            .filter(|e| self.evidence.runs(e) == 0)
            .map(|e| e.to_btree())
            .take(k)
            .collect();
        if !endpoints.is_empty() || k == 0 {
            return endpoints;
        }
        let needs: Vec<Vec<ChangeSet>> = self
            .plans(k)
            .into_iter()
            .filter_map(|plan| match plan {
                Plan::Need(builds) => Some(builds),
                _ => None,
            })
            .collect();
        schedule(&needs, k)
            .into_iter()
            .map(|set| set.to_btree())
            .collect()
    }

    /// Records one build: the changes requested, the changes the normalizer actually
    /// applied (read back from the effective configuration), and each test's verdict (a
    /// test missing from `verdicts` counts as skipped).
    pub fn record(
        &mut self,
        requested: &BTreeSet<usize>,
        applied: &BTreeSet<usize>,
        verdicts: &BTreeMap<String, Verdict>,
    ) -> Result<(), ConfigSearchError> {
        let requested = self.change_set(requested)?;
        let applied = self.change_set(applied)?;
        if let Some(unknown) = verdicts.keys().find(|t| !self.tests.contains(t)) {
            return Err(ConfigSearchError::UnknownTest(unknown.clone()));
        }
        let verdicts: Vec<Verdict> = self
            .tests
            .iter()
            .map(|t| verdicts.get(t).copied().unwrap_or(Verdict::Skip))
            .collect();
        self.evidence.record(requested, applied, &verdicts);
        Ok(())
    }

    pub fn status(&self) -> ConfigStatus {
        let tests = self
            .tests
            .iter()
            .zip(self.plans(1))
            .map(|(test, plan)| {
                let status = match plan {
                    Plan::Need(_) => TestStatus::Searching,
                    Plan::Done(terms) => TestStatus::Done {
                        cure: cure(&terms, self.n).to_btree(),
                        culprit_sets: terms.iter().map(ChangeSet::to_btree).collect(),
                    },
                    Plan::Inconclusive(reason) => TestStatus::Inconclusive { reason },
                };
                (test.clone(), status)
            })
            .collect();
        ConfigStatus {
            tests,
            never_applied: self.evidence.never_applied().to_btree(),
            builds: self.evidence.builds(),
        }
    }

    /// What the bad endpoint applied: the only changes that can be culprits.
    fn universe(&self) -> Option<&ChangeSet> {
        self.evidence.applied_for(&ChangeSet::full(self.n))
    }

    fn plans(&self, budget: usize) -> Vec<Plan> {
        let Some(universe) = self.universe() else {
            return vec![Plan::Need(vec![ChangeSet::full(self.n)]); self.tests.len()];
        };
        (0..self.tests.len())
            .map(|test| Hunt::new(&self.evidence, test, universe, &self.options, budget).plan())
            .collect()
    }

    fn change_set(&self, indices: &BTreeSet<usize>) -> Result<ChangeSet, ConfigSearchError> {
        match indices.iter().find(|&&i| i >= self.n) {
            Some(&index) => Err(ConfigSearchError::UnknownChange { index, n: self.n }),
            None => Ok(ChangeSet::from_indices(self.n, indices.iter().copied())),
        }
    }
}

/// The builds to run: first the first choice of every test, the one most tests share
/// leading, then second choices, and so on, up to `k`.
fn schedule(needs: &[Vec<ChangeSet>], k: usize) -> Vec<ChangeSet> {
    let mut chosen: Vec<ChangeSet> = Vec::new();
    let deepest = needs.iter().map(Vec::len).max().unwrap_or(0);
    for rank in 0..deepest {
        let mut candidates: Vec<(usize, &ChangeSet)> = Vec::new();
        for set in needs.iter().filter_map(|builds| builds.get(rank)) {
            match candidates.iter_mut().find(|(_, s)| *s == set) {
                Some((votes, _)) => *votes += 1,
                None => candidates.push((1, set)),
            }
        }
        candidates.sort_by_key(|(votes, _)| std::cmp::Reverse(*votes));
        for (_, set) in candidates {
            if chosen.len() == k {
                return chosen;
            }
            if !chosen.contains(set) {
                chosen.push(set.clone());
            }
        }
    }
    chosen
}

/// The smallest minimal hitting set, the first in a fixed order among equals.
fn cure(terms: &[ChangeSet], n: usize) -> ChangeSet {
    minimal_hitting_sets(terms, n, usize::MAX)
        .and_then(|all| all.into_iter().next())
        .unwrap_or_else(|| ChangeSet::empty(n))
}
