//! The search phase: the configuration search asks for candidates (subsets of the
//! changes on the good configuration), each free worker builds the next one at once, and
//! every build's verdicts per test go back to the search.

use super::applied::parse;
use super::failures::{verdict_word, Failures};
use super::needs::grouped;
use super::{option_names, ConfigHunt, Endpoints, Setup, BUILDS_PER_CHANGE};
use crate::error::Result;
use crate::executor::{Prepare, Work};
use crate::judge::{shown_place, INFRA_RETRIES};
use crate::observe::Event;
use crate::recipe::hex;
use crate::record::StepResult;
use crate::results::NotApplied;
use crate::session::{Request, Ticket};
use crate::told::Told;
use culprit_kconfig::{applied_changes, apply_changes, not_applied, Change, Config as DotConfig};
use culprit_search::config::{ConfigSearch, ConfigSearchOptions, Verdict};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// What the search phase hands the conclusion.
pub(super) struct Searched {
    pub(super) search: ConfigSearch,
    pub(super) failures: Failures,
    pub(super) not_applied_seen: BTreeMap<String, NotApplied>,
    pub(super) message: Option<String>,
    pub(super) announced: BTreeSet<usize>,
}

impl ConfigHunt<'_, '_> {
    pub(super) fn search_phase(&mut self, setup: &Setup, start: &Endpoints) -> Result<Searched> {
        let options = if self.plan.confirmations > 1 {
            ConfigSearchOptions::flaky(self.plan.confirmations)
        } else {
            ConfigSearchOptions::default()
        };
        let native = setup.native.as_ref();
        let (good, changes) = (&setup.good, &setup.changes);
        let n = changes.len();
        let all: BTreeSet<usize> = (0..n).collect();
        let tests: Vec<String> = start.targets.keys().cloned().collect();
        let mut search = ConfigSearch::new(n, tests.clone(), options)
            .named(changes.iter().map(|c| c.option.clone()).collect())
            .avoiding_in_cures(valued(changes));
        let mut failures = Failures {
            others: self.plan.target.is_none().then(BTreeMap::new),
            targets: start.targets.clone(),
        };
        let mut not_applied_seen: BTreeMap<String, NotApplied> = BTreeMap::new();
        self.record(
            &mut search,
            changes,
            good,
            &all,
            &start.bad_result,
            &mut failures,
            &mut not_applied_seen,
        )?;
        self.record(
            &mut search,
            changes,
            good,
            &BTreeSet::new(),
            &start.good_result,
            &mut failures,
            &mut not_applied_seen,
        )?;

        let workers = self.session.workers();
        let limit = BUILDS_PER_CHANGE * n + 50;
        let mut message = None;
        let mut announced = BTreeSet::new();
        // Builds running now, by ticket, with their infrastructure retries so far and
        // their number: a free worker gets the next build at once, chosen with the
        // running ones in mind.
        let mut running: BTreeMap<Ticket, (BTreeSet<usize>, u32, usize)> = BTreeMap::new();
        loop {
            while self.session.wants_work() {
                let pending: Vec<BTreeSet<usize>> =
                    running.values().map(|(set, ..)| set.clone()).collect();
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
                let request = self.candidate(setup, &set, &tests);
                let ticket = self.session.submit(request)?;
                self.tell(Told::Building {
                    number: builds + 1,
                    options: option_names(&grouped(native, &set), changes),
                    of: n,
                    replayed: self.session.replayed(ticket),
                });
                self.observer.event(Event::Status {
                    suspects: None,
                    runs: self.session.counts().runs,
                    steps_left: None,
                    workers,
                });
                running.insert(ticket, (set, 0, builds + 1));
            }
            let Some((ticket, result)) = self.session.next_finished()? else {
                break;
            };
            let Some((set, retries, number)) = running.remove(&ticket) else {
                continue;
            };
            if result.infra_failed() && retries < INFRA_RETRIES {
                self.tell(Told::BuildAgain {
                    number,
                    replayed: self.session.replayed(ticket),
                });
                let request = self.candidate(setup, &set, &tests);
                running.insert(self.session.submit(request)?, (set, retries + 1, number));
                continue;
            }
            let verdicts = self.record(
                &mut search,
                changes,
                good,
                &set,
                &result,
                &mut failures,
                &mut not_applied_seen,
            )?;
            self.announce_costly(&search, changes, &mut announced);
            self.tell(Told::Built {
                number,
                verdicts: verdicts
                    .iter()
                    .map(|(test, verdict)| (test.clone(), verdict_word(verdict)))
                    .collect(),
                place: shown_place(&result, workers),
                replayed: self.session.replayed(ticket),
            });
        }

        Ok(Searched {
            search,
            failures,
            not_applied_seen,
            message,
            announced,
        })
    }

    /// Builds and boots each requested subset, then runs again (up to a limit) any whose
    /// infrastructure failed, so that a flake of the lab is never read as a verdict.
    pub(super) fn build_settled(
        &mut self,
        setup: &Setup,
        sets: &[BTreeSet<usize>],
        tests: &[String],
    ) -> Result<Vec<StepResult>> {
        let mut results = self.build_candidates(setup, sets, tests)?;
        for (number, (set, result)) in sets.iter().zip(results.iter_mut()).enumerate() {
            for _ in 0..INFRA_RETRIES {
                if !result.infra_failed() {
                    break;
                }
                self.tell(Told::BuildAgain {
                    number: number + 1,
                    replayed: false,
                });
                *result = self
                    .build_candidates(setup, std::slice::from_ref(set), tests)?
                    .remove(0);
            }
        }
        Ok(results)
    }

    /// Builds and boots each requested subset of changes on top of the good configuration.
    fn build_candidates(
        &mut self,
        setup: &Setup,
        sets: &[BTreeSet<usize>],
        tests: &[String],
    ) -> Result<Vec<StepResult>> {
        let requests = sets
            .iter()
            .map(|set| self.candidate(setup, set, tests))
            .collect();
        self.session.run(requests)
    }

    /// The step that builds and boots one subset of changes on top of the good
    /// configuration.
    fn candidate(&self, setup: &Setup, set: &BTreeSet<usize>, tests: &[String]) -> Request {
        let native = setup.native.as_ref();
        let set = &grouped(native, set);
        let candidate = apply_changes(&setup.good, set.iter().map(|&i| &setup.changes[i]));
        let mut text = candidate.to_text();
        let own_normalizer = self
            .session
            .manifest
            .config
            .as_ref()
            .is_some_and(|c| c.normalize.is_some());
        if let (Some(native), false) = (native, own_normalizer) {
            text = native.kconfig.normalize(&text);
        }
        let digest = hex(&Sha256::digest(text.as_bytes()));
        Request {
            phase: "config".into(),
            key: digest.clone(),
            work: Work {
                prepare: Prepare::Checkout(self.plan.rev.clone()),
                tests: tests.to_vec(),
                placeholders: Vec::new(),
                // One build serves every test, and each test's search needs its own
                // verdict: no step ends early.
                stop_at: BTreeMap::new(),
                config_text: Some(text),
                fixups: self.plan.fixups.clone(),
            },
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
            note: json!({ "options": set.iter().map(|&i| setup.changes[i].option.clone()).collect::<Vec<_>>() }),
            // A configuration may slow a boot down for good reasons (a sanitizer, a
            // debug option): only the fixed timeouts tell its hangs.
            learned_deadlines: false,
        }
    }

    /// Says, once each, which options make builds slow, as soon as the builds show it.
    pub(super) fn announce_costly(
        &self,
        search: &ConfigSearch,
        changes: &[Change],
        announced: &mut BTreeSet<usize>,
    ) {
        for costly in search.costs().costly() {
            if announced.insert(costly.change) {
                self.tell(Told::Costly {
                    option: changes[costly.change].option.clone(),
                    seconds_with: costly.with,
                    seconds_without: costly.without,
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        search: &mut ConfigSearch,
        changes: &[Change],
        good: &DotConfig,
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
