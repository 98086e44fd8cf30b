//! The conclusion phase: the bisection's last answer as the hunt's answer (found and
//! verified, ambiguous between suspects, a flake with no culprit, or inconclusive, each
//! with why).

use super::endpoints::{Endpoints, FLAKY_BAD_ATTEMPTS};
use super::fixups::{tested_with, FixupUse};
use super::search::Search;
use super::{CommitHunt, PriorUse};
use crate::error::Result;
use crate::flaky_rates::FlakyRates;
use crate::status::HuntStatus;
use crate::target::Target;
use culprit_search::commit::{Bisection, CommitGraph, Status, SuspectReason};
use std::collections::BTreeMap;

/// What the hunt concluded.
#[derive(Clone, Debug)]
pub struct Conclusion {
    pub status: HuntStatus,
    pub culprit: Option<String>,
    pub suspects: Vec<(String, String, f64)>,
    pub confidence: f64,
    pub targets: BTreeMap<String, Target>,
    /// The failure rates an intermittent failure's search learned.
    pub flaky: Option<FlakyRates>,
    pub verification: Vec<String>,
    pub message: Option<String>,
    /// The fixups that made verdicts possible.
    pub fixups: Vec<FixupUse>,
    /// The prior the search started from (`None` when the hunt ended before the search).
    pub prior: Option<PriorUse>,
}

impl Conclusion {
    /// The answer of an intermittent failure that never showed at the bad endpoint.
    pub(super) fn not_reproduced(bad: &str) -> Conclusion {
        Conclusion {
            status: HuntStatus::Inconclusive,
            culprit: None,
            suspects: Vec::new(),
            confidence: 0.0,
            targets: BTreeMap::new(),
            flaky: None,
            verification: Vec::new(),
            message: Some(format!(
                "the bad revision {bad} did not fail in {FLAKY_BAD_ATTEMPTS} runs: the failure shows more rarely than that, or no longer; nothing to hunt until it fails again"
            )),
            fixups: Vec::new(),
            prior: None,
        }
    }
}

impl CommitHunt<'_, '_> {
    pub(super) fn conclude(
        &mut self,
        graph: &CommitGraph,
        start: &Endpoints,
        flaky: bool,
        bisection: Bisection<'_>,
        search: Search,
    ) -> Result<Conclusion> {
        let capped = search.capped;
        let search_runs = search.runs;

        let mut conclusion = Conclusion {
            status: HuntStatus::Inconclusive,
            culprit: None,
            suspects: Vec::new(),
            confidence: 0.0,
            targets: start.targets.clone(),
            flaky: bisection
                .learned_rates()
                .filter(|_| flaky)
                .map(|(bad, good)| FlakyRates {
                    p_fail_if_bad: bad,
                    p_fail_if_good: good,
                }),
            verification: Vec::new(),
            message: None,
            fixups: search.fixes.uses(),
            prior: None,
        };
        match bisection.status() {
            Status::Found {
                culprit,
                confidence,
            } => {
                let id = graph.id(culprit).to_string();
                conclusion.status = HuntStatus::Found;
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
                    graph,
                    culprit,
                    &start.targets,
                    &start.target_tests,
                    &fixups,
                    &mut conclusion,
                )?;
            }
            Status::Ambiguous { suspects } => {
                conclusion.status = HuntStatus::Ambiguous;
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
                rate,
                good,
                bad,
            } => {
                conclusion.status = HuntStatus::Flake;
                conclusion.flaky = Some(FlakyRates {
                    p_fail_if_bad: rate,
                    p_fail_if_good: rate,
                });
                conclusion.confidence = probability;
                conclusion.message = Some(format!(
                    "no commit in the range changes how often this fails: it failed {} of {} runs at the good endpoint and {} of {} at the bad one (no culprit at probability {probability:.3})",
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
}
