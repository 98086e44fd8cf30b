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

    fn built(inputs: &str) -> KeptBuild {
        KeptBuild {
            inputs: inputs.into(),
            config: None,
            effective_config: None,
            artifacts: "digest".into(),
            normalize: None,
            build: run_record("build", Outcome::Pass, Ending::Exited { code: 0 }),
        }
    }

    #[test]
    fn only_the_same_inputs_take_the_kept_build_until_it_is_forgotten() {
        let memory = BuildMemory::default();
        let slot = KeptSlot {
            memory: &memory,
            candidate: "checkout abc",
        };
        assert!(memory.kept(&slot.inputs(None)).is_none());
        memory.remember(built(&slot.inputs(Some("CONFIG_A=y\n"))));
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
