//! JUnit XML, for CI dashboards that already show test reports: one suite per step
//! (its candidate), one case per run, failures carrying the evidence excerpt.

use super::escape::xml;
use super::excerpt;
use super::steps::setup_runs;
use super::{Hunt, Reading, StepEntry};
use culprit_console::{CaseResult, Outcome};
use culprit_hunt::record::relative;
use culprit_hunt::record::RunRecord;
use std::fmt::Write;
use std::time::{Duration, UNIX_EPOCH};

pub fn render(reading: &Reading<'_>) -> String {
    let session = reading.session();
    let mut suites = String::new();
    let mut totals = Counts::default();
    for step in &reading.steps {
        let (text, counts) = suite(reading, step);
        suites.push_str(&text);
        totals.add(&counts);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">",
        xml(&format!("culprit {} session {}", session.kind, session.id)),
        totals.tests,
        totals.failures,
        totals.skipped,
        totals.time
    );
    out.push_str(&answer(reading));
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

/// A commit hunt's answer as the properties of a suite without cases, where CI
/// dashboards show them: the status, why, the failure's rates and the prior.
fn answer(reading: &Reading<'_>) -> String {
    let Hunt::Commit(found) = &reading.findings.hunt else {
        return String::new();
    };
    let result = &found.result;
    let properties = [
        Some(("status", result.status.as_str().to_string())),
        result.culprit.clone().map(|c| ("culprit", c)),
        Some(("confidence", format!("{:.4}", result.confidence))),
        result.message.clone().map(|m| ("message", m)),
        result.flaky.as_ref().map(|f| ("flaky", f.describe())),
        result.prior.as_ref().map(|p| ("prior", p.describe())),
    ];
    let mut out = String::from(
        "  <testsuite name=\"answer\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    <properties>\n",
    );
    for (name, value) in properties.into_iter().flatten() {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            xml(&value)
        );
    }
    out.push_str("    </properties>\n  </testsuite>\n");
    out
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
    time: f64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.skipped += other.skipped;
        self.time += other.time;
    }
}

fn suite(reading: &Reading<'_>, step: &StepEntry<'_>) -> (String, Counts) {
    let result = &step.row.result;
    let build_failed = result.build.as_ref().filter(|b| b.outcome != Outcome::Pass);
    let mut counts = Counts::default();
    let mut cases = String::new();
    let setup = setup_runs(result);
    for run in setup.iter().copied().chain(result.tests.iter()) {
        let is_build = setup.iter().any(|s| std::ptr::eq(*s, run));
        counts.tests += 1;
        counts.time += run.duration_s;
        let classname = run.name.as_str();
        let _ = write!(
            cases,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
            xml(&format!("{} at {}", classname, step.label)),
            xml(classname),
            run.duration_s
        );
        let body = if !is_build && build_failed.is_some() {
            counts.skipped += 1;
            format!(
                "<skipped message=\"not run: the {} failed\"/>",
                xml(result.build.as_ref().map_or("build", |b| b.name.as_str()))
            )
        } else {
            match &run.outcome {
                Outcome::Pass => String::new(),
                Outcome::InfraError { reason } => {
                    counts.skipped += 1;
                    format!(
                        "<skipped message=\"{}\"/>",
                        xml(&format!("infrastructure error: {reason}"))
                    )
                }
                outcome => {
                    counts.failures += 1;
                    let kind = match outcome.signature() {
                        Some(signature) => signature.kind.as_str(),
                        None => outcome.word(),
                    };
                    format!(
                        "<failure message=\"{}\" type=\"{}\">{}</failure>",
                        xml(&outcome.title().unwrap_or_default()),
                        xml(kind),
                        xml(&evidence(reading, run))
                    )
                }
            }
        };
        if body.is_empty() {
            cases.push_str("/>\n");
        } else {
            let _ = write!(cases, ">\n      {body}\n    </testcase>\n");
        }
        for case in &run.cases {
            counts.tests += 1;
            let _ = write!(
                cases,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml(&format!("{} at {}", case.name, step.label)),
                xml(&format!("{classname}.{}", case.name))
            );
            let body = match case.result {
                CaseResult::Pass | CaseResult::Xfail => String::new(),
                CaseResult::Skip | CaseResult::Todo => {
                    counts.skipped += 1;
                    format!("<skipped message=\"{}\"/>", case.result.as_str())
                }
                result => {
                    counts.failures += 1;
                    let message = match &case.signature {
                        Some(signature) => format!("{}: {}", result.as_str(), signature.title),
                        None => result.as_str().to_string(),
                    };
                    format!(
                        "<failure message=\"{}\" type=\"case-{}\"/>",
                        xml(&message),
                        result.as_str()
                    )
                }
            };
            if body.is_empty() {
                cases.push_str("/>\n");
            } else {
                let _ = write!(cases, ">\n      {body}\n    </testcase>\n");
            }
        }
    }
    let place = step.row.result.place.as_ref();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" id=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{}\"{}>",
        xml(&format!("{} {}", step.phase, step.label)),
        step.row.seq,
        counts.tests,
        counts.failures,
        counts.skipped,
        counts.time,
        timestamp(step.row.started),
        place
            .and_then(|p| p.node.as_deref())
            .map(|node| format!(" hostname=\"{}\"", xml(node)))
            .unwrap_or_default()
    );
    out.push_str("    <properties>\n");
    if let Some(place) = place {
        let _ = writeln!(
            out,
            "      <property name=\"ran-on\" value=\"{}\"/>",
            xml(&place.describe())
        );
    }
    for (name, value) in [
        ("candidate", step.key.as_str()),
        ("verdict", step.verdict.text.as_str()),
        ("cached", if step.cached { "true" } else { "false" }),
        ("note", step.detail.as_str()),
    ] {
        if !value.is_empty() {
            let _ = writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                xml(value)
            );
        }
    }
    out.push_str("    </properties>\n");
    out.push_str(&cases);
    out.push_str("  </testsuite>\n");
    (out, counts)
}

/// Where the log is and what it says around the evidence.
fn evidence(reading: &Reading<'_>, run: &RunRecord) -> String {
    let path = relative(&run.log, &reading.material.base);
    match excerpt::read(&run.log, run.evidence) {
        Ok(excerpt) => format!(
            "log: {path} (bytes {}..{})\n\n{}",
            excerpt.start,
            excerpt.end,
            excerpt.text()
        ),
        Err(err) => format!("log: {path} (cannot read it: {err})"),
    }
}

/// The JUnit schema's timestamp: ISO 8601 without a time zone (UTC here).
fn timestamp(unix: f64) -> String {
    let when = UNIX_EPOCH + Duration::from_secs_f64(unix.max(0.0));
    humantime::format_rfc3339_seconds(when)
        .to_string()
        .trim_end_matches('Z')
        .to_string()
}
