//! How a row's answers are counted: one tally for culprit and one for git bisect, filled
//! the same way so that their columns compare.

use std::fmt::Write as _;

#[derive(Clone, Copy)]
pub(crate) enum Outcome {
    Exact,
    /// A set of this many commits that holds the culprit.
    Ambiguous(usize),
    Wrong,
    Inconclusive,
}

#[derive(Default, Clone, Copy)]
pub(crate) struct Tally {
    exact: usize,
    ambiguous: usize,
    wrong: usize,
    inconclusive: usize,
    /// Total size of the ambiguous sets reported.
    set_sizes: usize,
}

impl Tally {
    fn total(&self) -> usize {
        self.exact + self.ambiguous + self.wrong + self.inconclusive
    }

    fn rate(&self, count: usize) -> f64 {
        100.0 * count as f64 / self.total().max(1) as f64
    }

    pub(crate) fn describe(&self) -> String {
        let mut text = format!("{:.1}%", self.rate(self.exact));
        if self.ambiguous > 0 {
            let size = self.set_sizes as f64 / self.ambiguous as f64;
            write!(
                text,
                " (+{:.1}% set of {size:.1})",
                self.rate(self.ambiguous)
            )
            .ok();
        }
        if self.inconclusive > 0 {
            write!(text, " ({:.1}% open)", self.rate(self.inconclusive)).ok();
        }
        text
    }

    pub(crate) fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Exact => self.exact += 1,
            Outcome::Ambiguous(size) => {
                self.ambiguous += 1;
                self.set_sizes += size;
            }
            Outcome::Wrong => self.wrong += 1,
            Outcome::Inconclusive => self.inconclusive += 1,
        }
    }
}
