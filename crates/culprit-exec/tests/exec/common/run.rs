//! What the runner's tests share: a spec, rules, a stop flag.

use culprit_console::Rules;
use culprit_exec::{RunSpec, StopFlag};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn spec(dir: &tempfile::TempDir, command: &str, wall: u64, silence: Option<u64>) -> RunSpec {
    RunSpec {
        command: command.to_string(),
        cwd: dir.path().to_path_buf(),
        env: Vec::new(),
        wall_timeout: Duration::from_secs(wall),
        silence_timeout: silence.map(Duration::from_secs),
        log_path: dir.path().join("run.log"),
        deadline: None,
    }
}

/// A spec whose directory is its own: the test keeps the directory alive as long as
/// it needs the log, and it goes when the test ends.
pub fn temp_spec(command: &str, wall: u64, silence: Option<u64>) -> (tempfile::TempDir, RunSpec) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = spec(&dir, command, wall, silence);
    (dir, spec)
}

/// Runs `f` and asserts that it returned within `limit` seconds: a verdict, a timeout or
/// a cancellation counts only if it ends the run well before the run's own clocks would.
pub fn within<T>(limit: u64, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(limit), "took {took:?}");
    value
}

pub fn boot_rules(success: &[&str]) -> Rules {
    let mut rules = Rules::boot();
    rules.success = success.iter().map(|s| s.to_string()).collect();
    rules
}

pub fn no_stop() -> StopFlag {
    Arc::new(AtomicBool::new(false))
}
