//! Fixups in a commit hunt: which candidates get them, which fixup the automatic rule
//! finds, and what the answer says about them.
//!
//! A candidate that cannot be tested on its own (its build fails, or it crashes early
//! with another failure) is tried again with the active fixups applied on top of it. The
//! user names fixups (`--fixup`, `[bisect] fixups`); when build failures leave the answer
//! ambiguous, [`FixSearch`] (pure, in `culprit-search`) finds the commit that ended them
//! and it joins the active fixups for another round of the search.

use super::search::Search;
use super::CommitHunt;
use crate::error::Result;
use crate::judge::judge;
use crate::judgement::Judgement;
use crate::record::fixups_label;
use crate::record::StepResult;
use crate::target::Target;
use crate::told::Told;
use culprit_console::{Outcome, Signature};
use culprit_search::commit::{CommitGraph, FixSearch, Suspect, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The fixups of a hunt and what they were used for.
#[derive(Debug, Default)]
pub struct Fixups {
    /// Fixups to apply to candidates that cannot be tested on their own, in order: the
    /// user's, then those the automatic rule found.
    pub active: Vec<String>,
    /// How many the user named (the first of `active`).
    pub named: usize,
    /// The candidates whose verdict was obtained with fixups.
    pub used: BTreeMap<usize, FixedVerdict>,
    /// Candidates whose bad verdict with fixups was not trusted: their fixups are not
    /// tried on them again.
    pub distrusted: BTreeSet<usize>,
    /// Candidates bad with fixups whose parent, outside the range, passed with them.
    pub vouched: BTreeSet<usize>,
    /// Candidates that could not be tested on their own.
    pub untestable: BTreeSet<usize>,
    /// Why each of those could not be tested on its own.
    pub reasons: BTreeMap<usize, String>,
    /// Of those, the ones whose build failed, with the build error's signature.
    pub broken: BTreeMap<usize, Signature>,
    /// Up front: each candidate whose failed build a fix was found for, with the fix.
    pub cures: Vec<(usize, String)>,
}

/// A verdict obtained with fixups applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixedVerdict {
    pub fixups: Vec<String>,
    pub bad: bool,
}

/// How one fixup served the hunt, for the answer and the reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
    pub fn note_untestable(&mut self, node: usize, result: &StepResult, reason: &str) {
        self.untestable.insert(node);
        self.reasons.insert(node, reason.to_string());
        if let Some(signature) = build_signature(result) {
            self.broken.insert(node, signature);
        }
    }

    /// A skip's reason: with fixups, what the candidate does on its own comes first.
    pub fn skip_reason(&self, node: usize, fixed: bool, reason: String) -> String {
        match self.reasons.get(&node) {
            Some(own) if fixed && *own != reason => format!("{own}; {reason}"),
            _ => reason,
        }
    }

    /// Whether `node` is known to need a fixup and one of the active fixups may help:
    /// one the candidate does not already contain.
    pub fn known_untestable(&self, graph: &CommitGraph, node: usize) -> bool {
        self.untestable.contains(&node)
            && !self.distrusted.contains(&node)
            && self.active.iter().any(|fixup| {
                graph
                    .index(fixup)
                    .is_none_or(|f| !graph.is_ancestor(f, node))
            })
    }

    /// Whether `node` lies in a window a fix was found for up front: it descends from the
    /// candidate whose build failed, not from the fix. Such a candidate most likely
    /// fails to build the same way, so it gets the fix at once rather than after a
    /// failed build of its own.
    pub fn presumed_broken(&self, graph: &CommitGraph, node: usize) -> bool {
        !self.distrusted.contains(&node)
            && self.cures.iter().any(|(failed, fix)| {
                graph.is_ancestor(*failed, node)
                    && graph.index(fix).is_none_or(|f| !graph.is_ancestor(f, node))
            })
    }

    /// Each fixup that made some verdict possible, with how many.
    pub fn uses(&self) -> Vec<FixupUse> {
        self.active
            .iter()
            .enumerate()
            .filter_map(|(i, commit)| {
                let candidates = self
                    .used
                    .values()
                    .filter(|u| u.fixups.contains(commit))
                    .count();
                (candidates > 0).then(|| FixupUse {
                    commit: commit.clone(),
                    candidates,
                    automatic: i >= self.named,
                })
            })
            .collect()
    }
}

/// The candidates whose bad verdict with fixups says nothing yet: a fixup may carry the
/// failure itself (the commit that ended a build failure can be the one that brought
/// the bug), so "bad with fixup F" clears nothing until some ancestor passed with the
/// same fixups. Pure: the verdicts alone decide.
pub fn unexonerated(graph: &CommitGraph, fixes: &Fixups) -> Vec<usize> {
    let used = &fixes.used;
    used.iter()
        .filter(|(node, verdict)| {
            verdict.bad
                && !fixes.vouched.contains(node)
                && !used.iter().any(|(other, v)| {
                    !v.bad && v.fixups == verdict.fixups && graph.is_ancestor(*other, **node)
                })
        })
        .map(|(node, _)| *node)
        .collect()
}

/// The signature of a step's failed build.
fn build_signature(result: &StepResult) -> Option<Signature> {
    match &result.build.as_ref()?.outcome {
        Outcome::BuildError { signature } => Some(signature.clone()),
        _ => None,
    }
}

/// A build error's title for the progress lines (empty when unknown).
fn title(signature: &Option<Signature>) -> String {
    signature
        .as_ref()
        .map_or_else(String::new, |s| s.title.clone())
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
    /// Checks each bad verdict obtained with fixups that no passing ancestor with the
    /// same fixups vouches for, by running the candidate's parent with those fixups:
    /// when it passes, the verdict stands; otherwise it becomes a skip. Returns whether
    /// any verdict changed (the search then starts again from the verdicts).
    pub(crate) fn exonerate(
        &mut self,
        graph: &CommitGraph,
        targets: &BTreeMap<String, Target>,
        tests: &[String],
        search: &mut Search,
    ) -> Result<bool> {
        let mut changed = false;
        for node in unexonerated(graph, &search.fixes) {
            let Some(fixed) = search.fixes.used.get(&node).cloned() else {
                continue;
            };
            let key = graph.id(node).to_string();
            let label = fixups_label(&fixed.fixups);
            let parent = self.first_parent(&key);
            let checked = match &parent {
                Some(parent) => {
                    self.tell(Told::CheckingFixupParent {
                        candidate: key.clone(),
                        parent: parent.clone(),
                        fixups: fixed.fixups.clone(),
                    });
                    let mut request = self.request("fixup-check", parent, tests, &self.stop_at);
                    request.work.fixups = fixed.fixups.clone();
                    let result = self.session.run(vec![request])?.remove(0);
                    let judgement = judge(&result, targets);
                    self.tell(Told::FixupParentJudged {
                        parent: parent.clone(),
                        judgement: judgement.clone(),
                    });
                    judgement
                }
                None => Judgement::Untestable("it has no parent to compare with".into()),
            };
            match (checked, parent.as_deref().and_then(|p| graph.index(p))) {
                (Judgement::Good, Some(p)) => {
                    search.fixes.used.insert(
                        p,
                        FixedVerdict {
                            fixups: fixed.fixups,
                            bad: false,
                        },
                    );
                    search.verdicts.push((p, Verdict::Good));
                    changed = true;
                }
                (Judgement::Good, None) => {
                    search.fixes.vouched.insert(node);
                }
                (other, _) => {
                    let reason = search.fixes.skip_reason(
                        node,
                        true,
                        format!(
                            "bad only with {label}, and its parent does not pass with it ({}): the fixup may carry the failure itself",
                            other
                        ),
                    );
                    for (n, verdict) in search.verdicts.iter_mut() {
                        if *n == node && *verdict == Verdict::Bad {
                            *verdict = Verdict::Skip {
                                reason: reason.clone(),
                            };
                        }
                    }
                    search.fixes.used.remove(&node);
                    search.fixes.distrusted.insert(node);
                    changed = true;
                }
            }
        }
        Ok(changed)
    }

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
        let Some(fix_search) =
            FixSearch::from_ambiguity(graph, suspects, |n| broken.contains_key(&n))
        else {
            return Ok(None);
        };
        let signature = broken.get(&fix_search.last_broken()).cloned();
        self.tell(Told::LookingForFix {
            suspects: suspects.len(),
            build_error: title(&signature),
        });
        self.probe_fix(graph, fix_search, signature, targets, tests, search)
    }

    /// The automatic rule up front (`--auto-fixup`), at the first candidate whose build
    /// failed with a new error: the fix is looked for between it and its nearest
    /// descendant known to build (the bad revision at worst), before the search spends
    /// steps on skips around it. `None` when no such descendant leads back to it yet.
    pub(crate) fn find_fix_up_front(
        &mut self,
        graph: &CommitGraph,
        failed: usize,
        bad: usize,
        targets: &BTreeMap<String, Target>,
        tests: &[String],
        search: &mut Search,
    ) -> Result<Option<String>> {
        let signature = search.fixes.broken.get(&failed).cloned();
        let fixes = &search.fixes;
        // Built on its own: the bad revision, and every verdict obtained without fixups.
        let built = |n: usize| {
            n == bad
                || search.verdicts.iter().any(|(v, verdict)| {
                    *v == n
                        && matches!(verdict, Verdict::Good | Verdict::Bad)
                        && !fixes.used.contains_key(&n)
                })
        };
        let broken = |n: usize| signature.is_some() && fixes.broken.get(&n) == signature.as_ref();
        let Some(fix_search) = FixSearch::after_failure(graph, failed, built, broken) else {
            self.tell(Told::FixWanted {
                candidate: graph.id(failed).to_string(),
                build_error: title(&signature),
                waits: true,
            });
            return Ok(None);
        };
        self.tell(Told::FixWanted {
            candidate: graph.id(failed).to_string(),
            build_error: title(&signature),
            waits: false,
        });
        self.probe_fix(graph, fix_search, signature, targets, tests, search)
    }

    /// Builds the commits `fix_search` asks for until it knows the commit that removed
    /// `signature`; that commit, unless already active.
    fn probe_fix(
        &mut self,
        graph: &CommitGraph,
        mut fix_search: FixSearch,
        signature: Option<Signature>,
        targets: &BTreeMap<String, Target>,
        tests: &[String],
        search: &mut Search,
    ) -> Result<Option<String>> {
        while let Some(node) = fix_search.next() {
            let key = graph.id(node).to_string();
            let result = self.run("fixup-probe", &[key], tests)?.remove(0);
            fix_search.record(node, build_signature(&result) == signature);
            // A probe that builds is a search step like any other.
            let verdict = match judge(&result, targets) {
                Judgement::Good => Verdict::Good,
                Judgement::Bad => Verdict::Bad,
                Judgement::Untestable(reason) => {
                    search.fixes.note_untestable(node, &result, &reason);
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
        self.tell(Told::FixFound {
            fix: id.clone(),
            after: graph.id(fix_search.last_broken()).to_string(),
            build_error: title(&signature),
        });
        Ok(Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use culprit_search::commit::simulate::History;

    /// A chain: its only topological order numbers the nodes as the commits.
    fn linear(len: usize) -> CommitGraph {
        History::linear(len).graph().unwrap()
    }

    fn fixed(fixup: &str, bad: bool) -> FixedVerdict {
        FixedVerdict {
            fixups: vec![fixup.into()],
            bad,
        }
    }

    #[test]
    fn a_bad_verdict_with_a_fixup_counts_once_an_ancestor_passed_with_the_same_fixup() {
        let graph = linear(10);
        let mut fixes = Fixups::new(vec!["f".into()]);
        fixes.used.insert(5, fixed("f", true));
        // Alone, "bad with f" may be f's own doing.
        assert_eq!(unexonerated(&graph, &fixes), [5]);
        // A pass with another fixup vouches for nothing.
        fixes.used.insert(3, fixed("g", false));
        assert_eq!(unexonerated(&graph, &fixes), [5]);
        // A pass with f on a descendant neither.
        fixes.used.insert(7, fixed("f", false));
        assert_eq!(unexonerated(&graph, &fixes), [5]);
        fixes.used.insert(4, fixed("f", false));
        assert!(unexonerated(&graph, &fixes).is_empty());
    }

    #[test]
    fn a_parent_outside_the_range_vouches_when_it_passed() {
        let graph = linear(4);
        let mut fixes = Fixups::new(vec!["f".into()]);
        fixes.used.insert(0, fixed("f", true));
        fixes.vouched.insert(0);
        assert!(unexonerated(&graph, &fixes).is_empty());
    }
}
