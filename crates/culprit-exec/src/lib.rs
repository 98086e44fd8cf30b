//! The imperative shell around culprit's pure core: child processes and git.
//!
//! Everything here touches the outside world; the decisions (what a log means, which
//! candidate to try) live in `culprit-console` and `culprit-search`.

pub mod capture;
pub mod git;
pub mod labgrid;
pub mod lava;
pub mod leftovers;
mod pace;
mod process_tree;
pub mod runner;
mod running;
pub mod shell;
pub mod slurm;
mod supervisor;

pub use runner::{run, ExecError, RunReport, RunSpec, StopFlag};
