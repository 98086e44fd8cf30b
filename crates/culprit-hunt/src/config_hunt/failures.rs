//! What each test is hunted for, and the other failures a candidate shows on the way:
//! with the default target each is a bug of its own, hunted too.

use crate::judge::judge;
use crate::judgement::Judgement;
use crate::record::{RunRecord, StepResult};
use crate::target::Target;
use culprit_search::config::Verdict;
use std::collections::BTreeMap;

/// What each test is hunted for, and the other failures met on the way.
pub(super) struct Failures {
    /// Per test: the failure the hunt is for (the bad configuration's, or `--target`).
    pub(super) targets: BTreeMap<String, Target>,
    /// With the default target, every other failure a candidate shows is a bug of its
    /// own, hunted too: each by its description, with what it is. `None` with an
    /// explicit `--target`: the user said what to hunt, and the rest is untestable.
    pub(super) others: Option<BTreeMap<String, Target>>,
}

impl Failures {
    pub(super) fn verdict(&mut self, result: &StepResult, test: &str) -> Verdict {
        let single = BTreeMap::from([(test.to_string(), self.targets[test].clone())]);
        match judge(result, &single) {
            Judgement::Good => Verdict::Good,
            Judgement::Bad => Verdict::Bad,
            Judgement::Retry(_) => Verdict::Skip,
            Judgement::Untestable(_) => {
                let failure = run_of(result, test).and_then(Target::of_bad);
                match (&mut self.others, failure) {
                    (Some(others), Some(failure)) => {
                        let mut name = failure.describe();
                        // The target's own report at another stage: told apart by it.
                        if let Target::Signature {
                            stage: Some(stage), ..
                        } = &failure
                        {
                            if name == self.targets[test].describe() {
                                name = format!("{name} at stage {stage}");
                            }
                        }
                        others.entry(name.clone()).or_insert(failure);
                        Verdict::Other(name)
                    }
                    _ => Verdict::Skip,
                }
            }
        }
    }

    /// The other failure recorded under `name` (every name the search returns was
    /// recorded here first).
    pub(super) fn other(&self, name: &str) -> &Target {
        self.others
            .as_ref()
            .and_then(|others| others.get(name))
            .unwrap_or(&Target::AnyFailure)
    }
}

/// The run that decided `test`'s verdict: a build that did not pass, else the test's own.
fn run_of<'r>(result: &'r StepResult, test: &str) -> Option<&'r RunRecord> {
    match result
        .build
        .as_ref()
        .filter(|b| b.outcome != culprit_console::Outcome::Pass)
    {
        Some(build) => Some(build),
        None => result.tests.iter().find(|t| t.name == test),
    }
}

pub(super) fn verdict_word(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Good => "good".into(),
        Verdict::Bad => "bad".into(),
        Verdict::Other(failure) => format!("fails another way: {failure}"),
        Verdict::Skip => "untestable".into(),
    }
}
