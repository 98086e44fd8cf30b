//! Issue 25: nothing survives a killed culprit, however it was killed. `pkill -9 -f
//! culprit` kills culprit and, at the same moment, every supervisor it started (they are
//! forks of culprit, with its command line), so no supervisor is left to end the boot
//! below it. Here each is killed by its pid (never by name: other programs share it) in
//! the middle of a `-j 2` toyos hunt; QEMU survives that, re-parented; the next
//! `culprit log` in the same state directory ends it and says what it ended.

use crate::common;

use common::culprit;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every process the killed culprit started inherits this variable, which is how
/// survivors are found whatever they are called and whoever their parent became.
const TAG: &str = "CULPRIT_SURVIVOR_TAG";

/// Live processes carrying `TAG=value`, with their command names.
fn tagged(value: &str) -> Vec<(i32, String)> {
    let needle = format!("{TAG}={value}");
    common::live::live_processes()
        .into_iter()
        .filter(|p| p.has_env(&needle))
        .map(|p| (p.pid, p.name))
        .collect()
}

/// Kills whatever still carries the tag when the test ends, passed or not.
struct Sweep(String);

impl Drop for Sweep {
    fn drop(&mut self) {
        for (pid, _) in tagged(&self.0) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// The children of `parent` that run the culprit binary without having exec'd anything
/// else: its supervisors.
fn supervisors(parent: u32) -> Vec<i32> {
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_culprit")).unwrap();
    let mut found: Vec<i32> = Vec::new();
    // Every thread's children: workers fork their supervisors from their own threads.
    for task in std::fs::read_dir(format!("/proc/{parent}/task"))
        .unwrap()
        .flatten()
    {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for pid in list.split_whitespace() {
            let Ok(pid) = pid.parse::<i32>() else {
                continue;
            };
            let exe = std::fs::read_link(format!("/proc/{pid}/exe"));
            if exe.is_ok_and(|exe| exe == binary) && !found.contains(&pid) {
                found.push(pid);
            }
        }
    }
    found
}

/// How long a QEMU of the test has to have run to be the hang, not a slow boot: far
/// more than a toyos boot takes on a loaded machine, well inside the minute of silence
/// the hang is allowed, and inside the thirty seconds the make beside it runs.
const HUNG: Duration = Duration::from_secs(15);

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A make whose recipe is a silent thirty-second "compiler", started next to each boot
/// (as boot scripts start helpers), so that a make runs at the moment culprit is killed.
const BESIDE: &str = r#"printf \"all:\\n\\tsleep 30\\n\" | make -s -f - >/dev/null &"#;

/// The toyos configuration with each boot below a shell of its own that does not
/// `exec` it (as most real commands are), a make beside it, and a hang that lasts.
fn long_boots(toml: &str, repo: &Path) -> String {
    let mut out = String::new();
    for line in toml.lines() {
        if let Some(qemu) = line
            .strip_prefix("command = \"")
            .filter(|c| c.starts_with("qemu"))
        {
            let qemu = qemu.trim_end_matches('"');
            out.push_str(&format!("command = \"sh -c '{BESIDE} {qemu}; exit $?'\"\n"));
        } else if line.starts_with("silence") {
            out.push_str("silence = \"60s\"\n");
        } else if line.starts_with("timeout") && !line.contains('m') {
            out.push_str("timeout = \"120s\"\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert_eq!(out.matches(BESIDE).count(), 3, "{}: {out}", repo.display());
    out
}

#[test]
fn nothing_survives_culprit_and_its_supervisors_killed_at_once() {
    let (_dir, repo, planted) = common::toyos_history(&["--commits", "30"]);
    assert!(planted["culprit"].is_string(), "{planted}");
    let toml = std::fs::read_to_string(repo.join("culprit.toml")).unwrap();
    std::fs::write(repo.join("long.toml"), long_boots(&toml, &repo)).unwrap();

    let tag = format!("{}-{:?}", std::process::id(), Instant::now());
    let _sweep = Sweep(tag.clone());
    let mut hunt = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args([
            "bisect",
            "-f",
            "long.toml",
            "--good",
            "v0.1",
            "--bad",
            "main",
        ])
        .args(["-j", "2"])
        .current_dir(&repo)
        .env(TAG, &tag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The bad endpoint hangs in QEMU for a minute, silent (a QEMU that prints dies of
    // SIGPIPE once culprit is gone, and proves nothing): wait until one has been quiet.
    // Meanwhile the other worker boots candidates one after another, each of which ends
    // by itself in a fraction of a second when idle but took over 4 s on a loaded CI
    // machine: only a QEMU alive for `HUNG` is surely the hang, and the oldest is taken.
    let mut seen: HashMap<i32, Instant> = HashMap::new();
    let mut hanging = None;
    wait_until(
        "a hanging QEMU and a make below culprit",
        Duration::from_secs(120),
        || {
            for (pid, name) in tagged(&tag) {
                if name.starts_with("qemu") {
                    seen.entry(pid).or_insert_with(Instant::now);
                }
            }
            let live = tagged(&tag);
            hanging = seen
                .iter()
                .filter(|(pid, since)| {
                    live.iter().any(|(p, _)| p == *pid) && since.elapsed() > HUNG
                })
                .min_by_key(|(_, since)| **since)
                .map(|(pid, _)| *pid);
            hanging.is_some() && live.iter().any(|(_, name)| name == "make")
        },
    );
    let hanging = hanging.unwrap();

    // As `pkill -9 -f culprit` does: culprit and every supervisor, at once.
    let mut targets = vec![hunt.id() as i32];
    targets.extend(supervisors(hunt.id()));
    assert!(
        targets.len() >= 2,
        "no supervisor below culprit: {targets:?}"
    );
    for &pid in &targets {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    hunt.wait().unwrap();
    // Left to themselves, the boots run on.
    std::thread::sleep(Duration::from_millis(500));
    let survivors = tagged(&tag);
    assert!(
        survivors.iter().any(|(pid, _)| *pid == hanging),
        "the hanging QEMU {hanging} should outlive its killed supervisor until the next culprit: {survivors:?}"
    );
    let make = survivors.iter().find(|(_, name)| name == "make").cloned();
    let Some((make, _)) = make else {
        panic!("make should outlive its killed supervisor too: {survivors:?}")
    };

    let out = culprit(&repo, &["log", "-f", "long.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("left running by an earlier culprit that was killed"),
        "{stderr}"
    );
    // Named by their pids (others of the groups may have ended by themselves since).
    for (pid, name) in [(hanging, "qemu-system-x86"), (make, "make")] {
        assert!(
            stderr.contains(&format!("{name} (pid {pid})")),
            "{name} {pid} is not named: {stderr}"
        );
    }
    assert!(stderr.contains("of `sh -c 'printf \"all:"), "{stderr}");
    let left = tagged(&tag);
    assert!(left.is_empty(), "survived `culprit log`: {left:?}");

    // The next command has nothing more to end, and says nothing about it.
    let out = culprit(&repo, &["log", "-f", "long.toml"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("ended"));
}
