//! Differences between a good and a bad configuration, candidates between them, and the
//! check that a normalizer (`make olddefconfig`, Zephyr's Kconfig) kept what was asked.

use std::collections::BTreeSet;
use std::fmt;

use crate::config::{Config, Format};
use crate::value::Value;

/// One option whose value differs between the good and the bad configuration; `None`
/// means the option is absent from that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub option: String,
    pub good: Option<Value>,
    pub bad: Option<Value>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} -> {}",
            self.option,
            shown(self.good.as_ref()),
            shown(self.bad.as_ref())
        )
    }
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}

/// The options whose meaning differs, sorted by option name, so indices into the list are
/// stable across runs. Spellings with one meaning (`n` and "not set", or an option absent
/// from a full `.config` and "not set") are not changes.
pub fn diff(good: &Config, bad: &Config) -> Vec<Change> {
    let options: BTreeSet<&str> = good.iter().chain(bad.iter()).map(|(o, _)| o).collect();
    options
        .into_iter()
        .filter(|option| !same(good.effective(option), bad.effective(option)))
        .map(|option| Change {
            option: option.to_owned(),
            good: good.get(option).cloned(),
            bad: bad.get(option).cloned(),
        })
        .collect()
}

/// The two endpoints a hunt compares. A fragment (a list of changes) on one side, against
/// a full `.config` on the other, means "the other configuration with these changes": it
/// is laid over the full one, so the changes are exactly the fragment's lines whose value
/// differs. Two fragments, or two full configurations, are compared as they are.
pub fn endpoints(good: &Config, bad: &Config) -> (Config, Config) {
    match (good.format(), bad.format()) {
        (Format::DotConfig, Format::Fragment) => (good.clone(), good.overlaid(bad)),
        (Format::Fragment, Format::DotConfig) => (bad.overlaid(good), bad.clone()),
        _ => (good.clone(), bad.clone()),
    }
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.same_effect(b),
        (None, None) => true,
        _ => false,
    }
}

/// The candidate that takes `good` and gives the listed changes their bad value.
pub fn apply_changes<'a>(good: &Config, changes: impl IntoIterator<Item = &'a Change>) -> Config {
    let mut candidate = good.clone();
    for change in changes {
        put(&mut candidate, &change.option, change.bad.as_ref());
    }
    candidate
}

/// The candidate that takes `bad` and gives the listed changes back their good value.
pub fn revert_changes<'a>(bad: &Config, changes: impl IntoIterator<Item = &'a Change>) -> Config {
    let mut candidate = bad.clone();
    for change in changes {
        put(&mut candidate, &change.option, change.good.as_ref());
    }
    candidate
}

/// In a full `.config` an absent option is one Kconfig will set to its default, so an
/// option the source lacks is written "not set" rather than dropped.
fn put(candidate: &mut Config, option: &str, value: Option<&Value>) {
    match value {
        Some(value) => candidate.set(option, value.clone()),
        None if candidate.format().is_complete() => candidate.set(option, Value::Unset),
        None => {
            candidate.remove(option);
        }
    }
}

/// The indices of the changes whose bad value holds in `effective`: what the normalizer
/// actually applied, which is what a search must reason about.
pub fn applied_changes(changes: &[Change], effective: &Config) -> BTreeSet<usize> {
    changes
        .iter()
        .enumerate()
        .filter(|(_, change)| holds(change.bad.as_ref(), effective.get(&change.option)))
        .map(|(i, _)| i)
        .collect()
}

/// Whether `wanted` (absent meaning "not set") is what `got` means.
fn holds(wanted: Option<&Value>, got: Option<&Value>) -> bool {
    match (wanted, got) {
        (Some(w), Some(g)) => w.same_effect(g),
        (Some(w), None) => w.is_off(),
        (None, Some(g)) => g.is_off(),
        (None, None) => true,
    }
}

/// A requested value that did not survive normalization: the option sits in the wrong
/// `if` block, depends on something off, or was renamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplied {
    pub option: String,
    pub requested: Value,
    /// `None` when the option is absent from the effective configuration.
    pub got: Option<Value>,
}

impl fmt::Display for NotApplied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.got {
            Some(got) => write!(f, "{} requested {}, got {got}", self.option, self.requested),
            None => write!(
                f,
                "{} requested {}, absent from the effective configuration",
                self.option, self.requested
            ),
        }
    }
}

/// Every option of `requested` whose value `effective` does not carry, in the order of
/// `requested`. An option absent from `effective` counts as not set, so a request to
/// disable it is met.
pub fn not_applied(requested: &Config, effective: &Config) -> Vec<NotApplied> {
    requested
        .iter()
        .filter(|(option, value)| !holds(Some(value), effective.get(option)))
        .map(|(option, value)| NotApplied {
            option: option.to_owned(),
            requested: value.clone(),
            got: effective.get(option).cloned(),
        })
        .collect()
}
