//! A small supervisor between culprit and every command it starts, so that nothing the
//! command started outlives culprit, even when culprit is killed with SIGKILL.
//!
//! Why this mechanism: a parent-death signal reaches only the direct child (the
//! `sh -c` wrapper), never the QEMU below it; process groups and `/proc` walks need a
//! living culprit to act; cgroup v2 is not available on every machine (this one mounts
//! v1 controllers) and needs delegation; a PID namespace needs privileges or user
//! namespaces. What works everywhere on Linux is a *child subreaper*: the supervisor is
//! forked between culprit and the command and marks itself with
//! `PR_SET_CHILD_SUBREAPER`, so every orphan below it (a daemonized QEMU, a `setsid`
//! child, the helper processes of `git worktree add`) is reparented to it rather than to
//! init. It holds the read end of a *lifeline* pipe whose only writer is culprit: when
//! culprit exits for any reason, including SIGKILL, the kernel closes the write end, the
//! supervisor sees end-of-file and kills its whole subtree before exiting. When the
//! command ends by itself, the supervisor kills what it left behind and exits with the
//! command's own status, so callers see the command's exit code or signal unchanged.
//!
//! The supervisor is the forked child of [`std::process::Command`] that runs the
//! `pre_exec` hook: it forks once more, the grandchild returns from the hook and execs
//! the command with the stdio, directory and environment `Command` already set up, and
//! the supervisor never returns. Between fork and exit it only makes system calls that
//! are async-signal-safe, and allocates nothing, because culprit is multi-threaded.

use nix::libc::{self, c_int, pid_t};
use nix::sys::signal::Signal;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Duration;

/// Culprit's end of the lifeline of one supervised command. While it is alive the
/// supervisor waits for the command; dropping it makes the supervisor kill the command's
/// whole tree, at once, with SIGKILL.
#[derive(Debug)]
pub struct Lifeline {
    _write: OwnedFd,
}

/// Makes `command` run below a supervisor that kills everything the command started
/// when the command ends, when the returned [`Lifeline`] is dropped, or when culprit
/// dies. Keep the lifeline until the command has been waited for.
///
/// When the lifeline breaks, the processes of the command's group first get `farewell`
/// and [`FAREWELL_GRACE`] to end (`srun` needs SIGTERM to cancel its Slurm job; SIGKILL
/// means no grace), then everything left is killed.
///
/// The child that `Command::spawn` returns is the supervisor: it exits with the
/// command's status once nothing below it runs any more. Supervisor and command get a
/// process group of their own, so that the signals the supervisor sends its group (the
/// farewell, and its last resort on a kernel without `/proc/…/children`) never reach
/// culprit or whoever started culprit.
pub fn attach(command: &mut Command, farewell: Signal) -> io::Result<Lifeline> {
    command.process_group(0);
    // Both ends close on exec (std's pipes are close-on-exec): the command never holds
    // the lifeline, and a command another thread of culprit starts does not keep this
    // one's write end open.
    let (read, write) = io::pipe()?;
    let read_fd = read.as_raw_fd();
    // `Command` owns the read end through the hook and closes it when it is dropped.
    let keep = read;
    // SAFETY: the hook runs in the forked child before exec; `become_supervisor` only
    // makes async-signal-safe system calls and does not allocate.
    unsafe {
        command.pre_exec(move || {
            let _ = &keep;
            become_supervisor(read_fd, farewell as c_int)
        });
    }
    Ok(Lifeline {
        _write: OwnedFd::from(write),
    })
}

/// How long the command's group has to end after the farewell signal.
pub const FAREWELL_GRACE: Duration = Duration::from_secs(3);
/// Exit code of a supervisor whose culprit died: nobody waits for it any more.
const ABANDONED: c_int = 137;
/// The fd number the lifeline's read end takes in the supervisor, after stdio.
const LIFELINE_FD: RawFd = 3;

/// Signals meant for the command that the supervisor ignores: it must outlive the
/// command to clean up after it.
const SET_ASIDE: [c_int; 4] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT];

/// Forks the command (which returns `Ok` to go on to exec) and supervises it (which
/// never returns).
fn become_supervisor(lifeline: RawFd, farewell: c_int) -> io::Result<()> {
    // SAFETY: plain system calls in the single-threaded child of a fork.
    unsafe {
        if libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        let command = libc::fork();
        if command < 0 {
            return Err(io::Error::last_os_error());
        }
        if command == 0 {
            // A supervisor killed from outside takes the command along.
            libc::prctl(libc::PR_SET_PDEATHSIG, farewell, 0, 0, 0);
            return Ok(());
        }
        keep_only_the_lifeline(lifeline);
        for signal in SET_ASIDE {
            libc::signal(signal, libc::SIG_IGN);
        }
        watch(command, farewell)
    }
}

/// Closes every descriptor but the lifeline (moved to [`LIFELINE_FD`]), and points stdio
/// at /dev/null: the supervisor must not hold the command's output pipe open (its
/// reader waits for end-of-file) nor std's exec-error pipe (`spawn` waits on it).
unsafe fn keep_only_the_lifeline(lifeline: RawFd) {
    if lifeline != LIFELINE_FD {
        libc::dup2(lifeline, LIFELINE_FD);
    }
    if libc::syscall(libc::SYS_close_range, LIFELINE_FD + 1, c_int::MAX, 0) != 0 {
        let limit = match libc::sysconf(libc::_SC_OPEN_MAX) {
            n if n > 0 => n.min(65_536) as c_int,
            _ => 1024,
        };
        for fd in LIFELINE_FD + 1..limit {
            libc::close(fd);
        }
    }
    let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
    for fd in 0..3 {
        if null >= 0 {
            libc::dup2(null, fd);
        } else {
            libc::close(fd);
        }
    }
    if null > 2 {
        libc::close(null);
    }
}

/// Waits for the command to exit or the lifeline to break, then ends the subtree.
unsafe fn watch(command: pid_t, farewell: c_int) -> ! {
    let exits = libc::syscall(libc::SYS_pidfd_open, command, 0) as c_int;
    loop {
        let mut fds = [
            libc::pollfd {
                fd: LIFELINE_FD,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: exits,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // Without a pidfd (Linux < 5.3) look at the command ten times a second.
        let (count, timeout) = if exits >= 0 { (2, -1) } else { (1, 100) };
        libc::poll(fds.as_mut_ptr(), count, timeout);
        if fds[0].revents != 0 {
            // Culprit never writes: readiness is end-of-file, culprit let go or died.
            if farewell != libc::SIGKILL {
                say_farewell(command, farewell);
            }
            end_subtree();
            libc::_exit(ABANDONED);
        }
        let mut status: c_int = 0;
        if libc::waitpid(command, &mut status, libc::WNOHANG) == command {
            end_subtree();
            exit_like(status);
        }
    }
}

/// Sends `signal` to the command's process group when the supervisor ignores it (one of
/// the signals it set aside), else to the command alone, and waits up to [`FAREWELL_GRACE`] for the command to end.
unsafe fn say_farewell(command: pid_t, signal: c_int) {
    let group = if SET_ASIDE.contains(&signal) {
        0
    } else {
        command
    };
    libc::kill(group, signal);
    let step = libc::timespec {
        tv_sec: 0,
        tv_nsec: 20_000_000,
    };
    let rounds = FAREWELL_GRACE.as_millis() / 20;
    for _ in 0..rounds {
        if libc::waitpid(command, std::ptr::null_mut(), libc::WNOHANG) != 0 {
            return;
        }
        libc::nanosleep(&step, std::ptr::null_mut());
    }
}

/// Kills every process below the supervisor, round after round: killing a parent
/// reparents its children to the supervisor (it is their subreaper), and the next round
/// kills them, until the supervisor has no child left, dead or alive.
unsafe fn end_subtree() {
    loop {
        let killed = kill_children();
        loop {
            let reaped = libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG);
            if reaped < 0 {
                return;
            }
            if reaped == 0 {
                break;
            }
        }
        if killed == 0 {
            // Children listed as none yet not reaped are exiting: give them a moment.
            let pause = libc::timespec {
                tv_sec: 0,
                tv_nsec: 2_000_000,
            };
            libc::nanosleep(&pause, std::ptr::null_mut());
        }
    }
}

/// Sends SIGKILL to each direct child listed in `/proc/thread-self/children`; returns
/// how many were listed. When the kernel lacks that file, the supervisor's process
/// group gets SIGKILL's polite cousin SIGTERM (the supervisor ignores it, everything
/// else in the group that does not dies).
unsafe fn kill_children() -> usize {
    let fd = libc::open(
        c"/proc/thread-self/children".as_ptr(),
        libc::O_RDONLY | libc::O_CLOEXEC,
    );
    if fd < 0 {
        libc::kill(0, libc::SIGTERM);
        return 0;
    }
    let mut buf = [0u8; 4096];
    let mut len = 0usize;
    while len < buf.len() {
        let n = libc::read(fd, buf[len..].as_mut_ptr().cast(), buf.len() - len);
        if n <= 0 {
            break;
        }
        len += n as usize;
    }
    libc::close(fd);
    let mut killed = 0;
    for pid in parse_pids(&buf[..len]) {
        libc::kill(pid, libc::SIGKILL);
        killed += 1;
    }
    killed
}

/// The pids in a space-separated list; a number cut off at the end of the buffer is
/// dropped (the next round reads it whole).
fn parse_pids(text: &[u8]) -> impl Iterator<Item = pid_t> + '_ {
    let complete = text
        .iter()
        .rposition(|b| *b == b' ' || *b == b'\n')
        .map_or(&text[..0], |end| &text[..end]);
    complete
        .split(|b| *b == b' ' || *b == b'\n')
        .filter_map(|word| {
            if word.is_empty() {
                return None;
            }
            word.iter().try_fold(0 as pid_t, |pid, digit| {
                digit
                    .is_ascii_digit()
                    .then(|| pid.checked_mul(10)?.checked_add(pid_t::from(digit - b'0')))
                    .flatten()
            })
        })
}

/// Exits with the command's status: the same exit code, or death by the same signal
/// (without a core dump: the command's own core, if any, was already written).
unsafe fn exit_like(status: c_int) -> ! {
    if libc::WIFSIGNALED(status) {
        let signal = libc::WTERMSIG(status);
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        libc::signal(signal, libc::SIG_DFL);
        let mut mask: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut mask);
        libc::sigaddset(&mut mask, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &mask, std::ptr::null_mut());
        libc::kill(libc::getpid(), signal);
        libc::_exit(128 + signal);
    }
    libc::_exit(libc::WEXITSTATUS(status));
}

#[cfg(test)]
mod tests {
    use super::parse_pids;

    #[test]
    fn pids_are_read_whole_and_a_cut_number_waits_for_the_next_round() {
        let pids: Vec<_> = parse_pids(b"12 345 6789 ").collect();
        assert_eq!(pids, [12, 345, 6789]);
        let cut: Vec<_> = parse_pids(b"12 345 67").collect();
        assert_eq!(cut, [12, 345]);
        assert_eq!(parse_pids(b"").count(), 0);
        assert_eq!(parse_pids(b"99999999999999999999 ").count(), 0);
    }
}
