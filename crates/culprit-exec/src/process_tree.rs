//! Stopping a command together with everything it started.
//!
//! A QEMU launched through `sh -c` or a wrapper script is a grandchild; killing only
//! the direct child would leave it running. Every command gets its own process group,
//! and on stop we ask the group *and* every descendant found in `/proc` (a descendant
//! may have moved to its own group or session, as daemons do) to end; the supervisor
//! (`supervisor.rs`) then kills whatever did not.

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::collections::{BTreeSet, HashMap};
use std::fs;

/// One line of `/proc/PID/stat`, the fields we need.
pub(crate) struct ProcStat {
    pub pid: u32,
    pub ppid: u32,
    pub zombie: bool,
    /// The process group.
    pub group: u32,
    /// When the process started, in clock ticks after boot: with the pid, it names one
    /// process even after the pid is reused.
    pub start: u64,
    /// The command name (`comm`).
    pub name: String,
}

/// Every process on the machine, read from `/proc`.
///
/// Hand-written: no maintained crate offers a cheap ppid/pgrp snapshot without pulling
/// in a full system-information library.
pub(crate) fn snapshot() -> Vec<ProcStat> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat_of)
        .collect()
}

pub(crate) fn stat_of(pid: u32) -> Option<ProcStat> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself contain spaces or ')'.
    let close = stat.rfind(')')?;
    let name = stat[..close].split_once('(')?.1.to_string();
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // Fields 3 (state), 4 (ppid), 5 (pgrp) and 22 (starttime) of proc(5).
    let state = *fields.first()?;
    Some(ProcStat {
        pid,
        ppid: fields.get(1)?.parse().ok()?,
        zombie: state == "Z" || state == "X",
        group: fields.get(2)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
        name,
    })
}

/// Every live process whose ancestry leads to `root`.
pub fn descendants(root: u32) -> BTreeSet<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for proc in snapshot().into_iter().filter(|p| !p.zombie) {
        children.entry(proc.ppid).or_default().push(proc.pid);
    }
    let mut found = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or(&[]) {
            if found.insert(child) {
                todo.push(child);
            }
        }
    }
    found
}

/// Sends `signal` to the process group led by `leader` and to each pid in `extra`.
pub fn signal_tree(leader: u32, extra: &BTreeSet<u32>, signal: Signal) {
    let Ok(leader) = i32::try_from(leader) else {
        return;
    };
    // ESRCH only means the group is already gone, which is what we want.
    let _ = killpg(Pid::from_raw(leader), signal);
    for &pid in extra {
        if let Ok(pid) = i32::try_from(pid) {
            let _ = kill(Pid::from_raw(pid), signal);
        }
    }
}
