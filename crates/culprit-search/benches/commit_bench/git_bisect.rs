//! git's side of a row: the generated history imported into a real repository, and one
//! real `git bisect run` per trial whose answer is read from git's own output.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use culprit_search::commit::simulate::{History, SplitMix64};

use crate::scenario::{Scenario, Trial};
use crate::tally::Outcome;
use crate::{GIT_DEADLINE, MAX_RUNS};

/// A git repository holding a generated history, and what `git bisect run` needs.
pub(crate) struct Repo {
    dir: PathBuf,
    shas: Vec<String>,
}

impl Repo {
    pub(crate) fn create(dir: &Path, history: &History) -> Self {
        git(dir, &["init", "-q", "-b", "main"]);
        let mut stream = String::new();
        for (i, parents) in history.parents.iter().enumerate() {
            let content = format!("{i}\n");
            write!(
                stream,
                "commit refs/heads/main\nmark :{}\ncommitter B <b@example.invalid> {} +0000\ndata 0\n",
                i + 1,
                1_600_000_000 + i
            )
            .ok();
            if let Some((first, rest)) = parents.split_first() {
                writeln!(stream, "from :{}", first + 1).ok();
                for p in rest {
                    writeln!(stream, "merge :{}", p + 1).ok();
                }
            }
            write!(
                stream,
                "M 644 inline n\ndata {}\n{content}\n",
                content.len()
            )
            .ok();
        }
        let marks = dir.join("marks");
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .arg(format!("--export-marks={}", marks.display()))
            .current_dir(dir)
            .stdin(Stdio::piped())
            .spawn()
            .expect("git fast-import starts");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("piped stdin");
            stdin
                .write_all(stream.as_bytes())
                .expect("fast-import reads the stream");
        }
        assert!(child.wait().expect("fast-import ends").success());
        git(dir, &["commit-graph", "write", "--reachable"]);
        let mut shas = vec![String::new(); history.len()];
        for line in std::fs::read_to_string(&marks)
            .expect("marks written")
            .lines()
        {
            if let Some((mark, sha)) = line.split_once(' ') {
                let i: usize = mark.trim_start_matches(':').parse().expect("numeric mark");
                shas[i - 1] = sha.to_string();
            }
        }
        Self {
            dir: dir.to_path_buf(),
            shas,
        }
    }

    /// One `git bisect start` + `run`: (runs, outcome), or `None` past `GIT_DEADLINE`.
    pub(crate) fn bisect(&self, scenario: Scenario, trial: &Trial) -> Option<(usize, Outcome)> {
        let state = self.dir.join("state");
        std::fs::create_dir_all(&state).expect("state dir");
        std::fs::write(state.join("count"), "0\n").expect("counter");
        let threshold = (scenario.flaky().unwrap_or(1.0) * 10_000.0).round() as u64;
        if scenario.flaky().is_some() {
            let mut flips = SplitMix64::new(trial.seed);
            let draws: String = (0..MAX_RUNS)
                .map(|_| format!("{}\n", flips.below(10_000)))
                .collect();
            std::fs::write(state.join("draws"), draws).expect("draws");
        }
        let (lo, hi) = trial.skip.unwrap_or((usize::MAX, 0));
        let script = format!(
            r#"#!/bin/sh
c=$(($(cat "{state}/count") + 1)); echo $c > "{state}/count"
n=$(git show BISECT_HEAD:n)
if [ "$n" -ge {lo} ] && [ "$n" -le {hi} ]; then exit 125; fi
if git merge-base --is-ancestor {culprit} BISECT_HEAD; then
  if [ {threshold} -ge 10000 ]; then exit 1; fi
  r=$(sed -n "${{c}}p" "{state}/draws")
  if [ "$r" -lt {threshold} ]; then exit 1; fi
fi
exit 0
"#,
            state = state.display(),
            culprit = self.shas[trial.culprit],
            lo = if lo == usize::MAX { 1 } else { lo },
            hi = if lo == usize::MAX { 0 } else { hi },
        );
        let script_path = state.join("test.sh");
        std::fs::write(&script_path, script).expect("script");
        git(&self.dir, &["bisect", "reset", "-q"]);
        let deadline = Instant::now() + GIT_DEADLINE;
        let log_path = state.join("log");
        let log = std::fs::File::create(&log_path).expect("log file");
        let tip = &self.shas[self.shas.len() - 1];
        let steps: [Vec<&OsStr>; 2] = [
            ["bisect", "start", "--no-checkout", tip, &self.shas[0]]
                .map(OsStr::new)
                .to_vec(),
            vec![
                OsStr::new("bisect"),
                OsStr::new("run"),
                OsStr::new("sh"),
                script_path.as_os_str(),
            ],
        ];
        for args in steps {
            let mut child = Command::new("git")
                .args(args)
                .current_dir(&self.dir)
                .stdout(log.try_clone().expect("log handle"))
                .stderr(log.try_clone().expect("log handle"))
                .spawn()
                .expect("git bisect starts");
            while child.try_wait().expect("git is waited for").is_none() {
                if Instant::now() > deadline {
                    child.kill().ok();
                    child.wait().ok();
                    git(&self.dir, &["bisect", "reset", "-q"]);
                    return None;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let runs: usize = std::fs::read_to_string(state.join("count"))
            .ok()
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0);
        let culprit = &self.shas[trial.culprit];
        let outcome = if let Some(line) = text
            .lines()
            .find(|l| l.ends_with("is the first bad commit"))
        {
            if line.starts_with(culprit.as_str()) {
                Outcome::Exact
            } else {
                Outcome::Wrong
            }
        } else if text.contains("could be any of") {
            let listed: Vec<&str> = text
                .lines()
                .skip_while(|l| !l.contains("could be any of"))
                .skip(1)
                .take_while(|l| l.len() >= 40 && l.chars().take(40).all(|c| c.is_ascii_hexdigit()))
                .collect();
            if listed.iter().any(|l| l.starts_with(culprit.as_str())) {
                Outcome::Ambiguous(listed.len())
            } else {
                Outcome::Wrong
            }
        } else {
            Outcome::Inconclusive
        };
        git(&self.dir, &["bisect", "reset", "-q"]);
        Some((runs, outcome))
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("git runs");
    if !status.success() && args.first() != Some(&"bisect") {
        panic!("git {args:?} failed");
    }
}

pub(crate) fn git_version() -> String {
    Command::new("git")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "git".into())
}
