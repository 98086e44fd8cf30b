//! What the builds so far say, per test, and what follows from it.
//!
//! The outcome of a build depends on the changes the normalizer actually applied, not on
//! the ones requested. Assuming the normalizer is monotone (requesting more never applies
//! less) and idempotent (a normalized configuration normalizes to itself), and failure is
//! monotone in the applied set, two rules infer the verdict of a set `X` never built:
//! `X` fails if it contains a failing build's applied or requested set, and passes if it
//! is contained in a passing build's applied or requested set.

use std::collections::HashMap;

use super::changeset::ChangeSet;
use super::Verdict;

/// A verdict leaning one way, with its strength: how many more runs said so than said
/// the opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lean {
    Bad(u32),
    Good(u32),
    Unknown,
}

/// All builds that applied the same set of changes.
#[derive(Debug)]
struct Entry {
    /// The applied set, then each distinct requested set that produced it.
    witnesses: Vec<ChangeSet>,
    /// Per test: (bad runs, good runs).
    tallies: Vec<(u32, u32)>,
}

impl Entry {
    fn lean(&self, test: usize) -> Lean {
        let (bad, good) = self.tallies[test];
        match bad.cmp(&good) {
            std::cmp::Ordering::Greater => Lean::Bad(bad - good),
            std::cmp::Ordering::Less => Lean::Good(good - bad),
            std::cmp::Ordering::Equal => Lean::Unknown,
        }
    }

    fn requested(&self) -> &ChangeSet {
        self.witnesses.get(1).unwrap_or(&self.witnesses[0])
    }
}

/// How often one requested set was built, and how often each test was skipped there.
#[derive(Debug, Clone)]
pub(crate) struct Runs {
    total: u32,
    skipped: Vec<u32>,
}

#[derive(Debug)]
pub(crate) struct Evidence {
    n: usize,
    entries: Vec<Entry>,
    by_applied: HashMap<ChangeSet, usize>,
    runs: HashMap<ChangeSet, Runs>,
    first_applied: HashMap<ChangeSet, ChangeSet>,
    ever_requested: ChangeSet,
    ever_applied: ChangeSet,
    builds: usize,
}

impl Evidence {
    pub(crate) fn new(n: usize) -> Evidence {
        Evidence {
            n,
            entries: Vec::new(),
            by_applied: HashMap::new(),
            runs: HashMap::new(),
            first_applied: HashMap::new(),
            ever_requested: ChangeSet::empty(n),
            ever_applied: ChangeSet::empty(n),
            builds: 0,
        }
    }

    pub(crate) fn record(
        &mut self,
        requested: ChangeSet,
        applied: ChangeSet,
        verdicts: &[Verdict],
    ) {
        self.builds += 1;
        self.ever_requested = self.ever_requested.union(&requested);
        self.ever_applied = self.ever_applied.union(&applied);
        let runs = self.runs.entry(requested.clone()).or_insert_with(|| Runs {
            total: 0,
            skipped: vec![0; verdicts.len()],
        });
        runs.total += 1;
        for (skipped, verdict) in runs.skipped.iter_mut().zip(verdicts) {
            *skipped += u32::from(*verdict == Verdict::Skip);
        }
        self.first_applied
            .entry(requested.clone())
            .or_insert_with(|| applied.clone());
        let index = *self.by_applied.entry(applied.clone()).or_insert_with(|| {
            self.entries.push(Entry {
                witnesses: vec![applied],
                tallies: vec![(0, 0); verdicts.len()],
            });
            self.entries.len() - 1
        });
        let entry = &mut self.entries[index];
        if !entry.witnesses.contains(&requested) {
            entry.witnesses.push(requested);
        }
        for (tally, verdict) in entry.tallies.iter_mut().zip(verdicts) {
            match verdict {
                Verdict::Bad => tally.0 += 1,
                Verdict::Good => tally.1 += 1,
                Verdict::Skip => {}
            }
        }
    }

    pub(crate) fn builds(&self) -> usize {
        self.builds
    }

    pub(crate) fn runs(&self, requested: &ChangeSet) -> u32 {
        self.runs.get(requested).map_or(0, |r| r.total)
    }

    /// The applied set of the first build of `requested`.
    pub(crate) fn applied_for(&self, requested: &ChangeSet) -> Option<&ChangeSet> {
        self.first_applied.get(requested)
    }

    /// Changes requested at least once and applied never: the normalizer refuses them, so
    /// they cannot be what breaks the build.
    pub(crate) fn never_applied(&self) -> ChangeSet {
        self.ever_requested.difference(&self.ever_applied)
    }

    /// Whether building `requested` again cannot help `test`: it was skipped for the test
    /// every time, or was run as often as allowed.
    pub(crate) fn exhausted(&self, test: usize, requested: &ChangeSet, max_runs: u32) -> bool {
        self.runs.get(requested).is_some_and(|runs| {
            runs.total >= max_runs || runs.skipped.get(test) == Some(&runs.total)
        })
    }

    pub(crate) fn knowledge(&self, test: usize) -> Knowledge<'_> {
        let mut bad = Vec::new();
        let mut good = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            let (list, strength) = match entry.lean(test) {
                Lean::Bad(s) => (&mut bad, s),
                Lean::Good(s) => (&mut good, s),
                Lean::Unknown => continue,
            };
            list.extend(entry.witnesses.iter().map(|set| Witness {
                set,
                strength,
                entry: index,
            }));
        }
        Knowledge {
            evidence: self,
            bad,
            good,
        }
    }

    pub(crate) fn n(&self) -> usize {
        self.n
    }
}

/// A set whose verdict for one test is known, directly or because it was requested for
/// a build whose applied set has that verdict.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Witness<'a> {
    pub(crate) set: &'a ChangeSet,
    pub(crate) strength: u32,
    entry: usize,
}

/// The evidence as seen by one test.
#[derive(Debug)]
pub(crate) struct Knowledge<'a> {
    evidence: &'a Evidence,
    pub(crate) bad: Vec<Witness<'a>>,
    pub(crate) good: Vec<Witness<'a>>,
}

impl<'a> Knowledge<'a> {
    /// The verdict the evidence implies for building `set`, with the strength of the best
    /// witness; `Unknown` if nothing, or contradicting evidence, implies one.
    pub(crate) fn infer(&self, set: &ChangeSet) -> Lean {
        match (self.best_bad(set), self.best_good(set)) {
            (Some(bad), None) => Lean::Bad(bad.strength),
            (None, Some(good)) => Lean::Good(good.strength),
            _ => Lean::Unknown,
        }
    }

    /// The strongest failing witness inside `set`.
    pub(crate) fn best_bad(&self, set: &ChangeSet) -> Option<Witness<'a>> {
        strongest(self.bad.iter().filter(|w| w.set.is_subset(set)))
    }

    /// The strongest passing witness around `set`.
    pub(crate) fn best_good(&self, set: &ChangeSet) -> Option<Witness<'a>> {
        strongest(self.good.iter().filter(|w| set.is_subset(w.set)))
    }

    /// The set to build again to strengthen a witness: the first set requested for it.
    pub(crate) fn rerun_of(&self, witness: &Witness<'_>) -> &'a ChangeSet {
        self.evidence.entries[witness.entry].requested()
    }

    /// The first pair of builds that contradict each other: a failing set inside a
    /// passing one.
    pub(crate) fn conflict(&self) -> Option<(Witness<'a>, Witness<'a>)> {
        self.bad.iter().find_map(|bad| {
            self.good
                .iter()
                .find(|good| bad.set.is_subset(good.set))
                .map(|good| (*bad, *good))
        })
    }
}

fn strongest<'a, 'b>(witnesses: impl Iterator<Item = &'b Witness<'a>>) -> Option<Witness<'a>>
where
    'a: 'b,
{
    witnesses
        .copied()
        .fold(None, |best: Option<Witness<'a>>, w| match best {
            Some(b) if b.strength >= w.strength => Some(b),
            _ => Some(w),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(indices: &[usize]) -> ChangeSet {
        ChangeSet::from_indices(8, indices.iter().copied())
    }

    #[test]
    fn inference_uses_applied_and_requested_sets() {
        let mut evidence = Evidence::new(8);
        evidence.record(
            set(&[0, 1, 2]),
            set(&[0, 1]),
            &[Verdict::Bad, Verdict::Good],
        );
        let first = evidence.knowledge(0);
        assert_eq!(first.infer(&set(&[0, 1, 5])), Lean::Bad(1));
        assert_eq!(first.infer(&set(&[0, 5])), Lean::Unknown);
        let second = evidence.knowledge(1);
        assert_eq!(second.infer(&set(&[2])), Lean::Good(1));
        assert_eq!(evidence.never_applied(), set(&[2]));
    }

    #[test]
    fn repeated_runs_vote_and_conflicts_are_found() {
        let mut evidence = Evidence::new(8);
        evidence.record(set(&[3]), set(&[3]), &[Verdict::Bad]);
        evidence.record(set(&[3, 4]), set(&[3, 4]), &[Verdict::Good]);
        let knowledge = evidence.knowledge(0);
        let (bad, good) = knowledge.conflict().unwrap();
        assert_eq!((bad.set, good.set), (&set(&[3]), &set(&[3, 4])));
        evidence.record(set(&[3]), set(&[3]), &[Verdict::Good]);
        assert!(evidence.knowledge(0).conflict().is_none());
        evidence.record(set(&[3]), set(&[3]), &[Verdict::Good]);
        assert_eq!(evidence.knowledge(0).infer(&set(&[3])), Lean::Good(1));
        assert!(evidence.exhausted(0, &set(&[3]), 3));
    }

    #[test]
    fn a_set_skipped_every_time_is_exhausted_for_that_test_only() {
        let mut evidence = Evidence::new(8);
        evidence.record(set(&[1]), set(&[1]), &[Verdict::Skip, Verdict::Good]);
        assert!(evidence.exhausted(0, &set(&[1]), 5));
        assert!(!evidence.exhausted(1, &set(&[1]), 5));
        assert_eq!(evidence.knowledge(0).infer(&set(&[1])), Lean::Unknown);
    }
}
