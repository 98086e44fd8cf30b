//! What a commit hunt is asked to do, kept as the session's arguments so that
//! `--resume` rebuilds the same hunt.

use super::PriorChoice;
use crate::target::Target;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a bisection session needs; stored as the session's arguments so that
/// `--resume` can rebuild the same hunt.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// Candidates in order (commit ids; for artifact lists, the artifacts oldest first).
    pub kind: CandidateKind,
    pub good: Vec<String>,
    pub bad: String,
    /// Kept flat in the stored arguments, where these fields have always stood.
    #[serde(flatten)]
    pub settings: HuntSettings,
    /// Commits applied on top of a candidate that cannot be tested on its own
    /// (`--fixup`, `[bisect] fixups`), in order.
    #[serde(default)]
    pub fixups: Vec<String>,
    /// Whether an ambiguity left by build failures sends culprit looking for the commit
    /// that ended them, to use it as a fixup.
    #[serde(default = "automatic_fixups_by_default")]
    pub auto_fixup: bool,
    /// Whether that rule runs at the first candidate that does not build (`--auto-fixup`)
    /// rather than only once the search has ended ambiguous, so that the window's
    /// commits are tested with the fix instead of skipped one by one first.
    #[serde(default)]
    pub auto_fixup_up_front: bool,
    /// The prior the search starts from (`--prior`).
    #[serde(default)]
    pub prior: PriorChoice,
    /// Digest of the configuration and test commands, part of every cache key.
    pub recipe: String,
}

/// The choices the user makes for a commit hunt that its plan keeps as made: what
/// `HuntOptions` asks and what `Plan` stores are one group, so they cannot drift apart.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HuntSettings {
    pub target: Option<Target>,
    /// The tests to run: as asked, all of culprit.toml's when empty; in a plan, named.
    pub tests: Vec<String>,
    pub flaky: bool,
    pub confidence: f64,
    pub first_parent: bool,
    pub verify: u32,
    pub verify_revert: bool,
    /// Runs of each endpoint (at least 1 in a plan).
    pub endpoint_runs: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CandidateKind {
    /// Commits of a git range, each with its parents (`git rev-list --parents`) and its
    /// tree id (for caching).
    Commits {
        range: Vec<(String, Vec<String>)>,
        trees: BTreeMap<String, String>,
    },
    /// Prebuilt artifacts, oldest first; `good` and `bad` are the first and the last.
    Artifacts {
        list: Vec<String>,
        digests: Vec<String>,
    },
}

fn automatic_fixups_by_default() -> bool {
    true
}

impl Plan {
    /// A readable name for a candidate: the commit id, or the artifact's path.
    pub fn label(&self, key: &str) -> String {
        match &self.kind {
            CandidateKind::Commits { .. } => key.to_string(),
            CandidateKind::Artifacts { list, .. } => key
                .parse::<usize>()
                .ok()
                .and_then(|i| list.get(i).cloned())
                .unwrap_or_else(|| key.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings are a group in the code only: a session's stored arguments keep
    /// every field at the top level, in the order older versions wrote them, so that
    /// `--resume` and the reports read sessions of any version alike.
    #[test]
    fn stored_arguments_keep_the_settings_flat_and_in_place() {
        let plan = Plan {
            kind: CandidateKind::Commits {
                range: vec![("b".into(), vec!["a".into()])],
                trees: BTreeMap::new(),
            },
            good: vec!["a".into()],
            bad: "b".into(),
            settings: HuntSettings {
                target: Some(Target::parse("case:boot.ok").expect("a case target")),
                tests: vec!["boot".into()],
                flaky: true,
                confidence: 0.95,
                first_parent: true,
                verify: 2,
                verify_revert: true,
                endpoint_runs: 3,
            },
            fixups: vec!["c".into()],
            auto_fixup: false,
            auto_fixup_up_front: false,
            prior: PriorChoice::Crash,
            recipe: "digest".into(),
        };
        let text = serde_json::to_string(&plan).expect("a plan serializes");
        let keys = [
            "kind",
            "good",
            "bad",
            "target",
            "tests",
            "flaky",
            "confidence",
            "first_parent",
            "verify",
            "verify_revert",
            "endpoint_runs",
            "fixups",
            "auto_fixup",
            "auto_fixup_up_front",
            "prior",
            "recipe",
        ];
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let object = value.as_object().expect("an object");
        assert_eq!(object.len(), keys.len(), "{text}");
        let at = |key: &str| {
            text.find(&format!(",\"{key}\":"))
                .or_else(|| text.find(&format!("{{\"{key}\":")))
                .unwrap_or_else(|| panic!("no top-level `{key}` in {text}"))
        };
        for pair in keys.windows(2) {
            assert!(
                at(pair[0]) < at(pair[1]),
                "{} after {}: {text}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(object["endpoint_runs"], 3);
        assert_eq!(object["target"]["target"], "case");
        let read: Plan = serde_json::from_str(&text).expect("the plan reads back");
        assert_eq!(serde_json::to_string(&read).expect("serializes"), text);
    }
}
