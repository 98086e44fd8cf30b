//! Streaming classification of serial consoles and build logs.
//!
//! Pure and deterministic: no I/O, no clocks. The caller feeds bytes and tells the
//! classifier how much time has passed, so that the same input always gives the same
//! reading (and tests and simulations can replay any log).
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

mod classifier;
mod decide;
mod lines;
mod normalize;
mod outcome;
mod packs;
mod rules;
mod stage;

pub use classifier::{classify, Classifier, MAX_SIGNATURES};
pub use normalize::normalize_title;
pub use outcome::{Classification, Ending, Outcome, Signature, SignatureKind};
pub use rules::{Mode, RuleError, Rules, StageMarker};
