//! The few git operations a hunt needs, through the `git` command line.
//!
//! The command line rather than a library: users' repositories use every git feature
//! (worktrees, partial clones, alternates), and the installed git is the one that
//! understands them all.

mod submodule;
mod touch;

pub use submodule::Submodule;
pub use touch::Touch;

use crate::supervisor;
use nix::sys::signal::Signal;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// How many times `add_worktree` tries before it reports git's error.
const WORKTREE_ATTEMPTS: u32 = 3;
const WORKTREE_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}; install git and make sure it is on PATH")]
    Spawn(io::Error),
    #[error(
        "{dir} is not inside a git repository; run culprit from a git checkout or pass -C DIR"
    )]
    NotARepo { dir: PathBuf },
    #[error("unknown revision `{rev}`: git cannot resolve it to a commit in {repo}")]
    UnknownRevision { rev: String, repo: PathBuf },
    #[error("`git {args}` failed: {stderr}")]
    Failed { args: String, stderr: String },
    /// A submodule cannot be checked out offline; the message says which and how to fix.
    #[error("{0}")]
    Submodule(String),
    #[error(
        "cannot remove the stale git lock {path}: {source}; remove it by hand if no git runs there"
    )]
    StaleLock { path: PathBuf, source: io::Error },
}

/// A commit's human-facing description, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub subject: String,
    pub author: String,
    pub date: String,
}

/// What applying one fixup on top of a candidate did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixupApplied {
    Applied,
    /// The candidate already contains it: nothing to apply.
    Contained,
    /// It does not apply cleanly; the tree is as it was.
    Conflict {
        detail: String,
    },
}

/// A repository, addressed by its top-level directory.
#[derive(Clone, Debug)]
pub struct Repo {
    root: PathBuf,
}

impl Repo {
    /// Finds the repository that contains `dir`.
    pub fn discover(dir: &Path) -> Result<Repo, GitError> {
        let out = git_in(dir, &["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            return Err(GitError::NotARepo {
                dir: dir.to_path_buf(),
            });
        }
        let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(Repo {
            root: PathBuf::from(root),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs git in the repository and returns its stdout, or the failure with stderr.
    pub fn git(&self, args: &[&str]) -> Result<String, GitError> {
        let out = git_in(&self.root, args)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(GitError::Failed {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    }

    /// The full commit id `rev` names.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        let spec = format!("{rev}^{{commit}}");
        match self.git(&["rev-parse", "--verify", "--quiet", &spec]) {
            Ok(id) if !id.trim().is_empty() => Ok(id.trim().to_string()),
            _ => Err(GitError::UnknownRevision {
                rev: rev.to_string(),
                repo: self.root.clone(),
            }),
        }
    }

    /// The id of the commit's tree: two commits with the same tree build the same thing.
    pub fn tree_id(&self, commit: &str) -> Result<String, GitError> {
        Ok(self
            .git(&["rev-parse", &format!("{commit}^{{tree}}")])?
            .trim()
            .to_string())
    }

    /// Tracked files with uncommitted changes, as `git status --porcelain` lines.
    pub fn dirty_files(&self) -> Result<Vec<String>, GitError> {
        let out = self.git(&["status", "--porcelain", "--untracked-files=no"])?;
        Ok(out.lines().map(str::to_string).collect())
    }

    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool, GitError> {
        let out = git_in(
            &self.root,
            &["merge-base", "--is-ancestor", ancestor, descendant],
        )?;
        Ok(out.status.success())
    }

    /// Commits reachable from `bad` but not from any of `good`, each with its parents,
    /// newest first (`git rev-list --parents`).
    pub fn rev_list_parents(
        &self,
        bad: &str,
        good: &[String],
        first_parent: bool,
    ) -> Result<Vec<(String, Vec<String>)>, GitError> {
        let mut args = vec!["rev-list", "--parents"];
        if first_parent {
            args.push("--first-parent");
        }
        args.push(bad);
        let negated: Vec<String> = good.iter().map(|g| format!("^{g}")).collect();
        args.extend(negated.iter().map(String::as_str));
        let out = self.git(&args)?;
        Ok(out
            .lines()
            .filter_map(|line| {
                let mut ids = line.split_whitespace().map(str::to_string);
                let id = ids.next()?;
                Some((id, ids.collect()))
            })
            .collect())
    }

    pub fn commit_info(&self, commit: &str) -> Result<CommitInfo, GitError> {
        let out = self.git(&[
            "show",
            "-s",
            "--format=%H%x00%s%x00%an <%ae>%x00%aI",
            commit,
        ])?;
        let mut parts = out.trim_end().split('\0');
        let mut next = || parts.next().unwrap_or_default().to_string();
        Ok(CommitInfo {
            id: next(),
            subject: next(),
            author: next(),
            date: next(),
        })
    }

    /// Adds a detached worktree at `path` checked out at `commit`, replacing whatever is
    /// there: a culprit killed during `git worktree add` leaves a half checked-out
    /// directory registered and locked ("initializing"), which the next session must clear
    /// rather than refuse. A failed attempt is cleared and tried again once.
    pub fn add_worktree(&self, path: &Path, commit: &str) -> Result<(), GitError> {
        let mut attempts = WORKTREE_ATTEMPTS;
        loop {
            self.clear_worktree(path);
            let text = path.to_string_lossy();
            // `-f -f`: add even over a registration that is missing but still locked.
            match self.git(&["worktree", "add", "-f", "-f", "--detach", &text, commit]) {
                Ok(_) => return Ok(()),
                Err(err) if attempts <= 1 => return Err(err),
                Err(_) => {
                    // The killed add's git may take a moment to be gone.
                    std::thread::sleep(WORKTREE_RETRY_PAUSE);
                    attempts -= 1;
                }
            }
        }
    }

    /// Removes the worktree at `path` (locked or not, registered or only a directory) and
    /// the registrations of worktrees whose directories are gone.
    fn clear_worktree(&self, path: &Path) {
        let text = path.to_string_lossy();
        // Each step may fail because there is nothing to clear; what matters is the add.
        let _ = self.git(&["worktree", "remove", "-f", "-f", &text]);
        if path.exists() {
            let _ = std::fs::remove_dir_all(path);
        }
        let _ = self.git(&["worktree", "prune"]);
    }

    /// Removes the locks a git killed along with an earlier culprit left in this
    /// worktree's own git directory (`index.lock` from a checkout, `HEAD.lock` from the
    /// ref update that ends it, and any other `*.lock` there), and says which. Only for a
    /// worktree no other process uses (a worker's, whose slot this culprit holds): a live
    /// git's lock would be taken from under it. Locks in the repository's shared
    /// directory are left alone, since other worktrees' gits may hold them.
    pub fn clear_stale_locks(&self) -> Result<Vec<PathBuf>, GitError> {
        let dir = self.git(&["rev-parse", "--absolute-git-dir"])?;
        let dir = PathBuf::from(dir.trim_end_matches('\n'));
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(GitError::StaleLock { path: dir, source }),
        };
        let mut removed = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let is_lock = path.extension().is_some_and(|e| e == "lock")
                && entry.file_type().is_ok_and(|t| t.is_file());
            if !is_lock {
                continue;
            }
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(path),
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(GitError::StaleLock { path, source }),
            }
        }
        removed.sort();
        Ok(removed)
    }

    /// Moves an existing worktree to `commit`, discarding every change and build product,
    /// so that each step builds exactly the commit it names.
    pub fn checkout_worktree(&self, path: &Path, commit: &str) -> Result<(), GitError> {
        let wt = Repo {
            root: path.to_path_buf(),
        };
        wt.git(&["checkout", "--quiet", "--force", "--detach", commit])?;
        wt.git(&["clean", "-q", "-ffdx"])?;
        Ok(())
    }

    /// Reverts `commit` in the worktree at `path`, leaving the result uncommitted.
    pub fn revert_in_worktree(&self, path: &Path, commit: &str) -> Result<(), GitError> {
        let wt = Repo {
            root: path.to_path_buf(),
        };
        let reverted = wt.git(&["revert", "--no-commit", commit]);
        if reverted.is_err() {
            let _ = wt.git(&["revert", "--abort"]);
        }
        reverted.map(|_| ())
    }

    /// Applies the fixup `commit` on top of what this worktree has checked out
    /// (`git cherry-pick --no-commit`), so that a candidate that cannot be tested on its
    /// own can be. A fixup the candidate already contains is left out; one that conflicts
    /// is undone, leaving the tree as it was.
    pub fn apply_fixup(&self, commit: &str) -> Result<FixupApplied, GitError> {
        let wt = self;
        if wt.is_ancestor(commit, "HEAD")? {
            return Ok(FixupApplied::Contained);
        }
        match wt.git(&["cherry-pick", "--no-commit", commit]) {
            Ok(_) => Ok(FixupApplied::Applied),
            Err(GitError::Failed { stderr, .. }) => {
                let conflicts = wt
                    .git(&["diff", "--name-only", "--diff-filter=U"])
                    .unwrap_or_default();
                // Whatever the failed pick left (conflict markers, a half-staged index)
                // must not reach the build of this or any later candidate.
                let _ = wt.git(&["cherry-pick", "--abort"]);
                wt.restore_worktree()?;
                let files: Vec<&str> = conflicts.lines().filter(|l| !l.is_empty()).collect();
                Ok(FixupApplied::Conflict {
                    detail: if files.is_empty() {
                        stderr.lines().next().unwrap_or("git refused").to_string()
                    } else {
                        format!("conflict in {}", files.join(", "))
                    },
                })
            }
            Err(other) => Err(other),
        }
    }

    /// Puts the worktree back to its checked-out commit: the changes fixups left in the
    /// files and the index go, build products stay.
    pub fn restore_worktree(&self) -> Result<(), GitError> {
        self.git(&["reset", "--quiet", "--hard", "HEAD"])?;
        Ok(())
    }

    /// The worktree (or repository) whose top level is `path`, for operations inside it.
    pub fn at(path: &Path) -> Repo {
        Repo {
            root: path.to_path_buf(),
        }
    }

    pub fn remove_worktree(&self, path: &Path) -> Result<(), GitError> {
        let path = path.to_string_lossy();
        self.git(&["worktree", "remove", "--force", &path])?;
        Ok(())
    }
}

/// Runs git below a supervisor: a `git worktree add` whose culprit is killed must not
/// go on checking out files (and holding the worktree's lock) on its own.
fn git_in(dir: &Path, args: &[&str]) -> Result<Output, GitError> {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0");
    let _lifeline = supervisor::attach(&mut command, Signal::SIGKILL).map_err(GitError::Spawn)?;
    command.output().map_err(GitError::Spawn)
}
