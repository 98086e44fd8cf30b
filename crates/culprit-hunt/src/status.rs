//! How a hunt ended, as the journal, the exit code and every report read it.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HuntStatus {
    /// The culprit (a commit, an artifact, or per test a set of options), verified.
    Found,
    /// The culprit is one of several suspects no testable candidate tells apart.
    Ambiguous,
    /// No commit in the range changes how often the failure shows: it is a flake.
    Flake,
    /// The evidence does not name a culprit (a contradiction, a failed verification,
    /// a search that ran out of runs); what a result that recorded no status reads as.
    #[default]
    Inconclusive,
}

impl HuntStatus {
    /// The word the journal keeps and `--json` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            HuntStatus::Found => "found",
            HuntStatus::Ambiguous => "ambiguous",
            HuntStatus::Flake => "flake",
            HuntStatus::Inconclusive => "inconclusive",
        }
    }
}

impl fmt::Display for HuntStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
