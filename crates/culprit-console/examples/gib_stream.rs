//! Feeds 1 GiB built from the real console logs through one classifier in 64 KiB
//! chunks, and prints the throughput and the peak resident memory, to show that
//! memory stays flat however long a console runs.
//!
//! `cargo run --release -p culprit-console --example gib_stream [GiB [failure-regex...]]`

use culprit_console::{Classifier, Ending, Rules};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CHUNK: usize = 64 << 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gib: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 1,
    };
    let total = gib << 30;
    // The logs sit beside the checkout; a worktree may be nested deeper than the main one.
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = crate_dir
        .ancestors()
        .map(|a| a.join("shared/console-logs"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| crate_dir.join("../../../shared/console-logs"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| {
            format!(
                "the real console logs are missing from {}: {e}",
                dir.display()
            )
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    paths.sort();
    let mut logs = Vec::new();
    for path in &paths {
        logs.extend(std::fs::read(path)?);
    }
    // One 64 KiB window cycling through the logs, so the stream is real text
    // split at arbitrary places.
    let mut window = Vec::with_capacity(CHUNK);
    let rules = Rules {
        success: vec!["LATER-MARKER".into()],
        failure: std::env::args().skip(2).collect(),
        ..Rules::boot()
    };
    let mut classifier = Classifier::new(&rules)?;
    let rss_before = peak_rss_kib();
    let cpu_before = cpu_time();
    let started = Instant::now();
    let mut fed: u64 = 0;
    let mut at = 0;
    while fed < total {
        window.clear();
        while window.len() < CHUNK {
            let take = (CHUNK - window.len()).min(logs.len() - at);
            window.extend_from_slice(&logs[at..at + take]);
            at = (at + take) % logs.len();
        }
        let now = started.elapsed();
        classifier.feed(&window, now);
        fed += window.len() as u64;
    }
    let reading = classifier.finish(&Ending::WallTimeout);
    let elapsed = started.elapsed();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let rate = |d: Duration| fed as f64 / 1e6 / d.as_secs_f64().max(1e-6);
    println!(
        "fed {:.2} GiB in {:.2} s wall: {:.0} MB/s",
        fed as f64 / (1u64 << 30) as f64,
        elapsed.as_secs_f64(),
        rate(elapsed)
    );
    if let Some(cpu) = cpu {
        // On a shared machine the wall clock counts other processes' time too.
        println!(
            "{:.2} s on the CPU: {:.0} MB/s per core",
            cpu.as_secs_f64(),
            rate(cpu)
        );
    }
    println!(
        "peak RSS (VmHWM): {} KiB before streaming, {} KiB after",
        rss_before.map_or("?".into(), |k| k.to_string()),
        peak_rss_kib().map_or("?".into(), |k| k.to_string())
    );
    println!(
        "reading: {} ({} signatures, stage {})",
        reading.outcome,
        reading.signatures.len(),
        reading.stage
    );
    Ok(())
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Time this process has spent on a CPU, from the scheduler's own accounting.
fn cpu_time() -> Option<Duration> {
    let schedstat = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let nanos = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}
