//! Choosing candidates when the rates are unknown and "no culprit" is a hypothesis.
//!
//! A run's worth is the mutual information between its outcome and the hypothesis
//! (which suspect is the culprit, or none): the entropy of the outcome's predicted
//! distribution less the entropy each hypothesis expects, both with the rates each
//! hypothesis has learned. For a candidate these are sums over its ancestors, so the
//! suspects' masses give every candidate's worth in one pass. The good endpoint is a
//! candidate too: it contains no suspect, and its runs are what tell a culprit from a
//! flake.
//!
//! Several runs at once are chosen greedily, each for what it adds to those already
//! chosen or running: their outcomes are imagined both ways, the posterior updated for
//! every combination, and the next run scored by its expected worth across them.

use super::evidence::Evidence;
use super::posterior::Expected;
use super::select::{best, binary_entropy, testable, MIN_GAIN};
use super::suspects::Suspects;

/// Runs whose outcomes are imagined together; past this the choice ignores the rest
/// (2^6 combinations already cost 64 passes over the suspects per candidate chosen).
const MAX_IMAGINED: usize = 6;

/// A candidate: a suspect (local number) or a good endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    Suspect(usize),
    Clear,
}

pub(crate) struct Informer<'a> {
    pub suspects: &'a Suspects,
    pub evidence: &'a Evidence,
    /// The distribution to choose by ([`Posterior::steering`]) and what each hypothesis
    /// expects of a run.
    pub steering: (Vec<f64>, f64),
    pub expected: &'a Expected,
}

/// One imagined combination of outcomes: its probability and the posterior after it.
struct Branch {
    probability: f64,
    weights: Vec<f64>,
    none: f64,
}

impl Informer<'_> {
    /// Up to `k` candidates, best first, to run alongside the pending runs (which contain
    /// the suspects in `pending_contained`; those that are suspects themselves are in
    /// `pending_local`). `clear` says whether a good endpoint may be chosen.
    pub fn choose(
        &self,
        k: usize,
        pending_local: &[usize],
        pending_contained: &[Vec<u32>],
        clear: bool,
    ) -> Vec<Pick> {
        let len = self.suspects.len();
        let testable = testable(self.suspects, self.evidence);
        let mut eligible = vec![true; len];
        for s in self.evidence.skipped().chain(pending_local.iter().copied()) {
            eligible[s] = false;
        }
        let mut clear_eligible = clear;
        let mut imagined: Vec<Vec<bool>> = pending_contained
            .iter()
            .take(MAX_IMAGINED)
            .map(|contained| self.membership(contained))
            .collect();
        let mut chosen = Vec::new();
        while chosen.len() < k {
            let branches = self.branches(&imagined);
            let mut score = vec![0.0; len];
            let mut clear_score = 0.0;
            for branch in &branches {
                let (worth, clear_worth) = self.worth(branch);
                for (s, w) in score.iter_mut().zip(worth) {
                    *s += branch.probability * w;
                }
                clear_score += branch.probability * clear_worth;
            }
            for (c, s) in score.iter_mut().enumerate() {
                *s = if eligible[c] { *s * testable[c] } else { 0.0 };
            }
            let suspect = best(score.iter().copied().enumerate());
            let suspect_score = suspect.map_or(0.0, |c| score[c]);
            let pick = if clear_eligible && clear_score > suspect_score.max(MIN_GAIN) {
                clear_eligible = false;
                Pick::Clear
            } else if let Some(c) = suspect {
                eligible[c] = false;
                Pick::Suspect(c)
            } else {
                break;
            };
            if imagined.len() < MAX_IMAGINED {
                imagined.push(match pick {
                    Pick::Suspect(c) => self.membership(&self.suspects.ancestors(c)),
                    Pick::Clear => vec![false; len],
                });
            }
            chosen.push(pick);
        }
        chosen
    }

    fn membership(&self, contained: &[u32]) -> Vec<bool> {
        let mut inside = vec![false; self.suspects.len()];
        for &s in contained {
            inside[s as usize] = true;
        }
        inside
    }

    /// Every combination of outcomes of the imagined runs, with the rates each
    /// hypothesis has learned so far.
    fn branches(&self, imagined: &[Vec<bool>]) -> Vec<Branch> {
        let (weights, none) = &self.steering;
        let total = weights.iter().sum::<f64>() + none;
        let mut branches = vec![Branch {
            probability: 1.0,
            weights: weights.iter().map(|w| w / total).collect(),
            none: none / total,
        }];
        let expected = self.expected;
        for inside in imagined {
            let mut next = Vec::with_capacity(branches.len() * 2);
            for branch in &branches {
                for failed in [true, false] {
                    let outcome = |rate: f64| if failed { rate } else { 1.0 - rate };
                    let weights: Vec<f64> = branch
                        .weights
                        .iter()
                        .enumerate()
                        .map(|(s, w)| {
                            let rate = if inside[s] {
                                expected.inside[s]
                            } else {
                                expected.outside[s]
                            };
                            w * outcome(rate)
                        })
                        .collect();
                    let none = branch.none * outcome(expected.no_culprit);
                    let given = weights.iter().sum::<f64>() + none;
                    if given > 0.0 {
                        next.push(Branch {
                            probability: branch.probability * given,
                            weights: weights.iter().map(|w| w / given).collect(),
                            none: none / given,
                        });
                    }
                }
            }
            branches = next;
        }
        branches
    }

    /// The information one run of each suspect, and of a good endpoint, gives about the
    /// hypothesis under a branch's posterior (normalized).
    fn worth(&self, branch: &Branch) -> (Vec<f64>, f64) {
        let expected = self.expected;
        let weighted = |f: &dyn Fn(usize) -> f64| -> Vec<f64> {
            branch
                .weights
                .iter()
                .enumerate()
                .map(|(s, w)| w * f(s))
                .collect()
        };
        let fail_in = weighted(&|s| expected.inside[s]);
        let fail_out = weighted(&|s| expected.outside[s]);
        let entropy_in = weighted(&|s| expected.inside_entropy[s]);
        let entropy_out = weighted(&|s| expected.outside_entropy[s]);
        let all_out: f64 = fail_out.iter().sum();
        let all_entropy_out: f64 = entropy_out.iter().sum();
        let flake_fail = branch.none * expected.no_culprit;
        let flake_entropy = branch.none * expected.no_culprit_entropy;
        let information =
            |fail: f64, entropy: f64| (binary_entropy(fail.clamp(0.0, 1.0)) - entropy).max(0.0);
        let masses = [fail_in, fail_out, entropy_in, entropy_out].map(|v| self.suspects.masses(&v));
        let worth = (0..self.suspects.len())
            .map(|c| {
                let fail = masses[0][c] + all_out - masses[1][c] + flake_fail;
                let entropy = masses[2][c] + all_entropy_out - masses[3][c] + flake_entropy;
                information(fail, entropy)
            })
            .collect();
        let clear = information(all_out + flake_fail, all_entropy_out + flake_entropy);
        (worth, clear)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::model::{BisectOptions, UnknownRates, Weighing};
    use crate::commit::posterior::Posterior;
    use crate::commit::simulate::History;

    #[test]
    fn imagined_outcomes_are_a_distribution() {
        let graph = History::linear(12).graph().unwrap();
        let at = |i: usize| graph.index(&History::id(i)).unwrap();
        let suspects = Suspects::new(&graph, &[at(0)], at(11), false);
        let mut evidence = Evidence::new(suspects.len());
        evidence.add_run(Some(10), &suspects.ancestors(10), true);
        evidence.add_run(Some(4), &suspects.ancestors(4), false);
        let weighing = Weighing::from_options(&BisectOptions {
            unknown_rates: Some(UnknownRates::default()),
            ..BisectOptions::default()
        })
        .unwrap();
        let posterior = Posterior::new(&evidence, &weighing, &vec![1.0; suspects.len()]);
        let expected = posterior.expected.clone().unwrap();
        let informer = Informer {
            suspects: &suspects,
            evidence: &evidence,
            steering: posterior.steering(false),
            expected: &expected,
        };
        let imagined: Vec<Vec<bool>> = [2, 5, 8]
            .iter()
            .map(|&c| informer.membership(&suspects.ancestors(c)))
            .collect();
        let branches = informer.branches(&imagined);
        assert_eq!(branches.len(), 8);
        let total: f64 = branches.iter().map(|b| b.probability).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        for branch in &branches {
            let mass = branch.weights.iter().sum::<f64>() + branch.none;
            assert!((mass - 1.0).abs() < 1e-9);
        }
        let picks = informer.choose(4, &[], &[], true);
        assert_eq!(picks.len(), 4);
        for (i, pick) in picks.iter().enumerate() {
            assert!(!picks[i + 1..].contains(pick), "{picks:?}");
        }
    }
}
