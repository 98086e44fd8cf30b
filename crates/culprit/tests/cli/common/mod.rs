//! Real git repositories for the CLI tests, built with the git command line.

pub mod flaky_toyos;
pub mod linux;
#[path = "../../../../culprit-exec/tests/exec/common/live.rs"]
pub mod live;
pub mod scripted_config;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn culprit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("culprit runs")
}

/// What `culprit ARGS` printed on standard output, after it succeeded.
pub fn succeeded(dir: &Path, args: &[&str]) -> String {
    let out = culprit(dir, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "culprit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("culprit prints UTF-8")
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

/// Checks that `text` (a report, a message, what culprit printed) says each of `parts`;
/// a failure shows the whole text. The tests read culprit's words this way everywhere.
pub fn assert_says(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} missing from {text}");
    }
}

/// Checks that `culprit` exited with `code`; the message shows what it printed.
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks that `culprit` refused its input (exit code 2) saying each of `parts`.
pub fn assert_refused(out: &Output, parts: &[&str]) {
    assert_case_refused("", out, parts);
}

/// [`assert_refused`] for one case of a table of bad inputs, named by `case` when the
/// check fails.
pub fn assert_case_refused(case: &str, out: &Output, parts: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    let case = if case.is_empty() {
        String::new()
    } else {
        format!("{case}: ")
    };
    assert_eq!(out.status.code(), Some(2), "{case}{err}");
    for part in parts {
        assert!(
            err.contains(part),
            "{case}the refusal does not say {part:?}: {err}"
        );
    }
}

/// Checks that `culprit` refused bad input (exit code 2) saying each of `parts`, and
/// did not panic.
pub fn assert_bad_input(out: &Output, parts: &[&str]) {
    assert_refused(out, parts);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

/// The JSON document `culprit ARGS` printed and its standard error, after it exited 0.
pub fn json_ok(dir: &Path, args: &[&str]) -> (serde_json::Value, String) {
    let out = culprit(dir, args);
    let doc = json(&out);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{doc}\n{stderr}");
    (doc, stderr)
}

/// The strings of a JSON array (a culprit's options, a list of names).
pub fn strings(array: &serde_json::Value) -> Vec<String> {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .map(|item| item.as_str().unwrap().to_string())
        .collect()
}

/// The JSON answer of `culprit bisect` from `good` to `main` in `dir`, after it exited 0.
pub fn bisect_ok(dir: &Path, good: &str) -> serde_json::Value {
    json_ok(dir, &bisect_args(good)).0
}

/// `culprit bisect` from `good` to `main`, answering in JSON.
pub fn bisect_args(good: &str) -> [&str; 6] {
    ["bisect", "--good", good, "--bad", "main", "--json"]
}

/// The string `field` of each object of a JSON array.
pub fn field_strings(array: &serde_json::Value, field: &str) -> Vec<String> {
    items(array)
        .iter()
        .map(|item| item[field].as_str().unwrap().to_string())
        .collect()
}

/// The items of a JSON array; the test fails, showing the value, when it is not one.
pub fn items(array: &serde_json::Value) -> &[serde_json::Value] {
    let items = array.as_array();
    items.unwrap_or_else(|| panic!("not an array: {array}"))
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    git_with_env(dir, args, &[])
}

/// Git in `dir` as a fixed test author, with `env` set; what it printed, trimmed.
pub fn git_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Commits everything in the work tree of `dir` (new files too) with `message`; returns
/// the commit's id.
pub fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// Writes `text` into the file `name` in `dir`, making the folders `name` has; returns
/// its path.
pub fn write_file(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// Adds `text` at the end of the file `path`: a section for a culprit.toml that a test
/// or a lab completes.
pub fn append_file(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
}

/// A new, empty folder `name` in `dir`.
pub fn new_dir(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir(&path).unwrap();
    path
}

/// A temporary folder holding an empty folder `repo`, and the path of a boot log beside
/// it (`boots.log`, not written yet): (folder, repo, log).
pub fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = new_dir(dir.path(), "repo");
    let log = dir.path().join("boots.log");
    (dir, repo, log)
}

/// The demo's hunt on its toyos history, with two workers.
pub const TOYOS_HUNT: [&str; 7] = ["bisect", "--good", "v0.1", "--bad", "main", "-j", "2"];

/// The JSON answer of the demo's hunt ([`TOYOS_HUNT`]) in `repo`, then `extra`, after
/// it exited 0.
pub fn toyos_hunt_ok(repo: &Path, extra: &[&str]) -> serde_json::Value {
    json_ok(repo, &[&TOYOS_HUNT[..], extra, &["--json"]].concat()).0
}

/// Prepares the demo's toyos history in `repo` (`culprit demo --prepare-only`, run in
/// `cwd` with the `extra` arguments) and returns where it planted its events.
pub fn planted_toyos(cwd: &Path, repo: &Path, extra: &[&str]) -> serde_json::Value {
    let args = [
        &["demo", "--prepare-only"][..],
        extra,
        &["--dir", repo.to_str().unwrap()],
    ];
    json(&culprit(cwd, &args.concat()))
}

/// The demo's toyos history in `toyos` of a new folder, prepared with the `extra`
/// arguments of `culprit demo`: (folder, repo, where the demo planted its events).
pub fn toyos_history(extra: &[&str]) -> (tempfile::TempDir, PathBuf, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("toyos");
    let planted = planted_toyos(dir.path(), &repo, extra);
    (dir, repo, planted)
}

/// The arguments of `culprit bisect-config` from `good` to `bad`, then `extra`.
pub fn bisect_config_args<'a>(good: &'a str, bad: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    [&["bisect-config", "--good", good, "--bad", bad][..], extra].concat()
}

/// Each culprit of a configuration hunt's JSON answer as (test, options).
pub fn culprit_sets(doc: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    doc["culprits"]
        .as_array()
        .unwrap_or_else(|| panic!("no culprits in {doc}"))
        .iter()
        .map(|c| {
            (
                c["test"].as_str().unwrap().to_string(),
                strings(&c["options"]),
            )
        })
        .collect()
}

/// How many runs of a hunt's candidates (its JSON answer) ended in an infrastructure
/// error, after checking that every candidate still got a good or bad verdict: a lost
/// run is retried, never a verdict.
pub fn infra_errors(doc: &serde_json::Value) -> usize {
    let candidates = doc["candidates"].as_array().unwrap();
    for candidate in candidates {
        let verdict = candidate["verdict"].as_str().unwrap();
        assert!(
            verdict.contains("good") || verdict.contains("bad"),
            "{verdict}"
        );
    }
    candidates
        .iter()
        .flat_map(|c| c["runs"].as_array().unwrap())
        .filter(|r| r["outcome"] == "infra-error")
        .count()
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
        ids.push(commit_all(dir, &format!("commit {i}")));
    }
    ids
}

/// The `[[test]]` table of a test `name` that runs `command` and passes when the boot
/// prints BOOT-OK, then `extra` (more keys of the table): the scripted boots of these
/// tests all end that way, so the table is written in one place.
pub fn boot_test(name: &str, command: &str, extra: &str) -> String {
    format!(
        "[[test]]\nname = \"{name}\"\ncommand = \"{command}\"\nsuccess = [\"BOOT-OK\"]\n{extra}"
    )
}

/// A linear history of `commits` in `dir/repo` (see [`linear_repo`]) whose one test
/// `boot` runs `command` and passes on BOOT-OK; `extra` ends its table. Returns (repo,
/// ids).
pub fn boot_repo(dir: &Path, commits: usize, command: &str, extra: &str) -> (PathBuf, Vec<String>) {
    let repo = new_dir(dir, "repo");
    let toml = format!("{}\n", boot_test("boot", command, extra));
    let ids = linear_repo(&repo, commits, &toml);
    (repo, ids)
}

/// Shell that counts boots in `file`, outside the repository so that every checkout
/// and worker sees one count: after it, `$k` is this boot's number, from 1. Scripted
/// boots use it to fail on chosen runs, deterministically.
pub fn count_boot(file: &Path) -> String {
    format!(
        "k=$(cat {c} 2>/dev/null || echo 0); k=$((k+1)); echo $k > {c}",
        c = file.display()
    )
}

/// A hunt with no verification and one run per endpoint (the fewest steps), from `good`
/// to `main`: for tests that kill it midway.
pub fn quick_bisect(good: &str) -> [&str; 9] {
    [
        "bisect",
        "--good",
        good,
        "--bad",
        "main",
        "--verify",
        "0",
        "--endpoint-runs",
        "1",
    ]
}

/// [`toml`] with no unbuildable or crashing commits, whose boot takes 0.3 s more: slow
/// enough to kill a hunt midway.
pub fn slow_toml(culprit: usize, log: &Path) -> String {
    toml(culprit, (0, 0), (0, 0), log).replace("echo $n >> ", "sleep 0.3; echo $n >> ")
}

/// A test section whose boot panics from commit `culprit` on, and whose build fails with
/// a compiler error on the commits in `unbuildable` (inclusive range), and crashes
/// differently in `crashing`.
pub fn toml(
    culprit: usize,
    unbuildable: (usize, usize),
    crashing: (usize, usize),
    log: &Path,
) -> String {
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

/// Starts `culprit ARGS` in `dir`, waits until the boot log `log` has `boots` lines, and
/// kills culprit with SIGKILL, no chance to clean up. Returns the boots before the kill.
pub fn kill_after_boots(dir: &Path, args: &[&str], log: &Path, boots: usize) -> Vec<usize> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("culprit starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while invocations(log).len() < boots && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = invocations(log);
    assert!(before.len() >= boots, "{before:?}");
    before
}

/// The boots a scripted boot log recorded, as the numbers of their commits.
pub fn invocations(log: &Path) -> Vec<usize> {
    numbers_in(log)
}

/// The numbers a file holds, one a line (boots logged by commit number, pids written by
/// jobs); none while the file does not exist yet, as before the first boot.
pub fn numbers_in<T: std::str::FromStr>(file: &Path) -> Vec<T> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A copy of examples/toyos in `dir` with the given options switched on (and the
/// `off` ones off), ready for `culprit run -f dir/culprit.toml`.
pub fn toyos_tree(dir: &Path, on: &[&str], off: &[&str]) {
    copy_dir(&repo_root().join("examples/toyos"), dir);
    let config = dir.join(".config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    for name in on {
        let unset = format!("# CONFIG_{name} is not set");
        if text.contains(&unset) {
            text = text.replace(&unset, &format!("CONFIG_{name}=y"));
        } else {
            // Options whose dependencies are off are absent from a normalized .config.
            text.push_str(&format!("CONFIG_{name}=y\n"));
        }
    }
    for name in off {
        text = text.replace(
            &format!("CONFIG_{name}=y"),
            &format!("# CONFIG_{name} is not set"),
        );
    }
    std::fs::write(config, text).unwrap();
}

/// A git repository of toyos in `dir/toyos` with its own configuration committed, and
/// beside it `good.config` (that configuration) and `bad.config` (with the `on` options
/// on and the `off` ones off), for a configuration hunt. Returns (repo, good, bad).
pub fn toyos_config_pair(dir: &Path, on: &[&str], off: &[&str]) -> (PathBuf, PathBuf, PathBuf) {
    let repo = dir.join("toyos");
    toyos_tree(&repo, &[], &[]);
    std::fs::write(repo.join(".gitignore"), "build/\n.culprit/\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit_all(&repo, "toyos");
    let good = dir.join("good.config");
    std::fs::copy(repo.join(".config"), &good).unwrap();
    let bad_tree = dir.join("bad");
    toyos_tree(&bad_tree, on, off);
    let bad = dir.join("bad.config");
    std::fs::copy(bad_tree.join(".config"), &bad).unwrap();
    (repo, good, bad)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "build" || name == ".culprit" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Runs `culprit run --json` on a toyos tree and returns (exit code, document).
pub fn run_toyos(dir: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let config = dir.join("culprit.toml");
    let mut args = vec!["run", "--json", "-f", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = culprit(dir, &args);
    (out.status.code(), json(&out))
}

/// The test named `name` in a step's JSON document (`culprit run --json`).
pub fn test<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    named(&doc["tests"], name)
}

/// The item of the JSON array `array` whose `name` is `name`; the test fails, showing
/// the array, when there is none.
pub fn named<'a>(array: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    items(array)
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {array}"))
}

/// Live (non-zombie) processes whose command line mentions `needle`.
pub fn live_processes(needle: &str) -> Vec<u32> {
    live::live_processes()
        .into_iter()
        .filter(|p| p.cmdline.contains(needle))
        .map(|p| p.pid as u32)
        .collect()
}

/// After a resumed session: every step ran once, except possibly the one that was
/// running when culprit was killed (`before` ends with it).
pub fn assert_only_the_interrupted_step_repeats<T: Ord + std::fmt::Debug>(all: &[T], before: &[T]) {
    let mut seen = std::collections::BTreeMap::new();
    for item in all {
        *seen.entry(item).or_insert(0) += 1;
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, &n)| n > 1).collect();
    assert!(
        repeated.len() <= 1,
        "finished steps ran again: {repeated:?} (before the kill: {before:?}, all: {all:?})"
    );
    if let Some((item, _)) = repeated.first() {
        assert_eq!(
            Some(**item),
            before.last(),
            "only the interrupted step may repeat"
        );
    }
}

/// What a resumed hunt's progress says about its steps: how many it took from the
/// journal (its `resumed: N steps` line), and the lines containing `launch` (the line a
/// hunt prints as it starts a step), split into those marked as replayed and new ones.
pub fn resumed_lines(stderr: &[u8], launch: &str) -> (usize, usize, usize) {
    let text = String::from_utf8_lossy(stderr);
    let recorded = text
        .lines()
        .find_map(|l| l.strip_prefix("culprit: resumed: "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `resumed: N steps` line in {text}"));
    let launches: Vec<&str> = text.lines().filter(|l| l.contains(launch)).collect();
    let marked = launches
        .iter()
        .filter(|l| l.ends_with(" (from the journal)"))
        .count();
    (recorded, marked, launches.len() - marked)
}

/// Polls `done` until it holds; fails the test after `limit`, naming `what`.
pub fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `culprit bisect` of the toyos history (`TOYOS_HUNT`) on `executor` with `--json`, in
/// the background, its output piped.
pub fn spawn_toyos_hunt(repo: &Path, executor: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(TOYOS_HUNT)
        .args(["--executor", executor, "--json"])
        .current_dir(repo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Each candidate of a hunt's JSON answer: revision → verdict.
pub fn candidate_verdicts(doc: &serde_json::Value) -> BTreeMap<String, String> {
    field_pairs(&doc["candidates"], "rev", "verdict")
        .into_iter()
        .collect()
}

/// The string fields `first` and `second` of each object of a JSON array, in order: a
/// hunt's suspects as (rev, reason), its candidates as (rev, verdict).
pub fn field_pairs(array: &serde_json::Value, first: &str, second: &str) -> Vec<(String, String)> {
    let text = |item: &serde_json::Value, field: &str| {
        let value = item[field].as_str();
        value
            .unwrap_or_else(|| panic!("no string {field} in {item}"))
            .to_string()
    };
    items(array)
        .iter()
        .map(|item| (text(item, first), text(item, second)))
        .collect()
}
