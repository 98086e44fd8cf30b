//! The typed result of each kind of session, as the journal keeps it and the reports
//! read it back: one type per hunt kind, shared by the writer and every reader, so a
//! renamed field fails to compile the reports instead of blanking them.

mod commit;
mod config;

pub use commit::{CandidateView, CommitHuntResult, CommitView, FlakyRates, RunView, SuspectView};
pub use config::{ConfigHuntResult, CostlyOption, NotApplied, TestCulprits};

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a session was started for, as the journal's `kind` column names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    /// `culprit run`: one step.
    Run,
    /// `culprit bisect`: commits or prebuilt artifacts.
    Bisect,
    /// `culprit bisect-config`: configuration options.
    BisectConfig,
}

impl SessionKind {
    pub const ALL: [SessionKind; 3] = [
        SessionKind::Run,
        SessionKind::Bisect,
        SessionKind::BisectConfig,
    ];

    /// The word the journal keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Run => "run",
            SessionKind::Bisect => "bisect",
            SessionKind::BisectConfig => "bisect-config",
        }
    }

    /// The kind a journal's word names; `None` for a word no version of culprit wrote.
    pub fn parse(word: &str) -> Option<SessionKind> {
        SessionKind::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

impl fmt::Display for SessionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
