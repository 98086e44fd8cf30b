//! A hunt's session: running steps through the executor, recording each in the journal
//! as it finishes, and replaying recorded steps when a killed session resumes.
//!
//! Drivers (commit bisection, configuration bisection) ask for steps by (phase, key);
//! a step the journal already holds for this session is answered from it, so a resumed
//! driver, being deterministic, walks the same path without running anything twice.

use crate::config::Config;
use crate::error::HuntError;
use crate::error::{Context, Result};
use crate::executor::{Executor, Job, Prepare};
use crate::journal::{now, Journal};
use crate::observe::Observer;
use crate::step::{ArtifactCache, StepResult};
use crate::target::Target;
use culprit_exec::StopFlag;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// One step a driver wants.
#[derive(Clone, Debug)]
pub struct Request {
    /// What the step is for (`endpoint-bad`, `search`, `verify`, ...).
    pub phase: String,
    /// The candidate it tests (a commit id, an artifact, a configuration digest).
    pub key: String,
    pub prepare: Prepare,
    pub tests: Vec<String>,
    pub placeholders: Vec<(&'static str, String)>,
    /// Tests whose target, once seen, ends the step early.
    pub stop_at: BTreeMap<String, Target>,
    /// A configuration to write and normalize before the build.
    pub config_text: Option<String>,
    /// Reuse a result measured in any earlier session with this key.
    pub cache_key: Option<String>,
    /// Extra facts about the candidate kept in the journal (e.g. the applied options).
    pub note: Value,
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
}

pub struct Session<'a> {
    pub id: i64,
    pub journal: Journal,
    pub executor: Executor,
    pub config: &'a Config,
    pub stop: StopFlag,
    pub observer: Arc<dyn Observer>,
    artifacts: Arc<ArtifactCache>,
    replay: BTreeMap<(String, String), VecDeque<StepResult>>,
    next_seq: i64,
    /// Every step of the session, in the order the driver saw them.
    pub history: Vec<(StepCandidate, StepResult, Source)>,
}

impl<'a> Session<'a> {
    /// Opens session `id`, loading its recorded steps for replay.
    pub fn new(
        id: i64,
        journal: Journal,
        executor: Executor,
        config: &'a Config,
        stop: StopFlag,
        observer: Arc<dyn Observer>,
    ) -> Result<Session<'a>> {
        let mut replay: BTreeMap<(String, String), VecDeque<StepResult>> = BTreeMap::new();
        let mut next_seq = 1;
        for row in journal.steps(id)? {
            next_seq = next_seq.max(row.seq + 1);
            let candidate: StepCandidate = serde_json::from_value(row.candidate)
                .context("the journal holds a step of another kind; start a new session")?;
            replay
                .entry((candidate.phase, candidate.key))
                .or_default()
                .push_back(row.result);
        }
        Ok(Session {
            id,
            journal,
            executor,
            config,
            stop,
            observer,
            artifacts: Arc::default(),
            replay,
            next_seq,
            history: Vec::new(),
        })
    }

    pub fn interrupted(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Runs (or replays, or takes from the cache) every request, in parallel up to the
    /// executor's workers, and returns the results in request order.
    pub fn run(&mut self, requests: Vec<Request>) -> Result<Vec<StepResult>> {
        let mut results: Vec<Option<StepResult>> = vec![None; requests.len()];
        let mut jobs = Vec::new();
        let mut job_request = Vec::new();
        for (i, request) in requests.iter().enumerate() {
            let replayed = self
                .replay
                .get_mut(&(request.phase.clone(), request.key.clone()))
                .and_then(VecDeque::pop_front);
            if let Some(result) = replayed {
                self.history
                    .push((candidate(request, false), result.clone(), Source::Replayed));
                results[i] = Some(result);
                continue;
            }
            let cached = match &request.cache_key {
                Some(key) => self.journal.cached(key)?,
                None => None,
            };
            if let Some(cached) = cached.filter(|c| !c.infra_failed()) {
                let seq = self.take_seq();
                self.journal.record_step(
                    self.id,
                    seq,
                    &serde_json::to_value(candidate(request, true))?,
                    request.cache_key.as_deref(),
                    &cached,
                    now(),
                )?;
                self.history
                    .push((candidate(request, true), cached.clone(), Source::Cached));
                results[i] = Some(cached);
                continue;
            }
            let seq = self.take_seq();
            jobs.push(Job {
                prepare: request.prepare.clone(),
                seq,
                logs: self.journal.step_dir(self.id, seq)?,
                tests: request.tests.clone(),
                placeholders: request.placeholders.clone(),
                stop_at: request.stop_at.clone(),
                config_text: request.config_text.clone(),
                label: request.key.chars().take(12).collect(),
                // Only steps whose result may come from elsewhere (the search of a
                // deterministic hunt) may take it from identical artifacts.
                artifact_cache: request.cache_key.as_ref().map(|_| self.artifacts.clone()),
            });
            job_request.push(i);
        }
        for chunk in jobs.chunks(self.executor.workers()) {
            let started = now();
            let mut finished = Vec::new();
            let id = self.id;
            let journal = &mut self.journal;
            let stop = self.stop.clone();
            let observer = self.observer.clone();
            self.executor.run_batch(
                self.config,
                chunk.to_vec(),
                &stop,
                &observer,
                |job, result| {
                    let result = result?;
                    let index = jobs_index(&jobs, job.seq);
                    let request = &requests[job_request[index]];
                    if !result.interrupted() {
                        journal.record_step(
                            id,
                            job.seq,
                            &serde_json::to_value(candidate(request, false))?,
                            request.cache_key.as_deref(),
                            &result,
                            started,
                        )?;
                    }
                    finished.push((index, result));
                    Ok(())
                },
            )?;
            for (index, result) in finished {
                let request = &requests[job_request[index]];
                self.history
                    .push((candidate(request, false), result.clone(), Source::Ran));
                results[job_request[index]] = Some(result);
            }
            if self.interrupted() {
                break;
            }
        }
        if self.interrupted() {
            return Err(HuntError::Interrupted);
        }
        results
            .into_iter()
            .map(|r| r.context("a step produced no result"))
            .collect()
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
            counts.builds += usize::from(result.build.is_some());
            if result.reused_artifacts {
                counts.reused += 1;
                continue;
            }
            counts.runs += result.tests.iter().filter(|t| t.duration_s > 0.0).count();
        }
        counts
    }
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Counts {
    pub steps: usize,
    pub builds: usize,
    /// Test runs (boots) that really happened.
    pub runs: usize,
    /// Steps answered from an earlier session's results.
    pub cached: usize,
    /// Steps whose artifacts were identical to an earlier step's: built, not booted.
    pub reused: usize,
}

fn jobs_index(jobs: &[Job], seq: i64) -> usize {
    jobs.iter().position(|j| j.seq == seq).unwrap_or(0)
}

fn candidate(request: &Request, cached: bool) -> StepCandidate {
    StepCandidate {
        phase: request.phase.clone(),
        key: request.key.clone(),
        note: request.note.clone(),
        cached,
    }
}
