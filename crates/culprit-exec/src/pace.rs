//! A run's pace as it happens: when output came and when the classifier moved to each
//! stage, kept as the `Timeline` that passing runs teach later runs' deadlines with.

use culprit_console::{Classifier, Deadline, LearnedHang, Timeline};
use std::time::Duration;

pub(crate) struct Pace {
    timeline: Timeline,
    /// When the last output came (the start until some does).
    last_output: Duration,
}

impl Pace {
    pub(crate) fn new(classifier: &Classifier) -> Pace {
        Pace {
            timeline: Timeline {
                stages: vec![(classifier.stage().to_string(), 0.0)],
                ..Timeline::default()
            },
            last_output: Duration::ZERO,
        }
    }

    /// Output came at `now`, and the classifier has read it.
    pub(crate) fn heard(&mut self, now: Duration, classifier: &Classifier) {
        let timeline = &mut self.timeline;
        let gap = now.saturating_sub(self.last_output).as_secs_f64();
        timeline.longest_silence = timeline.longest_silence.max(gap);
        timeline.first_output.get_or_insert(now.as_secs_f64());
        self.last_output = now;
        let stage = classifier.stage();
        if timeline.stages.last().is_none_or(|(last, _)| last != stage) {
            timeline.stages.push((stage.to_string(), now.as_secs_f64()));
        }
    }

    /// Whether `deadline` has run out at `now`.
    pub(crate) fn expired(
        &self,
        deadline: &Deadline,
        now: Duration,
        classifier: &Classifier,
    ) -> Option<LearnedHang> {
        let silent = now.saturating_sub(self.last_output).as_secs_f64();
        deadline.expired(classifier.stage(), now.as_secs_f64(), silent)
    }

    pub(crate) fn finish(mut self, end: Duration) -> Timeline {
        self.timeline.end = end.as_secs_f64();
        self.timeline
    }
}
