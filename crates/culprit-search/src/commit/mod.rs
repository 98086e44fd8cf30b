//! Commit bisection over the commit graph.
//!
//! The binary lists the range (`git rev-list --parents`), builds a [`CommitGraph`], and
//! loops: ask a [`Bisection`] for up to `k` candidates (one per worker), run them, record
//! each [`Verdict`]. With trusted verdicts the search halves the suspects like
//! `git bisect`, merges included, and steers around clusters of untestable commits; with
//! a [`FlakyModel`] it keeps a posterior over the suspects and runs whatever candidate
//! tells the most about the culprit, repeating candidates when that is what pays. With
//! [`UnknownRates`] nothing is estimated up front: the rates are learned from every run,
//! the good endpoint is a candidate like any other, and the search may end with
//! [`Status::NoCulprit`] (the failure is a flake). Prior weights (a commit that touches
//! the crashing function) steer the search but never make an answer surer.
//!
//! The model behind both: a run of a candidate fails (with the model's probability)
//! when the candidate contains the culprit, that is when the culprit is the candidate or
//! one of its ancestors.

mod bisection;
mod evidence;
mod fixup;
mod graph;
mod inform;
mod model;
mod posterior;
mod rates;
mod select;
pub mod simulate;
mod status;
mod suspects;

#[cfg(test)]
mod tests;

pub use bisection::Bisection;
pub use fixup::FixSearch;
pub use graph::{CommitGraph, GraphError};
pub use model::{BisectOptions, FlakyModel, SearchError, UnknownRates, Verdict};
pub use status::{RunCount, Status, Suspect, SuspectReason};
