//! What a commit hunt is asked to do, kept as the session's arguments so that
//! `--resume` rebuilds the same hunt.

use super::PriorChoice;
use crate::target::Target;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a bisection session needs; stored as the session's arguments so that
/// `--resume` can rebuild the same hunt.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// Candidates in order (commit ids; for artifact lists, the artifacts oldest first).
    pub kind: CandidateKind,
    pub good: Vec<String>,
    pub bad: String,
    pub target: Option<Target>,
    pub tests: Vec<String>,
    pub flaky: bool,
    pub confidence: f64,
    pub first_parent: bool,
    pub verify: u32,
    pub verify_revert: bool,
    pub endpoint_runs: u32,
    /// Commits applied on top of a candidate that cannot be tested on its own
    /// (`--fixup`, `[bisect] fixups`), in order.
    #[serde(default)]
    pub fixups: Vec<String>,
    /// Whether an ambiguity left by build failures sends culprit looking for the commit
    /// that ended them, to use it as a fixup.
    #[serde(default = "automatic_fixups_by_default")]
    pub auto_fixup: bool,
    /// Whether that rule runs at the first candidate that does not build (`--auto-fixup`)
    /// rather than only once the search has ended ambiguous, so that the window's
    /// commits are tested with the fix instead of skipped one by one first.
    #[serde(default)]
    pub auto_fixup_up_front: bool,
    /// The prior the search starts from (`--prior`).
    #[serde(default)]
    pub prior: PriorChoice,
    /// Digest of the configuration and test commands, part of every cache key.
    pub recipe: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CandidateKind {
    /// Commits of a git range, each with its parents (`git rev-list --parents`) and its
    /// tree id (for caching).
    Commits {
        range: Vec<(String, Vec<String>)>,
        trees: BTreeMap<String, String>,
    },
    /// Prebuilt artifacts, oldest first; `good` and `bad` are the first and the last.
    Artifacts {
        list: Vec<String>,
        digests: Vec<String>,
    },
}

fn automatic_fixups_by_default() -> bool {
    true
}

impl Plan {
    /// A readable name for a candidate: the commit id, or the artifact's path.
    pub fn label(&self, key: &str) -> String {
        match &self.kind {
            CandidateKind::Commits { .. } => key.to_string(),
            CandidateKind::Artifacts { list, .. } => key
                .parse::<usize>()
                .ok()
                .and_then(|i| list.get(i).cloned())
                .unwrap_or_else(|| key.to_string()),
        }
    }
}
