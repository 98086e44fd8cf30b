//! The words every other crate uses to talk about what one run did.
//!
//! These types are serialized into the journal and into `--json` output, so their
//! field names and the `outcome` strings are a contract: change them only with care.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure a signature describes; the normalized title alone is not
/// enough to tell a linker error from a kernel panic with similar words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureKind {
    Panic,
    Oops,
    Bug,
    Warning,
    Sanitizer,
    Fault,
    Lockup,
    Stall,
    Assertion,
    TestFailure,
    Linker,
    Compiler,
    Shape,
    Exit,
    Custom,
}

impl SignatureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureKind::Panic => "panic",
            SignatureKind::Oops => "oops",
            SignatureKind::Bug => "bug",
            SignatureKind::Warning => "warning",
            SignatureKind::Sanitizer => "sanitizer",
            SignatureKind::Fault => "fault",
            SignatureKind::Lockup => "lockup",
            SignatureKind::Stall => "stall",
            SignatureKind::Assertion => "assertion",
            SignatureKind::TestFailure => "test-failure",
            SignatureKind::Linker => "linker",
            SignatureKind::Compiler => "compiler",
            SignatureKind::Shape => "shape",
            SignatureKind::Exit => "exit",
            SignatureKind::Custom => "custom",
        }
    }
}

impl fmt::Display for SignatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalized failure title plus its kind: two runs hitting the same bug give
/// equal signatures even though addresses, timestamps and CPU numbers differ.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature {
    pub kind: SignatureKind,
    pub title: String,
    /// The report named no function of its own (every frame was machinery, or
    /// the trace was cut or garbled): the title stops at the report type rather
    /// than inventing a function.
    #[serde(default, skip_serializing_if = "is_false")]
    pub corrupted: bool,
    /// Other titles the same bug is known by (a report that names two functions,
    /// or a class the kernel words two ways): a report titled with any of them is
    /// the same bug, see [`Signature::same_bug`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Signature {
    pub fn new(kind: SignatureKind, title: impl Into<String>) -> Self {
        Signature {
            kind,
            title: title.into(),
            corrupted: false,
            alternatives: Vec::new(),
        }
    }

    /// Whether `other`, read from another run, reports the same bug as this
    /// signature (the target): the same kind, and a title equal to this one's
    /// title or one of its alternatives (or the other way round).
    ///
    /// A corrupted report (cut short, interleaved with another CPU's lines, or
    /// with no frame of its own) names no function, so it cannot tell two bugs of
    /// one class apart: it is never the same bug as a whole report. Only when the
    /// target is itself corrupted, so that its class is all there is to know, is
    /// a corrupted report of the same class taken for it (callers say so: see
    /// [`Signature::matched_by_class`]).
    pub fn same_bug(&self, other: &Signature) -> bool {
        if self.kind != other.kind || self.corrupted != other.corrupted {
            return false;
        }
        self.titles().any(|t| other.titles().any(|o| o == t))
    }

    /// The title, then the alternatives.
    pub fn titles(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.title).chain(&self.alternatives)
    }

    /// The target is corrupted: a match says only that the report class is the same.
    pub fn matched_by_class(&self) -> bool {
        self.corrupted
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.title, self.kind)
    }
}

/// What one run (a build, or one test boot) did.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Fail {
        signature: Signature,
    },
    Hang {
        stage: String,
        /// The last console line before the silence (normalized), which says
        /// what the guest was doing when it stopped talking.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_line: Option<String>,
    },
    BuildError {
        signature: Signature,
    },
    InfraError {
        reason: String,
    },
}

impl Outcome {
    /// The stable outcome word used in JSON, the journal and tables.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail { .. } => "fail",
            Outcome::Hang { .. } => "hang",
            Outcome::BuildError { .. } => "build-error",
            Outcome::InfraError { .. } => "infra-error",
        }
    }

    pub fn signature(&self) -> Option<&Signature> {
        match self {
            Outcome::Fail { signature } | Outcome::BuildError { signature } => Some(signature),
            _ => None,
        }
    }

    /// A one-line description: the signature title, the hang stage or the infra reason.
    pub fn title(&self) -> Option<String> {
        match self {
            Outcome::Pass => None,
            Outcome::Fail { signature } | Outcome::BuildError { signature } => {
                Some(signature.title.clone())
            }
            Outcome::Hang {
                stage,
                last_line: Some(line),
            } => Some(format!("hang at stage {stage} after \"{line}\"")),
            Outcome::Hang { stage, .. } => Some(format!("hang at stage {stage}")),
            Outcome::InfraError { reason } => Some(reason.clone()),
        }
    }

    /// The exit code `culprit classify --exit-code` gives, chosen so that the
    /// classifier can serve directly as a `git bisect run` script.
    pub fn bisect_exit_code(&self) -> i32 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail { .. } | Outcome::Hang { .. } => 1,
            Outcome::BuildError { .. } | Outcome::InfraError { .. } => 125,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.title() {
            Some(t) => write!(f, "{}: {}", self.word(), t),
            None => f.write_str(self.word()),
        }
    }
}

/// How the process whose output was classified came to an end. The classifier
/// needs it because the same silence means "pass" after a clean exit with no
/// success marker configured, and "hang" after a timeout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ending", rename_all = "kebab-case")]
pub enum Ending {
    /// The process exited by itself with this status.
    Exited { code: i32 },
    /// The process was killed by a signal nobody in culprit sent.
    Signalled { signal: i32 },
    /// The wall-clock timeout ran out.
    WallTimeout,
    /// No output arrived for the silence timeout.
    SilenceTimeout,
    /// culprit stopped it because the classifier was already certain.
    StoppedEarly,
    /// The user interrupted culprit (Ctrl-C / SIGTERM).
    Interrupted,
    /// The command could not be started at all.
    SpawnFailed { reason: String },
    /// The machine or the engine running the command took it away before it ended by
    /// itself (a Slurm node failure, a preemption, a cancellation culprit did not ask
    /// for): what the command would have done is unknown, so it proves nothing.
    Lost { reason: String },
    /// A log read from a file: nothing is known about how it ended.
    Unknown,
}

/// The classifier's full reading of one log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub outcome: Outcome,
    /// The last boot stage reached (also for passes and failures).
    pub stage: String,
    /// For a failure, the stage at which its signature first showed: part of the
    /// failure's identity (the same report at another stage is another story),
    /// and unlike `stage` not moved by a boot that carries on after a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<String>,
    /// Byte range in the raw log of the evidence for the outcome (the signature's
    /// first line up to the end of its trace, or the success marker line).
    pub evidence: Option<(u64, u64)>,
    /// Every failure signature seen, first first; the outcome uses the first.
    pub signatures: Vec<Signature>,
    /// Total bytes of raw log consumed.
    pub bytes: u64,
    /// The test cases the console reported (KTAP, ztest, LAVA), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<crate::Case>,
}
