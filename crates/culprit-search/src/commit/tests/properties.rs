//! Properties of the whole bisection over random histories (`any_history`): whatever the
//! shape, trusted verdicts find the culprit and the answers never depend on the order of
//! the verdicts.

use super::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn trusted_verdicts_always_find_the_culprit(history in any_history(), pick in any::<usize>(), k in 1usize..4) {
        let scenario = Scenario::with_suspect(history, pick);
        let no_skips = vec![false; scenario.history.len()];
        let result = hunt(&scenario.graph, &[scenario.good()], scenario.bad(), trusted(), k, 10_000, scenario.trusted_oracle(&no_skips)).unwrap();
        assert_found(&result.status, scenario.culprit_node());
    }

    #[test]
    fn skips_leave_the_culprit_or_a_set_that_holds_it(
        history in any_history(),
        pick in any::<usize>(),
        window in (0usize..120, 1usize..30),
    ) {
        let scenario = Scenario::with_suspect(history, pick);
        let len = scenario.history.len();
        let skipped: Vec<bool> = (0..len).map(|i| i >= window.0 && i < window.0 + window.1).collect();
        let result = hunt(&scenario.graph, &[scenario.good()], scenario.bad(), trusted(), 1, 10_000, scenario.trusted_oracle(&skipped)).unwrap();
        match result.status {
            Status::Found { culprit, .. } => prop_assert_eq!(culprit, scenario.culprit_node()),
            Status::Ambiguous { suspects } => {
                prop_assert!(suspects.len() > 1);
                prop_assert!(suspects.iter().any(|s| s.node == scenario.culprit_node()));
                for s in &suspects {
                    let commit = scenario.nodes.to_history[s.node];
                    let is_skipped = matches!(s.reason, SuspectReason::Skipped { .. });
                    prop_assert!(!is_skipped || skipped[commit]);
                }
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn replaying_verdicts_in_any_order_gives_the_same_answers(
        history in any_history(),
        pick in any::<usize>(),
        steps in 1usize..8,
        noisy in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let scenario = Scenario::with_suspect(history, pick);
        let options = if noisy { flaky(0.6) } else { trusted() };
        let mut rng = SplitMix64::new(seed);
        let mut live = Bisection::new(&scenario.graph, &[scenario.good()], scenario.bad(), options.clone()).unwrap();
        let mut journal = Vec::new();
        for _ in 0..steps {
            for candidate in live.next(2) {
                let verdict = if rng.chance(0.15) {
                    Verdict::Skip { reason: "flaky build".into() }
                } else if scenario.is_bad(candidate) && (!noisy || rng.chance(0.6)) {
                    Verdict::Bad
                } else {
                    Verdict::Good
                };
                live.record(candidate, verdict.clone()).unwrap();
                journal.push((candidate, verdict));
            }
        }
        let resumed = scenario.resumed_in_reverse(options, &journal);
        prop_assert_eq!(answers(&live), answers(&resumed));
    }

    #[test]
    fn parallel_candidates_are_distinct_and_informative(history in any_history(), k in 1usize..6, pending_count in 0usize..3) {
        let graph = history.graph().unwrap();
        let nodes = Nodes::new(&graph, &history);
        let bisection = Bisection::new(&graph, &[nodes.to_graph[0]], nodes.to_graph[history.len() - 1], trusted()).unwrap();
        let pending = bisection.next(pending_count);
        let picks = bisection.next_with_pending(k, &pending);
        prop_assert!(picks.len() <= k);
        let mut all = picks.clone();
        all.extend(&pending);
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        prop_assert_eq!(all.len(), count);
        let suspects = bisection.initial_suspects();
        prop_assert_eq!(picks.is_empty() && pending.is_empty(), suspects == 1);
    }
}

proptest! {
    /// A window of commits that do not build, the culprit inside it or next to it, the
    /// commit after the window fixing the build (and, when the culprit is that commit,
    /// carrying the bug too): the hunt with automatic fixups is exact whenever the
    /// culprit is inside the window, and never wrong.
    #[test]
    fn automatic_fixups_make_a_window_exact_and_never_wrong(
        lo in 2usize..60,
        width in 1usize..12,
        offset in 0usize..16,
        up_front: bool,
    ) {
        let hi = lo + width - 1;
        let culprit = lo - 1 + offset % (width + 3);
        let len = hi + 10;
        let scenario = Scenario::new(History::linear(len), culprit);
        let bad_set = History::linear(len).contains(culprit);
        let fix_carries_bug = culprit == hi + 1;
        let oracle = |node: usize, fixed: bool| {
            let commit = scenario.nodes.to_history[node];
            let broken = (lo..=hi).contains(&commit);
            if broken && !fixed {
                return Verdict::Skip { reason: "does not build".into() };
            }
            // The fix brings its whole change to any commit that does not contain it.
            if bad_set[commit] || (fixed && commit <= hi && fix_carries_bug) {
                Verdict::Bad
            } else {
                Verdict::Good
            }
        };
        let result = super::simulate::hunt_with_fixups(
            &scenario.graph,
            &[scenario.good()],
            scenario.bad(),
            trusted(),
            500,
            if up_front { FixTiming::UpFront } else { FixTiming::AfterTheEnd },
            oracle,
        )
        .unwrap();
        let node = scenario.nodes.to_graph[culprit];
        match &result.status {
            Status::Found { culprit: found, .. } => prop_assert_eq!(*found, node),
            Status::Ambiguous { suspects } => {
                prop_assert!(suspects.iter().any(|s| s.node == node), "{:?}", suspects);
                prop_assert!(!(lo..=hi).contains(&culprit), "inside the window: {:?}", suspects);
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
