//! The endpoints phase: the good and the bad configuration built at once; the bad one
//! decides which tests have something to hunt (and each one's target), the good one must
//! pass them.

use super::{ConfigHunt, Setup};
use crate::error::{HuntError, Result};
use crate::judge::judge;
use crate::judgement::Judgement;
use crate::record::StepResult;
use crate::target::Target;
use crate::told::Told;
use std::collections::{BTreeMap, BTreeSet};

/// What the endpoints phase hands the search.
pub(super) struct Endpoints {
    pub(super) good_result: StepResult,
    pub(super) bad_result: StepResult,
    /// Per test with something to hunt: its target.
    pub(super) targets: BTreeMap<String, Target>,
    /// Per test: what it does at the bad configuration.
    pub(super) behaviour: BTreeMap<String, String>,
}

impl ConfigHunt<'_, '_> {
    pub(super) fn check_endpoints(&mut self, setup: &Setup) -> Result<Endpoints> {
        let all: BTreeSet<usize> = (0..setup.changes.len()).collect();
        // Both endpoints in one batch: the bad one decides which tests have something to
        // hunt, the good one must pass those.
        let mut endpoints = self.build_settled(
            setup,
            &[all.clone(), BTreeSet::new()],
            &self.plan.tests.clone(),
        )?;
        let good_result = endpoints.remove(1);
        let bad_result = endpoints.remove(0);
        normalized(&bad_result, "bad")?;
        let mut targets = BTreeMap::new();
        let mut behaviour = BTreeMap::new();
        for run in &bad_result.tests {
            let target = Target::hunted_at_bad(self.plan.target.as_ref(), run);
            behaviour.insert(
                run.name.clone(),
                match &target {
                    Some(_) => format!("fails at bad: {}", run.outcome),
                    None => format!("passes at bad ({})", run.outcome.word()),
                },
            );
            if let Some(target) = target {
                targets.insert(run.name.clone(), target);
            }
        }
        if targets.is_empty() {
            return Err(HuntError::BadInput(format!(
                "every test passes with the bad configuration {} (after normalizing): nothing to hunt",
                self.plan.bad_path
            )));
        }
        let tests: Vec<String> = targets.keys().cloned().collect();
        self.tell(Told::Hunting {
            targets: targets
                .iter()
                .map(|(test, target)| (test.clone(), target.clone()))
                .collect(),
        });
        normalized(&good_result, "good")?;
        for test in &tests {
            let single = BTreeMap::from([(test.clone(), targets[test].clone())]);
            let judgement = judge(&good_result, &single);
            if judgement != Judgement::Good {
                return Err(HuntError::BadInput(format!(
                    "test {test} does not pass with the good configuration {}: {}; give a good configuration that passes",
                    self.plan.good_path,
                    judgement
                )));
            }
        }

        Ok(Endpoints {
            good_result,
            bad_result,
            targets,
            behaviour,
        })
    }
}

/// Refuses an endpoint (`which`: good or bad) whose normalizer failed: the hunt cannot
/// start from a configuration the build does not take.
fn normalized(result: &StepResult, which: &str) -> Result<()> {
    match result
        .normalize
        .as_ref()
        .filter(|r| r.outcome != culprit_console::Outcome::Pass)
    {
        Some(failed) => Err(HuntError::BadInput(format!(
            "the normalizer failed on the {which} configuration: {}; see {}",
            failed.outcome,
            failed.log.display()
        ))),
        None => Ok(()),
    }
}
