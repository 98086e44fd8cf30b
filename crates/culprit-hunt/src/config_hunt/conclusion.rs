//! The conclusion phase: per test, the culprit sets of its failure (and of the other
//! failures met), each with a fragment that reproduces it and one that cures it, and the
//! options the build never took, with why.

use super::needs::{minimal_with_needs, without_what_goes_with_its_needs};
use super::search::Searched;
use super::{ConfigHunt, Endpoints, Setup};
use crate::error::Result;
use crate::results::{ConfigHuntResult, CostlyOption, NotApplied, TestCulprits};
use crate::status::HuntStatus;
use crate::target::Target;
use culprit_kconfig::apply_changes;
use culprit_search::config::TestStatus;
use std::collections::BTreeSet;

impl ConfigHunt<'_, '_> {
    pub(super) fn conclude(
        &mut self,
        setup: &Setup,
        start: Endpoints,
        searched: Searched,
    ) -> Result<ConfigHuntResult> {
        // A step whose result ended the loop early (a retry, the last proof) may be the
        // one that showed an option costly: the answer names none the display did not.
        let native = setup.native.as_ref();
        let (good, changes) = (&setup.good, &setup.changes);
        let n = changes.len();
        let all: BTreeSet<usize> = (0..n).collect();
        let Searched {
            search,
            failures,
            not_applied_seen,
            mut message,
            mut announced,
        } = searched;
        self.announce_costly(&search, changes, &mut announced);
        let costly_options: Vec<CostlyOption> = search
            .costs()
            .costly()
            .into_iter()
            .map(|c| CostlyOption {
                option: changes[c.change].option.clone(),
                seconds_with: c.with,
                seconds_without: c.without,
            })
            .collect();
        let status = search.status();
        let never: BTreeSet<&str> = status
            .never_applied
            .iter()
            .map(|&i| changes[i].option.as_str())
            .collect();
        let mut culprits = Vec::new();
        let mut all_found = true;
        for (test, test_status) in &status.tests {
            match test_status {
                TestStatus::Done {
                    culprit_sets,
                    others,
                    cure,
                } => {
                    if culprit_sets.is_empty() && others.is_empty() {
                        all_found = false;
                    }
                    let cure_text = fragment(
                        without_what_goes_with_its_needs(native, cure)
                            .iter()
                            .map(|&i| (&changes[i].option, changes[i].good.as_ref())),
                    );
                    let cure_verified = search.built(&all.difference(cure).copied().collect());
                    let target = &failures.targets[test];
                    let by_failure = std::iter::once((target, culprit_sets)).chain(
                        others
                            .iter()
                            .map(|o| (failures.other(&o.failure), &o.culprit_sets)),
                    );
                    for (target, sets) in by_failure {
                        for (set, built) in
                            minimal_with_needs(native, sets, |set| search.built(set))
                        {
                            let set = &set;
                            culprits.push(TestCulprits {
                                test: test.clone(),
                                options: set.iter().map(|&i| changes[i].option.clone()).collect(),
                                outcome: target_word(target),
                                title: target_title(target),
                                reproduce: fragment(
                                    set.iter()
                                        .map(|&i| (&changes[i].option, changes[i].bad.as_ref())),
                                ),
                                reproduce_verified: built,
                                cure: cure_text.clone(),
                                cure_verified,
                            });
                        }
                    }
                }
                TestStatus::Inconclusive { reason } => {
                    all_found = false;
                    message.get_or_insert_with(|| format!("{test}: {reason}"));
                }
                TestStatus::Searching => all_found = false,
            }
        }
        let mut not_applied: Vec<NotApplied> = not_applied_seen
            .into_values()
            .filter(|view| never.contains(view.option.as_str()))
            .collect();
        if let Some(native) = native {
            let bad_candidate = apply_changes(good, changes.iter());
            native.explain(&bad_candidate.to_text(), &mut not_applied);
        }
        Ok(ConfigHuntResult {
            status: if all_found {
                HuntStatus::Found
            } else {
                HuntStatus::Inconclusive
            },
            culprits,
            not_applied,
            tests: start.behaviour,
            changes: n,
            counts: self.session.counts(),
            message,
            costly_options,
            retried: self.session.retried(),
        })
    }
}

/// A fragment that sets each option to the given value (`None`: not set).
fn fragment<'a>(
    values: impl Iterator<Item = (&'a String, Option<&'a culprit_kconfig::Value>)>,
) -> String {
    let mut out = String::new();
    for (option, value) in values {
        match value {
            Some(v) if !v.is_off() => out.push_str(&format!("{option}={}\n", v)),
            _ => out.push_str(&format!("# {option} is not set\n")),
        }
    }
    out
}

fn target_word(target: &Target) -> String {
    match target {
        Target::Signature { signature, .. }
            if signature.kind.as_str() == "linker" || signature.kind.as_str() == "compiler" =>
        {
            "build-error".into()
        }
        Target::Signature { .. }
        | Target::Matching { .. }
        | Target::AnyFailure
        | Target::Case { .. } => "fail".into(),
        Target::HangAt { .. } | Target::Hang => "hang".into(),
        Target::BuildError => "build-error".into(),
    }
}

fn target_title(target: &Target) -> Option<String> {
    match target {
        Target::Signature { signature, .. } => Some(signature.title.clone()),
        Target::HangAt { stage } => Some(format!("hang at stage {stage}")),
        Target::Case { name } => Some(format!("case {name}")),
        _ => None,
    }
}
