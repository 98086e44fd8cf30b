//! The target of a hunt: which outcome counts as "the bug".
//!
//! By default the bad endpoint's own signature, so that another failure on the way (a
//! build error in an unbuildable window, a different crash) is recorded as untestable
//! instead of being mistaken for the bug being hunted.

use crate::bail;
use crate::error::{Context, Result};
use culprit_console::{Outcome, Signature};
use regex::Regex;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "target", rename_all = "kebab-case")]
pub enum Target {
    /// Exactly this failure (same kind and normalized title).
    Signature {
        signature: Signature,
    },
    /// A hang at this stage (the bad endpoint's hang).
    HangAt {
        stage: String,
    },
    AnyFailure,
    Hang,
    BuildError,
    /// A failure or build error whose title matches the expression.
    Matching {
        pattern: String,
    },
}

/// What one run says about a candidate, measured against the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    Good,
    Bad,
    /// Another outcome than the target: this candidate cannot be judged.
    Untestable(String),
    /// The infrastructure failed: run it again.
    Retry(String),
}

impl Target {
    /// Parses `--target`: `any-failure`, `hang`, `build-error` or `signature:REGEX`.
    pub fn parse(text: &str) -> Result<Target> {
        Ok(match text {
            "any-failure" => Target::AnyFailure,
            "hang" => Target::Hang,
            "build-error" => Target::BuildError,
            _ => match text.strip_prefix("signature:") {
                Some(pattern) => {
                    Regex::new(pattern)
                        .with_context(|| format!("--target signature:{pattern} is not a valid regular expression"))?;
                    Target::Matching {
                        pattern: pattern.to_string(),
                    }
                }
                None => bail!(
                    "--target `{text}` is not one of: any-failure, hang, build-error, signature:REGEX"
                ),
            },
        })
    }

    /// The bad endpoint's own outcome as a target; `None` when it passed.
    pub fn of_bad(outcome: &Outcome) -> Option<Target> {
        match outcome {
            Outcome::Pass => None,
            Outcome::Fail { signature } | Outcome::BuildError { signature } => {
                Some(Target::Signature {
                    signature: signature.clone(),
                })
            }
            Outcome::Hang { stage, .. } => Some(Target::HangAt {
                stage: stage.clone(),
            }),
            Outcome::InfraError { .. } => Some(Target::AnyFailure),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Target::Signature { signature } => format!("{} ({})", signature.title, signature.kind),
            Target::HangAt { stage } => format!("hang at stage {stage}"),
            Target::AnyFailure => "any failure".into(),
            Target::Hang => "any hang".into(),
            Target::BuildError => "any build error".into(),
            Target::Matching { pattern } => format!("a failure matching /{pattern}/"),
        }
    }

    pub fn judge(&self, outcome: &Outcome) -> Judgement {
        if let Outcome::InfraError { reason } = outcome {
            return Judgement::Retry(reason.clone());
        }
        if *outcome == Outcome::Pass {
            return Judgement::Good;
        }
        let hit = match (self, outcome) {
            (Target::Signature { signature }, Outcome::Fail { signature: s })
            | (Target::Signature { signature }, Outcome::BuildError { signature: s }) => {
                s == signature
            }
            (Target::HangAt { stage }, Outcome::Hang { stage: s, .. }) => s == stage,
            (Target::AnyFailure, _) => true,
            (Target::Hang, Outcome::Hang { .. }) => true,
            (Target::BuildError, Outcome::BuildError { .. }) => true,
            (Target::Matching { pattern }, Outcome::Fail { signature })
            | (Target::Matching { pattern }, Outcome::BuildError { signature }) => {
                Regex::new(pattern).is_ok_and(|re| re.is_match(&signature.title))
            }
            _ => false,
        };
        if hit {
            Judgement::Bad
        } else {
            Judgement::Untestable(outcome.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use culprit_console::SignatureKind;

    fn fail(kind: SignatureKind, title: &str) -> Outcome {
        Outcome::Fail {
            signature: Signature::new(kind, title),
        }
    }

    #[test]
    fn the_bad_endpoints_signature_is_the_only_bad() {
        let bad = Outcome::Hang {
            stage: "test".into(),
            last_line: Some("START - test_smp".into()),
        };
        let target = Target::of_bad(&bad).unwrap();
        assert_eq!(target.judge(&bad), Judgement::Bad);
        assert_eq!(target.judge(&Outcome::Pass), Judgement::Good);
        let build = Outcome::BuildError {
            signature: Signature::new(
                SignatureKind::Linker,
                "discarded output section: `.got.plt'",
            ),
        };
        assert!(matches!(target.judge(&build), Judgement::Untestable(r) if r.contains(".got.plt")));
        assert!(matches!(
            target.judge(&Outcome::Hang {
                stage: "kernel".into(),
                last_line: Some("START - test_smp".into()),
            }),
            Judgement::Untestable(_)
        ));
        assert!(matches!(
            target.judge(&Outcome::InfraError {
                reason: "qemu: cannot load kernel".into()
            }),
            Judgement::Retry(_)
        ));
    }

    #[test]
    fn explicit_targets() {
        let panic = fail(SignatureKind::Panic, "Kernel panic - not syncing: VFS");
        assert_eq!(
            Target::parse("any-failure").unwrap().judge(&panic),
            Judgement::Bad
        );
        assert!(matches!(
            Target::parse("hang").unwrap().judge(&panic),
            Judgement::Untestable(_)
        ));
        assert_eq!(
            Target::parse("signature:VFS$").unwrap().judge(&panic),
            Judgement::Bad
        );
        assert!(Target::parse("signature:(").is_err());
        assert!(Target::parse("crash").is_err());
    }
}
