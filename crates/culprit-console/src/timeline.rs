//! Learned hang deadlines: how long passing runs of a test took to get past each point
//! of their boot, and when a later run has stayed stuck far longer than that.
//!
//! A fixed `silence` or `timeout` has to fit the slowest boot anyone will ever test, so
//! a guest that spins silently before its first line costs the whole of it, even when
//! good boots print their success marker within a second. Passing runs tell the real
//! pace: a run still at a stage, and silent, several times longer than any passing run
//! needed to leave that stage and to break its longest silence is not going to finish.
//!
//! Both conditions scale with the guest's speed, so a boot up to `factor` times slower
//! than every passing run is never cut short (the property the tests check); the `plus`
//! seconds absorb the noise of short boots. Pure: the runner measures, this decides.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What one run showed of its pace, in seconds since it started.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// When the first output came; `None` when nothing came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_output: Option<f64>,
    /// Each stage the run was at, with when it got there (the first at 0), in order.
    #[serde(default)]
    pub stages: Vec<(String, f64)>,
    /// The longest time without output, counting the wait for the first line.
    #[serde(default)]
    pub longest_silence: f64,
    /// When the run ended.
    pub end: f64,
}

impl Timeline {
    /// When the run left each stage it was at: when it reached the next, or its end.
    fn left(&self) -> impl Iterator<Item = (&str, f64)> {
        self.stages.iter().enumerate().map(|(i, (stage, _))| {
            let left = self.stages.get(i + 1).map_or(self.end, |(_, at)| *at);
            (stage.as_str(), left)
        })
    }
}

/// `[bisect] learned_deadlines`: a deadline is `factor` times what passing runs took,
/// plus `plus` seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Margin {
    pub factor: f64,
    pub plus: f64,
}

impl Margin {
    /// The default: four times the passing runs' time plus five seconds.
    pub const DEFAULT: Margin = Margin {
        factor: 4.0,
        plus: 5.0,
    };

    /// Reads `"4x+5s"` (`"3x"`, `"2.5x+10s"`); `"off"` is `None`.
    pub fn parse(text: &str) -> Result<Option<Margin>, String> {
        let text = text.trim();
        if text == "off" {
            return Ok(None);
        }
        let refuse = || {
            format!("`{text}` is not a learned deadline margin; write it as FACTORx+SECONDSs (e.g. \"4x+5s\"), or \"off\"")
        };
        let (factor, plus) = match text.split_once('+') {
            Some((factor, plus)) => (factor.trim(), Some(plus.trim())),
            None => (text, None),
        };
        let factor: f64 = factor
            .strip_suffix('x')
            .and_then(|f| f.trim().parse().ok())
            .ok_or_else(refuse)?;
        let plus: f64 = match plus {
            Some(plus) => plus
                .strip_suffix('s')
                .and_then(|p| p.trim().parse().ok())
                .ok_or_else(refuse)?,
            None => 0.0,
        };
        if !(factor.is_finite() && factor >= 1.0 && plus.is_finite() && plus >= 0.0) {
            return Err(format!(
                "`{text}`: a learned deadline margin needs a factor of at least 1x and seconds of at least 0s, or a faster boot would count as a hang"
            ));
        }
        Ok(Some(Margin { factor, plus }))
    }

    fn apply(&self, seconds: f64) -> f64 {
        self.factor * seconds + self.plus
    }
}

impl fmt::Display for Margin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x+{}s", self.factor, self.plus)
    }
}

/// The deadlines of one test, learned from its passing runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadline {
    margin: Margin,
    /// The latest any passing run left each stage.
    left: BTreeMap<String, f64>,
    /// The latest any passing run ended: the limit for a stage none of them was at.
    end: f64,
    /// The longest any passing run stayed silent.
    silence: f64,
}

/// A learned deadline that ran out: what it was made of, for the journal and reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedHang {
    /// The margin, as configured (`4x+5s`).
    pub margin: String,
    /// The stage the run was stuck at.
    pub stage: String,
    /// The latest the passing runs had left that stage, in seconds.
    pub passes_left_at: f64,
    /// Their longest silence, in seconds.
    pub passes_silent: f64,
    /// When the run was stopped, in seconds since it started.
    pub stopped_at: f64,
    /// How long it had been silent then.
    pub silent_for: f64,
}

impl Deadline {
    /// The deadlines the passing runs give; `None` without any.
    pub fn learn<'a>(
        margin: Margin,
        passes: impl IntoIterator<Item = &'a Timeline>,
    ) -> Option<Deadline> {
        let mut learned: Option<Deadline> = None;
        for pass in passes {
            let deadline = learned.get_or_insert_with(|| Deadline {
                margin,
                left: BTreeMap::new(),
                end: 0.0,
                silence: 0.0,
            });
            for (stage, left) in pass.left() {
                let latest = deadline.left.entry(stage.to_string()).or_insert(0.0);
                *latest = latest.max(left);
            }
            deadline.end = deadline.end.max(pass.end);
            deadline.silence = deadline.silence.max(pass.longest_silence);
        }
        learned
    }

    /// Whether a run at `stage`, `elapsed` seconds after it started and silent for the
    /// last `silent` of them, has run out of its learned deadline, and if so which.
    pub fn expired(&self, stage: &str, elapsed: f64, silent: f64) -> Option<LearnedHang> {
        let passes_left_at = self.left.get(stage).copied().unwrap_or(self.end);
        let stuck = elapsed >= self.margin.apply(passes_left_at);
        let quiet = silent >= self.margin.apply(self.silence);
        (stuck && quiet).then(|| LearnedHang {
            margin: self.margin.to_string(),
            stage: stage.to_string(),
            passes_left_at,
            passes_silent: self.silence,
            stopped_at: elapsed,
            silent_for: silent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn boot(scale: f64) -> Timeline {
        Timeline {
            first_output: Some(0.1 * scale),
            stages: vec![
                ("none".into(), 0.0),
                ("kernel".into(), 0.2 * scale),
                ("init".into(), 0.8 * scale),
            ],
            longest_silence: 0.4 * scale,
            end: 1.0 * scale,
        }
    }

    #[test]
    fn margins_read_and_refuse() {
        assert_eq!(Margin::parse("4x+5s"), Ok(Some(Margin::DEFAULT)));
        assert_eq!(
            Margin::parse(" 2.5x "),
            Ok(Some(Margin {
                factor: 2.5,
                plus: 0.0
            }))
        );
        assert_eq!(Margin::parse("off"), Ok(None));
        for bad in ["4", "x+5s", "4x+5", "0.5x+1s", "4x+-1s", "fast"] {
            let err = Margin::parse(bad).unwrap_err();
            assert!(err.contains(bad.trim()), "{err}");
        }
        assert_eq!(Margin::DEFAULT.to_string(), "4x+5s");
    }

    #[test]
    fn a_silent_run_stops_once_past_the_stage_and_the_silence() {
        let deadline = Deadline::learn(Margin::DEFAULT, [&boot(1.0)]).unwrap();
        // Before the first line the passing run left `none` at 0.2 s (deadline 5.8 s),
        // but its longest silence was 0.4 s (deadline 6.6 s): both must run out.
        assert_eq!(deadline.expired("none", 6.0, 6.0), None);
        let hang = deadline.expired("none", 6.6, 6.6).unwrap();
        assert_eq!(hang.stage, "none");
        assert_eq!(hang.passes_left_at, 0.2);
        assert_eq!(hang.margin, "4x+5s");
        // A run that keeps talking is never cut short, however late.
        assert_eq!(deadline.expired("init", 100.0, 1.0), None);
        // A stage no passing run was at is measured against their end.
        assert_eq!(deadline.expired("test", 8.9, 8.9), None);
        assert!(deadline.expired("test", 9.0, 9.0).is_some());
    }

    #[test]
    fn several_passes_give_the_latest_of_each() {
        let deadline = Deadline::learn(Margin::DEFAULT, [&boot(1.0), &boot(3.0)]).unwrap();
        assert_eq!(deadline.expired("kernel", 13.0, 13.0), None);
        assert!(deadline.expired("kernel", 14.7, 14.7).is_some());
        assert_eq!(Deadline::learn(Margin::DEFAULT, []), None);
    }

    proptest! {
        /// A passing boot up to `factor` times slower than the slowest passing run
        /// learned from is never stopped by the learned deadline, at any moment of its
        /// life, whatever the margin's seconds.
        #[test]
        fn a_boot_slower_by_at_most_the_factor_is_never_cut(
            gaps in proptest::collection::vec(0.01f64..5.0, 1..6),
            slower in 1.0f64..4.0,
            plus in 0.0f64..3.0,
            probe in 0.0f64..1.0,
        ) {
            let margin = Margin { factor: 4.0, plus };
            let stages = ["none", "bootloader", "kernel", "init", "test"];
            let mut at = 0.0;
            let mut good = Timeline::default();
            for (i, gap) in gaps.iter().enumerate() {
                good.stages.push((stages[i].to_string(), at));
                at += gap;
            }
            good.end = at;
            good.first_output = Some(gaps[0]);
            good.longest_silence = gaps.iter().cloned().fold(0.0, f64::max);
            let deadline = Deadline::learn(margin, [&good]).unwrap();
            // The slow run, at a moment `probe` of its life: its stage, and a silence
            // as long as it can have been (since its last stage change).
            let now = probe * good.end * slower;
            let (stage, since) = good
                .stages
                .iter()
                .rev()
                .map(|(s, t)| (s.as_str(), t * slower))
                .find(|(_, t)| *t <= now)
                .unwrap();
            prop_assert_eq!(deadline.expired(stage, now, now - since), None);
        }
    }
}
