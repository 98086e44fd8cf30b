//! What the toyos benchmarks share: running a command, and `git bisect run` with the
//! script engineers write today (build or skip, then `timeout` around QEMU and grep for
//! the success line).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub fn yes(right: bool) -> &'static str {
    if right {
        "yes"
    } else {
        "no"
    }
}

pub fn run(command: &mut Command) -> std::process::Output {
    match command.output() {
        Ok(out) => out,
        Err(err) => {
            eprintln!("cannot run {command:?}: {err}");
            std::process::exit(1)
        }
    }
}

/// `git bisect run` from `good` to `main` with a classic script that builds (or skips)
/// and boots each of `tests` once; returns (steps, wall seconds, first bad).
pub fn git_bisect(
    repo: &Path,
    scratch: &Path,
    timeout: u64,
    good: &str,
    tests: &[&str],
) -> (usize, f64, String) {
    let script = scratch.join("bisect.sh");
    let count = scratch.join("count");
    let text = format!(
        "#!/bin/sh\necho x >> {count}\nmake -s -C . >/dev/null 2>&1 || exit 125\nfor t in {tests}; do\n  timeout {timeout} qemu-system-x86_64 -smp 2 -m 64 -display none -serial stdio -no-reboot -kernel build/kernel.elf -append test=$t > {log} 2>&1\n  grep -q 'PROJECT EXECUTION SUCCESSFUL' {log} || exit 1\ndone\nexit 0\n",
        count = count.display(),
        log = scratch.join("boot.log").display(),
        tests = tests.join(" "),
    );
    if std::fs::write(&script, text).is_err() {
        return (0, 0.0, String::new());
    }
    let git = |args: &[&str]| run(Command::new("git").arg("-C").arg(repo).args(args));
    git(&["bisect", "start", "main", good]);
    let started = Instant::now();
    git(&["bisect", "run", "sh", &script.to_string_lossy()]);
    let wall = started.elapsed().as_secs_f64();
    let found = String::from_utf8_lossy(&git(&["rev-parse", "refs/bisect/bad"]).stdout)
        .trim()
        .to_string();
    git(&["bisect", "reset"]);
    let steps = std::fs::read_to_string(&count)
        .map(|c| c.lines().count())
        .unwrap_or(0);
    (steps, wall, found)
}
