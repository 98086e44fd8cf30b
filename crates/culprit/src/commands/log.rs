//! `culprit log`: the steps of a session, from the journal.

use crate::view::{relative, table};
use anyhow::{bail, Result};
use culprit_hunt::record::fixups_label;
use culprit_hunt::session::StepCandidate;
use culprit_hunt::workspace::Workspace;
use culprit_report::{Hunt, Material, Reading};
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct LogArgs {
    /// The session (default: the newest).
    pub session: Option<i64>,
    /// The configuration (default: ./culprit.toml).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: LogArgs) -> Result<u8> {
    let ws = Workspace::load(args.file.as_deref())?;
    let journal = ws.journal_read_only()?;
    let session = match args.session {
        Some(id) => journal.session(id)?,
        None => journal.last_session(None)?,
    };
    let Some(session) = session else {
        match args.session {
            Some(id) => bail!("no session {id} in {}", journal.dir().display()),
            None => bail!(
                "no sessions yet in {}; run `culprit run` or `culprit bisect` first",
                journal.dir().display()
            ),
        }
    };
    let material = Material {
        steps: journal.steps(session.id)?,
        session,
        base: std::env::current_dir().unwrap_or_default(),
    };
    // The journal keeps runs; each step's verdict is judged again as the reports
    // judge it, so that a crash that is not the target says which one it is.
    let reading = Reading::of(&material);
    let (session, base) = (&material.session, &material.base);
    if args.json {
        let steps: Vec<_> = reading
            .steps
            .iter()
            .map(|entry| {
                let s = entry.row;
                json!({ "seq": s.seq, "candidate": s.candidate, "result": s.result, "verdict": entry.verdict.text, "started": s.started, "finished": s.finished })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "session": session.id, "kind": session.kind, "status": session.status, "steps": steps })
            )?
        );
        return Ok(0);
    }
    println!(
        "session {} ({}): {}, {} steps",
        session.id,
        session.kind,
        session.status,
        reading.steps.len()
    );
    for line in answer_lines(&reading) {
        println!("  {line}");
    }
    let mut rows = Vec::new();
    for entry in &reading.steps {
        let step = entry.row;
        let candidate: Option<StepCandidate> = serde_json::from_value(step.candidate.clone()).ok();
        let (phase, key) = match &candidate {
            Some(c) => (c.phase.clone(), label(c)),
            None => (
                "run".to_string(),
                step.candidate["rev"]
                    .as_str()
                    .unwrap_or("(working tree)")
                    .chars()
                    .take(12)
                    .collect(),
            ),
        };
        let ran_on = step
            .result
            .place
            .as_ref()
            .map_or_else(|| "-".to_string(), |place| place.describe());
        // A fixed-up candidate is named with its fixups; one that did not apply is a row.
        let key = match &step.result.fixup {
            Some(fixup) if !fixup.applied.is_empty() => {
                format!("{key} + {}", fixups_label(&fixup.applied))
            }
            _ => key,
        };
        if let Some((commit, detail)) = step.result.fixup.as_ref().and_then(|f| f.conflict.as_ref())
        {
            rows.push([
                step.seq.to_string(),
                phase.clone(),
                key.clone(),
                ran_on.clone(),
                "fixup".into(),
                format!(
                    "{} does not apply: {detail}",
                    fixups_label(std::slice::from_ref(commit))
                ),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
        }
        let build = step
            .result
            .build
            .iter()
            .map(|run| (run, step.result.kept_build));
        let tests = step.result.tests.iter().map(|run| (run, false));
        for (run, kept) in build.chain(tests) {
            rows.push([
                step.seq.to_string(),
                phase.clone(),
                key.clone(),
                ran_on.clone(),
                run.name.clone(),
                if kept {
                    format!(
                        "{} (kept: the worker had just built the same)",
                        run.outcome_text()
                    )
                } else {
                    run.outcome_text()
                },
                entry.verdict.text.clone(),
                format!("{:.1}s", run.duration_s),
                relative(&run.log, base),
            ]);
        }
    }
    print!(
        "{}",
        table(
            &[
                "step",
                "phase",
                "candidate",
                "ran on",
                "run",
                "outcome",
                "verdict",
                "time",
                "log"
            ],
            &rows
        )
    );
    Ok(0)
}

/// A step's candidate as a person knows it: a configuration candidate by its options
/// (cut after a few), anything else by the start of its key (a commit, a digest).
fn label(candidate: &StepCandidate) -> String {
    match candidate.note.get("options").and_then(|o| o.as_array()) {
        Some(options) => {
            let names: Vec<String> = options
                .iter()
                .filter_map(|o| o.as_str().map(str::to_owned))
                .collect();
            let all: Vec<usize> = (0..names.len()).collect();
            culprit_search::config::describe_changes(&all, &names)
        }
        None => candidate.key.chars().take(12).collect(),
    }
}

/// A commit hunt's answer beside its status: why (the message), how intermittent the
/// failure was, and which prior the search started from.
fn answer_lines(reading: &Reading<'_>) -> Vec<String> {
    let Hunt::Commit(found) = &reading.findings.hunt else {
        return Vec::new();
    };
    let result = &found.result;
    (result.message.iter().cloned())
        .chain(result.flaky.as_ref().map(|f| f.describe()))
        .chain(result.prior.as_ref().map(|p| p.describe()))
        .collect()
}
