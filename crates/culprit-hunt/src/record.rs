//! What a step did, as the journal keeps it: each run's record, the step's result, where
//! it ran and the fixups it applied. Plain data, below everything that runs steps or
//! judges them, so that targets, infra rules, executors and reports all read one shape.

use culprit_console::{Case, Ending, LearnedHang, Outcome, Timeline};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What one run (the build, or one test) did, as the journal and `--json` keep it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub name: String,
    pub outcome: Outcome,
    /// The boot stage reached; for a failure, the stage where it showed, which is
    /// part of its identity as a target.
    pub stage: String,
    pub duration_s: f64,
    pub log: PathBuf,
    pub evidence: Option<(u64, u64)>,
    pub ending: Ending,
    /// The test cases the console reported (KTAP, ztest, LAVA).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<Case>,
    /// When output came and each stage was reached; absent for runs that were not
    /// boots (and in journals of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// The learned deadline that ended the run as a hang, before its fixed timeouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned: Option<LearnedHang>,
}

impl RunRecord {
    /// The outcome as logs and reports word it: a hang that a learned deadline decided
    /// says so, with the deadline.
    pub fn outcome_text(&self) -> String {
        match &self.learned {
            Some(hang) => format!(
                "{} (learned deadline {}: silent {:.1} s, {:.1} s in; passing runs had left stage {} by {:.1} s, silent {:.1} s at most)",
                self.outcome,
                hang.margin,
                hang.silent_for,
                hang.stopped_at,
                hang.stage,
                hang.passes_left_at,
                hang.passes_silent
            ),
            None => self.outcome.to_string(),
        }
    }
}

/// The fixups a step applied on top of its candidate, so that it could be tested.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FixupRecord {
    /// The fixup commits applied, in order.
    pub applied: Vec<String>,
    /// Fixups asked for that the candidate already contains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contained: Vec<String>,
    /// The fixup that did not apply, and why; nothing was built then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<(String, String)>,
}

/// The build (absent when there is no build command) and every test.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// The configuration normalizer's run, for configuration candidates.
    #[serde(default)]
    pub normalize: Option<RunRecord>,
    /// The configuration the build really got (read back after normalizing), so the
    /// search reasons about applied values, never requested ones.
    #[serde(default)]
    pub effective_config: Option<String>,
    pub build: Option<RunRecord>,
    pub tests: Vec<RunRecord>,
    /// Digest of the build's `artifacts`, when the configuration names them.
    #[serde(default)]
    pub artifact_digest: Option<String>,
    /// The test results were taken from an earlier step that built the same artifacts.
    #[serde(default)]
    pub reused_artifacts: bool,
    /// The worker's build directory already held this very build (see
    /// `crate::kept_build`): nothing was normalized or built.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept_build: bool,
    /// Where the step ran (worker, node, job); absent in journals of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// The fixups applied on top of the candidate; absent when none were asked (and in
    /// journals of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixup: Option<FixupRecord>,
}

impl StepResult {
    /// Every run of the step, in the order they ran: normalize, build, tests.
    pub fn runs(&self) -> impl Iterator<Item = &RunRecord> {
        self.normalize
            .iter()
            .chain(self.build.iter())
            .chain(self.tests.iter())
    }

    pub fn all_passed(&self) -> bool {
        self.runs().all(|r| r.outcome == Outcome::Pass)
    }

    /// Whether any run ended in an infrastructure error.
    pub fn infra_failed(&self) -> bool {
        self.runs()
            .any(|r| matches!(r.outcome, Outcome::InfraError { .. }))
    }

    pub fn interrupted(&self) -> bool {
        self.runs().any(|r| r.ending == Ending::Interrupted)
    }
}

/// Where a step ran, kept with its result for the live display and the reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// Which executor ran it: `local`, `slurm`, `fake`.
    pub executor: String,
    /// The worker (0-based) whose tree the step used.
    pub worker: usize,
    /// The machine it ran on, when the executor knows it (a Slurm node, a LAVA device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The executor's own id for it (a Slurm or LAVA job id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

impl Place {
    /// How the live display and the reports name it: `worker 2`, `node n1 · job 41`.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("worker {}", self.worker + 1)];
        if let Some(node) = &self.node {
            // A lab's machines are its devices.
            let word = if self.executor == "lava" {
                "device"
            } else {
                "node"
            };
            parts.push(format!("{word} {node}"));
        }
        if let Some(job) = &self.job {
            parts.push(format!("job {job}"));
        }
        parts.join(" · ")
    }
}

/// `fixup 1a2b3c4d5e6f`, or `fixups 1a2b…, 3c4d…` for several.
pub fn fixups_label(fixups: &[String]) -> String {
    let ids: Vec<String> = fixups.iter().map(|f| short(f)).collect();
    let word = if ids.len() == 1 { "fixup" } else { "fixups" };
    format!("{word} {}", ids.join(", "))
}

fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}

/// `path` relative to `base` when it lies below it, as views and reports show logs.
pub fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}
