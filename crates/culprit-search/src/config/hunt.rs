//! The search for one test's culprit sets, replayed from the evidence on every call.
//!
//! Nothing is remembered between calls: the plan is a function of the evidence, so a
//! resumed session that records the same builds asks for the same next builds, and a
//! build requested for another test, or a repeated one, simply feeds the replay.
//!
//! Each failure of the test is modelled as a monotone DNF: it is caused iff the applied
//! set contains one of its culprit sets. Culprit sets are found one at a time by
//! generalized binary splitting: in a failing set, the shortest failing prefix (index
//! order) ends with a member of a culprit set; that member is fixed and the prefix before
//! it searched again with it, until the fixed members fail on their own. An interaction
//! is found the same way (its last member first, then the others with it fixed), which is
//! where plain bisection goes wrong. Once culprit sets are known, the bad set minus each
//! minimal hitting set of all of them (every failure's) is tested: if one still fails,
//! the way it fails is hunted in it — the same failure holds a culprit set not found yet,
//! another failure is a second bug with its own culprit sets. When every such set
//! passes, no culprit set of any failure remains, except one containing a culprit set
//! already found (where both are caused, which failure shows is the tree's to decide).

use std::collections::VecDeque;

use super::changeset::ChangeSet;
use super::evidence::{Evidence, Knowledge, Lean, Precedence, Track, Witness, TARGET};
use super::hitting::minimal_hitting_sets;
use super::ConfigSearchOptions;

/// The most minimal hitting sets (each a build to rule out a further culprit set) the
/// search accepts before it calls the failure too scattered to pin down.
const MAX_CUTS: usize = 256;

/// One culprit set, and the failure it causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub(crate) failure: usize,
    pub(crate) set: ChangeSet,
}

/// What one test needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Builds to run, most useful first.
    Need(Vec<ChangeSet>),
    /// Every culprit set of every failure, in the order found.
    Done(Vec<Term>),
    Inconclusive(String),
}

/// How a set fares against every failure hunted so far.
enum Joint {
    /// It shows the failure of this lane.
    Fails(usize),
    Passes,
    Unknown,
}

/// One failure being hunted: its track and what the evidence says on it.
struct Lane<'a> {
    failure: usize,
    knowledge: Knowledge<'a>,
}

pub(crate) struct Hunt<'a> {
    evidence: &'a Evidence,
    /// The proof that a set passes: no failure at all.
    any: Knowledge<'a>,
    precedence: Precedence,
    test: usize,
    universe: &'a ChangeSet,
    options: &'a ConfigSearchOptions,
    budget: usize,
    names: &'a [String],
}

impl<'a> Hunt<'a> {
    /// `universe` is what the bad endpoint applied: changes outside it are never applied
    /// and never suspected. `names` name the changes in messages.
    pub(crate) fn new(
        evidence: &'a Evidence,
        test: usize,
        universe: &'a ChangeSet,
        options: &'a ConfigSearchOptions,
        budget: usize,
        names: &'a [String],
    ) -> Hunt<'a> {
        Hunt {
            evidence,
            any: evidence.knowledge(test, Track::Any),
            precedence: evidence.precedence(test),
            test,
            universe,
            options,
            budget: budget.max(1),
            names,
        }
    }

    pub(crate) fn plan(&self) -> Plan {
        match self.plan_or_stop() {
            Ok(terms) => Plan::Done(terms),
            Err(plan) => plan,
        }
    }

    fn plan_or_stop(&self) -> Result<Vec<Term>, Plan> {
        let mut lanes = vec![self.lane(TARGET)?];
        let good = ChangeSet::empty(self.evidence.n());
        match self.joint(&mut lanes, &good)? {
            Joint::Passes => {}
            Joint::Fails(_) => {
                return Err(Plan::Inconclusive(
                    "fails with no change applied (the good configuration)".into(),
                ))
            }
            Joint::Unknown => return Err(self.need_or_give_up(good, "the good configuration")),
        }
        let mut terms: Vec<Term> = Vec::new();
        loop {
            let sets: Vec<ChangeSet> = terms.iter().map(|t| t.set.clone()).collect();
            let Some(hitting) = minimal_hitting_sets(&sets, self.evidence.n(), MAX_CUTS) else {
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
                match self.joint(&mut lanes, &probe)? {
                    Joint::Fails(lane) => {
                        failing = Some((lane, self.smallest_failing_within(&lanes[lane], &probe)));
                        break;
                    }
                    Joint::Passes => {}
                    Joint::Unknown if self.exhausted(&Track::Any, &probe) => {
                        return Err(Plan::Inconclusive(if terms.is_empty() {
                            "the bad configuration could not be tested".to_owned()
                        } else {
                            format!(
                                "cannot tell whether more culprits remain: the bad \
                                 configuration without {} could not be tested",
                                self.show(cut)
                            )
                        }));
                    }
                    Joint::Unknown => pending.push(probe),
                }
            }
            match failing {
                Some((lane, failing)) => match self.minimize(&lanes[lane], &failing) {
                    Ok(set) => terms.push(Term {
                        failure: lanes[lane].failure,
                        set,
                    }),
                    Err(Plan::Need(mut builds)) => {
                        builds.extend(pending);
                        return Err(self.need(builds));
                    }
                    Err(stop) => return Err(stop),
                },
                None if !pending.is_empty() => return Err(self.need(pending)),
                None => {
                    self.certify(&lanes, &terms, &hitting)?;
                    return Ok(terms);
                }
            }
        }
    }

    /// The lane of `failure`, once its contradictions are settled.
    fn lane(&self, failure: usize) -> Result<Lane<'a>, Plan> {
        let track = Track::Failure {
            failure,
            masks: self.precedence.masked_by(failure),
        };
        let lane = Lane {
            failure,
            knowledge: self.evidence.knowledge(self.test, track),
        };
        self.resolve_conflict(&lane.knowledge)?;
        Ok(lane)
    }

    /// How `set` fares: a failure hunted already that the evidence implies, else a
    /// failure of its own (hunted from now on), else a pass if nothing fails there.
    fn joint(&self, lanes: &mut Vec<Lane<'a>>, set: &ChangeSet) -> Result<Joint, Plan> {
        if let Some(lane) = lanes
            .iter()
            .position(|l| matches!(l.knowledge.infer(set), Lean::Bad(_)))
        {
            return Ok(Joint::Fails(lane));
        }
        match self.any.infer(set) {
            Lean::Good(_) => Ok(Joint::Passes),
            Lean::Bad(_) => {
                let new = self
                    .any
                    .best_bad(set)
                    .and_then(|w| self.any.failure_of(&w))
                    .filter(|f| lanes.iter().all(|l| l.failure != *f));
                match new {
                    Some(failure) => {
                        lanes.push(self.lane(failure)?);
                        Ok(Joint::Fails(lanes.len() - 1))
                    }
                    None => Ok(Joint::Unknown),
                }
            }
            Lean::Unknown => Ok(Joint::Unknown),
        }
    }

    /// A failing set inside `probe`, as small as the evidence allows, to search in.
    fn smallest_failing_within(&self, lane: &Lane<'_>, probe: &ChangeSet) -> ChangeSet {
        lane.knowledge
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
    fn minimize(&self, lane: &Lane<'_>, failing: &ChangeSet) -> Result<ChangeSet, Plan> {
        let knowledge = &lane.knowledge;
        let track = &knowledge.track;
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
            for witness in knowledge.bad.iter().filter(|w| w.set.is_subset(&searched)) {
                let length = witness
                    .set
                    .max_outside(&fixed)
                    .map_or(0, |c| position(c) + 1);
                shortest_bad = shortest_bad.min(length);
            }
            if shortest_bad == 0 {
                self.confirm(knowledge, vec![(fixed.clone(), true)])?;
                return Ok(fixed);
            }
            let mut longest_good = None;
            for witness in knowledge.good.iter().filter(|w| fixed.is_subset(w.set)) {
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
                self.confirm(
                    knowledge,
                    vec![
                        (prefix(shortest_bad), true),
                        (prefix(shortest_bad - 1), false),
                    ],
                )?;
                let member = order[shortest_bad - 1];
                fixed.insert(member);
                rest = ChangeSet::from_indices(n, order[..shortest_bad - 1].iter().copied());
                continue;
            }
            let mut builds = Vec::new();
            if longest_good.is_none() {
                // The fixed members may already be the whole culprit set: ask that first.
                if !self.exhausted(track, &fixed) {
                    builds.push(fixed.clone());
                } else if shortest_bad == 1 {
                    return Err(self.undecidable(&order[..1]));
                }
            }
            let from = longest_good.unwrap_or(0);
            let points = split_points(from, shortest_bad, self.budget, |length| {
                !self.exhausted(track, &prefix(length))
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
            self.show(&changes)
        ))
    }

    /// The facts the answer rests on: every culprit set fails its way, every culprit set
    /// minus one change does not, and the bad set minus every minimal hitting set passes
    /// (no culprit set of any failure is missing).
    fn certify(
        &self,
        lanes: &[Lane<'_>],
        terms: &[Term],
        hitting: &[ChangeSet],
    ) -> Result<(), Plan> {
        for lane in lanes {
            let mut facts: Vec<(ChangeSet, bool)> = Vec::new();
            for term in terms.iter().filter(|t| t.failure == lane.failure) {
                facts.push((term.set.clone(), true));
                for member in term.set.iter() {
                    let mut smaller = term.set.clone();
                    smaller.remove(member);
                    facts.push((smaller, false));
                }
            }
            self.confirm(&lane.knowledge, facts)?;
        }
        let probes = hitting
            .iter()
            .map(|cut| (self.universe.difference(cut), false))
            .collect();
        self.confirm(&self.any, probes)
    }

    /// Checks that each fact (a set, and whether it fails) is backed by `confirmations`
    /// more agreeing runs than disagreeing ones; `Err` carries the runs that would back
    /// the weak ones: the strongest witness again, else the set itself.
    fn confirm(
        &self,
        knowledge: &Knowledge<'_>,
        facts: Vec<(ChangeSet, bool)>,
    ) -> Result<(), Plan> {
        let mut builds = Vec::new();
        for (set, fails) in facts {
            let witness = if fails {
                knowledge.best_bad(&set)
            } else {
                knowledge.best_good(&set)
            };
            if witness.is_some_and(|w| w.strength >= self.options.confirmations) {
                continue;
            }
            let track = &knowledge.track;
            let rerun = witness
                .map(|w| knowledge.rerun_of(&w).clone())
                .filter(|r| !self.exhausted(track, r))
                .or_else(|| Some(set.clone()).filter(|s| !self.exhausted(track, s)));
            match rerun {
                Some(rerun) => builds.push(rerun),
                None => {
                    return Err(Plan::Inconclusive(format!(
                        "could not confirm that {} {} ({} agreeing runs needed)",
                        self.show(&set),
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
    fn resolve_conflict(&self, knowledge: &Knowledge<'_>) -> Result<(), Plan> {
        let Some((bad, good)) = knowledge.conflict() else {
            return Ok(());
        };
        let weaker: Vec<&Witness<'_>> = match bad.strength.cmp(&good.strength) {
            std::cmp::Ordering::Less => vec![&bad],
            std::cmp::Ordering::Greater => vec![&good],
            std::cmp::Ordering::Equal => vec![&bad, &good],
        };
        let builds: Vec<ChangeSet> = weaker
            .into_iter()
            .map(|w| knowledge.rerun_of(w).clone())
            .filter(|r| !self.exhausted(&knowledge.track, r))
            .collect();
        if builds.is_empty() {
            return Err(Plan::Inconclusive(format!(
                "contradicting verdicts: {} fails but {}, which contains it, passes, \
                 after {} runs each",
                self.show(bad.set),
                self.show(good.set),
                self.options.max_runs
            )));
        }
        Err(self.need(builds))
    }

    fn need_or_give_up(&self, set: ChangeSet, what: &str) -> Plan {
        if self.exhausted(&Track::Any, &set) {
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

    fn exhausted(&self, track: &Track, set: &ChangeSet) -> bool {
        self.evidence
            .exhausted(self.test, track, set, self.options.max_runs)
    }

    fn show(&self, set: &ChangeSet) -> String {
        show(set, self.names)
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

/// `{CONFIG_A, CONFIG_B}`: a set of changes by name, cut after a few.
pub(crate) fn show(set: &ChangeSet, names: &[String]) -> String {
    super::describe_changes(&set.iter().collect::<Vec<_>>(), names)
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
        assert_eq!(show(&ChangeSet::from_indices(20, [3, 7]), &[]), "{3, 7}");
        assert_eq!(
            show(&ChangeSet::full(20), &[]),
            "{0, 1, 2, 3, 4, 5, 6, 7, and 12 more}"
        );
        let names = ["CONFIG_A".to_string(), "CONFIG_B".to_string()];
        assert_eq!(
            show(&ChangeSet::from_indices(20, [1, 9]), &names),
            "{CONFIG_B, 9}"
        );
    }

    #[test]
    fn untestable_points_are_replaced_by_neighbours() {
        assert_eq!(split_points(0, 16, 1, |p| p != 8), [7]);
        assert_eq!(split_points(0, 3, 2, |p| p != 1), [2]);
    }
}
