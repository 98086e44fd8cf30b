//! `culprit bisect`: find the commit (or prebuilt artifact) that introduced a failure.

use crate::commands::hunt_args::{
    check_tree, close_failed_hunt, finish, open_session, running_session, HuntArgs,
};
use crate::progress::Progress;
use crate::view::{clean_title, fit, table, width};
use anyhow::{bail, Result};
use culprit_hunt::commit_hunt::{
    CandidateKind, CommitHunt, HuntOptions, HuntSettings, Plan, PriorChoice, Range,
};
use culprit_hunt::infra::describe as describe_retried;
use culprit_hunt::manifest::AutoFixup;
use culprit_hunt::results::CommitHuntResult;
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::target::Target;
use culprit_hunt::workspace::Workspace;
use culprit_report::step_view::excerpt;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    /// What the search believes before any run: `crash` favours the commits whose diff
    /// touches the function (or file) the bad endpoint's failure names, `none` weighs
    /// every commit the same. A prior only steers which candidates run: a wrong one
    /// costs runs, never the answer.
    #[arg(long, value_enum, default_value_t = PriorArg::Crash)]
    pub prior: PriorArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PriorArg {
    None,
    Crash,
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
    let (journal, opened) =
        open_session(&ws, &args.hunt, (SessionKind::Bisect, "bisection"), || {
            let plan = make_plan(&args, &ws)?;
            if let CandidateKind::Commits { .. } = plan.kind {
                let mut endpoints: Vec<&str> = plan.good.iter().map(String::as_str).collect();
                endpoints.push(&plan.bad);
                check_tree(&ws, ws.repo()?, &endpoints, false)?;
            }
            let record = json!({ "plan": plan, "recipe": ws.manifest.recipe.canonical });
            Ok((plan, record))
        })?;
    let (session_id, plan) = (opened.id, opened.plan);
    let (repo, workers) = match plan.kind {
        CandidateKind::Commits { .. } => (Some(ws.repo()?), args.hunt.jobs),
        CandidateKind::Artifacts { .. } => (None, 1),
    };
    let progress = Progress::new(args.hunt.brief);
    let mut session = running_session(
        &ws,
        repo,
        journal,
        (session_id, workers),
        &args.hunt,
        &progress,
    )?;
    let mut hunt = CommitHunt {
        session: &mut session,
        plan: plan.clone(),
        observer: progress.clone(),
        stop_at: BTreeMap::new(),
        repo: match plan.kind {
            CandidateKind::Commits { .. } => ws.repo().ok().cloned(),
            CandidateKind::Artifacts { .. } => None,
        },
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
    finish(
        &session.journal,
        session_id,
        (conclusion.status, &result),
        args.hunt.json,
        |result| text(result, !args.hunt.brief),
    )
}

fn make_plan(args: &BisectArgs, ws: &Workspace) -> Result<Plan> {
    let options = HuntOptions {
        settings: HuntSettings {
            target: args.hunt.target.as_deref().map(Target::parse).transpose()?,
            tests: args.hunt.tests.clone(),
            flaky: args.flaky,
            confidence: args.confidence,
            first_parent: args.first_parent,
            verify: args.verify,
            verify_revert: args.verify_revert,
            endpoint_runs: args.endpoint_runs,
        },
        fixups: args.fixups.clone(),
        auto_fixup: match (args.auto_fixup, args.no_auto_fixup) {
            (true, _) => Some(AutoFixup::UpFront),
            (_, true) => Some(AutoFixup::Off),
            _ => None,
        },
        prior: match args.prior {
            PriorArg::None => PriorChoice::None,
            PriorArg::Crash => PriorChoice::Crash,
        },
    };
    if let Some(list) = &args.list {
        return Ok(Plan::from_artifacts(ws, list, options)?);
    }
    let Some(bad) = &args.bad else {
        bail!("give --bad REV (the revision that fails)");
    };
    let range = Range {
        good: &args.good,
        bad,
        allow_dirty: args.allow_dirty,
    };
    let (plan, warnings) = Plan::from_range(ws, range, options)?;
    for warning in warnings {
        eprintln!("culprit: warning: {warning}");
    }
    Ok(plan)
}

/// The plain answer of `culprit bisect`; with `evidence`, a table of every candidate's
/// verdict, each cut to the width of a line (the whole text is in `culprit log` and the
/// reports).
fn text(result: &CommitHuntResult, evidence: bool) -> String {
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
        out.push_str(&format!(" ({})", flaky.describe()));
    }
    out.push('\n');
    if let Some(prior) = &result.prior {
        out.push_str(&format!("  {}\n", prior.describe()));
    }
    for line in &result.verification {
        out.push_str(&format!("  verified: {line}\n"));
    }
    for (test, target) in &result.target {
        out.push_str(&format!("  target ({test}): {}\n", clean_title(target)));
    }
    out.push_str(&format!(
        "  {} steps, {} builds, {} test runs",
        result.counts.steps, result.counts.builds, result.counts.runs
    ));
    if result.counts.cached > 0 {
        out.push_str(&format!(
            ", {} answered from earlier sessions",
            result.counts.cached
        ));
    }
    if result.counts.reused > 0 {
        out.push_str(&format!(
            ", {} not booted (same artifacts as an earlier step)",
            result.counts.reused
        ));
    }
    if result.counts.kept_builds > 0 {
        out.push_str(&format!(
            ", {} not built again (the worker had just built the same)",
            result.counts.kept_builds
        ));
    }
    out.push('\n');
    if let Some(retried) = describe_retried(&result.retried) {
        out.push_str(&format!("  {retried}\n"));
    }
    if !evidence {
        out.push_str("  every step and its verdict: `culprit log`\n");
        return out;
    }
    out.push_str("\nevidence:\n");
    let room = width().saturating_sub(42).max(40);
    let rows: Vec<[String; 2]> = result
        .candidates
        .iter()
        .map(|c| [c.rev.chars().take(40).collect(), fit(&c.verdict, room)])
        .collect();
    out.push_str(&table(&["candidate", "verdict"], &rows));
    out
}
