//! Fixups in a commit hunt: which candidates get them, which fixup the automatic rule
//! finds, and what the answer says about them.
//!
//! A candidate that cannot be tested on its own (its build fails, or it crashes early
//! with another failure) is tried again with the active fixups applied on top of it. The
//! user names fixups (`--fixup`, `[bisect] fixups`); when build failures leave the answer
//! ambiguous, [`FixSearch`] (pure, in `culprit-search`) finds the commit that ended them
//! and it joins the active fixups for another round of the search.

use crate::commit_hunt::{judge, CommitHunt, Search};
use crate::error::Result;
use crate::step::StepResult;
use crate::target::{Judgement, Target};
use culprit_console::{Outcome, Signature};
use culprit_search::commit::{CommitGraph, FixSearch, Suspect, Verdict};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The fixups of a hunt and what they were used for.
#[derive(Debug, Default)]
pub struct Fixups {
    /// Fixups to apply to candidates that cannot be tested on their own, in order: the
    /// user's, then those the automatic rule found.
    pub active: Vec<String>,
    /// How many the user named (the first of `active`).
    pub named: usize,
    /// The fixups each candidate's verdict was obtained with.
    pub used: BTreeMap<usize, Vec<String>>,
    /// Candidates that could not be tested on their own.
    pub untestable: BTreeSet<usize>,
    /// Of those, the ones whose build failed, with the build error's signature.
    pub broken: BTreeMap<usize, Signature>,
}

/// How one fixup served the hunt, for the answer and the reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FixupUse {
    pub commit: String,
    /// Candidates whose verdict needed it.
    pub candidates: usize,
    /// Found by the automatic rule rather than named by the user.
    pub automatic: bool,
}

impl Fixups {
    pub fn new(named: Vec<String>) -> Fixups {
        Fixups {
            named: named.len(),
            active: named,
            ..Fixups::default()
        }
    }

    /// Records that `node` could not be tested on its own, and why its build failed.
    pub fn note_untestable(&mut self, node: usize, result: &StepResult) {
        self.untestable.insert(node);
        if let Some(signature) = build_signature(result) {
            self.broken.insert(node, signature);
        }
    }

    /// Whether `node` is known to need a fixup and one of the active fixups may help:
    /// one the candidate does not already contain.
    pub fn known_untestable(&self, graph: &CommitGraph, node: usize) -> bool {
        self.untestable.contains(&node)
            && self.active.iter().any(|fixup| {
                graph
                    .index(fixup)
                    .is_none_or(|f| !graph.is_ancestor(f, node))
            })
    }

    /// Each fixup that made some verdict possible, with how many.
    pub fn uses(&self) -> Vec<FixupUse> {
        self.active
            .iter()
            .enumerate()
            .filter_map(|(i, commit)| {
                let candidates = self.used.values().filter(|u| u.contains(commit)).count();
                (candidates > 0).then(|| FixupUse {
                    commit: commit.clone(),
                    candidates,
                    automatic: i >= self.named,
                })
            })
            .collect()
    }
}

/// The signature of a step's failed build.
fn build_signature(result: &StepResult) -> Option<Signature> {
    match &result.build.as_ref()?.outcome {
        Outcome::BuildError { signature } => Some(signature.clone()),
        _ => None,
    }
}

/// "tested with fixup X applied to 7 commits", for the answer.
pub fn tested_with(uses: &[FixupUse]) -> Option<String> {
    let parts: Vec<String> = uses
        .iter()
        .map(|u| {
            let commits = if u.candidates == 1 {
                "commit"
            } else {
                "commits"
            };
            format!(
                "fixup {} applied to {} {commits}",
                u.commit.chars().take(12).collect::<String>(),
                u.candidates
            )
        })
        .collect();
    (!parts.is_empty()).then(|| format!("tested with {}", parts.join(", ")))
}

impl CommitHunt<'_, '_> {
    /// The automatic rule: when the ambiguity is one of build failures, the commit that
    /// ended them (found by building the commits between the last failing build and the
    /// first that passes), to be tried as a fixup; `None` when there is none to try.
    pub(crate) fn find_fix(
        &mut self,
        graph: &CommitGraph,
        suspects: &[Suspect],
        targets: &BTreeMap<String, Target>,
        tests: &[String],
        search: &mut Search,
    ) -> Result<Option<String>> {
        let broken = search.fixes.broken.clone();
        let Some(mut fix_search) =
            FixSearch::from_ambiguity(graph, suspects, |n| broken.contains_key(&n))
        else {
            return Ok(None);
        };
        let signature = broken.get(&fix_search.last_broken()).cloned();
        let title = signature
            .as_ref()
            .map_or_else(String::new, |s| s.title.clone());
        self.say(format!(
            "{} suspects left that only builds tell apart; looking for the commit that ended the build failure `{title}`",
            suspects.len()
        ));
        while let Some(node) = fix_search.next() {
            let key = graph.id(node).to_string();
            let result = self.run("fixup-probe", &[key], tests)?.remove(0);
            fix_search.record(node, build_signature(&result) == signature);
            // A probe that builds is a search step like any other.
            let verdict = match judge(&result, targets) {
                Judgement::Good => Verdict::Good,
                Judgement::Bad => Verdict::Bad,
                Judgement::Untestable(reason) => {
                    search.fixes.note_untestable(node, &result);
                    Verdict::Skip { reason }
                }
                Judgement::Retry(_) => continue,
            };
            search.verdicts.push((node, verdict));
        }
        let Some(fix) = fix_search.fix() else {
            return Ok(None);
        };
        let id = graph.id(fix).to_string();
        if search.fixes.active.contains(&id) {
            return Ok(None);
        }
        self.say(format!(
            "{} is the first commit after {} whose build no longer fails with `{title}`: trying it as a fixup on the commits that did not build",
            self.label(&id),
            self.label(graph.id(fix_search.last_broken()))
        ));
        Ok(Some(id))
    }
}
