//! What a hunt shows while it runs.
//!
//! On a terminal: a live display (indicatif) with the suspects left, what each worker is
//! doing, the runs so far and an ETA from measured step times. Elsewhere (a pipe, a log
//! file, CI): plain lines, one per event, that read well in a CI log.

use crate::story::Story;
use crate::view::width;
use culprit_hunt::observe::{Event, Observer};
use culprit_hunt::told::Told;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Shared between the driver and the workers' threads.
pub struct Progress {
    live: Option<Live>,
    story: Mutex<Story>,
    /// Durations of finished steps, for the ETA.
    step_seconds: Mutex<Vec<f64>>,
}

struct Live {
    multi: MultiProgress,
    summary: ProgressBar,
    workers: Mutex<Vec<ProgressBar>>,
}

impl Progress {
    /// Live when stderr is a terminal and not under CI. With `--json` too: the document
    /// goes to stdout, so stderr is free to show how the hunt goes. `brief`: the story's
    /// milestones only (see [`Story`]).
    pub fn new(brief: bool) -> Arc<Progress> {
        let live =
            (std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()).then(|| {
                let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
                let summary = multi.add(ProgressBar::new_spinner());
                summary.set_style(
                    ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                summary.enable_steady_tick(Duration::from_millis(120));
                Live {
                    multi,
                    summary,
                    workers: Mutex::new(Vec::new()),
                }
            });
        Arc::new(Progress {
            live,
            story: Mutex::new(Story::new(width().saturating_sub("culprit: ".len()), brief)),
            step_seconds: Mutex::new(Vec::new()),
        })
    }

    /// The line that stays for an event of the hunt, as the story words it.
    fn told(&self, told: &Told) {
        let Some(text) = self.story.lock().ok().and_then(|mut s| s.line(told)) else {
            return;
        };
        match &self.live {
            Some(live) => live.multi.suspend(|| eprintln!("culprit: {text}")),
            None => eprintln!("culprit: {text}"),
        }
    }

    /// The status line: suspects left, runs so far and the ETA.
    fn status(
        &self,
        suspects: Option<usize>,
        runs: usize,
        steps_left: Option<usize>,
        workers: usize,
    ) {
        let Some(live) = &self.live else {
            return;
        };
        let mut text = String::new();
        if let Some(suspects) = suspects {
            text.push_str(&format!("{suspects} suspects left · "));
        }
        text.push_str(&format!("{runs} runs"));
        if let Some(eta) = steps_left.and_then(|left| self.eta(left, workers)) {
            text.push_str(&format!(" · ETA {}", clock(eta)));
        }
        live.summary.set_message(text);
    }

    /// Shows `text` on the status line of worker `i`.
    fn worker(&self, i: usize, text: &str) {
        let Some(live) = &self.live else {
            return;
        };
        let Ok(mut workers) = live.workers.lock() else {
            return;
        };
        while workers.len() <= i {
            let bar = live.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("  {prefix} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(format!("worker {}:", workers.len() + 1));
            workers.push(bar);
        }
        workers[i].set_message(text.to_string());
    }

    /// Names where worker `i`'s step runs in front of its line.
    fn placed(&self, i: usize, place: &str) {
        self.worker(i, "");
        if let Some(bar) = self
            .live
            .as_ref()
            .and_then(|live| live.workers.lock().ok()?.get(i).cloned())
        {
            bar.set_prefix(format!("{place}:"));
        }
    }

    fn step_finished(&self, seconds: f64) {
        if let Ok(mut times) = self.step_seconds.lock() {
            times.push(seconds);
        }
    }

    /// Measured mean step time × steps left ÷ workers.
    fn eta(&self, steps_left: usize, workers: usize) -> Option<Duration> {
        let times = self.step_seconds.lock().ok()?;
        if times.is_empty() {
            return None;
        }
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let rounds = steps_left.div_ceil(workers.max(1));
        Some(Duration::from_secs_f64(mean * rounds as f64))
    }

    /// Removes the live display before the final report is printed.
    pub fn finish(&self) {
        if let Some(live) = &self.live {
            if let Ok(workers) = live.workers.lock() {
                for bar in workers.iter() {
                    bar.finish_and_clear();
                }
            }
            live.summary.finish_and_clear();
        }
    }
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

impl Observer for Progress {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::Told(told) => self.told(told),
            Event::Status {
                suspects,
                runs,
                steps_left,
                workers,
            } => self.status(suspects, runs, steps_left, workers),
            Event::StepStarted { worker, label } => {
                self.worker(worker, &format!("starting {label}"))
            }
            Event::Activity { worker, text } => self.worker(worker, text),
            Event::Placed { worker, place } => self.placed(worker, &place.describe()),
            Event::StepFinished { worker, seconds } => {
                self.worker(worker, "idle");
                self.step_finished(seconds);
            }
        }
    }
}
