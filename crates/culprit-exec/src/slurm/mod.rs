//! Running a command as a Slurm job, its output streamed live into the same runner
//! local commands use, so early verdicts, silence and wall timeouts work unchanged.
//!
//! Each run is one `srun --unbuffered` that asks for its own allocation: srun is the
//! one Slurm client that streams a job's output as it is written (sbatch writes it to
//! a file on the node, which culprit would have to poll over a shared filesystem),
//! returns the command's exit status, and ends the job when it is signalled. Inside
//! the job a small wrapper prints a marker with `SLURM_JOB_ID` and `SLURMD_NODENAME`
//! on stderr and then runs the command with its stderr folded into stdout. So stdout
//! is the console, byte for byte, and srun's stderr is only Slurm speaking: the
//! marker (job id and node, the moment the command starts: the clocks start there, not
//! while the job is queued), queue notes, and faults of the machinery (see `messages`).
//!
//! culprit names each job itself (`--job-name`), before submitting it: the name is the
//! handle to cancel a job that is still queued, whose id nobody knows yet, and the one
//! a caller records so that a later culprit can cancel what a killed one left behind
//! (`cancel_leftovers`). On a verdict, a timeout or Ctrl-C the job is cancelled with
//! `scancel` and srun stopped; if culprit dies, srun gets SIGTERM from the kernel and
//! cancels the job itself.

mod control;
mod messages;

pub use control::{
    cancel_leftovers, cancel_named, job_state, live_jobs, wait_gone, LiveJob, SlurmError,
};

pub use crate::runner::RemoteJob;
use crate::runner::{supervise, Engine, ProcessEngine};
use crate::{ExecError, RunReport, RunSpec, StopFlag};
use culprit_console::{Classifier, Ending};
use messages::{lost_state, read, Said, STARTED};
use nix::sys::signal::Signal;
use serde::Deserialize;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long Ctrl-C waits for a cancelled job to leave the queue.
const CANCEL_PATIENCE: Duration = Duration::from_secs(20);
/// How many of Slurm's messages a run keeps for its report.
const MESSAGES_KEPT: usize = 64;

/// Runs inside the job: announces where it runs, then becomes the user's command
/// (`$1`) with stderr joined to stdout.
const WRAPPER: &str =
    r#"printf '%s %s %s\n' "$0" "$SLURM_JOB_ID" "$SLURMD_NODENAME" >&2; exec /bin/sh -c "$1" 2>&1"#;

/// Where a job may run and what it asks for: the keys of `culprit.toml`'s `[executor]`
/// with `kind = "slurm"`, all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlurmOptions {
    /// The Slurm partition jobs go to (default: the cluster's default partition).
    pub partition: Option<String>,
    pub account: Option<String>,
    /// In any form srun's `--time` takes (`30`, `1:30:00`, `1-0`). culprit's own
    /// timeouts are the ones that decide hangs; this is what the site requires.
    pub time_limit: Option<String>,
    /// Node features, as srun's `--constraint` takes them (`x86&fast`).
    pub constraints: Option<String>,
    /// Further srun options, passed as they are (`--cpus-per-task=2`, `--mem=4G`).
    #[serde(default)]
    pub options: Vec<String>,
}

impl SlurmOptions {
    /// The keys that are one word each: the name `culprit.toml` gives it, the srun
    /// option it becomes, and its value when set. One list, so that the manifest's check
    /// and the srun command line never disagree on which keys there are.
    pub fn words(&self) -> [(&'static str, &'static str, Option<&str>); 4] {
        [
            ("partition", "--partition", self.partition.as_deref()),
            ("account", "--account", self.account.as_deref()),
            ("time_limit", "--time", self.time_limit.as_deref()),
            ("constraints", "--constraint", self.constraints.as_deref()),
        ]
    }
}

/// A job name no other run uses: `prefix`, this process and a counter, so that names
/// from two culprits on one cluster never meet.
pub fn unique_job_name(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{stamp}-{n}", std::process::id())
}

/// Runs `spec` as the Slurm job `job_name` with `options` (see the module's doc);
/// `started` hears the job's id and node the moment it begins, for a live display.
///
/// `spec.cwd` must be a path the node sees as this machine does (a shared filesystem):
/// srun starts the command there.
pub fn run_job(
    spec: &RunSpec,
    options: &SlurmOptions,
    job_name: &str,
    classifier: Classifier,
    stop: &StopFlag,
    started: &dyn Fn(u64, &str),
) -> Result<RunReport, ExecError> {
    let mut job = JobEngine {
        options,
        started,
        name: job_name.to_string(),
        id: None,
        node: None,
        fault: None,
        task_signalled: false,
        cancelled: false,
        messages: VecDeque::new(),
    };
    supervise(spec, classifier, stop, &mut job)
}

struct JobEngine<'a> {
    options: &'a SlurmOptions,
    started: &'a dyn Fn(u64, &str),
    name: String,
    id: Option<u64>,
    node: Option<String>,
    /// The first fault Slurm reported before culprit itself ended the job.
    fault: Option<String>,
    task_signalled: bool,
    cancelled: bool,
    messages: VecDeque<String>,
}

impl JobEngine<'_> {
    fn note(&mut self, line: String) {
        if self.messages.len() == MESSAGES_KEPT {
            self.messages.pop_front();
        }
        self.messages.push_back(line);
    }

    /// The job's state says it did not end by itself.
    fn lost_in_state(&self) -> Option<String> {
        let id = self.id?;
        let state = job_state(id).ok()??;
        lost_state(&state).map(|why| format!("{why} (job {id})"))
    }

    fn last_message(&self) -> &str {
        self.messages
            .back()
            .map(String::as_str)
            .unwrap_or("srun said nothing")
    }
}

impl ProcessEngine for JobEngine<'_> {
    fn command(&self, spec: &RunSpec) -> Command {
        let mut srun = Command::new("srun");
        let mut chdir = OsString::from("--chdir=");
        chdir.push(&spec.cwd);
        srun.arg("--unbuffered")
            .arg(format!("--job-name={}", self.name))
            .arg(chdir)
            .arg("--ntasks=1");
        let o = self.options;
        for (_, flag, value) in o.words() {
            if let Some(value) = value {
                srun.arg(format!("{flag}={value}"));
            }
        }
        srun.args(&o.options)
            .arg("--")
            .args(["/bin/sh", "-c", WRAPPER, STARTED])
            .arg(&spec.command)
            .current_dir(&spec.cwd)
            .envs(spec.env.iter().map(|(k, v)| (k, v)));
        // Inside an allocation (culprit run from salloc or a batch script) srun would
        // start a step of that job instead of a job of its own, with its sizes.
        for (key, _) in std::env::vars_os() {
            let key_text = key.to_string_lossy();
            if key_text.starts_with("SLURM_") && key_text != "SLURM_CONF" {
                srun.env_remove(&key);
            }
        }
        srun
    }

    /// srun cancels its job when terminated, so a culprit killed outright takes its
    /// jobs along.
    fn death_signal(&self) -> Signal {
        Signal::SIGTERM
    }

    fn speaks_on_stderr(&self) -> bool {
        true
    }
}

impl Engine for JobEngine<'_> {
    fn hear(&mut self, line: &str) {
        match read(line) {
            Said::Started { id, node } => {
                (self.started)(id, &node);
                self.id = Some(id);
                self.node = Some(node);
                // The marker is culprit's, not Slurm's: keep it out of the messages.
                return;
            }
            Said::Queued { id } => self.id = Some(id),
            Said::TaskSignalled { node } => {
                self.task_signalled = true;
                self.node.get_or_insert(node);
            }
            Said::TaskExited { node } => {
                self.node.get_or_insert(node);
            }
            Said::Fault { reason } if self.fault.is_none() && !self.cancelled => {
                self.fault = Some(reason)
            }
            Said::Fault { .. } | Said::Other => {}
        }
        self.note(line.to_string());
    }

    fn has_started(&self) -> bool {
        self.node.is_some()
    }

    fn settle(&mut self, ending: Ending) -> Ending {
        if let Some(reason) = self.fault.clone() {
            return Ending::Lost { reason };
        }
        let code = match ending {
            Ending::Exited { code } => code,
            Ending::Signalled { .. } => -1,
            other => return other,
        };
        if let Some(reason) = self.lost_in_state() {
            return Ending::Lost { reason };
        }
        if self.node.is_none() {
            return Ending::Lost {
                reason: format!(
                    "srun exited with status {code} before the job started: {}",
                    self.last_message()
                ),
            };
        }
        match ending {
            // srun exits 128+N when the command died of signal N.
            Ending::Exited { code } if code > 128 && self.task_signalled => {
                Ending::Signalled { signal: code - 128 }
            }
            other => other,
        }
    }

    fn cancel(&mut self, interrupted: bool) {
        self.cancelled = true;
        if let Err(err) = cancel_named(&self.name) {
            self.note(format!("culprit: {err}"));
        }
        // After Ctrl-C culprit ends: wait until the job is really gone, so nothing of it
        // runs after culprit has returned.
        if interrupted {
            if let Err(err) = wait_gone(std::slice::from_ref(&self.name), CANCEL_PATIENCE) {
                self.note(format!("culprit: {err}"));
            }
        }
    }

    fn job(&self) -> Option<RemoteJob> {
        Some(RemoteJob {
            name: self.name.clone(),
            id: self.id,
            node: self.node.clone(),
            messages: self.messages.iter().cloned().collect(),
        })
    }
}
