//! Stopping a command together with everything it started.
//!
//! A QEMU launched through `sh -c` or a wrapper script is a grandchild; killing only
//! the direct child would leave it running. Every command gets its own process group,
//! and on stop we signal the group *and* every descendant found in `/proc` (a
//! descendant may have moved to its own group or session, as daemons do).

use nix::errno::Errno;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::collections::{BTreeSet, HashMap};
use std::fs;

/// Every live process whose ancestry leads to `root`, read from `/proc`.
///
/// Hand-written: no maintained crate offers a cheap ppid snapshot without pulling in
/// a full system-information library.
pub fn descendants(root: u32) -> BTreeSet<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(ppid) = parent_of(pid) {
                children.entry(ppid).or_default().push(pid);
            }
        }
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

fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself contain spaces or ')'.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
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

/// True while any process of the group led by `leader` still exists.
pub fn group_alive(leader: u32) -> bool {
    let Ok(leader) = i32::try_from(leader) else {
        return false;
    };
    !matches!(killpg(Pid::from_raw(leader), None), Err(Errno::ESRCH))
}

/// True while the process exists (zombies included).
pub fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    !matches!(kill(Pid::from_raw(pid), None), Err(Errno::ESRCH))
}
