//! The demo's commit hunt, timed: culprit with one and two workers, and, side by side in
//! the same run, `git bisect run` with the script engineers write today (build or skip,
//! then `timeout` around QEMU and grep for the success line; seed 001's `-t 30s`).
//!
//! Prints a Markdown table. `cargo bench -p culprit --bench toyos_hunt`; the QEMU timeout
//! of the git bisect script is `TOYOS_TIMEOUT` seconds (default 30). On a shared machine
//! `TOYOS_REPEAT=N` runs culprit's -j 1 and -j 2 alternately N times each and compares
//! their medians, so that both meet the same load.

mod shared;

use shared::{git_bisect, run, yes};
use std::process::Command;
use std::time::Instant;

fn main() {
    let timeout: u64 = std::env::var("TOYOS_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => return eprintln!("cannot make a temporary directory: {err}"),
    };
    let repo = dir.path().join("toyos");
    let culprit = env!("CARGO_BIN_EXE_culprit");
    let out = run(Command::new(culprit)
        .args(["demo", "--prepare-only", "--dir"])
        .arg(&repo));
    let planted: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(err) => {
            return eprintln!(
                "culprit demo --prepare-only failed ({err}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        }
    };
    let answer = planted["culprit"].as_str().unwrap_or_default().to_string();
    println!(
        "history: {} commits with merges; planted culprit {}\n",
        planted["commits"],
        &answer[..12.min(answer.len())]
    );
    println!("| tool | workers | wall (s) | steps | test runs | right answer |");
    println!("|---|--:|--:|--:|--:|---|");
    let repeat: usize = std::env::var("TOYOS_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut walls: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for (slot, jobs) in std::iter::repeat_n([(0, "1"), (1, "2")], repeat).flatten() {
        let _ = std::fs::remove_dir_all(repo.join(".culprit"));
        let started = Instant::now();
        let out = run(Command::new(culprit).current_dir(&repo).args([
            "bisect", "--good", "v0.1", "--bad", "main", "--json", "-j", jobs,
        ]));
        let wall = started.elapsed().as_secs_f64();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let right = doc["culprit"].as_str() == Some(answer.as_str());
        println!(
            "| culprit bisect | {jobs} | {wall:.1} | {} | {} | {} |",
            doc["steps"],
            doc["runs"],
            yes(right)
        );
        walls[slot].push(wall);
    }
    let tests = ["smp_semaphore", "smp_mutex", "smp_threads"];
    let (steps, wall, found) = git_bisect(&repo, dir.path(), timeout, "v0.1", &tests);
    let subject =
        run(Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["show", "-s", "--format=%s", &found]));
    println!(
        "| git bisect run (timeout {timeout}s + grep) | 1 | {wall:.1} | {steps} | - | {} (blames {} \"{}\") |",
        yes(found == answer),
        &found[..12.min(found.len())],
        String::from_utf8_lossy(&subject.stdout).trim()
    );
    let [one, two] = walls.map(median);
    if one > 0.0 && two > 0.0 {
        if repeat > 1 {
            println!("\nmedians of {repeat} runs each: -j 1 {one:.1} s, -j 2 {two:.1} s");
        }
        println!(
            "\nculprit -j 2 against -j 1: {:.2}x the wall time ({:.2}x faster)",
            two / one,
            one / two
        );
        println!(
            "git bisect run against culprit -j 1: {:.2}x the wall time",
            wall / one
        );
    }
}

fn median(mut walls: Vec<f64>) -> f64 {
    walls.sort_by(f64::total_cmp);
    walls.get(walls.len() / 2).copied().unwrap_or_default()
}
