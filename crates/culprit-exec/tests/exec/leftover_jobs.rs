//! Issue 25: a Slurm job whose culprit and supervisor were both killed outright (as
//! `pkill -9 -f culprit` does) is cancelled by the next culprit in the state directory,
//! which names it. Against the real one-node cluster (`scripts/slurm-cluster start`).
//!
//! The killed culprit is a stand-in: this test binary started again to run only the
//! ignored `stand_in` test, which runs a job through the real runner and never ends.

use crate::common::cluster;
use crate::common::run as fixture;

use cluster::{cluster, wait_running};
use culprit_console::{Classifier, Rules};
use culprit_exec::leftovers::{end_leftovers, take_over};
use culprit_exec::slurm::{live_jobs, run_job, unique_job_name, SlurmOptions};
use fixture::{no_stop, spec};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::process::Command;

const RECORDS: &str = "CULPRIT_TEST_RECORDS";
const JOB: &str = "CULPRIT_TEST_JOB";

#[test]
#[ignore = "the stand-in for a culprit that gets killed; started by the test below"]
fn stand_in() {
    let (Some(records), Some(job)) = (std::env::var_os(RECORDS), std::env::var(JOB).ok()) else {
        return;
    };
    take_over(Path::new(&records));
    let dir = tempfile::tempdir().unwrap();
    let classifier = Classifier::new(&Rules::boot()).unwrap();
    let options = SlurmOptions::default();
    let _ = run_job(
        &spec(&dir, "echo started; sleep 300", 600, None),
        &options,
        &job,
        classifier,
        &no_stop(),
        &|_, _| {},
    );
}

/// The children of `pid`, whatever they run.
fn children(pid: u32) -> Vec<i32> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        found.extend(
            list.split_whitespace()
                .filter_map(|c| c.parse::<i32>().ok()),
        );
    }
    found
}

/// The children of `pid` that run this very binary without having exec'd anything else.
fn supervisors(pid: u32) -> Vec<i32> {
    let me = std::env::current_exe().unwrap();
    children(pid)
        .into_iter()
        .filter(|child| std::fs::read_link(format!("/proc/{child}/exe")).is_ok_and(|exe| exe == me))
        .collect()
}

#[test]
fn the_job_of_a_culprit_killed_with_its_supervisor_is_cancelled_by_the_next() {
    let Some(_) = cluster() else { return };
    let records = tempfile::tempdir().unwrap();
    let job = unique_job_name("culprit-test-leftover");
    let mut culprit = Command::new(std::env::current_exe().unwrap())
        .args(["leftover_jobs::stand_in", "--exact", "--ignored", "--quiet"])
        .env(RECORDS, records.path())
        .env(JOB, &job)
        .spawn()
        .unwrap();
    let id = wait_running(&job);

    let mut targets = vec![culprit.id() as i32];
    targets.extend(supervisors(culprit.id()));
    assert_eq!(
        targets.len(),
        2,
        "culprit and the supervisor of srun: {targets:?}"
    );
    // The machine goes away with everything on it: srun is frozen first, so it cannot
    // hear its supervisor die (it would cancel the job itself), then killed with the rest.
    let sruns = children(targets[1] as u32);
    assert!(!sruns.is_empty(), "srun runs below the supervisor");
    for &pid in &sruns {
        let _ = kill(Pid::from_raw(pid), Signal::SIGSTOP);
    }
    for pid in targets.into_iter().chain(sruns) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    culprit.wait().unwrap();
    // Nobody is left to cancel it: the job runs on.
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(live_jobs(std::slice::from_ref(&job)).unwrap().len(), 1);

    let ended = end_leftovers(records.path());
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(ended[0].job, Some((id, job.clone())), "{ended:?}");
    assert!(
        ended[0].to_string().contains(&format!(
            "Slurm job {id} ({job}) of `echo started; sleep 300`"
        )),
        "{ended:?}"
    );
    assert_eq!(live_jobs(std::slice::from_ref(&job)).unwrap(), vec![]);
    assert_eq!(std::fs::read_dir(records.path()).unwrap().count(), 0);
}
