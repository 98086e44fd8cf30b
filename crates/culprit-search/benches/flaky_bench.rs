//! Flaky-failure bisection, three strategies side by side in one run on the same
//! histories, culprits and random outcomes:
//!
//! - **git bisect**, simulated: a trusted bisection that believes every single run (the
//!   commit bisection's trusted halving takes the same number of runs as real
//!   `git bisect run`, see the `## Commit bisection` section);
//! - **today**: rates estimated from endpoint runs before the search (10 runs of the good
//!   endpoint, the bad one in batches of 10 until it failed 3 times), then the Bayesian
//!   search with those rates;
//! - **new**: rates unknown and learned from every run, a "no culprit" hypothesis, commit
//!   priors; the search starts after the bad endpoint's first failure.
//!
//! `cargo bench -p culprit-search --bench flaky_bench [-- --quick]` prints a markdown
//! table and writes it to the `## Flaky bisection` section of `BENCHMARKS.md`.
//! `CULPRIT_BENCH_ROWS=TEXT` runs only the rows whose names contain TEXT and prints
//! them without touching `BENCHMARKS.md`.

use std::fmt::Write as _;
use std::time::Instant;

use culprit_search::commit::simulate::{hunt, hunt_from_first_failure, History, Hunt, SplitMix64};
use culprit_search::commit::{
    BisectOptions, Bisection, CommitGraph, FlakyModel, Status, UnknownRates, Verdict,
};

mod support;
use support::{
    made_once, mean, only_rows, publish, quantile, quick_mode, reproduce_line, section_head,
};

/// Endpoint runs for today's estimate (as `commit_bench` and the hunt do).
const ENDPOINT_BATCH: u32 = 10;
const WANTED_FAILS: u32 = 3;
const MAX_BATCHES: u32 = 5;
/// The share of culprits that touch the crash's function, which sets the prior weight
/// of a commit that does (the hunt's rule).
const TOUCH_SHARE: f64 = 0.5;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Every commit with the culprit fails, none without.
    Deterministic,
    /// The same failure, hunted with `--flaky` (unknown rates).
    DeterministicAsFlaky,
    /// Commits with the culprit fail with this probability, the others never.
    Flaky(f64),
    /// No culprit: every commit, the good endpoint too, fails with this probability.
    NoCulprit(f64),
}

#[derive(Clone, Copy, PartialEq)]
enum Prior {
    None,
    /// The culprit touches the crash's function.
    Culprit,
    /// Another commit (a decoy) touches it.
    Decoy,
}

struct Row {
    merges: bool,
    len: usize,
    kind: Kind,
    prior: Prior,
    workers: usize,
    trials: usize,
}

impl Row {
    fn name(&self) -> String {
        let mut name = match self.kind {
            Kind::Deterministic => "deterministic".to_string(),
            Kind::DeterministicAsFlaky => "deterministic, --flaky".to_string(),
            Kind::Flaky(p) => format!("flaky, bad fails {p}"),
            Kind::NoCulprit(r) => format!("no culprit, all fail {r}"),
        };
        match self.prior {
            Prior::None => {}
            Prior::Culprit => name.push_str(", prior: culprit touches the function"),
            Prior::Decoy => name.push_str(", prior: a decoy touches the function"),
        }
        name
    }

    /// Search runs a hunt may take (the hunt's own cap: 40 per bit of suspects, + 50).
    fn cap(&self) -> usize {
        40 * (usize::BITS - self.len.leading_zeros()) as usize + 50
    }
}

/// How a strategy did over a row's trials.
#[derive(Default)]
struct Tally {
    runs: Vec<usize>,
    rounds: Vec<usize>,
    right: usize,
    /// A commit named that is not the culprit (every name is at the stated confidence).
    wrong: usize,
    /// "No culprit" when there is one.
    flake: usize,
    /// No answer within the cap, or the estimate refused (today's exit 2).
    open: usize,
}

impl Tally {
    fn add(&mut self, runs: usize, rounds: usize, status: &Status, culprit: Option<usize>) {
        self.runs.push(runs);
        self.rounds.push(rounds);
        match (status, culprit) {
            (Status::Found { culprit: found, .. }, Some(c)) if *found == c => self.right += 1,
            (Status::Found { .. }, _) => self.wrong += 1,
            (Status::NoCulprit { .. }, None) => self.right += 1,
            (Status::NoCulprit { .. }, Some(_)) => self.flake += 1,
            _ => self.open += 1,
        }
    }

    fn runs_cell(&self, workers: usize) -> String {
        let mut cell = format!(
            "{:.1} / {:.0}",
            mean(&self.runs),
            quantile(&self.runs, 0.95)
        );
        if workers > 1 {
            write!(cell, " ({:.1} rounds)", mean(&self.rounds)).ok();
        }
        cell
    }

    fn answers_cell(&self) -> String {
        let total = self.runs.len().max(1) as f64;
        let mut cell = format!("{:.1}% / {}", 100.0 * self.right as f64 / total, self.wrong);
        if self.flake > 0 {
            write!(cell, " ({} flake)", self.flake).ok();
        }
        if self.open > 0 {
            write!(cell, " ({} open)", self.open).ok();
        }
        cell
    }
}

/// A generated history and its graph.
struct Subject {
    graph: CommitGraph,
    history: History,
    node_of: Vec<usize>,
    commit_of: Vec<usize>,
}

impl Subject {
    fn new(merges: bool, len: usize) -> Self {
        let mut rng = SplitMix64::new(len as u64 ^ 0xf1a4e);
        let history = if merges {
            History::merge_heavy(len, &mut rng)
        } else {
            History::linear(len)
        };
        let graph = history.graph().expect("a generated history is a DAG");
        let (node_of, commit_of) = history.node_numbers(&graph);
        Self {
            graph,
            history,
            node_of,
            commit_of,
        }
    }

    fn good(&self) -> usize {
        self.node_of[0]
    }

    fn bad(&self) -> usize {
        self.node_of[self.history.len() - 1]
    }
}

/// One trial: which commits fail how often, and the draws that decide each run.
struct Trial<'s> {
    subject: &'s Subject,
    /// The culprit (history number), if any.
    culprit: Option<usize>,
    contains: Vec<bool>,
    inside: f64,
    outside: f64,
    decoy: usize,
    seed: u64,
}

impl<'s> Trial<'s> {
    fn new(subject: &'s Subject, kind: Kind, rng: &mut SplitMix64) -> Self {
        let len = subject.history.len();
        let culprit = 1 + rng.below(len - 1);
        let decoy = 1 + (culprit + rng.below(len - 2)) % (len - 1);
        let (culprit, inside, outside) = match kind {
            Kind::Deterministic | Kind::DeterministicAsFlaky => (Some(culprit), 1.0, 0.0),
            Kind::Flaky(p) => (Some(culprit), p, 0.0),
            Kind::NoCulprit(r) => (None, r, r),
        };
        let contains = match culprit {
            Some(c) => subject.history.contains(c),
            None => vec![true; len],
        };
        Self {
            subject,
            culprit,
            contains,
            inside,
            outside,
            decoy,
            seed: rng.next_u64(),
        }
    }

    /// The outcome of one run of `node`, drawn from `flips`.
    fn run(&self, node: usize, flips: &mut SplitMix64) -> Verdict {
        let commit = self.subject.commit_of[node];
        let rate = if self.contains[commit] && commit > 0 {
            self.inside
        } else {
            self.outside
        };
        if rate >= 1.0 || (rate > 0.0 && flips.chance(rate)) {
            Verdict::Bad
        } else {
            Verdict::Good
        }
    }

    fn culprit_node(&self) -> Option<usize> {
        self.culprit.map(|c| self.subject.node_of[c])
    }

    fn prior(&self, prior: Prior) -> std::collections::BTreeMap<usize, f64> {
        let touched = match (prior, self.culprit) {
            (Prior::None, _) => return Default::default(),
            (Prior::Culprit, Some(c)) => c,
            _ => self.decoy,
        };
        let others = (self.subject.history.len() - 2) as f64;
        let weight = TOUCH_SHARE / (1.0 - TOUCH_SHARE) * others;
        [(self.subject.node_of[touched], weight)].into()
    }

    /// A hunt of this case with `workers` runs a round, up to the row's cap, each run
    /// drawn with `flips`; `from_first_failure` runs the bad endpoint until it fails first.
    fn hunt(
        &self,
        options: BisectOptions,
        row: &Row,
        workers: usize,
        from_first_failure: bool,
        flips: &mut SplitMix64,
    ) -> Hunt {
        let s = self.subject;
        let (graph, good, bad) = (&s.graph, &[s.good()], s.bad());
        let oracle = |node| self.run(node, flips);
        let result = if from_first_failure {
            Bisection::new(graph, good, bad, options)
                .and_then(|b| hunt_from_first_failure(b, bad, workers, row.cap(), oracle))
        } else {
            hunt(graph, good, bad, options, workers, row.cap(), oracle)
        };
        result.expect("the endpoints are in the graph")
    }

    /// Counts `result` in `tally`, with `endpoint_runs` run before the hunt (each its own
    /// round).
    fn count(&self, tally: &mut Tally, result: &Hunt, endpoint_runs: usize) {
        tally.add(
            result.runs + endpoint_runs,
            result.rounds + endpoint_runs,
            &result.status,
            self.culprit_node(),
        );
    }

    fn git_bisect(&self, row: &Row, tally: &mut Tally) {
        let mut flips = SplitMix64::new(self.seed);
        let result = self.hunt(BisectOptions::default(), row, 1, false, &mut flips);
        self.count(tally, &result, 0);
    }

    fn today(&self, row: &Row, tally: &mut Tally) {
        let mut flips = SplitMix64::new(self.seed);
        let s = self.subject;
        // Today's strategy has no priors.
        let mut options = BisectOptions::default();
        let mut endpoint_runs = 0;
        if !matches!(row.kind, Kind::Deterministic) {
            let (mut bad_fails, mut bad_runs) = (0, 0);
            for batch in 0..MAX_BATCHES {
                for _ in 0..ENDPOINT_BATCH {
                    bad_fails += u32::from(self.run(s.bad(), &mut flips) == Verdict::Bad);
                }
                bad_runs += ENDPOINT_BATCH;
                if bad_fails >= WANTED_FAILS || batch + 1 == MAX_BATCHES {
                    break;
                }
            }
            let good_fails = (0..ENDPOINT_BATCH)
                .filter(|_| self.run(s.good(), &mut flips) == Verdict::Bad)
                .count() as u32;
            endpoint_runs = (bad_runs + ENDPOINT_BATCH) as usize;
            match FlakyModel::estimate(bad_fails, bad_runs, good_fails, ENDPOINT_BATCH) {
                Ok(model) => options.flaky = Some(model),
                Err(_) => {
                    tally.add(endpoint_runs, endpoint_runs, &Status::Contradiction, None);
                    return;
                }
            }
        }
        let result = self.hunt(options, row, row.workers, false, &mut flips);
        self.count(tally, &result, endpoint_runs);
    }

    fn new_strategy(&self, row: &Row, tally: &mut Tally) {
        let mut flips = SplitMix64::new(self.seed);
        let deterministic = row.kind == Kind::Deterministic;
        let options = BisectOptions {
            unknown_rates: (!deterministic).then(UnknownRates::default),
            prior: self.prior(row.prior),
            ..BisectOptions::default()
        };
        let result = self.hunt(options, row, row.workers, !deterministic, &mut flips);
        self.count(tally, &result, 0);
    }
}

/// The rows: the goals of issue 24 and the shapes around them. The goal rows and the
/// "no culprit" rows get 600 trials: a wrong answer in 300 hunts is what stopping at
/// 0.995 allows, and 200 trials cannot tell that from 1 in 100.
fn plan() -> Vec<Row> {
    let row = |merges, len, kind, prior, workers| Row {
        merges,
        len,
        kind,
        prior,
        workers,
        trials: 200,
    };
    let many = |row: Row| Row { trials: 600, ..row };
    vec![
        row(false, 1000, Kind::Deterministic, Prior::None, 1),
        row(false, 1000, Kind::DeterministicAsFlaky, Prior::None, 1),
        many(row(false, 1000, Kind::Flaky(0.5), Prior::None, 1)),
        many(row(true, 1000, Kind::Flaky(0.5), Prior::None, 1)),
        many(row(false, 400, Kind::Flaky(0.3), Prior::None, 1)),
        row(false, 1000, Kind::Flaky(0.9), Prior::None, 1),
        row(false, 1000, Kind::Flaky(0.7), Prior::None, 1),
        row(false, 1000, Kind::Flaky(0.2), Prior::None, 1),
        many(row(false, 200, Kind::NoCulprit(0.1), Prior::None, 1)),
        many(row(false, 200, Kind::NoCulprit(0.3), Prior::None, 1)),
        many(row(true, 200, Kind::NoCulprit(0.3), Prior::None, 1)),
        // The flake closest to a half-flaky culprit (see BENCHMARKS.md: the bound).
        row(false, 1000, Kind::NoCulprit(0.2), Prior::None, 1),
        row(false, 1000, Kind::Deterministic, Prior::Culprit, 1),
        row(false, 1000, Kind::Deterministic, Prior::Decoy, 1),
        row(false, 1000, Kind::Flaky(0.5), Prior::Culprit, 1),
        row(false, 1000, Kind::Flaky(0.5), Prior::Decoy, 1),
        row(false, 1000, Kind::Flaky(0.5), Prior::None, 2),
        row(false, 1000, Kind::Flaky(0.5), Prior::None, 4),
    ]
}

fn main() {
    let quick = quick_mode();
    let only = only_rows();
    let started = Instant::now();
    let mut lines = Vec::new();
    let mut subjects: Vec<((bool, usize), Subject)> = Vec::new();
    for mut row in plan() {
        if only
            .as_ref()
            .is_some_and(|o| !row.name().contains(o.as_str()))
        {
            continue;
        }
        if quick {
            row.trials = 20;
        }
        let subject = made_once(&mut subjects, (row.merges, row.len), || {
            Subject::new(row.merges, row.len)
        });
        let mut rng = SplitMix64::new(0xf1a4e ^ row.len as u64);
        let (mut git, mut today, mut new) = (Tally::default(), Tally::default(), Tally::default());
        let row_started = Instant::now();
        for _ in 0..row.trials {
            let trial = Trial::new(subject, row.kind, &mut rng);
            trial.git_bisect(&row, &mut git);
            trial.today(&row, &mut today);
            trial.new_strategy(&row, &mut new);
        }
        eprintln!(
            "{}: {:.1} s",
            row.name(),
            row_started.elapsed().as_secs_f64()
        );
        lines.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            if row.merges { "merge-heavy" } else { "linear" },
            row.len,
            row.name(),
            row.workers,
            row.trials,
            git.runs_cell(1),
            git.answers_cell(),
            today.runs_cell(row.workers),
            today.answers_cell(),
            new.runs_cell(row.workers),
            new.answers_cell(),
        ));
    }
    let table = render(&lines, quick, started.elapsed().as_secs_f64());
    publish(&table, only.is_none());
}

fn render(lines: &[String], quick: bool, seconds: f64) -> String {
    let mut out = section_head(
        "Flaky bisection",
        "Three strategies on the same simulated histories, culprits and run outcomes \
         (`benches/flaky_bench.rs`): git bisect (simulated: trusts every single run), \
         today's Bayesian search (rates estimated up front from 10 runs of the good \
         endpoint and batches of 10 of the bad one until it failed 3 times; those runs \
         counted), and the new one (rates unknown and learned from every run, a \"no \
         culprit\" hypothesis, commit priors; it starts after the bad endpoint's first \
         failure, every run counted). Both Bayesian searches stop at confidence 0.99 or \
         after the hunt's cap of runs (40 per bit of suspects, + 50); the new one names a \
         commit only once \"no culprit\" is below a tenth of the allowed error. Runs: mean \
         / 95th percentile. Answers: right / wrong (a wrong commit named, always at the stated \
         confidence); \"flake\": no culprit said when there is one; \"open\": no answer \
         within the cap, or (today) the endpoints refused as indistinguishable. In \"no \
         culprit\" rows right means \"no culprit\". A prior gives the commit that touches \
         the crash's function the weight of all others together (today's strategy has no \
         priors: its column is the same search without). With W workers a \
         strategy chooses W runs at once (git bisect cannot: its column is W = 1).",
        &[
            "W",
            "trials",
            "git bisect runs",
            "git bisect answers",
            "today runs",
            "today answers",
            "new runs",
            "new answers",
        ],
    );
    for line in lines {
        writeln!(out, "{line}").ok();
    }
    writeln!(out, "{}", reproduce_line("flaky_bench", quick, seconds)).ok();
    out
}
