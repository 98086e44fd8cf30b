//! The record of each supervised command while it runs: a file in the state directory
//! naming its process group and the culprit that owns it, so that the next culprit can
//! end what a culprit killed outright left (see `leftovers.rs`).
//!
//! A file per command, written whole then renamed into place, so that concurrent
//! workers and culprits never share one, and a record is never seen half written.
//! Processes are named by pid *and* start time (from `/proc/PID/stat`): a pid reused by
//! an unrelated process since is never taken for the one recorded.

use crate::process_tree::stat_of;
use std::fs;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

/// Where this culprit records its running commands, once it knows its state directory.
pub(crate) static RECORDS: Mutex<Option<PathBuf>> = Mutex::new(None);

/// This culprit: its pid and start time.
pub(crate) static OWNER: LazyLock<Option<(u32, u64)>> = LazyLock::new(|| {
    let pid = std::process::id();
    stat_of(pid).map(|stat| (pid, stat.start))
});

/// This machine and this boot of it (`/proc/sys/kernel/random/boot_id`): pids and start
/// times mean something only there. A state directory on a shared filesystem may hold
/// records of culprits on other machines.
pub(crate) static MACHINE: LazyLock<Option<Machine>> = LazyLock::new(|| {
    let read = |path: &str| Some(fs::read_to_string(path).ok()?.trim().to_string());
    Some(Machine {
        host: read("/proc/sys/kernel/hostname")?,
        boot: read("/proc/sys/kernel/random/boot_id")?,
    })
});

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Machine {
    pub(crate) host: String,
    pub(crate) boot: String,
}

/// A command's record; the file goes when the command has ended.
pub(crate) struct Record {
    path: Option<PathBuf>,
}

impl Drop for Record {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = fs::remove_file(path);
        }
    }
}

/// Records the process group led by `leader` (a supervisor just spawned) for `command`,
/// and the Slurm `job` it submits, when this culprit has a state directory. Failing to
/// record is not an error: the supervisor still covers every death but its own.
pub(crate) fn record(leader: u32, command: &str, job: Option<&str>) -> Record {
    let dir = RECORDS.lock().ok().and_then(|records| records.clone());
    let path = dir.zip(*OWNER).and_then(|(dir, owner)| {
        let start = stat_of(leader)?.start;
        let text = Recorded {
            machine: MACHINE.clone()?,
            owner,
            group: (leader, start),
            job: job.map(String::from),
            command: command.to_string(),
        }
        .text();
        let name = format!("{leader}-{start}");
        let path = dir.join(&name);
        let partial = dir.join(format!("{name}.tmp"));
        fs::create_dir_all(&dir).ok()?;
        fs::write(&partial, text).ok()?;
        fs::rename(&partial, &path).ok()?;
        Some(path)
    });
    Record { path }
}

/// What a record says.
pub(crate) struct Recorded {
    pub(crate) machine: Machine,
    /// The culprit's pid and start time.
    pub(crate) owner: (u32, u64),
    /// The group leader's (the supervisor's) pid and start time.
    pub(crate) group: (u32, u64),
    /// The Slurm job's name, for a command run through srun.
    pub(crate) job: Option<String>,
    pub(crate) command: String,
}

impl Recorded {
    /// One line per field, the command last (it may span lines).
    pub(crate) fn text(&self) -> String {
        format!(
            "machine {} {}\nowner {} {}\ngroup {} {}\njob {}\n{}",
            self.machine.host,
            self.machine.boot,
            self.owner.0,
            self.owner.1,
            self.group.0,
            self.group.1,
            self.job.as_deref().unwrap_or_default(),
            self.command
        )
    }
}

pub(crate) fn parse(text: &str) -> Option<Recorded> {
    let mut lines = text.splitn(5, '\n');
    let mut machine = lines.next()?.strip_prefix("machine ")?.split_whitespace();
    let machine = Machine {
        host: machine.next()?.to_string(),
        boot: machine.next()?.to_string(),
    };
    let mut pair = |key: &str| -> Option<(u32, u64)> {
        let mut words = lines.next()?.strip_prefix(key)?.split_whitespace();
        Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
    };
    let owner = pair("owner ")?;
    let group = pair("group ")?;
    let job = lines.next()?.strip_prefix("job ")?;
    Some(Recorded {
        machine,
        owner,
        group,
        job: (!job.is_empty()).then(|| job.to_string()),
        command: lines.next().unwrap_or_default().to_string(),
    })
}
