//! `culprit init --lab`: the lab's `[executor]` section and environment file next to the
//! planned culprit.toml, and `--check`'s boot through that lab.

use anyhow::{bail, Context, Result};
use culprit_console::Outcome;
use culprit_hunt::executor::{open, Job, Prepare};
use culprit_hunt::manifest::ExecutorKind;
use culprit_hunt::observe::Unobserved;
use culprit_hunt::workspace::{stop_flag, Workspace};
use culprit_init::plan::labgrid::{labgrid, ENVIRONMENT_FILE};
use culprit_init::plan::{lava_files, Plan, LAVA_TEMPLATE_FILE};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// The labs `culprit init --lab` sets up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lab {
    Lava,
    Labgrid,
}

/// Adds `lab`'s section to `plan`'s culprit.toml text and writes its environment file
/// into `home` (replacing one only with `force`); returns what it guessed.
pub fn add_lab(
    lab: Lab,
    plan: &mut Plan,
    env: &BTreeMap<String, String>,
    home: &Path,
    force: bool,
) -> Result<Vec<String>> {
    match lab {
        Lab::Lava => {
            let Some(files) = lava_files(plan) else {
                bail!("--lab lava writes a job template for Linux trees (their kernel and culprit's initramfs); for this tree, add `[executor] kind = \"lava\"` and a template by hand (see README, \"Running on a LAVA lab\")");
            };
            let template = home.join(LAVA_TEMPLATE_FILE);
            if template.exists() && !force {
                bail!(
                    "{} exists already; pass --force to replace it, or edit it",
                    template.display()
                );
            }
            std::fs::write(&template, &files.template)
                .with_context(|| format!("cannot write {}", template.display()))?;
            plan.toml.push_str(&files.section);
            Ok(vec![format!(
                "wrote {} (the LAVA job template) and an [executor] section for it",
                template.display()
            )])
        }
        Lab::Labgrid => {
            let lab = labgrid(plan, env)?;
            let file = home.join(ENVIRONMENT_FILE);
            if file.exists() && !force {
                bail!(
                    "{} exists already; pass --force to replace it, or edit it",
                    file.display()
                );
            }
            std::fs::write(&file, &lab.environment)
                .with_context(|| format!("cannot write {}", file.display()))?;
            plan.toml.push_str(&lab.executor);
            let mut guesses = lab.guesses;
            guesses.push(format!(
                "wrote {} (the place's QEMUDriver) and an [executor] section for it",
                file.display()
            ));
            Ok(guesses)
        }
    }
}

/// One step of the tree as it is, its boots on the labgrid lab: what `--check` runs
/// there (`culprit run` boots on a LAVA lab by itself, so `--lab lava` checks with it).
/// Returns the exit code: 0 when every test passed.
pub fn check_on_labgrid(file: &Path) -> Result<u8> {
    let kind = ExecutorKind::Labgrid;
    let ws = Workspace::load(Some(file))?;
    let logs = ws.state.join("init-check");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let mut executor = open(&ws, None, Some(kind), 1, Arc::new(Unobserved), stop_flag())?;
    executor.start(
        0,
        Job {
            prepare: Prepare::InPlace,
            seq: 0,
            logs: logs.clone(),
            tests: Vec::new(),
            placeholders: Vec::new(),
            stop_at: BTreeMap::new(),
            config_text: None,
            label: "the working tree".into(),
            artifact_cache: None,
            fixups: Vec::new(),
            pace: None,
        },
    )?;
    let Some(finished) = executor.wait() else {
        bail!("the check's step never ended; this is a bug in culprit");
    };
    drop(executor);
    let step = finished.result?;
    let place = step
        .place
        .as_ref()
        .map(|p| p.describe())
        .unwrap_or_default();
    let mut failed = BTreeSet::new();
    for run in step.build.iter().chain(&step.tests) {
        println!("  {:<16} {} ({place})", run.name, run.outcome);
        if run.outcome != Outcome::Pass {
            failed.insert(run.name.clone());
        }
    }
    println!("  logs: {}", logs.display());
    Ok(if failed.is_empty() { 0 } else { 1 })
}
