//! Configuration minimization: which of the changes between a good and a bad
//! configuration make each test fail.
//!
//! Changes are indexed `0..n` (the order of `culprit_kconfig::diff`). A candidate is a
//! subset of changes applied on top of the good configuration. One build serves every
//! test, so an observation is the set of changes the normalizer actually applied plus a
//! verdict per test. Each test fails when the applied set contains one of its culprit
//! sets; several independent culprit sets per test, each possibly an interaction of
//! several options, and each culprit set causes one failure: the one hunted (the bad
//! configuration's) or another one, hunted as well (the bad configuration without the
//! panic's culprit may still hang because of two other options). The search finds, per
//! test and failure, every minimal culprit set, and per test a minimal cure, and shares
//! builds between tests: all tests replay their searches against the
//! same evidence, tests in the same state ask for the same builds, and the builds asked
//! for by most tests go first.
//!
//! Flaky verdicts show up as contradictions (a failing set inside a passing one); the
//! weaker side is run again. With [`ConfigSearchOptions::confirmations`] above one,
//! every fact the answer rests on must also be confirmed by that many more agreeing runs
//! than disagreeing ones.

mod changeset;
mod cost;
mod evidence;
mod hitting;
mod hunt;

use std::collections::{BTreeMap, BTreeSet};

pub use cost::{BuildCosts, CostlyChange};

use changeset::ChangeSet;
use evidence::{Evidence, Seen, TARGET};
use hitting::minimal_hitting_sets;
use hunt::{Hunt, Plan, Term};

/// What one test run said about a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Verdict {
    Good,
    /// Fails the way the test is hunted for (the target).
    Bad,
    /// Fails another way, named by the caller (a signature): a second bug, whose culprit
    /// sets are hunted too. Runs with the same name are the same failure.
    Other(String),
    /// The run tells nothing for this test (a failure outside the hunt, the lab
    /// failing): the candidate is untestable for it, and the search works around it.
    Skip,
}

/// The culprit sets of one failure of a test other than the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherFailure {
    /// The name given with [`Verdict::Other`].
    pub failure: String,
    pub culprit_sets: Vec<BTreeSet<usize>>,
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
    /// Every minimal culprit set of the target failure (each reproduces it applied on top
    /// of the good configuration), those of every other failure found on the way, in the
    /// order found, and the smallest cure (reverting these changes from the bad
    /// configuration makes the test pass: one change of every culprit set of every
    /// failure). A test that passes with every change applied has no culprit sets and an
    /// empty cure.
    Done {
        culprit_sets: Vec<BTreeSet<usize>>,
        others: Vec<OtherFailure>,
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
    /// The names of the failures other than the target, numbered from 1.
    failures: Vec<String>,
    /// The changes as messages name them.
    names: Vec<String>,
    /// Changes a person would rather not revert in a cure (a string or a number, when
    /// the option that guards it can be turned off instead).
    avoid_in_cure: BTreeSet<usize>,
    costs: BuildCosts,
}

impl ConfigSearch {
    pub fn new(n_changes: usize, tests: Vec<String>, options: ConfigSearchOptions) -> ConfigSearch {
        ConfigSearch {
            n: n_changes,
            tests,
            options,
            evidence: Evidence::new(n_changes),
            failures: Vec::new(),
            names: Vec::new(),
            avoid_in_cure: BTreeSet::new(),
            costs: BuildCosts::new(n_changes),
        }
    }

    /// How long the build that applied `applied` took: the estimate of what each change
    /// costs to build, which orders builds worth the same information (see [`Self::next`]).
    /// Record the same times on a replay, as any other evidence.
    pub fn record_build_time(&mut self, applied: &BTreeSet<usize>, seconds: f64) {
        self.costs.record(applied, seconds);
    }

    pub fn costs(&self) -> &BuildCosts {
        &self.costs
    }

    /// Among the smallest cures, prefer those that revert none of `changes` (or the
    /// fewest): turning off `CONFIG_CMDLINE_BOOL` is the cure a person writes, not
    /// unsetting the string `CONFIG_CMDLINE` it guards. Every cure of that size was
    /// built and passed, so the choice costs no build.
    pub fn avoiding_in_cures(mut self, changes: BTreeSet<usize>) -> ConfigSearch {
        self.avoid_in_cure = changes;
        self
    }

    /// Whether a build asked for exactly `changes`, or applied exactly them: the
    /// fragment that stands for them was built, not only inferred.
    pub fn built(&self, changes: &BTreeSet<usize>) -> bool {
        let set = ChangeSet::from_indices(self.n, changes.iter().copied().filter(|&i| i < self.n));
        self.evidence.runs(&set) > 0 || self.evidence.was_applied(&set)
    }

    /// Names the changes (`CONFIG_PANIC_TIMEOUT`) for the reasons of inconclusive tests;
    /// unnamed changes are shown by index.
    pub fn named(mut self, names: Vec<String>) -> ConfigSearch {
        self.names = names;
        self
    }

    /// Up to `k` sets of changes to build next (parallel builds), most useful first;
    /// empty when every test is done or inconclusive. Builds worth the same information
    /// (asked for by as many tests, at the same rank of their plans) go cheapest first,
    /// by the build times recorded so far: the information decides, the cost only breaks
    /// ties, so the number of builds is what it would be without times. The endpoints (every change, for
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
        schedule(&needs, k, &self.costs)
            .into_iter()
            .map(|set| set.to_btree())
            .collect()
    }

    /// Like [`next`](Self::next), while the `pending` builds are still running: up to `k`
    /// other sets, most useful first, so that a worker that frees up gets work at once.
    pub fn next_with_pending(&self, k: usize, pending: &[BTreeSet<usize>]) -> Vec<BTreeSet<usize>> {
        self.next(k + pending.len())
            .into_iter()
            .filter(|set| !pending.contains(set))
            .take(k)
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
        let mut seen = Vec::with_capacity(self.tests.len());
        for test in 0..self.tests.len() {
            seen.push(match verdicts.get(&self.tests[test]) {
                Some(Verdict::Good) => Seen::Pass,
                Some(Verdict::Bad) => Seen::Fails(TARGET),
                Some(Verdict::Other(name)) => Seen::Fails(self.failure_number(name)),
                Some(Verdict::Skip) | None => Seen::Nothing,
            });
        }
        self.evidence.record(requested, applied, &seen);
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
                    Plan::Done(terms) => self.done(&terms),
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

    fn failure_number(&mut self, name: &str) -> usize {
        match self.failures.iter().position(|f| f == name) {
            Some(index) => index + 1,
            None => {
                self.failures.push(name.to_owned());
                self.failures.len()
            }
        }
    }

    fn done(&self, terms: &[Term]) -> TestStatus {
        let sets_of = |failure: usize| -> Vec<BTreeSet<usize>> {
            terms
                .iter()
                .filter(|t| t.failure == failure)
                .map(|t| t.set.to_btree())
                .collect()
        };
        let mut others: Vec<OtherFailure> = Vec::new();
        for term in terms.iter().filter(|t| t.failure != TARGET) {
            let failure = &self.failures[term.failure - 1];
            if others.iter().all(|o| &o.failure != failure) {
                others.push(OtherFailure {
                    failure: failure.clone(),
                    culprit_sets: sets_of(term.failure),
                });
            }
        }
        let all: Vec<ChangeSet> = terms.iter().map(|t| t.set.clone()).collect();
        TestStatus::Done {
            culprit_sets: sets_of(TARGET),
            others,
            cure: self.cure(&all).to_btree(),
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
            .map(|test| {
                Hunt::new(
                    &self.evidence,
                    test,
                    universe,
                    &self.options,
                    budget,
                    &self.names,
                )
                .plan()
            })
            .collect()
    }

    fn change_set(&self, indices: &BTreeSet<usize>) -> Result<ChangeSet, ConfigSearchError> {
        match indices.iter().find(|&&i| i >= self.n) {
            Some(&index) => Err(ConfigSearchError::UnknownChange { index, n: self.n }),
            None => Ok(ChangeSet::from_indices(self.n, indices.iter().copied())),
        }
    }
}

/// The most changes a message lists before it summarizes.
const SHOWN: usize = 8;

/// `{CONFIG_A, CONFIG_B}`: changes by their names (their indices where a name is
/// missing), in messages and progress lines; a long list is cut (`{…8 names…, and 1992
/// more}`), since a line naming 2000 options helps nobody.
pub fn describe_changes(changes: &[usize], names: &[String]) -> String {
    let mut items: Vec<String> = changes
        .iter()
        .take(SHOWN)
        .map(|&i| names.get(i).cloned().unwrap_or_else(|| i.to_string()))
        .collect();
    if changes.len() > SHOWN {
        items.push(format!("and {} more", changes.len() - SHOWN));
    }
    format!("{{{}}}", items.join(", "))
}

/// The builds to run: first the first choice of every test, the one most tests share
/// leading (the cheaper first among equals), then second choices, and so on, up to `k`.
fn schedule(needs: &[Vec<ChangeSet>], k: usize, costs: &BuildCosts) -> Vec<ChangeSet> {
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
        candidates.sort_by(|(votes_a, a), (votes_b, b)| {
            votes_b
                .cmp(votes_a)
                .then_with(|| costs.of(&a.to_btree()).total_cmp(&costs.of(&b.to_btree())))
        });
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

impl ConfigSearch {
    /// The smallest minimal hitting set, with the fewest changes to avoid among equals,
    /// then the first in a fixed order.
    fn cure(&self, terms: &[ChangeSet]) -> ChangeSet {
        let avoided = |set: &ChangeSet| {
            set.iter()
                .filter(|i| self.avoid_in_cure.contains(i))
                .count()
        };
        minimal_hitting_sets(terms, self.n, usize::MAX)
            .and_then(|all| {
                all.into_iter()
                    .min_by(|a, b| a.len().cmp(&b.len()).then(avoided(a).cmp(&avoided(b))))
            })
            .unwrap_or_else(|| ChangeSet::empty(self.n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two tests each ask for one build, with one vote each: the one without the
    /// option that rebuilds everything goes first; more votes still win over cost.
    #[test]
    fn equally_useful_builds_go_cheapest_first() {
        let n = 4;
        let costly = ChangeSet::from_indices(n, [2]);
        let cheap = ChangeSet::from_indices(n, [0, 1]);
        let mut costs = BuildCosts::new(n);
        for (applied, seconds) in [(&[2][..], 60.0), (&[2, 3], 61.0), (&[0], 5.0), (&[3], 6.0)] {
            costs.record(&applied.iter().copied().collect(), seconds);
        }
        let needs = vec![vec![costly.clone()], vec![cheap.clone()]];
        assert_eq!(schedule(&needs, 1, &BuildCosts::new(n))[0], costly);
        assert_eq!(schedule(&needs, 1, &costs)[0], cheap);
        let voted = vec![vec![costly.clone()], vec![costly.clone()], vec![cheap]];
        assert_eq!(schedule(&voted, 1, &costs), [costly]);
    }
}
