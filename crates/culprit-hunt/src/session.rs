//! A hunt's session: running steps through the executor, recording each in the journal
//! as it finishes, and replaying recorded steps when a killed session resumes.
//!
//! Drivers (commit bisection, configuration bisection) submit steps by (phase, key) and
//! take them back as they finish, so each free worker gets the next candidate at once.
//! A step the journal already holds for this session is answered from it, so a resumed
//! driver walks its path again without running anything twice. With several workers the
//! path depends on timing as well as on results: which steps had ended, and whether a
//! worker was free, when the driver chose the next candidate. So the journal keeps when
//! the driver took each step, and a replayed step stays in flight, holding a worker,
//! until the moment it was taken before: the driver sees what it saw then, and chooses
//! the same candidates.

use crate::error::{Context, HuntError, Result};
use crate::executor::{Executor, Finished, Job, Work};
use crate::journal::{now, Journal};
use crate::manifest::Manifest;
use crate::observe::Observer;
use crate::pace::{Pace, PaceBook};
use crate::record::{fixups_label, StepResult};
use crate::step::ArtifactCache;
use crate::told::Told;
use culprit_exec::StopFlag;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// One step a driver wants.
#[derive(Clone, Debug)]
pub struct Request {
    /// What the step is for (`endpoint-bad`, `search`, `verify`, ...).
    pub phase: String,
    /// The candidate it tests (a commit id, an artifact, a configuration digest).
    pub key: String,
    pub work: Work,
    /// Reuse a result measured in any earlier session with this key.
    pub cache_key: Option<String>,
    /// Extra facts about the candidate kept in the journal (e.g. the applied options).
    pub note: Value,
    /// Hold its runs to the deadlines learned from passing runs (see `crate::pace`).
    pub learned_deadlines: bool,
}

/// How a step's result was obtained, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Ran,
    Replayed,
    Cached,
}

/// The candidate record the journal keeps with each step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepCandidate {
    pub phase: String,
    pub key: String,
    #[serde(default)]
    pub note: Value,
    #[serde(default)]
    pub cached: bool,
    /// How many steps the driver had taken before this one (see [`Taken`]); absent for
    /// a step it never took (interrupted), or one answered at once (cached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken: Option<Taken>,
}

/// When the driver took a step, for a resumed session to hand it back at that moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    /// Steps the driver had taken from `next_finished` before this one.
    pub after: u64,
    /// It had ended with the step taken before it, so the driver took both before
    /// choosing again.
    #[serde(default)]
    pub with_previous: bool,
}

/// A recorded step a resumed session answers from the journal.
struct Recorded {
    result: StepResult,
    taken: Option<Taken>,
    cached: bool,
}

/// A replayed step the driver has submitted but not taken yet.
struct InFlight {
    ticket: Ticket,
    result: StepResult,
    taken: Option<Taken>,
}

/// Names one submitted step until its result comes back.
pub type Ticket = u64;

/// A submitted step that is running or waiting for a worker.
struct Running {
    ticket: Ticket,
    request: Request,
    started: f64,
}

pub struct Session<'a> {
    pub id: i64,
    pub journal: Journal,
    executor: Box<dyn Executor + 'a>,
    pub manifest: &'a Manifest,
    pub stop: StopFlag,
    pub observer: Arc<dyn Observer>,
    artifacts: Arc<ArtifactCache>,
    pace: Arc<PaceBook>,
    replay: BTreeMap<(String, String), VecDeque<Recorded>>,
    /// Replayed steps submitted and not taken yet; each holds a worker, as it did.
    in_flight: Vec<InFlight>,
    /// Steps the driver has taken from `next_finished`.
    taken: u64,
    next_seq: i64,
    next_ticket: Ticket,
    /// Workers with nothing to do, lowest first.
    free: BTreeSet<usize>,
    /// Jobs waiting for a free worker, in the order they were submitted.
    queue: VecDeque<Job>,
    /// The work each worker was last given: what its build directory holds.
    last_work: Vec<Option<Work>>,
    /// Submitted jobs not handed back yet, by sequence number.
    running: BTreeMap<i64, Running>,
    /// Results known without running anything (replayed, cached), handed back first.
    ready: VecDeque<(Ticket, StepResult)>,
    /// Tickets answered from this session's journal after a resume: their lines were
    /// shown by the killed run, so drivers mark them instead of announcing them as new.
    replayed: BTreeSet<Ticket>,
    /// Every step of the session, in the order the driver saw them.
    pub history: Vec<(StepCandidate, StepResult, Source)>,
}

impl<'a> Session<'a> {
    /// Opens session `id`, loading its recorded steps for replay.
    pub fn new(
        id: i64,
        journal: Journal,
        executor: Box<dyn Executor + 'a>,
        manifest: &'a Manifest,
        stop: StopFlag,
        observer: Arc<dyn Observer>,
    ) -> Result<Session<'a>> {
        let mut replay: BTreeMap<(String, String), VecDeque<Recorded>> = BTreeMap::new();
        let mut next_seq = 1;
        for row in journal.steps(id)? {
            next_seq = next_seq.max(row.seq + 1);
            let candidate: StepCandidate = serde_json::from_value(row.candidate)
                .context("the journal holds a step of another kind; start a new session")?;
            replay
                .entry((candidate.phase, candidate.key))
                .or_default()
                .push_back(Recorded {
                    result: row.result,
                    taken: candidate.taken,
                    cached: candidate.cached,
                });
        }
        let recorded: usize = replay.values().map(VecDeque::len).sum();
        if recorded > 0 {
            observer.tell(Told::Resumed { steps: recorded });
        }
        let free = (0..executor.workers()).collect();
        let last_work = vec![None; executor.workers()];
        Ok(Session {
            id,
            journal,
            executor,
            manifest,
            stop,
            observer,
            artifacts: Arc::default(),
            pace: Arc::default(),
            replay,
            in_flight: Vec::new(),
            taken: 0,
            next_seq,
            next_ticket: 0,
            free,
            queue: VecDeque::new(),
            last_work,
            running: BTreeMap::new(),
            ready: VecDeque::new(),
            replayed: BTreeSet::new(),
            history: Vec::new(),
        })
    }

    pub fn interrupted(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn workers(&self) -> usize {
        self.executor.workers()
    }

    /// Whether a step submitted now would start at once, and no finished step is
    /// waiting to be taken: the moment to ask the strategy for another candidate.
    /// Never after Ctrl-C: no new step starts then. A replayed step in flight holds a
    /// worker, as it did when it ran.
    pub fn wants_work(&self) -> bool {
        !self.interrupted()
            && self.ready.is_empty()
            && self.free.len() > self.queue.len() + self.in_flight.len()
    }

    /// Whether `ticket`'s step is one a resumed session takes from its journal.
    pub fn replayed(&self, ticket: Ticket) -> bool {
        self.replayed.contains(&ticket)
    }

    /// Steps submitted and not taken back yet.
    pub fn pending(&self) -> usize {
        self.ready.len() + self.running.len() + self.in_flight.len()
    }

    /// Submits one step: it starts as soon as a worker is free (at once when one is),
    /// or is answered from the journal. Its result comes back from [`next_finished`](Self::next_finished).
    pub fn submit(&mut self, request: Request) -> Result<Ticket> {
        let ticket = self.enqueue(request)?;
        self.dispatch()?;
        Ok(ticket)
    }

    /// [`submit`](Self::submit) without giving the step to a worker yet.
    fn enqueue(&mut self, request: Request) -> Result<Ticket> {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        let replayed = self
            .replay
            .get_mut(&(request.phase.clone(), request.key.clone()))
            .and_then(VecDeque::pop_front);
        if let Some(recorded) = replayed {
            self.pace.learn_from(&recorded.result);
            self.history.push((
                candidate(&request, false),
                recorded.result.clone(),
                Source::Replayed,
            ));
            self.replayed.insert(ticket);
            if recorded.cached {
                // A cached answer came back at once then, too.
                self.ready.push_back((ticket, recorded.result));
            } else {
                self.in_flight.push(InFlight {
                    ticket,
                    result: recorded.result,
                    taken: recorded.taken,
                });
            }
            return Ok(ticket);
        }
        let cached = match &request.cache_key {
            Some(key) => self.journal.cached(key)?,
            None => None,
        };
        if let Some(cached) = cached.filter(|c| !c.infra_failed()) {
            self.pace.learn_from(&cached);
            let seq = self.take_seq();
            self.journal.record_step(
                self.id,
                seq,
                &serde_json::to_value(candidate(&request, true))?,
                request.cache_key.as_deref(),
                &cached,
                now(),
            )?;
            self.history
                .push((candidate(&request, true), cached.clone(), Source::Cached));
            self.ready.push_back((ticket, cached));
            return Ok(ticket);
        }
        let seq = self.take_seq();
        self.queue.push_back(Job {
            work: request.work.clone(),
            seq,
            logs: self.journal.step_dir(self.id, seq)?,
            label: job_label(&request),
            // Only steps whose result may come from elsewhere (the search of a
            // deterministic hunt) may take it from identical artifacts.
            artifact_cache: request.cache_key.as_ref().map(|_| self.artifacts.clone()),
            pace: Some(Pace {
                book: self.pace.clone(),
                margin: self
                    .manifest
                    .bisect
                    .learned_deadlines
                    .0
                    .filter(|_| request.learned_deadlines),
            }),
        });
        self.running.insert(
            seq,
            Running {
                ticket,
                request,
                started: now(),
            },
        );
        Ok(ticket)
    }

    /// Gives queued jobs to free workers: first each free worker the job whose build
    /// its directory already holds (see `crate::kept_build`), then the others in the
    /// order they were submitted.
    fn dispatch(&mut self) -> Result<()> {
        let free: Vec<usize> = self.free.iter().copied().collect();
        for worker in free {
            let last = self.last_work.get(worker).and_then(Option::as_ref);
            let same =
                last.and_then(|last| self.queue.iter().position(|j| j.work.same_build(last)));
            if let Some(job) = same.and_then(|i| self.queue.remove(i)) {
                self.start(worker, job)?;
            }
        }
        while !self.queue.is_empty() {
            let Some(&worker) = self.free.first() else {
                break;
            };
            let Some(job) = self.queue.pop_front() else {
                break;
            };
            self.start(worker, job)?;
        }
        Ok(())
    }

    fn start(&mut self, worker: usize, job: Job) -> Result<()> {
        self.free.remove(&worker);
        if let Some(running) = self.running.get_mut(&job.seq) {
            running.started = now();
        }
        if let Some(last) = self.last_work.get_mut(worker) {
            *last = Some(job.work.clone());
        }
        self.executor.start(worker, job)
    }

    /// The next step to finish (answers from the journal first), recorded in the
    /// journal; `None` when nothing is pending. After Ctrl-C it waits for the running
    /// steps to stop and reports the interruption.
    pub fn next_finished(&mut self) -> Result<Option<(Ticket, StepResult)>> {
        let next = self.next_to_take()?;
        if next.is_some() {
            self.taken += 1;
        }
        Ok(next)
    }

    fn next_to_take(&mut self) -> Result<Option<(Ticket, StepResult)>> {
        if self.interrupted() {
            return Err(self.stop_all());
        }
        if let Some(ready) = self.ready.pop_front() {
            return Ok(Some(ready));
        }
        if let Some(replayed) = self.land_in_flight() {
            return Ok(Some(replayed));
        }
        let Some(finished) = self.executor.wait() else {
            return Ok(None);
        };
        let first = self.take(finished, self.taken, false)?;
        // Steps that ended at the same moment are taken too, so that the driver sees
        // all their results before it chooses the next candidate.
        while let Some(finished) = self.executor.try_wait() {
            let after = self.taken + 1 + self.ready.len() as u64;
            let also = self.take(finished, after, true)?;
            self.ready.push_back(also);
        }
        if self.interrupted() {
            return Err(self.stop_all());
        }
        self.dispatch()?;
        Ok(Some(first))
    }

    /// The replayed step in flight the driver took first when it ran (those it never
    /// took last, in the order submitted), with those it took together with it put in
    /// `ready`. Results already known come before any step still running: they had
    /// ended before the session was killed.
    fn land_in_flight(&mut self) -> Option<(Ticket, StepResult)> {
        let order = |f: &InFlight| (f.taken.map_or(u64::MAX, |t| t.after), f.ticket);
        let first = (0..self.in_flight.len()).min_by_key(|&i| order(&self.in_flight[i]))?;
        let landed = self.in_flight.remove(first);
        let mut next = landed.taken.map(|t| Taken {
            after: t.after + 1,
            with_previous: true,
        });
        while let Some(i) = self
            .in_flight
            .iter()
            .position(|f| next.is_some() && f.taken == next)
        {
            let also = self.in_flight.remove(i);
            self.ready.push_back((also.ticket, also.result));
            next = next.map(|t| Taken {
                after: t.after + 1,
                ..t
            });
        }
        Some((landed.ticket, landed.result))
    }

    /// Frees the worker of a step that ended and records its result, with when the
    /// driver takes it: after `after` steps, right after the one before when
    /// `with_previous`.
    fn take(
        &mut self,
        finished: Finished,
        after: u64,
        with_previous: bool,
    ) -> Result<(Ticket, StepResult)> {
        self.free.insert(finished.worker);
        let running = self
            .running
            .remove(&finished.job.seq)
            .context("a step came back that was never submitted; this is a bug in culprit")?;
        let result = finished.result?;
        let taken = Taken {
            after,
            with_previous,
        };
        self.record(&finished.job, &running, &result, Some(taken))?;
        Ok((running.ticket, result))
    }

    fn record(
        &mut self,
        job: &Job,
        running: &Running,
        result: &StepResult,
        taken: Option<Taken>,
    ) -> Result<()> {
        if result.interrupted() {
            return Ok(());
        }
        let mut recorded = candidate(&running.request, false);
        recorded.taken = taken;
        self.journal.record_step(
            self.id,
            job.seq,
            &serde_json::to_value(recorded)?,
            running.request.cache_key.as_deref(),
            result,
            running.started,
        )?;
        self.history.push((
            candidate(&running.request, false),
            result.clone(),
            Source::Ran,
        ));
        Ok(())
    }

    /// Waits for every running step (each sees the stop flag and stops its commands),
    /// keeping those that finished, and returns the interruption.
    fn stop_all(&mut self) -> HuntError {
        self.queue.clear();
        while let Some(finished) = self.executor.wait() {
            self.free.insert(finished.worker);
            let Some(running) = self.running.remove(&finished.job.seq) else {
                continue;
            };
            if let Ok(result) = &finished.result {
                // The interruption is what the user must hear about; a journal that
                // cannot take this step only costs a rerun after --resume.
                let _ = self.record(&finished.job, &running, result, None);
            }
        }
        self.running.clear();
        self.in_flight.clear();
        HuntError::Interrupted
    }

    /// Runs (or replays, or takes from the cache) every request, in parallel up to the
    /// executor's workers, and returns the results in request order.
    pub fn run(&mut self, requests: Vec<Request>) -> Result<Vec<StepResult>> {
        let mut tickets = BTreeMap::new();
        for (i, request) in requests.into_iter().enumerate() {
            tickets.insert(self.enqueue(request)?, i);
        }
        // All queued before any starts, so each free worker can take the one it built.
        self.dispatch()?;
        let mut results: Vec<Option<StepResult>> = vec![None; tickets.len()];
        let mut others = Vec::new();
        while results.iter().any(Option::is_none) {
            let Some((ticket, result)) = self.next_finished()? else {
                break;
            };
            match tickets.get(&ticket) {
                Some(&i) => results[i] = Some(result),
                None => others.push((ticket, result)),
            }
        }
        // Steps a driver submitted before this call are still its to take.
        self.put_back(others);
        results
            .into_iter()
            .map(|r| r.context("a step produced no result"))
            .collect()
    }

    /// Steps a driver took from [`next_finished`](Self::next_finished) but leaves for
    /// later: it answers them again first, in the order given.
    pub fn put_back(&mut self, taken: Vec<(Ticket, StepResult)>) {
        for step in taken.into_iter().rev() {
            self.ready.push_front(step);
        }
    }

    fn take_seq(&mut self) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Steps, builds and test boots so far (replayed ones count: this session ran
    /// them; cached ones do not: nothing ran).
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for (_, result, source) in &self.history {
            counts.steps += 1;
            if *source == Source::Cached {
                counts.cached += 1;
                continue;
            }
            counts.builds += usize::from(result.build.is_some() && !result.kept_build);
            counts.kept_builds += usize::from(result.kept_build);
            if result.reused_artifacts {
                counts.reused += 1;
                continue;
            }
            counts.runs += result.tests.iter().filter(|t| t.duration_s > 0.0).count();
        }
        counts
    }

    /// The runs this session retried after a lab fault, by cause (answers from earlier
    /// sessions retried nothing here).
    pub fn retried(&self) -> Vec<crate::infra::Retried> {
        crate::infra::retried(
            self.history
                .iter()
                .filter(|(_, _, source)| *source != Source::Cached)
                .map(|(_, result, _)| result),
        )
    }
}

/// What a hunt did, kept in both hunts' results (and in their `--json` documents, as
/// top-level fields).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counts {
    pub steps: usize,
    pub builds: usize,
    /// Test runs (boots) that really happened.
    pub runs: usize,
    /// Steps answered from an earlier session's results.
    pub cached: usize,
    /// Steps whose artifacts were identical to an earlier step's: built, not booted.
    pub reused: usize,
    /// Steps whose worker's build directory already held their build: not built again
    /// (see `crate::kept_build`).
    pub kept_builds: usize,
}

/// How the live display names a step's candidate: its short key, with its fixups.
fn job_label(request: &Request) -> String {
    let key: String = request.key.chars().take(12).collect();
    if request.work.fixups.is_empty() {
        key
    } else {
        format!("{key} + {}", fixups_label(&request.work.fixups))
    }
}

fn candidate(request: &Request, cached: bool) -> StepCandidate {
    StepCandidate {
        phase: request.phase.clone(),
        key: request.key.clone(),
        note: request.note.clone(),
        cached,
        taken: None,
    }
}
