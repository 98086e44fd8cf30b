//! Shell scripts for building real test repositories, with a fixed git identity.

use std::path::Path;
use std::process::Command;

/// Runs `script` with `sh -c` in `dir`; panics with its stderr when it fails.
pub fn sh(dir: &Path, script: &str) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "script failed: {script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
