//! Options every hunt takes (`culprit bisect`, `culprit bisect-config`).

use crate::progress::Progress;
use anyhow::{bail, Result};
use culprit_exec::git::Repo;
use culprit_hunt::executor::end_leftovers;
use culprit_hunt::hunt_session::{self, record_failure, Opened};
use culprit_hunt::journal::Journal;
use culprit_hunt::manifest::ExecutorKind;
use culprit_hunt::session::Session;
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::status::HuntStatus;
use culprit_hunt::workspace::Workspace;
use culprit_hunt::HuntError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct HuntArgs {
    /// The configuration (default: ./culprit.toml).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Parallel workers, each with its own worktree.
    #[arg(short = 'j', long = "jobs", default_value_t = 1)]
    pub jobs: usize,
    /// What counts as bad: the bad endpoint's own failure (default), any-failure, hang,
    /// build-error, or signature:REGEX.
    #[arg(long)]
    pub target: Option<String>,
    /// Hunt with these tests only (repeatable; default: every test, and `shape` when
    /// culprit.toml has [[shape]] checks).
    #[arg(long = "test")]
    pub tests: Vec<String>,
    /// Continue an unfinished hunt, reusing every finished step: session SESSION, or the
    /// newest unfinished hunt of this kind.
    #[arg(long, value_name = "SESSION", num_args = 0..=1, default_missing_value = "latest")]
    pub resume: Option<String>,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    pub json: bool,
    /// Where steps run: `local` worktrees, or `slurm` jobs (default: culprit.toml's
    /// [executor] kind, else local).
    #[arg(long, value_enum)]
    pub executor: Option<ExecutorKind>,
    /// Tell only the story's milestones, not every step (the demo's way).
    #[arg(skip)]
    pub brief: bool,
}

impl HuntArgs {
    pub fn check(&self) -> Result<()> {
        if self.jobs == 0 || self.jobs > 64 {
            bail!("-j {}: give between 1 and 64 workers", self.jobs);
        }
        Ok(())
    }
}

/// Before a hunt's first step: refuses submodules the worktrees cannot get without the
/// network, and warns about untracked files they will lack (see
/// [`culprit_hunt::hunt_session::check_tree`]).
pub fn check_tree(
    ws: &Workspace,
    repo: &Repo,
    commits: &[&str],
    config_written: bool,
) -> Result<()> {
    if let Some(warning) = hunt_session::check_tree(ws, repo, commits, config_written)? {
        eprintln!("culprit: warning: {warning}");
    }
    Ok(())
}

/// Records how a hunt that failed ended, and turns an interruption into exit code 130, or
/// 143 after SIGTERM (the journal keeps what finished; `--resume` continues). Other
/// errors go on up.
pub fn close_failed_hunt(journal: &Journal, session: i64, err: HuntError) -> Result<u8> {
    record_failure(journal, session, &err)?;
    if err.is_interrupted() {
        eprintln!("culprit: {err}");
        return Ok(culprit_hunt::workspace::interrupted_exit_code());
    }
    Err(err.into())
}

/// The journal, and the session a hunt runs in: the one `--resume` names (`what` is the
/// hunt's kind as people say it), or a new one whose plan `start` makes, with the record
/// the journal keeps of it (see [`culprit_hunt::hunt_session::open_session`]).
pub fn open_session<P: DeserializeOwned>(
    ws: &Workspace,
    hunt: &HuntArgs,
    kind: (SessionKind, &str),
    start: impl FnOnce() -> Result<(P, serde_json::Value)>,
) -> Result<(Journal, Opened<P>)> {
    let journal = ws.journal()?;
    let opened = hunt_session::open_session(ws, &journal, hunt.resume.as_deref(), kind, start)?;
    if opened.resumed {
        eprintln!("culprit: resuming session {}", opened.id);
    }
    Ok((journal, opened))
}

/// Session `id`, running again on `workers` workers of the executor, after the jobs an
/// earlier culprit that was killed left behind are ended; its events shown by `progress`.
pub fn running_session<'a>(
    ws: &'a Workspace,
    repo: Option<&Repo>,
    journal: Journal,
    session: (i64, usize),
    hunt: &HuntArgs,
    progress: &Arc<Progress>,
) -> Result<Session<'a>> {
    for ended in end_leftovers(&journal, &ws.manifest)? {
        eprintln!("culprit: {ended}");
    }
    let observer = progress.clone();
    Ok(hunt_session::running_session(
        ws,
        repo,
        journal,
        session,
        hunt.executor,
        observer,
    )?)
}

/// Ends a hunt's session with its result and prints it: one JSON document, or `text` of
/// it. Returns the hunt's exit code: 0 when it found what it looked for, 1 when it could
/// not conclude.
pub fn finish<R: Serialize>(
    journal: &Journal,
    session: i64,
    (status, result): (HuntStatus, &R),
    json: bool,
    text: impl FnOnce(&R) -> String,
) -> Result<u8> {
    journal.finish_session(session, status.as_str(), &serde_json::to_value(result)?)?;
    if json {
        println!("{}", serde_json::to_string_pretty(result)?);
    } else {
        print!("{}", text(result));
    }
    Ok(if status == HuntStatus::Found { 0 } else { 1 })
}
