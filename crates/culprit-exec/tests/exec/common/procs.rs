//! Whether what a command started still runs after its run.

use culprit_exec::RunReport;

/// Whether process `pid` still runs (a zombie does not).
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

/// Pids the command printed as `PID=<n>` lines.
pub fn printed_pids(report: &RunReport) -> Vec<i32> {
    let log = std::fs::read_to_string(&report.log_path).unwrap();
    log.lines()
        .filter_map(|l| l.strip_prefix("PID="))
        .map(|p| p.trim().parse().unwrap())
        .collect()
}
