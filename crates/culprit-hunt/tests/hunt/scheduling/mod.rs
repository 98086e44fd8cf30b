//! The scheduling of a hunt's steps, in virtual time: the fake executor answers every
//! step from a script (a linear history whose commit `culprit` and later ones fail),
//! so the order of events and the times are exact.
//!
//! This module holds the harness (a linear history, the fake executor's script, a hunt
//! and what it left in the journal); the tests are cut by what they check.

mod early_steps;
mod endpoints;
mod fixups;
mod interruptions;
mod toyos;
mod workers;

use culprit_console::{Outcome, Signature, SignatureKind};
use culprit_hunt::commit_hunt::{CandidateKind, CommitHunt, Conclusion, HuntSettings, Plan};
use culprit_hunt::executor::fake::{step_showing, FakeExecutor, Happened, Scripted, What};
use culprit_hunt::executor::{Job, Prepare};
use culprit_hunt::journal::Journal;
use culprit_hunt::manifest::Manifest;
use culprit_hunt::observe::Unobserved;
use culprit_hunt::session::Session;
use culprit_hunt::HuntError;
use culprit_search::commit::simulate::SplitMix64;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub(crate) const CONFIG: &str = "[[test]]\nname = \"boot\"\ncommand = \"boot.sh\"\n";

pub(crate) fn id(i: usize) -> String {
    format!("c{i:05}")
}

pub(crate) fn plan(commits: usize) -> Plan {
    let range = (1..commits)
        .map(|i| (id(i), vec![id(i - 1)]))
        .rev()
        .collect();
    Plan {
        kind: CandidateKind::Commits {
            range,
            trees: BTreeMap::new(),
        },
        good: vec![id(0)],
        bad: id(commits - 1),
        settings: HuntSettings {
            target: None,
            tests: vec!["boot".into()],
            flaky: false,
            confidence: 0.99,
            first_parent: false,
            verify: 0,
            verify_revert: false,
            endpoint_runs: 1,
        },
        fixups: Vec::new(),
        auto_fixup: true,
        auto_fixup_up_front: false,
        prior: culprit_hunt::commit_hunt::PriorChoice::None,
        recipe: "scheduling".into(),
    }
}

pub(crate) fn index(job: &Job) -> usize {
    match &job.work.prepare {
        Prepare::Checkout(commit) => commit[1..].parse().unwrap(),
        other => panic!("a commit hunt checks out commits, not {other:?}"),
    }
}

/// Commits from `culprit` on panic at boot; the others pass.
pub(crate) fn verdict(culprit: usize, job: &Job) -> Outcome {
    if index(job) >= culprit {
        Outcome::Fail {
            signature: Signature::new(SignatureKind::Panic, "Kernel panic - not syncing: boom"),
        }
    } else {
        Outcome::Pass
    }
}

pub(crate) struct Hunted {
    pub(crate) culprit: Option<String>,
    /// The conclusion, when the hunt ended with one.
    pub(crate) conclusion: Option<Conclusion>,
    pub(crate) timeline: Vec<Happened>,
    pub(crate) journal_steps: usize,
    /// The phase and the candidate of each journal step, in order.
    pub(crate) phases: Vec<String>,
    pub(crate) keys: Vec<String>,
    pub(crate) error: Option<HuntError>,
    /// The session, for a resumed hunt to continue.
    session: i64,
}

fn hunt(
    dir: &Path,
    commits: usize,
    workers: usize,
    stop: Arc<AtomicBool>,
    script: impl FnMut(usize, &Job, f64) -> Scripted + Send + 'static,
) -> Hunted {
    hunt_plan(dir, CONFIG, plan(commits), workers, stop, script)
}

/// A hunt of `plan` with `workers` fake workers answering from `script`.
pub(crate) fn hunt_plan(
    dir: &Path,
    config: &str,
    plan: Plan,
    workers: usize,
    stop: Arc<AtomicBool>,
    script: impl FnMut(usize, &Job, f64) -> Scripted + Send + 'static,
) -> Hunted {
    hunt_session(dir, config, plan, workers, stop, script, None)
}

/// A hunt of `plan` (with [`CONFIG`]) whose every step takes a second and boots once:
/// the run of commit `n` shows `outcome(n, job)`.
pub(crate) fn boot_hunt(
    dir: &Path,
    plan: Plan,
    workers: usize,
    mut outcome: impl FnMut(usize, &Job) -> Outcome + Send + 'static,
) -> Hunted {
    hunt_plan(
        dir,
        CONFIG,
        plan,
        workers,
        Arc::default(),
        move |_, job, _| Scripted {
            seconds: 1.0,
            result: step_showing(&[("boot", outcome(index(job), job))]),
        },
    )
}

/// One round of the random parallel hunts: a linear history, its culprit, two or three
/// workers, and the seed of the steps' times.
#[derive(Clone, Copy)]
pub(crate) struct Round {
    pub(crate) commits: usize,
    pub(crate) culprit: usize,
    pub(crate) workers: usize,
    pub(crate) seed: u64,
}

impl Round {
    /// Round number `round`, drawn from `rng`.
    pub(crate) fn draw(rng: &mut SplitMix64, round: usize) -> Round {
        let commits = 3 + rng.below(300);
        let culprit = 1 + rng.below(commits - 1);
        Round {
            commits,
            culprit,
            workers: 2 + round % 2,
            seed: rng.next_u64(),
        }
    }

    /// The round's plan: the bad endpoint's rerun runs alongside the search.
    pub(crate) fn plan(&self) -> Plan {
        let mut plan = plan(self.commits);
        plan.settings.endpoint_runs = 2;
        plan
    }

    /// The round's steps: one to three whole seconds each (ties included, so several
    /// end at once), the same times every time it is made.
    pub(crate) fn steps(&self) -> impl FnMut(&Job) -> Scripted + Send + 'static {
        let mut times = SplitMix64::new(self.seed);
        let culprit = self.culprit;
        move |job: &Job| Scripted {
            seconds: (1 + times.below(3)) as f64,
            result: step_showing(&[("boot", verdict(culprit, job))]),
        }
    }

    /// The round's hunt in `dir`, whole, in a new session or resuming `resume`.
    pub(crate) fn hunt(&self, dir: &Path, resume: Option<i64>) -> Hunted {
        let mut step = self.steps();
        let script = move |_: usize, job: &Job, _: f64| step(job);
        let stop = Arc::default();
        hunt_session(dir, CONFIG, self.plan(), self.workers, stop, script, resume)
    }
}

/// How a failed assertion names the round.
impl std::fmt::Display for Round {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} commits, culprit {}, W = {}, seed {}",
            self.commits, self.culprit, self.workers, self.seed
        )
    }
}

/// [`hunt_plan`] in a new session, or resuming session `resume` from the journal.
fn hunt_session(
    dir: &Path,
    config: &str,
    plan: Plan,
    workers: usize,
    stop: Arc<AtomicBool>,
    mut script: impl FnMut(usize, &Job, f64) -> Scripted + Send + 'static,
    resume: Option<i64>,
) -> Hunted {
    let config = Manifest::parse(config, &dir.join("culprit.toml"), dir).unwrap();
    let journal = Journal::open(dir).unwrap();
    let id = resume.unwrap_or_else(|| {
        journal
            .start_session(
                culprit_hunt::session_kind::SessionKind::Bisect,
                &serde_json::json!({}),
            )
            .unwrap()
    });
    let (executor, timeline) = FakeExecutor::new(
        workers,
        stop.clone(),
        Box::new(move |w, j, t| script(w, j, t)),
    );
    let mut session = Session::new(
        id,
        journal,
        Box::new(executor),
        &config,
        stop,
        Arc::new(Unobserved),
    )
    .unwrap();
    let mut hunt = CommitHunt {
        session: &mut session,
        plan,
        observer: Arc::new(Unobserved),
        stop_at: BTreeMap::new(),
        repo: None,
    };
    let outcome = hunt.hunt();
    let steps = session.journal.steps(id).unwrap();
    let journal_steps = steps.len();
    let field = |name: &str| -> Vec<String> {
        steps
            .iter()
            .map(|s| s.candidate[name].as_str().unwrap().to_string())
            .collect()
    };
    let (phases, keys) = (field("phase"), field("key"));
    drop(session);
    let timeline = timeline.lock().unwrap().clone();
    match outcome {
        Ok(conclusion) => Hunted {
            culprit: conclusion.culprit.clone(),
            conclusion: Some(conclusion),
            timeline,
            journal_steps,
            phases,
            keys,
            error: None,
            session: id,
        },
        Err(err) => Hunted {
            culprit: None,
            conclusion: None,
            timeline,
            journal_steps,
            phases,
            keys,
            error: Some(err),
            session: id,
        },
    }
}

impl Hunted {
    /// Each journal step's phase and candidate, in order.
    pub(crate) fn steps(&self) -> Vec<(&str, &str)> {
        self.phases
            .iter()
            .zip(&self.keys)
            .map(|(p, k)| (p.as_str(), k.as_str()))
            .collect()
    }
}

/// Whether the step `job` ends at `run`: the run shows the target it stops at.
fn decisive(job: &Job, run: &culprit_hunt::record::RunRecord) -> bool {
    job.work
        .stop_at
        .get(&run.name)
        .is_some_and(|t| t.judge_run(run) == culprit_hunt::judgement::Judgement::Bad)
}

fn starts(timeline: &[Happened], worker: usize) -> Vec<f64> {
    timeline
        .iter()
        .filter(|h| h.worker == worker && h.what == What::Started)
        .map(|h| h.at)
        .collect()
}
