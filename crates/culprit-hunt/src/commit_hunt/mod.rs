//! The commit bisection driver, cut by phase: the endpoints (`endpoints.rs`), the
//! search (`search.rs`, with `early.rs` and `fixups.rs`), the verification
//! (`verify.rs`) and the conclusion (`conclusion.rs`).
//!
//! Deterministic given the step results, so that a resumed session replays its journal
//! and continues exactly where it stopped (see `session.rs`).

mod conclusion;
mod early;
mod endpoints;
mod fixups;
mod identical;
mod plan;
mod prior;
mod search;
mod setup;
mod verify;

pub use crate::prior_use::{PriorChoice, PriorUse};
pub use conclusion::Conclusion;
pub use early::EARLY_PHASE;
pub use fixups::FixupUse;
pub use plan::{CandidateKind, HuntSettings, Plan};
pub use setup::{HuntOptions, Range};

use crate::error::{HuntError, Result};
use crate::executor::{Prepare, Work};
use crate::observe::Observer;
use crate::pace::learned_hangs;
use crate::record::StepResult;
use crate::session::{Request, Session};
use crate::target::Target;
use crate::told::Told;
use culprit_exec::git::Repo;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Phases whose runs always get the full timeouts: the good endpoint (whose pace is
/// learned) and the verification of the culprit (the last word on it). The bad
/// endpoint's first run gets them too: it has no targets yet, and decides them.
const FULL_TIMEOUTS: &[&str] = &["endpoint-good", "verify", "verify-parent", "verify-revert"];

pub struct CommitHunt<'s, 'a> {
    pub session: &'s mut Session<'a>,
    pub plan: Plan,
    /// Progress lines go here (stderr).
    pub observer: Arc<dyn Observer>,
    /// The targets once known (empty while the bad endpoint is being read).
    pub stop_at: BTreeMap<String, Target>,
    /// The repository of a commit hunt, whose diffs a crash's prior is read from
    /// (`None`: every commit weighs the same).
    pub repo: Option<Repo>,
}

impl CommitHunt<'_, '_> {
    pub(crate) fn request(
        &self,
        phase: &str,
        key: &str,
        tests: &[String],
        stop_at: &BTreeMap<String, Target>,
    ) -> Request {
        let (prepare, placeholders, cache) = match &self.plan.kind {
            CandidateKind::Commits { trees, .. } => (
                Prepare::Checkout(key.to_string()),
                Vec::new(),
                trees.get(key).map(|t| format!("tree:{t}")),
            ),
            CandidateKind::Artifacts { list, digests } => {
                let index: usize = key.parse().unwrap_or(0);
                (
                    Prepare::InPlace,
                    vec![("artifact", list.get(index).cloned().unwrap_or_default())],
                    digests.get(index).map(|d| format!("artifact:{d}")),
                )
            }
        };
        let cacheable = phase == "search" && !self.plan.settings.flaky;
        Request {
            phase: phase.to_string(),
            key: key.to_string(),
            work: Work {
                prepare,
                tests: tests.to_vec(),
                placeholders,
                stop_at: stop_at.clone(),
                config_text: None,
                fixups: Vec::new(),
            },
            cache_key: cache
                .filter(|_| cacheable)
                .map(|c| format!("{c}|{}|{}", self.plan.recipe, tests.join(","))),
            note: json!({}),
            learned_deadlines: !FULL_TIMEOUTS.contains(&phase) && !stop_at.is_empty(),
        }
    }

    pub(crate) fn tell(&self, told: Told) {
        self.observer.tell(told);
    }

    /// Tells each run of `key`'s step that a learned deadline ended.
    pub(crate) fn tell_deadlines(&self, key: &str, result: &StepResult, replayed: bool) {
        for (test, hang) in learned_hangs(result) {
            self.tell(Told::LearnedDeadline {
                candidate: self.plan.label(key),
                test: test.to_string(),
                hang: hang.clone(),
                replayed,
            });
        }
    }

    /// Runs `tests` on each candidate; with `targets`, a step ends at the first test
    /// that shows its target.
    pub(crate) fn run(
        &mut self,
        phase: &str,
        keys: &[String],
        tests: &[String],
    ) -> Result<Vec<StepResult>> {
        let stop_at = self.stop_at.clone();
        let requests = keys
            .iter()
            .map(|k| self.request(phase, k, tests, &stop_at))
            .collect();
        self.session.run(requests)
    }

    /// The first parent of a commit of the range (it may lie outside the range).
    pub(crate) fn first_parent(&self, key: &str) -> Option<String> {
        match &self.plan.kind {
            CandidateKind::Commits { range, .. } => range
                .iter()
                .find(|(id, _)| id == key)
                .and_then(|(_, parents)| parents.first().cloned()),
            CandidateKind::Artifacts { .. } => None,
        }
    }

    /// A readable name for a candidate: a short commit id, or the artifact.
    pub fn label(&self, key: &str) -> String {
        match &self.plan.kind {
            CandidateKind::Commits { .. } => key.chars().take(12).collect(),
            CandidateKind::Artifacts { .. } => self.plan.label(key),
        }
    }

    /// The whole hunt, phase after phase.
    pub fn hunt(&mut self) -> Result<Conclusion> {
        let (graph, mut start) = match self.check_endpoints() {
            Ok(started) => started,
            // An intermittent failure that did not show in all its attempts is an
            // answer (it is rarer than that, or gone), not a mistake of the user's.
            Err(HuntError::NothingToHunt { revision, .. }) if self.plan.settings.flaky => {
                return Ok(Conclusion::not_reproduced(&revision));
            }
            Err(err) => return Err(err),
        };
        let suspects = graph.len().saturating_sub(start.good_nodes.len());
        let (prior, used) = self.prior(&graph, suspects, &start);
        if let Some(used) = &used {
            self.tell(Told::Prior(used.clone()));
        }
        let (flaky, bisection, search) = self.search_phase(&graph, &mut start, &prior)?;
        let mut conclusion = self.conclude(&graph, &start, flaky, bisection, search)?;
        conclusion.prior = used;
        Ok(conclusion)
    }
}
