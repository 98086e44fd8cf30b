//! `culprit elf stat`'s work (a library call) against `readelf -rW` and `nm` on one big
//! archive, Debian's static libc by default:
//!
//! ```text
//! cargo bench -p culprit-elf --bench vs_readelf
//! CULPRIT_BENCH_ARCHIVE=path/to/built-in.a CULPRIT_BENCH_RUNS=9 cargo bench -p culprit-elf --bench vs_readelf
//! ```
//!
//! Prints a Markdown table: median and fastest wall time of each, and the ratio of each
//! median to culprit's. It also checks that culprit counts as many relocations as
//! readelf lists, so the comparison is between equal work.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_ARCHIVE: &str = "/usr/lib/x86_64-linux-gnu/libc.a";

fn main() {
    let archive = std::env::var("CULPRIT_BENCH_ARCHIVE").unwrap_or_else(|_| DEFAULT_ARCHIVE.into());
    let runs: usize = std::env::var("CULPRIT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let path = Path::new(&archive);
    if !path.exists() {
        eprintln!("{archive} does not exist; set CULPRIT_BENCH_ARCHIVE");
        return;
    }

    let shape = match culprit_elf::read_file(path, &archive) {
        Ok(shape) => shape,
        Err(e) => {
            eprintln!("culprit cannot read {archive}: {e}");
            return;
        }
    };
    let ours: u64 = shape.objects.iter().map(|o| o.relocations.total).sum();
    let theirs = readelf_relocation_lines(path);
    println!(
        "{archive}: {} members, {} relocations (culprit), {} relocation lines (readelf -rW)",
        shape.objects.len(),
        ours,
        theirs
    );
    assert_eq!(
        ours, theirs,
        "culprit and readelf must count the same relocations"
    );

    let rows = [
        (
            "culprit elf stat (library: read + shape)",
            time(runs, || {
                std::hint::black_box(
                    culprit_elf::read_file(path, &archive)
                        .map(|s| s.objects.len())
                        .ok(),
                );
            }),
        ),
        (
            "culprit elf stat --json (library: read + shape + JSON)",
            time(runs, || {
                if let Ok(shape) = culprit_elf::read_file(path, &archive) {
                    let _ = serde_json::to_writer(std::io::sink(), &shape);
                }
            }),
        ),
        (
            "readelf -rW libc.a > /dev/null",
            time(runs, || run("readelf", &["-rW"], path)),
        ),
        ("nm libc.a > /dev/null", time(runs, || run("nm", &[], path))),
    ];
    let base = median(&rows[0].1);
    println!();
    println!("| command | median | fastest | median / culprit |");
    println!("|---|---:|---:|---:|");
    for (name, samples) in &rows {
        let m = median(samples);
        let fastest = samples.iter().min().copied().unwrap_or_default();
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.2}x |",
            ms(m),
            ms(fastest),
            m.as_secs_f64() / base.as_secs_f64()
        );
    }
    println!();
    println!("{runs} runs each, after one warm-up run; wall time.");
}

fn time(runs: usize, mut work: impl FnMut()) -> Vec<Duration> {
    work();
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect()
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run(program: &str, args: &[&str], path: &Path) {
    let status = Command::new(program)
        .args(args)
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(status.is_ok_and(|s| s.success()), "{program} failed");
}

/// Relocation entries in `readelf -rW` output: the lines inside relocation tables.
fn readelf_relocation_lines(path: &Path) -> u64 {
    let out = Command::new("readelf")
        .arg("-rW")
        .arg(path)
        .output()
        .expect("readelf runs");
    let mut in_table = false;
    let mut count = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if line.starts_with("Relocation section") {
            in_table = true;
        } else if line.trim().is_empty() || line.starts_with("File:") {
            in_table = false;
        } else if in_table && !line.trim_start().starts_with("Offset") {
            count += 1;
        }
    }
    count
}
