//! Options every hunt takes (`culprit bisect`, `culprit bisect-config`).

use crate::progress::Progress;
use anyhow::{bail, Result};
use culprit_exec::git::Repo;
use culprit_hunt::executor::{end_leftovers, open, Executor};
use culprit_hunt::journal::{Journal, SessionLock};
use culprit_hunt::manifest::ExecutorKind;
use culprit_hunt::observe::Observer;
use culprit_hunt::resume::resumable;
use culprit_hunt::session::Session;
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::status::HuntStatus;
use culprit_hunt::workspace::{stop_flag, Workspace};
use culprit_hunt::HuntError;
use serde::de::DeserializeOwned;
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
/// network, and warns about untracked files they will lack (`config_written`: the hunt
/// writes the `[config] file` itself).
pub fn check_tree(
    ws: &Workspace,
    repo: &Repo,
    commits: &[&str],
    config_written: bool,
) -> Result<()> {
    repo.check_submodules_offline(commits)?;
    let missing = culprit_hunt::tree::missing_in_worktrees(&ws.manifest, repo, config_written);
    if !missing.is_empty() {
        eprintln!(
            "culprit: warning: untracked in {}, so absent from the worktrees candidates are checked out in: {}; \
             name them in `[tree] copy` in {} to copy them into every worktree",
            repo.root().display(),
            missing.join(", "),
            ws.manifest.path.display()
        );
    }
    Ok(())
}

/// Records how a hunt that failed ended, and turns an interruption into exit code 130, or
/// 143 after SIGTERM (the journal keeps what finished; `--resume` continues). Other
/// errors go on up.
pub fn close_failed_hunt(journal: &Journal, session: i64, err: HuntError) -> Result<u8> {
    let status = if err.is_interrupted() {
        "interrupted"
    } else if err.is_bad_input() {
        "bad-input"
    } else {
        "error"
    };
    let err = anyhow::Error::from(err);
    journal.finish_session(
        session,
        status,
        &serde_json::json!({ "error": format!("{err:#}") }),
    )?;
    if status == "interrupted" {
        eprintln!("culprit: {err}");
        return Ok(culprit_hunt::workspace::interrupted_exit_code());
    }
    Err(err)
}

/// The executor a hunt's steps run on (see `culprit_hunt::executor::open`), after the
/// jobs an earlier culprit that was killed left behind are ended.
pub fn executor(
    ws: &Workspace,
    repo: Option<&Repo>,
    journal: &Journal,
    hunt: &HuntArgs,
    workers: usize,
    observer: Arc<dyn Observer>,
) -> Result<Box<dyn Executor>> {
    for ended in end_leftovers(journal, &ws.manifest)? {
        eprintln!("culprit: {ended}");
    }
    Ok(open(
        ws,
        repo,
        hunt.executor,
        workers,
        observer,
        stop_flag(),
    )?)
}

/// The session a hunt runs in: the one `--resume` names (`what` is the hunt's kind as
/// people say it), or a new one whose plan `start` makes, with the record the journal
/// keeps of it. The lock says this process owns the session until it ends.
pub fn open_session<P: DeserializeOwned>(
    ws: &Workspace,
    journal: &Journal,
    hunt: &HuntArgs,
    (kind, what): (SessionKind, &str),
    start: impl FnOnce() -> Result<(P, serde_json::Value)>,
) -> Result<(i64, P, SessionLock)> {
    if let Some(which) = &hunt.resume {
        let resumed = resumable(journal, kind, what, which, &ws.manifest)?;
        eprintln!("culprit: resuming session {}", resumed.0);
        return Ok(resumed);
    }
    let (plan, record) = start()?;
    let id = journal.start_session(kind, &record)?;
    let owner = journal.own_session(id)?;
    Ok((id, plan, owner))
}

/// Session `id`, running again, with its steps on `workers` workers of the executor
/// (see [`executor`]) and its events shown by `progress`.
pub fn running_session<'a>(
    ws: &'a Workspace,
    repo: Option<&Repo>,
    journal: Journal,
    (id, workers): (i64, usize),
    hunt: &HuntArgs,
    progress: &Arc<Progress>,
) -> Result<Session<'a>> {
    let executor = executor(ws, repo, &journal, hunt, workers, progress.clone())?;
    journal.finish_session(id, "running", &serde_json::json!(null))?;
    Ok(Session::new(
        id,
        journal,
        executor,
        &ws.manifest,
        stop_flag(),
        progress.clone(),
    )?)
}

/// A hunt's exit code: 0 when it found what it looked for, 1 when it could not conclude.
pub fn exit_code(status: HuntStatus) -> u8 {
    if status == HuntStatus::Found {
        0
    } else {
        1
    }
}
