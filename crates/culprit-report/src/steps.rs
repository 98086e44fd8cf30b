//! Each step of a session as a report shows it: what it tested and the verdict it gave.
//!
//! The journal keeps runs, not verdicts: a bisection's verdicts are judged again here
//! against the targets its bad endpoint set, exactly as the hunt judged them, so a step
//! that crashed differently reads "skip", not "bad".

use super::findings::{short, Findings, Hunt};
use super::Material;
use culprit_console::Outcome;
use culprit_hunt::commit_hunt::CandidateKind;
use culprit_hunt::config_hunt::{AppliedCheck, Plan};
use culprit_hunt::journal::StepRow;
use culprit_hunt::judge::{fixed_up, judge, verdict_text};
use culprit_hunt::judgement::Judgement;
use culprit_hunt::record::fixups_label;
use culprit_hunt::record::{RunRecord, StepResult};
use culprit_hunt::target::Target;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub struct StepEntry<'a> {
    pub row: &'a StepRow,
    /// What the step was for: `endpoint-bad`, `search`, `verify`, `run`, ...
    pub phase: String,
    /// The candidate in full (a commit id, an artifact, a configuration digest).
    pub key: String,
    /// The candidate as people quote it.
    pub label: String,
    /// Extra facts kept with the candidate (e.g. the options a configuration step set).
    pub detail: String,
    /// How many options a configuration candidate changes from the good configuration
    /// (the ones the build took).
    pub size: Option<usize>,
    /// The options a configuration candidate asked for that the build did not take (a
    /// dependency forced them): the label leaves them out, so no verdict is theirs.
    pub unapplied: Vec<String>,
    /// Answered from an earlier session's result: nothing ran.
    pub cached: bool,
    pub verdict: Verdict,
}

impl StepEntry<'_> {
    /// The verdict in a word, marked when fixups made the candidate testable.
    pub fn verdict_word(&self) -> String {
        let word = self.verdict.class.word();
        match fixed_up(&self.row.result) {
            applied if !applied.is_empty() && self.verdict.class != VerdictClass::Skip => {
                format!("{word} (with {})", fixups_label(applied))
            }
            _ => word.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub class: VerdictClass,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictClass {
    Good,
    Bad,
    Skip,
}

impl VerdictClass {
    pub fn word(self) -> &'static str {
        match self {
            VerdictClass::Good => "good",
            VerdictClass::Bad => "bad",
            VerdictClass::Skip => "skip",
        }
    }
}

pub fn entries<'a>(material: &'a Material, findings: &Findings) -> Vec<StepEntry<'a>> {
    let (kind, targets) = match &findings.hunt {
        Hunt::Commit(c) => (
            c.plan.kind.as_ref(),
            targets(c.plan.target.as_ref(), &material.steps),
        ),
        _ => (None, None),
    };
    let applied_check = match &findings.hunt {
        Hunt::Config(_) => serde_json::from_value::<Plan>(material.session.args["plan"].clone())
            .ok()
            .and_then(|plan| AppliedCheck::of(&plan).ok()),
        _ => None,
    };
    material
        .steps
        .iter()
        .map(|row| {
            let candidate = &row.candidate;
            let phase = candidate["phase"].as_str().unwrap_or("run").to_string();
            let raw_key = candidate["key"]
                .as_str()
                .or_else(|| candidate["rev"].as_str())
                .unwrap_or("(working tree)")
                .to_string();
            let (key, mut label) = name(kind, &raw_key);
            let mut options = options(&candidate["note"]);
            let mut unapplied = Vec::new();
            if let (Some(asked), Some(check), Some(effective)) =
                (&mut options, &applied_check, &row.result.effective_config)
            {
                unapplied = check.unapplied(asked, effective).unwrap_or_default();
                asked.retain(|o| !unapplied.contains(o));
            }
            if let Some(options) = &options {
                label = options_label(options);
            }
            let verdict = match &targets {
                Some(targets) => judged(&row.result, targets),
                None => plain(&row.result),
            };
            StepEntry {
                row,
                phase,
                key,
                label,
                detail: note(&candidate["note"]),
                size: options.as_ref().map(Vec::len),
                unapplied,
                cached: candidate["cached"].as_bool().unwrap_or(false),
                verdict,
            }
        })
        .collect()
}

/// The full name and the short label of a candidate key.
fn name(kind: Option<&CandidateKind>, key: &str) -> (String, String) {
    match kind {
        Some(CandidateKind::Artifacts { list, .. }) => {
            match key.parse::<usize>().ok().and_then(|i| list.get(i)) {
                Some(artifact) => (artifact.clone(), artifact_label(artifact)),
                None => (key.to_string(), key.to_string()),
            }
        }
        Some(CandidateKind::Commits { .. }) => (key.to_string(), short(key)),
        None if key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (key.to_string(), short(key))
        }
        None => (key.to_string(), key.chars().take(24).collect()),
    }
}

/// An artifact by its file name: the directories are the same for all of them.
pub fn artifact_label(artifact: &str) -> String {
    Path::new(artifact)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| artifact.to_string())
}

/// The targets the hunt judged by: set from the first run of the bad endpoint that
/// showed a failure, as the hunt sets them.
fn targets(explicit: Option<&Target>, steps: &[StepRow]) -> Option<BTreeMap<String, Target>> {
    steps
        .iter()
        .filter(|s| s.candidate["phase"] == "endpoint-bad")
        .map(|s| {
            s.result
                .tests
                .iter()
                .filter_map(|run| {
                    let target = match explicit {
                        Some(t) => (t.judge_run(run) == Judgement::Bad).then(|| t.clone()),
                        None => Target::of_bad(run),
                    };
                    target.map(|t| (run.name.clone(), t))
                })
                .collect::<BTreeMap<_, _>>()
        })
        .find(|targets| !targets.is_empty())
}

/// The verdict the hunt gave, marked when fixups made the candidate testable.
fn judged(result: &StepResult, targets: &BTreeMap<String, Target>) -> Verdict {
    let class = match judge(result, targets) {
        Judgement::Good => VerdictClass::Good,
        Judgement::Bad => VerdictClass::Bad,
        Judgement::Untestable(_) | Judgement::Retry(_) => VerdictClass::Skip,
    };
    Verdict {
        class,
        text: verdict_text(result, targets),
    }
}

/// The runs before the tests, once each: the configuration normalizer, then the build.
/// A failed normalizer stands in the build's place in the journal, so it is not listed
/// twice.
pub fn setup_runs(result: &StepResult) -> Vec<&RunRecord> {
    let normalize = result
        .normalize
        .as_ref()
        .filter(|n| n.outcome == Outcome::Pass);
    normalize.into_iter().chain(result.build.iter()).collect()
}

/// Without targets: bad when a test failed or hung, skip when nothing could be tested.
fn plain(result: &StepResult) -> Verdict {
    if let Some(build) = result.build.as_ref().filter(|b| b.outcome != Outcome::Pass) {
        return Verdict {
            class: VerdictClass::Skip,
            text: format!("skip ({}: {})", build.name, build.outcome),
        };
    }
    let described = |keep: fn(&Outcome) -> bool| -> Vec<String> {
        let kept = result.tests.iter().filter(|t| keep(&t.outcome));
        kept.map(|t| format!("{}: {}", t.name, t.outcome_text()))
            .collect()
    };
    let failed = described(|o| matches!(o, Outcome::Fail { .. } | Outcome::Hang { .. }));
    if !failed.is_empty() {
        return Verdict {
            class: VerdictClass::Bad,
            text: format!("bad ({})", failed.join("; ")),
        };
    }
    let broken = described(|o| *o != Outcome::Pass);
    if !broken.is_empty() {
        return Verdict {
            class: VerdictClass::Skip,
            text: format!("skip ({})", broken.join("; ")),
        };
    }
    Verdict {
        class: VerdictClass::Good,
        text: "good".into(),
    }
}

/// The options a configuration candidate changes, when its note lists them.
fn options(note: &Value) -> Option<Vec<String>> {
    let items = note.get("options")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|o| o.as_str().map(str::to_string))
            .collect(),
    )
}

/// A configuration candidate by its changes: the options when few, else their number.
fn options_label(options: &[String]) -> String {
    match options.len() {
        0 => "no change".into(),
        1..=3 => options.join(" + "),
        n => format!("{n} options"),
    }
}

/// Items of a list shown in a note before the rest is counted.
const NOTE_ITEMS: usize = 8;

/// A candidate's note in one line: `key: value` for each simple fact, lists joined.
fn note(note: &Value) -> String {
    let Some(facts) = note.as_object() else {
        return String::new();
    };
    facts
        .iter()
        .filter_map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                Value::Bool(_) | Value::Number(_) => v.to_string(),
                Value::Array(items) if !items.is_empty() => {
                    let mut shown: Vec<String> = items
                        .iter()
                        .take(NOTE_ITEMS)
                        .map(|i| {
                            i.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| i.to_string())
                        })
                        .collect();
                    if items.len() > NOTE_ITEMS {
                        shown.push(format!("and {} more", items.len() - NOTE_ITEMS));
                    }
                    shown.join(", ")
                }
                _ => return None,
            };
            Some(format!("{k}: {value}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use culprit_console::{Ending, Signature, SignatureKind};

    fn run(name: &str, outcome: Outcome) -> RunRecord {
        RunRecord {
            name: name.into(),
            outcome,
            stage: "init".into(),
            duration_s: 1.0,
            log: "/nonexistent".into(),
            evidence: None,
            ending: Ending::Exited { code: 0 },
            cases: Vec::new(),
            timeline: None,
            learned: None,
        }
    }

    fn step(phase: &str, tests: Vec<RunRecord>) -> StepRow {
        StepRow {
            seq: 1,
            candidate: serde_json::json!({ "phase": phase, "key": "k" }),
            result: StepResult {
                tests,
                ..StepResult::default()
            },
            started: 0.0,
            finished: 1.0,
        }
    }

    #[test]
    fn targets_come_from_the_first_bad_endpoint_that_failed() {
        let hang = Outcome::Hang {
            stage: "init".into(),
            last_line: None,
        };
        let steps = vec![
            step("endpoint-bad", vec![run("boot", Outcome::Pass)]),
            step(
                "endpoint-bad",
                vec![run("boot", hang.clone()), run("net", Outcome::Pass)],
            ),
        ];
        let targets = targets(None, &steps).unwrap();
        assert_eq!(targets.keys().collect::<Vec<_>>(), ["boot"]);
        let panic = Outcome::Fail {
            signature: Signature::new(SignatureKind::Panic, "VFS"),
        };
        let other = judged(
            &StepResult {
                tests: vec![run("boot", panic)],
                ..StepResult::default()
            },
            &targets,
        );
        assert_eq!(
            other.class,
            VerdictClass::Skip,
            "another crash is not the bug: {other:?}"
        );
        let same = judged(
            &StepResult {
                tests: vec![run("boot", hang)],
                ..StepResult::default()
            },
            &targets,
        );
        assert_eq!(same.class, VerdictClass::Bad);
    }

    #[test]
    fn plain_verdicts_tell_failures_from_untestable_steps() {
        let build = Outcome::BuildError {
            signature: Signature::new(SignatureKind::Compiler, "x.h: No such file"),
        };
        let mut broken = StepResult {
            build: Some(run("build", build.clone())),
            tests: vec![run("boot", build)],
            ..StepResult::default()
        };
        assert_eq!(plain(&broken).class, VerdictClass::Skip);
        broken.build = None;
        broken.tests = vec![
            run("boot", Outcome::Pass),
            run(
                "smp",
                Outcome::Hang {
                    stage: "ap".into(),
                    last_line: None,
                },
            ),
        ];
        let verdict = plain(&broken);
        assert_eq!(verdict.class, VerdictClass::Bad);
        assert!(verdict.text.contains("smp: hang"), "{verdict:?}");
        broken.tests = vec![run(
            "boot",
            Outcome::InfraError {
                reason: "no qemu".into(),
            },
        )];
        assert_eq!(plain(&broken).class, VerdictClass::Skip);
    }

    #[test]
    fn notes_read_as_one_line() {
        let text = note(
            &serde_json::json!({ "options": ["CONFIG_A", "CONFIG_B"], "size": 2, "deep": {} }),
        );
        assert_eq!(text, "options: CONFIG_A, CONFIG_B; size: 2");
        assert_eq!(note(&Value::Null), "");
        let many: Vec<String> = (0..10).map(|i| format!("O{i}")).collect();
        assert_eq!(
            note(&serde_json::json!({ "options": many })),
            "options: O0, O1, O2, O3, O4, O5, O6, O7, and 2 more"
        );
        assert_eq!(options_label(&many), "10 options");
        assert_eq!(options_label(&many[..2]), "O0 + O1");
    }
}
