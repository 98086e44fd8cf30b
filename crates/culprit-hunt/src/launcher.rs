//! How a step's commands are started: on this machine, or through a scheduler. Whatever
//! starts them, their output comes back as a byte stream that `culprit_exec` feeds to the
//! classifier while it keeps the clocks, so verdicts and timeouts work the same anywhere.

use culprit_console::Classifier;
use culprit_exec::{ExecError, RunReport, RunSpec, StopFlag};

/// Starts one command of a step and reads its output until it ends. Both default to
/// this machine, so that an executor says only what it starts elsewhere.
pub trait Launcher: Send + Sync {
    /// Runs `spec` (a build or the normalizer) to its end, streaming its output to the
    /// log and to `classifier`, and stopping it when `stop` is raised; the same contract
    /// as [`culprit_exec::run`].
    fn launch(
        &self,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        culprit_exec::run(spec, classifier, stop)
    }

    /// Runs the boot of the test `test`; a lab's executor boots it on the lab (its
    /// `spec.command` is then not run), every other launches the command.
    fn boot(
        &self,
        _test: &str,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        self.launch(spec, classifier, stop)
    }
}

/// Commands as children of culprit, on this machine.
pub struct LocalLauncher;

impl Launcher for LocalLauncher {}
