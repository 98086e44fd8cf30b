//! The configuration bisection driver: which options make each test fail, cut by phase:
//! the endpoints (`endpoints.rs`), the search (`search.rs`, with what each test is hunted
//! for in `failures.rs`) and the conclusion (`conclusion.rs`); the options a change needs
//! come from the tree's Kconfig (`needs.rs`).
//!
//! Every candidate is the good configuration plus a subset of the changes, written to
//! the tree, normalized by the build system, and read back: the search is told what was
//! really applied, and every requested value that did not survive is reported.

mod applied;
mod conclusion;
mod endpoints;
mod failures;
mod needs;
mod search;

pub use applied::AppliedCheck;

use crate::error::Result;
use crate::native_kconfig::NativeKconfig;
use crate::observe::Observer;
use crate::results::ConfigHuntResult;
use crate::session::Session;
use crate::target::Target;
use crate::told::Told;
use applied::parse;
use culprit_kconfig::{Change, Config as DotConfig};
use endpoints::Endpoints;
use needs::KconfigNeeds;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// Everything a configuration bisection session needs, stored with the session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub good_text: String,
    pub bad_text: String,
    pub good_path: String,
    pub bad_path: String,
    /// The commit every candidate is built at.
    pub rev: String,
    pub target: Option<Target>,
    pub tests: Vec<String>,
    pub confirmations: u32,
    pub recipe: String,
    /// The tree's top directory when it has a `Kconfig`: candidates are then evaluated
    /// by culprit's own Kconfig evaluator, and every option that does not apply comes
    /// with its reason.
    #[serde(default)]
    pub kconfig_tree: Option<String>,
    /// Commits applied on top of `rev` before every build, when `rev` cannot be tested
    /// on its own (a commit inside a window that does not build).
    #[serde(default)]
    pub fixups: Vec<String>,
}

/// The most builds a hunt may take before it gives up, as a multiple of the changes.
const BUILDS_PER_CHANGE: usize = 12;

pub struct ConfigHunt<'s, 'a> {
    pub session: &'s mut Session<'a>,
    pub plan: Plan,
    pub observer: Arc<dyn Observer>,
}

/// What every phase reads: the good configuration, the changes to the bad one, and the
/// tree's Kconfig when culprit evaluates it itself.
pub(super) struct Setup {
    native: Option<KconfigNeeds>,
    good: DotConfig,
    changes: Vec<Change>,
}

impl ConfigHunt<'_, '_> {
    fn tell(&self, told: Told) {
        self.observer.tell(told);
    }

    /// The whole hunt, phase after phase.
    pub fn hunt(&mut self) -> Result<ConfigHuntResult> {
        let setup = self.setup()?;
        let start = self.check_endpoints(&setup)?;
        let searched = self.search_phase(&setup, &start)?;
        self.conclude(&setup, start, searched)
    }

    /// Reads the configurations and, when the tree has a Kconfig, what each change needs.
    fn setup(&mut self) -> Result<Setup> {
        let kconfig = match &self.plan.kconfig_tree {
            Some(dir) => {
                let kconfig = NativeKconfig::open(
                    Path::new(dir),
                    Some(&self.plan.good_text),
                    self.session.journal.dir(),
                )?;
                self.tell(Told::NativeKconfig { tree: dir.clone() });
                Some(kconfig)
            }
            None => None,
        };
        let good = parse(&self.plan.good_text, &self.plan.good_path)?;
        let bad = parse(&self.plan.bad_text, &self.plan.bad_path)?;
        let changes = culprit_kconfig::diff(&good, &bad);
        self.tell(Told::OptionsDiffer {
            count: changes.len(),
        });
        let native = kconfig.map(|kconfig| KconfigNeeds::learn(kconfig, &good, &changes));
        for (i, needs) in native.iter().flat_map(|n| n.needs.iter().enumerate()) {
            if !needs.is_empty() {
                self.tell(Told::AppliesOnlyWith {
                    option: changes[i].option.clone(),
                    needs: option_names(needs, &changes),
                });
            }
        }
        Ok(Setup {
            native,
            good,
            changes,
        })
    }
}

/// The options of a set of changes, as the user wrote them.
fn option_names(set: &BTreeSet<usize>, changes: &[Change]) -> Vec<String> {
    set.iter().map(|&i| changes[i].option.clone()).collect()
}
