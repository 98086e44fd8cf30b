//! One Slurm job run as the Slurm tests watch it, and how a lost one reads.

use super::run::boot_rules;
use culprit_console::{Classifier, Ending, Outcome};
use culprit_exec::slurm::{run_job, SlurmOptions};
use culprit_exec::{RunReport, RunSpec, StopFlag};

/// Runs `spec` as the job `name` (with the default options and boot rules that pass on
/// BOOT-OK) while something else (`once_running`) acts on it; `stop` is its Ctrl-C.
pub fn run_watched(spec: &RunSpec, name: &str, stop: &StopFlag) -> RunReport {
    let classifier = Classifier::new(&boot_rules(&["BOOT-OK"])).unwrap();
    let options = SlurmOptions::default();
    run_job(spec, &options, name, classifier, stop, &|_, _| ()).unwrap()
}

/// The reason of a lost run, after checking that it counts as an infrastructure error:
/// lost, never blamed.
pub fn lost_reason(report: &RunReport) -> &str {
    let Ending::Lost { reason } = &report.ending else {
        panic!("expected a lost run, got {:?}", report.ending)
    };
    assert!(
        matches!(report.classification.outcome, Outcome::InfraError { .. }),
        "{:?}",
        report.classification.outcome
    );
    reason
}
