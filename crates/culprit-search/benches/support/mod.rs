//! What the commit benches share, so that they read their settings, count and publish
//! alike: the quick mode and row filter, run statistics, the closing line that says how
//! to reproduce a table, and the section of BENCHMARKS.md each one owns. Every bench
//! binary compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::path::Path;

pub fn mean(values: &[usize]) -> f64 {
    values.iter().sum::<usize>() as f64 / values.len().max(1) as f64
}

/// The `q` quantile (nearest rank) of the values.
pub fn quantile(values: &[usize], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64
}

pub fn median(values: &[usize]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2] as f64,
        n => (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0,
    }
}

/// Replaces (or appends) the section of the workspace's BENCHMARKS.md that starts with
/// `table`'s first line (its `## ` heading), leaving other sections alone.
fn write_section(table: &str) -> std::io::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let heading = table.lines().next().unwrap_or_default();
    let updated = match existing.find(&format!("{heading}\n")) {
        Some(start) => {
            let rest = &existing[start + heading.len()..];
            let end = rest
                .find("\n## ")
                .map_or(existing.len(), |i| start + heading.len() + i + 1);
            let tail = &existing[end..];
            let joint = if tail.is_empty() { "\n" } else { "\n\n" };
            format!("{}{}{joint}{tail}", &existing[..start], table.trim_end())
        }
        None => format!("{}\n\n{}\n", existing.trim_end(), table.trim_end()),
    };
    std::fs::write(path, updated)
}

/// `--quick` on the command line, or `CULPRIT_BENCH_QUICK` set to anything but `0`: fewer
/// trials per row, for a look before a full run.
pub fn quick_mode() -> bool {
    std::env::args().any(|a| a == "--quick")
        || std::env::var("CULPRIT_BENCH_QUICK").is_ok_and(|v| v != "0")
}

/// `CULPRIT_BENCH_ROWS`: run only the rows whose names contain this text.
pub fn only_rows() -> Option<String> {
    std::env::var("CULPRIT_BENCH_ROWS").ok()
}

/// Prints the table, and writes it to BENCHMARKS.md only when every row ran: a table of
/// some rows must not replace the full one there.
pub fn publish(table: &str, every_row: bool) {
    println!("{table}");
    if every_row {
        if let Err(e) = write_section(table) {
            eprintln!("BENCHMARKS.md not updated: {e}");
        }
    }
}

/// The start of a bench's section of BENCHMARKS.md: its `## ` heading, the paragraph
/// that says what the figures mean, and the table's head. Every table leads with the
/// history, its size and the scenario; the columns after those hold figures,
/// right-aligned.
pub fn section_head(heading: &str, intro: &str, figures: &[&str]) -> String {
    format!(
        "## {heading}\n\n{intro}\n\n| history | commits | scenario | {} |\n|---|---:|---|{}\n",
        figures.join(" | "),
        "---:|".repeat(figures.len())
    )
}

/// The table's last line: the mode, the time the run took and the command that gives the
/// figures again.
pub fn reproduce_line(bench: &str, quick: bool, seconds: f64) -> String {
    format!(
        "\n{} mode, {seconds:.0} s in all. Reproduce: `cargo bench -p culprit-search --bench {bench}{}`.",
        if quick { "Quick" } else { "Full" },
        if quick { " -- --quick" } else { "" }
    )
}

/// The subject made for `key` earlier in the run, or a new one: rows of the same history
/// share its (costly) graph and repository.
pub fn made_once<K: PartialEq, V>(made: &mut Vec<(K, V)>, key: K, make: impl FnOnce() -> V) -> &V {
    let index = match made.iter().position(|(k, _)| *k == key) {
        Some(index) => index,
        None => {
            made.push((key, make()));
            made.len() - 1
        }
    };
    &made[index].1
}
