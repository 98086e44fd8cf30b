//! Simulated histories and test oracles, to measure the strategies without building
//! anything: used by the tests and by `benches/commit_bench/`, and by anyone who wants
//! to know how many runs a hunt of a given shape takes.

use super::bisection::Bisection;
use super::fixup::FixSearch;
use super::graph::CommitGraph;
use super::model::{BisectOptions, SearchError, Verdict};
use super::status::Status;
use std::collections::{BTreeMap, BTreeSet};

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

    /// The graph node of each commit (by its number in this history), and the commit of
    /// each node of `graph`, this history's graph: the two numberings differ.
    pub fn node_numbers(&self, graph: &CommitGraph) -> (Vec<usize>, Vec<usize>) {
        let node_of: Vec<usize> = (0..self.len())
            .map(|i| {
                graph
                    .index(&Self::id(i))
                    .expect("the graph is this history's: it lists every commit")
            })
            .collect();
        let mut commit_of = vec![0; node_of.len()];
        for (i, &n) in node_of.iter().enumerate() {
            commit_of[n] = i;
        }
        (node_of, commit_of)
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
    /// Rounds of up to `k` parallel runs.
    pub rounds: usize,
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
    hunt_on(&mut bisection, k, max_runs, &mut oracle)
}

/// A hunt with unknown rates as culprit starts it: the bad endpoint `bad` of `bisection`
/// is run until it fails once (every run recorded: the hunt needs the failure to know its
/// target), then the bisection chooses every run, `k` per round, up to `max_runs` after
/// that first failure. The runs counted include the endpoint's.
pub fn hunt_from_first_failure(
    mut bisection: Bisection,
    bad: usize,
    k: usize,
    max_runs: usize,
    mut oracle: impl FnMut(usize) -> Verdict,
) -> Result<Hunt, SearchError> {
    let mut endpoint_runs = 0;
    loop {
        let verdict = oracle(bad);
        endpoint_runs += 1;
        let failed = verdict == Verdict::Bad;
        bisection.record(bad, verdict)?;
        if failed || endpoint_runs >= max_runs {
            break;
        }
    }
    let mut search = hunt_on(&mut bisection, k, max_runs, &mut oracle)?;
    search.runs += endpoint_runs;
    search.rounds += endpoint_runs;
    Ok(search)
}

fn hunt_on(
    bisection: &mut Bisection,
    k: usize,
    max_runs: usize,
    oracle: &mut impl FnMut(usize) -> Verdict,
) -> Result<Hunt, SearchError> {
    let (mut runs, mut rounds) = (0, 0);
    while runs < max_runs {
        let candidates = bisection.next(k.min(max_runs - runs));
        if candidates.is_empty() {
            break;
        }
        rounds += 1;
        for candidate in candidates {
            runs += 1;
            bisection.record(candidate, oracle(candidate))?;
        }
    }
    Ok(Hunt {
        status: bisection.status(),
        runs,
        rounds,
    })
}

/// When the automatic rule looks for the commit that ended a build failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixTiming {
    /// Once the search has ended with a suspect set that only builds tell apart (the
    /// default).
    AfterTheEnd,
    /// At the first candidate that does not build (`--auto-fixup`).
    UpFront,
}

/// A hunt with the automatic fixup rule, as culprit's commit hunt runs it, one run at a
/// time: a search; when commits that did not build leave a suspect set, [`FixSearch`]
/// finds the commit that ended the breakage (its probes are runs); the search goes on
/// with that fix applied to the commits that did not build; a culprit that is bad only
/// with the fix counts once an ancestor passed with it (else its parent is run with the
/// fix; if that does not pass, the verdict becomes a skip). `oracle(node, fixed)` runs
/// a candidate on its own or with the fix; a skip on its own means it did not build.
/// `timing` says when the fix is looked for.
pub fn hunt_with_fixups(
    graph: &CommitGraph,
    good: &[usize],
    bad: usize,
    options: BisectOptions,
    max_runs: usize,
    timing: FixTiming,
    mut oracle: impl FnMut(usize, bool) -> Verdict,
) -> Result<Hunt, SearchError> {
    let mut verdicts: Vec<(usize, Verdict)> = Vec::new();
    let mut broken: BTreeSet<usize> = BTreeSet::new();
    // Candidates tested with the fix: whether bad.
    let mut fixed: BTreeMap<usize, bool> = BTreeMap::new();
    let mut distrusted: BTreeSet<usize> = BTreeSet::new();
    let mut fix: Option<usize> = None;
    // Up front: the candidate whose build failed first, and whether a fix was looked for.
    let mut failed: Option<usize> = None;
    let mut searched = false;
    // Up front: the failed build the fix was looked for from.
    let mut cured: Option<usize> = None;
    let mut runs = 0;
    loop {
        let mut bisection = Bisection::new(graph, good, bad, options.clone())?;
        for (node, verdict) in &verdicts {
            bisection.record(*node, verdict.clone())?;
        }
        while runs < max_runs {
            let Some(&node) = bisection.next(1).first() else {
                break;
            };
            // Up front, the commits between the failed build and the fix get it at once.
            let presumed = matches!((cured, fix), (Some(failed), Some(f))
                if graph.is_ancestor(failed, node) && !graph.is_ancestor(f, node));
            let with_fix = fix.is_some()
                && (broken.contains(&node) || presumed)
                && !distrusted.contains(&node);
            runs += 1;
            let mut verdict = oracle(node, with_fix);
            let mut fixed_up = with_fix;
            if !with_fix && matches!(verdict, Verdict::Skip { .. }) {
                broken.insert(node);
                if timing == FixTiming::UpFront && fix.is_none() && !searched {
                    verdicts.push((node, verdict));
                    failed = Some(node);
                    break;
                }
                if fix.is_some() && !distrusted.contains(&node) && runs < max_runs {
                    runs += 1;
                    verdict = oracle(node, true);
                    fixed_up = true;
                }
            }
            if fixed_up && matches!(verdict, Verdict::Good | Verdict::Bad) {
                fixed.insert(node, verdict == Verdict::Bad);
            }
            verdicts.push((node, verdict.clone()));
            bisection.record(node, verdict)?;
        }
        // Bad only with the fix says nothing until an ancestor passed with it.
        let unvouched: Vec<usize> = fixed
            .iter()
            .filter(|(&n, &is_bad)| {
                is_bad
                    && !fixed
                        .iter()
                        .any(|(&o, &o_bad)| !o_bad && graph.is_ancestor(o, n))
            })
            .map(|(&n, _)| n)
            .collect();
        let mut changed = false;
        for node in unvouched {
            let Some(parent) = graph.parents(node).next() else {
                continue;
            };
            runs += 1;
            changed = true;
            if oracle(parent, true) == Verdict::Good {
                fixed.insert(parent, false);
                verdicts.push((parent, Verdict::Good));
            } else {
                fixed.remove(&node);
                distrusted.insert(node);
                for (n, verdict) in verdicts.iter_mut() {
                    if *n == node && *verdict == Verdict::Bad {
                        *verdict = Verdict::Skip {
                            reason: "bad only with the fix".into(),
                        };
                    }
                }
            }
        }
        let up_front = failed.take();
        let found = if let Some(failed) = up_front {
            searched = true;
            // Built on its own: a verdict obtained without the fix.
            let built = |n: usize| {
                n == bad
                    || verdicts.iter().any(|(v, verdict)| {
                        *v == n
                            && matches!(verdict, Verdict::Good | Verdict::Bad)
                            && !fixed.contains_key(&n)
                    })
            };
            FixSearch::after_failure(graph, failed, built, |n| broken.contains(&n))
        } else if changed {
            continue;
        } else {
            let Status::Ambiguous { suspects } = bisection.status() else {
                return Ok(Hunt {
                    status: bisection.status(),
                    runs,
                    rounds: runs,
                });
            };
            match fix {
                Some(_) => None,
                None => FixSearch::from_ambiguity(graph, &suspects, |n| broken.contains(&n)),
            }
        };
        let Some(mut search) = found else {
            // Up front, no descendant known to build leads back to the failure yet: the
            // search goes on, and the rule after the end may still find the fix.
            if up_front.is_some() {
                continue;
            }
            return Ok(Hunt {
                status: bisection.status(),
                runs,
                rounds: runs,
            });
        };
        while let Some(node) = search.next() {
            runs += 1;
            let verdict = oracle(node, false);
            let still_broken = matches!(verdict, Verdict::Skip { .. });
            if still_broken {
                broken.insert(node);
            }
            search.record(node, still_broken);
            verdicts.push((node, verdict));
        }
        fix = search.fix();
        cured = up_front;
        // The window's skips said nothing of the failure, only of the build.
        verdicts.retain(|(n, v)| !(matches!(v, Verdict::Skip { .. }) && broken.contains(n)));
    }
}
