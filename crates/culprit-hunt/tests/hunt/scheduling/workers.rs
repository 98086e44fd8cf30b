//! How the workers share a hunt: a free worker takes the next candidate at once, the
//! strategy is asked whenever one is free, and the rounds of a search shrink with more
//! workers as a split into W + 1 parts would.

use super::{hunt, id, index, starts, verdict, Round};
use culprit_hunt::executor::fake::{step_showing, Scripted, What};
use std::sync::Arc;

#[test]
fn a_fast_worker_keeps_testing_while_a_slow_one_runs_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let culprit = 700;
    let hunted = hunt(
        dir.path(),
        1000,
        2,
        Arc::default(),
        move |worker, job, _| {
            Scripted {
                // Worker 0 is ten times slower than worker 1.
                seconds: if worker == 0 { 10.0 } else { 1.0 },
                result: step_showing(&[("boot", verdict(culprit, job))]),
            }
        },
    );
    assert_eq!(hunted.culprit, Some(id(culprit)), "{:?}", hunted.error);
    let slow = starts(&hunted.timeline, 0);
    let fast = starts(&hunted.timeline, 1);
    // After the endpoints (one each), the slow worker's first search step runs from
    // `begin` to `begin + 10`; the fast worker starts a step every second meanwhile.
    let begin = slow[1];
    let during: Vec<f64> = fast
        .iter()
        .copied()
        .filter(|&t| t > begin && t < begin + 10.0)
        .collect();
    assert!(
        during.len() >= 5,
        "the fast worker started {during:?} while the slow one ran from {begin}; timeline {:?}",
        hunted.timeline
    );
    assert!(fast.len() > 2 * slow.len(), "fast {fast:?}, slow {slow:?}");
}

#[test]
fn the_strategy_is_asked_whenever_a_worker_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let hunted = hunt(dir.path(), 64, 4, Arc::default(), move |_, job, _| {
        Scripted {
            seconds: 1.0 + (index(job) % 3) as f64,
            result: step_showing(&[("boot", verdict(40, job))]),
        }
    });
    assert_eq!(hunted.culprit, Some(id(40)));
    // A worker that finishes takes the next candidate at that very moment, as long as
    // the search has one to give.
    let last_start = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started)
        .map(|h| h.at)
        .fold(0.0, f64::max);
    for finished in hunted.timeline.iter().filter(|h| h.what == What::Finished) {
        if finished.at >= last_start {
            continue;
        }
        let next = hunted.timeline.iter().find(|h| {
            h.what == What::Started && h.worker == finished.worker && h.at >= finished.at
        });
        if let Some(next) = next {
            assert_eq!(
                next.at, finished.at,
                "worker {} idled after {finished:?}",
                finished.worker
            );
        }
    }
}

/// Rounds of a search with W workers of equal speed, against the ideal ⌈log_{W+1} N⌉
/// of a search that splits the suspects into W + 1 parts at every round. Run with
/// `--nocapture` to see the table (it is in BENCHMARKS.md).
#[test]
fn rounds_of_a_parallel_search_approach_log_base_w_plus_one() {
    let n = 1024;
    println!("| workers W | suspects N | rounds (virtual time of the search) | ⌈log_(W+1) N⌉ |");
    println!("|---|---|---|---|");
    for workers in [1usize, 2, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        let hunted = hunt(
            dir.path(),
            n + 1,
            workers,
            Arc::default(),
            move |_, job, _| Scripted {
                seconds: 1.0,
                result: step_showing(&[("boot", verdict(700, job))]),
            },
        );
        assert_eq!(hunted.culprit, Some(id(700)));
        let end = hunted.timeline.iter().map(|h| h.at).fold(0.0, f64::max);
        // The endpoints take the first second.
        let rounds = end - 1.0;
        let ideal = (n as f64).log((workers + 1) as f64).ceil();
        println!("| {workers} | {n} | {rounds} | {ideal} |");
        // One worker pays for the search's skew at the end; several workers, which
        // see every result that came in together before choosing, do not.
        let bound = if workers == 1 { ideal + 1.0 } else { ideal };
        assert!(
            rounds <= bound,
            "W = {workers}: {rounds} rounds, ideal {ideal}"
        );
    }
}

/// Random linear histories, culprits and step times (ties included, as whole seconds),
/// with the bad endpoint's rerun alongside the search: every hunt names the culprit,
/// with two and with three workers.
#[test]
fn parallel_hunts_with_random_step_times_always_name_the_culprit() {
    let mut rng = culprit_search::commit::simulate::SplitMix64::new(12);
    for round in 0..40 {
        let round = Round::draw(&mut rng, round);
        let dir = tempfile::tempdir().unwrap();
        let hunted = round.hunt(dir.path(), None);
        assert_eq!(
            hunted.culprit,
            Some(id(round.culprit)),
            "{round}: {:?}",
            hunted.error
        );
    }
}
