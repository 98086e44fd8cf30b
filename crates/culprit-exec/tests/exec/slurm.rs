//! The Slurm job runner against a real one-node cluster (`scripts/slurm-cluster start`):
//! streaming, ids and nodes, the command's own endings, culprit's timeouts and Ctrl-C,
//! and Slurm's faults read as lost runs.

use crate::common::cluster;
use crate::common::job;
use crate::common::procs;
use crate::common::run as fixture;

use cluster::{cluster, once_running, wait_running};
use culprit_console::{Classifier, Ending, Outcome, Rules};
use culprit_exec::slurm::{
    cancel_leftovers, live_jobs, run_job, unique_job_name, wait_gone, SlurmOptions,
};
use culprit_exec::{RunReport, RunSpec, StopFlag};
use fixture::{boot_rules, no_stop, spec, temp_spec, within};
use job::{lost_reason, run_watched};
use procs::{alive, printed_pids};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Runs `spec` as a fresh job with `options`; returns the job's name too.
pub fn go(
    spec: &RunSpec,
    rules: &Rules,
    options: &SlurmOptions,
    stop: &StopFlag,
) -> (RunReport, String) {
    let name = unique_job_name("culprit-test");
    let heard = std::sync::Mutex::new(None);
    let started = |id: u64, node: &str| *heard.lock().unwrap() = Some((id, node.to_string()));
    let classifier = Classifier::new(rules).unwrap();
    let report = run_job(spec, options, &name, classifier, stop, &started).unwrap();
    // What the live display heard at the start is what the report says.
    let job = report.job.as_ref().unwrap();
    let placed = job.id.zip(job.node.clone());
    assert_eq!(*heard.lock().unwrap(), placed);
    (report, name)
}

/// Runs `command` as a fresh job with `options` and the boot rules, no silence limit.
fn run_plain(dir: &tempfile::TempDir, command: &str, options: &SlurmOptions) -> RunReport {
    go(
        &spec(dir, command, 60, None),
        &Rules::boot(),
        options,
        &no_stop(),
    )
    .0
}

/// Waits until the job `name` is gone from the queue, then checks that no process it
/// printed (`PID=`) outlived it.
fn gone_with_its_processes(name: &str, report: &RunReport) {
    wait_gone(&[name.to_string()], Duration::from_secs(20)).unwrap();
    for pid in printed_pids(report) {
        assert!(!alive(pid), "pid {pid} outlived the cancelled job");
    }
}

#[test]
fn a_job_streams_its_console_and_tells_its_id_and_node() {
    let Some(node) = cluster() else { return };
    let (_dir, s) = temp_spec(
        "echo booting; echo 'to stderr' >&2; echo BOOT-OK; echo PID=$$; sleep 120",
        60,
        None,
    );
    let (report, name) = within(20, || {
        go(
            &s,
            &boot_rules(&["BOOT-OK"]),
            &SlurmOptions::default(),
            &no_stop(),
        )
    });
    assert_eq!(report.ending, Ending::StoppedEarly);
    assert_eq!(report.classification.outcome, Outcome::Pass);
    let job = report.job.clone().expect("a Slurm run reports its job");
    assert_eq!(job.name, name);
    assert_eq!(job.node.as_deref(), Some(node.as_str()));
    assert!(job.id.is_some());
    let log = std::fs::read_to_string(&report.log_path).unwrap();
    assert!(
        log.starts_with("booting\n"),
        "the console is the job's output alone: {log:?}"
    );
    assert!(
        log.contains("to stderr\n"),
        "the job's stderr is in the console: {log:?}"
    );
    gone_with_its_processes(&name, &report);
}

#[test]
fn the_commands_exit_status_and_signal_come_through() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let options = SlurmOptions::default();
    let report = run_plain(&dir, "echo hello; exit 3", &options);
    assert_eq!(report.ending, Ending::Exited { code: 3 });
    assert!(matches!(
        report.classification.outcome,
        Outcome::Fail { .. }
    ));
    let report = run_plain(&dir, "echo hello; exit 0", &options);
    assert_eq!(report.ending, Ending::Exited { code: 0 });
    assert_eq!(report.classification.outcome, Outcome::Pass);
    let report = run_plain(&dir, "kill -9 $$", &options);
    assert_eq!(report.ending, Ending::Signalled { signal: 9 });
}

#[test]
fn silence_is_a_hang_and_the_job_is_cancelled() {
    let Some(_) = cluster() else { return };
    let (_dir, s) = temp_spec(
        "echo 'Linux version 6.1'; echo PID=$$; sleep 120",
        60,
        Some(2),
    );
    let (report, name) = go(
        &s,
        &boot_rules(&["BOOT-OK"]),
        &SlurmOptions::default(),
        &no_stop(),
    );
    assert_eq!(report.ending, Ending::SilenceTimeout);
    assert!(
        matches!(&report.classification.outcome, Outcome::Hang { stage, .. } if stage == "kernel"),
        "{:?}",
        report.classification.outcome
    );
    gone_with_its_processes(&name, &report);
}

#[test]
fn a_job_cancelled_from_outside_is_lost_not_blamed() {
    let Some(_) = cluster() else { return };
    let (_dir, s) = temp_spec("echo 'Linux version 6.1'; sleep 120", 60, None);
    let name = unique_job_name("culprit-test");
    let scancel = format!("--name={name}");
    let outsider = once_running(&name, move || {
        let status = Command::new("scancel").arg(scancel).status().unwrap();
        assert!(status.success());
    });
    let report = run_watched(&s, &name, &no_stop());
    outsider.join().unwrap();
    let reason = lost_reason(&report);
    assert!(reason.contains("cancelled outside culprit"), "{reason}");
    assert!(
        matches!(&report.classification.outcome, Outcome::InfraError { reason: infra } if infra == reason),
        "{:?}",
        report.classification.outcome
    );
}

#[test]
fn ctrl_c_cancels_the_job_and_leaves_nothing_behind() {
    let Some(_) = cluster() else { return };
    let (_dir, s) = temp_spec("echo PID=$$; sleep 300 & echo PID=$!; wait", 120, None);
    let stop = no_stop();
    let name = unique_job_name("culprit-test");
    let raise = stop.clone();
    let raiser = once_running(&name, move || raise.store(true, Ordering::SeqCst));
    let report = run_watched(&s, &name, &stop);
    raiser.join().unwrap();
    assert_eq!(report.ending, Ending::Interrupted);
    assert_eq!(
        live_jobs(&[name]).unwrap(),
        vec![],
        "the job is still queued after Ctrl-C"
    );
    let pids = printed_pids(&report);
    assert_eq!(
        pids.len(),
        2,
        "{:?}",
        std::fs::read_to_string(&report.log_path)
    );
    for pid in pids {
        assert!(!alive(pid), "pid {pid} outlived Ctrl-C");
    }
}

#[test]
fn an_allocation_srun_refuses_is_lost_with_slurms_words() {
    let Some(_) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let options = SlurmOptions {
        constraints: Some("no-node-has-this".into()),
        ..SlurmOptions::default()
    };
    let report = run_plain(&dir, "echo hi", &options);
    let reason = lost_reason(&report);
    assert!(reason.contains("Invalid feature specification"), "{reason}");
}

#[test]
fn partition_time_limit_and_options_reach_the_job() {
    let Some(_) = cluster() else { return };
    let partition = Command::new("sinfo")
        .args(["--noheader", "--format=%P"])
        .output()
        .unwrap();
    let partition = String::from_utf8_lossy(&partition.stdout)
        .trim()
        .trim_end_matches('*')
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let options = SlurmOptions {
        partition: Some(partition.clone()),
        time_limit: Some("7".into()),
        options: vec!["--comment=from-culprit".into()],
        ..SlurmOptions::default()
    };
    let report = run_plain(
        &dir,
        "scontrol --oneliner show job \"$SLURM_JOB_ID\"",
        &options,
    );
    assert_eq!(report.ending, Ending::Exited { code: 0 });
    let log = std::fs::read_to_string(&report.log_path).unwrap();
    assert!(log.contains("TimeLimit=00:07:00"), "{log}");
    assert!(log.contains(&format!("Partition={partition} ")), "{log}");
    assert!(log.contains("Comment=from-culprit"), "{log}");
}

#[test]
fn leftovers_of_a_killed_culprit_are_cancelled_by_name() {
    let Some(_) = cluster() else { return };
    // A job nobody watches any more, as a culprit killed with SIGKILL (srun with it)
    // would leave.
    let name = unique_job_name("culprit-test");
    let submitted = Command::new("sbatch")
        .args([
            &format!("--job-name={name}"),
            "--output=/dev/null",
            "--wrap=sleep 300",
        ])
        .status()
        .unwrap();
    assert!(submitted.success());
    let id = wait_running(&name);
    let cancelled = cancel_leftovers(
        &[name.clone(), "culprit-test-never-submitted".into()],
        Duration::from_secs(20),
    )
    .unwrap();
    assert_eq!(cancelled.iter().map(|j| j.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(live_jobs(std::slice::from_ref(&name)).unwrap(), vec![]);
    assert_eq!(
        cancel_leftovers(&[name], Duration::from_secs(5)).unwrap(),
        vec![]
    );
}
