//! Commit bisection: runs needed and correctness of culprit's strategy against real
//! `git bisect run`, side by side on the same generated repositories and culprits.
//!
//! `cargo bench -p culprit-search --bench commit_bench [-- --quick]` prints a markdown
//! table and writes it to the `## Commit bisection` section of `BENCHMARKS.md` at the
//! workspace root. `CULPRIT_BENCH_QUICK=1` is the same as `--quick`.
//! `CULPRIT_BENCH_ROWS=TEXT` runs only the rows whose scenario names contain TEXT and
//! prints them without touching `BENCHMARKS.md`.
//!
//! Histories (linear, merge-heavy) are generated with a seeded generator and imported
//! with `git fast-import`; each commit writes its number to the file `n`. git's test
//! script reads `n` to decide skips and asks `git merge-base --is-ancestor` whether the
//! commit contains the culprit (in a merge-heavy history that is not a comparison of
//! numbers); a flaky failure draws from a seeded sequence of numbers shared through a
//! file. culprit runs against the same oracle in process.

use std::fmt::Write as _;
use std::time::Instant;

use culprit_search::commit::simulate::SplitMix64;

mod git_bisect;
mod scenario;
mod subject;
#[path = "../support/mod.rs"]
mod support;
mod tally;

use git_bisect::git_version;
use scenario::{Scenario, Shape, Trial};
use subject::Subject;
use support::{
    made_once, mean, median, only_rows, publish, quick_mode, reproduce_line, section_head,
};
use tally::Tally;

/// Runs a hunt may take before it counts as inconclusive.
const MAX_RUNS: usize = 3000;
/// Endpoint runs per batch to estimate the flaky model, and the failures of the bad
/// endpoint wanted before bisecting (more batches until then, at most `MAX_BATCHES`).
const ENDPOINT_BATCH: u32 = 10;
const WANTED_FAILS: u32 = 3;
const MAX_BATCHES: u32 = 5;
/// How long one `git bisect start` + `git bisect run` may take: git counts the ancestors
/// of every merge separately, which on a merge-heavy history of 100,000 commits takes a
/// minute or more per step.
const GIT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(45);

struct Row {
    shape: Shape,
    len: usize,
    scenario: Scenario,
    trials: usize,
    culprit_runs: Vec<usize>,
    culprit: Tally,
    step_micros: f64,
    git_runs: Vec<usize>,
    git: Tally,
    git_timeouts: usize,
}

impl Row {
    /// Runs `trials` trials of one row, each with culprit and with git bisect on the same
    /// culprit and window; git is left out after its first trial past `GIT_DEADLINE`.
    fn run(
        subject: &Subject,
        (shape, len): (Shape, usize),
        scenario: Scenario,
        trials: usize,
    ) -> Row {
        let mut rng = SplitMix64::new(0xbe5ec7 ^ len as u64 ^ trials as u64);
        let mut row = Row {
            shape,
            len,
            scenario,
            trials,
            culprit_runs: Vec::new(),
            culprit: Tally::default(),
            step_micros: 0.0,
            git_runs: Vec::new(),
            git: Tally::default(),
            git_timeouts: 0,
        };
        for _ in 0..trials {
            let trial = Trial::new(scenario, subject.history.len(), &mut rng);
            let (runs, outcome, micros) = subject.culprit_hunt(scenario, &trial);
            row.culprit_runs.push(runs);
            row.culprit.add(outcome);
            row.step_micros += micros / trials as f64;
            if row.git_timeouts > 0 {
                continue;
            }
            match subject.repo.bisect(scenario, &trial) {
                Some((runs, outcome)) => {
                    row.git_runs.push(runs);
                    row.git.add(outcome);
                }
                None => row.git_timeouts += 1,
            }
        }
        row
    }
}

/// Rows to run: (shape, size, scenario, trials in full mode, trials in quick mode).
fn plan() -> Vec<(Shape, usize, Scenario, usize, usize)> {
    let mut plan = Vec::new();
    for shape in [Shape::Linear, Shape::MergeHeavy] {
        for (len, full, quick) in [
            (100, 60, 10),
            (1000, 60, 10),
            (10_000, 20, 4),
            (100_000, 4, 1),
        ] {
            plan.push((shape, len, Scenario::Deterministic, full, quick));
        }
        for (len, full, quick) in [(1000, 60, 10), (100_000, 3, 1)] {
            plan.push((shape, len, Scenario::SkipMiddle, full, quick));
        }
        plan.push((shape, 1000, Scenario::SkipAroundCulprit, 40, 10));
        plan.push((shape, 1000, Scenario::SkipAroundCulpritFixups, 40, 10));
        plan.push((
            shape,
            1000,
            Scenario::SkipAroundCulpritFixupsUpFront,
            40,
            10,
        ));
        plan.push((shape, 1000, Scenario::Flaky(0.5), 200, 20));
    }
    plan.push((Shape::Linear, 1000, Scenario::Flaky(0.3), 60, 10));
    plan.push((Shape::Linear, 1000, Scenario::Flaky(0.9), 60, 10));
    plan.push((Shape::Linear, 100_000, Scenario::Flaky(0.5), 3, 1));
    plan
}

fn main() {
    let quick = quick_mode();
    let started = Instant::now();
    let scratch = std::env::temp_dir().join(format!("culprit-commit-bench-{}", std::process::id()));
    let mut rows = Vec::new();
    let mut subjects: Vec<((Shape, usize), Subject)> = Vec::new();
    let only = only_rows();
    let selected = plan().into_iter().filter(|(_, _, scenario, _, _)| {
        only.as_ref()
            .is_none_or(|o| scenario.name().contains(o.as_str()))
    });
    for (shape, len, scenario, full, quick_trials) in selected {
        let trials = if quick { quick_trials } else { full };
        let subject = made_once(&mut subjects, (shape, len), || {
            let dir = scratch.join(format!("{}-{len}", shape.name()));
            std::fs::create_dir_all(&dir).expect("scratch dir");
            let created = Instant::now();
            let subject = Subject::new(shape, len, len as u64 ^ 0xc0ffee, &dir);
            eprintln!(
                "{} {len}: repository in {:.1} s",
                shape.name(),
                created.elapsed().as_secs_f64()
            );
            subject
        });
        let row_started = Instant::now();
        rows.push(Row::run(subject, (shape, len), scenario, trials));
        eprintln!(
            "{} {len} {}: {:.1} s",
            shape.name(),
            scenario.name(),
            row_started.elapsed().as_secs_f64()
        );
    }
    std::fs::remove_dir_all(&scratch).ok();
    let table = render(&rows, quick, started.elapsed().as_secs_f64());
    publish(&table, only.is_none());
}

fn render(rows: &[Row], quick: bool, seconds: f64) -> String {
    let intro = format!(
        "culprit's commit bisection (`culprit_search::commit`) against real `git bisect run` \
         ({}), on the same generated repositories and culprits. Runs count every test run, \
         skipped ones included; for flaky rows culprit's count includes the endpoint runs it \
         estimates the failure model from (10 of the good commit, 10 or more of the bad one until \
         it failed 3 times), and it stops at confidence 0.99; git trusts one run per commit. \
         Right: the exact culprit; \"+ set of n\": an ambiguous set (of n commits on average) that \
         holds it (skipped commits); \
         \"open\": no conclusion within {MAX_RUNS} runs. Strategy time: culprit's `next` + `record` \
         per run, release build. \
         \"automatic fixups\": the windows and culprits of the row above, culprit applying the \
         automatic fixup rule (`simulate::hunt_with_fixups`: its runs include the probes that \
         find the fix and the check of the culprit's parent with it; the fix is assumed to \
         apply and cure the build); git bisect has no fixups, so it gives the same answers as \
         in the row above. \"up front\": the same, the fix looked for at the first candidate \
         that does not build (`--auto-fixup`) rather than once the search has ended ambiguous.",
        git_version()
    );
    let mut out = section_head(
        "Commit bisection",
        &intro,
        &[
            "trials",
            "runs culprit (mean / median)",
            "runs git bisect (mean / median)",
            "right culprit",
            "right git bisect",
            "strategy time / run",
        ],
    );
    for row in rows {
        let (mut git_runs, git_right) = if row.git_runs.is_empty() {
            ("-".to_string(), "-".to_string())
        } else {
            (
                format!("{:.1} / {:.0}", mean(&row.git_runs), median(&row.git_runs)),
                row.git.describe(),
            )
        };
        if row.git_timeouts > 0 {
            write!(
                git_runs,
                " ({} of {} trials done; one took over {} s)",
                row.git_runs.len(),
                row.trials,
                GIT_DEADLINE.as_secs()
            )
            .ok();
        }
        writeln!(
            out,
            "| {} | {} | {} | {} | {:.1} / {:.0} | {} | {} | {} | {} |",
            row.shape.name(),
            row.len,
            row.scenario.name(),
            row.trials,
            mean(&row.culprit_runs),
            median(&row.culprit_runs),
            git_runs,
            row.culprit.describe(),
            git_right,
            format_micros(row.step_micros),
        )
        .ok();
    }
    writeln!(out, "{}", reproduce_line("commit_bench", quick, seconds)).ok();
    out
}

fn format_micros(micros: f64) -> String {
    if micros >= 1000.0 {
        format!("{:.1} ms", micros / 1000.0)
    } else {
        format!("{micros:.0} µs")
    }
}
