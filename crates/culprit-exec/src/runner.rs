//! Running one command while its output streams through the classifier.
//!
//! The runner owns time: it tells the classifier how long the run has lasted, stops the
//! command when the classifier is already certain (so a guest that prints its success
//! marker and then idles costs seconds, not the whole timeout), and turns silence and
//! the wall clock into hang endings.

use crate::process_tree::{any_running, descendants, signal_tree};
use culprit_console::{Classification, Classifier, Ending};
use nix::sys::signal::Signal;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
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

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("cannot create the console log {path}: {source}")]
    Log { path: PathBuf, source: io::Error },
    #[error("cannot write the console log {path}: {source}")]
    LogWrite { path: PathBuf, source: io::Error },
    #[error("cannot create a pipe for the command's output: {0}")]
    Pipe(io::Error),
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
}

/// Everything one run produced.
#[derive(Clone, Debug)]
pub struct RunReport {
    pub ending: Ending,
    pub classification: Classification,
    pub duration: Duration,
    pub log_path: PathBuf,
}

/// Runs `spec` to its end, streaming output to the log and to `classifier`.
///
/// Returns an error only when culprit itself cannot do its job (the log cannot be
/// written); a command that cannot start is an `Ending::SpawnFailed` classification,
/// because for a hunt that is an infrastructure outcome, not a crash of culprit.
pub fn run(
    spec: &RunSpec,
    mut classifier: Classifier,
    stop: &StopFlag,
) -> Result<RunReport, ExecError> {
    let file = File::create(&spec.log_path).map_err(|source| ExecError::Log {
        path: spec.log_path.clone(),
        source,
    })?;
    let mut log = BufWriter::new(file);
    let started = Instant::now();

    let (reader, writer) = io::pipe().map_err(ExecError::Pipe)?;
    let writer_err = writer.try_clone().map_err(ExecError::Pipe)?;
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(&spec.command)
        .current_dir(&spec.cwd)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_err)
        .process_group(0);
    // If culprit itself is killed (SIGKILL leaves no chance to clean up), the kernel
    // kills the command too, so no guest outlives the session that started it.
    // SAFETY: the closure only makes the prctl system call, which is async-signal-safe.
    unsafe {
        command
            .pre_exec(|| nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(io::Error::from));
    }
    let spawned = command.spawn();
    // The parent's copies of the pipe's write end must be closed, or EOF never comes.
    drop(command);
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => {
            let ending = Ending::SpawnFailed {
                reason: format!("cannot start `sh -c {}`: {err}", spec.command),
            };
            return finish(spec, classifier, ending, started, log);
        }
    };

    let chunks = spawn_reader(reader);
    let mut last_output = Instant::now();
    let ending = loop {
        match chunks.recv_timeout(TICK) {
            Ok(chunk) => {
                last_output = Instant::now();
                write_log(&mut log, &chunk, &spec.log_path)?;
                classifier.feed(&chunk, started.elapsed());
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // Every writer closed its end: the command is finishing.
                break wait_exit(&mut child, started, spec.wall_timeout);
            }
        }
        let now = started.elapsed();
        if classifier.is_certain(now) {
            break Ending::StoppedEarly;
        }
        if stop.load(Ordering::SeqCst) {
            break Ending::Interrupted;
        }
        if now >= spec.wall_timeout {
            break Ending::WallTimeout;
        }
        if spec
            .silence_timeout
            .is_some_and(|limit| last_output.elapsed() >= limit)
        {
            break Ending::SilenceTimeout;
        }
        if let Ok(Some(status)) = child.try_wait() {
            drain(&chunks, &mut log, &mut classifier, spec, started, DRAIN)?;
            break exit_ending(status);
        }
    };
    stop_tree(&mut child);
    drain(&chunks, &mut log, &mut classifier, spec, started, DRAIN)?;
    finish(spec, classifier, ending, started, log)
}

fn finish(
    spec: &RunSpec,
    mut classifier: Classifier,
    ending: Ending,
    started: Instant,
    mut log: BufWriter<File>,
) -> Result<RunReport, ExecError> {
    log.flush().map_err(|source| ExecError::LogWrite {
        path: spec.log_path.clone(),
        source,
    })?;
    let classification = classifier.finish(&ending);
    Ok(RunReport {
        ending,
        classification,
        duration: started.elapsed(),
        log_path: spec.log_path.clone(),
    })
}

/// Reads the command's output on its own thread so the main loop can watch the clocks.
/// The bounded channel keeps memory flat however fast the guest prints.
fn spawn_reader(mut reader: io::PipeReader) -> Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(16);
    thread::spawn(move || {
        let mut buf = vec![0u8; CHUNK];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
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

/// Takes what is still in the pipe, up to `quiet` without new data.
fn drain(
    chunks: &Receiver<Vec<u8>>,
    log: &mut BufWriter<File>,
    classifier: &mut Classifier,
    spec: &RunSpec,
    started: Instant,
    quiet: Duration,
) -> Result<(), ExecError> {
    while let Ok(chunk) = chunks.recv_timeout(quiet) {
        write_log(log, &chunk, &spec.log_path)?;
        classifier.feed(&chunk, started.elapsed());
    }
    Ok(())
}

fn write_log(log: &mut BufWriter<File>, chunk: &[u8], path: &Path) -> Result<(), ExecError> {
    log.write_all(chunk).map_err(|source| ExecError::LogWrite {
        path: path.to_path_buf(),
        source,
    })
}

/// The pipe closed; the command has exited or is about to.
fn wait_exit(child: &mut Child, started: Instant, wall: Duration) -> Ending {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return exit_ending(status),
            Ok(None) if started.elapsed() >= wall => return Ending::WallTimeout,
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

/// Stops the command's whole process tree: SIGTERM, a grace period, then SIGKILL.
/// Also runs after a normal exit, so that nothing the command left behind survives it.
fn stop_tree(child: &mut Child) {
    let leader = child.id();
    let extra = descendants(leader);
    signal_tree(leader, &extra, Signal::SIGTERM);
    let deadline = Instant::now() + TERM_GRACE;
    while Instant::now() < deadline {
        let _ = child.try_wait();
        if !any_running(leader, &extra) {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let mut extra = extra;
    extra.extend(descendants(leader));
    signal_tree(leader, &extra, Signal::SIGKILL);
    let _ = child.wait();
}
