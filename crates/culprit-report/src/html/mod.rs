//! One self-contained HTML page: the verdict, how the hunt went, and the console
//! evidence. No network at all (inline CSS, no scripts, no web fonts), so it can be
//! attached to a bug or archived by CI and still open years later.
//!
//! Everything from the journal is escaped: logs, titles and commit subjects come from
//! the code under test.

mod commit;
mod config;
mod evidence;

use commit::{commit_facts, commit_reproduction, narrowing};
use config::{build_cost, config_matrix, config_reproduction, not_applied};
use evidence::{clock, evidence, span, timeline};

use super::chart::{self, Point};
use super::escape::html;
use super::excerpt;
use super::findings::{culprit_options, short, work, CommitResult, Hunt};
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
use culprit_hunt::session::Counts;
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
            let options = culprit_options(c);
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
            facts.extend(work_facts(&c.result.counts));
        }
        Hunt::Config(c) => facts.extend(work_facts(&c.counts)),
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

fn legend(page: &mut String) {
    page.push_str("<p class=\"legend\"><span class=\"sw good\"></span>good <span class=\"sw bad\"></span>bad <span class=\"sw skip\"></span>skip (untestable: another failure, a build error, an infrastructure error)</p>\n");
}

#[cfg(test)]
mod tests;

/// [`work`] as the page's facts.
fn work_facts(counts: &Counts) -> impl Iterator<Item = (String, String)> {
    work(counts)
        .into_iter()
        .map(|(name, n)| (name.to_owned(), n.to_string()))
}

/// A plain grid table: the column names, then one `<tr>` per row, cells escaped by the
/// caller (each table marks its own code and number cells).
fn grid(page: &mut String, head: &[&str], rows: impl IntoIterator<Item = String>) {
    page.push_str("<table class=\"grid\"><thead><tr>");
    for name in head {
        let _ = write!(page, "<th>{name}</th>");
    }
    page.push_str("</tr></thead><tbody>\n");
    for row in rows {
        page.push_str(&row);
        page.push('\n');
    }
    page.push_str("</tbody></table>\n");
}
