//! A kernel that boots again in the middle of a run: its banner comes after
//! lines the kernel stamped later than the banner (Zircon's clock restarting
//! at `[00000.000]` after `[00037.717]`). Nothing reported a crash; the machine
//! reset (a triple fault, a watchdog), and the run is a failure all the same.

use super::*;

/// The latest kernel time stamp seen so far: the log's first stamped line's
/// (a log may start in the middle of a run), then those of lines holding a
/// literal, which are few, so that ordinary lines cost no parsing.
#[derive(Default)]
pub(super) struct Clock {
    latest: Option<f64>,
    /// A stamped line was seen: later ordinary lines are not read.
    started: bool,
}

impl Clock {
    /// Every line, until one is stamped.
    pub(super) fn first_line(&mut self, text: &str) {
        if !self.started {
            self.latest = Origin::time_of(text);
            self.started = self.latest.is_some();
        }
    }

    /// A line holding a literal; with `banner`, whether it is a kernel
    /// banner stamped before a line already seen.
    pub(super) fn rebooted(&mut self, text: &str, banner: bool) -> bool {
        let Some(time) = Origin::time_of(text) else {
            return false;
        };
        let went_back = banner && self.latest.is_some_and(|latest| time < latest);
        self.latest = Some(self.latest.map_or(time, |latest| latest.max(time)));
        went_back
    }
}

/// The signature of a reboot nobody asked for.
pub(super) fn reboot() -> Found {
    Found::new(SignatureKind::Panic, "unexpected kernel reboot")
}
