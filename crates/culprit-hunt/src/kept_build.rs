//! What a worker's build directory holds, as this process last left it.
//!
//! A hunt often tests the candidate a worker has just built again: the bad endpoint's
//! flakiness check right after its first run, the culprit's and its parent's
//! verification after the search tested them there. Normalizing and building the same
//! tree with the same configuration again changes nothing, yet costs seconds on a tiny
//! kernel and minutes on a distribution's. So each worker remembers the last build that
//! passed in its directory, with the digest of its artifacts right after it; a step
//! with the same inputs takes that build as long as the artifacts are still those bytes
//! (a boot may write into them) and the configuration file is still what the normalizer
//! left.
//!
//! Only in memory, never on disk: another process may run with another environment or
//! toolchain, and a build that was cut short (culprit killed mid-build) must never be
//! taken for a finished one. A step forgets the kept build before it starts to build.

use crate::record::RunRecord;
use std::path::Path;
use std::sync::Mutex;

/// The last build that passed in a worker's build directory.
#[derive(Clone, Debug)]
pub struct KeptBuild {
    /// What was built: the candidate and its fixups, the configuration asked for.
    pub inputs: String,
    /// The configuration file as the build left it (`None` without `[config]`).
    pub config: Option<String>,
    /// The configuration the build got, as its step reported it.
    pub effective_config: Option<String>,
    /// The digest of the artifacts right after the build.
    pub artifacts: String,
    pub normalize: Option<RunRecord>,
    pub build: RunRecord,
}

impl KeptBuild {
    /// The build of `inputs` that just passed, whose artifacts' digest is `artifacts`,
    /// with the configuration file (at `config_file`, when there is one) as it left it;
    /// `None` when that file cannot be read.
    pub fn new(
        inputs: String,
        config_file: Option<&Path>,
        artifacts: &str,
        normalize: &Option<RunRecord>,
        effective_config: &Option<String>,
        build: &RunRecord,
    ) -> Option<KeptBuild> {
        let config = match config_file {
            Some(path) => Some(String::from_utf8_lossy(&std::fs::read(path).ok()?).into_owned()),
            None => None,
        };
        Some(KeptBuild {
            inputs,
            config,
            effective_config: effective_config.clone(),
            artifacts: artifacts.to_string(),
            normalize: normalize.clone(),
            build: build.clone(),
        })
    }

    /// Whether the directory still holds this build: the configuration file as the
    /// build left it, the artifacts (whose digest is now `artifacts`) the same bytes.
    pub fn holds(&self, config_file: Option<&Path>, artifacts: Option<&str>) -> bool {
        let config_holds = match (config_file, &self.config) {
            (Some(path), Some(text)) => std::fs::read(path).is_ok_and(|now| now == text.as_bytes()),
            (None, None) => true,
            _ => false,
        };
        config_holds && artifacts == Some(self.artifacts.as_str())
    }
}

/// One worker's memory of its build directory.
#[derive(Debug, Default)]
pub struct BuildMemory(Mutex<Option<KeptBuild>>);

impl BuildMemory {
    /// The kept build, when it was made from `inputs`.
    pub fn kept(&self, inputs: &str) -> Option<KeptBuild> {
        let kept = self.0.lock().ok()?;
        kept.as_ref().filter(|k| k.inputs == inputs).cloned()
    }

    /// Called before the directory changes: from here on it holds nothing known.
    pub fn forget(&self) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = None;
        }
    }

    pub fn remember(&self, build: KeptBuild) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some(build);
        }
    }
}

/// A step's way to its worker's memory, with what the step's candidate is; the step
/// adds the configuration it asks for.
#[derive(Clone, Copy, Debug)]
pub struct KeptSlot<'a> {
    pub memory: &'a BuildMemory,
    /// The candidate as checked out: commit, revert or fixups, and the `[tree] copy`
    /// files' stamp.
    pub candidate: &'a str,
}

impl KeptSlot<'_> {
    /// The inputs of a build of this candidate with `config` written before it.
    pub fn inputs(&self, config: Option<&str>) -> String {
        match config {
            Some(text) => format!("{}\0config\0{text}", self.candidate),
            None => format!("{}\0no config", self.candidate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_tree::run_record;
    use culprit_console::{Ending, Outcome};

    fn built(inputs: &str, config_file: Option<&Path>) -> KeptBuild {
        let build = run_record("build", Outcome::Pass, Ending::Exited { code: 0 });
        KeptBuild::new(inputs.into(), config_file, "digest", &None, &None, &build).unwrap()
    }

    #[test]
    fn a_kept_build_holds_while_its_artifacts_and_configuration_file_are_as_it_left_them() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(".config");
        std::fs::write(&config, "CONFIG_A=y\n").unwrap();
        let kept = built("checkout abc", Some(&config));
        assert!(kept.holds(Some(&config), Some("digest")));
        assert!(!kept.holds(Some(&config), Some("other digest")));
        assert!(!kept.holds(Some(&config), None));
        std::fs::write(&config, "CONFIG_A=n\n").unwrap();
        assert!(!kept.holds(Some(&config), Some("digest")));
        std::fs::remove_file(&config).unwrap();
        assert!(!kept.holds(Some(&config), Some("digest")));
        // A file that cannot be read keeps nothing.
        assert!(
            KeptBuild::new("x".into(), Some(&config), "d", &None, &None, &kept.build).is_none()
        );
        let without = built("checkout abc", None);
        assert!(without.holds(None, Some("digest")));
        assert!(!without.holds(Some(&config), Some("digest")));
    }

    #[test]
    fn only_the_same_inputs_take_the_kept_build_until_it_is_forgotten() {
        let memory = BuildMemory::default();
        let slot = KeptSlot {
            memory: &memory,
            candidate: "checkout abc",
        };
        assert!(memory.kept(&slot.inputs(None)).is_none());
        memory.remember(built(&slot.inputs(Some("CONFIG_A=y\n")), None));
        assert!(memory.kept(&slot.inputs(Some("CONFIG_A=y\n"))).is_some());
        assert!(memory.kept(&slot.inputs(Some("CONFIG_A=n\n"))).is_none());
        assert!(memory.kept(&slot.inputs(None)).is_none());
        let other = KeptSlot {
            memory: &memory,
            candidate: "checkout abd",
        };
        assert!(memory.kept(&other.inputs(Some("CONFIG_A=y\n"))).is_none());
        memory.forget();
        assert!(memory.kept(&slot.inputs(Some("CONFIG_A=y\n"))).is_none());
    }
}
