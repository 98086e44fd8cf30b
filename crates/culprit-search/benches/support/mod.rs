//! What the commit benches share: run statistics and the section of BENCHMARKS.md each
//! one owns. Every bench binary compiles this module on its own and uses part of it.
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
pub fn write_section(table: &str) -> std::io::Result<()> {
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
