//! The steps before the search proper: the bad endpoint's run (and its rerun, which
//! checks for an intermittent failure) goes on beside the first search steps instead of
//! holding every other worker back.

use super::{
    boot_hunt, decisive, hunt, hunt_plan, hunt_session, id, index, plan, starts, verdict, Hunted,
    CONFIG,
};
use culprit_console::{Outcome, Signature, SignatureKind};
use culprit_hunt::executor::fake::{step_showing, Scripted, What};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The history of the early-step tests: its length, and its culprit.
const EARLY_COMMITS: usize = 100;
const EARLY_CULPRIT: usize = 60;

/// A hunt of that history whose bad endpoint takes ten times as long as any other step.
fn slow_bad_endpoint_hunt(dir: &Path, workers: usize) -> Hunted {
    hunt(dir, EARLY_COMMITS, workers, Arc::default(), |_, job, _| {
        Scripted {
            seconds: if index(job) == EARLY_COMMITS - 1 {
                10.0
            } else {
                1.0
            },
            result: step_showing(&[("boot", verdict(EARLY_CULPRIT, job))]),
        }
    })
}

/// The journal steps of `phase`, by candidate.
fn keys_of<'h>(hunted: &'h Hunted, phase: &str) -> Vec<&'h str> {
    hunted
        .steps()
        .into_iter()
        .filter(|(p, _)| *p == phase)
        .map(|(_, k)| k)
        .collect()
}

#[test]
fn while_the_bad_endpoint_runs_the_other_worker_keeps_taking_search_steps() {
    let dir = tempfile::tempdir().unwrap();
    let hunted = slow_bad_endpoint_hunt(dir.path(), 2);
    assert_eq!(
        hunted.culprit,
        Some(id(EARLY_CULPRIT)),
        "{:?}",
        hunted.error
    );
    // The good endpoint ends at 1 s, and its worker takes one search step after
    // another until the bad endpoint ends at 10 s: nine, each chosen knowing the
    // passes before it and complementing the failures not judged yet.
    let early = keys_of(&hunted, "search-early");
    assert_eq!(early.len(), 9, "{:?}", hunted.phases);
    let expected: Vec<f64> = (0..=10).map(f64::from).collect();
    assert_eq!(
        starts(&hunted.timeline, 1)[..11],
        expected[..],
        "{:?}",
        hunted.timeline
    );
    // Their verdicts count: the search never tests those candidates again, and little
    // is left to it.
    let search = keys_of(&hunted, "search");
    assert!(
        early.iter().all(|key| !search.contains(key)),
        "{:?}",
        hunted.keys
    );
    assert!(search.len() <= 3, "{:?}", hunted.keys);
    // With one worker there is nobody to spare.
    let dir = tempfile::tempdir().unwrap();
    let alone = slow_bad_endpoint_hunt(dir.path(), 1);
    assert_eq!(alone.culprit, Some(id(EARLY_CULPRIT)));
    assert!(
        keys_of(&alone, "search-early").is_empty(),
        "{:?}",
        alone.phases
    );
}

#[test]
fn an_early_step_cut_short_by_another_failure_is_set_aside_and_tested_again() {
    let dir = tempfile::tempdir().unwrap();
    let (culprit, commits) = (EARLY_CULPRIT, EARLY_COMMITS);
    let config =
        "[[test]]\nname = \"a\"\ncommand = \"a.sh\"\n[[test]]\nname = \"b\"\ncommand = \"b.sh\"\n";
    let mut plan = plan(commits);
    plan.settings.tests = vec!["a".into(), "b".into()];
    // Test b fails from the culprit on: its target. Test a passes at both endpoints
    // but crashes in between, so an early step, which stops at the first failure,
    // never reaches b; the search's own steps run only b, the test with a target.
    let hunted = hunt_plan(
        dir.path(),
        config,
        plan,
        2,
        Arc::default(),
        move |_, job, _| {
            let n = index(job);
            let mut tests = Vec::new();
            for name in &job.work.tests {
                let outcome = match name.as_str() {
                    "a" if n != 0 && n != commits - 1 => Outcome::Fail {
                        signature: Signature::new(SignatureKind::Oops, "BUG: unrelated in a"),
                    },
                    "a" => Outcome::Pass,
                    _ => verdict(culprit, job),
                };
                let run = step_showing(&[(name, outcome)]).tests.remove(0);
                let stop = decisive(job, &run);
                tests.push(run);
                if stop {
                    break;
                }
            }
            Scripted {
                seconds: if n == commits - 1 { 10.0 } else { 1.0 },
                result: culprit_hunt::record::StepResult {
                    tests,
                    ..Default::default()
                },
            }
        },
    );
    assert_eq!(hunted.culprit, Some(id(culprit)), "{:?}", hunted.error);
    let early = keys_of(&hunted, "search-early");
    assert!(early.len() > 1, "{:?}", hunted.phases);
    // A run of a alone does not judge it: the search tests it again rather than
    // skipping it.
    assert!(
        keys_of(&hunted, "search").contains(&early[0]),
        "{:?} {:?}",
        hunted.phases,
        hunted.keys
    );
}

#[test]
fn a_resumed_hunt_takes_its_early_step_from_the_journal_and_runs_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let first = slow_bad_endpoint_hunt(dir.path(), 2);
    assert_eq!(first.culprit, Some(id(EARLY_CULPRIT)), "{:?}", first.error);
    assert!(
        keys_of(&first, "search-early").len() > 1,
        "{:?}",
        first.phases
    );
    // Resumed, the endpoints come from the journal, and the bad one holds its worker
    // until the moment the driver took it before, so the early steps are chosen again
    // and answered from the journal, as is every search step after them.
    let again = hunt_session(
        dir.path(),
        CONFIG,
        plan(EARLY_COMMITS),
        2,
        Arc::default(),
        |_, job, _| panic!("{} ran again", job.label),
        Some(first.session),
    );
    assert_eq!(again.culprit, Some(id(EARLY_CULPRIT)), "{:?}", again.error);
    assert!(again.timeline.is_empty(), "{:?}", again.timeline);
    assert_eq!(again.journal_steps, first.journal_steps);
}

#[test]
fn a_rerun_of_the_bad_endpoint_runs_alongside_the_search_and_a_pass_restarts_it_with_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let culprit = 60;
    let commits = 100;
    // Commits from the culprit on fail two runs in three (the first included); the
    // bad endpoint's second run is the one that passes.
    let mut runs: BTreeMap<usize, usize> = BTreeMap::new();
    let mut plan = plan(commits);
    plan.settings.endpoint_runs = 2;
    let hunted = boot_hunt(dir.path(), plan, 2, move |n, job| {
        let count = runs.entry(n).or_default();
        let outcome = if n >= culprit && *count % 3 != 1 {
            verdict(culprit, job)
        } else {
            Outcome::Pass
        };
        *count += 1;
        outcome
    });
    assert_eq!(hunted.culprit, Some(id(culprit)), "{:?}", hunted.error);
    let bad = id(commits - 1);
    let started = |c: &str| -> Vec<f64> {
        hunted
            .timeline
            .iter()
            .filter(|h| h.what == What::Started && h.candidate == c)
            .map(|h| h.at)
            .collect()
    };
    let bad_starts = started(&bad);
    // The rerun started with the first search step, on the other worker.
    let alongside = hunted
        .timeline
        .iter()
        .any(|h| h.what == What::Started && h.at == bad_starts[1] && h.candidate != bad);
    assert!(alongside, "{:?}", hunted.timeline);
    // Then the search starts again at once, the rates unknown and learned from every
    // run: no more runs of the endpoints up front, the two so far are evidence.
    let search_after = hunted
        .timeline
        .iter()
        .any(|h| h.what == What::Started && h.at == bad_starts[1] + 1.0 && h.candidate != bad);
    assert!(search_after, "{:?}", hunted.timeline);
    assert!(bad_starts.len() < 5, "{:?}", hunted.timeline);
    assert!(hunted.conclusion.unwrap().flaky.is_some());
}
