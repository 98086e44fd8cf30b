//! The words of a hunt's story: each typed event the hunt tells becomes one line, no
//! wider than the terminal (or 160 characters when stderr is not one), with what matters
//! kept and the rest left to the log, the JSON and the reports.

use crate::view::{clean_title, fit, short};
use culprit_hunt::judgement::Judgement;
use culprit_hunt::record::{fixups_label, Place};
use culprit_hunt::target::Target;
use culprit_hunt::told::Told;
use std::collections::BTreeSet;
use std::path::Path;

/// The end of every line about a step that a resumed session replays.
const FROM_JOURNAL: &str = " (from the journal)";

/// Words events into lines; remembers what the previous configuration build held, so a
/// build's line says what changed.
pub struct Story {
    width: usize,
    /// Only the milestones (endpoints, targets, fixups, verification): steps show on
    /// the live display alone. The demo tells its story this way.
    brief: bool,
    last_build: BTreeSet<String>,
    base: std::path::PathBuf,
}

impl Story {
    pub fn new(width: usize, brief: bool) -> Story {
        Story {
            width,
            brief,
            last_build: BTreeSet::new(),
            base: std::env::current_dir().unwrap_or_default(),
        }
    }

    /// The line for `told`, or `None` when the brief story leaves it out.
    pub fn line(&mut self, told: &Told) -> Option<String> {
        if self.brief && is_step_level(told) {
            return None;
        }
        let text = match told {
            Told::Resumed { steps } => format!(
                "resumed: {steps} steps from the journal; they do not run again, and their lines end in \"{}\"",
                FROM_JOURNAL.trim()
            ),
            Told::CheckingEndpoints { bad, good } => format!(
                "checking the endpoints: bad {}, good {}",
                short(bad),
                good.iter().map(|g| short(g)).collect::<Vec<_>>().join(", ")
            ),
            Told::TargetFound { test, target } => {
                format!("target of {test}: {}", target_text(target))
            }
            Told::EndpointAgain {
                phase,
                candidate,
                outcome,
            } => format!(
                "{phase} {}: {}; running it again",
                short(candidate),
                outcome.word()
            ),
            Told::Intermittent {
                failed,
                runs,
                confidence,
            } => format!(
                "the failure is intermittent: the bad endpoint failed {failed} of {runs} runs so far; bisecting with a Bayesian model that learns the failure rates from every run and may find no culprit (confidence {confidence:.2})"
            ),
            Told::Prior(used) => used.describe(),
            Told::Testing {
                candidate,
                suspects,
                likeliest,
                fixups,
                early,
                replayed,
            } => {
                let likeliest = likeliest
                    .as_ref()
                    .map(|(id, p)| format!(" (likeliest {} at {p:.2})", short(id)))
                    .unwrap_or_default();
                let with = if fixups.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", fixups_label(fixups))
                };
                let early = if *early {
                    " while the bad endpoint still runs"
                } else {
                    ""
                };
                format!(
                    "{suspects} suspects left{likeliest}; testing {}{with}{early}{}",
                    short(candidate),
                    journal_mark(*replayed)
                )
            }
            Told::Judged {
                candidate,
                judgement,
                fixups,
                place,
                log,
                replayed,
            } => {
                let with = match (fixups.is_empty(), judgement) {
                    (false, Judgement::Good | Judgement::Bad) => {
                        format!(" (with {})", fixups_label(fixups))
                    }
                    _ => String::new(),
                };
                let tail = format!("{with}{}{}", on(place.as_ref()), journal_mark(*replayed));
                let head = format!("  {} -> ", short(candidate));
                let verdict = self.verdict(judgement, log.as_deref(), head.len() + tail.len());
                format!("{head}{verdict}{tail}")
            }
            Told::SetAside {
                candidate,
                judgement,
                replayed,
            } => format!(
                "  {} -> set aside: it stopped at its first failure before the targets were known ({}){}",
                short(candidate),
                judgement_word(judgement),
                journal_mark(*replayed)
            ),
            Told::CheckingFixupParent {
                candidate,
                parent,
                fixups,
            } => format!(
                "{} is bad with {}: checking that its parent {} passes with it, or the fixup may carry the failure itself",
                short(candidate),
                fixups_label(fixups),
                short(parent)
            ),
            Told::FixupParentJudged { parent, judgement } => {
                let head = format!("  {} -> ", short(parent));
                let verdict = self.verdict(judgement, None, head.len());
                format!("{head}{verdict}")
            }
            Told::LookingForFix {
                suspects,
                build_error,
            } => format!(
                "{suspects} suspects left that only builds tell apart; looking for the commit that ended the build failure `{build_error}`"
            ),
            Told::FixWanted {
                candidate,
                build_error,
                waits: true,
            } => format!(
                "{} does not build (`{build_error}`), and no descendant known to build leads back to it yet: the search goes on",
                short(candidate)
            ),
            Told::FixWanted {
                candidate,
                build_error,
                waits: false,
            } => format!(
                "{} does not build: looking for the commit that ended `{build_error}` now (automatic fixups up front)",
                short(candidate)
            ),
            Told::FixFound {
                fix,
                after,
                build_error,
            } => format!(
                "{} is the first commit after {} whose build no longer fails with `{build_error}`: trying it as a fixup",
                short(fix),
                short(after)
            ),
            Told::LearnedDeadline {
                candidate,
                test,
                hang,
                replayed,
            } => format!(
                "    {} {test}: a hang at stage {} by the learned deadline {}: silent {:.1} s, where passing runs were silent {:.1} s at most{}",
                short(candidate),
                hang.stage,
                hang.margin,
                hang.silent_for,
                hang.passes_silent,
                journal_mark(*replayed)
            ),
            Told::Verifying { candidate, runs } => format!(
                "verifying {}: {runs} more run(s) of it and of its parent(s)",
                short(candidate)
            ),
            Told::NativeKconfig { tree } => format!(
                "evaluating candidates with culprit's Kconfig evaluator (the Kconfig of {tree})"
            ),
            Told::OptionsDiffer { count } => {
                format!("{count} options differ between the good and the bad configuration")
            }
            Told::AppliesOnlyWith { option, needs } => format!(
                "{option} applies only with {{{}}}: candidates with it get them too",
                needs.join(", ")
            ),
            Told::Hunting { targets } => format!(
                "hunting {}",
                targets
                    .iter()
                    .map(|(test, target)| format!("{test} ({})", target_text(target)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Told::Building {
                number,
                options,
                of,
                replayed,
            } => self.building(*number, options, *of, *replayed),
            Told::BuildAgain { number, replayed } => format!(
                "build {number}: infrastructure error; building it again{}",
                journal_mark(*replayed)
            ),
            Told::Built {
                number,
                verdicts,
                place,
                replayed,
            } => format!(
                "  build {number} -> {}{}{}",
                verdicts
                    .iter()
                    .map(|(test, verdict)| format!("{test} {verdict}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                on(place.as_ref()),
                journal_mark(*replayed)
            ),
            Told::Costly {
                option,
                seconds_with,
                seconds_without,
            } => format!(
                "{option}: candidates with it take {seconds_with:.0} s to build, {seconds_without:.0} s without; the search builds the cheaper of equally useful candidates first"
            ),
        };
        Some(fit(&text, self.width))
    }

    /// A verdict in as few words as say what it hit: a skip names the failure it met
    /// (without the target it was told apart from) and points to the log; it is cut to
    /// what is left of the line after `taken` characters.
    fn verdict(&self, judgement: &Judgement, log: Option<&Path>, taken: usize) -> String {
        let Judgement::Untestable(reason) = judgement else {
            return judgement_word(judgement);
        };
        let log = log
            .map(|log| format!("; log {}", culprit_hunt::record::relative(log, &self.base)))
            .unwrap_or_default();
        let room = self
            .width
            .saturating_sub(taken + log.len() + "skip ()".len());
        format!("skip ({}{log})", fit(&hit(reason), room.max(20)))
    }

    /// "build 9: 3 of 21 options: +IPI -CPU_MASK": the options that changed since the
    /// previous build, or all of them when that is shorter.
    fn building(&mut self, number: usize, options: &[String], of: usize, replayed: bool) -> String {
        let now: BTreeSet<String> = options.iter().map(|o| bare(o).to_string()).collect();
        let added: Vec<String> = now
            .difference(&self.last_build)
            .map(|o| format!("+{o}"))
            .collect();
        let removed: Vec<String> = self
            .last_build
            .difference(&now)
            .map(|o| format!("-{o}"))
            .collect();
        let listed: Vec<String> = now.iter().cloned().collect();
        let changes: Vec<String> = added.into_iter().chain(removed).collect();
        let shown = if self.last_build.is_empty() || listed.len() <= changes.len() {
            listed.join(" ")
        } else {
            changes.join(" ")
        };
        self.last_build = now;
        let head = format!("build {number}: {} of {of} options", options.len());
        let tail = journal_mark(replayed);
        if shown.is_empty() {
            return format!("{head}{tail}");
        }
        let room = self.width.saturating_sub(head.len() + tail.len() + 2);
        format!("{head}: {}{tail}", fit(&shown, room.max(20)))
    }
}

/// Events about single steps, which the brief story leaves to the live display.
fn is_step_level(told: &Told) -> bool {
    matches!(
        told,
        Told::Testing { .. }
            | Told::Judged { .. }
            | Told::LearnedDeadline { .. }
            | Told::SetAside { .. }
            | Told::CheckingFixupParent { .. }
            | Told::FixupParentJudged { .. }
            | Told::EndpointAgain { .. }
            | Told::FixWanted { waits: true, .. }
            | Told::Building { .. }
            | Told::BuildAgain { .. }
            | Told::Built { .. }
    )
}

fn journal_mark(replayed: bool) -> &'static str {
    if replayed {
        FROM_JOURNAL
    } else {
        ""
    }
}

fn on(place: Option<&Place>) -> String {
    place
        .map(|place| format!(" (on {})", place.describe()))
        .unwrap_or_default()
}

/// `good`, `bad`, `skip (…)`, `infrastructure error (…)`.
fn judgement_word(judgement: &Judgement) -> String {
    match judgement {
        Judgement::Untestable(reason) => format!("skip ({})", hit(reason)),
        other => other.to_string(),
    }
}

/// What a skipped step hit, without the target it was told apart from: the full reason
/// names both, and the target is on its own line already. A reason about one test only
/// drops the test's name (`boot: `), which the target's line gives.
fn hit(reason: &str) -> String {
    let reason = match reason.split_once(": ") {
        Some((test, rest)) if !reason.contains("; ") && !test.contains(' ') => rest,
        _ => reason,
    };
    let parts: Vec<String> = reason
        .split("; ")
        .map(|part| {
            let part = part.split(" — target is ").next().unwrap_or(part);
            clean_title(part)
        })
        .collect();
    let mut unique: Vec<String> = Vec::new();
    for part in parts {
        if !unique.contains(&part) {
            unique.push(part);
        }
    }
    unique.join("; ")
}

/// A target as the story names it: the failure's title without console decorations.
fn target_text(target: &Target) -> String {
    match target {
        Target::Signature { signature, .. } => {
            let kind = signature.kind.as_str();
            let title = clean_title(&signature.title);
            if kind == "custom" {
                title
            } else {
                format!("{title} ({kind})")
            }
        }
        other => other.describe(),
    }
}

/// An option without its `CONFIG_` prefix.
fn bare(option: &str) -> &str {
    option.strip_prefix("CONFIG_").unwrap_or(option)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(story: &mut Story, number: usize, options: &[&str]) -> String {
        let told = Told::Building {
            number,
            options: options.iter().map(|o| o.to_string()).collect(),
            of: 21,
            replayed: false,
        };
        story.line(&told).unwrap_or_default()
    }

    #[test]
    fn a_build_says_how_many_options_and_what_changed() {
        let mut story = Story::new(160, false);
        assert_eq!(
            built(
                &mut story,
                3,
                &["CONFIG_A", "CONFIG_B", "CONFIG_C", "CONFIG_IPI"]
            ),
            "build 3: 4 of 21 options: A B C IPI"
        );
        assert_eq!(
            built(&mut story, 4, &["CONFIG_A", "CONFIG_B", "CONFIG_C"]),
            "build 4: 3 of 21 options: -IPI"
        );
        assert_eq!(
            built(&mut story, 5, &["CONFIG_IPI"]),
            "build 5: 1 of 21 options: IPI"
        );
    }

    #[test]
    fn a_skip_names_what_it_hit_without_the_target_and_points_to_the_log() {
        let mut story = Story::new(160, false);
        let reason = "smp_mutex: another failure: >>> TOYOS FATAL ERROR: CPU exception 13 (general protection fault) on CPU (custom) — target is >>> TOYOS FATAL ERROR: CPU exception 0 (divide error) on CPU (custom); smp_threads: another failure: >>> TOYOS FATAL ERROR: CPU exception 13 (general protection fault) on CPU (custom) — target is ASSERTION FAIL [remote.runs == 1] @ smp_threads.c (assertion)";
        let line = story
            .line(&Told::Judged {
                candidate: "dd83eb8cd35a018727c322165fbee01d8dfb5cb6".into(),
                judgement: Judgement::Untestable(reason.into()),
                fixups: Vec::new(),
                place: None,
                log: Some("/elsewhere/logs/step-4/smp_mutex.log".into()),
                replayed: false,
            })
            .unwrap_or_default();
        assert!(line.starts_with("  dd83eb8cd35a -> skip (smp_mutex: another failure: TOYOS FATAL ERROR: CPU exception 13"), "{line}");
        assert!(
            !line.contains("target is") && !line.contains(">>>"),
            "{line}"
        );
        assert!(
            line.ends_with("; log /elsewhere/logs/step-4/smp_mutex.log)"),
            "{line}"
        );
        assert!(line.chars().count() <= 160, "{line}");
    }

    #[test]
    fn no_line_is_wider_than_asked() {
        let mut story = Story::new(60, false);
        let line = story
            .line(&Told::LookingForFix {
                suspects: 8,
                build_error: "src/changelog.c: error: toyos/lib_types.h: No such file or directory"
                    .into(),
            })
            .unwrap_or_default();
        assert!(line.chars().count() <= 60, "{line}");
        assert!(line.starts_with("8 suspects left"), "{line}");
    }

    #[test]
    fn a_learned_deadline_says_what_it_was_made_of() {
        let told = Told::LearnedDeadline {
            candidate: "c717e2d49ab5f4b8f17576aafcbc5ff50f30841f".into(),
            test: "boot".into(),
            hang: culprit_console::LearnedHang {
                margin: "4x+5s".into(),
                stage: "none".into(),
                passes_left_at: 0.1,
                passes_silent: 0.4,
                stopped_at: 6.61,
                silent_for: 6.61,
            },
            replayed: false,
        };
        let line = Story::new(160, false).line(&told).unwrap_or_default();
        assert_eq!(
            line,
            "    c717e2d49ab5 boot: a hang at stage none by the learned deadline 4x+5s: silent 6.6 s, where passing runs were silent 0.4 s at most"
        );
        assert_eq!(Story::new(160, true).line(&told), None);
    }

    #[test]
    fn the_brief_story_leaves_steps_to_the_live_display() {
        let mut story = Story::new(160, true);
        assert!(built(&mut story, 1, &["CONFIG_A"]).is_empty());
        assert!(story
            .line(&Told::Verifying {
                candidate: "c717e2d49ab5f4b8f17576aafcbc5ff50f30841f".into(),
                runs: 1
            })
            .is_some_and(
                |l| l == "verifying c717e2d49ab5: 1 more run(s) of it and of its parent(s)"
            ));
    }
}
