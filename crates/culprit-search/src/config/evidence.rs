//! What the builds so far say, per test and per failure, and what follows from it.
//!
//! The outcome of a build depends on the changes the normalizer actually applied, not on
//! the ones requested. Assuming the normalizer is monotone (requesting more never applies
//! less) and idempotent (a normalized configuration normalizes to itself), and failure is
//! monotone in the applied set, two rules infer the verdict of a set `X` never built:
//! `X` fails if it contains a failing build's applied or requested set, and passes if it
//! is contained in a passing build's applied or requested set.
//!
//! A test can fail in several ways (a panic from one option, a hang from a pair). Each
//! failure is searched on its own track; the runs that show another failure tell that
//! track nothing, except where the precedence between the two failures is known: when a
//! set failing one way contains a set failing another way, the first failure shows
//! whenever both are caused (it showed where both were), so inside its sets the second
//! failure means "not this one".

use std::collections::HashMap;

use super::changeset::ChangeSet;

/// The failure the test is hunted for ([`super::Verdict::Bad`]); the others are numbered
/// from 1 in the order they were first recorded.
pub(crate) const TARGET: usize = 0;

/// What one run of one test said, as the evidence stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    Pass,
    Fails(usize),
    Nothing,
}

/// A verdict leaning one way, with its strength: how many more runs said so than said
/// the opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lean {
    Bad(u32),
    Good(u32),
    Unknown,
}

/// Which runs one search track counts, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Track {
    /// Every failure is bad: the proof that a set passes.
    Any,
    /// One failure is bad; the failures it is known to take precedence over are good.
    Failure { failure: usize, masks: Vec<usize> },
}

/// One test's runs of one set: passes, and runs per failure.
#[derive(Debug, Clone, Default)]
struct Tally {
    passes: u32,
    fails: Vec<(usize, u32)>,
}

impl Tally {
    fn add(&mut self, seen: Seen) {
        match seen {
            Seen::Pass => self.passes += 1,
            Seen::Fails(failure) => match self.fails.iter_mut().find(|(f, _)| *f == failure) {
                Some((_, count)) => *count += 1,
                None => self.fails.push((failure, 1)),
            },
            Seen::Nothing => {}
        }
    }

    fn count(&self, failure: usize) -> u32 {
        self.fails
            .iter()
            .find(|(f, _)| *f == failure)
            .map_or(0, |(_, c)| *c)
    }

    /// (bad runs, good runs) as `track` counts them.
    fn votes(&self, track: &Track) -> (u32, u32) {
        match track {
            Track::Any => (self.fails.iter().map(|(_, c)| c).sum(), self.passes),
            Track::Failure { failure, masks } => (
                self.count(*failure),
                self.passes + masks.iter().map(|m| self.count(*m)).sum::<u32>(),
            ),
        }
    }

    fn lean(&self, track: &Track) -> Lean {
        let (bad, good) = self.votes(track);
        match bad.cmp(&good) {
            std::cmp::Ordering::Greater => Lean::Bad(bad - good),
            std::cmp::Ordering::Less => Lean::Good(good - bad),
            std::cmp::Ordering::Equal => Lean::Unknown,
        }
    }

    /// The failure most runs showed, if more runs failed that way than passed.
    fn leading_failure(&self) -> Option<usize> {
        self.fails
            .iter()
            .filter(|(_, c)| *c > self.passes)
            .max_by_key(|(f, c)| (*c, std::cmp::Reverse(*f)))
            .map(|(f, _)| *f)
    }
}

/// Pairs of failures `(low, high)` where a set failing `low` lies inside a set failing
/// `high`.
#[derive(Debug)]
pub(crate) struct Precedence {
    inside: Vec<(usize, usize)>,
}

impl Precedence {
    /// The failures `failure` is known to take precedence over (and never the reverse,
    /// which would leave the order unknown).
    pub(crate) fn masked_by(&self, failure: usize) -> Vec<usize> {
        let mut masked: Vec<usize> = self
            .inside
            .iter()
            .filter(|&&(low, high)| high == failure && !self.inside.contains(&(high, low)))
            .map(|&(low, _)| low)
            .collect();
        masked.sort_unstable();
        masked
    }
}

/// All builds that applied the same set of changes.
#[derive(Debug)]
struct Entry {
    /// The applied set, then each distinct requested set that produced it.
    witnesses: Vec<ChangeSet>,
    /// Per test.
    tallies: Vec<Tally>,
}

impl Entry {
    fn requested(&self) -> &ChangeSet {
        self.witnesses.get(1).unwrap_or(&self.witnesses[0])
    }
}

/// How often one requested set was built, and what each test said there.
#[derive(Debug, Clone)]
struct Runs {
    total: u32,
    tallies: Vec<Tally>,
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

    pub(crate) fn record(&mut self, requested: ChangeSet, applied: ChangeSet, seen: &[Seen]) {
        self.builds += 1;
        self.ever_requested = self.ever_requested.union(&requested);
        self.ever_applied = self.ever_applied.union(&applied);
        let runs = self.runs.entry(requested.clone()).or_insert_with(|| Runs {
            total: 0,
            tallies: vec![Tally::default(); seen.len()],
        });
        runs.total += 1;
        for (tally, seen) in runs.tallies.iter_mut().zip(seen) {
            tally.add(*seen);
        }
        self.first_applied
            .entry(requested.clone())
            .or_insert_with(|| applied.clone());
        let index = *self.by_applied.entry(applied.clone()).or_insert_with(|| {
            self.entries.push(Entry {
                witnesses: vec![applied],
                tallies: vec![Tally::default(); seen.len()],
            });
            self.entries.len() - 1
        });
        let entry = &mut self.entries[index];
        if !entry.witnesses.contains(&requested) {
            entry.witnesses.push(requested);
        }
        for (tally, seen) in entry.tallies.iter_mut().zip(seen) {
            tally.add(*seen);
        }
    }

    pub(crate) fn builds(&self) -> usize {
        self.builds
    }

    pub(crate) fn runs(&self, requested: &ChangeSet) -> u32 {
        self.runs.get(requested).map_or(0, |r| r.total)
    }

    /// Whether some build applied exactly `set`.
    pub(crate) fn was_applied(&self, set: &ChangeSet) -> bool {
        self.by_applied.contains_key(set)
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

    /// Whether building `requested` again cannot help `track` of `test`: no run there
    /// said anything the track counts, or it was run as often as allowed.
    pub(crate) fn exhausted(
        &self,
        test: usize,
        track: &Track,
        requested: &ChangeSet,
        max_runs: u32,
    ) -> bool {
        self.runs
            .get(requested)
            .is_some_and(|runs| runs.total >= max_runs || runs.tallies[test].votes(track) == (0, 0))
    }

    /// What is known of the precedence between the failures of `test`: which failure
    /// shows where both are caused.
    pub(crate) fn precedence(&self, test: usize) -> Precedence {
        let mut leading: Vec<(usize, &ChangeSet)> = self
            .entries
            .iter()
            .filter_map(|e| Some((e.tallies[test].leading_failure()?, &e.witnesses[0])))
            .collect();
        leading.sort_by_key(|(failure, _)| *failure);
        let mut inside = Vec::new();
        if leading.first().map(|(f, _)| f) != leading.last().map(|(f, _)| f) {
            for (low, small) in &leading {
                for (high, big) in &leading {
                    if low != high && !inside.contains(&(*low, *high)) && small.is_subset(big) {
                        inside.push((*low, *high));
                    }
                }
            }
        }
        Precedence { inside }
    }

    pub(crate) fn knowledge(&self, test: usize, track: Track) -> Knowledge<'_> {
        let mut bad = Vec::new();
        let mut good = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            let (list, strength) = match entry.tallies[test].lean(&track) {
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
            test,
            track,
            bad,
            good,
        }
    }

    pub(crate) fn n(&self) -> usize {
        self.n
    }
}

/// A set whose verdict for one track is known, directly or because it was requested for
/// a build whose applied set has that verdict.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Witness<'a> {
    pub(crate) set: &'a ChangeSet,
    pub(crate) strength: u32,
    entry: usize,
}

/// The evidence as seen by one track of one test.
#[derive(Debug)]
pub(crate) struct Knowledge<'a> {
    evidence: &'a Evidence,
    test: usize,
    pub(crate) track: Track,
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

    /// The failure most runs of the witness's build showed.
    pub(crate) fn failure_of(&self, witness: &Witness<'_>) -> Option<usize> {
        self.evidence.entries[witness.entry].tallies[self.test].leading_failure()
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

    const BAD: Seen = Seen::Fails(TARGET);

    fn target() -> Track {
        Track::Failure {
            failure: TARGET,
            masks: vec![],
        }
    }

    #[test]
    fn inference_uses_applied_and_requested_sets() {
        let mut evidence = Evidence::new(8);
        evidence.record(set(&[0, 1, 2]), set(&[0, 1]), &[BAD, Seen::Pass]);
        let first = evidence.knowledge(0, target());
        assert_eq!(first.infer(&set(&[0, 1, 5])), Lean::Bad(1));
        assert_eq!(first.infer(&set(&[0, 5])), Lean::Unknown);
        let second = evidence.knowledge(1, target());
        assert_eq!(second.infer(&set(&[2])), Lean::Good(1));
        assert_eq!(evidence.never_applied(), set(&[2]));
    }

    #[test]
    fn repeated_runs_vote_and_conflicts_are_found() {
        let mut evidence = Evidence::new(8);
        evidence.record(set(&[3]), set(&[3]), &[BAD]);
        evidence.record(set(&[3, 4]), set(&[3, 4]), &[Seen::Pass]);
        let knowledge = evidence.knowledge(0, target());
        let (bad, good) = knowledge.conflict().unwrap();
        assert_eq!((bad.set, good.set), (&set(&[3]), &set(&[3, 4])));
        evidence.record(set(&[3]), set(&[3]), &[Seen::Pass]);
        assert!(evidence.knowledge(0, target()).conflict().is_none());
        evidence.record(set(&[3]), set(&[3]), &[Seen::Pass]);
        assert_eq!(
            evidence.knowledge(0, target()).infer(&set(&[3])),
            Lean::Good(1)
        );
        assert!(evidence.exhausted(0, &target(), &set(&[3]), 3));
    }

    #[test]
    fn a_set_skipped_every_time_is_exhausted_for_that_test_only() {
        let mut evidence = Evidence::new(8);
        evidence.record(set(&[1]), set(&[1]), &[Seen::Nothing, Seen::Pass]);
        assert!(evidence.exhausted(0, &target(), &set(&[1]), 5));
        assert!(!evidence.exhausted(1, &target(), &set(&[1]), 5));
        assert_eq!(
            evidence.knowledge(0, target()).infer(&set(&[1])),
            Lean::Unknown
        );
    }

    #[test]
    fn another_failure_tells_a_track_nothing_until_precedence_is_known() {
        let mut evidence = Evidence::new(8);
        evidence.record(set(&[0, 1, 2]), set(&[0, 1, 2]), &[BAD]);
        evidence.record(set(&[1, 2]), set(&[1, 2]), &[Seen::Fails(1)]);
        assert!(evidence.exhausted(0, &target(), &set(&[1, 2]), 5));
        assert!(!evidence.exhausted(0, &Track::Any, &set(&[1, 2]), 5));
        // The target showed where failure 1 was caused too: it takes precedence.
        let precedence = evidence.precedence(0);
        assert_eq!(precedence.masked_by(TARGET), [1]);
        assert!(precedence.masked_by(1).is_empty());
        let masking = Track::Failure {
            failure: TARGET,
            masks: precedence.masked_by(TARGET),
        };
        assert_eq!(
            evidence.knowledge(0, masking).infer(&set(&[2])),
            Lean::Good(1)
        );
        let any = evidence.knowledge(0, Track::Any);
        let witness = any.best_bad(&set(&[1, 2, 5])).unwrap();
        assert_eq!(any.failure_of(&witness), Some(1));
    }
}
