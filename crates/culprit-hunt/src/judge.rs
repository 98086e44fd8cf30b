//! Judging a step against the hunt's targets: one place for the rules every hunt, view
//! and report shares, so that a verdict reads the same in the live display, `culprit log`
//! and the reports.

use crate::judgement::Judgement;
use crate::record::{fixups_label, Place, StepResult};
use crate::target::Target;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Infrastructure errors tolerated per candidate before it is skipped.
pub const INFRA_RETRIES: u32 = 2;

/// Judges one step against each test's target: bad if any test shows its target, good
/// if every test passes, untestable otherwise. A step whose fixups did not apply, or
/// did not make it testable, is untestable with that reason.
pub fn judge(result: &StepResult, targets: &BTreeMap<String, Target>) -> Judgement {
    let Some(fixup) = &result.fixup else {
        return judge_runs(result, targets);
    };
    if let Some((commit, detail)) = &fixup.conflict {
        return Judgement::Untestable(format!(
            "{} does not apply: {detail}",
            fixups_label(std::slice::from_ref(commit))
        ));
    }
    match judge_runs(result, targets) {
        Judgement::Untestable(reason) if !fixup.applied.is_empty() => {
            let built = result
                .build
                .as_ref()
                .is_none_or(|b| b.outcome == culprit_console::Outcome::Pass);
            let what = if built {
                "it still cannot be tested"
            } else {
                "the build still fails"
            };
            Judgement::Untestable(format!(
                "{} applied but {what}: {reason}",
                fixups_label(&fixup.applied)
            ))
        }
        other => other,
    }
}

/// The fixups a step's verdict was obtained with (none when it was tested as it is).
pub fn fixed_up(result: &StepResult) -> &[String] {
    match &result.fixup {
        Some(fixup) if fixup.conflict.is_none() => &fixup.applied,
        _ => &[],
    }
}

/// A step's verdict as every view shows it: `good`, `bad`, `skip (reason)`, marked
/// `with fixup X` when the fixup is what made the candidate testable.
pub fn verdict_text(result: &StepResult, targets: &BTreeMap<String, Target>) -> String {
    let judgement = judge(result, targets);
    let text = judgement.to_string();
    match (fixed_up(result), &judgement) {
        (applied, Judgement::Good | Judgement::Bad) if !applied.is_empty() => {
            format!("{text} (with {})", fixups_label(applied))
        }
        _ => text,
    }
}

fn judge_runs(result: &StepResult, targets: &BTreeMap<String, Target>) -> Judgement {
    if let Some(build) = result
        .build
        .as_ref()
        .filter(|b| b.outcome != culprit_console::Outcome::Pass)
    {
        // Every test carries the build's outcome; judge it once, as the build.
        if let Some(target) = targets.values().next() {
            return match target.judge(&build.outcome) {
                Judgement::Untestable(reason) => Judgement::Untestable(reason),
                other if targets.values().all(|t| t.judge(&build.outcome) == other) => other,
                _ => Judgement::Untestable(build.outcome.to_string()),
            };
        }
    }
    let mut untestable = Vec::new();
    let mut retry = None;
    let mut good = 0;
    for (test, target) in targets {
        let Some(run) = result.tests.iter().find(|t| &t.name == test) else {
            untestable.push(format!("{test}: not run"));
            continue;
        };
        match target.judge_run(run) {
            Judgement::Bad => return Judgement::Bad,
            Judgement::Good => good += 1,
            Judgement::Retry(reason) => retry = Some(format!("{test}: {reason}")),
            Judgement::Untestable(reason) => untestable.push(format!("{test}: {reason}")),
        }
    }
    if let Some(reason) = retry {
        return Judgement::Retry(reason);
    }
    if good == targets.len() {
        return Judgement::Good;
    }
    untestable.dedup();
    Judgement::Untestable(untestable.join("; "))
}

/// The log of the run that decided a step: the build's when it failed, else the first
/// test that did not pass (none for a step that passed).
pub fn evidence_log(result: &StepResult) -> Option<PathBuf> {
    result
        .build
        .iter()
        .chain(&result.tests)
        .find(|run| run.outcome != culprit_console::Outcome::Pass)
        .map(|run| run.log.clone())
}

/// Where a step ran, when that is worth showing: with several workers, or on a remote
/// node.
pub fn shown_place(result: &StepResult, workers: usize) -> Option<Place> {
    result
        .place
        .clone()
        .filter(|place| workers > 1 || place.node.is_some())
}
