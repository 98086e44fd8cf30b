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

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use culprit_search::commit::simulate::{hunt, hunt_with_fixups, FixTiming, History, SplitMix64};
use culprit_search::commit::{BisectOptions, CommitGraph, FlakyModel, Status, Verdict};

mod support;
use support::{mean, median, write_section};

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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Linear,
    MergeHeavy,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Linear => "linear",
            Shape::MergeHeavy => "merge-heavy",
        }
    }
}

#[derive(Clone, Copy)]
enum Scenario {
    Deterministic,
    /// Commits in a window of 2% of the history, around its middle, do not build.
    SkipMiddle,
    /// Eight commits around the culprit (culprit included) do not build.
    SkipAroundCulprit,
    /// The same windows and culprits; culprit applies the automatic fixup rule (the fix,
    /// the first commit after the window that builds, applies cleanly and cures the
    /// build; it does not carry the failure). git bisect has no fixups: its column is
    /// the row above's.
    SkipAroundCulpritFixups,
    /// The same, the fix looked for at the first candidate that does not build
    /// (`--auto-fixup`) instead of after the search has ended ambiguous.
    SkipAroundCulpritFixupsUpFront,
    /// Commits containing the culprit fail with this probability.
    Flaky(f64),
}

impl Scenario {
    fn name(self) -> String {
        match self {
            Scenario::Deterministic => "deterministic".into(),
            Scenario::SkipMiddle => "skip window (2%, middle)".into(),
            Scenario::SkipAroundCulprit => "skip window (8, on the culprit)".into(),
            Scenario::SkipAroundCulpritFixups => {
                "skip window (8, on the culprit), automatic fixups".into()
            }
            Scenario::SkipAroundCulpritFixupsUpFront => {
                "skip window (8, on the culprit), automatic fixups up front".into()
            }
            Scenario::Flaky(p) => format!("flaky, bad fails {p}"),
        }
    }

    fn flaky(self) -> Option<f64> {
        match self {
            Scenario::Flaky(p) => Some(p),
            _ => None,
        }
    }
}

/// One trial's setting: the culprit (history number) and the skipped window.
struct Trial {
    culprit: usize,
    skip: Option<(usize, usize)>,
    seed: u64,
}

impl Trial {
    fn new(scenario: Scenario, len: usize, rng: &mut SplitMix64) -> Self {
        let culprit = 1 + rng.below(len - 1);
        let skip = match scenario {
            Scenario::SkipMiddle => {
                let width = (len / 50).max(2);
                let start =
                    len / 2 - width / 2 - rng.below(width / 2 + 1) + rng.below(width / 2 + 1);
                Some((start.max(1), (start + width - 1).min(len - 2)))
            }
            Scenario::SkipAroundCulprit
            | Scenario::SkipAroundCulpritFixups
            | Scenario::SkipAroundCulpritFixupsUpFront => {
                let start = culprit.saturating_sub(rng.below(8)).max(1);
                Some((start, (start + 7).min(len - 2)))
            }
            _ => None,
        };
        Self {
            culprit,
            skip,
            seed: rng.next_u64(),
        }
    }

    fn skipped(&self, commit: usize) -> bool {
        self.skip
            .is_some_and(|(lo, hi)| (lo..=hi).contains(&commit))
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    exact: usize,
    ambiguous: usize,
    wrong: usize,
    inconclusive: usize,
    /// Total size of the ambiguous sets reported.
    set_sizes: usize,
}

impl Tally {
    fn total(&self) -> usize {
        self.exact + self.ambiguous + self.wrong + self.inconclusive
    }

    fn rate(&self, count: usize) -> f64 {
        100.0 * count as f64 / self.total().max(1) as f64
    }

    fn describe(&self) -> String {
        let mut text = format!("{:.1}%", self.rate(self.exact));
        if self.ambiguous > 0 {
            let size = self.set_sizes as f64 / self.ambiguous as f64;
            write!(
                text,
                " (+{:.1}% set of {size:.1})",
                self.rate(self.ambiguous)
            )
            .ok();
        }
        if self.inconclusive > 0 {
            write!(text, " ({:.1}% open)", self.rate(self.inconclusive)).ok();
        }
        text
    }
}

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

/// A generated history, its graph, and its git repository.
struct Subject {
    history: History,
    graph: CommitGraph,
    node_of: Vec<usize>,
    commit_of: Vec<usize>,
    repo: Repo,
}

impl Subject {
    fn new(shape: Shape, len: usize, seed: u64, dir: &Path) -> Self {
        let mut rng = SplitMix64::new(seed);
        let history = match shape {
            Shape::Linear => History::linear(len),
            Shape::MergeHeavy => History::merge_heavy(len, &mut rng),
        };
        let graph = history.graph().expect("a generated history is a DAG");
        let (node_of, commit_of) = history.node_numbers(&graph);
        let repo = Repo::create(dir, &history);
        Self {
            history,
            graph,
            node_of,
            commit_of,
            repo,
        }
    }

    fn tip(&self) -> usize {
        self.history.len() - 1
    }

    /// culprit's hunt: returns (runs, outcome, strategy microseconds per run).
    fn culprit_hunt(&self, scenario: Scenario, trial: &Trial) -> (usize, Outcome, f64) {
        let contains = self.history.contains(trial.culprit);
        let mut flips = SplitMix64::new(trial.seed);
        let p = scenario.flaky().unwrap_or(1.0);
        let mut endpoint_runs = 0;
        let options = match scenario.flaky() {
            None => BisectOptions::default(),
            Some(p) => {
                let (mut bad_fails, mut bad_runs) = (0, 0);
                for batch in 0..MAX_BATCHES {
                    bad_fails += (0..ENDPOINT_BATCH).filter(|_| flips.chance(p)).count() as u32;
                    bad_runs += ENDPOINT_BATCH;
                    if bad_fails >= WANTED_FAILS || batch + 1 == MAX_BATCHES {
                        break;
                    }
                }
                endpoint_runs = bad_runs as usize + ENDPOINT_BATCH as usize;
                match FlakyModel::estimate(bad_fails, bad_runs, 0, ENDPOINT_BATCH) {
                    Ok(model) => BisectOptions {
                        flaky: Some(model),
                        confidence: 0.99,
                        ..BisectOptions::default()
                    },
                    Err(_) => return (endpoint_runs, Outcome::Inconclusive, 0.0),
                }
            }
        };
        let oracle = |node: usize| {
            let commit = self.commit_of[node];
            if trial.skipped(commit) {
                Verdict::Skip {
                    reason: "does not build".into(),
                }
            } else if contains[commit] && (p >= 1.0 || flips.chance(p)) {
                Verdict::Bad
            } else {
                Verdict::Good
            }
        };
        let start = Instant::now();
        let result = match scenario {
            // With the fix applied, a commit of the window is tested like any other.
            Scenario::SkipAroundCulpritFixups | Scenario::SkipAroundCulpritFixupsUpFront => {
                hunt_with_fixups(
                    &self.graph,
                    &[self.node_of[0]],
                    self.node_of[self.tip()],
                    options,
                    MAX_RUNS,
                    if matches!(scenario, Scenario::SkipAroundCulpritFixupsUpFront) {
                        FixTiming::UpFront
                    } else {
                        FixTiming::AfterTheEnd
                    },
                    |node, fixed| {
                        let commit = self.commit_of[node];
                        if trial.skipped(commit) && !fixed {
                            Verdict::Skip {
                                reason: "does not build".into(),
                            }
                        } else if contains[commit] {
                            Verdict::Bad
                        } else {
                            Verdict::Good
                        }
                    },
                )
            }
            _ => hunt(
                &self.graph,
                &[self.node_of[0]],
                self.node_of[self.tip()],
                options,
                1,
                MAX_RUNS,
                oracle,
            ),
        }
        .expect("the endpoints are in the graph");
        let micros = start.elapsed().as_secs_f64() * 1e6 / result.runs.max(1) as f64;
        let culprit = self.node_of[trial.culprit];
        let outcome = match result.status {
            Status::Found { culprit: found, .. } if found == culprit => Outcome::Exact,
            Status::Ambiguous { suspects } if suspects.iter().any(|s| s.node == culprit) => {
                Outcome::Ambiguous(suspects.len())
            }
            Status::Searching { .. } => Outcome::Inconclusive,
            _ => Outcome::Wrong,
        };
        (result.runs + endpoint_runs, outcome, micros)
    }
}

#[derive(Clone, Copy)]
enum Outcome {
    Exact,
    /// A set of this many commits that holds the culprit.
    Ambiguous(usize),
    Wrong,
    Inconclusive,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Exact => self.exact += 1,
            Outcome::Ambiguous(size) => {
                self.ambiguous += 1;
                self.set_sizes += size;
            }
            Outcome::Wrong => self.wrong += 1,
            Outcome::Inconclusive => self.inconclusive += 1,
        }
    }
}

/// A git repository holding a generated history, and what `git bisect run` needs.
struct Repo {
    dir: PathBuf,
    shas: Vec<String>,
}

impl Repo {
    fn create(dir: &Path, history: &History) -> Self {
        git(dir, &["init", "-q", "-b", "main"]);
        let mut stream = String::new();
        for (i, parents) in history.parents.iter().enumerate() {
            let content = format!("{i}\n");
            write!(
                stream,
                "commit refs/heads/main\nmark :{}\ncommitter B <b@example.invalid> {} +0000\ndata 0\n",
                i + 1,
                1_600_000_000 + i
            )
            .ok();
            if let Some((first, rest)) = parents.split_first() {
                writeln!(stream, "from :{}", first + 1).ok();
                for p in rest {
                    writeln!(stream, "merge :{}", p + 1).ok();
                }
            }
            write!(
                stream,
                "M 644 inline n\ndata {}\n{content}\n",
                content.len()
            )
            .ok();
        }
        let marks = dir.join("marks");
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .arg(format!("--export-marks={}", marks.display()))
            .current_dir(dir)
            .stdin(Stdio::piped())
            .spawn()
            .expect("git fast-import starts");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("piped stdin");
            stdin
                .write_all(stream.as_bytes())
                .expect("fast-import reads the stream");
        }
        assert!(child.wait().expect("fast-import ends").success());
        git(dir, &["commit-graph", "write", "--reachable"]);
        let mut shas = vec![String::new(); history.len()];
        for line in std::fs::read_to_string(&marks)
            .expect("marks written")
            .lines()
        {
            if let Some((mark, sha)) = line.split_once(' ') {
                let i: usize = mark.trim_start_matches(':').parse().expect("numeric mark");
                shas[i - 1] = sha.to_string();
            }
        }
        Self {
            dir: dir.to_path_buf(),
            shas,
        }
    }

    /// One `git bisect start` + `run`: (runs, outcome), or `None` past `GIT_DEADLINE`.
    fn bisect(&self, scenario: Scenario, trial: &Trial) -> Option<(usize, Outcome)> {
        let state = self.dir.join("state");
        std::fs::create_dir_all(&state).expect("state dir");
        std::fs::write(state.join("count"), "0\n").expect("counter");
        let threshold = (scenario.flaky().unwrap_or(1.0) * 10_000.0).round() as u64;
        if scenario.flaky().is_some() {
            let mut flips = SplitMix64::new(trial.seed);
            let draws: String = (0..MAX_RUNS)
                .map(|_| format!("{}\n", flips.below(10_000)))
                .collect();
            std::fs::write(state.join("draws"), draws).expect("draws");
        }
        let (lo, hi) = trial.skip.unwrap_or((usize::MAX, 0));
        let script = format!(
            r#"#!/bin/sh
c=$(($(cat "{state}/count") + 1)); echo $c > "{state}/count"
n=$(git show BISECT_HEAD:n)
if [ "$n" -ge {lo} ] && [ "$n" -le {hi} ]; then exit 125; fi
if git merge-base --is-ancestor {culprit} BISECT_HEAD; then
  if [ {threshold} -ge 10000 ]; then exit 1; fi
  r=$(sed -n "${{c}}p" "{state}/draws")
  if [ "$r" -lt {threshold} ]; then exit 1; fi
fi
exit 0
"#,
            state = state.display(),
            culprit = self.shas[trial.culprit],
            lo = if lo == usize::MAX { 1 } else { lo },
            hi = if lo == usize::MAX { 0 } else { hi },
        );
        let script_path = state.join("test.sh");
        std::fs::write(&script_path, script).expect("script");
        git(&self.dir, &["bisect", "reset", "-q"]);
        let deadline = Instant::now() + GIT_DEADLINE;
        let log_path = state.join("log");
        let log = std::fs::File::create(&log_path).expect("log file");
        let tip = &self.shas[self.shas.len() - 1];
        let steps: [Vec<&OsStr>; 2] = [
            ["bisect", "start", "--no-checkout", tip, &self.shas[0]]
                .map(OsStr::new)
                .to_vec(),
            vec![
                OsStr::new("bisect"),
                OsStr::new("run"),
                OsStr::new("sh"),
                script_path.as_os_str(),
            ],
        ];
        for args in steps {
            let mut child = Command::new("git")
                .args(args)
                .current_dir(&self.dir)
                .stdout(log.try_clone().expect("log handle"))
                .stderr(log.try_clone().expect("log handle"))
                .spawn()
                .expect("git bisect starts");
            while child.try_wait().expect("git is waited for").is_none() {
                if Instant::now() > deadline {
                    child.kill().ok();
                    child.wait().ok();
                    git(&self.dir, &["bisect", "reset", "-q"]);
                    return None;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let runs: usize = std::fs::read_to_string(state.join("count"))
            .ok()
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0);
        let culprit = &self.shas[trial.culprit];
        let outcome = if let Some(line) = text
            .lines()
            .find(|l| l.ends_with("is the first bad commit"))
        {
            if line.starts_with(culprit.as_str()) {
                Outcome::Exact
            } else {
                Outcome::Wrong
            }
        } else if text.contains("could be any of") {
            let listed: Vec<&str> = text
                .lines()
                .skip_while(|l| !l.contains("could be any of"))
                .skip(1)
                .take_while(|l| l.len() >= 40 && l.chars().take(40).all(|c| c.is_ascii_hexdigit()))
                .collect();
            if listed.iter().any(|l| l.starts_with(culprit.as_str())) {
                Outcome::Ambiguous(listed.len())
            } else {
                Outcome::Wrong
            }
        } else {
            Outcome::Inconclusive
        };
        git(&self.dir, &["bisect", "reset", "-q"]);
        Some((runs, outcome))
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("git runs");
    if !status.success() && args.first() != Some(&"bisect") {
        panic!("git {args:?} failed");
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
    let quick = std::env::args().any(|a| a == "--quick")
        || std::env::var("CULPRIT_BENCH_QUICK").is_ok_and(|v| v != "0");
    let started = Instant::now();
    let scratch = std::env::temp_dir().join(format!("culprit-commit-bench-{}", std::process::id()));
    let mut rows = Vec::new();
    let mut subjects: Vec<((Shape, usize), Subject)> = Vec::new();
    let only = std::env::var("CULPRIT_BENCH_ROWS").ok();
    let selected = plan().into_iter().filter(|(_, _, scenario, _, _)| {
        only.as_ref()
            .is_none_or(|o| scenario.name().contains(o.as_str()))
    });
    for (shape, len, scenario, full, quick_trials) in selected {
        let trials = if quick { quick_trials } else { full };
        if !subjects.iter().any(|(key, _)| *key == (shape, len)) {
            let dir = scratch.join(format!("{}-{len}", shape.name()));
            std::fs::create_dir_all(&dir).expect("scratch dir");
            let created = Instant::now();
            let subject = Subject::new(shape, len, len as u64 ^ 0xc0ffee, &dir);
            eprintln!(
                "{} {len}: repository in {:.1} s",
                shape.name(),
                created.elapsed().as_secs_f64()
            );
            subjects.push(((shape, len), subject));
        }
        let subject = &subjects
            .iter()
            .find(|(key, _)| *key == (shape, len))
            .expect("just created")
            .1;
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
        let row_started = Instant::now();
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
        eprintln!(
            "{} {len} {}: {:.1} s",
            shape.name(),
            scenario.name(),
            row_started.elapsed().as_secs_f64()
        );
        rows.push(row);
    }
    std::fs::remove_dir_all(&scratch).ok();
    let table = render(&rows, quick, started.elapsed().as_secs_f64());
    println!("{table}");
    if only.is_some() {
        return;
    }
    if let Err(e) = write_section(&table) {
        eprintln!("BENCHMARKS.md not updated: {e}");
    }
}

fn render(rows: &[Row], quick: bool, seconds: f64) -> String {
    let mut out = String::new();
    writeln!(out, "## Commit bisection\n").ok();
    writeln!(
        out,
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
         that does not build (`--auto-fixup`) rather than once the search has ended ambiguous.\n",
        git_version()
    )
    .ok();
    writeln!(
        out,
        "| history | commits | scenario | trials | runs culprit (mean / median) | runs git bisect (mean / median) | right culprit | right git bisect | strategy time / run |"
    )
    .ok();
    writeln!(out, "|---|---:|---|---:|---:|---:|---:|---:|---:|").ok();
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
    writeln!(
        out,
        "\n{} mode, {:.0} s in all. Reproduce: `cargo bench -p culprit-search --bench commit_bench{}`.",
        if quick { "Quick" } else { "Full" },
        seconds,
        if quick { " -- --quick" } else { "" }
    )
    .ok();
    out
}

fn format_micros(micros: f64) -> String {
    if micros >= 1000.0 {
        format!("{:.1} ms", micros / 1000.0)
    } else {
        format!("{micros:.0} µs")
    }
}

fn git_version() -> String {
    Command::new("git")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "git".into())
}
