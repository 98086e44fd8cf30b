//! One step as `culprit run --json` prints it and its session keeps it: each run with the
//! excerpt of its log around what went wrong, and the fate of the options it asked for.
//! The field names are a contract with users' scripts and CI.

use culprit_console::Outcome;
use culprit_hunt::option_request::Applied;
use culprit_hunt::record::{RunRecord, StepResult};
use culprit_hunt::results::RunView;
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
pub struct StepView {
    pub build: Option<RunView>,
    pub tests: Vec<RunView>,
    /// The options `culprit run --set/--config` asked for, and what applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<RequestView>,
}

#[derive(Serialize)]
pub struct RequestView {
    pub requested: Vec<Applied>,
}

impl StepView {
    /// `step`'s runs, their logs shown relative to `base`.
    pub fn of(step: &StepResult, base: &Path) -> StepView {
        StepView {
            build: step
                .build
                .as_ref()
                .map(|b| RunView::of(b, base, excerpt(b))),
            tests: step
                .tests
                .iter()
                .map(|t| RunView::of(t, base, excerpt(t)))
                .collect(),
            config: None,
        }
    }

    /// With the requested options' fate, when there were any.
    pub fn with_requests(mut self, requested: Vec<Applied>) -> StepView {
        self.config = (!requested.is_empty()).then_some(RequestView { requested });
        self
    }
}

/// The excerpt of a run that did not pass (none when its log cannot be read).
pub fn excerpt(run: &RunRecord) -> Option<String> {
    if run.outcome == Outcome::Pass {
        return None;
    }
    crate::excerpt::read(&run.log, run.evidence)
        .ok()
        .map(|e| e.text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use culprit_console::Ending;

    fn run(name: &str, outcome: Outcome, log: &Path) -> RunRecord {
        RunRecord {
            name: name.into(),
            outcome,
            stage: "init".into(),
            duration_s: 1.0,
            log: log.to_path_buf(),
            evidence: None,
            ending: Ending::Exited { code: 0 },
            cases: Vec::new(),
            timeline: None,
            learned: None,
        }
    }

    #[test]
    fn only_a_run_that_did_not_pass_carries_its_logs_excerpt() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("boot.log");
        std::fs::write(&log, "Booting toyos\nstuck here\n").unwrap();
        let hang = Outcome::Hang {
            stage: "init".into(),
            last_line: None,
        };
        let step = StepResult {
            tests: vec![
                run("boot", Outcome::Pass, &log),
                run("smp", hang, &log),
                run("gone", Outcome::Pass, &dir.path().join("missing.log")),
            ],
            ..StepResult::default()
        };
        let view = StepView::of(&step, dir.path()).with_requests(Vec::new());
        assert_eq!(view.tests[0].excerpt, None);
        let text = view.tests[1].excerpt.as_deref().unwrap_or_default();
        assert!(text.contains("stuck here"), "{text}");
        assert_eq!(view.tests[1].log, "boot.log");
        let json = serde_json::to_value(&view).unwrap();
        assert!(json.get("config").is_none(), "{json}");
    }
}
