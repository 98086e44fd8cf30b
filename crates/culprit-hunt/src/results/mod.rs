//! The typed result of each kind of hunt, as the journal keeps it and the reports read it
//! back: one type per hunt kind, shared by the writer and every reader, so a renamed
//! field fails to compile the reports instead of blanking them.

mod commit;
mod config;

pub use crate::flaky_rates::FlakyRates;
pub use commit::{CandidateView, CommitHuntResult, CommitView, RunView, SuspectView};
pub use config::{ConfigHuntResult, CostlyOption, NotApplied, TestCulprits};
