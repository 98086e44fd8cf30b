//! The search phase: the bisection asks for candidates, each free worker takes the
//! next one at once, and rounds follow one another while fixups make more candidates
//! testable.

use super::endpoints::Endpoints;
use super::fixups::{FixedVerdict, Fixups};
use super::CommitHunt;
use crate::error::{HuntError, Result};
use crate::judge::{evidence_log, fixed_up, judge, shown_place, INFRA_RETRIES};
use crate::judgement::Judgement;
use crate::observe::Event;
use crate::record::StepResult;
use crate::session::{Request, Ticket};
use crate::target::Target;
use crate::told::Told;
use culprit_console::{Outcome, Signature};
use culprit_search::commit::{
    BisectOptions, Bisection, CommitGraph, Status, UnknownRates, Verdict,
};
use std::collections::{BTreeMap, BTreeSet};

/// Search runs allowed per bit of suspects (log2 of their count) before giving up.
const MAX_SEARCH_RUNS_PER_BIT: usize = 40;

/// The state of the search across its rounds (a round ends when the bisection stops
/// asking; an automatic fixup starts another).
pub(crate) struct Search {
    /// Infrastructure errors per candidate.
    retries: BTreeMap<usize, u32>,
    /// Search steps taken, and the most allowed.
    pub(super) runs: usize,
    cap: usize,
    pub(super) capped: bool,
    /// Whether the verdicts are weighed (a flaky model).
    flaky: bool,
    /// Every verdict recorded, so that a new round can start from them.
    pub(crate) verdicts: Vec<(usize, Verdict)>,
    pub(crate) fixes: Fixups,
    /// Up front: the candidate whose failed build stopped the round, for the fix search.
    fix_wanted: Option<usize>,
    /// Up front: the build errors a fix was looked for, each once.
    searched: Vec<Signature>,
    /// Reruns of the bad endpoint running alongside the search, and how each came out.
    endpoint_checks: BTreeSet<Ticket>,
    pub(super) endpoint_reruns: Vec<Judgement>,
    /// A rerun of the bad endpoint passed: the search's trusted verdicts do not hold.
    pub(super) intermittent: bool,
    /// Steps started before the targets were known (see `early.rs`), and those of them
    /// the search has not taken into its running steps yet.
    early: BTreeSet<Ticket>,
    early_running: BTreeMap<Ticket, usize>,
}

impl Search {
    /// Whether `node` has a good or bad verdict recorded.
    fn has_verdict(&self, node: usize) -> bool {
        self.verdicts
            .iter()
            .any(|(n, v)| *n == node && matches!(v, Verdict::Good | Verdict::Bad))
    }

    pub(crate) fn record(
        &mut self,
        bisection: &mut Bisection,
        node: usize,
        verdict: Verdict,
    ) -> Result<()> {
        self.verdicts.push((node, verdict.clone()));
        bisection.record(node, verdict)?;
        Ok(())
    }
}

impl CommitHunt<'_, '_> {
    /// The search from the endpoints' results to the bisection's last answer. Should a
    /// rerun of the bad endpoint pass, or the verdicts contradict each other, the failure
    /// is intermittent: the search starts again with the rates unknown, learned from
    /// every run. Returns whether they were.
    pub(super) fn search_phase<'g>(
        &mut self,
        graph: &'g CommitGraph,
        start: &mut Endpoints,
        prior: &BTreeMap<usize, f64>,
    ) -> Result<(bool, Bisection<'g>, Search)> {
        let mut flaky = start.flaky;
        loop {
            if flaky {
                let bad = &start.runs.bad;
                self.tell(Told::Intermittent {
                    failed: bad.iter().filter(|&&f| f).count() as u32,
                    runs: bad.len() as u32,
                    confidence: self.plan.settings.confidence,
                });
            }
            let checks = std::mem::take(&mut start.checks);
            let early = std::mem::take(&mut start.early);
            let (bisection, search) = self.bisect(graph, start, flaky, prior, checks, early)?;
            // Every rerun counts, including those after the first that passed.
            let mut passed = false;
            for judgement in &search.endpoint_reruns {
                passed |= start.runs.count(judgement);
            }
            // Trusted verdicts that contradict each other are an intermittent failure's
            // mark too (a commit passed whose descendant failed by chance, or the
            // reverse): the search starts again weighing every run.
            if !flaky && (passed || bisection.status() == Status::Contradiction) {
                flaky = true;
                continue;
            }
            return Ok((flaky, bisection, search));
        }
    }

    /// The search in rounds until it stops asking: after each round, the checks of bad
    /// verdicts obtained with fixups, or the automatic fixup rule, may start another.
    /// `endpoint_checks` are reruns of the bad endpoint already running; should one
    /// pass, the search stops at once with `intermittent` set.
    /// With `flaky`, the rates are unknown and every endpoint run so far is recorded.
    fn bisect<'g>(
        &mut self,
        graph: &'g CommitGraph,
        start: &Endpoints,
        flaky: bool,
        prior: &BTreeMap<usize, f64>,
        endpoint_checks: BTreeSet<Ticket>,
        early: BTreeMap<Ticket, usize>,
    ) -> Result<(Bisection<'g>, Search)> {
        let (good_nodes, bad_node) = (&start.good_nodes, start.bad_node);
        let (targets, target_tests) = (&start.targets, &start.target_tests);
        let options = BisectOptions {
            first_parent: self.plan.settings.first_parent,
            confidence: self.plan.settings.confidence,
            unknown_rates: flaky.then(UnknownRates::default),
            prior: prior.clone(),
            ..BisectOptions::default()
        };
        let mut bisection = Bisection::new(graph, good_nodes, bad_node, options.clone())
            .map_err(|e| HuntError::BadInput(format!("cannot bisect this range: {e}")))?;
        let mut search = Search {
            retries: BTreeMap::new(),
            runs: 0,
            // A failure that barely reproduces could keep a Bayesian search going for
            // ever; past this many runs it stops and says what it has.
            cap: MAX_SEARCH_RUNS_PER_BIT
                * (usize::BITS - bisection.initial_suspects().leading_zeros()) as usize
                + 50,
            capped: false,
            flaky,
            verdicts: Vec::new(),
            fixes: Fixups::new(self.plan.fixups.clone()),
            fix_wanted: None,
            searched: Vec::new(),
            endpoint_checks,
            endpoint_reruns: Vec::new(),
            intermittent: false,
            early: early.keys().copied().collect(),
            early_running: early,
        };
        // With trusted verdicts the bad endpoint is simply bad. With unknown rates each
        // endpoint run is evidence like any other, a good endpoint's failure included.
        if flaky {
            for &failed in &start.runs.bad {
                search.record(&mut bisection, bad_node, ran(failed))?;
            }
            for (key, failed) in &start.runs.good {
                if let Some(node) = graph.index(key) {
                    search.record(&mut bisection, node, ran(*failed))?;
                }
            }
        } else {
            search.record(&mut bisection, bad_node, Verdict::Bad)?;
        }
        loop {
            self.search(&mut bisection, graph, targets, target_tests, &mut search)?;
            if search.intermittent {
                break;
            }
            let rebuild_keeping_skips = if let Some(failed) = search.fix_wanted.take() {
                match self.find_fix_up_front(
                    graph,
                    failed,
                    bad_node,
                    targets,
                    target_tests,
                    &mut search,
                )? {
                    Some(fix) => {
                        search.fixes.cures.push((failed, fix.clone()));
                        search.fixes.active.push(fix);
                        false
                    }
                    None => true,
                }
            } else if self.exonerate(graph, targets, target_tests, &mut search)? {
                true
            } else if let Status::Ambiguous { suspects } = bisection.status() {
                if !self.plan.auto_fixup {
                    break;
                }
                let Some(fix) =
                    self.find_fix(graph, &suspects, targets, target_tests, &mut search)?
                else {
                    break;
                };
                search.fixes.active.push(fix);
                false
            } else {
                break;
            };
            // A new round starts from the verdicts so far. With a new fixup, the window's
            // skips go: they said nothing of the failure, only of the build.
            bisection = Bisection::new(graph, good_nodes, bad_node, options.clone())
                .map_err(|e| HuntError::BadInput(format!("cannot bisect this range: {e}")))?;
            let fixes = &search.fixes;
            let kept: Vec<(usize, Verdict)> = search
                .verdicts
                .iter()
                .filter(|(node, v)| {
                    rebuild_keeping_skips
                        || !matches!(v, Verdict::Skip { .. })
                        || !fixes.known_untestable(graph, *node)
                })
                .cloned()
                .collect();
            search.verdicts.clear();
            for (node, verdict) in kept {
                search.record(&mut bisection, node, verdict)?;
            }
        }
        Ok((bisection, search))
    }

    /// Runs the search until the bisection stops asking, each free worker taking the next
    /// candidate at once. A candidate that cannot be tested on its own is tried again
    /// with the active fixups before it counts as skipped.
    pub(super) fn search(
        &mut self,
        bisection: &mut Bisection,
        graph: &CommitGraph,
        targets: &BTreeMap<String, Target>,
        target_tests: &[String],
        search: &mut Search,
    ) -> Result<()> {
        let workers = self.session.workers();
        // Candidates running now, by ticket (with whether fixups are applied): a free
        // worker gets a candidate chosen to complement them, without waiting.
        let mut running: BTreeMap<Ticket, (usize, bool)> =
            std::mem::take(&mut search.early_running)
                .into_iter()
                .map(|(ticket, node)| (ticket, (node, false)))
                .collect();
        loop {
            // Up front, a build failure without a fix stops new work: the fix search
            // comes first, once the steps running now are in.
            while search.fix_wanted.is_none() && !search.intermittent && self.session.wants_work() {
                let Status::Searching { suspects, top } = bisection.status() else {
                    break;
                };
                if search.runs + running.len() >= search.cap {
                    search.capped = true;
                    break;
                }
                let pending: Vec<usize> = running.values().map(|(node, _)| *node).collect();
                let Some(&node) = bisection.next_with_pending(1, &pending).first() else {
                    break;
                };
                let key = graph.id(node).to_string();
                self.show_suspects(suspects);
                let likeliest = (self.plan.settings.flaky || search.flaky)
                    .then(|| (graph.id(top.0).to_string(), top.1));
                let fixed = search.fixes.known_untestable(graph, node)
                    || (self.plan.auto_fixup_up_front && search.fixes.presumed_broken(graph, node));
                let request = self.search_request(graph, node, fixed, search, target_tests);
                let ticket = self.session.submit(request)?;
                self.tell(Told::Testing {
                    candidate: self.plan.label(&key),
                    suspects,
                    likeliest,
                    fixups: if fixed {
                        search.fixes.active.clone()
                    } else {
                        Vec::new()
                    },
                    early: false,
                    replayed: self.session.replayed(ticket),
                });
                running.insert(ticket, (node, fixed));
            }
            let Some((ticket, result)) = self.session.next_finished()? else {
                break;
            };
            let Some((node, fixed)) = running.remove(&ticket) else {
                if search.endpoint_checks.remove(&ticket) {
                    let replayed = self.session.replayed(ticket);
                    self.tell_deadlines(&self.plan.bad, &result, replayed);
                    let judgement = judge(&result, targets);
                    search.intermittent |= judgement == Judgement::Good;
                    search.endpoint_reruns.push(judgement);
                }
                continue;
            };
            if search.intermittent {
                // Its verdict assumed trusted runs; the hunt starts again with a model.
                continue;
            }
            search.runs += 1;
            let judgement = judge(&result, targets);
            if search.early.remove(&ticket) && !self.early_result_holds(&result, &judgement) {
                self.tell(Told::SetAside {
                    candidate: self.plan.label(graph.id(node)),
                    judgement,
                    replayed: self.session.replayed(ticket),
                });
                continue;
            }
            self.tell(Told::Judged {
                candidate: self.plan.label(graph.id(node)),
                judgement: judgement.clone(),
                fixups: fixed_up(&result).to_vec(),
                place: shown_place(&result, workers),
                log: evidence_log(&result),
                replayed: self.session.replayed(ticket),
            });
            self.tell_deadlines(graph.id(node), &result, self.session.replayed(ticket));
            if search.flaky && !fixed && is_noise(&judgement, &result) {
                // With unknown rates a candidate runs many times, and a run that shows
                // another failure once (a boot that hangs on a loaded machine) says
                // nothing of the target: the candidate runs again, and one that has
                // verdicts of its own is never called untestable for it.
                let n = search.retries.entry(node).or_default();
                *n += 1;
                if *n <= INFRA_RETRIES {
                    let request = self.search_request(graph, node, fixed, search, target_tests);
                    running.insert(self.session.submit(request)?, (node, fixed));
                    continue;
                }
                if search.has_verdict(node) {
                    continue;
                }
            }
            // A candidate given the fix only because it lies in a broken window is run
            // on its own when the fix does not apply to it: it may build as it is.
            if fixed
                && !search.fixes.untestable.contains(&node)
                && result.fixup.as_ref().is_some_and(|f| f.conflict.is_some())
            {
                let request = self.search_request(graph, node, false, search, target_tests);
                running.insert(self.session.submit(request)?, (node, false));
                continue;
            }
            if let (false, Judgement::Untestable(reason)) = (fixed, &judgement) {
                search.fixes.note_untestable(node, &result, reason);
                if search.fixes.known_untestable(graph, node) {
                    let request = self.search_request(graph, node, true, search, target_tests);
                    running.insert(self.session.submit(request)?, (node, true));
                    continue;
                }
                self.want_fix(node, search);
            }
            let verdict = match judgement {
                Judgement::Good => Verdict::Good,
                Judgement::Bad => Verdict::Bad,
                Judgement::Untestable(reason) => Verdict::Skip {
                    reason: search.fixes.skip_reason(node, fixed, reason),
                },
                Judgement::Retry(reason) => {
                    let n = search.retries.entry(node).or_default();
                    *n += 1;
                    if *n <= INFRA_RETRIES {
                        // A lab fault says nothing of the candidate: run it again.
                        let request = self.search_request(graph, node, fixed, search, target_tests);
                        running.insert(self.session.submit(request)?, (node, fixed));
                        continue;
                    }
                    Verdict::Skip {
                        reason: format!("infrastructure error {n} times: {reason}"),
                    }
                }
            };
            if matches!(verdict, Verdict::Good | Verdict::Bad) && !fixed_up(&result).is_empty() {
                search.fixes.used.insert(
                    node,
                    FixedVerdict {
                        fixups: fixed_up(&result).to_vec(),
                        bad: verdict == Verdict::Bad,
                    },
                );
            }
            search.record(bisection, node, verdict)?;
        }
        Ok(())
    }

    /// Puts the suspects left, and the steps a bisection of them takes, on the live display.
    pub(super) fn show_suspects(&self, suspects: usize) {
        self.observer.event(Event::Status {
            suspects: Some(suspects),
            runs: self.session.counts().runs,
            steps_left: Some((usize::BITS - suspects.leading_zeros()) as usize),
            workers: self.session.workers(),
        });
    }

    /// Up front (`--auto-fixup`), a build error no active fixup may cure asks for the fix
    /// search, once per build error.
    pub(super) fn want_fix(&self, node: usize, search: &mut Search) {
        if !self.plan.auto_fixup_up_front || search.fix_wanted.is_some() {
            return;
        }
        let Some(signature) = search.fixes.broken.get(&node) else {
            return;
        };
        if !search.searched.contains(signature) {
            search.searched.push(signature.clone());
            search.fix_wanted = Some(node);
        }
    }

    /// The search step of `node`, with the active fixups applied when `fixed`.
    pub(super) fn search_request(
        &self,
        graph: &CommitGraph,
        node: usize,
        fixed: bool,
        search: &Search,
        tests: &[String],
    ) -> Request {
        let key = graph.id(node);
        let mut request = if fixed {
            let mut request = self.request("search-fixup", key, tests, &self.stop_at);
            request.work.fixups = search.fixes.active.clone();
            request
        } else {
            self.request("search", key, tests, &self.stop_at)
        };
        // A run of an intermittent failure is a new sample, never an earlier answer
        // (not even one of this session's trusted steps, dropped when a rerun of the
        // bad endpoint passed).
        if search.flaky {
            request.cache_key = None;
        }
        request
    }
}

/// The verdict of a run that failed or passed.
fn ran(failed: bool) -> Verdict {
    if failed {
        Verdict::Bad
    } else {
        Verdict::Good
    }
}

/// Whether a run built and then failed in another way than the target: noise for an
/// intermittent failure's search (a build failure is the fixups' business).
fn is_noise(judgement: &Judgement, result: &StepResult) -> bool {
    matches!(judgement, Judgement::Untestable(_))
        && result
            .build
            .as_ref()
            .is_none_or(|build| build.outcome == Outcome::Pass)
}
