//! The result of `culprit bisect-config`: its `--json` document, kept as the session's
//! result.

use crate::infra::Retried;
use crate::session::Counts;
use crate::status::HuntStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One test's answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TestCulprits {
    pub test: String,
    pub options: Vec<String>,
    pub outcome: String,
    pub title: Option<String>,
    /// The fragment that, on top of the good configuration, reproduces the failure.
    pub reproduce: String,
    /// The hunt built exactly that candidate (else the verdict was inferred).
    pub reproduce_verified: bool,
    /// The fragment that, on top of the bad configuration, cures the test (one option
    /// of every culprit set of every failure back to its good value; a bool or
    /// tristate rather than the string or number it guards, where the choice is free).
    pub cure: String,
    /// The hunt built exactly the bad configuration with that cure, and it passed.
    pub cure_verified: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotApplied {
    pub option: String,
    pub requested: String,
    pub got: String,
    /// Why, as a chain with file:line (from culprit's Kconfig evaluator, when the tree
    /// has a Kconfig).
    pub reasons: Vec<String>,
    /// Other assignments that would make it apply, when some were found.
    pub needs: Vec<String>,
}

/// What a configuration hunt concluded: the `--json` document of `culprit bisect-config`,
/// kept as the session's result. Every field has a default, so that a session written by
/// an older culprit still reads.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigHuntResult {
    pub status: HuntStatus,
    pub culprits: Vec<TestCulprits>,
    pub not_applied: Vec<NotApplied>,
    /// Per test: what it does at the bad configuration.
    pub tests: BTreeMap<String, String>,
    pub changes: usize,
    #[serde(flatten)]
    pub counts: Counts,
    pub message: Option<String>,
    /// Options whose candidates take far longer to build than the others (a widely
    /// included header), costliest first.
    pub costly_options: Vec<CostlyOption>,
    /// Runs retried after a lab fault, by cause.
    pub retried: Vec<Retried>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CostlyOption {
    pub option: String,
    /// Mean build seconds of the candidates that applied it, and of those that did not.
    pub seconds_with: f64,
    pub seconds_without: f64,
}

impl TestCulprits {
    /// The failure as a person names it: the title, or the outcome word without one.
    pub fn failure(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.outcome)
    }
}

impl NotApplied {
    /// The reasons as one sentence (empty when there are none).
    pub fn why(&self) -> String {
        let mut text = self.reasons.join("; ");
        if !self.needs.is_empty() {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!("would apply with {}", self.needs.join(" ")));
        }
        text
    }
}

impl CostlyOption {
    /// "candidates with it took 3 s to build, 0 s without", as the live display says it.
    pub fn cost(&self) -> String {
        format!(
            "candidates with it took {:.0} s to build, {:.0} s without",
            self.seconds_with, self.seconds_without
        )
    }
}
