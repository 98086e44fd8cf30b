//! `culprit run`: one step at the working tree or at a revision.

use crate::view::{step_table, StepView};
use anyhow::{bail, Result};
use culprit_hunt::executor::LocalLauncher;
use culprit_hunt::journal::now;
use culprit_hunt::observe::{Unobserved, WorkerActivity};
use culprit_hunt::step::{run_step, StepContext};
use culprit_hunt::workspace::{stop_flag, Workspace, Worktree};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct RunArgs {
    /// The configuration (default: ./culprit.toml).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Test this revision in a temporary worktree instead of the working tree.
    #[arg(long)]
    pub rev: Option<String>,
    /// Run only these tests (repeatable; default: all).
    #[arg(long = "test")]
    pub tests: Vec<String>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RunArgs) -> Result<u8> {
    let ws = Workspace::load(args.file.as_deref())?;
    let mut tests = Vec::new();
    for name in &args.tests {
        match ws.config.test(name) {
            Some(test) => tests.push(test),
            None => bail!(
                "no test named `{name}` in {}; it has: {}",
                ws.config.path.display(),
                ws.config
                    .tests
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    let commit = match &args.rev {
        Some(rev) => Some(ws.repo()?.resolve(rev)?),
        None => None,
    };
    let mut journal = ws.journal()?;
    let session = journal.start_session(
        "run",
        &json!({ "rev": commit, "tests": args.tests, "config": ws.config.path }),
    )?;
    let worktree = match &commit {
        Some(commit) => Some(Worktree::add(
            ws.repo()?,
            journal
                .dir()
                .join("worktrees")
                .join(format!("run-{session}")),
            commit,
        )?),
        None => None,
    };
    let checkout = worktree
        .as_ref()
        .map_or(ws.root.clone(), |w| w.path.clone());
    let tree = ws.config.tree_in(&checkout);
    let logs = journal.step_dir(session, 1)?;
    let stop = stop_flag();
    let started = now();
    let ctx = StepContext {
        config: &ws.config,
        tree: &tree,
        logs: &logs,
        stop: &stop,
        placeholders: Vec::new(),
        stop_at: Default::default(),
        config_text: None,
        activity: WorkerActivity::new(Arc::new(Unobserved), 0),
        label: String::new(),
        shapes_wanted: false,
        artifact_cache: None,
        launcher: &LocalLauncher,
    };
    let result = run_step(&ctx, (!tests.is_empty()).then_some(tests.as_slice()))?;
    drop(worktree);
    let candidate = json!({ "rev": commit });
    journal.record_step(session, 1, &candidate, None, &result, started)?;
    let status = if result.interrupted() {
        "interrupted"
    } else if result.all_passed() {
        "pass"
    } else {
        "fail"
    };
    let base = std::env::current_dir().unwrap_or_default();
    journal.finish_session(
        session,
        status,
        &serde_json::to_value(StepView::of(&result, &base))?,
    )?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&StepView::of(&result, &base))?
        );
    } else {
        print!("{}", step_table(&result, &base));
    }
    if result.interrupted() {
        eprintln!("culprit: interrupted; every command was stopped and the step was recorded as interrupted");
        return Ok(culprit_hunt::workspace::interrupted_exit_code());
    }
    Ok(if result.all_passed() { 0 } else { 1 })
}
