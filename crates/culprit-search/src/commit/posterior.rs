//! The posterior over the hypotheses: each suspect as the culprit, and, with unknown
//! rates, "no culprit".
//!
//! It is kept twice: with the commits' prior weights, which steer the choice of
//! candidates, and without them, so that an answer can be required to hold either way
//! (a prior that points at the wrong commit then costs runs, never a wrong answer).

use std::collections::HashMap;

use super::evidence::Evidence;
use super::model::Weighing;

#[derive(Debug, Clone)]
pub(crate) struct Posterior {
    /// Per suspect, with the prior; unnormalized.
    pub weights: Vec<f64>,
    /// "No culprit", on the scale of `weights`.
    pub none: f64,
    /// The same without the commits' prior weights.
    pub flat: Vec<f64>,
    pub flat_none: f64,
    /// With unknown rates: how often each hypothesis expects a run to fail.
    pub expected: Option<Expected>,
    /// Whether every suspect has the same prior weight (`weights` is then `flat`).
    uniform: bool,
}

/// Per suspect, the failure rate its hypothesis expects of a candidate that contains it
/// (`inside`) and of one that does not (`outside`); the one rate of "no culprit".
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub inside: Vec<f64>,
    pub outside: Vec<f64>,
    pub no_culprit: f64,
    /// What a run leaves unknown once the hypothesis and its rates are known: the mean
    /// entropy of a run inside and outside, and under "no culprit".
    pub inside_entropy: Vec<f64>,
    pub outside_entropy: Vec<f64>,
    pub no_culprit_entropy: f64,
}

impl Posterior {
    /// `prior`: each suspect's prior weight, 1 on average.
    pub fn new(evidence: &Evidence, weighing: &Weighing, prior: &[f64]) -> Self {
        let uniform = prior.iter().all(|&p| p == 1.0);
        match weighing {
            Weighing::Known(likelihood) => {
                let flat = evidence.weights(likelihood);
                let weights = flat.iter().zip(prior).map(|(f, p)| f * p).collect();
                Self {
                    weights,
                    none: 0.0,
                    flat,
                    flat_none: 0.0,
                    expected: None,
                    uniform,
                }
            }
            Weighing::Unknown { grid, no_culprit } => {
                let len = prior.len();
                let mut fits = HashMap::new();
                let mut log_likelihood = Vec::with_capacity(len);
                let mut inside = Vec::with_capacity(len);
                let mut outside = Vec::with_capacity(len);
                let mut inside_entropy = Vec::with_capacity(len);
                let mut outside_entropy = Vec::with_capacity(len);
                for suspect in 0..len {
                    let runs = evidence.runs_about(suspect);
                    let fit = *fits.entry(runs).or_insert_with(|| grid.culprit(runs));
                    log_likelihood.push(fit.log_likelihood);
                    inside.push(fit.inside);
                    outside.push(fit.outside);
                    inside_entropy.push(fit.inside_entropy);
                    outside_entropy.push(fit.outside_entropy);
                }
                let (fails, passes) = evidence.totals();
                let flake = grid.no_culprit(fails, passes);
                let best = log_likelihood
                    .iter()
                    .copied()
                    .fold(flake.log_likelihood, f64::max);
                let each = (1.0 - no_culprit) / len as f64;
                let flat: Vec<f64> = log_likelihood
                    .iter()
                    .map(|&l| (l - best).exp() * each)
                    .collect();
                let weights = flat.iter().zip(prior).map(|(f, p)| f * p).collect();
                let none = (flake.log_likelihood - best).exp() * no_culprit;
                Self {
                    weights,
                    none,
                    flat,
                    flat_none: none,
                    expected: Some(Expected {
                        inside,
                        outside,
                        no_culprit: flake.inside,
                        inside_entropy,
                        outside_entropy,
                        no_culprit_entropy: flake.inside_entropy,
                    }),
                    uniform,
                }
            }
        }
    }

    /// The distribution candidates are chosen by (unnormalized): with trusted verdicts,
    /// or no prior, the posterior as it stands (with trusted verdicts an answer is certain
    /// either way); otherwise the average of the posteriors with and without the prior,
    /// so that the runs also gather the evidence an answer needs without its help.
    pub fn steering(&self, trusted: bool) -> (Vec<f64>, f64) {
        let (total, flat_total) = (self.total(), self.flat_total());
        if trusted || self.uniform || total <= 0.0 || flat_total <= 0.0 {
            return (self.weights.clone(), self.none);
        }
        let weights = self
            .weights
            .iter()
            .zip(&self.flat)
            .map(|(w, f)| (w / total + f / flat_total) / 2.0)
            .collect();
        (
            weights,
            (self.none / total + self.flat_none / flat_total) / 2.0,
        )
    }

    /// The total mass, with the prior.
    pub fn total(&self) -> f64 {
        self.weights.iter().sum::<f64>() + self.none
    }

    fn flat_total(&self) -> f64 {
        self.flat.iter().sum::<f64>() + self.flat_none
    }

    /// The probability of the suspects `members` together: the lesser of its values with
    /// and without the prior.
    pub fn probability_of(&self, members: &[usize]) -> f64 {
        let with: f64 = members.iter().map(|&s| self.weights[s]).sum();
        let without: f64 = members.iter().map(|&s| self.flat[s]).sum();
        (with / self.total()).min(without / self.flat_total())
    }

    /// The probability that no commit is the culprit, the lesser with and without the
    /// prior.
    pub fn no_culprit(&self) -> f64 {
        if self.none <= 0.0 {
            return 0.0;
        }
        (self.none / self.total()).min(self.flat_none / self.flat_total())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::model::{BisectOptions, UnknownRates};

    fn unknown() -> Weighing {
        Weighing::from_options(&BisectOptions {
            unknown_rates: Some(UnknownRates::default()),
            ..BisectOptions::default()
        })
        .unwrap()
    }

    #[test]
    fn a_prior_alone_does_not_make_an_answer() {
        let mut evidence = Evidence::new(4);
        evidence.add_run(Some(3), &[0, 1, 2, 3], true);
        let prior = [0.01, 0.01, 3.97, 0.01];
        let posterior = Posterior::new(&evidence, &unknown(), &prior);
        let with_prior = posterior.weights[2] / posterior.total();
        // Most of the mass that is not "no culprit" is on the favoured suspect, but
        // without the prior it is one of four.
        assert!(with_prior > 0.5, "{with_prior}");
        assert!(posterior.probability_of(&[2]) < 0.2);
    }

    #[test]
    fn the_same_rate_everywhere_makes_no_culprit_likely() {
        let mut evidence = Evidence::new(3);
        for i in 0..120 {
            let failed = i % 10 < 3;
            match i % 3 {
                0 => evidence.add_run(None, &[], failed),
                1 => evidence.add_run(Some(1), &[0, 1], failed),
                _ => evidence.add_run(Some(2), &[0, 1, 2], failed),
            }
        }
        let posterior = Posterior::new(&evidence, &unknown(), &[1.0; 3]);
        assert!(posterior.no_culprit() > 0.9, "{}", posterior.no_culprit());
        let expected = posterior.expected.unwrap();
        assert!((expected.no_culprit - 0.3).abs() < 0.05);
    }
}
