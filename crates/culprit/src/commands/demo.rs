//! `culprit demo`: the bundled example, end to end, in a scratch repository.
//!
//! Two hunts, as in the seeds: a commit bisection through an unbuildable window to the
//! commit that made boot hang (seed 001), then, at that commit, a configuration
//! bisection that names the culprit options per test (seed 000).

use crate::commands::hunt_args::HuntArgs;
use crate::commands::{bisect, bisect_config};
use anyhow::{bail, Context, Result};
use culprit_exec::git::Repo;
use culprit_hunt::results::CommitHuntResult;
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::workspace::Workspace;
use culprit_report::{render, Format, Material};
use culprit_toyos::history;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where to create the scratch repository (default: a new directory under the
    /// system's temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Commits in the generated history.
    #[arg(long, default_value_t = 200)]
    pub commits: usize,
    /// Parallel workers.
    #[arg(short = 'j', long = "jobs", default_value_t = 2)]
    pub jobs: usize,
    /// Only create the repository and print what was planted in it, as JSON.
    #[arg(long)]
    pub prepare_only: bool,
}

fn short(commit: &str) -> &str {
    &commit[..12.min(commit.len())]
}

fn say(text: &str) {
    eprintln!("\n== {text}");
}

pub fn run(args: DemoArgs) -> Result<u8> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("culprit-demo-{}", std::process::id())),
    };
    let planted = history::generate(&dir, args.commits)?;
    let dir = dir.canonicalize().unwrap_or(dir);
    if args.prepare_only {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "dir": dir,
                "good": planted.good,
                "bad": planted.bad,
                "culprit": planted.culprit,
                "unbuildable": planted.unbuildable,
                "fix": planted.fix,
                "crashing": planted.crashing,
                "commits": planted.commits,
            }))?
        );
        return Ok(0);
    }
    let config = dir.join("culprit.toml");
    say(&format!(
        "culprit demo: a toyos repository with {} commits in {}.\n   \
         v0.1 boots and passes its three SMP tests; main does not. Somewhere in between,\n   \
         commits stopped building for a while (a header split) and others crashed early.\n   \
         First hunt: which commit broke the boot? (seed 001; every step shows live on a terminal)",
        planted.commits,
        dir.display()
    ));
    let code = bisect::run(bisect::BisectArgs {
        good: vec![planted.good.clone()],
        bad: Some("main".into()),
        list: None,
        hunt: story_hunt(&config, args.jobs),
        flaky: false,
        confidence: 0.99,
        first_parent: false,
        verify: 1,
        verify_revert: false,
        endpoint_runs: 2,
        fixups: Vec::new(),
        no_auto_fixup: false,
        auto_fixup: false,
        allow_dirty: false,
        prior: bisect::PriorArg::Crash,
    })?;
    let journal = Workspace::load(Some(&config))?.journal()?;
    let result: CommitHuntResult = match journal.last_session(Some(SessionKind::Bisect))? {
        Some(session) => {
            serde_json::from_value(session.result.unwrap_or_default()).unwrap_or_default()
        }
        None => CommitHuntResult::default(),
    };
    // The fixups that made the window testable: the culprit's own build needs them.
    let fixups: Vec<(String, usize)> = (result.fixups.iter())
        .map(|u| (u.commit.clone(), u.candidates))
        .collect();
    let Some(culprit) = result.culprit.filter(|_| code == 0) else {
        bail!(
            "the commit hunt did not conclude (exit {code}); see `culprit log` in {}",
            dir.display()
        );
    };
    let verdict = if culprit == planted.culprit {
        "the planted culprit"
    } else {
        "NOT the planted culprit"
    };
    let window = match fixups.as_slice() {
        [] => String::new(),
        uses => format!(
            "\n   It sits inside the window that does not build: {}, the commit that ended the\n   \
             build failure, was found automatically and applied on top of {} commit(s) of the window.",
            uses.iter()
                .map(|(commit, _)| short(commit))
                .collect::<Vec<_>>()
                .join(", "),
            uses.iter().map(|(_, n)| n).sum::<usize>()
        ),
    };
    say(&format!(
        "found {} -- {verdict}.{window}\n   It changed the defconfig: {} options at once.\n   \
         Second hunt, at that commit{}: which of those options break which test? (seed 000)",
        short(&culprit),
        history::CULPRIT_OPTIONS_ON.len() + history::CULPRIT_OPTIONS_OFF.len(),
        if fixups.is_empty() {
            ""
        } else {
            " with the same fixup"
        }
    ));
    let state = Workspace::load(Some(&config))?.state;
    let scratch = state.join("demo");
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let good_config = write_config_at(&dir, &format!("{culprit}^"), &scratch.join("good.config"))?;
    let bad_config = write_config_at(&dir, &culprit, &scratch.join("bad.config"))?;
    let code = bisect_config::run(bisect_config::BisectConfigArgs {
        good: Some(good_config),
        bad: Some(bad_config),
        good_fragment: false,
        bad_fragment: false,
        rev: culprit.clone(),
        fixups: fixups.into_iter().map(|(commit, _)| commit).collect(),
        hunt: story_hunt(&config, args.jobs),
        flaky: false,
    })?;
    let journal = Workspace::load(Some(&config))?.journal()?;
    let mut pages = Vec::new();
    for (kind, name) in [
        (SessionKind::Bisect, "commit-hunt.html"),
        (SessionKind::BisectConfig, "config-hunt.html"),
    ] {
        if let Some(session) = journal.last_session(Some(kind))? {
            let material = Material {
                steps: journal.steps(session.id)?,
                session,
                base: dir.clone(),
            };
            let page = scratch.join(name);
            std::fs::write(&page, render(Format::Html, &material)?)
                .with_context(|| format!("cannot write {}", page.display()))?;
            pages.push(page);
        }
    }
    say(&format!(
        "done. The reports:\n{}   Everything is in {}: the journal and every log.\n   \
         `culprit log -f {}` shows every step;\n   \
         `culprit report` writes Markdown, JSON or JUnit.",
        pages
            .iter()
            .map(|p| format!("   {}\n", p.display()))
            .collect::<String>(),
        state.display(),
        dir.join("culprit.toml").display()
    ));
    Ok(code)
}

/// Writes the `.config` of `rev` to `path`.
fn write_config_at(repo: &Path, rev: &str, path: &Path) -> Result<PathBuf> {
    let text = Repo::discover(repo)?
        .git(&["show", &format!("{rev}:.config")])
        .with_context(|| format!("cannot read .config at {rev}"))?;
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path.to_path_buf())
}

/// How the demo runs each of its hunts: with its toyos tree's culprit.toml, told as a
/// brief story.
fn story_hunt(config: &Path, jobs: usize) -> HuntArgs {
    HuntArgs {
        file: Some(config.to_path_buf()),
        jobs,
        brief: true,
        ..HuntArgs::default()
    }
}
