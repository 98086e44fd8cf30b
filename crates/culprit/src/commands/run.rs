//! `culprit run`: one step at the working tree or at a revision, optionally with some
//! configuration options changed (`--set`, `--config`).

use crate::view::{applied_lines, excerpts, step_table, StepView};
use anyhow::{bail, Context, Result};
use culprit_hunt::config::resolve_path;
use culprit_hunt::executor::complete_worktree;
use culprit_hunt::journal::{now, Journal};
use culprit_hunt::launcher::LocalLauncher;
use culprit_hunt::native_kconfig::NativeKconfig;
use culprit_hunt::observe::{Unobserved, WorkerActivity};
use culprit_hunt::request::Request;
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::step::{run_step, StepContext};
use culprit_hunt::workspace::{stop_flag, Workspace, Worktree};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    let mut tests = Vec::new();
    for name in &args.tests {
        match ws.config.test(name) {
            Some(test) => tests.push(test),
            None => bail!(
                "no test named `{name}` in {}; it has: {}",
                ws.config.path.display(),
                ws.config.test_names()
            ),
        }
    }
    let commit = match &args.rev {
        Some(rev) => Some(ws.repo()?.resolve(rev)?),
        None => None,
    };
    let request = request(&args)?;
    let mut journal = journal_unless_damaged(&ws)?;
    let session = match &journal {
        Some(journal) => Some(journal.start_session(
            SessionKind::Run,
            &json!({ "rev": commit, "tests": args.tests, "config": ws.config.path, "set": args.sets, "fragments": args.fragments }),
        )?),
        None => None,
    };
    // The slot is held to the end of the step: no other culprit builds in its worktree.
    let (checkout, build, _slot) = match &commit {
        Some(commit) => {
            let repo = ws.repo()?;
            let claimed = ws.claim_workers(1)?.remove(0);
            repo.check_submodules_offline(&[commit])?;
            let worktree = Worktree::reuse(repo, claimed.worktree.clone(), commit)?;
            repo.checkout_worktree(&worktree.path, commit)
                .with_context(|| format!("cannot check out {commit}"))?;
            complete_worktree(&ws.config, repo, &ws.root, &worktree.path)?;
            (worktree.path.clone(), claimed.build.clone(), Some(claimed))
        }
        None => (ws.root.clone(), ws.tree_build_dir(), None),
    };
    let tree = ws.config.tree_in(&checkout);
    let config_text = match &request {
        Some(request) => Some(requested_config(&ws, request, &tree, &build)?),
        None => None,
    };
    let native = config_text
        .as_deref()
        .and_then(|text| native_kconfig(&tree, text, &ws.state));
    // The request as written, before any normalizing: what the evaluator explains.
    let requested_text = config_text.clone();
    // Without a normalizer the evaluator is the build system's olddefconfig, as in a
    // configuration hunt: the step builds what it makes of the request.
    let own_normalizer = ws
        .config
        .config
        .as_ref()
        .is_some_and(|c| c.normalize.is_some());
    let config_text = match (&native, config_text) {
        (Some(native), Some(text)) if !own_normalizer => Some(native.normalize(&text)),
        (_, text) => text,
    };
    // A one-step change leaves the configuration file as it found it.
    let restore = match (&config_text, &ws.config.config) {
        (Some(_), Some(section)) => {
            let path = resolve_path(&section.file, &tree, &build);
            let before = std::fs::read(&path).ok();
            Some((path, before))
        }
        _ => None,
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
    let stop = stop_flag();
    let started = now();
    let ctx = StepContext {
        config: &ws.config,
        tree: &tree,
        build: &build,
        logs: &logs,
        stop: &stop,
        placeholders: Vec::new(),
        stop_at: Default::default(),
        config_text,
        activity: WorkerActivity::new(Arc::new(Unobserved), 0),
        label: String::new(),
        shapes_wanted: false,
        artifact_cache: None,
        launcher: &LocalLauncher,
    };
    let result = run_step(&ctx, (!tests.is_empty()).then_some(tests.as_slice()));
    if let Some((path, before)) = restore {
        let restored = match before {
            Some(bytes) => std::fs::write(&path, bytes),
            None => std::fs::remove_file(&path),
        };
        restored.with_context(|| format!("cannot restore {} after the step", path.display()))?;
    }
    let result = result?;
    let mut applied = match (&request, &result.effective_config) {
        (Some(request), Some(effective)) => request.check(effective),
        _ => Vec::new(),
    };
    if let (Some(native), Some(text)) = (&native, &requested_text) {
        Request::explain(
            &mut applied,
            &native.unapplied(text, "the requested configuration"),
        );
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

/// The `--config` fragments and `--set` options, when any were given.
fn request(args: &RunArgs) -> Result<Option<Request>> {
    let mut fragments = Vec::new();
    for path in &args.fragments {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--config {}: cannot read the fragment", path.display()))?;
        fragments.push((path.as_path(), text));
    }
    Ok(Request::new(&fragments, &args.sets)?)
}

/// The configuration the step builds: the request laid over `[config] base`, or over
/// the configuration file as the tree (or its build directory) has it now.
fn requested_config(
    ws: &Workspace,
    request: &Request,
    tree: &Path,
    build: &Path,
) -> Result<String> {
    let section = ws.config.config.as_ref().with_context(|| {
        format!(
            "--set and --config need a [config] section in {} (the file culprit writes the configuration to)",
            ws.config.path.display()
        )
    })?;
    let start = match &section.base {
        Some(base) => base.clone(),
        None => resolve_path(&section.file, tree, build),
    };
    let text = std::fs::read_to_string(&start).with_context(|| {
        format!(
            "cannot read {} to change it; configure the tree first or set [config] base",
            start.display()
        )
    })?;
    Ok(request.apply(&text, &start)?)
}

/// The tree's Kconfig read by culprit's evaluator, when the tree has one; a tree it
/// cannot read is said and the step goes on (the normalizer's file still shows what
/// applied).
fn native_kconfig(tree: &Path, config_text: &str, state: &Path) -> Option<NativeKconfig> {
    if !tree.join("Kconfig").is_file() {
        return None;
    }
    match NativeKconfig::open(tree, Some(config_text), state) {
        Ok(native) => Some(native),
        Err(err) => {
            eprintln!("culprit: warning: {err}; the requests are checked only against the configuration file the build got");
            None
        }
    }
}
