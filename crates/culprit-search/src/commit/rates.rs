//! Failure rates that nothing is known of up front, integrated over a grid.
//!
//! A flaky hunt does not know how often a commit with the culprit fails (the bad rate),
//! nor how often one without it fails anyway (the background rate). Estimating them
//! before the search costs runs at the endpoints that say little about where the culprit
//! is; instead every hypothesis about the culprit carries the rates as unknowns, and its
//! likelihood is the average over a grid of rate pairs weighted by their prior. Every run
//! anywhere then teaches the rates, and the runs at the endpoints are chosen like any
//! other, by what they tell.
//!
//! The hypothesis "no culprit" says one rate holds throughout the range (the good
//! endpoint included). A culprit hypothesis says the rate changes by a factor of at least
//! [`MIN_RATIO`]: with a smaller change allowed, "no culprit" would be a special case of
//! every culprit and no number of runs could make it likely; with it, the evidence for
//! either side grows with every run.

use super::select::binary_entropy;

/// The least factor by which a culprit raises the failure rate. A larger factor tells a
/// flake sooner (a 10% flake over 200 commits: 97.5% told within the hunt's cap with 4,
/// 92.5% with 3) and a smaller one admits culprits that change the rate less; with 4, a
/// good endpoint that fails a quarter of the time or more can only be a flake.
const MIN_RATIO: f64 = 4.0;
/// Bad rates (and no-culprit rates): a uniform prior on a grid, with points near 1 so
/// that a failure that always shows is told from one that almost always does.
const RATE_STEPS: usize = 32;
const NEAR_CERTAIN: [f64; 2] = [0.99, 0.999];
/// Background rates and their prior weights (normalized for each bad rate): a commit
/// without the culprit rarely fails the same way (the target is the bad endpoint's own
/// signature), but may.
const BACKGROUND: [(f64, f64); 9] = [
    (0.001, 1.0),
    (0.01, 0.15),
    (0.03, 0.12),
    (0.06, 0.09),
    (0.1, 0.08),
    (0.15, 0.06),
    (0.2, 0.05),
    (0.25, 0.05),
    (0.3, 0.05),
];

/// How a hypothesis fits the runs: its log marginal likelihood (the rates integrated
/// out) and the posterior mean of the rate inside (candidates that contain the culprit)
/// and outside (those that do not). Under "no culprit" both rates are the one rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fit {
    pub log_likelihood: f64,
    pub inside: f64,
    pub outside: f64,
    /// The posterior mean of a run's entropy inside and outside: what a run leaves
    /// unknown once the rates are known too.
    pub inside_entropy: f64,
    pub outside_entropy: f64,
}

/// One point of a grid: rates, their logs, and the log prior weight.
#[derive(Debug, Clone, Copy)]
struct Point {
    inside: f64,
    outside: f64,
    ln_in: (f64, f64),
    ln_out: (f64, f64),
    ln_prior: f64,
    /// The entropy of one run inside and outside.
    entropy: (f64, f64),
}

impl Point {
    fn new(inside: f64, outside: f64, prior: f64) -> Self {
        Self {
            inside,
            outside,
            ln_in: (inside.ln(), (1.0 - inside).ln()),
            ln_out: (outside.ln(), (1.0 - outside).ln()),
            ln_prior: prior.ln(),
            entropy: (binary_entropy(inside), binary_entropy(outside)),
        }
    }

    fn log_likelihood(&self, runs: Runs) -> f64 {
        f64::from(runs.fails_in) * self.ln_in.0
            + f64::from(runs.passes_in) * self.ln_in.1
            + f64::from(runs.fails_out) * self.ln_out.0
            + f64::from(runs.passes_out) * self.ln_out.1
    }
}

/// The runs a hypothesis is judged on: those of candidates that contain its culprit
/// (inside) and those of the others (outside).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Runs {
    pub fails_in: u32,
    pub passes_in: u32,
    pub fails_out: u32,
    pub passes_out: u32,
}

/// The prior over the rates of the culprit hypotheses and of "no culprit".
#[derive(Debug, Clone)]
pub(crate) struct RateGrid {
    culprit: Vec<Point>,
    no_culprit: Vec<Point>,
}

impl RateGrid {
    pub fn new() -> Self {
        let bad_rates: Vec<f64> = (0..RATE_STEPS)
            .map(|i| (i as f64 + 0.5) / RATE_STEPS as f64)
            .chain(NEAR_CERTAIN)
            .collect();
        let each = 1.0 / bad_rates.len() as f64;
        let mut culprit = Vec::new();
        for &bad in &bad_rates {
            let allowed: Vec<(f64, f64)> = BACKGROUND
                .iter()
                .copied()
                .filter(|&(background, _)| background * MIN_RATIO <= bad)
                .collect();
            // The smallest background is allowed for every bad rate on the grid.
            let mass: f64 = allowed.iter().map(|&(_, w)| w).sum();
            for (background, w) in allowed {
                culprit.push(Point::new(bad, background, each * w / mass));
            }
        }
        let no_culprit = bad_rates
            .iter()
            .map(|&rate| Point::new(rate, rate, each))
            .collect();
        Self {
            culprit,
            no_culprit,
        }
    }

    /// The fit of a culprit with these runs inside and outside.
    pub fn culprit(&self, runs: Runs) -> Fit {
        fit(&self.culprit, runs)
    }

    /// The fit of "no culprit" with these runs in all.
    pub fn no_culprit(&self, fails: u32, passes: u32) -> Fit {
        fit(
            &self.no_culprit,
            Runs {
                fails_in: fails,
                passes_in: passes,
                fails_out: 0,
                passes_out: 0,
            },
        )
    }
}

fn fit(points: &[Point], runs: Runs) -> Fit {
    let logs: Vec<f64> = points
        .iter()
        .map(|p| p.ln_prior + p.log_likelihood(runs))
        .collect();
    let best = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut total, mut inside, mut outside) = (0.0, 0.0, 0.0);
    let (mut inside_entropy, mut outside_entropy) = (0.0, 0.0);
    for (p, &l) in points.iter().zip(&logs) {
        let w = (l - best).exp();
        total += w;
        inside += w * p.inside;
        outside += w * p.outside;
        inside_entropy += w * p.entropy.0;
        outside_entropy += w * p.entropy.1;
    }
    Fit {
        log_likelihood: best + total.ln(),
        inside: inside / total,
        outside: outside / total,
        inside_entropy: inside_entropy / total,
        outside_entropy: outside_entropy / total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(fails_in: u32, passes_in: u32, fails_out: u32, passes_out: u32) -> Runs {
        Runs {
            fails_in,
            passes_in,
            fails_out,
            passes_out,
        }
    }

    #[test]
    fn priors_sum_to_one() {
        let grid = RateGrid::new();
        let total = |points: &[Point]| points.iter().map(|p| p.ln_prior.exp()).sum::<f64>();
        assert!((total(&grid.culprit) - 1.0).abs() < 1e-12);
        assert!((total(&grid.no_culprit) - 1.0).abs() < 1e-12);
        assert!(grid
            .culprit
            .iter()
            .all(|p| p.outside * MIN_RATIO <= p.inside));
    }

    #[test]
    fn the_rates_follow_the_runs() {
        let grid = RateGrid::new();
        let fit = grid.culprit(runs(30, 30, 0, 60));
        assert!((fit.inside - 0.5).abs() < 0.03, "{fit:?}");
        assert!(fit.outside < 0.01, "{fit:?}");
        let flake = grid.no_culprit(30, 70);
        assert!((flake.inside - 0.3).abs() < 0.03, "{flake:?}");
    }

    #[test]
    fn an_even_rate_favours_no_culprit_more_with_every_run() {
        let grid = RateGrid::new();
        let margin = |n: u32| {
            grid.no_culprit(6 * n, 14 * n).log_likelihood
                - grid
                    .culprit(runs(3 * n, 7 * n, 3 * n, 7 * n))
                    .log_likelihood
        };
        assert!(margin(1) < margin(5) && margin(5) < margin(20));
        assert!(margin(20) > 10.0, "{}", margin(20));
    }

    #[test]
    fn a_step_in_the_rate_favours_a_culprit() {
        let grid = RateGrid::new();
        let culprit = grid.culprit(runs(10, 10, 0, 20)).log_likelihood;
        let flake = grid.no_culprit(10, 30).log_likelihood;
        assert!(culprit > flake + 5.0, "{culprit} {flake}");
    }
}
