//! What a culprit killed outright left running, found and ended by the next culprit.
//!
//! The [supervisor](crate::supervisor) ends a command's tree when culprit dies, but it is
//! a fork of culprit: `pkill -9 -f culprit` or `killall -9 culprit` kill it in the same
//! breath, and a QEMU below it is reparented to init and runs on. So every supervised
//! command is recorded, while it runs, as a file in the state directory: the process
//! group it runs in (the supervisor leads it, and everything the command starts stays in
//! it unless it leaves on purpose) and the culprit that owns it. The next culprit in
//! that directory ends the groups whose owner is gone.
//!
//! The records themselves are written by `running.rs`.

use crate::process_tree::{snapshot, stat_of, ProcStat};
use crate::running::{parse, Recorded, MACHINE, RECORDS};
use crate::slurm;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::fmt;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long the processes of an ended group get to disappear after SIGKILL.
const PATIENCE: Duration = Duration::from_secs(3);

/// What one command of a killed culprit left running, now ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    /// The culprit command line (build, boot) it was started for.
    pub command: String,
    /// The processes of its group, by pid and `comm` (as `ps` shows them).
    pub processes: Vec<(u32, String)>,
    /// The Slurm job it had submitted, cancelled: its id and name.
    pub job: Option<(u64, String)>,
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self
            .processes
            .iter()
            .map(|(pid, name)| format!("{name} (pid {pid})"))
            .collect();
        parts.extend(
            self.job
                .iter()
                .map(|(id, name)| format!("Slurm job {id} ({name})")),
        );
        write!(f, "{} of `{}`", parts.join(", "), self.command)
    }
}

/// Ends what culprits that no longer run left in `dir`, and records this culprit's own
/// commands there from now on. Returns the processes it ended.
pub fn take_over(dir: &Path) -> Vec<Ended> {
    let ended = end_leftovers(dir);
    if let Ok(mut records) = RECORDS.lock() {
        *records = Some(dir.to_path_buf());
    }
    ended
}

/// Ends the recorded process groups whose culprit no longer runs, and forgets them.
pub fn end_leftovers(dir: &Path) -> Vec<Ended> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut ended = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "tmp") {
            continue;
        }
        let Some(record) = fs::read_to_string(&path).ok().and_then(|t| parse(&t)) else {
            let _ = fs::remove_file(&path);
            continue;
        };
        let here = MACHINE.as_ref();
        if here.is_none_or(|here| record.machine.host != here.host) || runs(record.owner) {
            continue;
        }
        // This machine has rebooted since: nothing of that culprit runs.
        if here.is_some_and(|here| record.machine.boot != here.boot) {
            let _ = fs::remove_file(&path);
            continue;
        }
        let processes = end_group(&record);
        let mut job = None;
        if let Some(name) = &record.job {
            // Killing srun does not end its job: Slurm must cancel it. When it cannot be
            // asked now, the record stays for the next command to try again.
            match slurm::cancel_leftovers(std::slice::from_ref(name), PATIENCE) {
                Ok(jobs) => job = jobs.into_iter().next().map(|live| (live.id, live.name)),
                Err(_) => continue,
            }
        }
        if !processes.is_empty() || job.is_some() {
            ended.push(Ended {
                command: record.command,
                processes,
                job,
            });
        }
        let _ = fs::remove_file(&path);
    }
    ended
}

/// True when the process `(pid, start)` still runs.
fn runs((pid, start): (u32, u64)) -> bool {
    stat_of(pid).is_some_and(|stat| stat.start == start && !stat.zombie)
}

/// Kills the recorded group's processes and waits for them to go; returns them, by pid
/// and name.
fn end_group(record: &Recorded) -> Vec<(u32, String)> {
    let (leader, start) = record.group;
    // Group 0 holds the kernel's threads, and killpg(0) is the caller's own group.
    if leader <= 1 {
        return Vec::new();
    }
    // A process with the leader's pid but another start time means the pid was reused,
    // which the kernel does only once the old group is empty: nothing is left of it.
    if stat_of(leader).is_some_and(|stat| stat.start != start) {
        return Vec::new();
    }
    let members = |all: Vec<ProcStat>| -> Vec<ProcStat> {
        all.into_iter()
            .filter(|p| p.group == leader && !p.zombie && p.start >= start)
            .collect()
    };
    let found = members(snapshot());
    if found.is_empty() {
        return Vec::new();
    }
    let Ok(group) = i32::try_from(leader) else {
        return Vec::new();
    };
    let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
    let deadline = Instant::now() + PATIENCE;
    while !members(snapshot()).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    found.into_iter().map(|p| (p.pid, p.name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::running::OWNER;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    /// A record of this machine's current boot.
    fn here(owner: (u32, u64), group: (u32, u64), command: &str) -> Recorded {
        Recorded {
            machine: MACHINE.clone().unwrap(),
            owner,
            group,
            job: None,
            command: command.into(),
        }
    }

    #[test]
    fn a_record_reads_back_whole() {
        let mut record = here((12, 345), (67, 89), "sh -c 'a\nb'");
        let back = parse(&record.text()).unwrap();
        assert_eq!((back.owner, back.group), ((12, 345), (67, 89)));
        assert_eq!((back.job, back.command.as_str()), (None, "sh -c 'a\nb'"));
        record.job = Some("culprit-9-1".into());
        let back = parse(&record.text()).unwrap();
        assert_eq!((back.machine, back.job), (record.machine, record.job));
        assert!(parse("machine h b\nowner 12\ngroup 67 89\njob \n").is_none());
    }

    #[test]
    fn only_the_groups_of_a_culprit_that_is_gone_are_ended() {
        let dir = tempfile::tempdir().unwrap();
        let mut sleeper = Command::new("sleep");
        sleeper.arg("30").process_group(0);
        let mut child = sleeper.spawn().unwrap();
        let pid = child.id();
        let start = stat_of(pid).unwrap().start;
        let file = dir.path().join(format!("{pid}-{start}"));
        let me = OWNER.unwrap();
        // Owned by this very process, alive: left alone.
        let mut record = here(me, (pid, start), "sleep 30");
        fs::write(&file, record.text()).unwrap();
        assert!(end_leftovers(dir.path()).is_empty());
        // Owned by a culprit on another machine, which this one cannot see: left alone.
        record.owner = (me.0, me.1 + 1);
        record.machine.host.push_str("-elsewhere");
        fs::write(&file, record.text()).unwrap();
        assert!(end_leftovers(dir.path()).is_empty());
        assert!(runs((pid, start)) && file.exists());
        // Owned by a pid that runs but started at another time: a reused pid, so the
        // owner is gone.
        let record = here((me.0, me.1 + 1), (pid, start), "sleep 30");
        fs::write(&file, record.text()).unwrap();
        let ended = end_leftovers(dir.path());
        let process = Ended {
            command: "sleep 30".into(),
            processes: vec![(pid, "sleep".into())],
            job: None,
        };
        assert_eq!(ended, [process]);
        assert_eq!(
            ended[0].to_string(),
            format!("sleep (pid {pid}) of `sleep 30`")
        );
        child.wait().unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_reused_leader_pid_or_a_reboot_is_not_taken_for_the_group() {
        let dir = tempfile::tempdir().unwrap();
        let me = OWNER.unwrap();
        // This process's own pid, recorded as a leader that started at another time.
        let record = here((1, 1), (me.0, me.1 + 1), "x");
        fs::write(dir.path().join("x"), record.text()).unwrap();
        assert!(end_leftovers(dir.path()).is_empty());
        // This process's own group, recorded before a reboot: the record just goes.
        let mut record = here((1, 1), (me.0, me.1), "y");
        record.machine.boot.push_str("-before");
        fs::write(dir.path().join("y"), record.text()).unwrap();
        assert!(end_leftovers(dir.path()).is_empty());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
