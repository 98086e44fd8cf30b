//! Behaviour of the whole bisection against simulated oracles.

use proptest::prelude::*;

use super::simulate::{hunt, hunt_from_first_failure, FixTiming, History, Hunt, SplitMix64};
use super::*;

/// The same, with unknown rates, "no culprit" and priors.
mod flaky;
/// Properties over random histories: trusted verdicts, skips, replays, parallel
/// candidates and automatic fixups.
mod properties;

fn trusted() -> BisectOptions {
    BisectOptions::default()
}

fn flaky(p_fail_if_bad: f64) -> BisectOptions {
    BisectOptions {
        flaky: Some(FlakyModel::exact(p_fail_if_bad, 0.0)),
        ..BisectOptions::default()
    }
}

/// Any DAG: every commit after the root has one to three earlier parents.
fn random_dag(len: usize, rng: &mut SplitMix64) -> History {
    let parents = (0..len)
        .map(|i| {
            if i == 0 {
                return vec![];
            }
            let mut ps = vec![i - 1 - rng.below(i.min(4))];
            for _ in 0..rng.below(3) {
                let p = rng.below(i);
                if !ps.contains(&p) {
                    ps.push(p);
                }
            }
            ps
        })
        .collect();
    History { parents }
}

/// The graph node of history commit `i`, and back.
struct Nodes {
    to_graph: Vec<usize>,
    to_history: Vec<usize>,
}

impl Nodes {
    fn new(graph: &CommitGraph, history: &History) -> Self {
        let (to_graph, to_history) = history.node_numbers(graph);
        Self {
            to_graph,
            to_history,
        }
    }
}

/// A chain of `len` commits: its graph and the node numbers of its commits.
fn chain(len: usize) -> (CommitGraph, Nodes) {
    let history = History::linear(len);
    let graph = history.graph().unwrap();
    let nodes = Nodes::new(&graph, &history);
    (graph, nodes)
}

/// A trusted bisection of the whole chain, its first commit good and its last bad.
fn chain_bisection<'g>(graph: &'g CommitGraph, nodes: &Nodes) -> Bisection<'g> {
    let tip = nodes.to_graph[nodes.to_graph.len() - 1];
    Bisection::new(graph, &[nodes.to_graph[0]], tip, trusted()).unwrap()
}

/// What a bisection asks and says next: its next three candidates and its status.
fn answers(bisection: &Bisection) -> (Vec<usize>, Status) {
    (bisection.next(3), bisection.status())
}

/// A suspect of the range root..tip, chosen from `pick`.
fn suspect_culprit(history: &History, pick: usize) -> usize {
    let tip = history.len() - 1;
    let mut in_range = vec![false; history.len()];
    in_range[tip] = true;
    for i in (1..=tip).rev() {
        if in_range[i] {
            for &p in &history.parents[i] {
                in_range[p] = p != 0;
            }
        }
    }
    let suspects: Vec<usize> = (1..=tip).filter(|&i| in_range[i]).collect();
    suspects[pick % suspects.len()]
}

struct Scenario {
    history: History,
    graph: CommitGraph,
    nodes: Nodes,
    bad_set: Vec<bool>,
    culprit: usize,
}

impl Scenario {
    fn new(history: History, culprit: usize) -> Self {
        let graph = history.graph().unwrap();
        let nodes = Nodes::new(&graph, &history);
        let bad_set = history.contains(culprit);
        Self {
            history,
            graph,
            nodes,
            bad_set,
            culprit,
        }
    }

    /// A scenario whose culprit is the suspect [`suspect_culprit`] chooses from `pick`.
    fn with_suspect(history: History, pick: usize) -> Self {
        let culprit = suspect_culprit(&history, pick);
        Self::new(history, culprit)
    }

    /// A bisection of the scenario that records `journal` newest first: resuming must not
    /// depend on the order in which the runs finished.
    fn resumed_in_reverse(
        &self,
        options: BisectOptions,
        journal: &[(usize, Verdict)],
    ) -> Bisection<'_> {
        let mut resumed = Bisection::new(&self.graph, &[self.good()], self.bad(), options).unwrap();
        for (candidate, verdict) in journal.iter().rev() {
            resumed.record(*candidate, verdict.clone()).unwrap();
        }
        resumed
    }

    fn good(&self) -> usize {
        self.nodes.to_graph[0]
    }

    fn bad(&self) -> usize {
        self.nodes.to_graph[self.history.len() - 1]
    }

    fn culprit_node(&self) -> usize {
        self.nodes.to_graph[self.culprit]
    }

    fn is_bad(&self, node: usize) -> bool {
        self.bad_set[self.nodes.to_history[node]]
    }

    /// A hunt from the first commit to the last, one candidate at a time, with at most
    /// `max_runs` runs whose verdicts `oracle` gives.
    fn hunt(
        &self,
        options: BisectOptions,
        max_runs: usize,
        oracle: impl FnMut(usize) -> Verdict,
    ) -> Hunt {
        hunt(
            &self.graph,
            &[self.good()],
            self.bad(),
            options,
            1,
            max_runs,
            oracle,
        )
        .unwrap()
    }

    /// The same, started from the first failure (see [`hunt_from_first_failure`]).
    fn hunt_from_first_failure(
        &self,
        options: BisectOptions,
        max_runs: usize,
        oracle: impl FnMut(usize) -> Verdict,
    ) -> Hunt {
        hunt_from_first_failure(self.bisection(options), self.bad(), 1, max_runs, oracle).unwrap()
    }

    /// A bisection from the first commit to the last under `options`.
    fn bisection(&self, options: BisectOptions) -> Bisection<'_> {
        Bisection::new(&self.graph, &[self.good()], self.bad(), options).unwrap()
    }

    /// The commits of the suspect set an ambiguous hunt ended with, in order.
    fn suspect_commits(&self, status: &Status) -> Vec<usize> {
        let Status::Ambiguous { suspects } = status else {
            panic!("expected ambiguity, got {status:?}");
        };
        let mut commits: Vec<usize> = suspects
            .iter()
            .map(|s| self.nodes.to_history[s.node])
            .collect();
        commits.sort_unstable();
        commits
    }

    fn trusted_oracle<'a>(&'a self, skipped: &'a [bool]) -> impl FnMut(usize) -> Verdict + 'a {
        move |node| {
            let commit = self.nodes.to_history[node];
            if skipped[commit] {
                Verdict::Skip {
                    reason: format!("build failed at {commit}"),
                }
            } else if self.bad_set[commit] {
                Verdict::Bad
            } else {
                Verdict::Good
            }
        }
    }
}

/// The scenario of trial `trial` of a many-trial test: 200 commits, linear on even
/// trials and merge-heavy on odd ones, with a culprit drawn from `rng`.
fn trial_scenario(trial: usize, rng: &mut SplitMix64) -> Scenario {
    let history = if trial.is_multiple_of(2) {
        History::linear(200)
    } else {
        History::merge_heavy(200, rng)
    };
    Scenario::with_suspect(history, rng.below(1 << 20))
}

/// Runs `trials` hunts of [`trial_scenario`]s drawn from `seed` (`hunt` runs one, with
/// coin flips seeded by the trial's number) and checks that each named a commit at a
/// confidence of 0.99 or more, at least 99 in 100 the culprit, in fewer than
/// `mean_runs` runs on average.
fn assert_99_in_100(
    seed: u64,
    trials: usize,
    mean_runs: usize,
    hunt: impl Fn(&Scenario, &mut SplitMix64) -> Hunt,
) {
    let mut rng = SplitMix64::new(seed);
    let (mut correct, mut runs) = (0, 0);
    for trial in 0..trials {
        let scenario = trial_scenario(trial, &mut rng);
        let result = hunt(&scenario, &mut SplitMix64::new(trial as u64));
        runs += result.runs;
        match result.status {
            Status::Found {
                culprit,
                confidence,
            } => {
                assert!(confidence >= 0.99);
                correct += usize::from(culprit == scenario.culprit_node());
            }
            other => panic!("trial {trial}: {other:?}"),
        }
    }
    assert!(correct * 100 >= trials * 99, "{correct}/{trials} correct");
    assert!(runs / trials < mean_runs, "{} runs per hunt", runs / trials);
}

fn assert_found(status: &Status, culprit: usize) {
    match status {
        Status::Found {
            culprit: found,
            confidence,
        } => {
            assert_eq!(*found, culprit);
            assert_eq!(*confidence, 1.0);
        }
        other => panic!("expected the culprit {culprit}, got {other:?}"),
    }
}

#[test]
fn halving_finds_every_culprit_of_a_chain_in_log_runs() {
    let history = History::linear(101);
    for culprit in 1..101 {
        let scenario = Scenario::new(history.clone(), culprit);
        let no_skips = vec![false; 101];
        let result = scenario.hunt(trusted(), 1000, scenario.trusted_oracle(&no_skips));
        assert_found(&result.status, scenario.culprit_node());
        assert!(result.runs <= 7, "culprit {culprit}: {} runs", result.runs);
    }
}

#[test]
fn the_first_candidate_of_a_chain_is_its_middle() {
    let (graph, nodes) = chain(11);
    let bisection = chain_bisection(&graph, &nodes);
    let first = bisection.next(1);
    assert_eq!(first.len(), 1);
    assert_eq!(nodes.to_history[first[0]], 5);
    assert_eq!(
        bisection.status(),
        Status::Searching {
            suspects: 10,
            top: (nodes.to_graph[1], 0.1)
        }
    );
}

#[test]
fn a_culprit_bordering_a_skip_window_is_reported_with_the_window() {
    let history = History::linear(40);
    let scenario = Scenario::new(history, 20);
    let mut skipped = vec![false; 40];
    for s in &mut skipped[17..20] {
        *s = true;
    }
    let result = scenario.hunt(trusted(), 1000, scenario.trusted_oracle(&skipped));
    let Status::Ambiguous { suspects } = result.status else {
        panic!("expected ambiguity, got {:?}", result.status);
    };
    let mut described: Vec<(usize, String)> = suspects
        .iter()
        .map(|s| (scenario.nodes.to_history[s.node], s.reason.to_string()))
        .collect();
    described.sort();
    assert_eq!(
        described,
        [
            (17, "skipped: build failed at 17".to_string()),
            (18, "skipped: build failed at 18".to_string()),
            (19, "skipped: build failed at 19".to_string()),
            (20, "first bad commit".to_string()),
        ]
    );
    for suspect in &suspects {
        assert!((suspect.probability - 0.25).abs() < 1e-12);
    }
}

#[test]
fn a_skip_cluster_in_the_middle_costs_few_extra_runs() {
    let len = 1025;
    let history = History::linear(len);
    let mut skipped = vec![false; len];
    for s in &mut skipped[400..624] {
        *s = true;
    }
    let mut worst = 0;
    for culprit in [100, 300, 700, 900, 1000] {
        let scenario = Scenario::new(history.clone(), culprit);
        let result = scenario.hunt(trusted(), 1000, scenario.trusted_oracle(&skipped));
        assert_found(&result.status, scenario.culprit_node());
        worst = worst.max(result.runs);
    }
    assert!(worst <= 10 + 6, "{worst} runs");
}

#[test]
fn contrary_trusted_verdicts_are_a_contradiction_not_a_guess() {
    let (graph, nodes) = chain(10);
    let mut bisection = chain_bisection(&graph, &nodes);
    bisection.record(nodes.to_graph[5], Verdict::Bad).unwrap();
    bisection.record(nodes.to_graph[5], Verdict::Good).unwrap();
    assert_eq!(bisection.status(), Status::Contradiction);
    assert!(bisection.next(1).is_empty());
}

#[test]
fn first_parent_blames_the_merge_that_brought_the_culprit_in() {
    let history = History {
        parents: vec![vec![], vec![0], vec![0], vec![2], vec![1, 3], vec![4]],
    };
    let scenario = Scenario::new(history, 3);
    let no_skips = vec![false; 6];
    let options = BisectOptions {
        first_parent: true,
        ..trusted()
    };
    let result = scenario.hunt(options.clone(), 100, scenario.trusted_oracle(&no_skips));
    assert_found(&result.status, scenario.nodes.to_graph[4]);
    let mut bisection =
        Bisection::new(&scenario.graph, &[scenario.good()], scenario.bad(), options).unwrap();
    assert_eq!(
        bisection.record(scenario.nodes.to_graph[3], Verdict::Bad),
        Err(SearchError::OffFirstParentChain(scenario.nodes.to_graph[3]))
    );
}

#[test]
fn a_bad_commit_below_the_good_one_is_refused() {
    let (graph, nodes) = chain(5);
    assert_eq!(
        Bisection::new(&graph, &[nodes.to_graph[4]], nodes.to_graph[2], trusted()).unwrap_err(),
        SearchError::NoSuspects
    );
    assert_eq!(
        Bisection::new(&graph, &[], 99, trusted()).unwrap_err(),
        SearchError::UnknownNode(99)
    );
}

#[test]
fn a_good_commit_on_another_branch_clears_only_its_ancestors() {
    let history = History {
        parents: vec![vec![], vec![0], vec![1], vec![1], vec![2]],
    };
    let graph = history.graph().unwrap();
    let nodes = Nodes::new(&graph, &history);
    let bisection =
        Bisection::new(&graph, &[nodes.to_graph[3]], nodes.to_graph[4], trusted()).unwrap();
    let mut suspects: Vec<usize> = bisection
        .posterior()
        .iter()
        .map(|&(n, _)| nodes.to_history[n])
        .collect();
    suspects.sort_unstable();
    assert_eq!(suspects, [2, 4]);
    assert!(!graph.is_ancestor(nodes.to_graph[3], nodes.to_graph[4]));
}

#[test]
fn parallel_candidates_split_a_chain_into_equal_parts() {
    let (graph, nodes) = chain(100);
    let bisection = chain_bisection(&graph, &nodes);
    let mut picks: Vec<usize> = bisection
        .next(3)
        .iter()
        .map(|&n| nodes.to_history[n])
        .collect();
    assert!(picks[0] == 49 || picks[0] == 50, "{picks:?}");
    picks.sort_unstable();
    for (pick, quarter) in picks.iter().zip([25, 50, 75]) {
        assert!(pick.abs_diff(quarter) <= 2, "{picks:?}");
    }
    let more = bisection.next_with_pending(2, &bisection.next(3));
    assert_eq!(more.len(), 2);
    for pick in &more {
        assert!(!bisection.next(3).contains(pick));
    }
}

#[test]
fn flaky_failures_at_one_half_find_the_culprit_99_times_in_100() {
    assert_99_in_100(0x5eed, 300, 80, |scenario, flips| {
        scenario.hunt(flaky(0.5), 2000, |node| {
            if scenario.is_bad(node) && flips.chance(0.5) {
                Verdict::Bad
            } else {
                Verdict::Good
            }
        })
    });
}

#[test]
fn flaky_search_reports_a_skip_window_it_cannot_split() {
    let history = History::linear(60);
    let scenario = Scenario::new(history, 30);
    let mut flips = SplitMix64::new(7);
    let result = scenario.hunt(flaky(0.7), 3000, |node| {
        let commit = scenario.nodes.to_history[node];
        if (28..30).contains(&commit) {
            Verdict::Skip {
                reason: "does not build".into(),
            }
        } else if scenario.is_bad(node) && flips.chance(0.7) {
            Verdict::Bad
        } else {
            Verdict::Good
        }
    });
    assert_eq!(scenario.suspect_commits(&result.status), [28, 29, 30]);
}

fn any_history() -> impl Strategy<Value = History> {
    (2usize..120, any::<u64>(), 0..3u8).prop_map(|(len, seed, shape)| {
        let mut rng = SplitMix64::new(seed);
        match shape {
            0 => History::linear(len),
            1 => History::merge_heavy(len, &mut rng),
            _ => random_dag(len, &mut rng),
        }
    })
}
