//! Streaming classification of serial consoles and build logs.
//!
//! Pure and deterministic: no I/O, no clocks. The caller feeds bytes and tells the
//! classifier how much time has passed, so that the same input always gives the same
//! reading (and tests and simulations can replay any log).
//!
//! # How a log is read
//!
//! - **Lines** are reassembled from raw serial bytes: `\r\n`, lone `\r` and `\n\r`
//!   all end a line; VT escape sequences are dropped (a terminal reset `ESC c` or
//!   screen clear `ESC [ 2 J` also ends the line, as SeaBIOS uses them); NUL bytes
//!   go; invalid UTF-8 is replaced; lines are cut at `Rules::max_line`. Evidence
//!   ranges are byte offsets in the raw log.
//! - **Signatures** come from built-in packs (Linux, Zephyr, Rust panics,
//!   TAP/KTAP, QEMU errors; the toolchain pack in build mode) and from the user's
//!   failure regexes (kind `custom`). Titles are normalized by [`normalize_title`].
//!   A kernel `WARNING:` is a failure, as in syzkaller: it reports a condition the
//!   kernel's authors declared impossible.
//!   A kernel that boots again in the middle of a run (its banner stamped
//!   earlier than a line before it) is `unexpected kernel reboot`.
//! - **Crash identity**: a crash report is titled `CLASS in FUNCTION`, the class
//!   as kernel engineers name it and the function its class blames (see `blame`:
//!   which stack, which frames are machinery); a report too damaged to name one is
//!   flagged corrupted and titled `CLASS in corrupted`, and is never the same bug
//!   as a whole report ([`Signature::same_bug`]). A signature carries alternative
//!   titles, its report family in the same function (`bad-access in f`), for the
//!   same bug reported by another class. Measured on syzkaller's report corpus by
//!   `tests/crash_corpus.rs`.
//! - **Stages** climb, never descend: `none` < `bootloader` < `kernel` < `init` <
//!   the user's stages in order < `test` < `success` (see [`Classifier::stage`]).
//! - **The verdict** ([`Classifier::finish`]): a failure signature seen before any
//!   success marker fails the run, with the first signature as title; a success
//!   marker passes it; a QEMU startup error is an infra error; otherwise the
//!   process's [`Ending`] decides. Build logs trust the build's exit status.
//! - **Early verdict** ([`Classifier::is_certain`]): lets the runner stop a guest
//!   once nothing it could print would change the reading.
//!
//! ```
//! use culprit_console::{classify, Ending, Outcome, Rules};
//!
//! let rules = Rules { success: vec!["BOOT-OK".into()], ..Rules::boot() };
//! let log = b"[    1.9] Run /init as init process\r\nBOOT-OK\r\n";
//! let reading = classify(&rules, log, &Ending::WallTimeout).unwrap();
//! assert_eq!(reading.outcome, Outcome::Pass);
//! assert_eq!(reading.stage, "success");
//! ```

/// A built-in regex, compiled once on first use (a pack's patterns are constants, so
/// a failure to compile is a bug caught by the packs' own tests).
macro_rules! regex {
    ($pattern:expr) => {{
        static RE: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new($pattern).expect("built-in pattern"));
        &*RE
    }};
}

mod blame;
mod cases;
mod classifier;
mod decide;
mod identity;
mod lines;
mod normalize;
mod outcome;
mod packs;
mod rules;
mod stack;
mod stage;
mod timeline;

pub use cases::{Case, CaseResult, MAX_CASES};
pub use classifier::{classify, Classifier, Marker, Marks, MAX_SIGNATURES};
pub use normalize::normalize_title;
pub use outcome::{Classification, Ending, Outcome, Signature, SignatureKind};
pub use rules::{Mode, RuleError, Rules, StageMarker};
pub use timeline::{Deadline, LearnedHang, Margin, Timeline};
