//! Hunts of intermittent failures in virtual time: the fake executor fails each run at
//! random (a seeded coin per run), so the rates are unknown to the hunt and learned from
//! every run, the endpoints' included; a flake throughout the range ends "no culprit".

use crate::scheduling::{boot_hunt, id, plan, verdict, Hunted};
use culprit_console::Outcome;
use culprit_hunt::status::HuntStatus;
use culprit_search::commit::simulate::SplitMix64;

/// A hunt of `commits` commits (the first good, the last bad) in which a run of commit
/// `n` fails with probability `rate(n)`; the bad endpoint's first run fails, so that
/// the target is known.
fn flaky_hunt(
    commits: usize,
    workers: usize,
    flaky: bool,
    seed: u64,
    rate: impl Fn(usize) -> f64 + Send + 'static,
) -> Hunted {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = plan(commits);
    plan.settings.flaky = flaky;
    plan.settings.endpoint_runs = 2;
    plan.settings.verify = 0;
    let mut coin = SplitMix64::new(seed);
    let mut first_bad = true;
    boot_hunt(dir.path(), plan, workers, move |n, job| {
        let shown = n == commits - 1 && std::mem::take(&mut first_bad);
        if shown || coin.chance(rate(n)) {
            verdict(0, job)
        } else {
            Outcome::Pass
        }
    })
}

fn status(hunted: &Hunted) -> HuntStatus {
    match &hunted.conclusion {
        Some(conclusion) => conclusion.status,
        None => panic!("the hunt failed: {:?}", hunted.error),
    }
}

/// Every commit, the good endpoint included, fails 30% of its runs: no commit is the
/// culprit, and the hunt says so with the runs at both endpoints, never naming one.
#[test]
fn a_flake_throughout_the_range_ends_with_no_culprit() {
    let mut flakes = 0;
    let trials = 8;
    for seed in 0..trials {
        let hunted = flaky_hunt(200, 1 + (seed as usize) % 2, true, seed, |_| 0.3);
        let conclusion = hunted.conclusion.clone().unwrap();
        assert_eq!(conclusion.culprit, None, "seed {seed}: {conclusion:?}");
        assert_ne!(status(&hunted), HuntStatus::Found, "seed {seed}");
        if conclusion.status == HuntStatus::Flake {
            flakes += 1;
            let message = conclusion.message.unwrap();
            assert!(
                message
                    .starts_with("no commit in the range changes how often this fails: it failed ")
                    && message.contains(" runs at the good endpoint and ")
                    && message.contains(" at the bad one"),
                "{message}"
            );
            assert!(conclusion.confidence >= 0.99, "{}", conclusion.confidence);
            // The good endpoint was run by the search itself, like any candidate.
            let good_runs = hunted.keys.iter().filter(|k| **k == id(0)).count();
            assert!(good_runs > 1, "seed {seed}: {:?}", hunted.steps());
        }
    }
    assert!(
        flakes >= trials - 1,
        "{flakes} of {trials} hunts ended flake"
    );
}

/// Without `--flaky`, the bad endpoint's rerun passes: the hunt switches to the model
/// with unknown rates and ends with the flake too, not with an error about endpoints
/// that do not tell good from bad.
#[test]
fn a_flake_found_by_the_endpoint_rerun_ends_with_no_culprit() {
    let hunted = flaky_hunt(120, 2, false, 7, |_| 0.3);
    assert!(hunted.error.is_none(), "{:?}", hunted.error);
    assert_eq!(
        status(&hunted),
        HuntStatus::Flake,
        "{:?}",
        hunted.conclusion
    );
    assert_eq!(hunted.culprit, None);
}

/// A culprit that fails half its runs, after commits that fail one run in twenty (the
/// good endpoint included): found, with the rates learned close to the truth, in far
/// fewer runs than the old up-front estimate alone took (ten runs of each endpoint).
#[test]
fn a_flaky_culprit_is_found_with_its_rates_learned() {
    let culprit = 137;
    for (seed, workers) in [(1, 1), (2, 2), (3, 1)] {
        let hunted = flaky_hunt(300, workers, true, seed, move |n| {
            if n >= culprit {
                0.5
            } else {
                0.05
            }
        });
        assert_eq!(
            hunted.culprit,
            Some(id(culprit)),
            "seed {seed}: {:?}",
            hunted.conclusion
        );
        let conclusion = hunted.conclusion.unwrap();
        assert_eq!(conclusion.status, HuntStatus::Found);
        let rates = conclusion.flaky.unwrap();
        assert!((0.3..0.7).contains(&rates.p_fail_if_bad), "{rates:?}");
        assert!(rates.p_fail_if_good < 0.15, "{rates:?}");
        assert!(
            hunted.journal_steps < 150,
            "seed {seed}: {} steps",
            hunted.journal_steps
        );
    }
}

/// `--flaky` and a bad endpoint that does not fail in any of its attempts:
/// the answer says it did not reproduce (exit 1), it is not bad input.
#[test]
fn a_flaky_failure_that_never_shows_is_an_inconclusive_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = plan(30);
    plan.settings.flaky = true;
    let hunted = boot_hunt(dir.path(), plan, 1, |_, _| Outcome::Pass);
    let conclusion = hunted
        .conclusion
        .unwrap_or_else(|| panic!("{:?}", hunted.error));
    assert_eq!(conclusion.status, HuntStatus::Inconclusive);
    assert!(
        conclusion
            .message
            .as_deref()
            .unwrap()
            .contains("did not fail in 10 runs"),
        "{conclusion:?}"
    );
    assert_eq!(
        hunted.journal_steps, 11,
        "ten runs of the bad endpoint, one of the good"
    );
}

/// One run in eight hangs instead (a loaded machine): with unknown rates a candidate
/// runs many times, and such a run is run again rather than making the candidate
/// untestable, so the culprit is still named, not left in a set of skipped suspects.
#[test]
fn runs_that_hang_now_and_then_do_not_make_candidates_untestable() {
    let dir = tempfile::tempdir().unwrap();
    let culprit = 41;
    let commits = 80;
    let mut plan = plan(commits);
    plan.settings.flaky = true;
    plan.settings.verify = 0;
    let mut coin = SplitMix64::new(5);
    let mut first_bad = true;
    let hunted = boot_hunt(dir.path(), plan, 2, move |n, job| {
        let shown = n == commits - 1 && std::mem::take(&mut first_bad);
        if shown {
            verdict(0, job)
        } else if n > 0 && coin.chance(0.125) {
            Outcome::Hang {
                stage: "test".into(),
                last_line: None,
            }
        } else if n >= culprit && coin.chance(0.6) {
            verdict(0, job)
        } else {
            Outcome::Pass
        }
    });
    let conclusion = hunted
        .conclusion
        .unwrap_or_else(|| panic!("{:?}", hunted.error));
    assert_eq!(conclusion.status, HuntStatus::Found, "{conclusion:?}");
    assert_eq!(hunted.culprit, Some(id(culprit)));
}
