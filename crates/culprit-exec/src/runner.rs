//! Running one command while its output streams through the classifier.
//!
//! The runner owns time: it tells the classifier how long the run has lasted, stops the
//! command when the classifier is already certain (so a guest that prints its success
//! marker and then idles costs seconds, not the whole timeout), and turns silence and
//! the wall clock into hang endings.

use crate::pace::Pace;
use crate::process_tree::{descendants, signal_tree};
use crate::supervisor::{self, Lifeline};
use culprit_console::{Classification, Classifier, Deadline, Ending, LearnedHang, Timeline};
use nix::sys::signal::Signal;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Set from a signal handler (Ctrl-C) to make every running command stop at once.
pub type StopFlag = Arc<AtomicBool>;

/// How long a stopped command gets between SIGTERM and SIGKILL.
const TERM_GRACE: Duration = Duration::from_millis(1500);
/// How often the loop wakes to look at the clocks when the command is quiet.
const TICK: Duration = Duration::from_millis(50);
/// After the command exits, how long to wait for output still in flight from its children.
const DRAIN: Duration = Duration::from_millis(300);
const CHUNK: usize = 64 * 1024;
/// The longest engine message kept as one line.
const LINE: u64 = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("cannot create the console log {path}: {source}")]
    Log { path: PathBuf, source: io::Error },
    #[error("cannot write the console log {path}: {source}")]
    LogWrite { path: PathBuf, source: io::Error },
    #[error("cannot create a pipe for the command's output: {0}")]
    Pipe(io::Error),
    #[error("cannot record the job {name} before submitting it: {message}; check that the journal's directory is writable")]
    Record { name: String, message: String },
    #[error("cannot publish the artifacts of the lab job {name}: {message}; check [executor] artifacts in culprit.toml")]
    Publish { name: String, message: String },
}

/// What to run and for how long.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// A shell command line, run with `sh -c`.
    pub command: String,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
    pub wall_timeout: Duration,
    /// No output for this long is a hang (a silent guest never finishes by itself).
    pub silence_timeout: Option<Duration>,
    /// Where the raw output (stdout and stderr, interleaved as written) is kept.
    pub log_path: PathBuf,
    /// What passing runs of the same test teach: a run stuck and silent far longer
    /// than they needed is a hang before `silence_timeout` or `wall_timeout` run out.
    pub deadline: Option<Deadline>,
}

/// The remote job that ran a command (a Slurm job, a LAVA job), as far as culprit
/// learned it (see `crate::slurm`, `crate::lava`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteJob {
    /// The name culprit gave it.
    pub name: String,
    pub id: Option<u64>,
    /// The node (Slurm) or device (LAVA) it ran on, once it started.
    pub node: Option<String>,
    /// The engine's own lines (srun's and slurmstepd's), the last ones kept.
    pub messages: Vec<String>,
}

/// Everything one run produced.
#[derive(Clone, Debug)]
pub struct RunReport {
    pub ending: Ending,
    pub classification: Classification,
    pub duration: Duration,
    pub log_path: PathBuf,
    /// The remote job the run was, when it ran through Slurm or a lab.
    pub job: Option<RemoteJob>,
    /// When output came and each stage was reached.
    pub timeline: Timeline,
    /// The learned deadline that ended the run (its ending is then `SilenceTimeout`).
    pub learned: Option<LearnedHang>,
}

/// Runs `spec` here, to its end, streaming output to the log and to `classifier`.
///
/// Returns an error only when culprit itself cannot do its job (the log cannot be
/// written); a command that cannot start is an `Ending::SpawnFailed` classification,
/// because for a hunt that is an infrastructure outcome, not a crash of culprit.
pub fn run(
    spec: &RunSpec,
    classifier: Classifier,
    stop: &StopFlag,
) -> Result<RunReport, ExecError> {
    supervise(spec, classifier, stop, &mut Local)
}

/// What culprit learns from the engine that runs a command (the job's own messages, its
/// state, its queue) and how it ends the command: the same for a process here, a Slurm
/// job, a lab's job.
pub(crate) trait Engine {
    /// One line of the engine's messages.
    fn hear(&mut self, _line: &str) {}
    /// False while the command waits for a machine (a queued job): the clocks that
    /// make timeouts start when it begins.
    fn has_started(&self) -> bool {
        true
    }
    /// The run's ending once what the engine knows is weighed in (a fault it heard,
    /// the state the engine gives the job). Not called when culprit stopped the run for
    /// an early verdict or an interruption: those endings stand.
    fn settle(&mut self, ending: Ending) -> Ending {
        ending
    }
    /// culprit is ending the run itself (`interrupted` for Ctrl-C); called before the
    /// command is stopped.
    fn cancel(&mut self, _interrupted: bool) {}
    fn job(&self) -> Option<RemoteJob> {
        None
    }
}

/// An engine whose command is a process culprit starts here (`sh -c`, srun).
pub(crate) trait ProcessEngine: Engine {
    /// The process to spawn for `spec`; the runner sets its stdio and process group.
    fn command(&self, spec: &RunSpec) -> Command;
    /// What the process gets first when culprit dies without a chance to clean up
    /// (everything left is killed after a grace period).
    fn death_signal(&self) -> Signal {
        Signal::SIGKILL
    }
    /// True when the process's stderr carries the engine's own messages, which must
    /// not reach the console log or the classifier.
    fn speaks_on_stderr(&self) -> bool {
        false
    }
}

/// A command underway, whatever runs it: how culprit sees that it ended and stops it.
pub(crate) trait Task {
    /// Its ending, once it has ended by itself.
    fn ended(&mut self) -> Option<Ending>;
    /// Its ending, after its output closed (it is ending, or has).
    fn wait_ended(&mut self, clocks: &Clocks, wall: Duration) -> Ending;
    /// Stops it and everything it started; also after it ended by itself.
    fn stop(&mut self);
}

/// A command run right here through `sh -c`.
struct Local;

impl Engine for Local {}

impl ProcessEngine for Local {
    fn command(&self, spec: &RunSpec) -> Command {
        shell_command(spec)
    }
}

/// `spec`'s command through `sh -c`, in its directory with its environment: how a
/// command runs on this machine, whoever supervises it.
pub(crate) fn shell_command(spec: &RunSpec) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(&spec.command)
        .current_dir(&spec.cwd)
        .envs(spec.env.iter().map(|(k, v)| (k, v)));
    command
}

/// Output of the command, from the thread that read it.
pub(crate) enum Heard {
    Console(Vec<u8>),
    Engine(String),
}

/// The clocks of one run: they start when the command does, not when it is queued.
pub(crate) struct Clocks {
    started: Option<Instant>,
    last_output: Instant,
}

impl Clocks {
    fn start(&mut self) -> Instant {
        *self.started.get_or_insert_with(|| {
            self.last_output = Instant::now();
            self.last_output
        })
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.map(|s| s.elapsed()).unwrap_or_default()
    }
}

/// A process started here under a supervisor.
struct Spawned {
    child: Child,
    lifeline: Option<Lifeline>,
}

impl Task for Spawned {
    fn ended(&mut self) -> Option<Ending> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(exit_ending(status)),
            _ => None,
        }
    }

    fn wait_ended(&mut self, clocks: &Clocks, wall: Duration) -> Ending {
        wait_exit(&mut self.child, clocks, wall)
    }

    fn stop(&mut self) {
        if let Some(lifeline) = self.lifeline.take() {
            stop_tree(&mut self.child, lifeline);
        }
    }
}

/// The console log of a run, created empty.
pub(crate) fn create_log(spec: &RunSpec) -> Result<File, ExecError> {
    // Unbuffered: chunks arrive whole from the reader thread, and what the guest printed
    // is on disk at once, for `tail -f` and for a culprit that gets killed.
    File::create(&spec.log_path).map_err(|source| ExecError::Log {
        path: spec.log_path.clone(),
        source,
    })
}

pub(crate) fn supervise(
    spec: &RunSpec,
    classifier: Classifier,
    stop: &StopFlag,
    engine: &mut impl ProcessEngine,
) -> Result<RunReport, ExecError> {
    let log = create_log(spec)?;

    let (reader, writer) = io::pipe().map_err(ExecError::Pipe)?;
    let (messages, stderr) = if engine.speaks_on_stderr() {
        let (reader, writer) = io::pipe().map_err(ExecError::Pipe)?;
        (Some(reader), writer)
    } else {
        (None, writer.try_clone().map_err(ExecError::Pipe)?)
    };
    let mut command = engine.command(spec);
    command.stdin(Stdio::null()).stdout(writer).stderr(stderr);
    let (child, lifeline) = match start(command, spec, engine.death_signal()) {
        Ok(started) => started,
        Err(reason) => {
            let ran = Ran::nothing(Ending::SpawnFailed { reason }, Duration::ZERO);
            return finish(spec, classifier, ran, log, engine);
        }
    };
    // Should culprit and this supervisor both be killed, the next culprit ends the rest.
    let job = engine.job().map(|job| job.name);
    let _record = crate::running::record(child.id(), &spec.command, job.as_deref());
    let heard = spawn_readers(reader, messages);
    let mut task = Spawned {
        child,
        lifeline: Some(lifeline),
    };
    follow(spec, classifier, stop, engine, heard, &mut task, log)
}

/// Reads what `task` says (through `heard`) into the log and the classifier until it
/// ends by itself or culprit ends it: at the classifier's early verdict, on Ctrl-C, at
/// the wall, silence or learned deadline.
pub(crate) fn follow(
    spec: &RunSpec,
    mut classifier: Classifier,
    stop: &StopFlag,
    engine: &mut impl Engine,
    heard: Receiver<Heard>,
    task: &mut impl Task,
    mut log: File,
) -> Result<RunReport, ExecError> {
    let mut clocks = Clocks {
        started: None,
        last_output: Instant::now(),
    };
    if engine.has_started() {
        clocks.start();
    }
    let mut learned = None;
    let mut sink = Sink {
        log: &mut log,
        pace: Pace::new(&classifier),
        classifier: &mut classifier,
        spec,
        engine: &mut *engine,
    };
    let (ending, by_itself) = loop {
        match heard.recv_timeout(TICK) {
            Ok(item) => sink.take(item, &mut clocks)?,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // Every writer closed its end: the command is finishing.
                break (task.wait_ended(&clocks, spec.wall_timeout), true);
            }
        }
        if clocks.started.is_none() && sink.engine.has_started() {
            clocks.start();
        }
        let now = clocks.elapsed();
        if clocks.started.is_some() && sink.classifier.is_certain(now) {
            break (Ending::StoppedEarly, false);
        }
        if stop.load(Ordering::SeqCst) {
            break (Ending::Interrupted, false);
        }
        if clocks.started.is_some() && now >= spec.wall_timeout {
            break (Ending::WallTimeout, false);
        }
        if clocks.started.is_some()
            && spec
                .silence_timeout
                .is_some_and(|limit| clocks.last_output.elapsed() >= limit)
        {
            break (Ending::SilenceTimeout, false);
        }
        if let Some(hang) = spec
            .deadline
            .as_ref()
            .filter(|_| clocks.started.is_some())
            .and_then(|deadline| sink.pace.expired(deadline, now, sink.classifier))
        {
            learned = Some(hang);
            break (Ending::SilenceTimeout, false);
        }
        if let Some(ending) = task.ended() {
            sink.drain(&heard, &mut clocks)?;
            break (ending, true);
        }
    };
    let ending = if by_itself {
        task.stop();
        sink.drain(&heard, &mut clocks)?;
        sink.engine.settle(ending)
    } else {
        let ending = match ending {
            Ending::StoppedEarly | Ending::Interrupted => ending,
            timeout => sink.engine.settle(timeout),
        };
        sink.engine.cancel(ending == Ending::Interrupted);
        task.stop();
        sink.drain(&heard, &mut clocks)?;
        ending
    };
    let duration = clocks.elapsed();
    let ran = Ran {
        ending,
        duration,
        timeline: sink.pace.finish(duration),
        learned,
    };
    finish(spec, classifier, ran, log, engine)
}

/// Where what the process says goes: console bytes to the log and the classifier, the
/// engine's lines to the engine.
struct Sink<'a, L> {
    log: &'a mut File,
    pace: Pace,
    classifier: &'a mut Classifier,
    spec: &'a RunSpec,
    engine: &'a mut L,
}

impl<L: Engine> Sink<'_, L> {
    fn take(&mut self, item: Heard, clocks: &mut Clocks) -> Result<(), ExecError> {
        match item {
            Heard::Console(chunk) => {
                // Output proves the command runs, whatever the engine has said so far.
                clocks.start();
                clocks.last_output = Instant::now();
                write_log(self.log, &chunk, &self.spec.log_path)?;
                self.classifier.feed(&chunk, clocks.elapsed());
                self.pace.heard(clocks.elapsed(), self.classifier);
            }
            Heard::Engine(line) => self.engine.hear(&line),
        }
        Ok(())
    }

    /// Takes what is still in the pipes, up to `DRAIN` without new data.
    fn drain(&mut self, heard: &Receiver<Heard>, clocks: &mut Clocks) -> Result<(), ExecError> {
        while let Ok(item) = heard.recv_timeout(DRAIN) {
            self.take(item, clocks)?;
        }
        Ok(())
    }
}

/// How a run ended, with what it showed of its pace.
pub(crate) struct Ran {
    ending: Ending,
    duration: Duration,
    timeline: Timeline,
    learned: Option<LearnedHang>,
}

impl Ran {
    pub(crate) fn nothing(ending: Ending, duration: Duration) -> Ran {
        Ran {
            ending,
            duration,
            timeline: Timeline::default(),
            learned: None,
        }
    }
}

/// Starts `command` under a supervisor, so that nothing it starts outlives culprit, even
/// a culprit killed with SIGKILL (`farewell` is what the command gets first); when it
/// cannot, why not.
fn start(
    mut command: Command,
    spec: &RunSpec,
    farewell: Signal,
) -> Result<(Child, Lifeline), String> {
    let lifeline = supervisor::attach(&mut command, farewell)
        .map_err(|err| format!("cannot set up the supervisor for `{}`: {err}", spec.command))?;
    let spawned = command.spawn();
    let program = command.get_program().to_string_lossy().into_owned();
    // The parent's copies of the pipes' write ends must be closed, or EOF never comes.
    drop(command);
    let child =
        spawned.map_err(|err| format!("cannot start `{program}` for `{}`: {err}", spec.command))?;
    Ok((child, lifeline))
}

pub(crate) fn finish(
    spec: &RunSpec,
    mut classifier: Classifier,
    ran: Ran,
    mut log: File,
    engine: &impl Engine,
) -> Result<RunReport, ExecError> {
    log.flush().map_err(|source| ExecError::LogWrite {
        path: spec.log_path.clone(),
        source,
    })?;
    let classification = classifier.finish(&ran.ending);
    Ok(RunReport {
        ending: ran.ending,
        classification,
        duration: ran.duration,
        log_path: spec.log_path.clone(),
        job: engine.job(),
        timeline: ran.timeline,
        learned: ran.learned,
    })
}

/// Reads the command's output (and the engine's messages, when they have their own
/// pipe) on threads of their own so the main loop can watch the clocks. The bounded
/// channel keeps memory flat however fast the guest prints.
fn spawn_readers(console: io::PipeReader, messages: Option<io::PipeReader>) -> Receiver<Heard> {
    let (tx, rx) = mpsc::sync_channel::<Heard>(16);
    if let Some(messages) = messages {
        let tx = tx.clone();
        thread::spawn(move || read_lines(messages, &tx));
    }
    thread::spawn(move || {
        let mut reader = console;
        let mut buf = vec![0u8; CHUNK];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(Heard::Console(buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    });
    rx
}

/// The engine's messages, a line at a time; a line longer than `LINE` is cut into
/// pieces rather than held whole.
fn read_lines(pipe: io::PipeReader, tx: &SyncSender<Heard>) {
    let mut reader = BufReader::new(pipe);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader).take(LINE).read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line).trim_end().to_string();
                if tx.send(Heard::Engine(text)).is_err() {
                    break;
                }
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

fn write_log(log: &mut File, chunk: &[u8], path: &Path) -> Result<(), ExecError> {
    log.write_all(chunk).map_err(|source| ExecError::LogWrite {
        path: path.to_path_buf(),
        source,
    })
}

/// The pipe closed; the command has exited or is about to.
fn wait_exit(child: &mut Child, clocks: &Clocks, wall: Duration) -> Ending {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return exit_ending(status),
            Ok(None) if clocks.elapsed() >= wall => return Ending::WallTimeout,
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(err) => {
                return Ending::SpawnFailed {
                    reason: format!("cannot wait for the command: {err}"),
                }
            }
        }
    }
}

fn exit_ending(status: std::process::ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited { code },
        (None, Some(signal)) => Ending::Signalled { signal },
        (None, None) => Ending::Exited { code: -1 },
    }
}

/// Stops the command's whole process tree: SIGTERM to everything below the supervisor, a
/// grace period for the command to exit, then the lifeline is let go and the supervisor
/// kills what is left with SIGKILL. Also runs after a normal exit, so that nothing the
/// command left behind survives it.
fn stop_tree(child: &mut Child, lifeline: Lifeline) {
    let supervisor = child.id();
    // The supervisor ignores SIGTERM; the command and its children get the chance to end.
    signal_tree(supervisor, &descendants(supervisor), Signal::SIGTERM);
    let deadline = Instant::now() + TERM_GRACE;
    while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
        thread::sleep(Duration::from_millis(20));
    }
    drop(lifeline);
    let _ = child.wait();
}
