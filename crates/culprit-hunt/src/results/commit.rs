//! The result of `culprit bisect`: its `--json` document, kept as the session's result.

use crate::commit_hunt::{CandidateKind, Conclusion, FixupUse, Plan};
use crate::flaky_rates::FlakyRates;
use crate::infra::Retried;
use crate::judge::verdict_text;
use crate::prior_use::{PriorChoice, PriorUse};
use crate::record::{relative, RunRecord};
use crate::session::{Counts, Session, Source};
use crate::status::HuntStatus;
use culprit_console::Case;
use culprit_exec::git::Repo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Every field has a default, so that a session written by an older culprit (or one
/// that ended in an error) still reads with what it recorded.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CommitHuntResult {
    pub status: HuntStatus,
    pub culprit: Option<String>,
    pub commit: Option<CommitView>,
    pub suspects: Vec<SuspectView>,
    pub confidence: f64,
    /// Per test: the target, as people read it.
    pub target: BTreeMap<String, String>,
    pub flaky: Option<FlakyRates>,
    /// The prior the search started from (`--prior`), and the commits it favoured.
    pub prior: Option<PriorUse>,
    pub verification: Vec<String>,
    pub message: Option<String>,
    /// The fixups that made candidates testable, with how many each.
    pub fixups: Vec<FixupUse>,
    #[serde(flatten)]
    pub counts: Counts,
    /// Runs retried after a lab fault, by cause.
    pub retried: Vec<Retried>,
    pub candidates: Vec<CandidateView>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SuspectView {
    pub rev: String,
    pub reason: String,
    pub probability: f64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CandidateView {
    pub rev: String,
    pub verdict: String,
    pub runs: Vec<RunView>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CommitView {
    pub id: String,
    pub subject: String,
    pub author: String,
    pub date: String,
}

impl PriorUse {
    /// The prior in words, as every front end shows it.
    pub fn describe(&self) -> String {
        if self.choice == PriorChoice::None {
            return "prior: none (every commit weighs the same)".into();
        }
        let named: Vec<&str> = self
            .functions
            .iter()
            .chain(&self.files)
            .map(String::as_str)
            .collect();
        if named.is_empty() {
            return "prior: crash, but the failure names no function or file (every commit weighs the same)".into();
        }
        let favoured = if self.favoured.is_empty() {
            "no commit touches them".to_string()
        } else {
            // The first few; the JSON lists them all.
            let mut each: Vec<String> = self
                .favoured
                .iter()
                .take(5)
                .map(|(c, how)| format!("{} ({how})", c.chars().take(12).collect::<String>()))
                .collect();
            if self.favoured.len() > each.len() {
                each.push(format!("{} more", self.favoured.len() - each.len()));
            }
            format!("favoured {}", each.join(", "))
        };
        let read = match &self.note {
            // The diffs were not read: nothing is known of what touches them.
            Some(note) if self.favoured.is_empty() => note.clone(),
            Some(note) => format!("{favoured}; {note}"),
            None => favoured,
        };
        format!("prior: crash, from {}; {read}", named.join(", "))
    }
}

/// One run as `--json` shows it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunView {
    pub name: String,
    pub outcome: String,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub stage: String,
    pub duration_s: Option<f64>,
    pub log: String,
    /// The test cases the console reported, when it reported any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<Case>,
    /// For a run that did not pass: the console around the crash (the oops with its
    /// call trace), or the last lines before a hang, or the build error in context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

impl RunView {
    /// `log` is shown relative to `base`; `excerpt` is what the caller read of the log
    /// around the evidence (reading it is the reports' business).
    pub fn of(run: &RunRecord, base: &Path, excerpt: Option<String>) -> RunView {
        RunView {
            name: run.name.clone(),
            outcome: run.outcome.word().to_string(),
            title: run.outcome.title(),
            kind: run.outcome.signature().map(|s| s.kind.as_str().to_string()),
            stage: run.stage.clone(),
            duration_s: Some(round(run.duration_s, 1000.0)),
            log: relative(&run.log, base),
            cases: run.cases.clone(),
            excerpt,
        }
    }
}

fn round(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

impl CommitHuntResult {
    /// The result of a hunt from its conclusion and the session's steps; `repo` names
    /// the culprit commit, `excerpt` reads a failed run's log around its evidence.
    pub fn new(
        conclusion: &Conclusion,
        session: &Session<'_>,
        plan: &Plan,
        repo: Option<&Repo>,
        base: &Path,
        excerpt: impl Fn(&RunRecord) -> Option<String>,
    ) -> CommitHuntResult {
        let label = |key: &str| plan.label(key);
        let mut candidates: Vec<CandidateView> = Vec::new();
        for (candidate, result, source) in &session.history {
            let verdict = verdict_text(result, &conclusion.targets);
            let rev = label(&candidate.key);
            let runs: Vec<RunView> = result
                .tests
                .iter()
                .filter(|t| conclusion.targets.contains_key(&t.name))
                .map(|t| RunView::of(t, base, excerpt(t)))
                .collect();
            let verdict = if *source == Source::Cached {
                format!("{verdict} (cached)")
            } else {
                verdict
            };
            match candidates.iter_mut().find(|c| c.rev == rev) {
                Some(existing) => {
                    existing.runs.extend(runs);
                    if existing.verdict != verdict {
                        existing.verdict = format!("{}, {verdict}", existing.verdict);
                    }
                }
                None => candidates.push(CandidateView { rev, verdict, runs }),
            }
        }
        let commit = match (&conclusion.culprit, &plan.kind, repo) {
            (Some(id), CandidateKind::Commits { .. }, Some(repo)) => {
                repo.commit_info(id).ok().map(|c| CommitView {
                    id: c.id,
                    subject: c.subject,
                    author: c.author,
                    date: c.date,
                })
            }
            _ => None,
        };
        CommitHuntResult {
            status: conclusion.status,
            culprit: conclusion.culprit.as_deref().map(label),
            commit,
            suspects: conclusion
                .suspects
                .iter()
                .map(|(id, reason, p)| SuspectView {
                    rev: label(id),
                    reason: reason.clone(),
                    probability: round(*p, 10000.0),
                })
                .collect(),
            confidence: round(conclusion.confidence, 10000.0),
            target: conclusion
                .targets
                .iter()
                .map(|(t, target)| (t.clone(), target.describe()))
                .collect(),
            flaky: conclusion.flaky,
            prior: conclusion.prior.as_ref().map(|p| PriorUse {
                favoured: p
                    .favoured
                    .iter()
                    .map(|(c, how)| (label(c), how.clone()))
                    .collect(),
                ..p.clone()
            }),
            verification: conclusion.verification.clone(),
            message: conclusion.message.clone(),
            fixups: conclusion.fixups.clone(),
            counts: session.counts(),
            retried: session.retried(),
            candidates,
        }
    }
}
