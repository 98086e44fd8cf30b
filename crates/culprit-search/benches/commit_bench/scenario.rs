//! What a row varies: the history's shape and the scenario (skipped windows, fixups,
//! flakiness), and what each trial draws from them, so that culprit and git bisect are
//! given the very same culprit and window.

use culprit_search::commit::simulate::SplitMix64;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Linear,
    MergeHeavy,
}

impl Shape {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Shape::Linear => "linear",
            Shape::MergeHeavy => "merge-heavy",
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Scenario {
    Deterministic,
    /// Commits in a window of 2% of the history, around its middle, do not build.
    SkipMiddle,
    /// Eight commits around the culprit (culprit included) do not build.
    SkipAroundCulprit,
    /// The same windows and culprits; culprit applies the automatic fixup rule (the fix,
    /// the first commit after the window that builds, applies cleanly and cures the
    /// build; it does not carry the failure). git bisect has no fixups: its column is
    /// the row above's.
    SkipAroundCulpritFixups,
    /// The same, the fix looked for at the first candidate that does not build
    /// (`--auto-fixup`) instead of after the search has ended ambiguous.
    SkipAroundCulpritFixupsUpFront,
    /// Commits containing the culprit fail with this probability.
    Flaky(f64),
}

impl Scenario {
    pub(crate) fn name(self) -> String {
        match self {
            Scenario::Deterministic => "deterministic".into(),
            Scenario::SkipMiddle => "skip window (2%, middle)".into(),
            Scenario::SkipAroundCulprit => "skip window (8, on the culprit)".into(),
            Scenario::SkipAroundCulpritFixups => {
                "skip window (8, on the culprit), automatic fixups".into()
            }
            Scenario::SkipAroundCulpritFixupsUpFront => {
                "skip window (8, on the culprit), automatic fixups up front".into()
            }
            Scenario::Flaky(p) => format!("flaky, bad fails {p}"),
        }
    }

    pub(crate) fn flaky(self) -> Option<f64> {
        match self {
            Scenario::Flaky(p) => Some(p),
            _ => None,
        }
    }
}

/// One trial's setting: the culprit (history number) and the skipped window.
pub(crate) struct Trial {
    pub(crate) culprit: usize,
    pub(crate) skip: Option<(usize, usize)>,
    pub(crate) seed: u64,
}

impl Trial {
    pub(crate) fn new(scenario: Scenario, len: usize, rng: &mut SplitMix64) -> Self {
        let culprit = 1 + rng.below(len - 1);
        let skip = match scenario {
            Scenario::SkipMiddle => {
                let width = (len / 50).max(2);
                let start =
                    len / 2 - width / 2 - rng.below(width / 2 + 1) + rng.below(width / 2 + 1);
                Some((start.max(1), (start + width - 1).min(len - 2)))
            }
            Scenario::SkipAroundCulprit
            | Scenario::SkipAroundCulpritFixups
            | Scenario::SkipAroundCulpritFixupsUpFront => {
                let start = culprit.saturating_sub(rng.below(8)).max(1);
                Some((start, (start + 7).min(len - 2)))
            }
            _ => None,
        };
        Self {
            culprit,
            skip,
            seed: rng.next_u64(),
        }
    }

    pub(crate) fn skipped(&self, commit: usize) -> bool {
        self.skip
            .is_some_and(|(lo, hi)| (lo..=hi).contains(&commit))
    }
}
