//! What the user tells the classifier about their target: which log it reads,
//! which lines mean success or failure, and which boot stages they care about.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which kind of log is being read; it chooses the signature packs and how the
/// ending of the process is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// A serial console of a boot: kernel, RTOS, test-suite and QEMU packs.
    #[default]
    Boot,
    /// The output of a build command: the toolchain pack, and the exit status is
    /// the build's own verdict.
    Build,
}

/// A user boot stage: reaching `marker` (a literal substring of a line) means the
/// boot got at least as far as `name`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StageMarker {
    pub name: String,
    pub marker: String,
}

/// Everything configurable about one classification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    pub mode: Mode,
    /// Literal success markers; any one seen means pass, unless a failure
    /// signature was seen before it.
    pub success: Vec<String>,
    /// User regexes; a match is a failure signature of kind `custom` whose title is
    /// the normalized matched line.
    pub failure: Vec<String>,
    /// Ordered user boot stages; they rank above the built-in `init` stage and
    /// below `test`, in the order given.
    pub stages: Vec<StageMarker>,
    /// After a fatal signature, how long to keep reading so the trace that follows
    /// it (registers, call trace) is part of the evidence.
    pub grace: Duration,
    /// Cap on one reassembled line in bytes; the rest of a longer line is dropped,
    /// which bounds memory on consoles that never send a newline.
    pub max_line: usize,
    /// Directories of the source tree (as given, and as the compiler resolves them),
    /// cut from the paths in log lines: an out-of-tree Kbuild build names files by
    /// absolute path, and a title must name them relative to the tree so that it is
    /// the same in every worker's worktree.
    pub source_roots: Vec<String>,
}

/// Two seconds is enough for QEMU to print a full Linux oops or Zephyr fault dump
/// at serial speed, and short enough not to matter next to a boot.
const DEFAULT_GRACE: Duration = Duration::from_secs(2);
const DEFAULT_MAX_LINE: usize = 4096;
/// Below this, ordinary console lines would be cut before their message.
pub(crate) const MIN_MAX_LINE: usize = 80;

impl Rules {
    /// Defaults for reading a boot console.
    pub fn boot() -> Rules {
        Rules {
            mode: Mode::Boot,
            success: Vec::new(),
            failure: Vec::new(),
            stages: Vec::new(),
            grace: DEFAULT_GRACE,
            max_line: DEFAULT_MAX_LINE,
            source_roots: Vec::new(),
        }
    }

    /// Defaults for reading a build log.
    pub fn build() -> Rules {
        Rules {
            mode: Mode::Build,
            ..Rules::boot()
        }
    }
}

impl Default for Rules {
    fn default() -> Rules {
        Rules::boot()
    }
}

/// Why a set of rules cannot be used; each names the offending entry so the user
/// can find it in `culprit.toml`.
#[derive(thiserror::Error, Debug)]
pub enum RuleError {
    #[error("failure pattern {pattern:?} is not a valid regex: {source}")]
    InvalidFailurePattern {
        pattern: String,
        #[source]
        source: Box<regex::Error>,
    },
    #[error("failure pattern {pattern:?} matches the empty string, so it would match every line")]
    EmptyFailurePattern { pattern: String },
    #[error("success marker #{index} is empty, so it would match every line")]
    EmptySuccessMarker { index: usize },
    #[error("stage {name:?} has an empty marker, so it would match every line")]
    EmptyStageMarker { name: String },
    #[error("stage name {name:?} is empty or already used by a built-in or an earlier stage")]
    StageName { name: String },
    #[error("the success and stage markers cannot be scanned for together: {reason}")]
    Automaton { reason: String },
    #[error(
        "max_line is {max_line} bytes; at least {min} are needed to hold an ordinary console line"
    )]
    LineCapTooSmall { max_line: usize, min: usize },
}
