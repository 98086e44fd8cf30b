//! What srun and slurmstepd say on srun's stderr, and what a finished job's state
//! means for a hunt.
//!
//! The job's own stderr is folded into its stdout inside the job (see `wrapper`), so
//! every line here is Slurm speaking. Most of it is about the job's machinery, and a
//! failure of the machinery (a node that died, a preemption, a credential munge
//! rejected, a cancellation culprit did not ask for) says nothing about the candidate:
//! such a run is lost, an infrastructure error, never a verdict.

use regex::Regex;
use std::sync::LazyLock;

/// What one line of srun's stderr tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Said {
    /// The job began on a node (printed by culprit's wrapper, first thing in the job).
    Started { id: u64, node: String },
    /// srun learned the job's id while it waits in the queue.
    Queued { id: u64 },
    /// The command ended by itself with this status on `node`: its own result, not a
    /// fault. It also proves the job ran there, when the wrapper's marker was lost (a task
    /// killed at once takes its last output along).
    TaskExited { node: String },
    /// The command was ended by a signal on `node` (srun names it: Killed, Terminated, …).
    TaskSignalled { node: String },
    /// The machinery failed: the run proves nothing.
    Fault { reason: String },
    /// Progress notes (step aborted, force terminated, …) that follow something else.
    Other,
}

/// The marker culprit's wrapper prints before it runs the command.
pub(crate) const STARTED: &str = "culprit-slurm-job-started";

type Reading = fn(&regex::Captures, &str) -> Said;

/// Patterns in order: the first that matches decides.
static PATTERNS: LazyLock<Vec<(Regex, Reading)>> = LazyLock::new(|| {
    let table: [(&str, Reading); 9] = [
        // The job's life, as the wrapper and srun announce it.
        (r"^culprit-slurm-job-started (\d+) (\S+)$", |c, _| {
            match c[1].parse() {
                Ok(id) => Said::Started {
                    id,
                    node: c[2].to_string(),
                },
                Err(_) => Said::Other,
            }
        }),
        (
            r"^srun: job (\d+) (?:queued and waiting for resources|has been allocated resources)",
            |c, _| c[1].parse().map_or(Said::Other, |id| Said::Queued { id }),
        ),
        // The command's own ending, which srun reports as an "error" when it is not 0.
        (
            r"^srun: error: (\S+): tasks? [\d,\-]+: Exited with exit code \d+",
            |c, _| Said::TaskExited {
                node: c[1].to_string(),
            },
        ),
        (r"^srun: error: (\S+): tasks? [\d,\-]+: ", |c, _| {
            Said::TaskSignalled {
                node: c[1].to_string(),
            }
        }),
        // slurmstepd cancelling the job or step, with Slurm's reason when it has one
        // (preemption, node failure, time limit); without one, someone ran scancel.
        (
            r"\*\*\* (?:JOB|STEP) (\S+) ON (\S+) CANCELLED AT \S+ DUE TO (.+?) \*\*\*",
            |c, _| Said::Fault {
                reason: format!(
                    "Slurm cancelled job {} on {} due to {}",
                    &c[1],
                    &c[2],
                    c[3].to_lowercase()
                ),
            },
        ),
        (
            r"\*\*\* (?:JOB|STEP) (\S+) ON (\S+) CANCELLED AT \S+",
            |c, _| Said::Fault {
                reason: format!(
                    "job {} on {} was cancelled outside culprit (scancel or an administrator)",
                    &c[1], &c[2]
                ),
            },
        ),
        // A node that died under the job.
        (r"^srun: error: Node failure on (\S+)", |c, _| Said::Fault {
            reason: format!("node {} failed while it ran the job", &c[1]),
        }),
        // Authentication: munged down, keys that differ, clocks apart.
        (r"(?i)munge", |_, line| {
            Said::Fault {
            reason: format!(
                "Slurm authentication failed ({line}); check that munged runs on every node with the same key"
            ),
        }
        }),
        // Anything else srun calls an error: no allocation, no step, a launch that
        // failed, a controller it cannot reach.
        (r"^srun: error: (.+)", |c, _| Said::Fault {
            reason: format!("srun failed: {}", &c[1]),
        }),
    ];
    table
        .into_iter()
        .filter_map(|(pattern, reading)| Some((Regex::new(pattern).ok()?, reading)))
        .collect()
});

/// Reads one line of srun's stderr.
pub(crate) fn read(line: &str) -> Said {
    PATTERNS
        .iter()
        .find_map(|(pattern, reading)| pattern.captures(line).map(|c| reading(&c, line)))
        .unwrap_or(Said::Other)
}

/// Job states (`scontrol show job`'s `JobState`) in which the job did not end by
/// itself, with what they mean for the user.
const LOST_STATES: [(&str, &str); 7] = [
    ("NODE_FAIL", "the job's node failed (NODE_FAIL)"),
    (
        "PREEMPTED",
        "the job was preempted by a job of higher priority",
    ),
    ("BOOT_FAIL", "the job's node failed to boot (BOOT_FAIL)"),
    (
        "DEADLINE",
        "the job reached its deadline before it could run",
    ),
    (
        "TIMEOUT",
        "the job hit its Slurm time limit; set [executor] time_limit above culprit's own timeouts",
    ),
    (
        "OUT_OF_MEMORY",
        "the job ran out of the memory Slurm gave it; ask for more with options = [\"--mem=…\"]",
    ),
    (
        "CANCELLED",
        "the job was cancelled outside culprit (scancel or an administrator)",
    ),
];

/// Why a job in `state` proves nothing, or None when it ended by itself.
pub(crate) fn lost_state(state: &str) -> Option<&'static str> {
    LOST_STATES
        .iter()
        .find(|(name, _)| state == *name)
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(line: &str) -> String {
        match read(line) {
            Said::Fault { reason } => reason,
            other => panic!("{line:?} read as {other:?}"),
        }
    }

    #[test]
    fn the_start_marker_and_the_queue_give_the_job_id() {
        assert_eq!(
            read("culprit-slurm-job-started 42 node-7"),
            Said::Started {
                id: 42,
                node: "node-7".into()
            }
        );
        assert_eq!(
            read("srun: job 5 queued and waiting for resources"),
            Said::Queued { id: 5 }
        );
        assert_eq!(
            read("srun: job 5 has been allocated resources"),
            Said::Queued { id: 5 }
        );
    }

    #[test]
    fn the_commands_own_ending_is_not_a_fault() {
        let node = || "vm".to_string();
        assert_eq!(
            read("srun: error: vm: task 0: Exited with exit code 3"),
            Said::TaskExited { node: node() }
        );
        assert_eq!(
            read("srun: error: vm: task 0: Killed"),
            Said::TaskSignalled { node: node() }
        );
        assert_eq!(
            read("srun: error: vm: tasks 0-1: Terminated"),
            Said::TaskSignalled { node: node() }
        );
        assert_eq!(read("srun: Force Terminated StepId=2.0"), Said::Other);
        assert_eq!(
            read("srun: Job step aborted: Waiting up to 4 seconds for job step to finish."),
            Said::Other
        );
    }

    #[test]
    fn cancellations_say_why() {
        assert_eq!(
            fault("slurmstepd-vm: error: *** STEP 5.0 ON vm CANCELLED AT 2026-12-01T09:26:30 ***"),
            "job 5.0 on vm was cancelled outside culprit (scancel or an administrator)"
        );
        assert_eq!(
            fault("slurmstepd: error: *** JOB 9 ON n3 CANCELLED AT 2026-12-01T09:26:30 DUE TO PREEMPTION ***"),
            "Slurm cancelled job 9 on n3 due to preemption"
        );
        assert_eq!(
            fault("slurmstepd: error: *** JOB 9 ON n3 CANCELLED AT 2026-12-01T09:26:30 DUE TO NODE FAILURE ***"),
            "Slurm cancelled job 9 on n3 due to node failure"
        );
    }

    #[test]
    fn node_failures_munge_and_other_srun_errors_are_faults() {
        assert_eq!(
            fault("srun: error: Node failure on vm"),
            "node vm failed while it ran the job"
        );
        assert!(fault(
            "srun: error: Munge encode failed: Failed to access \"/run/munge/munge.socket.2\""
        )
        .contains("munged runs on every node"));
        assert!(fault("srun: error: auth_g_verify: REQUEST_LAUNCH_TASKS has authentication error: Invalid authentication credential")
            .starts_with("srun failed"));
        assert_eq!(
            fault("srun: error: Unable to allocate resources: Invalid partition name specified"),
            "srun failed: Unable to allocate resources: Invalid partition name specified"
        );
    }

    #[test]
    fn lost_states_are_those_where_the_job_did_not_end_by_itself() {
        for state in ["NODE_FAIL", "PREEMPTED", "CANCELLED", "TIMEOUT"] {
            assert!(lost_state(state).is_some(), "{state}");
        }
        for state in ["COMPLETED", "FAILED", "COMPLETING", "RUNNING"] {
            assert_eq!(lost_state(state), None, "{state}");
        }
    }
}
