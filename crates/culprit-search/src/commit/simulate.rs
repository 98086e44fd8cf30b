//! Simulated histories and test oracles, to measure the strategies without building
//! anything: used by the tests and by `benches/commit_bench.rs`, and by anyone who wants
//! to know how many runs a hunt of a given shape takes.

use super::bisection::Bisection;
use super::graph::CommitGraph;
use super::model::{BisectOptions, SearchError, Verdict};
use super::status::Status;

/// A small seeded generator (SplitMix64): the same seed gives the same history and the
/// same flaky outcomes on every machine.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// A generated history: commit `i`'s parents, all numbered below `i`, first parent first.
/// Commit 0 is the root (the good endpoint), the last commit the bad one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub parents: Vec<Vec<usize>>,
}

impl History {
    pub fn linear(len: usize) -> Self {
        Self {
            parents: (0..len)
                .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
                .collect(),
        }
    }

    /// A mainline that mostly merges topic branches, like a maintainer's tree: topics
    /// fork from a recent mainline commit, some merge a sub-topic or the mainline back
    /// into themselves, and each is merged into the mainline. The last commit is the
    /// mainline tip.
    pub fn merge_heavy(len: usize, rng: &mut SplitMix64) -> Self {
        let mut parents: Vec<Vec<usize>> = vec![vec![]];
        let mut mainline: Vec<usize> = vec![0];
        while parents.len() < len {
            let tip = mainline[mainline.len() - 1];
            let room = len - parents.len();
            if room < 3 || rng.chance(0.3) {
                parents.push(vec![tip]);
                mainline.push(parents.len() - 1);
                continue;
            }
            let recent = mainline.len().min(30);
            let fork = mainline[mainline.len() - 1 - rng.below(recent)];
            let mut topic = fork;
            for _ in 0..1 + rng.below(8.min(room - 2)) {
                if parents.len() + 2 >= len {
                    break;
                }
                let roll = rng.unit();
                if roll < 0.1 && topic != tip {
                    parents.push(vec![topic, tip]);
                } else if roll < 0.2 {
                    let sub_start = parents.len();
                    parents.push(vec![fork]);
                    parents.push(vec![topic, sub_start]);
                } else {
                    parents.push(vec![topic]);
                }
                topic = parents.len() - 1;
            }
            parents.push(if topic == fork {
                vec![tip]
            } else {
                vec![tip, topic]
            });
            mainline.push(parents.len() - 1);
        }
        Self { parents }
    }

    pub fn len(&self) -> usize {
        self.parents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    pub fn id(i: usize) -> String {
        format!("c{i}")
    }

    /// The graph, listed newest first as `git rev-list` would.
    pub fn graph(&self) -> Result<CommitGraph, super::graph::GraphError> {
        CommitGraph::from_parents(
            self.parents
                .iter()
                .enumerate()
                .rev()
                .map(|(i, ps)| (Self::id(i), ps.iter().map(|&p| Self::id(p)).collect()))
                .collect(),
        )
    }

    /// Which commits contain `culprit` (it or a descendant).
    pub fn contains(&self, culprit: usize) -> Vec<bool> {
        let mut bad = vec![false; self.len()];
        bad[culprit] = true;
        for (i, ps) in self.parents.iter().enumerate().skip(culprit + 1) {
            bad[i] = ps.iter().any(|&p| bad[p]);
        }
        bad
    }
}

/// What one simulated hunt ended with.
#[derive(Debug, Clone, PartialEq)]
pub struct Hunt {
    pub status: Status,
    /// Runs done, skipped ones included.
    pub runs: usize,
}

/// Drives a bisection on `graph` with `k` parallel runs per round until it stops asking
/// or `max_runs` is reached. `oracle` runs a candidate (a graph node).
pub fn hunt(
    graph: &CommitGraph,
    good: &[usize],
    bad: usize,
    options: BisectOptions,
    k: usize,
    max_runs: usize,
    mut oracle: impl FnMut(usize) -> Verdict,
) -> Result<Hunt, SearchError> {
    let mut bisection = Bisection::new(graph, good, bad, options)?;
    let mut runs = 0;
    while runs < max_runs {
        let candidates = bisection.next(k.min(max_runs - runs));
        if candidates.is_empty() {
            break;
        }
        for candidate in candidates {
            runs += 1;
            bisection.record(candidate, oracle(candidate))?;
        }
    }
    Ok(Hunt {
        status: bisection.status(),
        runs,
    })
}
