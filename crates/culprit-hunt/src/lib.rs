//! The imperative shell of a hunt: `culprit.toml`, steps, sessions, the journal, the
//! worktrees and the executor that runs steps, and the drivers of the commit and
//! configuration hunts.
//!
//! Everything a front end needs to drive a hunt lives here; the `culprit` binary only
//! parses arguments and shows what the [`observe::Observer`] it passes in is told.

pub mod cold;
pub mod commit_hunt;
pub mod config_hunt;
pub mod config_plan;
pub mod error;
pub mod executor;
pub mod flaky_rates;
pub mod hunt_session;
pub mod infra;
pub mod journal;
pub mod journal_error;
pub mod judge;
pub mod judgement;
pub mod kept_build;
pub mod lab_check;
pub mod launcher;
pub mod log_file;
pub mod log_reading;
pub mod manifest;
pub mod native_kconfig;
pub mod observe;
pub mod option_request;
pub mod pace;
pub mod prior_use;
pub mod recipe;
pub mod record;
pub mod results;
pub mod resume;
pub mod run_session;
pub mod session;
pub mod session_kind;
pub mod single_step;
pub mod status;
pub mod step;
pub mod target;
#[cfg(test)]
mod test_tree;
pub mod told;
pub mod tree;
pub mod workspace;

pub use error::{HuntError, Result};
