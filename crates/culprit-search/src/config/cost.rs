//! What each change costs to build, estimated from measured build times.
//!
//! An option in a header included everywhere (`CONSOLE_LOGLEVEL_DEFAULT`, `PANIC_TIMEOUT`)
//! rebuilds most of the tree; one in a driver rebuilds a file. The estimate of a change is
//! the mean time of the builds that applied it minus the mean time of those that did not:
//! crude, but it needs no model of the build. A change is called costly only when every
//! build with it was slower than every build without it, by a factor: options that were
//! always built together cannot be told apart, and are all named.

use std::collections::BTreeSet;

/// A change whose builds take much longer than the others'.
#[derive(Debug, Clone, PartialEq)]
pub struct CostlyChange {
    pub change: usize,
    /// Mean seconds of the builds that applied it, and of those that did not.
    pub with: f64,
    pub without: f64,
}

/// Measured build times, per applied set of changes.
#[derive(Debug, Clone, Default)]
pub struct BuildCosts {
    n: usize,
    builds: Vec<(BTreeSet<usize>, f64)>,
}

/// Builds on each side before a change's estimate is trusted.
const MIN_SAMPLES: usize = 2;
/// How much slower a change's builds must be to be called costly.
const COSTLY_RATIO: f64 = 2.0;
/// Seconds a change's fastest build must take beyond the slowest without it: builds that
/// do next to nothing (milliseconds) differ by twice or more from start-up noise alone.
const COSTLY_EXTRA_SECONDS: f64 = 1.0;

impl BuildCosts {
    pub fn new(n_changes: usize) -> BuildCosts {
        BuildCosts {
            n: n_changes,
            builds: Vec::new(),
        }
    }

    /// One build that applied `applied` and took `seconds`.
    pub fn record(&mut self, applied: &BTreeSet<usize>, seconds: f64) {
        if seconds.is_finite() && seconds >= 0.0 {
            self.builds.push((applied.clone(), seconds));
        }
    }

    /// The build times with the change and without it, when both sides have enough.
    fn sides(&self, change: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let (with, without): (Vec<_>, Vec<_>) = self
            .builds
            .iter()
            .partition(|(applied, _)| applied.contains(&change));
        let seconds = |side: Vec<&(BTreeSet<usize>, f64)>| -> Vec<f64> {
            side.into_iter().map(|(_, s)| *s).collect()
        };
        (with.len() >= MIN_SAMPLES && without.len() >= MIN_SAMPLES)
            .then(|| (seconds(with), seconds(without)))
    }

    /// (mean seconds with the change, without it), when both sides have enough builds.
    fn means(&self, change: usize) -> Option<(f64, f64)> {
        let mean = |side: &[f64]| side.iter().sum::<f64>() / side.len() as f64;
        self.sides(change)
            .map(|(with, without)| (mean(&with), mean(&without)))
    }

    /// The extra seconds a build pays for applying `change` (0 until it is known).
    pub fn estimate(&self, change: usize) -> f64 {
        self.means(change)
            .map_or(0.0, |(with, without)| (with - without).max(0.0))
    }

    /// The estimated cost of building `changes`, beyond what every build pays.
    pub fn of(&self, changes: &BTreeSet<usize>) -> f64 {
        if self.builds.is_empty() {
            return 0.0;
        }
        changes.iter().map(|&c| self.estimate(c)).sum()
    }

    /// The changes every build of which took at least twice as long as every build
    /// without them, and a second longer, costliest first, for the live display and the
    /// report.
    pub fn costly(&self) -> Vec<CostlyChange> {
        let mut costly: Vec<CostlyChange> = (0..self.n)
            .filter_map(|change| {
                let (with, without) = self.sides(change)?;
                let fastest_with = with.iter().copied().fold(f64::INFINITY, f64::min);
                let slowest_without = without.iter().copied().fold(0.0, f64::max);
                let (with, without) = self.means(change)?;
                (fastest_with >= slowest_without + COSTLY_EXTRA_SECONDS
                    && fastest_with >= COSTLY_RATIO * slowest_without)
                    .then_some(CostlyChange {
                        change,
                        with,
                        without,
                    })
            })
            .collect();
        costly.sort_by(|a, b| (b.with - b.without).total_cmp(&(a.with - a.without)));
        costly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(changes: &[usize]) -> BTreeSet<usize> {
        changes.iter().copied().collect()
    }

    #[test]
    fn an_option_in_a_widely_included_header_stands_out() {
        let mut costs = BuildCosts::new(4);
        // Change 2 rebuilds everything (60 s); the rest rebuild a file (5 s).
        for applied in [
            set(&[0, 1]),
            set(&[2]),
            set(&[1, 2, 3]),
            set(&[0]),
            set(&[3]),
        ] {
            let seconds = if applied.contains(&2) { 60.0 } else { 5.0 };
            costs.record(&applied, seconds);
        }
        let costly = costs.costly();
        assert_eq!(costly.len(), 1);
        assert_eq!(
            (costly[0].change, costly[0].with, costly[0].without),
            (2, 60.0, 5.0)
        );
        assert_eq!(costs.estimate(2), 55.0);
        assert!(costs.of(&set(&[0, 3])) < costs.of(&set(&[2])));
    }

    #[test]
    fn too_few_builds_say_nothing() {
        let mut costs = BuildCosts::new(2);
        costs.record(&set(&[0]), 100.0);
        costs.record(&set(&[1]), 1.0);
        costs.record(&set(&[]), f64::NAN);
        assert!(costs.costly().is_empty());
        assert_eq!(costs.estimate(0), 0.0);
    }

    /// Builds that run `true` take milliseconds, and one held up by the scheduler takes
    /// several times as long as the others: that is noise, not a costly option. The same
    /// builds with seconds of work behind change 0 name it.
    #[test]
    fn milliseconds_of_noise_make_no_option_costly() {
        let costly = |with_0: [f64; 2]| {
            let mut costs = BuildCosts::new(2);
            costs.record(&set(&[0]), with_0[0]);
            costs.record(&set(&[0, 1]), with_0[1]);
            costs.record(&set(&[1]), 0.004);
            costs.record(&set(&[]), 0.006);
            costs.costly().iter().map(|c| c.change).collect::<Vec<_>>()
        };
        assert_eq!(costly([0.041, 0.052]), Vec::<usize>::new());
        assert_eq!(costly([3.0, 3.1]), [0]);
    }
}
