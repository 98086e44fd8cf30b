//! `[bisect] learned_deadlines`: the margin of the hang deadlines learned from passing
//! runs (`"4x+5s"`, the default), or `"off"` for the fixed `silence` and `timeout` alone.

use culprit_console::Margin;
use serde::{Deserialize, Deserializer};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LearnedDeadlines(pub Option<Margin>);

impl Default for LearnedDeadlines {
    fn default() -> Self {
        LearnedDeadlines(Some(Margin::DEFAULT))
    }
}

/// Margins are read from text and compared as read, never computed with.
impl Eq for LearnedDeadlines {}

impl<'de> Deserialize<'de> for LearnedDeadlines {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Margin::parse(&text)
            .map(LearnedDeadlines)
            .map_err(serde::de::Error::custom)
    }
}
