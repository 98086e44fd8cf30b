//! `culprit run`: one step at the working tree or at a revision, optionally with some
//! configuration options changed (`--set`, `--config`). The revision is prepared the way
//! a hunt's worker prepares its candidate (worker 0's worktree and build directory,
//! which hunts share), so that what `culprit run --rev X` saw is what a hunt would see.

use crate::error::{Context, HuntError, Result};
use crate::executor::{Lava, Prepare, Runner, Trees};
use crate::launcher::{Launcher, LocalLauncher};
use crate::manifest::{resolve_path, ExecutorKind, TestSection};
use crate::native_kconfig::NativeKconfig;
use crate::observe::{Unobserved, WorkerActivity};
use crate::option_request::{Applied, OptionRequest};
use crate::record::StepResult;
use crate::step::{run_step, StepContext};
use crate::workspace::{stop_flag, Workspace};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `culprit run` asks for.
#[derive(Clone, Debug, Default)]
pub struct SingleStep {
    /// The commit to test (resolved); the working tree when `None`.
    pub commit: Option<String>,
    /// The tests to run (all when empty).
    pub tests: Vec<String>,
    /// `--config` fragments, then `--set` options.
    pub fragments: Vec<PathBuf>,
    pub sets: Vec<String>,
    /// Where the step's logs go.
    pub logs: PathBuf,
}

/// What the step did, with the fate of each requested option.
pub struct SingleStepDone {
    pub result: StepResult,
    pub applied: Vec<Applied>,
    /// Sentences to show (a Kconfig tree the evaluator could not read).
    pub notes: Vec<String>,
}

/// Runs the step.
pub fn run_single_step(ws: &Workspace, step: &SingleStep) -> Result<SingleStepDone> {
    let mut tests: Vec<&TestSection> = Vec::new();
    for name in &step.tests {
        match ws.manifest.test(name) {
            Some(test) => tests.push(test),
            None => {
                return Err(HuntError::BadInput(format!(
                    "no test named `{name}` in {}; it has: {}",
                    ws.manifest.path.display(),
                    ws.manifest.test_names()
                )))
            }
        }
    }
    let request = request(step)?;
    // The worker is held to the end of the step: no other culprit builds in its worktree.
    let (trees, prepare) = match &step.commit {
        Some(commit) => {
            let repo = ws.repo()?;
            repo.check_submodules_offline(&[commit.as_str()])?;
            (
                Trees::claim(ws, Some(repo), 1)?,
                Prepare::Checkout(commit.clone()),
            )
        }
        None => (Trees::claim(ws, None, 1)?, Prepare::InPlace),
    };
    let (checkout, build) = trees.ready(&ws.manifest, 0, &prepare)?;
    let tree = ws.manifest.tree_in(&checkout);
    let mut notes = Vec::new();
    let config_text = match &request {
        Some(request) => Some(requested_config(ws, request, &tree, &build)?),
        None => None,
    };
    let native = config_text
        .as_deref()
        .and_then(|text| native_kconfig(&tree, text, &ws.state, &mut notes));
    // The request as written, before any normalizing: what the evaluator explains.
    let requested_text = config_text.clone();
    // Without a normalizer the evaluator is the build system's olddefconfig, as in a
    // configuration hunt: the step builds what it makes of the request.
    let own_normalizer = ws
        .manifest
        .config
        .as_ref()
        .is_some_and(|c| c.normalize.is_some());
    let config_text = match (&native, config_text) {
        (Some(native), Some(text)) if !own_normalizer => Some(native.normalize(&text)),
        (_, text) => text,
    };
    // A one-step change leaves the configuration file as it found it.
    let restore = match (&config_text, &ws.manifest.config) {
        (Some(_), Some(section)) => {
            let path = resolve_path(&section.file, &tree, &build);
            let before = std::fs::read(&path).ok();
            Some((path, before))
        }
        _ => None,
    };
    let stop = stop_flag();
    let activity = WorkerActivity::new(Arc::new(Unobserved), 0);
    // A lab executor boots the tests there (the build stays here), so that one step shows
    // what the lab makes of the tree.
    let lab = match ws.manifest.executor.kind() {
        ExecutorKind::Lava => Some(Runner::<Lava>::new(ws, None, 1, stop.clone())?),
        _ => None,
    };
    let boots = lab.as_ref().map(|lab| lab.step(0, activity.clone()));
    let launcher: &dyn Launcher = match &boots {
        Some(boots) => boots,
        None => &LocalLauncher,
    };
    let ctx = StepContext {
        manifest: &ws.manifest,
        tree: &tree,
        build: &build,
        logs: &step.logs,
        stop: &stop,
        placeholders: Vec::new(),
        stop_at: Default::default(),
        config_text,
        activity,
        label: String::new(),
        shapes_wanted: false,
        artifact_cache: None,
        launcher,
        pace: None,
        kept: None,
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
        OptionRequest::explain(
            &mut applied,
            &native.unapplied(text, "the requested configuration"),
        );
    }
    Ok(SingleStepDone {
        result,
        applied,
        notes,
    })
}

/// The `--config` fragments and `--set` options, when any were given.
fn request(step: &SingleStep) -> Result<Option<OptionRequest>> {
    let mut fragments = Vec::new();
    for path in &step.fragments {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--config {}: cannot read the fragment", path.display()))?;
        fragments.push((path.as_path(), text));
    }
    OptionRequest::new(&fragments, &step.sets)
}

/// The configuration the step builds: the request laid over `[config] base`, or over
/// the configuration file as the tree (or its build directory) has it now.
fn requested_config(
    ws: &Workspace,
    request: &OptionRequest,
    tree: &Path,
    build: &Path,
) -> Result<String> {
    let section = ws.manifest.config.as_ref().ok_or_else(|| {
        HuntError::BadInput(format!(
            "--set and --config need a [config] section in {} (the file culprit writes the configuration to)",
            ws.manifest.path.display()
        ))
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
    request.apply(&text, &start)
}

/// The tree's Kconfig read by culprit's evaluator, when the tree has one; a tree it
/// cannot read is noted and the step goes on (the normalizer's file still shows what
/// applied).
fn native_kconfig(
    tree: &Path,
    config_text: &str,
    state: &Path,
    notes: &mut Vec<String>,
) -> Option<NativeKconfig> {
    if !tree.join("Kconfig").is_file() {
        return None;
    }
    match NativeKconfig::open(tree, Some(config_text), state) {
        Ok(native) => Some(native),
        Err(err) => {
            notes.push(format!(
                "{err}; the requests are checked only against the configuration file the build got"
            ));
            None
        }
    }
}
