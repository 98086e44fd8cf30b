//! Choosing the next candidates: expected information per run.
//!
//! A run of candidate `c` fails with a probability that depends on whether `c` contains
//! the culprit, so its outcome tells us about the culprit as much as the mutual
//! information between the two: a function of `q`, the posterior mass of `c`'s ancestors.
//! With trusted verdicts that is the entropy of `q`, best at one half: plain halving.
//!
//! Untestable commits come in clusters (a series that does not build, a window where
//! another bug hides the target). A run that ends in a skip is wasted, so each candidate's
//! information is weighted by the chance that it is testable, estimated from the skips so
//! far: a cluster of skipped commits makes its neighbours likely untestable, up to a
//! distance that grows with the cluster. The search then leaves a cluster in a few
//! growing jumps instead of trying its members one by one.

use super::evidence::Evidence;
use super::model::Rates;
use super::suspects::Suspects;

/// Below this, a run is not worth doing.
pub(crate) const MIN_GAIN: f64 = 1e-12;
/// The chance that an untested commit between or next to skipped ones is untestable.
const SKIP_NEAR: f64 = 0.9;
/// A cluster's influence fades by half every cluster length, and is ignored past this
/// many lengths (0.9 * 2^-14 < 1e-4).
const SKIP_REACH: usize = 14;

/// Natural-log entropy term `-x ln x`.
fn h(x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        -x * x.ln()
    }
}

pub(crate) fn binary_entropy(p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        0.0
    } else {
        h(p) + h(1.0 - p)
    }
}

/// Mutual information between the culprit and one run of a candidate whose ancestors
/// hold mass `inside` out of `total`.
fn run_information(inside: f64, total: f64, rates: &Rates) -> f64 {
    if total <= 0.0 {
        return 0.0;
    }
    if rates.trusted {
        return binary_entropy(inside.min(total - inside) / total);
    }
    let q = (inside / total).clamp(0.0, 1.0);
    let (a, b) = (rates.fail_if_bad, rates.fail_if_good);
    binary_entropy(q * a + (1.0 - q) * b) - q * binary_entropy(a) - (1.0 - q) * binary_entropy(b)
}

pub(crate) struct Selector<'a> {
    pub suspects: &'a Suspects,
    pub evidence: &'a Evidence,
    pub weights: &'a [f64],
    pub rates: &'a Rates,
}

impl Selector<'_> {
    /// Up to `k` suspects to run next (local numbers, best first), chosen together with
    /// the runs already under way (`pending`: local numbers that must not be chosen again,
    /// and the suspects each pending run contains).
    pub fn choose(
        &self,
        k: usize,
        pending: &[usize],
        pending_contained: &[Vec<u32>],
    ) -> Vec<usize> {
        let len = self.suspects.len();
        let total: f64 = self.weights.iter().sum();
        if k == 0 || total <= 0.0 {
            return Vec::new();
        }
        let masses = self.suspects.masses(self.weights);
        let testable = testable(self.suspects, self.evidence);
        let mut eligible = vec![true; len];
        for s in self.evidence.skipped() {
            eligible[s] = false;
        }
        for &p in pending {
            eligible[p] = false;
        }
        let score: Vec<f64> = (0..len)
            .map(|c| {
                if !eligible[c] {
                    return 0.0;
                }
                run_information(masses[c], total, self.rates) * testable[c]
            })
            .collect();
        let mut chosen = Vec::new();
        if pending.is_empty() {
            match best(score.iter().copied().enumerate()) {
                Some(first) => chosen.push(first),
                None => return chosen,
            }
            if k == 1 {
                return chosen;
            }
        }
        self.choose_jointly(
            k,
            &masses,
            total,
            &score,
            &testable,
            pending_contained,
            chosen,
        )
    }

    /// Greedy joint choice: each next candidate is the one that best splits the classes
    /// of suspects that the chosen and pending runs would already tell apart (as if their
    /// verdicts were trusted), so parallel runs do not ask the same question twice.
    #[allow(clippy::too_many_arguments)]
    fn choose_jointly(
        &self,
        k: usize,
        masses: &[f64],
        total: f64,
        score: &[f64],
        testable: &[f64],
        pending_contained: &[Vec<u32>],
        mut chosen: Vec<usize>,
    ) -> Vec<usize> {
        let shortlist = self.shortlist(k + pending_contained.len(), masses, total, score, &chosen);
        let ancestry: Vec<Vec<u32>> = shortlist
            .iter()
            .map(|&c| self.suspects.ancestors(c))
            .collect();
        let mut classes = Classes::new(self.weights);
        for contained in pending_contained {
            classes.split(contained, self.weights);
        }
        for &c in &chosen {
            classes.split(&self.suspects.ancestors(c), self.weights);
        }
        let mut used = vec![false; shortlist.len()];
        for (i, c) in shortlist.iter().enumerate() {
            used[i] = chosen.contains(c);
        }
        while chosen.len() < k {
            let gains = shortlist.iter().enumerate().map(|(i, &c)| {
                if used[i] {
                    (i, 0.0)
                } else {
                    (i, classes.gain(&ancestry[i], self.weights) * testable[c])
                }
            });
            let Some(i) = best(gains) else { break };
            used[i] = true;
            chosen.push(shortlist[i]);
            classes.split(&ancestry[i], self.weights);
        }
        chosen
    }

    /// The candidates worth comparing for a joint choice: the best single ones, and those
    /// whose mass is nearest each quantile `i/(runs+1)` (where `runs` parallel runs on a
    /// chain would cut it into equal parts).
    fn shortlist(
        &self,
        runs: usize,
        masses: &[f64],
        total: f64,
        score: &[f64],
        chosen: &[usize],
    ) -> Vec<usize> {
        const AROUND: usize = 3;
        let mut by_mass: Vec<usize> = (0..masses.len()).filter(|&c| score[c] > MIN_GAIN).collect();
        by_mass.sort_by(|&x, &y| masses[x].total_cmp(&masses[y]).then(x.cmp(&y)));
        let mut picked: Vec<usize> = chosen.to_vec();
        let mut by_score = by_mass.clone();
        by_score.sort_by(|&x, &y| score[y].total_cmp(&score[x]).then(x.cmp(&y)));
        picked.extend(by_score.iter().take(runs + AROUND));
        for i in 1..=runs {
            let target = total * i as f64 / (runs + 1) as f64;
            let at = by_mass.partition_point(|&c| masses[c] < target);
            picked.extend(&by_mass[at.saturating_sub(AROUND)..(at + AROUND).min(by_mass.len())]);
        }
        let mut seen = std::collections::HashSet::new();
        picked.retain(|c| seen.insert(*c));
        picked
    }
}

/// For every suspect, the chance that a run of it is not skipped.
pub(crate) fn testable(suspects: &Suspects, evidence: &Evidence) -> Vec<f64> {
    let len = suspects.len();
    let mut untestable = vec![0.0f64; len];
    let skipped: Vec<usize> = evidence.skipped().collect();
    let mut start = 0;
    while start < skipped.len() {
        let mut end = start;
        while end + 1 < skipped.len() && !evidence.tested_within(skipped[end] + 1, skipped[end + 1])
        {
            end += 1;
        }
        let (lo, hi) = (skipped[start], skipped[end]);
        let span = hi - lo + 1;
        let reach = span * SKIP_REACH;
        for (x, u) in untestable
            .iter_mut()
            .enumerate()
            .take((hi + reach + 1).min(len))
            .skip(lo.saturating_sub(reach))
        {
            let distance = if x < lo { lo - x } else { x.saturating_sub(hi) };
            let p = SKIP_NEAR * 0.5f64.powf(distance as f64 / span as f64);
            *u = u.max(p);
        }
        start = end + 1;
    }
    untestable.iter().map(|u| 1.0 - u).collect()
}

/// The best-scoring entry (ties to the lowest number), if any is worth a run.
pub(crate) fn best(scores: impl Iterator<Item = (usize, f64)>) -> Option<usize> {
    let mut top: Option<(usize, f64)> = None;
    for (i, s) in scores {
        if s > MIN_GAIN && top.is_none_or(|(_, t)| s > t) {
            top = Some((i, s));
        }
    }
    top.map(|(i, _)| i)
}

/// A partition of the suspects by which chosen runs contain them.
struct Classes {
    label: Vec<u32>,
    mass: Vec<f64>,
    bucket: Vec<f64>,
    touched: Vec<u32>,
}

impl Classes {
    fn new(weights: &[f64]) -> Self {
        Self {
            label: vec![0; weights.len()],
            mass: vec![weights.iter().sum()],
            bucket: vec![0.0],
            touched: Vec::new(),
        }
    }

    /// Entropy gained by also telling apart the suspects in `contained` from the others.
    fn gain(&mut self, contained: &[u32], weights: &[f64]) -> f64 {
        self.touched.clear();
        for &s in contained {
            let class = self.label[s as usize];
            if self.bucket[class as usize] == 0.0 {
                self.touched.push(class);
            }
            self.bucket[class as usize] += weights[s as usize];
        }
        let total: f64 = self.mass.iter().sum();
        let mut gain = 0.0;
        for &class in &self.touched {
            let whole = self.mass[class as usize] / total;
            let inside = (self.bucket[class as usize] / total).min(whole);
            gain += h(inside) + h(whole - inside) - h(whole);
            self.bucket[class as usize] = 0.0;
        }
        gain
    }

    fn split(&mut self, contained: &[u32], weights: &[f64]) {
        let mut renamed: Vec<u32> = vec![u32::MAX; self.mass.len()];
        for &s in contained {
            let old = self.label[s as usize];
            if renamed[old as usize] == u32::MAX {
                renamed[old as usize] = self.mass.len() as u32;
                self.mass.push(0.0);
                self.bucket.push(0.0);
            }
            self.label[s as usize] = renamed[old as usize];
        }
        self.mass.iter_mut().for_each(|m| *m = 0.0);
        for (s, &w) in weights.iter().enumerate() {
            self.mass[self.label[s] as usize] += w;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_information_is_symmetric_and_best_at_half() {
        let rates = Rates {
            fail_if_bad: 1.0,
            fail_if_good: 0.0,
            trusted: true,
        };
        assert_eq!(
            run_information(3.0, 10.0, &rates),
            run_information(7.0, 10.0, &rates)
        );
        assert!(run_information(5.0, 10.0, &rates) > run_information(4.0, 10.0, &rates));
        assert_eq!(run_information(10.0, 10.0, &rates), 0.0);
    }

    #[test]
    fn flaky_information_prefers_less_than_half() {
        let rates = Rates {
            fail_if_bad: 0.5,
            fail_if_good: 1e-6,
            trusted: false,
        };
        let at = |q: f64| run_information(q, 1.0, &rates);
        assert!(at(0.4) > at(0.5));
        assert!(at(0.4) > at(0.3));
    }

    #[test]
    fn class_gain_counts_only_new_splits() {
        let weights = vec![1.0; 4];
        let mut classes = Classes::new(&weights);
        let half = [0u32, 1];
        let first = classes.gain(&half, &weights);
        assert!((first - std::f64::consts::LN_2).abs() < 1e-12);
        classes.split(&half, &weights);
        assert!(classes.gain(&half, &weights).abs() < 1e-12);
        assert!(classes.gain(&[0], &weights) > 0.0);
    }
}
