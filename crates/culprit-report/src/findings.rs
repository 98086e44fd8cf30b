//! What a session concluded, read leniently from its stored result and arguments.
//!
//! Every field has a default: a session written by an older culprit, or one that ended
//! in an error, still renders with whatever it recorded.

use culprit_hunt::commit_hunt::CandidateKind;
use culprit_hunt::journal::SessionRow;
use culprit_hunt::target::Target;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

pub struct Findings {
    pub hunt: Hunt,
    /// Why the session ended without a conclusion (an error, an interruption).
    pub error: Option<String>,
}

pub enum Hunt {
    Commit(Box<CommitResult>),
    Config(ConfigResult),
    /// A single step (`culprit run`) or a kind this version does not know.
    Plain,
}

/// The result of `culprit bisect` (its `Report`), plus what its plan says.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommitResult {
    pub status: String,
    pub culprit: Option<String>,
    pub commit: Option<CommitInfo>,
    pub suspects: Vec<Suspect>,
    pub confidence: f64,
    pub target: BTreeMap<String, String>,
    pub flaky: Option<BTreeMap<String, f64>>,
    pub verification: Vec<String>,
    pub message: Option<String>,
    pub steps: usize,
    pub builds: usize,
    pub runs: usize,
    pub cached: usize,
    #[serde(skip)]
    pub plan: PlanFacts,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommitInfo {
    pub id: String,
    pub subject: String,
    pub author: String,
    pub date: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Suspect {
    pub rev: String,
    pub reason: String,
    pub probability: f64,
}

/// The parts of a bisection's plan a report needs; each read on its own so that one
/// changed field does not hide the others.
#[derive(Debug, Default)]
pub struct PlanFacts {
    pub kind: Option<CandidateKind>,
    pub target: Option<Target>,
    pub bad: Option<String>,
}

/// The result of `culprit bisect-config`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigResult {
    pub status: String,
    pub culprits: Vec<ConfigCulprit>,
    pub not_applied: Vec<NotApplied>,
    pub builds: usize,
    pub runs: usize,
    pub steps: usize,
    /// Per test: "fails at bad: TITLE" or "passes at bad".
    pub tests: BTreeMap<String, String>,
    pub message: Option<String>,
    /// Options whose candidates took far longer to build, costliest first.
    pub costly_options: Vec<CostlyOption>,
}

/// An option that makes builds slow (a widely included header), with the mean build
/// seconds of the candidates that applied it and of those that did not.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CostlyOption {
    pub option: String,
    pub seconds_with: f64,
    pub seconds_without: f64,
}

impl CostlyOption {
    /// "candidates with it took 3 s to build, 0 s without", as the live display says it.
    pub fn cost(&self) -> String {
        format!(
            "candidates with it took {:.0} s to build, {:.0} s without",
            self.seconds_with, self.seconds_without
        )
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigCulprit {
    pub test: String,
    pub options: Vec<String>,
    pub outcome: String,
    pub title: Option<String>,
    /// A configuration fragment that brings the failure back on the good configuration.
    pub reproduce: Option<String>,
    /// The hunt built exactly that candidate.
    pub reproduce_verified: bool,
    /// A fragment that cures the bad configuration (the same for every culprit set of
    /// a test: one option of each).
    pub cure: Option<String>,
    /// The hunt built the bad configuration with exactly that cure, and it passed.
    pub cure_verified: bool,
}

impl ConfigCulprit {
    /// The failure as a person names it: the title, or the outcome word without one.
    pub fn failure(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.outcome)
    }
}

/// An option the build did not take as requested (a dependency forced it, or it does
/// not exist in this tree).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NotApplied {
    pub option: String,
    pub requested: Value,
    pub got: Value,
    /// Why, with file:line, when culprit's Kconfig evaluator could tell.
    pub reasons: Vec<String>,
    /// Other assignments that would make it apply.
    pub needs: Vec<String>,
}

impl NotApplied {
    /// The reasons as one sentence (empty when there are none).
    pub fn why(&self) -> String {
        let mut text = self.reasons.join("; ");
        if !self.needs.is_empty() {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!("would apply with {}", self.needs.join(" ")));
        }
        text
    }

    /// An option value as `.config` would say it; absent means unset.
    pub fn show(value: &Value) -> String {
        match value {
            Value::Null => "(unset)".into(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

impl Findings {
    pub fn of(session: &SessionRow) -> Findings {
        let result = session.result.clone().unwrap_or(Value::Null);
        let error = result
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_string);
        let kind = match session.kind.as_str() {
            "bisect" => "bisect",
            "bisect-config" => "bisect-config",
            _ if result.get("culprits").is_some() => "bisect-config",
            _ if result.get("candidates").is_some() => "bisect",
            _ => "",
        };
        let hunt = match kind {
            "bisect" => {
                let mut found: CommitResult = serde_json::from_value(result).unwrap_or_default();
                found.plan = PlanFacts::of(&session.args);
                if found.status.is_empty() {
                    found.status = session.status.clone();
                }
                Hunt::Commit(Box::new(found))
            }
            "bisect-config" => {
                let mut found: ConfigResult = serde_json::from_value(result).unwrap_or_default();
                if found.status.is_empty() {
                    found.status = session.status.clone();
                }
                Hunt::Config(found)
            }
            _ => Hunt::Plain,
        };
        Findings { hunt, error }
    }

    /// The session's verdict in a few words, for titles.
    pub fn headline(&self, status: &str) -> String {
        match &self.hunt {
            Hunt::Commit(c) => match (&c.culprit, &c.commit) {
                (Some(_), Some(commit)) => {
                    format!("culprit {} {}", short(&commit.id), commit.subject)
                }
                (Some(culprit), None) => format!("culprit {}", short(culprit)),
                (None, _) if !c.suspects.is_empty() => {
                    format!("{}: {} suspects", c.status, c.suspects.len())
                }
                (None, _) => c.status.clone(),
            },
            Hunt::Config(c) if !c.culprits.is_empty() => {
                let mut options: Vec<&str> = c
                    .culprits
                    .iter()
                    .flat_map(|k| k.options.iter().map(String::as_str))
                    .collect();
                options.sort_unstable();
                options.dedup();
                format!("{}: {}", c.status, options.join(", "))
            }
            Hunt::Config(c) => c.status.clone(),
            Hunt::Plain => status.to_string(),
        }
    }
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

/// A commit id as people quote it.
pub fn short(id: &str) -> String {
    id.chars().take(12).collect()
}
