//! The real `$(shell,…)`: `sh -c` with the tree's environment, as kconfig's `popen`,
//! optionally through a cache of what each command printed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use culprit_exec::capture::capture;
use sha2::{Digest, Sha256};

use super::macros::{Shell, SHELL_OUTPUT_LIMIT};

/// How long one probe may run. kconfig waits forever; a compiler wedged on a license
/// server or an NFS mount would hang culprit with it. A compiler probe takes well under
/// a second, a few on a loaded machine.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs commands with `/bin/sh` in `cwd` (kconfig runs them in the build directory;
/// compiler probes create and remove scratch files there), with `env` added to the
/// process environment. Standard error is dropped, as the probes send theirs to
/// `/dev/null` anyway.
pub struct SystemShell {
    pub env: HashMap<String, String>,
    pub cwd: PathBuf,
    /// How many commands ran, for the benchmark's account of where time goes.
    pub commands: usize,
    /// Where earlier answers are kept, if anywhere.
    pub cache: Option<ProbeCache>,
    /// Past this, a probe is killed with everything it started, and the read fails.
    pub timeout: Duration,
    /// How many probes [`Kconfig::load_probing`](super::Kconfig::load_probing) runs at
    /// once: by default one per CPU, as more only makes them compete.
    pub jobs: usize,
}

impl SystemShell {
    pub fn new(env: HashMap<String, String>) -> SystemShell {
        SystemShell {
            env,
            cwd: std::env::temp_dir(),
            commands: 0,
            cache: None,
            timeout: PROBE_TIMEOUT,
            jobs: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        }
    }

    /// The cached answer to `command`, if the cache holds one for it as things are now.
    pub(super) fn cached(&self, command: &str) -> Option<String> {
        let cache = self.cache.as_ref()?;
        cache.get(&probe_key(command, &self.env))
    }

    /// Runs `command` for real and keeps its answer in the cache; safe to call from
    /// several threads at once (each probe gets its own scratch files, named after the
    /// pid of its shell by the Kconfig macros).
    pub(super) fn execute(&self, command: &str) -> Result<String, String> {
        let mut sh = Command::new("/bin/sh");
        sh.arg("-c")
            .arg(command)
            .envs(&self.env)
            .current_dir(&self.cwd);
        // One byte past what kconfig keeps, so that `shell_words` sees the same text.
        let output =
            capture(sh, SHELL_OUTPUT_LIMIT + 1, self.timeout).map_err(|e| e.to_string())?;
        let answer = String::from_utf8_lossy(&output.stdout).into_owned();
        if let Some(cache) = &self.cache {
            cache.put(&probe_key(command, &self.env), &answer);
        }
        Ok(answer)
    }
}

impl Shell for SystemShell {
    fn run(&mut self, command: &str) -> Result<String, String> {
        if let Some(answer) = self.cached(command) {
            return Ok(answer);
        }
        self.commands += 1;
        self.execute(command)
    }
}

/// The probe cache's directory under a state directory.
pub const PROBE_CACHE_DIR: &str = "kconfig-probes";

/// What `$(shell,…)` commands printed, one file per command under `dir`.
///
/// A cold read of Linux runs about 90 compiler probes (`cc-option`, `as-instr`,
/// `ld-version.sh`…), each starting gcc: nearly all of its time. Their answers only
/// change with the command, its environment and the tools it runs, so the key holds
/// all three: the command line, the environment it gets, `PATH`, and the path, size and
/// modification time of every word of the command that names a file or a program on
/// `PATH` (the compiler, the linker, the tree's scripts). A new compiler, or an edited
/// script, is a new key.
pub struct ProbeCache {
    dir: PathBuf,
    hits: AtomicUsize,
}

impl ProbeCache {
    pub fn new(dir: PathBuf) -> ProbeCache {
        ProbeCache {
            dir,
            hits: AtomicUsize::new(0),
        }
    }

    /// Answers taken from the cache.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    fn get(&self, key: &str) -> Option<String> {
        let answer = std::fs::read_to_string(self.dir.join(key)).ok()?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(answer)
    }

    /// Keeps an answer; a cache that cannot be written only costs the probe next time.
    fn put(&self, key: &str, answer: &str) {
        let path = self.dir.join(key);
        // Unique per process and thread: two threads may answer the same command.
        let scratch = self.dir.join(format!(
            "{key}.{}.{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = std::fs::create_dir_all(&self.dir)
            .and_then(|()| std::fs::write(&scratch, answer))
            .and_then(|()| std::fs::rename(&scratch, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&scratch);
        }
    }
}

fn probe_key(command: &str, env: &HashMap<String, String>) -> String {
    let mut hash = Sha256::new();
    hash.update(b"culprit kconfig probe 1\0");
    hash.update(command.as_bytes());
    let mut vars: Vec<_> = env.iter().collect();
    vars.sort();
    for (name, value) in vars {
        hash.update(format!("\0{name}={value}").as_bytes());
    }
    let path = std::env::var("PATH").unwrap_or_default();
    hash.update(format!("\0PATH={path}").as_bytes());
    let words = command.split(|c: char| c.is_whitespace() || "'\"()|&;<>=`$,".contains(c));
    let mut seen = Vec::new();
    for word in words.filter(|w| !w.is_empty() && !w.starts_with('-')) {
        if seen.contains(&word) {
            continue;
        }
        seen.push(word);
        if let Some((file, meta)) = identify(word, &path) {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hash.update(format!("\0{} {} {mtime}", file.display(), meta.len()).as_bytes());
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The file a word of a command names: a path, or a program found on `PATH`.
fn identify(word: &str, path: &str) -> Option<(PathBuf, std::fs::Metadata)> {
    let candidates: Vec<PathBuf> = if word.contains('/') {
        vec![PathBuf::from(word)]
    } else {
        std::env::split_paths(path)
            .map(|dir| dir.join(word))
            .collect()
    };
    candidates.into_iter().find_map(|file| {
        let meta = std::fs::metadata(&file)
            .ok()
            .filter(std::fs::Metadata::is_file)?;
        let real = std::fs::canonicalize(&file).unwrap_or(file);
        Some((real, meta))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_cached_answer_is_not_run_again_until_a_tool_changes() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("probe.sh");
        std::fs::write(&tool, "echo one\n").unwrap();
        let command = format!("sh {}", tool.display());
        let shell = |cache: &Path| {
            let mut shell = SystemShell::new(HashMap::new());
            shell.cache = Some(ProbeCache::new(cache.to_owned()));
            shell
        };
        let cache = dir.path().join("cache");
        let mut first = shell(&cache);
        assert_eq!(first.run(&command).unwrap(), "one\n");
        assert_eq!(first.commands, 1);
        // A new shell (another process) answers from the cache, running nothing.
        let mut second = shell(&cache);
        assert_eq!(second.run(&command).unwrap(), "one\n");
        assert_eq!(
            (second.commands, second.cache.as_ref().unwrap().hits()),
            (0, 1)
        );
        // The script changes (size and time): the probe runs again.
        std::fs::write(&tool, "echo two, longer\n").unwrap();
        let mut third = shell(&cache);
        assert_eq!(third.run(&command).unwrap(), "two, longer\n");
        assert_eq!(third.commands, 1);
        // Another environment is another key.
        let mut other = shell(&cache);
        other.env.insert("CC".into(), "clang".into());
        other.run(&command).unwrap();
        assert_eq!(other.commands, 1);
    }
}
