//! Reading a tree with its `$(shell,…)` probes run concurrently.
//!
//! A first read of Linux runs about 90 compiler probes, one after the other in kconfig,
//! each starting gcc: nearly all of the time. Which commands a tree runs is only known
//! by expanding its macros, in order, and a command may contain an earlier one's answer
//! (`cc-name` is cut out of `cc-info`, `m64-flag` goes into the `CC_CAN_LINK` probe).
//! So the tree is read twice:
//!
//! 1. a *survey*: every command the macros ask for is queued for the workers (at most
//!    one per CPU) and answered with a placeholder word, [`PENDING`]. A command whose
//!    text contains the placeholder depends on an answer not known yet: it is not run
//!    (its real text is only known later). Answers in the probe cache are real answers,
//!    and so are those that go into a simple variable (`cc-info := $(shell,…)`): the
//!    survey waits for them, because later commands are built from them.
//! 2. the *reading*: the same parse, each command answered by the workers (waiting for
//!    it if it is still running; a command the survey could not know is queued first and
//!    waited for).
//!
//! The reading sees exactly the answers a serial read would, each command's own, so the
//! tree is the same; only when the commands run changes. When the survey needed no
//! placeholder (every answer cached, or a tree without probes), it is the reading.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::error::KconfigError;
use super::macros::Shell;
use super::parse::{finish, parse, read, LoadOptions};
use super::shell::SystemShell;
use super::tree::Tree;

/// What the survey answers a command with. A plain word, so that the lines holding it
/// still parse (`def_bool CULPRIT_PENDING_PROBE_ANSWER` reads as a symbol).
const PENDING: &str = "CULPRIT_PENDING_PROBE_ANSWER";

/// Parses the tree whose top file is `top`, running `shell`'s probes `shell.jobs` at a
/// time. The tree is the one [`parse`] gives with `shell` run serially.
pub fn parse_probing(
    top: &Path,
    options: &LoadOptions,
    shell: &mut SystemShell,
) -> Result<Tree, KconfigError> {
    let board = Board::default();
    let system = &*shell;
    let tree = std::thread::scope(|scope| {
        for _ in 0..system.jobs.max(1) {
            scope.spawn(|| board.work(system));
        }
        let tree = read_twice(top, options, system, &board);
        board.close();
        tree
    });
    shell.commands += board.lock().ran;
    tree
}

fn read_twice(
    top: &Path,
    options: &LoadOptions,
    shell: &SystemShell,
    board: &Board,
) -> Result<Tree, KconfigError> {
    let mut survey = Survey {
        shell,
        board,
        used_pending: false,
        keeping: false,
    };
    let surveyed = read(top, options, &mut survey);
    if !survey.used_pending {
        return finish(surveyed?);
    }
    parse(top, options, &mut Reading { board })
}

/// Where a command stands.
enum Answer {
    Queued,
    Running,
    Done(Result<String, String>),
}

#[derive(Default)]
struct State {
    /// Commands no worker has taken yet, in the order the tree asks for them.
    queue: VecDeque<String>,
    answers: HashMap<String, Answer>,
    /// No more work: workers leave, queued commands are never run.
    closed: bool,
    /// Commands that ran (the rest came from the cache).
    ran: usize,
}

/// The commands and their answers, shared by the reader and the workers.
#[derive(Default)]
struct Board {
    state: Mutex<State>,
    changed: Condvar,
}

impl Board {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked left consistent state behind (each change is one
        // statement under the lock); go on with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(state)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `command` unless it is known; `first` puts it ahead of the others.
    fn ask(&self, command: &str, first: bool) {
        let mut state = self.lock();
        if state.answers.contains_key(command) {
            return;
        }
        state.answers.insert(command.to_owned(), Answer::Queued);
        if first {
            state.queue.push_front(command.to_owned());
        } else {
            state.queue.push_back(command.to_owned());
        }
        self.changed.notify_all();
    }

    fn known(&self, command: &str, answer: &str) {
        let mut state = self.lock();
        state
            .answers
            .insert(command.to_owned(), Answer::Done(Ok(answer.to_owned())));
    }

    /// The answer to a command already asked for, once a worker has it.
    fn answer(&self, command: &str) -> Result<String, String> {
        let mut state = self.lock();
        loop {
            match state.answers.get(command) {
                Some(Answer::Done(answer)) => return answer.clone(),
                Some(Answer::Queued | Answer::Running) => state = self.wait(state),
                None => return Err("the probe was never queued".to_owned()),
            }
        }
    }

    /// A worker: takes queued commands until the board closes.
    fn work(&self, shell: &SystemShell) {
        loop {
            let command = {
                let mut state = self.lock();
                loop {
                    if state.closed {
                        return;
                    }
                    if let Some(command) = state.queue.pop_front() {
                        state.answers.insert(command.clone(), Answer::Running);
                        break command;
                    }
                    state = self.wait(state);
                }
            };
            let answer = match shell.cached(&command) {
                Some(answer) => Ok(answer),
                None => {
                    self.lock().ran += 1;
                    // A panic must still leave an answer, or the reader waits forever.
                    std::panic::catch_unwind(AssertUnwindSafe(|| shell.execute(&command)))
                        .unwrap_or_else(|_| Err("the probe's worker thread failed".to_owned()))
                }
            };
            self.lock().answers.insert(command, Answer::Done(answer));
            self.changed.notify_all();
        }
    }

    fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.queue.clear();
        self.changed.notify_all();
    }
}

/// The first read: queues commands, answers with placeholders.
struct Survey<'a> {
    shell: &'a SystemShell,
    board: &'a Board,
    used_pending: bool,
    /// A simple variable is being expanded: real answers are needed.
    keeping: bool,
}

impl Shell for Survey<'_> {
    fn run(&mut self, command: &str) -> Result<String, String> {
        if !command.contains(PENDING) {
            if let Some(answer) = self.shell.cached(command) {
                self.board.known(command, &answer);
                return Ok(answer);
            }
            self.board.ask(command, self.keeping);
            if self.keeping {
                return self.board.answer(command);
            }
        }
        self.used_pending = true;
        Ok(PENDING.to_owned())
    }

    fn keeping(&mut self, kept: bool) {
        self.keeping = kept;
    }

    fn undefined(&self, name: &str) -> String {
        if name.contains(PENDING) {
            PENDING.to_owned()
        } else {
            String::new()
        }
    }
}

/// The second read: real answers from the workers.
struct Reading<'a> {
    board: &'a Board,
}

impl Shell for Reading<'_> {
    fn run(&mut self, command: &str) -> Result<String, String> {
        self.board.ask(command, true);
        self.board.answer(command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tree_dir(kconfig: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Kconfig"), kconfig).unwrap();
        dir
    }

    fn options(dir: &Path) -> LoadOptions {
        LoadOptions {
            srctree: dir.to_owned(),
            env: HashMap::new(),
        }
    }

    fn shell(jobs: usize) -> SystemShell {
        let mut shell = SystemShell::new(HashMap::new());
        shell.jobs = jobs;
        shell
    }

    /// Everything a tree is made of, in the order it was read (the name maps are
    /// hash maps, printed in no fixed order).
    fn contents(tree: &Tree) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            tree.files, tree.symbols, tree.props, tree.nodes, tree.warnings
        )
    }

    /// Probes with arguments, asked twice, one containing another's answer and two
    /// built from a variable whose name is an answer: the parallel read gives the serial
    /// read's tree, runs each distinct command once, and never runs a command whose text
    /// was not known yet (the survey would have run `echo ` for F without the
    /// placeholder standing for an undefined name built from it).
    #[test]
    fn the_parallel_read_is_the_serial_read() {
        let dir = tree_dir(
            r#"
answer = $(shell,sleep 0.1; echo $(1))
name := $(shell,echo FLAVOR)
FLAVOR := mint
$(info,flavor $(FLAVOR))
config A
	bool "a"
	default $(answer,y)
config B
	bool "b"
	default $(answer,n)
config C
	string "c"
	default "$(shell,echo $(answer,dep)-x)"
config D
	bool "d"
	default $(answer,y)
config E
	string "e"
	default "$(shell,echo $($(name)))"
config F
	string "f"
	default "$(shell,echo $($(shell,echo FLAVOR)))"
"#,
        );
        let options = options(dir.path());
        let mut serial_shell = shell(1);
        let serial = parse(Path::new("Kconfig"), &options, &mut serial_shell).unwrap();
        let mut parallel_shell = shell(3);
        let parallel = parse_probing(Path::new("Kconfig"), &options, &mut parallel_shell).unwrap();
        assert_eq!(contents(&parallel), contents(&serial));
        let text = contents(&parallel);
        assert!(text.contains("dep-x") && text.contains("mint"), "{text}");
        assert_eq!((serial_shell.commands, parallel_shell.commands), (9, 6));
    }

    /// Two probes that each wait for the other to have started: run one after the
    /// other, the first would wait until its timeout; run at once, both answer. Their
    /// text holds a simple variable set by a probe, which the survey waits for (were it
    /// a placeholder, both would be left for the reading, one after the other).
    #[test]
    fn independent_probes_run_at_once() {
        let dir = tree_dir(
            r#"
meet = $(shell,touch $(1); while [ ! -e $(2) ]; do sleep 0.01; done; echo y)
side := $(shell,echo side)
config A
	bool "a"
	default $(meet,$(side)-a,$(side)-b)
config B
	bool "b"
	default $(meet,$(side)-b,$(side)-a)
"#,
        );
        let options = options(dir.path());
        let mut parallel_shell = shell(2);
        parallel_shell.cwd = dir.path().to_owned();
        parallel_shell.timeout = std::time::Duration::from_secs(60);
        let tree = parse_probing(Path::new("Kconfig"), &options, &mut parallel_shell).unwrap();
        assert!(!contents(&tree).contains(PENDING));
        assert_eq!(parallel_shell.commands, 3);
    }

    /// A probe that hangs is killed at the timeout, and the read fails naming it, with
    /// where it was asked for.
    #[test]
    fn a_hanging_probe_fails_the_read_with_its_place() {
        let dir = tree_dir("config A\n\tbool \"a\"\n\tdefault $(shell,sleep 300)\n");
        let mut parallel_shell = shell(2);
        parallel_shell.timeout = std::time::Duration::from_millis(300);
        let err = parse_probing(
            Path::new("Kconfig"),
            &options(dir.path()),
            &mut parallel_shell,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("Kconfig:3"), "{err}");
        assert!(err.contains("sleep 300") && err.contains("killed"), "{err}");
    }
}
