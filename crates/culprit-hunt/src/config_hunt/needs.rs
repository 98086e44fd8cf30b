//! The options a change cannot apply without, read from the tree's Kconfig by
//! culprit's own evaluator: candidates always carry them along, so no build is spent on
//! a change that cannot apply, and the answer never blames an option for the culprit it
//! needs.

use crate::native_kconfig::NativeKconfig;
use crate::results::NotApplied;
use culprit_kconfig::{apply_changes, Change, Config as DotConfig};
use std::collections::BTreeSet;

/// The tree's Kconfig, read once per hunt, with what each change needs.
pub(super) struct KconfigNeeds {
    pub(super) kconfig: NativeKconfig,
    /// Per change, the other changes it cannot apply without (its `depends on` is off
    /// in the good configuration and the bad one turns the dependency on).
    pub(super) needs: Vec<BTreeSet<usize>>,
}

impl KconfigNeeds {
    /// Finds, for each change alone on the good configuration, the other changes it
    /// needs to apply (what the evaluator's fix search asks for, when the bad
    /// configuration has exactly that).
    pub(super) fn learn(
        kconfig: NativeKconfig,
        good: &DotConfig,
        changes: &[Change],
    ) -> KconfigNeeds {
        let needs = changes
            .iter()
            .map(|change| {
                let text = apply_changes(good, std::iter::once(change)).to_text();
                let name = change
                    .option
                    .strip_prefix("CONFIG_")
                    .unwrap_or(&change.option);
                let Some(unapplied) = kconfig.unapplied_option(&text, name) else {
                    return BTreeSet::new();
                };
                let found: Option<BTreeSet<usize>> = unapplied
                    .needs
                    .iter()
                    .map(|need| {
                        let (option, value) = need.split_once('=')?;
                        changes.iter().position(|c| {
                            c.option == option
                                && c.bad.as_ref().map_or("n".to_owned(), ToString::to_string)
                                    == value
                        })
                    })
                    .collect();
                found.unwrap_or_default()
            })
            .collect();
        KconfigNeeds { kconfig, needs }
    }

    /// `set` with every change its members need, transitively.
    fn with_needs(&self, set: &BTreeSet<usize>) -> BTreeSet<usize> {
        let mut out = set.clone();
        let mut todo: Vec<usize> = set.iter().copied().collect();
        while let Some(i) = todo.pop() {
            for &j in self.needs.get(i).into_iter().flatten() {
                if out.insert(j) {
                    todo.push(j);
                }
            }
        }
        out
    }

    /// Reasons and needed assignments for each not-applied option of the candidate.
    pub(super) fn explain(&self, text: &str, views: &mut [NotApplied]) {
        let unapplied = self.kconfig.unapplied(text, "the candidate");
        for view in views {
            if let Some(u) = unapplied.iter().find(|u| u.option == view.option) {
                view.reasons = u.reasons.iter().map(|r| r.message.clone()).collect();
                view.needs = u.needs.clone();
            }
        }
    }
}

/// The candidate that stands for `set`: with what its changes need to apply, when the
/// tree's Kconfig says.
pub(super) fn grouped(native: Option<&KconfigNeeds>, set: &BTreeSet<usize>) -> BTreeSet<usize> {
    native.map_or_else(|| set.clone(), |n| n.with_needs(set))
}

/// One failure's culprit sets as the answer gives them: each with what its options need
/// to apply (one set, since they are only ever built together), and with whether it was
/// built as it is. A set that holds another once its needs are added is not minimal: an
/// option that needs the real culprit looks guilty because its every build brings the
/// culprit along, and naming it would blame an innocent option.
pub(super) fn minimal_with_needs(
    native: Option<&KconfigNeeds>,
    sets: &[BTreeSet<usize>],
    built: impl Fn(&BTreeSet<usize>) -> bool,
) -> Vec<(BTreeSet<usize>, bool)> {
    let mut shown: Vec<(BTreeSet<usize>, bool)> = Vec::new();
    for set in sets {
        let with_needs = grouped(native, set);
        let was_built = built(set);
        match shown.iter_mut().find(|(s, _)| *s == with_needs) {
            Some((_, seen_built)) => *seen_built |= was_built,
            None => shown.push((with_needs, was_built)),
        }
    }
    let all = shown.clone();
    shown.retain(|(set, _)| {
        !all.iter()
            .any(|(other, _)| other.len() < set.len() && other.is_subset(set))
    });
    shown
}

/// A cure without the options that the cure's other options carry off with them: an
/// option whose need the cure turns off cannot apply either, so the cure a person would
/// write names only the need (the configuration built is the same).
pub(super) fn without_what_goes_with_its_needs(
    native: Option<&KconfigNeeds>,
    cure: &BTreeSet<usize>,
) -> BTreeSet<usize> {
    cure.iter()
        .copied()
        .filter(|&option| {
            let needs = grouped(native, &BTreeSet::from([option]));
            !needs.iter().any(|n| *n != option && cure.contains(n))
        })
        .collect()
}
