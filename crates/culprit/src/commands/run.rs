//! `culprit run`: one step at the working tree or at a revision, optionally with some
//! configuration options changed (`--set`, `--config`).

use crate::view::{applied_lines, excerpts, step_table};
use anyhow::Result;
use culprit_hunt::run_session::RunSession;
use culprit_hunt::single_step::{run_single_step, SingleStep, SingleStepDone};
use culprit_hunt::workspace::Workspace;
use culprit_report::step_view::StepView;
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
    let session = RunSession::start(
        &ws,
        &json!({ "rev": commit, "tests": args.tests, "config": ws.manifest.path, "set": args.sets, "fragments": args.fragments }),
    )?;
    if let Some(trouble) = &session.damaged_journal {
        eprintln!("culprit: warning: {trouble}");
        eprintln!(
            "culprit: this step runs without the journal; its logs go to {}",
            session.logs.display()
        );
    }
    let step = SingleStep {
        commit: commit.clone(),
        tests: args.tests.clone(),
        fragments: args.fragments.clone(),
        sets: args.sets.clone(),
        logs: session.logs.clone(),
    };
    let SingleStepDone {
        result,
        applied,
        notes,
    } = run_single_step(&ws, &step)?;
    for note in notes {
        eprintln!("culprit: warning: {note}");
    }
    let base = std::env::current_dir().unwrap_or_default();
    let view = StepView::of(&result, &base).with_requests(applied.clone());
    let candidate = json!({ "rev": commit, "set": args.sets, "fragments": args.fragments });
    session.finish(&candidate, &result, &serde_json::to_value(&view)?)?;
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
