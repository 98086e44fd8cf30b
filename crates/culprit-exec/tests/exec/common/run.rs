//! What the runner's tests share: a spec, rules, a stop flag.

use culprit_console::Rules;
use culprit_exec::{RunSpec, StopFlag};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

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

pub fn boot_rules(success: &[&str]) -> Rules {
    let mut rules = Rules::boot();
    rules.success = success.iter().map(|s| s.to_string()).collect();
    rules
}

pub fn no_stop() -> StopFlag {
    Arc::new(AtomicBool::new(false))
}
