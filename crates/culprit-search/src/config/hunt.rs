//! The search for one test's culprit sets, replayed from the evidence on every call.
//!
//! Nothing is remembered between calls: the plan is a function of the evidence, so a
//! resumed session that records the same builds asks for the same next builds, and a
//! build requested for another test, or a repeated one, simply feeds the replay.
//!
//! The failure is modelled as a monotone DNF: the test fails iff the applied set contains
//! one of its culprit sets. Culprit sets are found one at a time by generalized binary
//! splitting: in a failing set, the shortest failing prefix (index order) ends with a
//! member of a culprit set; that member is fixed and the prefix before it searched again
//! with it, until the fixed members fail on their own. An interaction is found the same
//! way (its last member first, then the others with it fixed), which is where plain
//! bisection goes wrong. Once culprit sets are known, the bad set minus each minimal
//! hitting set of them is tested: if one fails, it holds a culprit set not found yet.

use std::collections::VecDeque;

use super::changeset::ChangeSet;
use super::evidence::{Evidence, Knowledge, Lean, Witness};
use super::hitting::minimal_hitting_sets;
use super::ConfigSearchOptions;

/// The most minimal hitting sets (each a build to rule out a further culprit set) the
/// search accepts before it calls the failure too scattered to pin down.
const MAX_CUTS: usize = 256;

/// What one test needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Builds to run, most useful first.
    Need(Vec<ChangeSet>),
    Done(Vec<ChangeSet>),
    Inconclusive(String),
}

pub(crate) struct Hunt<'a> {
    evidence: &'a Evidence,
    knowledge: Knowledge<'a>,
    test: usize,
    universe: &'a ChangeSet,
    options: &'a ConfigSearchOptions,
    budget: usize,
}

impl<'a> Hunt<'a> {
    /// `universe` is what the bad endpoint applied: changes outside it are never applied
    /// and never suspected.
    pub(crate) fn new(
        evidence: &'a Evidence,
        test: usize,
        universe: &'a ChangeSet,
        options: &'a ConfigSearchOptions,
        budget: usize,
    ) -> Hunt<'a> {
        Hunt {
            evidence,
            knowledge: evidence.knowledge(test),
            test,
            universe,
            options,
            budget: budget.max(1),
        }
    }

    pub(crate) fn plan(&self) -> Plan {
        match self.plan_or_stop() {
            Ok(terms) => Plan::Done(terms),
            Err(plan) => plan,
        }
    }

    fn plan_or_stop(&self) -> Result<Vec<ChangeSet>, Plan> {
        self.resolve_conflict()?;
        let good = ChangeSet::empty(self.evidence.n());
        match self.knowledge.infer(&good) {
            Lean::Good(_) => {}
            Lean::Bad(_) => {
                return Err(Plan::Inconclusive(
                    "fails with no change applied (the good configuration)".into(),
                ))
            }
            Lean::Unknown => return Err(self.need_or_give_up(good, "the good configuration")),
        }
        let mut terms: Vec<ChangeSet> = Vec::new();
        loop {
            let Some(hitting) = minimal_hitting_sets(&terms, self.evidence.n(), MAX_CUTS) else {
                return Err(Plan::Inconclusive(format!(
                    "{} culprit sets found so far: too many to rule out others ({} builds or more)",
                    terms.len(),
                    MAX_CUTS
                )));
            };
            let mut pending = Vec::new();
            let mut failing = None;
            for cut in &hitting {
                let probe = self.universe.difference(cut);
                match self.knowledge.infer(&probe) {
                    Lean::Bad(_) => {
                        failing = Some(self.smallest_failing_within(&probe));
                        break;
                    }
                    Lean::Good(_) => {}
                    Lean::Unknown if self.exhausted(&probe) => {
                        return Err(Plan::Inconclusive(if terms.is_empty() {
                            "the bad configuration could not be tested".to_owned()
                        } else {
                            format!(
                                "cannot tell whether more culprits remain: the bad \
                                 configuration without {} could not be tested",
                                show(cut)
                            )
                        }));
                    }
                    Lean::Unknown => pending.push(probe),
                }
            }
            match failing {
                Some(failing) => match self.minimize(&failing) {
                    Ok(term) => terms.push(term),
                    Err(Plan::Need(mut builds)) => {
                        builds.extend(pending);
                        return Err(self.need(builds));
                    }
                    Err(stop) => return Err(stop),
                },
                None if !pending.is_empty() => return Err(self.need(pending)),
                None => {
                    self.certify(&terms, &hitting)?;
                    return Ok(terms);
                }
            }
        }
    }

    /// A failing set inside `probe`, as small as the evidence allows, to search in.
    fn smallest_failing_within(&self, probe: &ChangeSet) -> ChangeSet {
        self.knowledge
            .bad
            .iter()
            .filter(|w| w.set.is_subset(probe))
            .map(|w| w.set)
            .min_by(|a, b| a.size_order(b))
            .unwrap_or(probe)
            .clone()
    }

    /// One culprit set inside `failing`, by generalized binary splitting over prefixes.
    /// `Err` carries the builds that would move the search on.
    fn minimize(&self, failing: &ChangeSet) -> Result<ChangeSet, Plan> {
        let n = self.evidence.n();
        let nothing = ChangeSet::empty(n);
        let mut fixed = ChangeSet::empty(n);
        let mut rest = failing.clone();
        loop {
            let order: Vec<usize> = rest.iter().collect();
            let position = |change: usize| order.partition_point(|&i| i < change);
            let searched = fixed.union(&rest);
            // The shortest prefix known to fail, and the longest known to pass.
            let mut shortest_bad = order.len();
            for witness in self
                .knowledge
                .bad
                .iter()
                .filter(|w| w.set.is_subset(&searched))
            {
                let length = witness
                    .set
                    .max_outside(&fixed)
                    .map_or(0, |c| position(c) + 1);
                shortest_bad = shortest_bad.min(length);
            }
            if shortest_bad == 0 {
                self.confirm(vec![(fixed.clone(), true)])?;
                return Ok(fixed);
            }
            let mut longest_good = None;
            for witness in self
                .knowledge
                .good
                .iter()
                .filter(|w| fixed.is_subset(w.set))
            {
                let length = rest
                    .min_outside(witness.set, &nothing)
                    .map_or(order.len(), position)
                    .min(shortest_bad - 1);
                longest_good = longest_good.max(Some(length));
            }
            let prefix = |length: usize| {
                fixed.union(&ChangeSet::from_indices(n, order[..length].iter().copied()))
            };
            if longest_good == Some(shortest_bad - 1) {
                // A wrong verdict anywhere in the search surfaces here, at the boundary.
                self.confirm(vec![
                    (prefix(shortest_bad), true),
                    (prefix(shortest_bad - 1), false),
                ])?;
                let member = order[shortest_bad - 1];
                fixed.insert(member);
                rest = ChangeSet::from_indices(n, order[..shortest_bad - 1].iter().copied());
                continue;
            }
            let mut builds = Vec::new();
            if longest_good.is_none() {
                // The fixed members may already be the whole culprit set: ask that first.
                if !self.exhausted(&fixed) {
                    builds.push(fixed.clone());
                } else if shortest_bad == 1 {
                    return Err(self.undecidable(&order[..1]));
                }
            }
            let from = longest_good.unwrap_or(0);
            let points = split_points(from, shortest_bad, self.budget, |length| {
                !self.exhausted(&prefix(length))
            });
            builds.extend(points.into_iter().map(prefix));
            if builds.is_empty() {
                return Err(self.undecidable(&order[from..shortest_bad]));
            }
            return Err(Plan::Need(builds));
        }
    }

    fn undecidable(&self, changes: &[usize]) -> Plan {
        let changes = ChangeSet::from_indices(self.evidence.n(), changes.iter().copied());
        Plan::Inconclusive(format!(
            "changes {} cannot be told apart: the candidates between them could not be tested",
            show(&changes)
        ))
    }

    /// The facts the answer rests on: every culprit set fails, every culprit set minus
    /// one change passes, and the bad set minus every minimal hitting set passes (no
    /// culprit set is missing).
    fn certify(&self, terms: &[ChangeSet], hitting: &[ChangeSet]) -> Result<(), Plan> {
        let mut facts: Vec<(ChangeSet, bool)> = Vec::new();
        for term in terms {
            facts.push((term.clone(), true));
            for member in term.iter() {
                let mut smaller = term.clone();
                smaller.remove(member);
                facts.push((smaller, false));
            }
        }
        facts.extend(
            hitting
                .iter()
                .map(|cut| (self.universe.difference(cut), false)),
        );
        self.confirm(facts)
    }

    /// Checks that each fact (a set, and whether it fails) is backed by `confirmations`
    /// more agreeing runs than disagreeing ones; `Err` carries the runs that would back
    /// the weak ones: the strongest witness again, else the set itself.
    fn confirm(&self, facts: Vec<(ChangeSet, bool)>) -> Result<(), Plan> {
        let mut builds = Vec::new();
        for (set, fails) in facts {
            let witness = if fails {
                self.knowledge.best_bad(&set)
            } else {
                self.knowledge.best_good(&set)
            };
            if witness.is_some_and(|w| w.strength >= self.options.confirmations) {
                continue;
            }
            let rerun = witness
                .map(|w| self.knowledge.rerun_of(&w).clone())
                .filter(|r| !self.exhausted(r))
                .or_else(|| Some(set.clone()).filter(|s| !self.exhausted(s)));
            match rerun {
                Some(rerun) => builds.push(rerun),
                None => {
                    return Err(Plan::Inconclusive(format!(
                        "could not confirm that {} {} ({} agreeing runs needed)",
                        show(&set),
                        if fails { "fails" } else { "passes" },
                        self.options.confirmations
                    )))
                }
            }
        }
        if builds.is_empty() {
            Ok(())
        } else {
            Err(self.need(builds))
        }
    }

    /// A failing build inside a passing one contradicts the model: run the weaker side
    /// again (both when equally strong) until one verdict flips or the runs run out.
    fn resolve_conflict(&self) -> Result<(), Plan> {
        let Some((bad, good)) = self.knowledge.conflict() else {
            return Ok(());
        };
        let weaker: Vec<&Witness<'_>> = match bad.strength.cmp(&good.strength) {
            std::cmp::Ordering::Less => vec![&bad],
            std::cmp::Ordering::Greater => vec![&good],
            std::cmp::Ordering::Equal => vec![&bad, &good],
        };
        let builds: Vec<ChangeSet> = weaker
            .into_iter()
            .map(|w| self.knowledge.rerun_of(w).clone())
            .filter(|r| !self.exhausted(r))
            .collect();
        if builds.is_empty() {
            return Err(Plan::Inconclusive(format!(
                "contradicting verdicts: {} fails but {}, which contains it, passes, \
                 after {} runs each",
                show(bad.set),
                show(good.set),
                self.options.max_runs
            )));
        }
        Err(self.need(builds))
    }

    fn need_or_give_up(&self, set: ChangeSet, what: &str) -> Plan {
        if self.exhausted(&set) {
            Plan::Inconclusive(format!("{what} could not be tested"))
        } else {
            Plan::Need(vec![set])
        }
    }

    fn need(&self, mut builds: Vec<ChangeSet>) -> Plan {
        let mut seen = Vec::with_capacity(builds.len());
        builds.retain(|b| {
            let fresh = !seen.contains(b);
            if fresh {
                seen.push(b.clone());
            }
            fresh
        });
        builds.truncate(self.budget);
        Plan::Need(builds)
    }

    fn exhausted(&self, set: &ChangeSet) -> bool {
        self.evidence
            .exhausted(self.test, set, self.options.max_runs)
    }
}

/// Up to `budget` prefix lengths strictly between `good` (passes) and `bad` (fails), in
/// the order a binary search would test them: the middle first, then the middles of both
/// halves, so that `budget` parallel builds settle several levels of the search at once.
/// Untestable lengths are replaced by the nearest testable one.
fn split_points(
    good: usize,
    bad: usize,
    budget: usize,
    testable: impl Fn(usize) -> bool,
) -> Vec<usize> {
    let mut points = Vec::new();
    let mut intervals = VecDeque::from([(good, bad)]);
    while let Some((low, high)) = intervals.pop_front() {
        if points.len() >= budget {
            break;
        }
        if high - low < 2 {
            continue;
        }
        let middle = low + (high - low) / 2;
        let nearest = (0..high - low)
            .flat_map(|d| [middle.checked_sub(d), middle.checked_add(d)])
            .flatten()
            .find(|&p| p > low && p < high && !points.contains(&p) && testable(p));
        if let Some(point) = nearest {
            points.push(point);
            intervals.push_back((low, point));
            intervals.push_back((point, high));
        }
    }
    points
}

/// The most change indices a message lists before it summarizes.
const SHOWN: usize = 8;

/// `{1, 5, 9}`: change indices as the user's report lists them; a long set is cut
/// (`{0, 1, ..., 7, and 1992 more}`), since a message naming 2000 changes helps nobody.
pub(crate) fn show(set: &ChangeSet) -> String {
    let mut items: Vec<String> = set.iter().take(SHOWN).map(|i| i.to_string()).collect();
    let total = set.len();
    if total > SHOWN {
        items.push(format!("and {} more", total - SHOWN));
    }
    format!("{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_points_follow_binary_search_levels() {
        assert_eq!(split_points(0, 16, 1, |_| true), [8]);
        assert_eq!(split_points(0, 16, 3, |_| true), [8, 4, 12]);
        assert_eq!(split_points(3, 4, 3, |_| true), Vec::<usize>::new());
    }

    #[test]
    fn long_sets_are_cut_in_messages() {
        assert_eq!(show(&ChangeSet::from_indices(20, [3, 7])), "{3, 7}");
        assert_eq!(
            show(&ChangeSet::full(20)),
            "{0, 1, 2, 3, 4, 5, 6, 7, and 12 more}"
        );
    }

    #[test]
    fn untestable_points_are_replaced_by_neighbours() {
        assert_eq!(split_points(0, 16, 1, |p| p != 8), [7]);
        assert_eq!(split_points(0, 3, 2, |p| p != 1), [2]);
    }
}
