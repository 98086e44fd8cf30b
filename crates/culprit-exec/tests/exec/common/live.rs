//! The processes that run now, as `/proc` lists them: for the tests that look for what a
//! killed culprit left behind. Not part of the `exec` binary: `sigkill.rs` and the culprit
//! CLI tests include it.

/// A live process as `/proc` shows it.
pub struct Process {
    pub pid: i32,
    /// Its environment, `NAME=value` entries each ended by a NUL.
    pub environ: Vec<u8>,
    /// Its command line, a space between the words.
    pub cmdline: String,
    /// Its command name (`comm`).
    pub name: String,
}

impl Process {
    /// Whether its environment has the entry `var` (`NAME=value`), exactly.
    pub fn has_env(&self, var: &str) -> bool {
        self.environ.split(|b| *b == 0).any(|v| v == var.as_bytes())
    }
}

/// Every process that runs now (zombies are not running).
pub fn live_processes() -> Vec<Process> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let read = |file: &str| std::fs::read(format!("/proc/{pid}/{file}")).unwrap_or_default();
        let (environ, cmdline, name) = (read("environ"), read("cmdline"), read("comm"));
        let stat = String::from_utf8_lossy(&read("stat")).into_owned();
        // A zombie has ended: only its exit status waits to be read.
        let zombie = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z');
        if !stat.is_empty() && !zombie {
            found.push(Process {
                pid,
                environ,
                cmdline: String::from_utf8_lossy(&cmdline).replace('\0', " "),
                name: String::from_utf8_lossy(&name).trim().to_string(),
            });
        }
    }
    found
}
