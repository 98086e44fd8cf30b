//! A window of commits that do not build: the fix is looked for up front, at the first
//! build failure, before any other step.

use super::{hunt, hunt_plan, id, index, plan, verdict, CONFIG};
use culprit_console::{Outcome, Signature, SignatureKind};
use culprit_hunt::executor::fake::{step_showing, Scripted, What};
use culprit_hunt::executor::Job;
use culprit_hunt::record::FixupRecord;
use std::sync::Arc;

/// A window of commits that do not build (the header they include went away), the
/// culprit inside it, and the commit after it that fixes the build.
const WINDOW: std::ops::RangeInclusive<usize> = 90..=97;
const WINDOW_CULPRIT: usize = 94;
const WINDOW_FIX: usize = 98;

/// What the fake executor does with a commit of that history: a window commit's build
/// fails unless the fix is applied on top; commits from the culprit on panic.
fn window_step(job: &Job) -> Scripted {
    let n = index(job);
    let mut result = step_showing(&[("boot", verdict(WINDOW_CULPRIT, job))]);
    if !job.work.fixups.is_empty() {
        result.fixup = Some(FixupRecord {
            applied: job.work.fixups.clone(),
            contained: Vec::new(),
            conflict: None,
        });
    }
    if WINDOW.contains(&n) && !job.work.fixups.contains(&id(WINDOW_FIX)) {
        let mut build = step_showing(&[(
            "build",
            Outcome::BuildError {
                signature: Signature::new(
                    SignatureKind::Compiler,
                    "lib.c: error: types.h: No such file or directory",
                ),
            },
        )]);
        result.build = build.tests.pop();
    }
    Scripted {
        seconds: 1.0,
        result,
    }
}

#[test]
fn up_front_the_fix_search_runs_at_the_first_build_failure_before_any_other_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut up_front = plan(200);
    up_front.auto_fixup_up_front = true;
    let hunted = hunt_plan(
        dir.path(),
        CONFIG,
        up_front,
        2,
        Arc::default(),
        |_, job, _| window_step(job),
    );
    assert_eq!(
        hunted.culprit,
        Some(id(WINDOW_CULPRIT)),
        "{:?}",
        hunted.error
    );
    let started: Vec<&str> = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started)
        .map(|h| h.candidate.as_str())
        .collect();
    let phases: Vec<&str> = hunted.phases.iter().map(String::as_str).collect();
    // The journal holds the steps in the order they started; with two workers, the
    // step running beside the first failed build finishes, then the fix search runs
    // before any other search step, and the search goes on with the fix.
    let first_failure = started
        .iter()
        .position(|c| WINDOW.contains(&c[1..].parse().unwrap()))
        .unwrap();
    let probes: Vec<usize> = (0..phases.len())
        .filter(|&i| phases[i] == "fixup-probe")
        .collect();
    assert!(!probes.is_empty(), "{phases:?}");
    assert!(
        probes[0] <= first_failure + 2,
        "the fix search starts at step {} of {phases:?}; the first failure was step {first_failure}",
        probes[0]
    );
    assert_eq!(
        probes,
        (probes[0]..probes[0] + probes.len()).collect::<Vec<_>>(),
        "{phases:?}"
    );
    let after_probes = probes.last().unwrap() + 1;
    // (A window commit below the first failure may still come first, on its own.)
    assert!(
        phases[after_probes..].contains(&"search-fixup"),
        "{phases:?}"
    );
    // After the fix is known, no window commit between the failure and the fix is
    // built on its own in the search: they get the fix at once.
    let failed: usize = started[first_failure][1..].parse().unwrap();
    for i in after_probes..started.len() {
        let n: usize = started[i][1..].parse().unwrap();
        if WINDOW.contains(&n) && n > failed {
            assert_ne!(phases[i], "search", "step {i}: {started:?} {phases:?}");
        }
    }

    // The rule after the end finds the same culprit, with more steps.
    let dir = tempfile::tempdir().unwrap();
    let after = hunt(dir.path(), 200, 2, Arc::default(), |_, job, _| {
        window_step(job)
    });
    assert_eq!(after.culprit, Some(id(WINDOW_CULPRIT)), "{:?}", after.error);
    assert!(
        hunted.journal_steps < after.journal_steps,
        "up front {} steps, after the end {}",
        hunted.journal_steps,
        after.journal_steps
    );
}
