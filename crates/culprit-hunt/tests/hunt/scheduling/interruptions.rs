//! Hunts stopped part way (Ctrl-C, a killed culprit) and lab faults: what finished stays
//! in the journal, a resumed hunt runs none of it again, and an infrastructure error is
//! retried, never blamed.

use super::{hunt, hunt_plan, id, verdict, Round, CONFIG};
use culprit_console::Outcome;
use culprit_hunt::executor::fake::{step_showing, Scripted, What};
use culprit_hunt::HuntError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The same hunts again, from the journal: random histories and step times (ties
/// included, so several steps end at once), two and three workers, whole or stopped
/// part way by Ctrl-C. A resumed hunt never runs a step the journal holds: it chooses
/// the candidates the killed one chose, in the same order.
#[test]
fn a_resumed_parallel_hunt_runs_no_step_the_journal_holds() {
    let mut rng = culprit_search::commit::simulate::SplitMix64::new(7);
    for round in 0..24 {
        let stopped = round % 3 != 0;
        let round = Round::draw(&mut rng, round);
        let stop_after = stopped.then(|| 3 + rng.below(8));
        let dir = tempfile::tempdir().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, mut step, mut started) = (stop.clone(), round.steps(), 0);
        let first = hunt_plan(
            dir.path(),
            CONFIG,
            round.plan(),
            round.workers,
            stop,
            move |_, job, _| {
                started += 1;
                if Some(started) == stop_after {
                    flag.store(true, Ordering::SeqCst);
                }
                step(job)
            },
        );
        let case = format!("{round}, stopped after {stop_after:?}");
        let again = round.hunt(dir.path(), Some(first.session));
        assert_eq!(
            again.culprit,
            Some(id(round.culprit)),
            "{case}: {:?}",
            again.error
        );
        let ran = again
            .timeline
            .iter()
            .filter(|h| h.what == What::Started)
            .count();
        assert_eq!(
            again.journal_steps,
            first.journal_steps + ran,
            "{case}: every step ran or came from the journal, once"
        );
        let all = again.steps();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        // The hunt tests each candidate once, but for the bad endpoint's second run.
        assert_eq!(all.len(), unique.len() + 1, "{case}: {all:?}");
        if stop_after.is_none() {
            assert_eq!(ran, 0, "{case}: {:?}", again.timeline);
        }
    }
}

#[test]
fn an_infrastructure_error_is_retried_and_never_blamed() {
    let dir = tempfile::tempdir().unwrap();
    // The first candidate of the search (after the two endpoints) meets a lab fault.
    let mut started = 0;
    let hunted = hunt(dir.path(), 100, 2, Arc::default(), move |_, job, _| {
        started += 1;
        let outcome = if started == 3 {
            Outcome::InfraError {
                reason: "qemu: cannot allocate memory".into(),
            }
        } else {
            verdict(60, job)
        };
        Scripted {
            seconds: 1.0,
            result: step_showing(&[("boot", outcome)]),
        }
    });
    assert_eq!(hunted.culprit, Some(id(60)));
    let first_search = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started)
        .nth(2)
        .unwrap()
        .candidate
        .clone();
    let runs = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started && h.candidate == first_search)
        .count();
    assert_eq!(runs, 2, "{first_search} once more; {:?}", hunted.timeline);
}

#[test]
fn ctrl_c_stops_every_running_step_and_keeps_the_finished_ones() {
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let mut started = 0;
    let hunted = hunt(dir.path(), 1000, 3, stop, move |_, job, _| {
        started += 1;
        if started == 6 {
            flag.store(true, Ordering::SeqCst);
        }
        Scripted {
            seconds: 1.0,
            result: step_showing(&[("boot", verdict(500, job))]),
        }
    });
    assert!(
        hunted.error.as_ref().is_some_and(HuntError::is_interrupted),
        "{:?}",
        hunted.error
    );
    let count = |what| hunted.timeline.iter().filter(|h| h.what == what).count();
    let (finished, interrupted) = (count(What::Finished), count(What::Interrupted));
    assert!(interrupted >= 1, "{:?}", hunted.timeline);
    assert_eq!(finished + interrupted, 6, "{:?}", hunted.timeline);
    assert_eq!(
        hunted.journal_steps, finished,
        "only finished steps are journaled"
    );
}
