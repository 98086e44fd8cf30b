//! The toyos demo's history in virtual time: what a second worker buys on a history with
//! merges, crash windows and a window that does not build.

use super::{decisive, hunt_plan, id, index, plan};
use culprit_console::{Outcome, Signature, SignatureKind};
use culprit_hunt::commit_hunt::{CandidateKind, Plan};
use culprit_hunt::executor::fake::{step_showing, Scripted};
use culprit_hunt::executor::Job;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

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
        let mut plan = Plan {
            kind: CandidateKind::Commits {
                range,
                trees: BTreeMap::new(),
            },
            bad: id(self.parents.len() - 1),
            ..plan(2)
        };
        plan.settings.verify = 1;
        plan.settings.endpoint_runs = 2;
        plan.settings.tests = TOYOS_TESTS.iter().map(|t| t.to_string()).collect();
        plan
    }

    /// One step of commit `node` (with the fixup when asked), as toyos behaves: a build
    /// of 2 s (0.25 s when it fails), then each test's boot in order until one shows its
    /// target: 0.4 s for a pass or a crash, 0.3 s for the culprit's quick failures, and
    /// the silence timeout (2 s) plus the boot for the hang.
    fn step(&self, job: &Job) -> Scripted {
        let node = index(job);
        let fixed: Vec<String> = job
            .work
            .fixups
            .iter()
            .filter(|f| !self.contains[node][f[1..].parse::<usize>().unwrap()])
            .cloned()
            .collect();
        let fixup = (!job.work.fixups.is_empty()).then(|| culprit_hunt::record::FixupRecord {
            applied: fixed.clone(),
            contained: job
                .work
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
        let names: Vec<String> = if job.work.tests.is_empty() {
            TOYOS_TESTS.iter().map(|t| t.to_string()).collect()
        } else {
            job.work.tests.clone()
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
