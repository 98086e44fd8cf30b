//! Real git repositories for the CLI tests, built with the git command line.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn culprit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("culprit runs")
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A linear history: commit `i` (1-based) writes `i` into the file `n`. The first
/// commit also adds `culprit.toml` with the given text. Returns the commit ids, oldest
/// first.
pub fn linear_repo(dir: &Path, commits: usize, toml: &str) -> Vec<String> {
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("culprit.toml"), toml).unwrap();
    std::fs::write(dir.join(".gitignore"), ".culprit/\n").unwrap();
    let mut ids = Vec::new();
    for i in 1..=commits {
        std::fs::write(dir.join("n"), format!("{i}\n")).unwrap();
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", &format!("commit {i}")]);
        ids.push(git(dir, &["rev-parse", "HEAD"]));
    }
    ids
}

/// A test section whose boot panics from commit `culprit` on, and whose build fails with
/// a compiler error on the commits in `unbuildable` (inclusive range), and crashes
/// differently in `crashing`.
pub fn toml(culprit: usize, unbuildable: (usize, usize), crashing: (usize, usize), log: &Path) -> String {
    format!(
        r#"[build]
command = "n=$(cat n); if [ $n -ge {u0} ] && [ $n -le {u1} ]; then echo 'lib.c:3:10: fatal error: toyos/lib_types.h: No such file or directory'; exit 2; fi"

[[test]]
name = "boot"
command = "n=$(cat n); echo $n >> {log}; echo 'Linux version 6.1'; if [ $n -ge {c0} ] && [ $n -le {c1} ]; then echo 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'; elif [ $n -ge {culprit} ]; then echo 'Run /init as init process'; sleep 30; else echo 'Run /init as init process'; echo BOOT-OK; fi"
timeout = "20s"
silence = "1s"
success = ["BOOT-OK"]
"#,
        u0 = unbuildable.0,
        u1 = unbuildable.1,
        c0 = crashing.0,
        c1 = crashing.1,
        log = log.display(),
    )
}

pub fn invocations(log: &Path) -> Vec<usize> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}
