//! The configuration bisection driver: which options make each test fail.
//!
//! Every candidate is the good configuration plus a subset of the changes, written to
//! the tree, normalized by the build system, and read back: the search is told what was
//! really applied, and every requested value that did not survive is reported.

use crate::error::HuntError;
use crate::error::{Context, Result};
use crate::executor::Prepare;
use crate::judge::Judgement;
use crate::judge::{judge, INFRA_RETRIES};
use crate::observe::{Event, Observer};
use crate::recipe::hex;
use crate::record::{ran_on, RunRecord, StepResult};
use crate::results::{ConfigHuntResult, CostlyOption, NotApplied, TestCulprits};
use crate::session::{Request, Session, Ticket};
use crate::status::HuntStatus;
use crate::target::Target;
use culprit_kconfig::{applied_changes, apply_changes, not_applied, Change, Config as KConfig};
use culprit_search::config::{
    describe_changes, ConfigSearch, ConfigSearchOptions, TestStatus, Verdict,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// Everything a configuration bisection session needs, stored with the session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub good_text: String,
    pub bad_text: String,
    pub good_path: String,
    pub bad_path: String,
    /// The commit every candidate is built at.
    pub rev: String,
    pub target: Option<Target>,
    pub tests: Vec<String>,
    pub confirmations: u32,
    pub recipe: String,
    /// The tree's top directory when it has a `Kconfig`: candidates are then evaluated
    /// by culprit's own Kconfig evaluator, and every option that does not apply comes
    /// with its reason.
    #[serde(default)]
    pub kconfig_tree: Option<String>,
    /// Commits applied on top of `rev` before every build, when `rev` cannot be tested
    /// on its own (a commit inside a window that does not build).
    #[serde(default)]
    pub fixups: Vec<String>,
}

/// Which options of a recorded candidate the build did not take as asked, read again
/// from the plan's endpoints and the configuration the step really got: a report must
/// not show an option as tested (good or bad) in a candidate where it was not applied.
pub struct AppliedCheck {
    changes: Vec<Change>,
}

impl AppliedCheck {
    pub fn of(plan: &Plan) -> Result<AppliedCheck> {
        let good = parse(&plan.good_text, &plan.good_path)?;
        let bad = parse(&plan.bad_text, &plan.bad_path)?;
        Ok(AppliedCheck {
            changes: culprit_kconfig::diff(&good, &bad),
        })
    }

    /// The options of `options` (as a candidate's note names them) whose bad value the
    /// effective configuration does not hold.
    pub fn unapplied(&self, options: &[String], effective: &str) -> Result<Vec<String>> {
        let effective = parse(effective, "the effective configuration")?;
        let applied = applied_changes(&self.changes, &effective);
        Ok(options
            .iter()
            .filter(|option| {
                self.changes
                    .iter()
                    .position(|c| &c.option == *option)
                    .is_some_and(|i| !applied.contains(&i))
            })
            .cloned()
            .collect())
    }
}

/// The most builds a hunt may take before it gives up, as a multiple of the changes.
const BUILDS_PER_CHANGE: usize = 12;

pub struct ConfigHunt<'s, 'a> {
    pub session: &'s mut Session<'a>,
    pub plan: Plan,
    pub observer: Arc<dyn Observer>,
}

/// The tree's Kconfig, read once per hunt, for evaluating candidates natively.
struct NativeKconfig {
    tree: culprit_kconfig::kconfig::OpenTree,
    /// Per change, the other changes it cannot apply without (its `depends on` is off
    /// in the good configuration and the bad one turns the dependency on): candidates
    /// always carry them along, so no build is spent on a change that cannot apply.
    needs: Vec<BTreeSet<usize>>,
}

impl NativeKconfig {
    /// Reads the tree in `dir`, with the compiler probes' answers cached in `state`.
    fn open(dir: &str, state: &Path) -> Result<NativeKconfig> {
        let env: std::collections::HashMap<String, String> = std::env::vars().collect();
        let arch = env.get("ARCH").cloned();
        let probes = state.join(culprit_kconfig::kconfig::PROBE_CACHE_DIR);
        let tree = culprit_kconfig::kconfig::open_tree(
            Path::new(dir),
            arch.as_deref(),
            &env,
            Some(&probes),
        )
        .map_err(|e| HuntError::BadInput(format!("reading the Kconfig tree {dir}: {e}")))?;
        Ok(NativeKconfig {
            tree,
            needs: Vec::new(),
        })
    }

    /// Finds, for each change alone on the good configuration, the other changes it
    /// needs to apply (what the evaluator's fix search asks for, when the bad
    /// configuration has exactly that).
    fn learn_needs(&mut self, good: &KConfig, changes: &[Change]) {
        let needs = changes
            .iter()
            .map(|change| {
                let text = apply_changes(good, std::iter::once(change)).to_text();
                let name = change
                    .option
                    .strip_prefix("CONFIG_")
                    .unwrap_or(&change.option);
                let Some(unapplied) = self.evaluate(&text).unapplied_option(name) else {
                    return BTreeSet::new();
                };
                let found: Option<BTreeSet<usize>> = unapplied
                    .needs
                    .iter()
                    .map(|need| {
                        let (option, value) = need.split_once('=')?;
                        changes.iter().position(|c| {
                            c.option == option
                                && c.bad.as_ref().map_or("n".to_owned(), ToString::to_string)
                                    == value
                        })
                    })
                    .collect();
                found.unwrap_or_default()
            })
            .collect();
        self.needs = needs;
    }

    /// `set` with every change its members need, transitively.
    fn with_needs(&self, set: &BTreeSet<usize>) -> BTreeSet<usize> {
        let mut out = set.clone();
        let mut todo: Vec<usize> = set.iter().copied().collect();
        while let Some(i) = todo.pop() {
            for &j in self.needs.get(i).into_iter().flatten() {
                if out.insert(j) {
                    todo.push(j);
                }
            }
        }
        out
    }

    fn evaluate(&self, text: &str) -> culprit_kconfig::kconfig::Evaluation<'_> {
        let mut input = culprit_kconfig::kconfig::Input::default();
        // The candidate is culprit's own text: a line it cannot read is not the user's.
        let _ = input.parse(text, "the candidate", false);
        self.tree
            .kconfig
            .olddefconfig_as(&input, self.tree.semantics)
    }

    /// The candidate as the tree's `make olddefconfig` would leave it.
    fn normalize(&self, text: &str) -> String {
        self.evaluate(text).dot_config().to_owned()
    }

    /// Reasons and needed assignments for each not-applied option of the candidate.
    fn explain(&self, text: &str, views: &mut [NotApplied]) {
        let mut evaluation = self.evaluate(text);
        let unapplied = evaluation.unapplied();
        for view in views {
            if let Some(u) = unapplied.iter().find(|u| u.option == view.option) {
                view.reasons = u.reasons.iter().map(|r| r.message.clone()).collect();
                view.needs = u.needs.clone();
            }
        }
    }
}

impl ConfigHunt<'_, '_> {
    fn say(&self, line: String) {
        self.observer.line(&line);
    }

    pub fn hunt(&mut self) -> Result<ConfigHuntResult> {
        let native = match &self.plan.kconfig_tree {
            Some(dir) => {
                let native = NativeKconfig::open(dir, self.session.journal.dir())?;
                self.say(format!(
                    "evaluating candidates with culprit's Kconfig evaluator (the Kconfig of {dir})"
                ));
                Some(native)
            }
            None => None,
        };
        let mut native = native;
        let good = parse(&self.plan.good_text, &self.plan.good_path)?;
        let bad = parse(&self.plan.bad_text, &self.plan.bad_path)?;
        let changes = culprit_kconfig::diff(&good, &bad);
        let n = changes.len();
        self.say(format!(
            "{n} options differ between the good and the bad configuration"
        ));
        if let Some(native) = native.as_mut() {
            native.learn_needs(&good, &changes);
            for (i, needs) in native.needs.iter().enumerate() {
                if !needs.is_empty() {
                    self.say(format!(
                        "{} applies only with {}: candidates with it get them too",
                        changes[i].option,
                        describe_set(needs, &changes)
                    ));
                }
            }
        }
        let native = native.as_ref();

        // The bad endpoint decides which tests have something to hunt.
        let all: BTreeSet<usize> = (0..n).collect();
        // Both endpoints in one batch: the bad one decides which tests have something to
        // hunt, the good one must pass those.
        let mut endpoints = self.build_settled(
            native,
            &good,
            &changes,
            &[all.clone(), BTreeSet::new()],
            &self.plan.tests.clone(),
        )?;
        let good_result = endpoints.remove(1);
        let bad_result = endpoints.remove(0);
        if let Some(failed) = bad_result
            .normalize
            .as_ref()
            .filter(|r| r.outcome != culprit_console::Outcome::Pass)
        {
            return Err(HuntError::BadInput(format!(
                "the normalizer failed on the bad configuration: {}; see {}",
                failed.outcome,
                failed.log.display()
            )));
        }
        let mut targets = BTreeMap::new();
        let mut behaviour = BTreeMap::new();
        for run in &bad_result.tests {
            let target = match &self.plan.target {
                Some(explicit) => {
                    (explicit.judge_run(run) == Judgement::Bad).then(|| explicit.clone())
                }
                None => Target::of_bad(run),
            };
            behaviour.insert(
                run.name.clone(),
                match &target {
                    Some(_) => format!("fails at bad: {}", run.outcome),
                    None => format!("passes at bad ({})", run.outcome.word()),
                },
            );
            if let Some(target) = target {
                targets.insert(run.name.clone(), target);
            }
        }
        if targets.is_empty() {
            return Err(HuntError::BadInput(format!(
                "every test passes with the bad configuration {} (after normalizing): nothing to hunt",
                self.plan.bad_path
            )));
        }
        let tests: Vec<String> = targets.keys().cloned().collect();
        self.say(format!(
            "hunting {}",
            targets
                .iter()
                .map(|(t, target)| format!("{t} ({})", target.describe()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(failed) = good_result
            .normalize
            .as_ref()
            .filter(|r| r.outcome != culprit_console::Outcome::Pass)
        {
            return Err(HuntError::BadInput(format!(
                "the normalizer failed on the good configuration: {}; see {}",
                failed.outcome,
                failed.log.display()
            )));
        }
        for test in &tests {
            let single = BTreeMap::from([(test.clone(), targets[test].clone())]);
            let judgement = judge(&good_result, &single);
            if judgement != Judgement::Good {
                return Err(HuntError::BadInput(format!(
                    "test {test} does not pass with the good configuration {}: {}; give a good configuration that passes",
                    self.plan.good_path,
                    judgement
                )));
            }
        }

        let options = if self.plan.confirmations > 1 {
            ConfigSearchOptions::flaky(self.plan.confirmations)
        } else {
            ConfigSearchOptions::default()
        };
        let mut search = ConfigSearch::new(n, tests.clone(), options)
            .named(changes.iter().map(|c| c.option.clone()).collect())
            .avoiding_in_cures(valued(&changes));
        let mut failures = Failures {
            others: self.plan.target.is_none().then(BTreeMap::new),
            targets,
        };
        let mut not_applied_seen: BTreeMap<String, NotApplied> = BTreeMap::new();
        self.record(
            &mut search,
            &changes,
            &good,
            &all,
            &bad_result,
            &mut failures,
            &mut not_applied_seen,
        )?;
        self.record(
            &mut search,
            &changes,
            &good,
            &BTreeSet::new(),
            &good_result,
            &mut failures,
            &mut not_applied_seen,
        )?;

        let workers = self.session.workers();
        let limit = BUILDS_PER_CHANGE * n + 50;
        let mut message = None;
        let mut announced = BTreeSet::new();
        // Builds running now, by ticket, with their infrastructure retries so far: a free
        // worker gets the next build at once, chosen with the running ones in mind.
        let mut running: BTreeMap<Ticket, (BTreeSet<usize>, u32)> = BTreeMap::new();
        loop {
            while self.session.wants_work() {
                let pending: Vec<BTreeSet<usize>> =
                    running.values().map(|(set, _)| set.clone()).collect();
                let Some(set) = search.next_with_pending(1, &pending).pop() else {
                    break;
                };
                let builds = search.status().builds + running.len();
                if builds >= limit {
                    message = Some(format!(
                        "stopped after {limit} builds without an answer for every test"
                    ));
                    break;
                }
                let request = self.candidate(native, &good, &changes, &set, &tests);
                let ticket = self.session.submit(request)?;
                self.say(format!(
                    "build {}: {}{}",
                    builds + 1,
                    describe_set(&grouped(native, &set), &changes),
                    self.session.mark(ticket)
                ));
                self.observer.event(Event::Status {
                    suspects: None,
                    runs: self.session.counts().runs,
                    steps_left: None,
                    workers,
                });
                running.insert(ticket, (set, 0));
            }
            let Some((ticket, result)) = self.session.next_finished()? else {
                break;
            };
            let Some((set, retries)) = running.remove(&ticket) else {
                continue;
            };
            if result.infra_failed() && retries < INFRA_RETRIES {
                self.say(format!(
                    "{}: infrastructure error; building it again{}",
                    describe_set(&grouped(native, &set), &changes),
                    self.session.mark(ticket)
                ));
                let request = self.candidate(native, &good, &changes, &set, &tests);
                running.insert(self.session.submit(request)?, (set, retries + 1));
                continue;
            }
            let verdicts = self.record(
                &mut search,
                &changes,
                &good,
                &set,
                &result,
                &mut failures,
                &mut not_applied_seen,
            )?;
            self.announce_costly(&search, &changes, &mut announced);
            self.say(format!(
                "{}: {}{}{}",
                describe_set(&grouped(native, &set), &changes),
                verdicts
                    .iter()
                    .map(|(test, verdict)| format!("{test} {}", verdict_word(verdict)))
                    .collect::<Vec<_>>()
                    .join(", "),
                ran_on(result.place.as_ref(), workers),
                self.session.mark(ticket)
            ));
        }

        // A step whose result ended the loop early (a retry, the last proof) may be the
        // one that showed an option costly: the answer names none the display did not.
        self.announce_costly(&search, &changes, &mut announced);
        let costly_options: Vec<CostlyOption> = search
            .costs()
            .costly()
            .into_iter()
            .map(|c| CostlyOption {
                option: changes[c.change].option.clone(),
                seconds_with: c.with,
                seconds_without: c.without,
            })
            .collect();
        let status = search.status();
        let never: BTreeSet<&str> = status
            .never_applied
            .iter()
            .map(|&i| changes[i].option.as_str())
            .collect();
        let mut culprits = Vec::new();
        let mut all_found = true;
        for (test, test_status) in &status.tests {
            match test_status {
                TestStatus::Done {
                    culprit_sets,
                    others,
                    cure,
                } => {
                    if culprit_sets.is_empty() && others.is_empty() {
                        all_found = false;
                    }
                    let cure_text = fragment(
                        without_what_goes_with_its_needs(native, cure)
                            .iter()
                            .map(|&i| (&changes[i].option, changes[i].good.as_ref())),
                    );
                    let cure_verified = search.built(&all.difference(cure).copied().collect());
                    let target = &failures.targets[test];
                    let by_failure = std::iter::once((target, culprit_sets)).chain(
                        others
                            .iter()
                            .map(|o| (failures.other(&o.failure), &o.culprit_sets)),
                    );
                    for (target, sets) in by_failure {
                        for (set, built) in
                            minimal_with_needs(native, sets, |set| search.built(set))
                        {
                            let set = &set;
                            culprits.push(TestCulprits {
                                test: test.clone(),
                                options: set.iter().map(|&i| changes[i].option.clone()).collect(),
                                outcome: target_word(target),
                                title: target_title(target),
                                reproduce: fragment(
                                    set.iter()
                                        .map(|&i| (&changes[i].option, changes[i].bad.as_ref())),
                                ),
                                reproduce_verified: built,
                                cure: cure_text.clone(),
                                cure_verified,
                            });
                        }
                    }
                }
                TestStatus::Inconclusive { reason } => {
                    all_found = false;
                    message.get_or_insert_with(|| format!("{test}: {reason}"));
                }
                TestStatus::Searching => all_found = false,
            }
        }
        let mut not_applied: Vec<NotApplied> = not_applied_seen
            .into_values()
            .filter(|view| never.contains(view.option.as_str()))
            .collect();
        if let Some(native) = native {
            let bad_candidate = apply_changes(&good, changes.iter());
            native.explain(&bad_candidate.to_text(), &mut not_applied);
        }
        let counts = self.session.counts();
        Ok(ConfigHuntResult {
            status: if all_found {
                HuntStatus::Found
            } else {
                HuntStatus::Inconclusive
            },
            culprits,
            not_applied,
            tests: behaviour,
            changes: n,
            builds: counts.builds,
            runs: counts.runs,
            steps: counts.steps,
            message,
            costly_options,
            retried: self.session.retried(),
        })
    }

    /// Builds and boots each requested subset, then runs again (up to a limit) any whose
    /// infrastructure failed, so that a flake of the lab is never read as a verdict.
    fn build_settled(
        &mut self,
        native: Option<&NativeKconfig>,
        good: &KConfig,
        changes: &[Change],
        sets: &[BTreeSet<usize>],
        tests: &[String],
    ) -> Result<Vec<StepResult>> {
        let mut results = self.build_candidates(native, good, changes, sets, tests)?;
        for (set, result) in sets.iter().zip(results.iter_mut()) {
            for _ in 0..INFRA_RETRIES {
                if !result.infra_failed() {
                    break;
                }
                self.say(format!(
                    "{}: infrastructure error; building it again",
                    describe_set(set, changes)
                ));
                *result = self
                    .build_candidates(native, good, changes, std::slice::from_ref(set), tests)?
                    .remove(0);
            }
        }
        Ok(results)
    }

    /// Builds and boots each requested subset of changes on top of the good configuration.
    fn build_candidates(
        &mut self,
        native: Option<&NativeKconfig>,
        good: &KConfig,
        changes: &[Change],
        sets: &[BTreeSet<usize>],
        tests: &[String],
    ) -> Result<Vec<StepResult>> {
        let requests = sets
            .iter()
            .map(|set| self.candidate(native, good, changes, set, tests))
            .collect();
        self.session.run(requests)
    }

    /// The step that builds and boots one subset of changes on top of the good
    /// configuration.
    fn candidate(
        &self,
        native: Option<&NativeKconfig>,
        good: &KConfig,
        changes: &[Change],
        set: &BTreeSet<usize>,
        tests: &[String],
    ) -> Request {
        let set = &grouped(native, set);
        let candidate = apply_changes(good, set.iter().map(|&i| &changes[i]));
        let mut text = candidate.to_text();
        let own_normalizer = self
            .session
            .config
            .config
            .as_ref()
            .is_some_and(|c| c.normalize.is_some());
        if let (Some(native), false) = (native, own_normalizer) {
            text = native.normalize(&text);
        }
        let digest = hex(&Sha256::digest(text.as_bytes()));
        Request {
            phase: "config".into(),
            key: digest.clone(),
            prepare: Prepare::Checkout(self.plan.rev.clone()),
            tests: tests.to_vec(),
            placeholders: Vec::new(),
            // One build serves every test, and each test's search needs its own
            // verdict: no step ends early.
            stop_at: BTreeMap::new(),
            config_text: Some(text),
            cache_key: (self.plan.confirmations <= 1).then(|| {
                format!(
                    "config:{digest}|{}{}|{}|{}",
                    self.plan.rev,
                    self.plan
                        .fixups
                        .iter()
                        .map(|f| format!("+{f}"))
                        .collect::<String>(),
                    self.plan.recipe,
                    tests.join(",")
                )
            }),
            note: json!({ "options": set.iter().map(|&i| changes[i].option.clone()).collect::<Vec<_>>() }),
            fixups: self.plan.fixups.clone(),
        }
    }

    /// Says, once each, which options make builds slow, as soon as the builds show it.
    fn announce_costly(
        &self,
        search: &ConfigSearch,
        changes: &[Change],
        announced: &mut BTreeSet<usize>,
    ) {
        for costly in search.costs().costly() {
            if announced.insert(costly.change) {
                self.say(format!(
                    "{}: candidates with it take {:.0} s to build, {:.0} s without; \
                     the search builds the cheaper of equally useful candidates first",
                    changes[costly.change].option, costly.with, costly.without
                ));
            }
        }
    }
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        search: &mut ConfigSearch,
        changes: &[Change],
        good: &KConfig,
        requested: &BTreeSet<usize>,
        result: &StepResult,
        failures: &mut Failures,
        not_applied_seen: &mut BTreeMap<String, NotApplied>,
    ) -> Result<BTreeMap<String, Verdict>> {
        let applied = match &result.effective_config {
            Some(text) => {
                let effective = parse(text, "the effective configuration")?;
                let requested_config = apply_changes(good, requested.iter().map(|&i| &changes[i]));
                let options: BTreeSet<&str> = requested
                    .iter()
                    .map(|&i| changes[i].option.as_str())
                    .collect();
                for missing in not_applied(&requested_config, &effective) {
                    if options.contains(missing.option.as_str()) {
                        not_applied_seen
                            .entry(missing.option.clone())
                            .or_insert(NotApplied {
                                option: missing.option.clone(),
                                requested: missing.requested.to_string(),
                                got: missing
                                    .got
                                    .map_or_else(|| "not set".to_string(), |v| v.to_string()),
                                reasons: Vec::new(),
                                needs: Vec::new(),
                            });
                    }
                }
                applied_changes(changes, &effective)
                    .intersection(requested)
                    .copied()
                    .collect()
            }
            None => requested.clone(),
        };
        let verdicts: BTreeMap<String, Verdict> = failures
            .targets
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .into_iter()
            .map(|test| {
                let verdict = failures.verdict(result, &test);
                (test, verdict)
            })
            .collect();
        search.record(requested, &applied, &verdicts)?;
        if let Some(build) = &result.build {
            search.record_build_time(&applied, build.duration_s);
        }
        Ok(verdicts)
    }
}

/// What each test is hunted for, and the other failures met on the way.
struct Failures {
    /// Per test: the failure the hunt is for (the bad configuration's, or `--target`).
    targets: BTreeMap<String, Target>,
    /// With the default target, every other failure a candidate shows is a bug of its
    /// own, hunted too: each by its description, with what it is. `None` with an
    /// explicit `--target`: the user said what to hunt, and the rest is untestable.
    others: Option<BTreeMap<String, Target>>,
}

impl Failures {
    fn verdict(&mut self, result: &StepResult, test: &str) -> Verdict {
        let single = BTreeMap::from([(test.to_string(), self.targets[test].clone())]);
        match judge(result, &single) {
            Judgement::Good => Verdict::Good,
            Judgement::Bad => Verdict::Bad,
            Judgement::Retry(_) => Verdict::Skip,
            Judgement::Untestable(_) => {
                let failure = run_of(result, test).and_then(Target::of_bad);
                match (&mut self.others, failure) {
                    (Some(others), Some(failure)) => {
                        let mut name = failure.describe();
                        // The target's own report at another stage: told apart by it.
                        if let Target::Signature {
                            stage: Some(stage), ..
                        } = &failure
                        {
                            if name == self.targets[test].describe() {
                                name = format!("{name} at stage {stage}");
                            }
                        }
                        others.entry(name.clone()).or_insert(failure);
                        Verdict::Other(name)
                    }
                    _ => Verdict::Skip,
                }
            }
        }
    }

    /// The other failure recorded under `name` (every name the search returns was
    /// recorded here first).
    fn other(&self, name: &str) -> &Target {
        self.others
            .as_ref()
            .and_then(|others| others.get(name))
            .unwrap_or(&Target::AnyFailure)
    }
}

/// The changes that give an option a string or a number: a cure reverts the option that
/// guards them instead, where it can.
fn valued(changes: &[Change]) -> BTreeSet<usize> {
    let is_value = |v: &Option<culprit_kconfig::Value>| {
        v.as_ref().is_some_and(|v| {
            !matches!(
                v,
                culprit_kconfig::Value::Bool(_)
                    | culprit_kconfig::Value::Module
                    | culprit_kconfig::Value::Unset
            )
        })
    };
    changes
        .iter()
        .enumerate()
        .filter(|(_, c)| is_value(&c.good) || is_value(&c.bad))
        .map(|(i, _)| i)
        .collect()
}

/// What a test did in a step: the build's failure if the build failed, else its run's.
/// The run that decided `test`'s verdict: a build that did not pass, else the test's own.
fn run_of<'r>(result: &'r StepResult, test: &str) -> Option<&'r RunRecord> {
    match result
        .build
        .as_ref()
        .filter(|b| b.outcome != culprit_console::Outcome::Pass)
    {
        Some(build) => Some(build),
        None => result.tests.iter().find(|t| t.name == test),
    }
}

fn verdict_word(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Good => "good".into(),
        Verdict::Bad => "bad".into(),
        Verdict::Other(failure) => format!("fails another way: {failure}"),
        Verdict::Skip => "untestable".into(),
    }
}

/// The candidate that stands for `set`: with what its changes need to apply, when the
/// tree's Kconfig says.
fn grouped(native: Option<&NativeKconfig>, set: &BTreeSet<usize>) -> BTreeSet<usize> {
    native.map_or_else(|| set.clone(), |n| n.with_needs(set))
}

/// One failure's culprit sets as the answer gives them: each with what its options need
/// to apply (one set, since they are only ever built together), and with whether it was
/// built as it is. A set that holds another once its needs are added is not minimal: an
/// option that needs the real culprit looks guilty because its every build brings the
/// culprit along, and naming it would blame an innocent option.
fn minimal_with_needs(
    native: Option<&NativeKconfig>,
    sets: &[BTreeSet<usize>],
    built: impl Fn(&BTreeSet<usize>) -> bool,
) -> Vec<(BTreeSet<usize>, bool)> {
    let mut shown: Vec<(BTreeSet<usize>, bool)> = Vec::new();
    for set in sets {
        let with_needs = grouped(native, set);
        let was_built = built(set);
        match shown.iter_mut().find(|(s, _)| *s == with_needs) {
            Some((_, seen_built)) => *seen_built |= was_built,
            None => shown.push((with_needs, was_built)),
        }
    }
    let all = shown.clone();
    shown.retain(|(set, _)| {
        !all.iter()
            .any(|(other, _)| other.len() < set.len() && other.is_subset(set))
    });
    shown
}

/// A cure without the options that the cure's other options carry off with them: an
/// option whose need the cure turns off cannot apply either, so the cure a person would
/// write names only the need (the configuration built is the same).
fn without_what_goes_with_its_needs(
    native: Option<&NativeKconfig>,
    cure: &BTreeSet<usize>,
) -> BTreeSet<usize> {
    cure.iter()
        .copied()
        .filter(|&option| {
            let needs = grouped(native, &BTreeSet::from([option]));
            !needs.iter().any(|n| *n != option && cure.contains(n))
        })
        .collect()
}

/// A candidate in a progress line: its options as the user wrote them, cut after a few.
fn describe_set(set: &BTreeSet<usize>, changes: &[Change]) -> String {
    let names: Vec<String> = changes.iter().map(|c| c.option.clone()).collect();
    describe_changes(&set.iter().copied().collect::<Vec<_>>(), &names)
}

fn parse(text: &str, origin: &str) -> Result<KConfig> {
    KConfig::parse(text.as_bytes(), Path::new(origin), None)
        .with_context(|| format!("cannot read {origin} as a configuration"))
}

/// A fragment that sets each option to the given value (`None`: not set).
fn fragment<'a>(
    values: impl Iterator<Item = (&'a String, Option<&'a culprit_kconfig::Value>)>,
) -> String {
    let mut out = String::new();
    for (option, value) in values {
        match value {
            Some(v) if !v.is_off() => out.push_str(&format!("{option}={}\n", v)),
            _ => out.push_str(&format!("# {option} is not set\n")),
        }
    }
    out
}

fn target_word(target: &Target) -> String {
    match target {
        Target::Signature { signature, .. }
            if signature.kind.as_str() == "linker" || signature.kind.as_str() == "compiler" =>
        {
            "build-error".into()
        }
        Target::Signature { .. }
        | Target::Matching { .. }
        | Target::AnyFailure
        | Target::Case { .. } => "fail".into(),
        Target::HangAt { .. } | Target::Hang => "hang".into(),
        Target::BuildError => "build-error".into(),
    }
}

fn target_title(target: &Target) -> Option<String> {
    match target {
        Target::Signature { signature, .. } => Some(signature.title.clone()),
        Target::HangAt { stage } => Some(format!("hang at stage {stage}")),
        Target::Case { name } => Some(format!("case {name}")),
        _ => None,
    }
}
