//! The runner against real processes: early verdicts, silence, the wall clock, Ctrl-C,
//! and that nothing a command started outlives it.

use crate::common::procs;
use crate::common::run as fixture;

use culprit_console::{Classifier, Ending, Outcome, Rules};
use culprit_exec::{run, RunReport, RunSpec};
use fixture::{boot_rules, no_stop, spec, temp_spec, within};
use procs::{alive, printed_pids};
use std::sync::atomic::Ordering;
use std::time::Duration;

fn go(spec: &RunSpec, rules: &Rules) -> RunReport {
    run(
        spec,
        Classifier::new(rules).expect("valid rules"),
        &no_stop(),
    )
    .expect("run")
}

#[test]
fn success_marker_stops_a_guest_that_keeps_running() {
    let (_dir, s) = temp_spec(
        "echo booting; echo BOOT-OK; echo PID=$$; sleep 60",
        30,
        None,
    );
    let report = within(3, || go(&s, &boot_rules(&["BOOT-OK"])));
    assert_eq!(report.ending, Ending::StoppedEarly);
    assert_eq!(report.classification.outcome, Outcome::Pass);
    for pid in printed_pids(&report) {
        assert!(!alive(pid), "pid {pid} outlived the run");
    }
}

#[test]
fn silence_is_a_hang_long_before_the_wall_timeout() {
    let (_dir, s) = temp_spec("echo 'Linux version 6.1'; sleep 60", 30, Some(1));
    let report = within(4, || go(&s, &boot_rules(&["BOOT-OK"])));
    assert_eq!(report.ending, Ending::SilenceTimeout);
    assert_eq!(
        report.classification.outcome,
        Outcome::Hang {
            stage: "kernel".into(),
            last_line: Some("Linux version 6.1".into()),
        }
    );
}

#[test]
fn a_chatty_guest_is_stopped_by_the_wall_clock() {
    let (_dir, s) = temp_spec("while true; do echo tick; sleep 0.1; done", 1, Some(5));
    let report = go(&s, &boot_rules(&["BOOT-OK"]));
    assert_eq!(report.ending, Ending::WallTimeout);
    assert!(matches!(
        report.classification.outcome,
        Outcome::Hang { .. }
    ));
    assert!(report.duration < Duration::from_secs(4));
}

#[test]
fn grandchildren_and_escaped_sessions_are_stopped_too() {
    let (_dir, s) = temp_spec(
        "sleep 300 & echo PID=$!; setsid sleep 300 & echo PID=$!; \
         sh -c 'sleep 300 & echo PID=$!; wait' & sleep 0.2; echo READY; wait",
        30,
        Some(1),
    );
    let report = go(&s, &boot_rules(&["NEVER"]));
    let pids = printed_pids(&report);
    assert_eq!(
        pids.len(),
        3,
        "log: {:?}",
        std::fs::read_to_string(&report.log_path)
    );
    std::thread::sleep(Duration::from_millis(200));
    for pid in pids {
        assert!(!alive(pid), "pid {pid} outlived the run");
    }
}

#[test]
fn the_stop_flag_interrupts_and_cleans_up() {
    let (_dir, s) = temp_spec("echo PID=$$; sleep 300", 60, None);
    let stop = no_stop();
    let raiser = stop.clone();
    let handle = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        raiser.store(true, Ordering::SeqCst);
    });
    let report = within(4, || {
        run(
            &s,
            Classifier::new(&boot_rules(&["BOOT-OK"])).unwrap(),
            &stop,
        )
        .unwrap()
    });
    handle.join().unwrap();
    assert_eq!(report.ending, Ending::Interrupted);
    assert!(matches!(
        report.classification.outcome,
        Outcome::InfraError { .. }
    ));
    for pid in printed_pids(&report) {
        assert!(!alive(pid));
    }
}

#[test]
fn a_crash_is_read_from_the_stream_and_the_guest_stopped_after_the_grace() {
    let (_dir, s) = temp_spec(
        "echo 'Linux version 6.1'; echo '[    1.9] Kernel panic - not syncing: sysrq triggered crash'; sleep 60",
        30,
        None,
    );
    let mut rules = boot_rules(&["BOOT-OK"]);
    rules.grace = Duration::from_millis(500);
    let report = within(3, || go(&s, &rules));
    match &report.classification.outcome {
        Outcome::Fail { signature } => {
            assert_eq!(signature.title, "kernel panic: sysrq triggered crash")
        }
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[test]
fn exit_status_and_spawn_failure() {
    let dir = tempfile::tempdir().unwrap();
    let report = go(&spec(&dir, "echo hello; exit 3", 10, None), &Rules::boot());
    assert_eq!(report.ending, Ending::Exited { code: 3 });
    assert!(matches!(
        report.classification.outcome,
        Outcome::Fail { .. }
    ));

    let mut missing_dir = spec(&dir, "true", 10, None);
    missing_dir.cwd = dir.path().join("does-not-exist");
    let report = go(&missing_dir, &Rules::boot());
    assert!(matches!(report.ending, Ending::SpawnFailed { .. }));
    assert!(matches!(
        report.classification.outcome,
        Outcome::InfraError { .. }
    ));
}

#[test]
fn stdout_and_stderr_both_reach_the_log_and_the_classifier() {
    let (_dir, s) = temp_spec("echo to-stdout; echo BOOT-OK >&2", 10, None);
    let report = go(&s, &boot_rules(&["BOOT-OK"]));
    let log = std::fs::read_to_string(&report.log_path).unwrap();
    assert!(log.contains("to-stdout") && log.contains("BOOT-OK"));
    assert_eq!(report.classification.outcome, Outcome::Pass);
}

#[test]
fn a_command_killed_by_a_signal_is_reported_as_signalled_through_the_supervisor() {
    let dir = tempfile::tempdir().unwrap();
    let report = go(
        &spec(&dir, "echo booting; kill -KILL $$", 10, None),
        &Rules::boot(),
    );
    assert_eq!(report.ending, Ending::Signalled { signal: 9 });
    let report = go(&spec(&dir, "kill -TERM $$", 10, None), &Rules::boot());
    assert_eq!(report.ending, Ending::Signalled { signal: 15 });
}
