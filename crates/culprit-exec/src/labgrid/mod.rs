//! Booting on a labgrid place: the helper that powers the place's QEMU on and streams
//! its console, run through the same runner as a local command, so early verdicts,
//! silence and wall timeouts work unchanged.
//!
//! labgrid's QEMUDriver runs QEMU inside the client process and hands the console out
//! through its Python API, so a boot is a small Python program ([`HELPER`]) run with the
//! lab's Python. Its stdout is the console, byte for byte; its stderr is the helper
//! speaking to culprit (`culprit-labgrid: ...` lines): "powered on" starts the clocks
//! (loading labgrid and the environment takes a second or two that must not count as
//! a silent guest), and "infra: ..." says the lab failed the boot. On a verdict, a
//! timeout or Ctrl-C the runner sends SIGTERM to the helper's process group: the helper
//! powers off through QEMU's monitor, and QEMU, in the same group, cannot outlive it.

mod client;

pub use client::{Lab, LabgridError, PlaceInfo};

use crate::runner::{finish, shell_command, supervise, Engine, ProcessEngine, Ran};
use crate::{ExecError, RunReport, RunSpec, StopFlag};
use culprit_console::{Classifier, Ending};
use nix::sys::signal::Signal;
use std::fs::File;
use std::process::Command;
use std::time::Duration;

/// The boot helper's source, written where the lab's Python can run it.
pub const HELPER: &str = include_str!("boot.py");

/// How the helper's lines to culprit start.
const SAID: &str = "culprit-labgrid:";

/// Runs the helper invocation `spec.command` (see the module's doc).
pub fn run_boot(
    spec: &RunSpec,
    classifier: Classifier,
    stop: &StopFlag,
) -> Result<RunReport, ExecError> {
    supervise(spec, classifier, stop, &mut Helper::default())
}

/// A boot that never ran because the lab gave no place (`reason`): an empty log and a
/// lost run, which the hunt retries as a lab fault.
pub fn unplaced(
    spec: &RunSpec,
    classifier: Classifier,
    reason: String,
) -> Result<RunReport, ExecError> {
    let log = File::create(&spec.log_path).map_err(|source| ExecError::Log {
        path: spec.log_path.clone(),
        source,
    })?;
    let ran = Ran::nothing(Ending::Lost { reason }, Duration::ZERO);
    finish(spec, classifier, ran, log, &Helper::default())
}

#[derive(Default)]
struct Helper {
    powered_on: bool,
    /// What the helper said failed in the lab.
    fault: Option<String>,
    /// Its last line that was not culprit's (a Python traceback's last line).
    last: Option<String>,
}

impl ProcessEngine for Helper {
    fn command(&self, spec: &RunSpec) -> Command {
        shell_command(spec)
    }

    /// The helper powers off on SIGTERM; the runner kills what is left after a grace.
    fn death_signal(&self) -> Signal {
        Signal::SIGTERM
    }

    fn speaks_on_stderr(&self) -> bool {
        true
    }
}

impl Engine for Helper {
    fn hear(&mut self, line: &str) {
        match line.trim().strip_prefix(SAID).map(str::trim) {
            Some("powered on") => self.powered_on = true,
            Some(said) => {
                if let Some(reason) = said.strip_prefix("infra:") {
                    self.fault.get_or_insert_with(|| reason.trim().to_string());
                }
            }
            None if !line.trim().is_empty() => self.last = Some(line.trim().to_string()),
            None => {}
        }
    }

    fn has_started(&self) -> bool {
        self.powered_on
    }

    fn settle(&mut self, ending: Ending) -> Ending {
        if let Some(reason) = self.fault.take() {
            return Ending::Lost { reason };
        }
        if self.powered_on {
            return ending;
        }
        let how = match ending {
            Ending::Exited { code } => format!("exited with status {code}"),
            Ending::Signalled { signal } => format!("died of signal {signal}"),
            other => return other,
        };
        Ending::Lost {
            reason: format!(
                "the labgrid boot helper {how} before the place powered on: {}",
                self.last.as_deref().unwrap_or("it said nothing")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_the_helper_names_is_a_lost_run() {
        let mut helper = Helper::default();
        helper.hear("culprit-labgrid: infra: place q1 is not acquired by this user");
        assert!(!helper.has_started());
        assert_eq!(
            helper.settle(Ending::Exited { code: 3 }),
            Ending::Lost {
                reason: "place q1 is not acquired by this user".into()
            }
        );
    }

    #[test]
    fn a_helper_that_dies_before_power_on_is_lost_with_its_last_words() {
        let mut helper = Helper::default();
        helper.hear("Traceback (most recent call last):");
        helper.hear("ModuleNotFoundError: No module named 'labgrid'");
        let Ending::Lost { reason } = helper.settle(Ending::Exited { code: 1 }) else {
            panic!("not lost");
        };
        assert!(reason.contains("exited with status 1"), "{reason}");
        assert!(reason.contains("No module named 'labgrid'"), "{reason}");
    }

    #[test]
    fn after_power_on_the_guests_ending_stands() {
        let mut helper = Helper::default();
        helper.hear("culprit-labgrid: powered on");
        assert!(helper.has_started());
        assert_eq!(
            helper.settle(Ending::Exited { code: 0 }),
            Ending::Exited { code: 0 }
        );
    }
}
