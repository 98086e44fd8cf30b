//! How intermittent a commit hunt's failure was, as data: the conclusion sets it and
//! the results keep it, so it lives apart from both.

use serde::{Deserialize, Serialize};

/// The failure rates of an intermittent failure's model: how often a candidate with the
/// culprit fails, and how often one without it does.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FlakyRates {
    pub p_fail_if_bad: f64,
    pub p_fail_if_good: f64,
}

impl FlakyRates {
    /// The rates in words, as every front end shows them.
    pub fn describe(&self) -> String {
        if self.p_fail_if_bad == self.p_fail_if_good {
            return format!(
                "intermittent: it fails about {:.0}% of the runs throughout the range",
                self.p_fail_if_bad * 100.0
            );
        }
        format!(
            "intermittent: learned from every run, a candidate with the culprit fails {:.0}% of its runs, one without it {:.1}%",
            self.p_fail_if_bad * 100.0,
            self.p_fail_if_good * 100.0
        )
    }
}
