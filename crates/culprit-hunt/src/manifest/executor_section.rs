//! `[executor]`: where steps run, one variant per executor, told apart by `kind`. A new
//! executor is one variant here (with its own keys) and one arm of
//! [`crate::executor::open`]; see docs/architecture.md.

use super::lava_section::LavaSection;
use culprit_exec::slurm::SlurmOptions;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ExecutorSection {
    /// Worktrees and processes on this machine (also without an `[executor]` section).
    /// (A struct variant, with no keys of its own: a unit variant would take any key.)
    Local {},
    /// Each command a Slurm job, through srun.
    Slurm(SlurmOptions),
    /// Builds here, each test's boot a LAVA job.
    Lava(LavaSection),
    /// Builds here, each boot on a labgrid place.
    Labgrid(LabgridSection),
}

/// Which executor runs a hunt's steps: `[executor] kind`, or `--executor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ExecutorKind {
    Local,
    Slurm,
    Lava,
    Labgrid,
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
            ExecutorSection::Labgrid(_) => ExecutorKind::Labgrid,
        }
    }

    /// The Slurm keys, when this section has them (the defaults otherwise, for
    /// `--executor slurm` over another kind).
    pub fn slurm(&self) -> SlurmOptions {
        match self {
            ExecutorSection::Slurm(section) => section.clone(),
            _ => SlurmOptions::default(),
        }
    }

    /// The LAVA keys: there are no defaults for a server and a template.
    pub fn lava(&self) -> Option<&LavaSection> {
        match self {
            ExecutorSection::Lava(section) => Some(section),
            _ => None,
        }
    }

    /// The labgrid keys, when this section has them: labgrid has no defaults for the
    /// lab's environment file.
    pub fn labgrid(&self) -> Option<&LabgridSection> {
        match self {
            ExecutorSection::Labgrid(section) => Some(section),
            _ => None,
        }
    }

    /// What `Deserialize` cannot say: values the executor would read otherwise than the
    /// user meant.
    pub(super) fn check(&self) -> Result<(), String> {
        match self {
            ExecutorSection::Local {} => Ok(()),
            ExecutorSection::Slurm(section) => check_slurm(section),
            ExecutorSection::Lava(section) => section.check(),
            ExecutorSection::Labgrid(section) => section.check(),
        }
    }
}

/// The Slurm keys become srun options: an empty value or one with a newline would be an
/// option srun reads otherwise than the user meant.
fn check_slurm(section: &SlurmOptions) -> Result<(), String> {
    for (key, _, value) in section.words() {
        if let Some(value) = value {
            if value.trim().is_empty() || value.contains(char::is_whitespace) {
                return Err(format!(
                    "`{key}` = {value:?}: give one word without spaces, or leave the key out"
                ));
            }
        }
    }
    if let Some(option) = section.options.iter().find(|o| !o.starts_with('-')) {
        return Err(format!(
                "`options` holds {option:?}, which is not an option: each entry is one srun option with its value, e.g. \"--mem=4G\""
            ));
    }
    Ok(())
}

/// The keys of `kind = "labgrid"`: which lab, which places, and how to boot on them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabgridSection {
    /// The coordinator, `HOST:PORT`.
    #[serde(default = "default_coordinator")]
    pub coordinator: String,
    /// One place by name (for one worker)...
    pub place: Option<String>,
    /// ...or any places with these tags (one per worker: `-j 2` takes two).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The labgrid environment YAML whose QEMUDriver boots the step's kernel, relative to
    /// culprit.toml's directory.
    pub environment: PathBuf,
    /// The target of the environment that boots.
    #[serde(default = "default_target")]
    pub target: String,
    /// The Python that has labgrid (a virtualenv's `bin/python`); `labgrid-client` is
    /// taken from the same directory.
    #[serde(default = "default_python")]
    pub python: PathBuf,
    /// How long a worker waits for a free place before its boot is a lab fault.
    #[serde(
        default = "default_acquire_timeout",
        deserialize_with = "super::duration"
    )]
    pub acquire_timeout: Duration,
}

/// labgrid's own default.
fn default_coordinator() -> String {
    "127.0.0.1:20408".into()
}

fn default_target() -> String {
    "main".into()
}

fn default_python() -> PathBuf {
    "python3".into()
}

fn default_acquire_timeout() -> Duration {
    Duration::from_secs(60)
}

impl LabgridSection {
    /// One way to choose places, and values labgrid-client takes as one word each.
    fn check(&self) -> Result<(), String> {
        match (&self.place, self.tags.is_empty()) {
            (Some(_), false) => {
                return Err("give `place` (one place by name) or `tags` (any place with them), not both".into())
            }
            (None, true) => {
                return Err("say which places to boot on: `place = \"NAME\"`, or `tags = { board = \"...\" }` (one place per worker)".into())
            }
            _ => {}
        }
        let words = [("coordinator", &self.coordinator), ("target", &self.target)]
            .into_iter()
            .chain(self.place.iter().map(|place| ("place", place)))
            .chain(self.tags.values().map(|value| ("tags", value)));
        for (key, value) in words {
            if value.trim().is_empty() || value.contains(char::is_whitespace) || value.contains('=')
            {
                return Err(format!(
                    "`{key}` holds {value:?}: give one word without spaces or `=`"
                ));
            }
        }
        if let Some(key) = self
            .tags
            .keys()
            .find(|key| key.is_empty() || key.contains(char::is_whitespace))
        {
            return Err(format!(
                "`tags` has the key {key:?}: a tag's name is one word"
            ));
        }
        Ok(())
    }
}
