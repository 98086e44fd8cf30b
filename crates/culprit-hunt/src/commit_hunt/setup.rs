//! A commit hunt's plan from what the user named: a git range or a list of prebuilt
//! artifacts, checked before any step runs so that bad input fails fast with exit 2.

use super::{CandidateKind, HuntSettings, Plan, PriorChoice};
use crate::error::{Context, HuntError, Result};
use crate::manifest::AutoFixup;
use crate::recipe::hex;
use crate::workspace::Workspace;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// What the user asked of a commit hunt, besides where its candidates come from.
#[derive(Clone, Debug)]
pub struct HuntOptions {
    pub settings: HuntSettings,
    /// Fixup revisions named on the command line, added to `[bisect] fixups`.
    pub fixups: Vec<String>,
    /// `--auto-fixup` / `--no-auto-fixup`, else `[bisect] auto_fixup`.
    pub auto_fixup: Option<AutoFixup>,
    pub prior: PriorChoice,
}

/// The revisions of a commit range, as the user named them.
#[derive(Clone, Debug)]
pub struct Range<'a> {
    pub good: &'a [String],
    pub bad: &'a str,
    /// Hunt even though tracked files have uncommitted changes.
    pub allow_dirty: bool,
}

impl Plan {
    /// The plan of a hunt over the commits of `range`; also returns warnings to show
    /// (a good revision that is not an ancestor of the bad one).
    pub fn from_range(
        ws: &Workspace,
        range: Range<'_>,
        options: HuntOptions,
    ) -> Result<(Plan, Vec<String>)> {
        let repo = ws.repo()?;
        if range.good.is_empty() {
            return Err(bad_input("give --good REV (a revision that passes)"));
        }
        if !range.allow_dirty {
            let dirty: Vec<String> = repo
                .dirty_files()?
                .into_iter()
                .filter(|line| !is_culprits_own(ws, repo.root(), line))
                .collect();
            if !dirty.is_empty() {
                return Err(bad_input(&format!(
                    "the working tree has uncommitted changes ({}); commit or stash them, or pass --allow-dirty \
                     (culprit tests committed revisions in worktrees, so uncommitted edits would not be tested)",
                    dirty.iter().take(5).map(|l| l.trim()).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let bad = repo.resolve(range.bad)?;
        let mut good = Vec::new();
        let mut warnings = Vec::new();
        for rev in range.good {
            let id = repo.resolve(rev)?;
            if id == bad {
                return Err(bad_input(&format!("--good {rev} and --bad {} are the same commit; give a good revision before the failure", range.bad)));
            }
            if repo.is_ancestor(&bad, &id)? {
                return Err(bad_input(&format!(
                    "--bad {} is an ancestor of --good {rev}: nothing to search; did you swap them?",
                    range.bad
                )));
            }
            if !repo.is_ancestor(&id, &bad)? {
                warnings.push(format!(
                    "--good {rev} is not an ancestor of --bad {}; as git does, the suspects are the commits reachable from bad but not from good",
                    range.bad
                ));
            }
            good.push(id);
        }
        let commits = repo.rev_list_parents(&bad, &good, options.settings.first_parent)?;
        if commits.is_empty() {
            return Err(bad_input("no commits between --good and --bad"));
        }
        let mut trees = BTreeMap::new();
        if let Ok(listing) = repo.git(&["log", "--format=%H %T", &bad, "--not", &good.join(" ")]) {
            for line in listing.lines() {
                if let Some((commit, tree)) = line.split_once(' ') {
                    trees.insert(commit.to_string(), tree.to_string());
                }
            }
        }
        let fixups = fixup_ids(ws, &options.fixups)?;
        let kind = CandidateKind::Commits {
            range: commits,
            trees,
        };
        Ok((Plan::new(ws, kind, good, bad, fixups, options)?, warnings))
    }

    /// The plan of a hunt over the prebuilt artifacts listed in `list` (one a line,
    /// oldest first: the first good, the last bad).
    pub fn from_artifacts(ws: &Workspace, list: &Path, options: HuntOptions) -> Result<Plan> {
        if !ws.manifest.bisect.fixups.is_empty() || !options.fixups.is_empty() {
            return Err(bad_input(
                "--fixup applies commits, and --list bisects prebuilt artifacts; drop one of them",
            ));
        }
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("cannot read the artifact list {}", list.display()))?;
        let base = list.parent().unwrap_or(Path::new("."));
        let mut items = Vec::new();
        let mut digests = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let path = base.join(line);
            if !path.is_file() {
                return Err(bad_input(&format!(
                    "{}:{}: the artifact `{line}` is not a file ({} does not exist); list files that \
                     exist, relative to the list's directory or absolute",
                    list.display(),
                    n + 1,
                    path.display()
                )));
            }
            let bytes = std::fs::read(&path).with_context(|| {
                format!(
                    "{}:{}: cannot read {}",
                    list.display(),
                    n + 1,
                    path.display()
                )
            })?;
            let abs = path.canonicalize().unwrap_or(path);
            items.push(abs.to_string_lossy().into_owned());
            digests.push(hex(&Sha256::digest(&bytes)));
        }
        if items.len() < 2 {
            return Err(bad_input(&format!(
                "{}: an artifact list needs at least two entries, the good first and the bad last",
                list.display()
            )));
        }
        let bad = (items.len() - 1).to_string();
        let kind = CandidateKind::Artifacts {
            list: items,
            digests,
        };
        Plan::new(ws, kind, vec!["0".into()], bad, Vec::new(), options)
    }

    fn new(
        ws: &Workspace,
        kind: CandidateKind,
        good: Vec<String>,
        bad: String,
        fixups: Vec<String>,
        options: HuntOptions,
    ) -> Result<Plan> {
        let mut settings = options.settings;
        for name in &settings.tests {
            if !ws.manifest.has_run(name) {
                return Err(bad_input(&format!(
                    "no test named `{name}` in {}; it has: {}",
                    ws.manifest.path.display(),
                    ws.manifest.test_names()
                )));
            }
        }
        if settings.tests.is_empty() {
            settings.tests = ws.manifest.run_names();
        }
        settings.endpoint_runs = settings.endpoint_runs.max(1);
        let timing = options.auto_fixup.unwrap_or(ws.manifest.bisect.auto_fixup);
        Ok(Plan {
            kind,
            good,
            bad,
            settings,
            fixups,
            auto_fixup: timing != AutoFixup::Off,
            auto_fixup_up_front: timing == AutoFixup::UpFront,
            prior: options.prior,
            recipe: ws.manifest.recipe.digest.clone(),
        })
    }
}

fn bad_input(message: &str) -> HuntError {
    HuntError::BadInput(message.to_string())
}

/// The fixups of `[bisect] fixups` and `named`, as commit ids, each once.
fn fixup_ids(ws: &Workspace, named: &[String]) -> Result<Vec<String>> {
    let named: Vec<&String> = ws.manifest.bisect.fixups.iter().chain(named).collect();
    if named.is_empty() {
        return Ok(Vec::new());
    }
    let repo = ws.repo()?;
    let mut ids: Vec<String> = Vec::new();
    for rev in named {
        let id = repo.resolve(rev).with_context(|| {
            format!("the fixup `{rev}` is not a commit of this repository; give a revision git can resolve (a commit id, a branch)")
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Whether a `git status --porcelain` line is about culprit's own files (the
/// configuration, its `[config] base` and the state directory): they are read from the
/// tree where culprit runs, never from the candidates, so editing them leaves what is
/// tested unchanged.
fn is_culprits_own(ws: &Workspace, root: &Path, line: &str) -> bool {
    let canonical = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let root = canonical(root);
    let own = |path: &Path| {
        canonical(path)
            .strip_prefix(&root)
            .map(Path::to_path_buf)
            .ok()
    };
    // `XY path`, or `XY from -> to` for a rename.
    let path = line.get(3..).unwrap_or("");
    let path = Path::new(path.rsplit(" -> ").next().unwrap_or(path).trim_matches('"'));
    let base = ws.manifest.config.as_ref().and_then(|c| c.base.as_deref());
    [Some(ws.manifest.path.as_path()), base]
        .into_iter()
        .flatten()
        .any(|file| own(file).is_some_and(|f| path == f))
        || own(&ws.state).is_some_and(|state| path.starts_with(state))
}
