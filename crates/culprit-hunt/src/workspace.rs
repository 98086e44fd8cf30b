//! Finding culprit.toml (the manifest), the repository and the journal a command works with.

use crate::bail;
use crate::error::{Context, Result};
use crate::journal::Journal;
use crate::manifest::Manifest;
use culprit_exec::git::Repo;
use culprit_exec::StopFlag;
use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

pub const CONFIG_FILE: &str = "culprit.toml";

/// The state directory next to culprit.toml when nothing else is asked for.
pub const DEFAULT_STATE: &str = ".culprit";

/// The environment variable that moves the state directory (`--state` sets it too).
pub const STATE_ENV: &str = "CULPRIT_STATE";

/// The state directory's record of the commands running now (see
/// `culprit_exec::leftovers`).
const RUNNING_DIR: &str = "running";
/// Under the state directory: each worker's worktree and build directory, the lock that
/// holds it, and what the workers share (the compiler cache, the cold-build lock).
pub const WORKERS_DIR: &str = "workers";

/// The manifest with the repository it belongs to.
pub struct Workspace {
    pub manifest: Manifest,
    /// `None` when culprit.toml is not inside a git checkout.
    pub repo: Option<Repo>,
    /// The repository's top level, or culprit.toml's directory outside git.
    pub root: PathBuf,
    /// Where the journal, logs, worktrees and build directories live: `CULPRIT_STATE`,
    /// else culprit.toml's `state`, else `.culprit/` next to culprit.toml.
    pub state: PathBuf,
}

impl Workspace {
    /// Loads `file`, or `culprit.toml` in the current directory.
    pub fn load(file: Option<&Path>) -> Result<Workspace> {
        let path = match file {
            Some(path) => path.to_path_buf(),
            None => {
                let path = PathBuf::from(CONFIG_FILE);
                if !path.exists() {
                    let cwd = std::env::current_dir().unwrap_or_default();
                    bail!(
                        "no {CONFIG_FILE} in {}: pass -f FILE, or run from a directory that has one \
                         (the bundled example is examples/toyos/{CONFIG_FILE})",
                        cwd.display()
                    );
                }
                path
            }
        };
        if !path.is_file() {
            bail!(
                "{}: no such file; pass the path of a culprit.toml with -f",
                path.display()
            );
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let repo = Repo::discover(&dir).ok();
        let root = match &repo {
            Some(repo) => repo.root().to_path_buf(),
            None => dir.canonicalize().unwrap_or(dir),
        };
        let manifest = Manifest::load(&path, &root)?;
        let missing = manifest.missing_programs();
        if !missing.is_empty() {
            // One entry per program, naming a few of the commands that run it: a
            // generated culprit.toml may have thousands of tests run the same one.
            let mut by_program: Vec<(&str, Vec<&str>)> = Vec::new();
            for (owner, program) in &missing {
                match by_program.iter_mut().find(|(p, _)| p == program) {
                    Some((_, owners)) => owners.push(owner),
                    None => by_program.push((program, vec![owner])),
                }
            }
            let list: Vec<String> = by_program
                .iter()
                .map(|(program, owners)| {
                    let named = owners
                        .iter()
                        .take(3)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ");
                    match owners.len() {
                        0..=3 => format!("{named} runs `{program}`"),
                        n => format!("{named} and {} more run `{program}`", n - 3),
                    }
                })
                .collect();
            bail!(
                "{}: {}, which is not installed (not found on PATH); install it, or fix the command",
                manifest.path.display(),
                list.join("; ")
            );
        }
        let state = state_dir(&manifest);
        // Whatever a killed culprit left running here ends before anything else starts.
        for ended in culprit_exec::leftovers::take_over(&state.join(RUNNING_DIR)) {
            eprintln!("culprit: ended {ended}, left running by an earlier culprit that was killed");
        }
        Ok(Workspace {
            manifest,
            repo,
            root,
            state,
        })
    }

    pub fn journal(&self) -> Result<Journal> {
        Journal::open(&self.state)
    }

    /// `count` worker slots that no other culprit holds, lowest numbers first, so that
    /// the next session gets the same worktrees and build directories back.
    ///
    /// Worker N's worktree and build directory are `workers/wN/tree` and
    /// `workers/wN/build`: the same path from each build directory to its tree, so
    /// that a compiler cache with its base directory at the state directory (see
    /// `culprit init`) gives one worker's objects to the others.
    pub fn claim_workers(&self, count: usize) -> Result<Vec<WorkerSlot>> {
        let dir = self.state.join(WORKERS_DIR);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut slots = Vec::with_capacity(count);
        let mut index = 0;
        while slots.len() < count {
            if index >= count + MAX_BUSY_SLOTS {
                bail!(
                    "{} worker slots in {} are held by other culprit processes; wait for them to finish, \
                     or give this hunt its own state directory (--state DIR)",
                    MAX_BUSY_SLOTS,
                    dir.display()
                );
            }
            let path = dir.join(format!("w{index}.lock"));
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| format!("cannot open the worker lock {}", path.display()))?;
            if let Ok(lock) = Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                let worker = dir.join(format!("w{index}"));
                slots.push(WorkerSlot {
                    worktree: worker.join("tree"),
                    build: worker.join("build"),
                    _lock: lock,
                });
            }
            index += 1;
        }
        Ok(slots)
    }

    /// The build directory (`{build}`) of the working tree, used in place.
    pub fn tree_build_dir(&self) -> PathBuf {
        self.state.join(WORKERS_DIR).join("tree").join("build")
    }

    /// The journal for commands that only read it (`log`, `report`).
    pub fn journal_read_only(&self) -> Result<Journal> {
        Journal::open_read_only(&self.state)
    }

    /// The git repository, or a clear error for commands that need one.
    pub fn repo(&self) -> Result<&Repo> {
        self.repo.as_ref().with_context(|| {
            format!(
                "{} is not inside a git repository; this command needs one (run `git init` and commit, or use `culprit run` without --rev)",
                self.manifest.path.display()
            )
        })
    }
}

fn state_dir(manifest: &Manifest) -> PathBuf {
    state_from_env().unwrap_or_else(|| {
        manifest
            .state
            .clone()
            .unwrap_or_else(|| manifest.home.join(DEFAULT_STATE))
    })
}

/// The state directory of a command that has a tree but no culprit.toml (`culprit
/// kconfig`): `$CULPRIT_STATE`, else the tree's `.culprit`.
pub fn state_dir_of(tree: &Path) -> PathBuf {
    state_from_env().unwrap_or_else(|| tree.join(DEFAULT_STATE))
}

/// `$CULPRIT_STATE`, relative to the current directory.
fn state_from_env() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os(STATE_ENV).filter(|v| !v.is_empty())?);
    Some(std::env::current_dir().map_or(dir.clone(), |cwd| cwd.join(dir)))
}

/// How many worker slots held by other culprit processes a hunt steps over before it
/// gives up: enough for a few sessions side by side, few enough to say so early.
const MAX_BUSY_SLOTS: usize = 32;

/// A worker's worktree and build directory, held by this process (an flock the kernel
/// releases when it dies) so that two sessions never build in the same tree. Both are
/// kept between steps, sessions and resumes: a checkout then touches only the files
/// that differ, make's timestamps stay meaningful, and a kernel build stays incremental.
/// Each build directory belongs to one source tree, because Kbuild and CMake record
/// absolute source paths in it.
pub struct WorkerSlot {
    pub worktree: PathBuf,
    pub build: PathBuf,
    _lock: Flock<std::fs::File>,
}

/// The process-wide stop flag, raised by Ctrl-C, SIGTERM or SIGHUP so that every running
/// command's process tree is stopped and the journal stays consistent.
static STOP: OnceLock<StopFlag> = OnceLock::new();
/// The signal that raised the flag, for the exit status (128 + signal, as shells do).
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_stop_signal(signal: std::ffi::c_int) {
    // Only atomics here: this runs in signal context.
    STOP_SIGNAL.store(signal, Ordering::SeqCst);
    if let Some(flag) = STOP.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

pub fn stop_flag() -> StopFlag {
    STOP.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let action = SigAction::new(
            SigHandler::Handler(on_stop_signal),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            // SAFETY: the handler only stores to atomics, which is async-signal-safe.
            if let Err(err) = unsafe { sigaction(signal, &action) } {
                // Without a handler the signal still ends culprit; the commands are then
                // stopped only by their supervisors, so the failure is worth a warning.
                eprintln!("culprit: warning: cannot catch {signal} ({err}); an interrupted run is not recorded as such");
            }
        }
        flag
    })
    .clone()
}

/// The exit status of a culprit stopped by a signal: 130 after Ctrl-C, 143 after SIGTERM.
pub fn interrupted_exit_code() -> u8 {
    match STOP_SIGNAL.load(Ordering::SeqCst) {
        0 => 130,
        signal => u8::try_from(128 + signal).unwrap_or(130),
    }
}

/// A detached worktree: temporary (removed when dropped) or a worker's, kept for the
/// next session.
pub struct Worktree {
    repo: Repo,
    pub path: PathBuf,
    keep: bool,
}

impl Worktree {
    /// A fresh worktree at `path` (replacing whatever is there), removed when dropped.
    pub fn add(repo: &Repo, path: PathBuf, commit: &str) -> Result<Worktree> {
        if path.exists() {
            let _ = repo.remove_worktree(&path);
            let _ = std::fs::remove_dir_all(&path);
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        repo.add_worktree(&path, commit)
            .with_context(|| format!("cannot check out {commit} in {}", path.display()))?;
        Ok(Worktree {
            repo: repo.clone(),
            path,
            keep: false,
        })
    }

    /// The worktree at `path` as an earlier session left it, or a fresh one at `commit`
    /// when there is none (or it no longer works); kept when dropped. Only for a claimed
    /// worker's path: git locks found in its own git directory are stale and go. Reusing it is what
    /// makes a kernel's second session incremental: a fresh checkout would give every
    /// source file a new timestamp, and make would rebuild everything.
    pub fn reuse(repo: &Repo, path: PathBuf, commit: &str) -> Result<Worktree> {
        let canonical = path.canonicalize().ok();
        let intact = canonical.is_some()
            && Repo::discover(&path)
                .ok()
                .and_then(|wt| wt.root().canonicalize().ok())
                == canonical;
        let mut worktree = if intact {
            for lock in Repo::at(&path).clear_stale_locks()? {
                eprintln!(
                    "culprit: removed {}, left by a git that was killed with an earlier culprit",
                    lock.display()
                );
            }
            Worktree {
                repo: repo.clone(),
                path,
                keep: false,
            }
        } else {
            Worktree::add(repo, path, commit)?
        };
        worktree.keep = true;
        Ok(worktree)
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        if let Err(err) = self.repo.remove_worktree(&self.path) {
            eprintln!(
                "culprit: warning: cannot remove the worktree {}: {err}",
                self.path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_tree::git;

    fn workspace(dir: &Path) -> Workspace {
        crate::test_tree::workspace(dir, "")
    }

    #[test]
    fn two_holders_never_share_a_worker_slot_and_a_released_slot_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let first = ws.claim_workers(2).unwrap();
        let second = ws.claim_workers(2).unwrap();
        let names = |slots: &[WorkerSlot]| -> Vec<PathBuf> {
            slots.iter().map(|s| s.worktree.clone()).collect()
        };
        let state = ws.state.join("workers");
        let tree = |n: &str| state.join(n).join("tree");
        assert_eq!(names(&first), vec![tree("w0"), tree("w1")]);
        assert_eq!(names(&second), vec![tree("w2"), tree("w3")]);
        assert_eq!(second[0].build, state.join("w2").join("build"));
        drop(first);
        let third = ws.claim_workers(1).unwrap();
        assert_eq!(names(&third), vec![tree("w0")]);
    }

    /// A culprit killed while git checked out in a worker's worktree leaves the index
    /// locked, or HEAD when the kill came as the checkout moved it; the next session on
    /// that worker removes the locks instead of failing.
    #[test]
    fn stale_git_locks_in_a_workers_worktree_are_removed_on_reuse() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let git = |args: &[&str]| git(dir.path(), args);
        git(&["init", "-q", "-b", "main"]);
        git(&["add", CONFIG_FILE]);
        git(&["commit", "-q", "-m", "one"]);
        std::fs::write(dir.path().join("file"), "two\n").unwrap();
        git(&["add", "file"]);
        git(&["commit", "-q", "-m", "two"]);
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.resolve("HEAD").unwrap();
        let one = repo.resolve("HEAD~1").unwrap();
        let slot = ws.claim_workers(1).unwrap().remove(0);
        let first = Worktree::reuse(&repo, slot.worktree.clone(), &head).unwrap();
        let locks: Vec<PathBuf> = ["index.lock", "HEAD.lock"]
            .iter()
            .map(|name| {
                let lock = Repo::at(&first.path)
                    .git(&["rev-parse", "--git-path", name])
                    .unwrap();
                first.path.join(lock.trim())
            })
            .collect();
        for lock in &locks {
            std::fs::write(lock, "").unwrap();
            assert!(
                repo.checkout_worktree(&first.path, &one).is_err(),
                "git refuses to check out past {}",
                lock.display()
            );
        }
        // The repository's own HEAD lock is not this worker's: it stays.
        let shared = dir.path().join(".git/HEAD.lock");
        std::fs::write(&shared, "").unwrap();
        drop(first);
        let again = Worktree::reuse(&repo, slot.worktree.clone(), &head).unwrap();
        for lock in &locks {
            assert!(!lock.exists(), "{} is gone", lock.display());
        }
        assert!(shared.exists(), "the main worktree's lock is left alone");
        std::fs::remove_file(&shared).unwrap();
        repo.checkout_worktree(&again.path, &one).unwrap();
        assert!(!again.path.join("file").exists());
    }
}
