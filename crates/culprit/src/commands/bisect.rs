//! `culprit bisect`: find the commit (or prebuilt artifact) that introduced a failure.

use crate::commands::hunt_args::{check_tree, close_failed_hunt, executor, resumable, HuntArgs};
use crate::progress::Progress;
use crate::view::{excerpt, table};
use anyhow::{bail, Context, Result};
use culprit_hunt::commit_hunt::{CandidateKind, CommitHunt, Plan};
use culprit_hunt::config::AutoFixup;
use culprit_hunt::infra::describe as describe_retried;
use culprit_hunt::results::{CommitHuntResult, SessionKind};
use culprit_hunt::session::Session;
use culprit_hunt::status::HuntStatus;
use culprit_hunt::target::Target;
use culprit_hunt::workspace::{stop_flag, Workspace};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct BisectArgs {
    /// A revision that passes (repeatable).
    #[arg(long = "good", required_unless_present_any = ["resume", "list"])]
    pub good: Vec<String>,
    /// The revision that fails.
    #[arg(long, required_unless_present_any = ["resume", "list"])]
    pub bad: Option<String>,
    /// Bisect an ordered list of prebuilt artifacts (one per line, oldest first, the first
    /// good and the last bad) instead of commits; each replaces {artifact} in the commands.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["good", "bad"])]
    pub list: Option<PathBuf>,
    #[command(flatten)]
    pub hunt: HuntArgs,
    /// Treat the failure as intermittent from the start (otherwise detected from repeated
    /// runs of the bad endpoint).
    #[arg(long)]
    pub flaky: bool,
    /// With intermittent failures, the probability at which a culprit is reported.
    #[arg(long, default_value_t = 0.99)]
    pub confidence: f64,
    /// Follow only the first parent of merges, like `git bisect --first-parent`.
    #[arg(long)]
    pub first_parent: bool,
    /// Runs of the culprit and of its parents to confirm the result (0 to skip).
    #[arg(long, default_value_t = 1)]
    pub verify: u32,
    /// Also revert the culprit on top of the bad revision and expect a pass.
    #[arg(long)]
    pub verify_revert: bool,
    /// Runs of the bad endpoint that check whether the failure is intermittent.
    #[arg(long, default_value_t = 2)]
    pub endpoint_runs: u32,
    /// A commit to apply on top of a candidate that cannot be tested on its own (its
    /// build fails, or it crashes early with another failure), e.g. the fix of a window
    /// of commits that do not build; repeatable, added to `[bisect] fixups`.
    #[arg(long = "fixup", value_name = "REV")]
    pub fixups: Vec<String>,
    /// Do not look for a fixup automatically when build failures leave the answer
    /// ambiguous.
    #[arg(long)]
    pub no_auto_fixup: bool,
    /// Look for the fix of a build failure as soon as the first candidate does not build
    /// (rather than once the search has ended ambiguous), and test the commits that do
    /// not build with it; `[bisect] auto_fixup = "up-front"`.
    #[arg(long, conflicts_with = "no_auto_fixup")]
    pub auto_fixup: bool,
    /// Bisect even though tracked files have uncommitted changes.
    #[arg(long)]
    pub allow_dirty: bool,
}

pub fn run(args: BisectArgs) -> Result<u8> {
    let ws = Workspace::load(args.hunt.file.as_deref())?;
    args.hunt.check()?;
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        bail!(
            "--confidence {}: give a probability between 0 and 1, e.g. 0.99",
            args.confidence
        );
    }
    let journal = ws.journal()?;
    let (session_id, plan, _owner) = if let Some(which) = &args.hunt.resume {
        resumable(
            &journal,
            SessionKind::Bisect,
            "bisection",
            which,
            &ws.config,
        )?
    } else {
        let plan = make_plan(&args, &ws)?;
        if let CandidateKind::Commits { .. } = plan.kind {
            let mut endpoints: Vec<&str> = plan.good.iter().map(String::as_str).collect();
            endpoints.push(&plan.bad);
            check_tree(&ws, ws.repo()?, &endpoints, false)?;
        }
        let id = journal.start_session(
            SessionKind::Bisect,
            &json!({ "plan": plan, "recipe": ws.config.recipe.canonical }),
        )?;
        let owner = journal.own_session(id)?;
        (id, plan, owner)
    };
    let workers = if matches!(plan.kind, CandidateKind::Artifacts { .. }) {
        1
    } else {
        args.hunt.jobs
    };
    let repo = match plan.kind {
        CandidateKind::Commits { .. } => Some(ws.repo()?),
        CandidateKind::Artifacts { .. } => None,
    };
    let progress = Progress::new();
    let executor = executor(&ws, repo, &journal, &args.hunt, workers, progress.clone())?;
    journal.finish_session(session_id, "running", &json!(null))?;
    let mut session = Session::new(
        session_id,
        journal,
        executor,
        &ws.config,
        stop_flag(),
        progress.clone(),
    )?;
    let mut hunt = CommitHunt {
        session: &mut session,
        plan: plan.clone(),
        observer: progress.clone(),
        stop_at: BTreeMap::new(),
    };
    let outcome = hunt.hunt();
    progress.finish();
    let conclusion = match outcome {
        Ok(conclusion) => conclusion,
        Err(err) => return close_failed_hunt(&session.journal, session_id, err),
    };
    let base = std::env::current_dir().unwrap_or_default();
    let result =
        CommitHuntResult::new(&conclusion, &session, &plan, ws.repo().ok(), &base, excerpt);
    session.journal.finish_session(
        session_id,
        conclusion.status.as_str(),
        &serde_json::to_value(&result)?,
    )?;
    if args.hunt.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", text(&result));
    }
    Ok(if conclusion.status == HuntStatus::Found {
        0
    } else {
        1
    })
}

fn make_plan(args: &BisectArgs, ws: &Workspace) -> Result<Plan> {
    let target = args.hunt.target.as_deref().map(Target::parse).transpose()?;
    for name in &args.hunt.tests {
        if !ws.config.has_run(name) {
            bail!(
                "no test named `{name}` in {}; it has: {}",
                ws.config.path.display(),
                ws.config.test_names()
            );
        }
    }
    let tests: Vec<String> = if args.hunt.tests.is_empty() {
        ws.config.run_names()
    } else {
        args.hunt.tests.clone()
    };
    let (kind, good, bad) = match &args.list {
        Some(list) => artifacts(list)?,
        None => commits(args, ws)?,
    };
    let timing = match (args.auto_fixup, args.no_auto_fixup) {
        (true, _) => AutoFixup::UpFront,
        (_, true) => AutoFixup::Off,
        _ => ws.config.bisect.auto_fixup,
    };
    Ok(Plan {
        kind,
        good,
        bad,
        target,
        tests,
        flaky: args.flaky,
        confidence: args.confidence,
        first_parent: args.first_parent,
        verify: args.verify,
        verify_revert: args.verify_revert,
        endpoint_runs: args.endpoint_runs.max(1),
        fixups: fixups(args, ws)?,
        auto_fixup: timing != AutoFixup::Off,
        auto_fixup_up_front: timing == AutoFixup::UpFront,
        recipe: ws.config.recipe.digest.clone(),
    })
}

/// The fixups of `[bisect] fixups` and `--fixup`, as commit ids.
fn fixups(args: &BisectArgs, ws: &Workspace) -> Result<Vec<String>> {
    let named: Vec<&String> = ws.config.bisect.fixups.iter().chain(&args.fixups).collect();
    if named.is_empty() {
        return Ok(Vec::new());
    }
    if args.list.is_some() {
        bail!("--fixup applies commits, and --list bisects prebuilt artifacts; drop one of them");
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn commits(args: &BisectArgs, ws: &Workspace) -> Result<(CandidateKind, Vec<String>, String)> {
    let repo = ws.repo()?;
    let Some(bad_rev) = &args.bad else {
        bail!("give --bad REV (the revision that fails)");
    };
    if args.good.is_empty() {
        bail!("give --good REV (a revision that passes)");
    }
    if !args.allow_dirty {
        let dirty: Vec<String> = repo
            .dirty_files()?
            .into_iter()
            .filter(|line| !is_culprits_own(ws, repo.root(), line))
            .collect();
        if !dirty.is_empty() {
            bail!(
                "the working tree has uncommitted changes ({}); commit or stash them, or pass --allow-dirty \
                 (culprit tests committed revisions in worktrees, so uncommitted edits would not be tested)",
                dirty.iter().take(5).map(|l| l.trim()).collect::<Vec<_>>().join(", ")
            );
        }
    }
    let bad = repo.resolve(bad_rev)?;
    let mut good = Vec::new();
    for rev in &args.good {
        let id = repo.resolve(rev)?;
        if id == bad {
            bail!("--good {rev} and --bad {bad_rev} are the same commit; give a good revision before the failure");
        }
        if repo.is_ancestor(&bad, &id)? {
            bail!("--bad {bad_rev} is an ancestor of --good {rev}: nothing to search; did you swap them?");
        }
        if !repo.is_ancestor(&id, &bad)? {
            eprintln!(
                "culprit: warning: --good {rev} is not an ancestor of --bad {bad_rev}; as git does, the suspects are the commits reachable from bad but not from good"
            );
        }
        good.push(id);
    }
    let range = repo.rev_list_parents(&bad, &good, args.first_parent)?;
    if range.is_empty() {
        bail!("no commits between --good and --bad");
    }
    let mut trees = BTreeMap::new();
    let listing = repo.git(&["log", "--format=%H %T", &bad, "--not", &good.join(" ")]);
    if let Ok(listing) = listing {
        for line in listing.lines() {
            if let Some((commit, tree)) = line.split_once(' ') {
                trees.insert(commit.to_string(), tree.to_string());
            }
        }
    }
    Ok((CandidateKind::Commits { range, trees }, good, bad))
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
    let base = ws.config.config.as_ref().and_then(|c| c.base.as_deref());
    [Some(ws.config.path.as_path()), base]
        .into_iter()
        .flatten()
        .any(|file| own(file).is_some_and(|f| path == f))
        || own(&ws.state).is_some_and(|state| path.starts_with(state))
}

fn artifacts(list: &Path) -> Result<(CandidateKind, Vec<String>, String)> {
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
            bail!(
                "{}:{}: the artifact `{line}` is not a file ({} does not exist); list files that \
                 exist, relative to the list's directory or absolute",
                list.display(),
                n + 1,
                path.display()
            );
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
        let (item, digest) = (
            abs.to_string_lossy().into_owned(),
            hex(&Sha256::digest(&bytes)),
        );
        items.push(item);
        digests.push(digest);
    }
    if items.len() < 2 {
        bail!(
            "{}: an artifact list needs at least two entries, the good first and the bad last",
            list.display()
        );
    }
    let bad = (items.len() - 1).to_string();
    Ok((
        CandidateKind::Artifacts {
            list: items,
            digests,
        },
        vec!["0".into()],
        bad,
    ))
}

/// The plain answer of `culprit bisect`.
fn text(result: &CommitHuntResult) -> String {
    let mut out = String::new();
    match (&result.culprit, &result.commit) {
        (Some(_), Some(c)) => {
            out.push_str(&format!("culprit: {} {}\n", c.id, c.subject));
            out.push_str(&format!("  author {}, {}\n", c.author, c.date));
        }
        (Some(id), None) => out.push_str(&format!("culprit: {id}\n")),
        (None, _) => out.push_str(&format!("no single culprit ({})\n", result.status)),
    }
    if let Some(message) = &result.message {
        out.push_str(&format!("  {message}\n"));
    }
    if result.culprit.is_none() && !result.suspects.is_empty() {
        out.push_str("  suspects:\n");
        for s in &result.suspects {
            out.push_str(&format!(
                "    {}  {} (p={:.2})\n",
                s.rev, s.reason, s.probability
            ));
        }
    }
    out.push_str(&format!("  confidence {:.2}", result.confidence));
    if let Some(flaky) = &result.flaky {
        out.push_str(&format!(
            " (intermittent: the bad endpoint failed {:.0}% of its runs)",
            flaky.p_fail_if_bad * 100.0
        ));
    }
    out.push('\n');
    for line in &result.verification {
        out.push_str(&format!("  verified: {line}\n"));
    }
    for (test, target) in &result.target {
        out.push_str(&format!("  target ({test}): {target}\n"));
    }
    out.push_str(&format!(
        "  {} steps, {} builds, {} test runs",
        result.steps, result.builds, result.runs
    ));
    if result.cached > 0 {
        out.push_str(&format!(
            ", {} answered from earlier sessions",
            result.cached
        ));
    }
    if result.reused > 0 {
        out.push_str(&format!(
            ", {} not booted (same artifacts as an earlier step)",
            result.reused
        ));
    }
    out.push('\n');
    if let Some(retried) = describe_retried(&result.retried) {
        out.push_str(&format!("  {retried}\n"));
    }
    out.push_str("\nevidence:\n");
    let rows: Vec<[String; 2]> = result
        .candidates
        .iter()
        .map(|c| [c.rev.chars().take(40).collect(), c.verdict.clone()])
        .collect();
    out.push_str(&table(&["candidate", "verdict"], &rows));
    out
}
