//! `culprit run`: one step at the working tree or at a revision, optionally with some
//! configuration options changed (`--set`, `--config`).

use crate::view::{applied_lines, excerpts, step_table, StepView};
use anyhow::{Context, Result};
use culprit_hunt::journal::{now, Journal};
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::single_step::{run_single_step, SingleStep, SingleStepDone};
use culprit_hunt::workspace::Workspace;
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct RunArgs {
    /// The configuration (default: ./culprit.toml).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Test this revision (in worker 0's worktree and build directory, which hunts
    /// share) instead of the working tree.
    #[arg(long)]
    pub rev: Option<String>,
    /// Change one configuration option for this step (repeatable), e.g.
    /// `--set CONFIG_SHADOW_CALL_STACK=n`; laid over `[config] base` or the current file.
    #[arg(long = "set", value_name = "CONFIG_X=VALUE")]
    pub sets: Vec<String>,
    /// Lay this fragment's options over the configuration (repeatable; before --set).
    #[arg(long = "config", value_name = "FRAGMENT")]
    pub fragments: Vec<PathBuf>,
    /// Run only these tests (repeatable; default: all).
    #[arg(long = "test")]
    pub tests: Vec<String>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RunArgs) -> Result<u8> {
    let ws = Workspace::load(args.file.as_deref())?;
    let commit = match &args.rev {
        Some(rev) => Some(ws.repo()?.resolve(rev)?),
        None => None,
    };
    let mut journal = journal_unless_damaged(&ws)?;
    let session = match &journal {
        Some(journal) => Some(journal.start_session(
            SessionKind::Run,
            &json!({ "rev": commit, "tests": args.tests, "config": ws.manifest.path, "set": args.sets, "fragments": args.fragments }),
        )?),
        None => None,
    };
    let logs = match (&journal, session) {
        (Some(journal), Some(session)) => journal.step_dir(session, 1)?,
        _ => {
            let logs = ws
                .state
                .join("unrecorded")
                .join(std::process::id().to_string());
            std::fs::create_dir_all(&logs)
                .with_context(|| format!("cannot create {}", logs.display()))?;
            eprintln!(
                "culprit: this step runs without the journal; its logs go to {}",
                logs.display()
            );
            logs
        }
    };
    let started = now();
    let step = SingleStep {
        commit: commit.clone(),
        tests: args.tests.clone(),
        fragments: args.fragments.clone(),
        sets: args.sets.clone(),
        logs,
    };
    let SingleStepDone {
        result,
        applied,
        notes,
    } = run_single_step(&ws, &step)?;
    for note in notes {
        eprintln!("culprit: warning: {note}");
    }
    let status = if result.interrupted() {
        "interrupted"
    } else if result.all_passed() {
        "pass"
    } else {
        "fail"
    };
    let base = std::env::current_dir().unwrap_or_default();
    let view = StepView::of(&result, &base).with_requests(applied.clone());
    if let (Some(journal), Some(session)) = (&mut journal, session) {
        let candidate = json!({ "rev": commit, "set": args.sets, "fragments": args.fragments });
        journal.record_step(session, 1, &candidate, None, &result, started)?;
        journal.finish_session(session, status, &serde_json::to_value(&view)?)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        print!("{}", applied_lines(&applied));
        print!("{}", step_table(&result, &base));
        print!("{}", excerpts(&view));
    }
    if result.interrupted() {
        eprintln!("culprit: interrupted; every command was stopped and the step was recorded as interrupted");
        return Ok(culprit_hunt::workspace::interrupted_exit_code());
    }
    Ok(if result.all_passed() { 0 } else { 1 })
}

/// The journal, or `None` when its file is damaged: one step tells the user something
/// even then, and a hunt will refuse the file with the way out.
fn journal_unless_damaged(ws: &Workspace) -> Result<Option<Journal>> {
    match ws.journal() {
        Ok(journal) => Ok(Some(journal)),
        Err(err) if err.is_damaged_journal() => {
            eprintln!("culprit: warning: {err}");
            Ok(None)
        }
        Err(err) => Err(err.into()),
    }
}
