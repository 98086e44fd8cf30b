//! The real `$(shell,…)`: `sh -c` with the tree's environment, as kconfig's `popen`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::macros::Shell;

/// Runs commands with `/bin/sh` in `cwd` (kconfig runs them in the build directory;
/// compiler probes create and remove scratch files there), with `env` added to the
/// process environment. Standard error is dropped, as the probes send theirs to
/// `/dev/null` anyway.
pub struct SystemShell {
    pub env: HashMap<String, String>,
    pub cwd: PathBuf,
    /// How many commands ran, for the benchmark's account of where time goes.
    pub commands: usize,
}

impl SystemShell {
    pub fn new(env: HashMap<String, String>) -> SystemShell {
        SystemShell {
            env,
            cwd: std::env::temp_dir(),
            commands: 0,
        }
    }
}

impl Shell for SystemShell {
    fn run(&mut self, command: &str) -> Result<String, String> {
        self.commands += 1;
        let output = Command::new("/bin/sh")
            .arg("-c")
            .arg(command)
            .envs(&self.env)
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("/bin/sh: {e}"))?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}
