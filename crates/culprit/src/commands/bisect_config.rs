//! `culprit bisect-config`: which configuration options make each test fail.

use crate::commands::hunt_args::{
    check_tree, close_failed_hunt, finish, open_session, running_session, HuntArgs,
};
use crate::progress::Progress;
use crate::view::{clean_title, table};
use anyhow::{bail, Context, Result};
use culprit_exec::git::Repo;
use culprit_hunt::config_hunt::{ConfigHunt, Plan};
use culprit_hunt::config_plan::{config_file, ConfigRequest};
use culprit_hunt::results::ConfigHuntResult;
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::workspace::Workspace;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct BisectConfigArgs {
    /// A configuration with which every test passes (.config, fragment or KEY=VALUE). A
    /// fragment against a full .config means "the bad configuration with these changes".
    #[arg(long, required_unless_present = "resume")]
    pub good: Option<PathBuf>,
    /// A configuration with which tests fail. A fragment against a full .config means
    /// "the good configuration with these changes".
    #[arg(long, required_unless_present = "resume")]
    pub bad: Option<PathBuf>,
    /// Read --good as a fragment (a list of changes), whatever it looks like.
    #[arg(long)]
    pub good_fragment: bool,
    /// Read --bad as a fragment (a list of changes), whatever it looks like.
    #[arg(long)]
    pub bad_fragment: bool,
    /// The revision to build every candidate at (default: HEAD).
    #[arg(long, default_value = "HEAD")]
    pub rev: String,
    /// A commit to apply on top of --rev before every build, when --rev does not build
    /// (or boot) on its own; repeatable.
    #[arg(long = "fixup", value_name = "REV")]
    pub fixups: Vec<String>,
    #[command(flatten)]
    pub hunt: HuntArgs,
    /// Tests that sometimes give the wrong verdict: confirm every fact by repeated runs.
    #[arg(long)]
    pub flaky: bool,
}

pub fn run(args: BisectConfigArgs) -> Result<u8> {
    let ws = Workspace::load(args.hunt.file.as_deref())?;
    args.hunt.check()?;
    let config_file = config_file(&ws.manifest)?;
    let repo = ws.repo()?;
    let (journal, opened) = open_session(
        &ws,
        &args.hunt,
        (SessionKind::BisectConfig, "configuration bisection"),
        || start(&args, &ws, repo, config_file),
    )?;
    let (session_id, plan) = (opened.id, opened.plan);
    let progress = Progress::new(args.hunt.brief);
    let mut session = running_session(
        &ws,
        Some(repo),
        journal,
        (session_id, args.hunt.jobs),
        &args.hunt,
        &progress,
    )?;
    let mut hunt = ConfigHunt {
        session: &mut session,
        plan,
        observer: progress.clone(),
    };
    let outcome = hunt.hunt();
    progress.finish();
    let conclusion = match outcome {
        Ok(conclusion) => conclusion,
        Err(err) => return close_failed_hunt(&session.journal, session_id, err),
    };
    finish(
        &session.journal,
        session_id,
        (conclusion.status, &conclusion),
        args.hunt.json,
        text,
    )
}

/// The plain answer of `culprit bisect-config`: each test's failure, the culprit options
/// per test, and the requested values that did not apply.
fn text(conclusion: &ConfigHuntResult) -> String {
    let mut out = String::new();
    for (test, behaviour) in &conclusion.tests {
        out.push_str(&format!("{test}: {}\n", clean_title(behaviour)));
    }
    if conclusion.culprits.is_empty() {
        out.push_str("no culprit options found\n");
    } else {
        let rows: Vec<[String; 3]> = conclusion
            .culprits
            .iter()
            .map(|c| {
                [
                    c.test.clone(),
                    c.options.join(" + "),
                    clean_title(c.failure()),
                ]
            })
            .collect();
        out.push_str(&table(
            &["test", "culprit options (together)", "failure"],
            &rows,
        ));
    }
    for missing in &conclusion.not_applied {
        out.push_str(&format!(
            "not applied: {} requested {}, got {}\n",
            missing.option, missing.requested, missing.got
        ));
        for reason in &missing.reasons {
            out.push_str(&format!("  - {reason}\n"));
        }
        if !missing.needs.is_empty() {
            out.push_str(&format!(
                "  would apply with: {}\n",
                missing.needs.join(" ")
            ));
        }
    }
    if let Some(message) = &conclusion.message {
        out.push_str(&format!("{message}\n"));
    }
    out.push_str(&format!(
        "{} options differed; {} builds, {} test runs\n",
        conclusion.changes, conclusion.counts.builds, conclusion.counts.runs
    ));
    if let Some(retried) = culprit_hunt::infra::describe(&conclusion.retried) {
        out.push_str(&format!("{retried}\n"));
    }
    out
}

/// A new hunt's plan from the command line, and the record the journal keeps of it.
fn start(
    args: &BisectConfigArgs,
    ws: &Workspace,
    repo: &Repo,
    config_file: &Path,
) -> Result<(Plan, serde_json::Value)> {
    let (Some(good), Some(bad)) = (&args.good, &args.bad) else {
        bail!("give --good FILE and --bad FILE");
    };
    let request = ConfigRequest {
        good: (good.clone(), read_config(good, args.good_fragment)?),
        bad: (bad.clone(), read_config(bad, args.bad_fragment)?),
        rev: args.rev.clone(),
        fixups: args.fixups.clone(),
        target: args.hunt.target.clone(),
        tests: args.hunt.tests.clone(),
        flaky: args.flaky,
    };
    let plan = Plan::from_configs(ws, repo, request)?;
    check_tree(ws, repo, &[&plan.rev], true)?;
    let record =
        json!({ "plan": plan, "config_file": config_file, "recipe": ws.manifest.recipe.canonical });
    Ok((plan, record))
}

/// Reads a configuration file, as a fragment when the user says so, else in the format
/// it looks like.
fn read_config(path: &Path, fragment: bool) -> Result<culprit_kconfig::Config> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the configuration {}", path.display()))?;
    let format = fragment.then_some(culprit_kconfig::Format::Fragment);
    Ok(culprit_kconfig::Config::parse(&bytes, path, format)?)
}
