//! What a session concluded, read from its typed result and its arguments.
//!
//! The result types give every field a default: a session written by an older culprit,
//! or one that ended in an error, still renders with whatever it recorded; a result that
//! cannot be read at all is said to be so.

use crate::escape::shell_word;
use culprit_hunt::commit_hunt::CandidateKind;
use culprit_hunt::journal::SessionRow;
use culprit_hunt::results::{CommitHuntResult, ConfigHuntResult};
use culprit_hunt::session::Counts;
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::target::Target;
use serde_json::Value;

pub struct Findings {
    pub hunt: Hunt,
    /// Why the session ended without a conclusion (an error, an interruption).
    pub error: Option<String>,
}

pub enum Hunt {
    Commit(Box<CommitResult>),
    Config(ConfigHuntResult),
    /// A single step (`culprit run`) or a kind this version does not know.
    Plain,
}

/// The result of `culprit bisect`, plus what its plan says.
#[derive(Debug, Default)]
pub struct CommitResult {
    pub result: CommitHuntResult,
    pub plan: PlanFacts,
}

/// The parts of a bisection's plan a report needs; each read on its own so that one
/// changed field does not hide the others.
#[derive(Debug, Default)]
pub struct PlanFacts {
    pub kind: Option<CandidateKind>,
    pub target: Option<Target>,
    pub bad: Option<String>,
}

impl Findings {
    pub fn of(session: &SessionRow) -> Findings {
        let result = session.result.clone().unwrap_or(Value::Null);
        let error = result
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_string);
        let read = |what: &str, err: serde_json::Error| {
            format!("the journal's result of session {} ({what}) cannot be read: {err}; it was written by another version of culprit", session.id)
        };
        let mut error = error;
        let hunt = match session.session_kind() {
            Some(SessionKind::Bisect) => match serde_json::from_value(result) {
                Ok(result) => Hunt::Commit(Box::new(CommitResult {
                    result,
                    plan: PlanFacts::of(&session.args),
                })),
                Err(err) => {
                    error.get_or_insert(read("bisect", err));
                    Hunt::Plain
                }
            },
            Some(SessionKind::BisectConfig) => match serde_json::from_value(result) {
                Ok(result) => Hunt::Config(result),
                Err(err) => {
                    error.get_or_insert(read("bisect-config", err));
                    Hunt::Plain
                }
            },
            Some(SessionKind::Run) | None => Hunt::Plain,
        };
        Findings { hunt, error }
    }

    /// The session's verdict in a few words, for titles.
    pub fn headline(&self, status: &str) -> String {
        match &self.hunt {
            Hunt::Commit(c) => match (&c.result.culprit, &c.result.commit) {
                (Some(_), Some(commit)) => {
                    format!("culprit {} {}", short(&commit.id), commit.subject)
                }
                (Some(culprit), None) => format!("culprit {}", short(culprit)),
                (None, _) if !c.result.suspects.is_empty() => {
                    format!("{}: {} suspects", c.result.status, c.result.suspects.len())
                }
                (None, _) => c.result.status.to_string(),
            },
            Hunt::Config(c) if !c.culprits.is_empty() => {
                format!("{}: {}", c.status, culprit_options(c).join(", "))
            }
            Hunt::Config(c) => c.status.to_string(),
            Hunt::Plain => status.to_string(),
        }
    }
}

impl CommitResult {
    /// The `--test` arguments naming the target's tests, for a command to paste.
    pub fn test_args(&self) -> String {
        self.result
            .target
            .keys()
            .map(|t| format!(" --test {}", shell_word(t)))
            .collect()
    }

    /// The bad revision as people quote it, or `BAD` where the plan does not say.
    pub fn bad_short(&self) -> String {
        self.plan
            .bad
            .as_deref()
            .map(short)
            .unwrap_or_else(|| "BAD".into())
    }
}

/// Every option a configuration hunt's culprits name, sorted, each once.
pub fn culprit_options(result: &ConfigHuntResult) -> Vec<&str> {
    let mut options: Vec<&str> = result
        .culprits
        .iter()
        .flat_map(|k| k.options.iter().map(String::as_str))
        .collect();
    options.sort_unstable();
    options.dedup();
    options
}

impl PlanFacts {
    fn of(args: &Value) -> PlanFacts {
        let plan = &args["plan"];
        PlanFacts {
            kind: serde_json::from_value(plan["kind"].clone()).ok(),
            target: serde_json::from_value(plan["target"].clone())
                .ok()
                .flatten(),
            bad: plan["bad"].as_str().map(str::to_string),
        }
    }
}

/// What a hunt did, as (name, number) facts the formats lay out their own way: steps,
/// builds and test runs, and the steps earlier sessions answered, when there were some.
pub fn work(counts: &Counts) -> Vec<(&'static str, usize)> {
    let mut facts = vec![
        ("steps", counts.steps),
        ("builds", counts.builds),
        ("test runs", counts.runs),
    ];
    if counts.cached > 0 {
        facts.push(("answered from earlier sessions", counts.cached));
    }
    facts
}

/// A commit id as people quote it.
pub fn short(id: &str) -> String {
    id.chars().take(12).collect()
}
