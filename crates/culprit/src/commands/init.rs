//! `culprit init`: looks at the tree (Linux, Zephyr or anything else) and the
//! environment, writes a `culprit.toml` that works on first try and says what it
//! guessed. For Linux it also makes the boot test's initramfs and base configuration.
//! `--check` then runs one step with it.

use crate::commands::run::{self, RunArgs};
use anyhow::{bail, Context, Result};
use culprit_console::Outcome;
use culprit_hunt::lab_check::step_on_labgrid;
use culprit_hunt::manifest::Manifest;
use culprit_hunt::workspace::CONFIG_FILE;
use culprit_init::files::{exclude_generated, make_linux_files};
use culprit_init::lab::{add_lab, Lab};
use culprit_init::plan::{self, Layout, INITRAMFS_FILE};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct InitArgs {
    /// The tree to write culprit.toml for (default: the current directory).
    pub dir: Option<PathBuf>,
    /// Linux: the architecture to build and boot (x86_64, arm64, riscv64, arm); default
    /// from ARCH, the tree's .config, or the host.
    #[arg(long)]
    pub arch: Option<String>,
    /// Replace an existing culprit.toml (and the files init made with it).
    #[arg(long)]
    pub force: bool,
    /// Then build and boot once with the new culprit.toml and say what happened.
    #[arg(long)]
    pub check: bool,
    /// Boot the tests on this lab: adds its [executor] section and the file that boots
    /// the tree's kernel on its QEMU place (and `--check` boots there).
    #[arg(long, value_enum)]
    pub lab: Option<Lab>,
}

pub fn run(args: InitArgs) -> Result<u8> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let home = dir.canonicalize().with_context(|| {
        format!(
            "cannot open {}: give the directory of the tree to set up",
            dir.display()
        )
    })?;
    if !home.is_dir() {
        bail!(
            "{} is not a directory: give the directory of the tree to set up",
            home.display()
        );
    }
    let path = home.join(CONFIG_FILE);
    if path.exists() && !args.force {
        bail!(
            "{} exists already; pass --force to replace it, or edit it",
            path.display()
        );
    }
    let probe = culprit_init::probe(&home, args.arch.clone());
    let mut plan = plan::plan(&probe)?;
    if let Some(lab) = args.lab {
        let guesses = add_lab(lab, &mut plan, &probe.env, &home, args.force)?;
        plan.guesses.extend(guesses);
    }
    if let Layout::Linux(linux) = &plan.layout {
        for note in make_linux_files(linux, &home, probe.dot_config.as_deref())? {
            println!("  ! {note}");
        }
    }
    std::fs::write(&path, &plan.toml)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("culprit init: wrote {}", path.display());
    for guess in &plan.guesses {
        println!("  - {guess}");
    }
    let repo = culprit_exec::git::Repo::discover(&home).ok();
    let root = repo
        .as_ref()
        .map_or_else(|| home.clone(), |repo| repo.root().to_path_buf());
    if let (Some(_), Layout::Linux(_)) = (&repo, &plan.layout) {
        exclude_generated(&home, &root, INITRAMFS_FILE)?;
        println!("  - {INITRAMFS_FILE} is listed in the repository's info/exclude: it is generated, and must not make the tree dirty for `culprit bisect`");
    }
    let config = Manifest::load(&path, &root).with_context(|| {
        format!(
            "culprit init wrote {} but cannot read it back; please report this",
            path.display()
        )
    })?;
    let missing = config.missing_programs();
    for (owner, program) in &missing {
        println!("  ! {owner} runs `{program}`, which is not installed (not on PATH)");
    }
    if !args.check {
        println!("next: `culprit run` builds and boots once (or `culprit init --check --force` does both)");
        return Ok(0);
    }
    if !missing.is_empty() {
        bail!("cannot --check: install the programs above first");
    }
    println!("culprit init: checking: one build and boot");
    let code = match args.lab {
        Some(Lab::Labgrid) => check_on_labgrid(&path)?,
        Some(Lab::Lava) | None => run::run(RunArgs {
            file: Some(path),
            rev: None,
            tests: Vec::new(),
            sets: Vec::new(),
            fragments: Vec::new(),
            json: false,
        })?,
    };
    if code == 0 {
        println!("culprit init: the check passed; culprit.toml is ready for `culprit bisect` and `culprit bisect-config`");
    } else {
        println!("culprit init: the check did not pass (see the table above); fix culprit.toml or the tree, then `culprit run`");
    }
    Ok(code)
}

/// Boots the tree as it is on the labgrid lab and shows each run: what `--check` runs
/// there (`culprit run` boots on a LAVA lab by itself, so `--lab lava` checks with it).
/// Returns the exit code: 0 when every test passed.
fn check_on_labgrid(file: &Path) -> Result<u8> {
    let (step, logs) = step_on_labgrid(file)?;
    let place = step
        .place
        .as_ref()
        .map(|p| p.describe())
        .unwrap_or_default();
    let mut failed = false;
    for run in step.build.iter().chain(&step.tests) {
        println!("  {:<16} {} ({place})", run.name, run.outcome);
        failed |= run.outcome != Outcome::Pass;
    }
    println!("  logs: {}", logs.display());
    Ok(u8::from(failed))
}
