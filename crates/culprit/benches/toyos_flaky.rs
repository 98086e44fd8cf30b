//! Flaky hunts end to end on toyos, timed: `culprit bisect --flaky -j 2` on histories
//! where `FLAKY_IPI` makes `smp_threads` fail about one boot in two, either from a
//! commit on (a flaky culprit) or throughout (no culprit); side by side in the same run,
//! `git bisect run` with the script engineers write today (build or skip, one boot of
//! the test, grep for the success line).
//!
//! Prints a Markdown table. `cargo bench -p culprit --bench toyos_flaky`; `TOYOS_REPEAT=N`
//! hunts each history N times (new histories each time: the boots differ anyway),
//! `TOYOS_COMMITS=N` sets their length (default 16).

#[path = "../tests/cli/common/flaky_toyos.rs"]
mod flaky_toyos;
mod shared;

use culprit_toyos::flaky::generate;
use flaky_toyos::flaky_hunt_args;
use shared::{git_bisect, run, yes};
use std::process::Command;
use std::time::Instant;

fn main() {
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let repeat = number("TOYOS_REPEAT", 1).max(1);
    let commits = number("TOYOS_COMMITS", 16).max(4);
    let culprit = env!("CARGO_BIN_EXE_culprit");
    println!("{commits} commits; `smp_threads` only; culprit `--flaky -j 2`, git bisect one boot per step\n");
    println!("| history | tool | wall (s) | steps | test runs | answer | right |");
    println!("|---|---|--:|--:|--:|---|---|");
    for _ in 0..repeat {
        for (name, plant) in [
            ("flaky culprit", Some(commits * 9 / 16)),
            ("no culprit (flaky throughout)", None),
        ] {
            let dir = match tempfile::tempdir() {
                Ok(dir) => dir,
                Err(err) => return eprintln!("cannot make a temporary directory: {err}"),
            };
            let repo = dir.path().join("toyos");
            let history = match generate(&repo, commits, plant) {
                Ok(history) => history,
                Err(err) => return eprintln!("cannot generate the history: {err}"),
            };
            let good = &history.commits[0];
            let started = Instant::now();
            let args = flaky_hunt_args(good);
            let out = run(Command::new(culprit).current_dir(&repo).args(args));
            let wall = started.elapsed().as_secs_f64();
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            let named = doc["culprit"].as_str().map(str::to_string);
            let answer = match &named {
                Some(commit) => format!(
                    "{} at {}",
                    &commit[..12.min(commit.len())],
                    doc["confidence"]
                ),
                None => format!(
                    "{} at {}",
                    doc["status"].as_str().unwrap_or("?"),
                    doc["confidence"]
                ),
            };
            println!(
                "| {name} | culprit bisect | {wall:.1} | {} | {} | {answer} | {} |",
                doc["steps"],
                doc["runs"],
                yes(named == history.culprit)
            );
            let scratch = dir.path().join("git-bisect");
            if std::fs::create_dir(&scratch).is_err() {
                return eprintln!("cannot make {}", scratch.display());
            }
            let (steps, wall, found) = git_bisect(&repo, &scratch, 30, good, &["smp_threads"]);
            println!(
                "| {name} | git bisect run | {wall:.1} | {steps} | {steps} | {} | {} |",
                &found[..12.min(found.len())],
                yes(Some(&found) == history.culprit.as_ref())
            );
        }
    }
}
