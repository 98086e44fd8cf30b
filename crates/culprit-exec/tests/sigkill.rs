//! culprit killed with SIGKILL at several moments, for real: a stand-in for culprit (this
//! test binary, started again as a child) runs a real toyos QEMU boot under `sh -c`
//! with `sleep` and `setsid` children, or a `git worktree add` of a large tree, and is
//! killed. Nothing it started may keep running, and a worktree add that was killed
//! half-way must be replaced at once by the next one.
//!
//! Without libtest (`harness = false`): the binary is both the tests and the stand-in,
//! chosen by its first argument.

#[path = "exec/common/live.rs"]
#[allow(dead_code)]
mod live;
#[path = "exec/common/procs.rs"]
#[allow(dead_code)]
mod procs;
#[path = "exec/common/sh.rs"]
mod shell;

use culprit_console::{Classifier, Rules};
use culprit_exec::git::Repo;
use culprit_exec::{run, RunSpec, StopFlag};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use shell::sh;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every process the stand-in starts inherits this variable, which is how survivors are
/// found whatever they are called and whoever their parent became.
const TAG: &str = "CULPRIT_SIGKILL_TAG";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("stand-in-run") => stand_in_run(&args[2], &args[3]),
        Some("stand-in-worktree") => stand_in_worktree(&args[2], &args[3], &args[4]),
        _ => {
            let tests: [(&str, fn()); 2] = [
                (
                    "nothing_outlives_a_sigkilled_culprit_booting_real_qemu",
                    nothing_outlives_a_sigkilled_culprit_booting_real_qemu,
                ),
                (
                    "a_sigkilled_worktree_add_leaves_nothing_running_and_is_replaced_at_once",
                    a_sigkilled_worktree_add_leaves_nothing_running_and_is_replaced_at_once,
                ),
            ];
            // `cargo test -p culprit-exec --test sigkill NAME` runs the tests matching NAME.
            let filter: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
            for (name, test) in tests {
                if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
                    continue;
                }
                println!("test {name} ...");
                test();
                println!("test {name} ... ok");
            }
        }
    }
}

fn stand_in_run(command: &str, log: &str) {
    let spec = RunSpec {
        command: command.to_string(),
        cwd: std::env::temp_dir(),
        env: Vec::new(),
        wall_timeout: Duration::from_secs(600),
        silence_timeout: None,
        log_path: PathBuf::from(log),
        deadline: None,
    };
    let stop: StopFlag = Arc::new(AtomicBool::new(false));
    let classifier = Classifier::new(&Rules::boot()).expect("boot rules");
    run(&spec, classifier, &stop).expect("run");
}

fn stand_in_worktree(repo: &str, path: &str, commit: &str) {
    let repo = Repo::discover(Path::new(repo)).expect("repo");
    repo.add_worktree(Path::new(path), commit)
        .expect("worktree add");
}

/// A running stand-in for culprit; a failed test still kills everything it tagged.
struct StandIn {
    child: Child,
    tag: String,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for (pid, _) in tagged(&self.tag) {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
    }
}

fn stand_in(tag: &str, args: &[&str]) -> StandIn {
    let child = Command::new(std::env::current_exe().unwrap())
        .args(args)
        .env(TAG, tag)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    StandIn {
        child,
        tag: tag.to_string(),
    }
}

/// Live (non-zombie) processes carrying `tag`, with their command lines.
fn tagged(tag: &str) -> Vec<(u32, String)> {
    let needle = format!("{TAG}={tag}");
    live::live_processes()
        .into_iter()
        .filter(|p| p.has_env(&needle))
        .map(|p| (p.pid as u32, p.cmdline))
        .collect()
}

/// SIGKILLs the stand-in and waits until nothing tagged runs; panics with the survivors.
fn kill_and_expect_nothing_left(culprit: StandIn, tag: &str, moment: &str) {
    kill(Pid::from_raw(culprit.child.id() as i32), Signal::SIGKILL).unwrap();
    expect_nothing_left(culprit, tag, moment);
}

/// Waits for the killed stand-in, then until nothing tagged runs.
fn expect_nothing_left(mut culprit: StandIn, tag: &str, moment: &str) {
    culprit.child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = tagged(tag);
        if left.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            panic!("killed {moment}: still running 3 s after culprit's SIGKILL: {left:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// toyos built with SPINLOCK_VALIDATE: smp_semaphore hangs after its START line with a
/// CPU spinning, the hung guest of the issue.
fn hanging_toyos(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/toyos");
    let tree = dir.join("toyos");
    sh(
        dir,
        &format!(
            "cp -r '{}' toyos && rm -rf toyos/build toyos/.culprit && \
             sed -i 's/^# CONFIG_SPINLOCK_VALIDATE is not set$/CONFIG_SPINLOCK_VALIDATE=y/' toyos/.config && \
             grep -q '^CONFIG_SPINLOCK_VALIDATE=y' toyos/.config && make -s -C toyos",
            source.display()
        ),
    );
    tree.join("build/kernel.elf")
}

fn nothing_outlives_a_sigkilled_culprit_booting_real_qemu() {
    let dir = tempfile::tempdir().unwrap();
    let kernel = hanging_toyos(dir.path());
    let command = format!(
        "qemu-system-x86_64 -smp 2 -m 64 -display none -serial stdio -no-reboot \
         -kernel '{}' -append test=smp_semaphore & sleep 300 & setsid sh -c 'sleep 300' & wait",
        kernel.display()
    );
    // While QEMU starts, while the guest boots, and once it has halted.
    for (moment, delay_ms) in [
        ("at QEMU's start", 300),
        ("during the boot", 1500),
        ("after the guest hung", 6000),
    ] {
        let tag = format!("qemu-{delay_ms}-{}", std::process::id());
        let log = dir.path().join(format!("console-{delay_ms}.log"));
        let culprit = stand_in(&tag, &["stand-in-run", &command, log.to_str().unwrap()]);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let running = tagged(&tag);
        assert!(
            running
                .iter()
                .any(|(_, cmd)| cmd.starts_with("qemu-system-x86_64")),
            "QEMU must be running {moment}: {running:?}"
        );
        assert!(
            running.iter().any(|(_, cmd)| cmd.starts_with("sleep 300")),
            "{running:?}"
        );
        if delay_ms >= 6000 {
            let console = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                console.contains("START - smp_semaphore"),
                "a real boot: {console}"
            );
        }
        kill_and_expect_nothing_left(culprit, &tag, moment);
    }
}

fn a_sigkilled_worktree_add_leaves_nothing_running_and_is_replaced_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let repo_dir = dir.path().join("repo");
    std::fs::create_dir(&repo_dir).unwrap();
    // Enough files that checking them out takes a while on this machine.
    sh(
        &repo_dir,
        "git init -q -b main . && mkdir d && cd d && seq 1 20000 | sed 's/^/f/' | xargs touch && \
         seq 1 20000 | sed -n '1~100p' | while read n; do echo $n > f$n; done && cd .. && \
         git add -A && git commit -qm many",
    );
    let repo = Repo::discover(&repo_dir).unwrap();
    let head = repo.resolve("HEAD").unwrap();
    let mut killed_mid_add = 0;
    for delay_ms in [100, 400, 1000] {
        let moment = format!("{delay_ms} ms into git worktree add");
        let tag = format!("worktree-{delay_ms}-{}", std::process::id());
        let path = dir.path().join(format!("w{delay_ms}"));
        let culprit = stand_in(
            &tag,
            &[
                "stand-in-worktree",
                repo_dir.to_str().unwrap(),
                path.to_str().unwrap(),
                &head,
            ],
        );
        std::thread::sleep(Duration::from_millis(delay_ms));
        if tagged(&tag)
            .iter()
            .any(|(_, cmd)| cmd.contains("worktree add"))
        {
            killed_mid_add += 1;
        }
        kill(Pid::from_raw(culprit.child.id() as i32), Signal::SIGKILL).unwrap();
        // The resume comes at once, while what the killed culprit started may still be
        // about: it must neither stop the add nor undo it afterwards.
        let resumed = repo.add_worktree(&path, &head);
        expect_nothing_left(culprit, &tag, &moment);
        resumed.unwrap_or_else(|err| panic!("killed {moment}, then: {err}"));
        let worktree = Repo::discover(&path).unwrap();
        assert_eq!(worktree.resolve("HEAD").unwrap(), head);
        assert_eq!(
            worktree.dirty_files().unwrap(),
            Vec::<String>::new(),
            "{moment}"
        );
        assert_eq!(
            std::fs::read_dir(path.join("d")).unwrap().count(),
            20000,
            "{moment}"
        );
    }
    assert!(
        killed_mid_add >= 1,
        "no kill landed during the add: make the tree larger"
    );
}
