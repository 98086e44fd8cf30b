//! culprit-exec's tests in one binary: real processes, process trees killed whole, git
//! worktrees, quoting through real shells, and a real Slurm cluster; `common` holds the
//! helpers they share.

mod common;
mod git;
mod learned_deadline;
mod leftover_jobs;
mod quoting;
mod runner;
mod slurm;
