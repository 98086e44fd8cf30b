//! A boot as a LAVA job: submitted to the server, its log polled as it grows and its
//! serial console (`lvl: target`) fed to the classifier through the same loop as a local
//! command's output, so early verdicts, stages, silence and learned deadlines work the
//! same; cancelled when culprit ends the run.
//!
//! A job the lab ends without the guest's say (Incomplete with an infrastructure
//! `error_type`, Canceled by someone else, never started, the server gone) is `Lost`:
//! an infrastructure error, retried and never blamed.

mod client;
pub mod log;

pub use client::{JobState, Lab, LavaError, Token};

use crate::runner::{create_log, follow, Clocks, Engine, Heard, RemoteJob, Task};
use crate::{ExecError, RunReport, RunSpec, StopFlag};
use culprit_console::{Classifier, Ending};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often the job's log and state are asked for.
const POLL: Duration = Duration::from_millis(250);
/// How long the server may stay unreachable before the job counts as lost.
const UNREACHABLE_PATIENCE: Duration = Duration::from_secs(30);
/// After Ctrl-C, how long culprit waits for the jobs it cancelled to finish.
pub const CANCEL_PATIENCE: Duration = Duration::from_secs(60);

/// One boot to run on the lab.
pub struct Submission<'a> {
    pub lab: &'a Lab,
    /// The job definition, rendered.
    pub definition: &'a str,
    /// The `job_name` culprit gave it (also how the next culprit finds it again).
    pub name: &'a str,
    /// How long the job may wait for a device before it counts as lost.
    pub queue_timeout: Duration,
}

/// Runs `job` to its end: submits it, streams its console into `classifier` and the
/// log, and cancels it when culprit decides first. `submitted` hears the job's id,
/// `started` its device once it runs.
pub fn run_job(
    job: &Submission<'_>,
    spec: &RunSpec,
    classifier: Classifier,
    stop: &StopFlag,
    submitted: &dyn Fn(u64),
    started: &dyn Fn(u64, &str),
) -> Result<RunReport, ExecError> {
    let log = create_log(spec)?;
    let mut engine = JobEngine {
        lab: job.lab.clone(),
        name: job.name.to_string(),
        id: None,
        seen: Arc::new(Mutex::new(Seen::default())),
        announced: Cell::new(false),
        started,
    };
    let (tx, heard) = mpsc::sync_channel::<Heard>(64);
    let mut task = match job.lab.submit(job.definition) {
        Ok(id) => {
            submitted(id);
            engine.id = Some(id);
            Stream::start(job, id, engine.seen.clone(), tx)
        }
        Err(err) => {
            drop(tx);
            Stream::failed(format!("cannot submit the job: {err}"))
        }
    };
    follow(spec, classifier, stop, &mut engine, heard, &mut task, log)
}

/// What the polling thread learned of the job.
#[derive(Default)]
struct Seen {
    device: Option<String>,
    errors: Vec<String>,
}

struct JobEngine<'a> {
    lab: Lab,
    name: String,
    id: Option<u64>,
    seen: Arc<Mutex<Seen>>,
    announced: Cell<bool>,
    started: &'a dyn Fn(u64, &str),
}

impl Engine for JobEngine<'_> {
    /// Announces the device once the job has one, but keeps the clocks stopped until
    /// the console's first line (which starts them): the lab's deploy and QEMU set-up
    /// take seconds the guest has no part in, and would eat a short `silence`. A device
    /// that never prints is ended by the job's own timeout (`{timeout}`).
    fn has_started(&self) -> bool {
        let device = self.seen.lock().ok().and_then(|seen| seen.device.clone());
        if let (Some(device), Some(id)) = (device, self.id) {
            if !self.announced.replace(true) {
                (self.started)(id, &device);
            }
        }
        false
    }

    /// A run culprit times out is the guest's hang, unless the lab took the device away
    /// under it (put offline, its worker gone): then its silence proves nothing.
    fn settle(&mut self, ending: Ending) -> Ending {
        let device = self.seen.lock().ok().and_then(|seen| seen.device.clone());
        match (&ending, device) {
            (Ending::WallTimeout | Ending::SilenceTimeout, Some(device)) => {
                match self.lab.device_down(&device) {
                    Ok(Some(why)) => Ending::Lost { reason: why },
                    Ok(None) => ending,
                    Err(err) => Ending::Lost {
                        reason: format!("the lab cannot say whether {device} still runs: {err}"),
                    },
                }
            }
            _ => ending,
        }
    }

    fn cancel(&mut self, interrupted: bool) {
        let Some(id) = self.id else { return };
        if self.lab.cancel(id).is_err() {
            return;
        }
        // After Ctrl-C culprit ends: wait until the job is over, so that nothing of it
        // runs after culprit has returned.
        if interrupted {
            let _ = wait_finished(&self.lab, &[id], CANCEL_PATIENCE);
        }
    }

    fn job(&self) -> Option<RemoteJob> {
        let seen = self.seen.lock().ok();
        Some(RemoteJob {
            name: self.name.clone(),
            id: self.id,
            node: seen.as_ref().and_then(|seen| seen.device.clone()),
            messages: seen.map(|seen| seen.errors.clone()).unwrap_or_default(),
        })
    }
}

/// The thread that polls the job; its result is how the job ended by itself.
struct Stream {
    quit: Arc<AtomicBool>,
    thread: Option<JoinHandle<Ending>>,
    ending: Option<Ending>,
}

impl Stream {
    fn start(
        job: &Submission<'_>,
        id: u64,
        seen: Arc<Mutex<Seen>>,
        tx: SyncSender<Heard>,
    ) -> Stream {
        let quit = Arc::new(AtomicBool::new(false));
        let poll = Poll {
            lab: job.lab.clone(),
            id,
            seen,
            tx,
            quit: quit.clone(),
            queue_timeout: job.queue_timeout,
        };
        Stream {
            quit,
            thread: Some(thread::spawn(move || poll.run())),
            ending: None,
        }
    }

    /// A job that never was: its ending is known at once.
    fn failed(reason: String) -> Stream {
        Stream {
            quit: Arc::new(AtomicBool::new(true)),
            thread: None,
            ending: Some(Ending::Lost { reason }),
        }
    }
}

impl Task for Stream {
    fn ended(&mut self) -> Option<Ending> {
        self.ending.clone()
    }

    fn wait_ended(&mut self, _clocks: &Clocks, _wall: Duration) -> Ending {
        if let Some(thread) = self.thread.take() {
            self.ending = Some(thread.join().unwrap_or_else(|_| Ending::Lost {
                reason: "the thread that followed the LAVA job panicked".into(),
            }));
        }
        self.ending.clone().unwrap_or(Ending::Lost {
            reason: "the LAVA job's end is unknown".into(),
        })
    }

    fn stop(&mut self) {
        self.quit.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Poll {
    lab: Lab,
    id: u64,
    seen: Arc<Mutex<Seen>>,
    tx: SyncSender<Heard>,
    quit: Arc<AtomicBool>,
    queue_timeout: Duration,
}

impl Poll {
    /// Follows the job until it finishes (or culprit stops following it) and says how
    /// it ended; dropping the sender on return tells the runner the output is over.
    fn run(self) -> Ending {
        let submitted = Instant::now();
        let mut lines = 0usize;
        let mut result = None;
        let mut last_answer = Instant::now();
        while !self.quit.load(Ordering::SeqCst) {
            let state = match self.lab.job(self.id) {
                Ok(state) => state,
                Err(err) if last_answer.elapsed() < UNREACHABLE_PATIENCE => {
                    self.note(err.to_string());
                    thread::sleep(POLL);
                    continue;
                }
                Err(err) => {
                    return Ending::Lost {
                        reason: format!("job {}: {err}", self.id),
                    }
                }
            };
            last_answer = Instant::now();
            if let (Some(device), Ok(mut seen)) = (&state.device, self.seen.lock()) {
                seen.device.get_or_insert_with(|| device.clone());
            }
            let waiting = matches!(
                state.state.as_str(),
                "Submitted" | "Scheduling" | "Scheduled"
            );
            if waiting && submitted.elapsed() >= self.queue_timeout {
                let _ = self.lab.cancel(self.id);
                return Ending::Lost {
                    reason: format!(
                        "LAVA job {} did not start within {} s: no device was free to take it",
                        self.id,
                        self.queue_timeout.as_secs()
                    ),
                };
            }
            // The log after the state: a finished job's log is complete.
            if !self.read_log(&mut lines, &mut result) {
                return Ending::Interrupted;
            }
            if state.finished() {
                return ended(self.id, &state, result.as_ref(), &self.errors());
            }
            thread::sleep(POLL);
        }
        Ending::Interrupted
    }

    /// Sends the console lines the log has gained since line `lines`; false when the
    /// runner no longer listens.
    fn read_log(&self, lines: &mut usize, result: &mut Option<JobResult>) -> bool {
        let text = match self.lab.log(self.id, *lines) {
            Ok(Some(text)) => text,
            Ok(None) => return true,
            Err(err) => {
                // Read again at the next poll.
                self.note(err.to_string());
                return true;
            }
        };
        let mut console = String::new();
        // Only whole lines: a line still being written is read again next time.
        for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            *lines += 1;
            match log::entry(line) {
                log::Entry::Console(msg) => {
                    console.push_str(&msg);
                    console.push('\n');
                }
                log::Entry::JobResult {
                    pass,
                    error_type,
                    error_msg,
                } => {
                    *result = Some(JobResult {
                        pass,
                        error_type,
                        error_msg,
                    })
                }
                log::Entry::Error(msg) => self.note(msg),
                log::Entry::Other => {}
            }
        }
        console.is_empty() || self.tx.send(Heard::Console(console.into_bytes())).is_ok()
    }

    fn note(&self, message: String) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.errors.len() == 10 {
                seen.errors.remove(0);
            }
            seen.errors.push(message);
        }
    }

    fn errors(&self) -> Vec<String> {
        self.seen
            .lock()
            .map(|seen| seen.errors.clone())
            .unwrap_or_default()
    }
}

/// The `job` result of the `lava` suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobResult {
    pub pass: bool,
    pub error_type: Option<String>,
    pub error_msg: Option<String>,
}

/// LAVA's error types that are the lab's fault, never the guest's.
const LAB_ERRORS: &[&str] = &["Infrastructure", "Configuration", "Bug", "Canceled"];

/// How a job that finished by itself (culprit did not cancel it) ended, for the
/// classifier: Complete is an exit with status 0; the lab's own faults are `Lost`; a
/// LAVA action timeout is the wall timeout; other failures are an exit with status 1,
/// which the console then explains.
pub fn ended(id: u64, state: &JobState, result: Option<&JobResult>, errors: &[String]) -> Ending {
    let device = state.device.as_deref().unwrap_or("no device");
    let lost = |why: String| Ending::Lost {
        reason: format!("LAVA job {id} on {device}: {why}"),
    };
    match state.health.as_str() {
        "Complete" => Ending::Exited { code: 0 },
        "Canceled" => lost("canceled on the server, not by culprit".into()),
        _ => match result.and_then(|r| r.error_type.as_deref()) {
            Some(kind) if LAB_ERRORS.contains(&kind) => {
                let msg = result.and_then(|r| r.error_msg.clone()).unwrap_or_default();
                lost(format!("{}, error type {kind}: {msg}", state.health))
            }
            Some("LAVATimeout") => Ending::WallTimeout,
            Some(_) => Ending::Exited { code: 1 },
            None => lost(format!(
                "{} without a result ({})",
                state.health,
                errors
                    .last()
                    .map(String::as_str)
                    .unwrap_or("LAVA said nothing")
            )),
        },
    }
}

/// Cancels the unfinished jobs named `names` (a killed culprit's) and waits up to
/// `patience` for them to finish. Returns the ids it cancelled.
pub fn cancel_named(
    lab: &Lab,
    names: &[String],
    patience: Duration,
) -> Result<Vec<u64>, LavaError> {
    let mut ids = Vec::new();
    for name in names {
        ids.extend(lab.unfinished_named(name)?);
    }
    for id in &ids {
        lab.cancel(*id)?;
    }
    wait_finished(lab, &ids, patience)?;
    Ok(ids)
}

/// Waits until every job in `ids` has finished, or `patience` ran out.
fn wait_finished(lab: &Lab, ids: &[u64], patience: Duration) -> Result<(), LavaError> {
    let deadline = Instant::now() + patience;
    for id in ids {
        while !lab.job(*id)?.finished() && Instant::now() < deadline {
            thread::sleep(POLL);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(health: &str) -> JobState {
        JobState {
            state: "Finished".into(),
            health: health.into(),
            device: Some("qemu-01".into()),
        }
    }

    fn failed(kind: &str) -> JobResult {
        JobResult {
            pass: false,
            error_type: Some(kind.into()),
            error_msg: Some("Connection closed".into()),
        }
    }

    #[test]
    fn the_lab_s_faults_are_lost_runs_and_the_guest_s_are_exits() {
        assert_eq!(
            ended(7, &state("Complete"), None, &[]),
            Ending::Exited { code: 0 }
        );
        let infra = ended(
            7,
            &state("Incomplete"),
            Some(&failed("Infrastructure")),
            &[],
        );
        assert_eq!(
            infra,
            Ending::Lost {
                reason: "LAVA job 7 on qemu-01: Incomplete, error type Infrastructure: Connection closed".into()
            }
        );
        assert!(matches!(
            ended(7, &state("Canceled"), None, &[]),
            Ending::Lost { .. }
        ));
        assert!(matches!(
            ended(7, &state("Incomplete"), None, &["boom".into()]),
            Ending::Lost { reason } if reason.contains("boom")
        ));
        assert_eq!(
            ended(7, &state("Incomplete"), Some(&failed("LAVATimeout")), &[]),
            Ending::WallTimeout
        );
        assert_eq!(
            ended(7, &state("Incomplete"), Some(&failed("Test")), &[]),
            Ending::Exited { code: 1 }
        );
    }
}
