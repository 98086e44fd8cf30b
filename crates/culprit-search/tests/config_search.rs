//! The configuration search against simulated builds: culprit structures per test and
//! per failure, normalizers that refuse options, flaky verdicts, parallel builds, replay.

use std::collections::{BTreeMap, BTreeSet};

use culprit_search::config::{
    ConfigSearch, ConfigSearchOptions, OtherFailure, TestStatus, Verdict,
};
use proptest::prelude::*;

type Set = BTreeSet<usize>;

/// A simulated tree: each test fails when the applied set contains one of its culprit
/// sets; the normalizer drops refused options, and options whose dependency is not applied.
/// A test may also fail other ways (`f1`, `f2`, … from its own culprit sets), which show
/// only where no failure before them in the list is caused (a panic before a hang).
#[derive(Debug, Clone)]
struct Tree {
    n: usize,
    culprits: Vec<Vec<Set>>,
    others: Vec<Vec<Vec<Set>>>,
    refused: Set,
    depends_on: BTreeMap<usize, usize>,
    /// Probability of a wrong verdict, and the state of the generator that draws it.
    flake: Option<(f64, u64)>,
}

impl Tree {
    fn new(n: usize, culprits: Vec<Vec<Set>>) -> Tree {
        Tree {
            n,
            others: vec![Vec::new(); culprits.len()],
            culprits,
            refused: Set::new(),
            depends_on: BTreeMap::new(),
            flake: None,
        }
    }

    fn tests(&self) -> Vec<String> {
        (0..self.culprits.len()).map(|t| format!("t{t}")).collect()
    }

    fn normalize(&self, requested: &Set) -> Set {
        let mut applied: Set = requested.difference(&self.refused).copied().collect();
        loop {
            let orphan = applied.iter().copied().find(|option| {
                self.depends_on
                    .get(option)
                    .is_some_and(|dep| !applied.contains(dep))
            });
            match orphan {
                Some(option) => applied.remove(&option),
                None => break,
            };
        }
        applied
    }

    fn verdicts(&mut self, applied: &Set) -> BTreeMap<String, Verdict> {
        let tests = self.tests();
        let mut verdicts = BTreeMap::new();
        for (index, test) in tests.into_iter().enumerate() {
            let caused = |sets: &[Set]| sets.iter().any(|s| s.is_subset(applied));
            let mut fails = caused(&self.culprits[index]);
            if let Some((probability, state)) = &mut self.flake {
                if next_unit(state) < *probability {
                    fails = !fails;
                }
            }
            let other = self.others[index].iter().position(|sets| caused(sets));
            let verdict = match (fails, other) {
                (true, _) => Verdict::Bad,
                (false, Some(other)) => Verdict::Other(format!("f{}", other + 1)),
                (false, None) => Verdict::Good,
            };
            verdicts.insert(test, verdict);
        }
        verdicts
    }

    /// The other failures a perfect search reports, by name, with their culprit sets.
    fn expected_others(&self, test: usize) -> Vec<OtherFailure> {
        self.others[test]
            .iter()
            .enumerate()
            .map(|(index, sets)| OtherFailure {
                failure: format!("f{}", index + 1),
                culprit_sets: self.minimal_live(sets),
            })
            .filter(|o| !o.culprit_sets.is_empty())
            .collect()
    }

    /// The culprit sets a perfect search reports: those the normalizer lets apply,
    /// minimal ones only.
    fn expected(&self, test: usize) -> Vec<Set> {
        self.minimal_live(&self.culprits[test])
    }

    fn minimal_live(&self, sets: &[Set]) -> Vec<Set> {
        let full = self.normalize(&(0..self.n).collect());
        let live: Vec<&Set> = sets.iter().filter(|s| s.is_subset(&full)).collect();
        let mut minimal: Vec<Set> = live
            .iter()
            .filter(|s| !live.iter().any(|o| o != *s && o.is_subset(s)))
            .map(|s| (*s).clone())
            .collect();
        minimal.sort();
        minimal.dedup();
        minimal
    }
}

/// splitmix64, mapped to [0, 1).
fn next_unit(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / u64::MAX as f64
}

/// Every batch of builds, as asked and as recorded.
type Journal = Vec<Vec<(Set, Set, BTreeMap<String, Verdict>)>>;

/// Runs the search to the end with `k` parallel builds; returns it and its journal.
fn drive(tree: &mut Tree, options: ConfigSearchOptions, k: usize) -> (ConfigSearch, Journal) {
    let mut search = ConfigSearch::new(tree.n, tree.tests(), options);
    let mut journal: Journal = Vec::new();
    loop {
        let batch = search.next(k);
        if batch.is_empty() {
            return (search, journal);
        }
        assert!(batch.len() <= k);
        let mut records = Vec::new();
        for requested in batch {
            let applied = tree.normalize(&requested);
            let verdicts = tree.verdicts(&applied);
            search.record(&requested, &applied, &verdicts).unwrap();
            records.push((requested, applied, verdicts));
        }
        journal.push(records);
        assert!(journal.len() < 3000, "the search does not end");
    }
}

/// A fresh search fed the journal of a hunt asks for the same builds, batch by batch.
fn assert_replays(tree: &mut Tree, k: usize) {
    let (_, journal) = drive(tree, ConfigSearchOptions::default(), k);
    let mut replay = ConfigSearch::new(tree.n, tree.tests(), ConfigSearchOptions::default());
    for batch in &journal {
        let asked: Vec<Set> = batch
            .iter()
            .map(|(requested, _, _)| requested.clone())
            .collect();
        assert_eq!(replay.next(k), asked);
        for (requested, applied, verdicts) in batch {
            replay.record(requested, applied, verdicts).unwrap();
        }
    }
    assert!(replay.next(k).is_empty());
}

fn found(search: &ConfigSearch, test: usize) -> (Vec<Set>, Set) {
    let (sets, _, cure) = found_all(search, test);
    (sets, cure)
}

/// The target's culprit sets, the other failures' by name, and the cure.
fn found_all(search: &ConfigSearch, test: usize) -> (Vec<Set>, Vec<OtherFailure>, Set) {
    match search.status().tests.remove(&format!("t{test}")) {
        Some(TestStatus::Done {
            mut culprit_sets,
            mut others,
            cure,
        }) => {
            culprit_sets.sort();
            others.sort_by(|a, b| a.failure.cmp(&b.failure));
            for other in &mut others {
                other.culprit_sets.sort();
            }
            (culprit_sets, others, cure)
        }
        other => panic!("t{test}: {other:?}"),
    }
}

fn assert_right(tree: &Tree, search: &ConfigSearch) {
    for test in 0..tree.culprits.len() {
        let (sets, others, cure) = found_all(search, test);
        assert_eq!(sets, tree.expected(test), "t{test} of {tree:?}");
        let others_expected = tree.expected_others(test);
        assert_eq!(others, others_expected, "t{test} of {tree:?}");
        let mut expected = tree.expected(test);
        expected.extend(others_expected.into_iter().flat_map(|o| o.culprit_sets));
        assert!(expected
            .iter()
            .all(|s| s.intersection(&cure).next().is_some()));
        for change in &cure {
            let mut smaller = cure.clone();
            smaller.remove(change);
            assert!(
                expected.iter().any(|s| s.is_disjoint(&smaller)),
                "cure {cure:?} is not minimal for {expected:?}"
            );
        }
    }
}

/// Random culprit structures: per test 1..=3 sets of 1..=3 changes.
fn tree() -> impl Strategy<Value = Tree> {
    (1usize..300).prop_flat_map(|n| {
        let set = prop::collection::btree_set(0..n, 1..=3.min(n));
        let test = prop::collection::vec(set, 1..=3);
        prop::collection::vec(test, 1..=3).prop_map(move |culprits| Tree::new(n, culprits))
    })
}

/// Random trees whose tests also fail other ways: per test a target failure and one or
/// two later ones, each with 1..=2 culprit sets; a later failure's sets share no option
/// with an earlier failure of the same test (else the earlier one would always show).
fn tree_with_failures() -> impl Strategy<Value = Tree> {
    (2usize..200).prop_flat_map(|n| {
        let set = prop::collection::btree_set(0..n, 1..=3.min(n));
        let failure = prop::collection::vec(set, 1..=2);
        let test = prop::collection::vec(failure, 2..=3);
        prop::collection::vec(test, 1..=2).prop_map(move |tests| {
            let mut culprits = Vec::new();
            let mut others = Vec::new();
            for mut failures in tests {
                let target = failures.remove(0);
                let mut used: Set = target.iter().flatten().copied().collect();
                let mut later = Vec::new();
                for sets in failures {
                    let kept: Vec<Set> =
                        sets.into_iter().filter(|s| s.is_disjoint(&used)).collect();
                    used.extend(kept.iter().flatten().copied());
                    later.push(kept);
                }
                culprits.push(target);
                others.push(later);
            }
            let mut tree = Tree::new(n, culprits);
            tree.others = others;
            tree
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn finds_every_failure_of_every_test(mut tree in tree_with_failures(), k in 1usize..4) {
        let (search, _) = drive(&mut tree, ConfigSearchOptions::default(), k);
        assert_right(&tree, &search);
    }

    #[test]
    fn replaying_a_hunt_of_several_failures_asks_for_the_same_builds(
        mut tree in tree_with_failures(),
    ) {
        assert_replays(&mut tree, 2);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn finds_every_minimal_culprit_set_of_every_test(mut tree in tree()) {
        let (search, journal) = drive(&mut tree, ConfigSearchOptions::default(), 1);
        assert_right(&tree, &search);
        prop_assert_eq!(search.status().builds, journal.len());
        prop_assert!(journal.iter().all(|batch| batch.len() == 1));
    }

    #[test]
    fn parallel_builds_find_the_same(mut tree in tree(), k in 2usize..6) {
        let (search, _) = drive(&mut tree, ConfigSearchOptions::default(), k);
        assert_right(&tree, &search);
    }

    #[test]
    fn refused_options_are_never_blamed(
        mut tree in tree(),
        refused in prop::collection::btree_set(0usize..300, 0..20),
    ) {
        tree.refused = refused.into_iter().filter(|&r| r < tree.n).collect();
        let (search, _) = drive(&mut tree, ConfigSearchOptions::default(), 1);
        assert_right(&tree, &search);
        let status = search.status();
        prop_assert_eq!(&status.never_applied, &tree.refused);
        for test in status.tests.values() {
            if let TestStatus::Done { culprit_sets, cure, .. } = test {
                for set in culprit_sets.iter().chain([cure]) {
                    prop_assert!(set.is_disjoint(&tree.refused));
                }
            }
        }
    }

    #[test]
    fn replaying_the_journal_asks_for_the_same_builds(mut tree in tree(), k in 1usize..4) {
        assert_replays(&mut tree, k);
    }
}

#[test]
fn flaky_verdicts_are_outvoted_with_confirmations() {
    let mut wrong = 0;
    for seed in 0..40u64 {
        let mut state = seed;
        let n = 10 + (next_unit(&mut state) * 190.0) as usize;
        let mut pick = || (next_unit(&mut state) * n as f64) as usize;
        let culprits = vec![
            vec![Set::from([pick()]), Set::from([pick(), pick()])],
            vec![Set::from([pick()])],
        ];
        let mut tree = Tree::new(n, culprits);
        tree.flake = Some((0.05, seed.wrapping_mul(7919)));
        let (search, journal) = drive(&mut tree, ConfigSearchOptions::flaky(3), 1);
        eprintln!("seed {seed}: {} builds", journal.len());

        for test in 0..2 {
            let right = match search.status().tests.remove(&format!("t{test}")) {
                Some(TestStatus::Done {
                    mut culprit_sets, ..
                }) => {
                    culprit_sets.sort();
                    culprit_sets == tree.expected(test)
                }
                _ => false,
            };
            wrong += usize::from(!right);
        }
    }
    assert_eq!(wrong, 0);
}

/// Seed 000: three SMP tests hang; spinlock validation alone breaks one, the others also
/// need CPU_MASK or IPI. One search, shared builds.
#[test]
fn seed_000_shape_shares_builds_between_tests() {
    let (validate, cpu_mask, ipi) = (17, 4, 9);
    let culprits = vec![
        vec![Set::from([validate])],
        vec![Set::from([validate]), Set::from([cpu_mask])],
        vec![Set::from([validate]), Set::from([ipi, cpu_mask])],
    ];
    let mut tree = Tree::new(40, culprits);
    let (search, journal) = drive(&mut tree, ConfigSearchOptions::default(), 1);
    assert_right(&tree, &search);
    let (_, cure) = found(&search, 2);
    assert_eq!(cure, Set::from([cpu_mask, validate]));
    let alone: usize = (0..3)
        .map(|t| {
            let mut single = Tree::new(40, vec![tree.culprits[t].clone()]);
            drive(&mut single, ConfigSearchOptions::default(), 1)
                .1
                .len()
        })
        .sum();
    assert!(
        journal.len() < alone,
        "{} shared vs {alone} alone",
        journal.len()
    );
}

/// An option that only applies together with its dependency is blamed with it: the
/// smallest fragment that reproduces the failure needs both.
#[test]
fn a_culprit_that_needs_a_dependency_is_reported_with_it() {
    let mut tree = Tree::new(30, vec![vec![Set::from([20])]]);
    tree.depends_on.insert(20, 3);
    let (search, _) = drive(&mut tree, ConfigSearchOptions::default(), 1);
    let (sets, cure) = found(&search, 0);
    assert_eq!(sets, [Set::from([3, 20])]);
    assert_eq!(cure, Set::from([3]));
}

#[test]
fn a_test_that_passes_at_bad_has_no_culprits_and_one_that_fails_at_good_is_inconclusive() {
    let mut search = ConfigSearch::new(5, vec!["ok".into(), "broken".into()], Default::default());
    assert_eq!(search.next(3), [(0..5).collect::<Set>(), Set::new()]);
    let verdicts = |ok, broken| BTreeMap::from([("ok".into(), ok), ("broken".into(), broken)]);
    let all: Set = (0..5).collect();
    search
        .record(&all, &all, &verdicts(Verdict::Good, Verdict::Bad))
        .unwrap();
    search
        .record(
            &Set::new(),
            &Set::new(),
            &verdicts(Verdict::Good, Verdict::Bad),
        )
        .unwrap();
    let status = search.status();
    assert_eq!(
        status.tests["ok"],
        TestStatus::Done {
            culprit_sets: vec![],
            others: vec![],
            cure: Set::new()
        }
    );
    assert!(matches!(
        &status.tests["broken"],
        TestStatus::Inconclusive { reason } if reason.contains("good configuration")
    ));
    assert!(search.next(1).is_empty());
}

#[test]
fn skipped_candidates_are_worked_around() {
    let mut tree = Tree::new(64, vec![vec![Set::from([40])]]);
    let mut search = ConfigSearch::new(64, tree.tests(), Default::default());
    let mut skipped = 0;
    while let Some(requested) = search.next(1).pop() {
        let applied = tree.normalize(&requested);
        let mut verdicts = tree.verdicts(&applied);
        // Every candidate of exactly 32 changes breaks the build.
        if requested.len() == 32 {
            verdicts.insert("t0".into(), Verdict::Skip);
            skipped += 1;
        }
        search.record(&requested, &applied, &verdicts).unwrap();
    }
    assert_eq!(skipped, 1);
    assert_eq!(found(&search, 0).0, [Set::from([40])]);
}

#[test]
fn contradictions_that_repeat_make_the_test_inconclusive() {
    let mut search = ConfigSearch::new(4, vec!["t".into()], Default::default());
    let verdict = |v| BTreeMap::from([("t".to_string(), v)]);
    let all: Set = (0..4).collect();
    search.record(&all, &all, &verdict(Verdict::Bad)).unwrap();
    search
        .record(&Set::new(), &Set::new(), &verdict(Verdict::Good))
        .unwrap();
    // A normalizer that is not monotone: {1} fails, {0, 1} passes, every time.
    for _ in 0..3 {
        search
            .record(&Set::from([1]), &Set::from([1]), &verdict(Verdict::Bad))
            .unwrap();
        search
            .record(
                &Set::from([0, 1]),
                &Set::from([0, 1]),
                &verdict(Verdict::Good),
            )
            .unwrap();
    }
    assert!(search.next(1).is_empty());
    assert!(matches!(
        &search.status().tests["t"],
        TestStatus::Inconclusive { reason } if reason.contains("contradicting")
    ));
}

#[test]
fn bad_input_is_rejected() {
    let mut search = ConfigSearch::new(3, vec!["t".into()], Default::default());
    let none = BTreeMap::new();
    assert_eq!(
        search
            .record(&Set::from([3]), &Set::new(), &none)
            .unwrap_err()
            .to_string(),
        "change index 3 is out of range (there are 3 changes)"
    );
    let stranger = BTreeMap::from([("u".to_string(), Verdict::Good)]);
    assert!(search.record(&Set::new(), &Set::new(), &stranger).is_err());
}

/// The names of issue 14's tree: tinyconfig and 31 options apart.
fn issue_14_names() -> Vec<String> {
    let mut names: Vec<String> = (0..31).map(|i| format!("CONFIG_OPTION_{i}")).collect();
    names[3] = "CONFIG_BINFMT_ELF".into();
    names[10] = "CONFIG_CMDLINE".into();
    names[11] = "CONFIG_CMDLINE_BOOL".into();
    names
}

/// Issue 14: turning BINFMT_ELF off panics the boot; the bad configuration without it
/// still hangs, because CMDLINE and CMDLINE_BOOL together give a bad command line. Both
/// are found, each with its failure, and the cure needs one option of each.
#[test]
fn a_second_failure_behind_the_first_is_hunted_with_its_own_culprits() {
    let mut tree = Tree::new(31, vec![vec![Set::from([3])]]);
    tree.others = vec![vec![vec![Set::from([10, 11])]]];
    let (search, journal) = drive(&mut tree, ConfigSearchOptions::default(), 1);
    let (sets, others, cure) = found_all(&search, 0);
    assert_eq!(sets, [Set::from([3])]);
    assert_eq!(
        others,
        [OtherFailure {
            failure: "f1".into(),
            culprit_sets: vec![Set::from([10, 11])]
        }]
    );
    assert_eq!(cure, Set::from([3, 10]));
    // The panic alone (one of 31), the pair (two of 30), the two proofs, the endpoints.
    assert!(journal.len() <= 24, "{} builds", journal.len());
}

/// When the other failure is outside the hunt (an explicit target), the bad configuration
/// without the culprit cannot be judged: the test is inconclusive, and the reason names
/// the options, never their indices.
#[test]
fn an_untestable_remainder_is_named_by_its_options() {
    let mut tree = Tree::new(31, vec![vec![Set::from([3])]]);
    tree.others = vec![vec![vec![Set::from([10, 11])]]];
    let mut search =
        ConfigSearch::new(31, tree.tests(), Default::default()).named(issue_14_names());
    while let Some(requested) = search.next(1).pop() {
        let applied = tree.normalize(&requested);
        let mut verdicts = tree.verdicts(&applied);
        if matches!(verdicts["t0"], Verdict::Other(_)) {
            verdicts.insert("t0".into(), Verdict::Skip);
        }
        search.record(&requested, &applied, &verdicts).unwrap();
    }
    match &search.status().tests["t0"] {
        TestStatus::Inconclusive { reason } => assert_eq!(
            reason,
            "cannot tell whether more culprits remain: the bad configuration without \
             {CONFIG_BINFMT_ELF} could not be tested"
        ),
        other => panic!("{other:?}"),
    }
}

/// A hang that needs a pair, behind a panic from one option, in a test whose bad
/// configuration shows the hang only once the panic is gone, next to a test that only
/// panics: the builds serve both tests.
#[test]
fn two_tests_with_different_failures_share_builds() {
    let mut tree = Tree::new(200, vec![vec![Set::from([150])], vec![Set::from([150])]]);
    tree.others = vec![vec![vec![Set::from([20, 90])]], vec![]];
    let (search, _) = drive(&mut tree, ConfigSearchOptions::default(), 2);
    assert_right(&tree, &search);
    assert_eq!(found_all(&search, 1).1, []);
}

#[test]
fn a_build_still_running_is_never_proposed_again() {
    let search = ConfigSearch::new(5, vec!["boot".into()], Default::default());
    let bad: Set = (0..5).collect();
    assert_eq!(search.next_with_pending(1, &[]), std::slice::from_ref(&bad));
    assert_eq!(
        search.next_with_pending(1, std::slice::from_ref(&bad)),
        [Set::new()]
    );
    // Until both endpoints are known there is nothing else worth building.
    assert!(search.next_with_pending(1, &[bad, Set::new()]).is_empty());
}

/// Of the cures of issue 14's hunt, the one a person writes turns the command line's
/// guard off rather than unsetting the string itself; both were built, so either is
/// verified.
#[test]
fn cures_prefer_the_changes_a_person_would_revert() {
    let mut tree = Tree::new(31, vec![vec![Set::from([3])]]);
    tree.others = vec![vec![vec![Set::from([10, 11])]]];
    let mut search =
        ConfigSearch::new(31, tree.tests(), Default::default()).avoiding_in_cures(Set::from([10]));
    while let Some(requested) = search.next(1).pop() {
        let applied = tree.normalize(&requested);
        let verdicts = tree.verdicts(&applied);
        search.record(&requested, &applied, &verdicts).unwrap();
    }
    let (_, _, cure) = found_all(&search, 0);
    assert_eq!(cure, Set::from([3, 11]));
    let all: Set = (0..31).collect();
    for cure in [Set::from([3, 11]), Set::from([3, 10])] {
        assert!(search.built(&all.difference(&cure).copied().collect()));
    }
    assert!(search.built(&Set::from([10, 11])));
    assert!(!search.built(&Set::from([5, 6])));
}
