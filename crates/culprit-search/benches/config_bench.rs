//! Configuration bisection: builds needed to find the culprit options, on simulated
//! trees, for culprit's search, Zeller's ddmin and ktest's `config-bisect.pl` (run
//! side by side on the same oracles), against the information-theoretic bound.
//!
//! `cargo bench -p culprit-search --bench config_bench` prints a markdown table. The
//! script is looked up in `$CULPRIT_CONFIG_BISECT_PL`, else `target/ktest/config-bisect.pl`
//! in the workspace; without it that column says so. (Debian: `apt-get install
//! linux-source-6.1`, then `tar -xJf /usr/src/linux-source-6.1.tar.xz
//! linux-source-6.1/tools/testing/ktest/config-bisect.pl`.)

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use culprit_search::config::{ConfigSearch, ConfigSearchOptions, TestStatus, Verdict};

type Set = BTreeSet<usize>;

/// Trials per row; the Perl script is slow enough to get fewer.
const TRIALS: u64 = 41;
const SCRIPT_TRIALS: u64 = 7;
/// Parallel builds per round for the rounds column.
const WORKERS: usize = 4;

/// A simulated tree: per test, the culprit sets; per option, the option it depends on
/// (the normalizer turns an option off while its dependency is off).
#[derive(Debug, Clone)]
struct World {
    n: usize,
    culprits: Vec<Vec<Set>>,
    depends_on: BTreeMap<usize, usize>,
}

impl World {
    fn normalize(&self, requested: &Set) -> Set {
        let mut applied = requested.clone();
        while let Some(orphan) = applied
            .iter()
            .copied()
            .find(|o| self.depends_on.get(o).is_some_and(|d| !applied.contains(d)))
        {
            applied.remove(&orphan);
        }
        applied
    }

    fn fails(&self, test: usize, applied: &Set) -> bool {
        self.culprits[test].iter().any(|c| c.is_subset(applied))
    }

    /// What a perfect answer lists: each culprit set with the options it needs to apply.
    fn expected(&self, test: usize) -> Vec<Set> {
        let mut sets: Vec<Set> = self.culprits[test]
            .iter()
            .map(|set| {
                let mut closed = set.clone();
                while let Some(d) = closed
                    .iter()
                    .filter_map(|o| self.depends_on.get(o))
                    .copied()
                    .find(|d| !closed.contains(d))
                {
                    closed.insert(d);
                }
                closed
            })
            .collect();
        sets.sort();
        sets
    }

    fn options(&self) -> usize {
        self.culprits
            .iter()
            .flatten()
            .flatten()
            .chain(self.depends_on.values())
            .copied()
            .collect::<Set>()
            .len()
    }
}

/// The shape of the culprits in one row of the table.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// One test; culprit sets of these sizes.
    Sets(&'static [usize]),
    /// One test; one option that only applies together with another (seed 002).
    Dependency,
    /// Seed 000: three tests; one option breaks all three, a second one the second test,
    /// a 2-option interaction the third.
    ThreeTests,
}

impl Shape {
    fn label(self) -> String {
        match self {
            Shape::Sets([1]) => "1 option".into(),
            Shape::Sets([1, 1]) => "2 independent options".into(),
            Shape::Sets([2]) => "2-option interaction".into(),
            Shape::Sets([1, 1, 1]) => "3 independent options".into(),
            Shape::Sets([1, 2]) => "1 option + 2-option interaction".into(),
            Shape::Sets([3]) => "3-option interaction".into(),
            Shape::Sets(sizes) => format!("sets of {sizes:?}"),
            Shape::Dependency => "1 option that needs another (dependency)".into(),
            Shape::ThreeTests => "3 tests (seed 000): {a} / {a},{b} / {a},{c,d}".into(),
        }
    }

    fn world(self, n: usize, rng: &mut Rng) -> World {
        let mut pool: Vec<usize> = Vec::new();
        let mut draw = |count: usize| -> Set {
            let mut set = Set::new();
            while set.len() < count {
                let option = rng.below(n);
                if !pool.contains(&option) {
                    pool.push(option);
                    set.insert(option);
                }
            }
            set
        };
        match self {
            Shape::Sets(sizes) => World {
                n,
                culprits: vec![sizes.iter().map(|&s| draw(s)).collect()],
                depends_on: BTreeMap::new(),
            },
            Shape::Dependency => {
                let culprit = draw(1);
                let dependency = draw(1);
                World {
                    n,
                    depends_on: BTreeMap::from([(
                        *culprit.first().unwrap_or(&0),
                        *dependency.first().unwrap_or(&0),
                    )]),
                    culprits: vec![vec![culprit]],
                }
            }
            Shape::ThreeTests => {
                let (a, b, cd) = (draw(1), draw(1), draw(2));
                World {
                    n,
                    culprits: vec![vec![a.clone()], vec![a.clone(), b], vec![a, cd]],
                    depends_on: BTreeMap::new(),
                }
            }
        }
    }
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// Builds culprit needs with `workers` builds at a time (the two endpoint builds
/// excluded, as for the others), rounds of builds, and whether it found exactly every
/// culprit set of every test.
fn run_culprit(world: &World, workers: usize) -> (usize, usize, bool) {
    let tests: Vec<String> = (0..world.culprits.len()).map(|t| format!("t{t}")).collect();
    let mut search = ConfigSearch::new(world.n, tests.clone(), ConfigSearchOptions::default());
    let mut rounds = 0;
    loop {
        let batch = search.next(workers);
        if batch.is_empty() {
            break;
        }
        rounds += 1;
        for requested in batch {
            let applied = world.normalize(&requested);
            let verdicts: BTreeMap<String, Verdict> = tests
                .iter()
                .enumerate()
                .map(|(t, name)| {
                    let verdict = if world.fails(t, &applied) {
                        Verdict::Bad
                    } else {
                        Verdict::Good
                    };
                    (name.clone(), verdict)
                })
                .collect();
            if search.record(&requested, &applied, &verdicts).is_err() {
                return (usize::MAX, rounds, false);
            }
        }
    }
    let status = search.status();
    let right = tests.iter().enumerate().all(|(t, name)| {
        matches!(&status.tests[name], TestStatus::Done { culprit_sets, .. } if {
            let mut sets = culprit_sets.clone();
            sets.sort();
            sets == world.expected(t)
        })
    });
    (status.builds - 2, rounds, right)
}

/// Zeller's ddmin (TSE 2002), with a cache: distinct tests are builds. Per test it
/// returns one 1-minimal failing set; summed over tests. "Right" here means: for every
/// test, what it returns is one of the culprit sets (it never looks for the others).
fn run_ddmin(world: &World) -> (usize, bool, usize) {
    let mut builds = 0;
    let mut right = true;
    let mut found = 0;
    for test in 0..world.culprits.len() {
        let mut cache: HashMap<Vec<usize>, bool> = HashMap::new();
        let mut fails = |set: &[usize]| -> bool {
            *cache.entry(set.to_vec()).or_insert_with(|| {
                builds += 1;
                world.fails(test, &world.normalize(&set.iter().copied().collect()))
            })
        };
        let result: Set = ddmin((0..world.n).collect(), &mut fails)
            .into_iter()
            .collect();
        let expected = world.expected(test);
        right &= expected.contains(&result);
        found += usize::from(expected.contains(&result));
    }
    (builds, right, found)
}

fn ddmin(mut changes: Vec<usize>, fails: &mut impl FnMut(&[usize]) -> bool) -> Vec<usize> {
    let mut granularity = 2;
    while changes.len() >= 2 {
        let chunks = split(&changes, granularity);
        if let Some(chunk) = chunks.iter().find(|c| fails(c)) {
            changes = chunk.clone();
            granularity = 2;
            continue;
        }
        let complement = |i: usize| -> Vec<usize> {
            chunks
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, c)| c.iter().copied())
                .collect()
        };
        if let Some(rest) = (0..chunks.len()).map(complement).find(|c| fails(c)) {
            changes = rest;
            granularity = (granularity - 1).max(2);
            continue;
        }
        if granularity >= changes.len() {
            break;
        }
        granularity = (2 * granularity).min(changes.len());
    }
    changes
}

fn split(changes: &[usize], parts: usize) -> Vec<Vec<usize>> {
    let mut chunks = Vec::with_capacity(parts);
    let mut start = 0;
    for i in 0..parts {
        let end = start + (changes.len() - start) / (parts - i);
        chunks.push(changes[start..end].to_vec());
        start = end;
    }
    chunks
}

/// How one config-bisect.pl run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptEnd {
    /// One option left, which is itself a culprit set.
    WholeSet,
    /// One option left, a member of a larger culprit set (an interaction or a
    /// dependency): the rest of the set stays hidden in its "good" config.
    PartOfSet,
    /// One option left, in no culprit set.
    Wrong,
    /// Several options left that it could not split.
    GaveUp,
    /// The script failed.
    Error,
}

/// Drives config-bisect.pl to the end for every test: each call that writes a config to
/// test is one build. The fake kernel tree's `make olddefconfig` applies the world's
/// dependencies, as Kconfig would.
fn run_script(script: &Path, world: &World, scratch: &Path) -> (usize, Vec<ScriptEnd>) {
    let mut builds = 0;
    let mut ends = Vec::new();
    for test in 0..world.culprits.len() {
        let (b, end) = run_script_once(script, world, test, scratch);
        builds += b;
        ends.push(end);
    }
    (builds, ends)
}

fn run_script_once(script: &Path, world: &World, test: usize, dir: &Path) -> (usize, ScriptEnd) {
    let _ = std::fs::remove_dir_all(dir);
    if std::fs::create_dir_all(dir).is_err() || write_tree(world, dir).is_err() {
        return (0, ScriptEnd::Error);
    }
    let (good, bad) = (dir.join("good.config"), dir.join("bad.config"));
    let mut builds = 0;
    let mut answer: Option<&str> = None;
    loop {
        let mut command = Command::new("perl");
        command
            .arg(script)
            .arg("-l")
            .arg(dir)
            .arg("-b")
            .arg(dir)
            .env("PERL_HASH_SEED", "0")
            .env("PERL_PERTURB_KEYS", "0")
            .current_dir(dir);
        match answer {
            None => command.arg("-r").arg(&good).arg(&bad),
            Some(verdict) => command.arg(&good).arg(&bad).arg(verdict),
        };
        let Ok(output) = command.output() else {
            return (builds, ScriptEnd::Error);
        };
        match output.status.code() {
            Some(0) => {
                builds += 1;
                let Some(applied) = read_enabled(&dir.join(".config")) else {
                    return (builds, ScriptEnd::Error);
                };
                answer = Some(if world.fails(test, &applied) {
                    "bad"
                } else {
                    "good"
                });
            }
            Some(2) => break,
            _ => return (builds, ScriptEnd::Error),
        }
    }
    let (Some(good), Some(bad)) = (
        read_enabled(&dir.join("good.config.tmp")),
        read_enabled(&dir.join("bad.config.tmp")),
    ) else {
        return (builds, ScriptEnd::Error);
    };
    let left: Set = good.symmetric_difference(&bad).copied().collect();
    let end = match left.iter().next() {
        Some(&option) if left.len() == 1 => {
            let sets = world.expected(test);
            if sets.contains(&Set::from([option])) {
                ScriptEnd::WholeSet
            } else if sets.iter().any(|s| s.contains(&option)) {
                ScriptEnd::PartOfSet
            } else {
                ScriptEnd::Wrong
            }
        }
        _ => ScriptEnd::GaveUp,
    };
    (builds, end)
}

/// good: every option off; bad: every option on (the changes are the options).
fn write_tree(world: &World, dir: &Path) -> std::io::Result<()> {
    let mut good = String::new();
    let mut bad = String::new();
    for i in 0..world.n {
        let _ = writeln!(good, "# CONFIG_OPT{i:04} is not set");
        let _ = writeln!(bad, "CONFIG_OPT{i:04}=y");
    }
    std::fs::write(dir.join("good.config"), good)?;
    std::fs::write(dir.join("bad.config"), bad)?;
    let deps: String = world
        .depends_on
        .iter()
        .map(|(option, dep)| format!("OPT{option:04} OPT{dep:04}\n"))
        .collect();
    std::fs::write(dir.join("deps.txt"), deps)?;
    std::fs::write(dir.join("normalize.pl"), NORMALIZE_PL)?;
    std::fs::write(
        dir.join("Makefile"),
        "olddefconfig:\n\t@perl normalize.pl deps.txt .config\n",
    )
}

/// The fake `make olddefconfig`: an option whose dependency is off is turned off.
const NORMALIZE_PL: &str = r##"
my ($deps, $cfg) = @ARGV;
my %dep;
open(D, $deps) or die; while (<D>) { chomp; my ($o, $d) = split; $dep{$o} = $d; } close(D);
open(C, $cfg) or die; my @lines = <C>; close(C);
my %on; for (@lines) { $on{$1} = 1 if /^CONFIG_(\w+)=y/; }
my $changed = 1;
while ($changed) { $changed = 0; for my $o (sort keys %dep) { if ($on{$o} && !$on{$dep{$o}}) { delete $on{$o}; $changed = 1; } } }
open(C, ">$cfg") or die;
for (@lines) { if (/^CONFIG_(\w+)=y/ && !$on{$1}) { print C "# CONFIG_$1 is not set\n"; } else { print C $_; } }
close(C);
"##;

fn read_enabled(path: &Path) -> Option<Set> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|l| {
                l.strip_prefix("CONFIG_OPT")?
                    .strip_suffix("=y")?
                    .parse()
                    .ok()
            })
            .collect(),
    )
}

/// ceil(log2 C(n, k)).
fn bound(n: usize, k: usize) -> usize {
    let log2: f64 = (0..k)
        .map(|i| ((n - i) as f64).log2() - ((i + 1) as f64).log2())
        .sum();
    (log2 - 1e-9).ceil().max(0.0) as usize
}

fn median(values: &mut [usize]) -> usize {
    values.sort_unstable();
    values[values.len() / 2]
}

fn script_path() -> Option<PathBuf> {
    let path = std::env::var_os("CULPRIT_CONFIG_BISECT_PL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ktest/config-bisect.pl")
        });
    path.is_file().then_some(path)
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to configure.
    let started = Instant::now();
    let script = script_path();
    let scratch = std::env::temp_dir().join(format!("culprit-config-bench-{}", std::process::id()));
    let mut rows = Vec::new();
    let shapes = [
        Shape::Sets(&[1]),
        Shape::Sets(&[1, 1]),
        Shape::Sets(&[2]),
        Shape::Sets(&[1, 1, 1]),
        Shape::Sets(&[1, 2]),
        Shape::Sets(&[3]),
        Shape::Dependency,
        Shape::ThreeTests,
    ];
    let mut within_goal = 0;
    let mut all_right = true;
    let mut culprit_right_parallel = 0;
    let (mut culprit_time, mut ddmin_time, mut script_time) = (0.0, 0.0, 0.0);
    for n in [20, 200, 2000] {
        for (s, shape) in shapes.iter().enumerate() {
            let mut culprit = Vec::new();
            let mut parallel_rounds = Vec::new();
            let mut culprit_right = 0;
            let mut dd = Vec::new();
            let mut dd_found = 0;
            let mut dd_sets = 0;
            let mut script_builds = Vec::new();
            let mut script_ends: Vec<ScriptEnd> = Vec::new();
            let mut k = 0;
            for trial in 0..TRIALS {
                let mut rng = Rng((n as u64) << 32 | (s as u64) << 16 | trial);
                let world = shape.world(n, &mut rng);
                k = world.options();
                let clock = Instant::now();
                let (builds, _, right) = run_culprit(&world, 1);
                culprit.push(builds);
                culprit_right += usize::from(right);
                let (_, rounds, right) = run_culprit(&world, WORKERS);
                parallel_rounds.push(rounds);
                culprit_right_parallel += usize::from(right);
                culprit_time += clock.elapsed().as_secs_f64();
                let clock = Instant::now();
                let (builds, _, found) = run_ddmin(&world);
                ddmin_time += clock.elapsed().as_secs_f64();
                dd.push(builds);
                dd_found += found;
                dd_sets += world.culprits.iter().map(Vec::len).sum::<usize>();
                if let (Some(script), true) = (&script, trial < SCRIPT_TRIALS) {
                    let clock = Instant::now();
                    let (builds, ends) = run_script(script, &world, &scratch);
                    script_time += clock.elapsed().as_secs_f64();
                    script_builds.push(builds);
                    script_ends.extend(ends);
                }
            }
            let b = bound(n, k);
            let goal = 1.5 * b as f64 + k as f64;
            let culprit_median = median(&mut culprit);
            within_goal += usize::from(culprit_median as f64 <= goal);
            all_right &= culprit_right == TRIALS as usize;
            let script_cell = if script.is_some() {
                format!("{}", median(&mut script_builds))
            } else {
                "n/a".into()
            };
            let count = |e: ScriptEnd| script_ends.iter().filter(|&&x| x == e).count();
            let script_end = if script.is_some() {
                let mut parts = Vec::new();
                for (e, label) in [
                    (ScriptEnd::WholeSet, "1 option = a culprit set"),
                    (ScriptEnd::PartOfSet, "1 option, part of a set"),
                    (ScriptEnd::Wrong, "1 option, wrong"),
                    (ScriptEnd::GaveUp, "gave up"),
                    (ScriptEnd::Error, "script error"),
                ] {
                    if count(e) > 0 {
                        parts.push(format!("{label} {}", count(e)));
                    }
                }
                parts.join("; ")
            } else {
                "script not found".into()
            };
            rows.push(format!(
                "| {n} | {} | {k} | {b} | {goal:.1} | **{culprit_median}** (max {}) | {culprit_right}/{TRIALS} | {} | {} | {dd_found}/{dd_sets} sets | {script_cell} | {script_end} |",
                shape.label(),
                culprit.iter().max().unwrap_or(&0),
                median(&mut parallel_rounds),
                median(&mut dd),
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let mut out = String::new();
    let _ = writeln!(out, "| n | culprits | k | bound ⌈log2 C(n,k)⌉ | goal 1.5·bound+k | culprit builds, median (max) | culprit exact answer | culprit rounds of {WORKERS} parallel builds, median | ddmin builds, median | ddmin culprit sets found | config-bisect.pl builds, median | config-bisect.pl outcome ({SCRIPT_TRIALS} trials × tests) |");
    let _ = writeln!(
        out,
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for row in &rows {
        let _ = writeln!(out, "{row}");
    }
    let trials = rows.len() * TRIALS as usize;
    let _ = writeln!(
        out,
        "\nculprit's median is within the goal in {within_goal}/{} rows; exact answer in every trial: {} \
         (with {WORKERS} parallel builds: {culprit_right_parallel}/{trials}). {TRIALS} trials per row \
         ({SCRIPT_TRIALS} for config-bisect.pl); builds exclude the two endpoint builds for every tool. \
         Time: culprit {culprit_time:.1} s (both runs), ddmin {ddmin_time:.1} s, config-bisect.pl {script_time:.0} s, \
         total {:.0} s.",
        rows.len(),
        if all_right { "yes" } else { "NO" },
        started.elapsed().as_secs_f64()
    );
    print!("{out}");
}
