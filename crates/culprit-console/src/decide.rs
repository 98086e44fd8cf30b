//! The verdict, once the log has ended: what was seen, weighed against how the
//! process ended.
//!
//! Order of evidence: a failure signature seen before any success marker fails
//! the run (its first signature is the title); a success marker passes it; a
//! QEMU startup error is an infrastructure error; only then does the ending
//! speak. For a boot, a clean exit proves nothing when the user said what success
//! looks like (a panic with `panic=-1 -no-reboot` also exits 0, and a guest that
//! printed nothing exits 0 too): it is a hang at the last stage reached.
//!
//! Builds differ in one way: the build's exit status is its own verdict. A build
//! that exited 0 passes even if error-looking text went by (configure probes,
//! `make -k` retries), and a build that failed is a build error titled by the
//! first compiler or linker signature, or else by a summary line (`ld returned 1
//! exit status`), or else by its exit status. A user failure pattern marks the
//! build as bad rather than unbuildable: that is how one hunts the commit that
//! introduced a warning.

use crate::rules::Mode;
use crate::{Ending, Outcome, Signature, SignatureKind};

/// A byte range of the raw log.
pub(crate) type Range = (u64, u64);

/// A signature and the raw bytes that show it: its line up to the end of its
/// trace.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub signature: Signature,
    pub range: Range,
    /// The boot stage when the signature's first line came: where the failure
    /// showed, which the rest of the boot (a warning is not fatal) cannot move.
    pub stage: String,
}

pub(crate) struct Facts<'a> {
    pub mode: Mode,
    pub success_configured: bool,
    pub seen: &'a [Seen],
    pub success: Option<Range>,
    pub success_first: bool,
    pub fallback: Option<&'a Seen>,
    pub infra: Option<(&'a str, Range)>,
    pub stage: &'a str,
    pub stage_line: Option<Range>,
    /// The last non-empty console line, normalized: what the guest said before
    /// it went silent.
    pub last_line: Option<&'a str>,
}

pub(crate) fn decide(facts: &Facts, ending: &Ending) -> (Outcome, Option<Range>) {
    match facts.mode {
        Mode::Boot => decide_boot(facts, ending),
        Mode::Build => decide_build(facts, ending),
    }
}

fn fail(seen: &Seen) -> (Outcome, Option<Range>) {
    let signature = seen.signature.clone();
    (Outcome::Fail { signature }, Some(seen.range))
}

fn exit(outcome: fn(Signature) -> Outcome, title: String) -> (Outcome, Option<Range>) {
    (outcome(Signature::new(SignatureKind::Exit, title)), None)
}

fn infra(reason: &str, range: Option<Range>) -> (Outcome, Option<Range>) {
    (
        Outcome::InfraError {
            reason: reason.to_string(),
        },
        range,
    )
}

fn decide_boot(facts: &Facts, ending: &Ending) -> (Outcome, Option<Range>) {
    // A lost run ended before the classifier was certain (or culprit would have stopped
    // it first), so what it printed is not the whole story.
    if let Ending::Lost { reason } = ending {
        return infra(reason, None);
    }
    if let (Some(first), false) = (facts.seen.first(), facts.success_first) {
        return fail(first);
    }
    if facts.success.is_some() {
        return (Outcome::Pass, facts.success);
    }
    if let Some((reason, range)) = facts.infra {
        return infra(reason, Some(range));
    }
    // Nothing booted and a compiler or make complained: this is a build log.
    if let (Some(build), "none") = (facts.fallback, facts.stage) {
        let signature = build.signature.clone();
        return (Outcome::BuildError { signature }, Some(build.range));
    }
    let hang = || {
        (
            Outcome::Hang {
                stage: facts.stage.to_string(),
                last_line: facts.last_line.map(str::to_string),
            },
            facts.stage_line,
        )
    };
    let failed = |signature| Outcome::Fail { signature };
    let stage = facts.stage;
    match ending {
        Ending::Interrupted => infra("interrupted", None),
        Ending::SpawnFailed { reason } | Ending::Lost { reason } => infra(reason, None),
        Ending::WallTimeout | Ending::SilenceTimeout | Ending::StoppedEarly | Ending::Unknown => {
            hang()
        }
        // The guest left by itself without the verdict the user asked for: not
        // a hang, and not a pass either.
        Ending::Exited { code } if facts.success_configured => (
            failed(Signature::new(
                SignatureKind::Exit,
                format!("exited with status {code} at stage {stage} without the success marker"),
            )),
            facts.stage_line,
        ),
        Ending::Exited { code: 0 } => (Outcome::Pass, None),
        Ending::Exited { code } => exit(failed, format!("exited with status {code}")),
        Ending::Signalled { signal } => exit(failed, format!("killed by signal {signal}")),
    }
}

fn decide_build(facts: &Facts, ending: &Ending) -> (Outcome, Option<Range>) {
    if let Ending::Lost { reason } = ending {
        return infra(reason, None);
    }
    let custom = facts
        .seen
        .iter()
        .find(|s| s.signature.kind == SignatureKind::Custom);
    if let (Some(custom), false) = (custom, facts.success_first) {
        return fail(custom);
    }
    if facts.success.is_some() {
        return (Outcome::Pass, facts.success);
    }
    match ending {
        Ending::Exited { code: 0 } => return (Outcome::Pass, None),
        Ending::SpawnFailed { reason } => return infra(reason, None),
        Ending::Interrupted => return infra("interrupted", None),
        _ => {}
    }
    if let Some(seen) = facts.seen.first().or(facts.fallback) {
        let signature = seen.signature.clone();
        return (Outcome::BuildError { signature }, Some(seen.range));
    }
    if let Some((reason, range)) = facts.infra {
        return infra(reason, Some(range));
    }
    let build_error = |signature| Outcome::BuildError { signature };
    match ending {
        Ending::Exited { code } => exit(
            build_error,
            format!("build command exited with status {code}"),
        ),
        Ending::Signalled { signal } => exit(
            build_error,
            format!("build command killed by signal {signal}"),
        ),
        Ending::WallTimeout => exit(build_error, "build timed out".to_string()),
        Ending::SilenceTimeout => exit(build_error, "build went silent".to_string()),
        Ending::StoppedEarly => exit(build_error, "build stopped early".to_string()),
        Ending::Unknown
        | Ending::SpawnFailed { .. }
        | Ending::Interrupted
        | Ending::Lost { .. } => (Outcome::Pass, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(kind: SignatureKind, title: &str) -> Seen {
        Seen {
            signature: Signature::new(kind, title),
            range: (10, 20),
            stage: "kernel".into(),
        }
    }

    fn facts<'a>(mode: Mode, seen: &'a [Seen]) -> Facts<'a> {
        Facts {
            mode,
            success_configured: false,
            seen,
            success: None,
            success_first: false,
            fallback: None,
            infra: None,
            stage: "kernel",
            stage_line: Some((0, 5)),
            last_line: Some("Run /init as init process"),
        }
    }

    #[test]
    fn boot_endings_without_anything_seen() {
        let f = facts(Mode::Boot, &[]);
        let hang = Outcome::Hang {
            stage: "kernel".into(),
            last_line: Some("Run /init as init process".into()),
        };
        assert_eq!(
            decide(&f, &Ending::WallTimeout),
            (hang.clone(), Some((0, 5)))
        );
        assert_eq!(decide(&f, &Ending::SilenceTimeout).0, hang);
        assert_eq!(decide(&f, &Ending::StoppedEarly).0, hang);
        assert_eq!(decide(&f, &Ending::Unknown).0, hang);
        assert_eq!(decide(&f, &Ending::Exited { code: 0 }).0, Outcome::Pass);
        assert_eq!(
            decide(&f, &Ending::Exited { code: 3 }).0,
            Outcome::Fail {
                signature: Signature::new(SignatureKind::Exit, "exited with status 3")
            }
        );
        assert_eq!(
            decide(&f, &Ending::Signalled { signal: 9 }).0,
            Outcome::Fail {
                signature: Signature::new(SignatureKind::Exit, "killed by signal 9")
            }
        );
        assert_eq!(
            decide(&f, &Ending::Interrupted).0,
            Outcome::InfraError {
                reason: "interrupted".into()
            }
        );
        assert_eq!(
            decide(
                &f,
                &Ending::SpawnFailed {
                    reason: "no qemu".into()
                }
            )
            .0,
            Outcome::InfraError {
                reason: "no qemu".into()
            }
        );
        let configured = Facts {
            success_configured: true,
            ..facts(Mode::Boot, &[])
        };
        assert_eq!(
            decide(&configured, &Ending::Exited { code: 0 }).0,
            Outcome::Fail {
                signature: Signature::new(
                    SignatureKind::Exit,
                    "exited with status 0 at stage kernel without the success marker"
                )
            }
        );
    }

    #[test]
    fn a_lost_run_is_an_infra_error_whatever_it_printed() {
        let lost = Ending::Lost {
            reason: "node failure on vm".into(),
        };
        let infra = Outcome::InfraError {
            reason: "node failure on vm".into(),
        };
        let list = [seen(SignatureKind::Warning, "w")];
        assert_eq!(decide(&facts(Mode::Boot, &list), &lost).0, infra);
        let compiler = [seen(SignatureKind::Compiler, "c")];
        assert_eq!(decide(&facts(Mode::Build, &compiler), &lost).0, infra);
    }

    #[test]
    fn failure_before_success_fails_and_success_before_failure_passes() {
        let list = [seen(SignatureKind::Panic, "p")];
        let after = Facts {
            success: Some((30, 40)),
            success_first: false,
            ..facts(Mode::Boot, &list)
        };
        assert!(matches!(
            decide(&after, &Ending::Exited { code: 0 }),
            (Outcome::Fail { .. }, Some((10, 20)))
        ));
        let before = Facts {
            success: Some((1, 2)),
            success_first: true,
            ..facts(Mode::Boot, &list)
        };
        assert_eq!(
            decide(&before, &Ending::WallTimeout),
            (Outcome::Pass, Some((1, 2)))
        );
    }

    #[test]
    fn infra_beats_the_ending_but_not_a_signature() {
        let f = Facts {
            infra: Some(("qemu-system-x86_64: -foo: invalid option", (0, 9))),
            ..facts(Mode::Boot, &[])
        };
        assert!(matches!(
            decide(&f, &Ending::Exited { code: 1 }).0,
            Outcome::InfraError { .. }
        ));
        let list = [seen(SignatureKind::Panic, "p")];
        let f = Facts {
            infra: Some(("x", (0, 9))),
            ..facts(Mode::Boot, &list)
        };
        assert!(matches!(
            decide(&f, &Ending::Exited { code: 1 }).0,
            Outcome::Fail { .. }
        ));
    }

    #[test]
    fn build_exit_status_is_the_builds_verdict() {
        let list = [seen(SignatureKind::Linker, "undefined reference to `x'")];
        let f = facts(Mode::Build, &list);
        assert_eq!(decide(&f, &Ending::Exited { code: 0 }).0, Outcome::Pass);
        assert_eq!(
            decide(&f, &Ending::Exited { code: 2 }),
            (
                Outcome::BuildError {
                    signature: list[0].signature.clone()
                },
                Some((10, 20))
            )
        );
        assert_eq!(
            decide(&f, &Ending::Unknown).0,
            Outcome::BuildError {
                signature: list[0].signature.clone()
            }
        );
        let empty = facts(Mode::Build, &[]);
        assert_eq!(
            decide(&empty, &Ending::Exited { code: 2 }).0,
            Outcome::BuildError {
                signature: Signature::new(
                    SignatureKind::Exit,
                    "build command exited with status 2"
                )
            }
        );
        assert_eq!(decide(&empty, &Ending::Unknown).0, Outcome::Pass);
        assert!(matches!(
            decide(&empty, &Ending::SpawnFailed { reason: "x".into() }).0,
            Outcome::InfraError { .. }
        ));
    }

    #[test]
    fn build_fallback_only_without_a_specific_signature() {
        let fallback = seen(
            SignatureKind::Exit,
            "collect2: error: ld returned 1 exit status",
        );
        let f = Facts {
            fallback: Some(&fallback),
            ..facts(Mode::Build, &[])
        };
        assert_eq!(
            decide(&f, &Ending::Exited { code: 1 }).0,
            Outcome::BuildError {
                signature: fallback.signature.clone()
            }
        );
        let list = [seen(
            SignatureKind::Linker,
            "discarded output section: `.got.plt'",
        )];
        let f = Facts {
            fallback: Some(&fallback),
            ..facts(Mode::Build, &list)
        };
        assert_eq!(
            decide(&f, &Ending::Exited { code: 1 }).0,
            Outcome::BuildError {
                signature: list[0].signature.clone()
            }
        );
    }

    #[test]
    fn a_user_pattern_makes_a_build_bad_not_unbuildable() {
        let list = [seen(SignatureKind::Custom, "warning: x is deprecated")];
        let f = facts(Mode::Build, &list);
        assert!(matches!(
            decide(&f, &Ending::Exited { code: 0 }).0,
            Outcome::Fail { .. }
        ));
    }
}
