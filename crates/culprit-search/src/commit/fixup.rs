//! The automatic fixup rule: when a window of commits that do not build leaves the
//! answer ambiguous, find the commit that ended the breakage, so that it can be applied
//! on top of the window's commits and make them testable.
//!
//! The first descendant of the window that builds is the ambiguous answer's first bad
//! commit. Between it and the last commit that still fails to build with the window's
//! signature, along first parents, the commit that removed the signature is found by a
//! bisection over build results only (the commits in between are usually untested).
//! That commit is the fixup: applied to a window commit, it carries the repair and, when
//! the culprit is elsewhere, nothing of the failure hunted.

use super::graph::CommitGraph;
use super::status::{Suspect, SuspectReason};

/// The search for the commit that ended a window of build failures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixSearch {
    /// From the last commit known to fail with the signature (first) to the first that
    /// builds (last), along first parents.
    chain: Vec<usize>,
    /// Index in `chain` of the newest commit known to fail with the signature.
    broken: usize,
    /// Index in `chain` of the oldest commit known to be rid of it.
    fixed: usize,
}

impl FixSearch {
    /// The search an ambiguous answer calls for, or `None` when its ambiguity is not one
    /// of build failures: `broken(node)` says whether a skipped suspect was skipped
    /// because its build failed with the window's signature.
    pub fn from_ambiguity(
        graph: &CommitGraph,
        suspects: &[Suspect],
        broken: impl Fn(usize) -> bool,
    ) -> Option<FixSearch> {
        let window: Vec<usize> = suspects
            .iter()
            .filter(|s| matches!(s.reason, SuspectReason::Skipped { .. }) && broken(s.node))
            .map(|s| s.node)
            .collect();
        // The first descendant of the window that builds: the suspect known bad.
        let first_built = suspects
            .iter()
            .filter(|s| s.reason == SuspectReason::FirstBad)
            .map(|s| s.node)
            .find(|&n| window.iter().any(|&w| graph.is_ancestor(w, n)))?;
        // Off the suspects, the walk found no failing build before the good side.
        let chain = walk_back(
            graph,
            first_built,
            |n| window.contains(&n),
            |n| suspects.iter().any(|s| s.node == n),
        )?;
        Some(FixSearch::along(chain))
    }

    /// The search a first build failure calls for, before the hunt has ended (`--auto-fixup`
    /// up front): from the nearest descendant of `failed` known to be rid of the failure
    /// (`built`: its build passed, or failed otherwise) back along first parents to the
    /// last commit known to fail with it (`broken`, which `failed` is). `None` when no
    /// such descendant reaches `failed`'s failures along first parents.
    pub fn after_failure(
        graph: &CommitGraph,
        failed: usize,
        built: impl Fn(usize) -> bool,
        broken: impl Fn(usize) -> bool,
    ) -> Option<FixSearch> {
        (failed + 1..graph.len())
            .filter(|&n| built(n) && graph.is_ancestor(failed, n))
            .filter_map(|n| {
                walk_back(
                    graph,
                    n,
                    |p| p == failed || broken(p),
                    |p| graph.is_ancestor(failed, p),
                )
            })
            .min_by_key(Vec::len)
            .map(FixSearch::along)
    }

    /// The search over `chain`, its first commit broken and its last rid of the failure.
    fn along(chain: Vec<usize>) -> FixSearch {
        FixSearch {
            fixed: chain.len() - 1,
            chain,
            broken: 0,
        }
    }

    /// The commit whose build to try next; `None` once the fix is known.
    pub fn next(&self) -> Option<usize> {
        (self.fixed - self.broken > 1).then(|| self.chain[(self.broken + self.fixed) / 2])
    }

    /// Records a build of `node`: `still_broken` when it failed with the window's own
    /// signature (another error, or a pass, means the signature is gone there).
    pub fn record(&mut self, node: usize, still_broken: bool) {
        let Some(at) = self.chain.iter().position(|&n| n == node) else {
            return;
        };
        if still_broken && at > self.broken && at < self.fixed {
            self.broken = at;
        } else if !still_broken && at < self.fixed && at > self.broken {
            self.fixed = at;
        }
    }

    /// The commit that removed the signature, once [`next`](Self::next) is `None`.
    pub fn fix(&self) -> Option<usize> {
        self.next().is_none().then(|| self.chain[self.fixed])
    }

    /// The last commit known to fail to build with the window's signature.
    pub fn last_broken(&self) -> usize {
        self.chain[self.broken]
    }
}

/// The first-parent chain from the first ancestor of `from` that `stop` accepts to
/// `from`, oldest first; `None` when the walk leaves the commits `within` accepts (or the
/// range) before it stops.
fn walk_back(
    graph: &CommitGraph,
    from: usize,
    stop: impl Fn(usize) -> bool,
    within: impl Fn(usize) -> bool,
) -> Option<Vec<usize>> {
    let mut chain = vec![from];
    let mut node = from;
    loop {
        node = graph.parents(node).next()?;
        chain.push(node);
        if stop(node) {
            chain.reverse();
            return Some(chain);
        }
        if !within(node) {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::simulate::History;
    use proptest::prelude::*;

    /// A chain: its only topological order numbers the nodes as the commits.
    fn linear(len: usize) -> CommitGraph {
        History::linear(len).graph().unwrap()
    }

    fn suspect(node: usize, reason: SuspectReason) -> Suspect {
        Suspect {
            node,
            probability: 0.1,
            reason,
        }
    }

    /// Runs the probes `search` asks for, on a history whose build is fixed from `fix`
    /// on; the probes in order.
    fn probe(search: &mut FixSearch, fix: usize) -> Vec<usize> {
        let mut probes = Vec::new();
        while let Some(node) = search.next() {
            probes.push(node);
            search.record(node, node < fix);
        }
        probes
    }

    fn skipped(node: usize) -> Suspect {
        suspect(
            node,
            SuspectReason::Skipped {
                reason: "build failed".into(),
            },
        )
    }

    #[test]
    fn a_window_right_before_the_first_bad_commit_is_fixed_by_that_commit() {
        let graph = linear(40);
        let mut suspects: Vec<Suspect> = (20..27).map(skipped).collect();
        suspects.push(suspect(27, SuspectReason::FirstBad));
        let search = FixSearch::from_ambiguity(&graph, &suspects, |_| true).unwrap();
        assert_eq!(search.next(), None);
        assert_eq!(search.fix(), Some(27));
        assert_eq!(search.last_broken(), 26);
    }

    #[test]
    fn skips_for_other_reasons_are_no_build_window() {
        let graph = linear(40);
        let mut suspects: Vec<Suspect> = (20..27).map(skipped).collect();
        suspects.push(suspect(27, SuspectReason::FirstBad));
        assert_eq!(
            FixSearch::from_ambiguity(&graph, &suspects, |_| false),
            None
        );
    }

    #[test]
    fn untested_commits_between_the_window_and_the_first_build_are_bisected() {
        let graph = linear(40);
        let mut suspects = vec![skipped(20)];
        suspects.extend((21..30).map(|n| suspect(n, SuspectReason::Untested)));
        suspects.push(suspect(30, SuspectReason::FirstBad));
        let mut search = FixSearch::from_ambiguity(&graph, &suspects, |n| n == 20).unwrap();
        let fix = 24;
        let probes = probe(&mut search, fix);
        assert_eq!(search.fix(), Some(fix));
        assert!(probes.len() <= 4, "{probes:?}");
    }

    #[test]
    fn up_front_the_nearest_descendant_that_built_bounds_the_search() {
        let graph = linear(40);
        let built = |n: usize| n == 27 || n == 30 || n == 39 || n == 10;
        let mut search = FixSearch::after_failure(&graph, 22, built, |n| n == 22).unwrap();
        assert_eq!(search.last_broken(), 22);
        let fix = 25;
        let probes = probe(&mut search, fix);
        assert_eq!(search.fix(), Some(fix));
        // Between 22 and 27 only: two probes, none past the nearest build.
        assert!(probes.iter().all(|&p| p > 22 && p < 27), "{probes:?}");
        assert!(probes.len() <= 2, "{probes:?}");
    }

    #[test]
    fn up_front_a_later_failure_with_the_signature_shortens_the_chain() {
        let graph = linear(40);
        let search =
            FixSearch::after_failure(&graph, 22, |n| n == 30, |n| n == 22 || n == 28).unwrap();
        assert_eq!(search.last_broken(), 28);
        assert_eq!(search.next(), Some(29));
    }

    #[test]
    fn up_front_no_descendant_known_to_build_means_no_search_yet() {
        let graph = linear(40);
        assert_eq!(
            FixSearch::after_failure(&graph, 22, |n| n < 22, |n| n == 22),
            None
        );
        // A merge whose first parents bypass the failed topic branch leads nowhere.
        let node = |id: &str, parents: &[&str]| {
            (
                id.to_string(),
                parents.iter().map(|p| p.to_string()).collect(),
            )
        };
        let graph = CommitGraph::from_parents(vec![
            node("a", &[]),
            node("failed", &["a"]),
            node("topic", &["failed"]),
            node("main", &["a"]),
            node("merge", &["main", "topic"]),
        ])
        .unwrap();
        let at = |id| graph.index(id).unwrap();
        let merge = at("merge");
        let failed = at("failed");
        assert_eq!(
            FixSearch::after_failure(&graph, failed, |n| n == merge, |n| n == failed),
            None
        );
    }

    proptest! {
        /// Wherever the signature goes away between the last failing build and the
        /// first that passes, the search names that commit in logarithmic probes.
        #[test]
        fn finds_the_commit_that_removed_the_signature(
            gap in 1usize..200,
            fix_offset in 0usize..200,
        ) {
            let start = 5;
            let end = start + gap;
            let fix = start + 1 + fix_offset % gap;
            let graph = linear(end + 5);
            let mut suspects = vec![skipped(start)];
            suspects.extend((start + 1..end).map(|n| suspect(n, SuspectReason::Untested)));
            suspects.push(suspect(end, SuspectReason::FirstBad));
            let mut search = FixSearch::from_ambiguity(&graph, &suspects, |n| n == start).unwrap();
            let mut probes = 0;
            while let Some(node) = search.next() {
                probes += 1;
                prop_assert!(node > start && node < end);
                search.record(node, node < fix);
            }
            prop_assert_eq!(search.fix(), Some(fix));
            let bound = (usize::BITS - gap.leading_zeros()) as usize;
            prop_assert!(probes <= bound, "{} probes for a gap of {}", probes, gap);
        }
    }
}
