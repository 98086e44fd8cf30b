//! Which options of a recorded candidate the build really took, read again from the
//! plan's endpoints and the configuration the step got.

use super::Plan;
use crate::error::{Context, Result};
use culprit_kconfig::{applied_changes, Change, Config as DotConfig};
use std::path::Path;

/// Which options of a recorded candidate the build did not take as asked, read again
/// from the plan's endpoints and the configuration the step really got: a report must
/// not show an option as tested (good or bad) in a candidate where it was not applied.
pub struct AppliedCheck {
    changes: Vec<Change>,
}

impl AppliedCheck {
    pub fn of(plan: &Plan) -> Result<AppliedCheck> {
        let good = parse(&plan.good_text, &plan.good_path)?;
        let bad = parse(&plan.bad_text, &plan.bad_path)?;
        Ok(AppliedCheck {
            changes: culprit_kconfig::diff(&good, &bad),
        })
    }

    /// The options of `options` (as a candidate's note names them) whose bad value the
    /// effective configuration does not hold.
    pub fn unapplied(&self, options: &[String], effective: &str) -> Result<Vec<String>> {
        let effective = parse(effective, "the effective configuration")?;
        let applied = applied_changes(&self.changes, &effective);
        Ok(options
            .iter()
            .filter(|option| {
                self.changes
                    .iter()
                    .position(|c| &c.option == *option)
                    .is_some_and(|i| !applied.contains(&i))
            })
            .cloned()
            .collect())
    }
}

pub(super) fn parse(text: &str, origin: &str) -> Result<DotConfig> {
    DotConfig::parse(text.as_bytes(), Path::new(origin), None)
        .with_context(|| format!("cannot read {origin} as a configuration"))
}
