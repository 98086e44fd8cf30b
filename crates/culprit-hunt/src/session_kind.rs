//! What a session was started for: the journal's `kind` column, read back as a type so
//! that every reader tells the kinds apart the same way.

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
