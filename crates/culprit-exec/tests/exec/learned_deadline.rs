//! Learned deadlines against real processes: a passing run's timeline teaches the
//! deadline, a later run stuck and silent far past it is stopped as a hang well before
//! the fixed silence, and a run several times slower that passes is left to pass.

use crate::common::run as fixture;

use culprit_console::{Classifier, Deadline, Ending, Margin, Outcome};
use culprit_exec::{run, RunReport, RunSpec};
use fixture::{boot_rules, no_stop, spec};

/// A boot that prints its kernel banner, then its init line and success marker, with
/// `pause` seconds before each.
fn boot(pause: f64) -> String {
    format!(
        "sleep {pause}; echo 'Linux version 6.1'; sleep {pause}; echo 'Run /sbin/init as init process'; sleep {pause}; echo BOOT-OK; sleep 60"
    )
}

fn go(spec: &RunSpec) -> RunReport {
    let classifier = Classifier::new(&boot_rules(&["BOOT-OK"])).expect("valid rules");
    run(spec, classifier, &no_stop()).expect("run")
}

fn learned_from_a_pass(dir: &tempfile::TempDir, margin: Margin) -> Deadline {
    let good = go(&spec(dir, &boot(0.2), 30, Some(30)));
    assert_eq!(good.classification.outcome, Outcome::Pass);
    let stages: Vec<&str> = good
        .timeline
        .stages
        .iter()
        .map(|(s, _)| s.as_str())
        .collect();
    assert_eq!(stages, ["none", "kernel", "init", "success"]);
    assert!(good.timeline.first_output.is_some_and(|t| t >= 0.2));
    assert!(good.timeline.longest_silence >= 0.2);
    Deadline::learn(margin, [&good.timeline]).expect("a pass teaches a deadline")
}

#[test]
fn a_silent_hang_stops_at_the_learned_deadline_not_the_silence() {
    let dir = tempfile::tempdir().unwrap();
    let margin = Margin {
        factor: 4.0,
        plus: 1.0,
    };
    let deadline = learned_from_a_pass(&dir, margin);
    let mut hung = spec(&dir, "sleep 60", 30, Some(30));
    hung.deadline = Some(deadline);
    let report = go(&hung);
    assert_eq!(report.ending, Ending::SilenceTimeout);
    assert!(matches!(
        report.classification.outcome,
        Outcome::Hang { .. }
    ));
    let learned = report.learned.expect("the learned deadline decided");
    assert_eq!(learned.stage, "none");
    assert_eq!(learned.margin, "4x+1s");
    // The pass left `none` at its first line, 0.2 s and a little: the deadline is
    // 4 times that plus a second, far below the 30 s silence.
    assert!(learned.passes_left_at >= 0.2 && learned.passes_left_at < 2.0);
    assert!(learned.stopped_at < 10.0, "{learned:?}");
    assert!(report.duration.as_secs_f64() < 12.0);
}

#[test]
fn a_boot_four_times_slower_still_passes() {
    let dir = tempfile::tempdir().unwrap();
    let deadline = learned_from_a_pass(&dir, Margin::DEFAULT);
    let mut slow = spec(&dir, &boot(0.8), 30, Some(30));
    slow.deadline = Some(deadline);
    let report = go(&slow);
    assert_eq!(report.classification.outcome, Outcome::Pass);
    assert_eq!(report.learned, None);
}
