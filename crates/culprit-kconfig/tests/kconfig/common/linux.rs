//! The real Linux tree for tests and benchmarks: where it is, and a sparse clone of it
//! that holds only what configuration needs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `CULPRIT_LINUX_TREE`, or `None` (with the skip message) outside CI.
pub fn linux_tree() -> Option<PathBuf> {
    match std::env::var_os("CULPRIT_LINUX_TREE") {
        Some(tree) => Some(PathBuf::from(tree)),
        None if std::env::var_os("CI").is_some() => {
            panic!("CULPRIT_LINUX_TREE not set in CI: run scripts/linux-tree and export it")
        }
        None => {
            eprintln!("skipped: CULPRIT_LINUX_TREE not set");
            None
        }
    }
}

pub fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A clone holding only what configuration needs (Kconfig files, Makefiles, scripts,
/// defconfigs; ~30 MB), so nothing is ever built in the shared tree and no 1.5 GB
/// checkout is made.
pub fn sparse_clone(tree: &Path, into: &Path) {
    run(Command::new("git")
        .args(["clone", "-q", "--shared", "--no-checkout"])
        .arg(tree)
        .arg(into));
    run(Command::new("git").current_dir(into).args([
        "sparse-checkout",
        "set",
        "--no-cone",
        "/*",
        "!/*/",
        "/scripts/",
        "/arch/*/Makefile*",
        "/arch/*/configs/",
        "/kernel/configs/",
        "Kconfig*",
    ]));
    run(Command::new("git")
        .current_dir(into)
        .args(["checkout", "-q", "HEAD"]));
}
