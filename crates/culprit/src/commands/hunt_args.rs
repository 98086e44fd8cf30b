//! Options every hunt takes (`culprit bisect`, `culprit bisect-config`).

use anyhow::{bail, Result};
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct HuntArgs {
    /// The configuration (default: ./culprit.toml).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Parallel workers, each with its own worktree.
    #[arg(short = 'j', long = "jobs", default_value_t = 1)]
    pub jobs: usize,
    /// What counts as bad: the bad endpoint's own failure (default), any-failure, hang,
    /// build-error, or signature:REGEX.
    #[arg(long)]
    pub target: Option<String>,
    /// Hunt with these tests only (repeatable; default: every test, and `shape` when
    /// culprit.toml has [[shape]] checks).
    #[arg(long = "test")]
    pub tests: Vec<String>,
    /// Continue the last unfinished hunt of this kind, reusing every finished step.
    #[arg(long)]
    pub resume: bool,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    pub json: bool,
}

impl HuntArgs {
    pub fn check(&self) -> Result<()> {
        if self.jobs == 0 || self.jobs > 64 {
            bail!("-j {}: give between 1 and 64 workers", self.jobs);
        }
        Ok(())
    }
}
