//! `culprit init`: looks at the tree (Linux, Zephyr or anything else) and the
//! environment, writes a `culprit.toml` that works on first try and says what it
//! guessed. For Linux it also makes the boot test's initramfs and base configuration.
//! `--check` then runs one step with it.

mod initramfs;
mod plan;

use crate::commands::run::{self, RunArgs};
use anyhow::{bail, Context, Result};
use culprit_hunt::config::Config;
use culprit_hunt::workspace::CONFIG_FILE;
use plan::{BaseConfig, Layout, LinuxPlan, Probe, BASE_CONFIG_FILE, INITRAMFS_FILE};
use std::path::{Path, PathBuf};
use std::process::Command;

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
}

/// Environment variables that change what init writes.
const ENV: &[&str] = &["ARCH", "CROSS_COMPILE", "LLVM", "BOARD"];

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
    let probe = probe(&home, args.arch.clone());
    let plan = plan::plan(&probe)?;
    if let Layout::Linux(linux) = &plan.layout {
        make_initramfs(linux, &home)?;
        make_base_config(linux, &home, probe.dot_config.as_deref())?;
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
    let config = Config::load(&path, &root).with_context(|| {
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
    let code = run::run(RunArgs {
        file: Some(path),
        rev: None,
        tests: Vec::new(),
        sets: Vec::new(),
        fragments: Vec::new(),
        json: false,
    })?;
    if code == 0 {
        println!("culprit init: the check passed; culprit.toml is ready for `culprit bisect` and `culprit bisect-config`");
    } else {
        println!("culprit init: the check did not pass (see the table above); fix culprit.toml or the tree, then `culprit run`");
    }
    Ok(code)
}

/// Lists `home/file` in the repository's `info/exclude` (local to this clone, unlike a
/// `.gitignore`), once.
fn exclude_generated(home: &Path, root: &Path, file: &str) -> Result<()> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--git-path", "info/exclude"])
        .output()
        .context("cannot run git to find the repository's info/exclude")?;
    if !out.status.success() {
        bail!(
            "git cannot find the info/exclude of {}: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let exclude = root.join(String::from_utf8_lossy(&out.stdout).trim());
    let relative = home.strip_prefix(root).unwrap_or(Path::new("")).join(file);
    let pattern = format!("/{}", relative.display());
    let text = std::fs::read_to_string(&exclude).unwrap_or_default();
    if text.lines().any(|line| line == pattern) {
        return Ok(());
    }
    if let Some(dir) = exclude.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let separator = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    std::fs::write(&exclude, format!("{text}{separator}{pattern}\n"))
        .with_context(|| format!("cannot write {}", exclude.display()))
}

/// Looks at the files init decides from, and the environment.
fn probe(home: &Path, requested_arch: Option<String>) -> Probe {
    let read = |name: &str| std::fs::read(home.join(name)).ok();
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    Probe {
        home: home.to_path_buf(),
        makefile: read("Makefile").map(text),
        kconfig_and_init: home.join("Kconfig").is_file() && home.join("init/main.c").is_file(),
        dot_config: read(".config").map(text),
        west_manifest: home.join("west.yml").is_file(),
        zephyr_apps: zephyr_apps(home),
        env: ENV
            .iter()
            .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?)))
            .collect(),
        requested_arch,
        host_arch: std::env::consts::ARCH.to_string(),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// Directories up to two levels down holding a `prj.conf` (hidden ones skipped), sorted.
fn zephyr_apps(home: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![(PathBuf::from("."), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        if home.join(&dir).join("prj.conf").is_file() {
            found.push(dir.to_string_lossy().trim_start_matches("./").to_string());
        }
        if depth == 2 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(home.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push((dir.join(name), depth + 1));
            }
        }
    }
    found.sort();
    found
}

/// Builds the static `/init` for the target and writes the initramfs.
fn make_initramfs(linux: &LinuxPlan, home: &Path) -> Result<()> {
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    let source = scratch.path().join("init.c");
    let program = scratch.path().join("init");
    std::fs::write(&source, initramfs::INIT_SOURCE)
        .with_context(|| format!("cannot write {}", source.display()))?;
    let (cc, cc_args) = linux
        .init_cc
        .split_first()
        .context("no compiler for the init program")?;
    let mut command = Command::new(cc);
    command
        .args(cc_args)
        .args(initramfs::INIT_CFLAGS)
        .arg(initramfs::marker_define())
        .arg("-o")
        .arg(&program)
        .arg(&source);
    checked(
        &mut command,
        &format!("compiling the initramfs' /init with {cc}"),
        &format!(
            "install a compiler for {} (Debian: gcc-{}), or set CROSS_COMPILE or LLVM=1",
            linux.arch.name,
            linux.arch.cross_compile.trim_end_matches('-')
        ),
    )?;
    let init = std::fs::read(&program)
        .with_context(|| format!("cannot read the compiled {}", program.display()))?;
    let out = home.join(INITRAMFS_FILE);
    std::fs::write(&out, initramfs::archive(&init))
        .with_context(|| format!("cannot write {}", out.display()))
}

/// Writes the configuration every step starts from: the tree's own `.config`, or
/// tinyconfig plus the boot options, normalized by the tree's Kconfig.
fn make_base_config(linux: &LinuxPlan, home: &Path, dot_config: Option<&str>) -> Result<()> {
    let out = home.join(BASE_CONFIG_FILE);
    let text = match (&linux.base, dot_config) {
        (BaseConfig::TreeConfig, Some(text)) => text.to_string(),
        (BaseConfig::TreeConfig, None) => {
            bail!("the tree's .config vanished while culprit init ran")
        }
        (BaseConfig::Tiny(options), _) => tiny_config(linux, home, options)?,
    };
    std::fs::write(&out, text).with_context(|| format!("cannot write {}", out.display()))
}

fn tiny_config(linux: &LinuxPlan, home: &Path, options: &[String]) -> Result<String> {
    let build = tempfile::tempdir().context("cannot create a temporary directory")?;
    let make = |target: &str| {
        let mut command = Command::new("make");
        command
            .arg("-C")
            .arg(home)
            .arg(format!("O={}", build.path().display()))
            .args(&linux.make_vars)
            .arg("-s")
            .arg(target);
        command
    };
    let fix = "run `make mrproper` if the source tree was configured or built in place";
    checked(&mut make("tinyconfig"), "make tinyconfig", fix)?;
    let config = build.path().join(".config");
    let mut text = std::fs::read_to_string(&config)
        .with_context(|| format!("make tinyconfig left no {}", config.display()))?;
    text.push_str("\n# culprit init: what the initramfs boot needs\n");
    for option in options {
        text.push_str(option);
        text.push('\n');
    }
    std::fs::write(&config, text).with_context(|| format!("cannot write {}", config.display()))?;
    checked(&mut make("olddefconfig"), "make olddefconfig", fix)?;
    let effective = std::fs::read_to_string(&config)
        .with_context(|| format!("cannot read {}", config.display()))?;
    let missing: Vec<&str> = options
        .iter()
        .filter(|o| !effective.lines().any(|l| l == o.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        println!(
            "  ! this kernel's Kconfig did not keep {} in {BASE_CONFIG_FILE}; the boot may print nothing",
            missing.join(", ")
        );
    }
    Ok(effective)
}

/// Runs a setup command, and on failure says what it was, its output and what to do.
fn checked(command: &mut Command, what: &str, fix: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("{what}: cannot start it; {fix}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    bail!(
        "{what} failed ({}):\n{}\n{fix}",
        output.status,
        tail.join("\n")
    )
}
