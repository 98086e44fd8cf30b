//! Asking slurmctld about jobs and cancelling them, through Slurm's own commands.
//!
//! The commands rather than the REST API or libslurm: they are what every Slurm site
//! has, they speak whatever protocol version the site runs, and they authenticate the
//! way the user already does.

use std::io;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum SlurmError {
    #[error("cannot run {tool}: {source}; install Slurm's client commands (Debian: slurm-client) and make sure they are on PATH")]
    Spawn {
        tool: &'static str,
        source: io::Error,
    },
    #[error(
        "`{command}` failed: {stderr}; check that slurmctld answers (`sinfo`) and munged runs"
    )]
    Failed { command: String, stderr: String },
    #[error("Slurm still lists job(s) {jobs} {waited:?} after culprit cancelled them; cancel them with `scancel {jobs}`")]
    StillQueued { jobs: String, waited: Duration },
}

/// A job slurmctld still lists (pending, running or completing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveJob {
    pub id: u64,
    pub name: String,
    pub state: String,
    /// The node(s), or the reason it waits while it is pending.
    pub nodes: String,
}

fn slurm(tool: &'static str, args: &[String]) -> Result<String, SlurmError> {
    let out = Command::new(tool)
        .args(args)
        .output()
        .map_err(|source| SlurmError::Spawn { tool, source })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(SlurmError::Failed {
            command: format!("{tool} {}", args.join(" ")),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The jobs slurmctld lists under any of `names`.
pub fn live_jobs(names: &[String]) -> Result<Vec<LiveJob>, SlurmError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let out = slurm(
        "squeue",
        &[
            "--noheader".to_string(),
            format!("--name={}", names.join(",")),
            "--format=%i|%j|%T|%R".to_string(),
        ],
    )?;
    Ok(out
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(4, '|');
            Some(LiveJob {
                id: fields.next()?.trim().parse().ok()?,
                name: fields.next()?.to_string(),
                state: fields.next()?.to_string(),
                nodes: fields.next()?.to_string(),
            })
        })
        .collect())
}

/// Cancels the job named `name`, queued or running. Names are culprit's handle on a job
/// because it has one before slurmctld gives it an id.
pub fn cancel_named(name: &str) -> Result<(), SlurmError> {
    slurm("scancel", &[format!("--name={name}")]).map(|_| ())
}

/// Cancels every job listed under `names` and waits, up to `patience`, until Slurm
/// lists none of them: the clean-up for jobs a culprit that was killed left behind.
/// Returns the jobs that were cancelled.
pub fn cancel_leftovers(names: &[String], patience: Duration) -> Result<Vec<LiveJob>, SlurmError> {
    let leftovers = live_jobs(names)?;
    if leftovers.is_empty() {
        return Ok(leftovers);
    }
    let ids: Vec<String> = leftovers.iter().map(|job| job.id.to_string()).collect();
    slurm("scancel", &ids)?;
    wait_gone(names, patience)?;
    Ok(leftovers)
}

/// Waits until Slurm lists no job under `names` (completing jobs count: their
/// processes may still run).
pub fn wait_gone(names: &[String], patience: Duration) -> Result<(), SlurmError> {
    let deadline = Instant::now() + patience;
    loop {
        let live = live_jobs(names)?;
        if live.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let ids: Vec<String> = live.iter().map(|job| job.id.to_string()).collect();
            return Err(SlurmError::StillQueued {
                jobs: ids.join(" "),
                waited: patience,
            });
        }
        thread::sleep(Duration::from_millis(200));
    }
}

/// The state slurmctld gives job `id` (`COMPLETED`, `CANCELLED`, `NODE_FAIL`, …), or
/// None once it has forgotten the job.
pub fn job_state(id: u64) -> Result<Option<String>, SlurmError> {
    let out = match slurm(
        "scontrol",
        &[
            "--oneliner".into(),
            "show".into(),
            "job".into(),
            id.to_string(),
        ],
    ) {
        Ok(out) => out,
        Err(SlurmError::Failed { stderr, .. }) if stderr.contains("Invalid job id") => {
            return Ok(None)
        }
        Err(err) => return Err(err),
    };
    Ok(out
        .split_whitespace()
        .find_map(|field| field.strip_prefix("JobState="))
        .map(str::to_string))
}
