//! The target of a hunt: which outcome counts as "the bug".
//!
//! By default the bad endpoint's own signature, so that another failure on the way (a
//! build error in an unbuildable window, a different crash) is recorded as untestable
//! instead of being mistaken for the bug being hunted.

use crate::bail;
use crate::error::{Context, Result};
use crate::judgement::Judgement;
use crate::record::RunRecord;
use culprit_console::{Case, CaseResult, Outcome, Signature};
use regex::Regex;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "target", rename_all = "kebab-case")]
pub enum Target {
    /// This failure (same kind, and a title equal to its title or one of its
    /// alternatives: see `Signature::same_bug`), at the same boot stage when the
    /// bad endpoint's run said where it showed.
    Signature {
        signature: Signature,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<String>,
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
    /// One test case of a suite fails (fails, crashes or hangs), whatever the
    /// suite's other cases do.
    Case {
        name: String,
    },
}

impl Target {
    /// Parses `--target`: `any-failure`, `hang`, `build-error`, `signature:REGEX` or
    /// `case:NAME`.
    pub fn parse(text: &str) -> Result<Target> {
        if let Some(name) = text.strip_prefix("case:") {
            if name.trim().is_empty() {
                bail!("--target case: needs a case name, as the run lists it (`suite.case` or `case`)");
            }
            return Ok(Target::Case {
                name: name.trim().to_string(),
            });
        }
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
                    "--target `{text}` is not one of: any-failure, hang, build-error, signature:REGEX, case:NAME"
                ),
            },
        })
    }

    /// The bad endpoint's own failure as a target; `None` when it passed or the
    /// infrastructure failed (that says nothing about the bug).
    pub fn of_bad(run: &RunRecord) -> Option<Target> {
        match &run.outcome {
            Outcome::Pass | Outcome::InfraError { .. } => None,
            Outcome::Fail { signature } => Some(Target::Signature {
                signature: signature.clone(),
                stage: Some(run.stage.clone()),
            }),
            Outcome::BuildError { signature } => Some(Target::Signature {
                signature: signature.clone(),
                stage: None,
            }),
            Outcome::Hang { stage, .. } => Some(Target::HangAt {
                stage: stage.clone(),
            }),
        }
    }

    /// What a run at the bad endpoint is hunted for: the target the user named when
    /// the run shows it, else the run's own failure; `None` when it has nothing to hunt.
    /// The one rule both hunts pick their targets by.
    pub fn hunted_at_bad(named: Option<&Target>, run: &RunRecord) -> Option<Target> {
        match named {
            Some(named) => (named.judge_run(run) == Judgement::Bad).then(|| named.clone()),
            None => Target::of_bad(run),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Target::Signature { signature, .. } if signature.matched_by_class() => format!(
                "{} ({}; its report is corrupted, so any corrupted report of its class counts)",
                signature.title, signature.kind
            ),
            Target::Signature { signature, .. } => {
                format!("{} ({})", signature.title, signature.kind)
            }
            Target::HangAt { stage } => format!("hang at stage {stage}"),
            Target::AnyFailure => "any failure".into(),
            Target::Hang => "any hang".into(),
            Target::BuildError => "any build error".into(),
            Target::Matching { pattern } => format!("a failure matching /{pattern}/"),
            Target::Case { name } => format!("case {name} failing"),
        }
    }

    /// Judges one run: its outcome, or for a case target the case's own result.
    pub fn judge_run(&self, run: &RunRecord) -> Judgement {
        if let (
            Target::Signature {
                signature,
                stage: Some(want),
            },
            Outcome::Fail { signature: got },
        ) = (self, &run.outcome)
        {
            if signature.same_bug(got) && run.stage != *want {
                return Judgement::Untestable(format!(
                    "the same crash at another stage: {} at stage {} — target is at stage {want}",
                    got.title, run.stage
                ));
            }
        }
        let Target::Case { name } = self else {
            return self.judge(&run.outcome);
        };
        match (&run.outcome, find_case(&run.cases, name)) {
            (Outcome::InfraError { reason }, _) => Judgement::Retry(reason.clone()),
            (_, Some(case)) if case.result.is_failure() => Judgement::Bad,
            (_, Some(case)) if case.result == CaseResult::Skip => {
                Judgement::Untestable(format!("case {} was skipped", case.name))
            }
            (_, Some(_)) => Judgement::Good,
            (outcome, None) => {
                Judgement::Untestable(format!("case {name} not reported ({outcome})"))
            }
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
            (Target::Signature { signature, .. }, Outcome::Fail { signature: s })
            | (Target::Signature { signature, .. }, Outcome::BuildError { signature: s }) => {
                signature.same_bug(s)
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
            return Judgement::Bad;
        }
        match (self, outcome.signature()) {
            (Target::Signature { signature, .. }, Some(got)) => {
                Judgement::Untestable(nearest_match(signature, got))
            }
            _ => Judgement::Untestable(outcome.to_string()),
        }
    }
}

/// The case a target names: its full `suite.case` name, or its own name in any
/// suite.
fn find_case<'a>(cases: &'a [Case], name: &str) -> Option<&'a Case> {
    cases.iter().find(|c| c.name == name).or_else(|| {
        cases
            .iter()
            .find(|c| c.name.rsplit_once('.').is_some_and(|(_, own)| own == name))
    })
}

/// Why a failure is not the target, put so that a reworded report, a corrupted
/// one and another bug look different: the same report type in another function (or another
/// type in the same function) is "another crash", named next to the target.
fn nearest_match(target: &Signature, got: &Signature) -> String {
    if got.corrupted && !target.corrupted {
        return format!(
            "a corrupted report names no function, so it cannot tell which bug it is: {} — target is {}",
            got.title, target.title
        );
    }
    let split = |s: &Signature| {
        let (class, function) = s.title.rsplit_once(" in ").unwrap_or((&s.title, ""));
        (class.to_string(), function.to_string())
    };
    let ((class, function), (want_class, want_function)) = (split(got), split(target));
    let near = got.kind == target.kind
        && (class == want_class || (!function.is_empty() && function == want_function));
    if near {
        format!("another crash: {} — target is {}", got.title, target.title)
    } else {
        format!(
            "another failure: {} ({}) — target is {} ({})",
            got.title, got.kind, target.title, target.kind
        )
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
        let target = Target::of_bad(&run_with(bad.clone(), &[])).unwrap();
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
        // Titles as the console reader now writes them: a class, then the
        // blamed function or the panic's reason without numbers.
        let panic = fail(
            SignatureKind::Panic,
            "kernel panic: VFS: Unable to mount root fs on unknown-block",
        );
        assert_eq!(
            Target::parse("any-failure").unwrap().judge(&panic),
            Judgement::Bad
        );
        assert!(matches!(
            Target::parse("hang").unwrap().judge(&panic),
            Judgement::Untestable(_)
        ));
        assert_eq!(
            Target::parse("signature:^kernel panic: VFS")
                .unwrap()
                .judge(&panic),
            Judgement::Bad
        );
        let in_driver =
            Target::parse("signature:^BUG: kernel NULL pointer dereference in demo_").unwrap();
        let oops = |function: &str| {
            fail(
                SignatureKind::Oops,
                &format!("BUG: kernel NULL pointer dereference in {function}"),
            )
        };
        assert_eq!(in_driver.judge(&oops("demo_read")), Judgement::Bad);
        assert_eq!(
            in_driver.judge(&oops("vfs_read")),
            Judgement::Untestable("fail: BUG: kernel NULL pointer dereference in vfs_read".into())
        );
        assert_eq!(
            in_driver.judge(&panic),
            Judgement::Untestable(panic.to_string())
        );
        assert!(Target::parse("signature:(").is_err());
        assert!(Target::parse("crash").is_err());
        assert!(Target::parse("case:").is_err());
    }

    #[test]
    fn another_crash_names_the_target_next_to_it() {
        let target = Target::of_bad(&run_with(
            fail(SignatureKind::Warning, "WARNING in bar"),
            &[],
        ))
        .unwrap();
        assert_eq!(
            target.judge(&fail(SignatureKind::Warning, "WARNING in foo")),
            Judgement::Untestable(
                "another crash: WARNING in foo — target is WARNING in bar".into()
            )
        );
        assert_eq!(
            target.judge(&fail(SignatureKind::Panic, "kernel panic: x")),
            Judgement::Untestable(
                "another failure: kernel panic: x (panic) — target is WARNING in bar (warning)"
                    .into()
            )
        );
    }

    #[test]
    fn alternatives_are_the_same_bug_and_corrupted_reports_are_not() {
        let with_alt = |kind, title: &str, alt: &str| Outcome::Fail {
            signature: Signature {
                alternatives: vec![alt.into()],
                ..Signature::new(kind, title)
            },
        };
        let kasan = with_alt(
            SignatureKind::Sanitizer,
            "KASAN: use-after-free Read in f",
            "bad-access in f",
        );
        let target = Target::of_bad(&run_with(kasan.clone(), &[])).unwrap();
        assert_eq!(target.judge(&kasan), Judgement::Bad);
        let same_elsewhere = with_alt(
            SignatureKind::Sanitizer,
            "KASAN: slab-use-after-free Read in f",
            "bad-access in f",
        );
        assert_eq!(target.judge(&same_elsewhere), Judgement::Bad);
        let other = with_alt(
            SignatureKind::Sanitizer,
            "KASAN: use-after-free Read in g",
            "bad-access in g",
        );
        assert!(matches!(target.judge(&other), Judgement::Untestable(_)));
        let corrupted = Outcome::Fail {
            signature: Signature {
                corrupted: true,
                ..Signature::new(
                    SignatureKind::Sanitizer,
                    "KASAN: use-after-free Read in corrupted",
                )
            },
        };
        assert!(
            matches!(target.judge(&corrupted), Judgement::Untestable(r) if r.contains("cannot tell which bug"))
        );
        let corrupted_target = Target::of_bad(&run_with(corrupted.clone(), &[])).unwrap();
        assert_eq!(corrupted_target.judge(&corrupted), Judgement::Bad);
        assert!(corrupted_target.describe().contains("corrupted"));
        assert!(matches!(
            corrupted_target.judge(&kasan),
            Judgement::Untestable(_)
        ));
    }

    #[test]
    fn the_same_crash_at_another_stage_is_told_apart() {
        let oops = fail(
            SignatureKind::Oops,
            "BUG: kernel NULL pointer dereference in f",
        );
        let target = Target::of_bad(&run_with(oops.clone(), &[])).unwrap();
        assert_eq!(
            target.judge_run(&run_with(oops.clone(), &[])),
            Judgement::Bad
        );
        let early = RunRecord {
            stage: "kernel".into(),
            ..run_with(oops.clone(), &[])
        };
        assert_eq!(
            target.judge_run(&early),
            Judgement::Untestable(
                "the same crash at another stage: BUG: kernel NULL pointer dereference in f at stage kernel — target is at stage test"
                    .into()
            )
        );
        let infra = Outcome::InfraError {
            reason: "qemu died".into(),
        };
        assert!(Target::of_bad(&run_with(infra, &[])).is_none());
        assert!(Target::of_bad(&run_with(Outcome::Pass, &[])).is_none());
    }

    #[test]
    fn a_target_from_an_older_journal_has_no_stage_and_judges_by_title() {
        let old: Target = serde_json::from_str(
            r#"{"target":"signature","signature":{"kind":"oops","title":"BUG: x in f"}}"#,
        )
        .unwrap();
        let oops = fail(SignatureKind::Oops, "BUG: x in f");
        let early = RunRecord {
            stage: "kernel".into(),
            ..run_with(oops, &[])
        };
        assert_eq!(old.judge_run(&early), Judgement::Bad);
    }

    fn run_with(outcome: Outcome, cases: &[(&str, CaseResult)]) -> RunRecord {
        RunRecord {
            name: "suite".into(),
            outcome,
            stage: "test".into(),
            duration_s: 1.0,
            log: "suite.log".into(),
            evidence: None,
            ending: culprit_console::Ending::Exited { code: 0 },
            cases: cases
                .iter()
                .map(|(name, result)| Case {
                    name: name.to_string(),
                    result: *result,
                    signature: None,
                })
                .collect(),
            timeline: None,
            learned: None,
        }
    }

    #[test]
    fn a_case_target_judges_its_case_alone() {
        let target = Target::parse("case:test_b").unwrap();
        let red = fail(SignatureKind::TestFailure, "FAIL - test_a");
        let both = run_with(
            red.clone(),
            &[
                ("s.test_a", CaseResult::Fail),
                ("s.test_b", CaseResult::Crash),
            ],
        );
        assert_eq!(target.judge_run(&both), Judgement::Bad);
        let only_a = run_with(
            red.clone(),
            &[
                ("s.test_a", CaseResult::Fail),
                ("s.test_b", CaseResult::Pass),
            ],
        );
        assert_eq!(target.judge_run(&only_a), Judgement::Good);
        let missing = run_with(red, &[("s.test_a", CaseResult::Fail)]);
        assert!(
            matches!(target.judge_run(&missing), Judgement::Untestable(r) if r.contains("not reported"))
        );
    }
}
