//! Runs the lab spoiled: the words the journal keeps for a run that was the lab's fault
//! rather than the guest's, and, read back from recorded steps, how many runs were
//! retried for which cause.
//!
//! A hunt that retried forty boots because the board farm kept killing them is right,
//! but its reader should know the lab was unwell; so every report counts the retries,
//! grouped by a cause a lab engineer can act on (an exit status, a signal, a pattern).

use crate::record::{RunRecord, StepResult};
use culprit_console::{Ending, Outcome};
use serde::{Deserialize, Serialize};

/// How an infrastructure error's reason begins when the console showed one of the
/// test's `infra` patterns.
const PATTERN: &str = "the console shows an `infra` pattern: ";
/// How it ends when the command's status is in the test's `infra_exit_codes`.
const EXIT_CODE: &str = "is in `infra_exit_codes`, so the lab, not the guest, ended it";
/// The longest cause shown; the rest of a reason is in the run's log.
const MAX_CAUSE: usize = 120;

/// The reason kept for a command the lab ended (`how`: "exited with status 3").
pub fn exit_code_reason(how: &str, status: i32) -> String {
    format!("the command {how} with no verdict on the console; status {status} {EXIT_CODE}")
}

/// The reason kept for a console line that matched an `infra` pattern.
pub fn pattern_reason(line: &str) -> String {
    format!("{PATTERN}{line}")
}

/// Runs retried for one cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retried {
    pub cause: String,
    pub runs: usize,
}

/// Why `run` was retried, when it was an infrastructure error.
pub fn cause(run: &RunRecord) -> Option<String> {
    let Outcome::InfraError { reason } = &run.outcome else {
        return None;
    };
    let cause = if reason.starts_with(PATTERN) {
        "the console matched an `infra` pattern".to_string()
    } else if reason.ends_with(EXIT_CODE) {
        match run.ending {
            Ending::Signalled { signal } => {
                format!(
                    "killed by signal {signal} (status {} in `infra_exit_codes`)",
                    128 + signal
                )
            }
            Ending::Exited { code } => format!("exit status {code} (in `infra_exit_codes`)"),
            _ => reason.clone(),
        }
    } else {
        match &run.ending {
            Ending::SpawnFailed { .. } => format!("could not start: {reason}"),
            Ending::Lost { .. } => format!("taken away by the machine: {reason}"),
            _ => reason.clone(),
        }
    };
    Some(clip(cause))
}

/// The runs of `results` that were infrastructure errors, counted by cause, most
/// frequent first. A failed normalize or build stands for the runs that copy it.
pub fn retried<'a>(results: impl IntoIterator<Item = &'a StepResult>) -> Vec<Retried> {
    let mut tally: Vec<Retried> = Vec::new();
    for result in results {
        for run in runs_that_ran(result) {
            let Some(cause) = cause(run) else {
                continue;
            };
            match tally.iter_mut().find(|r| r.cause == cause) {
                Some(retried) => retried.runs += 1,
                None => tally.push(Retried { cause, runs: 1 }),
            }
        }
    }
    // Stable: equal counts keep the order they were first seen in.
    tally.sort_by_key(|r| std::cmp::Reverse(r.runs));
    tally
}

/// One sentence for reports, `None` when nothing was retried.
pub fn describe(retried: &[Retried]) -> Option<String> {
    let total: usize = retried.iter().map(|r| r.runs).sum();
    if total == 0 {
        return None;
    }
    let causes: Vec<String> = retried
        .iter()
        .map(|r| format!("{} × {}", r.runs, r.cause))
        .collect();
    let runs = if total == 1 { "run" } else { "runs" };
    Some(format!(
        "{total} {runs} retried after a lab fault (never a verdict): {}",
        causes.join("; ")
    ))
}

/// The runs a step really started: after a failed normalize or build, the later runs
/// only repeat its outcome.
fn runs_that_ran(result: &StepResult) -> Vec<&RunRecord> {
    let mut runs = Vec::new();
    for stage in [&result.normalize, &result.build].into_iter().flatten() {
        runs.push(stage);
        if stage.outcome != Outcome::Pass {
            return runs;
        }
    }
    if !result.reused_artifacts {
        runs.extend(result.tests.iter());
    }
    runs
}

fn clip(text: String) -> String {
    if text.chars().count() <= MAX_CAUSE {
        return text;
    }
    let mut clipped: String = text.chars().take(MAX_CAUSE - 1).collect();
    clipped.push('…');
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;
    use culprit_console::{Signature, SignatureKind};

    use crate::test_tree::run_record as run;

    fn infra(reason: String) -> Outcome {
        Outcome::InfraError { reason }
    }

    fn step(build: Option<RunRecord>, tests: Vec<RunRecord>) -> StepResult {
        StepResult {
            normalize: None,
            effective_config: None,
            build,
            tests,
            ..StepResult::default()
        }
    }

    #[test]
    fn causes_are_counted_by_what_a_lab_can_act_on() {
        let killed = run(
            "boot",
            infra(exit_code_reason("killed by signal 9", 137)),
            Ending::Signalled { signal: 9 },
        );
        let busy = run(
            "boot",
            infra(exit_code_reason("exited with status 3", 3)),
            Ending::Exited { code: 3 },
        );
        let pattern = |line: &str| {
            run(
                "smp",
                infra(pattern_reason(line)),
                Ending::Exited { code: 1 },
            )
        };
        let panic = run(
            "boot",
            Outcome::Fail {
                signature: Signature::new(SignatureKind::Panic, "Kernel panic"),
            },
            Ending::Exited { code: 1 },
        );
        let steps = [
            step(None, vec![killed.clone(), pattern("lab: board 1 busy")]),
            step(None, vec![panic, pattern("lab: board 7 busy")]),
            step(None, vec![killed, busy]),
        ];
        let tally = retried(&steps);
        assert_eq!(
            tally,
            [
                Retried {
                    cause: "killed by signal 9 (status 137 in `infra_exit_codes`)".into(),
                    runs: 2
                },
                Retried {
                    cause: "the console matched an `infra` pattern".into(),
                    runs: 2
                },
                Retried {
                    cause: "exit status 3 (in `infra_exit_codes`)".into(),
                    runs: 1
                },
            ]
        );
        let text = describe(&tally).unwrap();
        assert!(
            text.starts_with("5 runs retried after a lab fault"),
            "{text}"
        );
        assert!(describe(&retried(&[step(None, Vec::new())])).is_none());
    }

    #[test]
    fn a_failed_build_counts_once_not_once_per_test_it_stood_for() {
        let lost = run(
            "build",
            infra("node failure on vm".into()),
            Ending::Lost {
                reason: "node failure on vm".into(),
            },
        );
        let copies = vec![
            RunRecord {
                name: "a".into(),
                duration_s: 0.0,
                ..lost.clone()
            },
            RunRecord {
                name: "b".into(),
                duration_s: 0.0,
                ..lost.clone()
            },
        ];
        let tally = retried(&[step(Some(lost), copies)]);
        assert_eq!(
            tally,
            [Retried {
                cause: "taken away by the machine: node failure on vm".into(),
                runs: 1
            }]
        );
    }

    #[test]
    fn a_long_reason_is_clipped() {
        let long = run(
            "boot",
            infra("x".repeat(500)),
            Ending::SpawnFailed {
                reason: "x".repeat(500),
            },
        );
        let cause = cause(&long).unwrap();
        assert_eq!(cause.chars().count(), MAX_CAUSE);
        assert!(cause.starts_with("could not start: x") && cause.ends_with('…'));
    }
}
