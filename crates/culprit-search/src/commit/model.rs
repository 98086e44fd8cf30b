//! What the caller tells a commit bisection: verdicts, options, the failure model.

use std::collections::BTreeMap;

use thiserror::Error;

use super::rates::RateGrid;

/// The verdict of one run of a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The target failure did not happen.
    Good,
    /// The target failure happened.
    Bad,
    /// The candidate could not be tested: it did not build, or it failed in another way
    /// than the target. Carries no information about the culprit.
    Skip { reason: String },
}

/// How often a run fails, depending on whether the candidate contains the culprit.
///
/// A flaky failure does not show on every run of a bad commit, and a good commit can
/// fail for unrelated reasons; the bisection weighs each verdict by these rates instead
/// of trusting it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlakyModel {
    pub p_fail_if_bad: f64,
    pub p_fail_if_good: f64,
    /// How many runs of the bad endpoint `p_fail_if_bad` was measured on. With `Some`,
    /// that rate is only a starting belief worth that many runs, and the bisection keeps
    /// learning it from the runs of candidates that contain the culprit: a rate measured
    /// in ten runs is rough, and trusting it as exact makes the reported confidence a
    /// lie. With `None` it is taken as exact.
    ///
    /// `p_fail_if_good` is always taken as given: a free rate for good commits would
    /// explain a culprit's failures as well as the culprit does (is it commit `c`, or is
    /// it `c`'s child and `c` fails by chance as often?), and nothing could tell them
    /// apart.
    pub bad_runs: Option<u32>,
}

/// What a good commit that never failed is assumed to fail at: the target failure
/// (other failures are skips) is rare on good commits, but one stray failure must not
/// rule out the real culprit for ever.
const GOOD_RATE_FLOOR: f64 = 1e-3;

impl FlakyModel {
    /// Rates known exactly (from a long history of the failure, or a simulation).
    pub fn exact(p_fail_if_bad: f64, p_fail_if_good: f64) -> Self {
        Self {
            p_fail_if_bad,
            p_fail_if_good,
            bad_runs: None,
        }
    }

    /// Estimates the rates from repeated runs of the endpoints (the bad commit contains
    /// the culprit, the good one does not); the bisection goes on learning the bad rate.
    /// The endpoint runs must not also be recorded into the bisection.
    ///
    /// The bad rate is the mean under a Jeffreys prior, `(fails + 1/2) / (runs + 1)`; the
    /// good rate is the observed one, at least 1e-3.
    pub fn estimate(
        bad_fails: u32,
        bad_runs: u32,
        good_fails: u32,
        good_runs: u32,
    ) -> Result<Self, SearchError> {
        if bad_fails > bad_runs || good_fails > good_runs {
            return Err(SearchError::InvalidCounts);
        }
        if bad_fails == 0 {
            return Err(SearchError::NotReproduced(bad_runs));
        }
        let good_rate = if good_runs == 0 {
            GOOD_RATE_FLOOR
        } else {
            (f64::from(good_fails) / f64::from(good_runs)).max(GOOD_RATE_FLOOR)
        };
        let model = Self {
            p_fail_if_bad: (f64::from(bad_fails) + 0.5) / (f64::from(bad_runs) + 1.0),
            p_fail_if_good: good_rate,
            bad_runs: Some(bad_runs),
        };
        model.check()?;
        Ok(model)
    }

    pub(crate) fn check(&self) -> Result<(), SearchError> {
        let valid = |p: f64| (0.0..=1.0).contains(&p);
        if !valid(self.p_fail_if_bad) || !valid(self.p_fail_if_good) {
            return Err(SearchError::InvalidRate);
        }
        if self.p_fail_if_bad <= self.p_fail_if_good {
            return Err(SearchError::UninformativeModel {
                p_fail_if_bad: self.p_fail_if_bad,
                p_fail_if_good: self.p_fail_if_good,
            });
        }
        Ok(())
    }
}

/// A flaky failure whose rates are unknown: the bad rate and the background rate
/// (how often a commit without the culprit fails anyway) are learned from every run,
/// the endpoints' included, and the search weighs the hypothesis that no commit in the
/// range changes the rate (the failure is a flake) against every culprit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnknownRates {
    /// The prior probability that no commit in the range is the culprit.
    pub no_culprit: f64,
}

impl Default for UnknownRates {
    /// Google's flake-aware culprit finder found no culprit for about 40% of the
    /// failures it was asked to explain; a hunt starts from a single failing run, so the
    /// same skepticism is in order. (With 0.2, a flake at 30% got a commit named in 1% of
    /// simulated hunts; with 0.4 in 0.3%, for a run or two more when there is a culprit.)
    fn default() -> Self {
        Self { no_culprit: 0.4 }
    }
}

/// How to bisect.
#[derive(Debug, Clone, PartialEq)]
pub struct BisectOptions {
    /// Suspect only the bad commit's first-parent chain, like `git bisect --first-parent`.
    pub first_parent: bool,
    /// `None`: every verdict is trusted (one run per candidate decides). `Some`: verdicts
    /// are evidence weighed by the model, and candidates may be run again.
    pub flaky: Option<FlakyModel>,
    /// With a flaky model, how often a reported culprit (or set of suspects no candidate
    /// can tell apart) must be right. The search stops when the posterior leaves at most
    /// half the allowed error: the posterior is only as good as the failure model (runs
    /// independent, rates estimated from a few endpoint runs or learned over a grid with
    /// a prior), and that margin is what keeps the real error rate under
    /// `1 - confidence` in simulation. With unknown rates a commit is named only when
    /// "no culprit" also keeps at most a tenth of that error. Trusted verdicts always
    /// need certainty.
    pub confidence: f64,
    /// Rates learned from nothing, with a "no culprit" hypothesis (instead of `flaky`,
    /// whose rates are known or estimated up front; setting both is an error).
    pub unknown_rates: Option<UnknownRates>,
    /// Prior weights of commits (graph nodes; the others weigh 1): a commit that touches
    /// the function a crash names is a likelier culprit. A prior only steers which
    /// candidates are run: an answer must hold at the required confidence both with and
    /// without it, so a wrong prior costs runs, never a wrong answer.
    pub prior: BTreeMap<usize, f64>,
}

impl Default for BisectOptions {
    fn default() -> Self {
        Self {
            first_parent: false,
            flaky: None,
            confidence: 0.99,
            unknown_rates: None,
            prior: BTreeMap::new(),
        }
    }
}

/// Why a bisection cannot start or cannot take a verdict.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SearchError {
    #[error("node {0} is not in the commit graph")]
    UnknownNode(usize),
    #[error("the bad commit is an ancestor of a good commit: nothing to search")]
    NoSuspects,
    #[error("confidence must be in (0, 1], got {0}")]
    InvalidConfidence(f64),
    #[error("failure rates must be in [0, 1]")]
    InvalidRate,
    #[error("more failures than runs")]
    InvalidCounts,
    #[error("the bad commit did not fail in {0} runs: run it more before bisecting")]
    NotReproduced(u32),
    #[error(
        "the bad commit fails no more often ({p_fail_if_bad:.3}) than the good one \
         ({p_fail_if_good:.3}): runs cannot tell them apart"
    )]
    UninformativeModel {
        p_fail_if_bad: f64,
        p_fail_if_good: f64,
    },
    #[error("node {0} is off the first-parent chain but contains part of it")]
    OffFirstParentChain(usize),
    #[error("a flaky model has known rates or unknown ones, not both")]
    TwoModels,
    #[error("the prior weight of node {0} must be positive and finite")]
    InvalidPrior(usize),
    #[error("the prior probability of no culprit must be in [0, 1), got {0}")]
    InvalidNoCulprit(f64),
}

/// The floor for rates in the flaky model: a rate of 0 would make one contrary run
/// rule a suspect out forever.
const RATE_FLOOR: f64 = 1e-6;

fn floored(p: f64) -> f64 {
    p.clamp(RATE_FLOOR, 1.0 - RATE_FLOOR)
}

/// A belief about a failure rate: Beta-distributed, as pseudo-counts of runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RateBelief {
    pub fails: f64,
    pub passes: f64,
}

impl RateBelief {
    fn new(rate: f64, runs: u32) -> Self {
        let weight = f64::from(runs) + 1.0;
        Self {
            fails: floored(rate) * weight,
            passes: (1.0 - floored(rate)) * weight,
        }
    }
}

/// How verdicts are weighed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Likelihood {
    /// Bad commits always fail, good ones never do.
    Trusted,
    /// Known rates.
    Exact { fail_if_bad: f64, fail_if_good: f64 },
    /// The bad rate learned along the way from a starting belief; the good rate known.
    Learned { bad: RateBelief, fail_if_good: f64 },
}

impl Likelihood {
    pub fn from_options(options: &BisectOptions) -> Result<Self, SearchError> {
        let Some(model) = options.flaky else {
            return Ok(Self::Trusted);
        };
        model.check()?;
        Ok(match model.bad_runs {
            None => Self::Exact {
                fail_if_bad: floored(model.p_fail_if_bad),
                fail_if_good: floored(model.p_fail_if_good),
            },
            Some(bad_runs) => Self::Learned {
                bad: RateBelief::new(model.p_fail_if_bad, bad_runs),
                fail_if_good: floored(model.p_fail_if_good),
            },
        })
    }
}

/// How verdicts are weighed: by a likelihood with known (or up-front estimated) rates,
/// or with the rates unknown and a "no culprit" hypothesis.
#[derive(Debug, Clone)]
pub(crate) enum Weighing {
    Known(Likelihood),
    Unknown { grid: RateGrid, no_culprit: f64 },
}

impl Weighing {
    pub fn from_options(options: &BisectOptions) -> Result<Self, SearchError> {
        match (options.unknown_rates, options.flaky) {
            (Some(_), Some(_)) => Err(SearchError::TwoModels),
            (Some(unknown), None) => {
                if !(0.0..1.0).contains(&unknown.no_culprit) {
                    return Err(SearchError::InvalidNoCulprit(unknown.no_culprit));
                }
                Ok(Self::Unknown {
                    grid: RateGrid::new(),
                    no_culprit: unknown.no_culprit,
                })
            }
            (None, _) => Likelihood::from_options(options).map(Self::Known),
        }
    }
}

/// The failure rates a candidate is chosen by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rates {
    pub fail_if_bad: f64,
    pub fail_if_good: f64,
    pub trusted: bool,
}

impl Rates {
    pub const TRUSTED: Self = Self {
        fail_if_bad: 1.0,
        fail_if_good: 0.0,
        trusted: true,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_never_calls_a_rate_impossible() {
        let model = FlakyModel::estimate(5, 10, 0, 10).unwrap();
        assert!((model.p_fail_if_bad - 0.5).abs() < 1e-12);
        assert_eq!(model.p_fail_if_good, GOOD_RATE_FLOOR);
        assert_eq!(model.bad_runs, Some(10));
        let once = FlakyModel::estimate(1, 2, 0, 10).unwrap();
        assert!((once.p_fail_if_bad - 0.5).abs() < 1e-12);
        assert_eq!(
            FlakyModel::estimate(0, 10, 0, 10),
            Err(SearchError::NotReproduced(10))
        );
    }

    #[test]
    fn estimate_refuses_endpoints_that_fail_alike() {
        assert!(matches!(
            FlakyModel::estimate(2, 10, 4, 10),
            Err(SearchError::UninformativeModel { .. })
        ));
        assert_eq!(
            FlakyModel::estimate(11, 10, 0, 10),
            Err(SearchError::InvalidCounts)
        );
    }

    #[test]
    fn flaky_rates_stay_off_zero_and_one() {
        let options = BisectOptions {
            flaky: Some(FlakyModel::exact(1.0, 0.0)),
            ..BisectOptions::default()
        };
        let Likelihood::Exact {
            fail_if_bad,
            fail_if_good,
        } = Likelihood::from_options(&options).unwrap()
        else {
            panic!("expected exact rates");
        };
        assert!(fail_if_bad < 1.0 && fail_if_good > 0.0);
    }

    #[test]
    fn estimated_rates_are_a_belief_worth_the_endpoint_runs() {
        let options = BisectOptions {
            flaky: Some(FlakyModel::estimate(5, 10, 0, 20).unwrap()),
            ..BisectOptions::default()
        };
        let Likelihood::Learned { bad, fail_if_good } = Likelihood::from_options(&options).unwrap()
        else {
            panic!("expected learned rates");
        };
        assert!((bad.fails - 5.5).abs() < 1e-9 && (bad.passes - 5.5).abs() < 1e-9);
        assert_eq!(fail_if_good, GOOD_RATE_FLOOR);
    }
}
