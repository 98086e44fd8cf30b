//! The real `$(shell,…)`: `sh -c` with the tree's environment, as kconfig's `popen`,
//! optionally through a cache of what each command printed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

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
    /// Where earlier answers are kept, if anywhere.
    pub cache: Option<ProbeCache>,
}

impl SystemShell {
    pub fn new(env: HashMap<String, String>) -> SystemShell {
        SystemShell {
            env,
            cwd: std::env::temp_dir(),
            commands: 0,
            cache: None,
        }
    }
}

impl Shell for SystemShell {
    fn run(&mut self, command: &str) -> Result<String, String> {
        let key = self.cache.as_ref().map(|_| probe_key(command, &self.env));
        if let (Some(cache), Some(key)) = (&mut self.cache, &key) {
            if let Some(answer) = cache.get(key) {
                return Ok(answer);
            }
        }
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
        let answer = String::from_utf8_lossy(&output.stdout).into_owned();
        if let (Some(cache), Some(key)) = (&mut self.cache, &key) {
            cache.put(key, &answer);
        }
        Ok(answer)
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
    /// Answers taken from the cache.
    pub hits: usize,
}

impl ProbeCache {
    pub fn new(dir: PathBuf) -> ProbeCache {
        ProbeCache { dir, hits: 0 }
    }

    fn get(&mut self, key: &str) -> Option<String> {
        let answer = std::fs::read_to_string(self.dir.join(key)).ok()?;
        self.hits += 1;
        Some(answer)
    }

    /// Keeps an answer; a cache that cannot be written only costs the probe next time.
    fn put(&self, key: &str, answer: &str) {
        let path = self.dir.join(key);
        let scratch = self.dir.join(format!("{key}.{}", std::process::id()));
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
            (second.commands, second.cache.as_ref().unwrap().hits),
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
