//! The verdicts recorded so far and the posterior they give over the suspects.
//!
//! The evidence is kept as counts: for every suspect, how many failing and passing runs
//! were of candidates containing it. A suspect's likelihood depends only on these counts
//! and the totals, so the posterior is the same whatever order the verdicts arrive in: a
//! resumed session that replays its journal, or workers that finish in another order,
//! get the same answers.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Likelihood, RateBelief, Rates};
use super::rates::Runs;

#[derive(Debug, Clone, Default)]
pub(crate) struct Evidence {
    fails_containing: Vec<u32>,
    passes_containing: Vec<u32>,
    fails: u32,
    passes: u32,
    /// Runs of each suspect itself: (fails, passes).
    own: BTreeMap<u32, (u32, u32)>,
    /// Runs of candidates that contain no suspect (the good endpoints): (fails, passes).
    clear: (u32, u32),
    skipped: BTreeMap<u32, BTreeSet<String>>,
}

impl Evidence {
    pub fn new(len: usize) -> Self {
        Self {
            fails_containing: vec![0; len],
            passes_containing: vec![0; len],
            ..Self::default()
        }
    }

    /// One run of a candidate that contains the suspects `contained`; `itself` is the
    /// candidate when it is a suspect.
    pub fn add_run(&mut self, itself: Option<usize>, contained: &[u32], failed: bool) {
        let counts = if failed {
            self.fails += 1;
            &mut self.fails_containing
        } else {
            self.passes += 1;
            &mut self.passes_containing
        };
        for &s in contained {
            counts[s as usize] += 1;
        }
        if contained.is_empty() {
            if failed {
                self.clear.0 += 1;
            } else {
                self.clear.1 += 1;
            }
        }
        if let Some(s) = itself {
            let own = self.own.entry(s as u32).or_default();
            if failed {
                own.0 += 1;
            } else {
                own.1 += 1;
            }
        }
    }

    pub fn add_skip(&mut self, suspect: usize, reason: String) {
        self.skipped
            .entry(suspect as u32)
            .or_default()
            .insert(reason);
    }

    pub fn is_skipped(&self, suspect: usize) -> bool {
        self.skipped.contains_key(&(suspect as u32))
    }

    pub fn skipped(&self) -> impl Iterator<Item = usize> + '_ {
        self.skipped.keys().map(|&s| s as usize)
    }

    pub fn skip_reasons(&self, suspect: usize) -> Option<&BTreeSet<String>> {
        self.skipped.get(&(suspect as u32))
    }

    /// Whether any suspect numbered in `from..to` had a good or bad verdict.
    pub fn tested_within(&self, from: usize, to: usize) -> bool {
        from < to && self.own.range(from as u32..to as u32).next().is_some()
    }

    pub fn own_fails(&self, suspect: usize) -> u32 {
        self.own.get(&(suspect as u32)).map_or(0, |o| o.0)
    }

    /// Runs of the suspect itself: (fails, passes).
    pub fn own(&self, suspect: usize) -> (u32, u32) {
        self.own.get(&(suspect as u32)).copied().unwrap_or_default()
    }

    /// Runs of candidates that contain no suspect: (fails, passes).
    pub fn clear(&self) -> (u32, u32) {
        self.clear
    }

    /// All runs: (fails, passes).
    pub fn totals(&self) -> (u32, u32) {
        (self.fails, self.passes)
    }

    /// The runs inside and outside the hypothesis that `suspect` is the culprit.
    pub fn runs_about(&self, suspect: usize) -> Runs {
        let (fails_in, passes_in) = (
            self.fails_containing[suspect],
            self.passes_containing[suspect],
        );
        Runs {
            fails_in,
            passes_in,
            fails_out: self.fails - fails_in,
            passes_out: self.passes - passes_in,
        }
    }

    /// Unnormalized posterior weights, scaled so the largest is 1 (all 0 when the
    /// verdicts contradict every suspect). With trusted verdicts these are exactly 1 for
    /// the suspects consistent with every verdict and 0 for the others.
    pub fn weights(&self, likelihood: &Likelihood) -> Vec<f64> {
        let log_likelihood: Vec<f64> = match *likelihood {
            Likelihood::Trusted => self.log_likelihood_fixed(1.0, 0.0),
            Likelihood::Exact {
                fail_if_bad,
                fail_if_good,
            } => self.log_likelihood_fixed(fail_if_bad, fail_if_good),
            Likelihood::Learned { bad, fail_if_good } => {
                self.log_likelihood_learned(bad, fail_if_good)
            }
        };
        let best = log_likelihood
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        if best == f64::NEG_INFINITY {
            return vec![0.0; log_likelihood.len()];
        }
        log_likelihood.iter().map(|&l| (l - best).exp()).collect()
    }

    fn log_likelihood_fixed(&self, fail_if_bad: f64, fail_if_good: f64) -> Vec<f64> {
        let (fail, pass) = (fail_if_bad.ln(), (1.0 - fail_if_bad).ln());
        self.fails_containing
            .iter()
            .zip(&self.passes_containing)
            .map(|(&f, &p)| term(f, fail) + term(p, pass) + self.outside(f, p, fail_if_good))
            .collect()
    }

    /// The likelihood with the bad rate integrated over its Beta belief (beta-binomial),
    /// so that every hypothesis about the culprit also learns the rate its runs imply.
    fn log_likelihood_learned(&self, bad: RateBelief, fail_if_good: f64) -> Vec<f64> {
        let bad = BetaTables::new(bad, self.fails, self.passes);
        self.fails_containing
            .iter()
            .zip(&self.passes_containing)
            .map(|(&f, &p)| bad.log_marginal(f, p) + self.outside(f, p, fail_if_good))
            .collect()
    }

    /// Log-likelihood of the runs of candidates that do not contain a suspect that
    /// `fails` failing and `passes` passing runs contained.
    fn outside(&self, fails: u32, passes: u32, fail_if_good: f64) -> f64 {
        term(self.fails - fails, fail_if_good.ln())
            + term(self.passes - passes, (1.0 - fail_if_good).ln())
    }

    /// The failure rates to choose candidates by: the posterior expectation of each rate.
    pub fn rates(&self, likelihood: &Likelihood, weights: &[f64]) -> Rates {
        match *likelihood {
            Likelihood::Trusted => Rates::TRUSTED,
            Likelihood::Exact {
                fail_if_bad,
                fail_if_good,
            } => Rates {
                fail_if_bad,
                fail_if_good,
                trusted: false,
            },
            Likelihood::Learned { bad, fail_if_good } => {
                let total: f64 = weights.iter().sum();
                let mut fail_if_bad = 0.0;
                for ((&f, &p), &w) in self
                    .fails_containing
                    .iter()
                    .zip(&self.passes_containing)
                    .zip(weights)
                {
                    if w > 0.0 {
                        let (f, p) = (f64::from(f), f64::from(p));
                        fail_if_bad += w * (bad.fails + f) / (bad.fails + bad.passes + f + p);
                    }
                }
                if total > 0.0 {
                    fail_if_bad /= total;
                }
                Rates {
                    fail_if_bad,
                    fail_if_good,
                    trusted: false,
                }
            }
        }
    }
}

/// `count * log_p`, where a count of 0 costs nothing even when `log_p` is -inf.
fn term(count: u32, log_p: f64) -> f64 {
    if count == 0 {
        0.0
    } else {
        f64::from(count) * log_p
    }
}

/// Cumulative log terms of the beta-binomial marginal likelihood for one rate belief.
struct BetaTables {
    fails: Vec<f64>,
    passes: Vec<f64>,
    runs: Vec<f64>,
}

impl BetaTables {
    fn new(belief: RateBelief, max_fails: u32, max_passes: u32) -> Self {
        let cumulative = |start: f64, len: u32| {
            let mut table = Vec::with_capacity(len as usize + 1);
            let mut sum = 0.0;
            table.push(0.0);
            for i in 0..len {
                sum += (start + f64::from(i)).ln();
                table.push(sum);
            }
            table
        };
        Self {
            fails: cumulative(belief.fails, max_fails),
            passes: cumulative(belief.passes, max_passes),
            runs: cumulative(belief.fails + belief.passes, max_fails + max_passes),
        }
    }

    /// `ln P(fails, passes in this order)` with the rate integrated over the belief.
    fn log_marginal(&self, fails: u32, passes: u32) -> f64 {
        self.fails[fails as usize] + self.passes[passes as usize]
            - self.runs[(fails + passes) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUSTED: Likelihood = Likelihood::Trusted;

    #[test]
    fn trusted_verdicts_keep_only_consistent_suspects() {
        let mut evidence = Evidence::new(4);
        evidence.add_run(Some(2), &[0, 1, 2], true);
        evidence.add_run(Some(0), &[0], false);
        assert_eq!(evidence.weights(&TRUSTED), [0.0, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn contradicting_verdicts_rule_out_everyone() {
        let mut evidence = Evidence::new(2);
        evidence.add_run(Some(1), &[0, 1], true);
        evidence.add_run(Some(1), &[0, 1], false);
        assert_eq!(evidence.weights(&TRUSTED), [0.0, 0.0]);
    }

    #[test]
    fn flaky_weights_do_not_depend_on_order() {
        let rates = Likelihood::Learned {
            bad: RateBelief {
                fails: 3.0,
                passes: 3.0,
            },
            fail_if_good: 0.01,
        };
        let runs: [(&[u32], bool); 4] = [
            (&[0, 1], true),
            (&[0], false),
            (&[0, 1, 2], false),
            (&[0, 1], true),
        ];
        let mut forward = Evidence::new(3);
        let mut backward = Evidence::new(3);
        for (contained, failed) in runs {
            forward.add_run(None, contained, failed);
        }
        for (contained, failed) in runs.iter().rev() {
            backward.add_run(None, contained, *failed);
        }
        let weights = forward.weights(&rates);
        assert_eq!(weights, backward.weights(&rates));
        assert!(weights[1] > weights[0] && weights[1] > weights[2]);
    }

    #[test]
    fn learned_rates_follow_the_runs() {
        let likelihood = Likelihood::Learned {
            bad: RateBelief {
                fails: 1.0,
                passes: 1.0,
            },
            fail_if_good: 0.01,
        };
        let mut evidence = Evidence::new(2);
        for _ in 0..9 {
            evidence.add_run(None, &[0, 1], true);
        }
        evidence.add_run(None, &[0, 1], false);
        let weights = evidence.weights(&likelihood);
        let rates = evidence.rates(&likelihood, &weights);
        assert!((rates.fail_if_bad - 10.0 / 12.0).abs() < 1e-12);
        assert_eq!(rates.fail_if_good, 0.01);
    }

    #[test]
    fn beta_marginal_matches_the_closed_form() {
        let tables = BetaTables::new(
            RateBelief {
                fails: 1.0,
                passes: 1.0,
            },
            3,
            3,
        );
        // With a uniform prior, P(2 fails then 1 pass in order) = 2! 1! / 4! = 1/12.
        assert!((tables.log_marginal(2, 1) - (1.0f64 / 12.0).ln()).abs() < 1e-12);
    }
}
