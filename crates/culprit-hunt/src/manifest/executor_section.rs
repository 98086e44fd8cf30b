//! `[executor]`: where steps run, one variant per executor, told apart by `kind`. A new
//! executor is one variant here (with its own keys) and one arm of
//! [`crate::executor::open`]; see docs/architecture.md.

use super::lava_section::LavaSection;
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ExecutorSection {
    /// Worktrees and processes on this machine (also without an `[executor]` section).
    /// (A struct variant, with no keys of its own: a unit variant would take any key.)
    Local {},
    /// Each command a Slurm job, through srun.
    Slurm(SlurmSection),
    /// Builds here, each test's boot a LAVA job.
    Lava(LavaSection),
}

/// The srun options of `kind = "slurm"`; all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlurmSection {
    /// The Slurm partition jobs go to (default: the cluster's default partition).
    pub partition: Option<String>,
    pub account: Option<String>,
    /// Slurm's time limit per job, as srun's `--time` takes it (`30`, `1:30:00`).
    /// culprit's own timeouts decide hangs; this is what the site demands.
    pub time_limit: Option<String>,
    /// Node features the job needs, as srun's `--constraint` takes them.
    pub constraints: Option<String>,
    /// Further srun options, passed as they are (`["--cpus-per-task=4", "--mem=8G"]`).
    #[serde(default)]
    pub options: Vec<String>,
}

/// Which executor runs a hunt's steps: `[executor] kind`, or `--executor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ExecutorKind {
    Local,
    Slurm,
    Lava,
}

impl Default for ExecutorSection {
    fn default() -> ExecutorSection {
        ExecutorSection::Local {}
    }
}

impl ExecutorSection {
    pub fn kind(&self) -> ExecutorKind {
        match self {
            ExecutorSection::Local {} => ExecutorKind::Local,
            ExecutorSection::Slurm(_) => ExecutorKind::Slurm,
            ExecutorSection::Lava(_) => ExecutorKind::Lava,
        }
    }

    /// The Slurm keys, when this section has them (the defaults otherwise, for
    /// `--executor slurm` over another kind).
    pub fn slurm(&self) -> SlurmSection {
        match self {
            ExecutorSection::Slurm(section) => section.clone(),
            _ => SlurmSection::default(),
        }
    }

    /// The LAVA keys: there are no defaults for a server and a template.
    pub fn lava(&self) -> Option<&LavaSection> {
        match self {
            ExecutorSection::Lava(section) => Some(section),
            _ => None,
        }
    }

    /// What `Deserialize` cannot say: values the executor would read otherwise than the
    /// user meant.
    pub(super) fn check(&self) -> Result<(), String> {
        match self {
            ExecutorSection::Local {} => Ok(()),
            ExecutorSection::Slurm(section) => section.check(),
            ExecutorSection::Lava(section) => section.check(),
        }
    }
}

impl SlurmSection {
    /// The keys become srun options: an empty value or one with a newline would be an
    /// option srun reads otherwise than the user meant.
    fn check(&self) -> Result<(), String> {
        let keys = [
            ("partition", &self.partition),
            ("account", &self.account),
            ("time_limit", &self.time_limit),
            ("constraints", &self.constraints),
        ];
        for (key, value) in keys {
            if let Some(value) = value {
                if value.trim().is_empty() || value.contains(char::is_whitespace) {
                    return Err(format!(
                        "`{key}` = {value:?}: give one word without spaces, or leave the key out"
                    ));
                }
            }
        }
        if let Some(option) = self.options.iter().find(|o| !o.starts_with('-')) {
            return Err(format!(
                "`options` holds {option:?}, which is not an option: each entry is one srun option with its value, e.g. \"--mem=4G\""
            ));
        }
        Ok(())
    }
}
