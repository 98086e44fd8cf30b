//! The commit bisection driver: endpoints, the search, verification.
//!
//! Deterministic given the step results, so that a resumed session replays its journal
//! and continues exactly where it stopped (see `session.rs`).

use crate::error::HuntError;
use crate::error::Result;
use crate::executor::Prepare;
mod early;
mod fixups;
pub use early::EARLY_PHASE;

use crate::observe::{Event, Observer};
use crate::record::{fixups_label, ran_on, StepResult};
use crate::session::{Request, Session, Ticket};
use crate::target::{Judgement, Target};
use culprit_console::Signature;
use culprit_search::commit::{
    BisectOptions, Bisection, CommitGraph, FlakyModel, Status, SuspectReason, Verdict,
};
pub use fixups::FixupUse;
use fixups::{tested_with, FixedVerdict, Fixups};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Everything a bisection session needs; stored as the session's arguments so that
/// `--resume` can rebuild the same hunt.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// Candidates in order (commit ids; for artifact lists, the artifacts oldest first).
    pub kind: CandidateKind,
    pub good: Vec<String>,
    pub bad: String,
    pub target: Option<Target>,
    pub tests: Vec<String>,
    pub flaky: bool,
    pub confidence: f64,
    pub first_parent: bool,
    pub verify: u32,
    pub verify_revert: bool,
    pub endpoint_runs: u32,
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
    /// Digest of the configuration and test commands, part of every cache key.
    pub recipe: String,
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

/// Runs that a flaky-failure estimate is made from, per endpoint.
const FLAKY_ENDPOINT_RUNS: u32 = 10;
/// Search runs allowed per bit of suspects (log2 of their count) before giving up.
const MAX_SEARCH_RUNS_PER_BIT: usize = 40;
/// Infrastructure errors tolerated per candidate before it is skipped.
pub const INFRA_RETRIES: u32 = 2;

/// What the hunt concluded.
#[derive(Clone, Debug)]
pub struct Conclusion {
    pub status: &'static str,
    pub culprit: Option<String>,
    pub suspects: Vec<(String, String, f64)>,
    pub confidence: f64,
    pub targets: BTreeMap<String, Target>,
    pub flaky: Option<FlakyModel>,
    pub verification: Vec<String>,
    pub message: Option<String>,
    /// The fixups that made verdicts possible.
    pub fixups: Vec<FixupUse>,
}

/// The state of the search across its rounds (a round ends when the bisection stops
/// asking; an automatic fixup starts another).
pub(crate) struct Search {
    /// Infrastructure errors per candidate.
    retries: BTreeMap<usize, u32>,
    /// Search steps taken, and the most allowed.
    runs: usize,
    cap: usize,
    capped: bool,
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
    endpoint_reruns: Vec<Judgement>,
    /// A rerun of the bad endpoint passed: the search's trusted verdicts do not hold.
    intermittent: bool,
    /// Steps started before the targets were known (see `early.rs`), and those of them
    /// the search has not taken into its running steps yet.
    early: BTreeSet<Ticket>,
    early_running: BTreeMap<Ticket, usize>,
}

impl Search {
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

/// The runs of the endpoints so far, which an intermittent failure's model is made from.
struct EndpointRuns {
    bad_runs: u32,
    bad_fails: u32,
    good_runs: u32,
    good_fails: u32,
}

impl EndpointRuns {
    /// Counts one more run of the bad endpoint; returns whether it passed (the failure
    /// is intermittent). A run that could not be judged does not count.
    fn count(&mut self, judgement: &Judgement) -> bool {
        match judgement {
            Judgement::Bad => {
                self.bad_fails += 1;
                self.bad_runs += 1;
                false
            }
            Judgement::Good => {
                self.bad_runs += 1;
                true
            }
            _ => false,
        }
    }
}

pub struct CommitHunt<'s, 'a> {
    pub session: &'s mut Session<'a>,
    pub plan: Plan,
    /// Progress lines go here (stderr).
    pub observer: Arc<dyn Observer>,
    /// The targets once known (empty while the bad endpoint is being read).
    pub stop_at: BTreeMap<String, Target>,
}

impl CommitHunt<'_, '_> {
    pub(crate) fn request(
        &self,
        phase: &str,
        key: &str,
        tests: &[String],
        stop_at: &BTreeMap<String, Target>,
    ) -> Request {
        let (prepare, placeholders, cache) = match &self.plan.kind {
            CandidateKind::Commits { trees, .. } => (
                Prepare::Checkout(key.to_string()),
                Vec::new(),
                trees.get(key).map(|t| format!("tree:{t}")),
            ),
            CandidateKind::Artifacts { list, digests } => {
                let index: usize = key.parse().unwrap_or(0);
                (
                    Prepare::InPlace,
                    vec![("artifact", list.get(index).cloned().unwrap_or_default())],
                    digests.get(index).map(|d| format!("artifact:{d}")),
                )
            }
        };
        let cacheable = phase == "search" && !self.plan.flaky;
        Request {
            phase: phase.to_string(),
            key: key.to_string(),
            prepare,
            tests: tests.to_vec(),
            placeholders,
            stop_at: stop_at.clone(),
            config_text: None,
            cache_key: cache
                .filter(|_| cacheable)
                .map(|c| format!("{c}|{}|{}", self.plan.recipe, tests.join(","))),
            note: json!({}),
            fixups: Vec::new(),
        }
    }

    pub(crate) fn say(&self, line: String) {
        self.observer.line(&line);
    }

    /// Runs `tests` on each candidate; with `targets`, a step ends at the first test
    /// that shows its target.
    pub(crate) fn run(
        &mut self,
        phase: &str,
        keys: &[String],
        tests: &[String],
    ) -> Result<Vec<StepResult>> {
        let stop_at = self.stop_at.clone();
        let requests = keys
            .iter()
            .map(|k| self.request(phase, k, tests, &stop_at))
            .collect();
        self.session.run(requests)
    }

    /// The first parent of a commit of the range (it may lie outside the range).
    pub(crate) fn first_parent(&self, key: &str) -> Option<String> {
        match &self.plan.kind {
            CandidateKind::Commits { range, .. } => range
                .iter()
                .find(|(id, _)| id == key)
                .and_then(|(_, parents)| parents.first().cloned()),
            CandidateKind::Artifacts { .. } => None,
        }
    }

    /// A readable name for a candidate: a short commit id, or the artifact.
    pub fn label(&self, key: &str) -> String {
        match &self.plan.kind {
            CandidateKind::Commits { .. } => key.chars().take(12).collect(),
            CandidateKind::Artifacts { list, .. } => key
                .parse::<usize>()
                .ok()
                .and_then(|i| list.get(i).cloned())
                .unwrap_or_else(|| key.to_string()),
        }
    }

    pub fn hunt(&mut self) -> Result<Conclusion> {
        let bad = self.plan.bad.clone();
        let good = self.plan.good.clone();
        let all_tests = self.plan.tests.clone();

        // Both endpoints at once: the bad one decides the target of each test, the good
        // one must pass them. An intermittent failure may need several runs of the bad
        // endpoint to show itself at all.
        self.say(format!(
            "checking the endpoints: bad {}, good {}",
            self.label(&bad),
            good.iter()
                .map(|g| self.label(g))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let mut requests = vec![self.request("endpoint-bad", &bad, &all_tests, &BTreeMap::new())];
        requests.extend(
            good.iter()
                .map(|g| self.request("endpoint-good", g, &all_tests, &BTreeMap::new())),
        );
        let (graph, good_nodes) = self.graph()?;
        let (mut good_results, mut early) = self.run_endpoints(requests, &graph, &good_nodes)?;
        let first_bad = good_results.remove(0);
        let mut first_bad = self.settle("endpoint-bad", &bad, &all_tests, &[], first_bad)?;
        for (key, result) in good.iter().zip(good_results.iter_mut()) {
            *result = self.settle("endpoint-good", key, &all_tests, &[], result.clone())?;
        }
        let attempts = if self.plan.flaky {
            FLAKY_ENDPOINT_RUNS
        } else {
            1
        };
        let mut bad_runs = 1u32;
        let targets = loop {
            match self.targets_at_bad(&first_bad) {
                Ok(targets) => break targets,
                Err(_) if bad_runs < attempts => {
                    first_bad = self
                        .run("endpoint-bad", std::slice::from_ref(&bad), &all_tests)?
                        .remove(0);
                    bad_runs += 1;
                }
                Err(err) => return Err(err),
            }
        };
        let bad_fails = 1u32;
        let target_tests: Vec<String> = targets.keys().cloned().collect();
        self.stop_at = targets.clone();
        for (test, target) in &targets {
            self.say(format!("target of {test}: {}", target.describe()));
        }
        let mut good_fails = 0;
        for (key, result) in good.iter().zip(&good_results) {
            match judge(result, &targets) {
                Judgement::Good => {}
                Judgement::Bad if self.plan.flaky => good_fails += 1,
                other => return Err(HuntError::BadInput(format!(
                    "the good revision {} does not pass: {}; give a --good that passes, or hunt another --target",
                    self.label(key),
                    describe(&other)
                ))),
            }
        }

        // Repeated runs of the bad endpoint show whether the failure is intermittent.
        // With a worker to spare they run alongside the first search steps, which
        // assume it is not: should a rerun pass, those steps are dropped and the hunt
        // starts again with a Bayesian model.
        let mut endpoints = EndpointRuns {
            bad_runs,
            bad_fails,
            good_runs: good.len() as u32,
            good_fails,
        };
        let extra = if self.plan.flaky {
            0
        } else {
            self.plan.endpoint_runs.saturating_sub(1)
        };
        let mut flaky = self.plan.flaky || bad_runs > 1;
        let mut checks = BTreeSet::new();
        if !flaky && self.session.workers() > 1 {
            for _ in 0..extra {
                let request = self.request("endpoint-bad", &bad, &target_tests, &targets);
                checks.insert(self.session.submit(request)?);
            }
        } else {
            for _ in 0..extra {
                let judgement = self.rerun_bad(&targets, &target_tests)?;
                flaky |= endpoints.count(&judgement);
            }
        }

        let bad_node = graph.index(&bad).ok_or_else(|| {
            HuntError::BadInput(format!("{} is not in the range", self.label(&bad)))
        })?;
        let (model, bisection, search) = loop {
            let model = if flaky {
                Some(self.flaky_model(&targets, &target_tests, &mut endpoints)?)
            } else {
                None
            };
            let (bisection, search) = self.bisect(
                &graph,
                &good_nodes,
                bad_node,
                model,
                &targets,
                &target_tests,
                std::mem::take(&mut checks),
                std::mem::take(&mut early),
            )?;
            // Every rerun counts, including those after the first that passed.
            let mut passed = false;
            for judgement in &search.endpoint_reruns {
                passed |= endpoints.count(judgement);
            }
            if model.is_none() && passed {
                flaky = true;
                continue;
            }
            break (model, bisection, search);
        };
        let capped = search.capped;
        let search_runs = search.runs;

        let mut conclusion = Conclusion {
            status: "inconclusive",
            culprit: None,
            suspects: Vec::new(),
            confidence: 0.0,
            targets: targets.clone(),
            flaky: model,
            verification: Vec::new(),
            message: None,
            fixups: search.fixes.uses(),
        };
        match bisection.status() {
            Status::Found {
                culprit,
                confidence,
            } => {
                let id = graph.id(culprit).to_string();
                conclusion.status = "found";
                conclusion.confidence = confidence;
                conclusion.suspects = vec![(id.clone(), "first bad commit".into(), confidence)];
                conclusion.culprit = Some(id.clone());
                if let Some(how) = tested_with(&conclusion.fixups) {
                    conclusion.message = Some(format!("found {} ({how})", self.label(&id)));
                }
                let fixups = search
                    .fixes
                    .used
                    .get(&culprit)
                    .map(|u| u.fixups.clone())
                    .unwrap_or_default();
                self.verify(
                    &graph,
                    culprit,
                    &targets,
                    &target_tests,
                    &fixups,
                    &mut conclusion,
                )?;
            }
            Status::Ambiguous { suspects } => {
                conclusion.status = "ambiguous";
                conclusion.confidence = suspects.iter().map(|s| s.probability).sum();
                conclusion.suspects = suspects
                    .iter()
                    .map(|s| {
                        let reason = match &s.reason {
                            SuspectReason::FirstBad => "first bad commit".to_string(),
                            other => other.to_string(),
                        };
                        (graph.id(s.node).to_string(), reason, s.probability)
                    })
                    .collect();
                conclusion.message = Some(format!(
                    "the culprit is one of {} commits that no testable candidate can tell apart",
                    suspects.len()
                ));
            }
            Status::NoCulprit {
                probability,
                good,
                bad,
                ..
            } => {
                conclusion.status = "flake";
                conclusion.confidence = probability;
                conclusion.message = Some(format!(
                    "no commit in the range changes how often this fails: it failed {} of {} runs at the good endpoint and {} of {} at the bad one",
                    good.fails, good.runs, bad.fails, bad.runs
                ));
            }
            Status::Contradiction => {
                conclusion.message = Some(
                    "the verdicts contradict each other: the failure may be intermittent (try --flaky) or caused by more than one commit".into(),
                );
            }
            Status::Searching { suspects, top } => {
                conclusion.confidence = top.1;
                conclusion.suspects = bisection
                    .posterior()
                    .into_iter()
                    .take(5)
                    .map(|(node, p)| (graph.id(node).to_string(), "likely".to_string(), p))
                    .collect();
                conclusion.message = Some(if capped {
                    format!(
                        "stopped after {search_runs} runs with {suspects} suspects left and none at the required confidence: the failure reproduces too rarely; raise --confidence's tolerance or make the test fail more often"
                    )
                } else {
                    format!("stopped with {suspects} suspects left")
                });
            }
        }
        Ok(conclusion)
    }

    /// The model of an intermittent failure: more runs of both endpoints, up to
    /// [`FLAKY_ENDPOINT_RUNS`] each, then the failure rates they show.
    fn flaky_model(
        &mut self,
        targets: &BTreeMap<String, Target>,
        target_tests: &[String],
        runs: &mut EndpointRuns,
    ) -> Result<FlakyModel> {
        while runs.bad_runs < FLAKY_ENDPOINT_RUNS {
            if self.rerun_bad(targets, target_tests)? == Judgement::Bad {
                runs.bad_fails += 1;
            }
            runs.bad_runs += 1;
        }
        let good = self.plan.good[..1].to_vec();
        while runs.good_runs < FLAKY_ENDPOINT_RUNS {
            let r = self.run("endpoint-good", &good, target_tests)?.remove(0);
            runs.good_runs += 1;
            if judge(&r, targets) == Judgement::Bad {
                runs.good_fails += 1;
            }
        }
        let EndpointRuns {
            bad_runs,
            bad_fails,
            good_runs,
            good_fails,
        } = *runs;
        let model = FlakyModel::estimate(bad_fails, bad_runs, good_fails, good_runs)
            .map_err(|e| HuntError::BadInput(format!("the endpoints do not tell good from bad ({e}): the bad endpoint failed {bad_fails} of {bad_runs} runs, the good one {good_fails} of {good_runs}")))?;
        self.say(format!(
            "the failure is intermittent: the bad endpoint failed {bad_fails} of {bad_runs} runs; bisecting with a Bayesian model (confidence {:.2})",
            self.plan.confidence
        ));
        Ok(model)
    }

    /// The search in rounds until it stops asking: after each round, the checks of bad
    /// verdicts obtained with fixups, or the automatic fixup rule, may start another.
    /// `endpoint_checks` are reruns of the bad endpoint already running; should one
    /// pass, the search stops at once with `intermittent` set.
    #[allow(clippy::too_many_arguments)]
    fn bisect<'g>(
        &mut self,
        graph: &'g CommitGraph,
        good_nodes: &[usize],
        bad_node: usize,
        model: Option<FlakyModel>,
        targets: &BTreeMap<String, Target>,
        target_tests: &[String],
        endpoint_checks: BTreeSet<Ticket>,
        early: BTreeMap<Ticket, usize>,
    ) -> Result<(Bisection<'g>, Search)> {
        let options = BisectOptions {
            first_parent: self.plan.first_parent,
            flaky: model,
            confidence: self.plan.confidence,
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
            flaky: model.is_some(),
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
        // With trusted verdicts the bad endpoint is simply bad. A flaky model already
        // holds the endpoint runs: recording them again would count them twice.
        if model.is_none() {
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
    fn search(
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
                let likeliest = if self.plan.flaky || search.flaky {
                    format!(
                        " (likeliest {} at {:.2})",
                        self.label(graph.id(top.0)),
                        top.1
                    )
                } else {
                    String::new()
                };
                let fixed = search.fixes.known_untestable(graph, node)
                    || (self.plan.auto_fixup_up_front && search.fixes.presumed_broken(graph, node));
                let with = if fixed {
                    format!(" with {}", fixups_label(&search.fixes.active))
                } else {
                    String::new()
                };
                let request = self.search_request(graph, node, fixed, search, target_tests);
                let ticket = self.session.submit(request)?;
                self.say(format!(
                    "{suspects} suspects left{likeliest}; testing {}{with}{}",
                    self.label(&key),
                    self.session.mark(ticket)
                ));
                running.insert(ticket, (node, fixed));
            }
            let Some((ticket, result)) = self.session.next_finished()? else {
                break;
            };
            let Some((node, fixed)) = running.remove(&ticket) else {
                if search.endpoint_checks.remove(&ticket) {
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
                self.say(format!(
                    "  {} -> set aside: it stopped at its first failure before the targets were known, which does not judge it ({}){}",
                    self.label(graph.id(node)),
                    describe(&judgement),
                    self.session.mark(ticket)
                ));
                continue;
            }
            self.say(format!(
                "  {} -> {}{}{}",
                self.label(graph.id(node)),
                verdict_text(&result, targets),
                ran_on(result.place.as_ref(), workers),
                self.session.mark(ticket)
            ));
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
    fn show_suspects(&self, suspects: usize) {
        self.observer.event(Event::Status {
            suspects: Some(suspects),
            runs: self.session.counts().runs,
            steps_left: Some((usize::BITS - suspects.leading_zeros()) as usize),
            workers: self.session.workers(),
        });
    }

    /// Up front (`--auto-fixup`), a build error no active fixup may cure asks for the fix
    /// search, once per build error.
    fn want_fix(&self, node: usize, search: &mut Search) {
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
    fn search_request(
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
            request.fixups = search.fixes.active.clone();
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

    /// Runs an endpoint again while the infrastructure failed (QEMU could not start, a
    /// board was busy), so that a flake of the lab is not mistaken for the code.
    fn settle(
        &mut self,
        phase: &str,
        key: &str,
        tests: &[String],
        fixups: &[String],
        mut result: StepResult,
    ) -> Result<StepResult> {
        for _ in 0..INFRA_RETRIES {
            let infra = result
                .tests
                .iter()
                .find(|t| matches!(t.outcome, culprit_console::Outcome::InfraError { .. }));
            let Some(run) = infra else {
                break;
            };
            self.say(format!(
                "{} {}: {}; running it again",
                phase,
                self.label(key),
                run.outcome
            ));
            let mut request = self.request(phase, key, tests, &self.stop_at);
            request.fixups = fixups.to_vec();
            result = self.session.run(vec![request])?.remove(0);
        }
        Ok(result)
    }

    /// One more run of the bad endpoint, judged.
    fn rerun_bad(
        &mut self,
        targets: &BTreeMap<String, Target>,
        tests: &[String],
    ) -> Result<Judgement> {
        let bad = self.plan.bad.clone();
        let result = self
            .run("endpoint-bad", std::slice::from_ref(&bad), tests)?
            .remove(0);
        Ok(judge(&result, targets))
    }

    /// Each test that fails at the bad endpoint, with the target it is hunted for.
    fn targets_at_bad(&self, bad: &StepResult) -> Result<BTreeMap<String, Target>> {
        let mut targets = BTreeMap::new();
        for run in &bad.tests {
            let target = match &self.plan.target {
                Some(explicit) => {
                    (explicit.judge_run(run) == Judgement::Bad).then(|| explicit.clone())
                }
                None => Target::of_bad(run),
            };
            if let Some(target) = target {
                targets.insert(run.name.clone(), target);
            }
        }
        if targets.is_empty() {
            let seen: Vec<String> = bad
                .tests
                .iter()
                .map(|t| format!("{}: {}", t.name, t.outcome))
                .collect();
            return Err(HuntError::BadInput(format!(
                "the bad revision {} shows no failure to hunt ({}); give a --bad that fails{}",
                self.label(&self.plan.bad),
                seen.join(", "),
                if self.plan.target.is_some() {
                    " with the --target"
                } else {
                    ""
                }
            )));
        }
        Ok(targets)
    }

    fn graph(&self) -> Result<(CommitGraph, Vec<usize>)> {
        match &self.plan.kind {
            CandidateKind::Commits { range, .. } => {
                let graph = CommitGraph::from_range(range.clone()).map_err(|e| {
                    HuntError::BadInput(format!("cannot read the commit graph: {e}"))
                })?;
                Ok((graph, Vec::new()))
            }
            CandidateKind::Artifacts { list, .. } => {
                let nodes = (0..list.len())
                    .map(|i| {
                        (
                            i.to_string(),
                            if i == 0 {
                                Vec::new()
                            } else {
                                vec![(i - 1).to_string()]
                            },
                        )
                    })
                    .collect();
                let graph = CommitGraph::from_parents(nodes)
                    .map_err(|e| HuntError::BadInput(format!("cannot order the artifacts: {e}")))?;
                Ok((graph, vec![0]))
            }
        }
    }

    fn verify(
        &mut self,
        graph: &CommitGraph,
        culprit: usize,
        targets: &BTreeMap<String, Target>,
        tests: &[String],
        fixups: &[String],
        conclusion: &mut Conclusion,
    ) -> Result<()> {
        let culprit_key = graph.id(culprit);
        let k = self.plan.verify;
        if k == 0 {
            return Ok(());
        }
        let parents: Vec<String> = match &self.plan.kind {
            CandidateKind::Commits { range, .. } => range
                .iter()
                .find(|(id, _)| id == culprit_key)
                .map(|(_, p)| p.clone())
                .unwrap_or_default(),
            CandidateKind::Artifacts { .. } => graph
                .parents(culprit)
                .map(|p| graph.id(p).to_string())
                .collect(),
        };
        self.say(format!(
            "verifying {}: {k} more run(s) of it and of its parent(s)",
            self.label(culprit_key)
        ));
        let runs = k as usize;
        // The culprit's runs and its parents' do not depend on each other: they all go
        // at once, as far as the workers allow.
        // A culprit that was only testable with fixups is verified with them, and so
        // is its parent: the fixup is the same on both sides, so it cannot be what
        // tells them apart.
        let with_fixups = |mut request: Request| {
            request.fixups = fixups.to_vec();
            request
        };
        let mut requests: Vec<Request> = (0..runs)
            .map(|_| with_fixups(self.request("verify", culprit_key, tests, &self.stop_at)))
            .collect();
        for parent in &parents {
            requests.extend(
                (0..runs).map(|_| {
                    with_fixups(self.request("verify-parent", parent, tests, &self.stop_at))
                }),
            );
        }
        let who: Vec<(&str, &str)> = std::iter::repeat_n(("verify", culprit_key), runs)
            .chain(
                parents
                    .iter()
                    .flat_map(|p| std::iter::repeat_n(("verify-parent", p.as_str()), runs)),
            )
            .collect();
        // Verification, like every other phase, never counts a flake of the lab against
        // the code: a run that hit an infrastructure error runs again.
        let mut settled = Vec::with_capacity(who.len());
        for ((phase, key), result) in who.into_iter().zip(self.session.run(requests)?) {
            settled.push(self.settle(phase, key, tests, fixups, result)?);
        }
        let mut results = settled.into_iter();
        let fails = results
            .by_ref()
            .take(runs)
            .filter(|r| judge(r, targets) == Judgement::Bad)
            .count();
        conclusion
            .verification
            .push(format!("the culprit failed again in {fails} of {k} runs"));
        let mut ok = if conclusion.flaky.is_some() {
            true
        } else {
            fails == runs
        };
        for parent in &parents {
            let passes = results
                .by_ref()
                .take(runs)
                .filter(|r| judge(r, targets) == Judgement::Good)
                .count();
            conclusion.verification.push(format!(
                "its parent {} passed in {passes} of {k} runs",
                self.label(parent)
            ));
            if conclusion.flaky.is_none() && passes != runs {
                ok = false;
            }
        }
        if self.plan.verify_revert {
            if let CandidateKind::Commits { .. } = &self.plan.kind {
                let mut request = self.request("verify-revert", culprit_key, tests, targets);
                request.prepare = Prepare::Revert {
                    base: self.plan.bad.clone(),
                    commit: culprit_key.to_string(),
                };
                match self.session.run(vec![request]) {
                    Ok(results) => {
                        let judgement = judge(&results[0], targets);
                        conclusion.verification.push(format!(
                            "reverting it on top of the bad revision: {}",
                            describe(&judgement)
                        ));
                        if judgement != Judgement::Good {
                            ok = false;
                        }
                    }
                    Err(err) if err.is_interrupted() => return Err(err),
                    Err(err) => conclusion
                        .verification
                        .push(format!("the revert could not be tested: {err:#}")),
                }
            }
        }
        if !ok {
            conclusion.status = "inconclusive";
            conclusion.message = Some(
                "verification failed: the culprit or its parent did not behave the same again; the failure may be intermittent (try --flaky)".into(),
            );
        }
        Ok(())
    }
}

/// Judges one step against each test's target: bad if any test shows its target, good
/// if every test passes, untestable otherwise. A step whose fixups did not apply, or
/// did not make it testable, is untestable with that reason.
pub fn judge(result: &StepResult, targets: &BTreeMap<String, Target>) -> Judgement {
    let Some(fixup) = &result.fixup else {
        return judge_runs(result, targets);
    };
    if let Some((commit, detail)) = &fixup.conflict {
        return Judgement::Untestable(format!(
            "{} does not apply: {detail}",
            fixups_label(std::slice::from_ref(commit))
        ));
    }
    match judge_runs(result, targets) {
        Judgement::Untestable(reason) if !fixup.applied.is_empty() => {
            let built = result
                .build
                .as_ref()
                .is_none_or(|b| b.outcome == culprit_console::Outcome::Pass);
            let what = if built {
                "it still cannot be tested"
            } else {
                "the build still fails"
            };
            Judgement::Untestable(format!(
                "{} applied but {what}: {reason}",
                fixups_label(&fixup.applied)
            ))
        }
        other => other,
    }
}

/// The fixups a step's verdict was obtained with (none when it was tested as it is).
pub fn fixed_up(result: &StepResult) -> &[String] {
    match &result.fixup {
        Some(fixup) if fixup.conflict.is_none() => &fixup.applied,
        _ => &[],
    }
}

/// A step's verdict as every view shows it: `good`, `bad`, `skip (reason)`, marked
/// `with fixup X` when the fixup is what made the candidate testable.
pub fn verdict_text(result: &StepResult, targets: &BTreeMap<String, Target>) -> String {
    let judgement = judge(result, targets);
    let text = describe(&judgement);
    match (fixed_up(result), &judgement) {
        (applied, Judgement::Good | Judgement::Bad) if !applied.is_empty() => {
            format!("{text} (with {})", fixups_label(applied))
        }
        _ => text,
    }
}

fn judge_runs(result: &StepResult, targets: &BTreeMap<String, Target>) -> Judgement {
    if let Some(build) = result
        .build
        .as_ref()
        .filter(|b| b.outcome != culprit_console::Outcome::Pass)
    {
        // Every test carries the build's outcome; judge it once, as the build.
        if let Some(target) = targets.values().next() {
            return match target.judge(&build.outcome) {
                Judgement::Untestable(reason) => Judgement::Untestable(reason),
                other if targets.values().all(|t| t.judge(&build.outcome) == other) => other,
                _ => Judgement::Untestable(build.outcome.to_string()),
            };
        }
    }
    let mut untestable = Vec::new();
    let mut retry = None;
    let mut good = 0;
    for (test, target) in targets {
        let Some(run) = result.tests.iter().find(|t| &t.name == test) else {
            untestable.push(format!("{test}: not run"));
            continue;
        };
        match target.judge_run(run) {
            Judgement::Bad => return Judgement::Bad,
            Judgement::Good => good += 1,
            Judgement::Retry(reason) => retry = Some(format!("{test}: {reason}")),
            Judgement::Untestable(reason) => untestable.push(format!("{test}: {reason}")),
        }
    }
    if let Some(reason) = retry {
        return Judgement::Retry(reason);
    }
    if good == targets.len() {
        return Judgement::Good;
    }
    untestable.dedup();
    Judgement::Untestable(untestable.join("; "))
}

pub fn describe(judgement: &Judgement) -> String {
    match judgement {
        Judgement::Good => "good".into(),
        Judgement::Bad => "bad".into(),
        Judgement::Untestable(reason) => format!("skip ({reason})"),
        Judgement::Retry(reason) => format!("infrastructure error ({reason}); will retry"),
    }
}
