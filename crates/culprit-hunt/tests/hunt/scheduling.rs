//! The scheduling of a hunt's steps, in virtual time: the fake executor answers every
//! step from a script (a linear history whose commit `culprit` and later ones fail),
//! so the order of events and the times are exact.

use culprit_console::{Outcome, Signature, SignatureKind};
use culprit_hunt::commit_hunt::{CandidateKind, CommitHunt, Conclusion, Plan};
use culprit_hunt::executor::fake::{step_showing, FakeExecutor, Happened, Scripted, What};
use culprit_hunt::executor::{Job, Prepare};
use culprit_hunt::journal::Journal;
use culprit_hunt::manifest::Manifest;
use culprit_hunt::observe::Unobserved;
use culprit_hunt::record::FixupRecord;
use culprit_hunt::session::Session;
use culprit_hunt::HuntError;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
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
        target: None,
        tests: vec!["boot".into()],
        flaky: false,
        confidence: 0.99,
        first_parent: false,
        verify: 0,
        verify_revert: false,
        endpoint_runs: 1,
        fixups: Vec::new(),
        auto_fixup: true,
        auto_fixup_up_front: false,
        prior: culprit_hunt::commit_hunt::PriorChoice::None,
        recipe: "scheduling".into(),
    }
}

pub(crate) fn index(job: &Job) -> usize {
    match &job.prepare {
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
    job.stop_at
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

#[test]
fn a_fast_worker_keeps_testing_while_a_slow_one_runs_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let culprit = 700;
    let hunted = hunt(
        dir.path(),
        1000,
        2,
        Arc::default(),
        move |worker, job, _| {
            Scripted {
                // Worker 0 is ten times slower than worker 1.
                seconds: if worker == 0 { 10.0 } else { 1.0 },
                result: step_showing(&[("boot", verdict(culprit, job))]),
            }
        },
    );
    assert_eq!(hunted.culprit, Some(id(culprit)), "{:?}", hunted.error);
    let slow = starts(&hunted.timeline, 0);
    let fast = starts(&hunted.timeline, 1);
    // After the endpoints (one each), the slow worker's first search step runs from
    // `begin` to `begin + 10`; the fast worker starts a step every second meanwhile.
    let begin = slow[1];
    let during: Vec<f64> = fast
        .iter()
        .copied()
        .filter(|&t| t > begin && t < begin + 10.0)
        .collect();
    assert!(
        during.len() >= 5,
        "the fast worker started {during:?} while the slow one ran from {begin}; timeline {:?}",
        hunted.timeline
    );
    assert!(fast.len() > 2 * slow.len(), "fast {fast:?}, slow {slow:?}");
}

#[test]
fn the_strategy_is_asked_whenever_a_worker_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let hunted = hunt(dir.path(), 64, 4, Arc::default(), move |_, job, _| {
        Scripted {
            seconds: 1.0 + (index(job) % 3) as f64,
            result: step_showing(&[("boot", verdict(40, job))]),
        }
    });
    assert_eq!(hunted.culprit, Some(id(40)));
    // A worker that finishes takes the next candidate at that very moment, as long as
    // the search has one to give.
    let last_start = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started)
        .map(|h| h.at)
        .fold(0.0, f64::max);
    for finished in hunted.timeline.iter().filter(|h| h.what == What::Finished) {
        if finished.at >= last_start {
            continue;
        }
        let next = hunted.timeline.iter().find(|h| {
            h.what == What::Started && h.worker == finished.worker && h.at >= finished.at
        });
        if let Some(next) = next {
            assert_eq!(
                next.at, finished.at,
                "worker {} idled after {finished:?}",
                finished.worker
            );
        }
    }
}

/// The history of the early-step tests: its length, and its culprit.
const EARLY_COMMITS: usize = 100;
const EARLY_CULPRIT: usize = 60;

/// A hunt of that history whose bad endpoint takes ten times as long as any other step.
fn slow_bad_endpoint_hunt(dir: &Path, workers: usize) -> Hunted {
    hunt(dir, EARLY_COMMITS, workers, Arc::default(), |_, job, _| {
        Scripted {
            seconds: if index(job) == EARLY_COMMITS - 1 {
                10.0
            } else {
                1.0
            },
            result: step_showing(&[("boot", verdict(EARLY_CULPRIT, job))]),
        }
    })
}

/// The journal steps of `phase`, by candidate.
fn keys_of<'h>(hunted: &'h Hunted, phase: &str) -> Vec<&'h str> {
    hunted
        .steps()
        .into_iter()
        .filter(|(p, _)| *p == phase)
        .map(|(_, k)| k)
        .collect()
}

#[test]
fn while_the_bad_endpoint_runs_the_other_worker_takes_the_first_search_step() {
    let dir = tempfile::tempdir().unwrap();
    let hunted = slow_bad_endpoint_hunt(dir.path(), 2);
    assert_eq!(
        hunted.culprit,
        Some(id(EARLY_CULPRIT)),
        "{:?}",
        hunted.error
    );
    // The good endpoint ends at 1 s, and its worker starts a search step at once; just
    // one, since a second would be chosen knowing less than the search will at 10 s.
    let early = keys_of(&hunted, "search-early");
    assert_eq!(early.len(), 1, "{:?}", hunted.phases);
    assert_eq!(
        starts(&hunted.timeline, 1)[..2],
        [0.0, 1.0],
        "{:?}",
        hunted.timeline
    );
    assert_eq!(
        starts(&hunted.timeline, 1)[2],
        10.0,
        "{:?}",
        hunted.timeline
    );
    // Its verdict counts: the search never tests that candidate again.
    assert!(
        !keys_of(&hunted, "search").contains(&early[0]),
        "{:?}",
        hunted.keys
    );
    // With one worker there is nobody to spare.
    let dir = tempfile::tempdir().unwrap();
    let alone = slow_bad_endpoint_hunt(dir.path(), 1);
    assert_eq!(alone.culprit, Some(id(EARLY_CULPRIT)));
    assert!(
        keys_of(&alone, "search-early").is_empty(),
        "{:?}",
        alone.phases
    );
}

#[test]
fn an_early_step_cut_short_by_another_failure_is_set_aside_and_tested_again() {
    let dir = tempfile::tempdir().unwrap();
    let (culprit, commits) = (EARLY_CULPRIT, EARLY_COMMITS);
    let config =
        "[[test]]\nname = \"a\"\ncommand = \"a.sh\"\n[[test]]\nname = \"b\"\ncommand = \"b.sh\"\n";
    let plan = Plan {
        tests: vec!["a".into(), "b".into()],
        ..plan(commits)
    };
    // Test b fails from the culprit on: its target. Test a passes at both endpoints
    // but crashes in between, so an early step, which stops at the first failure,
    // never reaches b; the search's own steps run only b, the test with a target.
    let hunted = hunt_plan(
        dir.path(),
        config,
        plan,
        2,
        Arc::default(),
        move |_, job, _| {
            let n = index(job);
            let mut tests = Vec::new();
            for name in &job.tests {
                let outcome = match name.as_str() {
                    "a" if n != 0 && n != commits - 1 => Outcome::Fail {
                        signature: Signature::new(SignatureKind::Oops, "BUG: unrelated in a"),
                    },
                    "a" => Outcome::Pass,
                    _ => verdict(culprit, job),
                };
                let run = step_showing(&[(name, outcome)]).tests.remove(0);
                let stop = decisive(job, &run);
                tests.push(run);
                if stop {
                    break;
                }
            }
            Scripted {
                seconds: if n == commits - 1 { 10.0 } else { 1.0 },
                result: culprit_hunt::record::StepResult {
                    tests,
                    ..Default::default()
                },
            }
        },
    );
    assert_eq!(hunted.culprit, Some(id(culprit)), "{:?}", hunted.error);
    let early = keys_of(&hunted, "search-early");
    assert_eq!(early.len(), 1, "{:?}", hunted.phases);
    // A run of a alone does not judge it: the search tests it again rather than
    // skipping it.
    assert!(
        keys_of(&hunted, "search").contains(&early[0]),
        "{:?} {:?}",
        hunted.phases,
        hunted.keys
    );
}

#[test]
fn a_resumed_hunt_takes_its_early_step_from_the_journal_and_runs_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let first = slow_bad_endpoint_hunt(dir.path(), 2);
    assert_eq!(first.culprit, Some(id(EARLY_CULPRIT)), "{:?}", first.error);
    assert_eq!(
        keys_of(&first, "search-early").len(),
        1,
        "{:?}",
        first.phases
    );
    // Resumed, the endpoints come from the journal, and the bad one holds its worker
    // until the moment the driver took it before, so the early step is chosen again
    // and answered from the journal, as is every search step after it.
    let again = hunt_session(
        dir.path(),
        CONFIG,
        plan(EARLY_COMMITS),
        2,
        Arc::default(),
        |_, job, _| panic!("{} ran again", job.label),
        Some(first.session),
    );
    assert_eq!(again.culprit, Some(id(EARLY_CULPRIT)), "{:?}", again.error);
    assert!(again.timeline.is_empty(), "{:?}", again.timeline);
    assert_eq!(again.journal_steps, first.journal_steps);
}

/// The same hunts again, from the journal: random histories and step times (ties
/// included, so several steps end at once), two and three workers, whole or stopped
/// part way by Ctrl-C. A resumed hunt never runs a step the journal holds: it chooses
/// the candidates the killed one chose, in the same order.
#[test]
fn a_resumed_parallel_hunt_runs_no_step_the_journal_holds() {
    let mut rng = culprit_search::commit::simulate::SplitMix64::new(7);
    for round in 0..24 {
        let commits = 3 + rng.below(300);
        let culprit = 1 + rng.below(commits - 1);
        let workers = 2 + round % 2;
        let seed = rng.next_u64();
        let stop_after = (round % 3 != 0).then(|| 3 + rng.below(8));
        let plan = Plan {
            endpoint_runs: 2,
            ..plan(commits)
        };
        let times = move || {
            let mut times = culprit_search::commit::simulate::SplitMix64::new(seed);
            move |job: &Job| Scripted {
                seconds: (1 + times.below(3)) as f64,
                result: step_showing(&[("boot", verdict(culprit, job))]),
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, mut step, mut started) = (stop.clone(), times(), 0);
        let first = hunt_plan(
            dir.path(),
            CONFIG,
            plan.clone(),
            workers,
            stop,
            move |_, job, _| {
                started += 1;
                if Some(started) == stop_after {
                    flag.store(true, Ordering::SeqCst);
                }
                step(job)
            },
        );
        let case = format!("{commits} commits, culprit {culprit}, W = {workers}, seed {seed}, stopped after {stop_after:?}");
        let mut step = times();
        let again = hunt_session(
            dir.path(),
            CONFIG,
            plan,
            workers,
            Arc::default(),
            move |_, job, _| step(job),
            Some(first.session),
        );
        assert_eq!(
            again.culprit,
            Some(id(culprit)),
            "{case}: {:?}",
            again.error
        );
        let ran = again
            .timeline
            .iter()
            .filter(|h| h.what == What::Started)
            .count();
        assert_eq!(
            again.journal_steps,
            first.journal_steps + ran,
            "{case}: every step ran or came from the journal, once"
        );
        let all = again.steps();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        // The hunt tests each candidate once, but for the bad endpoint's second run.
        assert_eq!(all.len(), unique.len() + 1, "{case}: {all:?}");
        if stop_after.is_none() {
            assert_eq!(ran, 0, "{case}: {:?}", again.timeline);
        }
    }
}

#[test]
fn an_infrastructure_error_is_retried_and_never_blamed() {
    let dir = tempfile::tempdir().unwrap();
    // The first candidate of the search (after the two endpoints) meets a lab fault.
    let mut started = 0;
    let hunted = hunt(dir.path(), 100, 2, Arc::default(), move |_, job, _| {
        started += 1;
        let outcome = if started == 3 {
            Outcome::InfraError {
                reason: "qemu: cannot allocate memory".into(),
            }
        } else {
            verdict(60, job)
        };
        Scripted {
            seconds: 1.0,
            result: step_showing(&[("boot", outcome)]),
        }
    });
    assert_eq!(hunted.culprit, Some(id(60)));
    let first_search = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started)
        .nth(2)
        .unwrap()
        .candidate
        .clone();
    let runs = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started && h.candidate == first_search)
        .count();
    assert_eq!(runs, 2, "{first_search} once more; {:?}", hunted.timeline);
}

#[test]
fn ctrl_c_stops_every_running_step_and_keeps_the_finished_ones() {
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let mut started = 0;
    let hunted = hunt(dir.path(), 1000, 3, stop, move |_, job, _| {
        started += 1;
        if started == 6 {
            flag.store(true, Ordering::SeqCst);
        }
        Scripted {
            seconds: 1.0,
            result: step_showing(&[("boot", verdict(500, job))]),
        }
    });
    assert!(
        hunted.error.as_ref().is_some_and(HuntError::is_interrupted),
        "{:?}",
        hunted.error
    );
    let count = |what| hunted.timeline.iter().filter(|h| h.what == what).count();
    let (finished, interrupted) = (count(What::Finished), count(What::Interrupted));
    assert!(interrupted >= 1, "{:?}", hunted.timeline);
    assert_eq!(finished + interrupted, 6, "{:?}", hunted.timeline);
    assert_eq!(
        hunted.journal_steps, finished,
        "only finished steps are journaled"
    );
}

/// Rounds of a search with W workers of equal speed, against the ideal ⌈log_{W+1} N⌉
/// of a search that splits the suspects into W + 1 parts at every round. Run with
/// `--nocapture` to see the table (it is in BENCHMARKS.md).
#[test]
fn rounds_of_a_parallel_search_approach_log_base_w_plus_one() {
    let n = 1024;
    println!("| workers W | suspects N | rounds (virtual time of the search) | ⌈log_(W+1) N⌉ |");
    println!("|---|---|---|---|");
    for workers in [1usize, 2, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        let hunted = hunt(
            dir.path(),
            n + 1,
            workers,
            Arc::default(),
            move |_, job, _| Scripted {
                seconds: 1.0,
                result: step_showing(&[("boot", verdict(700, job))]),
            },
        );
        assert_eq!(hunted.culprit, Some(id(700)));
        let end = hunted.timeline.iter().map(|h| h.at).fold(0.0, f64::max);
        // The endpoints take the first second.
        let rounds = end - 1.0;
        let ideal = (n as f64).log((workers + 1) as f64).ceil();
        println!("| {workers} | {n} | {rounds} | {ideal} |");
        // One worker pays for the search's skew at the end; several workers, which
        // see every result that came in together before choosing, do not.
        let bound = if workers == 1 { ideal + 1.0 } else { ideal };
        assert!(
            rounds <= bound,
            "W = {workers}: {rounds} rounds, ideal {ideal}"
        );
    }
}

/// A window of commits that do not build (the header they include went away), the
/// culprit inside it, and the commit after it that fixes the build.
const WINDOW: std::ops::RangeInclusive<usize> = 90..=97;
const WINDOW_CULPRIT: usize = 94;
const WINDOW_FIX: usize = 98;

/// What the fake executor does with a commit of that history: a window commit's build
/// fails unless the fix is applied on top; commits from the culprit on panic.
fn window_step(job: &Job) -> Scripted {
    let n = index(job);
    let mut result = step_showing(&[("boot", verdict(WINDOW_CULPRIT, job))]);
    if !job.fixups.is_empty() {
        result.fixup = Some(FixupRecord {
            applied: job.fixups.clone(),
            contained: Vec::new(),
            conflict: None,
        });
    }
    if WINDOW.contains(&n) && !job.fixups.contains(&id(WINDOW_FIX)) {
        let mut build = step_showing(&[(
            "build",
            Outcome::BuildError {
                signature: Signature::new(
                    SignatureKind::Compiler,
                    "lib.c: error: types.h: No such file or directory",
                ),
            },
        )]);
        result.build = build.tests.pop();
    }
    Scripted {
        seconds: 1.0,
        result,
    }
}

#[test]
fn up_front_the_fix_search_runs_at_the_first_build_failure_before_any_other_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut up_front = plan(200);
    up_front.auto_fixup_up_front = true;
    let hunted = hunt_plan(
        dir.path(),
        CONFIG,
        up_front,
        2,
        Arc::default(),
        |_, job, _| window_step(job),
    );
    assert_eq!(
        hunted.culprit,
        Some(id(WINDOW_CULPRIT)),
        "{:?}",
        hunted.error
    );
    let started: Vec<&str> = hunted
        .timeline
        .iter()
        .filter(|h| h.what == What::Started)
        .map(|h| h.candidate.as_str())
        .collect();
    let phases: Vec<&str> = hunted.phases.iter().map(String::as_str).collect();
    // The journal holds the steps in the order they started; with two workers, the
    // step running beside the first failed build finishes, then the fix search runs
    // before any other search step, and the search goes on with the fix.
    let first_failure = started
        .iter()
        .position(|c| WINDOW.contains(&c[1..].parse().unwrap()))
        .unwrap();
    let probes: Vec<usize> = (0..phases.len())
        .filter(|&i| phases[i] == "fixup-probe")
        .collect();
    assert!(!probes.is_empty(), "{phases:?}");
    assert!(
        probes[0] <= first_failure + 2,
        "the fix search starts at step {} of {phases:?}; the first failure was step {first_failure}",
        probes[0]
    );
    assert_eq!(
        probes,
        (probes[0]..probes[0] + probes.len()).collect::<Vec<_>>(),
        "{phases:?}"
    );
    let after_probes = probes.last().unwrap() + 1;
    // (A window commit below the first failure may still come first, on its own.)
    assert!(
        phases[after_probes..].contains(&"search-fixup"),
        "{phases:?}"
    );
    // After the fix is known, no window commit between the failure and the fix is
    // built on its own in the search: they get the fix at once.
    let failed: usize = started[first_failure][1..].parse().unwrap();
    for i in after_probes..started.len() {
        let n: usize = started[i][1..].parse().unwrap();
        if WINDOW.contains(&n) && n > failed {
            assert_ne!(phases[i], "search", "step {i}: {started:?} {phases:?}");
        }
    }

    // The rule after the end finds the same culprit, with more steps.
    let dir = tempfile::tempdir().unwrap();
    let after = hunt(dir.path(), 200, 2, Arc::default(), |_, job, _| {
        window_step(job)
    });
    assert_eq!(after.culprit, Some(id(WINDOW_CULPRIT)), "{:?}", after.error);
    assert!(
        hunted.journal_steps < after.journal_steps,
        "up front {} steps, after the end {}",
        hunted.journal_steps,
        after.journal_steps
    );
}

/// The toyos demo's history, as `culprit demo` generates it (crates/culprit/src/history.rs),
/// by commit number: topic branches merged every 25 commits, an early-crash window, a
/// window that does not build with the culprit inside it, the commit that ends the
/// window (the fixup), and a late-crash window.
struct Toyos {
    parents: Vec<Vec<usize>>,
    /// `contains[n][m]`: commit `m` is `n` or one of its ancestors.
    contains: Vec<Vec<bool>>,
    unbuildable: Vec<usize>,
    crashing: Vec<usize>,
    culprit: usize,
    fix: usize,
}

impl Toyos {
    fn new(size: usize) -> Toyos {
        let crash_at = size / 4;
        let window_at = size * 9 / 20;
        let late_crash_at = size * 4 / 5;
        let landmarks = [
            crash_at,
            crash_at + 3,
            window_at,
            window_at + 7,
            window_at + 4,
            late_crash_at,
            late_crash_at + 2,
        ];
        let mut toyos = Toyos {
            parents: vec![vec![]],
            contains: Vec::new(),
            unbuildable: Vec::new(),
            crashing: Vec::new(),
            culprit: 0,
            fix: 0,
        };
        let push = |parents: &mut Vec<Vec<usize>>, of: Vec<usize>| {
            parents.push(of);
            parents.len() - 1
        };
        let (mut head, mut broken, mut crashing, mut i) = (0, false, false, 1);
        while i < size {
            let near = landmarks.iter().any(|&at| (i..i + 4).contains(&at));
            if i % 25 == 0 && !broken && !crashing && !near && i + 6 < size {
                let mut topic = head;
                for _ in 0..3 {
                    topic = push(&mut toyos.parents, vec![topic]);
                }
                for _ in 0..2 {
                    head = push(&mut toyos.parents, vec![head]);
                    i += 1;
                }
                head = push(&mut toyos.parents, vec![head, topic]);
                i += 1;
                continue;
            }
            if i == crash_at || i == late_crash_at {
                crashing = true;
            } else if i == crash_at + 3 || i == late_crash_at + 2 {
                crashing = false;
            } else if i == window_at {
                broken = true;
            } else if i == window_at + 7 {
                broken = false;
                head = push(&mut toyos.parents, vec![head]);
                toyos.fix = head;
                i += 1;
                continue;
            }
            head = push(&mut toyos.parents, vec![head]);
            if broken {
                toyos.unbuildable.push(head);
            }
            if crashing {
                toyos.crashing.push(head);
            }
            if i == window_at + 4 {
                toyos.culprit = head;
            }
            i += 1;
        }
        let n = toyos.parents.len();
        for node in 0..n {
            let mut row = vec![false; n];
            row[node] = true;
            for &p in &toyos.parents[node] {
                for (m, &c) in toyos.contains[p].iter().enumerate() {
                    row[m] |= c;
                }
            }
            toyos.contains.push(row);
        }
        toyos
    }

    fn plan(&self) -> Plan {
        let range = (1..self.parents.len())
            .rev()
            .map(|i| (id(i), self.parents[i].iter().map(|&p| id(p)).collect()))
            .collect();
        Plan {
            kind: CandidateKind::Commits {
                range,
                trees: BTreeMap::new(),
            },
            bad: id(self.parents.len() - 1),
            verify: 1,
            endpoint_runs: 2,
            tests: TOYOS_TESTS.iter().map(|t| t.to_string()).collect(),
            ..plan(2)
        }
    }

    /// One step of commit `node` (with the fixup when asked), as toyos behaves: a build
    /// of 2 s (0.25 s when it fails), then each test's boot in order until one shows its
    /// target: 0.4 s for a pass or a crash, 0.3 s for the culprit's quick failures, and
    /// the silence timeout (2 s) plus the boot for the hang.
    fn step(&self, job: &Job) -> Scripted {
        let node = index(job);
        let fixed: Vec<String> = job
            .fixups
            .iter()
            .filter(|f| !self.contains[node][f[1..].parse::<usize>().unwrap()])
            .cloned()
            .collect();
        let fixup = (!job.fixups.is_empty()).then(|| culprit_hunt::record::FixupRecord {
            applied: fixed.clone(),
            contained: job
                .fixups
                .iter()
                .filter(|f| !fixed.contains(f))
                .cloned()
                .collect(),
            conflict: None,
        });
        let with_fix = fixed.contains(&id(self.fix));
        let record = |name: &str, outcome: Outcome, seconds: f64| culprit_hunt::record::RunRecord {
            stage: "test".into(),
            duration_s: seconds,
            ..step_showing(&[(name, outcome)]).tests.remove(0)
        };
        let names: Vec<String> = if job.tests.is_empty() {
            TOYOS_TESTS.iter().map(|t| t.to_string()).collect()
        } else {
            job.tests.clone()
        };
        if self.unbuildable.contains(&node) && !with_fix {
            let error = Outcome::BuildError {
                signature: Signature::new(
                    SignatureKind::Compiler,
                    "src/changelog.c: error: toyos/lib_types.h: No such file or directory",
                ),
            };
            return Scripted {
                seconds: 0.25,
                result: culprit_hunt::record::StepResult {
                    build: Some(record("build", error.clone(), 0.25)),
                    tests: names
                        .iter()
                        .map(|n| record(n, error.clone(), 0.0))
                        .collect(),
                    fixup,
                    ..Default::default()
                },
            };
        }
        let bad = self.contains[node][self.culprit];
        let crashing = self.crashing.contains(&node);
        let mut seconds = 2.0;
        let mut tests = Vec::new();
        for name in &names {
            let (outcome, took) = if crashing {
                (
                    fail(
                        SignatureKind::Custom,
                        "TOYOS FATAL ERROR: CPU exception 13 (general protection fault)",
                    ),
                    0.4,
                )
            } else if !bad {
                (Outcome::Pass, 0.4)
            } else if name == "smp_semaphore" {
                (
                    Outcome::Hang {
                        stage: "test".into(),
                        last_line: None,
                    },
                    2.4,
                )
            } else if name == "smp_mutex" {
                (
                    fail(
                        SignatureKind::Custom,
                        "TOYOS FATAL ERROR: CPU exception 0 (divide error)",
                    ),
                    0.3,
                )
            } else {
                (
                    fail(
                        SignatureKind::Assertion,
                        "ASSERTION FAIL [remote.runs == 1] @ smp_threads.c",
                    ),
                    0.3,
                )
            };
            seconds += took;
            let run = record(name, outcome, took);
            let stop = decisive(job, &run);
            tests.push(run);
            if stop {
                break;
            }
        }
        Scripted {
            seconds,
            result: culprit_hunt::record::StepResult {
                build: Some(record("build", Outcome::Pass, 2.0)),
                tests,
                fixup,
                ..Default::default()
            },
        }
    }
}

const TOYOS_TESTS: [&str; 3] = ["smp_semaphore", "smp_mutex", "smp_threads"];

fn fail(kind: SignatureKind, title: &str) -> Outcome {
    Outcome::Fail {
        signature: Signature::new(kind, title),
    }
}

/// The demo's hunt with one and with two workers, in virtual time: the second worker
/// must make the hunt at least 1.5 times faster, and both must name the planted
/// culprit. Run with `--nocapture` to see the table.
#[test]
fn two_workers_hunt_the_toyos_history_faster() {
    let toyos = Arc::new(Toyos::new(200));
    let config: String = TOYOS_TESTS
        .iter()
        .map(|t| format!("[[test]]\nname = \"{t}\"\ncommand = \"boot.sh {t}\"\n"))
        .collect();
    println!("| workers | virtual seconds | steps | boots | culprit |");
    println!("|--:|--:|--:|--:|---|");
    let mut seconds = Vec::new();
    for workers in [1usize, 2] {
        let dir = tempfile::tempdir().unwrap();
        let shape = toyos.clone();
        let boots = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = boots.clone();
        let hunted = hunt_plan(
            dir.path(),
            &config,
            toyos.plan(),
            workers,
            Arc::default(),
            move |_, job, _| {
                let scripted = shape.step(job);
                let ran = scripted
                    .result
                    .tests
                    .iter()
                    .filter(|t| t.duration_s > 0.0)
                    .count();
                counted.fetch_add(ran, Ordering::SeqCst);
                scripted
            },
        );
        let end = hunted.timeline.iter().map(|h| h.at).fold(0.0, f64::max);
        println!(
            "| {workers} | {end:.1} | {} | {} | {:?} |",
            hunted.journal_steps,
            boots.load(Ordering::SeqCst),
            hunted.culprit
        );
        assert_eq!(
            hunted.culprit,
            Some(id(toyos.culprit)),
            "{:?}",
            hunted.error
        );
        seconds.push(end);
    }
    let speedup = seconds[0] / seconds[1];
    println!("-j 2 against -j 1: {speedup:.2}x faster");
    assert!(speedup >= 1.5, "{seconds:?}");
}

#[test]
fn a_rerun_of_the_bad_endpoint_runs_alongside_the_search_and_a_pass_restarts_it_with_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let culprit = 60;
    let commits = 100;
    // Commits from the culprit on fail two runs in three (the first included); the
    // bad endpoint's second run is the one that passes.
    let mut runs: BTreeMap<usize, usize> = BTreeMap::new();
    let plan = Plan {
        endpoint_runs: 2,
        ..plan(commits)
    };
    let hunted = hunt_plan(
        dir.path(),
        CONFIG,
        plan,
        2,
        Arc::default(),
        move |_, job, _| {
            let n = index(job);
            let count = runs.entry(n).or_default();
            let outcome = if n >= culprit && *count % 3 != 1 {
                verdict(culprit, job)
            } else {
                Outcome::Pass
            };
            *count += 1;
            Scripted {
                seconds: 1.0,
                result: step_showing(&[("boot", outcome)]),
            }
        },
    );
    assert_eq!(hunted.culprit, Some(id(culprit)), "{:?}", hunted.error);
    let bad = id(commits - 1);
    let started = |c: &str| -> Vec<f64> {
        hunted
            .timeline
            .iter()
            .filter(|h| h.what == What::Started && h.candidate == c)
            .map(|h| h.at)
            .collect()
    };
    let bad_starts = started(&bad);
    // The rerun started with the first search step, on the other worker.
    let alongside = hunted
        .timeline
        .iter()
        .any(|h| h.what == What::Started && h.at == bad_starts[1] && h.candidate != bad);
    assert!(alongside, "{:?}", hunted.timeline);
    // Then the search starts again at once, the rates unknown and learned from every
    // run: no more runs of the endpoints up front, the two so far are evidence.
    let search_after = hunted
        .timeline
        .iter()
        .any(|h| h.what == What::Started && h.at == bad_starts[1] + 1.0 && h.candidate != bad);
    assert!(search_after, "{:?}", hunted.timeline);
    assert!(bad_starts.len() < 5, "{:?}", hunted.timeline);
    assert!(hunted.conclusion.unwrap().flaky.is_some());
}

/// Random linear histories, culprits and step times (ties included, as whole seconds),
/// with the bad endpoint's rerun alongside the search: every hunt names the culprit,
/// with two and with three workers.
#[test]
fn parallel_hunts_with_random_step_times_always_name_the_culprit() {
    let mut rng = culprit_search::commit::simulate::SplitMix64::new(12);
    for round in 0..40 {
        let commits = 3 + rng.below(300);
        let culprit = 1 + rng.below(commits - 1);
        let workers = 2 + round % 2;
        let seed = rng.next_u64();
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan {
            endpoint_runs: 2,
            ..plan(commits)
        };
        let mut times = culprit_search::commit::simulate::SplitMix64::new(seed);
        let hunted = hunt_plan(
            dir.path(),
            CONFIG,
            plan,
            workers,
            Arc::default(),
            move |_, job, _| Scripted {
                seconds: (1 + times.below(3)) as f64,
                result: step_showing(&[("boot", verdict(culprit, job))]),
            },
        );
        assert_eq!(
            hunted.culprit,
            Some(id(culprit)),
            "{commits} commits, W = {workers}, seed {seed}: {:?}",
            hunted.error
        );
    }
}

/// Endpoints that do not behave as stated are told apart by kind, not by wording: a bad
/// endpoint without the failure, a good endpoint that shows it.
#[test]
fn endpoints_that_do_not_behave_as_stated_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let passing = hunt(dir.path(), 40, 2, Arc::default(), |_, _, _| Scripted {
        seconds: 1.0,
        result: step_showing(&[("boot", Outcome::Pass)]),
    });
    assert!(
        matches!(
            &passing.error,
            Some(HuntError::NothingToHunt { revision, explicit_target: false, .. }) if revision == &id(39)
        ),
        "{:?}",
        passing.error
    );
    let dir = tempfile::tempdir().unwrap();
    let failing = hunt(dir.path(), 40, 2, Arc::default(), |_, job, _| Scripted {
        seconds: 1.0,
        result: step_showing(&[("boot", verdict(0, job))]),
    });
    assert!(
        matches!(&failing.error, Some(HuntError::GoodFails { revision, verdict }) if revision == &id(0) && verdict == "bad"),
        "{:?}",
        failing.error
    );
    assert!(failing.error.as_ref().is_some_and(HuntError::is_bad_input));
}
