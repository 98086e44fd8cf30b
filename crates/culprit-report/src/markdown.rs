//! The summary a person pastes into a bug or a mailing-list reply: the culprit, the
//! evidence in one table, and the command that shows the failure again.
//!
//! Plain enough to read unrendered in a mail; untrusted text (titles, subjects) goes in
//! code spans or is escaped so it cannot turn into markup.

use super::escape::{md_cell, md_code, md_name, md_text};
use super::findings::{short, work, CommitResult, Hunt};
use super::steps::{artifact_label, VerdictClass};
use super::{Reading, StepEntry};
use culprit_console::Outcome;
use culprit_hunt::commit_hunt::CandidateKind;
use culprit_hunt::results::ConfigHuntResult as ConfigResult;
use culprit_hunt::session::Counts;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Rows of the evidence table beyond which the rest is summed up in one line.
const MAX_ROWS: usize = 40;
/// A configuration hunt tries many large sets on the way; the smallest tell the story.
const MAX_CONFIG_ROWS: usize = 12;

pub fn render(reading: &Reading<'_>) -> String {
    let session = reading.session();
    let mut out = format!(
        "### culprit {} (session {}): {}\n\n",
        session.kind,
        session.id,
        title(reading)
    );
    if let Some(error) = &reading.findings.error {
        let _ = writeln!(out, "The session ended early: {}\n", md_code(error));
    }
    match &reading.findings.hunt {
        Hunt::Commit(found) => commit_summary(&mut out, found),
        Hunt::Config(found) => config_summary(&mut out, found),
        Hunt::Plain => {}
    }
    if let Some(retried) = culprit_hunt::infra::describe(&reading.retried) {
        let _ = writeln!(out, "{}.\n", md_text(&retried));
    }
    evidence_table(&mut out, reading);
    match &reading.findings.hunt {
        Hunt::Commit(found) => commit_reproduction(&mut out, found),
        Hunt::Config(found) => config_reproduction(&mut out, found),
        Hunt::Plain => {}
    }
    out
}

/// The status, and the culprit when there is one (its details follow in the text).
fn title(reading: &Reading<'_>) -> String {
    match &reading.findings.hunt {
        Hunt::Commit(found) => match (&found.result.culprit, &found.result.commit) {
            (Some(_), Some(c)) => format!(
                "{} {} {}",
                md_text(found.result.status.as_str()),
                md_code(&short(&c.id)),
                md_text(&c.subject)
            ),
            (Some(culprit), None) => format!(
                "{} {}",
                md_text(found.result.status.as_str()),
                md_code(&artifact_label(culprit))
            ),
            (None, _) => md_text(found.result.status.as_str()),
        },
        Hunt::Config(found) => md_text(found.status.as_str()),
        Hunt::Plain => md_text(&reading.session().status),
    }
}

fn commit_summary(out: &mut String, found: &CommitResult) {
    match (&found.result.culprit, &found.result.commit) {
        (Some(_), Some(c)) => {
            let _ = writeln!(
                out,
                "**Culprit:** {} {}  ",
                md_code(&c.id),
                md_text(&c.subject)
            );
            let _ = writeln!(
                out,
                "Author: {}, {}  ",
                md_code(&c.author),
                md_text(&c.date)
            );
        }
        (Some(culprit), None) => {
            let _ = writeln!(out, "**Culprit:** {}  ", md_code(culprit));
        }
        (None, _) => {
            let _ = writeln!(
                out,
                "**No single culprit** ({}).  ",
                md_text(found.result.status.as_str())
            );
        }
    }
    if let Some(message) = &found.result.message {
        let _ = writeln!(out, "{}  ", md_text(message));
    }
    if found.result.culprit.is_none() && !found.result.suspects.is_empty() {
        out.push_str("Suspects:\n\n");
        for s in &found.result.suspects {
            let _ = writeln!(
                out,
                "- {} {} (p={:.2})",
                md_code(&short(&s.rev)),
                md_text(&s.reason),
                s.probability
            );
        }
        out.push('\n');
    }
    for (test, target) in &found.result.target {
        let _ = writeln!(out, "Target ({}): {}  ", md_name(test), md_code(target));
    }
    let mut line = format!("Confidence {:.2}", found.result.confidence);
    if let Some(flaky) = &found.result.flaky {
        let _ = write!(line, " ({})", flaky.describe());
    }
    let _ = write!(line, "; {}", work_line(&found.result.counts));
    let _ = writeln!(out, "{line}.  ");
    if let Some(prior) = &found.result.prior {
        let _ = writeln!(out, "{}.  ", md_text(&prior.describe()));
    }
    for v in &found.result.verification {
        let _ = writeln!(out, "Verified: {}.  ", md_text(v));
    }
    out.push('\n');
}

fn config_summary(out: &mut String, found: &ConfigResult) {
    if let Some(message) = &found.message {
        let _ = writeln!(out, "{}\n", md_text(message));
    }
    if !found.culprits.is_empty() {
        out.push_str("| test | culprit options | failure |\n|---|---|---|\n");
        for c in &found.culprits {
            let options: Vec<String> = c.options.iter().map(|o| md_code(o)).collect();
            let failure = match &c.title {
                Some(title) => format!("{}: {}", md_text(&c.outcome), md_code(title)),
                None => md_text(&c.outcome),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                md_cell(&md_name(&c.test)),
                md_cell(&options.join(" + ")),
                md_cell(&failure)
            );
        }
        out.push('\n');
    }
    let quiet: Vec<String> = found
        .tests
        .iter()
        .filter(|(test, _)| !found.culprits.iter().any(|c| &c.test == *test))
        .map(|(test, state)| format!("{} {}", md_name(test), md_text(state)))
        .collect();
    if !quiet.is_empty() {
        let _ = writeln!(out, "Other tests: {}.  ", quiet.join("; "));
    }
    if !found.not_applied.is_empty() {
        let items: Vec<String> = found
            .not_applied
            .iter()
            .map(|n| {
                let why = n.why();
                format!(
                    "{} (asked {}, got {}{})",
                    md_code(&n.option),
                    md_code(&n.requested),
                    md_code(&n.got),
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {why}")
                    }
                )
            })
            .collect();
        let _ = writeln!(out, "Not applied by the build: {}.  ", items.join(", "));
    }
    if !found.costly_options.is_empty() {
        let items: Vec<String> = found
            .costly_options
            .iter()
            .map(|c| format!("{} ({})", md_code(&c.option), md_text(&c.cost())))
            .collect();
        let _ = writeln!(
            out,
            "Slow to build: {}; the search built the cheaper of equally useful candidates first.  ",
            items.join(", ")
        );
    }
    let _ = writeln!(out, "{}.\n", work_line(&found.counts));
}

/// [`work`] as a clause: "12 steps, 9 builds, 14 test runs".
fn work_line(counts: &Counts) -> String {
    let parts: Vec<String> = work(counts)
        .into_iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    parts.join(", ")
}

/// One row per candidate (repeated runs of it folded together), one column per test.
fn evidence_table(out: &mut String, reading: &Reading<'_>) {
    if reading.steps.is_empty() {
        out.push_str("No step finished.\n\n");
        return;
    }
    let mut tests: Vec<&str> = Vec::new();
    for step in &reading.steps {
        for run in &step.row.result.tests {
            if !tests.contains(&run.name.as_str()) {
                tests.push(&run.name);
            }
        }
    }
    let groups = group(reading);
    out.push_str("| candidate | verdict |");
    for test in &tests {
        let _ = write!(out, " {} |", md_cell(&md_name(test)));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(tests.len()));
    out.push('\n');
    let (rows, more) = match reading.findings.hunt {
        Hunt::Config(_) => (MAX_CONFIG_ROWS, "candidates with more options"),
        _ => (MAX_ROWS, "candidates"),
    };
    for (name, steps) in groups.iter().take(rows) {
        // A skip says why: another crash is named next to the target, so a
        // reworded report and another bug read differently.
        let verdicts = tally(steps.iter().map(|s| match s.verdict.class {
            VerdictClass::Skip => s.verdict.text.clone(),
            _ => s.verdict_word(),
        }));
        let _ = write!(out, "| {} | {} |", md_cell(name), md_cell(&verdicts));
        for test in &tests {
            let mut outcomes = tally(steps.iter().flat_map(|s| {
                s.row
                    .result
                    .tests
                    .iter()
                    .filter(|r| r.name == *test)
                    .map(|r| match r.learned {
                        Some(_) => format!("{} (learned deadline)", outcome_cell(&r.outcome)),
                        None => outcome_cell(&r.outcome),
                    })
            }));
            if outcomes.is_empty() {
                outcomes = "–".into();
            }
            let _ = write!(out, " {} |", md_cell(&outcomes));
        }
        out.push('\n');
    }
    if groups.len() > rows {
        let _ = writeln!(
            out,
            "\n... and {} more {more} (`culprit log` lists them all).",
            groups.len() - rows
        );
    }
    out.push('\n');
}

/// Steps grouped by candidate: newest commit first when the history is known (as `git
/// log` shows it), configurations smallest first, otherwise in the order they ran.
fn group<'r, 'a>(reading: &'r Reading<'a>) -> Vec<(String, Vec<&'r StepEntry<'a>>)> {
    let position: BTreeMap<&str, usize> = match &reading.findings.hunt {
        Hunt::Commit(found) => match &found.plan.kind {
            Some(CandidateKind::Commits { range, .. }) => range
                .iter()
                .enumerate()
                .map(|(i, (id, _))| (id.as_str(), i))
                .collect(),
            Some(CandidateKind::Artifacts { list, .. }) => list
                .iter()
                .rev()
                .enumerate()
                .map(|(i, a)| (a.as_str(), i))
                .collect(),
            None => BTreeMap::new(),
        },
        _ => BTreeMap::new(),
    };
    // (identity, name, position, steps): a revert of a commit is another candidate.
    type Group<'r, 'a> = (String, String, Option<usize>, Vec<&'r StepEntry<'a>>);
    let mut groups: Vec<Group> = Vec::new();
    for step in &reading.steps {
        let revert = step.phase == "verify-revert";
        let identity = format!("{}{}", if revert { "revert " } else { "" }, step.key);
        match groups.iter_mut().find(|g| g.0 == identity) {
            Some(group) => group.3.push(step),
            None => {
                let mut name = md_code(&step.label);
                if !step.unapplied.is_empty() {
                    let unapplied: Vec<String> =
                        step.unapplied.iter().map(|o| md_code(o)).collect();
                    name = format!("{name} (not applied: {})", unapplied.join(", "));
                }
                if revert {
                    name = format!("revert of {name} on bad");
                } else if !step.detail.is_empty() && step.size.is_none() {
                    name = format!("{name} {}", md_code(&step.detail));
                }
                let at = match step.size {
                    Some(size) => Some(size),
                    None => (!revert)
                        .then(|| position.get(step.key.as_str()).copied())
                        .flatten(),
                };
                groups.push((identity, name, at, vec![step]));
            }
        }
    }
    // Candidates outside the range (the good endpoints) go last, in the order they ran.
    groups.sort_by_key(|g| g.2.unwrap_or(usize::MAX));
    groups
        .into_iter()
        .map(|(_, name, _, steps)| (name, steps))
        .collect()
}

/// Distinct values with their counts, in first-seen order: `bad ×3, good`.
fn tally(values: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for value in values {
        match seen.iter_mut().find(|(v, _)| *v == value) {
            Some((_, n)) => *n += 1,
            None => seen.push((value, 1)),
        }
    }
    seen.into_iter()
        .map(|(v, n)| if n > 1 { format!("{v} ×{n}") } else { v })
        .collect::<Vec<_>>()
        .join(", ")
}

fn outcome_cell(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Pass => "pass".into(),
        Outcome::Hang { stage, .. } => format!("hang at {}", md_code(stage)),
        other => format!(
            "{} {}",
            other.word(),
            md_code(&clip(&other.title().unwrap_or_default(), 72))
        ),
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(max - 1).collect();
    clipped.push('…');
    clipped
}

fn commit_reproduction(out: &mut String, found: &CommitResult) {
    let Some(culprit) = &found.result.culprit else {
        return;
    };
    let tests = found.test_args();
    match &found.plan.kind {
        Some(CandidateKind::Artifacts { list, .. }) => {
            let before = list
                .iter()
                .position(|a| a == culprit)
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| list.get(i));
            out.push_str(
                "To reproduce, run the tests with `{artifact}` set to the first bad artifact:\n\n",
            );
            let _ = writeln!(out, "{}", md_code(culprit));
            if let Some(before) = before {
                let _ = writeln!(
                    out,
                    "\nThe one before it, {}, passes.",
                    md_code(&artifact_label(before))
                );
            }
        }
        _ => {
            let id = short(culprit);
            out.push_str("To reproduce:\n\n```sh\n");
            let _ = writeln!(out, "culprit run --rev {id}{tests}    # fails as above");
            let _ = writeln!(
                out,
                "git checkout {} && git revert --no-edit {id} && culprit run{tests}    # should pass",
                found.bad_short()
            );
            out.push_str("```\n");
        }
    }
}

fn config_reproduction(out: &mut String, found: &ConfigResult) {
    let built = |verified: bool| if verified { " (built and checked)" } else { "" };
    let mut cured: Vec<&str> = Vec::new();
    for c in &found.culprits {
        if let Some(fragment) = Some(c.reproduce.as_str()).filter(|f| !f.trim().is_empty()) {
            let _ = writeln!(
                out,
                "To reproduce {} ({}) on the good configuration, apply{}:\n\n```\n{}\n```\n",
                md_code(&c.test),
                md_text(c.failure()),
                built(c.reproduce_verified),
                fence_safe(fragment)
            );
        }
    }
    for c in &found.culprits {
        if cured.contains(&c.test.as_str()) {
            continue;
        }
        cured.push(&c.test);
        if let Some(fragment) = Some(c.cure.as_str()).filter(|f| !f.trim().is_empty()) {
            let _ = writeln!(
                out,
                "To cure {} on the bad configuration, apply{}:\n\n```\n{}\n```\n",
                md_code(&c.test),
                built(c.cure_verified),
                fence_safe(fragment)
            );
        }
    }
}

/// Text for a fenced block: a line of backticks inside would close the fence early.
fn fence_safe(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("```") {
                format!(" {l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_fold_repeats_in_first_seen_order() {
        let values = ["bad", "good", "bad", "bad"].map(String::from);
        assert_eq!(tally(values.into_iter()), "bad ×3, good");
    }

    #[test]
    fn fences_cannot_be_closed_from_inside() {
        assert_eq!(
            fence_safe("CONFIG_A=y\n```\nCONFIG_B=n\n"),
            "CONFIG_A=y\n ```\nCONFIG_B=n"
        );
    }
}
