//! What a run says about a candidate, measured against the target: the one vocabulary of
//! verdicts that targets give, `judge.rs` combines over a step, and every view words.

use std::fmt;

/// What one run says about a candidate, measured against the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    Good,
    Bad,
    /// Another outcome than the target: this candidate cannot be judged.
    Untestable(String),
    /// The infrastructure failed: run it again.
    Retry(String),
}

/// `good`, `bad`, `skip (reason)`: the words every view uses for a verdict.
impl fmt::Display for Judgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Judgement::Good => f.write_str("good"),
            Judgement::Bad => f.write_str("bad"),
            Judgement::Untestable(reason) => write!(f, "skip ({reason})"),
            Judgement::Retry(reason) => write!(f, "infrastructure error ({reason}); will retry"),
        }
    }
}
