//! A short command whose standard output is the answer (Kconfig's `$(shell,…)` probes):
//! the first bytes it prints, within a time limit, with nothing it started left behind.
//!
//! The command runs below the [supervisor](crate::supervisor) like every command culprit
//! starts, so a probe that hangs, or that leaves a daemon behind, is killed with its whole
//! tree, even one that moved to its own session, and even if culprit itself dies.

use std::io::{self, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::supervisor;

/// Why a command gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot start it: {0}")]
    Spawn(io::Error),
    #[error("it was still running after {} s; it was killed with every process it started", .0.as_secs_f64())]
    TimedOut(Duration),
    #[error("cannot read its output: {0}")]
    Read(io::Error),
}

/// What a command printed (at most the limit asked for) and how it ended.
#[derive(Debug)]
pub struct Captured {
    pub stdout: Vec<u8>,
    pub status: ExitStatus,
}

/// Runs `command` with stdin from /dev/null and stderr dropped, and keeps the first
/// `limit` bytes of its standard output. As with `popen` and one `fread`, the pipe is
/// closed after that many bytes (a command writing more gets SIGPIPE), so the memory
/// used stays bounded whatever the command prints. Past `timeout`, the command and
/// everything it started are killed, and so is whatever it left running when it ends by
/// itself.
pub fn capture(
    mut command: Command,
    limit: usize,
    timeout: Duration,
) -> Result<Captured, CaptureError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let lifeline =
        supervisor::attach(&mut command, Signal::SIGKILL).map_err(CaptureError::Spawn)?;
    let mut child = command.spawn().map_err(CaptureError::Spawn)?;
    drop(command);
    let stdout = child.stdout.take();
    let (done, finished) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let read = stdout.map_or(Ok(Vec::new()), |out| read_at_most(out, limit));
        let status = child.wait();
        // The receiver is gone only if the caller panicked; nothing to tell then.
        let _ = done.send((read, status));
    });
    let outcome = finished.recv_timeout(timeout);
    // The command has ended or must end now: the supervisor kills what is left.
    drop(lifeline);
    let (read, status) = match outcome {
        Ok(result) => result,
        Err(_) => {
            let _ = finished.recv();
            let _ = waiter.join();
            return Err(CaptureError::TimedOut(timeout));
        }
    };
    let _ = waiter.join();
    Ok(Captured {
        stdout: read.map_err(CaptureError::Read)?,
        status: status.map_err(CaptureError::Read)?,
    })
}

fn read_at_most(out: impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    out.take(limit as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(script);
        command
    }

    /// Running or stopped, not a zombie waiting to be reaped.
    fn alive(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).is_ok_and(|stat| {
            stat.rsplit(')')
                .next()
                .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
        })
    }

    #[test]
    fn keeps_the_first_bytes_and_the_status() {
        let out = capture(sh("echo hello; exit 3"), 4096, Duration::from_secs(30)).unwrap();
        assert_eq!(out.stdout, b"hello\n");
        assert_eq!(out.status.code(), Some(3));
        // `yes` never stops by itself: the pipe closes after the limit and it gets SIGPIPE.
        let out = capture(sh("yes"), 10, Duration::from_secs(30)).unwrap();
        assert_eq!(out.stdout, b"y\ny\ny\ny\ny\n");
    }

    #[test]
    fn a_command_that_hangs_is_killed_with_what_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let script = format!(
            "setsid sleep 300 & echo $! > {0}; sleep 300 & echo $! >> {0}; sleep 300",
            pids.display()
        );
        let start = Instant::now();
        let err = capture(sh(&script), 4096, Duration::from_millis(500)).unwrap_err();
        assert!(matches!(err, CaptureError::TimedOut(_)), "{err}");
        assert!(err.to_string().contains("killed"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(20));
        let pids = std::fs::read_to_string(&pids).unwrap();
        assert_eq!(pids.lines().count(), 2);
        // SIGKILL is immediate, but reaping by the subreaper may take a moment.
        let deadline = Instant::now() + Duration::from_secs(10);
        while pids.lines().any(alive) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert!(!pids.lines().any(alive), "left behind: {pids}");
    }

    #[test]
    fn what_a_finished_command_left_running_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let pid = dir.path().join("pid");
        let script = format!("sleep 300 >/dev/null & echo $! > {}; echo y", pid.display());
        let out = capture(sh(&script), 4096, Duration::from_secs(30)).unwrap();
        assert_eq!(out.stdout, b"y\n");
        let pid = std::fs::read_to_string(&pid).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while alive(&pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(&pid), "sleep {pid} left behind");
    }
}
