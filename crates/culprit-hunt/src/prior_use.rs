//! Which prior a commit hunt's search started from, as data: the hunt sets it
//! (`commit_hunt/prior.rs`), the events tell it and the results keep it, so it lives
//! apart from the hunt that computes it.

use serde::{Deserialize, Serialize};

/// Which prior the search starts from (`--prior`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriorChoice {
    /// Every commit alike (what a session recorded before priors existed reads as).
    #[default]
    None,
    /// Commits that touch what the crash names weigh more.
    Crash,
}

/// The prior a hunt used, for the answer and the reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriorUse {
    pub choice: PriorChoice,
    /// What the targets named.
    pub functions: Vec<String>,
    pub files: Vec<String>,
    /// The commits it favoured, with how each touches what the crash names
    /// (`function` or `file`).
    pub favoured: Vec<(String, String)>,
    /// Why it favoured none although asked to, when that was not for want of names.
    pub note: Option<String>,
}
