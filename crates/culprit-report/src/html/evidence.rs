//! The steps as they ran (a timeline per worker) and the console evidence of each
//! distinct failure.

use super::*;

pub(super) fn timeline(page: &mut String, reading: &Reading<'_>) {
    page.push_str("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    if reading.steps.is_empty() {
        page.push_str("<p>No step finished.</p>\n</section>\n");
        return;
    }
    page.push_str(&chart::timeline(&reading.steps));
    legend(page);
    page.push_str("<table class=\"grid steps\"><thead><tr><th>#</th><th>start</th><th>took</th><th>phase</th><th>candidate</th><th>verdict</th><th>runs</th><th>ran on</th></tr></thead><tbody>\n");
    for step in &reading.steps {
        // A setup run (normalizer, build) that passed says nothing the tests do not; one
        // that failed is all there is to say (the tests only carry its outcome).
        let setup = setup_runs(&step.row.result);
        let failed_setup = setup.iter().any(|r| r.outcome != Outcome::Pass);
        let runs: Vec<String> = setup
            .into_iter()
            .filter(|r| r.outcome != Outcome::Pass)
            .chain(step.row.result.tests.iter().filter(|_| !failed_setup))
            .map(|r| {
                format!(
                    "<span class=\"run {}\" title=\"{}\">{} {}</span>{}",
                    outcome_class(&r.outcome),
                    html(&r.outcome_text()),
                    html(&r.name),
                    html(r.outcome.word()),
                    case_list(r)
                )
            })
            .collect();
        // Only a skip needs its reason here: the runs show why a step was good or bad.
        let why = match (step.verdict.class, reason(&step.verdict.text)) {
            (VerdictClass::Skip, reason) if !reason.is_empty() => {
                format!("<div class=\"why\">{}</div>", html(reason))
            }
            _ => String::new(),
        };
        let unapplied = if step.unapplied.is_empty() {
            String::new()
        } else {
            format!(
                "<div class=\"why\">not applied: {}</div>",
                html(&step.unapplied.join(", "))
            )
        };
        let detail = if step.detail.is_empty() {
            String::new()
        } else {
            format!("<div class=\"detail\">{}</div>", html(&step.detail))
        };
        let _ = writeln!(
            page,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td><code title=\"{}\">{}</code>{}{}{}</td><td><span class=\"pill {}\">{}</span>{}</td><td>{}</td><td>{}</td></tr>",
            step.row.seq,
            clock(step.row.started, false),
            duration(step.row.finished - step.row.started),
            html(&step.phase),
            html(&step.key),
            html(&step.label),
            if step.cached { " <span class=\"cached\">cached</span>" } else { "" },
            unapplied,
            detail,
            step.verdict.class.word(),
            step.verdict.class.word(),
            why,
            runs.join(" "),
            html(&ran_on(step))
        );
    }
    page.push_str("</tbody></table>\n</section>\n");
}

/// Where a step ran; journals of older versions do not say.
pub(super) fn ran_on(step: &StepEntry<'_>) -> String {
    step.row
        .result
        .place
        .as_ref()
        .map_or_else(|| "–".to_string(), |place| place.describe())
}

/// The reason part of a verdict text ("skip (reason)" gives "reason").
/// The test cases one run reported, failing ones first in the summary.
pub(super) fn case_list(run: &RunRecord) -> String {
    if run.cases.is_empty() {
        return String::new();
    }
    let failing: Vec<&str> = run
        .cases
        .iter()
        .filter(|c| c.result.is_failure())
        .map(|c| c.name.as_str())
        .collect();
    let items: String = run
        .cases
        .iter()
        .map(|c| {
            let crash = c
                .signature
                .as_ref()
                .map_or(String::new(), |s| format!(": {}", html(&s.title)));
            format!(
                "<li class=\"{}\">{} <code>{}</code>{crash}</li>",
                if c.result.is_failure() { "bad" } else { "good" },
                html(c.result.as_str()),
                html(&c.name)
            )
        })
        .collect();
    format!(
        "<details class=\"cases\"><summary>{} cases, {} failing{}</summary><ul>{items}</ul></details>",
        run.cases.len(),
        failing.len(),
        match failing.first() {
            Some(first) => format!(" ({})", html(first)),
            None => String::new(),
        }
    )
}

pub(super) fn reason(text: &str) -> &str {
    text.split_once(" (")
        .map(|(_, rest)| rest.strip_suffix(')').unwrap_or(rest))
        .unwrap_or("")
}

pub(super) fn outcome_class(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "good",
        Outcome::Fail { .. } | Outcome::Hang { .. } => "bad",
        Outcome::BuildError { .. } | Outcome::InfraError { .. } => "skip",
    }
}

/// One excerpt per distinct failure (test, outcome, title), in the order first seen.
pub(super) fn evidence(page: &mut String, reading: &Reading<'_>) {
    let mut distinct: Vec<(&RunRecord, Vec<&StepEntry>)> = Vec::new();
    for step in &reading.steps {
        let result = &step.row.result;
        let build_failed = result
            .build
            .as_ref()
            .is_some_and(|b| b.outcome != Outcome::Pass);
        let runs = setup_runs(result)
            .into_iter()
            .chain(result.tests.iter().filter(|_| !build_failed));
        for run in runs.filter(|r| r.outcome != Outcome::Pass) {
            match distinct
                .iter_mut()
                .find(|(r, _)| r.name == run.name && r.outcome == run.outcome)
            {
                Some((_, steps)) => steps.push(step),
                None => distinct.push((run, vec![step])),
            }
        }
    }
    page.push_str("<section id=\"evidence\">\n<h2>Evidence</h2>\n");
    if distinct.is_empty() {
        page.push_str("<p>Every run passed.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        page,
        "<p class=\"note\">The console around each distinct failure's signature, from the first step that showed it (at most {} KB each; terminal escapes removed).</p>",
        excerpt::CAP / 1024
    );
    for (i, (run, steps)) in distinct.iter().enumerate().take(MAX_EXCERPTS) {
        let seen: Vec<String> = steps
            .iter()
            .map(|s| format!("#{} {}", s.row.seq, s.label))
            .collect();
        let more = if seen.len() > 6 {
            format!(" and {} more", seen.len() - 6)
        } else {
            String::new()
        };
        let _ = writeln!(
            page,
            "<details{}><summary><span class=\"pill {}\">{}</span> <b>{}</b> <code>{}</code> <span class=\"seen\">seen in {}{}</span></summary>",
            if i < OPEN_EXCERPTS { " open" } else { "" },
            outcome_class(&run.outcome),
            html(run.outcome.word()),
            html(&run.name),
            html(&run.outcome.title().unwrap_or_default()),
            html(&seen.iter().take(6).cloned().collect::<Vec<_>>().join(", ")),
            html(&more)
        );
        let path = relative(&run.log, &reading.material.base);
        match excerpt::read(&run.log, run.evidence) {
            Ok(excerpt) => {
                let what = if run.evidence.is_some() {
                    "evidence"
                } else {
                    "last lines, no signature"
                };
                // The evidence is a block of its own: the line breaks around it are its edges.
                let (before, marked) = match excerpt.evidence.as_str() {
                    "" => (excerpt.before.as_str(), String::new()),
                    evidence => (
                        excerpt.before.strip_suffix('\n').unwrap_or(&excerpt.before),
                        format!(
                            "<mark>{}</mark>",
                            html(evidence.strip_suffix('\n').unwrap_or(evidence))
                        ),
                    ),
                };
                let _ = write!(
                    page,
                    "<pre class=\"console\">{}{}{}{}</pre>\n<p class=\"source\">{} bytes {}&ndash;{} ({what})</p>\n",
                    html(before),
                    marked,
                    html(&excerpt.after),
                    if excerpt.cut { "<span class=\"cut\">[the evidence goes on; see the log]</span>" } else { "" },
                    html(&path),
                    excerpt.start,
                    excerpt.end
                );
            }
            Err(err) => {
                let _ = writeln!(
                    page,
                    "<p class=\"source\">{}: cannot read the log ({})</p>",
                    html(&path),
                    html(&err.to_string())
                );
            }
        }
        page.push_str("</details>\n");
    }
    if distinct.len() > MAX_EXCERPTS {
        let _ = writeln!(
            page,
            "<p class=\"note\">{} more distinct failures; <code>culprit log</code> lists every run and its log.</p>",
            distinct.len() - MAX_EXCERPTS
        );
    }
    page.push_str("</section>\n");
}

pub(super) fn span(steps: &[StepEntry<'_>]) -> Option<(f64, f64)> {
    let first = steps.iter().map(|s| s.row.started).reduce(f64::min)?;
    let last = steps.iter().map(|s| s.row.finished).reduce(f64::max)?;
    Some((first, last))
}

/// A wall-clock time in UTC: `13:04:05`, or with the date.
pub(super) fn clock(unix: f64, with_date: bool) -> String {
    let when = UNIX_EPOCH + Duration::from_secs_f64(unix.max(0.0));
    let text = humantime::format_rfc3339_seconds(when).to_string();
    if with_date {
        text.replacen('T', " ", 1).trim_end_matches('Z').to_string() + " UTC"
    } else {
        text.get(11..19).unwrap_or(&text).to_string()
    }
}
