//! The real Linux tree for the kernel tests, as a user would have it: a private git
//! clone of `CULPRIT_LINUX_TREE` (see `scripts/linux-tree`) set up with `culprit init`,
//! one per architecture.
//!
//! Cost: every test of one build (all test binaries of this crate) shares the clone and
//! its culprit state directory, so each worker's build directory is cold only the first
//! time: a tinyconfig kernel builds in about 3 minutes on 2 idle cores, a rebuild after
//! a small change takes 10–45 s. The clone, its worktrees and build directories stay in
//! `target/tmp/linux/ARCH` (about 1.5 GB per checkout), so a second `cargo test` is warm
//! too. One lock file serializes every kernel test, of any architecture: tests of one
//! architecture share build directories, and a boot under TCG next to another test's
//! `make -j2` is starved of the CPU until its console falls silent (a hang culprit would
//! rightly report). Each make uses both cores, so running them one after another costs
//! little.
//!
//! A kernel test that fails writes its panic message straight to the test binary's
//! stderr as well, each line prefixed with the test's name, so that a CI log cut short
//! still shows why (libtest prints captured output only at the very end).

use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One planted commit: its message, and the edit it makes in a checkout.
pub type Plant<'a> = (&'a str, &'a dyn Fn(&Path));

/// A private Linux tree with a `culprit.toml` for one architecture, held exclusively.
pub struct Kernel {
    /// The clone; `culprit.toml` is at its top.
    pub tree: PathBuf,
    /// The culprit state directory (`CULPRIT_STATE`), outside the tree.
    pub state: PathBuf,
    /// What `culprit init` printed when it set the tree up in this process, if it did.
    pub init_output: Option<Output>,
    _lock: Flock<File>,
}

/// The shared tree for `arch` (`x86_64`, `arm64`), or `None` (with a message) when
/// `CULPRIT_LINUX_TREE` is not set; under CI (`CI` set) a missing tree fails the test.
pub fn kernel(arch: &str) -> Option<Kernel> {
    report_panics_at_once();
    let Some(source) = std::env::var_os("CULPRIT_LINUX_TREE") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CULPRIT_LINUX_TREE is not set but CI is: .ci/run exports it from scripts/linux-tree"
        );
        eprintln!("skipped: CULPRIT_LINUX_TREE not set (run scripts/linux-tree and export it)");
        return None;
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("linux");
    let dir = root.join(arch);
    std::fs::create_dir_all(&dir).unwrap();
    let lock = File::create(root.join("lock")).unwrap();
    let lock = Flock::lock(lock, FlockArg::LockExclusive)
        .map_err(|(_, errno)| errno)
        .unwrap();
    let tree = dir.join("tree");
    if !tree.join(".git").exists() {
        let _ = std::fs::remove_dir_all(&tree);
        run(Command::new("git")
            .args(["clone", "-q", "--shared"])
            .arg(&source)
            .arg(&tree));
    }
    let mut kernel = Kernel {
        state: dir.join("state"),
        tree,
        init_output: None,
        _lock: lock,
    };
    if !kernel.tree.join("culprit.toml").exists() {
        let out = kernel.culprit(&["init", "--arch", arch]);
        assert!(
            out.status.success(),
            "culprit init --arch {arch}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        kernel.init_output = Some(out);
    }
    Some(kernel)
}

/// Installs (once) a panic hook that also writes a failing test's message, at most 40
/// lines of at most 800 characters, straight to stderr, past libtest's capture.
fn report_panics_at_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("a kernel test");
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let mut text = format!("test {name} | panicked at {place}\n");
            for line in message.lines().take(40) {
                let line: String = line.chars().take(800).collect();
                text.push_str(&format!("test {name} | {line}\n"));
            }
            let _ = std::io::stderr().write_all(text.as_bytes());
            default(info);
        }));
    });
}

impl Kernel {
    /// Runs culprit in the tree with this kernel's state directory and no inherited
    /// `ARCH`/`CROSS_COMPILE`/`LLVM`, so the result does not depend on the caller's shell.
    pub fn culprit(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_culprit"))
            .args(args)
            .current_dir(&self.tree)
            .env("CULPRIT_STATE", &self.state)
            .env_remove("ARCH")
            .env_remove("CROSS_COMPILE")
            .env_remove("LLVM")
            .output()
            .expect("culprit runs")
    }

    /// Git in the clone, with a fixed author and date so planted commits get the same
    /// ids in every run (and a warm worktree stays valid).
    pub fn git(&self, args: &[&str]) -> String {
        let date = "2026-01-01T00:00:00Z";
        let env = [("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)];
        super::git_with_env(&self.tree, args, &env)
    }

    /// Makes `branch` (from `main`) with one commit per `(message, edit)`: each edit
    /// changes files of the tree. Done in a scratch worktree so that the clone's own
    /// checkout (and the make timestamps of its build) stay untouched.
    pub fn plant(&self, branch: &str, commits: &[Plant<'_>]) -> Vec<String> {
        let scratch = self.tree.with_file_name("plant");
        let _ = self.git(&["worktree", "prune"]);
        if scratch.exists() {
            std::fs::remove_dir_all(&scratch).unwrap();
            let _ = self.git(&["worktree", "prune"]);
        }
        self.git(&[
            "worktree",
            "add",
            "-q",
            "--force",
            "-B",
            branch,
            &scratch.to_string_lossy(),
            "main",
        ]);
        let mut ids = Vec::new();
        for (message, edit) in commits {
            edit(&scratch);
            let at = |args: &[&str]| {
                let mut all = vec!["-C", scratch.to_str().unwrap()];
                all.extend_from_slice(args);
                self.git(&all)
            };
            at(&["add", "-A"]);
            at(&["commit", "-q", "-m", message]);
            ids.push(at(&["rev-parse", "HEAD"]));
        }
        self.git(&["worktree", "remove", "--force", &scratch.to_string_lossy()]);
        ids
    }
}

/// Runs a setup command and fails the test with its output when it fails.
fn run(command: &mut Command) {
    let out = command.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How many objects a Kbuild log says were compiled (`  CC      init/main.o`).
pub fn compiled_objects(build_log: &str) -> usize {
    build_log
        .lines()
        .filter(|line| line.trim_start().starts_with("CC ") && line.starts_with("  "))
        .count()
}

/// Replaces `from` by `to` in the file `path` (relative to `root`), which must hold it.
pub fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let file = root.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{path} has no {from:?}");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

/// A documentation file planted in the tree: a commit that changes nothing that is built.
pub fn plant_doc(root: &Path, name: &str) {
    std::fs::write(
        root.join("Documentation").join(name),
        "planted by culprit's tests\n",
    )
    .unwrap()
}
