//! One self-contained HTML page: the verdict, how the hunt went, and the console
//! evidence. No network at all (inline CSS, no scripts, no web fonts), so it can be
//! attached to a bug or archived by CI and still open years later.
//!
//! Everything from the journal is escaped: logs, titles and commit subjects come from
//! the code under test.

use super::chart::{self, Point};
use super::escape::{html, shell_word};
use super::excerpt;
use super::findings::{short, CommitResult, Hunt};
use super::narrowing::suspects_left;
use super::steps::VerdictClass;
use super::steps::{artifact_label, setup_runs};
use super::time::duration;
use super::{Reading, StepEntry};
use culprit_console::Outcome;
use culprit_hunt::commit_hunt::CandidateKind;
use culprit_hunt::record::relative;
use culprit_hunt::record::RunRecord;
use culprit_hunt::results::ConfigHuntResult as ConfigResult;
use std::fmt::Write;
use std::time::{Duration, UNIX_EPOCH};

/// Distinct failures shown with their console excerpt; the rest are listed.
const MAX_EXCERPTS: usize = 16;
/// Excerpts shown unfolded.
const OPEN_EXCERPTS: usize = 4;

const STYLE: &str = include_str!("report.css");

pub fn render(reading: &Reading<'_>) -> String {
    let session = reading.session();
    let headline = reading.findings.headline(&session.status);
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"culprit {}\">\n<title>culprit {} session {}: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        html(&session.kind),
        session.id,
        html(&headline)
    );
    header(&mut page, reading, &headline);
    page.push_str("<main>\n");
    match &reading.findings.hunt {
        Hunt::Commit(found) => {
            commit_facts(&mut page, found);
            commit_reproduction(&mut page, found);
            narrowing(&mut page, reading, found);
        }
        Hunt::Config(found) => {
            config_matrix(&mut page, found);
            config_reproduction(&mut page, found);
            not_applied(&mut page, found);
            build_cost(&mut page, found);
        }
        Hunt::Plain => {}
    }
    timeline(&mut page, reading);
    evidence(&mut page, reading);
    page.push_str("</main>\n");
    let _ = write!(
        page,
        "<footer>Written by culprit {} from the journal in <code>.culprit/</code>. Times are UTC.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    page
}

fn header(page: &mut String, reading: &Reading<'_>, headline: &str) {
    let session = reading.session();
    let (status, tone) = match &reading.findings.hunt {
        Hunt::Commit(c) => (c.result.status.as_str(), tone(c.result.status.as_str())),
        Hunt::Config(c) => (c.status.as_str(), tone(c.status.as_str())),
        Hunt::Plain => (session.status.as_str(), tone(&session.status)),
    };
    let _ = write!(
        page,
        "<header>\n<div class=\"kicker\">culprit {} &middot; session {} <span class=\"pill {tone}\">{}</span></div>\n",
        html(&session.kind),
        session.id,
        html(status)
    );
    match &reading.findings.hunt {
        Hunt::Commit(c) => match (&c.result.culprit, &c.result.commit) {
            (Some(_), Some(commit)) => {
                let _ = write!(
                    page,
                    "<h1><span class=\"label\">First bad commit</span> <code>{}</code> {}</h1>\n<p class=\"byline\">{} &middot; {} &middot; <code class=\"full\">{}</code></p>\n",
                    html(&short(&commit.id)),
                    html(&commit.subject),
                    html(&commit.author),
                    html(&commit.date),
                    html(&commit.id)
                );
            }
            (Some(culprit), None) => {
                let name = match &c.plan.kind {
                    Some(CandidateKind::Artifacts { .. }) => "First bad artifact",
                    _ => "Culprit",
                };
                let _ = write!(
                    page,
                    "<h1><span class=\"label\">{name}</span> <code>{}</code></h1>\n<p class=\"byline\"><code class=\"full\">{}</code></p>\n",
                    html(&artifact_label(culprit)),
                    html(culprit)
                );
            }
            (None, _) => {
                let _ = writeln!(page, "<h1>{}</h1>", html(headline));
            }
        },
        Hunt::Config(c) if !c.culprits.is_empty() => {
            let mut options: Vec<&str> = c
                .culprits
                .iter()
                .flat_map(|k| k.options.iter().map(String::as_str))
                .collect();
            options.sort_unstable();
            options.dedup();
            let chips: Vec<String> = options
                .iter()
                .map(|o| format!("<code>{}</code>", html(o)))
                .collect();
            let failing: std::collections::BTreeSet<&str> =
                c.culprits.iter().map(|k| k.test.as_str()).collect();
            let _ = writeln!(
                page,
                "<h1><span class=\"label\">Culprit options</span> {}</h1>\n<p class=\"byline\">{} of {} tests fail because of them; each test's own set is below.</p>",
                chips.join(" "),
                failing.len(),
                c.tests.len().max(failing.len())
            );
        }
        _ => {
            let _ = writeln!(page, "<h1>{}</h1>", html(headline));
        }
    }
    let mut facts: Vec<(String, String)> = Vec::new();
    match &reading.findings.hunt {
        Hunt::Commit(c) => {
            facts.push(("confidence".into(), format!("{:.2}", c.result.confidence)));
            facts.push(("steps".into(), c.result.steps.to_string()));
            facts.push(("builds".into(), c.result.builds.to_string()));
            facts.push(("test runs".into(), c.result.runs.to_string()));
            if c.result.cached > 0 {
                facts.push(("from earlier sessions".into(), c.result.cached.to_string()));
            }
        }
        Hunt::Config(c) => {
            facts.push(("steps".into(), c.steps.to_string()));
            facts.push(("builds".into(), c.builds.to_string()));
            facts.push(("test runs".into(), c.runs.to_string()));
        }
        Hunt::Plain => facts.push(("steps".into(), reading.steps.len().to_string())),
    }
    let retried: usize = reading.retried.iter().map(|r| r.runs).sum();
    if retried > 0 {
        facts.push(("retried (lab faults)".into(), retried.to_string()));
    }
    if let Some((first, last)) = span(&reading.steps) {
        facts.push(("wall time".into(), duration(last - first)));
        facts.push(("started".into(), clock(first, true)));
    }
    page.push_str("<dl class=\"facts\">");
    for (name, value) in facts {
        let _ = write!(
            page,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            html(&name),
            html(&value)
        );
    }
    page.push_str("</dl>\n");
    if let Some(retried) = culprit_hunt::infra::describe(&reading.retried) {
        let _ = writeln!(page, "<p class=\"retried\">{}.</p>", html(&retried));
    }
    if let Some(error) = &reading.findings.error {
        let _ = writeln!(
            page,
            "<p class=\"error\">The session ended early: {}</p>",
            html(error)
        );
    }
    page.push_str("</header>\n");
}

fn tone(status: &str) -> &'static str {
    match status {
        "found" | "pass" | "passed" => "good",
        "ambiguous" | "running" | "interrupted" => "skip",
        _ => "bad",
    }
}

fn commit_facts(page: &mut String, found: &CommitResult) {
    page.push_str("<section id=\"summary\">\n<h2>What was hunted</h2>\n<ul class=\"plain\">\n");
    for (test, target) in &found.result.target {
        let _ = writeln!(
            page,
            "<li><b>{}</b> fails at the bad endpoint with <code>{}</code></li>",
            html(test),
            html(target)
        );
    }
    if let Some(p) = found.result.flaky.as_ref().map(|f| f.p_fail_if_bad) {
        let _ = writeln!(
            page,
            "<li>The failure is intermittent: the bad endpoint failed {:.0}% of its runs; the search weighed each verdict (Bayesian bisection).</li>",
            p * 100.0
        );
    }
    if let Some(message) = &found.result.message {
        let _ = writeln!(page, "<li>{}</li>", html(message));
    }
    for line in &found.result.verification {
        let _ = writeln!(page, "<li class=\"verified\">Verified: {}</li>", html(line));
    }
    page.push_str("</ul>\n");
    if found.result.culprit.is_none() && !found.result.suspects.is_empty() {
        page.push_str("<table class=\"grid\"><thead><tr><th>suspect</th><th>why it cannot be cleared</th><th>probability</th></tr></thead><tbody>\n");
        for s in &found.result.suspects {
            let _ = writeln!(
                page,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{:.2}</td></tr>",
                html(&artifact_label(&short_commit(&s.rev))),
                html(&s.reason),
                s.probability
            );
        }
        page.push_str("</tbody></table>\n");
    }
    page.push_str("</section>\n");
}

/// A commit id shortened; anything else (an artifact) left whole.
fn short_commit(rev: &str) -> String {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        short(rev)
    } else {
        rev.to_string()
    }
}

fn commit_reproduction(page: &mut String, found: &CommitResult) {
    let Some(culprit) = &found.result.culprit else {
        return;
    };
    let tests: String = found
        .result
        .target
        .keys()
        .map(|t| format!(" --test {}", shell_word(t)))
        .collect();
    page.push_str("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n");
    match &found.plan.kind {
        Some(CandidateKind::Artifacts { .. }) => {
            let _ = writeln!(
                page,
                "<p>Run the tests with <code>{{artifact}}</code> set to the first bad artifact:</p>\n<pre class=\"cmd\">{}</pre>",
                html(culprit)
            );
        }
        _ => {
            let id = short(culprit);
            let bad = found
                .plan
                .bad
                .as_deref()
                .map(short)
                .unwrap_or_else(|| "BAD".into());
            let _ = writeln!(
                page,
                "<pre class=\"cmd\"><span class=\"c\"># fails as above</span>\nculprit run --rev {}{}\n<span class=\"c\"># reverted on top of the bad revision: should pass</span>\ngit checkout {} &amp;&amp; git revert --no-edit {} &amp;&amp; culprit run{}</pre>",
                html(&id),
                html(&tests),
                html(&bad),
                html(&id),
                html(&tests)
            );
        }
    }
    page.push_str("</section>\n");
}

fn narrowing(page: &mut String, reading: &Reading<'_>, found: &CommitResult) {
    let Some(kind) = &found.plan.kind else {
        return;
    };
    page.push_str("<section id=\"narrowing\">\n<h2>How the suspects narrowed</h2>\n");
    if found.result.flaky.is_some() {
        page.push_str("<p class=\"note\">The failure is intermittent: the Bayesian search weighs each verdict instead of clearing suspects outright, so there is no count of suspects to plot. The timeline below shows every step.</p>\n</section>\n");
        return;
    }
    let counts = suspects_left(kind, &reading.steps);
    let points: Vec<Point> = counts
        .iter()
        .map(|&(seq, suspects)| {
            let step = reading.steps.iter().find(|s| s.row.seq == seq && seq != 0);
            Point {
                label: step.map_or_else(|| "start".into(), |s| s.label.clone()),
                seq: step.map(|s| s.row.seq),
                suspects,
                verdict: step.map(|s| s.verdict.class),
            }
        })
        .collect();
    page.push_str(&chart::narrowing(&points));
    page.push_str("<p class=\"note\">Re-derived from the verdicts: a good candidate clears itself and its ancestors, a bad one clears every suspect that is not its ancestor, a skipped one clears nothing. The endpoints and the verification runs are not search steps.</p>\n");
    legend(page);
    page.push_str("</section>\n");
}

fn legend(page: &mut String) {
    page.push_str("<p class=\"legend\"><span class=\"sw good\"></span>good <span class=\"sw bad\"></span>bad <span class=\"sw skip\"></span>skip (untestable: another failure, a build error, an infrastructure error)</p>\n");
}

fn config_matrix(page: &mut String, found: &ConfigResult) {
    page.push_str("<section id=\"culprits\">\n<h2>Culprit options per test</h2>\n");
    if let Some(message) = &found.message {
        let _ = writeln!(page, "<p>{}</p>", html(message));
    }
    let mut options: Vec<&str> = Vec::new();
    for c in &found.culprits {
        for o in &c.options {
            if !options.contains(&o.as_str()) {
                options.push(o);
            }
        }
    }
    let mut tests: Vec<&str> = found.culprits.iter().map(|c| c.test.as_str()).collect();
    tests.extend(found.tests.keys().map(String::as_str));
    let mut seen = Vec::new();
    tests.retain(|t| {
        let new = !seen.contains(t);
        seen.push(*t);
        new
    });
    if tests.is_empty() {
        page.push_str("<p>No test result was recorded.</p>\n</section>\n");
        return;
    }
    page.push_str("<table class=\"grid matrix\"><thead><tr><th>test</th>");
    for o in &options {
        let _ = write!(page, "<th class=\"opt\"><code>{}</code></th>", html(o));
    }
    page.push_str("<th>failure</th></tr></thead><tbody>\n");
    let mut several = false;
    for test in &tests {
        let sets: Vec<_> = found.culprits.iter().filter(|c| c.test == *test).collect();
        // One row per failure of the test, in the order found.
        let mut failures: Vec<&str> = Vec::new();
        for c in &sets {
            if !failures.contains(&c.failure()) {
                failures.push(c.failure());
            }
        }
        if failures.is_empty() {
            let _ = write!(page, "<tr><th scope=\"row\">{}</th>", html(test));
            page.push_str(&"<td class=\"mark\"></td>".repeat(options.len()));
            let state = found.tests.get(*test).map(String::as_str).unwrap_or("");
            let _ = writeln!(page, "<td>{}</td></tr>", html(state));
            continue;
        }
        for failure in failures {
            let row: Vec<_> = sets.iter().filter(|c| c.failure() == failure).collect();
            several |= row.len() > 1;
            let _ = write!(page, "<tr><th scope=\"row\">{}</th>", html(test));
            for o in &options {
                let marks: Vec<String> = row
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.options.iter().any(|x| x == o))
                    .map(|(i, _)| {
                        if row.len() > 1 {
                            (i + 1).to_string()
                        } else {
                            "●".into()
                        }
                    })
                    .collect();
                if marks.is_empty() {
                    page.push_str("<td class=\"mark\"></td>");
                } else {
                    let _ = write!(page, "<td class=\"mark on\">{}</td>", marks.join(" "));
                }
            }
            let first = row[0];
            let cell = match &first.title {
                Some(title) => format!(
                    "<span class=\"pill bad\">{}</span> <code>{}</code>",
                    html(&first.outcome),
                    html(title)
                ),
                None => format!("<span class=\"pill bad\">{}</span>", html(&first.outcome)),
            };
            let _ = writeln!(page, "<td>{cell}</td></tr>");
        }
    }
    page.push_str("</tbody></table>\n");
    if several {
        page.push_str("<p class=\"note\">Numbers tell a test's culprit sets apart: the test fails when every option of one of its sets is on.</p>\n");
    }
    page.push_str("</section>\n");
}

fn config_reproduction(page: &mut String, found: &ConfigResult) {
    let fragments: Vec<_> = found
        .culprits
        .iter()
        .filter(|c| !c.reproduce.trim().is_empty() || !c.cure.trim().is_empty())
        .collect();
    if fragments.is_empty() {
        return;
    }
    page.push_str("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n<div class=\"fragments\">\n");
    for c in fragments {
        let _ = writeln!(page, "<div class=\"fragment\"><h3>{}</h3>", html(&c.test));
        let built = |verified: bool| if verified { " (built and checked)" } else { "" };
        if let Some(text) = Some(&c.reproduce).filter(|f| !f.trim().is_empty()) {
            let _ = writeln!(
                page,
                "<p>{}: on the good configuration, apply{}:</p><pre class=\"cmd\">{}</pre>",
                html(c.failure()),
                built(c.reproduce_verified),
                html(text.trim_end())
            );
        }
        if let Some(text) = Some(&c.cure).filter(|f| !f.trim().is_empty()) {
            let _ = writeln!(
                page,
                "<p>On the bad configuration, this cures it{}:</p><pre class=\"cmd\">{}</pre>",
                built(c.cure_verified),
                html(text.trim_end())
            );
        }
        page.push_str("</div>\n");
    }
    page.push_str("</div>\n</section>\n");
}

fn not_applied(page: &mut String, found: &ConfigResult) {
    page.push_str("<section id=\"not-applied\">\n<h2>Not applied</h2>\n");
    if found.not_applied.is_empty() {
        page.push_str(
            "<p>Every option the hunt set was taken by the build as requested.</p>\n</section>\n",
        );
        return;
    }
    page.push_str("<p>The build did not take these options as requested (a dependency forced them, or they do not exist in this tree), so no test could blame them:</p>\n<table class=\"grid\"><thead><tr><th>option</th><th>requested</th><th>got</th><th>why</th></tr></thead><tbody>\n");
    for n in &found.not_applied {
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            html(&n.option),
            html(&n.requested),
            html(&n.got),
            html(&n.why())
        );
    }
    page.push_str("</tbody></table>\n</section>\n");
}

/// Options that make builds slow, when the hunt measured some: why it built some
/// candidates before others, and what a rerun will cost.
fn build_cost(page: &mut String, found: &ConfigResult) {
    if found.costly_options.is_empty() {
        return;
    }
    page.push_str("<section id=\"build-cost\">\n<h2>Build cost</h2>\n<p>Candidates with these options took far longer to build (a widely included header); the search built the cheaper of equally useful candidates first:</p>\n<table class=\"grid\"><thead><tr><th>option</th><th>mean build with it</th><th>without</th></tr></thead><tbody>\n");
    for c in &found.costly_options {
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td class=\"num\">{:.1} s</td><td class=\"num\">{:.1} s</td></tr>",
            html(&c.option),
            c.seconds_with,
            c.seconds_without
        );
    }
    page.push_str("</tbody></table>\n</section>\n");
}

fn timeline(page: &mut String, reading: &Reading<'_>) {
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
fn ran_on(step: &StepEntry<'_>) -> String {
    step.row
        .result
        .place
        .as_ref()
        .map_or_else(|| "–".to_string(), |place| place.describe())
}

/// The reason part of a verdict text ("skip (reason)" gives "reason").
/// The test cases one run reported, failing ones first in the summary.
fn case_list(run: &RunRecord) -> String {
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

fn reason(text: &str) -> &str {
    text.split_once(" (")
        .map(|(_, rest)| rest.strip_suffix(')').unwrap_or(rest))
        .unwrap_or("")
}

fn outcome_class(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "good",
        Outcome::Fail { .. } | Outcome::Hang { .. } => "bad",
        Outcome::BuildError { .. } | Outcome::InfraError { .. } => "skip",
    }
}

/// One excerpt per distinct failure (test, outcome, title), in the order first seen.
fn evidence(page: &mut String, reading: &Reading<'_>) {
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

fn span(steps: &[StepEntry<'_>]) -> Option<(f64, f64)> {
    let first = steps.iter().map(|s| s.row.started).reduce(f64::min)?;
    let last = steps.iter().map(|s| s.row.finished).reduce(f64::max)?;
    Some((first, last))
}

/// A wall-clock time in UTC: `13:04:05`, or with the date.
fn clock(unix: f64, with_date: bool) -> String {
    let when = UNIX_EPOCH + Duration::from_secs_f64(unix.max(0.0));
    let text = humantime::format_rfc3339_seconds(when).to_string();
    if with_date {
        text.replacen('T', " ", 1).trim_end_matches('Z').to_string() + " UTC"
    } else {
        text.get(11..19).unwrap_or(&text).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: one test, two failures: one row each, the hang named as a hang.
    #[test]
    fn each_failure_of_a_test_gets_its_own_row() {
        let found: ConfigResult = serde_json::from_value(serde_json::json!({
            "status": "found",
            "culprits": [
                {"test": "boot", "options": ["CONFIG_BINFMT_ELF"], "outcome": "fail",
                 "title": "Kernel panic - not syncing: No working init found",
                 "reproduce": "# CONFIG_BINFMT_ELF is not set\n", "reproduce_verified": true,
                 "cure": "CONFIG_BINFMT_ELF=y\nCONFIG_CMDLINE_BOOL=y\n", "cure_verified": true},
                {"test": "boot", "options": ["CONFIG_CMDLINE", "CONFIG_CMDLINE_BOOL"],
                 "outcome": "hang", "title": "hang at stage init",
                 "cure": "CONFIG_BINFMT_ELF=y\nCONFIG_CMDLINE_BOOL=y\n", "cure_verified": true}
            ],
            "tests": {"boot": "fails at bad: fail: Kernel panic"}
        }))
        .unwrap();
        let mut page = String::new();
        config_matrix(&mut page, &found);
        assert_eq!(
            page.matches("<tr><th scope=\"row\">boot</th>").count(),
            2,
            "{page}"
        );
        assert!(page.contains("<code>hang at stage init</code>"), "{page}");
        let mut page = String::new();
        config_reproduction(&mut page, &found);
        assert!(
            page.contains(
                "No working init found: on the good configuration, apply (built and checked)"
            ),
            "{page}"
        );
        assert!(page.contains("this cures it (built and checked)"), "{page}");
    }

    #[test]
    fn verdict_reasons_are_unwrapped() {
        assert_eq!(
            reason("skip (boot: build-error: x (y))"),
            "boot: build-error: x (y)"
        );
        assert_eq!(reason("good"), "");
    }

    #[test]
    fn clocks_are_utc() {
        assert_eq!(clock(0.0, false), "00:00:00");
        assert_eq!(clock(86_400.0 + 3_661.0, true), "1970-01-02 01:01:01 UTC");
    }
}
